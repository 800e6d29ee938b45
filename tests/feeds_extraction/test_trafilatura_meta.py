"""trafilatura's metadata read field by field (articles/trafilatura_meta.py) is what
trafilatura's own `extract_metadata` gives, field for field, on the 101 gold pages; so skipping
the fields we never read changes no extraction. Fails when a trafilatura upgrade changes the
steps of its metadata pass, which the lazy reader follows."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
from trafilatura.metadata import extract_metadata

from clipdesk.articles.extraction import DATE_PARAMS
from clipdesk.articles.page_metadata import clean_text
from clipdesk.articles.trafilatura_meta import TrafilaturaMeta
from tests.conftest import skip_or_fail

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "trafilatura"


def gold_pages() -> list[tuple[str, bytes]]:
    gold_file = DATA / "evaldata_en_subset.json"
    if not gold_file.is_file():
        skip_or_fail("../shared/data/trafilatura (gold pages beside the repository) is absent")
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    return [(url, (DATA / "html" / e["file"]).read_bytes()) for url, e in gold.items()]


def test_each_field_is_what_trafilaturas_metadata_pass_gives():
    differences = []
    for url, html in gold_pages():
        tree = lxml.html.document_fromstring(html)
        whole = extract_metadata(lxml.html.document_fromstring(html), url, dict(DATE_PARAMS))
        lazy = TrafilaturaMeta(tree, url, DATE_PARAMS)
        expected = {
            "title": clean_text(whole.title),
            "authors": [a for a in (clean_text(p) for p in (whole.author or "").split(";")) if a],
            "sitename": clean_text(whole.sitename),
            "description": clean_text(whole.description),
            "date": whole.date,
        }
        got = {field: getattr(lazy, field) for field in expected}
        differences += [(url, f, expected[f], got[f]) for f in expected if expected[f] != got[f]]
    assert differences == []


def test_fields_are_read_only_when_asked_for():
    url, html = gold_pages()[0]
    lazy = TrafilaturaMeta(lxml.html.document_fromstring(html), url, DATE_PARAMS)
    assert lazy.title
    assert "authors" not in vars(lazy)  # the costly author heuristics never ran
