"""A database that cannot be used is named in one line with what to do, never a traceback."""

from __future__ import annotations

import pytest

from tests.cli import clipdesk, free_port

COMMANDS = [
    ["source", "list"],
    ["poll", "--once"],
    ["articles", "--json"],
    ["reextract", "--all"],
    ["search", "harbour"],
    ["watch", "add", "Harbour Council"],
    ["export-static", "site"],
    ["people", "list"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_home_never_set_up_is_sent_to_init(tmp_path, args):
    (tmp_path / "home").mkdir()  # made, say, by hand, but never set up
    result = clipdesk(tmp_path / "home", *args, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"clipdesk {args[0]}: the instance is not set up or needs migrating" in result.stderr
    assert "run `clipdesk init` first" in result.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_home_that_does_not_exist_is_named_and_not_made(tmp_path, args):
    result = clipdesk(tmp_path / "home", *args, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"clipdesk {args[0]}: there is no instance at {tmp_path / 'home'}" in result.stderr
    assert "`clipdesk init` makes one" in result.stderr
    assert not (tmp_path / "home").exists()


def test_a_dry_run_import_needs_no_instance_and_makes_none(tmp_path):
    page = tmp_path / "digest.txt"
    page.write_text(
        "Quay permit granted\nPosted on: March 5 2021\n"
        "Marta Quillfeather, The Coastal Ledger, March 4 2021:… The permit covers one day.\n"
    )
    result = clipdesk(tmp_path / "home", "import-archive", "--dry-run", "--json", str(page))
    assert '"headline": "Quay permit granted"' in result.stdout
    assert not (tmp_path / "home").exists()


def test_an_export_from_a_home_never_set_up_leaves_nothing_behind(tmp_path):
    target = tmp_path / "public" / "site"
    (tmp_path / "home").mkdir()
    result = clipdesk(tmp_path / "home", "export-static", str(target), check=False)
    assert result.returncode == 2
    assert "run `clipdesk init` first" in result.stderr
    assert not target.parent.exists()  # neither the folder nor the lock file beside the copy


def test_an_unreachable_database_server_is_named_without_its_password(tmp_path):
    port = free_port()  # nothing listens there
    url = f"postgres://clipdesk:hunter2secret@127.0.0.1:{port}/desk"
    result = clipdesk(tmp_path / "home", "source", "list", check=False, DATABASE_URL=url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "clipdesk source: cannot open the database, PostgreSQL desk on 127.0.0.1" in (
        result.stderr
    )
    assert "Connection refused" in result.stderr
    assert "hunter2secret" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://clipdesk:pw@127.0.0.1/desk", "mysql:// is another database"),
        ("sqlite:///tmp/desk.sqlite3", "sqlite:// is another database"),
        ("postgres//127.0.0.1/desk", "the value given is not an address"),
        ("127.0.0.1:5432", "the value given is not an address"),
    ],
)
def test_a_database_url_that_is_not_postgresql_is_refused(tmp_path, url, says):
    result = clipdesk(tmp_path / "home", "init", check=False, DATABASE_URL=url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "clipdesk init: DATABASE_URL must be a PostgreSQL address" in result.stderr
    assert says in result.stderr
    assert not (tmp_path / "home" / "clipdesk.sqlite3").exists()


def test_the_same_home_works_once_set_up(tmp_path):
    home = tmp_path / "home"
    assert clipdesk(home, "source", "list", check=False).returncode == 2
    clipdesk(home, "init")
    assert clipdesk(home, "source", "list", "--json").stdout.strip() == "[]"
