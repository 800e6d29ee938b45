"""WordPress exports (WXR): the published posts are read as the posts of a saved page."""

from __future__ import annotations

import datetime

import pytest

from clipdesk.archive.parsing import ArchiveCredit, ArchiveParseError, parse_archive
from clipdesk.archive.reading import expand_paths
from tests.conftest import FIXTURES

EXPORT = FIXTURES / "import" / "wordpress-export.xml"


def test_the_published_posts_of_an_export_are_read_with_their_credits_dates_and_tags():
    page = parse_archive(EXPORT.read_bytes(), filename="export.xml")

    assert page.site_name == "Estuary Press Watch"
    assert [p.headline for p in page.posts] == [
        "Barrage vote delayed again",
        "Anglers & walkers object",
    ]  # the draft and the "About us" page are left out
    vote, letters = page.posts
    assert vote.posted_on == datetime.date(2021, 3, 3)
    assert vote.sources == [
        ArchiveCredit("Jane Roe", "The Coastal Herald", datetime.date(2021, 3, 2))
    ]
    assert vote.excerpt == (
        "The council put off its vote on the barrage for a third time.\n\n"
        "Members asked for a new survey of the mudflats first."
    )
    assert vote.tags == ["Barrage", "Council"]
    assert [(s.author, s.outlet) for s in letters.sources] == [
        ("Tomas Elder", "Calloway Evening Post"),
        ("Tomas Elder", "Ridge Weekly"),
    ]
    assert letters.excerpt == "Two groups wrote to the council against the barrage."


def test_an_export_without_a_published_post_says_so():
    content = EXPORT.read_bytes().replace(b"[publish]", b"[draft]")
    with pytest.raises(ArchiveParseError, match="no published post"):
        parse_archive(content, filename="export.xml")


def test_a_broken_export_says_it_is_not_well_formed():
    content = EXPORT.read_bytes().replace(b"</channel>", b"")
    with pytest.raises(ArchiveParseError, match="not well-formed XML"):
        parse_archive(content, filename="export.xml")


def test_entities_in_an_export_are_not_expanded():
    bomb = b'<!DOCTYPE rss [<!ENTITY a "' + b"x" * 1000 + b'"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    content = EXPORT.read_bytes().replace(b"<rss ", bomb + b"\n<rss ", 1)
    content = content.replace(b"Members asked", b"&b;&b;&b; Members asked")
    page = parse_archive(content, filename="export.xml")
    assert "xxx" not in page.posts[0].excerpt


def one_post_export(content: str, title: str = "Barrage vote delayed again", **extra) -> bytes:
    """The fixture's first post alone, with this content, title and extra elements."""
    data = EXPORT.read_text()
    start, end = data.index("<item>"), data.rindex("</item>") + len("</item>")
    item = data[start : data.index("</item>") + len("</item>")]
    item = item.replace("Barrage vote delayed again", title)
    body = item[item.index("<content:encoded>") : item.index("</content:encoded>")]
    item = item.replace(body, f"<content:encoded><![CDATA[{content}]]>")
    for name, value in extra.items():
        item = item.replace("</item>", f"<wp:{name}>{value}</wp:{name}></item>")
    return (data[:start] + item + data[end:]).encode()


CREDIT = "Jane Roe, The Coastal Herald, March 2 2021:… The council put off its vote."


def test_a_post_behind_a_password_is_not_published():
    with pytest.raises(ArchiveParseError, match="no published post"):
        parse_archive(one_post_export(CREDIT, post_password="hunter2"), filename="e.xml")


def test_a_single_line_break_keeps_a_second_credit_line_of_its_own():
    content = CREDIT + "\nTomas Elder, Ridge Weekly, March 3 2021:… Members asked for a survey."
    (post,) = parse_archive(one_post_export(content), filename="e.xml").posts
    assert [s.outlet for s in post.sources] == ["The Coastal Herald", "Ridge Weekly"]


def test_titles_and_tags_are_read_as_wordpress_stores_them():
    content = one_post_export(CREDIT, title="Harbour wall &#8216;cracked&#8217;").replace(
        b"<![CDATA[Council]]>", b"<![CDATA[R&amp;D]]>"
    )
    (post,) = parse_archive(content, filename="e.xml").posts
    assert post.headline == "Harbour wall ‘cracked’"
    assert post.tags == ["Barrage", "R&D"]


def test_a_post_without_a_title_is_kept_as_wordpress_lists_it():
    (post,) = parse_archive(one_post_export(CREDIT, title=""), filename="e.xml").posts
    assert post.headline == "(no title)" and post.sources[0].outlet == "The Coastal Herald"


def test_a_pictures_caption_is_no_part_of_the_excerpt():
    caption = '[caption id="attachment_5" width="300"]<img src="w.jpg"> The north wall[/caption]'
    (post,) = parse_archive(one_post_export(f"{caption}\n\n{CREDIT}"), filename="e.xml").posts
    assert post.excerpt == "The council put off its vote."


def test_a_sites_feed_is_refused_as_a_feed():
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Estuary</title></channel></rss>'
    )
    with pytest.raises(ArchiveParseError, match="an RSS or Atom feed"):
        parse_archive(feed, filename="feed.xml")


def test_an_export_in_a_folder_is_found_and_other_xml_left_alone(tmp_path):
    (tmp_path / "export.xml").write_bytes(EXPORT.read_bytes())
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset></urlset>')
    (tmp_path / "page.html").write_text("<html></html>")
    assert [p.name for p in expand_paths([str(tmp_path)])] == ["export.xml", "page.html"]


def test_a_post_with_over_ten_megabytes_of_content_is_read():
    picture = '<img src="data:image/png;base64,' + "A" * 11_000_000 + '">'
    (post,) = parse_archive(one_post_export(f"{picture}\n\n{CREDIT}"), filename="e.xml").posts
    assert post.sources[0].outlet == "The Coastal Herald"


# A bold line in a post's block quote, with a credit line somewhere in the quote: the shape of
# a pasted link card on a saved page, but in an export every post is one post of its own.
QUOTED = [
    pytest.param(
        "<p>The board split.</p><blockquote><p><strong>Harbour board splits on dredging"
        "</strong></p><p>Jane Roe, The Coastal Herald, March 2 2021:… Four votes to three."
        "</p></blockquote>",
        ["The Coastal Herald"],
        "The board split.\n\nHarbour board splits on dredging\n\nFour votes to three.",
        id="credit_inside_the_quote_after_its_bold_line",
    ),
    pytest.param(
        "<blockquote><p>Jane Roe, The Coastal Herald, March 2 2021:…</p><p><b>Harbour board "
        "splits on dredging</b></p><p>Four votes to three.</p><p>Tomas Elder, Ridge Weekly, "
        "March 3 2021:… The mayor abstained.</p></blockquote>",
        ["The Coastal Herald", "Ridge Weekly"],
        "Harbour board splits on dredging\n\nFour votes to three.\n\nThe mayor abstained.",
        id="quote_holding_every_credit_of_the_post",
    ),
    pytest.param(
        '<!-- wp:quote --><blockquote class="wp-block-quote"><p><strong>Harbour board splits'
        " on dredging</strong><br>Four votes to three. — Jane Roe, The Coastal Herald, March 2"
        " 2021</p></blockquote><!-- /wp:quote -->",
        ["The Coastal Herald"],
        "Harbour board splits on dredging\n\nFour votes to three.",
        id="block_editor_quote_with_a_trailing_credit",
    ),
    pytest.param(
        "<p>Jane Roe, The Coastal Herald, March 2 2021:…</p><blockquote><p>Four votes to three."
        "</p></blockquote>",
        ["The Coastal Herald"],
        "Four votes to three.",
        id="quote_without_a_bold_line_as_before",
    ),
]


@pytest.mark.parametrize(("content", "outlets", "excerpt"), QUOTED)
def test_a_bold_line_in_a_posts_block_quote_is_part_of_its_excerpt(content, outlets, excerpt):
    (post,) = parse_archive(one_post_export(content), filename="e.xml").posts
    assert post.headline == "Barrage vote delayed again"
    assert [s.outlet for s in post.sources] == outlets
    assert post.excerpt == excerpt


def test_a_quoted_card_on_a_saved_page_is_still_a_post_of_its_own():
    card = (
        "<blockquote><p><strong>Harbour board splits on dredging</strong></p>"
        "<p>Jane Roe, The Coastal Herald, March 2 2021:… Four votes to three.</p></blockquote>"
    )
    page = parse_archive(f"<html><body><h1>Reading list</h1>{card}</body></html>".encode())
    assert [p.headline for p in page.posts] == ["Harbour board splits on dredging"]
