"""What an export renders: every page (full), or only what changed since the last one.

The manifest, kept in each build as MANIFEST, records what the build was made from: each
published post's slug, updated_at, date and the tags and outlets it is listed under, each
list's number of pages, and fingerprints of everything else a page shows (the site profile,
tag and outlet names, templates and static files). Comparing it with the database says which
posts are new, changed or gone, and from that which pages show them.

Lists are paginated newest first, so a post added or removed at position i shifts every
later page of each list it is in: those pages are re-rendered, earlier ones are not. A post
edited in place touches only the page it is on. When a list's page count changes, every page
of it changes ("Page 3 of 41").
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q, QuerySet
from django.urls import reverse

import clipdesk
from clipdesk.digest.models import Credit, Outlet, Post, SiteProfile, Tag
from clipdesk.digest.sitemaps import SITEMAPS
from clipdesk.publish.rendering import site_root

MANIFEST = ".clipdesk-export.json"
FORMAT = 1
_CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


@dataclass
class PostEntry:
    slug: str
    updated: int  # microseconds since the epoch
    day: int  # posted_on_inferred as an ordinal: the list order is (day, id), newest first
    tags: list[int]
    outlets: list[int]

    @property
    def date(self) -> datetime.date:
        return datetime.date.fromordinal(self.day)

    def as_json(self) -> list:
        return [self.slug, self.updated, self.day, self.tags, self.outlets]


@dataclass
class Manifest:
    code: str
    base_url: str
    per_page: int
    site: str
    tags: dict[int, list[str]]
    outlets: dict[int, list[str]]
    lists: dict[str, int]  # list path -> number of pages
    posts: dict[int, PostEntry]
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        data = {
            "format": self.format,
            "code": self.code,
            "base_url": self.base_url,
            "per_page": self.per_page,
            "site": self.site,
            "tags": self.tags,
            "outlets": self.outlets,
            "lists": self.lists,
            "posts": {pk: entry.as_json() for pk, entry in self.posts.items()},
        }
        (folder / MANIFEST).write_text(json.dumps(data, separators=(",", ":")))

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        try:
            data = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        if data.get("format") != FORMAT:
            return None
        return cls(
            code=data["code"],
            base_url=data["base_url"],
            per_page=data["per_page"],
            site=data["site"],
            tags={int(k): v for k, v in data["tags"].items()},
            outlets={int(k): v for k, v in data["outlets"].items()},
            lists=data["lists"],
            posts={int(k): PostEntry(*v) for k, v in data["posts"].items()},
        )


@dataclass
class Plan:
    """Pages to render as (path, page number), and folders or files to delete."""

    mode: str  # "full" or "incremental"
    reason: str
    pages: list[tuple[str, int]] = field(default_factory=list)
    remove: set[str] = field(default_factory=set)  # list or post paths: their whole folder
    remove_pages: set[tuple[str, int]] = field(default_factory=set)


# --- fingerprints -------------------------------------------------------------------------


def _hash(value: object) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def code_fingerprint() -> str:
    """Templates and static files: when they change, every page may change."""
    root = Path(clipdesk.__file__).parent
    digest = hashlib.blake2b(clipdesk.__version__.encode(), digest_size=12)
    files = sorted(
        p for pattern in ("**/templates/**/*", "**/static/**/*") for p in root.glob(pattern)
    )
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def site_fingerprint() -> str:
    profile = SiteProfile.load()
    return _hash((profile.name, profile.tagline, profile.about))


def tag_table() -> dict[int, list[str]]:
    return {pk: [slug, name] for pk, slug, name in Tag.objects.values_list("id", "slug", "name")}


def outlet_table() -> dict[int, list[str]]:
    rows = Outlet.objects.values_list("id", "slug", "name", "homepage")
    return {pk: [slug, name, homepage] for pk, slug, name, homepage in rows}


# --- reading the database -----------------------------------------------------------------


def _micros(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def post_entries(ids: Iterable[int] | None = None) -> dict[int, PostEntry]:
    """Manifest entries of published posts: all of them, or those among `ids`."""
    published = Post.objects.published()
    if ids is None:
        groups = [published]
    else:
        groups = [published.filter(pk__in=chunk) for chunk in _chunks(list(ids))]
    entries: dict[int, PostEntry] = {}
    for posts in groups:
        rows = posts.values_list("id", "slug", "updated_at", "posted_on_inferred")
        batch = {
            pk: PostEntry(slug, _micros(updated), day.toordinal(), [], [])
            for pk, slug, updated, day in rows
        }
        through = Post.tags.through.objects.filter(post__in=posts)
        for post_id, tag_id in through.values_list("post_id", "tag_id").order_by("tag_id"):
            batch[post_id].tags.append(tag_id)
        credits = Credit.objects.filter(post__in=posts, outlet__isnull=False)
        pairs = credits.values_list("post_id", "outlet_id").distinct().order_by("outlet_id")
        for post_id, outlet_id in pairs:
            batch[post_id].outlets.append(outlet_id)
        entries.update(batch)
    return entries


def published_versions() -> dict[int, int]:
    """updated_at of every published post: the one query an incremental export always makes."""
    rows = Post.objects.published().values_list("id", "updated_at")
    return {pk: _micros(updated) for pk, updated in rows}


# --- lists --------------------------------------------------------------------------------


def front_path() -> str:
    with site_root():
        return reverse("digest:front_page")


def month_path(day: datetime.date) -> str:
    with site_root():
        return reverse("digest:archive_month", args=[day.year, day.month])


def tag_path(slug: str) -> str:
    with site_root():
        return reverse("digest:tag", args=[slug])


def outlet_path(slug: str) -> str:
    with site_root():
        return reverse("digest:outlet", args=[slug])


def post_path(slug: str) -> str:
    with site_root():
        return reverse("digest:post", args=[slug])


def pages_for(count: int, per_page: int) -> int:
    """The views' Paginator: at least one page, even when empty."""
    return max(1, math.ceil(count / per_page))


def list_counts(
    posts: dict[int, PostEntry], tags: dict[int, list[str]], outlets: dict[int, list[str]]
) -> dict[str, int]:
    """Posts per list path (front page, months, tags, outlets), from manifest entries."""
    months: dict[tuple[int, int], int] = defaultdict(int)
    per_tag: dict[int, int] = defaultdict(int)
    per_outlet: dict[int, int] = defaultdict(int)
    for entry in posts.values():
        day = entry.date
        months[day.year, day.month] += 1
        for tag_id in entry.tags:
            per_tag[tag_id] += 1
        for outlet_id in entry.outlets:
            per_outlet[outlet_id] += 1
    counts = {front_path(): len(posts)}
    for (year, month), n in months.items():
        counts[month_path(datetime.date(year, month, 1))] = n
    counts.update({tag_path(tags[pk][0]): n for pk, n in per_tag.items()})
    counts.update({outlet_path(outlets[pk][0]): n for pk, n in per_outlet.items()})
    return counts


def _list_queryset(kind: str, key: object) -> QuerySet[Post]:
    """The posts of one list, as its view selects them."""
    published = Post.objects.published()
    if kind == "month":
        day = datetime.date.fromordinal(key)
        return published.in_month(day.year, day.month)
    if kind == "tag":
        return published.filter(tags=key)
    if kind == "outlet":
        return published.filter(credits__outlet=key).distinct()
    return published


# --- the plans ----------------------------------------------------------------------------


def full_plan(reason: str, per_page: int) -> tuple[Plan, dict[int, PostEntry], dict[str, int]]:
    """Every URL of the sitemap, with every page of the paginated ones, then the rest.

    Returns the plan, the new manifest's posts and lists.
    """
    posts = post_entries()
    counts = list_counts(posts, tag_table(), outlet_table())
    lists = {path: pages_for(n, per_page) for path, n in counts.items()}
    plan = Plan(mode="full", reason=reason)
    seen: set[str] = set()
    with site_root():
        for sitemap_class in SITEMAPS.values():
            sitemap = sitemap_class()
            items = sitemap.items()
            for item in items.iterator(2000) if isinstance(items, QuerySet) else items:
                path = sitemap.location(item)
                if path in seen:
                    continue
                seen.add(path)
                plan.pages += [(path, n) for n in range(1, lists.get(path, 1) + 1)]
    missing = set(lists) - seen
    plan.pages += [(path, n) for path in sorted(missing) for n in range(1, lists[path] + 1)]
    plan.pages += [(p, 1) for p in _always_rendered()]
    return plan, posts, lists


def _always_rendered() -> list[str]:
    with site_root():
        return [
            reverse("digest:archive_index"),
            reverse("digest:feed_rss"),
            reverse("digest:feed_atom"),
            reverse("sitemap"),
            reverse("robots_txt"),
        ]


@dataclass
class _Touch:
    """What happened to one list: the keys (day, id) of posts that came, went or changed."""

    kind: str
    key: object
    moved: list[tuple[int, int]] = field(default_factory=list)
    in_place: list[tuple[int, int]] = field(default_factory=list)


def incremental_plan(
    old: Manifest, per_page: int
) -> tuple[Plan, dict[int, PostEntry], dict[str, int]]:
    """The pages a change since `old` touched, with the new manifest's posts and lists.

    When the previous build cannot be patched, the plan's mode is "full" and its reason says
    why (the caller then makes a full plan).
    """
    reason = _needs_full(old, per_page)
    if reason:
        return Plan(mode="full", reason=reason), {}, {}
    versions = published_versions()
    gone = old.posts.keys() - versions.keys()
    changed = {
        pk for pk, v in versions.items() if pk not in old.posts or old.posts[pk].updated != v
    }
    fresh = post_entries(changed) if changed else {}
    posts = {pk: e for pk, e in old.posts.items() if pk not in gone and pk not in changed}
    posts.update(fresh)
    plan = Plan(mode="incremental", reason=f"{len(changed)} new or changed, {len(gone)} gone")
    lists = dict(old.lists)
    if not changed and not gone:
        return plan, posts, lists

    tags, outlets = tag_table(), outlet_table()
    old_tags = {**tags, **old.tags}
    old_outlets = {**outlets, **old.outlets}
    touched: dict[str, _Touch] = {}

    def touch(path: str, kind: str, key: object) -> _Touch:
        return touched.setdefault(path, _Touch(kind, key))

    def lists_of(entry: PostEntry, tag_names, outlet_names) -> dict[str, tuple[str, object]]:
        day = entry.date
        found: dict[str, tuple[str, object]] = {front_path(): ("front", None)}
        found[month_path(day)] = ("month", day.replace(day=1).toordinal())
        found.update({tag_path(tag_names[t][0]): ("tag", t) for t in entry.tags})
        found.update({outlet_path(outlet_names[o][0]): ("outlet", o) for o in entry.outlets})
        return found

    for pk in sorted(changed | gone):
        before, after = old.posts.get(pk), posts.get(pk)
        was = lists_of(before, old_tags, old_outlets) if before else {}
        now = lists_of(after, tags, outlets) if after else {}
        if before and (not after or after.slug != before.slug):
            plan.remove.add(post_path(before.slug))
        if after:
            plan.pages.append((post_path(after.slug), 1))
        for path in was.keys() | now.keys():
            entry = touch(path, *(now.get(path) or was[path]))
            same_place = before and after and path in was and path in now
            if same_place and before.day == after.day:
                entry.in_place.append((after.day, pk))
            else:
                if before and path in was:
                    entry.moved.append((before.day, pk))
                if after and path in now:
                    entry.moved.append((after.day, pk))

    for path, entry in sorted(touched.items()):
        _plan_list(plan, lists, path, entry, per_page)
    plan.pages += [(p, 1) for p in _always_rendered()]
    return plan, posts, lists


def _needs_full(old: Manifest, per_page: int) -> str:
    """Why the previous build cannot be patched, or "" when it can."""
    if old.per_page != per_page:
        return "posts per page changed"
    if old.code != code_fingerprint():
        return "templates or static files changed"
    if old.site != site_fingerprint():
        return "site profile changed"
    # A renamed or deleted outlet or tag shows on pages of posts that did not change.
    tags, outlets = tag_table(), outlet_table()
    if any(tags.get(pk) != value for pk, value in old.tags.items()):
        return "tags renamed or deleted"
    if any(outlets.get(pk) != value for pk, value in old.outlets.items()):
        return "outlets renamed, merged or deleted"
    return ""


def _plan_list(plan: Plan, lists: dict[str, int], path: str, touch: _Touch, per: int) -> None:
    """Pages of one list to render again or delete."""
    posts = _list_queryset(touch.kind, touch.key)
    count = posts.count()
    old_pages = lists.get(path, 0)
    if count == 0 and touch.kind != "front":
        plan.remove.add(path)
        lists.pop(path, None)
        return
    new_pages = pages_for(count, per)
    lists[path] = new_pages

    def page_of(key: tuple[int, int]) -> int:
        day, pk = key
        date = datetime.date.fromordinal(day)
        newer = Q(posted_on_inferred__gt=date) | Q(posted_on_inferred=date, pk__gt=pk)
        before = posts.filter(newer)
        return before.count() // per + 1

    if new_pages != old_pages:
        wanted = set(range(1, new_pages + 1))
    else:
        wanted = {page_of(key) for key in touch.in_place}
        if touch.moved:
            first = min(page_of(key) for key in touch.moved)
            wanted |= set(range(first, new_pages + 1))
    plan.pages += [(path, n) for n in sorted(wanted) if n <= new_pages]
    plan.remove_pages |= {(path, n) for n in range(new_pages + 1, old_pages + 1)}
