"""Names compared as people read them, for outlets and tags."""

from __future__ import annotations

import re
import unicodedata


def fold_name(text: str) -> str:
    """Case, width and punctuation folded: 'The  Harbour-Gazette' ~ 'the harbour gazette'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\W+", " ", text).strip()


def fold_without_the(text: str) -> str:
    """`fold_name` without a leading English "The": 'The Times' ~ 'Times' ~ 'times'. Only
    for finding an outlet that exists already (`OutletDirectory`): a name is stored as it is
    written, "The" and all."""
    return re.sub(r"^the ", "", fold_name(text))


def name_list(value: object, what: str) -> list[str]:
    """A JSON list of names as it is kept: each stripped, empty ones and repeats left out.
    Anything else (a bare string, a number, an object) is refused with ValueError, in words:
    a string would be read one letter at a time, a number would stop whatever reads it."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'{what}: a list of names in double quotes, such as ["A", "B"]')
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))
