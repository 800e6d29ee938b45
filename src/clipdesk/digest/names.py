"""Names compared as people read them, for outlets and tags."""

from __future__ import annotations

import re
import unicodedata


def fold_name(text: str) -> str:
    """Case, width and punctuation folded: 'The  Harbour-Gazette' ~ 'the harbour gazette'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\W+", " ", text).strip()
