"""The editor's desk: permissions, publishing, the quote check and corrections."""

import datetime

import feedparser
import pytest
from lxml import html

from clipdesk.digest.actions import PublishRefused, publish_articles
from clipdesk.digest.models import Post
from clipdesk.people.models import AuditEntry
from clipdesk.stories.actions import group_article, publish_story
from clipdesk.stories.models import Story, StoryMember
from tests.desk.conftest import WIRE, council_article, make_article

pytestmark = pytest.mark.django_db


def story_of(article) -> Story:
    return StoryMember.objects.get(article=article).story


def rally_article():
    """Another story on the same subject and day as the syndicated one, grouped."""
    article = make_article(
        "MEK rally planned in Tirana",
        "Organisers in Tirana said the MEK would hold a rally in the city centre on Saturday, "
        "the third such event this year. City officials said two streets would be closed to "
        "traffic and that a stage would be built beside the opera house for the speeches.",
        "Northern Ledger",
    )
    group_article(article)
    return article


def test_syndicated_copies_are_one_story(syndicated):
    assert len({story_of(a).pk for a in syndicated}) == 1


def test_a_different_story_on_the_same_subject_and_day_stays_apart(syndicated):
    other = rally_article()
    assert story_of(other).pk != story_of(syndicated[0]).pk


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_reader_can_neither_see_the_desk_nor_publish(client, reader, syndicated):
    client.force_login(reader)
    assert client.get("/desk/").status_code == 403
    story = story_of(syndicated[0])
    response = client.post(
        f"/desk/story/{story.pk}/publish/",
        {"article": [a.pk for a in syndicated], "headline": "x", "excerpt": WIRE[:80]},
    )
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_desk_shows_the_story_with_highlights_and_a_suggested_excerpt(client, editor, syndicated):
    client.force_login(editor)
    html = client.get("/desk/").content.decode()
    assert html.count('name="article"') == 3
    for outlet in ("The Harbour Gazette", "Northern Ledger", "Valley Times"):
        assert outlet in html
    assert "<mark>MEK</mark>" in html
    assert "Suggested excerpt:" in html
    assert 'src="/static/stories/desk.js"' in html
    assert 'name="headline"' in html and 'required maxlength="500"' in html  # as the column


def test_publishing_a_story_of_three_outlets_makes_one_post_credited_to_all(
    client, editor, syndicated
):
    client.force_login(editor)
    story = story_of(syndicated[0])
    quote = "members of the MEK exile group would be allowed to hold a memorial gathering"
    response = client.post(
        f"/desk/story/{story.pk}/publish/",
        {"article": [a.pk for a in syndicated], "headline": "Quay permit", "excerpt": quote},
        follow=True,
    )
    assert "Published “Quay permit”" in response.content.decode()
    post = Post.objects.get()
    assert post.posted_on == datetime.date.today()
    front = " ".join(client.get("/").content.decode().split())
    assert "The Harbour Gazette</a>, <a" in front and "Northern Ledger</a> and <a" in front
    feed = feedparser.parse(client.get("/feed/").content)
    assert feed.entries[0].title == "Quay permit"
    assert feed.entries[0].summary.startswith(
        "The Harbour Gazette, Northern Ledger and Valley Times, March 4 2025:… members of the MEK"
    )
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.post == post
    assert AuditEntry.objects.filter(action="publish", user=editor).count() == 1
    assert [t.name for t in post.tags.all()] == ["Mojahedin-e Khalq"]


def test_made_up_excerpt_is_refused_with_a_clear_message(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    response = client.post(
        f"/desk/story/{story.pk}/publish/",
        {
            "article": [a.pk for a in syndicated],
            "headline": "Quay permit",
            "excerpt": "The harbour authority banned the gathering outright.",
        },
        follow=True,
    )
    assert "not a quote from the credited articles" in response.content.decode()
    assert not Post.objects.exists()
    story.refresh_from_db()
    assert story.status == Story.Status.NEW


def test_dismiss_and_snooze_take_a_story_off_the_desk(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    later = datetime.date.today() + datetime.timedelta(days=3)
    client.post(f"/desk/story/{story.pk}/snooze/", {"until": later.isoformat()})
    story.refresh_from_db()
    assert story.status == Story.Status.SNOOZED
    assert story not in Story.objects.on_desk()
    assert story in Story.objects.on_desk(today=later)
    client.post(f"/desk/story/{story.pk}/dismiss/")
    story.refresh_from_db()
    assert story.status == Story.Status.DISMISSED
    assert {e.action for e in AuditEntry.objects.all()} == {"snooze", "dismiss"}


def test_split_is_remembered_when_another_copy_arrives(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    client.post(f"/desk/story/{story.pk}/split/{syndicated[2].pk}/")
    alone = story_of(syndicated[2])
    assert alone.pk != story.pk
    # A fourth copy still joins the editor's grouping, never undoing the split.
    fourth = make_article("Exile group gets quay permit", f"Agency copy. {WIRE}", "Coast FM")
    group_article(fourth)
    assert story_of(syndicated[2]).pk == alone.pk
    assert story_of(syndicated[0]).pk == story.pk


def test_merge_moves_articles_and_later_copies_follow(client, editor, syndicated):
    client.force_login(editor)
    other = council_article()
    keep, gone = story_of(syndicated[0]), story_of(other)
    assert keep.pk != gone.pk
    client.post(f"/desk/story/{keep.pk}/merge/", {"other": gone.pk})
    assert story_of(other).pk == keep.pk
    gone.refresh_from_db()
    assert gone.merged_into_id == keep.pk


def test_a_published_story_is_not_merged_away(client, editor, syndicated):
    client.force_login(editor)
    published = story_of(syndicated[0])
    post = publish_story(published, list(syndicated), headline="Quay permit", excerpt=WIRE[:80])
    other = rally_article()
    open_story = story_of(other)

    response = client.post(
        f"/desk/story/{open_story.pk}/merge/", {"other": published.pk}, follow=True
    )

    assert f"story {published.pk} is published (post {post.pk})" in response.content.decode()
    published.refresh_from_db()
    assert published.status == Story.Status.PUBLISHED and published.merged_into_id is None
    assert story_of(syndicated[0]).pk == published.pk
    # The other way round is allowed: the open story's article joins the published story.
    client.post(f"/desk/story/{published.pk}/merge/", {"other": open_story.pk})
    assert story_of(other).pk == published.pk


def test_unknown_story_and_bad_snooze_date_answer_cleanly(client, editor, syndicated):
    client.force_login(editor)
    assert client.post("/desk/story/99999/dismiss/").status_code == 404
    story = story_of(syndicated[0])
    response = client.post(f"/desk/story/{story.pk}/snooze/", {"until": "not-a-date"}, follow=True)
    assert "Snooze needs a date after today." in response.content.decode()


def test_desk_forms_carry_csrf_tokens(editor, syndicated):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    story = story_of(syndicated[0])
    assert client.post(f"/desk/story/{story.pk}/dismiss/").status_code == 403
    assert 'name="csrfmiddlewaretoken"' in client.get("/desk/").content.decode()


def test_desk_pages_keep_the_filters(client, editor, syndicated, monkeypatch):
    from clipdesk.stories import views as desk_views

    rally_article()
    monkeypatch.setattr(desk_views, "STORIES_PER_PAGE", 1)
    client.force_login(editor)
    first = client.get("/desk/?order=covered").content.decode()
    assert 'href="?order=covered&amp;page=2">Next →' in first and "Page 1 of 2" in first
    second = client.get("/desk/?order=covered&page=2").content.decode()
    assert 'href="?order=covered&amp;page=1">← Previous' in second and "Next →" not in second


def test_editors_open_snapshots_and_search_articles_readers_do_not(
    client, editor, reader, syndicated, settings
):
    """The desk's snapshot links and its article search are for the desk's users, who are
    not necessarily admin staff; a reader is refused, a stranger sent to sign in."""
    from clipdesk.articles.models import Snapshot
    from clipdesk.articles.snapshots import write_snapshot

    when = datetime.datetime(2025, 3, 4, 9, 0, tzinfo=datetime.UTC)
    body = b"<html><body><h1>Quay permit</h1><p>The MEK may gather.</p></body></html>"
    stored = write_snapshot(settings.CLIPDESK_HOME, syndicated[0].url, 200, {}, body, when)
    snapshot = Snapshot.objects.create(
        url=syndicated[0].url, status=200, fetched_at=when, **stored.__dict__
    )
    syndicated[0].snapshot = snapshot
    syndicated[0].save(update_fields=["snapshot"])
    address = snapshot.get_absolute_url()
    articles = {"q": "permit", "type": "article"}

    stranger = client.get(address)
    assert stranger.status_code == 302 and "/login/" in stranger["Location"]
    assert client.get("/api/search", articles).status_code == 403

    client.force_login(reader)
    assert client.get(address).status_code == 403
    assert client.get("/api/search", articles).status_code == 403

    client.force_login(editor)
    assert not editor.is_staff
    assert f'href="{address}"' in client.get("/desk/").content.decode()
    opened = client.get(address)
    assert opened.status_code == 200 and "<h1>Quay permit</h1>" in opened.content.decode()
    searched = client.get("/api/search", articles)
    assert searched.status_code == 200 and "results" in searched.json()


def publish_form(articles, headline: str, excerpt: str) -> dict:
    return {"article": [a.pk for a in articles], "headline": headline, "excerpt": excerpt}


def test_publishing_a_story_twice_makes_one_post(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    quote = "members of the MEK exile group would be allowed to hold a memorial gathering"
    form = publish_form(syndicated, "Quay permit", quote)
    client.post(f"/desk/story/{story.pk}/publish/", form)
    again = client.post(f"/desk/story/{story.pk}/publish/", form, follow=True)  # a double click

    post = Post.objects.get()
    assert f"already published as “Quay permit” (post {post.pk})" in again.content.decode()
    story.refresh_from_db()
    assert story.post == post


@pytest.mark.parametrize("typed", ["²", "٣", "1²", "99999999999999999999999", " "])
def test_a_story_number_that_is_no_number_is_refused_in_words(client, editor, syndicated, typed):
    client.force_login(editor)
    story = story_of(syndicated[0])
    merged = client.post(f"/desk/story/{story.pk}/merge/", {"other": typed}, follow=True)
    assert merged.status_code == 200
    assert "Merge needs the number of another story." in merged.content.decode()
    published = client.post(
        f"/desk/story/{story.pk}/publish/",
        {"article": [typed], "headline": "Quay permit", "excerpt": "the MEK"},
        follow=True,
    )
    assert published.status_code == 200
    assert not Post.objects.exists()


def change_form(client, url: str, form_id: str = "post_form") -> dict:
    """The fields of an admin change form as the browser would send them back."""
    page = html.fromstring(client.get(url).content)
    form = page.get_element_by_id(form_id)
    data: dict = {}
    for field in form.xpath(".//input[@name] | .//textarea[@name] | .//select[@name]"):
        name = field.get("name")
        if field.tag == "select":
            chosen = [o.get("value") for o in field.xpath(".//option[@selected]")]
            if chosen:
                data[name] = chosen if field.get("multiple") is not None else chosen[0]
        elif field.tag == "textarea":
            data[name] = field.text or ""
        elif field.get("type") == "checkbox":
            if field.get("checked") is not None:
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button"):
            data[name] = field.get("value", "")
    return data


def test_an_excerpt_edited_in_the_admin_is_held_to_the_quote_check(admin_client, syndicated):
    story = story_of(syndicated[0])
    quote = "members of the MEK exile group would be allowed to hold a memorial gathering"
    post = publish_story(story, syndicated, headline="Quay permit", excerpt=quote)
    url = f"/admin/digest/post/{post.pk}/change/"

    made_up = change_form(admin_client, url) | {"excerpt": "A sentence that no outlet printed."}
    refused = admin_client.post(url, made_up)
    assert refused.status_code == 200  # the form again, with the reason
    assert "is not a quote from the credited articles" in refused.content.decode()
    post.refresh_from_db()
    assert post.excerpt == quote

    shorter = change_form(admin_client, url) | {"excerpt": "members of the MEK exile group"}
    assert admin_client.post(url, shorter).status_code == 302
    post.refresh_from_db()
    assert post.excerpt == "members of the MEK exile group"


def test_a_refused_publish_keeps_what_the_editor_typed(client, editor, syndicated):
    client.force_login(editor)
    story = story_of(syndicated[0])
    typed = publish_form(
        syndicated,
        "Our own wording <of> the headline",
        "A sentence that is not in any of the articles.",
    )
    page = client.post(f"/desk/story/{story.pk}/publish/", typed, follow=True)

    form = html.fromstring(page.content).get_element_by_id(f"story-{story.pk}")
    assert form.xpath(".//input[@name='headline']/@value") == [typed["headline"]]
    assert form.xpath(".//textarea[@name='excerpt']/text()") == [typed["excerpt"]]
    # Once shown, the suggestion is back on the next visit.
    again = html.fromstring(client.get("/desk/").content).get_element_by_id(f"story-{story.pk}")
    assert again.xpath(".//input[@name='headline']/@value") != [typed["headline"]]


def test_a_typed_headline_too_long_is_refused_not_cut(syndicated):
    quote = "members of the MEK exile group"
    with pytest.raises(PublishRefused, match="the headline is 600 characters long; at most 500"):
        publish_articles(syndicated, headline="word " * 119 + "words", excerpt=quote)
    assert not Post.objects.exists()


def test_a_headline_of_invisible_characters_is_no_headline(syndicated):
    # Zero-width spaces and direction marks alone showed as a link with no words in it.
    post = publish_articles(
        syndicated, headline="\u200b \u200b\u200f", excerpt="members of the MEK exile group"
    )
    assert post.headline == " ".join(syndicated[0].title.split())


def test_an_articles_own_title_too_long_is_shortened_where_a_word_ends(syndicated):
    lead = syndicated[0]
    lead.title = "Harbour " * 80  # 640 characters: a feed gave a paragraph as the title
    post = publish_articles(syndicated, headline="", excerpt="members of the MEK exile group")
    assert len(post.headline) <= 500 and post.headline.endswith("Harbour…")


def test_after_a_decision_the_desk_is_shown_at_the_next_story_or_at_the_refused_one(
    client, editor, syndicated
):
    client.force_login(editor)
    story = story_of(syndicated[0])
    html = client.get("/desk/?order=covered").content.decode()
    assert f'action="/desk/story/{story.pk}/publish/"' in html

    done = client.post(
        f"/desk/story/{story.pk}/dismiss/", {"next": "/desk/?order=covered", "after": "77"}
    )
    assert done["Location"] == "/desk/?order=covered#story-77"

    refused = client.post(
        f"/desk/story/{story.pk}/snooze/", {"next": "/desk/#story-3", "until": "2000-01-01"}
    )
    assert refused["Location"] == f"/desk/#story-{story.pk}"  # its message is shown there
    elsewhere = client.post(f"/desk/story/{story.pk}/dismiss/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/desk/"


def test_an_article_of_several_authors_is_credited_to_them_as_the_source_line_names_people(
    client, editor, syndicated
):
    """ "Jane Roe, Tomas Elder, The Harbour Gazette" read as a second outlet after the author
    (and an archive import read it so); the digest writes several authors "A and B"."""
    syndicated[0].authors = ["Jane Roe", "Tomas Elder", "Ana Ferreira"]
    syndicated[0].save()
    syndicated[1].authors = [f"Correspondent Number {n}" for n in range(40)]  # over 300 letters
    syndicated[1].save()
    post = publish_story(
        story_of(syndicated[0]),
        syndicated[:2],
        headline="Quay permit",
        excerpt="would be allowed to hold a memorial gathering",
    )
    first, second = post.credits.order_by("position")
    assert first.author == "Jane Roe, Tomas Elder and Ana Ferreira"
    # Cut where a name ends, never inside one.
    assert len(second.author) <= 300
    assert second.author.startswith("Correspondent Number 0, Correspondent Number 1, ")
    assert second.author.endswith(" and others")
    names = second.author.removesuffix(" and others").replace(" and ", ", ").split(", ")
    assert all(name in syndicated[1].authors for name in names)
    client.force_login(editor)
    page = " ".join(client.get(post.get_absolute_url()).content.decode().split())
    assert '<span class="author">Jane Roe, Tomas Elder and Ana Ferreira</span>, <a' in page


def test_the_suggested_excerpt_marks_its_names_where_the_same_words_came_earlier(
    client, editor, watchlist
):
    # The suggested sentence is also the start of an earlier one, where "MEK.org" is an
    # address and no mention: the marks were placed as if the excerpt were that earlier text.
    filler = " ".join(["the ferry timetable was printed again for the summer season"] * 12)
    text = (
        "Police said they had spoken to the MEK.org webmaster about the page.\n"
        f"Harbour staff said {filler}.\n"
        "Police said they had spoken to the MEK."
    )
    article = make_article("Weekly notice", text, "Coastal Ledger")
    group_article(article)
    client.force_login(editor)
    page = client.get("/desk/").content.decode()
    assert "Police said they had spoken to the <mark>MEK</mark>." in page


def test_each_headline_outlet_and_byline_on_the_desk_is_isolated(client, editor, syndicated):
    """A headline, outlet or byline in another direction (or one a page left with an override
    open) must not reorder the desk's text around it: each is a <bdi>."""
    client.force_login(editor)
    tree = html.fromstring(client.get("/desk/").content)
    headlines = tree.xpath("//ul[@class='articles']/li/label/bdi[@class='title']")
    assert len(headlines) == len(syndicated)
    outlets = [bdi.text_content() for bdi in tree.xpath("//span[@class='meta']/bdi[1]")]
    assert {a.outlet.name for a in syndicated} <= set(outlets)


def test_merging_into_a_story_snoozed_for_later_keeps_it_on_the_desk(client, editor, syndicated):
    client.force_login(editor)
    other = council_article()
    later, waiting = story_of(syndicated[0]), story_of(other)
    client.post(f"/desk/story/{later.pk}/snooze/", {"until": "2099-01-01"})
    later.refresh_from_db()
    assert later.status == Story.Status.SNOOZED

    client.post(f"/desk/story/{later.pk}/merge/", {"other": waiting.pk})

    later.refresh_from_db()
    assert later.status == Story.Status.NEW and later.snoozed_until is None
    assert Story.objects.on_desk().filter(pk=later.pk).exists()
    assert story_of(other).pk == later.pk


def test_merging_a_snoozed_story_into_another_snoozed_one_wakes_neither(editor, syndicated):
    from clipdesk.stories.actions import merge_stories, snooze_story

    other = council_article()
    keep, gone = story_of(syndicated[0]), story_of(other)
    later = datetime.date(2099, 1, 1)
    snooze_story(keep, later)
    snooze_story(gone, later)
    merged = merge_stories(Story.objects.get(pk=keep.pk), Story.objects.get(pk=gone.pk))
    assert merged.status == Story.Status.SNOOZED and merged.snoozed_until == later
