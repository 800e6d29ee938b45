"""Between the matcher and the database: building it from watchlists, storing what it finds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from clipdesk.storable import has_unstorable
from clipdesk.watch import matching
from clipdesk.watch.matching import Matcher, never_matched
from clipdesk.watch.models import Alias, Entity, Match, MatchingState, Watchlist
from clipdesk.watch.normalizing import fold

DEFAULT_WATCHLIST = "Watchlist"
# How often re-applying the watchlists says how far it has come (the admin shows it).
PROGRESS_EVERY = 500
MATCHING_CHANGED = (
    "matching has changed since the stored matches were made: `clipdesk watch rematch` "
    "previews the change and `clipdesk watch rematch --apply` stores it"
)


@dataclass
class WatchMatcher:
    """The compiled matcher and, for each entity name it reports, the entity rows it means
    (one name in two watchlists is one pattern set, stored against both)."""

    matcher: Matcher
    entity_ids: dict[str, list[int]]

    def find(self, headline: str, text: str):
        return self.matcher.find(headline=headline, text=text)

    def entities_in(self, headline: str, text: str) -> set[str]:
        return self.matcher.entities_in(headline=headline, text=text)


def load_matcher() -> WatchMatcher:
    """One matcher over every entity of every watchlist, built once per poll."""
    names: dict[str, list[str]] = {}
    ids: dict[str, list[int]] = {}
    for entity in Entity.objects.prefetch_related("aliases"):
        names.setdefault(entity.name, []).extend(a.text for a in entity.aliases.all())
        ids.setdefault(entity.name, []).append(entity.pk)
    return WatchMatcher(Matcher.build(names), ids)


def store_matches(
    article, matcher: WatchMatcher, *, new: bool = False, found: list[matching.Match] | None = None
) -> list[Match]:
    """Replace the article's matches with what the matcher finds now; `new` says the article
    was created in this transaction, so it has none to delete; `found` is what the matcher
    found in its title and text, when the caller has asked it already."""
    if found is None:
        found = matcher.find(headline=article.title or "", text=article.text or "")
    rows = [
        Match(
            article=article,
            entity_id=entity_id,
            alias=m.alias[:300],
            field=m.field,
            start=m.start,
            end=m.end,
            matched_text=m.matched_text[:500],
            reason=m.reason[:500],
        )
        for m in found
        for entity_id in matcher.entity_ids.get(m.entity, [])
    ]
    if not new:
        Match.objects.filter(article=article).delete()
    return Match.objects.bulk_create(rows, ignore_conflicts=True)


class WatchError(ValueError):
    """An entity, alias or watchlist that cannot be stored as given; the message says why."""


@transaction.atomic
def add_entity(name: str, aliases: list[str], watchlist: str = DEFAULT_WATCHLIST) -> Entity:
    """Create an entity (or extend one) with its aliases; repeating it adds nothing twice.
    Every value is checked before anything is written."""
    entity, _ = watch_entity(name, aliases, watchlist)
    return entity


def watch_entity(
    name: str, aliases: list[str], watchlist: str = DEFAULT_WATCHLIST
) -> tuple[Entity, bool]:
    """add_entity, and whether the entity was already watched (extended, not made): `watch
    add` says so, from the one look-up that decides it."""
    name, watchlist = name.strip(), watchlist.strip()
    if not all(alias.strip() for alias in aliases):
        # Left out in silence, an unset shell variable (--alias "$NAME") looked like success.
        raise WatchError('watch: an alias cannot be empty (--alias "")')
    aliases = [a.strip() for a in aliases]
    if not name:
        raise WatchError("watch: an entity needs a name")
    if not watchlist:
        raise WatchError("watch: a watchlist needs a name")
    if any(has_unstorable(value) for value in (name, watchlist, *aliases)):
        # Invisible in every list (an alias "H\x07C" showed as "HC" in `watch list`),
        # and PostgreSQL refuses NUL: refused, as `source add` refuses them in a name.
        raise WatchError("watch: names and aliases cannot hold control characters")
    _fits("the watchlist name", watchlist, Watchlist, "name")
    _fits("the entity name", name, Entity, "name")
    for alias in aliases:
        _fits("an alias", alias, Alias, "text")
        if reason := never_matched(alias):
            raise WatchError(f"watch: {reason}")
    wl, _ = Watchlist.objects.get_or_create(name=watchlist)
    known = find_entity(name, watchlist)
    entity = known or Entity.objects.create(watchlist=wl, name=name)
    for alias in aliases:
        Alias.objects.get_or_create(entity=entity, text=alias)
    return entity, known is not None


def find_entity(name: str, watchlist: str = DEFAULT_WATCHLIST) -> Entity | None:
    """The watchlist's entity of this name, however capitalised, accented or hyphenated.

    The same name in other capitals, accents or hyphens is the same entity (the matcher
    finds the one where it finds the other): it was a second one, and every article matched
    both."""
    entities = Entity.objects.filter(watchlist__name=watchlist.strip())
    return next((e for e in entities if fold(e.name) == fold(name.strip())), None)


def shared_aliases(entity: Entity) -> list[tuple[str, Entity]]:
    """The entity's names that another entity also goes by, with that entity: an article
    naming one of them matches both."""
    own = {fold(text): text for text in [entity.name, *(a.text for a in entity.aliases.all())]}
    shared = []
    for other in Entity.objects.exclude(pk=entity.pk).prefetch_related("aliases"):
        for text in [other.name, *(a.text for a in other.aliases.all())]:
            if (folded := fold(text)) in own:
                shared.append((own.pop(folded), other))
    return shared


def _fits(what: str, value: str, model, field: str) -> None:
    """Refuse a value longer than its column (PostgreSQL would fail on it; SQLite would
    store it whole, for the admin to refuse later)."""
    limit = model._meta.get_field(field).max_length
    if len(value) > limit:
        raise WatchError(
            f"watch: {what} is {len(value)} characters long; at most {limit} fit ({value[:40]}…)"
        )


@dataclass
class Rematch:
    article_id: int
    title: str
    before: set[str]
    after: set[str]
    places_found: int = 0  # places (field, start, end) of a name not stored before
    places_lost: int = 0  # stored places the watchlists no longer find

    @property
    def gained(self) -> list[str]:
        return sorted(self.after - self.before)

    @property
    def lost(self) -> list[str]:
        return sorted(self.before - self.after)


def rematch_articles(
    *,
    apply: bool,
    newest: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Rematch]:
    """Re-run the watchlists over stored articles; list what would change, and apply it.

    A change is any place a name is found or no longer found, not only an entity gained or
    lost: an alias added to an entity the article matched already was never stored (nor
    highlighted) where the article used it, and a removed alias's places stayed. Applied, it
    records these rules' version as the stored matches' (changed or not): the notice of
    `matching_has_changed` ends there.

    `newest` looks at only that many of the articles stored last, for a preview that must
    answer in a page's time; applied, every article is matched again. `progress` is told
    (articles gone over, articles in all) every PROGRESS_EVERY articles and at the end."""
    from clipdesk.articles.models import Article

    if apply and newest is not None:
        raise ValueError("rematch_articles: applied, the watchlists go over every article")
    articles = Article.objects.prefetch_related("matches__entity")
    if newest is not None:
        articles = articles.order_by("-pk")[:newest]
    matcher = load_matcher()
    changes: list[Rematch] = []
    total = articles.count() if progress else 0
    for done, article in enumerate(articles.iterator(chunk_size=500)):
        if progress and done and done % PROGRESS_EVERY == 0:
            progress(done, total)
        stored = list(article.matches.all())
        found = matcher.find(article.title or "", article.text or "")
        held = {(m.entity.name, m.alias, m.field, m.start, m.end) for m in stored}
        now = {
            (m.entity, m.alias[:300], m.field, m.start, m.end)
            for m in found
            if matcher.entity_ids.get(m.entity)
        }
        if held == now:
            continue
        before = {m.entity.name for m in stored}
        after = {m.entity for m in found}
        changes.append(
            Rematch(article.pk, article.title, before, after, len(now - held), len(held - now))
        )
        if apply:
            with transaction.atomic():
                store_matches(article, matcher, found=found)
    if progress:
        progress(total, total)
    if apply:
        record_rules_version()
    return changes


def record_rules_version() -> None:
    """Say that the stored matches are those of the rules of this version."""
    MatchingState.objects.update_or_create(
        id=MatchingState.SINGLETON_ID, defaults={"rules_version": matching.RULES_VERSION}
    )


def matching_has_changed(*, record: bool = True) -> bool:
    """Whether the stored matches were made by other matching rules than this version's (or
    before the rules had versions), so that `watch rematch` would bring them in line.

    With no article stored there is nothing out of date: the version is recorded as current,
    or the first articles stored after an upgrade would be taken for older ones. `record`
    False only reads (`clipdesk status`, which looks and changes nothing)."""
    from clipdesk.articles.models import Article

    stored = (
        MatchingState.objects.filter(id=MatchingState.SINGLETON_ID)
        .values_list("rules_version", flat=True)
        .first()
    )
    if stored == matching.RULES_VERSION:
        return False
    if Article.objects.exists():
        return True
    if record:
        record_rules_version()
    return False
