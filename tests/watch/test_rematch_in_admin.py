"""The admin's page that re-applies the watchlists to stored articles.

An alias added or removed in the admin changes no stored article by itself: the page reached
from the entities' list (and from the message after a save) previews what re-applying would
change, article by article, and its button, for admins only, applies it as
`clipdesk watch rematch --apply` does, search and audit trail included.
"""

from __future__ import annotations

import datetime
import io
import os
import sys

import pytest
from django.test import Client
from django.utils import timezone
from lxml import html

from clipdesk.articles.models import Article
from clipdesk.people.accounts import add_account
from clipdesk.people.models import AuditEntry
from clipdesk.search.indexing import reindex_all
from clipdesk.search.service import search
from clipdesk.watch.models import Entity, Match, RematchJob
from clipdesk.watch.rematching import (
    BACKGROUND,
    MOST_ATTEMPTS,
    STALLED_AFTER,
    rematch_outcome,
    request_rematch,
    run_requested_rematch,
)
from clipdesk.watch.store import add_entity, load_matcher, store_matches
from tests.desk.test_desk import change_form
from tests.search.conftest import make_article, search_home  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db

PAGE = "/admin/watch/entity/rematch/"
ENTITY = "Mojahedin-e Khalq"
PASSWORD = "a-long-enough-password-for-tests"


def stored(title: str, text: str) -> Article:
    article = make_article(title, text)
    store_matches(article, load_matcher())
    return article


@pytest.fixture
def desk():
    """An entity watched as MEK and MKO, and three stored articles: one naming it by a name
    not yet an alias (PMOI), one by an alias about to be removed (MKO), one by MEK."""
    entity = add_entity(ENTITY, ["MEK", "MKO"])
    articles = {
        "pmoi": stored("Exiles rally at the quay", "Supporters of the PMOI rallied on Sunday."),
        "mko": stored("Camp to stay open", "The MKO said the camp would stay open."),
        "mek": stored("Quay meeting", "The MEK met on Monday at the quay."),
    }
    reindex_all()
    return entity, articles


def signed_in(role: str, *, csrf: bool = False) -> Client:
    add_account(f"{role}-account", role, PASSWORD)
    client = Client(enforce_csrf_checks=csrf)
    client.login(username=f"{role}-account", password=PASSWORD)
    return client


def rename_aliases(client: Client, entity: Entity, *, add: str, remove: str):
    """Save the entity's admin form with one alias added and one deleted, as a browser would."""
    url = f"/admin/watch/entity/{entity.pk}/change/"
    data = change_form(client, url, form_id="entity_form")
    (removed,) = [key for key, value in data.items() if value == remove]
    data[removed.replace("-text", "-DELETE")] = "on"
    first_empty = int(data["aliases-INITIAL_FORMS"])
    data[f"aliases-{first_empty}-text"] = add
    return client.post(url, data, follow=True)


def preview_rows(page) -> list[dict]:
    tree = html.fromstring(page.content)
    return [
        {
            "title": row.xpath("td[1]/a")[0].text_content(),
            "link": row.xpath("td[1]/a")[0].get("href"),
            "gained": row.xpath("td[2]")[0].text_content(),
            "lost": row.xpath("td[3]")[0].text_content(),
            "found": row.xpath("td[4]")[0].text_content(),
            "no_longer": row.xpath("td[5]")[0].text_content(),
        }
        for row in tree.xpath("//table[@id='rematch-preview']/tbody/tr")
    ]


def total(page) -> str:
    return " ".join(html.fromstring(page.content).get_element_by_id("rematch-total").itertext())


def stored_places() -> list[tuple[int, str]]:
    return sorted(Match.objects.values_list("article_id", "alias"))


def found_by(query: str) -> set[int]:
    return {r.id for r in search(query, type="article").results}


def test_an_alias_changed_in_the_admin_is_previewed_then_applied_and_searched(desk):
    entity, articles = desk
    admin = signed_in("admin")
    saved = rename_aliases(admin, entity, add="PMOI", remove="MKO")
    said = saved.content.decode()
    assert f'href="{PAGE}"' in said and "re-applied to stored articles" in said
    before = stored_places()
    assert found_by(f'entity:"{ENTITY}"') == {articles["mko"].pk, articles["mek"].pk}
    # An acronym typed in capitals searches its entity where the matcher found it: not yet in
    # the article that only says "PMOI".
    assert articles["pmoi"].pk not in found_by("PMOI")

    page = admin.get(PAGE)

    assert page.status_code == 200
    assert preview_rows(page) == [
        {
            "title": "Camp to stay open",
            "link": f"/admin/articles/article/{articles['mko'].pk}/change/",
            "gained": "",
            "lost": ENTITY,
            "found": "0",
            "no_longer": "1",
        },
        {
            "title": "Exiles rally at the quay",
            "link": f"/admin/articles/article/{articles['pmoi'].pk}/change/",
            "gained": ENTITY,
            "lost": "",
            "found": "1",
            "no_longer": "0",
        },
    ]
    assert "2 of 3 stored articles would change" in total(page)
    assert stored_places() == before  # a page looked at changes nothing
    assert not AuditEntry.objects.filter(action="rematch").exists()

    done = admin.post(PAGE, follow=True)

    assert done.redirect_chain == [("/admin/watch/entity/", 302)]
    assert "Watchlists re-applied: 2 stored article(s) changed" in done.content.decode()
    assert stored_places() == [(articles["pmoi"].pk, "PMOI"), (articles["mek"].pk, "MEK")]
    assert found_by(f'entity:"{ENTITY}"') == {articles["pmoi"].pk, articles["mek"].pk}
    assert found_by("PMOI") == {articles["pmoi"].pk, articles["mek"].pk}
    entry = AuditEntry.objects.get(action="rematch")
    assert entry.user.username == "admin-account"
    assert entry.detail["articles_changed"] == 2
    assert preview_rows(admin.get(PAGE)) == []
    assert "0 of 3 stored articles would change" in total(admin.get(PAGE))


def test_the_entities_list_links_to_the_page_for_admins(desk, admin_client):
    assert f'href="{PAGE}"' in admin_client.get("/admin/watch/entity/").content.decode()


def test_editors_readers_and_strangers_may_neither_preview_nor_apply(desk):
    entity, _ = desk
    entity.aliases.create(text="PMOI")
    before = stored_places()

    editor = signed_in("editor")
    assert editor.get(PAGE).status_code == 403
    assert editor.post(PAGE).status_code == 403
    for client in (signed_in("reader"), Client()):
        for answer in (client.get(PAGE), client.post(PAGE)):
            assert answer.status_code == 302
            assert answer["Location"].startswith("/admin/login/")

    assert stored_places() == before
    assert not AuditEntry.objects.filter(action="rematch").exists()


def test_applying_needs_the_forms_csrf_token(desk):
    entity, articles = desk
    entity.aliases.create(text="PMOI")
    admin = signed_in("admin", csrf=True)
    before = stored_places()

    assert admin.post(PAGE).status_code == 403
    assert stored_places() == before

    page = admin.get(PAGE)
    token = html.fromstring(page.content).xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    assert admin.post(PAGE, {"csrfmiddlewaretoken": token}).status_code == 302
    assert (articles["pmoi"].pk, "PMOI") in stored_places()


def test_a_large_archive_is_previewed_over_its_newest_articles(desk, admin_client, monkeypatch):
    """The preview looks at a bounded number of articles and lists a bounded number; applying
    still goes over them all."""
    entity, _ = desk
    entity.aliases.all().delete()  # the MKO and MEK articles would change; PMOI would not
    monkeypatch.setattr("clipdesk.watch.rematching.PREVIEW_ARTICLES", 2)
    monkeypatch.setattr("clipdesk.watch.rematching.PREVIEW_SHOWN", 1)

    page = admin_client.get(PAGE)

    assert [row["title"] for row in preview_rows(page)] == ["Quay meeting"]  # newest first
    said = total(page)
    assert "2 of the newest 2 stored articles (of 3) would change" in said
    assert "Applying goes over all 3" in said and "The first 1 are shown" in said

    admin_client.post(PAGE)
    assert stored_places() == []


# --- a large archive: re-applied in the background -------------------------------------------


@pytest.fixture
def large_archive(desk, monkeypatch):
    """The three articles of `desk` taken for more than a page may re-apply while it waits."""
    monkeypatch.setattr("clipdesk.watch.rematching.IN_REQUEST_ARTICLES", 2)
    return desk


def test_on_a_large_archive_the_button_queues_the_work_for_the_poller(large_archive):
    entity, articles = large_archive
    admin = signed_in("admin")
    rename_aliases(admin, entity, add="PMOI", remove="MKO")

    page = admin.post(PAGE, follow=True)

    assert page.status_code == 200
    assert "Queued" in page.content.decode()
    assert "in the background" in page.content.decode()
    # Nothing changed yet: the PMOI article is still unmatched, the MKO one still matched.
    assert not Match.objects.filter(article=articles["pmoi"]).exists()
    assert Match.objects.filter(article=articles["mko"]).exists()
    (job,) = RematchJob.objects.all()
    assert job.requested_by.username == "admin-account" and job.finished_at is None

    done = run_requested_rematch()  # what the poller does before its next round

    assert done is not None and done.pk == job.pk
    assert done.finished_at is not None and done.error == ""
    assert (done.done, done.total, done.articles_changed) == (3, 3, 2)
    assert Match.objects.filter(article=articles["pmoi"], alias="PMOI").exists()
    assert not Match.objects.filter(article=articles["mko"]).exists()
    assert found_by(f'entity:"{ENTITY}"') == {articles["pmoi"].pk, articles["mek"].pk}
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.REMATCH).get()
    assert audit.user.username == "admin-account"
    assert audit.detail["by"] == BACKGROUND
    shown = admin.get(PAGE).content.decode()
    assert "Last re-applied as asked for here" in shown
    assert "re-applied to 3 stored article(s), 2 changed" in shown
    assert run_requested_rematch() is None  # done once


def test_asking_twice_before_it_starts_is_one_job(large_archive):
    admin = signed_in("admin")
    admin.post(PAGE)
    admin.post(PAGE)
    assert RematchJob.objects.count() == 1


def test_a_job_whose_poller_stopped_is_taken_up_by_another_and_a_live_one_is_not(large_archive):
    job = request_rematch(None)
    RematchJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now(), heartbeat_at=timezone.now(), done=1, total=3
    )
    assert run_requested_rematch() is None  # another poller is at it

    stalled = timezone.now() - STALLED_AFTER - datetime.timedelta(seconds=1)
    RematchJob.objects.filter(pk=job.pk).update(heartbeat_at=stalled)
    done = run_requested_rematch()

    assert done is not None and done.finished_at is not None and done.total == 3


def test_the_shells_apply_settles_a_job_still_waiting(large_archive, tmp_path):
    from django.core.management import call_command

    job = request_rematch(None)
    call_command("watch", "rematch", "--apply", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.finished_at is not None and (job.total, job.articles_changed) == (3, 0)
    assert run_requested_rematch() is None


def test_a_small_archive_is_still_applied_while_the_page_waits(desk):
    entity, articles = desk
    admin = signed_in("admin")
    rename_aliases(admin, entity, add="PMOI", remove="MKO")
    admin.post(PAGE)
    assert Match.objects.filter(article=articles["pmoi"], alias="PMOI").exists()
    assert not RematchJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_poller_takes_up_a_queued_job_before_its_round(tmp_path):
    """`clipdesk poll` (what `clipdesk run` runs beside the server) does the job."""
    from tests.cli import clipdesk

    home = tmp_path / "home"
    clipdesk(home, "init")
    made = (
        "from tests.search.conftest import make_article\n"
        "from clipdesk.watch.store import add_entity\n"
        "from clipdesk.watch.rematching import request_rematch\n"
        "make_article('Quay meeting', 'The MEK met on Monday at the quay.')\n"
        "add_entity('Mojahedin-e Khalq', ['MEK'])\n"
        "request_rematch(None)\n"
    )
    clipdesk(home, "manage", "shell", "-c", made, PYTHONPATH=os.pathsep.join(sys.path))

    polled = clipdesk(home, "poll", "--once")

    assert "watchlists re-applied to 1 stored article(s), 1 changed" in polled.stderr
    check = (
        "from clipdesk.watch.models import Match, RematchJob\n"
        "print(Match.objects.count(), RematchJob.objects.get().finished_at is not None)"
    )
    assert clipdesk(home, "manage", "shell", "-c", check).stdout.splitlines()[-1].split() == [
        "1",
        "True",
    ]


def test_re_applying_says_how_far_it_has_come(desk, monkeypatch):
    from clipdesk.watch.store import rematch_articles

    monkeypatch.setattr("clipdesk.watch.store.PROGRESS_EVERY", 2)
    told: list[tuple[int, int]] = []
    rematch_articles(apply=True, progress=lambda done, total: told.append((done, total)))
    assert told == [(2, 3), (3, 3)]


def test_asking_while_one_runs_queues_another_after_it(large_archive):
    """The running job read the watchlists when it began: a change made since, applied by
    that job, would be lost."""
    running = request_rematch(None)
    RematchJob.objects.filter(pk=running.pk).update(
        started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    queued = request_rematch(None)
    assert queued.pk != running.pk and queued.started_at is None
    assert run_requested_rematch() is None  # the first is still at it


def test_a_job_that_keeps_stopping_is_given_up_in_words(large_archive):
    job = request_rematch(None)
    stalled = timezone.now() - STALLED_AFTER - datetime.timedelta(seconds=1)
    RematchJob.objects.filter(pk=job.pk).update(
        started_at=stalled, heartbeat_at=stalled, attempts=MOST_ATTEMPTS
    )
    done = run_requested_rematch()
    assert done is not None and done.finished_at is not None
    assert f"stopped {MOST_ATTEMPTS} times" in done.error
    assert rematch_outcome(done).startswith("re-applying the watchlists failed: stopped")


def test_a_job_taken_up_counts_its_attempts(large_archive):
    request_rematch(None)
    assert run_requested_rematch().attempts == 1
