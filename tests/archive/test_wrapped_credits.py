"""Credit lines a hard wrap (or a <br>) broke in two: joined again where the rule in
``text_pages.join_wrapped_credits`` says the two lines are one credit, and only there.

Each row is the post's body between its "Posted on" line and the end, in plain text and in
HTML (a <br> where the text breaks a line, a new paragraph where it leaves a blank line).
"""

import datetime

import pytest

from clipdesk.archive.parsing import ArchiveCredit, parse_archive

HEADER = "Quay Notes\n\nNotes on the quay in the press.\n\n"
HEADLINE = "Winter Ferry Cut"
FEB_19 = datetime.date(2019, 2, 19)
ROE = ArchiveCredit("Mara Keel", "The Saltmarsh Ledger", FEB_19)


def as_text(body: str, headline: str = HEADLINE, posted: str = "Posted on: 2019/02/20") -> str:
    above = f"{headline}\n\n{posted}\n\n" if posted else f"{headline}\n"
    return f"{HEADER}{above}{body}\n"


def as_html(body: str, headline: str = HEADLINE, posted: str = "Posted on: 2019/02/20") -> str:
    paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
    dated = f"<p>{posted}</p>" if posted else ""
    return (
        "<html><head><title>Quay Notes</title></head><body>"
        f"<article><h2>{headline}</h2>{dated}{paragraphs}</article></body></html>"
    )


def in_pre(body: str, headline: str = HEADLINE, posted: str = "Posted on: 2019/02/20") -> str:
    return f"<html><body><pre>{as_text(body, headline, posted)}</pre></body></html>"


LAYOUTS = [
    pytest.param(as_text, id="text"),
    pytest.param(as_html, id="html_br"),
    pytest.param(in_pre, id="html_pre"),
]

JOINED = [
    pytest.param(
        "Mara Keel, The Saltmarsh\nLedger, February 19 2019:… The winter ferry was cut.",
        id="inside_an_outlets_name",
    ),
    pytest.param(
        "Mara Keel, The Saltmarsh Ledger,\nFebruary 19 2019:… The winter ferry was cut.",
        id="the_date_on_the_next_line",
    ),
    pytest.param(
        "Mara Keel, The Saltmarsh Ledger, February\n19 2019:… The winter ferry was cut.",
        id="inside_the_date",
    ),
    pytest.param(
        "Mara Keel, The Saltmarsh Ledger, February 19\n2019:… The winter ferry was cut.",
        id="before_the_year",
    ),
    pytest.param(
        "Mara Keel,\nThe Saltmarsh Ledger, February 19 2019:… The winter ferry was cut.",
        id="after_the_authors_comma",
    ),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("body", JOINED)
def test_a_credit_broken_over_two_lines_is_read_whole(layout, body):
    [post] = parse_archive(layout(body), filename="page.html" if layout != as_text else "").posts
    assert post.headline == HEADLINE
    assert post.sources == [ROE]
    assert post.excerpt == "The winter ferry was cut."


NOT_JOINED = [
    pytest.param(
        # An excerpt wrapped line by line keeps its lines as paragraphs, as before.
        dict(
            body="Mara Keel, The Saltmarsh Ledger, February 19 2019:… The winter ferry\n"
            "was cut, the council said on\nFebruary 19 2019 after a vote."
        ),
        HEADLINE,
        [ROE],
        "The winter ferry\n\nwas cut, the council said on\n\nFebruary 19 2019 after a vote.",
        id="an_excerpts_lines",
    ),
    pytest.param(
        # The line above a credit, with no "Posted on" between, is the post's headline.
        dict(
            body="Saltmarsh Ledger, February 19 2019:… The winter ferry was cut.",
            headline="Ferry Cut, Again",
            posted="",
        ),
        "Ferry Cut, Again",
        [ArchiveCredit(None, "Saltmarsh Ledger", FEB_19)],
        "The winter ferry was cut.",
        id="a_headline_right_above_a_credit",
    ),
    pytest.param(
        # A blank line (a new paragraph) between them: two paragraphs, not a wrap.
        dict(body="Mara Keel, The Saltmarsh Ledger,\n\nFebruary 19 2019:… The ferry was cut."),
        HEADLINE,
        [],
        "Mara Keel, The Saltmarsh Ledger,\n\nFebruary 19 2019:… The ferry was cut.",
        id="a_blank_line_between",
    ),
    pytest.param(
        # A line that ends a sentence is not the start of the credit below it.
        dict(body="The vote was close.\nSaltmarsh Ledger, February 19 2019:… The ferry was cut."),
        HEADLINE,
        [ArchiveCredit(None, "Saltmarsh Ledger", FEB_19)],
        "The vote was close.\n\nThe ferry was cut.",
        id="a_sentence_above_a_credit",
    ),
    pytest.param(
        # The editor's line-broken credit list: each line is a credit of its own.
        dict(
            body="Saltmarsh Ledger, February 19 2019\n"
            "Mara Keel, Ridge Weekly, February 19 2019:… The ferry was cut."
        ),
        HEADLINE,
        [
            ArchiveCredit(None, "Saltmarsh Ledger", FEB_19),
            ArchiveCredit("Mara Keel", "Ridge Weekly", FEB_19),
        ],
        "The ferry was cut.",
        id="two_credits_one_a_line",
    ),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("page", "headline", "sources", "excerpt"), NOT_JOINED)
def test_lines_that_are_not_one_credit_stay_apart(layout, page, headline, sources, excerpt):
    content = layout(**page)
    if not sources:  # a page with no credit is no page of the archive: add one below
        content = content.replace(
            "The ferry was cut.", "The ferry was cut.\n\nReuters, February 19 2019"
        )
    posts = parse_archive(content, filename="page.html" if layout != as_text else "").posts
    assert [p.headline for p in posts] == [headline]
    [post] = posts
    if sources:
        assert post.sources == sources
        assert post.excerpt == excerpt
    else:
        assert post.sources == [ArchiveCredit(None, "Reuters", FEB_19)]
        assert post.excerpt.startswith("Mara Keel, The Saltmarsh Ledger,")


def test_a_persian_credit_broken_before_its_date_is_read_whole():
    body = "نیما کریمی، روزنامه بندر،\n۳۰ بهمن ۱۳۹۷:… اسکله دوباره باز شد."
    [post] = parse_archive(as_text(body, headline="اسکله باز شد")).posts
    assert post.sources == [ArchiveCredit("نیما کریمی", "روزنامه بندر", FEB_19)]
    assert post.excerpt == "اسکله دوباره باز شد."


def test_two_line_breaks_in_html_are_a_blank_line():
    page = as_html("x").replace(
        "<p>x</p>",
        "<p>Mara Keel, The Saltmarsh Ledger,<br><br>February 19 2019:… The ferry was cut.</p>"
        "<p>Reuters, February 19 2019</p>",
    )
    [post] = parse_archive(page, filename="page.html").posts
    assert post.sources == [ArchiveCredit(None, "Reuters", FEB_19)]
