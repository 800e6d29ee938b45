"""Extraction quality gate: headline, date, author and outlet accuracy on 101 gold pages.

Stages:
1. Run `extract_article` once per session on every page in ../shared/data/trafilatura/html
   (gold: evaldata_en_subset.json); about 4 s on this machine.
2. Score each field against the gold with the comparisons below (documented, since the
   figures mean nothing without them).
3. Print the figures and fail when any is below its floor in quality_floors.json.

Comparisons:
- headline: exact after whitespace normalisation (case and punctuation count);
- date: the same day;
- author: the same set of names after splitting on "; ", ", ", " and ", " & ", ignoring case,
  dots and academic suffixes (the gold joins names inconsistently and writes "T. V." or "T V");
- outlet: equal ignoring case and whitespace, on the pages whose gold names the site.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from clipdesk.articles.extraction import ExtractedArticle, ExtractionError, extract_article
from tests.conftest import skip_or_fail

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "trafilatura"
FLOORS = json.loads(Path(__file__).with_name("quality_floors.json").read_text())["floors"]
SPLIT = re.compile(r"\s*;\s*|\s*,\s*|\s+and\s+|\s*&\s*", re.IGNORECASE)
SUFFIX = re.compile(r"ph\.?\s?d\.?|m\.?d\.?", re.IGNORECASE)


def spaces(text: str | None) -> str:
    return " ".join((text or "").split())


def author_set(value: str | list[str] | None) -> frozenset[str]:
    if isinstance(value, list):
        value = "; ".join(value)
    parts = (spaces(p) for p in SPLIT.split(value or ""))
    return frozenset(p.casefold().replace(".", "") for p in parts if p and not SUFFIX.fullmatch(p))


@cache
def extracted() -> tuple[tuple[dict, ExtractedArticle | str], ...]:
    """Every gold page with its extraction (or the error message), computed once."""
    gold = json.loads((DATA / "evaldata_en_subset.json").read_text(encoding="utf-8"))
    results = []
    for url, expected in gold.items():
        html = (DATA / "html" / expected["file"]).read_bytes()
        try:
            results.append((expected, extract_article(html, url)))
        except ExtractionError as exc:
            results.append((expected, str(exc)))
    return tuple(results)


@pytest.fixture(scope="session")
def results() -> tuple[tuple[dict, ExtractedArticle | str], ...]:
    if not (DATA / "evaldata_en_subset.json").is_file():
        skip_or_fail("../shared/data/trafilatura (gold pages beside the repository) is absent")
    return extracted()


def score(results: tuple[tuple[dict, ExtractedArticle | str], ...]) -> dict[str, int]:
    counts = {"pages": len(results), "headline": 0, "date": 0, "author": 0}
    counts |= {"outlet": 0, "outlet_pages": 0, "errors": 0}
    for gold, article in results:
        if isinstance(article, str):
            counts["errors"] += 1
            continue
        counts["headline"] += spaces(article.title) == spaces(gold["title"])
        published = article.published.isoformat() if article.published else ""
        counts["date"] += published == (gold.get("date") or "")[:10]
        counts["author"] += author_set(article.authors) == author_set(gold.get("author"))
        if gold.get("sitename"):
            counts["outlet_pages"] += 1
            counts["outlet"] += (
                spaces(article.outlet_name).casefold() == spaces(gold["sitename"]).casefold()
            )
    return counts


def test_every_gold_page_is_extracted(results):
    errors = [f"{gold['file']}: {a}" for gold, a in results if isinstance(a, str)]
    assert len(results) == 101
    assert errors == []


def test_extraction_quality_meets_the_floors(results, capsys):
    counts = score(results)
    with capsys.disabled():
        print(
            "\nextraction quality on {pages} gold pages: headline {headline}, date {date}, "
            "author {author}, outlet {outlet}/{outlet_pages}".format(**counts)
        )
    below = {k: (counts[k], floor) for k, floor in FLOORS.items() if counts[k] < floor}
    assert below == {}, f"below the floors (measured, floor): {below}"


def test_taking_code_out_first_leaves_trafilaturas_text_as_it_was():
    """extraction.py removes what trafilatura would remove unread (scripts, styles, SVG,
    asides, footers) before trafilatura reads the page; on every gold page the fast pass's
    text, the page measure that decides on a full pass, and the full pass's text where it
    runs are what trafilatura finds in the whole page."""
    import trafilatura
    from trafilatura.baseline import html2txt

    from clipdesk.articles.extraction import (
        FULL_PASS_BELOW_CHARS,
        _drop_code,
        _parse_html,
        decode_html,
    )

    def readings(tree, url: str) -> tuple:
        options = {"url": url, "include_comments": False}
        fast = getattr(trafilatura.bare_extraction(tree, fast=True, **options), "text", None)
        page = len(html2txt(tree))
        if len(fast or "") >= FULL_PASS_BELOW_CHARS:
            return fast, page, None
        return fast, page, getattr(trafilatura.bare_extraction(tree, **options), "text", None)

    gold = json.loads((DATA / "evaldata_en_subset.json").read_text(encoding="utf-8"))
    differ = []
    for url, expected in gold.items():
        page = decode_html((DATA / "html" / expected["file"]).read_bytes())
        whole, dropped = _parse_html(page), _parse_html(page)
        _drop_code(dropped)
        if readings(whole, url) != readings(dropped, url):
            differ.append(url)
    assert differ == []
