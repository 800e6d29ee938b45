"""Showing a snapshot as it was fetched, sanitised: evidence for editors, not for readers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from lxml import etree

from clipdesk.articles.models import Snapshot
from clipdesk.articles.sanitizing import sanitize_html, usable_base
from clipdesk.articles.snapshots import SnapshotUnreadable, read_snapshot
from clipdesk.charsets import binary_kind, decode_page
from clipdesk.people.roles import desk_required
from clipdesk.storable import resolved_url


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
    if what := binary_kind(html):
        # A PDF or an image a feed linked to: its bytes, shown as a page, were a screenful
        # of symbols. Said in words, as extraction says it when it refuses such a response.
        context = {
            "snapshot": snapshot,
            "content": content,
            "what": what,
            "content_type": content_type or "no content type",
            "size": size_in_words(len(content.body)),
        }
        return render(request, "articles/snapshot_not_a_page.html", context)
    tree = parsed_page(html)
    base = page_base_url(tree, content.url or snapshot.url)
    context = {
        "snapshot": snapshot,
        "content": content,
        "html": sanitize_html(html, base),
        **page_writing(tree),
    }
    return render(request, "articles/snapshot.html", context)


def size_in_words(size: int) -> str:
    """`2,080 bytes (2.0 KB)`: exact, and readable at a glance when it is large."""
    exact = f"{size:,} bytes"
    return exact if size < 1024 else f"{exact} ({filesizeformat(size)})"


def parsed_page(html: str) -> lxml.html.HtmlElement | None:
    """The page's tree, read once for what the sanitised copy cannot keep; None if unreadable."""
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


# A language tag as BCP 47 spells one ("fa", "pt-BR", "zh-Hant-TW"), nothing else.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


def page_writing(tree: lxml.html.HtmlElement | None) -> dict[str, str]:
    """The language and direction the page declared on its `<html>` (or `<body>`), which its
    sanitised copy drops: without them a Persian page was laid out left to right. A page that
    declares no direction is left to its text (`auto`)."""
    declared: dict[str, str] = {}
    for element in () if tree is None else (tree, tree.find("body")):
        if element is None:
            continue
        for name in ("lang", "dir"):
            value = (element.get(name) or "").strip()
            if value and name not in declared:
                declared[name] = value.lower() if name == "dir" else value
    lang = declared.get("lang", "")
    direction = declared.get("dir", "")
    return {
        "page_lang": lang if LANGUAGE_TAG.fullmatch(lang) else "",
        "page_dir": direction if direction in ("ltr", "rtl") else "auto",
    }


def page_base_url(tree: lxml.html.HtmlElement | None, url: str) -> str:
    """What the page's relative links were relative to: its first `<base href>` (resolved
    against its address, as browsers do) when that is a web address, else the address."""
    if tree is None:
        return url
    base = next((el.get("href") for el in tree.iter("base") if el.get("href") is not None), None)
    resolved = resolved_url(url, base.strip()) if base is not None else None
    if resolved and urlsplit(resolved).scheme in ("http", "https") and usable_base(resolved):
        return resolved
    return url
