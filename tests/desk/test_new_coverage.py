"""Coverage that arrives after the editor decided: a story published or dismissed comes back to
the desk when another outlet carries it, and a published one can credit the new outlet."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clipdesk.articles.models import Article, EntryAddress
from clipdesk.digest.credits import source_line
from clipdesk.digest.models import Post
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.stories.actions import (
    dismiss_story,
    group_article,
    note_new_copy,
    publish_story,
    snooze_story,
)
from clipdesk.stories.desk import desk_queryset
from clipdesk.stories.models import Story, StoryMember
from tests.desk.conftest import WIRE, council_article, make_article

pytestmark = pytest.mark.django_db

QUOTE = "members of the MEK exile group would be allowed to hold a memorial gathering"


def story_of(article) -> Story:
    return StoryMember.objects.get(article=article).story


def later_copy(outlet: str = "Coast FM"):
    article = make_article(
        "Exile group gets quay permit", f"Agency copy. {WIRE}", outlet, datetime.date(2025, 3, 5)
    )
    group_article(article)
    return article


@pytest.fixture
def published(syndicated):
    story = story_of(syndicated[0])
    post = publish_story(story, syndicated[:2], headline="Quay permit", excerpt=QUOTE)
    story.refresh_from_db()
    return story, post


def test_a_published_story_is_off_the_desk_until_another_outlet_carries_it(published):
    story, _post = published
    assert story not in Story.objects.on_desk()
    late = later_copy()
    assert story_of(late).pk == story.pk
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.new_coverage_since is not None
    assert story in Story.objects.on_desk()


def test_the_desk_shows_the_new_article_and_credits_it_in_the_post(
    client, editor, published, syndicated
):
    client.force_login(editor)
    story, post = published
    late = later_copy()

    html = client.get("/desk/").content.decode()
    assert "Published as" in html and "“Quay permit”" in html
    assert "1 new article since" in html and 'class="new"' in html
    assert f'value="{late.pk}" checked' in html
    assert f'value="{syndicated[0].pk}">' in html  # credited already: not chosen
    assert "Suggested excerpt" not in html  # nothing to publish again

    response = client.post(
        f"/desk/story/{story.pk}/add-to-post/", {"article": [late.pk]}, follow=True
    )

    assert "“Quay permit” now also credits Coast FM." in response.content.decode()
    post.refresh_from_db()
    line = source_line(post.credits.select_related("outlet"))
    assert line == "The Harbour Gazette and Northern Ledger, March 4 2025; Coast FM, March 5 2025"
    assert [c.url for c in post.credits.order_by("position")][-1] == late.url
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.new_coverage_since is None
    assert story not in Story.objects.on_desk()
    assert "Coast FM" in client.get(post.get_absolute_url()).content.decode()
    assert Post.objects.count() == 1


def test_crediting_an_article_twice_adds_it_once(client, editor, published, syndicated):
    client.force_login(editor)
    story, post = published
    late = later_copy()
    for _ in range(2):
        client.post(
            f"/desk/story/{story.pk}/add-to-post/", {"article": [late.pk, syndicated[0].pk]}
        )
    assert post.credits.count() == 3


def test_new_coverage_set_aside_leaves_the_story_published(client, editor, published):
    client.force_login(editor)
    story, post = published
    later_copy()
    client.post(f"/desk/story/{story.pk}/dismiss/")
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.post_id == post.pk
    assert story not in Story.objects.on_desk()
    assert post.credits.count() == 2
    later_copy("Ferry Radio")  # coverage after that brings it back again
    assert story in Story.objects.on_desk()


def test_a_published_story_is_not_snoozed(client, editor, published):
    client.force_login(editor)
    story, _post = published
    later_copy()
    until = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(f"/desk/story/{story.pk}/snooze/", {"until": until}, follow=True)
    assert f"story {story.pk} is published" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED


def test_a_dismissed_story_comes_back_with_new_coverage(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    dismiss_story(story)
    assert story not in Story.objects.on_desk()
    late = later_copy()
    html = client.get("/desk/").content.decode()
    assert "Dismissed earlier; 1 new article since." in html
    assert "Suggested excerpt" in html  # it may be published now
    response = client.post(
        f"/desk/story/{story.pk}/publish/",
        {"article": [late.pk], "headline": "Quay permit", "excerpt": QUOTE},
        follow=True,
    )
    assert "Published “Quay permit”" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.new_coverage_since is None


def test_crediting_in_a_post_needs_a_published_story(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    response = client.post(
        f"/desk/story/{story.pk}/add-to-post/", {"article": [syndicated[0].pk]}, follow=True
    )
    assert "it is not published: publish it instead" in response.content.decode()
    assert not Post.objects.exists()


def test_the_stories_command_lists_a_published_story_with_new_coverage(published, syndicated):
    story, post = published
    late = later_copy()
    out = StringIO()
    call_command("stories", "--json", stdout=out)
    (row,) = [r for r in json.loads(out.getvalue()) if r["id"] == story.pk]
    assert row["status"] == "published" and row["post"] == post.pk
    assert row["new_coverage_since"] is not None
    assert {a["id"]: a["new"] for a in row["articles"]} == {
        syndicated[0].pk: False,
        syndicated[1].pk: False,
        syndicated[2].pk: False,
        late.pk: True,
    }


def test_a_story_merged_into_a_published_one_comes_as_its_new_coverage(client, editor, published):
    client.force_login(editor)
    story, _post = published
    other = council_article()
    assert story_of(other).pk != story.pk

    client.post(f"/desk/story/{story.pk}/merge/", {"other": story_of(other).pk})

    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story in Story.objects.on_desk()
    html = client.get("/desk/").content.decode()
    assert "1 new article since" in html and f'value="{other.pk}" checked' in html


def test_splitting_out_the_new_article_takes_the_published_story_off_the_desk(
    client, editor, published
):
    client.force_login(editor)
    story, _post = published
    late = later_copy()
    assert story in Story.objects.on_desk()

    client.post(f"/desk/story/{story.pk}/split/{late.pk}/")

    story.refresh_from_db()
    assert story.new_coverage_since is None and story not in Story.objects.on_desk()
    assert story_of(late) in Story.objects.on_desk()  # on its own, a new story


def test_the_publish_command_takes_the_story_off_the_desk(syndicated):
    story = story_of(syndicated[0])
    dismiss_story(story)
    late = later_copy()
    story.refresh_from_db()
    assert story in Story.objects.on_desk()

    call_command("publish", str(syndicated[0].pk), str(late.pk), stdout=StringIO())

    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story not in Story.objects.on_desk()


def test_crediting_in_the_post_keeps_the_version_before(client, editor, published):
    client.force_login(editor)
    story, post = published
    late = later_copy()
    client.post(f"/desk/story/{story.pk}/add-to-post/", {"article": [late.pk]})
    (version,) = post.versions.all()
    assert len(version.data["credits"]) == 2 and post.credits.count() == 3


def test_a_deleted_posts_story_is_set_aside(published):
    story, post = published
    post.delete()
    story.refresh_from_db()
    assert story.status == Story.Status.DISMISSED and story.post is None
    later_copy()
    story.refresh_from_db()
    assert story in Story.objects.on_desk()
    until = datetime.date.today() + datetime.timedelta(days=3)
    snooze_story(story, until)  # no longer refused as "published"
    assert story.status == Story.Status.SNOOZED


def test_the_desk_says_when_the_post_is_now_a_draft(client, editor, published):
    client.force_login(editor)
    _story, post = published
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    later_copy()
    html = client.get("/desk/").content.decode()
    assert "Posted as “Quay permit” (now a draft)" in html and "Published as" not in html


def test_a_story_brought_back_by_a_copy_is_first_on_the_desk(published, watchlist):
    story, _post = published
    Article.objects.update(fetched_at=timezone.now() - datetime.timedelta(days=30))
    fresh = make_article(
        "MEK rally planned in Tirana",
        "Organisers in Tirana said the MEK would hold a rally in the city centre on Saturday, "
        "the third such event this year, and city officials said two streets would close.",
        "Northern Ledger",
    )
    group_article(fresh)
    lead = StoryMember.objects.filter(story=story).first().article
    seen = timezone.now()
    EntryAddress.objects.create(
        url="https://coastfm.example/wire/1",
        article=lead,
        reason=EntryAddress.COPY,
        outlet=OutletDirectory().get_or_create("Coast FM"),
        seen_at=seen,
    )
    note_new_copy(lead, seen)

    assert [s.pk for s in desk_queryset()][:2] == [story.pk, story_of(fresh).pk]
