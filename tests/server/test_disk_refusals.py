"""A disk that refuses the instance's writes (full, read-only, failing) is said in one line,
with what to do, never a traceback; and what the command was writing is not kept in part.

The disk fills up as RLIMIT_FSIZE makes it: the command's process may write no byte past a
given offset of any file. No privileges are needed, and the kernel fails those writes as a
full disk does (part of a write, then an error that names no file).
"""

from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clipdesk.demo.corpus_server import CorpusServer
from clipdesk.storage import database_refusal, file_refusal
from tests.cli import clipdesk, instance_env

# Sets the limit and becomes `python -m clipdesk ARGS`: the limit is inherited across exec.
# SIGXFSZ is ignored so that a write past it fails with EFBIG instead of killing the process.
WITH_A_FILE_SIZE_LIMIT = """
import os, resource, signal, sys
limit = int(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
os.execv(sys.executable, [sys.executable, "-m", "clipdesk", *sys.argv[2:]])
"""
# Room for SQLite's shared-memory index (32 KB) and a few pages of its write-ahead log.
ROOM = 64 * 1024


def clipdesk_on_a_small_disk(
    home: Path, *args: str, room: int = ROOM, **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITH_A_FILE_SIZE_LIMIT, str(room), *args],
        capture_output=True,
        text=True,
        env=instance_env(home, **env),
        timeout=300,
    )


def assert_said_in_one_line(result: subprocess.CompletedProcess, command: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"clipdesk {command}: cannot write ")
    assert line.endswith(", then run the command again")
    return line


def count_posts(home: Path) -> int:
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        return db.execute("select count(*) from digest_post").fetchone()[0]


def test_init_on_a_full_disk_is_one_line_and_a_second_init_finishes_it(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    line = assert_said_in_one_line(clipdesk_on_a_small_disk(home, "init"), "init")
    assert f"cannot write the database, SQLite {home / 'clipdesk.sqlite3'} (" in line
    assert "what the command was writing is rolled back" in line
    clipdesk(home, "init")  # the disk has room again
    assert clipdesk(home, "source", "list", "--json").stdout.strip() == "[]"


def test_a_signing_key_the_disk_cannot_hold_is_named_and_leaves_no_draft(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = clipdesk_on_a_small_disk(home, "init", room=10)  # less than the key
    line = assert_said_in_one_line(result, "init")
    assert line.startswith(f"clipdesk init: cannot write {home / 'secret_key'} (File too large)")
    assert "ulimit -f" in line
    assert list(home.iterdir()) == []  # no key, and no part of one


def digest_page(posts: int) -> str:
    """A saved digest page of `posts` posts, each with an excerpt of its own words."""
    lines = ["Harbour Watch", ""]
    for n in range(posts):
        words = " ".join(f"berth{n}x{w}" for w in range(80))
        lines += [
            f"Quay notice number {n}",
            "Posted on: 2021/03/02",
            f"Mira Okafor, The Harbour Gazette, March 2 2021:… The notice says {words}.",
            "",
        ]
    return "\n".join(lines)


def test_an_import_the_disk_cannot_hold_stops_in_one_line_and_keeps_no_part(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    page = tmp_path / "digest.txt"
    page.write_text(digest_page(150))  # far more than the room left, in one transaction
    result = clipdesk_on_a_small_disk(home, "import-archive", str(page))
    line = assert_said_in_one_line(result, "import-archive")
    assert "cannot write the database, SQLite" in line and "rolled back" in line
    assert count_posts(home) == 0
    imported = json.loads(clipdesk(home, "import-archive", str(page), "--json").stdout)
    assert imported["added"] == 150 and count_posts(home) == 150


def test_a_poll_the_disk_cannot_hold_is_one_line_and_the_next_stores_every_page(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    env = {"CLIPDESK_FETCH_ALLOW": "127.0.0.1"}
    with CorpusServer() as corpus:
        feed = corpus.url("/harbour-gazette/feed.xml")
        clipdesk(home, "source", "add", feed, "--kind", "feed", **env)
        failed = clipdesk_on_a_small_disk(home, "poll", "--once", "--json", **env)
        assert "cannot write the database" in assert_said_in_one_line(failed, "poll")
        kept = len(json.loads(clipdesk(home, "articles", "--json").stdout))
        summary = json.loads(clipdesk(home, "poll", "--once", "--json", **env).stdout)
    stored = json.loads(clipdesk(home, "articles", "--json").stdout)
    assert summary["failed"] == [] and len(stored) == kept + summary["articles_new"]
    assert summary["articles_new"] > 0 and all(a["snapshot"] for a in stored)


@pytest.mark.parametrize(
    "args",
    [["watch", "add", "Harbour Council", "--alias", "HC"], ["source", "add", "http://x.test/"]],
    ids=lambda args: args[0],
)
def test_a_disk_without_room_for_the_database_index_is_one_line(tmp_path, args):
    home = tmp_path / "home"
    clipdesk(home, "init")
    # Too little room for SQLite's shared-memory index: the first use of the database fails.
    result = clipdesk_on_a_small_disk(home, *args, room=16 * 1024)
    assert "cannot write the database" in assert_said_in_one_line(result, args[0])
    assert clipdesk(home, "watch", "list", "--json").stdout.strip() == "[]"
    assert clipdesk(home, "source", "list", "--json").stdout.strip() == "[]"


def test_only_the_disk_s_refusals_are_said_in_one_line(tmp_path):
    """A fault in the code keeps its traceback: a missing table, or a refused permission
    that names no file (a signal, a socket)."""
    db = sqlite3.connect(tmp_path / "db.sqlite3")
    with pytest.raises(sqlite3.OperationalError) as missing:
        db.execute("select * from no_such_table")
    assert database_refusal(missing.value) is None
    db.execute("create table t (n integer)")
    db.close()
    readonly = sqlite3.connect(f"file:{tmp_path / 'db.sqlite3'}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as refused:
        readonly.execute("insert into t values (1)")
    readonly.close()
    refusal = database_refusal(refused.value)
    assert refusal is not None and refusal.reason == "attempt to write a readonly database"
    assert file_refusal(PermissionError(errno.EPERM, "Operation not permitted")) is None
    assert file_refusal(OSError(errno.ENOSPC, "No space left on device")) is not None
    assert file_refusal(ValueError("not a disk")) is None
