"""A credit line of thousands of names (a hostile or broken page) is read with work in
proportion to its length: the gazetteer is asked about each name a bounded number of times,
where it was asked about every earlier name for each (and every run of "and"-joined names
for each), so that a 25 KB line took minutes."""

from __future__ import annotations

import pytest

from clipdesk.archive.gazetteer import CreditReader, OutletGazetteer


class CountingGazetteer(OutletGazetteer):
    """A gazetteer that counts the look-ups made in it, and the characters looked up."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(names)
        self.asked = 0
        self.characters = 0

    def is_known_key(self, key: str) -> bool:
        self.asked += 1
        self.characters += len(key)
        return super().is_known_key(key)


KNOWN = ["Harbour Gazette", "Arts and Letters Daily", "Quay and Ferry and Tide Review"]


def people(count: int) -> str:
    return ", ".join(f"Jane Roe{chr(97 + i % 26)}" for i in range(count))


def joined_outlets(count: int) -> str:
    names = ["Arts and Letters Daily" if i % 7 == 0 else f"Outlet{i} Courier" for i in range(count)]
    return "Jane Roe, " + " and ".join(names)


@pytest.mark.parametrize("line", [people, joined_outlets])
def test_the_gazetteer_is_asked_about_each_name_a_bounded_number_of_times(line):
    counts = {}
    for names in (400, 800):
        gazetteer = CountingGazetteer(KNOWN)
        CreditReader(gazetteer).roles(line(names))
        counts[names] = (gazetteer.asked, gazetteer.characters)
    for names, (asked, characters) in counts.items():
        assert asked <= 5 * names, counts
        assert characters <= 100 * names, counts


def test_a_long_list_of_outlets_keeps_the_names_that_hold_and_whole():
    reader = CreditReader(OutletGazetteer(KNOWN))
    roles = reader.roles(joined_outlets(2000))
    outlets = [role.outlet for role in roles]
    assert len(outlets) == 2000 and {role.author for role in roles} == {"Jane Roe"}
    assert outlets[:3] == ["Arts and Letters Daily", "Outlet1 Courier", "Outlet2 Courier"]
    assert outlets.count("Arts and Letters Daily") == 286


def test_a_known_name_of_several_ands_is_kept_whole_between_others():
    reader = CreditReader(OutletGazetteer(KNOWN))
    line = "Jane Roe, Harbour Gazette and Quay and Ferry and Tide Review and Valley Courier"
    assert [role.outlet for role in reader.roles(line)] == [
        "Harbour Gazette",
        "Quay and Ferry and Tide Review",
        "Valley Courier",
    ]


def test_a_name_longer_than_any_outlets_is_not_learned_so_the_bound_holds():
    """A hostile line can teach an 18,000-character "outlet": learned, the reader looked
    runs up to its length, and reading long lines was quadratic again."""
    hostile = " & ".join(f"Outlet{i} Courier" for i in range(1000))
    counts = {}
    for names in (400, 800):
        gazetteer = CountingGazetteer([*KNOWN, hostile])
        CreditReader(gazetteer).roles(joined_outlets(names))
        counts[names] = gazetteer.characters
    for names, characters in counts.items():
        assert characters <= 100 * names, counts
