"""The public site: thin views over Post.objects.published()."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from clipdesk.digest.models import Outlet, Post, SiteProfile, Tag
from clipdesk.digest.pagination import NoSuchPage, list_page, parse_page_number
from clipdesk.publish.caching import public_page


def _listing(request: HttpRequest, posts, template: str, context: dict) -> HttpResponse:
    """One page of a list: its newest posts, or `?page=N` counted from the oldest."""
    try:
        number = parse_page_number(request.GET.get("page"))
        page = list_page(posts, number, settings.DIGEST_POSTS_PER_PAGE)
    except NoSuchPage as exc:
        raise Http404("No such page.") from exc
    return render(request, template, {**context, "page_obj": page, "posts": page.posts})


@require_safe
@public_page
def front_page(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.published().newest_first().for_listing()
    return _listing(request, posts, "digest/front_page.html", {})


@require_safe
@public_page
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.published().for_listing(), slug=slug)
    return render(request, "digest/post_detail.html", {"post": post})


@require_safe
@public_page
def month_archive(request: HttpRequest, year: int, month: int) -> HttpResponse:
    try:
        first = datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404("No such month.") from exc
    posts = Post.objects.published().in_month(year, month).newest_first().for_listing()
    return _listing(request, posts, "digest/archive_month.html", {"month": first})


@require_safe
@public_page
def archive_index(request: HttpRequest) -> HttpResponse:
    months = Post.objects.published().months()
    return render(request, "digest/archive_index.html", {"months": months})


@require_safe
@public_page
def tag_posts(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    posts = tag.posts.published().newest_first().for_listing()
    return _listing(request, posts, "digest/tag.html", {"tag": tag})


@require_safe
@public_page
def outlet_posts(request: HttpRequest, slug: str) -> HttpResponse:
    outlet = get_object_or_404(Outlet, slug=slug)
    posts = (
        Post.objects.published()
        .filter(credits__outlet=outlet)
        .distinct()
        .newest_first()
        .for_listing()
    )
    return _listing(request, posts, "digest/outlet.html", {"outlet": outlet})


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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)
