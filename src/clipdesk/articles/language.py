"""Language of an article: what its text says first, what its markup claims second.

Stages of `detect_language`:
1. Classify the text with py3langid (probabilities normalised) when there is enough of it.
2. Accept the guess when it is confident; a page's own `lang` attribute is often a template
   default ("en-US" on a German blog), so the text outranks it.
3. Otherwise fall back to the declared language, reduced to its primary subtag.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

MIN_CHARS = 40  # below one sentence the classifier guesses; measured guesses on titles are noise
MIN_PROBABILITY = 0.9
SAMPLE_CHARS = 1000  # a paragraph or two decides: on the 101 gold pages 1,000 and 3,000 agree


_loading = threading.Lock()


@functools.cache
def _load_identifier() -> LanguageIdentifier:
    # Imported here: search indexing imports this module in every process that serves or
    # exports the site, and py3langid brings numpy (30 ms) before anything is classified.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _identifier() -> LanguageIdentifier:
    with _loading:  # one load, even when the first page arrives while load_soon still runs
        return _load_identifier()


def load_soon() -> None:
    """Start loading the model (0.4 s, mostly decompression, which releases the GIL) on its
    own thread, so that it overlaps a poll's fetching instead of delaying its first page."""
    threading.Thread(target=_identifier, name="language-model", daemon=True).start()


def primary_subtag(tag: str | None) -> str | None:
    """'en-GB' → 'en'; None for empty or malformed tags."""
    found = re.match(r"\s*([A-Za-z]{2,3})(?:[-_]|\s*$)", tag or "")
    return found.group(1).lower() if found else None


def detect_language(text: str | None, declared: str | None = None) -> tuple[str | None, str]:
    """The language code and, in words, how it was decided."""
    # Cut before normalising the spaces: a long text need not be split whole for its start.
    sample = " ".join((text or "")[: SAMPLE_CHARS * 2].split())[:SAMPLE_CHARS]
    if len(sample) >= MIN_CHARS:
        code, probability = _identifier().classify(sample)
        if probability >= MIN_PROBABILITY:
            return code, f"detected from the text by py3langid ({probability:.2f})"
    if fallback := primary_subtag(declared):
        return fallback, "declared by the page (the text was too short or unclear to detect)"
    return None, "unknown: the text was too short or unclear and the page declares none"
