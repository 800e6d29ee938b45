"""Showing a snapshot as it was fetched, sanitised: evidence for editors, not for readers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clipdesk.articles.models import Snapshot
from clipdesk.articles.sanitizing import sanitize_html
from clipdesk.articles.snapshots import SnapshotUnreadable, read_snapshot
from clipdesk.charsets import decode_page
from clipdesk.people.roles import desk_required


@desk_required
def snapshot_view(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(Snapshot, pk=pk)
    try:
        content = read_snapshot(
            settings.CLIPDESK_HOME,
            snapshot.warc_file,
            snapshot.warc_offset,
            snapshot.warc_length,
            snapshot.payload_sha256,
        )
    except SnapshotUnreadable as exc:
        # The day's WARC file moved, deleted or damaged: say so, rather than a server error.
        context = {"snapshot": snapshot, "problem": str(exc)}
        return render(request, "articles/snapshot_missing.html", context, status=404)
    # Read as extraction read it: the header's charset, else the page's own meta charset
    # (a Shift_JIS page that said so only in its meta was shown as mojibake).
    content_type = next((v for n, v in content.headers if n.lower() == "content-type"), None)
    html = decode_page(content.body, content_type)
    context = {"snapshot": snapshot, "content": content, "html": sanitize_html(html)}
    return render(request, "articles/snapshot.html", context)
