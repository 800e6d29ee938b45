"""Showing a snapshot as it was fetched, sanitised: evidence for editors, not for readers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clipdesk.articles.models import Snapshot
from clipdesk.articles.sanitizing import sanitize_html
from clipdesk.articles.snapshots import SnapshotUnreadable, read_snapshot
from clipdesk.people.roles import desk_required


def _charset(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
    return "utf-8"


@desk_required
def snapshot_view(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(Snapshot, pk=pk)
    try:
        content = read_snapshot(
            settings.CLIPDESK_HOME, snapshot.warc_file, snapshot.warc_offset, snapshot.warc_length
        )
    except SnapshotUnreadable as exc:
        # The day's WARC file moved, deleted or damaged: say so, rather than a server error.
        context = {"snapshot": snapshot, "problem": str(exc)}
        return render(request, "articles/snapshot_missing.html", context, status=404)
    try:
        html = content.body.decode(_charset(content.headers), errors="replace")
    except (LookupError, UnicodeError):  # a label that is no text encoding ("base64", "idna")
        html = content.body.decode("utf-8", errors="replace")
    context = {"snapshot": snapshot, "content": content, "html": sanitize_html(html)}
    return render(request, "articles/snapshot.html", context)
