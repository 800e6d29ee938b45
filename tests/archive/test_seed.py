"""The real legacy page shared with the project must parse to its expected output."""

import json
from pathlib import Path

import pytest

from clipdesk.archive.parsing import parse_archive

SEED_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seed"


def _seed_pairs() -> list[tuple[Path, Path]]:
    if not SEED_DIR.is_dir():
        return []
    pairs = []
    for expected in sorted(SEED_DIR.glob("*.expected.json")):
        page = expected.with_name(expected.name.removesuffix(".expected.json") + ".txt")
        if not page.exists():
            page = page.with_suffix(".html")
        if page.exists():
            pairs.append((page, expected))
    return pairs


def test_seed_matches_expected() -> None:
    pairs = _seed_pairs()
    if not pairs:
        pytest.skip("../shared/seed is absent")
    for page_path, expected_path in pairs:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        page = parse_archive(page_path.read_bytes(), filename=page_path.name)
        assert page.site_name == expected["site"]["name"], page_path.name
        assert page.about is not None
        assert page.about.startswith(expected["site"]["about_starts_with"])
        got = page.as_dict()["posts"]
        assert [p["headline"] for p in got] == [p["headline"] for p in expected["posts"]]
        for post, wanted in zip(got, expected["posts"], strict=True):
            assert post["posted_on"] == wanted["posted_on"], post["headline"]
            assert post["sources"] == wanted["sources"], post["headline"]
            assert post["excerpt"].startswith(wanted["excerpt_starts_with"]), post["headline"]
