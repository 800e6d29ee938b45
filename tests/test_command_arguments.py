"""Numbers the commands take: a value that cannot work is refused at once, with the reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import clipdesk, instance_env


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("arguments") / "home"
    clipdesk(home, "init")
    return home


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["poll", "--once", "--workers", "0"],
            "argument --workers: 0 is out of range (at least 1)",
        ),
        (["poll", "--once", "--workers", "-5"], "argument --workers: -5 is out of range"),
        (["articles", "--limit", "-3"], "argument --limit: -3 is out of range (0 to"),
        (["articles", "--limit", "ten"], "argument --limit: 'ten' is not a whole number"),
        (["search", "harbour", "--limit", "0"], "argument --limit: 0 is out of range (1 to 100)"),
        (["search", "harbour", "--limit", "101"], "argument --limit: 101 is out of range"),
        (["export-static", "site", "--jobs", "0"], "argument --jobs: 0 is out of range (1 to 64)"),
        # Each job is a process: a thousand were started.
        (["export-static", "site", "--jobs", "1000"], "argument --jobs: 1000 is out of range"),
        # One past the database's 64-bit ids failed in SQLite's driver with a traceback.
        (["publish", str(2**63), "--excerpt", "x"], "argument ARTICLE_ID: 9223372036854775808"),
        (["reextract", "--id", "9" * 20], "argument --id: 99999999999999999999 is out of range"),
        (["articles", "--limit", str(2**63)], "argument --limit: 9223372036854775808 is out"),
    ],
)
def test_numbers_that_cannot_work_are_refused(home, args, message):
    result = clipdesk(home, *args, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bounds_themselves_are_accepted(home):
    assert clipdesk(home, "articles", "--limit", "0", "--json").stdout.strip() == "[]"
    assert clipdesk(home, "search", "harbour", "--limit", "100", "--json").returncode == 0
    assert clipdesk(home, "poll", "--once", "--workers", "1", "--json").returncode == 0
    largest = str(2**63 - 1)
    assert clipdesk(home, "articles", "--limit", largest, "--json").stdout.strip() == "[]"
    unknown = clipdesk(home, "publish", largest, "--excerpt", "x", check=False)
    assert unknown.returncode == 2 and f"no article with id {largest}" in unknown.stderr


@pytest.mark.parametrize("where", ["file", "inside a file", "unmakeable"])
def test_a_home_that_cannot_be_a_folder_is_refused_with_the_reason(tmp_path, where):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    home = {"file": afile, "inside a file": afile / "x", "unmakeable": "/proc/clipdesk-home"}[where]
    result = clipdesk(Path(home), "init", check=False)  # the command that makes a home
    assert result.returncode == 2
    assert f"clipdesk: cannot use {home} as the instance home (" in result.stderr
    assert "Traceback" not in result.stderr
    if where == "file":
        assert "a file, not a folder" in result.stderr


def test_output_cut_short_by_its_reader_stops_the_command_quietly(home):
    """`clipdesk … | head`: the reader goes away; the command stops as programs in a pipe do,
    without a traceback (the poll loop logged one every round and polled on)."""
    command = [sys.executable, "-m", "clipdesk", "manage", "shell", "-c", "print('x' * 10**6)"]
    process = subprocess.Popen(
        command,
        env=instance_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.read(10)
    process.stdout.close()  # as `head -c 10` does once it has what it wanted
    _, err = process.communicate(timeout=60)
    assert process.returncode == 141
    assert b"Traceback" not in err and b"BrokenPipe" not in err
