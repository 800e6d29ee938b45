"""Canonical addresses stored before a visitor's session was dropped from them lose it.

Such an article keeps `.../pier.html%3Bjsessionid=...` (the canonical form percent-encoded the
path parameter), `?PHPSESSID=...`, a phpBB `sid` or vBulletin `s` token, or an ASP.NET
cookieless segment (`/%28S%28...%29%29/`), and the page listed again is looked for without
it: not found, it was fetched and stored once more. Each such address is rewritten to the
address without the session, unless another article has that address already
(`canonical_url` is unique): that one is left as it is, and so is the second of two stored
spellings of one page. `url` (the address as fetched) is not touched. Going back is a no-op.

The rules below are a frozen copy, as they were when this migration was written: a
migration must give the same result whenever it runs, so it does not import
clipdesk.articles.canonical, whose rules go on changing.
"""

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from django.db import migrations
from django.db.models import Q

SESSION_NAMES = {"jsessionid", "phpsessid", "sessid", "sessionid", "session_id"}
TOKEN_NAMES = {"sid", "s"}
HEX_TOKEN = re.compile(r"[0-9a-f]{32}(?:[0-9a-f]{8})?", re.IGNORECASE)
COOKIELESS = re.compile(r"\((?:[A-Za-z]\([^()/]*\))+\)")
PATH_PARAMETER = re.compile(r";|%3b", re.IGNORECASE)
# Candidates, so that the table is not read whole: each address that can carry a session
# holds one of these (case-insensitively); the rules above decide.
HINTS = ["session", "sessid", "sid=", "s=", "%28", "("]


def _is_session(parameter: str) -> bool:
    name, _, value = parameter.partition("=")
    name = unquote(name).strip().lower()
    if name in SESSION_NAMES:
        return True
    return name in TOKEN_NAMES and bool(HEX_TOKEN.fullmatch(unquote(value).strip()))


def _segment_without_session(segment: str) -> str:
    """A path segment without its session path parameters (`;` or `%3B` before each)."""
    pieces = PATH_PARAMETER.split(segment)
    if len(pieces) == 1:
        return segment
    separators = PATH_PARAMETER.findall(segment)
    kept = pieces[0]
    for separator, parameter in zip(separators, pieces[1:], strict=True):
        if not _is_session(parameter):
            kept += separator + parameter
    return kept


def address_without_session(url: str) -> str:
    """`url` without a session's parameters and cookieless segment; the rest as spelled."""
    parts = urlsplit(url)
    segments = [
        _segment_without_session(segment)
        for segment in parts.path.split("/")
        if not COOKIELESS.fullmatch(unquote(segment))
    ]
    path = "/".join(segments)
    if parts.path.startswith("/") and not path.startswith("/"):
        path = "/" + path
    query = "&".join(p for p in parts.query.split("&") if not _is_session(p))
    if path == parts.path and query == parts.query:
        return url
    return urlunsplit(parts._replace(path=path, query=query))


def drop_sessions(apps, schema_editor) -> None:
    """Rewrite each canonical address that carries a session, oldest article first, where
    the address without it is no other article's."""
    Article = apps.get_model("articles", "Article")
    hints = Q()
    for hint in HINTS:
        hints |= Q(canonical_url__icontains=hint)
    candidates = Article.objects.filter(hints).order_by("pk").values_list("pk", "canonical_url")
    # Read before any is written: SQLite does not isolate a read in progress from writes to
    # the same table on its connection.
    rewrites = [
        (pk, bare)
        for pk, address in candidates
        if (bare := address_without_session(address)) != address  # most hints are no session
    ]
    for pk, bare in rewrites:
        if not Article.objects.filter(canonical_url=bare).exists():
            Article.objects.filter(pk=pk).update(canonical_url=bare)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_entry_addresses_pending_index"),
    ]

    operations = [
        migrations.RunPython(drop_sessions, migrations.RunPython.noop, elidable=True),
    ]
