"""Stored matches made by older matching rules are announced until `watch rematch --apply`.

A new version of clipdesk may find other places than the one that stored an instance's
matches; nothing changes them until the operator runs `watch rematch --apply`, so `init`,
`poll`, `watch list` and the admin's watch pages say so, in one line, until it has run.
"""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from clipdesk.articles.models import Article
from clipdesk.watch.matching import RULES_VERSION
from clipdesk.watch.models import MatchingState
from clipdesk.watch.store import add_entity, load_matcher, store_matches
from tests.cli import clipdesk

NOTICE = "matching has changed since the stored matches were made"
TEXT = "The MEK met on Monday at the quay."


def stored_article() -> Article:
    add_entity("Mojahedin-e Khalq", ["MEK"])
    article = Article.objects.create(
        url="https://news.example/quay",
        canonical_url="https://news.example/quay",
        title="Quay meeting",
        text=TEXT,
        text_sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
    )
    store_matches(article, load_matcher(), new=True)
    return article


def stored_by_older_rules() -> None:
    MatchingState.objects.update_or_create(id=1, defaults={"rules_version": RULES_VERSION - 1})


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def notices() -> dict[str, str]:
    """What each command says on stderr."""
    return {
        "init": run("init")[1],
        "watch list": run("watch", "list")[1],
        "watch list --json": run("watch", "list", "--json")[1],
        "poll": run("poll", "--once")[1],
        "poll --json": run("poll", "--once", "--json")[1],
    }


@pytest.mark.django_db
def test_older_stored_matches_are_announced_until_rematch_apply():
    stored_article()
    stored_by_older_rules()

    said = notices()
    for command, err in said.items():
        assert err.count(NOTICE) == 1, command
        assert "`clipdesk watch rematch` previews" in err, command
        assert "`clipdesk watch rematch --apply` stores it" in err, command

    run("watch", "rematch")  # a preview stores no version
    assert NOTICE in run("watch", "list")[1]

    out, _ = run("watch", "rematch", "--apply")
    assert (
        "0 article(s) applied" in out
    )  # nothing changed, and the version is recorded all the same
    assert MatchingState.objects.get().rules_version == RULES_VERSION
    assert all(NOTICE not in err for err in notices().values())


@pytest.mark.django_db
def test_json_output_stays_json_with_the_notice_on_stderr():
    stored_article()
    stored_by_older_rules()

    out, err = run("poll", "--once", "--json")
    assert NOTICE in err and NOTICE not in out
    assert json.loads(out)["sources_polled"] == 0
    out, err = run("watch", "list", "--json")
    assert NOTICE in err
    assert [e["name"] for e in json.loads(out)] == ["Mojahedin-e Khalq"]


@pytest.mark.django_db
def test_matches_stored_before_the_rules_had_versions_are_announced():
    stored_article()
    MatchingState.objects.all().delete()  # an instance upgraded from before

    assert NOTICE in run("watch", "list")[1]
    run("watch", "rematch", "--apply")
    assert NOTICE not in run("watch", "list")[1]


@pytest.mark.django_db
def test_an_instance_without_articles_is_current_and_stays_so_when_articles_come():
    stored_by_older_rules()

    assert all(NOTICE not in err for err in notices().values())
    # Its first articles are matched by these rules: they are not taken for older ones.
    stored_article()
    assert NOTICE not in run("watch", "list")[1]


@pytest.mark.django_db
def test_the_admin_watch_pages_show_the_notice_until_rematch_apply(admin_client):
    entity = stored_article().matches.get().entity
    stored_by_older_rules()
    pages = [
        "/admin/watch/entity/",
        f"/admin/watch/entity/{entity.pk}/change/",
        "/admin/watch/watchlist/",
        "/admin/watch/match/",
    ]

    for page in pages:
        assert NOTICE in admin_client.get(page).content.decode().lower(), page

    run("watch", "rematch", "--apply")
    for page in pages:
        assert NOTICE not in admin_client.get(page).content.decode().lower(), page


def test_a_fresh_instance_says_nothing(tmp_path: Path):
    home = tmp_path / "home"
    assert NOTICE not in clipdesk(home, "init").stderr
    clipdesk(home, "watch", "add", "Mojahedin-e Khalq", "--alias=MEK")
    assert NOTICE not in clipdesk(home, "watch", "list").stderr
    polled = clipdesk(home, "poll", "--once", "--json")
    assert NOTICE not in polled.stderr
    assert json.loads(polled.stdout)["articles_new"] == 0
    assert NOTICE not in clipdesk(home, "init").stderr
