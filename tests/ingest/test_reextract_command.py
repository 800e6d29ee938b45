"""`clipdesk reextract`: stored articles read again from their snapshots, never refetched.

The case it is for: Persian articles stored before zero-width non-joiners were kept have
their words fused ("مجاهدینخلق"), and a watched name written with one was not found.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clipdesk.articles.models import Article
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.watch.store import add_entity
from tests.ingest.test_poll_failures import ARTICLE, feed

HTML = {"Content-Type": "text/html; charset=utf-8"}
ZWNJ = "\u200c"
PERSIAN = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>نمایشگاه کتاب در شهر</title></head><body><article><h1>نمایشگاه کتاب در شهر</h1>
<p>نمایشگاهی از کتاب‌های تاریخی روز یکشنبه در کتاب‌خانهٔ شهر گشایش یافت و بخشی از آن به
نشریه‌های سازمان مجاهدین‌خلق در دههٔ شصت اختصاص دارد.</p>
<p>برگزارکنندگان می‌گویند بیشتر این نشریه‌ها از مجموعه‌های شخصی به امانت گرفته شده است و
تا پایان ماه در معرض دید عموم خواهد بود.</p></article></body></html>""".encode()


def run(*args: str) -> str:
    out = StringIO()
    call_command("reextract", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def polled(server):
    persian = server.route("/fa/kitab.html", PERSIAN, headers=HTML)
    english = server.route("/en/ferry.html", ARTICLE, headers=HTML)
    add_source(server.route("/feed.xml", feed(persian, english)), kind="feed")
    add_entity("Mojahedin-e Khalq", ["سازمان مجاهدین خلق"])
    poll_sources(due_only=False)
    return server


@pytest.mark.django_db(transaction=True)
def test_articles_of_a_language_are_extracted_again_and_matched_again(polled):
    persian = Article.objects.get(language="fa")
    assert "مجاهدین\u200cخلق" in persian.text and persian.matches.exists()
    # As an older version stored it: the non-joiners gone, the name not found.
    original = persian.text
    fused = persian.text.replace(ZWNJ, "")
    Article.objects.filter(pk=persian.pk).update(text=fused, text_sha256="x" * 64)
    persian.matches.all().delete()
    english = Article.objects.get(language="en")
    Article.objects.filter(pk=english.pk).update(text="left alone")
    requests_before = len(polled.requests)

    report = json.loads(run("--language", "fa", "--json"))

    assert report == {"extracted": 1, "failed": []}
    persian.refresh_from_db()
    assert persian.text == original  # every non-joiner back
    assert [m.matched_text for m in persian.matches.all()] == ["سازمان مجاهدین\u200cخلق"]
    assert Article.objects.get(language="en").text == "left alone"
    assert len(polled.requests) == requests_before  # read from the snapshot, not fetched


@pytest.mark.django_db(transaction=True)
def test_an_article_whose_snapshot_is_lost_is_reported_and_the_others_go_on(polled, settings):
    first, second = Article.objects.select_related("snapshot").order_by("pk")
    lost = settings.CLIPDESK_HOME / first.snapshot.warc_file
    # Both snapshots are records in the day's file; a second file keeps the other's record.
    kept = str(Path(first.snapshot.warc_file).with_name("kept.warc.gz"))
    (settings.CLIPDESK_HOME / kept).write_bytes(lost.read_bytes())
    Article.objects.filter(pk=first.pk).update(text="stale")
    type(second.snapshot).objects.filter(pk=second.snapshot_id).update(warc_file=kept)
    lost.unlink()
    Article.objects.filter(pk=second.pk).update(text="stale")

    out = StringIO()
    with pytest.raises(CommandError, match=r"^reextract: 1 article\(s\) could not be") as failed:
        call_command("reextract", "--all", stdout=out, stderr=StringIO())
    shown = out.getvalue()

    assert failed.value.returncode == 1
    assert f"1 of 2 article(s) extracted again; 1 could not be:\n  article {first.pk}:" in shown
    assert Article.objects.get(pk=first.pk).text == "stale"
    assert Article.objects.get(pk=second.pk).text != "stale"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "say which articles to extract again: --language CODE, --id N, or --all"),
        (("--id", "999"), "no stored article 999; `clipdesk articles` lists them"),
    ],
)
def test_what_cannot_be_done_is_refused_before_anything_is_read(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
