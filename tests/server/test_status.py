"""`clipdesk status`: the instance's health in one look, and an exit status that says whether
something needs attention."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from clipdesk.articles.models import Article
from clipdesk.people import throttle
from clipdesk.people.accounts import add_account
from clipdesk.server.health import LOW_FREE_BYTES, disk_is_nearly_full, instance_status
from clipdesk.server.management.commands.status import report_lines
from clipdesk.sources.models import Source
from clipdesk.stories.models import Story, StoryMember
from clipdesk.watch.models import Match, MatchingState
from clipdesk.watch.store import add_entity
from tests.cli import clipdesk, free_port
from tests.conftest import skip_or_fail
from tests.sources.conftest import http_server, http_server_session  # noqa: F401

SECTIONS = {"instance", "sources", "articles", "desk", "snapshots", "accounts"}
GiB = 1 << 30


# -- the command, run as an operator runs it ---------------------------------------------------


@pytest.fixture(scope="module")
def fresh_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("status") / "home"
    clipdesk(home, "init")
    return home


def test_a_fresh_instance_is_healthy(fresh_home):
    result = clipdesk(fresh_home, "status", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("!")]
    assert f"  database: SQLite {fresh_home / 'clipdesk.sqlite3'}" in lines
    assert "  migrations: all applied" in lines
    assert "  broker: not configured (CLIPDESK_BROKER_URL)" in lines
    assert "  0 enabled, 0 disabled, 0 never polled" in lines
    assert lines[-1] == "status: healthy"
    assert "  status          the instance's health" in clipdesk(fresh_home, "--help").stdout


def test_json_is_one_object_with_every_fact(fresh_home):
    result = clipdesk(fresh_home, "status", "--json", check=False)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert set(report) == {"healthy", "attention", *SECTIONS}
    assert report["healthy"] is True and report["attention"] == []
    instance = report["instance"]
    assert instance["database"] == {
        "engine": "sqlite",
        "path": str(fresh_home / "clipdesk.sqlite3"),
        "writable": True,
    }
    assert instance["pending_migrations"] == []
    assert instance["search"] == {
        "engine": "tantivy",
        "waiting": 0,
        "waiting_at_least": False,
        "missing": [],
    }
    assert instance["broker"]["configured"] is False
    assert set(report["sources"]) == {
        "enabled",
        "disabled",
        "never_polled",
        "failing",
        "last_success",
        "next_check",
    }
    assert set(report["articles"]) == {"last_24h", "last_7d", "matched_7d", "newest"}
    assert report["desk"] == {"waiting": 0}
    assert report["snapshots"]["files"] == 0 and report["snapshots"]["disk_free_bytes"] > 0
    assert report["accounts"]["locked"] == []


def test_a_broker_that_does_not_answer_needs_attention(fresh_home):
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/9"
    result = clipdesk(fresh_home, "status", check=False, CLIPDESK_BROKER_URL=broker)
    assert result.returncode == 1
    assert f"! broker: {broker} does not answer (" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("status: 1 thing(s) need attention")
    report = json.loads(
        clipdesk(fresh_home, "status", "--json", check=False, CLIPDESK_BROKER_URL=broker).stdout
    )
    assert report["instance"]["broker"]["reachable"] is False
    assert report["attention"] == [f"the broker at {broker} does not answer ({_error(report)})"]


def _error(report: dict) -> str:
    return report["instance"]["broker"]["error"]


def test_a_failing_source_is_named_with_its_error(tmp_path, http_server):  # noqa: F811
    home = tmp_path / "home"
    clipdesk(home, "init")
    feed = http_server.route("/feed.xml", b"down for maintenance", status=503)
    clipdesk(home, "source", "add", feed, "--kind", "feed", "--name", "Harbour Gazette")
    allow = {"CLIPDESK_FETCH_ALLOW": f"127.0.0.1:{http_server.port}"}
    clipdesk(home, "poll", "--once", check=False, **allow)

    result = clipdesk(home, "status", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("! source")]
    assert line.startswith("! source 1 “Harbour Gazette” failing: ")
    assert "503" in line
    assert "1 time(s) in a row since the first failure, " in line

    failing = json.loads(clipdesk(home, "status", "--json", check=False).stdout)["sources"][
        "failing"
    ]
    assert [(s["id"], s["name"], s["url"], s["failures_in_a_row"]) for s in failing] == [
        (1, "Harbour Gazette", feed, 1)
    ]
    assert "503" in failing[0]["error"] and failing[0]["never_read"] is True
    assert failing[0]["first_failure_known"] is True
    (listed,) = json.loads(clipdesk(home, "source", "list", "--json").stdout)
    assert listed["failing_since"] is not None
    assert failing[0]["failing_since"] == listed["failing_since"]


def test_migrations_not_applied_need_attention(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    clipdesk(home, "manage", "migrate", "search", "0009", "--verbosity", "0")
    result = clipdesk(home, "status", check=False)
    assert result.returncode == 1
    assert (
        "! migrations: 1 not applied (search.0010_index_again_with_spaced_affixes_joined); "
        "run `clipdesk init`"
    ) in result.stdout.splitlines()
    clipdesk(home, "init")
    assert clipdesk(home, "status", check=False).returncode == 0


def test_an_upgrade_not_migrated_yet_is_reported_with_its_tables_missing(tmp_path):
    # After an upgrade, before `clipdesk init`: a table the new release reads is not there
    # yet, and status still reports, with the migrations to apply, not "not set up".
    home = tmp_path / "home"
    clipdesk(home, "init")
    clipdesk(home, "manage", "migrate", "watch", "0002", "--verbosity", "0")
    result = clipdesk(home, "status", check=False)
    assert result.returncode == 1, result.stderr
    assert (
        "! migrations: 1 not applied (watch.0003_rematch_job); run `clipdesk init`"
    ) in result.stdout.splitlines()
    report = json.loads(clipdesk(home, "status", "--json", check=False).stdout)
    assert report["instance"]["pending_migrations"] == ["watch.0003_rematch_job"]
    assert report["instance"]["rematch"] is None


@contextlib.contextmanager
def read_only(path: Path):
    """`path` made read-only for this process: its mode, or for root (whom modes do not
    stop) the immutable attribute where the file system has one."""
    path.chmod(0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            immutable = done.returncode == 0
            if not immutable:
                skip_or_fail(
                    "no way to make a file read-only for this user here (chattr +i refused)"
                )
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_a_database_that_cannot_be_written_needs_attention(tmp_path):
    # A restore copied as another user, a disk remounted read-only: the pages are served,
    # but every poll and edit fails, so it is not "healthy".
    home = tmp_path / "home"
    clipdesk(home, "init")
    database = home / "clipdesk.sqlite3"
    with read_only(database):
        result = clipdesk(home, "status", check=False)
        report = json.loads(clipdesk(home, "status", "--json", check=False).stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"! database: SQLite {database} cannot be written (read-only): polls and every "
        "change fail until it can"
    ) in result.stdout.splitlines()
    assert report["instance"]["database"]["writable"] is False
    assert report["healthy"] is False


def test_a_home_never_set_up_is_sent_to_init_and_left_as_it_was(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = clipdesk(home, "status", check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"status: the instance at {home} is not set up; run `clipdesk init`\n"
    assert not (home / "clipdesk.sqlite3").exists()


def test_status_records_no_matching_version(tmp_path):
    """On an instance with no article, `matching_has_changed` records the rules' version;
    the status only reads."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        db.execute("delete from watch_matchingstate")
    db.close()
    assert clipdesk(home, "status", check=False).returncode == 0
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        assert db.execute("select count(*) from watch_matchingstate").fetchone() == (0,)
    db.close()


# -- the service, on the test database --------------------------------------------------------

NOW = timezone.now()


def _article(n: int, hours_ago: float) -> Article:
    return Article.objects.create(
        url=f"https://news.example/{n}",
        canonical_url=f"https://news.example/{n}",
        title=f"Harbour story {n}",
        text_sha256=f"{n:064x}",
        fetched_at=NOW - datetime.timedelta(hours=hours_ago),
    )


def _match(article: Article, entity) -> None:
    Match.objects.create(
        article=article,
        entity=entity,
        alias="Harbour Council",
        field="title",
        start=0,
        end=7,
        matched_text="Harbour",
        reason="the alias",
    )


@pytest.mark.django_db
def test_an_empty_instance_is_healthy_and_writes_nothing():
    MatchingState.objects.all().delete()
    report = instance_status(NOW)
    assert report["healthy"] is True
    assert set(report) == {"healthy", "attention", *SECTIONS}
    assert not MatchingState.objects.exists()


@pytest.mark.django_db
def test_sources_failing_now_are_listed_and_disabled_ones_are_not():
    Source.objects.create(url="https://ok.example/feed", last_success_at=NOW, last_checked_at=NOW)
    read = NOW - datetime.timedelta(days=2)
    Source.objects.create(
        url="https://down.example/feed",
        name="Down Daily",
        error_count=3,
        last_error="HTTP 503",
        last_success_at=read,
        last_checked_at=NOW,
    )
    Source.objects.create(
        url="https://off.example/feed", enabled=False, error_count=9, last_error="HTTP 404"
    )
    Source.objects.create(url="https://new.example/feed", next_check_at=NOW)

    report = instance_status(NOW)
    sources = report["sources"]
    assert (sources["enabled"], sources["disabled"], sources["never_polled"]) == (3, 1, 1)
    (failing,) = sources["failing"]
    assert failing["name"] == "Down Daily" and failing["error"] == "HTTP 503"
    assert failing["failures_in_a_row"] == 3
    # Failing from before sources kept the first failure: bounded by the last good read.
    assert failing["failing_since"] == read.isoformat() and failing["never_read"] is False
    assert failing["first_failure_known"] is False
    assert sources["last_success"] == NOW.isoformat()
    assert report["attention"] == ["1 source(s) failing"] and report["healthy"] is False


@pytest.mark.django_db
def test_a_failing_source_is_failing_since_its_first_failure_not_its_last_good_read():
    read, began = NOW - datetime.timedelta(days=2), NOW - datetime.timedelta(hours=5)
    Source.objects.create(
        url="https://down.example/feed",
        error_count=4,
        last_error="HTTP 503",
        failing_since=began,
        last_success_at=read,
        last_checked_at=NOW,
    )

    (failing,) = instance_status(NOW)["sources"]["failing"]
    assert failing["failing_since"] == began.isoformat()
    assert failing["first_failure_known"] is True and failing["never_read"] is False


@pytest.mark.django_db
def test_articles_of_the_day_and_week_and_the_stories_waiting():
    entity = add_entity("Harbour Council", [])
    recent, this_week, old = _article(1, 2), _article(2, 24 * 3), _article(3, 24 * 10)
    for article in (recent, old):
        _match(article, entity)
    waiting = Story.objects.create()
    StoryMember.objects.create(story=waiting, article=recent)
    decided = Story.objects.create(status=Story.Status.DISMISSED)
    StoryMember.objects.create(story=decided, article=old)
    unmatched = Story.objects.create()
    StoryMember.objects.create(story=unmatched, article=this_week)

    report = instance_status(NOW)
    assert report["articles"] == {
        "last_24h": 1,
        "last_7d": 2,
        "matched_7d": 1,
        "newest": recent.fetched_at.isoformat(),
    }
    assert report["desk"] == {"waiting": 1}


@pytest.mark.django_db
def test_accounts_by_role_and_those_locked_out():
    add_account("ada", "admin", "harbour-lights-42")
    add_account("eddie", "editor", "harbour-lights-42")
    add_account("rita", "reader", "harbour-lights-42")
    add_account("gone", "reader", "harbour-lights-42")
    User.objects.filter(username="gone").update(is_active=False)
    try:
        for _ in range(throttle.MAX_FAILURES):
            throttle.note_failure("192.0.2.7", "eddie")
        accounts = instance_status(NOW)["accounts"]
    finally:
        throttle.clear("192.0.2.7", "eddie")
    assert accounts == {
        "admins": 1,
        "editors": 1,
        "readers": 1,
        "without_role": 0,
        "disabled": 1,
        "locked": ["eddie"],
    }


@pytest.mark.django_db
def test_snapshots_are_measured_on_their_disk(tmp_path):
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "2026-03-01.warc.gz").write_bytes(b"x" * 1000)
    (tmp_path / "snapshots" / "2026-03-02.warc.gz").write_bytes(b"x" * 234)
    with override_settings(CLIPDESK_HOME=tmp_path):
        snapshots = instance_status(NOW)["snapshots"]
    assert (snapshots["bytes"], snapshots["files"]) == (1234, 2)
    assert snapshots["path"] == str(tmp_path / "snapshots")
    assert 0 < snapshots["disk_free_bytes"] <= snapshots["disk_total_bytes"]


@pytest.mark.parametrize(
    ("free", "total", "nearly_full"),
    [
        (LOW_FREE_BYTES - 1, 1000 * GiB, True),  # under 1 GiB, however large the disk
        (40 * GiB, 1000 * GiB, True),  # 4 %
        (60 * GiB, 1000 * GiB, False),
        (2 * GiB, 10 * GiB, False),
    ],
)
def test_a_disk_is_nearly_full_under_a_gibibyte_or_five_percent(free, total, nearly_full):
    assert disk_is_nearly_full(free, total) is nearly_full


@pytest.mark.django_db
def test_the_watchlists_being_re_applied_are_shown_and_a_stalled_run_needs_attention():
    from clipdesk.watch.models import RematchJob
    from clipdesk.watch.rematching import STALLED_AFTER

    assert instance_status(NOW)["instance"]["rematch"] is None
    job = RematchJob.objects.create(requested_at=NOW - datetime.timedelta(minutes=1))
    report = instance_status(NOW)
    assert report["instance"]["rematch"]["state"] == "queued" and report["healthy"] is True

    RematchJob.objects.filter(pk=job.pk).update(
        started_at=NOW, heartbeat_at=NOW - datetime.timedelta(seconds=5), done=500, total=2000
    )
    rematch = instance_status(NOW)["instance"]["rematch"]
    assert (rematch["state"], rematch["done"], rematch["total"]) == ("running", 500, 2000)

    late = NOW + STALLED_AFTER + datetime.timedelta(minutes=1)
    report = instance_status(late)
    assert report["instance"]["rematch"]["state"] == "stalled"
    assert any("stopped at 500 of 2000 articles" in line for line in report["attention"])
    shown = report_lines(report, late)
    assert "! matching: re-applying the watchlists stalled, 500 of 2,000 articles gone over" in (
        shown
    )


@pytest.mark.django_db
def test_a_re_application_nothing_takes_up_needs_attention():
    from clipdesk.watch.models import RematchJob

    RematchJob.objects.create(requested_at=NOW - datetime.timedelta(hours=1))
    report = instance_status(NOW)
    assert report["instance"]["rematch"]["needs_attention"] is True
    assert any("waits for a poller" in line for line in report["attention"])


@pytest.mark.django_db
def test_a_search_index_missing_beside_stored_posts_needs_attention(tmp_path, settings):
    """A backup restored without its index (derived data, left out unless asked) searched
    nothing while status said all was well."""
    from clipdesk.search.backends import reset_backends
    from clipdesk.search.backends.tantivy_backend import META_FILE
    from clipdesk.search.indexing import reindex_all
    from clipdesk.search.service import search
    from tests.factories import make_post

    make_post()
    settings.CLIPDESK_HOME = tmp_path  # a home restored without its search-index folder
    settings.CLIPDESK_SEARCH_ENGINE = "tantivy"  # the default beside SQLite
    report = instance_status(NOW)
    assert report["instance"]["search"]["missing"] == ["posts"]
    assert any("clipdesk reindex" in line for line in report["attention"])
    assert "! search: no index of the posts: run `clipdesk reindex`" in report_lines(report, NOW)

    # A search or a poll since the restore makes the index again, empty: still missing.
    search("harbour")
    assert (tmp_path / "search-index" / "post" / META_FILE).exists()
    assert instance_status(NOW)["instance"]["search"]["missing"] == ["posts"]
    reindex_all()
    assert instance_status(NOW)["instance"]["search"]["missing"] == []
    # PostgreSQL's search keeps its index in the database: nothing to be missing.
    shutil.rmtree(tmp_path / "search-index")
    settings.CLIPDESK_SEARCH_ENGINE = "postgres"
    assert instance_status(NOW)["instance"]["search"]["missing"] == []
    reset_backends()  # the index opened in tmp_path is not another test's
