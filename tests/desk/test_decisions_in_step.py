"""Editors' decisions taken on what is stored, not on what a page read a moment before: two
editors (or two tabs) acting on one story at once, and the odd forms a desk can be sent."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from clipdesk.digest.actions import PublishRefused, check_edited_excerpt
from clipdesk.digest.models import Credit, Post
from clipdesk.digest.quotes import ExcerptNotFound
from clipdesk.stories.actions import (
    StoryActionRefused,
    dismiss_story,
    merge_stories,
    publish_story,
    snooze_story,
    split_article,
)
from clipdesk.stories.models import Story
from tests.desk.conftest import council_article
from tests.desk.test_desk import publish_form, rally_article
from tests.desk.test_new_coverage import QUOTE, story_of

pytestmark = pytest.mark.django_db


def test_a_dismiss_sent_with_a_publish_leaves_the_story_published(syndicated):
    seen_by_second_tab = story_of(syndicated[0])
    post = publish_story(story_of(syndicated[0]), syndicated, headline="Quay", excerpt=QUOTE)

    dismiss_story(seen_by_second_tab)

    story = story_of(syndicated[0])
    assert story.status == Story.Status.PUBLISHED and story.post_id == post.pk
    assert seen_by_second_tab.status == Story.Status.PUBLISHED  # the caller's copy is current


def test_a_snooze_sent_with_a_publish_is_refused(syndicated):
    seen_by_second_tab = story_of(syndicated[0])
    publish_story(story_of(syndicated[0]), syndicated, headline="Quay", excerpt=QUOTE)

    with pytest.raises(StoryActionRefused, match="is published"):
        snooze_story(seen_by_second_tab, datetime.date(2099, 1, 1))
    assert story_of(syndicated[0]).status == Story.Status.PUBLISHED


def test_a_story_published_meanwhile_is_not_merged_away(syndicated):
    keep = story_of(council_article())
    seen_by_second_tab = story_of(syndicated[0])
    publish_story(story_of(syndicated[0]), syndicated, headline="Quay", excerpt=QUOTE)

    with pytest.raises(StoryActionRefused, match="is published"):
        merge_stories(keep, seen_by_second_tab)
    assert story_of(syndicated[0]).pk == seen_by_second_tab.pk


def test_a_story_merged_meanwhile_is_not_published(syndicated):
    keep = story_of(council_article())
    seen_by_second_tab = story_of(syndicated[0])
    merge_stories(keep, story_of(syndicated[0]))

    with pytest.raises(PublishRefused, match=f"merged into story {keep.pk}"):
        publish_story(seen_by_second_tab, syndicated, headline="Quay", excerpt=QUOTE)
    assert not Post.objects.exists()


def test_nothing_is_merged_into_a_story_merged_away(syndicated):
    first, second = story_of(syndicated[0]), story_of(council_article())
    rally = rally_article()
    third = story_of(rally)
    merge_stories(first, second)

    with pytest.raises(StoryActionRefused, match=f"merged into story {first.pk}"):
        merge_stories(second, third)
    with pytest.raises(StoryActionRefused, match=f"merged into story {first.pk}"):
        merge_stories(second, first)  # the two would point at each other
    first.refresh_from_db()
    assert first.merged_into_id is None
    assert story_of(rally) == third


def test_the_article_a_post_credits_is_not_split_out_of_its_story(syndicated):
    story = story_of(syndicated[0])
    post = publish_story(story, syndicated[:2], headline="Quay", excerpt=QUOTE)

    with pytest.raises(StoryActionRefused, match=f"credited in post {post.pk}"):
        split_article(syndicated[0])
    assert story_of(syndicated[0]).pk == story.pk
    # The one the post does not credit may go its own way.
    assert split_article(syndicated[2]).pk != story.pk


def test_an_article_chosen_twice_is_credited_once(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    form = publish_form(syndicated[:2], "Quay permit", QUOTE)
    form["article"] = [syndicated[0].pk, syndicated[0].pk, f"0{syndicated[0].pk}"]
    client.post(f"/desk/story/{story.pk}/publish/", form)

    post = Post.objects.get()
    assert list(post.credits.values_list("url", flat=True)) == [syndicated[0].url]


def test_ids_past_the_databases_range_answer_404(client, editor, syndicated):
    client.force_login(editor)
    huge = "9" * 25
    story = story_of(syndicated[0])
    assert client.post(f"/desk/story/{huge}/split/{syndicated[0].pk}/").status_code == 404
    assert client.post(f"/desk/story/{story.pk}/split/{huge}/").status_code == 404
    assert client.get(f"/desk/snapshots/{huge}/").status_code == 404


@pytest.mark.parametrize("field", ["headline", "excerpt"])
def test_a_control_character_in_what_is_published_is_refused(client, editor, syndicated, field):
    client.force_login(editor)
    story = story_of(syndicated[0])
    form = publish_form(syndicated, "Quay permit", QUOTE)
    form[field] = form[field][:5] + "\x00" + form[field][5:]

    response = client.post(f"/desk/story/{story.pk}/publish/", form, follow=True)

    assert f"the {field} holds a control character" in response.content.decode()
    assert not Post.objects.exists()


def test_an_excerpt_stays_held_to_the_articles_after_the_credits_addresses_change(syndicated):
    post = publish_story(story_of(syndicated[0]), syndicated, headline="Quay", excerpt=QUOTE)
    Credit.objects.filter(post=post).update(url="https://elsewhere.example/moved")

    with pytest.raises(ExcerptNotFound):
        check_edited_excerpt(post, "A sentence that no outlet printed.")
    check_edited_excerpt(post, "members of the MEK exile group")  # still a quote: fine


def test_an_account_without_a_role_is_told_so(client, syndicated):
    client.force_login(User.objects.create_user("nobody", password="a-long-password-here"))
    response = client.get("/desk/")
    assert response.status_code == 403
    assert b"given no role" in response.content


def test_a_story_merged_away_meanwhile_is_not_dismissed_but_said_so(client, editor, syndicated):
    client.force_login(editor)
    keep, gone = story_of(council_article()), story_of(syndicated[0])
    merge_stories(keep, gone)  # in another tab

    response = client.post(f"/desk/story/{gone.pk}/dismiss/", follow=True)

    assert response.status_code == 200
    assert f"story {gone.pk} was merged into story {keep.pk}" in response.content.decode()
