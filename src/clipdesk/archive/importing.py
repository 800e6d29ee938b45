"""Storing parsed archive pages as posts: idempotent, one transaction per file.

A post's identity across imports is its `import_key`: a hash of its headline and its first
known date (posted date, else first credit date), or, for a post with no date at all, of its
headline and the opening of its excerpt. Re-importing the same page changes nothing; a page
whose excerpt or credits were corrected updates the post in place (a dated one: an undated
post whose excerpt changed is another post).
An update never touches what editors own: the slug, the status, the body. A second copy of
a post that says less (a listing's teaser, no "Posted on", a credit without its author) never
erases what the fuller copy gave, whatever the order the two are read in; and two posts of
one headline and one opening on different days are two posts unless the articles they credit
are the same (a weekly note is not a redated post).
"""

from __future__ import annotations

import datetime
import hashlib
import html
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from clipdesk.archive.parsing import ArchiveCredit, ArchivePage, ArchivePost, OutletGazetteer
from clipdesk.digest.actions import tag_named
from clipdesk.digest.models import Credit, Post, SiteProfile
from clipdesk.digest.names import fold_name, fold_without_the
from clipdesk.digest.outlets import OutletDirectory, free_slug

# How much of an undated post's excerpt goes into its key: enough to tell two "Weekend
# roundup" posts apart, little enough that a typo mended near the end keeps the post.
UNDATED_KEY_CHARS = 300


@dataclass
class ImportResult:
    """What one file did to the database: posts added, updated, found stored as they are
    (`unchanged`), and copies not written (`repeated`: a post shown twice on a page, or an
    older copy that a later file of the import corrects)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    repeated: int = 0

    @property
    def skipped(self) -> int:
        """The posts not written, for whatever reason: the summary's first count of them."""
        return self.unchanged + self.repeated

    def __iadd__(self, other: ImportResult) -> ImportResult:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.repeated += other.repeated
        return self


@dataclass
class ImportFailure:
    path: str
    reason: str


@dataclass
class ImportSummary:
    files: int = 0
    totals: ImportResult = field(default_factory=ImportResult)
    failures: list[ImportFailure] = field(default_factory=list)
    # Files of the folders given that are no digest pages: {"path", "reason"} each.
    left_out_files: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The summary as JSON; "skipped" (unchanged and repeated posts together) and
        "skipped_files" are the first names of "unchanged" + "repeated" and
        "left_out_files", kept for the scripts that read them."""
        return {
            "files": self.files,
            "added": self.totals.added,
            "updated": self.totals.updated,
            "unchanged": self.totals.unchanged,
            "repeated": self.totals.repeated,
            "skipped": self.totals.skipped,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failures],
            "left_out_files": self.left_out_files,
            "skipped_files": self.left_out_files,
        }


def import_key(post: ArchivePost) -> str:
    if post.identity:  # a WordPress post: its id, whatever its headline or date became
        return _digest(f"wordpress|{post.identity}")
    first_date = post.posted_on or next((c.date for c in post.sources if c.date), None)
    if first_date is None:
        # With no date at all, the headline alone would make one post of every undated
        # "Weekend roundup" in the archive, each import overwriting the last: the excerpt's
        # opening tells them apart.
        basis = f"{fold_name(post.headline)}||{fold_name(post.excerpt[:UNDATED_KEY_CHARS])}"
    else:
        basis = f"{fold_name(post.headline)}|{first_date.isoformat()}"
    return _digest(basis)


def _legacy_undated_key(post: ArchivePost) -> str:
    """The key an undated post was imported under before the excerpt was part of it."""
    return _digest(f"{fold_name(post.headline)}|")


def _digest(basis: str) -> str:
    return hashlib.sha256(basis.encode()).hexdigest()[:40]


def infer_dates(posts: list[ArchivePost]) -> list[datetime.date | None]:
    """The ordering date of each post: its own date, else its newest credit date, else the
    date of the nearest dated post above it (pages list newest first), else below it; None
    on a page with no date at all."""
    own = [p.posted_on or max((c.date for c in p.sources if c.date), default=None) for p in posts]
    inferred: list[datetime.date | None] = list(own)
    last: datetime.date | None = None
    for i, day in enumerate(own):
        if day is None:
            inferred[i] = last
        else:
            last = day
    following: datetime.date | None = None
    for i in range(len(own) - 1, -1, -1):
        if own[i] is not None:
            following = own[i]
        elif inferred[i] is None:
            inferred[i] = following
    return inferred


def _credit_rows(sources: list[ArchiveCredit], outlets: OutletDirectory) -> list[dict]:
    return [
        {
            "position": i,
            "author": (c.author or "").strip()[:300],
            "outlet": outlets.get_or_create(c.outlet) if c.outlet else None,
            "place": (c.place or "").strip()[:200],
            "date": c.date,
            "url": "",
        }
        for i, c in enumerate(sources)
    ]


def _same_credits(post: Post, rows: list[dict]) -> bool:
    stored = [(c.position, c.author, c.outlet_id, c.place, c.date) for c in post.credits.all()]
    wanted = [
        (r["position"], r["author"], r["outlet"] and r["outlet"].pk, r["place"], r["date"])
        for r in rows
    ]
    return stored == wanted


def _store_post(
    item: ArchivePost,
    key: str,
    inferred: datetime.date | None,
    outlets: OutletDirectory,
    taken: set[int],
) -> str:
    """Insert or update one post: 'added', 'updated' or 'unchanged' (stored as it is).
    `taken` holds the posts this page has stored so far, and gets this one."""
    rows = _credit_rows(item.sources, outlets)
    post = _imported_before(item, key, taken)
    outcome, post = _write_post(item, key, inferred, rows, post)
    taken.add(post.pk)
    return outcome


def _write_post(
    item: ArchivePost,
    key: str,
    inferred: datetime.date | None,
    rows: list[dict],
    post: Post | None,
) -> tuple[str, Post]:
    if inferred is None:
        # Nothing on the page is dated: a new post is ordered by the day it came in, and
        # keeps that day when imported again (it used to move to the top at every import).
        inferred = post.posted_on_inferred if post else timezone.localdate()
    fields = {
        "headline": item.headline.strip()[:500],
        "posted_on": item.posted_on,
        "posted_on_inferred": inferred,
        "excerpt": item.excerpt.strip(),
    }
    tags = [tag_named(t) for t in item.tags if t.strip()]
    if post is None:
        post = Post.objects.create(
            **fields,
            body=_paragraphs_html(item.commentary),  # then the editors': never overwritten
            import_key=key,
            slug=free_slug(Post, item.headline),
            status=Post.Status.PUBLISHED,
        )
        Credit.objects.bulk_create(Credit(post=post, **row) for row in rows)
        post.tags.set(tags)
        return "added", post
    # A second copy of a post that says less (a listing's teaser, a page with the "Posted
    # on" left blank, a credit without its author) leaves what the fuller copy gave: the two
    # used to overwrite each other at every import, by file order, and the date or the
    # author was lost whenever the lesser copy came last.
    if _is_teaser_of(fields["excerpt"], post.excerpt):
        fields["excerpt"] = post.excerpt
    if fields["posted_on"] is None and post.posted_on is not None:
        fields["posted_on"], fields["posted_on_inferred"] = post.posted_on, post.posted_on
    if _said_already(rows, post):
        rows = _stored_rows(post)
    changed = [name for name, value in fields.items() if getattr(post, name) != value]
    same_tags = {t.pk for t in post.tags.all()} >= {t.pk for t in tags}
    if not changed and _same_credits(post, rows) and same_tags:
        return "unchanged", post
    for name in changed:
        setattr(post, name, fields[name])
    post.save()
    post.credits.all().delete()
    Credit.objects.bulk_create(Credit(post=post, **row) for row in rows)
    post.tags.add(*tags)
    return "updated", post


def _said_already(rows: list[dict], post: Post) -> bool:
    """Whether every credit of `rows` is one of the post's, or the same with less in it."""
    stored = list(post.credits.all())
    if not rows:
        return True  # a teaser that credits no one: the post's credits stay
    if len(rows) > len(stored):
        return False

    def covers(credit: Credit, row: dict) -> bool:
        return (
            (row["outlet"] is None or row["outlet"].pk == credit.outlet_id)
            and (not row["author"] or fold_name(row["author"]) == fold_name(credit.author))
            and (row["date"] is None or row["date"] == credit.date)
            and (not row["place"] or row["place"] == credit.place)
        )

    return all(any(covers(credit, row) for credit in stored) for row in rows)


def _stored_rows(post: Post) -> list[dict]:
    return [
        {
            "position": c.position,
            "author": c.author,
            "outlet": c.outlet,
            "place": c.place,
            "date": c.date,
            "url": c.url,
        }
        for c in post.credits.all()
    ]


def _paragraphs_html(text: str) -> str:
    """Plain paragraphs (blank-line separated) as the HTML a post's body holds."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _is_teaser_of(short: str, whole: str) -> bool:
    """Whether `short` is the opening of `whole`, give or take a closing ellipsis."""
    opening = fold_name(short)
    return len(short) < len(whole) and bool(opening) and fold_name(whole).startswith(opening)


def _imported_before(item: ArchivePost, key: str, taken: set[int]) -> Post | None:
    posts = Post.objects.prefetch_related("credits", "tags")
    post = posts.filter(import_key=key).first()
    if post is None and import_key(item) == key:  # not a second copy on its page
        # The same post imported when its page dated it otherwise (a blank "Posted on"
        # filled in later, a date corrected): same headline, same opening words. An edited
        # page made a second post; weekly posts of one headline still differ in their words.
        opening = fold_name(item.excerpt.strip()[:UNDATED_KEY_CHARS])
        redated = posts.filter(import_key__isnull=False, headline=item.headline.strip()[:500])
        for found in redated.order_by("pk"):
            if found.pk in taken:
                continue  # another post of this page (an IN list of them grew with the page)
            if not _same_opening(fold_name(found.excerpt[:UNDATED_KEY_CHARS]), opening):
                continue
            if not _may_be_redated(found, item):
                continue  # a weekly feature of one headline and one opening: another post
            if item.posted_on is not None or found.posted_on is None:
                # Known by this copy's key from now on; a copy that gives no date of its own
                # leaves the key of the one that does (the two would trade it at every import).
                found.import_key = key
                found.save(update_fields=["import_key"])
            return found
        has_date = item.posted_on or any(c.date for c in item.sources)
        if not has_date:
            # Imported under the older key: the same post only if its excerpt is this one.
            legacy = posts.filter(import_key=_legacy_undated_key(item)).first()
            if legacy is not None and legacy.excerpt == item.excerpt.strip():
                legacy.import_key = key
                legacy.save(update_fields=["import_key"])
                return legacy
    return post


# A date corrected in a later export moves by a day or two; a weekly feature of one headline
# and one opening comes a week later.
REDATED_WITHIN_DAYS = 3


# A teaser's opening shorter than this is too little to say it is another copy's start.
TEASER_MIN_CHARS = 40


def _same_opening(stored: str, given: str) -> bool:
    """The same opening, or one the start of the other: a listing's teaser ("The port company
    has shelved its plans…") and the post's own page with the excerpt whole."""
    if stored == given:
        return True
    shorter, longer = sorted((stored, given), key=len)
    return len(shorter) >= TEASER_MIN_CHARS and longer.startswith(shorter)


def _may_be_redated(found: Post, item: ArchivePost) -> bool:
    """Whether a stored post of the same headline and opening can be `item` dated otherwise
    (`_one_post_dated_otherwise`)."""
    return _one_post_dated_otherwise(_Dating.of_post(found), _Dating.of_item(item))


class _Dating(NamedTuple):
    """What says whether two copies of a post are one post dated otherwise."""

    credit_dates: set[datetime.date]
    outlets: set[str]  # folded names, without "The" as the outlets are found
    excerpt: str  # folded
    posted_on: datetime.date | None

    @classmethod
    def of_post(cls, post: Post) -> _Dating:
        credits = post.credits.all()
        return cls(
            {c.date for c in credits if c.date},
            {fold_without_the(c.outlet.name) for c in credits if c.outlet},
            fold_name(post.excerpt),
            post.posted_on,
        )

    @classmethod
    def of_item(cls, item: ArchivePost) -> _Dating:
        return cls(
            {c.date for c in item.sources if c.date},
            {fold_without_the(c.outlet) for c in item.sources if c.outlet},
            fold_name(item.excerpt.strip()),
            item.posted_on,
        )


def _one_post_dated_otherwise(one: _Dating, other: _Dating) -> bool:
    """Whether two copies of one headline and opening are one post whose dates changed.

    The dates of the articles it credits say so first: the same dates, the same post (its
    "Posted on" filled in or corrected). A correction moves a date, not the outlet: the same
    words two days apart in other papers are two posts. Far apart, the same quote from the
    same outlets is one post only if one date may be the other typed wrong ("August 21" for
    "August 12"): a weekly note of one line is the same words a week apart. Otherwise its
    dates are near each other's (a date corrected, the credit's with it) or missing on one
    side (a blank "Posted on", a teaser)."""
    own, given = one.credit_dates, other.credit_dates
    if own and given and own == given:
        return True
    if one.outlets and other.outlets and not one.outlets & other.outlets:
        return False
    if own and given and not _near(min(own), min(given)):
        return (
            one.excerpt == other.excerpt
            and one.outlets == other.outlets
            and _mistyped(min(own), min(given))
        )
    return _near(one.posted_on, other.posted_on)


def _mistyped(one: datetime.date, other: datetime.date) -> bool:
    """Whether one date may be the other typed wrong: only one of year, month and day
    differs, and in it two digits swapped ("21" for "12") or one digit changed ("2091" for
    "2019" is two, but swapped; "13" and "06" are neither)."""
    parts = [
        (f"{a:0{width}d}", f"{b:0{width}d}")
        for a, b, width in (
            (one.year, other.year, 4),
            (one.month, other.month, 2),
            (one.day, other.day, 2),
        )
        if a != b
    ]
    if len(parts) != 1:
        return False
    written, meant = parts[0]
    differing = [i for i, (x, y) in enumerate(zip(written, meant, strict=True)) if x != y]
    if len(differing) == 1:
        return True
    return len(differing) == 2 and sorted(written) == sorted(meant)


def _near(one: datetime.date | None, other: datetime.date | None) -> bool:
    return one is None or other is None or abs((one - other).days) <= REDATED_WITHIN_DAYS


def _fingerprint(item: ArchivePost) -> tuple:
    """Everything a post of a page says: two posts of one page with all of it equal are one
    post shown twice (a "featured" copy above the list)."""
    credits = tuple((c.author, c.outlet, c.date, c.place) for c in item.sources)
    return (item.headline.strip(), item.posted_on, item.excerpt.strip(), credits, item.identity)


def superseded_copies(pages: Sequence[ArchivePage]) -> list[set[int]]:
    """For each page, the posts that a later page of the same import gives again with its
    dates corrected: only the later version is written.

    Two exports of one archive in one folder, an old one and a corrected one, were applied
    in turn at every import: the old copy moved the post back to its old dates, the corrected
    one forward again, and every import reported both as updated."""
    by_headline: dict[str, list[tuple[int, int, ArchivePost]]] = {}
    for page_index, page in enumerate(pages):
        for post_index, item in enumerate(page.posts):
            if item.identity is None:  # a WordPress post is known by its id, whatever else
                key = fold_name(item.headline)
                by_headline.setdefault(key, []).append((page_index, post_index, item))
    superseded: list[set[int]] = [set() for _ in pages]
    for copies in by_headline.values():
        for page_index, post_index, earlier in copies:
            if any(
                later_page > page_index and _corrected_copy(earlier, later)
                for later_page, _, later in copies
            ):
                superseded[page_index].add(post_index)
    return superseded


def _corrected_copy(earlier: ArchivePost, later: ArchivePost) -> bool:
    """Whether `later` is `earlier` (of the same headline) with its dates corrected, by the
    rules that make an import update a stored post in place (`_one_post_dated_otherwise`)."""
    own = {c.date for c in earlier.sources if c.date}
    other = {c.date for c in later.sources if c.date}
    posted_moved = bool(earlier.posted_on and later.posted_on) and (
        earlier.posted_on != later.posted_on
    )
    if not posted_moved and not (own and other and own != other):
        return False  # not dated otherwise: the import's own rules settle the two copies
    if len(earlier.sources) != len(later.sources):
        return False  # a listing's copy with fewer credits: the two are merged, not replaced
    first, second = earlier.excerpt.strip(), later.excerpt.strip()
    if _is_teaser_of(first, second) or _is_teaser_of(second, first):
        return False  # a teaser and the whole: likewise
    opening = fold_name(first[:UNDATED_KEY_CHARS])
    if not _same_opening(opening, fold_name(second[:UNDATED_KEY_CHARS])):
        return False
    return _one_post_dated_otherwise(_Dating.of_item(earlier), _Dating.of_item(later))


def import_page(
    page: ArchivePage, outlets: OutletDirectory, superseded: Collection[int] = ()
) -> ImportResult:
    """Store every post of one parsed page in one transaction: all of it, or none. The posts
    at the indexes `superseded` (see `superseded_copies`) are not written (`repeated`)."""
    result = ImportResult()
    seen: dict[str, int] = {}
    taken: set[int] = set()
    with transaction.atomic():
        _fill_profile(page)
        dates = infer_dates(page.posts)
        shown: set[tuple] = set()
        for index, (item, inferred) in enumerate(zip(page.posts, dates, strict=True)):
            if index in superseded:
                result.repeated += 1
                continue
            if (fingerprint := _fingerprint(item)) in shown:
                result.repeated += 1
                continue
            shown.add(fingerprint)
            key = import_key(item)
            # The same headline and date twice in one page (teaser lists) are two posts.
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = f"{key[:36]}-{seen[key]:03d}"
            outcome = _store_post(item, key, inferred, outlets, taken)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _fill_profile(page: ArchivePage) -> None:
    """Take the site's name and aims from the archive, unless an editor already set them."""
    profile = SiteProfile.load()
    changed = False
    default_name = SiteProfile._meta.get_field("name").default
    if page.site_name and profile.name == default_name:
        profile.name = page.site_name.strip()[:200]
        changed = True
    if page.about and not profile.about.strip():
        profile.about = page.about.strip()
        changed = True
    if changed:
        profile.save()


def gazetteer_for(outlets: OutletDirectory) -> OutletGazetteer:
    """A gazetteer that already knows every outlet in the database."""
    return OutletGazetteer(outlets.names())
