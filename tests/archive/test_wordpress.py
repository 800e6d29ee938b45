"""WordPress exports (WXR): the published posts are read as the posts of a saved page."""

from __future__ import annotations

import datetime

import pytest

from clipdesk.archive.parsing import ArchiveCredit, ArchiveParseError, parse_archive
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
