"""A one-letter alias is allowed, but whoever adds it hears that it matches initials too."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clipdesk.watch.matching import Matcher, too_short
from clipdesk.watch.models import Entity, Watchlist


def test_one_letter_is_flagged_and_longer_aliases_are_not():
    assert "one letter" in too_short("M")
    assert "one letter" in too_short("M.")
    for alias in ["MEK", "M.E.K.", "Mojahedin-e Khalq", "42", "", "مجاهدین"]:
        assert too_short(alias) is None
    # What the warning says it will do, it does.
    matcher = Matcher.build({"Lantern Fellowship": ["L"]})
    assert [m.matched_text for m in matcher.find(text="Signed, Jane L. Doe")] == ["L"]


@pytest.mark.parametrize("alias", ["X1", "B-2", "F 16"])
def test_one_letter_with_a_number_is_not_flagged_for_it_is_never_matched_alone(alias):
    """The warning said "X1" matched every "X" standing alone; it matches only itself."""
    assert too_short(alias) is None
    matcher = Matcher.build({"Unit": [alias]})
    found = matcher.find(text=f"The {alias[0]} said so, and {alias} too.")
    assert [m.matched_text for m in found] == [alias]
    assert not matcher.find(text=f"Signed, Jane {alias[0]}. Doe")


@pytest.mark.django_db
def test_watch_add_warns_of_a_one_letter_alias_and_still_adds_it():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "watch", "add", "Lantern Fellowship", "--alias=LF", "--alias=L", stdout=out, stderr=err
    )

    assert "Watching Lantern Fellowship" in out.getvalue()
    assert "'L' is one letter" in err.getvalue()
    assert "'LF'" not in err.getvalue()
    assert sorted(Entity.objects.get().aliases.values_list("text", flat=True)) == ["L", "LF"]

    err = io.StringIO()
    call_command("watch", "add", "Harbour Council", "--alias=HC", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""


@pytest.mark.django_db
def test_the_admin_warns_of_a_one_letter_alias_on_save(admin_client):
    watchlist = Watchlist.objects.create(name="default")
    data = entity_form("Lantern Fellowship", watchlist, ["LF", "L"])
    page = admin_client.post("/admin/watch/entity/add/", data, follow=True)

    assert page.status_code == 200
    assert Entity.objects.get().aliases.count() == 2
    assert "is one letter" in page.content.decode()
    said = page.content.decode()
    assert "follow the changed names once the watchlists are" in said  # what to do next
    assert 'href="/admin/watch/entity/rematch/"' in said


@pytest.mark.django_db
def test_an_alias_row_sent_twice_is_a_form_error_not_a_server_error(admin_client):
    watchlist = Watchlist.objects.create(name="default")
    entity = Entity.objects.create(name="Lantern Fellowship", watchlist=watchlist)
    data = entity_form("Lantern Fellowship", watchlist, ["Lantern Brotherhood"], entity=entity)
    url = f"/admin/watch/entity/{entity.pk}/change/"
    assert admin_client.post(url, data).status_code == 302

    again = admin_client.post(url, data)  # a double click, or an old tab

    assert again.status_code == 200
    assert "already exists" in again.content.decode()
    assert list(entity.aliases.values_list("text", flat=True)) == ["Lantern Brotherhood"]


@pytest.mark.django_db
@pytest.mark.parametrize("alias", ["2011", "---", "..."])
def test_an_alias_without_letters_is_refused_as_never_matched(alias):
    with pytest.raises(CommandError, match="has no letters: it is no name, and is never matched"):
        call_command("watch", "add", "Harbour Board", f"--alias={alias}", stdout=io.StringIO())
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_an_alias_without_letters(admin_client):
    watchlist = Watchlist.objects.create(name="default")
    data = entity_form("Harbour Board", watchlist, ["2011"])
    page = admin_client.post("/admin/watch/entity/add/", data)

    assert page.status_code == 200
    assert "has no letters: it is no name, and is never matched" in page.content.decode()
    assert not Entity.objects.exists()


def entity_form(name: str, watchlist, aliases: list[str], entity=None) -> dict:
    """The admin's entity form as sent, with a row for each new alias."""
    data = {
        "name": name,
        "watchlist": watchlist.pk,
        "aliases-TOTAL_FORMS": str(len(aliases)),
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
    }
    for index, alias in enumerate(aliases):
        data[f"aliases-{index}-text"] = alias
        if entity is not None:
            data[f"aliases-{index}-entity"] = entity.pk
    return data
