"""The admin keeps sources to addresses the poller can fetch."""

from __future__ import annotations

import pytest

from clipdesk.sources.models import Source


def source_form(url: str) -> dict:
    return {
        "url": url,
        "name": "",
        "kind": "feed",
        "enabled": "on",
        "next_check_at_0": "2026-01-01",
        "next_check_at_1": "00:00:00",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://files.example.org/feed.xml", "ftps://files.example.org/f"])
def test_an_address_the_poller_would_not_fetch_is_refused(admin_client, url):
    page = admin_client.post("/admin/sources/source/add/", source_form(url))

    assert page.status_code == 200
    assert "An http or https address." in page.context["adminform"].form.errors["url"]
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_an_http_address_is_kept(admin_client):
    page = admin_client.post(
        "/admin/sources/source/add/", source_form("https://news.example.org/feed.xml"), follow=True
    )

    assert page.status_code == 200
    assert Source.objects.get().url == "https://news.example.org/feed.xml"


def test_the_list_shows_what_was_wrong_with_a_source_read_all_the_same(admin_client):
    Source.objects.create(
        url="https://quay.example/feed.xml",
        problems=["not well-formed XML, read as far as it went"],
    )
    page = admin_client.get("/admin/sources/source/")
    assert "not well-formed XML, read as far as it went" in page.content.decode()


def test_a_second_tag_or_outlet_of_one_name_is_refused_in_words(admin_client):
    from tests.factories import make_outlet, make_tag

    make_tag("Foo")
    make_outlet("Valley Times")
    tag = admin_client.post("/admin/digest/tag/add/", {"name": "foo", "slug": "foo-2"})
    assert "A tag of this name exists already" in tag.content.decode()
    outlet = admin_client.post(
        "/admin/digest/outlet/add/",
        {"name": "valley times", "slug": "valley-times-2", "aliases": "[]", "homepage": ""},
    )
    assert "An outlet of this name exists already" in outlet.content.decode()


def test_the_list_shows_where_a_permanent_redirect_moved_a_source(admin_client):
    note = "https://quay.example/rss.php moved permanently to https://quay.example/feed.xml"
    source = Source.objects.create(url="https://quay.example/feed.xml", moved_note=note)
    assert note in admin_client.get("/admin/sources/source/").content.decode()
    page = admin_client.get(f"/admin/sources/source/{source.pk}/change/")
    assert note in page.content.decode()
