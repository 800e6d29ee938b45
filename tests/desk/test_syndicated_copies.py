"""A wire story carried word for word by several outlets: its text is stored once, and every
outlet that carried it can be credited in the post, from the desk."""

from __future__ import annotations

import pytest

from clipdesk.articles.models import Article, EntryAddress
from clipdesk.digest.credits import source_line
from clipdesk.digest.models import Post
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.stories.models import Story
from clipdesk.watch.store import add_entity
from tests.ingest.test_poll_failures import feed

pytestmark = pytest.mark.django_db(transaction=True)

HTML = {"Content-Type": "text/html; charset=utf-8"}
QUOTE = "members of the MEK exile group would be allowed to hold a memorial gathering"


def wire_page(outlet: str, author: str) -> bytes:
    """The same wire text under each outlet's own name, byline and template."""
    return f"""<!doctype html><html lang="en"><head><title>Quay permit | {outlet}</title>
<meta property="og:site_name" content="{outlet}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="2025-03-04T09:00:00Z"></head>
<body><header><a href="/">{outlet}</a></header><article><h1>Exile group gets quay permit</h1>
<p>The harbour authority of Port Calder said on Monday that {QUOTE} on the quay next month.</p>
<p>The permit covers a single afternoon, and the organisers agreed to keep the fish market
open throughout, the authority's spokesperson said in a statement to reporters.</p>
<p>Residents' groups said they had not been consulted and asked for a public hearing before
any further permits are granted by the harbour board this spring.</p>
</article></body></html>""".encode()


def carried_by(server, outlet: str, author: str) -> str:
    slug = outlet.lower().replace(" ", "-")
    page = server.route(f"/{slug}/quay-permit.html", wire_page(outlet, author), headers=HTML)
    add_source(server.route(f"/{slug}/feed.xml", feed(page)), kind="feed", name=outlet)
    return page


def publish_story_with(client, story, copies: list[int]) -> None:
    """The desk's Publish, for the stored article and the chosen copies of it."""
    client.post(
        f"/desk/story/{story.pk}/publish/",
        {
            "article": [Article.objects.get().pk],
            "copy": copies,
            "headline": "Quay permit",
            "excerpt": QUOTE,
        },
    )


@pytest.fixture
def carried(server, client, editor):
    add_entity("Mojahedin-e Khalq", ["MEK"])
    first = carried_by(server, "Harbour Gazette", "Ana Ferreira")
    copy = carried_by(server, "Western Daily", "Tom Ashby")
    poll_sources(due_only=False)
    client.force_login(editor)
    return first, copy


def test_the_copy_is_stored_once_and_keeps_its_own_credit(carried):
    first, copy = carried
    article = Article.objects.get()
    assert article.url == first and article.outlet.name == "Harbour Gazette"
    kept = EntryAddress.objects.get(url=copy)
    assert kept.article == article and kept.is_copy
    assert (kept.outlet.name, kept.authors) == ("Western Daily", ["Tom Ashby"])
    assert kept.published is not None and kept.snapshot is not None


def test_the_desk_credits_every_outlet_that_carried_it(carried, client):
    first, copy = carried
    story = Story.objects.get()
    html = client.get("/desk/").content.decode()
    kept = EntryAddress.objects.get(url=copy)
    assert "the same text at" in html and "Western Daily" in html
    assert f'name="copy" value="{kept.pk}" checked' in html

    publish_story_with(client, story, [kept.pk])

    post = Post.objects.get()
    line = source_line(post.credits.select_related("outlet"))
    assert line == (
        "Ana Ferreira, Harbour Gazette, March 4 2025; Tom Ashby, Western Daily, March 4 2025"
    )
    assert [c.url for c in post.credits.order_by("position")] == [first, copy]


def test_a_copy_after_publishing_brings_the_story_back(carried, client, server):
    story = Story.objects.get()
    publish_story_with(client, story, [])
    story.refresh_from_db()
    assert story not in Story.objects.on_desk()

    late = carried_by(server, "Coast Radio", "Mia Lund")
    poll_sources(due_only=False)

    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story in Story.objects.on_desk()
    html = client.get("/desk/").content.decode()
    assert "1 new article since" in html and "Coast Radio" in html
    kept = EntryAddress.objects.get(url=late)
    client.post(f"/desk/story/{story.pk}/add-to-post/", {"copy": [kept.pk]})
    post = Post.objects.get()
    assert "Coast Radio" in source_line(post.credits.select_related("outlet"))
    assert Article.objects.count() == 1


def test_a_second_address_of_a_credited_copy_brings_nothing_back(carried, client, server):
    _first, copy = carried
    story = Story.objects.get()
    kept = EntryAddress.objects.get(url=copy)
    publish_story_with(client, story, [kept.pk])
    again = server.route(
        "/western-daily/amp/quay-permit.html", wire_page("Western Daily", "Tom Ashby"), headers=HTML
    )
    add_source(
        server.route("/western-daily/amp.xml", feed(again)), kind="feed", name="Western Daily"
    )
    poll_sources(due_only=False)

    story.refresh_from_db()
    assert EntryAddress.objects.filter(url=again).exists()
    assert story not in Story.objects.on_desk()


def test_copies_the_desk_does_not_show_are_not_credited(carried, client, server):
    first, copy = carried
    story = Story.objects.get()
    again = server.route(
        "/western-daily/amp/quay-permit.html", wire_page("Western Daily", "Tom Ashby"), headers=HTML
    )
    own = server.route(
        "/harbour-gazette/print/quay-permit.html",
        wire_page("Harbour Gazette", "Ana Ferreira"),
        headers=HTML,
    )
    add_source(server.route("/more.xml", feed(again, own)), kind="feed", name="Western Daily")
    poll_sources(due_only=False)
    hidden = list(EntryAddress.objects.filter(url__in=[again, own]).values_list("pk", flat=True))
    assert len(hidden) == 2
    shown = EntryAddress.objects.get(url=copy)

    publish_story_with(client, story, [shown.pk, *hidden])

    assert [c.url for c in Post.objects.get().credits.order_by("position")] == [first, copy]
