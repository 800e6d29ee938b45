"""Rendering public pages in-process, and the static copy's addresses.

A page is rendered by the site's own view, found through the real URLconf, for a request we
make ourselves — so the static copy is the live site, not a second set of templates. Then the
addresses in it are rewritten for a folder served by a plain static server at the base URL:

    /post/x/                    -> {base}post/x/            (file post/x/index.html)
    /tag/x/?page=2, ?page=2     -> {base}tag/x/page/2/      (file tag/x/page/2/index.html)
    /feed/, /feed/atom/         -> {base}feed.xml, {base}atom.xml
    /post/old-slug/ (a 301)     -> a page that sends the reader on to the post's address
    /sitemap.xml                -> {base}sitemap.xml        (the index of the sections)
    /sitemap-posts.xml?p=2      -> {base}sitemap-posts-2.xml
    http://<export host>/...    -> the same, absolute, in feeds, the sitemap and robots.txt

Feeds become files ending in .xml because a static server picks the content type from the
extension and serves a folder's index.html only: /feed/index.xml would not be found.
"""

from __future__ import annotations

import html
import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, unquote_to_bytes, urlencode, urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver, get_script_prefix, reverse, set_script_prefix

from clipdesk.digest.sitemaps import SITEMAPS
from clipdesk.publish.caching import bypass_page_cache

if TYPE_CHECKING:
    from clipdesk.publish.preloaded import PreloadedArchive

# The host our own requests name; absolute URLs made with it are rewritten to the base URL.
EXPORT_HOST = "clipdesk-export.invalid"
EXPORT_ORIGIN = f"http://{EXPORT_HOST}"
SEARCH_NOTE = "/search/"

# No \b before the name: it makes the scan three times slower, and the only extra matches
# are attributes such as data-href, whose addresses want rewriting as much.
_ATTR = re.compile(r'(?P<attr>(?:href|src|action)=")(?P<url>[^"]*)"')
_ABSOLUTE = re.compile(re.escape(EXPORT_ORIGIN) + r'(?P<path>/[^"<>\s]*)')
# Atom entry ids, tag: URIs (RFC 4151) that Django makes of the request's host.
_TAG_ID = re.compile(r"tag:" + re.escape(EXPORT_HOST) + r",(?P<day>[\d-]+):(?P<path>/[^<\s]*)")


class ExportError(RuntimeError):
    """A page of the static copy could not be made; the message names the page."""


@contextmanager
def site_root() -> Iterator[None]:
    """Make reverse() answer from the site's root, whatever prefix this thread serves under."""
    previous = get_script_prefix()
    if previous == "/":  # nested, or a command: nothing to change (an export asks per page)
        yield
        return
    set_script_prefix("/")
    try:
        yield
    finally:
        set_script_prefix(previous)


class _ExportRequest(WSGIRequest):
    """A request the exporter makes: its host is ours, so ALLOWED_HOSTS is not consulted.

    ALLOWED_HOSTS guards against forged Host headers from clients; this request has no
    client. Overriding settings instead would change them for every thread of a server.
    """

    def get_host(self) -> str:
        return EXPORT_HOST


def _export_request(path: str, query: dict[str, str] | None = None) -> WSGIRequest:
    """A GET request for `path` (site-absolute, percent-encoded), as a WSGI server hands one
    to Django (PEP 3333).

    django.test's RequestFactory makes the same environ; it is made here because that package
    is test tooling, and importing it added 55 ms to the start of every export.
    """
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("iso-8859-1"),  # WSGI's native strings
        "QUERY_STRING": urlencode(query or {}),
        "SERVER_NAME": EXPORT_HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multiprocess": True,
        "wsgi.multithread": False,
        "wsgi.run_once": False,
    }
    return _ExportRequest(environ)


@dataclass
class Addresses:
    """Where each page of the site goes in the static copy, and how links reach it."""

    base_url: str  # absolute, ends with "/"
    specials: dict[str, str] = field(init=False)
    sitemap_sections: dict[str, str] = field(init=False)  # path -> file name without ".xml"
    _rewritten: dict[str, str] = field(init=False, default_factory=dict, repr=False)
    _rewritten_attrs: dict[str, str] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        with site_root():
            self.specials = {
                reverse("digest:feed_rss"): "feed.xml",
                reverse("digest:feed_atom"): "atom.xml",
                reverse("sitemap"): "sitemap.xml",
                reverse("robots_txt"): "robots.txt",
            }
            self.sitemap_sections = {
                reverse("sitemap_section", kwargs={"section": name}): f"sitemap-{name}"
                for name in SITEMAPS
            }

    def number_param(self, path: str) -> str:
        """The query parameter that numbers a page of `path`: `p` for sitemaps (Django's)."""
        return "p" if path in self.sitemap_sections else "page"

    def _special(self, path: str, page: int | None) -> str | None:
        section = self.sitemap_sections.get(path)
        if section:
            return f"{section}.xml" if page in (None, 1) else f"{section}-{page}.xml"
        return self.specials.get(path)

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def file_for(self, path: str, page: int | None = None) -> str:
        """The file (relative to the copy's root) that holds page `page` of `path`.

        Page None is the path itself (a list's newest posts); numbered pages count from
        the oldest post and live in page/N/ below it.
        """
        special = self._special(path, page)
        if special:
            return special
        parts = [p for p in unquote(path).split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise ExportError(f"export: refusing the path {path!r}")
        if page is not None:
            parts += ["page", str(page)]
        return "/".join([*parts, "index.html"])

    def href_for(self, path: str, page: int | None = None) -> str:
        """The address of page `page` of `path` in the copy, from the base URL's root."""
        special = self._special(path, page)
        if special:
            return self.base_path + special
        suffix = f"page/{page}/" if page is not None else ""
        return self.base_path + path.lstrip("/") + suffix

    def rewrite_url(self, url: str, current_path: str) -> str:
        # A site-absolute address rewrites the same from every page: each once per export.
        if url.startswith("/") and not url.startswith("//"):
            found = self._rewritten.get(url)
            if found is None:
                found = self._rewritten[url] = self._rewrite_url(url, current_path)
            return found
        return self._rewrite_url(url, current_path)

    def _rewrite_url(self, url: str, current_path: str) -> str:
        if url.startswith("?"):
            return self.href_for(current_path, _page_of(url[1:], "page"))
        if url.startswith(EXPORT_ORIGIN + "/"):
            return self.origin + self.rewrite_url(url[len(EXPORT_ORIGIN) :], current_path)
        if not url.startswith("/") or url.startswith("//"):
            return url  # another site, a fragment, mailto:
        parts = urlsplit(url)
        static = "/" + settings.STATIC_URL.lstrip("/")
        if parts.path.startswith(static):
            new = self.base_path + "static/" + parts.path[len(static) :]
        else:
            new = self.href_for(parts.path, _page_of(parts.query, self.number_param(parts.path)))
        return new + (f"#{parts.fragment}" if parts.fragment else "")

    def rewrite_html(self, text: str, current_path: str) -> str:
        memo = self._rewritten_attrs

        def swap(match: re.Match) -> str:
            whole = match[0]
            found = memo.get(whole)
            if found is not None:
                return found
            url = html.unescape(match["url"])
            new = self.rewrite_url(url, current_path)
            found = whole if new == url else f'{match["attr"]}{html.escape(new, quote=True)}"'
            if url.startswith("/") and not url.startswith("//"):
                memo[whole] = found  # the same from every page (see rewrite_url)
            return found

        return _ATTR.sub(swap, text)

    def rewrite_absolute(self, text: str, xml: bool = False) -> str:
        """Feeds, sitemap, robots.txt: absolute URLs on the export host, to the base URL; and
        Atom ids to the base URL's host (every exported site's ids named the export host).

        In `xml` the addresses found are escaped text, and the new ones are escaped in turn:
        a base URL may hold "&" (RFC 3986 allows it in a path), which XML does not take raw.
        """
        if xml:
            unescape, escape = html.unescape, html.escape  # quotes too: Atom links are attributes
        else:
            unescape = escape = _same

        def absolute(match: re.Match) -> str:
            return escape(self.origin + self.rewrite_url(unescape(match["path"]), "/"))

        text = _ABSOLUTE.sub(absolute, text)
        if "tag:" not in text:
            return text
        parts = urlsplit(self.base_url)
        prefix = parts.path.rstrip("/")

        def tag_id(match: re.Match) -> str:
            path = unescape(match["path"])
            return escape(f"tag:{parts.hostname},{match['day']}:{prefix}{path}")

        return _TAG_ID.sub(tag_id, text)


def _same(text: str) -> str:
    return text


def _page_of(query: str, param: str) -> int | None:
    """The page number a query string asks for; None when it names none (or nonsense)."""
    value = parse_qs(query).get(param, [""])[0]
    return int(value) if value.isascii() and value.isdigit() else None


class Renderer:
    """Renders pages of the site through its URLconf and views, for the static copy.

    With `preloaded` (a full export), post and list pages come from the archive read into
    memory, through the same templates (publish/preloaded.py); every other page from its view.
    """

    def __init__(self, addresses: Addresses, preloaded: PreloadedArchive | None = None) -> None:
        self.addresses = addresses
        self.preloaded = preloaded
        self.resolver = get_resolver()

    def _response(self, path: str, page: int | None) -> HttpResponse:
        query = {} if page is None else {self.addresses.number_param(path): str(page)}
        request = _export_request(path, query)
        try:
            match = self.resolver.resolve(path)
        except Resolver404 as exc:
            raise Http404(path) from exc
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response

    def render(self, path: str, page: int | None = None) -> bytes | None:
        """The page's bytes as the copy holds them; None when the site answers 404.

        A 404 here means the page went away after the export took its snapshot (a post
        unpublished meanwhile); the next export settles it. Any other status is an error.
        """
        if self.preloaded is not None:
            with site_root():
                text = self.preloaded.render(path, page)
            if text is not None:
                return text.encode()  # made with the copy's addresses already
        try:
            with site_root(), bypass_page_cache():
                response = self._response(path, page)
        except Http404:
            return None
        if response.status_code == 404:
            return None
        location = response.get("Location", "")
        if response.status_code in (301, 308) and location.startswith("/"):
            return self._moved(path, location)
        if response.status_code != 200:
            raise ExportError(f"export: {path} page {page} answered {response.status_code}")
        return self._rewrite(path, response)

    def _rewrite(self, path: str, response: HttpResponse) -> bytes:
        charset = response.charset or "utf-8"
        text = response.content.decode(charset)
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type == "text/html":
            text = self.addresses.rewrite_html(text, path)
        else:
            xml = content_type.endswith(("/xml", "+xml"))  # feeds and sitemaps; not robots.txt
            text = self.addresses.rewrite_absolute(text, xml=xml)
        return text.encode(charset)

    def _moved(self, path: str, location: str) -> bytes:
        """A page at an address the site answers with a permanent redirect (a post's old
        slug): a static host cannot redirect, so the page sends the reader on itself, and
        names the new address as canonical for search engines."""
        target = self.addresses.origin + self.addresses.rewrite_url(location, path)
        request = _export_request(path)
        with site_root():
            text = render_to_string("publish/moved.html", {"target": target}, request=request)
        return self.addresses.rewrite_html(text, path).encode()

    def render_not_found(self) -> bytes:
        """404.html: the site's own page-not-found, which static hosts serve for misses."""
        request = _export_request("/404.html")
        with site_root():
            handler = self.resolver.resolve_error_handler(404)
            response = handler(request, Http404("not in the static copy"))
        return self._rewrite("/", response)

    def render_search_note(self) -> bytes:
        """search/index.html: the static copy has no server to search with; say so."""
        request = _export_request(SEARCH_NOTE)
        with site_root():
            text = render_to_string("publish/search_unavailable.html", request=request)
        return self.addresses.rewrite_html(text, SEARCH_NOTE).encode()
