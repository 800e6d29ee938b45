"""Adding a source by hand: the address as pasted is taken, and found again however written."""

from __future__ import annotations

import pytest

from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source

pytestmark = pytest.mark.django_db


def test_an_address_in_capitals_with_spaces_around_is_taken_in_its_plain_form():
    added = add_source("  HTTPS://Harbour.Example/News/Feed.xml?Lang=EN \n", kind="feed")
    assert added.created
    assert added.source.url == "https://harbour.example/News/Feed.xml?Lang=EN"

    again = add_source("https://HARBOUR.example/News/Feed.xml?Lang=EN", kind="feed")
    assert not again.created and again.source.pk == added.source.pk
    assert Source.objects.count() == 1


def test_a_password_in_the_address_keeps_its_case():
    added = add_source("Http://Reader:PassWord@harbour.example/feed", kind="feed")
    assert added.source.url == "http://Reader:PassWord@harbour.example/feed"
