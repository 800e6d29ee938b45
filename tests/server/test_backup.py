"""`clipdesk backup`: a copy of a running instance that holds whole records and a database
that opens, taken again incrementally, checked by `--verify`, restored by copying it back."""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from clipdesk.articles.snapshots import append_snapshot, encode_snapshot, write_snapshot
from clipdesk.demo.corpus_server import CorpusServer
from clipdesk.server.backup import back_up
from tests.cli import clipdesk as run_clipdesk
from tests.cli import instance_env

YESTERDAY = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)


def clipdesk(home: Path, *args: str, check: bool = True, **env: str):
    return run_clipdesk(home, *args, check=check, CLIPDESK_FETCH_ALLOW="127.0.0.1", **env)


@pytest.fixture(scope="module")
def polled_instance(tmp_path_factory) -> Path:
    """An instance that polled two outlets of the demo corpus on a loopback server, with an
    older day's WARC file beside today's."""
    home = tmp_path_factory.mktemp("polled") / "home"
    clipdesk(home, "init", "--site-name", "Harbour Watch")
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url("/harbour-gazette/feed.xml"), "--kind=feed")
        clipdesk(home, "source", "add", corpus.url("/riverain/news-sitemap.xml"))
        summary = json.loads(clipdesk(home, "poll", "--once", "--json").stdout)
    assert summary["articles_new"] > 5
    write_snapshot(home, "https://news.example/older", 200, {}, b"<p>older</p>", YESTERDAY)
    return home


@pytest.fixture
def home(polled_instance, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(polled_instance, copy)
    return copy


def today_file(home: Path) -> Path:
    day = datetime.datetime.now(datetime.UTC)
    return home / "snapshots" / f"{day:%Y-%m-%d}.warc.gz"


def record_ids(warc: Path) -> list[str]:
    """Every record's id, the file read through to its end (warcio raises at a bad one)."""
    with open(warc, "rb") as fh:
        return [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(fh)]


def article_count(database: Path) -> int:
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as db:
        return db.execute("select count(*) from articles_article").fetchone()[0]


def backup_json(home: Path, dest: Path, *args: str, **env: str) -> dict:
    return json.loads(clipdesk(home, "backup", str(dest), "--json", *args, **env).stdout)


def test_a_backup_taken_while_a_writer_appends_holds_whole_records_only(home, tmp_path):
    day = today_file(home)
    before = len(record_ids(day))
    stop = threading.Event()
    appended: list[int] = []

    def append_records() -> None:  # as the poller's workers append: the lock, then the bytes
        while not stop.is_set():
            now = datetime.datetime.now(datetime.UTC)
            url = f"https://news.example/{len(appended)}"
            append_snapshot(home, encode_snapshot(url, 200, {}, os.urandom(300_000), now))
            appended.append(1)

    writer = threading.Thread(target=append_records)
    writer.start()
    try:
        backups = []
        for number in range(6):
            dest = tmp_path / f"backups-{number}"
            backups.append(back_up(home, dest, database=home / "clipdesk.sqlite3").path)
        backups.append(Path(backup_json(home, tmp_path / "backups-cli")["path"]))
    finally:
        stop.set()
        writer.join()
    assert len(appended) > 6  # the writer ran all along

    original = day.read_bytes()
    all_ids = record_ids(day)
    for backup in backups:
        copy = backup / "snapshots" / day.name
        ids = record_ids(copy)
        assert len(ids) >= before and ids == all_ids[: len(ids)]
        assert original.startswith(copy.read_bytes())
        marker = backup / "snapshots" / f".{day.name}.end"
        assert int(marker.read_text()) == copy.stat().st_size
        assert article_count(backup / "clipdesk.sqlite3") == article_count(
            home / "clipdesk.sqlite3"
        )


def blocked_on_a_lock(pid: int) -> bool:
    """Whether process `pid` waits for a file lock (the kernel lists each waiter with "->")."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and int(fields[fields.index("->") + 4]) == pid:
            return True
    return False


def test_a_backup_waits_for_an_append_in_progress_and_copies_its_whole_record(home, tmp_path):
    """Held where a writer is in the middle of its append (the lock taken, half the record
    written): the backup waits for it, instead of copying the half record."""
    day = today_file(home)
    now = datetime.datetime.now(datetime.UTC)
    record = encode_snapshot("https://news.example/slow", 200, {}, os.urandom(200_000), now)
    dest = tmp_path / "backups"
    with open(day, "ab", buffering=0) as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)
        start = writer.seek(0, os.SEEK_END)
        writer.write(record.member[: len(record.member) // 2])
        backup = subprocess.Popen(
            [sys.executable, "-m", "clipdesk", "backup", str(dest), "--json"],
            env=instance_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not blocked_on_a_lock(backup.pid) and time.monotonic() < deadline:
            assert backup.poll() is None, backup.communicate()
            time.sleep(0.02)
        assert blocked_on_a_lock(backup.pid)
        writer.write(record.member[len(record.member) // 2 :])
        (day.parent / f".{day.name}.end").write_text(f"{start + len(record.member)}\n")
        fcntl.flock(writer, fcntl.LOCK_UN)
    out, err = backup.communicate(timeout=300)
    assert backup.returncode == 0, err

    copy = Path(json.loads(out)["path"]) / "snapshots" / day.name
    assert copy.read_bytes() == day.read_bytes()
    assert record_ids(copy)[-1] == record.record_id


def test_a_record_left_cut_short_by_a_writer_that_died_is_not_copied(home, tmp_path):
    day = today_file(home)
    whole = day.stat().st_size
    died = encode_snapshot("https://news.example/died", 200, {}, os.urandom(5000), YESTERDAY)
    with open(day, "ab") as fh:  # a poller killed mid-append: half a record, no note
        fh.write(died.member[: len(died.member) // 2])

    report = backup_json(home, tmp_path / "backups")

    copy = Path(report["path"]) / "snapshots" / day.name
    assert copy.stat().st_size == whole
    assert record_ids(copy) == record_ids(day)[: len(record_ids(copy))]
    assert clipdesk(home, "backup", "--verify", str(tmp_path / "backups")).returncode == 0


def test_a_second_backup_links_the_unchanged_days_and_copies_the_one_that_grew(home, tmp_path):
    dest = tmp_path / "backups"
    day, older = today_file(home), home / "snapshots" / f"{YESTERDAY:%Y-%m-%d}.warc.gz"
    first = backup_json(home, dest)
    assert {f"snapshots/{day.name}", f"snapshots/{older.name}"} <= set(first["copied"])

    second = backup_json(home, dest)
    assert second["linked"] == sorted([f"snapshots/{day.name}", f"snapshots/{older.name}"])
    assert not [name for name in second["copied"] if name.endswith(".warc.gz")]
    for name in second["linked"]:
        assert (Path(first["path"]) / name).stat().st_ino == (
            Path(second["path"]) / name
        ).stat().st_ino

    write_snapshot(
        home,
        "https://news.example/new",
        200,
        {},
        b"<p>new</p>",
        datetime.datetime.now(datetime.UTC),
    )
    third = backup_json(home, dest)
    assert third["linked"] == [f"snapshots/{older.name}"]
    assert f"snapshots/{day.name}" in third["copied"]
    assert record_ids(Path(third["path"]) / "snapshots" / day.name) == record_ids(day)
    # The earlier backups are as they were: the grown file was copied, not changed in place.
    assert (
        len(record_ids(Path(second["path"]) / "snapshots" / day.name)) == len(record_ids(day)) - 1
    )
    verified = clipdesk(home, "backup", "--verify", str(dest))
    assert third["path"] in verified.stdout and "is whole" in verified.stdout


@pytest.mark.parametrize("damaged", ["warc", "clipdesk.sqlite3"])
def test_verify_finds_a_flipped_byte(home, tmp_path, damaged):
    dest = tmp_path / "backups"
    backup = Path(backup_json(home, dest)["path"])
    name = f"snapshots/{today_file(home).name}" if damaged == "warc" else damaged
    target = backup / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))

    result = clipdesk(home, "backup", "--verify", str(dest), check=False)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{backup}/{name}: its SHA-256 differs" in result.stderr


def test_a_restored_backup_serves_the_same_articles_and_search(home, tmp_path):
    backup = Path(backup_json(home, tmp_path / "backups", "--with-index")["path"])
    restored = tmp_path / "restored"
    shutil.copytree(backup, restored)
    clipdesk(restored, "init")
    articles = json.loads(clipdesk(restored, "articles", "--json").stdout)
    assert len(articles) == article_count(home / "clipdesk.sqlite3")
    found = clipdesk(restored, "search", "harbour", "--type", "article", "--json")
    assert (
        json.loads(found.stdout)["results"]
        == json.loads(clipdesk(home, "search", "harbour", "--type", "article", "--json").stdout)[
            "results"
        ]
    )


def test_without_the_index_the_backup_says_to_reindex_after_restoring(home, tmp_path):
    result = clipdesk(home, "backup", str(tmp_path / "backups"))
    assert "run `clipdesk reindex` after restoring" in result.stdout
    (backup,) = (tmp_path / "backups").glob("20*")
    assert not (backup / "search-index").exists()
    assert (backup / "secret_key").read_text() == (home / "secret_key").read_text()
    manifest = json.loads((backup / "MANIFEST.json").read_text())
    assert manifest["clipdesk"] and manifest["created"] and "search-index" in manifest["left_out"]
    assert set(manifest["files"]) == {
        "clipdesk.sqlite3",
        "secret_key",
        "instance-id",
        *(f"snapshots/{p.name}" for p in (home / "snapshots").iterdir()),
    }


def one_line(result: subprocess.CompletedProcess, status: int) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


def test_a_destination_inside_the_home_is_refused(home):
    result = clipdesk(home, "backup", str(home / "backups"), check=False)
    assert "is inside the instance home" in one_line(result, 2)
    assert not (home / "backups").exists()


def test_a_destination_holding_other_files_is_refused(home, tmp_path):
    dest = tmp_path / "documents"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = clipdesk(home, "backup", str(dest), check=False)
    assert "holds other files and no clipdesk backup" in one_line(result, 2)
    assert sorted(p.name for p in dest.iterdir()) == ["notes.txt"]


def test_one_backup_given_as_the_destination_is_refused(home, tmp_path):
    backup = backup_json(home, tmp_path / "backups")["path"]
    result = clipdesk(home, "backup", backup, check=False)
    assert "is one backup; give the folder that holds the backups" in one_line(result, 2)


def test_verify_refuses_a_folder_without_a_backup(home, tmp_path):
    result = clipdesk(home, "backup", "--verify", str(tmp_path), check=False)
    assert "there is no clipdesk backup in" in one_line(result, 2)


# Sets the limit and becomes `python -m clipdesk ARGS`: a write past it fails as on a full disk.
WITH_A_FILE_SIZE_LIMIT = """
import os, resource, signal, sys
limit = int(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
os.execv(sys.executable, [sys.executable, "-m", "clipdesk", *sys.argv[2:]])
"""


@pytest.mark.parametrize("filled_by", ["database", "snapshots"])
def test_a_full_disk_is_said_in_one_line_and_leaves_no_part_of_the_backup(
    home, tmp_path, filled_by
):
    """Each file may grow to `room` bytes (RLIMIT_FSIZE, as in test_disk_refusals): the
    database's copy does not fit, or it does and the day's WARC file, grown past it, not."""
    with sqlite3.connect(home / "clipdesk.sqlite3") as db:
        pages = db.execute("pragma page_count").fetchone()[0]
        database = pages * db.execute("pragma page_size").fetchone()[0]
    if filled_by == "database":
        room = database // 2
    else:
        room = database + 64 * 1024
        now = datetime.datetime.now(datetime.UTC)
        write_snapshot(home, "https://news.example/large", 200, {}, os.urandom(room), now)
    dest = tmp_path / "backups"
    result = subprocess.run(
        [sys.executable, "-c", WITH_A_FILE_SIZE_LIMIT, str(room), "backup", str(dest)],
        capture_output=True,
        text=True,
        env=instance_env(home),
        timeout=300,
    )
    line = one_line(result, 1)
    assert line.startswith(f"backup: cannot write to {dest} (")
    assert line.endswith(", then run the command again")
    assert [p.name for p in dest.iterdir()] == [".lock"]


def test_with_postgresql_the_rest_is_copied_and_pg_dump_named(home, tmp_path):
    (home / "clipdesk.sqlite3").unlink()  # the data is elsewhere
    report = backup_json(
        home, tmp_path / "backups", DATABASE_URL="postgres://clipdesk@127.0.0.1:9/nowhere"
    )
    assert report["database"] == "postgresql"
    assert any("pg_dump" in note for note in report["notes"])
    backup = Path(report["path"])
    assert not (backup / "clipdesk.sqlite3").exists()
    assert record_ids(backup / "snapshots" / today_file(home).name) == record_ids(today_file(home))


def test_with_postgresql_search_no_reindex_is_asked_for(home, tmp_path):
    # PostgreSQL's search keeps its index in the database, which pg_dump copies: the home
    # holds no index to leave out, and a restore has nothing to reindex.
    (home / "clipdesk.sqlite3").unlink()
    shutil.rmtree(home / "search-index")
    report = backup_json(
        home, tmp_path / "backups", DATABASE_URL="postgres://clipdesk@127.0.0.1:9/nowhere"
    )
    assert not [note for note in report["notes"] if "reindex" in note]
    assert any("pg_dump" in note for note in report["notes"])


def test_a_backup_is_verified_where_no_instance_runs(home, tmp_path):
    """Backups are kept on another machine, which has no instance: --verify asked for one
    (`clipdesk init`), and would have made one to read a folder it never writes."""
    dest = tmp_path / "backups"
    backup_json(home, dest)
    nowhere = tmp_path / "no-instance"

    verified = clipdesk(nowhere, "backup", "--verify", str(dest), check=False)

    assert verified.returncode == 0, verified.stderr
    assert "is whole" in verified.stdout
    assert not nowhere.exists()


def test_keep_removes_the_oldest_backups_and_the_rest_stay_whole(home, tmp_path):
    """The removed backup's snapshot files were hard links shared with the newer ones: those
    stay whole. Folders of DEST that are not clipdesk backups are not counted or touched."""
    dest = tmp_path / "backups"
    first = backup_json(home, dest, "--keep", "2")
    assert first["removed"] == []
    others = {
        "notes": "mine",
        "photos": json.dumps({"format": "photo-album/1"}),  # a manifest, but not ours
        ".hidden": json.dumps({"format": "clipdesk-backup/1", "created": "2000-01-01"}),
    }
    for name, text in others.items():
        (dest / name).mkdir()
        (dest / name / "MANIFEST.json").write_text(text)
    second = backup_json(home, dest, "--keep", "2")
    write_snapshot(
        home,
        "https://news.example/new",
        200,
        {},
        b"<p>new</p>",
        datetime.datetime.now(datetime.UTC),
    )
    third = backup_json(home, dest, "--keep", "2")

    assert second["removed"] == [] and third["removed"] == [first["path"]]
    assert second["linked"] and not Path(first["path"]).exists()
    backups = sorted(p.name for p in dest.iterdir() if p.name.startswith("20"))
    assert backups == sorted([Path(second["path"]).name, Path(third["path"]).name])
    for name, text in others.items():
        assert (dest / name / "MANIFEST.json").read_text() == text
    for kept in (second, third):
        verified = clipdesk(home, "backup", "--verify", kept["path"])
        assert "is whole" in verified.stdout
        for day in (home / "snapshots").glob("*.warc.gz"):
            ids = record_ids(Path(kept["path"]) / "snapshots" / day.name)
            assert ids and ids == record_ids(day)[: len(ids)]

    result = clipdesk(home, "backup", str(dest), "--keep", "1")
    removed = [line for line in result.stdout.splitlines() if line.startswith("removed")]
    assert removed == [
        f"removed old backup {second['path']} (--keep 1)",
        f"removed old backup {third['path']} (--keep 1)",
    ]


def another_instance(polled_instance: Path, tmp_path: Path) -> Path:
    """A second instance with the same snapshot files byte for byte (a copy of the first
    that dropped its id, as a copy meant to run beside it should), so that only the
    instance told apart keeps one's backups from linking to the other's."""
    other = tmp_path / "other-home"
    shutil.copytree(polled_instance, other)
    (other / "instance-id").unlink(missing_ok=True)
    return other


def backups_in(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if p.name.startswith("20"))


def test_two_instances_keeping_one_each_in_one_dest_keep_their_own_newest(
    home, polled_instance, tmp_path
):
    other = another_instance(polled_instance, tmp_path)
    dest = tmp_path / "backups"
    first = backup_json(home, dest, "--keep", "1")
    other_first = backup_json(other, dest, "--keep", "1")
    second = backup_json(home, dest, "--keep", "1")
    other_second = backup_json(other, dest, "--keep", "1")

    assert other_first["removed"] == []
    assert second["removed"] == [first["path"]]
    assert other_second["removed"] == [other_first["path"]]
    assert backups_in(dest) == sorted(Path(r["path"]).name for r in (second, other_second))
    assert first["instance"] != other_first["instance"]
    for kept in (second, other_second):
        assert "is whole" in clipdesk(home, "backup", "--verify", kept["path"]).stdout


def test_a_backup_never_links_to_another_instances_files(home, polled_instance, tmp_path):
    other = another_instance(polled_instance, tmp_path)
    dest = tmp_path / "backups"
    first = backup_json(home, dest)
    other_first = backup_json(other, dest)
    assert other_first["linked"] == []  # the same bytes, but the other instance's copy

    second = backup_json(home, dest)
    other_second = backup_json(other, dest)
    for earlier, later in ((first, second), (other_first, other_second)):
        assert later["linked"]
        for name in later["linked"]:
            assert (Path(earlier["path"]) / name).stat().st_ino == (
                Path(later["path"]) / name
            ).stat().st_ino
    # The id is a file of the home, so a backup holds it and a restore keeps it.
    assert (Path(second["path"]) / "instance-id").read_text() == second["instance"]
    manifest = json.loads((Path(second["path"]) / "MANIFEST.json").read_text())
    assert manifest["instance"] == (home / "instance-id").read_text()


def test_a_backup_that_names_no_instance_is_left_alone_and_said_once(home, tmp_path):
    """One written before manifests named their instance: not this instance's to remove,
    nor to link to, since it may be another's."""
    dest = tmp_path / "backups"
    old = Path(backup_json(home, dest)["path"])
    manifest = json.loads((old / "MANIFEST.json").read_text())
    manifest.pop("instance", None)
    manifest["files"].pop("instance-id", None)
    (old / "instance-id").unlink(missing_ok=True)
    (old / "MANIFEST.json").write_text(json.dumps(manifest))

    result = clipdesk(home, "backup", str(dest), "--keep", "1")
    again = backup_json(home, dest, "--keep", "1")

    said = [line for line in result.stdout.splitlines() if "name no instance" in line]
    assert said == [
        f"note: 1 backup(s) in {dest} name no instance (written before backups did): they are "
        "neither linked to nor removed by --keep; remove them by hand when newer ones cover them"
    ]
    assert old.exists() and again["linked"] and len(again["removed"]) == 1
    assert "removed old backup" not in result.stdout
    assert backups_in(dest) == sorted([old.name, Path(again["path"]).name])
    for day in (old / "snapshots").glob("*.warc.gz"):  # copied anew, then linked to that copy
        assert day.stat().st_nlink == 1
    assert "is whole" in clipdesk(home, "backup", "--verify", str(old)).stdout


def hold_lock(path: Path) -> subprocess.Popen:
    """A process that holds the flock on `path`, as a backup writing that folder does."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            f"fh = open({str(path)!r}, 'a')\n"
            "fcntl.flock(fh, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_stale_partial_is_removed_and_a_live_one_left(home, tmp_path):
    dest = tmp_path / "backups"
    backup_json(home, dest)
    two_days_ago = time.time() - 2 * 86400
    partials = {}
    for kind in ("stale", "live", "young"):
        partial = dest / f".partial-2020-01-01T000000Z-{kind}"
        (partial / "snapshots").mkdir(parents=True)
        (partial / "clipdesk.sqlite3").write_bytes(b"half a copy")
        (partial / ".writing").touch()
        if kind != "young":
            for path in (partial / ".writing", partial):
                os.utime(path, (two_days_ago, two_days_ago))
        partials[kind] = partial
    holder = hold_lock(partials["live"] / ".writing")
    try:
        result = clipdesk(home, "backup", str(dest), "--keep", "5")
    finally:
        holder.communicate("")

    assert not partials["stale"].exists()
    assert partials["live"].exists() and partials["young"].exists()
    assert (
        f"removed {partials['stale']}: left by a backup that was stopped (no writer holds its "
        "lock, unchanged for over a day)"
    ) in result.stdout.splitlines()
    assert not list(dest.glob("20*/.writing"))

    report = backup_json(home, dest, "--keep", "5")  # the live one's writer is gone now
    assert report["removed_partials"] == [str(partials["live"])]
    assert partials["young"].exists()


KEPT = "(the backups kept, the new one among them)"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # Refused by the command line itself, before any backup is begun: the usage, then this.
        (["--keep", "0"], f"argument --keep: must be 1 or more {KEPT}, not 0"),
        (["--keep", "-3"], f"argument --keep: must be 1 or more {KEPT}, not -3"),
        (["--keep", "two"], "argument --keep: takes a whole number, not 'two'"),
        (["--keep", "1.5"], "argument --keep: takes a whole number, not '1.5'"),
        (["--keep", ""], "argument --keep: takes a whole number, not ''"),
    ],
)
def test_a_keep_that_is_no_count_is_refused_in_one_line(home, tmp_path, args, said):
    dest = tmp_path / "backups"
    backup_json(home, dest)
    before = sorted(p.name for p in dest.iterdir())
    result = clipdesk(home, "backup", str(dest), *args, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == f"clipdesk backup: error: {said}"
    assert sorted(p.name for p in dest.iterdir()) == before


def test_keep_with_verify_is_refused_in_one_line(home, tmp_path):
    dest = tmp_path / "backups"
    backup_json(home, dest)
    result = clipdesk(home, "backup", str(dest), "--keep", "2", "--verify", check=False)
    assert one_line(result, 2).startswith("backup: --keep removes old backups after writing one")


def test_a_backup_written_whose_old_one_cannot_be_removed_says_which_and_exits_1(home, tmp_path):
    """An old backup renamed by hand to a name as long as the file system takes: --keep
    renames a backup aside (.removing-NAME) before removing it, and that name is too long.
    A real refusal of the file system, which permission bits (ignored for root) are not."""
    dest = tmp_path / "backups"
    first = Path(backup_json(home, dest)["path"])
    name_max = os.pathconf(dest, "PC_NAME_MAX")
    old = first.rename(dest / f"{first.name}-{'x' * (name_max - len(first.name) - 1)}")

    result = clipdesk(home, "backup", str(dest), "--keep", "1", check=False)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    (written,) = [p for p in dest.iterdir() if p.name.startswith("20") and p != old]
    assert result.stdout.splitlines()[0].startswith(f"backup written to {written}: ")
    assert result.stderr.splitlines() == [
        f"backup: could not remove {old} (File name too long)",
        f"backup: written to {written}, but 1 folder(s) of the destination could not be removed",
    ]
    # --json: the report on stdout, naming what was kept, and the summary line alone.
    as_json = clipdesk(home, "backup", str(dest), "--keep", "1", "--json", check=False)
    assert as_json.returncode == 1 and "Traceback" not in as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["not_removed"] == [f"{old} (File name too long)"]
    assert report["removed"] == [str(written)]
    (line,) = as_json.stderr.strip().splitlines()
    assert line == (
        f"backup: written to {report['path']}, but 1 folder(s) of the destination could not "
        "be removed"
    )
    assert backups_in(dest) == sorted([old.name, Path(report["path"]).name])
    for kept in (old, Path(report["path"])):
        assert "is whole" in clipdesk(home, "backup", "--verify", str(kept)).stdout
