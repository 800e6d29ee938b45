"""Serving and exporting the site load no extraction code: every command starts faster."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# The extractor's libraries, the language model's, scipy (which datasketch imports), and
# numpy (grouping's, which the editors' actions load only when they group).
EXTRACTION_MODULES = {
    *("trafilatura", "htmldate", "py3langid", "justext", "scipy", "datasketch", "numpy"),
}

LOADED_BY_THE_SITE = """
import json, os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "clipdesk.settings"
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # the URLconf, the views and what they import
from clipdesk.publish import export  # noqa: F401
print(json.dumps(sorted(set(json.loads(sys.argv[1])) & set(sys.modules))))
"""
# Test tooling, which production code has no use for (the export makes its own requests).
TEST_MODULES = {"django.test"}


def test_the_site_and_its_export_do_not_import_the_extractor(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["CLIPDESK_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOADED_BY_THE_SITE,
            json.dumps(sorted(EXTRACTION_MODULES | TEST_MODULES)),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout) == []


GROUPING = """
import json, sys
from clipdesk.stories.grouping import StoryIndex
StoryIndex().minhash_signature("Five words make a shingle, and ten words make six of them.")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"datasketch", "scipy"})))
"""


def test_grouping_hashes_without_importing_datasketch_or_scipy():
    result = subprocess.run(
        [sys.executable, "-c", GROUPING], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout) == []
