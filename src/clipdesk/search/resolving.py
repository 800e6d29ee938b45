"""From names in a parsed query to ids: the part of a query that needs the database.

- Watched names: `load_alias_book` reads every entity's name and aliases for `aliases`.
- Filters: outlet: matches an outlet's slug, name or one of its aliases; entity: an entity's
  name or alias; tag: a tag's slug or name; all folded, so case and accents do not matter.
  A slug is compared as typed: one edited in the admin may hold capitals ("LeMonde") or
  what `slugify` would not write ("camps--2019"), and its own facet link must find it, and
  only it; when no slug is written so, case is set aside (`_slug_ids`).
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


def _slug_ids(value: str, slugs: list[tuple[int, str]]) -> set[int]:
    """The ids whose slug `value` names. A slug written exactly as typed names only its own
    (a facet link, "outlet:lemonde", must not list "LeMonde" too, though the two differ only
    in case). Only when no slug is written so is case set aside, and the value also read as
    `slugify` writes it ("outlet:LEMONDE", "tag:Camps 2019")."""
    typed = value.strip()
    exact = {row_id for row_id, slug in slugs if slug == typed}
    if exact:
        return exact
    wanted = {typed.lower(), slugify(value)}
    return {row_id for row_id, slug in slugs if slug.lower() in wanted}


def _outlet_ids(value: str) -> set[int]:
    wanted = fold(value)
    rows = list(Outlet.objects.values_list("id", "name", "slug", "aliases"))
    found = _slug_ids(value, [(outlet_id, slug) for outlet_id, _name, slug, _aliases in rows])
    for outlet_id, name, _slug, aliases in rows:
        names = [name, *(a for a in aliases or [] if isinstance(a, str))]
        if wanted in {fold(n) for n in names}:
            found.add(outlet_id)
    return found


def _tag_ids(value: str) -> set[int]:
    wanted = fold(value)
    rows = list(Tag.objects.values_list("id", "name", "slug"))
    found = _slug_ids(value, [(tag_id, slug) for tag_id, _name, slug in rows])
    return found | {tag_id for tag_id, name, _slug in rows if fold(name) == wanted}


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
