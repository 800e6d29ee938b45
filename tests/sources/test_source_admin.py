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
