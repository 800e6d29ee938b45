"""Tags and slugs for names in any script: one tag per name, an address for every name."""

import re

import pytest

from clipdesk.digest.actions import tag_named
from clipdesk.digest.models import Outlet, Post, Tag
from clipdesk.digest.outlets import free_slug
from tests.factories import make_post

ADDRESS = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.mark.django_db
def test_names_without_latin_letters_are_tags_of_their_own():
    # Each of these used to fall on the one slug "tag", so every one after the first was
    # filed under the first.
    names = ["آزادی بیان", "سانسور", "Цензура", "新闻自由"]
    tags = [tag_named(name) for name in names]

    assert [t.name for t in tags] == names
    assert len({t.pk for t in tags}) == len(names)
    assert all(ADDRESS.match(t.slug) and t.slug != "tag" for t in tags)


@pytest.mark.django_db
def test_the_same_name_again_is_the_same_tag_whatever_its_case_or_word_break():
    first = tag_named("آزادی بیان")
    # A zero-width non-joiner where the first had a space; Cyrillic in another case.
    assert tag_named("آزادی\u200cبیان") == first
    assert tag_named("Цензура") == tag_named("цензура")
    assert Tag.objects.count() == 2


@pytest.mark.django_db
def test_a_renamed_tag_is_found_by_its_new_name_only():
    tag = tag_named("سانسور")
    tag.name = "آزادی بیان"
    tag.save(update_fields=["name"])  # as the admin saves a changed field

    assert tag_named("آزادی\u200cبیان") == tag
    assert tag_named("سانسور") != tag  # the old name is free for a tag of its own
    assert Tag.objects.count() == 2


@pytest.mark.django_db
def test_latin_names_are_still_one_tag_when_their_slugs_are():
    assert tag_named("Human rights") == tag_named("human-rights") == tag_named(" HUMAN RIGHTS ")
    assert Tag.objects.get().slug == "human-rights"


@pytest.mark.django_db
def test_a_tag_whose_slug_an_editor_changed_is_still_the_tag_of_its_name():
    tag = Tag.objects.create(name="Levy", slug="harbour-levy")
    assert tag_named("Levy") == tag_named("levy") == tag
    assert Tag.objects.count() == 1


@pytest.mark.django_db
def test_headlines_and_outlets_in_other_scripts_get_addresses_from_their_words():
    headline = "خانواده‌ها خواستار دیدار شدند"
    first = free_slug(Post, headline)
    make_post(headline, slug=first)
    second = free_slug(Post, headline)

    assert ADDRESS.match(first) and not first.startswith("post")
    assert second == f"{first}-2"
    assert free_slug(Outlet, "Радио Берег") == "radio-bereg"
    assert free_slug(Post, "Saltmarsh plan withdrawn") == "saltmarsh-plan-withdrawn"
    assert free_slug(Post, "…!") == "post"  # nothing to spell: the model's name


@pytest.mark.django_db
def test_a_persian_tag_has_a_page_of_its_own(client):
    freedom, censorship = tag_named("آزادی بیان"), tag_named("سانسور")
    make_post("Harbour paper closed", tags=[freedom])
    make_post("Radio licence withdrawn", tags=[censorship])

    page = client.get(freedom.get_absolute_url())

    assert page.status_code == 200
    text = page.content.decode()
    assert "آزادی بیان" in text and "Harbour paper closed" in text
    assert "Radio licence withdrawn" not in text


@pytest.mark.django_db
def test_a_repeated_headline_takes_the_first_free_number_in_one_query(
    django_assert_max_num_queries,
):
    for slug in ("weekly-roundup", "weekly-roundup-2", "weekly-roundup-4", "weekly-roundup-x"):
        make_post("Weekly roundup", slug=slug)
    with django_assert_max_num_queries(2):
        assert free_slug(Post, "Weekly roundup") == "weekly-roundup-3"
    make_post("Weekly roundup", slug="weekly-roundup-3")
    assert free_slug(Post, "Weekly roundup") == "weekly-roundup-5"
