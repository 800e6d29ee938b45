"""What an export renders: every page (full), or only what changed since the last one.

The manifest kept in each build (manifest.py) records what the build was made from.
Comparing it with the database says which posts are new, changed or gone (`_changes`), and
from that which pages show them.

List pages are numbered from the oldest post (digest/pagination.py), so a post added or
removed at position i shifts only the pages from i's page to the last one; a new post, the
newest, touches the last page alone. A post edited in place touches the page it is on. A
list's own address (its newest posts) is rendered again when one of them, or the number of
pages (it links to the last but one), changed. The plan lists pages
in the order an in-place update must write them so that no page links to one not yet
written: post pages, then lists (last pages first), then what links to lists and posts
(archive index, feeds, sitemap chunks, sitemap index). Removals come after all of them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.sitemaps import Sitemap
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from clipdesk.digest.links import url
from clipdesk.digest.models import Post
from clipdesk.digest.pagination import page_count, page_for_index
from clipdesk.digest.sitemaps import SITEMAPS
from clipdesk.publish.manifest import (
    Manifest,
    PostEntry,
    PostTable,
    code_fingerprint,
    id_print,
    mixed_id,
    moved_table,
    newest_edit,
    outlet_table,
    post_entries,
    post_versions,
    site_fingerprint,
    tag_table,
)
from clipdesk.publish.rendering import site_root

Page = tuple[str, int | None]  # (path, page number); None is the path's own page


@dataclass
class Plan:
    """Pages to render, in the order to write them, and folders or files to delete."""

    mode: str  # "full" or "incremental"
    reason: str
    pages: list[Page] = field(default_factory=list)
    compared: str = "every post"  # which posts were compared with the manifest
    remove: set[str] = field(default_factory=set)  # list or post paths: their whole folder
    remove_pages: set[Page] = field(default_factory=set)


def _locations(sitemap: Sitemap) -> Iterator[str]:
    """Every location a sitemap lists, by its own `paths()` when it has one (the posts')."""
    if hasattr(sitemap, "paths"):
        yield from sitemap.paths()
        return
    items = sitemap.items()
    for item in items.iterator(2000) if isinstance(items, QuerySet) else items:
        yield sitemap.location(item)


# Posts edited since the last export are found among those whose updated_at is at most this
# much older than the newest edit the last export saw: a transaction that stamps a post and
# commits later than this, or a writer whose clock is this far behind, is not waited for.
RECENT_EDITS = datetime.timedelta(minutes=10)
# Every post is compared again when the last full comparison is older than this.
COMPARE_ALL_EVERY = datetime.timedelta(days=1)


@dataclass
class Changes:
    """Posts new or changed since a manifest was written, posts gone, and how it was found."""

    changed: set[int]
    gone: set[int]
    newest_edit: str | None
    compared_at: str | None
    how: str


def _changes(old: Manifest) -> Changes:
    """What changed since `old`, read from the recent edits when that can be trusted.

    Comparing every post's version with the manifest reads every post: at 100,000 posts that
    was two thirds of an incremental export's plan. Edits stamp updated_at, so only posts
    stamped since a little before the newest edit the last export saw (RECENT_EDITS) are
    compared. What that misses (a post deleted, or its status changed without a stamp) shows
    in the published posts' id fingerprint, summed by the database: when it differs from the
    manifest's with the recent changes applied, or the last full comparison is a day old,
    every post is compared, as a full export would.
    """
    if old.newest_edit is None or old.compared_at is None:
        return _compare_all(old, "the manifest has no edit time")
    if timezone.now() - datetime.datetime.fromisoformat(old.compared_at) > COMPARE_ALL_EVERY:
        return _compare_all(old, "the last comparison of every post is a day old")
    newest = datetime.datetime.fromisoformat(old.newest_edit)
    recent = Post.objects.filter(updated_at__gte=newest - RECENT_EDITS).order_by()
    recent = recent.annotate(version=Cast("updated_at", CharField()))
    enough = len(old.posts) // 10 + 100  # past this, one read of every post is cheaper
    rows = list(recent.values_list("id", "status", "version", "updated_at")[: enough + 1])
    if len(rows) > enough:
        return _compare_all(old, "a tenth of the posts or more were edited recently")
    published = Post.Status.PUBLISHED
    changed = {
        pk
        for pk, status, version, _ in rows
        if status == published and old.posts.version(pk) != version.replace(" ", "T")
    }
    gone = {pk for pk, status, _, _ in rows if status != published and pk in old.posts}
    count, total, mixed = old.posts.id_print()
    for pk in gone:
        count, total, mixed = count - 1, total - pk, mixed - mixed_id(pk)
    for pk in {pk for pk in changed if pk not in old.posts}:
        count, total, mixed = count + 1, total + pk, mixed + mixed_id(pk)
    if (count, total, mixed) != id_print(Post.objects.published()):
        return _compare_all(old, "posts were deleted, or published or withdrawn unstamped")
    newest = max([newest, *(edited for *_, edited in rows)]).isoformat()
    return Changes(changed, gone, newest, old.compared_at, f"the {len(rows)} edited recently")


def _compare_all(old: Manifest, why: str) -> Changes:
    """Every published post's version against the manifest's."""
    newest = newest_edit(Post.objects.all())
    versions = post_versions(Post.objects.published())
    known = old.posts.versions()
    gone = {pk for pk in known if pk not in versions}
    changed = {pk for pk, version in versions.items() if known.get(pk) != version}
    return Changes(changed, gone, newest, timezone.now().isoformat(), f"every post ({why})")


# --- addresses ----------------------------------------------------------------------------


def front_path() -> str:
    with site_root():
        return url("digest:front_page")


def month_path(day: datetime.date) -> str:
    with site_root():
        return url("digest:archive_month", day.year, day.month)


def year_path(year: int) -> str:
    with site_root():
        return url("digest:archive_year", year)


def tag_path(slug: str) -> str:
    with site_root():
        return url("digest:tag", slug)


def outlet_path(slug: str) -> str:
    with site_root():
        return url("digest:outlet", slug)


def post_path(slug: str) -> str:
    with site_root():
        return url("digest:post", slug)


def sitemap_path(section: str | None = None) -> str:
    """The sitemap index, or one section's sitemap."""
    with site_root():
        if section is None:
            return reverse("sitemap")
        return reverse("sitemap_section", kwargs={"section": section})


def archive_index_path() -> str:
    with site_root():
        return reverse("digest:archive_index")


def feed_paths() -> list[str]:
    with site_root():
        return [reverse("digest:feed_rss"), reverse("digest:feed_atom")]


def robots_path() -> str:
    with site_root():
        return reverse("robots_txt")


# --- lists --------------------------------------------------------------------------------


def list_counts(
    posts: PostTable, tags: dict[int, list[str]], outlets: dict[int, list[str]]
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


def _list_pages(path: str, numbered: Iterable[int], own: bool = True) -> list[Page]:
    """A list's pages in writing order: numbered ones from the last, then its own address.

    A page links to the next newer one, so the newer is written first.
    """
    return [(path, n) for n in sorted(set(numbered), reverse=True)] + [(path, None)] * own


def _sitemap_chunks(section: str, chunks: Iterable[int]) -> list[Page]:
    """Chunk 1 is the section's own address (Django's index links it without ?p=)."""
    path = sitemap_path(section)
    return [(path, None if n == 1 else n) for n in sorted(set(chunks))]


# --- the plans ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """A plan and what the new manifest records about the site it leads to."""

    plan: Plan
    posts: PostTable = field(default_factory=PostTable)
    lists: dict[str, int] = field(default_factory=dict)
    sitemaps: dict[str, int] = field(default_factory=dict)
    newest_edit: str | None = None
    compared_at: str | None = None
    moved: dict[str, int] = field(default_factory=dict)  # old slug -> post id


def full_plan(reason: str, per_page: int) -> Outcome:
    """Every URL of the sitemap, with every page of the paginated ones, then the rest."""
    # Read before the posts: an edit between the two reads is then among the recent edits
    # the next incremental export compares.
    newest, compared_at = newest_edit(Post.objects.all()), timezone.now().isoformat()
    posts = post_entries()
    counts = list_counts(posts, tag_table(), outlet_table())
    lists = {path: page_count(n, per_page) for path, n in counts.items()}
    plan = Plan(mode="full", reason=reason)
    seen: set[str] = set()
    chunks: dict[str, int] = {}
    with site_root():
        for section, sitemap_class in SITEMAPS.items():
            sitemap = sitemap_class()
            chunks[section] = sitemap.paginator.num_pages
            for path in _locations(sitemap):
                if path in seen:
                    continue
                seen.add(path)
                if path in lists:
                    plan.pages += _list_pages(path, range(1, lists[path] + 1))
                else:
                    plan.pages.append((path, None))
    for path in sorted(set(lists) - seen):
        plan.pages += _list_pages(path, range(1, lists[path] + 1))
    moved = moved_table()
    plan.pages += [(post_path(slug), None) for slug in sorted(moved)]
    plan.pages += [(archive_index_path(), None), *((p, None) for p in feed_paths())]
    for section, count in chunks.items():
        plan.pages += _sitemap_chunks(section, range(1, count + 1))
    plan.pages += [(sitemap_path(), None), (robots_path(), None)]
    return Outcome(plan, posts, lists, chunks, newest, compared_at, moved)


@dataclass
class _Touch:
    """What happened to one list: the keys (day, id) of posts that came, went or changed."""

    kind: str
    key: object
    moved: list[tuple[int, int]] = field(default_factory=list)
    in_place: list[tuple[int, int]] = field(default_factory=list)

    @property
    def touched(self) -> list[tuple[int, int]]:
        return self.moved + self.in_place


_SECTION_OF = {"month": "pages", "tag": "tags", "outlet": "outlets"}


def incremental_plan(old: Manifest, per_page: int) -> Outcome:
    """The pages a change since `old` touched, with what the new manifest records.

    When the previous build cannot be patched, the plan's mode is "full" and its reason says
    why (the caller then makes a full plan).
    """
    reason = _needs_full(old, per_page)
    if reason:
        return Outcome(Plan(mode="full", reason=reason))
    changes = _changes(old)
    changed, gone = changes.changed, changes.gone
    fresh = post_entries(changed) if changed else PostTable()
    # A post unpublished between the two reads is gone, not changed.
    gone |= {pk for pk in changed if pk not in fresh and pk in old.posts}
    changed = set(fresh)
    posts = old.posts.copy()
    for pk in gone | changed:
        posts.pop(pk, None)
    posts.update(fresh)
    plan = Plan(mode="incremental", reason=f"{len(changed)} new or changed, {len(gone)} gone")
    plan.compared = changes.how
    outcome = Outcome(
        plan,
        posts,
        dict(old.lists),
        dict(old.sitemaps),
        changes.newest_edit,
        changes.compared_at,
        moved_table(),
    )
    _plan_moved(plan, old.moved, outcome.moved, changed | gone)
    if not changed and not gone:
        return outcome

    tags, outlets = tag_table(), outlet_table()
    old_tags = {**tags, **old.tags}
    old_outlets = {**outlets, **old.outlets}
    touched: dict[str, _Touch] = {}

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
            plan.pages.append((post_path(after.slug), None))
        for path in was.keys() | now.keys():
            entry = touched.setdefault(path, _Touch(*(now.get(path) or was[path])))
            same_place = before and after and path in was and path in now
            if same_place and before.day == after.day:
                entry.in_place.append((after.day, pk))
            else:
                if before and path in was:
                    entry.moved.append((before.day, pk))
                if after and path in now:
                    entry.moved.append((after.day, pk))

    sections: set[str] = set()  # sitemap sections whose list of URLs changed
    years: set[int] = set()  # whose months came or went
    for path, entry in sorted(touched.items()):
        if _plan_list(plan, outcome.lists, path, entry, per_page):
            sections.add(_SECTION_OF.get(entry.kind, "pages"))
            if entry.kind == "month":
                years.add(datetime.date.fromordinal(entry.key).year)
    if "pages" in sections:  # a month came or went
        plan.pages.append((archive_index_path(), None))
    for year in sorted(years):  # a year's page lists its months
        path = year_path(year)
        if any(listed.startswith(path) for listed in outcome.lists):
            plan.pages.append((path, None))
        else:
            plan.remove.add(path)  # its last month went
    plan.pages += [(p, None) for p in feed_paths()]
    _plan_sitemaps(plan, old, outcome, changed, gone, sections)
    # A slug given up by one post and taken by another in the same export stays.
    plan.remove -= {path for path, number in plan.pages if number is None}
    return outcome


def _plan_moved(plan: Plan, old: dict[str, int], new: dict[str, int], posts: set[int]) -> None:
    """The pages at posts' old addresses: one for each new old slug, or whose post changed
    (its slug may have: the page names the new address); removed when the slug was taken by
    another post (its page then replaces this) or its post was withdrawn or deleted.

    A page at an old address is written after the post's page it sends readers to
    (export.in_writing_order writes new files first; the post's folder at the new slug is
    new, and one at an old slug replaces what was there).
    """
    for slug, pk in sorted(new.items()):
        if old.get(slug) != pk or pk in posts:
            plan.pages.append((post_path(slug), None))
    plan.remove |= {post_path(slug) for slug in old.keys() - new.keys()}


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


def _plan_list(plan: Plan, lists: dict[str, int], path: str, touch: _Touch, per: int) -> bool:
    """Pages of one list to render again or delete; True when the list came or went."""
    posts = _list_queryset(touch.kind, touch.key)
    count = posts.count()
    old_pages = lists.get(path, 0)
    if count == 0 and touch.kind != "front":
        plan.remove.add(path)
        lists.pop(path, None)
        return old_pages > 0
    new_pages = page_count(count, per)
    lists[path] = new_pages

    def page_of(key: tuple[int, int]) -> int:
        """The page holding the post at `key` now (for one gone: the first page that shifted)."""
        day, pk = key
        date = datetime.date.fromordinal(day)
        older = Q(posted_on_inferred__lt=date) | Q(posted_on_inferred=date, pk__lt=pk)
        return page_for_index(posts.filter(older).count(), per)

    wanted = {page_of(key) for key in touch.in_place}
    if touch.moved:
        # Every post from the first one that came or went onwards changed its place.
        wanted |= set(range(min(page_of(key) for key in touch.moved), new_pages + 1))
    if new_pages != old_pages:
        # The old last page gains or loses its link to a newer page; new pages appear.
        wanted |= set(range(max(1, min(old_pages, new_pages)), new_pages + 1))
    # The list's own address shows the newest `per` posts and links to page N - 1.
    newest = posts.order_by("-posted_on_inferred", "-pk").values_list("posted_on_inferred", "pk")
    boundary = newest[per - 1 : per].first()
    own = (
        new_pages != old_pages
        or boundary is None
        or any(key >= (boundary[0].toordinal(), boundary[1]) for key in touch.touched)
    )
    plan.pages += _list_pages(path, (n for n in wanted if n <= new_pages), own)
    plan.remove_pages |= {(path, n) for n in range(new_pages + 1, old_pages + 1)}
    return old_pages == 0


def _plan_sitemaps(
    plan: Plan,
    old: Manifest,
    outcome: Outcome,
    changed: set[int],
    gone: set[int],
    sections: set[str],
) -> None:
    """The sitemap chunks that changed, then the index (it names every chunk).

    Posts are listed by id, oldest first: a post edited in place changes its own chunk (its
    lastmod); one that came or went shifts every later chunk. The other sections list lists,
    which change only when a list comes or goes; they are small and rendered whole.
    """
    posts, size = outcome.posts, SITEMAPS["posts"].limit

    def chunk_of(pk: int) -> int:
        """The chunk listing `pk` (for one gone: the first chunk that shifted)."""
        return page_for_index(posts.position(pk), size)

    count = page_count(len(posts), size)
    edited = {pk for pk in changed if pk in old.posts}
    moved = [chunk_of(pk) for pk in (changed - edited) | gone]
    wanted = {chunk_of(pk) for pk in edited}
    if moved:
        wanted |= set(range(min(moved), count + 1))
    _replace_chunks(plan, outcome.sitemaps, "posts", count, wanted)
    with site_root():
        for section in sorted(sections):
            new = SITEMAPS[section]().paginator.num_pages
            _replace_chunks(plan, outcome.sitemaps, section, new, range(1, new + 1))
    plan.pages.append((sitemap_path(), None))


def _replace_chunks(
    plan: Plan, chunks: dict[str, int], section: str, count: int, wanted: Iterable[int]
) -> None:
    old_count = chunks.get(section, 0)
    wanted = {*wanted, *range(old_count + 1, count + 1)}  # chunks do not link to each other
    plan.pages += _sitemap_chunks(section, (n for n in wanted if n <= count))
    path = sitemap_path(section)
    plan.remove_pages |= {(path, n) for n in range(count + 1, old_count + 1)}
    chunks[section] = count
