"""Snapshots are kept as WARC records and read back byte for byte."""

import datetime
import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from clipdesk.articles.models import Snapshot
from clipdesk.articles.sanitizing import sanitize_html
from clipdesk.articles.snapshots import (
    append_snapshot,
    encode_snapshot,
    encode_snapshot_soon,
    read_snapshot,
    write_snapshot,
)
from tests.factories import make_post

WHEN = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def test_snapshots_round_trip_and_share_one_valid_warc_file(tmp_path):
    bodies = [b"<html><body><p>first \xc3\xa9</p></body></html>", b"\x00\x01binary"]
    stored = [
        write_snapshot(
            tmp_path, f"https://news.example/{i}", 200, {"Content-Type": "text/html"}, body, WHEN
        )
        for i, body in enumerate(bodies)
    ]
    assert stored[0].warc_file == stored[1].warc_file == "snapshots/2026-03-01.warc.gz"
    assert stored[1].warc_offset == stored[0].warc_offset + stored[0].warc_length
    for i, (s, body) in enumerate(zip(stored, bodies, strict=True)):
        content = read_snapshot(tmp_path, s.warc_file, s.warc_offset, s.warc_length)
        assert content.body == body
        assert content.url == f"https://news.example/{i}"
        assert content.status == 200
    with open(tmp_path / stored[0].warc_file, "rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types == ["warcinfo", "response", "response"]
    # Plain gzip members, one per record: the standard library reads the day's file whole.
    whole = gzip.decompress((tmp_path / stored[0].warc_file).read_bytes())
    assert whole.count(b"WARC/1.") == 3 and all(body in whole for body in bodies)


def test_an_address_with_line_breaks_cannot_add_headers_to_its_record(tmp_path):
    # The record's target address is written among its WARC headers: a line break in it
    # started a header of the address's choosing.
    url = "https://news.example/c\r\nWARC-Type: metadata\r\nX: y"
    stored = write_snapshot(tmp_path, url, 200, {"Content-Type": "text/html"}, b"<p>x</p>", WHEN)
    with open(tmp_path / stored.warc_file, "rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("X")) for r in ArchiveIterator(fh)]
    assert records == [("warcinfo", None), ("response", None)]
    content = read_snapshot(tmp_path, stored.warc_file, stored.warc_offset, stored.warc_length)
    assert content.url == "https://news.example/c%0D%0AWARC-Type:%20metadata%0D%0AX:%20y"


def test_stored_headers_do_not_claim_a_compression_the_body_no_longer_has(tmp_path):
    s = write_snapshot(
        tmp_path, "https://news.example/z", 200,
        {"Content-Encoding": "gzip", "Content-Length": "12", "Content-Type": "text/html"},
        b"<p>plain</p>", WHEN,
    )  # fmt: skip
    headers = dict(read_snapshot(tmp_path, s.warc_file, s.warc_offset, s.warc_length).headers)
    assert "Content-Encoding" not in headers and headers["Content-Type"] == "text/html"


@pytest.mark.parametrize("warc_file", ["../../etc/passwd", "/etc/passwd", "snapshots/../../x"])
def test_snapshot_paths_cannot_leave_the_home(tmp_path, warc_file):
    with pytest.raises(ValueError, match="outside the instance home"):
        read_snapshot(tmp_path, warc_file, 0, 10)


def test_snapshots_kept_on_another_disk_through_a_symlink_are_read_back(tmp_path):
    """The snapshots folder linked to a larger or shared disk: records were written there and
    every one was then refused as outside the instance home."""
    home, elsewhere = tmp_path / "home", tmp_path / "big-disk" / "snapshots"
    home.mkdir()
    elsewhere.mkdir(parents=True)
    (home / "snapshots").symlink_to(elsewhere, target_is_directory=True)
    s = write_snapshot(home, "https://news.example/1", 200, {}, b"<p>kept</p>", WHEN)

    assert read_snapshot(home, s.warc_file, s.warc_offset, s.warc_length).body == b"<p>kept</p>"
    assert (elsewhere / "2026-03-01.warc.gz").exists()


def test_sanitizer_keeps_text_and_links_and_drops_active_content():
    html = sanitize_html(
        '<p onclick="x()">Hi <a href="javascript:alert(1)">bad</a> '
        '<a href="https://ok.example/">ok</a><script>alert(2)</script><img src=x></p>'
    )
    assert "onclick" not in html and "javascript:" not in html and "<script" not in html
    assert "<img" not in html
    assert 'href="https://ok.example/"' in html and "Hi" in html


@pytest.mark.django_db
def test_post_body_is_sanitised_whoever_saves_it():
    post = make_post(body='<p>fine</p><script>alert(1)</script><iframe src="x"></iframe>')
    post.refresh_from_db()
    assert post.body == "<p>fine</p>"


@pytest.mark.django_db
def test_snapshot_view_shows_sanitised_page_to_staff_only(client, admin_client, settings):
    s = write_snapshot(
        settings.CLIPDESK_HOME, "https://news.example/a", 200,
        {"Content-Type": "text/html; charset=utf-8"},
        b"<html><body><h1>Quay vote</h1><script>steal()</script></body></html>", WHEN,
    )  # fmt: skip
    snap = Snapshot.objects.create(
        url="https://news.example/a", status=200, fetched_at=WHEN, **s.__dict__
    )
    assert client.get(snap.get_absolute_url()).status_code == 302
    html = admin_client.get(snap.get_absolute_url()).content.decode()
    assert "<h1>Quay vote</h1>" in html and "steal()" not in html


def test_a_record_encoded_on_the_encoding_thread_reads_back_the_same(tmp_path):
    body = b"<html><body><p>made beside the extraction</p></body></html>"
    encoded = encode_snapshot_soon("https://news.example/t", 200, {}, body, WHEN).result()
    s = append_snapshot(tmp_path, encoded)
    assert read_snapshot(tmp_path, s.warc_file, s.warc_offset, s.warc_length).body == body


def test_a_forked_worker_gets_its_own_encoding_thread(tmp_path):
    # Celery's prefork pool forks after the parent may have encoded: the child has no thread.
    encode_snapshot_soon("https://news.example/p", 200, {}, b"<p>parent</p>", WHEN).result()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which must never return to pytest
        code = 1
        try:
            sent = encode_snapshot_soon("https://news.example/c", 200, {}, b"<p>child</p>", WHEN)
            code = 0 if sent.result(timeout=10).member else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


FILLS_THE_DISK = """
import datetime, os, resource, signal, sys
from pathlib import Path
from clipdesk.articles.snapshots import encode_snapshot, append_snapshot
home, when = Path(sys.argv[1]), datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
first = append_snapshot(home, encode_snapshot("https://news.example/1", 200, {}, b"a" * 500, when))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
# Room for part of the second record only: the write stops half way, as on a full disk.
resource.setrlimit(resource.RLIMIT_FSIZE, (first.warc_length + 50, first.warc_length + 50))
body = os.urandom(4000)  # does not compress: the record is larger than the room left
try:
    append_snapshot(home, encode_snapshot("https://news.example/2", 200, {}, body, when))
except OSError as exc:
    print(exc.filename, exc.strerror, first.warc_offset + first.warc_length)
"""


def test_a_record_cut_short_by_a_full_disk_is_taken_out_again(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", FILLS_THE_DISK, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    filename, *_, first_end = result.stdout.split()
    warc = tmp_path / "snapshots" / "2026-03-01.warc.gz"
    assert filename == str(warc)  # the error names the file
    assert warc.stat().st_size == int(first_end)  # only the whole first record is left
    assert _uris(warc) == ["https://news.example/1"]


def _records(warc) -> list[tuple[str, str | None]]:
    with open(warc, "rb") as fh:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)
        ]


def _uris(warc) -> list[str]:
    """The responses' addresses, once the file is seen to begin with its one warcinfo."""
    records = _records(warc)
    assert [kind for kind, _ in records] == ["warcinfo"] + ["response"] * (len(records) - 1)
    return [uri for _, uri in records[1:]]


def test_a_record_left_half_written_by_a_writer_that_died_is_cut_off_by_the_next(tmp_path):
    """A poller killed (or the machine losing power) mid-append left part of a gzip member;
    the next records went after it, and WARC readers stopped at it: warcio check and index
    saw none of the day's later records."""
    first = write_snapshot(tmp_path, "https://news.example/1", 200, {}, b"a" * 500, WHEN)
    warc = tmp_path / first.warc_file
    died = encode_snapshot("https://news.example/died", 200, {}, os.urandom(3000), WHEN)
    with open(warc, "ab") as fh:
        fh.write(died.member[: len(died.member) // 2])

    second = write_snapshot(tmp_path, "https://news.example/2", 200, {}, b"b" * 500, WHEN)

    assert second.warc_offset == first.warc_offset + first.warc_length
    assert warc.stat().st_size == second.warc_offset + second.warc_length
    assert _uris(warc) == ["https://news.example/1", "https://news.example/2"]
    content = read_snapshot(tmp_path, second.warc_file, second.warc_offset, second.warc_length)
    assert content.body == b"b" * 500


def test_whole_records_appended_by_another_writer_are_kept(tmp_path):
    """Only a record cut short is cut off: whole records that another writer appended
    (an older version during an upgrade, a copy put back by hand) stay."""
    first = write_snapshot(tmp_path, "https://news.example/1", 200, {}, b"a" * 500, WHEN)
    warc = tmp_path / first.warc_file
    other = encode_snapshot("https://news.example/other", 200, {}, b"o" * 500, WHEN)
    with open(warc, "ab") as fh:
        fh.write(other.member)

    second = write_snapshot(tmp_path, "https://news.example/2", 200, {}, b"b" * 500, WHEN)

    assert second.warc_offset == first.warc_offset + first.warc_length + len(other.member)
    assert _uris(warc) == [
        "https://news.example/1",
        "https://news.example/other",
        "https://news.example/2",
    ]


def test_a_day_file_begins_with_one_warcinfo_record_saying_what_wrote_it(tmp_path):
    from warcio.cli import main as warcio_main

    from clipdesk import __version__

    first = append_snapshot(
        tmp_path,
        encode_snapshot("https://news.example/1", 200, {}, b"<p>one</p>", WHEN),
        operator="Harbour\r\nWARC-Type: metadata  Desk",
    )
    second = write_snapshot(tmp_path, "https://news.example/2", 200, {}, b"<p>two</p>", WHEN)
    warc = tmp_path / first.warc_file

    with open(warc, "rb") as fh:
        infos = [
            (r.rec_headers.get_header("WARC-Filename"), r.content_stream().read().decode())
            for r in ArchiveIterator(fh)
            if r.rec_type == "warcinfo"
        ]
    assert infos == [
        (
            "2026-03-01.warc.gz",
            f"software: clipdesk/{__version__}\r\n"
            "format: WARC File Format 1.0\r\n"
            "operator: Harbour WARC-Type: metadata Desk\r\n"
            "robots: obey\r\n"
            "http-header-user-agent: clipdesk/0.1 "
            "(+https://github.com/clipdesk; press-clipping desk)\r\n",
        )
    ]
    index = tmp_path / "index.cdxj"
    warcio_main(["index", "-f", "offset,warc-type,warc-target-uri", "-o", str(index), str(warc)])
    listed = [json.loads(line) for line in index.read_text().splitlines()]
    assert listed == [
        {"offset": "0", "warc-type": "warcinfo"},
        {"offset": str(first.warc_offset), "warc-type": "response",
         "warc-target-uri": "https://news.example/1"},
        {"offset": str(second.warc_offset), "warc-type": "response",
         "warc-target-uri": "https://news.example/2"},
    ]  # fmt: skip
    for stored, body in ((first, b"<p>one</p>"), (second, b"<p>two</p>")):
        content = read_snapshot(
            tmp_path,
            stored.warc_file,
            stored.warc_offset,
            stored.warc_length,
            stored.payload_sha256,
        )
        assert content.body == body


APPENDS_WHEN_LET_IN = """
import datetime, sys
from pathlib import Path
from clipdesk.articles.snapshots import encode_snapshot, append_snapshot
home, name = Path(sys.argv[1]), sys.argv[2]
when = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
for i in range(5):
    url = f"https://news.example/{name}/{i}"
    s = append_snapshot(home, encode_snapshot(url, 200, {}, url.encode() * 50, when))
    print(s.warc_offset, s.warc_length, s.payload_sha256, url)
"""


def _blocked_on_a_lock(pids: set[int]) -> set[int]:
    """Which of `pids` wait for a file lock (the kernel lists each waiter with "->")."""
    waiting = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and int(fields[fields.index("->") + 4]) in pids:
            waiting.add(int(fields[fields.index("->") + 4]))
    return waiting


def test_two_processes_creating_the_day_file_at_once_write_one_warcinfo(tmp_path):
    """Both writers open the new day's file before either has written: the warcinfo is
    decided under the file lock, so the second finds the first's records and adds none."""
    import fcntl
    import subprocess
    import sys
    import time

    warc = tmp_path / "snapshots" / "2026-03-01.warc.gz"
    warc.parent.mkdir()
    with open(warc, "ab") as held:  # created empty, as the first writer's open leaves it
        fcntl.flock(held, fcntl.LOCK_EX)
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", APPENDS_WHEN_LET_IN, str(tmp_path), name],
                stdout=subprocess.PIPE,
                text=True,
            )
            for name in ("a", "b")
        ]
        pids = {w.pid for w in writers}
        deadline = time.monotonic() + 60
        while _blocked_on_a_lock(pids) != pids and time.monotonic() < deadline:
            assert all(w.poll() is None for w in writers)
            time.sleep(0.02)
        assert _blocked_on_a_lock(pids) == pids  # both wait at the empty file
        fcntl.flock(held, fcntl.LOCK_UN)
    written = []
    for w in writers:
        out, _ = w.communicate(timeout=60)
        assert w.returncode == 0
        written += [line.split() for line in out.splitlines()]

    assert len(written) == 10
    records = _records(warc)
    assert [kind for kind, _ in records] == ["warcinfo"] + ["response"] * 10
    for offset, length, digest, url in written:
        content = read_snapshot(tmp_path, "snapshots/2026-03-01.warc.gz", int(offset), int(length))
        assert content.url == url and hashlib.sha256(content.body).hexdigest() == digest


def _old_style_day_file(home, cut_short: bool) -> tuple[Path, list]:
    """A day's file as versions before the end note wrote it: records only, no warcinfo and
    no note beside it; with `cut_short`, part of a record whose writer died ends it."""
    warc = home / "snapshots" / "2026-03-01.warc.gz"
    warc.parent.mkdir(parents=True)
    records, data = [], b""
    for i in range(3):
        body = f"<p>old {i}</p>".encode() * 40
        member = encode_snapshot(f"https://news.example/old/{i}", 200, {}, body, WHEN).member
        records.append((len(data), len(member), body))
        data += member
    if cut_short:
        died = encode_snapshot("https://news.example/died", 200, {}, os.urandom(3000), WHEN)
        data += died.member[: len(died.member) // 2]
    warc.write_bytes(data)
    return warc, records


def test_an_old_file_ending_in_a_record_cut_short_has_it_cut_off_before_the_next(tmp_path):
    """Without the end note nothing was checked: the next records went after the fragment,
    and WARC readers stopped at it."""
    warc, old = _old_style_day_file(tmp_path, cut_short=True)
    whole_end = old[-1][0] + old[-1][1]

    new = write_snapshot(tmp_path, "https://news.example/new", 200, {}, b"<p>new</p>", WHEN)

    assert new.warc_offset == whole_end
    assert warc.stat().st_size == whole_end + new.warc_length
    # No warcinfo put in front: the rows of the records already there keep their offsets.
    assert _records(warc) == [
        ("response", "https://news.example/old/0"),
        ("response", "https://news.example/old/1"),
        ("response", "https://news.example/old/2"),
        ("response", "https://news.example/new"),
    ]
    for offset, length, body in old:
        assert read_snapshot(tmp_path, new.warc_file, offset, length).body == body
    assert read_snapshot(tmp_path, new.warc_file, new.warc_offset, new.warc_length).body == (
        b"<p>new</p>"
    )


def test_an_old_file_of_whole_records_is_left_as_it_was_by_the_next_append(tmp_path):
    warc, old = _old_style_day_file(tmp_path, cut_short=False)
    before = warc.read_bytes()

    new = write_snapshot(tmp_path, "https://news.example/new", 200, {}, b"<p>new</p>", WHEN)

    after = warc.read_bytes()
    assert after[: len(before)] == before and len(after) == len(before) + new.warc_length
    assert new.warc_offset == len(before)
    assert [uri for _, uri in _records(warc)][-1] == "https://news.example/new"
    for offset, length, body in old:
        assert read_snapshot(tmp_path, new.warc_file, offset, length).body == body


@pytest.mark.parametrize("noted", [False, True])
@pytest.mark.parametrize("damage", ["text", "incompressible bytes"])
def test_a_file_damaged_in_the_middle_is_not_cut_there(tmp_path, damage, noted):
    """A record cut short and whole records after it (appended by a version that did not cut
    it off): cut at the damage, the file lost the whole records that rows point at. Reading
    on from the record cut short, the next records can fail to inflate, or read as more of it
    to the file's end (always so after incompressible bytes, which deflate keeps as they are,
    and sometimes after text)."""
    first = write_snapshot(tmp_path, "https://news.example/1", 200, {}, b"a" * 500, WHEN)
    warc = tmp_path / first.warc_file
    body = b"The quay vote was postponed. " * 400 if damage == "text" else None
    died = encode_snapshot("https://news.example/died", 200, {}, body or os.urandom(60000), WHEN)
    later = encode_snapshot("https://news.example/later", 200, {}, b"l" * 500, WHEN)
    with open(warc, "ab") as fh:
        fh.write(died.member[: len(died.member) // 2] + later.member)
    if not noted:
        (warc.parent / f".{warc.name}.end").unlink()
    before = warc.read_bytes()

    new = write_snapshot(tmp_path, "https://news.example/new", 200, {}, b"<p>new</p>", WHEN)

    assert warc.read_bytes()[: len(before)] == before
    assert new.warc_offset == len(before)
    later_at = len(before) - len(later.member)
    assert read_snapshot(tmp_path, new.warc_file, later_at, len(later.member)).body == b"l" * 500


def stored_snapshot(home, body: bytes, content_type: str) -> Snapshot:
    s = write_snapshot(
        home, "https://news.example/a", 200, {"Content-Type": content_type}, body, WHEN
    )
    return Snapshot.objects.create(
        url="https://news.example/a", status=200, fetched_at=WHEN, **s.__dict__
    )


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["deleted", "overwritten", "cut short"])
def test_a_snapshot_whose_record_is_gone_is_said_to_be_unreadable(admin_client, settings, damage):
    body = b"<html><body><h1>Quay vote</h1></body></html>"
    snap = stored_snapshot(settings.CLIPDESK_HOME, body, "text/html; charset=utf-8")
    path = settings.CLIPDESK_HOME / snap.warc_file
    if damage == "deleted":
        path.unlink()
    elif damage == "overwritten":
        path.write_bytes(b"\0" * path.stat().st_size)
    else:
        path.write_bytes(path.read_bytes()[: snap.warc_length // 2])

    page = admin_client.get(snap.get_absolute_url())

    assert page.status_code == 404
    assert "cannot be read" in page.content.decode()
    assert snap.warc_file in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["idna", "base64", "no-such-charset"])
def test_a_snapshot_declaring_no_text_encoding_is_shown_as_utf8(admin_client, settings, charset):
    body = "<html><body><h1>Quay vote in Åland</h1></body></html>".encode()
    snap = stored_snapshot(settings.CLIPDESK_HOME, body, f"text/html; charset={charset}")

    page = admin_client.get(snap.get_absolute_url())

    assert page.status_code == 200
    assert "<h1>Quay vote in Åland</h1>" in page.content.decode()


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "said"),
    [
        (PDF, "application/pdf", "a PDF document"),
        (PNG, "image/png", "binary data"),
        (PDF, "", "a PDF document"),  # the response named no type
    ],
)
def test_a_snapshot_of_a_pdf_or_an_image_is_said_to_be_no_web_page(
    admin_client, settings, body, content_type, said
):
    # A feed links a PDF or an image; its snapshot is reached from the admin's snapshot list.
    # Shown as a page, its bytes filled the screen as a wall of symbols.
    snap = stored_snapshot(settings.CLIPDESK_HOME, body, content_type)

    page = admin_client.get(snap.get_absolute_url())

    assert page.status_code == 200
    text = page.content.decode()
    assert "%PDF" not in text and "PNG" not in text and "\u00ff" not in text
    assert f"not a web page: {said}" in text
    assert f"{len(body):,} bytes" in text
    assert (content_type or "no content type") in text


@pytest.mark.django_db
def test_a_page_labelled_as_an_image_is_still_shown_as_a_page(admin_client, settings):
    # Extraction reads what the bytes are, not their label: such a page can be an article.
    body = b"<html><body><h1>Quay vote</h1></body></html>"
    snap = stored_snapshot(settings.CLIPDESK_HOME, body, "image/png")

    page = admin_client.get(snap.get_absolute_url())

    assert "<h1>Quay vote</h1>" in page.content.decode()


@pytest.mark.django_db
def test_a_page_that_names_its_charset_only_in_its_meta_is_shown_in_it(admin_client, settings):
    body = '<html><head><meta charset="shift_jis"></head><body><h1>港の会議</h1></body></html>'
    snap = stored_snapshot(settings.CLIPDESK_HOME, body.encode("shift_jis"), "text/html")

    page = admin_client.get(snap.get_absolute_url())

    assert page.status_code == 200
    assert "<h1>港の会議</h1>" in page.content.decode()


@pytest.mark.django_db
def test_a_snapshots_relative_links_lead_to_the_outlets_site_not_this_one(admin_client, settings):
    body = (
        b'<html><body><h1>Quay vote</h1><p><a href="/politics/">Politics</a> '
        b'<a href="vote-count.html">the count</a> <a href="//cdn.news.example/f.pdf">minutes</a>'
        b"</p></body></html>"
    )
    snap = stored_snapshot(settings.CLIPDESK_HOME, body, "text/html")

    html = admin_client.get(snap.get_absolute_url()).content.decode()

    # Left relative, they led into this instance ("/politics/" on the desk's own host).
    assert 'href="https://news.example/politics/"' in html
    assert 'href="https://news.example/vote-count.html"' in html
    assert 'href="https://cdn.news.example/f.pdf"' in html


@pytest.mark.django_db
def test_a_snapshots_links_are_resolved_as_its_base_element_said(admin_client, settings):
    body = (
        b'<html><head><base href="https://news.example/archive/2026/"></head><body>'
        b'<p><a href="vote-count.html">the count</a></p></body></html>'
    )
    snap = stored_snapshot(settings.CLIPDESK_HOME, body, "text/html")

    html = admin_client.get(snap.get_absolute_url()).content.decode()

    assert 'href="https://news.example/archive/2026/vote-count.html"' in html
    assert "<base" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "base", ["javascript:alert(1)", "http://[::1", "", "https://ex ample.com/", "http://a.b:99999/"]
)
def test_a_snapshot_whose_base_element_is_no_web_address_uses_its_own(admin_client, settings, base):
    body = f'<html><head><base href="{base}"></head><body><a href="x.html">x</a></body></html>'
    snap = stored_snapshot(settings.CLIPDESK_HOME, body.encode(), "text/html")

    page = admin_client.get(snap.get_absolute_url())

    assert page.status_code == 200
    assert 'href="https://news.example/x.html"' in page.content.decode()


def test_links_relative_to_an_address_that_is_none_are_dropped_not_a_server_error():
    links = '<a href="x.html">x</a> <a href="https://ok.example/">ok</a>'
    html = sanitize_html(links, "https://a b/")

    assert "x.html" not in html and 'href="https://ok.example/"' in html


@pytest.mark.django_db
def test_a_record_cut_short_is_said_to_be_so_and_never_read_as_whole(settings):
    from clipdesk.articles.snapshots import SnapshotUnreadable

    snap = _long_snapshot(settings)
    path = settings.CLIPDESK_HOME / snap.warc_file
    data = bytearray(path.read_bytes())
    # Cut where the record's gzip member still ends cleanly would be no test: cut it and
    # append what a second, intact member would have (as a later record leaves behind).
    member = bytes(data[snap.warc_offset : snap.warc_offset + snap.warc_length])
    inflated = gzip.decompress(member)
    data[snap.warc_offset :] = gzip.compress(inflated[: len(inflated) - 500])
    path.write_bytes(bytes(data))

    with pytest.raises(SnapshotUnreadable, match="the record is damaged or cut short") as refused:
        _read_back(settings, snap)
    assert "\\x" not in str(refused.value) and len(str(refused.value)) < 300


@pytest.mark.django_db
def test_a_changed_byte_is_said_to_be_damage_or_changes_nothing_read(settings):
    """Whether inflating then fails, or yields a record without its HTTP headers, or other
    bytes, depends on the byte and on the record's compression: every byte of a few records
    is tried. A byte past the end of the record's body (its closing blank lines, the gzip
    trailer) is never read, so it changes nothing that is shown."""
    from clipdesk.articles.snapshots import SnapshotUnreadable

    refusals = 0
    for _ in range(3):
        snap = _long_snapshot(settings)
        path = settings.CLIPDESK_HOME / snap.warc_file
        original = path.read_bytes()
        whole = _read_back(settings, snap)
        # The gzip header's first ten bytes (magic, flags, time, OS) are not the record.
        for at in range(snap.warc_offset + 10, snap.warc_offset + snap.warc_length):
            data = bytearray(original)
            data[at] ^= 0xFF
            path.write_bytes(bytes(data))
            try:
                content = _read_back(settings, snap)
            except SnapshotUnreadable as refused:
                said = str(refused)
                assert "record is damaged" in said, (at, said)
                assert "\\x" not in said and len(said) < 300, (at, said)
                refusals += 1
            else:
                assert content == whole, at
        path.write_bytes(original)
    assert refusals > 3 * (snap.warc_length - 40)


@pytest.mark.django_db
def test_a_response_record_read_without_its_http_headers_is_damaged(settings):
    """A changed letter of the target's scheme makes warcio read the response without its
    HTTP headers (only http and https addresses have them)."""
    from clipdesk.articles.snapshots import SnapshotUnreadable

    snap = _long_snapshot(settings)
    path = settings.CLIPDESK_HOME / snap.warc_file
    data = bytearray(path.read_bytes())
    end = snap.warc_offset + snap.warc_length
    record = gzip.decompress(bytes(data[snap.warc_offset : end]))
    damaged = record.replace(b"WARC-Target-URI: https://", b"WARC-Target-URI: hxtps://", 1)
    assert damaged != record
    data[snap.warc_offset : end] = gzip.compress(damaged)
    path.write_bytes(bytes(data))

    with pytest.raises(SnapshotUnreadable, match=r"damaged \(its HTTP headers are missing\)"):
        _read_back(settings, snap)


def _long_snapshot(settings):
    body = b"<html><body><p>" + b"The quay vote was postponed again. " * 400 + b"</p></body></html>"
    return stored_snapshot(settings.CLIPDESK_HOME, body, "text/html; charset=utf-8")


def _read_back(settings, snap):
    return read_snapshot(
        settings.CLIPDESK_HOME,
        snap.warc_file,
        snap.warc_offset,
        snap.warc_length,
        snap.payload_sha256,
    )


@pytest.mark.django_db
def test_the_warcinfo_names_the_site_only_once_its_operator_named_it():
    from clipdesk.digest.models import SiteProfile
    from clipdesk.ingest import StoreContext

    assert StoreContext.load().site_name == ""  # no profile yet: none is made for it
    assert not SiteProfile.objects.exists()
    SiteProfile.load()
    assert StoreContext.load().site_name == ""  # "clipdesk", the default, names no one
    SiteProfile.objects.update(name="Harbour Watch")
    assert StoreContext.load().site_name == "Harbour Watch"


@pytest.mark.django_db
def test_the_site_name_is_read_only_when_a_days_file_is_begun(tmp_path):
    """Every task's context read the site's name, one query an article, for a record written
    about once a day."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clipdesk.ingest import StoreContext

    with CaptureQueriesContext(connection) as queries:
        StoreContext.load()
    assert not [q for q in queries if "siteprofile" in q["sql"]]

    asked: list[int] = []

    def name() -> str:
        asked.append(1)
        return "Harbour Watch"

    for number in range(3):
        page = encode_snapshot(f"https://news.example/{number}", 200, {}, b"<p>x</p>", WHEN)
        append_snapshot(tmp_path, page, operator=name)
    assert asked == [1]


@pytest.mark.django_db
def test_a_snapshot_of_a_right_to_left_page_is_shown_right_to_left(admin_client, settings):
    # Its <html dir="rtl"> is not part of what is shown: the page was laid out left to right,
    # each sentence's full stop at its start.
    body = '<html lang="fa" dir="rtl"><body><h1>کتاب تازه</h1><p>متن خبر.</p></body></html>'
    snap = stored_snapshot(settings.CLIPDESK_HOME, body.encode(), "text/html; charset=utf-8")

    html = admin_client.get(snap.get_absolute_url()).content.decode()

    assert '<div class="snapshot" lang="fa" dir="rtl">' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "html_attributes",
    ['lang="en" dir="sideways"', 'lang="x onmouseover=alert(1)"', 'lang="fa&quot;"', ""],
)
def test_a_snapshots_direction_is_left_to_the_text_when_the_page_names_none_usable(
    admin_client, settings, html_attributes
):
    body = f"<html {html_attributes}><body><p>متن خبر.</p></body></html>"
    snap = stored_snapshot(settings.CLIPDESK_HOME, body.encode(), "text/html; charset=utf-8")

    html = admin_client.get(snap.get_absolute_url()).content.decode()

    lang = ' lang="en"' if html_attributes.startswith('lang="en"') else ""
    assert f'<div class="snapshot"{lang} dir="auto">' in html
