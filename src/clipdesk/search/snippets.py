"""Highlighted snippets: the original text, escaped, with <mark> around what the query matched.

Matching is done on search words (words.py, as the index holds them), and marks are placed on
the original characters each word came from, so "Mojahédin" is marked for "mojahedin",
"Rajavi’s" for "rajavi", and Persian text with its own letter forms. A word cut by a
zero-width non-joiner ("می‌خواهد") is marked whole where the query found it whole
("میخواهد"), as the index holds it (words.py, `joined_words_with_spans`). A document found
through an entity word (words.py, `entity_word`: where the watchlist matcher found a searched
entity) has the matcher's mentions of that entity marked, under whatever spelling the text
writes it ("Mujahedin-i-Khalq" for "Mojahedin-e Khalq"). Everything is HTML-escaped before the
marks are added: a snippet is safe to render as it is.

A long text is first cut into pieces of about SNIPPET_CHARS at spaces, each piece scored, and
only the best piece is marked (the first one when nothing matches).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from clipdesk.search.query import AllOf, AnyOf, Node, Phrase, Term, spellings
from clipdesk.search.words import entity_of_word, joined_words_with_spans, words_with_spans
from clipdesk.watch.matching import Matcher
from clipdesk.watch.normalizing import CONNECTORS

SNIPPET_CHARS = 240
SCAN_CHARS = 30_000  # past this, a long article's snippet comes from its beginning
ELLIPSIS = "…"


@dataclass
class Highlighter:
    """What to mark: exact tokens, token prefixes and phrases, from the query's clauses."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: set[Phrase] = field(default_factory=set)
    # Acronyms searched through the entity word (aliases.py): marked where written in capitals.
    acronyms: set[str] = field(default_factory=set)
    # Entities searched through their entity word (by id, as the matcher names them), and the
    # watchlist matcher that finds their mentions; without one, only the words are marked.
    entities: set[str] = field(default_factory=set)
    matcher: Matcher | None = None

    @classmethod
    def for_nodes(
        cls, nodes: list[Node], acronyms: Iterable[str] = (), matcher: Matcher | None = None
    ) -> Highlighter:
        found = cls(acronyms=set(acronyms), matcher=matcher)
        pending = list(nodes)
        while pending:
            node = pending.pop()
            if isinstance(node, AnyOf):
                pending.extend(node.options)
            elif isinstance(node, AllOf):
                # A watched name typed as words ("Mojahedin-e-Khalq"): its connector alone
                # ("e") is no found word, or every lone "e" of a text was marked.
                pending.extend(
                    part
                    for part in node.parts
                    if not (isinstance(part, Term) and part.text in CONNECTORS)
                )
            elif isinstance(node, Term) and (entity := entity_of_word(node.text)):
                found.entities.add(entity)
            elif isinstance(node, Term):
                (found.prefixes if node.prefix else found.terms).add(node.text)
            elif node.joined:
                pending.extend(spellings(node))
            else:
                found.phrases.add(node)
        return found

    def mentions(self, text: str) -> list[tuple[int, int]]:
        """Where the matcher finds a searched entity in `text`: (start, end) of each mention."""
        if not self.entities or self.matcher is None:
            return []
        found = self.matcher.find(text=text)
        return [(m.start, m.end) for m in found if m.entity in self.entities]

    def _word(self, token: str, original: str | None) -> bool:
        if token in self.terms or any(token.startswith(p) for p in self.prefixes):
            return True
        return token in self.acronyms and original is not None and _capitals(original)

    def marked(self, words: list[str], originals: list[str] | None = None) -> list[bool]:
        """For each folded token, whether it is part of a match; `originals` are the words as
        written, which acronyms are marked by."""
        written = originals or [None] * len(words)
        marks = [self._word(word, original) for word, original in zip(words, written, strict=True)]
        for phrase in self.phrases:
            size = len(phrase.words)
            for start in range(len(words) - size + 1):
                window = words[start : start + size]
                if window[:-1] != list(phrase.words[:-1]):
                    continue
                last, wanted = window[-1], phrase.words[-1]
                if last == wanted or (phrase.prefix and last.startswith(wanted)):
                    marks[start : start + size] = [True] * size
        return marks


def _capitals(original: str) -> bool:
    letters = [char for char in original if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


Mentions = list[tuple[int, int]]


def _marked_words(
    text: str, highlighter: Highlighter, mentions: Mentions | None = None
) -> tuple[list[tuple[int, int]], list[bool]]:
    """The span of original characters of each search word of `text`, and whether it is part
    of a match: as written, or as the same words with those cut by a non-joiner whole (each
    part of such a word is marked where the whole word matched), or inside a mention of a
    searched entity (`mentions`, found in `text` when not given)."""
    words, spans = words_with_spans(text)
    marks = highlighter.marked(words, [text[start:end] for start, end in spans])
    for first, last in highlighter.mentions(text) if mentions is None else mentions:
        for index, (start, end) in enumerate(spans):
            if start < last and first < end:
                marks[index] = True
    joined = joined_words_with_spans(text)
    if joined is not None:
        whole_words, whole_spans = joined
        whole_marks = highlighter.marked(whole_words, [text[a:b] for a, b in whole_spans])
        index = 0
        for (start, end), marked in zip(whole_spans, whole_marks, strict=True):
            while index < len(spans) and spans[index][0] < start:
                index += 1
            while index < len(spans) and spans[index][1] <= end:
                marks[index] = marks[index] or marked
                index += 1
    return spans, marks


def _with_marks_after(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` with the combining marks after each last letter kept inside the mark."""
    ends = []
    for start, end in spans:
        while end < len(text) and unicodedata.category(text[end])[0] == "M":
            end += 1
        ends.append((start, end))
    return ends


def mark(text: str, highlighter: Highlighter, mentions: Mentions | None = None) -> str:
    """All of `text`, escaped, with its matches marked."""
    if not text:
        return ""
    spans, marks = _marked_words(text, highlighter, mentions)
    spans = _with_marks_after(text, spans)
    parts: list[str] = []
    cursor = 0
    index = 0
    while index < len(spans):
        if not marks[index]:
            index += 1
            continue
        start = spans[index][0]
        while index + 1 < len(spans) and marks[index + 1]:
            index += 1  # neighbouring marked words share one <mark>
        end = spans[index][1]
        parts.append(html.escape(text[cursor:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
        index += 1
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


_SPACE = re.compile(r"\s+")


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of about SNIPPET_CHARS, cut at spaces."""
    pieces: list[tuple[int, int]] = []
    start = 0
    limit = min(len(text), SCAN_CHARS)
    while start < limit:
        end = start + SNIPPET_CHARS
        if end >= len(text):
            pieces.append((start, len(text)))
            break
        space = _SPACE.search(text, end)
        end = space.start() if space and space.start() - end < 80 else end
        pieces.append((start, end))
        start = end
    return pieces


def snippet(text: str, highlighter: Highlighter) -> str:
    """The piece of `text` with the most matched words, escaped and marked, with ellipses."""
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return ""
    pieces = _pieces(text)
    # The matcher reads the scanned text once, as a whole: piece by piece it ran dozens of
    # times a result, and missed a mention cut by a piece's end.
    found = highlighter.mentions(text[: pieces[-1][1]])

    def within(start: int, end: int) -> Mentions:
        return [(a - start, b - start) for a, b in found if a < end and start < b]

    best, best_score = pieces[0], 0
    for start, end in pieces:
        score = sum(_marked_words(text[start:end], highlighter, within(start, end))[1])
        if score > best_score:
            best, best_score = (start, end), score
    start, end = best
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    body = mark(text[start:end], highlighter, within(start, end))
    return (
        (ELLIPSIS + " " if best[0] else "") + body + (" " + ELLIPSIS if best[1] < len(text) else "")
    )
