"""Between the matcher and the database: building it from watchlists, storing what it finds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from clipdesk.watch.matching import Matcher
from clipdesk.watch.models import Alias, Entity, Match, Watchlist

DEFAULT_WATCHLIST = "Watchlist"


def load_matcher() -> Matcher:
    """One matcher over every entity of every watchlist; entity keys are their ids."""
    names: dict[str, list[str]] = {}
    for entity in Entity.objects.prefetch_related("aliases"):
        names[str(entity.pk)] = [entity.name, *(a.text for a in entity.aliases.all())]
    return Matcher.build(names)


def store_matches(article, matcher: Matcher) -> list[Match]:
    """Replace the article's matches with what the matcher finds now."""
    found = matcher.find(headline=article.title or "", text=article.text or "")
    rows = [
        Match(
            article=article,
            entity_id=int(m.entity),
            alias=m.alias[:300],
            field=m.field,
            start=m.start,
            end=m.end,
            matched_text=m.matched_text[:500],
            reason=m.reason[:500],
        )
        for m in found
    ]
    Match.objects.filter(article=article).delete()
    return Match.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def add_entity(name: str, aliases: list[str], watchlist: str = DEFAULT_WATCHLIST) -> Entity:
    """Create an entity (or extend one) with its aliases; repeating it adds nothing twice."""
    wl, _ = Watchlist.objects.get_or_create(name=watchlist)
    entity, _ = Entity.objects.get_or_create(watchlist=wl, name=name.strip())
    for alias in aliases:
        if alias.strip():
            Alias.objects.get_or_create(entity=entity, text=alias.strip())
    return entity


@dataclass
class Rematch:
    article_id: int
    title: str
    before: set[str]
    after: set[str]


def rematch_articles(*, apply: bool) -> list[Rematch]:
    """Re-run the watchlists over stored articles; list what would change, and apply it."""
    from clipdesk.articles.models import Article

    matcher = load_matcher()
    names = {str(e.pk): e.name for e in Entity.objects.all()}
    changes: list[Rematch] = []
    for article in Article.objects.prefetch_related("matches__entity").iterator(chunk_size=500):
        before = {m.entity.name for m in article.matches.all()}
        after = {names[e] for e in matcher.entities_in(article.title, article.text)}
        if before != after:
            changes.append(Rematch(article.pk, article.title, before, after))
            if apply:
                with transaction.atomic():
                    store_matches(article, matcher)
    return changes
