"""Accounts and their roles, as an operator manages them from the command line.

Each change is written to the audit trail with no account as its author (the operator signs
in to the machine, not to the site). An instance is never left without an active admin: the
last one is neither demoted nor disabled.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from clipdesk.people import throttle
from clipdesk.people.models import AuditEntry, record
from clipdesk.people.roles import ADMIN, EDITOR, READER, ensure_roles, role_of

ROLES = (ADMIN, EDITOR, READER)
BY_COMMAND = "clipdesk people"  # the audit entry's "by": no account did it


class AccountError(Exception):
    """A change refused, in words for the operator."""


@dataclass(frozen=True)
class AccountState:
    name: str
    email: str
    role: str | None
    active: bool
    last_sign_in: datetime | None
    locked: bool | None  # None: the failed sign-in count could not be read


def add_account(name: str, role: str, password: str, email: str = "") -> User:
    """A new account with `role`. A name that signs in as an existing one (the same but for
    case or Unicode form: "Eddie", "ｅｄｄｉｅ") is refused: the two would share one count of
    failed sign-ins, and an editor could not tell them apart in the audit trail."""
    name = unicodedata.normalize("NFKC", name).strip()  # as the sign-in form reads it
    _check_role(role)
    if not name:
        raise AccountError("an account needs a name")
    if not password:
        raise AccountError("an account needs a password")
    _check_field(User, "username", name, "name")
    if existing := _same_sign_in(name):
        if existing.username == name:
            raise AccountError(f"there is already an account named {name!r}")
        raise AccountError(
            f"{name!r} signs in as the existing account {existing.username!r} "
            "(names differing only in case or Unicode form are one name)"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise AccountError(f"{email!r} is not an e-mail address") from exc
    candidate = User(username=name, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise AccountError("password refused: " + " ".join(exc.messages)) from exc
    ensure_roles()
    try:
        with transaction.atomic():
            user = User.objects.create_user(name, email=email, password=password)
            _give_role(user, role)
            record(None, AuditEntry.Action.ADD_ACCOUNT, user, name=name, role=role, by=BY_COMMAND)
    except IntegrityError as exc:  # added meanwhile by another command
        raise AccountError(f"there is already an account named {name!r}") from exc
    return user


def find_account(name: str) -> User:
    """The account of that name; else the one it signs in as (case and Unicode form set
    aside), so that `people unlock Eddie` finds "eddie"."""
    if user := User.objects.filter(username=name).first():
        return user
    if user := _same_sign_in(name):
        return user
    raise AccountError(f"there is no account named {name!r} (`clipdesk people list` lists them)")


def account_states() -> list[AccountState]:
    users = list(User.objects.order_by("username").prefetch_related("groups"))
    try:
        locked_now: set[str] | None = set(throttle.locked_accounts([u.username for u in users]))
    except throttle.CounterUnavailable:
        locked_now = None
    states = []
    for user in users:
        locked = None if locked_now is None else user.username in locked_now
        states.append(
            AccountState(
                name=user.username,
                email=user.email,
                role=role_of(user),
                active=user.is_active,
                last_sign_in=user.last_login,
                locked=locked,
            )
        )
    return states


def change_role(name: str, role: str) -> tuple[User, str | None]:
    """Give the account `role`; returns it with the role it had."""
    _check_role(role)
    ensure_roles()
    with transaction.atomic():
        user = _held(find_account(name))
        before = role_of(user)
        if before == role:
            return user, before
        if before == ADMIN and user.is_active and not _other_active_admins(user):
            raise AccountError(
                f"{user.username!r} is the last active admin: make another account admin first"
            )
        _give_role(user, role)
        record(
            None,
            AuditEntry.Action.SET_ROLE,
            user,
            name=user.username,
            role=role,
            was=before,
            by=BY_COMMAND,
        )
    return user, before


def unlock(name: str) -> tuple[User, bool]:
    """Forget the account's failed sign-ins; returns it with whether it was locked."""
    user = find_account(name)
    try:
        was_locked = throttle.account_is_locked(user.username)
        throttle.clear_account(user.username)
    except throttle.CounterUnavailable as exc:
        raise AccountError(f"the count of failed sign-ins cannot be reached ({exc})") from exc
    record(
        None,
        AuditEntry.Action.UNLOCK,
        user,
        name=user.username,
        was_locked=was_locked,
        by=BY_COMMAND,
    )
    return user, was_locked


def set_active(name: str, active: bool) -> tuple[User, bool, int]:
    """Let the account sign in again, or stop it (its open sessions end). Returns it with
    whether anything changed and how many sessions were ended."""
    with transaction.atomic():
        user = _held(find_account(name))
        if user.is_active == active:
            return user, False, 0
        if not active and role_of(user) == ADMIN and not _other_active_admins(user):
            raise AccountError(
                f"{user.username!r} is the last active admin: make another account admin first"
            )
        user.is_active = active
        user.save(update_fields=["is_active"])
        ended = 0 if active else end_sessions(user)
        action = AuditEntry.Action.ENABLE if active else AuditEntry.Action.DISABLE
        record(None, action, user, name=user.username, by=BY_COMMAND)
    return user, True, ended


def end_sessions(user: User) -> int:
    """Delete the account's stored sessions. Django already answers a disabled account's
    session as nobody's; deleted, it does not come back to life when the account is enabled
    again. Sessions kept elsewhere than the database (a signed cookie) cannot be reached."""
    if settings.SESSION_ENGINE not in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }:
        return 0
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            SessionStore(session.session_key).delete()  # the cached copy too, where there is one
            ended += 1
    return ended


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"{role!r} is not a role: {', '.join(ROLES)}")


def _check_field(model, field: str, value: str, called: str) -> None:
    try:
        model._meta.get_field(field).clean(value, None)
    except ValidationError as exc:
        raise AccountError(f"{called} {value!r} refused: " + " ".join(exc.messages)) from exc


def _same_sign_in(name: str) -> User | None:
    """The account that `name` signs in to as failed sign-ins are counted (throttle's
    account_key): the same name in another case or Unicode form."""
    key = throttle.account_key(name)
    for pk, username in User.objects.values_list("pk", "username"):
        if throttle.account_key(username) == key:
            return User.objects.get(pk=pk)
    return None


def _give_role(user: User, role: str) -> None:
    """One role group; admins are superusers, and admins and editors are staff (editors edit
    posts in the Django admin, which admits staff only)."""
    user.is_superuser = role == ADMIN
    user.is_staff = role in (ADMIN, EDITOR)
    user.save(update_fields=["is_superuser", "is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))


def _active_admins():
    return User.objects.filter(Q(is_superuser=True) | Q(groups__name=ADMIN), is_active=True)


def _other_active_admins(user: User) -> bool:
    return _active_admins().exclude(pk=user.pk).exists()


def _held(user: User) -> User:
    """The account, read again with the active admins' rows held for the transaction: two
    operators demoting the last two admins at once must not each see the other still there."""
    admins = _active_admins().values("pk")
    list(User.objects.select_for_update().filter(Q(pk=user.pk) | Q(pk__in=admins)))
    return User.objects.get(pk=user.pk)
