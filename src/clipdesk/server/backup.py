"""A consistent copy of an instance's home, taken while the instance keeps running.

A plain copy of the home while it polls can catch the SQLite file mid-write or a day's WARC
file mid-append. Here each part is copied the way it is written:

- the search index first (with `--with-index`), from the files its last commit lists, so it
  holds no row the database copy lacks (`clipdesk reindex` makes it exact after a restore);
- the SQLite database through SQLite's online backup, in one step: in WAL mode (which the
  instance always uses) that is one read transaction, which writers do not wait for;
- then the snapshots, each day's file up to the end of its whole records, read under the
  writers' lock (`snapshots.whole_records_end`). A row is stored after its record is
  appended, so every row of the database copy points into the copied bytes. A day's file is
  named after the day its pages were fetched, and a page fetched before midnight may be
  appended after it: an older file can still grow, so each file is compared by its end,
  never by its date. A file whose copy in the previous backup has that size and the same
  first and last bytes is linked to that copy (a hard link: deleting either backup leaves
  the other whole), any other is copied;
- the signing key and the home's other top-level files (not the page cache, the scheduler's
  state or the database's own files).

PostgreSQL is not copied: `pg_dump` is the tool for it, and it is not run from here since it
must be of the server's version or newer, reach the database with credentials of the
operator's choosing, and its dumps are usually kept and watched with PostgreSQL's own care.

Each backup is a folder of DEST named after its time (UTC), written into DEST/.partial-NAME
and renamed when whole, with MANIFEST.json: every file's size and SHA-256, the version and
the time. `verify_backup` checks those and reads every WARC copy through.

While a backup is written, its writer holds a lock on DEST/.partial-NAME/.writing (an flock,
let go by the kernel when the writer dies). A partial folder whose lock nobody holds and that
has not changed for a day was left by a stopped backup and is removed by the next one; a
younger one is left alone, in case its writer cannot be seen through the lock (DEST/.lock
deleted by hand, or shared from another machine). With `keep`, the oldest whole backups
beyond the newest `keep` are removed after the new one is written: renamed to
DEST/.removing-NAME first, so that a removal cut short never leaves a folder that looks like
a whole backup. The unchanged snapshot files a newer backup shares are hard links, so they
stay whole in it.

Several instances may back up into one DEST: each manifest names the instance that wrote it
(`instance_id`, kept in the home and so in its backups and restores), and a backup links to,
and `keep` counts and removes, only backups of its own instance. A backup whose manifest names
no instance (written before they did) is nobody's: never linked to nor removed, and said so.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.exceptions import ImproperlyConfigured
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from clipdesk import __version__
from clipdesk.articles.snapshots import whole_records_end
from clipdesk.instance import file_lock, instance_id
from clipdesk.storage import database_refusal, file_refusal

FORMAT = "clipdesk-backup/1"
MANIFEST = "MANIFEST.json"
SNAPSHOTS = "snapshots"
SEARCH_INDEX = "search-index"
LOCK = ".lock"  # two backups into one DEST take turns
PARTIAL = ".partial-"
WRITING = ".writing"  # in a partial folder, locked by its writer while it writes
REMOVING = ".removing-"  # an old backup being removed
# A partial folder nobody holds the lock of is removed once it has not changed for this long.
STALE_PARTIAL = datetime.timedelta(days=1)
# Top-level files of the home left out: the page cache's version and the scheduler's state
# are made again on use; the database is copied through SQLite (its -wal and -shm with it).
LEFT_OUT_FILES = ("content-version", "celerybeat-schedule")
# The bytes compared at each end of a day's file before its previous copy is linked.
PROBE = 1 << 16
BLOCK = 1 << 20
# A commit of the search index between reading its list of files and copying them may remove
# some: the copy is then begun again, this many times at most.
INDEX_ATTEMPTS = 5
POSTGRES_NOTE = (
    "the database is in PostgreSQL and is not in this backup: dump it with pg_dump just "
    'before this command (pg_dump --format=custom --file=clipdesk.dump "$DATABASE_URL"), '
    "so that every row's snapshot is in the copy"
)
REINDEX_NOTE = "no search index in this backup: run `clipdesk reindex` after restoring it"
UNKNOWN_INSTANCE_NOTE = (
    "{count} backup(s) in {dest} name no instance (written before backups did): they are "
    "neither linked to nor removed by --keep; remove them by hand when newer ones cover them"
)


class BackupRefused(Exception):
    """DEST (or the instance) cannot take or give a backup; the message says why (exit 2)."""


class BackupFailed(Exception):
    """The backup could not be written; nothing of it is kept; the message says why (exit 1)."""


@dataclass(frozen=True)
class CopiedFile:
    size: int
    sha256: str

    def as_dict(self) -> dict:
        return {"size": self.size, "sha256": self.sha256}


@dataclass
class BackupReport:
    path: Path
    database: str  # "sqlite" or "postgresql"
    search_index: bool
    instance: str  # the id of the instance backed up; see instance_id()
    copied: dict[str, CopiedFile] = field(default_factory=dict)
    linked: dict[str, CopiedFile] = field(default_factory=dict)  # from the previous backup
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    removed: list[Path] = field(default_factory=list)  # old backups, beyond the newest `keep`
    removed_partials: list[Path] = field(default_factory=list)  # left by stopped backups
    not_removed: list[str] = field(default_factory=list)  # what could not be, and why

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "instance": self.instance,
            "database": self.database,
            "search_index": self.search_index,
            "copied": sorted(self.copied),
            "copied_bytes": sum(f.size for f in self.copied.values()),
            "linked": sorted(self.linked),
            "linked_bytes": sum(f.size for f in self.linked.values()),
            "notes": self.notes,
            "removed": [str(p) for p in self.removed],
            "removed_partials": [str(p) for p in self.removed_partials],
            "not_removed": self.not_removed,
            "seconds": round(self.seconds, 3),
        }


def back_up(
    home: Path,
    dest: Path,
    *,
    database: Path | None,
    with_index: bool = False,
    keep: int | None = None,
) -> BackupReport:
    """Write a backup of the instance at `home` into a new folder of `dest`; `database` is the
    SQLite file, None when the data is in PostgreSQL. With `keep`, the backups of `dest`
    beyond the newest `keep` (the new one among them) are removed once it is whole."""
    started = time.monotonic()
    home, dest = home.resolve(), dest.expanduser().resolve()
    if keep is not None and keep < 1:
        raise BackupRefused(
            f"backup: --keep must be 1 or more (the backups kept, the new one among them), "
            f"not {keep}"
        )
    _check_destination(home, dest)
    if database is not None and not database.is_file():
        raise BackupRefused(f"backup: there is no database at {database}; nothing to back up")
    try:
        try:
            instance = instance_id(home)
        except ImproperlyConfigured as exc:
            raise BackupRefused(f"backup: {exc}") from exc
        dest.mkdir(parents=True, exist_ok=True)
        with file_lock(dest / LOCK):
            report = BackupReport(
                dest, "postgresql" if database is None else "sqlite", with_index, instance
            )
            _remove_stale_partials(dest, report)
            # Read once, under the lock: no other backup into DEST adds or removes one meanwhile.
            backups = list(_backups(dest))
            if unknown := sum(1 for _, m in backups if not _instance_of(m)):
                report.notes.append(UNKNOWN_INSTANCE_NOTE.format(count=unknown, dest=dest))
            ours = [(f, m) for f, m in backups if _instance_of(m) == instance]
            previous = _newest(ours)
            name = _unused_name(dest)
            report.path = dest / name
            partial = dest / f"{PARTIAL}{name}"
            partial.mkdir()
            try:
                with file_lock(partial / WRITING):
                    _write_backup(home, partial, database, previous, report)
                    os.rename(partial, report.path)
                    _sync_folder(dest)
                (report.path / WRITING).unlink()
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            if keep is not None:
                _remove_old_backups(dest, ours, keep, report)
    except sqlite3.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if (refusal := database_refusal(exc)) is not None:
            raise BackupFailed(_refused_write(dest, reason, refusal.remedy)) from exc
        raise BackupFailed(f"backup: the database could not be copied ({reason})") from exc
    except OSError as exc:
        if (refusal := file_refusal(exc)) is None:
            raise
        if exc.filename and not _within(Path(exc.filename), dest):
            raise BackupFailed(
                f"backup: cannot read {exc.filename} ({refusal.reason}); nothing of this "
                "backup was kept"
            ) from exc
        raise BackupFailed(_refused_write(dest, refusal.reason, refusal.remedy)) from exc
    report.seconds = time.monotonic() - started
    return report


def _refused_write(dest: Path, reason: str, remedy: str) -> str:
    return (
        f"backup: cannot write to {dest} ({reason}); nothing of this backup was kept; "
        f"{remedy}, then run the command again"
    )


def _write_backup(
    home: Path,
    target: Path,
    database: Path | None,
    previous: tuple[Path, dict] | None,
    report: BackupReport,
) -> None:
    index = home / SEARCH_INDEX
    if report.search_index and index.is_dir():
        report.copied.update(_copy_index(index, target))
    elif index.is_dir():
        # Left out, to be rebuilt after a restore. No such folder: nothing to rebuild (with
        # PostgreSQL's search the index is in the database, which pg_dump copies).
        report.notes.append(REINDEX_NOTE)
    if database is not None:
        relative = database.name
        _copy_sqlite(database, target / relative)
        report.copied[relative] = _digest(target / relative)
    else:
        report.notes.append(POSTGRES_NOTE)
    _copy_snapshots(home, target, previous, report)
    left_out = []  # what the home holds besides: the page cache, static files, ...
    for entry in sorted(home.iterdir()):
        if database is not None and entry.name.startswith(database.name):
            continue  # the database's own files (-wal, -shm), copied through SQLite
        if entry.is_file() and not entry.is_symlink() and _kept_file(entry.name):
            report.copied[entry.name] = _copy(entry, target / entry.name)
        elif entry.name not in (SNAPSHOTS, SEARCH_INDEX if report.search_index else ""):
            left_out.append(entry.name)
    files = {**report.copied, **report.linked}
    manifest = {
        "format": FORMAT,
        "clipdesk": __version__,
        "instance": report.instance,
        "created": datetime.datetime.now(datetime.UTC).isoformat(),
        "home": str(home),
        "database": report.database,
        "search_index": report.search_index and index.is_dir(),
        "left_out": left_out,
        "files": {name: files[name].as_dict() for name in sorted(files)},
    }
    _write_file(target / MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
    _sync_folder(target)


def _kept_file(name: str) -> bool:
    return not name.startswith((".", *LEFT_OUT_FILES))


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup of `source` into `target`, in one step (one read transaction:
    in WAL mode writers go on meanwhile, and a write does not start the copy over). The copy
    is left in rollback-journal mode, one file; the instance turns WAL on when it opens it."""
    # mode=rw: a database that vanished meanwhile is an error, not an empty one made here.
    with (
        contextlib.closing(
            sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=20)
        ) as src,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        src.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())


def _copy_snapshots(
    home: Path, target: Path, previous: tuple[Path, dict] | None, report: BackupReport
) -> None:
    (target / SNAPSHOTS).mkdir()
    for day in sorted((home / SNAPSHOTS).glob("*.warc.gz")):
        relative = f"{SNAPSHOTS}/{day.name}"
        end = whole_records_end(day)
        earlier = previous[0] / relative if previous else None
        if earlier is not None and _same_prefix(day, earlier, end):
            report.linked[relative] = _link(earlier, target / relative, previous[1], relative)
        else:
            report.copied[relative] = _copy(day, target / relative, end)
        marker = f"{SNAPSHOTS}/.{day.name}.end"  # the end of the copy's whole records
        report.copied[marker] = _write_file(target / marker, f"{end}\n".encode())


def _same_prefix(source: Path, copy: Path, end: int) -> bool:
    """Whether `copy` holds the first `end` bytes of `source`: of that size, and the same at
    both ends (the bytes in between of an append-only file do not change)."""
    try:
        if copy.stat().st_size != end:
            return False
        with open(source, "rb") as one, open(copy, "rb") as other:
            for offset in sorted({0, max(end - PROBE, 0)}):
                one.seek(offset)
                other.seek(offset)
                if one.read(min(PROBE, end - offset)) != other.read(min(PROBE, end - offset)):
                    return False
    except FileNotFoundError:
        return False
    return True


def _link(earlier: Path, target: Path, manifest: dict, relative: str) -> CopiedFile:
    try:
        os.link(earlier, target)
    except OSError:  # a file system without hard links (or at its count of them)
        shutil.copyfile(earlier, target)
    entry = manifest.get("files", {}).get(relative) or {}
    if isinstance(entry.get("sha256"), str) and entry.get("size") == target.stat().st_size:
        return CopiedFile(entry["size"], entry["sha256"])
    return _digest(target)


def _copy_index(index: Path, target: Path) -> dict[str, CopiedFile]:
    """The search index as its last commit left it: tantivy's segment files never change
    once written, and its meta.json (replaced whole at each commit) names the segments in
    use; a merge may remove some before they are copied, and the copy is then begun again."""
    copied: dict[str, CopiedFile] = {}
    for kind in sorted(p for p in index.iterdir() if p.is_dir()):
        for _ in range(INDEX_ATTEMPTS):
            shutil.rmtree(target / SEARCH_INDEX / kind.name, ignore_errors=True)
            try:
                copied.update(_copy_index_kind(kind, target / SEARCH_INDEX / kind.name))
                break
            except FileNotFoundError:
                continue
        else:
            raise BackupFailed(
                f"backup: the search index ({kind.name}) kept changing during the copy; run "
                "the command again, or leave out --with-index (`clipdesk reindex` rebuilds it)"
            )
    return copied


def _copy_index_kind(kind: Path, target: Path) -> dict[str, CopiedFile]:
    meta = (kind / "meta.json").read_bytes()
    try:
        segments = {s["segment_id"].replace("-", "") for s in json.loads(meta)["segments"]}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupFailed(
            f"backup: the search index ({kind.name}) cannot be read; leave out --with-index "
            "and run `clipdesk reindex` after restoring"
        ) from exc
    target.mkdir(parents=True)
    relative = f"{SEARCH_INDEX}/{kind.name}"
    copied: dict[str, CopiedFile] = {}
    found: set[str] = set()
    for entry in sorted(kind.iterdir()):
        segment = entry.name.split(".", 1)[0]
        if segment in segments or entry.name == "clipdesk-search.json":
            copied[f"{relative}/{entry.name}"] = _copy(entry, target / entry.name)
            found.add(segment)
    if segments - found:
        raise FileNotFoundError(f"{kind}: a segment's files are gone")
    copied[f"{relative}/meta.json"] = _write_file(target / "meta.json", meta)
    return copied


def _copy(source: Path, target: Path, length: int | None = None) -> CopiedFile:
    """Copy `source` (its first `length` bytes) to a new file `target`, synced to the disk."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, open(target, "xb") as out:
        while length is None or size < length:
            block = src.read(BLOCK if length is None else min(BLOCK, length - size))
            if not block:
                break
            out.write(block)
            digest.update(block)
            size += len(block)
        out.flush()
        os.fsync(out.fileno())
    if length is not None and size < length:
        raise BackupFailed(f"backup: {source} was cut short during the copy; run it again")
    return CopiedFile(size, digest.hexdigest())


def _write_file(target: Path, data: bytes) -> CopiedFile:
    with open(target, "xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return CopiedFile(len(data), hashlib.sha256(data).hexdigest())


def _digest(path: Path) -> CopiedFile:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            size += len(block)
    return CopiedFile(size, digest.hexdigest())


def _sync_folder(path: Path) -> None:
    """Make a rename or new file in `path` last through a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _within(path: Path, folder: Path) -> bool:
    path = path.resolve()
    return path == folder or folder in path.parents


def _check_destination(home: Path, dest: Path) -> None:
    if _within(dest, home):
        raise BackupRefused(
            f"backup: {dest} is inside the instance home {home}; give a folder outside it "
            "(on another disk, ideally)"
        )
    if dest.exists() and not dest.is_dir():
        raise BackupRefused(f"backup: {dest} is a file, not a folder")
    if not dest.is_dir():
        return
    if (dest / MANIFEST).exists():
        raise BackupRefused(
            f"backup: {dest} is one backup; give the folder that holds the backups ({dest.parent})"
        )
    ours = [e for e in dest.iterdir() if e.name == LOCK or e.name.startswith((PARTIAL, REMOVING))]
    # Checked before the lock is taken (taking it writes DEST/.lock): the first backup found
    # is enough, and the manifests are read in full once the lock is held.
    if len(ours) < sum(1 for _ in dest.iterdir()) and next(_backups(dest), None) is None:
        raise BackupRefused(
            f"backup: {dest} holds other files and no clipdesk backup; give a new or empty "
            "folder, or the one that holds earlier backups"
        )


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    return manifest


def _backups(dest: Path) -> Iterator[tuple[Path, dict]]:
    """The whole backups in `dest` (of any instance), with their manifests."""
    for folder in dest.iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        if (manifest := _read_manifest(folder)) is not None:
            yield folder, manifest


def _instance_of(manifest: dict) -> str | None:
    """The instance that wrote a backup; None for one written before manifests named it."""
    instance = manifest.get("instance")
    return instance if isinstance(instance, str) and instance else None


def _newest(backups: Iterable[tuple[Path, dict]]) -> tuple[Path, dict] | None:
    """The newest of `backups` (folders with their manifests), by the time it was written."""
    found = [
        (str(manifest.get("created", "")), folder.name, folder, manifest)
        for folder, manifest in backups
    ]
    if not found:
        return None
    *_, folder, manifest = max(found)
    return folder, manifest


def _remove_stale_partials(dest: Path, report: BackupReport) -> None:
    """Remove the partial folders of backups that were stopped: nobody holds their lock, and
    they have not changed for STALE_PARTIAL."""
    for partial in sorted(dest.glob(f"{PARTIAL}*")):
        if partial.is_symlink() or not partial.is_dir():
            continue
        try:
            with _unless_locked(partial / WRITING) as free:
                if not free or _unchanged_for(partial) < STALE_PARTIAL:
                    continue
                shutil.rmtree(partial)
        except OSError as exc:
            report.not_removed.append(f"{partial} ({exc.strerror or exc})")
            continue
        report.removed_partials.append(partial)


@contextlib.contextmanager
def _unless_locked(path: Path) -> Iterator[bool]:
    """Yield whether the lock on `path` is free (or there is none), held meanwhile if so."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # a writer of an earlier version, or one just starting
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # lets go of the lock too


def _unchanged_for(folder: Path) -> datetime.timedelta:
    """How long since anything was written into `folder` (or its lock taken)."""
    changed = max(
        (p.stat().st_mtime for p in (folder, folder / WRITING) if p.exists()), default=0.0
    )
    return datetime.timedelta(seconds=max(time.time() - changed, 0.0))


def _remove_old_backups(
    dest: Path, ours: list[tuple[Path, dict]], keep: int, report: BackupReport
) -> None:
    """Remove the whole backups of `dest` beyond the newest `keep`, the one just written
    always kept. Only `ours`, the folders whose manifest says they are clipdesk backups of
    this instance, are counted: another instance's, or one that names none, is not this
    one's to remove."""
    for leftover in dest.glob(f"{REMOVING}*"):  # a removal that was cut short
        shutil.rmtree(leftover, ignore_errors=True)
    others = [
        (str(manifest.get("created", "")), folder.name, folder)
        for folder, manifest in ours
        if folder != report.path and not folder.is_symlink()
    ]
    for *_, folder in sorted(others, reverse=True)[keep - 1 :]:
        removing = dest / f"{REMOVING}{folder.name}"
        try:
            os.rename(folder, removing)
            shutil.rmtree(removing)
        except OSError as exc:
            report.not_removed.append(f"{folder} ({exc.strerror or exc})")
            continue
        report.removed.append(folder)
    report.removed.sort()
    if report.removed:
        _sync_folder(dest)


def _unused_name(dest: Path) -> str:
    name = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    candidate, number = name, 1
    while (dest / candidate).exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate


# --- verifying --------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    path: Path
    files: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "files": self.files,
            "warc_records": self.records,
            "problems": self.problems,
        }


def verify_backup(path: Path) -> VerifyReport:
    """Check a backup (`path` itself, or the newest in it) against its manifest: each file's
    size and SHA-256, every WARC copy read through with warcio, the SQLite copy's own check."""
    path = path.expanduser().resolve()
    if (path / MANIFEST).exists():
        manifest = _read_manifest(path)
    else:
        newest = _newest(_backups(path)) if path.is_dir() else None
        if newest is None:
            raise BackupRefused(f"backup --verify: there is no clipdesk backup in {path}")
        path, manifest = newest
    report = VerifyReport(path)
    if manifest is None or not isinstance(manifest.get("files"), dict):
        report.problems.append(f"{MANIFEST} is damaged or not a clipdesk backup's")
        return report
    for name, entry in sorted(manifest["files"].items()):
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not isinstance(entry, dict):
            report.problems.append(f"{MANIFEST} names {name!r}, not a file of the backup")
            continue
        report.files += 1
        if (problem := _file_problem(path / relative, entry)) is not None:
            report.problems.append(f"{name}: {problem}")
            continue
        if name.endswith(".warc.gz"):
            records, problem = _read_warc(path / relative)
            report.records += records
            if problem:
                report.problems.append(f"{name}: {problem}")
        elif name.endswith(".sqlite3") and (problem := _sqlite_problem(path / relative)):
            report.problems.append(f"{name}: {problem}")
    return report


def _file_problem(path: Path, entry: dict) -> str | None:
    try:
        found = _digest(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if found.size != entry.get("size"):
        return f"{found.size} bytes, where the manifest says {entry.get('size')}"
    if found.sha256 != entry.get("sha256"):
        return "its SHA-256 differs from the manifest's (the copy is damaged)"
    return None


def _read_warc(path: Path) -> tuple[int, str | None]:
    """How many records `path` holds, read to their ends, and what stopped the reading."""
    records = 0
    try:
        with open(path, "rb") as fh:
            archive = ArchiveIterator(fh)
            for record in archive:
                record.content_stream().read()
                records += 1
            end = archive.offset
            if end != path.stat().st_size:
                return records, f"warcio stopped reading at byte {end}"
    except (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        return records, f"does not read as WARC after {records} record(s) ({reason})"
    return records, None


def _sqlite_problem(path: Path) -> str | None:
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        return f"SQLite cannot read it ({exc})"
    return None if result == "ok" else f"SQLite finds it damaged ({result})"
