"""The manifest of a static build: what it was made from, to compare with the database.

Kept in each build as MANIFEST: each published post's slug, updated_at, date and the tags and
outlets it is listed under, each list's number of pages, the old slugs of posts (whose
addresses hold a page sending readers to the post's new one), each sitemap section's number of
chunks, and fingerprints of everything else a page shows (the site profile, tag and outlet
names, templates and static files). plan.py compares it with the database to find what an
incremental export must render.

The file is one line of JSON (everything but the posts), then one line per post, sorted by
id. An incremental export looks up the few posts that changed by bisection and writes the
lines back joined: at 100,000 posts, reading and writing the posts as a JSON list and
indexing them in a dict took a fifth of the export.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import CharField, Count, F, Max, QuerySet, Sum
from django.db.models.functions import Cast

import clipdesk
from clipdesk.digest.models import Credit, OldSlug, Outlet, Post, SiteProfile, Tag

MANIFEST = ".clipdesk-export.manifest"
# 2: list pages numbered from the oldest post; sitemap sections in chunks. 3: the posts as
# sorted lines after the header; the newest edit seen and the fingerprint of the post ids.
FORMAT = 3
_CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


@dataclass
class PostEntry:
    slug: str
    updated: str  # updated_at as the database spells it (see post_versions)
    day: int  # posted_on_inferred as an ordinal: the list order is (day, id)
    tags: list[int]
    outlets: list[int]

    @property
    def date(self) -> datetime.date:
        return datetime.date.fromordinal(self.day)

    def line(self, pk: int) -> str:
        """The manifest's form: "id updated slug day tag,tag outlet,outlet" (no field holds a
        space). One string per post reads and writes ten times faster than nested lists."""
        tags, outlets = ",".join(map(str, self.tags)), ",".join(map(str, self.outlets))
        return f"{pk} {self.updated} {self.slug} {self.day} {tags} {outlets}"

    @classmethod
    def from_line(cls, line: str) -> PostEntry:
        _, updated, slug, day, tags, outlets = line.split(" ")
        return cls(
            slug,
            updated,
            int(day),
            [int(t) for t in tags.split(",") if t],
            [int(o) for o in outlets.split(",") if o],
        )


# The ids of a set of posts, summarised so that the database and the manifest can be compared
# without listing them: how many, their sum, and the sum of a mix of each (a multiplicative
# hash). A post that came or went unseen changes the count; two that swapped, the sums.
_MIX, _PRIME = 2654435761, 4294967291


def mixed_id(pk: int) -> int:
    return pk * _MIX % _PRIME


IdPrint = tuple[int, int, int]


def id_print(posts: QuerySet[Post]) -> IdPrint:
    """The fingerprint of these posts' ids, summed by the database (one pass over an index)."""
    row = posts.order_by().aggregate(
        n=Count("id"), total=Sum("id"), mixed=Sum(F("id") * _MIX % _PRIME)
    )
    return row["n"], int(row["total"] or 0), int(row["mixed"] or 0)


def _line_id(line: str) -> int:
    return int(line[: line.index(" ")])


class PostTable(MutableMapping):
    """Manifest entries by post id, kept as manifest lines sorted by id and parsed only when
    asked for.

    An incremental export reads the entries of the few posts that changed, found by
    bisection; parsing or indexing all of them (100,000 at the scale this is built for) would
    cost more than the export itself.
    """

    def __init__(self, lines: list[str] | None = None, sums: tuple[int, int] | None = None):
        self._lines = lines if lines is not None else []  # sorted by id
        if sums is None:
            ids = [_line_id(line) for line in self._lines]
            sums = sum(ids), sum(map(mixed_id, ids))
        self._total, self._mixed = sums

    @classmethod
    def from_entries(cls, entries: Mapping[int, PostEntry]) -> PostTable:
        return cls([entries[pk].line(pk) for pk in sorted(entries)])

    def _find(self, pk: int) -> tuple[int, bool]:
        """Where `pk`'s line is, or would go, and whether it is there."""
        at = bisect.bisect_left(self._lines, pk, key=_line_id)
        return at, at < len(self._lines) and _line_id(self._lines[at]) == pk

    def position(self, pk: int) -> int:
        """How many posts of the table have a smaller id."""
        return self._find(pk)[0]

    def version(self, pk: int) -> str | None:
        at, found = self._find(pk)
        return self._lines[at].split(" ", 2)[1] if found else None

    def versions(self) -> dict[int, str]:
        """Every post's version (reads every line: for a comparison of every post)."""
        split = (line.split(" ", 2) for line in self._lines)
        return {int(pk): version for pk, version, _ in split}

    def id_print(self) -> IdPrint:
        return len(self._lines), self._total, self._mixed

    def __getitem__(self, pk: int) -> PostEntry:
        at, found = self._find(pk)
        if not found:
            raise KeyError(pk)
        return PostEntry.from_line(self._lines[at])

    def __setitem__(self, pk: int, entry: PostEntry) -> None:
        at, found = self._find(pk)
        if found:
            self._lines[at] = entry.line(pk)
        else:
            self._lines.insert(at, entry.line(pk))
            self._total += pk
            self._mixed += mixed_id(pk)

    def __delitem__(self, pk: int) -> None:
        at, found = self._find(pk)
        if not found:
            raise KeyError(pk)
        del self._lines[at]
        self._total -= pk
        self._mixed -= mixed_id(pk)

    def __iter__(self) -> Iterator[int]:
        return map(_line_id, self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, pk: object) -> bool:
        return isinstance(pk, int) and self._find(pk)[1]

    def lines(self) -> list[str]:
        return list(self._lines)

    def copy(self) -> PostTable:
        return PostTable(list(self._lines), (self._total, self._mixed))


@dataclass
class Manifest:
    code: str
    base_url: str
    per_page: int
    site: str
    tags: dict[int, list[str]]
    outlets: dict[int, list[str]]
    lists: dict[str, int]  # list path -> number of numbered pages
    posts: PostTable
    sitemaps: dict[str, int] = field(default_factory=dict)  # section -> number of chunks
    moved: dict[str, int] = field(default_factory=dict)  # a post's old slug -> the post's id
    # The newest updated_at among the posts when the build was planned (ISO 8601), and when
    # every post was last compared with the database (see plan.py's `_changes`).
    newest_edit: str | None = None
    compared_at: str | None = None
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        """Replace the manifest atomically: a reader or a crash finds the old one or this."""
        header = {
            "format": self.format,
            "code": self.code,
            "base_url": self.base_url,
            "per_page": self.per_page,
            "site": self.site,
            "tags": self.tags,
            "outlets": self.outlets,
            "lists": self.lists,
            "sitemaps": self.sitemaps,
            "moved": self.moved,
            "newest_edit": self.newest_edit,
            "compared_at": self.compared_at,
            "post_sums": self.posts.id_print()[1:],
        }
        path = folder / MANIFEST
        temporary = folder / f".{MANIFEST}.{os.getpid()}.tmp"
        lines = self.posts.lines()
        temporary.write_text("\n".join([json.dumps(header, separators=(",", ":")), *lines]))
        os.replace(temporary, path)

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The build's manifest; None when it is missing, unreadable or of another format."""
        try:
            header, *lines = (folder / MANIFEST).read_text().split("\n")
            data = json.loads(header)
            if data.get("format") != FORMAT:
                return None
            total, mixed = data["post_sums"]
            return cls(
                code=data["code"],
                base_url=data["base_url"],
                per_page=data["per_page"],
                site=data["site"],
                tags={int(k): v for k, v in data["tags"].items()},
                outlets={int(k): v for k, v in data["outlets"].items()},
                lists=data["lists"],
                posts=PostTable(lines, (int(total), int(mixed))),
                sitemaps=data["sitemaps"],
                # Builds made before old addresses were kept as pages have none.
                moved=data.get("moved", {}),
                newest_edit=data["newest_edit"],
                compared_at=data["compared_at"],
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


# --- fingerprints -------------------------------------------------------------------------


def _hash(value: object) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def code_fingerprint() -> str:
    """Templates and static files: when they change, every page may change."""
    root = Path(clipdesk.__file__).parent
    digest = hashlib.blake2b(clipdesk.__version__.encode(), digest_size=12)
    files = sorted(
        p
        for pattern in ("**/templates/**/*", "**/jinja2/**/*", "**/static/**/*")
        for p in root.glob(pattern)
    )
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def site_fingerprint() -> str:
    profile = SiteProfile.load()
    return _hash((profile.name, profile.tagline, profile.about))


def moved_table() -> dict[str, int]:
    """The old slugs of published posts (digest.OldSlug), each a page sending readers on."""
    rows = OldSlug.objects.filter(post__status=Post.Status.PUBLISHED)
    return dict(rows.values_list("slug", "post_id"))


def tag_table(*, shown_only: bool = False) -> dict[int, list[str]]:
    """Every tag's slug and name; with `shown_only`, only the tags of published posts: the
    manifest lies in the published folder, and a draft's tag is no reader's to see."""
    tags = Tag.objects.all()
    if shown_only:
        tags = tags.filter(posts__status=Post.Status.PUBLISHED).distinct()
    return {pk: [slug, name] for pk, slug, name in tags.values_list("id", "slug", "name")}


def outlet_table(*, shown_only: bool = False) -> dict[int, list[str]]:
    """Every outlet's slug, name and homepage; with `shown_only`, only those a published
    post credits (as `tag_table`)."""
    outlets = Outlet.objects.all()
    if shown_only:
        outlets = outlets.filter(credits__post__status=Post.Status.PUBLISHED).distinct()
    rows = outlets.values_list("id", "slug", "name", "homepage")
    return {pk: [slug, name, homepage] for pk, slug, name, homepage in rows}


# --- reading the database -----------------------------------------------------------------


def post_versions(posts: QuerySet[Post]) -> dict[int, str]:
    """updated_at of each post, as the database spells it: a token to compare, not a date.

    Read as text, unordered: at 100,000 posts 0.07 s, against 0.22 s for datetimes (which
    Django makes one by one) and more when sorted.
    """
    rows = posts.order_by().annotate(version=Cast("updated_at", CharField()))
    return {pk: version.replace(" ", "T") for pk, version in rows.values_list("id", "version")}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def newest_edit(posts: QuerySet[Post]) -> str | None:
    """The newest updated_at among `posts` (ISO 8601), None when there are none."""
    newest = posts.order_by().aggregate(newest=Max("updated_at"))["newest"]
    return newest.isoformat() if newest else None


def post_entries(ids: Iterable[int] | None = None) -> PostTable:
    """Manifest entries of published posts: all of them, or those among `ids`."""
    published = Post.objects.published()
    if ids is None:
        groups = [published]
    else:
        groups = [published.filter(pk__in=chunk) for chunk in _chunks(list(ids))]
    entries: dict[int, PostEntry] = {}
    for posts in groups:
        versions = post_versions(posts)
        rows = posts.values_list("id", "slug", "posted_on_inferred")
        batch = {
            pk: PostEntry(slug, versions[pk], day.toordinal(), [], [])
            for pk, slug, day in rows
            if pk in versions
        }
        through = Post.tags.through.objects.filter(post__in=posts)
        for post_id, tag_id in through.values_list("post_id", "tag_id").order_by("tag_id"):
            batch[post_id].tags.append(tag_id)
        credits = Credit.objects.filter(post__in=posts, outlet__isnull=False)
        pairs = credits.values_list("post_id", "outlet_id").distinct().order_by("outlet_id")
        for post_id, outlet_id in pairs:
            batch[post_id].outlets.append(outlet_id)
        entries.update(batch)
    return PostTable.from_entries(entries)
