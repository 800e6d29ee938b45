"""Bidirectional controls a page leaves open are closed at the end of the value."""

from __future__ import annotations

import pytest

from clipdesk.bidi import closed_bidi

RLO, LRE, PDF, RLI, PDI = "\u202e", "\u202a", "\u202c", "\u2067", "\u2069"


@pytest.mark.parametrize(
    ("value", "closed"),
    [
        ("Harbour pier reopens", "Harbour pier reopens"),
        ("", ""),
        (f"{RLO}Trusted Daily", f"{RLO}Trusted Daily{PDF}"),
        (f"{RLO}a{PDF} b", f"{RLO}a{PDF} b"),  # closed already
        (f"{RLI}a {LRE}b", f"{RLI}a {LRE}b{PDF}{PDI}"),  # innermost first
        (f"{RLI}a {LRE}b{PDI} c", f"{RLI}a {LRE}b{PDI} c"),  # the PDI closes both
        (f"{PDF}{PDI}a", f"{PDF}{PDI}a"),  # stray closings are left alone
        (f"{LRE}{RLI}a{PDF}", f"{LRE}{RLI}a{PDF}{PDI}{PDF}"),  # a PDF does not close an isolate
    ],
)
def test_what_a_value_opens_it_closes(value, closed):
    assert closed_bidi(value) == closed


def test_an_extracted_headline_cannot_turn_round_what_is_shown_after_it():
    from clipdesk.articles.extraction import extract_article

    page = (
        f"<html><head><title>{RLO}Harbour pier reopens</title>"
        f'<meta property="og:site_name" content="{RLO}Trusted Daily"></head><body><article>'
        f"<h1>{RLO}Harbour pier reopens</h1>"
        + "<p>The harbour pier reopened on Monday after a winter of repairs to its deck.</p>" * 8
        + "</article></body></html>"
    )
    article = extract_article(page, "https://daily.example/pier")
    assert article.title == f"{RLO}Harbour pier reopens{PDF}"
    assert article.outlet_name is None or article.outlet_name.endswith(PDF)


@pytest.mark.django_db
def test_a_post_page_title_keeps_the_site_name_out_of_a_headlines_override(client):
    from tests.factories import make_post

    post = make_post(headline=f"{RLO}Harbour pier reopens")
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"<title>{RLO}Harbour pier reopens{PDF} · " in page


def test_a_value_cut_to_its_column_keeps_its_closing_marks():
    from clipdesk.bidi import closed_within

    long = RLO + "x" * 2000
    stored = closed_within(long, 1000)
    assert len(stored) == 1000 and stored.endswith(PDF) and stored.startswith(RLO)
    assert closed_within(f"{RLI}{LRE}" + "y" * 10, 5) == f"{RLI}{LRE}y{PDF}{PDI}"
    assert closed_within("plain", 3) == "pla"
