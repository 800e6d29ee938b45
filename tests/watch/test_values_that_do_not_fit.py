"""What `watch add` and `source add` cannot store is refused in words, and nothing is written:
a value longer than its column (PostgreSQL refused it with a traceback, SQLite kept it whole)
or an empty watchlist name."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from clipdesk.sources.actions import SourceError, add_source
from clipdesk.sources.models import Source
from clipdesk.watch.models import Alias, Entity, Watchlist


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["N" * 201], "the entity name is 201 characters long; at most 200 fit"),
        (["Harbour Council", "--alias", "a" * 301], "an alias is 301 characters long; at most 300"),
        (["Harbour Council", "--list", "w" * 201], "the watchlist name is 201 characters long"),
        (["Harbour Council", "--list", "  "], "a watchlist needs a name"),
        (["  "], "an entity needs a name"),
        # An empty alias is most often a shell variable left unset (--alias "$NAME").
        (["Harbour Council", "--alias", ""], "an alias cannot be empty"),
        (["Harbour Council", "--alias", "  "], "an alias cannot be empty"),
        (["Harbour\x01Council"], "names and aliases cannot hold control characters"),
        (["Harbour Council", "--alias", "H\x07C"], "cannot hold control characters"),
        (["Harbour Council", "--list", "Ports\x1b[2J"], "cannot hold control characters"),
    ],
)
def test_watch_add_refuses_what_cannot_be_stored_and_writes_nothing(arguments, message):
    with pytest.raises(CommandError, match=message) as refused:
        call_command("watch", "add", *arguments, "--alias", "HC")
    assert refused.value.returncode == 2
    assert (Watchlist.objects.count(), Entity.objects.count(), Alias.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_the_longest_values_that_fit_are_stored_whole():
    call_command("watch", "add", "N" * 200, "--alias", "a" * 300, "--list", "w" * 200)
    entity = Entity.objects.select_related("watchlist").get()
    assert (len(entity.name), len(entity.watchlist.name)) == (200, 200)
    assert len(entity.aliases.get().text) == 300


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "name", "message"),
    [
        ("https://news.invalid/" + "p" * 980, "", "the URL is 1001 characters long"),
        ("https://news.invalid/feed.xml", "n" * 201, "the name is 201 characters long"),
        ("https://news.invalid/a\x07b.xml", "", "cannot hold control characters"),
        ("https://news.invalid/feed.xml", "Harbour\x00", "cannot hold control characters"),
    ],
)
def test_source_add_refuses_what_cannot_be_stored_before_fetching(url, name, message):
    # Without a kind the URL would be fetched to find out; the refusal comes first (a fetch
    # of the .invalid host would fail with another message).
    with pytest.raises(SourceError, match=message):
        add_source(url, name=name)
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_the_same_name_in_other_capitals_or_hyphens_extends_the_entity():
    call_command("watch", "add", "Mojahedin-e Khalq", "--alias", "MEK")
    call_command("watch", "add", "MOJAHEDIN E KHALQ", "--alias", "OMPI")

    entity = Entity.objects.get()
    assert entity.name == "Mojahedin-e Khalq"
    assert set(entity.aliases.values_list("text", flat=True)) == {"MEK", "OMPI"}
    call_command("watch", "add", "Mojahedin Khalq")  # a different name: another entity
    assert Entity.objects.count() == 2
