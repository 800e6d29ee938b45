"""From names in a parsed query to ids: the part of a query that needs the database.

- Watched names: `load_alias_book` reads every entity's name and aliases for `aliases`.
- Filters: outlet: matches an outlet's slug, name or one of its aliases; entity: an entity's
  name or alias; tag: a tag's slug or name; all folded, so case and accents do not matter.
  A slug is compared lower-cased: one edited in the admin may hold capitals ("LeMonde") or
  what `slugify` would not write ("camps--2019"), and its own facet link must find it.
  A name that matches nothing filters everything out, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify

from clipdesk.digest.models import Outlet, Tag
from clipdesk.search.aliases import AliasBook, key_of
from clipdesk.search.query import Filters
from clipdesk.watch.models import Alias, Entity
from clipdesk.watch.normalizing import fold


def load_alias_book() -> AliasBook:
    """Every watched entity's name and aliases; entities by name, so a shared alias is stable."""
    names: dict[int, list[str]] = {}
    for entity_id, name in Entity.objects.order_by("name", "id").values_list("id", "name"):
        names[entity_id] = [name]
    for entity_id, text in Alias.objects.order_by("text", "id").values_list("entity_id", "text"):
        names.setdefault(entity_id, []).append(text)
    return AliasBook.from_names(names)


@dataclass
class ResolvedFilters:
    outlets: frozenset[int] | None = None
    entities: frozenset[int] | None = None
    tags: frozenset[int] | None = None
    langs: frozenset[str] | None = None
    notes: list[str] = field(default_factory=list)


def _slugs_of(value: str) -> tuple[str, str]:
    """The slugs a typed value may name, lower-cased: as typed (a facet link, or an address
    copied from the site, "outlet:LeMonde", "tag:camps--2019") and as `slugify` writes it."""
    return value.strip().lower(), slugify(value)


def _outlet_ids(value: str) -> set[int]:
    wanted, slugs = fold(value), _slugs_of(value)
    found: set[int] = set()
    for outlet_id, name, outlet_slug, aliases in Outlet.objects.values_list(
        "id", "name", "slug", "aliases"
    ):
        names = [name, *(a for a in aliases or [] if isinstance(a, str))]
        if outlet_slug.lower() in slugs or wanted in {fold(n) for n in names}:
            found.add(outlet_id)
    return found


def _tag_ids(value: str) -> set[int]:
    wanted, slugs = fold(value), _slugs_of(value)
    return {
        tag_id
        for tag_id, name, tag_slug in Tag.objects.values_list("id", "name", "slug")
        if tag_slug.lower() in slugs or fold(name) == wanted
    }


def _entity_ids(value: str, book: AliasBook) -> set[int]:
    key = key_of(value)
    found = {book.entity_of[key]} if key in book.entity_of else set()
    # An alias shared by two entities names both.
    for entity_id, names in book.names.items():
        if any(key_of(name) == key for name in names):
            found.add(entity_id)
    return found


def resolve_filters(filters: Filters, book: AliasBook) -> ResolvedFilters:
    resolved = ResolvedFilters()
    for name, attribute, values, finder in (
        ("outlet", "outlets", filters.outlet, _outlet_ids),
        ("tag", "tags", filters.tag, _tag_ids),
        ("entity", "entities", filters.entity, lambda value: _entity_ids(value, book)),
    ):
        if not values:
            continue
        ids: set[int] = set()
        for value in values:
            found = finder(value)
            if not found:
                resolved.notes.append(f"No {name} is called “{value}”.")
            ids |= found
        setattr(resolved, attribute, frozenset(ids))
    if filters.lang:
        resolved.langs = frozenset(value.strip().lower() for value in filters.lang)
    return resolved
