"""Opening the tantivy index while other processes make it: nobody's documents are lost.

Two pollers starting together on a fresh instance each make the search index. One used to
find the other's half-made folder (tantivy's files, no schema file yet), take it for an index
of an old schema and delete it under the other's writer: both batches were lost.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
import tantivy
from django.core.management import call_command
from django.core.management.base import CommandError

from clipdesk.search.backends import IndexDoc, Plan, reset_backends
from clipdesk.search.backends.tantivy_backend import (
    META_FILE,
    OPEN_LOCK,
    SCHEMA_VERSION,
    TOKENIZER,
    TantivyBackend,
)
from clipdesk.search.service import search
from tests.search.conftest import make_article


def doc(object_id: int) -> IndexDoc:
    return IndexDoc(
        kind="article",
        object_id=object_id,
        title=("headline", f"n{object_id}"),
        body=("common", "words"),
        date=datetime.date(2026, 3, 1),
    )


def stored_ids(path: Path) -> set[int]:
    result = TantivyBackend(path).search(Plan(kind="article", limit=1000))
    return set(result.ids)


def test_an_index_being_made_elsewhere_is_waited_for_not_dropped(tmp_path):
    root = tmp_path / "search-index"
    folder = root / "article"
    maker = TantivyBackend(root)
    root.mkdir()
    with open(root / OPEN_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another process, half-way: tantivy's files written, the schema file not yet.
        folder.mkdir()
        index = tantivy.Index(maker.schema, path=str(folder), reuse=True)
        index.register_tokenizer(
            TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        writer = index.writer(heap_size=15_000_000, num_threads=1)
        writer.add_document(maker._document(doc(7)))
        writer.commit()
        writer.wait_merging_threads()

        opened = []
        opener = threading.Thread(
            target=lambda: opened.append(TantivyBackend(root)._open("article"))
        )
        opener.start()
        time.sleep(0.3)
        assert opener.is_alive(), "opened (and so judged) the index while it was being made"

        (folder / META_FILE).write_text(json.dumps({"schema": SCHEMA_VERSION}))
        fcntl.flock(lock, fcntl.LOCK_UN)
    opener.join(10)
    assert opened
    assert stored_ids(root) == {7}


def test_an_index_of_another_schema_is_still_dropped(tmp_path, caplog):
    root = tmp_path / "search-index"
    TantivyBackend(root).upsert([doc(1)])
    (root / "article" / META_FILE).write_text(json.dumps({"schema": SCHEMA_VERSION - 1}))

    assert stored_ids(root) == set()
    assert "search_index_reset" in caplog.text
    assert json.loads((root / "article" / META_FILE).read_text()) == {"schema": SCHEMA_VERSION}


WRITER = """
import sys, time, datetime
from pathlib import Path
from clipdesk.search.backends import IndexDoc
from clipdesk.search.backends.tantivy_backend import TantivyBackend
root, first, start = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0.0, start - time.time()))
TantivyBackend(root).upsert([
    IndexDoc(kind="article", object_id=i, title=("t",), body=("b",), date=datetime.date(2026, 1, 1))
    for i in range(first, first + 10)
])
"""


def test_processes_making_a_fresh_index_together_keep_every_document(tmp_path):
    for attempt in range(3):
        root = tmp_path / f"round-{attempt}" / "search-index"
        start = time.time() + 1.5  # after every interpreter has started
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(root), str(n * 10), str(start)],
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(4)
        ]
        errors = [w.communicate(timeout=60)[1] for w in writers]
        assert [w.returncode for w in writers] == [0] * 4, errors
        assert stored_ids(root) == set(range(40))


def test_a_damaged_index_is_started_afresh_instead_of_failing_every_search(tmp_path, caplog):
    root = tmp_path / "search-index"
    TantivyBackend(root).upsert([doc(1), doc(2)])
    (root / "article" / "meta.json").write_text("half a commit")  # tantivy's own file

    fresh = TantivyBackend(root)  # the next process to open it
    assert stored_ids(root) == set()
    assert "search_index_damaged" in caplog.text
    fresh.upsert([doc(3)])
    assert stored_ids(root) == {3}


@pytest.mark.django_db
def test_reindex_refills_a_damaged_index(search_home, settings):
    settings.CLIPDESK_SEARCH_ENGINE = "tantivy"  # on either database
    reset_backends()
    make_article("Dune survey", "Surveyors mapped the dunes.")
    call_command("reindex", stdout=StringIO(), stderr=StringIO())
    (search_home / "search-index" / "article" / "meta.json").write_text("{")
    reset_backends()

    call_command("reindex", stdout=StringIO(), stderr=StringIO())
    assert {r.title for r in search("dunes", type="article").results} == {"Dune survey"}


@pytest.mark.django_db
def test_reindex_says_in_words_when_the_index_cannot_be_written(search_home, settings):
    settings.CLIPDESK_SEARCH_ENGINE = "tantivy"
    (search_home / "search-index").write_text("a file where the index's folder belongs")
    reset_backends()
    with pytest.raises(CommandError, match=r"^reindex: the search index could not be written"):
        call_command("reindex", stdout=StringIO(), stderr=StringIO())


def test_a_process_forked_after_the_index_was_opened_sees_later_commits(tmp_path):
    """As a server's workers are forked after `demo` or `run` opened the index: the thread
    that reloads a reader stays in the parent, and the child searched a frozen index."""
    import os

    root = tmp_path / "search-index"
    backend = TantivyBackend(root)
    backend.upsert([doc(1)])
    assert set(backend.search(Plan(kind="article", limit=10)).ids) == {1}
    go, seen = tmp_path / "go", tmp_path / "seen"
    child = os.fork()
    if child == 0:  # the worker: waits for the commit, then searches with what it inherited
        try:
            while not go.exists():
                time.sleep(0.01)
            found: set[int] = set()
            for _ in range(100):
                found = set(backend.search(Plan(kind="article", limit=10)).ids)
                if found == {1, 2}:
                    break
                time.sleep(0.05)
            seen.write_text(json.dumps(sorted(found)))
        finally:
            os._exit(0)
    TantivyBackend(root).upsert([doc(2)])  # another process's commit, as a poller's
    go.touch()
    os.waitpid(child, 0)
    assert json.loads(seen.read_text()) == [1, 2]
