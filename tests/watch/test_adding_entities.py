"""`watch add` tells the editor what it did: extended an entity already watched, or gave an
alias that another entity goes by too."""

import io

import pytest
from django.core.management import call_command

from clipdesk.watch.models import Entity

pytestmark = pytest.mark.django_db


def watch_add(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("watch", "add", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_adding_to_an_entity_already_watched_says_so():
    first, _ = watch_add("Harbour Council", "--alias=HC")
    again, _ = watch_add("harbour council", "--alias=Quay Council")

    assert "already watched" not in first
    assert "Watching Harbour Council (HC, Quay Council) (already watched" in again
    assert Entity.objects.count() == 1


def test_an_alias_another_entity_goes_by_is_warned_of():
    watch_add("Ministry of Finance", "--alias=MoF")
    _, err = watch_add("Treasury Department", "--alias=mof", "--alias=Treasury")

    assert "Ministry of Finance also goes by 'mof': an article naming it matches both" in err
    assert "Treasury'" not in err


def test_an_entity_named_as_another_entitys_alias_is_warned_of():
    watch_add("Lantern Fellowship", "--alias=The Fellowship")
    _, err = watch_add("The Fellowship")

    assert "Lantern Fellowship also goes by 'The Fellowship'" in err
