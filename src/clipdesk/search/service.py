"""Search, read top to bottom: the one function that views, the API and the command call.

`search(query, type=..., page=..., per_page=..., sort=...)`:
1. Parse the text into a tree (`query.parse`); nothing typed reaches an engine as syntax.
2. Resolve names: clauses that name a watched entity become any of its aliases, and outlet:,
   entity: and tag: filters become ids (`resolving`).
3. Ask the engine of this instance (`backends.get_backend`) for one page of ids, the total
   and the facet counts.
4. Load those rows (only published posts), and cut highlighted snippets (`snippets`).
5. Name the facet values (outlet and entity names) and say what was not understood.

It never raises for what a reader types: anything it cannot use is dropped and said in
`message`; an engine that cannot answer gives an empty page with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from clipdesk.articles.models import Article
from clipdesk.digest.models import Outlet, Post
from clipdesk.search.aliases import expand_aliases
from clipdesk.search.backends import FACET_SIZE, KINDS, Plan, SearchUnavailable, get_backend
from clipdesk.search.documents import MATCHERS, article_text, post_text
from clipdesk.search.query import parse
from clipdesk.search.resolving import load_alias_book, resolve_filters
from clipdesk.search.snippets import Highlighter, mark, snippet
from clipdesk.watch.models import Entity

log = logging.getLogger(__name__)

SORTS = ("relevance", "date")
MAX_PER_PAGE = 100
MAX_RESULTS = 10_000  # deeper pages cost the engine more and no reader goes there


@dataclass(frozen=True)
class Result:
    type: str
    id: int
    title: str
    url: str
    date: str  # ISO 8601
    snippet: str  # HTML: escaped text with <mark>
    title_html: str = ""  # the title, escaped and marked

    def as_json(self) -> dict:
        return {
            key: getattr(self, key) for key in ("type", "id", "title", "url", "date", "snippet")
        }


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    filter: str  # what to add to the query to narrow to this value


@dataclass
class SearchResults:
    query: str
    type: str = "post"
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    total: int = 0
    # The engine counted a sample of a very large result and scaled it up (PostgreSQL): the
    # total is rounded to two significant digits and shown as "about".
    total_is_estimate: bool = False
    results: list[Result] = field(default_factory=list)
    expanded_aliases: list[str] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_estimated: bool = False
    # ISO date: relevance was computed for the matches of this day or later only (a very
    # large result on PostgreSQL); "" when every match was ranked.
    ranked_since: str = ""
    message: str = ""
    engine: str = ""

    @property
    def pages(self) -> int:
        reachable = min(self.total, MAX_RESULTS)
        return max(1, -(-reachable // self.per_page))

    def as_json(self) -> dict:
        return {
            "query": self.query,
            "expanded_aliases": self.expanded_aliases,
            "total": self.total,
            "total_is_estimate": self.total_is_estimate,
            "results": [result.as_json() for result in self.results],
            "type": self.type,
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "facets": {
                name: [asdict(value) for value in values] for name, values in self.facets.items()
            },
            "facets_estimated": self.facets_estimated,
            "ranked_since": self.ranked_since or None,
            "message": self.message,
        }


def about(count: int) -> int:
    """An estimated count rounded to two significant digits: 312,417 → 310,000."""
    if count < 100:
        return count
    step = 10 ** (len(str(count)) - 2)
    return round(count / step) * step


def _clamp(value, low: int, high: int, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def search(
    query: str,
    *,
    type: str = "post",
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
) -> SearchResults:
    """One page of results for a reader's query; see the module docstring for the stages."""
    if type not in KINDS:
        raise ValueError(f"search: type must be one of {KINDS}, not {type!r}")
    sort = sort if sort in SORTS else "relevance"
    per_page = _clamp(per_page, 1, MAX_PER_PAGE, 20)
    # Up to one past the last page results reach, so that the views answer it with a 404
    # (clamped to the last whole page, page 334 of 30 a page showed page 333 as itself).
    page = _clamp(page, 1, -(-MAX_RESULTS // per_page) + 1, 1)
    parsed = parse(query if isinstance(query, str) else "")
    results = SearchResults(parsed.text, type=type, sort=sort, page=page, per_page=per_page)
    notes = list(parsed.notes)
    if parsed.is_empty:
        results.message = " ".join(notes)
        return results

    # 2.
    book = load_alias_book()
    expansion = expand_aliases(parsed.include, parsed.exclude, book)
    filters = resolve_filters(parsed.filters, book)
    notes += filters.notes
    results.expanded_aliases = expansion.also_searched
    if type == "article" and parsed.filters.tag:
        notes.append("Articles have no tags; tag: finds posts only.")
    plan = Plan(
        kind=type,
        include=tuple(expansion.include),
        exclude=tuple(expansion.exclude),
        outlets=filters.outlets,
        entities=filters.entities,
        tags=filters.tags if type == "post" or filters.tags is None else frozenset(),
        langs=filters.langs,
        date_from=parsed.filters.date_from,
        date_to=parsed.filters.date_to,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=max(1, min(per_page, MAX_RESULTS - (page - 1) * per_page)),
    )
    if not plan.include and plan.sort == "relevance":
        results.sort = "date"  # nothing to rank by: newest first
    nothing_passes = any(
        ids is not None and not ids for ids in (plan.outlets, plan.entities, plan.tags)
    )

    # 3.
    backend = get_backend()
    results.engine = backend.name
    if not nothing_passes:
        try:
            found = backend.search(plan)
        except SearchUnavailable as exc:
            results.message = " ".join([*notes, str(exc)])
            return results
        except Exception:
            # Whatever went wrong is ours, not the reader's: log it, answer with an empty page.
            log.exception("search_failed engine=%s query=%r", backend.name, parsed.text[:200])
            results.message = " ".join([*notes, "Search is not available right now."])
            return results
        results.total = found.total
        if found.total_is_estimate:
            results.total = about(found.total)
            results.total_is_estimate = True
        if found.ranked_since is not None:
            results.ranked_since = found.ranked_since.isoformat()
            notes.append(
                f"Very many matches: ranked among the newest, since {results.ranked_since}. "
                "Add a word or a filter to rank them all."
            )
        # 4.
        matcher = MATCHERS.get() if expansion.entities else None
        highlighter = Highlighter.for_nodes(list(plan.include), expansion.acronyms, matcher)
        results.results = _load(type, found.ids, highlighter)
        # 5.
        results.facets = _name_facets(found.facets)
        results.facets_estimated = found.facets_estimated
    if results.total == 0 and not notes:
        notes.append("Nothing matched.")
    results.message = " ".join(notes)
    return results


def _load(kind: str, ids: list[int], highlighter: Highlighter) -> list[Result]:
    """The rows of a page of ids, in that order; rows gone since indexing are skipped."""
    if kind == "post":
        rows = Post.objects.published().in_bulk(ids)
        return [
            Result(
                type="post",
                id=post.pk,
                title=post.headline,
                url=post.get_absolute_url(),
                date=post.posted_on_inferred.isoformat(),
                snippet=snippet(post_text(post), highlighter),
                title_html=mark(post.headline, highlighter),
            )
            for post in (rows.get(i) for i in ids)
            if post is not None
        ]
    rows = Article.objects.in_bulk(ids)
    return [
        Result(
            type="article",
            id=article.pk,
            title=article.title or article.url,
            url=article.canonical_url or article.url,
            date=(article.published or article.fetched_at.date()).isoformat(),
            snippet=snippet(article_text(article), highlighter),
            title_html=mark(article.title or article.url, highlighter),
        )
        for article in (rows.get(i) for i in ids)
        if article is not None
    ]


def _top(counts: dict[int, int], labels: dict[int, str]) -> list[tuple[int, int]]:
    known = [(key, count) for key, count in counts.items() if key in labels]
    known.sort(key=lambda item: (-item[1], labels[item[0]].casefold(), item[0]))
    return known[:FACET_SIZE]


def _quoted(text: str) -> str:
    text = text.replace('"', " ").strip()
    return f'"{text}"' if any(c.isspace() or c == ":" for c in text) else text


def _name_facets(facets: dict[str, dict[int, int]]) -> dict[str, list[FacetValue]]:
    if not facets:
        return {}
    outlets = {
        o.pk: o
        for o in Outlet.objects.filter(pk__in=list(facets.get("outlet", {}))).only("name", "slug")
    }
    entities = dict(
        Entity.objects.filter(pk__in=list(facets.get("entity", {}))).values_list("id", "name")
    )
    outlet_names = {pk: outlet.name for pk, outlet in outlets.items()}
    return {
        "outlet": [
            FacetValue(outlet_names[pk], count, f"outlet:{outlets[pk].slug}")
            for pk, count in _top(facets.get("outlet", {}), outlet_names)
        ],
        "year": [
            FacetValue(str(year), count, f"from:{year:04d} to:{year:04d}")  # YYYY, as parsed
            for year, count in sorted(facets.get("year", {}).items(), reverse=True)
        ],
        "entity": [
            FacetValue(entities[pk], count, f"entity:{_quoted(entities[pk])}")
            for pk, count in _top(facets.get("entity", {}), entities)
        ],
    }
