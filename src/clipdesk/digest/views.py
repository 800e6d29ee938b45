"""The public site: thin views over Post.objects.published(), shown as cards (cards.py)."""

from __future__ import annotations

import dataclasses
import datetime
import re
import sys

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from clipdesk.digest.cards import cards_for
from clipdesk.digest.models import OldSlug, Outlet, Post, SiteProfile, Tag
from clipdesk.digest.pagination import NoSuchPage, list_page, parse_page_number
from clipdesk.publish.caching import public_page

# The templates of the pages the static export also renders from memory (publish/preloaded.py).
FRONT_PAGE = "digest/front_page.html"
POST_PAGE = "digest/post_detail.html"
MONTH_PAGE = "digest/archive_month.html"
TAG_PAGE = "digest/tag.html"
OUTLET_PAGE = "digest/outlet.html"


def _listing(
    request: HttpRequest, posts, template: str, context: dict, *, empty_is_404: bool = False
) -> HttpResponse:
    """One page of a list: its newest posts, or `?page=N` counted from the oldest.
    `empty_is_404`: a list with no posts at all is no page (a month without posts)."""
    try:
        number = parse_page_number(request.GET.get("page"))
        ids = list_page(posts.values_list("id", flat=True), number, settings.DIGEST_POSTS_PER_PAGE)
    except NoSuchPage as exc:
        raise Http404("No such page.") from exc
    if empty_is_404 and not ids.count:
        raise Http404("No posts in this list.")
    page = dataclasses.replace(ids, posts=cards_for(ids.posts))
    return render(request, template, {**context, "page_obj": page, "posts": page.posts})


@require_safe
@public_page
def front_page(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.published().newest_first()
    return _listing(request, posts, FRONT_PAGE, {})


@require_safe
@public_page
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    found = Post.objects.published().filter(slug=slug).values_list("id", flat=True)
    cards = cards_for(list(found[:1]))
    if not cards:
        moved = OldSlug.objects.filter(slug=slug, post__status=Post.Status.PUBLISHED).first()
        if moved is not None:  # the slug was changed: old links lead to the post
            return HttpResponsePermanentRedirect(moved.post.get_absolute_url())
        raise Http404("No such post.")
    return render(request, POST_PAGE, {"post": cards[0]})


@require_safe
@public_page
def month_archive(request: HttpRequest, year: int, month: int) -> HttpResponse:
    try:
        first = datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404("No such month.") from exc
    posts = Post.objects.published().in_month(year, month).newest_first()
    # A month without posts is no page: else every month up to the year 9999 would be one,
    # for crawlers to walk and the cache to hold; the archive index links only months with
    # posts.
    return _listing(request, posts, MONTH_PAGE, {"month": first}, empty_is_404=True)


@require_safe
@public_page
def archive_index(request: HttpRequest) -> HttpResponse:
    months = Post.objects.published().months()
    return render(request, "digest/archive_index.html", {"years": _by_year(months)})


@require_safe
@public_page
def year_archive(request: HttpRequest, year: int) -> HttpResponse:
    """The months of one year that have posts; a year without any is no page, as a month
    without posts is none."""
    months = [m for m in Post.objects.published().months() if m.year == year]
    if not months:
        raise Http404("No posts that year.")
    return render(request, "digest/archive_year.html", {"year": year, "months": months})


def _by_year(months: list[datetime.date]) -> list[tuple[int, list[datetime.date]]]:
    """Months (newest first) grouped under their years, newest first."""
    years: dict[int, list[datetime.date]] = {}
    for month in months:
        years.setdefault(month.year, []).append(month)
    return list(years.items())


@require_safe
@public_page
def tag_posts(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    posts = tag.posts.published().newest_first()
    return _listing(request, posts, TAG_PAGE, {"tag": tag}, empty_is_404=True)


@require_safe
@public_page
def outlet_posts(request: HttpRequest, slug: str) -> HttpResponse:
    outlet = get_object_or_404(Outlet, slug=slug)
    posts = Post.objects.published().filter(credits__outlet=outlet).distinct().newest_first()
    return _listing(request, posts, OUTLET_PAGE, {"outlet": outlet}, empty_is_404=True)


@require_safe
@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "digest/about.html", {"profile": SiteProfile.load()})


@require_safe
@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for /favicon.ico whatever the page says: the site's icon."""
    return HttpResponsePermanentRedirect(static("digest/icon.svg"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


# How long a client is asked to wait when the database is busy or away.
DATABASE_BUSY_RETRY_SECONDS = 30
# What a database says when it is busy or away for a while, as opposed to wrong for good
# (SQLite's "no such table" before migrating, "attempt to write a readonly database"),
# which waiting does not mend and stays a 500.
_PASSING = re.compile(
    r"locked|busy|connection|connect to server|server closed|starting up|shutting down|"
    r"terminating|could not receive|timeout|timed out",
    re.IGNORECASE,
)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's answer to an exception no view handled. One from a database busy or away
    for a while (SQLite locked by a long write past its busy timeout, PostgreSQL restarting
    or unreachable) is no fault of the page: 503 with Retry-After, so a client and a proxy
    know to try again soon, rather than a 500. The traceback is logged either way."""
    # No context processors here: the database may be what failed.
    from django.db import InterfaceError, OperationalError
    from django.template import loader

    failed = sys.exc_info()[1]  # called inside Django's handler for the exception
    passing = isinstance(failed, InterfaceError) or (
        isinstance(failed, OperationalError) and _PASSING.search(str(failed)) is not None
    )
    if passing:
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = str(DATABASE_BUSY_RETRY_SECONDS)
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
