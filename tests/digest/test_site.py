"""The public site as a reader meets it: pages, escaping, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clipdesk.digest.models import Post, SiteProfile
from tests.factories import make_outlet, make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    """One published post credited to three outlets, tagged, and one draft."""
    outlets = [make_outlet(n) for n in ("Harbour Gazette", "Northern Ledger", "Valley Times")]
    tag = make_tag("Hearings")
    post = make_post(
        "Harbour inquiry opens",
        posted_on=datetime.date(2021, 3, 2),
        excerpt="The inquiry heard its first witness on Tuesday.",
        credits=[
            {"outlet": o, "date": datetime.date(2021, 3, 2), "url": f"https://example.org/{i}"}
            for i, o in enumerate(outlets)
        ],
        tags=[tag],
    )
    make_post("Unfinished draft", status=Post.Status.DRAFT)
    return post


def test_front_page_shows_post_as_the_digest_writes_it(client, story):
    html = client.get("/").content.decode()
    assert "Harbour inquiry opens" in html
    assert f'href="{story.get_absolute_url()}"' in html
    assert "Posted on: <time" in html and "2021/03/02" in html
    text = " ".join(html.split())
    assert "Harbour Gazette</a>, <a" in text
    assert "Northern Ledger</a> and <a" in text
    assert "March 2 2021</time>" in text
    assert "The inquiry heard its first witness on Tuesday." in html
    assert "Unfinished draft" not in html


def test_unknown_posted_on_is_left_blank(client):
    make_post("Undated item", posted_on=None, posted_on_inferred=datetime.date(2021, 3, 1))
    html = client.get("/").content.decode()
    assert "Undated item" in html
    assert "Posted on: </p>" in html


def test_front_page_is_newest_first_and_paginated(client, settings):
    settings.DIGEST_POSTS_PER_PAGE = 3
    for day in range(1, 8):
        make_post(f"Day {day} report", posted_on=datetime.date(2021, 4, day))
    first = client.get("/").content.decode()
    assert first.index("Day 7 report") < first.index("Day 6 report")
    assert "Day 4 report" not in first
    oldest = client.get("/?page=1").content.decode()  # page numbers count from the oldest
    assert "Day 1 report" in oldest and "Day 4 report" not in oldest
    assert client.get("/?page=9").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_list_pages_use_a_fixed_number_of_queries(client, story):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ("/", "/archive/2021/03/", "/tag/hearings/", "/outlet/valley-times/", "/?page=1")
    SiteProfile.load()  # the first request of an instance creates the profile row
    before = {url: count(url) for url in urls}
    outlets = [make_outlet(f"Extra {i}") for i in range(5)]
    for i in range(10):
        make_post(
            f"More {i}",
            posted_on=datetime.date(2021, 3, 3),
            credits=[{"outlet": o} for o in outlets],
            tags=list(story.tags.all()),
        )
    after = {url: count(url) for url in urls}
    assert after == before
    assert max(after.values()) <= 7


def test_post_page_links_each_credited_source(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    for i in range(3):
        assert f'href="https://example.org/{i}"' in html
    assert 'href="/tag/hearings/"' in html
    assert 'href="/archive/2021/03/"' in html


def test_draft_post_page_is_not_found(client):
    draft = make_post("Hidden", status=Post.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_month_archive_lists_only_that_month(client, story):
    make_post("April item", posted_on=datetime.date(2021, 4, 9))
    html = client.get("/archive/2021/03/").content.decode()
    assert "Harbour inquiry opens" in html and "April item" not in html
    assert client.get("/archive/2021/13/").status_code == 404
    assert client.get("/archive/2021/05/").status_code == 404  # a month without posts
    assert client.get("/archive/9999/01/").status_code == 404
    assert client.get("/archive/9999/12/").status_code == 404  # the last month there is
    assert client.get("/archive/2021/3/").status_code == 404
    assert "March 2021" in client.get("/archive/").content.decode()


def test_a_year_page_lists_its_months_and_the_archive_groups_them_by_year(client, story):
    make_post("April item", posted_on=datetime.date(2021, 4, 9))
    make_post("Old item", posted_on=datetime.date(2019, 7, 1))
    make_post("Draft item", posted_on=datetime.date(2018, 7, 1), status=Post.Status.DRAFT)
    year = client.get("/archive/2021/").content.decode()
    assert "Posts of 2021" in year
    assert year.index("/archive/2021/04/") < year.index("/archive/2021/03/")
    assert "/archive/2019/07/" not in year
    assert client.get("/archive/2020/").status_code == 404  # no posts that year
    assert client.get("/archive/2018/").status_code == 404  # a draft only
    index = client.get("/archive/").content.decode()
    assert index.index('href="/archive/2021/"') < index.index('href="/archive/2019/"')
    sitemap = client.get("/sitemap-pages.xml").content.decode()
    assert "/archive/2021/</loc>" in sitemap and "/archive/2019/</loc>" in sitemap


def test_a_post_of_the_last_month_there_is_is_listed(client):
    make_post("Far ahead", posted_on=datetime.date(9999, 12, 20))
    assert "Far ahead" in client.get("/archive/9999/12/").content.decode()


def test_a_changed_posted_on_files_the_post_under_its_new_month(client, story):
    story.posted_on = datetime.date(2019, 1, 10)
    story.save(update_fields=["posted_on"])
    story.refresh_from_db()
    assert story.posted_on_inferred == datetime.date(2019, 1, 10)
    assert "Harbour inquiry opens" in client.get("/archive/2019/01/").content.decode()
    assert client.get("/archive/2021/03/").status_code == 404


def test_an_undated_post_keeps_the_day_it_is_filed_under(client):
    post = make_post("Undated", posted_on=None, posted_on_inferred=datetime.date(2018, 5, 1))
    post.save()
    post.refresh_from_db()
    assert post.posted_on_inferred == datetime.date(2018, 5, 1)


def test_archive_index_lists_each_month_once_newest_first(client):
    for day in (datetime.date(2020, 12, 31), datetime.date(2021, 2, 1), datetime.date(2021, 2, 28)):
        make_post(f"Item of {day}", posted_on=day)
    make_post("Draft of March", posted_on=datetime.date(2021, 3, 5), status=Post.Status.DRAFT)
    months = [datetime.date(2021, 2, 1), datetime.date(2020, 12, 1)]
    assert Post.objects.published().months() == months
    # A query already bounded by the stand-in date takes the ORM's path: the same answer.
    bounded = Post.objects.published().filter(posted_on_inferred__lt=datetime.date(9999, 12, 31))
    assert bounded.months() == months
    assert Post.objects.filter(status="no such status").months() == []
    html = client.get("/archive/").content.decode()
    assert html.index("February 2021") < html.index("December 2020")
    assert "March 2021" not in html


def test_tag_and_outlet_pages_list_their_posts(client, story):
    assert "Harbour inquiry opens" in client.get("/tag/hearings/").content.decode()
    outlet_page = client.get("/outlet/valley-times/").content.decode()
    assert "Harbour inquiry opens" in outlet_page
    assert client.get("/outlet/no-such-outlet/").status_code == 404


def test_about_page_shows_the_aims(client):
    profile = SiteProfile.load()
    profile.name, profile.about = "Open Shore Watch", "We follow the press.\n\nAnd we say so."
    profile.save()
    html = client.get("/about/").content.decode()
    assert "We follow the press." in html and "<p>And we say so.</p>" in html


def test_every_field_is_escaped(client):
    make_post(
        "<script>alert(1)</script> headline",
        excerpt="<img src=x onerror=alert(2)>",
        credits=[{"author": "<b>Bold</b>", "outlet": make_outlet("<i>Out</i>", slug="out")}],
    )
    html = client.get("/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "<b>Bold</b>" not in html and "<i>Out</i>" not in html


def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_robots_txt_points_at_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_sitemap_lists_public_urls_only(client, story):
    index = client.get("/sitemap.xml").content.decode()
    sections = [part.split("</loc>")[0] for part in index.split("<loc>")[1:]]
    assert "<sitemapindex" in index and len(sections) == 4
    body = "".join(client.get(url).content.decode() for url in sections)
    for path in ("/", "/about/", story.get_absolute_url(), "/archive/2021/03/", "/tag/hearings/"):
        assert f"<loc>http://testserver{path}</loc>" in body
    assert "/outlet/harbour-gazette/" in body
    assert "unfinished-draft" not in body


def test_pages_answer_conditional_requests_with_304(client, story):
    first = client.get("/")
    assert first.has_header("ETag")
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_post_sitemap_paths_are_its_locations():
    from clipdesk.digest.sitemaps import PostSitemap

    for i in range(3):
        make_post(f"Listed {i}")
    make_post("Draft", status=Post.Status.DRAFT)
    sitemap = PostSitemap()
    locations = [sitemap.location(item) for item in sitemap.items()]
    assert list(sitemap.paths()) == locations and len(locations) == 3


@pytest.mark.django_db
def test_the_site_icon_is_linked_and_favicon_ico_leads_to_it(client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/digest/icon.svg">' in page
    asked = client.get("/favicon.ico")  # what browsers and crawlers ask for regardless
    assert asked.status_code == 301
    assert asked["Location"] == "/static/digest/icon.svg"
    icon = client.get(asked["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def test_tag_and_outlet_pages_without_a_published_post_are_not_found(client):
    tag, outlet = make_tag("Quayside"), make_outlet("Copperline Bulletin")
    make_post(
        "A draft about the quay",
        status=Post.Status.DRAFT,
        tags=[tag],
        credits=[{"outlet": outlet, "date": datetime.date(2021, 3, 1)}],
    )
    assert client.get(f"/tag/{tag.slug}/").status_code == 404
    assert client.get(f"/outlet/{outlet.slug}/").status_code == 404
    make_post("The quay in print", tags=[tag], credits=[{"outlet": outlet}])
    assert client.get(f"/tag/{tag.slug}/").status_code == 200
    assert client.get(f"/outlet/{outlet.slug}/").status_code == 200


def test_every_page_links_to_search(client, story):
    for path in ("/", "/about/", "/archive/"):
        assert '<a href="/search/">Search</a>' in client.get(path).content.decode(), path


def test_a_changed_slug_sends_its_old_address_on_to_the_post(client, story):
    old = story.get_absolute_url()
    story = Post.objects.get(pk=story.pk)
    story.slug = "harbour-inquiry-begins"
    story.save()

    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == "/post/harbour-inquiry-begins/"
    assert client.get("/post/harbour-inquiry-begins/").status_code == 200

    other = make_post("Another post", slug="other-post")
    other = Post.objects.get(pk=other.pk)
    other.slug = old.strip("/").split("/")[-1]  # the old address taken by another post
    other.save()
    assert "Another post" in client.get(old).content.decode()
    Post.objects.filter(pk=other.pk).update(status=Post.Status.DRAFT)
    assert client.get("/post/other-post/").status_code == 404  # its own old slug: a draft's


def test_a_persian_post_opening_with_a_latin_acronym_is_laid_out_right_to_left(client):
    persian = make_post(
        "TVA در ویندل نمایشگاه تازه‌ای گشود",
        excerpt="نمایشگاه عکس‌های بندر از شنبه تا پایان ماه در تالار شهر برپاست.",
    )
    english = make_post("UN panel meets in Tirana", excerpt="The panel met on Monday.")
    front = client.get("/").content.decode()

    def article_of(post) -> str:
        before = front[: front.index(f'<a href="{post.get_absolute_url()}"')]
        return before[before.rindex("<article") :].split(">", 1)[0]

    assert article_of(persian) == '<article class="post" dir="rtl"'
    assert article_of(english) == '<article class="post" dir="auto"'
    page = client.get(persian.get_absolute_url()).content.decode()
    assert '<article class="post post-full" dir="rtl">' in page
