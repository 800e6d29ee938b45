import datetime
import time

import feedparser
import pytest

from clipdesk.digest.models import Post, SiteProfile
from clipdesk.publish import caching
from clipdesk.publish.caching import bump_content_version
from tests.factories import make_outlet, make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    tag = make_tag("Hearings")
    outlets = [make_outlet("Harbour Gazette"), make_outlet("Valley Times")]
    make_post(
        "Inquiry opens & witnesses speak",
        posted_on=datetime.date(2021, 3, 2),
        excerpt="The first witness spoke <calmly>.",
        credits=[{"outlet": o, "date": datetime.date(2021, 3, 2)} for o in outlets],
        tags=[tag],
    )
    make_post("Undated note", posted_on=None, posted_on_inferred=datetime.date(2021, 2, 1))


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feed_reads_cleanly_in_a_feed_reader(client, posts, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    assert titles == ["Inquiry opens & witnesses speak", "Undated note"]
    first = feed.entries[0]
    assert "Harbour Gazette and Valley Times, March 2 2021:… The first witness" in first.summary
    # Plain text, shown as the site shows it: a feed reader takes the summary as HTML.
    assert "spoke &lt;calmly&gt;." in first.summary
    assert first.link.endswith("/post/" + first.link.rstrip("/").rsplit("/", 1)[1] + "/")
    assert [t.term for t in first.tags] == ["Hearings"]
    assert first.published_parsed[:3] == (2021, 3, 2)


def test_rss_is_version_2_and_atom_is_atom(client, posts):
    assert feedparser.parse(client.get("/feed/").content).version == "rss20"
    assert feedparser.parse(client.get("/feed/atom/").content).version == "atom10"


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_control_characters_pasted_into_a_post_leave_the_feeds_readable(client, url):
    # A vertical tab is how a word processor's line break arrives when pasted.
    make_post(
        "Quay\x0bvote passes\x07",
        excerpt="The council voted.\x0bThe harbour board abstained.\x1f",
        tags=[make_tag("Harbour\x0cboard")],
    )

    response = client.get(url)

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = feed.entries[0]
    assert entry.title == "Quay vote passes"
    assert "The council voted. The harbour board abstained." in entry.summary
    assert [t.term for t in entry.tags] == ["Harbour board"]


def test_markup_typed_into_an_excerpt_reaches_readers_as_text(client):
    make_post("Hall meeting", excerpt="Rund 120 <kamen> & sprachen <b>laut</b> <img src=x>")
    for url in ("/feed/", "/feed/atom/"):
        summary = feedparser.parse(client.get(url).content).entries[0].summary
        assert "&lt;kamen&gt;" in summary and "&lt;b&gt;laut&lt;/b&gt;" in summary, url
        assert "<img" not in summary and "<b>" not in summary, url


def test_atom_entries_have_absolute_ids_and_the_feed_an_author(client, posts):
    feed = feedparser.parse(client.get("/feed/atom/").content)
    assert feed.feed.author == "clipdesk"  # the site's name
    ids = [entry.id for entry in feed.entries]
    assert all(i.startswith("tag:localhost,") for i in ids), ids  # the site's first host
    assert len(set(ids)) == len(ids)
    # Reached by another of its names, the site gives its entries the same ids.
    again = feedparser.parse(client.get("/feed/atom/", HTTP_HOST="127.0.0.1").content)
    assert [entry.id for entry in again.entries] == ids


def test_an_atom_entry_keeps_its_id_when_its_slug_and_date_are_corrected(client, posts):
    def ids() -> list[str]:
        return [e.id for e in feedparser.parse(client.get("/feed/atom/").content).entries]

    before = ids()
    post = Post.objects.get(headline__startswith="Inquiry")
    post.slug, post.posted_on = f"{post.slug}-corrected", post.posted_on - datetime.timedelta(1)
    post.save()
    bump_content_version()
    assert sorted(ids()) == sorted(before)


def test_an_rss_title_carries_no_markup_a_reader_would_run(client):
    """Many readers show an RSS title as HTML; a headline taken from a hostile page is text."""
    make_post("Ferry <img src=x onerror=alert(1)>fares & tolls", excerpt="Fares rose.")
    body = client.get("/feed/").content.decode()
    assert "<title>Ferry fares &amp; tolls</title>" in body
    assert "<img" not in body and "&lt;img" not in body


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_title_with_markup_keeps_its_ampersands_as_written(client, url):
    """Taking the markup out of a headline left every "&" of it as it was only when there was
    no markup: "AT&T" became "AT&T;" and a closing "Q&A" "QA"."""
    make_post("<em>Dune</em> at AT&T: the Q&A", excerpt="Fares rose.")
    titles = [entry.title for entry in feedparser.parse(client.get(url).content).entries]
    assert titles == ["Dune at AT&T: the Q&A"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_feed_with_no_post_is_dated_by_the_sites_last_change_not_by_the_clock(client, url):
    # Dated by the moment it was drawn, an empty feed changed at every request, and every
    # static export wrote it again.
    SiteProfile.load()  # made on first use, which is a change of the site
    caching._write_version_file(f"{(time.time_ns() // 10**9 - 7200) * 10**9}.00c0ffee")
    parsed = feedparser.parse(client.get(url).content)
    changed = datetime.datetime.fromtimestamp(
        caching.version_time(caching.content_version()), tz=datetime.UTC
    )
    assert parsed.entries == []
    assert parsed.feed.updated_parsed[:6] == changed.timetuple()[:6]
