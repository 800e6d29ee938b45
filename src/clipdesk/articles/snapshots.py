"""Snapshots: raw responses kept as WARC records (warcio) in the instance home.

One gzipped WARC file per day under `<home>/snapshots/`; each record is its own gzip member,
so a snapshot is read back by seeking to its offset. A day's file begins with a `warcinfo`
record saying what wrote it (WARC 1.1 §6.1), written by the append that creates the file.
Writers take an exclusive file lock, so several processes (workers) can append to the same
day's file safely; part of a record left by a writer that died mid-append is cut off by the
next (`_cut_off_a_record_cut_short`).

warcio serialises the record; we gzip it ourselves, with ISA-L (`isal`) at level 3, because
warcio's own gzip runs zlib at level 9, which took a tenth of the ingest path's time for a few
percent smaller files. On bench/ingest.py's 404 pages (208 KB on average) ISA-L's level 3
takes 0.8 ms a page where zlib's level 3 took 2.5, for files of the same size (22% of the
page); the record's digests and warcio's own work take about 1.4 ms more. The result is the
same standard per-record gzip member, which any WARC reader (warcio included) reads with zlib.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import io
import os
import re
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from isal import igzip
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from clipdesk import __version__
from clipdesk.sources.fetching import FetchPolicy

GZIP_LEVEL = 3
# The stored body is already decompressed and de-chunked; these would misdescribe it.
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class StoredSnapshot:
    warc_file: str
    warc_offset: int
    warc_length: int
    record_id: str
    payload_sha256: str


@dataclass(frozen=True)
class SnapshotContent:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class EncodedSnapshot:
    """One response as a gzip member, ready to append; made before any lock is taken."""

    relative_path: str
    member: bytes
    record_id: str
    payload_sha256: str


def encode_snapshot(
    url: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
    fetched_at: datetime.datetime,
) -> EncodedSnapshot:
    """Serialise and compress one response record (the costly part of writing it)."""
    url = _as_header_value(url)
    http_headers = StatusAndHeaders(
        f"{status} {'OK' if status == 200 else 'Response'}",
        [(k, v) for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS],
        protocol="HTTP/1.1",
    )
    serialised = io.BytesIO()
    writer = WARCWriter(serialised, gzip=False)
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    writer.write_record(record)
    return EncodedSnapshot(
        relative_path=f"snapshots/{fetched_at:%Y-%m-%d}.warc.gz",
        member=igzip.compress(serialised.getvalue(), compresslevel=GZIP_LEVEL),
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        payload_sha256=hashlib.sha256(body).hexdigest(),
    )


# Characters an address may not carry into a header line: controls (a line break would end
# WARC-Target-URI and start a header of the address's choosing) and spaces.
_NOT_IN_A_HEADER = re.compile(r"[\x00-\x20\x7f]")


def _as_header_value(url: str) -> str:
    """`url` with its controls and spaces percent-encoded, as a URI writes them. The fetcher
    never sends such an address; the record must not depend on it."""
    return _NOT_IN_A_HEADER.sub(lambda found: f"%{ord(found.group()):02X}", url)


_encoder: tuple[int, ThreadPoolExecutor] | None = None
_encoder_guard = threading.Lock()


def encode_snapshot_soon(
    url: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
    fetched_at: datetime.datetime,
) -> Future[EncodedSnapshot]:
    """`encode_snapshot` on this process's encoding thread, so the caller can extract the
    page meanwhile: compressing (most of the cost) releases the GIL, so with a core to spare
    the record costs the caller nothing. The thread is made again in a forked child."""
    global _encoder
    with _encoder_guard:
        if _encoder is None or _encoder[0] != os.getpid():
            _encoder = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="warc-encode"))
        pool = _encoder[1]
    return pool.submit(encode_snapshot, url, status, headers, body, fetched_at)


def append_snapshot(
    home: Path, encoded: EncodedSnapshot, operator: str | Callable[[], str] = ""
) -> StoredSnapshot:
    """Append an encoded record to its day's WARC file and say where it went; `operator` (the
    site's name) goes into the `warcinfo` record when this append creates the file."""
    (home / "snapshots").mkdir(parents=True, exist_ok=True)
    path = home / encoded.relative_path
    # Unbuffered: a failed write must leave nothing behind in a buffer for close() to try
    # (and fail) again.
    marker = _end_marker(path)
    with open(path, "ab", buffering=0) as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.seek(0, io.SEEK_END)
            start = _cut_off_a_record_cut_short(path, fh.fileno(), fh.tell(), marker)
            # Decided under the lock, by the file being empty (opening it created it, or
            # nothing whole was left in it): of two writers creating the day's file at once,
            # the second finds the first's records, and the warcinfo is written once.
            if start == 0:
                named = operator() if callable(operator) else operator
                head = _warcinfo_member(path.name, named)
            else:
                head = b""
            offset = start + len(head)
            try:
                left = memoryview(head + encoded.member)
                while left:  # a raw write may take part of the bytes
                    left = left[fh.write(left) :]
            except OSError as exc:
                # A full disk: the part of the record that was written is cut off again, so
                # the file stays a sequence of whole records that any WARC reader can read.
                with contextlib.suppress(OSError):
                    os.ftruncate(fh.fileno(), start)
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
            # Not written: the next writer checks the bytes past the end it finds, and keeps
            # them when they are whole records.
            with contextlib.suppress(OSError):
                marker.write_text(f"{offset + len(encoded.member)}\n")
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return StoredSnapshot(
        warc_file=encoded.relative_path,
        warc_offset=offset,
        warc_length=len(encoded.member),
        record_id=encoded.record_id,
        payload_sha256=encoded.payload_sha256,
    )


_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def _warcinfo_member(filename: str, operator: str) -> bytes:
    """The `warcinfo` record a day's file begins with, as its own gzip member: what wrote the
    file and how its pages were fetched, for whoever reads the file without this instance."""
    fields = {
        "software": f"clipdesk/{__version__}",
        "format": "WARC File Format 1.0",  # the version warcio writes in every record
        # A line break would end the field and start one of the name's choosing.
        "operator": " ".join(_CONTROLS.sub(" ", operator).split()),
        # Article pages are fetched only when the site's robots.txt allows it (robots.py).
        "robots": "obey",
        "http-header-user-agent": FetchPolicy.user_agent,
    }
    serialised = io.BytesIO()
    writer = WARCWriter(serialised, gzip=False)
    writer.write_record(
        writer.create_warcinfo_record(filename, {k: v for k, v in fields.items() if v})
    )
    return igzip.compress(serialised.getvalue(), compresslevel=GZIP_LEVEL)


def _end_marker(path: Path) -> Path:
    """Where the end of the last whole record the file's writers appended is noted (hidden,
    so `warcio index snapshots/*` reads the WARC files only)."""
    return path.with_name(f".{path.name}.end")


def _cut_off_a_record_cut_short(path: Path, fd: int, size: int, marker: Path) -> int:
    """Where the next record goes (`_kept_end`), the bytes past it cut off."""
    end = _kept_end(path, size, marker)
    if end < size:
        os.ftruncate(fd, end)
    return end


def whole_records_end(path: Path) -> int:
    """The end of the whole records of a day's WARC file, as its next writer would keep them:
    the bytes before it never change again (writers append past it, and cut off only what
    lies past it), so a copy of them taken without the lock holds whole records only.

    Read under the writers' lock, shared, so an append in progress is never seen half-done;
    it is held for a look at the size and the note (and the walk past the note, which is
    empty unless a writer died or could not write the note)."""
    with open(path, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
        try:
            return _kept_end(path, os.fstat(fh.fileno()).st_size, _end_marker(path))
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _kept_end(path: Path, size: int, marker: Path) -> int:
    """Where a file of `size` bytes ends once a record cut short is cut off: its size, unless
    a writer that died mid-append (killed, the power lost) left part of a record there.
    After such a fragment every WARC reader (warcio check and index, replay tools) stopped
    reading the day's file, so it is cut off; nothing refers to it, since its writer never
    got to store the row.

    Only the bytes past the end noted by the last writer are looked at (none, usually), and
    only a trailing gzip member that stops short is cut: whole records are kept, and bytes
    that are no gzip at all are left as they are.

    A file with no note was written before notes were kept (or its first append died): it is
    walked from its start, once, since the append that follows writes the note. Files larger
    than `UNNOTED_WALK_LIMIT` are not walked (the other writers wait on the lock meanwhile)
    and are left as they are. Damage in the middle of a file (a record cut short, then whole
    records appended by a version that did not cut it off) is never cut there: the walk stops
    at bytes that do not inflate, or reads them as part of the record cut short; in the second
    case a record beginning inside what would be cut shows the fragment is not the file's
    tail, and the file is left as it is. Cutting there would throw away the whole records
    after the damage, which their rows point at.
    """
    try:
        noted = int(marker.read_text().strip())
    except FileNotFoundError:
        if not 0 < size <= UNNOTED_WALK_LIMIT:
            return size
        noted = 0
    except (OSError, ValueError):
        return size  # a note that cannot be read: nothing known to check
    if not 0 <= noted < size:
        return size
    with open(path, "rb") as fh:
        whole_end = _whole_members_end(fh, noted)
        if whole_end is None or whole_end == size:
            return size
        if _a_record_begins_within(fh, whole_end + 1, size):
            return size
    return whole_end


# The walk inflates about 100 MB of records a second (zlib, one core, real article pages):
# at this limit the other writers wait some ten seconds, once per file.
UNNOTED_WALK_LIMIT = 1 << 30
_GZIP_MAGIC = b"\x1f\x8b\x08"


def _a_record_begins_within(fh: io.BufferedReader, start: int, end: int) -> bool:
    """Whether a gzip member holding a WARC record begins between `start` and `end`. A record
    cut short holds none (unless its body is itself a gzipped WARC record stored as it was:
    then the file is left as it is, which is the safe side)."""
    chunk_size = 1 << 20
    position = start
    while position < end:
        fh.seek(position)
        chunk = fh.read(min(chunk_size, end - position))
        found = chunk.find(_GZIP_MAGIC)
        while found != -1:
            fh.seek(position + found)
            head = fh.read(4096)
            with contextlib.suppress(zlib.error):
                if zlib.decompressobj(wbits=31).decompress(head, 8).startswith(b"WARC/"):
                    return True
            found = chunk.find(_GZIP_MAGIC, found + 1)
        # The magic may straddle two chunks: the next one starts two bytes back.
        position += max(len(chunk) - len(_GZIP_MAGIC) + 1, 1)
    return False


def _whole_members_end(fh: io.BufferedReader, start: int) -> int | None:
    """The end of the whole gzip members from `start` on: where the one cut short begins,
    the end of the file when none is, None when the bytes are no gzip members."""
    fh.seek(start)
    member_start = position = start
    inflater = zlib.decompressobj(wbits=31)
    pending = b""
    while True:
        data = pending or fh.read(1 << 20)
        pending = b""
        if not data:
            return member_start  # the file ends between members, or inside one
        try:
            inflater.decompress(data)
        except zlib.error:
            return None
        if inflater.eof:
            pending = inflater.unused_data
            member_start = position = position + len(data) - len(pending)
            inflater = zlib.decompressobj(wbits=31)
        else:
            position += len(data)


def write_snapshot(
    home: Path,
    url: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
    fetched_at: datetime.datetime,
) -> StoredSnapshot:
    """Append one response record to the day's WARC file and say where it went."""
    return append_snapshot(home, encode_snapshot(url, status, headers, body, fetched_at))


class SnapshotUnreadable(ValueError):
    """A stored record cannot be read back (its file moved, deleted or damaged); the message
    says why."""


def read_snapshot(
    home: Path, warc_file: str, offset: int, length: int, payload_sha256: str = ""
) -> SnapshotContent:
    """The response exactly as it was stored; with `payload_sha256` (the digest taken when it
    was fetched), only if its body still has that digest.

    A WARC file cut short, or its bytes changed, can still yield a record: warcio reads a
    short body without complaint. Unchecked, such a fragment was shown "as fetched" and
    re-extracted over the article's text.
    """
    # Judged by the name alone, not where symlinks lead: a snapshots folder linked to a larger
    # or shared disk is the owner's choice, and resolving it refused every record kept there.
    relative = PurePosixPath(warc_file)
    if relative.is_absolute() or ".." in relative.parts:
        raise SnapshotUnreadable(f"snapshots: {warc_file} is outside the instance home")
    path = home / relative
    where = f"snapshots: {warc_file} at {offset}"
    try:
        content = _read_record(path, offset, length)
    except (ArchiveLoadFailed, EOFError, zlib.error) as exc:  # messages quote damaged bytes
        raise SnapshotUnreadable(f"{where}: the compressed record is damaged") from exc
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise SnapshotUnreadable(f"{where}: {reason}") from exc
    except _RecordDamaged as exc:
        raise SnapshotUnreadable(f"{where}: the record is damaged ({exc})") from exc
    if payload_sha256 and hashlib.sha256(content.body).hexdigest() != payload_sha256:
        raise SnapshotUnreadable(
            f"{where}: the record is damaged or cut short (its body no longer has the digest "
            "taken when it was fetched)"
        )
    return content


class _RecordDamaged(Exception):
    """Changed bytes that still inflate can give a record warcio reads, but not as a
    response: its HTTP headers missing, or its status line no number."""


def _read_record(path: Path, offset: int, length: int) -> SnapshotContent:
    with open(path, "rb") as fh:
        fh.seek(offset)
        member = io.BytesIO(fh.read(length))
    for record in ArchiveIterator(member):
        if record.rec_type != "response":
            continue
        if record.http_headers is None:
            raise _RecordDamaged("its HTTP headers are missing")
        try:
            status = int(record.http_headers.get_statuscode() or 0)
        except ValueError:
            raise _RecordDamaged("its HTTP status is no number") from None
        return SnapshotContent(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            status=status,
            headers=list(record.http_headers.headers),
            body=record.content_stream().read(),
        )
    raise SnapshotUnreadable(f"snapshots: no response record at {path.name}:{offset}")
