"""A real instance served by `clipdesk run`, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import free_port, instance_env
from tests.conftest import REPO, skip_or_fail

CHROMIUM = os.environ.get("CLIPDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
# Chromium's own background traffic would only meet this machine's closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def clipdesk(home: Path, *args: str, extra_env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "clipdesk", *args],
        env={**instance_env(home), **(extra_env or {})},
        check=True,
        capture_output=True,
        timeout=120,
    )


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start listening in time")


@pytest.fixture(scope="session")
def served_instance(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """An instance that imported an archive file, served on a free loopback port."""
    archive = REPO / "tests" / "fixtures" / "import" / "harbour-watch.txt"
    home = tmp_path_factory.mktemp("served")
    clipdesk(home, "init")
    clipdesk(home, "import-archive", str(archive))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "clipdesk", "run", "--port", str(port), "--workers", "1"],
        env=instance_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", home
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        skip_or_fail(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def desk_instance(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """An instance that polled the demo corpus, with an editor, served on loopback."""
    from clipdesk.demo.corpus_server import FEEDS, OUTLET_NAMES, WATCHLIST, CorpusServer

    home = tmp_path_factory.mktemp("desk")
    clipdesk(home, "init")
    env_allow = {"CLIPDESK_FETCH_ALLOW": "127.0.0.1"}
    with CorpusServer() as corpus:
        for path, kind in FEEDS:
            name = OUTLET_NAMES[path]
            clipdesk(home, "source", "add", corpus.url(path), f"--kind={kind}", f"--name={name}")
        ((entity, aliases),) = WATCHLIST.items()
        clipdesk(home, "watch", "add", entity, *[f"--alias={a}" for a in aliases])
        clipdesk(home, "poll", "--once", extra_env=env_allow)
    script = (
        "from django.contrib.auth.models import Group, User\n"
        "u = User.objects.create_user('eddie', password='desk-password-for-tests')\n"
        "u.groups.add(Group.objects.get(name='editor'))\n"
    )
    clipdesk(home, "manage", "shell", "-c", script)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "clipdesk", "run", "--port", str(port), "--no-poll"],
        env=instance_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", home
    finally:
        process.terminate()
        process.wait(timeout=15)
