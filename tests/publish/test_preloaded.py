"""A full export renders post and list pages from memory: byte for byte the views' pages."""

from __future__ import annotations

import datetime

import pytest

from clipdesk.digest.models import Post, SiteProfile
from clipdesk.digest.sitemaps import PostSitemap
from clipdesk.publish.plan import full_plan
from clipdesk.publish.preloaded import PreloadedArchive
from clipdesk.publish.rendering import Addresses, Renderer
from tests.factories import make_outlet, make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(settings) -> list[Post]:
    """Twenty-three posts of every shape the source line knows, over three months."""
    settings.DIGEST_POSTS_PER_PAGE = 4
    SiteProfile.objects.update_or_create(
        id=1, defaults={"name": "Quay & Canal Watch", "tagline": "Press on the “quays”"}
    )
    tags = [make_tag(name) for name in ("Hearings", "Licences", "Ávila visit")]
    outlets = [make_outlet(name) for name in ("Valley Times", "O'Neill's Ledger", "Der Kurier")]
    outlets[0].homepage = "https://valley.example/"
    outlets[0].save()
    posts = []
    for i in range(23):
        day = datetime.date(2021, 3 + i // 9, 1 + i % 9)
        credits = [{"outlet": outlets[i % 3], "date": day, "url": f"https://news.example/{i}"}]
        if i % 4 == 0:  # a second outlet on the same day: one group, "A and B"
            credits.append({"outlet": outlets[(i + 1) % 3], "date": day})
        if i % 5 == 0:  # an author stands alone; a place; no outlet at all
            credits.append({"author": "Mina <Rahimi>", "outlet": outlets[2], "date": day})
            credits.append({"place": "Tirana", "date": None})
        posts.append(
            make_post(
                f"Report {i}: “quotes” & <angles>",
                posted_on=None if i == 7 else day,
                posted_on_inferred=day,
                credits=credits,
                tags=tags[: i % 4],
                excerpt="" if i == 3 else f"What was said, {i} times over.",
                body='<p>See <a href="/tag/hearings/?page=1">earlier</a>.</p>' if i % 6 else "",
            )
        )
    make_post("Draft", status=Post.Status.DRAFT, tags=tags[:1])
    return posts


@pytest.mark.parametrize("base_url", ["http://127.0.0.1/", "https://example.org/digest/"])
def test_every_post_and_list_page_is_the_views_page(archive, settings, monkeypatch, base_url):
    """Rendered from memory with the copy's addresses, or by the view and then rewritten."""
    monkeypatch.setattr(PostSitemap, "limit", 10)  # 23 posts: chunks of 10, 10 and 3
    addresses = Addresses(base_url)
    through_views = Renderer(addresses)
    from_memory = Renderer(addresses, PreloadedArchive(addresses))
    pages = full_plan("test", settings.DIGEST_POSTS_PER_PAGE).plan.pages
    preloaded = from_memory.preloaded
    compared = 0
    for path, number in dict.fromkeys(pages):
        if preloaded.render(path, number) is None:
            continue
        assert from_memory.render(path, number) == through_views.render(path, number), path
        compared += 1
    posts, months, tags, outlets, chunks = 23, 3, 3, 3, 3
    # Every post page, every page of every list (front page: 6 numbered + its own), and
    # every chunk of the posts' sitemap.
    assert compared >= posts + (6 + 1) + months * 2 + tags + outlets + chunks
    assert preloaded.render(archive[0].get_absolute_url(), None) is not None
    sitemap = preloaded.post_sitemap
    assert [preloaded.render(sitemap, n) is not None for n in (None, 2, 3, 4)] == [
        True,
        True,
        True,
        False,  # past the last chunk: left to the view, which answers 404
    ]
    assert preloaded.render(sitemap, 3).count("<url>") == 3


def test_pages_it_does_not_know_are_left_to_the_views(archive):
    preloaded = PreloadedArchive(Addresses("http://127.0.0.1/"))
    assert preloaded.render("/about/", None) is None
    assert preloaded.render("/post/no-such-post/", None) is None
    assert preloaded.render("/", 99) is None  # no such page: the view answers 404
    assert preloaded.render("/tag/no-such-tag/", None) is None
