"""The source line: how a post's credits read, as the digest has always written them.

    Luisa Hommerich, Des Spiegel (Spiegel Online), February 19 2019
    The Independent, Tehran Times and Sun Daily, February 18 2019

Credits without an author that share a date are one group ("A, B and C, date"); a credit
with an author stands alone ("Author, Outlet, date"); groups are joined by "; ".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass
class CreditName:
    """One named piece of a group: the outlet (or author), with a link when known."""

    text: str
    url: str = ""
    outlet_slug: str = ""
    outlet: object | None = None  # the outlet itself (a page links to the outlet's own page)


@dataclass
class CreditGroup:
    author: str = ""
    names: list[CreditName] = field(default_factory=list)
    place: str = ""
    date: datetime.date | None = None

    @property
    def date_text(self) -> str:
        return format_credit_date(self.date) if self.date else ""

    @property
    def names_text(self) -> str:
        return join_names([n.text for n in self.names])

    def __str__(self) -> str:
        parts = [self.author, self.names_text, self.place, self.date_text]
        return ", ".join(p for p in parts if p)


@lru_cache(maxsize=65536)
def format_credit_date(date: datetime.date) -> str:
    """'February 19 2019': month name, day without padding, year, no comma. Kept once made:
    strftime costs microseconds, and a full export writes each date several times."""
    return f"{date:%B} {date.day} {date.year}"


def join_names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def group_credits(credits: Iterable[object]) -> list[CreditGroup]:
    """Fold credits (in position order) into the groups the source line shows."""
    groups: list[CreditGroup] = []
    for credit in credits:
        outlet = getattr(credit, "outlet", None)
        outlet_name = outlet.name if outlet is not None else ""
        author = (getattr(credit, "author", "") or "").strip()
        place = (getattr(credit, "place", "") or "").strip()
        date = getattr(credit, "date", None)
        url = getattr(credit, "url", "") or ""
        if not (outlet_name or author or place or date):
            # Nothing of it to name (an address alone): shown, it was an empty piece of the
            # line ("Herald, March 4 2025; ; Echo"). The post page's sources list it still.
            continue
        name = CreditName(
            text=outlet_name,
            url=url,
            outlet_slug=outlet.slug if outlet is not None else "",
            outlet=outlet,
        )
        last = groups[-1] if groups else None
        joinable = (
            last is not None
            and not author
            and not last.author
            and not place
            and not last.place
            and last.date == date
            and outlet_name
            and last.names
        )
        if joinable:
            last.names.append(name)
            continue
        group = CreditGroup(author=author, place=place, date=date)
        if outlet_name:
            group.names.append(name)
        groups.append(group)
    return groups


def source_line(credits: Iterable[object]) -> str:
    """The credits as one line of text, without the excerpt."""
    return "; ".join(str(g) for g in group_credits(credits))
