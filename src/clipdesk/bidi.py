"""Bidirectional-text controls closed where a value ends.

A headline, author or outlet name taken from a page may open a right-to-left override
(U+202E) or an embedding or isolate and never close it. Shown beside other text (the desk's
"headline · outlet · date", a post page's "headline · site name" title) it then reverses or
reorders what follows: "Trusted Daily" read as "yliaD detsurT", a date turned round. Each
value gets the closing marks it lacks, so whatever it does stays inside it; a value that
opens nothing is returned as it is. Unicode's bidirectional algorithm (UAX #9) closes an
embedding or override with PDF (U+202C) and an isolate with PDI (U+2069); a PDI also closes
the embeddings opened inside its isolate.
"""

from __future__ import annotations

EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO
ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
POP_EMBEDDING = "\u202c"  # PDF
POP_ISOLATE = "\u2069"  # PDI
_CONTROLS = EMBEDDINGS | ISOLATES | {POP_EMBEDDING, POP_ISOLATE}


def closed_bidi(value: str) -> str:
    """`value` with a closing mark added for each embedding, override or isolate it leaves
    open, innermost first. Line breaks end every one by themselves; a single-line field has
    none, so the whole value is read as one run."""
    if not value or _CONTROLS.isdisjoint(value):
        return value
    stack: list[str] = []
    for char in value:
        if char in EMBEDDINGS or char in ISOLATES:
            stack.append(char)
        elif char == POP_EMBEDDING:
            # Closes the innermost embedding, unless an isolate is open inside it.
            if stack and stack[-1] in EMBEDDINGS:
                stack.pop()
        elif char == POP_ISOLATE and any(opened in ISOLATES for opened in stack):
            # Closes the innermost isolate and every embedding opened inside it.
            while stack.pop() not in ISOLATES:
                pass
    closing = [POP_ISOLATE if opened in ISOLATES else POP_EMBEDDING for opened in stack]
    return value + "".join(reversed(closing))


def closed_within(value: str, most: int) -> str:
    """`value` cut to fit `most` characters (a column's length) with what it leaves open
    closed: cut after closing, a long hostile headline lost its closing marks again."""
    cut = value[:most]
    closed = closed_bidi(cut)
    while len(closed) > most:  # the marks take room: cut as many characters more
        cut = cut[: most - (len(closed) - len(cut))]
        closed = closed_bidi(cut)
    return closed
