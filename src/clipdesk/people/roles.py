"""Roles are Django groups: admin, editor, reader. Superusers count as admins.

reader  may sign in and read the desk's public parts, never change anything;
editor  works the desk: publish, dismiss, snooze, merge, split; edits posts in the admin;
admin   everything, including sources, watchlists and people.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

ADMIN, EDITOR, READER = "admin", "editor", "reader"
DESK_ROLES = {ADMIN, EDITOR}

# What an editor may do in the Django admin, beyond the desk.
EDITOR_PERMISSIONS = [
    ("digest", "post", ("add", "change", "view")),
    # Earlier versions, to restore one (the post's page lists them when they can be seen).
    ("digest", "postversion", ("view",)),
    ("digest", "credit", ("add", "change", "delete", "view")),
    ("digest", "outlet", ("add", "change", "view")),
    ("digest", "tag", ("add", "change", "view")),
    ("articles", "article", ("view",)),
    ("articles", "snapshot", ("view",)),
]


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    names = {group.name for group in user.groups.all()}  # prefetched, where a list asks
    for role in (ADMIN, EDITOR, READER):
        if role in names:
            return role
    return None


def can_use_desk(user) -> bool:
    return role_of(user) in DESK_ROLES


def desk_required(view):
    """Editors and admins only (the desk, and the snapshots its quotes are checked against):
    others are sent to sign in, or told they may not."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_use_desk(request.user):
            held = "a reader's" if role_of(request.user) == READER else "given no role"
            return HttpResponseForbidden(f"The desk is for editors; this account is {held}.")
        return view(request, *args, **kwargs)

    wrapped.desk_only = True  # read by sign-in, so as not to send a reader on to a 403
    return wrapped


def is_desk_only(address: str) -> bool:
    """Whether `address` (a path, or a whole address on this site) is a page only the desk's
    roles may open."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(address).path)
    except Resolver404:
        return False
    return getattr(match.func, "desk_only", False)


def ensure_roles() -> None:
    """Create the three groups and give editors their admin permissions. Safe to repeat."""
    for name in (ADMIN, EDITOR, READER):
        Group.objects.get_or_create(name=name)
    editor = Group.objects.get(name=EDITOR)
    wanted = []
    for app, model, actions in EDITOR_PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        wanted += list(
            Permission.objects.filter(content_type__app_label=app, codename__in=codenames)
        )
    editor.permissions.add(*wanted)
    admin = Group.objects.get(name=ADMIN)
    admin.permissions.set(Permission.objects.all())


@receiver(post_migrate)
def _roles_after_migrate(sender, **kwargs) -> None:
    if sender.name == "clipdesk.people":
        ensure_roles()
