"""What the desk shows of a story: its articles, highlights and a suggested excerpt."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clipdesk.articles.models import Article, EntryAddress
from clipdesk.digest.models import Credit
from clipdesk.stories.excerpts import suggest_excerpt_span
from clipdesk.stories.models import Story, StoryMember
from clipdesk.watch.models import Match


def highlight(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """The text, escaped, with each span wrapped in <mark>."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last or end > len(text):
            continue
        out += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@dataclass
class DeskArticle:
    article: Article
    title_html: SafeString
    aliases: list[str]
    # Word-for-word copies of it at other outlets (stored once, credited each).
    copies: list[EntryAddress] = field(default_factory=list)


@dataclass
class DeskStory:
    story: Story
    articles: list[DeskArticle]
    excerpt: str
    excerpt_html: SafeString
    entities: list[str] = field(default_factory=list)
    # What the editor typed in a publish that was refused, shown again in place of the
    # suggestion (it used to be lost, and the form came back with the suggested values).
    draft_headline: str = ""
    draft_excerpt: str = ""
    # Articles that joined after the story was published or dismissed (Story.new_coverage_since).
    new_since_decision: set[int] = field(default_factory=set)
    new_copies: set[int] = field(default_factory=set)  # EntryAddress ids, as above
    # The story the desk is shown at once this one is decided (the one after it on the page).
    after: int | None = None

    @property
    def new_count(self) -> int:
        """Articles and copies that came after the story was published or dismissed."""
        return len(self.new_since_decision) + len(self.new_copies)

    @property
    def published(self) -> bool:
        return self.story.status == Story.Status.PUBLISHED and self.story.post_id is not None

    @property
    def lead(self) -> Article:
        return self.articles[0].article


def desk_queryset(
    *,
    entity: str = "",
    outlet: str = "",
    language: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    order: str = "newest",
) -> QuerySet[Story]:
    """Stories waiting on the desk, filtered and ordered as the editor asked."""
    stories = (
        Story.objects.on_desk()
        .select_related("post")
        .annotate(
            coverage=Count("members", distinct=True),
            # A decided story is as new as the coverage that brought it back (a copy at
            # another outlet, whose article was fetched long before).
            newest=Coalesce("new_coverage_since", Max("members__article__fetched_at")),
        )
    )
    stories = stories.filter(coverage__gt=0)
    if entity:
        stories = stories.filter(members__article__matches__entity__name=entity)
    else:
        stories = stories.filter(members__article__matches__isnull=False)
    if outlet:
        stories = stories.filter(members__article__outlet__slug=outlet)
    if language:
        stories = stories.filter(members__article__language=language)
    if since:
        stories = stories.filter(members__article__published__gte=since)
    if until:
        stories = stories.filter(members__article__published__lte=until)
    ordering = ["-coverage", "-newest"] if order == "covered" else ["-newest", "-id"]
    return stories.distinct().order_by(*ordering)


def present(stories: list[Story]) -> list[DeskStory]:
    """Everything the desk page needs, in a fixed number of queries."""
    stories = list(stories)
    members = (
        StoryMember.objects.filter(story__in=stories)
        .select_related("article__outlet", "article__snapshot")
        .prefetch_related(
            Prefetch("article__matches", queryset=Match.objects.select_related("entity"))
        )
        .order_by("joined_at", "id")
    )
    by_story: dict[int, list[StoryMember]] = {}
    for member in members:
        by_story.setdefault(member.story_id, []).append(member)
    copies = copies_by_article([m.article for ms in by_story.values() for m in ms])
    credited = credited_by_post([s.post_id for s in stories if s.post_id])
    presented = []
    for story in stories:
        if not by_story.get(story.pk):
            continue
        item = _present_one(story, [m.article for m in by_story[story.pk]])
        for shown in item.articles:
            shown.copies = copies.get(shown.article.pk, [])
        shown_copies = [c for shown in item.articles for c in shown.copies]
        item.new_since_decision, item.new_copies = new_coverage(
            story, by_story[story.pk], shown_copies, credited.get(story.post_id)
        )
        presented.append(item)
    return presented


@dataclass(frozen=True)
class Credited:
    """What a post credits already: its sources' addresses and outlets."""

    urls: frozenset[str]
    outlets: frozenset[int]


def credited_by_post(post_ids: list[int]) -> dict[int, Credited]:
    rows = Credit.objects.filter(post__in=post_ids).values_list("post_id", "url", "outlet_id")
    urls: dict[int, set[str]] = {}
    outlets: dict[int, set[int]] = {}
    for post_id, url, outlet_id in rows:
        urls.setdefault(post_id, set()).add(url)
        if outlet_id is not None:
            outlets.setdefault(post_id, set()).add(outlet_id)
    return {
        pk: Credited(frozenset(urls.get(pk, ())), frozenset(outlets.get(pk, ()))) for pk in post_ids
    }


def new_coverage(
    story: Story,
    members: list[StoryMember],
    copies: list[EntryAddress],
    credited: Credited | None,
) -> tuple[set[int], set[int]]:
    """The articles and copies (ids) a decided story has gained since its decision; for a
    published one, only those its post does not credit yet (a copy only at an outlet the
    post does not credit either)."""
    since = story.new_coverage_since
    if since is None:
        return set(), set()
    articles = {m.article_id: m.article for m in members if m.joined_at >= since}
    fresh = [c for c in copies if c.seen_at >= since]
    if story.status == Story.Status.PUBLISHED and credited is not None:
        articles = {pk: a for pk, a in articles.items() if a.url not in credited.urls}
        fresh = [
            c for c in fresh if c.url not in credited.urls and c.outlet_id not in credited.outlets
        ]
    return set(articles), {c.pk for c in fresh}


def has_new_coverage(story: Story) -> bool:
    """`new_coverage` of one story, read from the database."""
    members = list(StoryMember.objects.filter(story=story).select_related("article"))
    copies = [c for cs in copies_by_article([m.article for m in members]).values() for c in cs]
    credited = credited_by_post([story.post_id]).get(story.post_id) if story.post_id else None
    articles, fresh = new_coverage(story, members, copies, credited)
    return bool(articles or fresh)


def copies_by_article(articles: list[Article]) -> dict[int, list[EntryAddress]]:
    """Each article's copies at outlets other than its own, in the order they were seen."""
    outlet_of = {a.pk: a.outlet_id for a in articles}
    found = (
        EntryAddress.objects.filter(article__in=list(outlet_of), reason=EntryAddress.COPY)
        .exclude(outlet=None)
        .select_related("outlet")
        .order_by("seen_at", "id")
    )
    copies: dict[int, list[EntryAddress]] = {}
    seen: set[tuple[int, int]] = set()
    for copy in found:
        key = (copy.article_id, copy.outlet_id)
        if copy.outlet_id != outlet_of[copy.article_id] and key not in seen:
            seen.add(key)  # one outlet's two addresses for one text: credited once
            copies.setdefault(copy.article_id, []).append(copy)
    return copies


def _present_one(story: Story, articles: list[Article]) -> DeskStory:
    # The lead is the article with the most matches: it carries the watched entities best.
    articles = sorted(articles, key=lambda a: (-len(a.matches.all()), a.pk))
    lead = articles[0]
    text_spans = [(m.start, m.end) for m in lead.matches.all() if m.field == "text"]
    # The marks are placed by where the passage was taken from, not by searching the text for
    # it: the same words earlier in the text (a repeated line) put them in the wrong place.
    start, end = suggest_excerpt_span(lead.text, headline=lead.title, entity_spans=text_spans)
    excerpt = lead.text[start:end]
    excerpt_spans = [(s - start, e - start) for s, e in text_spans if start <= s and e <= end]
    return DeskStory(
        story=story,
        articles=[
            DeskArticle(
                article=a,
                title_html=highlight(
                    a.title, [(m.start, m.end) for m in a.matches.all() if m.field == "headline"]
                ),
                aliases=sorted({m.matched_text for m in a.matches.all()}),
            )
            for a in articles
        ],
        excerpt=excerpt,
        excerpt_html=highlight(excerpt, excerpt_spans),
        entities=sorted({m.entity.name for a in articles for m in a.matches.all()}),
    )


def copies_of(story: Story, ids: list[int]) -> list[EntryAddress]:
    """The chosen copies of a story's articles, in the order chosen, among those the desk
    shows (one per outlet, none at the article's own): others are ignored."""
    articles = list(Article.objects.filter(story_member__story=story).only("pk", "outlet"))
    shown = {c.pk: c for cs in copies_by_article(articles).values() for c in cs}
    return [shown[i] for i in dict.fromkeys(ids) if i in shown]


def articles_of(story: Story, ids: list[int]) -> list[Article]:
    """The chosen articles of a story, in the order chosen (each once); unknown ids are
    ignored."""
    found = (
        Article.objects.filter(story_member__story=story, pk__in=ids)
        .prefetch_related(Prefetch("matches", queryset=Match.objects.select_related("entity")))
        .select_related("outlet")
    )
    by_id = {a.pk: a for a in found}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


def entity_filter_choices() -> list[str]:
    return list(
        Match.objects.values_list("entity__name", flat=True).distinct().order_by("entity__name")
    )


def language_choices() -> list[str]:
    return list(
        Article.objects.exclude(language="")
        .filter(~Q(matches=None))
        .values_list("language", flat=True)
        .distinct()
        .order_by("language")
    )
