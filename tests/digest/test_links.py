"""Cached and filled-in addresses are what reverse() gives."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from clipdesk.digest.links import SLUG_ROUTES, site_links, slug_addresses, url


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("name", sorted(SLUG_ROUTES))
@pytest.mark.parametrize("slug", ["a", "report-12", "Upper_Case-9", "clipdesk-stand-in-slug-2"])
def test_slug_routes_match_reverse(name, slug, prefix):
    assert url(name, slug) == reverse(name, args=[slug])
    prefix("/watch/")
    assert url(name, slug) == reverse(name, args=[slug])
    assert url(name, slug).startswith("/watch/")


def test_other_routes_and_arguments_go_through_reverse(prefix):
    assert url("digest:archive_month", 2021, 3) == reverse("digest:archive_month", args=[2021, 3])
    with pytest.raises(NoReverseMatch):
        url("digest:post", "not a slug")
    prefix("/watch/")
    assert site_links().front == "/watch/"


def test_slug_addresses_are_url_for_each_slug(prefix):
    prefix("/watch/")
    post_address = slug_addresses("digest:post")
    for slug in ("a", "report-12", "Upper_Case-9"):
        assert post_address(slug) == reverse("digest:post", args=[slug])
    with pytest.raises(NoReverseMatch):
        post_address("not a slug")
    with pytest.raises(ValueError):
        slug_addresses("digest:archive_month")
