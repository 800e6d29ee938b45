import getpass
import json
import sys

from django.core.management.base import CommandError
from django.utils import timezone

from clipdesk.command import ClipdeskCommand
from clipdesk.people.accounts import (
    ROLES,
    AccountError,
    AccountState,
    account_states,
    add_account,
    change_role,
    set_active,
    unlock,
)
from clipdesk.people.throttle import WINDOW_SECONDS


class Command(ClipdeskCommand):
    help = "Add accounts, list them, change their role, unlock, disable or enable them."
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add",
            help="add an account with a role",
            description="Add an account. Its password is read from standard input, one line, "
            "when that is not a terminal (`printf '%s\\n' \"$PASSWORD\" | clipdesk people add "
            "NAME --role editor`); typed at a terminal, it is asked for twice. Django's password "
            "checks apply. admin: everything, people included; editor: the desk and posts in "
            "the admin; reader: signs in, changes nothing.",
        )
        add.add_argument("name")
        add.add_argument("--role", choices=ROLES, required=True)
        add.add_argument("--email", default="")
        listing = sub.add_parser(
            "list", help="accounts: role, active, last sign-in, locked out of signing in"
        )
        listing.add_argument("--json", action="store_true")
        role = sub.add_parser("role", help="give an account another role")
        role.add_argument("name")
        role.add_argument("role", choices=ROLES)
        for action, text in [
            ("unlock", "forget an account's failed sign-ins, so that it may sign in at once"),
            ("disable", "stop an account signing in; its open sessions end"),
            ("enable", "let a disabled account sign in again"),
        ]:
            sub.add_parser(action, help=text).add_argument("name")

    def execute(self, *args, **options):
        self.stdin = options.get("stdin") or sys.stdin  # call_command(..., stdin=...) in tests
        return super().execute(*args, **options)

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "add":
                self._add(options["name"], options["role"], options["email"])
            elif action == "list":
                self._list(options["json"])
            elif action == "role":
                user, before = change_role(options["name"], options["role"])
                if before == options["role"]:
                    self.stdout.write(f"{user.username} is {_a(before)} already")
                else:
                    self.stdout.write(f"{user.username}: {before or 'no role'} → {options['role']}")
            elif action == "unlock":
                user, was_locked = unlock(options["name"])
                if was_locked:
                    self.stdout.write(f"Unlocked {user.username}: it may sign in again at once")
                else:
                    minutes = WINDOW_SECONDS // 60
                    self.stdout.write(
                        f"{user.username} was not locked (its failed sign-ins are forgotten); "
                        f"an address locked by failures is let in again within {minutes} minutes"
                    )
            else:
                self._set_active(options["name"], active=action == "enable")
        except AccountError as exc:
            raise CommandError(f"people: {exc}", returncode=2) from exc

    def _add(self, name: str, role: str, email: str) -> None:
        user = add_account(name, role, self._password(), email=email)
        self.stdout.write(f"Added {user.username} ({role})")

    def _password(self) -> str:
        """One line of standard input when that is not a terminal (a script, a password
        manager's pipe), else typed twice without being shown."""
        stream = self.stdin
        if stream is None or not stream.isatty():
            line = stream.readline() if stream is not None else ""
            if not line:
                raise CommandError(
                    "people: no password on standard input (give it as one line)", returncode=2
                )
            return line.rstrip("\r\n")
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except EOFError as exc:
            raise CommandError("people: no password given", returncode=2) from exc
        if first != second:
            raise CommandError("people: the two passwords differ; nothing added", returncode=2)
        return first

    def _list(self, as_json: bool) -> None:
        states = account_states()
        if any(s.locked is None for s in states):
            self.stderr.write(
                "people: warning: the count of failed sign-ins cannot be reached; "
                "whether accounts are locked is unknown"
            )
        if as_json:
            rows = [_row(s) for s in states]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not states:
            self.stdout.write("No accounts yet: `clipdesk people add NAME --role admin` adds one.")
            return
        table = [("name", "role", "active", "last sign-in", "locked")]
        table += [
            (
                s.name,
                s.role or "none",
                "yes" if s.active else "no",
                _when(s) or "never",
                {True: "yes", False: "no", None: "unknown"}[s.locked],
            )
            for s in states
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())

    def _set_active(self, name: str, active: bool) -> None:
        user, changed, ended = set_active(name, active)
        if not changed:
            state = "active" if active else "disabled"
            self.stdout.write(f"{user.username} is {state} already")
        elif active:
            self.stdout.write(f"Enabled {user.username}: it may sign in again")
        else:
            self.stdout.write(
                f"Disabled {user.username}: it can no longer sign in; {ended} session(s) ended"
            )


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def _when(state: AccountState) -> str | None:
    if state.last_sign_in is None:
        return None
    return timezone.localtime(state.last_sign_in).isoformat(timespec="seconds")


def _row(state: AccountState) -> dict:
    return {
        "name": state.name,
        "email": state.email,
        "role": state.role,
        "active": state.active,
        "last_sign_in": _when(state),
        "locked": state.locked,
    }
