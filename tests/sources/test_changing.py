"""Changing and removing a source from the command line: `source set` and `source remove`.

An editor who stops following a site removes its source (or disables it for a while); the
articles it brought in stay, with their matches, no longer credited to a source."""

from __future__ import annotations

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clipdesk.articles.models import Article
from clipdesk.sources.models import Source
from clipdesk.watch.models import Match
from clipdesk.watch.store import add_entity

pytestmark = pytest.mark.django_db

TEXT = "The Harbour Council met on Monday."


def source_command(*args: str) -> str:
    out = StringIO()
    call_command("source", *args, stdout=out)
    return out.getvalue()


def later() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=3)


def test_a_removed_sources_articles_and_their_matches_are_kept():
    source = Source.objects.create(url="https://harbour.example/feed.xml", name="Harbour")
    other = Source.objects.create(url="https://quay.example/feed.xml")
    article = Article.objects.create(
        url="https://harbour.example/council",
        canonical_url="https://harbour.example/council",
        title="Council meeting",
        text=TEXT,
        text_sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
        source=source,
    )
    entity = add_entity("Harbour Council", [])
    Match.objects.create(
        article=article, entity=entity, alias="Harbour Council", field="text", start=4, end=19,
        matched_text="Harbour Council", reason="name",
    )  # fmt: skip

    said = source_command("remove", str(source.pk))

    assert said == (
        f"Removed source {source.pk}: https://harbour.example/feed.xml; its 1 article(s) are kept\n"
    )
    assert list(Source.objects.all()) == [other]
    article.refresh_from_db()
    assert article.source is None
    assert [m.entity.name for m in article.matches.all()] == ["Harbour Council"]


@pytest.mark.parametrize("action", [["remove"], ["set", "--name", "Quay"]])
def test_an_unknown_source_is_refused_in_words(action):
    Source.objects.create(url="https://harbour.example/feed.xml")
    with pytest.raises(CommandError, match=r"^source: there is no source 99 \(`source list`") as no:
        call_command("source", action[0], "99", *action[1:])
    assert no.value.returncode == 2
    assert Source.objects.count() == 1


@pytest.mark.parametrize("written", ["0", "-3", "two", str(2**63)])
def test_an_id_that_cannot_be_one_is_refused_by_the_parser(written):
    with pytest.raises(CommandError, match="argument id: "):
        call_command("source", "remove", written)


def test_a_source_is_renamed_and_its_name_can_be_cleared():
    source = Source.objects.create(url="https://harbour.example/feed.xml", name="Harbor")

    said = source_command("set", str(source.pk), "--name", "Harbour Gazette ‏عربي")
    assert said == f"Source {source.pk} “Harbour Gazette ‏عربي”: {source.url} (feed), polled\n"
    source_command("set", str(source.pk), "--name", "")
    source.refresh_from_db()
    assert source.name == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [("n" * 201, "the name is 201 characters long; at most 200 fit"), ("a\x07b", "control")],
)
def test_a_name_that_cannot_be_stored_is_refused_and_nothing_changes(name, message):
    source = Source.objects.create(url="https://harbour.example/feed.xml", name="Harbour")
    with pytest.raises(CommandError, match=message):
        call_command("source", "set", str(source.pk), "--name", name, "--disable")
    source.refresh_from_db()
    assert (source.name, source.enabled) == ("Harbour", True)


def test_a_new_kind_is_read_afresh_at_the_next_poll():
    source = Source.objects.create(
        url="https://harbour.example/sitemap.xml",
        kind="page",
        etag='"v1"',
        last_modified="Mon, 02 Jun 2025 10:00:00 GMT",
        next_check_at=later(),
    )

    source_command("set", str(source.pk), "--kind", "sitemap")

    source.refresh_from_db()
    assert (source.kind, source.etag, source.last_modified) == ("sitemap", "", "")
    assert source in Source.objects.due()


def test_the_same_kind_again_keeps_the_validators_and_the_next_check():
    source = Source.objects.create(
        url="https://harbour.example/feed.xml", etag='"v1"', next_check_at=later()
    )
    source_command("set", str(source.pk), "--kind", "feed")
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source not in Source.objects.due()


def test_a_disabled_source_is_not_polled_and_says_so_in_the_list_until_enabled():
    source = Source.objects.create(url="https://harbour.example/feed.xml", name="Harbour")

    said = source_command("set", str(source.pk), "--disable")
    assert said.endswith("(feed), not polled (disabled)\n")
    assert source not in Source.objects.due()
    assert "[disabled; " in source_command("list")

    source_command("set", str(source.pk), "--enable")
    assert source in Source.objects.due()
    assert "disabled" not in source_command("list")


def test_set_with_nothing_to_change_says_what_it_takes():
    source = Source.objects.create(url="https://harbour.example/feed.xml")
    with pytest.raises(CommandError, match="say what to change: --name, --kind") as refused:
        call_command("source", "set", str(source.pk))
    assert refused.value.returncode == 2


def test_enable_and_disable_together_are_refused():
    source = Source.objects.create(url="https://harbour.example/feed.xml")
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("source", "set", str(source.pk), "--enable", "--disable")
