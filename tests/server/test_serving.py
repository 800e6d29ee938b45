"""`clipdesk run` as a reader's browser meets it: one socket per worker, a port of its own."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.cli import clipdesk, free_port, started

REPO = Path(__file__).resolve().parents[2]


def _listening_sockets(port: int) -> int:
    """Sockets listening on 127.0.0.1:port, from the kernel's own table."""
    wanted = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1] == wanted and row[3] == "0A")  # 0A: LISTEN


def _first_line(process: subprocess.Popen, timeout: float = 60) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise AssertionError("the server said nothing in time")
    return process.stdout.readline()


@pytest.fixture
def served(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init", "--site-name", "Port Watch")
    port = free_port()
    process = started(home, "run", "--port", str(port), "--no-poll")
    try:
        yield home, port, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_run_says_ready_only_once_the_site_answers(served):
    _home, port, process = served
    line = _first_line(process)
    assert line.startswith(f"Serving “Port Watch” at http://127.0.0.1:{port}/")
    # No retry: "Serving" is printed by a worker that already listens.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        assert response.status == 200


def test_each_worker_listens_on_its_own_socket(served):
    """The kernel spreads connections over the workers' sockets, so a few keep-alive
    connections cannot all land on one worker while the other idles."""
    _home, port, process = served
    _first_line(process)
    deadline = time.monotonic() + 30
    while _listening_sockets(port) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _listening_sockets(port) == 2  # two workers, as `run` defaults to


def test_a_second_server_on_the_same_port_is_refused(served):
    """With SO_REUSEPORT a second server could otherwise join the port and take half the
    readers to another instance."""
    home, port, process = served
    _first_line(process)
    other = home.parent / "other"
    clipdesk(other, "init")
    result = clipdesk(other, "run", "--port", str(port), "--no-poll", check=False, timeout=60)
    assert result.returncode == 2
    assert f"run: 127.0.0.1:{port} is already in use by another program" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert process.poll() is None  # the first server goes on


def test_run_refuses_a_port_another_program_listens_on(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = clipdesk(home, "run", "--port", str(port), "--no-poll", check=False, timeout=60)
    assert result.returncode == 2
    assert "is already in use by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_refuses_an_address_this_machine_does_not_have(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    result = clipdesk(
        home, "run", "--host", "192.0.2.1", "--port", "8000", "--no-poll", check=False, timeout=60
    )
    assert result.returncode == 2
    assert "run: cannot listen on 192.0.2.1:8000" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_refuses_a_busy_port_before_setting_anything_up(tmp_path):
    home = tmp_path / "demo-home"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = clipdesk(
            home, "--home", str(home), "demo", "--port", str(port), check=False, timeout=60
        )
    assert result.returncode == 2
    assert "demo: " in result.stderr and "is already in use" in result.stderr
    assert not (home / "clipdesk.sqlite3").exists()


def test_demo_refuses_an_instance_that_already_holds_content(tmp_path):
    """The demo publishes its sample archive, adds loopback sources and resets the "admin"
    password: pointed at a real instance (--home, or an exported DATABASE_URL) it must not
    write there."""
    home = tmp_path / "real"
    clipdesk(home, "init")
    clipdesk(home, "watch", "add", "Harbour Board")
    script = (
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.create_superuser('admin', 'a@example.org', 'kept-Pass-42')"
    )
    clipdesk(home, "manage", "shell", "-c", script)
    before = (home / "clipdesk.sqlite3").read_bytes()
    result = clipdesk(home, "--home", str(home), "demo", "--no-serve", check=False, timeout=60)
    assert result.returncode == 2
    assert "demo: " in result.stderr and "already holds" in result.stderr
    assert "Traceback" not in result.stderr
    check = "from django.contrib.auth import get_user_model\n" + (
        "print(get_user_model().objects.get(username='admin').check_password('kept-Pass-42'))"
    )
    assert clipdesk(home, "manage", "shell", "-c", check).stdout.split()[-1] == "True"
    assert clipdesk(home, "source", "list").stdout.startswith("No sources yet")
    assert (home / "clipdesk.sqlite3").read_bytes() == before


def test_demo_sets_up_a_new_folder_given_with_home(tmp_path):
    home = tmp_path / "kept-demo"
    result = clipdesk(home, "--home", str(home), "demo", "--no-serve", timeout=120)
    assert f"Demo instance in {home}" in result.stdout
    assert "6 sources" in result.stdout


def _stop_group(process: subprocess.Popen) -> None:
    """Whatever a failed assertion left running: the command and its workers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


# A worker that does not quit is killed by the server at its graceful timeout, 10 s after
# Ctrl-C: a stop by then is a stop "at once". A loaded machine (the whole suite beside other
# work) has taken over 8 s to stop a healthy demo; a hung worker still takes over 10.
CTRL_C_WITHIN = 9.5


def _ctrl_c(process: subprocess.Popen, within: float) -> tuple[int, str]:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        # Which of the group's processes was still there, and what it had said: a hang is
        # rare and timing-bound, and without this its failure says nothing of its cause.
        left = subprocess.run(
            ["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(process.pid)],
            capture_output=True,
            text=True,
        ).stdout
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        said = process.stderr.read() if process.stderr else ""
        raise AssertionError(
            f"still running {within} s after Ctrl-C; processes left:\n{left}\n"
            f"last of its errors:\n{said[-3000:]}"
        ) from None
    return process.returncode, process.stderr.read()


def test_the_demo_searches_what_changes_and_ctrl_c_stops_it_at_once_and_quietly(tmp_path):
    """The server's workers are forked from the demo's process, which also serves the news
    corpus on a thread; a worker must not wait for that thread, which it does not have. And
    it opened the search index before they were forked: their searches must still see what
    is indexed after (they searched the index as it was at the fork)."""
    port = free_port()
    home = str(tmp_path / "demo")  # demo makes a temporary home unless told one
    demo = started(tmp_path, "--home", home, "demo", "--port", str(port), new_session=True)
    try:
        _ctrl_c_the_ready_demo(demo, port, home)
    finally:
        _stop_group(demo)


def _search_total(port: int, query: str) -> int:
    address = f"http://127.0.0.1:{port}/api/search?{urllib.parse.urlencode({'q': query})}"
    with urllib.request.urlopen(address, timeout=10) as response:
        return json.loads(response.read())["total"]


def _searched_in_the_demo(port: int, home: str) -> None:
    # The archive's posts carry the watched subject's names (watched before the import).
    assert _search_total(port, 'entity:"Lantern Fellowship"') > 0
    script = (
        "from tests.factories import make_post\n"
        "make_post('Quay lamps relit', excerpt='The zanzibarlight lamps were relit.')"
    )
    clipdesk(Path(home), "manage", "shell", "-c", script, PYTHONPATH=str(REPO))
    deadline = time.monotonic() + 10
    while _search_total(port, "zanzibarlight") == 0:  # every worker, in turn
        assert time.monotonic() < deadline, "the server's search never saw the new post"
        time.sleep(0.2)
    assert all(_search_total(port, "zanzibarlight") == 1 for _ in range(6))


def _ctrl_c_the_ready_demo(demo: subprocess.Popen, port: int, home: str) -> None:
    # Its lines come at once; select() would not see the ones already in the pipe's buffer.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(demo.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while not any(line.startswith("Demo running") for line in lines):
        assert demo.poll() is None, "the demo stopped before it was ready"
        assert time.monotonic() < deadline, "the demo was not ready in time"
        time.sleep(0.2)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        assert response.status == 200
    _searched_in_the_demo(port, home)
    code, err = _ctrl_c(demo, within=CTRL_C_WITHIN)
    assert code == 130  # as the other commands stopped by Ctrl-C (gunicorn's master says 0)
    assert "[ERROR]" not in err  # a clean stop, not "Shutting down" logged as an error
    assert "SIGKILL" not in err
    assert "Traceback" not in err


def test_ctrl_c_stops_a_polling_loop_without_a_traceback(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    poller = started(home, "poll", new_session=True)
    try:
        assert "0 source(s) polled" in _first_line(poller)  # a round done; now it sleeps
        code, err = _ctrl_c(poller, within=10)
    finally:
        _stop_group(poller)
    assert code == 130
    assert "clipdesk poll: interrupted" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--port", "0"], "argument --port: 0 is out of range (1 to 65535)"),
        (["run", "--port", "70000"], "argument --port: 70000 is out of range (1 to 65535)"),
        (["run", "--port", "-1"], "argument --port: -1 is out of range"),
        (["run", "--port", "http"], "argument --port: 'http' is not a whole number"),
        (["run", "--workers", "0"], "argument --workers: 0 is out of range (at least 1)"),
        (["demo", "--port", "0"], "argument --port: 0 is out of range (1 to 65535)"),
    ],
)
def test_ports_and_worker_counts_that_cannot_work_are_refused(tmp_path, args, message):
    home = tmp_path / "home"
    clipdesk(home, "init")
    home_arg = ["--home", str(home)]  # demo makes a temporary home unless told one
    result = clipdesk(
        home, *home_arg, *args, "--no-poll" if args[0] == "run" else "--no-serve", check=False
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_foreign_host_header_is_refused_and_logged_on_one_line(served):
    _home, port, process = served
    _first_line(process)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    process.terminate()
    _, err = process.communicate(timeout=20)
    assert "Invalid HTTP_HOST header: 'evil.example'" in err
    assert "Traceback" not in err


def _processes() -> dict[int, tuple[int, list[bytes]]]:
    """Every process: its parent and its arguments."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except OSError:
            continue
        found[int(entry)] = (parent, args)
    return found


def _pollers_of(server_pid: int) -> list[int]:
    """The `clipdesk poll` processes below the server (started by its keep-running helper)."""
    table = _processes()

    def below_server(pid: int) -> bool:
        while pid in table and pid > 1:
            pid = table[pid][0]
            if pid == server_pid:
                return True
        return False

    return [
        pid
        for pid, (_, args) in table.items()
        if b"poll" in args and b"clipdesk.server.keep_running" not in args and below_server(pid)
    ]


def test_a_background_poller_that_dies_is_started_again(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    port = free_port()
    server = started(home, "run", "--port", str(port))
    try:
        assert "Serving" in _first_line(server)
        deadline = time.monotonic() + 30
        while not (first := _pollers_of(server.pid)):
            assert time.monotonic() < deadline, "no poller started"
            time.sleep(0.1)
        os.kill(first[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would
        deadline = time.monotonic() + 30
        while not (again := [pid for pid in _pollers_of(server.pid) if pid != first[0]]):
            assert time.monotonic() < deadline, "the poller was not started again"
            time.sleep(0.2)
        assert again
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "the background poller stopped (exit status -9); started again in 5 s" in err
    assert not _pollers_of(server.pid)


def test_a_demo_in_a_temporary_instance_leaves_nothing_behind(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = free_port()
    demo = started(tmp_path, "demo", "--port", str(port), new_session=True, TMPDIR=str(scratch))
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(demo.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while not any(line.startswith("Demo running") for line in lines):
            assert demo.poll() is None and time.monotonic() < deadline, "the demo never ran"
            time.sleep(0.2)
        assert any(line.startswith(f"Demo instance in {scratch}/clipdesk-demo-") for line in lines)
        _ctrl_c(demo, within=CTRL_C_WITHIN)
    finally:
        _stop_group(demo)
    assert not [p for p in scratch.iterdir() if p.name.startswith("clipdesk-demo-")]


def test_ctrl_c_in_a_round_stops_without_asking_for_the_sources_left(tmp_path):
    from tests.sources.conftest import LoopbackServer, Reply

    server = LoopbackServer()
    asked: list[str] = []

    def slow_feed(request) -> Reply:
        asked.append(request.path)
        time.sleep(2)
        return Reply(
            body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>Q</title>'
            b"</channel></rss>"
        )

    try:
        server.route("/robots.txt", b"User-agent: *\nDisallow:\n")
        home = tmp_path / "home"
        clipdesk(home, "init")
        for n in range(8):  # one site: two at a time, four rounds of two seconds
            url = server.handle(f"/feed-{n}.xml", slow_feed)
            clipdesk(home, "source", "add", url, "--kind", "feed")
        poller = started(home, "poll", "--once", new_session=True, CLIPDESK_FETCH_ALLOW="127.0.0.1")
        try:
            deadline = time.monotonic() + 30
            while not asked:
                assert time.monotonic() < deadline, "no feed was asked for"
                time.sleep(0.05)
            code, err = _ctrl_c(poller, within=6)  # the two under way finish, no more start
        finally:
            _stop_group(poller)
    finally:
        server.close()
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert len(asked) <= 4


def test_run_says_when_its_address_is_not_a_host_it_answers_to(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    port = free_port()
    server = started(
        home, "run", "--port", str(port), "--no-poll", CLIPDESK_ALLOWED_HOSTS="news.local"
    )
    try:
        line = _first_line(server)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert line.startswith(f"Serving “clipdesk” at http://127.0.0.1:{port}/")
    assert line.rstrip().endswith("it answers to news.local only (CLIPDESK_ALLOWED_HOSTS)")


def _ipv6_loopback_port() -> int | None:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
            return sock.getsockname()[1]
    except OSError:
        return None


@pytest.mark.parametrize("written", ["::1", "[::1]"])
def test_run_serves_on_an_ipv6_address_written_with_or_without_brackets(tmp_path, written):
    port = _ipv6_loopback_port()
    if port is None:
        pytest.skip("this machine has no IPv6 loopback address")
    home = tmp_path / "home"
    clipdesk(home, "init")
    server = started(home, "run", "--host", written, "--port", str(port), "--no-poll")
    try:
        line = _first_line(server)
        with urllib.request.urlopen(f"http://[::1]:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
    # [::1] is one of the default allowed hosts: no note that it is not answered to.
    assert line.startswith(f"Serving “clipdesk” at http://[::1]:{port}/ (")
    assert "answers to" not in line


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds processes through Linux's /proc")
def test_the_poller_stops_when_the_server_is_killed_outright(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    server = started(home, "run", "--port", str(free_port()), new_session=True)
    try:
        _first_line(server)
        deadline = time.monotonic() + 30
        keeper: list[int] = []
        while not keeper and time.monotonic() < deadline:
            keeper = [
                pid
                for pid in _children(server.pid)
                if b"keep_running" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            time.sleep(0.1)
        assert keeper, "no poller beside the server"
        while not _children(keeper[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        poller = _children(keeper[0])
        assert poller, "the poller was not started"

        os.kill(server.pid, signal.SIGKILL)  # no chance to stop what it started
        server.wait(timeout=20)

        deadline = time.monotonic() + 30
        while any(map(_alive, keeper + poller)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(_alive, keeper + poller)), "the poller outlived its server"
    finally:
        _stop_group(server)


def test_head_is_answered_without_a_body_and_without_a_warning(served):
    _home, port, process = served
    _first_line(process)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/")
    got = connection.getresponse()
    whole = got.read()
    connection.request("HEAD", "/")
    head = connection.getresponse()
    assert head.status == 200 and head.read() == b""
    assert int(head.getheader("Content-Length")) == len(whole)
    connection.close()
    process.terminate()
    _, err = process.communicate(timeout=20)
    assert "no-body response" not in err


def test_pages_are_compressed_for_clients_that_accept_it(served):
    _home, port, process = served
    _first_line(process)
    for path in ("/", "/feed/", "/static/digest/site.css"):
        plain = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()
        asked = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(asked, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip", path
            assert gzip.decompress(response.read()) == plain, path


def test_a_part_of_a_file_and_an_image_are_sent_as_they_are(served):
    """A Range request's part compressed would no longer be the bytes its Content-Range
    names; an image is compressed already."""
    _home, port, process = served
    _first_line(process)
    whole = urllib.request.urlopen(
        f"http://127.0.0.1:{port}/static/digest/site.css", timeout=10
    ).read()
    part = urllib.request.Request(
        f"http://127.0.0.1:{port}/static/digest/site.css",
        headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"},
    )
    with urllib.request.urlopen(part, timeout=10) as response:
        assert response.status == 206
        assert response.headers["Content-Encoding"] is None
        assert response.read() == whole[:10]


def test_only_text_is_compressed():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from clipdesk.server.compression import CompressTextMiddleware

    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    body = b"\x89PNG" + bytes(range(256)) * 8
    for content_type, compressed in [
        ("image/png", False),
        ("font/woff2", False),
        ("text/html; charset=utf-8", True),
        ("application/atom+xml; charset=utf-8", True),
        ("image/svg+xml", True),
    ]:
        middleware = CompressTextMiddleware(lambda r, t=content_type: HttpResponse(body, t))
        response = middleware(request)
        assert response.has_header("Content-Encoding") == compressed, content_type


def _first_line_and_errors(home: Path, *args: str, **env: str) -> tuple[str, str]:
    server = started(home, *args, **env)
    try:
        line = _first_line(server)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    return line, errors


PRODUCTION = {"CLIPDESK_PRODUCTION": "1", "CLIPDESK_ALLOWED_HOSTS": "news.local,127.0.0.1"}
# An address others may reach, as a server behind no proxy listens; a few seconds, --no-poll.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104


def test_run_warns_when_any_client_may_claim_https(tmp_path):
    """Under CLIPDESK_PRODUCTION, X-Forwarded-Proto makes a request HTTPS; with no proxy
    named it is believed from whoever reaches the port: on an address others reach, that
    was never said."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    wide = ["run", "--host", EVERY_INTERFACE, "--port", str(free_port()), "--no-poll"]

    line, errors = _first_line_and_errors(home, *wide, **PRODUCTION)

    assert line.startswith("Serving")
    assert "listening on 0.0.0.0 under CLIPDESK_PRODUCTION with no CLIPDESK_TRUSTED_PROXIES" in (
        errors
    )


@pytest.mark.parametrize(
    ("host", "env"),
    [
        ("127.0.0.1", PRODUCTION),  # only this machine (the proxy) reaches it
        (EVERY_INTERFACE, {**PRODUCTION, "CLIPDESK_TRUSTED_PROXIES": "10.0.0.5"}),
        (EVERY_INTERFACE, {"CLIPDESK_ALLOWED_HOSTS": "news.local,127.0.0.1"}),  # no HTTPS
    ],
)
def test_run_says_nothing_of_x_forwarded_proto_where_it_cannot_be_abused(tmp_path, host, env):
    home = tmp_path / "home"
    clipdesk(home, "init")
    line, errors = _first_line_and_errors(
        home, "run", "--host", host, "--port", str(free_port()), "--no-poll", **env
    )
    assert line.startswith("Serving")
    assert "X-Forwarded-Proto" not in errors
