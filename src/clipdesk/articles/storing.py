"""Storing an extracted article once: stage 5 of the ingest path (see clipdesk/ingest.py).

The first copy of a page wins: a later one with the same canonical URL or the same text is not
stored again, and a worker that loses a race to store it gets None, not an error. The article
row, its outlet and its watchlist matches are written in one transaction; what the text alone
decides (its digest, the watchlist matches) can be worked out before it (`read_text`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q

from clipdesk.articles.models import Article, Snapshot
from clipdesk.bidi import closed_within
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.sources.models import Source
from clipdesk.watch.matching import Match
from clipdesk.watch.store import WatchMatcher, store_matches

if TYPE_CHECKING:  # the extractor's imports are heavy; storing only reads its result
    from clipdesk.articles.extraction import ExtractedArticle


@dataclass
class StoredArticle:
    article: Article
    matched: bool
    # False when the page was a copy of `article`, stored before (its canonical URL or its
    # text): nothing was written, and the caller learns which article it copies.
    created: bool = True


@dataclass(frozen=True)
class TextFindings:
    """What storing needs from the article's text that no database row changes: its digest
    and the watchlists' matches in headline and text."""

    digest: str
    matches: list[Match]


def text_digest(text: str) -> str:
    """The key of "the same text": its words, whatever the spacing between them."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def read_text(extracted: ExtractedArticle, matcher: WatchMatcher) -> TextFindings:
    """The digest and matches of an extracted article, needing no transaction: the ingest
    path works them out before it opens one, so that on SQLite the write lock is held for
    the writes alone."""
    return TextFindings(
        digest=text_digest(extracted.text or extracted.url),
        matches=matcher.find(headline=_stored_title(extracted), text=extracted.text or ""),
    )


def _stored_title(extracted: ExtractedArticle) -> str:
    return closed_within(extracted.title or "", 1000)


def save_article(
    source: Source | None,
    extracted: ExtractedArticle,
    snapshot: Snapshot | None,
    outlets: OutletDirectory,
    matcher: WatchMatcher,
    findings: TextFindings | None = None,
) -> StoredArticle | None:
    """Store an extracted article once, with its matches; the stored article it copies
    (`created` False) when it is a duplicate, None when another worker stored it meanwhile.

    Duplicates are the same canonical URL or the same text (syndicated copies that differ
    in nothing): the first copy stored wins, later ones are not stored again. Grouping is
    the caller's next step (store_page), so a worker can hand it to the grouping queue.
    `findings` is `read_text` of this article with this matcher, when the caller has it.
    """
    findings = findings or read_text(extracted, matcher)
    digest = findings.digest
    same = Q(canonical_url=extracted.canonical_url) | Q(text_sha256=digest)
    copied = (
        Article.objects.filter(same).only("url", "canonical_url", "outlet").order_by("pk").first()
    )
    if copied is not None:
        return StoredArticle(copied, matched=False, created=False)
    outlet_name = outlet_name_for(extracted, source)
    outlet = _outlet(outlets, outlet_name) if outlet_name else None
    try:
        with transaction.atomic():
            article = Article.objects.create(
                source=source,
                url=extracted.url,
                canonical_url=extracted.canonical_url,
                title=_stored_title(extracted),
                authors=list(extracted.authors),
                outlet=outlet,
                outlet_name=closed_within(outlet_name or "", 300),
                published=extracted.published,
                language=extracted.language or "",
                text=extracted.text,
                text_sha256=digest,
                description=extracted.description or "",
                extracted=_provenance(extracted),
                snapshot=snapshot,
            )
            matches = store_matches(article, matcher, new=True, found=findings.matches)
    except IntegrityError:
        return None  # stored meanwhile by another worker: the first copy wins
    return StoredArticle(article, matched=bool(matches))


def copy_credit(
    extracted: ExtractedArticle,
    source: Source | None,
    outlets: OutletDirectory,
    snapshot: Snapshot | None,
) -> dict:
    """What a copy of a stored article (the same text elsewhere) is credited with: its own
    outlet, authors and date. The text is stored once; the credit is kept with its address
    (articles.EntryAddress), so the desk can credit every outlet that carried the story."""
    outlet_name = outlet_name_for(extracted, source)
    return {
        "outlet": _outlet(outlets, outlet_name) if outlet_name else None,
        "outlet_name": closed_within(outlet_name or "", 300),
        "authors": list(extracted.authors),
        "published": extracted.published,
        "snapshot": snapshot,
    }


def _outlet(outlets: OutletDirectory, name: str):
    """The outlet of this name, made if new; a worker that loses the race to make it uses
    the one the winner stored (names and slugs are unique in the database)."""
    if (known := outlets.find(name)) is not None:
        return known  # nothing to write, so no savepoint to take
    for _ in range(3):
        try:
            with transaction.atomic():
                return outlets.get_or_create(name)
        except IntegrityError:
            outlets = OutletDirectory()  # learn what the other worker stored, then look again
    return outlets.get_or_create(name)


def outlet_name_for(extracted: ExtractedArticle, source: Source | None) -> str:
    """The page's own site name, unless it is only the host name (what extractors fall back
    to when a site names itself nowhere): then the name the editor gave the source."""
    name = (extracted.outlet_name or "").strip()
    host = (urlsplit(extracted.url).netloc or "").lower()
    bare = name.lower().removeprefix("www.")
    if (
        source is not None
        and source.name
        and (not name or bare in {host, host.removeprefix("www.")})
    ):
        return source.name
    return name


def _provenance(extracted: ExtractedArticle) -> dict:
    def iso(day):
        return day.isoformat() if day else None

    return {
        "feed": {
            "title": extracted.feed_title,
            "published": iso(extracted.feed_published),
            "authors": list(extracted.feed_authors),
        },
        "page": {
            "title": extracted.page_title,
            "published": iso(extracted.page_published),
            "authors": list(extracted.page_authors),
        },
        "choices": dict(extracted.choices),
    }
