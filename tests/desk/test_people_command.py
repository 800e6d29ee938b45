"""`clipdesk people`: accounts added, listed, given roles, unlocked, disabled and enabled by an
operator, and what each change does to signing in and to the desk."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from clipdesk.people.models import AuditEntry
from clipdesk.people.throttle import MAX_FAILURES, counter
from tests.cli import clipdesk

pytestmark = pytest.mark.django_db

EDITOR_PASSWORD = "harbour-lights-at-dusk-41"
READER_PASSWORD = "quiet-reading-room-82"
ADMIN_PASSWORD = "keys-to-the-whole-house-17"


@pytest.fixture(autouse=True)
def empty_counter():
    counter().clear()
    yield
    counter().clear()


def people(*args: str, password: str | None = None) -> str:
    """Run `people ARGS` as the command line does; `password` is its standard input."""
    out = io.StringIO()
    stdin = io.StringIO(f"{password}\n" if password is not None else "")
    call_command("people", *args, stdin=stdin, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str, password: str | None = None) -> str:
    with pytest.raises(CommandError) as caught:
        people(*args, password=password)
    assert caught.value.returncode == 2
    assert "\n" not in str(caught.value)
    return str(caught.value)


def sign_in(client, name: str, password: str, address: str = "192.0.2.1"):
    return client.post("/login/", {"username": name, "password": password}, REMOTE_ADDR=address)


def test_an_added_editor_signs_in_to_the_desk_and_the_admin_a_reader_to_neither(client):
    people(
        "add", "eddie", "--role", "editor", "--email", "eddie@example.org", password=EDITOR_PASSWORD
    )
    people("add", "rowan", "--role", "reader", password=READER_PASSWORD)

    signed_in = sign_in(client, "eddie", EDITOR_PASSWORD)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200
    assert client.get("/admin/digest/post/").status_code == 200  # editors edit posts there
    assert client.get("/admin/auth/user/").status_code == 403  # but not the accounts
    client.logout()

    assert sign_in(client, "rowan", READER_PASSWORD)["Location"] == "/"
    assert client.get("/desk/").status_code == 403
    assert client.get("/admin/").status_code == 302  # sent to sign in as another
    assert User.objects.get(username="eddie").email == "eddie@example.org"


def test_an_added_admin_manages_accounts_in_the_admin(client):
    people("add", "ada", "--role", "admin", password=ADMIN_PASSWORD)
    sign_in(client, "ada", ADMIN_PASSWORD)
    assert client.get("/desk/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_list_shows_role_state_last_sign_in_and_lock(client):
    people("add", "ada", "--role", "admin", password=ADMIN_PASSWORD)
    people("add", "eddie", "--role", "editor", password=EDITOR_PASSWORD)
    sign_in(client, "ada", ADMIN_PASSWORD)
    client.logout()
    for _ in range(MAX_FAILURES):
        sign_in(client, "eddie", "not-the-password")

    rows = {row["name"]: row for row in json.loads(people("list", "--json"))}
    text = people("list")

    assert rows["ada"]["role"] == "admin" and rows["ada"]["active"] is True
    assert rows["ada"]["last_sign_in"] and rows["ada"]["locked"] is False
    assert rows["eddie"]["last_sign_in"] is None and rows["eddie"]["locked"] is True
    eddie_line = next(line for line in text.splitlines() if line.startswith("eddie"))
    assert eddie_line.split() == ["eddie", "editor", "yes", "never", "yes"]


def test_unlock_lets_a_locked_out_account_sign_in_at_once(client):
    people("add", "eddie", "--role", "editor", password=EDITOR_PASSWORD)
    for number in range(MAX_FAILURES):  # from addresses enough that only the account is locked
        sign_in(client, "eddie", "not-the-password", address=f"203.0.113.{number}")
    assert sign_in(client, "eddie", EDITOR_PASSWORD, address="198.51.100.7").status_code == 429

    said = people("unlock", "Eddie")  # the name as the editor types it

    assert "Unlocked eddie" in said
    signed_in = sign_in(client, "eddie", EDITOR_PASSWORD, address="198.51.100.7")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/desk/"
    assert "was not locked" in people("unlock", "eddie")


def test_disabling_an_account_ends_its_signed_in_session(client):
    people("add", "ada", "--role", "admin", password=ADMIN_PASSWORD)
    people("add", "eddie", "--role", "editor", password=EDITOR_PASSWORD)
    sign_in(client, "eddie", EDITOR_PASSWORD)
    assert client.get("/desk/").status_code == 200

    said = people("disable", "eddie")

    assert "1 session(s) ended" in said
    assert client.get("/desk/").status_code == 302  # sent to sign in
    assert sign_in(client, "eddie", EDITOR_PASSWORD).status_code == 200  # the form again

    people("enable", "eddie")
    assert client.get("/desk/").status_code == 302  # the old session did not come back
    assert sign_in(client, "eddie", EDITOR_PASSWORD)["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_a_new_role_changes_what_the_account_may_open(client):
    people("add", "ada", "--role", "admin", password=ADMIN_PASSWORD)
    people("add", "eddie", "--role", "editor", password=EDITOR_PASSWORD)

    assert "eddie: editor → reader" in people("role", "eddie", "reader")
    sign_in(client, "eddie", EDITOR_PASSWORD)
    assert client.get("/desk/").status_code == 403
    assert not User.objects.get(username="eddie").is_staff

    people("role", "eddie", "admin")
    people("role", "ada", "editor")  # another admin is left: allowed
    ada = User.objects.get(username="ada")
    assert not ada.is_superuser and ada.is_staff and ada.groups.get().name == "editor"


@pytest.mark.parametrize(
    "name, said",
    [
        ("eddie", "there is already an account named 'eddie'"),
        ("Eddie", "'Eddie' signs in as the existing account 'eddie'"),
        ("ｅｄｄｉｅ", "there is already an account named 'eddie'"),  # full-width: NFKC "eddie"
        ("EＤDIE", "signs in as the existing account 'eddie'"),
        ("   ", "an account needs a name"),
        ("ed die", "name 'ed die' refused"),
    ],
)
def test_a_name_that_signs_in_as_another_or_as_nobody_is_refused(name, said):
    people("add", "eddie", "--role", "editor", password=EDITOR_PASSWORD)
    assert said in refused("add", name, "--role", "editor", password="another-long-pass-93")
    assert User.objects.count() == 1


def test_a_password_django_would_refuse_is_refused_with_its_reasons():
    message = refused("add", "eddie", "--role", "editor", password="eddie1")
    assert message.startswith("people: password refused: ")
    assert "too similar to the username" in message and "too short" in message
    assert "too common" in refused("add", "eddie", "--role", "editor", password="password123")
    assert "no password" in refused("add", "eddie", "--role", "editor")
    assert not User.objects.exists()


def test_the_last_active_admin_is_neither_demoted_nor_disabled():
    people("add", "ada", "--role", "admin", password=ADMIN_PASSWORD)
    User.objects.create_superuser("old-root", password=ADMIN_PASSWORD, is_active=False)

    assert "'ada' is the last active admin" in refused("role", "ada", "editor")
    assert "'ada' is the last active admin" in refused("disable", "ada")

    people("add", "bea", "--role", "admin", password=ADMIN_PASSWORD)
    people("disable", "ada")
    assert "'bea' is the last active admin" in refused("role", "bea", "reader")
    assert User.objects.get(username="bea").is_superuser


@pytest.mark.parametrize(
    "args",
    [
        ("role", "nobody", "editor"),
        ("unlock", "nobody"),
        ("disable", "nobody"),
        ("enable", "nobody"),
    ],
)
def test_an_unknown_name_is_refused(args):
    assert "there is no account named 'nobody'" in refused(*args)


def test_every_change_is_in_the_audit_trail():
    people("add", "ada", "--role", "admin", password=ADMIN_PASSWORD)
    people("add", "eddie", "--role", "editor", password=EDITOR_PASSWORD)
    people("role", "eddie", "reader")
    people("unlock", "eddie")
    people("disable", "eddie")
    people("enable", "eddie")

    eddie = User.objects.get(username="eddie")
    entries = AuditEntry.objects.filter(object_type="user", object_id=eddie.pk).order_by("id")
    assert [e.action for e in entries] == ["add_account", "set_role", "unlock", "disable", "enable"]
    assert entries[1].detail["role"] == "reader" and entries[1].detail["was"] == "editor"
    assert all(e.user is None and e.detail["name"] == "eddie" for e in entries)


def test_the_command_line_reads_the_password_from_standard_input(tmp_path):
    """Through `python -m clipdesk`, as an operator's script runs it: the password on standard
    input, refusals in one line with exit 2."""
    import subprocess
    import sys

    from tests.cli import instance_env

    home = tmp_path / "home"
    clipdesk(home, "init")
    assert "people" in clipdesk(home, "--help").stdout

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "clipdesk", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=instance_env(home),
            timeout=300,
        )

    added = run("people", "add", "eddie", "--role", "editor", stdin=f"{EDITOR_PASSWORD}\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added eddie (editor)"

    for args, stdin in [
        (("people", "add", "EDDIE", "--role", "editor"), f"{READER_PASSWORD}\n"),
        (("people", "add", "rowan", "--role", "reader"), "short\n"),
        (("people", "add", "rowan", "--role", "reader"), ""),
        (("people", "unlock", "nobody"), ""),
    ]:
        result = run(*args, stdin=stdin)
        assert result.returncode == 2, result
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("people: ") and "Traceback" not in result.stderr

    listed = json.loads(run("people", "list", "--json").stdout)
    assert [(r["name"], r["role"], r["active"], r["locked"]) for r in listed] == [
        ("eddie", "editor", True, False)
    ]
