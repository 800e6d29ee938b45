"""Re-extracting an article from its snapshot: better rules later, same evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from clipdesk.articles.models import Article, ExtractionRule
from clipdesk.articles.snapshots import SnapshotUnreadable, read_snapshot
from clipdesk.articles.storing import text_digest
from clipdesk.bidi import closed_within

if TYPE_CHECKING:
    from clipdesk.watch.matching import Matcher


class ReextractionFailed(ValueError):
    """The article cannot be extracted again; the message says why."""


@dataclass
class ReextractionReport:
    extracted: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (article id, reason)


def reextract_articles(
    articles: Iterable[Article], progress: Callable[[int], None] | None = None
) -> ReextractionReport:
    """Extract each article again (`reextract_article`); one that cannot be is reported with
    its reason and the others go on. `progress` gets the number of articles done so far."""
    from clipdesk.watch.store import load_matcher

    # Once for all the articles: the matcher reads every alias, the rules every site's.
    matcher, rules = load_matcher(), ExtractionRule.enabled_by_host()
    report = ReextractionReport()
    for done, article in enumerate(articles, start=1):
        try:
            reextract_article(article, matcher=matcher, rules=rules)
            report.extracted += 1
        except ReextractionFailed as exc:
            report.failed.append((article.pk, str(exc)))
        if progress is not None:
            progress(done)
    return report


def reextract_article(
    article: Article, *, matcher: Matcher | None = None, rules: dict[str, dict] | None = None
) -> Article:
    """Extract the article again from its stored snapshot (with today's site rules: `rules`
    by host, else read now) and re-apply the watchlists (`matcher`, else loaded now). The
    feed's version of disputed fields is kept as it was."""
    # Imported here: the admin imports this module, and with it every command would load
    # trafilatura, htmldate and the language model's code (0.1 s) whether it extracts or not.
    from clipdesk.articles.extraction import ExtractionError, extract_article
    from clipdesk.watch.store import load_matcher, store_matches

    snapshot = article.snapshot
    if snapshot is None:
        raise ReextractionFailed(f"article {article.pk} has no snapshot")
    try:
        content = read_snapshot(
            settings.CLIPDESK_HOME,
            snapshot.warc_file,
            snapshot.warc_offset,
            snapshot.warc_length,
            snapshot.payload_sha256,
        )
    except SnapshotUnreadable as exc:
        raise ReextractionFailed(f"article {article.pk}: {exc}") from exc
    host = (urlsplit(content.url).hostname or "").lower()
    if rules is None:
        rule = ExtractionRule.objects.filter(host=host, enabled=True).first()
        rules = {host: rule.as_rule()} if rule else {}
    try:
        content_type = next(
            (value for name, value in content.headers if name.lower() == "content-type"), None
        )
        fresh = extract_article(
            content.body, content.url, rules=rules.get(host), content_type=content_type
        )
    except ExtractionError as exc:
        raise ReextractionFailed(f"article {article.pk}: {exc}") from exc
    choices = dict(article.extracted.get("choices", {}))
    taken = {"text"} | {name for name in ("authors", "language") if getattr(fresh, name)}
    feed = article.extracted.get("feed", {})
    # What a site rule gives wins over the feed, as when the page was first extracted: a
    # title_xpath saved because the feed's headlines are wrong left the feed's headline in
    # place, the rule's found only in the provenance.
    if "title" in fresh.rule_fields:
        article.title = closed_within(fresh.title, 1000)
        taken.add("title")
    else:
        article.title = closed_within(feed.get("title") or fresh.title or article.title, 1000)
    if "published" in fresh.rule_fields or article.published is None:
        article.published = fresh.published
        taken.add("published")
    article.authors = list(fresh.authors) or article.authors
    article.language = fresh.language or article.language
    article.text = fresh.text
    article.text_sha256 = text_digest(fresh.text or fresh.url)
    article.description = fresh.description or ""
    choices |= {name: how for name, how in fresh.choices.items() if name in taken}
    article.extracted = {**article.extracted, "page": {
        "title": fresh.page_title,
        "published": fresh.page_published.isoformat() if fresh.page_published else None,
        "authors": list(fresh.page_authors),
    }, "choices": choices}  # fmt: skip
    try:
        with transaction.atomic():
            article.save()
            store_matches(article, matcher or load_matcher())
    except IntegrityError as exc:
        raise ReextractionFailed(
            f"article {article.pk}: the new text is the same as another stored article's"
        ) from exc
    return article
