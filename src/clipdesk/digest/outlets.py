"""Finding outlets by any of their names."""

from __future__ import annotations

from collections.abc import Iterable

from anyascii import anyascii
from django.utils.text import slugify

from clipdesk.digest.models import Outlet
from clipdesk.digest.names import fold_name, fold_without_the


def slug_of(text: str) -> str:
    """The address form of `text`: `slugify`'s, or for a name with no Latin letters (Persian,
    Arabic, Cyrillic, Chinese) that of its Latin spelling, where slugify alone gives nothing."""
    return slugify(text) or slugify(anyascii(text))


def free_slug(model: type, text: str, max_length: int = 100) -> str:
    """A slug for `text` that no row of `model` has yet."""
    base = slug_of(text)[:max_length].strip("-") or model.__name__.lower()
    if not model.objects.filter(slug=base).exists():
        return base
    # The numbered slugs taken, read at once: asked for one by one, an archive of a thousand
    # posts all headlined "Weekly roundup" took a thousand queries for its last post alone.
    stem = base[: max_length - 6]
    taken = set(model.objects.filter(slug__startswith=f"{stem}-").values_list("slug", flat=True))
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


class OutletDirectory:
    """Finds or creates outlets by name or alias, loaded once per import or poll.

    A name is found as written first ("The Times" is the outlet of that name or alias), then
    without a leading "The" ("Times" finds "The Times", and "The Times" finds "Times"), but
    only where that leaves one outlet: when "The Times" and "Times" are both outlets, each
    keeps its own credits. A new outlet is made with the name as written, "The" and all.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, Outlet] = {}
        # Keys without "The" → the one outlet so named, or None where two outlets share one.
        self._by_bare_key: dict[str, Outlet | None] = {}
        for outlet in Outlet.objects.all():
            self._remember(outlet)

    def _remember(self, outlet: Outlet) -> None:
        for name in [outlet.name, *_aliases(outlet)]:
            self._by_key.setdefault(fold_name(name), outlet)
            bare = fold_without_the(name)
            if not bare:
                continue
            known = self._by_bare_key.setdefault(bare, outlet)
            if known is not None and known.pk != outlet.pk:
                self._by_bare_key[bare] = None

    def names(self) -> Iterable[str]:
        for outlet in {o.pk: o for o in self._by_key.values()}.values():
            yield outlet.name
            yield from _aliases(outlet)

    def find(self, name: str) -> Outlet | None:
        found = self._by_key.get(fold_name(name))
        if found is None and (bare := fold_without_the(name)):
            found = self._by_bare_key.get(bare)
        return found

    def get_or_create(self, name: str) -> Outlet:
        outlet = self.find(name)
        if outlet is None:
            outlet = Outlet.objects.create(name=name.strip()[:200], slug=free_slug(Outlet, name))
            self._remember(outlet)
        return outlet


def _aliases(outlet: Outlet) -> list[str]:
    """The outlet's aliases that are names. The admin keeps them a list of names
    (`Outlet.clean`); a row written otherwise (a shell, an old version) must not stop every
    poll and import that loads the outlets."""
    aliases = outlet.aliases if isinstance(outlet.aliases, list) else []
    return [a for a in aliases if isinstance(a, str) and a.strip()]
