"""List pages numbered from the oldest post: what each page holds, and what a new post moves."""

from __future__ import annotations

import datetime
import re

import pytest

from clipdesk.digest.models import Post
from clipdesk.digest.sitemaps import PostSitemap
from tests.factories import make_post, make_tag

pytestmark = pytest.mark.django_db


def headlines(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r'<h2 class="post-headline"><a [^>]*>([^<]*)</a>', response.text)


def links(client, url: str) -> dict[str, str]:
    """The pagination's links by their text: "Older posts", "Newer posts", "Latest posts"."""
    nav = client.get(url).text.partition('<nav class="pagination"')[2].partition("</nav>")[0]
    found = re.findall(r'<a (?:rel="\w+" )?href="([^"]*)">(?:← )?([A-Z][a-z]+ posts)', nav)
    return {text: href for href, text in found}


@pytest.fixture
def seven_days(settings) -> list[Post]:
    """Seven posts, a day apart, three to a page: pages 1 and 2 full, page 3 holds one."""
    settings.DIGEST_POSTS_PER_PAGE = 3
    tag = make_tag("Hearings")
    return [
        make_post(f"Day {day}", posted_on=datetime.date(2021, 4, day), tags=[tag])
        for day in range(1, 8)
    ]


def test_page_n_holds_the_nth_oldest_posts_newest_first(client, seven_days):
    assert headlines(client, "/?page=1") == ["Day 3", "Day 2", "Day 1"]
    assert headlines(client, "/?page=2") == ["Day 6", "Day 5", "Day 4"]
    assert headlines(client, "/?page=3") == ["Day 7"]
    assert headlines(client, "/") == ["Day 7", "Day 6", "Day 5"]  # the newest, unnumbered
    assert headlines(client, "/tag/hearings/?page=1") == ["Day 3", "Day 2", "Day 1"]
    assert headlines(client, "/archive/2021/04/?page=3") == ["Day 7"]
    for bad in ("4", "0", "-1", "abc", "1.0", "²", "1" * 5000):  # int() refuses 4,300 digits
        assert client.get(f"/?page={bad}").status_code == 404, bad
    assert headlines(client, "/?page=") == headlines(client, "/")


def test_the_front_page_links_to_the_newest_page_of_older_posts(client, seven_days):
    # The front page shows days 7 to 5; page 2 (days 6 to 4) is the newest holding older ones.
    assert links(client, "/") == {"Older posts": "?page=2"}
    assert links(client, "/?page=3") == {"Latest posts": "/", "Older posts": "?page=2"}
    assert links(client, "/?page=2") == {"Newer posts": "?page=3", "Older posts": "?page=1"}
    assert links(client, "/?page=1") == {"Newer posts": "?page=2"}
    assert links(client, "/tag/hearings/?page=3")["Latest posts"] == "/tag/hearings/"
    assert "Page 2<" in client.get("/?page=2").text and " of " not in client.get("/?page=2").text


def test_a_full_last_page_is_not_shown_twice(client, seven_days):
    Post.objects.filter(pk=seven_days[-1].pk).update(status=Post.Status.DRAFT)
    assert headlines(client, "/") == headlines(client, "/?page=2") == ["Day 6", "Day 5", "Day 4"]
    assert links(client, "/") == {"Older posts": "?page=1"}


def test_a_short_list_has_no_pagination(client, settings):
    settings.DIGEST_POSTS_PER_PAGE = 3
    make_post("Only one", posted_on=datetime.date(2021, 4, 1))
    assert links(client, "/") == {}
    assert headlines(client, "/?page=1") == ["Only one"]
    assert client.get("/?page=2").status_code == 404


def pages(client, count: int) -> dict[str, str]:
    urls = ["/", *(f"/?page={n}" for n in range(1, count + 1))]
    return {url: client.get(url).text for url in urls}


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {url for url in before.keys() | after.keys() if before.get(url) != after.get(url)}


def test_a_new_post_changes_only_the_front_page_and_the_last_page(client, seven_days):
    before = pages(client, 3)
    make_post("Day 8", posted_on=datetime.date(2021, 4, 8))
    after = pages(client, 3)
    assert changed(before, after) == {"/", "/?page=3"}
    assert headlines(client, "/?page=3") == ["Day 8", "Day 7"]

    make_post("Day 9", posted_on=datetime.date(2021, 4, 9))
    before, after = after, pages(client, 4)
    # Page 3 is full now; page 4 does not exist yet.
    assert changed(before, after) == {"/", "/?page=3", "/?page=4"}
    assert client.get("/?page=4").status_code == 404

    make_post("Day 10", posted_on=datetime.date(2021, 4, 10))
    before, after = after, pages(client, 4)
    # A new page opens: the full page 3 gains its "newer" link, nothing else on it changes.
    assert changed(before, after) == {"/", "/?page=3", "/?page=4"}
    assert headlines(client, "/?page=4") == ["Day 10"]
    assert links(client, "/?page=3")["Newer posts"] == "?page=4"
    assert headlines(client, "/?page=3") == ["Day 9", "Day 8", "Day 7"]


def test_month_archives_end_at_the_end_of_december(client):
    make_post("Year end", posted_on=datetime.date(2021, 12, 31))
    make_post("Year start", posted_on=datetime.date(2022, 1, 1))
    make_post("November", posted_on=datetime.date(2021, 11, 30))
    assert headlines(client, "/archive/2021/12/") == ["Year end"]
    assert headlines(client, "/archive/2022/01/") == ["Year start"]


def sitemap_locs(client, url: str) -> list[str]:
    body = client.get(url).content.decode()
    return [part.split("</loc>")[0] for part in body.split("<loc>")[1:]]


def test_sitemap_index_lists_chunks_oldest_posts_first(client, monkeypatch):
    monkeypatch.setattr(PostSitemap, "limit", 2)
    posts = [make_post(f"Item {i}", posted_on=datetime.date(2021, 5, 9 - i)) for i in range(5)]
    index = sitemap_locs(client, "/sitemap.xml")
    chunks = [loc for loc in index if "sitemap-posts" in loc]
    assert chunks == [
        "http://testserver/sitemap-posts.xml",
        "http://testserver/sitemap-posts.xml?p=2",
        "http://testserver/sitemap-posts.xml?p=3",
    ]
    # By id, whatever the posts' dates: a new post lands in the last chunk.
    first = sitemap_locs(client, chunks[0])
    assert first == [f"http://testserver{p.get_absolute_url()}" for p in posts[:2]]
    before = {url: client.get(url).content for url in chunks}
    late = make_post("Late item", posted_on=datetime.date(2019, 1, 1))
    after = {url: client.get(url).content for url in chunks}
    assert changed(before, after) == {chunks[2]}
    assert f"http://testserver{late.get_absolute_url()}" in sitemap_locs(client, chunks[2])
    assert client.get("/sitemap-nothing.xml").status_code == 404
