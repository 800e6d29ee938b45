"""Language of an article: what its text says first, what its markup claims second.

Stages of `detect_language`:
1. Classify the text with py3langid (probabilities normalised) when there is enough of it.
2. Accept the guess when it is confident; a page's own `lang` attribute is often a template
   default ("en-US" on a German blog), so the text outranks it.
3. Otherwise fall back to the declared language, reduced to its primary subtag.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
import re
import shutil
import tempfile
import threading
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

logger = logging.getLogger(__name__)

MIN_CHARS = 40  # below one sentence the classifier guesses; measured guesses on titles are noise
MIN_PROBABILITY = 0.9
SAMPLE_CHARS = 1000  # a paragraph or two decides: on the 101 gold pages 1,000 and 3,000 agree


_loading = threading.Lock()


@functools.cache
def _load_identifier() -> LanguageIdentifier:
    # Imported here: search indexing imports this module in every process that serves or
    # exports the site, and py3langid brings numpy (30 ms) before anything is classified.
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    try:
        return _from_unpacked_model(MODEL_DIR / MODEL_FILE)
    except Exception as exc:  # a shortcut only: on any failure, the package's own load
        logger.info("language model cache unused (%s); loading the packed model", exc)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _from_unpacked_model(packed: Path) -> LanguageIdentifier:
    """py3langid's model from its unpacked copy in the user's cache, made on first use.

    The model ships as LZMA-compressed NumPy arrays (4.5 MB); unpacking them (68 MB) takes
    0.4–0.7 s of CPU in every process that classifies a text, such as each `poll --once`,
    where reading the unpacked arrays takes under 0.1 s. The copy is keyed by py3langid's
    version and the packed file's size (one copy for every install of that version), and
    written whole before it is renamed into
    place, so processes starting together never read half of one. The arrays become the
    identifier as py3langid's own `from_model_file` makes it (a test holds the two equal).
    """
    import lzma

    import numpy as np
    from py3langid.langid import LanguageIdentifier

    size = packed.stat().st_size
    version = importlib.metadata.version("py3langid")
    folder = _cache_folder()
    unpacked = folder / f"py3langid-{version}-{size}.npz"
    if not unpacked.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Copies named by the packed file's time as well: every install (each clone's
        # environment) unpacked 68 MB more of the same model, and none was ever removed.
        for older in folder.glob(f"py3langid-{version}-{size}-*.npz"):
            older.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as part:
            try:
                with lzma.open(packed) as source:
                    shutil.copyfileobj(source, part, length=1 << 20)
                part.close()
                os.replace(part.name, unpacked)
            except BaseException:
                Path(part.name).unlink(missing_ok=True)
                raise
    try:
        with np.load(unpacked, allow_pickle=False) as data:
            return LanguageIdentifier(
                np.asarray(data["ptc"]),
                np.asarray(data["pc"]),
                data["classes"].tolist(),
                _plain_array(data["nextmove"]),
                data["out_feat"].tolist(),
                norm_probs=True,
                tk_row=_plain_array(data["nextmove_row"]),
            )
    except Exception:
        unpacked.unlink(missing_ok=True)  # damaged: the next process unpacks it afresh
        raise


def _plain_array(values) -> array:
    """Unsigned NumPy integers as a standard-library array, the type py3langid walks its
    automaton with (indexing one is faster than indexing NumPy from Python)."""
    typecode = {2: "H", 4: "I", 8: "L"}[values.dtype.itemsize]
    plain = array(typecode)
    plain.frombytes(values.tobytes())
    return plain


def _cache_folder() -> Path:
    """$CLIPDESK_CACHE_DIR, else the user's cache folder (XDG) under clipdesk/."""
    if folder := os.environ.get("CLIPDESK_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "clipdesk"


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
