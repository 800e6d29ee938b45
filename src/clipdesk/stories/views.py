"""The editor's desk: a queue of candidate stories and the actions on them."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from clipdesk.articles.models import Article
from clipdesk.digest.actions import PublishRefused
from clipdesk.people.roles import desk_required
from clipdesk.stories import actions, desk
from clipdesk.stories.models import Story

STORIES_PER_PAGE = 20
DRAFTS_KEY = "desk_drafts"  # in the session: {story id: the refused publish's typed values}


def _number(value: str) -> int | None:
    """A row id typed or sent in a form; None for anything else. `str.isdigit` is not the
    test: it accepts "²" and other digits that `int` refuses."""
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_safe
@desk_required
def queue(request: HttpRequest) -> HttpResponse:
    filters = {
        "entity": request.GET.get("entity", ""),
        "outlet": request.GET.get("outlet", ""),
        "language": request.GET.get("language", ""),
        "since": _date(request.GET.get("since")),
        "until": _date(request.GET.get("until")),
        "order": "covered" if request.GET.get("order") == "covered" else "newest",
    }
    page = Paginator(desk.desk_queryset(**filters), STORIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    others = request.GET.copy()
    others.pop("page", None)
    stories = desk.present(list(page.object_list))
    drafts = request.session.pop(DRAFTS_KEY, {})
    for index, item in enumerate(stories):
        # Where the desk is shown again once this story is decided: at the next one.
        neighbour = stories[index + 1] if index + 1 < len(stories) else None
        if neighbour is None and index:
            neighbour = stories[index - 1]
        item.after = neighbour.story.pk if neighbour is not None else None
        if draft := drafts.get(str(item.story.pk)):
            item.draft_headline, item.draft_excerpt = draft["headline"], draft["excerpt"]
    context = {
        "stories": stories,
        "page_obj": page,
        # The filters, kept by the page links ("entity=3&" or nothing).
        "filter_query": others.urlencode() + "&" if others else "",
        "filters": filters,
        "entities": desk.entity_filter_choices(),
        "languages": desk.language_choices(),
        "today": datetime.date.today(),
    }
    return render(request, "stories/desk.html", context)


def _back(request: HttpRequest, here: int | None = None) -> HttpResponse:
    """Back to the desk as it was shown, at the story acted on when it is still there (`here`:
    the action was refused), else at the one after it (the form's `after`); the desk showed
    its first story again after every decision. The messages stay in view (desk.css)."""
    target = request.POST.get("next", "")
    target = target.split("#")[0] if target.startswith("/desk/") else reverse("desk")
    story = here if here is not None else _number(request.POST.get("after", ""))
    return redirect(f"{target}#story-{story}" if story is not None else target)


@require_POST
@desk_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk)
    chosen = desk.articles_of(story, _numbers(request, "article"))
    copies = desk.copies_of(story, _numbers(request, "copy"))
    try:
        post = actions.publish_story(
            story,
            chosen,
            headline=request.POST.get("headline", ""),
            excerpt=request.POST.get("excerpt", ""),
            user=request.user,
            copies=copies,
        )
    except PublishRefused as exc:
        messages.error(request, f"Story {story.pk} not published: {exc}")
        drafts = request.session.get(DRAFTS_KEY, {})
        drafts[str(story.pk)] = {
            "headline": request.POST.get("headline", "")[:2000],
            "excerpt": request.POST.get("excerpt", "")[:20000],
        }
        request.session[DRAFTS_KEY] = drafts
        return _back(request, pk)
    messages.success(request, f"Published “{post.headline}”.")
    return _back(request)


@require_POST
@desk_required
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk)
    try:
        actions.dismiss_story(story, request.user)
    except actions.StoryActionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, pk)
    if story.status == Story.Status.PUBLISHED:
        messages.success(request, f"Story {story.pk}: its new coverage is set aside.")
    else:
        messages.success(request, f"Story {story.pk} dismissed.")
    return _back(request)


def _numbers(request: HttpRequest, name: str) -> list[int]:
    return [n for n in map(_number, request.POST.getlist(name)) if n is not None]


@require_POST
@desk_required
def add_to_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Credit a published story's chosen articles in its post (coverage that came later)."""
    story = get_object_or_404(Story, pk=pk)
    chosen = desk.articles_of(story, _numbers(request, "article"))
    copies = desk.copies_of(story, _numbers(request, "copy"))
    if not chosen and not copies:
        messages.error(request, f"Story {story.pk}: choose the articles to credit in the post.")
        return _back(request, pk)
    try:
        post, added = actions.add_coverage_to_post(story, chosen, request.user, copies=copies)
    except PublishRefused as exc:
        messages.error(request, f"Story {story.pk}: {exc}")
        return _back(request, pk)
    if added:
        outlets = ", ".join(dict.fromkeys(a.outlet_name or a.url for a in added))
        messages.success(request, f"“{post.headline}” now also credits {outlets}.")
    else:
        messages.success(request, f"“{post.headline}” credited those articles already.")
    return _back(request)


@require_POST
@desk_required
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk)
    until = _date(request.POST.get("until"))
    if until is None or until <= datetime.date.today():
        messages.error(request, "Snooze needs a date after today.")
        return _back(request, pk)
    try:
        actions.snooze_story(story, until, request.user)
    except actions.StoryActionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, pk)
    messages.success(request, f"Story {story.pk} snoozed until {until:%Y-%m-%d}.")
    return _back(request)


@require_POST
@desk_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk)
    other_id = _number(request.POST.get("other", "").strip())
    other = Story.objects.filter(pk=other_id).first() if other_id is not None else None
    if other is None:
        messages.error(request, "Merge needs the number of another story.")
        return _back(request, pk)
    try:
        actions.merge_stories(story, other, request.user)
    except actions.StoryActionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, pk)
    messages.success(request, f"Story {other.pk} merged into story {story.pk}.")
    return _back(request)


@require_POST
@desk_required
def split(request: HttpRequest, pk: int, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id, story_member__story_id=pk)
    try:
        new = actions.split_article(article, request.user)
    except actions.StoryActionRefused as exc:
        messages.error(request, str(exc))
        return _back(request, pk)
    messages.success(request, f"Article {article.pk} is now story {new.pk} on its own.")
    return _back(request)
