"""The reader's search page and the JSON API: thin views over `service.search`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clipdesk.digest.pagination import NoSuchPage, parse_page_number
from clipdesk.people.roles import can_use_desk
from clipdesk.search import service
from clipdesk.search.backends import KINDS
from clipdesk.search.query import parse


def _link(query: str, sort: str, page: int = 1) -> str:
    params = {"q": query}
    if sort != "relevance":
        params["sort"] = sort
    if page > 1:
        params["page"] = str(page)
    return "?" + urlencode(params)


def _page_number(request: HttpRequest) -> int:
    """`?page=` as the list pages read it, 1 when absent; NoSuchPage for 0, -1 or "abc" (the
    search would answer page 1 for them, under an address of its own)."""
    number = parse_page_number(request.GET.get("page"))
    if number == 0:
        raise NoSuchPage("0")
    return number or 1


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """/search/: published posts only; an empty query shows the form alone."""
    query = request.GET.get("q", "")
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in service.SORTS else "relevance"  # as searched: links carry no other
    context: dict = {"query": "", "sort": sort}  # blanks alone (\x1c is one) show as nothing
    try:
        page = _page_number(request)
    except NoSuchPage as exc:
        raise Http404("No such page.") from exc
    if query.strip():
        found = service.search(query, type="post", page=page, sort=sort)
        if found.page > found.pages:  # as the list pages do past their end
            raise Http404(f"There are {found.pages} page(s) of results.")
        _keep_the_watchlist(request, found)
        context["found"] = found
        context["query"] = found.query  # as searched: NUL and other controls taken out
        # A facet narrows by adding its filter to the query; a second filter of one kind
        # widens instead (repeats are ORed: "outlet:a outlet:b" is either), so a kind the
        # query filters on already offers no links (they led to more results, not fewer).
        filtered = parse(found.query).filters
        context["facets"] = [
            (title, [(value, _link(f"{found.query} {value.filter}", sort)) for value in values])
            for title, values, already in (
                ("Outlets", found.facets.get("outlet", []), filtered.outlet),
                ("Years", found.facets.get("year", []), filtered.date_from or filtered.date_to),
                ("Watched names", found.facets.get("entity", []), filtered.entity),
            )
            if values and not already
        ]
        if found.page > 1:
            context["previous"] = _link(found.query, found.sort, found.page - 1)
        if found.page < found.pages:
            context["next"] = _link(found.query, found.sort, found.page + 1)
        context["by_date"] = _link(found.query, "date")
        context["by_relevance"] = _link(found.query, "relevance")
    return render(request, "search/search.html", context)


@require_safe
def search_api(request: HttpRequest) -> JsonResponse:
    """GET /api/search?q=&type=post|article&page=&per_page=&sort=relevance|date

    Posts are public; articles are the desk's working material, so they need an editor's
    (or an admin's) login, as the desk does (people/roles.py). Being marked staff lets an
    account into the admin, with what its role allows there; it is no desk role.
    """
    kind = request.GET.get("type", "post")
    if kind not in KINDS:
        return JsonResponse({"error": f"type must be one of: {', '.join(KINDS)}"}, status=400)
    if kind == "article" and not can_use_desk(request.user):
        return JsonResponse({"error": "searching articles needs an editor's login"}, status=403)
    try:
        page = _page_number(request)
    except NoSuchPage:
        return JsonResponse({"error": "page must be a whole number from 1"}, status=400)
    per_page = request.GET.get("per_page") or "20"
    if not _whole_number_within(per_page, 1, service.MAX_PER_PAGE):
        said = f"per_page must be a whole number from 1 to {service.MAX_PER_PAGE}"
        return JsonResponse({"error": said}, status=400)
    sort = request.GET.get("sort") or "relevance"
    if sort not in service.SORTS:
        said = f"sort must be one of: {', '.join(service.SORTS)}"
        return JsonResponse({"error": said}, status=400)
    found = service.search(
        request.GET.get("q", ""), type=kind, page=page, per_page=int(per_page), sort=sort
    )
    if found.page > found.pages:
        return JsonResponse(
            {"error": f"page {found.page} is past the last page of results ({found.pages})"},
            status=404,
        )
    _keep_the_watchlist(request, found)
    return JsonResponse(found.as_json(), json_dumps_params={"ensure_ascii": False})


def _whole_number_within(text: str, low: int, high: int) -> bool:
    # Digits only, and few: int() reads "+5", " 5" and "٥", and refuses 4,300 digits and more.
    return text.isascii() and text.isdigit() and len(text) <= 6 and low <= int(text) <= high


def _keep_the_watchlist(request: HttpRequest, found: service.SearchResults) -> None:
    """The names searched besides what was typed are the watchlist's: shown to the desk's
    people only. Any reader who typed one acronym was shown every alias of its entity, and
    could learn whom the organisation watches, under every name, with nothing published."""
    if not can_use_desk(request.user):
        found.expanded_aliases = []
