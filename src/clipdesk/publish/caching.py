"""The public pages' cache, and the one "content version" that invalidates all of it.

Every public page is stored under a key that contains the site-wide content version. Any change
to what public pages show — a Post, Credit, Outlet, Tag or the SiteProfile saved or deleted, a
post's tags changed — moves the version on once the transaction commits, so the next request
misses and renders afresh. Entries of earlier versions are never read again and age out
(PAGE_TTL); no code has to know which pages show a given post, so none can forget one.

Where the version lives: in the cache when the cache is shared by every process (Redis,
CLIPDESK_CACHE_URL). With the default process-local cache each gunicorn worker has its own
memory, so a version bumped in one worker would never reach the others; the version is then a
small file in the instance home, which every worker reads (a few microseconds).

Responses carry an ETag (a hash of the content, computed once when the page is stored) and a
Last-Modified (the time of the content version the page was rendered in), and conditional
requests are answered with 304. Editors (a logged-in session) and a connection holding
uncommitted digest changes bypass the cache entirely: they must see their own writes, and
what they render may never commit.

When the shared cache does not answer (Redis restarting, or the network to it down), public
pages are rendered afresh, uncached, instead of answered 500 (`CacheOutage`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cachetools import LRUCache
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from clipdesk.publish.redis_cache import unreachable_errors

log = logging.getLogger(__name__)

VERSION_KEY = "publish:content-version"
VERSION_FILE = "content-version"
# Long enough that a busy page renders about once an hour at most between edits; short enough
# that pages of superseded versions do not pile up in Redis after a day of editing.
PAGE_TTL = 60 * 60
# Query parameters that select different content; any other one is ignored by the views, so
# it must not make a new cache entry either (or /?x=1, /?x=2, ... would fill the cache).
KEY_PARAMS = ("page", "p")
# Headers of the view's response worth keeping; middleware adds the rest on every request.
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag")

_bypass: contextvars.ContextVar[bool] = contextvars.ContextVar("publish_bypass", default=False)


# --- the content version ------------------------------------------------------------------


def _new_version() -> str:
    """Nanoseconds since the epoch (for Last-Modified) and a random part (for uniqueness)."""
    return f"{time.time_ns()}.{secrets.token_hex(4)}"


def _uses_version_file() -> bool:
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)


def _version_path() -> Path:
    return Path(settings.CLIPDESK_HOME) / VERSION_FILE


def _read_version_file() -> str:
    # Read on every request: plain os calls, no Path objects (they cost more than the read).
    with open(os.path.join(settings.CLIPDESK_HOME, VERSION_FILE)) as handle:
        return handle.read()


def _write_version_file(value: str) -> None:
    path = _version_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{VERSION_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    temporary.write_text(value)
    os.replace(temporary, path)  # readers see the old version or the new one, never a blank


def content_version() -> str:
    """The current content version; made on first use."""
    if _uses_version_file():
        try:
            return _read_version_file() or bump_content_version()
        except FileNotFoundError:
            return bump_content_version()
    watched = cache.watched(VERSION_KEY) if hasattr(cache, "watched") else None
    if watched is not None:
        kept, generation = watched.kept()
        if kept is not None:
            return kept  # unchanged since this process read it: Redis would have said
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        value = cache.get(VERSION_KEY)
    if watched is not None and value is not None:
        watched.keep(value, generation)
    return value or _new_version()  # a dummy cache keeps nothing, and caches nothing either


def bump_content_version() -> str:
    """Move the content version on: one cache (or file) write, nothing rendered here.

    Call it after any write the signals below do not see (QuerySet.update, bulk_create).
    """
    value = _new_version()
    if _uses_version_file():
        _write_version_file(value)
    else:
        cache.set(VERSION_KEY, value, timeout=None)
        watched = cache.watched(VERSION_KEY) if hasattr(cache, "watched") else None
        if watched is not None:
            watched.forget()  # before Redis's message comes back
    return value


def version_time(version: str) -> float:
    """Seconds since the epoch at which `version` was made."""
    try:
        return int(version.split(".", 1)[0]) / 1e9
    except ValueError:
        return time.time()


def _bump_after_commit() -> None:
    # The static copy shows the same content: it is brought up to date too (when
    # CLIPDESK_STATIC_TARGET is set), whatever changed it: the desk, the admin's form, a
    # deletion, a restored version (only the desk and the admin's list actions used to).
    from clipdesk.publish.hooks import refresh_static_copy_now

    refresh_static_copy_now()
    # The change has committed: a cache that does not answer must not turn it into an error
    # for the editor who made it. The outage moves the version on once the cache is back.
    try:
        bump_content_version()
    except unreachable_errors() as exc:
        outage.failed(exc)
        log.error("publish: a change could not move the content version on (%s)", exc)


def _pending(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this connection holds uncommitted digest changes (a bump is waiting for commit)."""
    # run_on_commit is Django's list of (savepoint ids, callback, robust) waiting for COMMIT;
    # it is emptied on rollback, so a flag kept here could go stale but this cannot.
    waiting = connections[using].run_on_commit
    return any(entry[1] is _bump_after_commit for entry in waiting)


def content_changed(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Signal receiver: bump the content version when the change commits.

    Not work in a signal: it schedules one cache write, at most once per transaction. Bumping
    at commit rather than at save matters: a page rendered by another connection between the
    save and the commit shows the old data, and would otherwise be stored under the new version.
    """
    if kwargs.get("created") and sender is _outlet_model():
        # A new outlet is credited by no post yet: no page shows it (its own page and its
        # sitemap entry come with its first post, whose save is a change). A poll makes one
        # for most articles from a site not seen before, and each made every process render
        # its pages again (and asked for a static export).
        return
    if not _pending(using):
        transaction.on_commit(_bump_after_commit, using=using)


def _outlet_model():
    from clipdesk.digest.models import Outlet

    return Outlet


def connect_receivers() -> None:
    """Listen to every model a public page shows (called from PublishConfig.ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from clipdesk.digest.models import Credit, Outlet, Post, SiteProfile, Tag

    for model in (Post, Credit, Outlet, Tag, SiteProfile):
        uid = f"publish-content-{model._meta.label_lower}"
        post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(content_changed, sender=Post.tags.through, dispatch_uid="publish-tags")


# --- when the shared cache does not answer --------------------------------------------------

# After a failed call, a process serves pages uncached this long before asking the cache again,
# so that requests do not each wait on a server that is down.
RETRY_AFTER_SECONDS = 5.0


class CacheOutage:
    """This process's record of the shared cache failing, and what to do when it is back.

    While the cache fails, public pages are rendered for each request, uncached: slower, but
    the site stays up through a Redis restart. Within RETRY_AFTER_SECONDS of a failure the
    cache is not asked at all. When it answers again, the content version is moved on before
    any cached page is served: a change made meanwhile (by this process or another, whose
    own version bump failed) must not be answered by a page stored before it.

    Written here rather than taken from a circuit-breaker library: it is a time and a flag,
    and the step on recovery (moving the version on) is this cache's own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._retry_at = 0.0

    @property
    def active(self) -> bool:
        """Whether a failure has been recorded and the cache has not answered since."""
        return self._failed_at is not None

    def waiting(self) -> bool:
        """Whether to leave the cache alone for now (a failure within the retry time)."""
        return self._failed_at is not None and time.monotonic() < self._retry_at

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            first = self._failed_at is None
            now = time.monotonic()
            if first:
                self._failed_at = now
            self._retry_at = now + RETRY_AFTER_SECONDS
        if first:
            log.error(
                "publish: the page cache does not answer (%s); public pages are rendered "
                "uncached until it does",
                exc,
            )

    def try_recover(self) -> bool:
        """Move the content version on; True when the cache answered and the outage is over."""
        try:
            bump_content_version()
        except unreachable_errors() as exc:
            self.failed(exc)
            return False
        with self._lock:
            lasted = time.monotonic() - (self._failed_at or time.monotonic())
            self._failed_at = None
        log.warning("publish: the page cache answers again after %.0f s", lasted)
        return True


outage = CacheOutage()


# --- the page cache -----------------------------------------------------------------------


@contextlib.contextmanager
def bypass_page_cache() -> Iterator[None]:
    """Render without reading or filling the cache (the static export renders every page)."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


def _bypassed(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or _bypass.get() or _pending():
        return True
    # No session cookie means an anonymous reader, known without loading a session.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def page_key(request: HttpRequest, version: str) -> str:
    """Version, scheme, host (feeds and the sitemap print absolute URLs), path, page."""
    params = "&".join(f"{n}={request.GET.get(n)}" for n in KEY_PARAMS if n in request.GET)
    where = f"{request.scheme}://{request.get_host()}{request.path}?{params}"
    digest = hashlib.blake2b(where.encode(), digest_size=16).hexdigest()
    return f"publish:page:{version}:{digest}"


def _stamp(response: HttpResponse, version: str) -> None:
    """ETag from the content, Last-Modified from the version; browsers must revalidate."""
    digest = hashlib.blake2b(response.content, digest_size=16).hexdigest()
    response["ETag"] = f'"{digest}"'
    if (seconds := _last_modified(version)) is not None:
        response["Last-Modified"] = http_date(seconds)
    _public_headers(response)


def _last_modified(version: str) -> int | None:
    """The version's time in whole seconds, as Last-Modified says it; None while the version
    is under a second old.

    An HTTP date has no fraction of a second: two versions made in one second had one date,
    and a reader revalidating by date alone (no ETag) was told 304 and kept the first. A date
    given only once its second is over is older than any later version's, so If-Modified-Since
    can tell them apart; meanwhile the ETag alone answers."""
    made = version_time(version)
    return int(made) if time.time() - made >= 1 else None


def _public_headers(response: HttpResponse) -> None:
    # no-cache, not max-age: a browser keeps the page but asks (cheaply, 304) before reuse,
    # so a publish shows on the reader's next visit rather than after a heuristic lifetime.
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
    )


def _freeze(response: HttpResponse) -> tuple:
    names = (*KEPT_HEADERS, "ETag", "Last-Modified", "Cache-Control", "Vary")
    headers = [(name, response[name]) for name in names if response.has_header(name)]
    return (response.status_code, response.content, headers)


def _thaw(frozen: tuple) -> HttpResponse:
    status, content, headers = frozen
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class LocalPages:
    """Pages read from the shared cache, kept in this process too (least recently used first
    out, within a budget of bytes).

    Safe without any invalidation of its own: a page's key holds the content version, so
    what is stored under a key never changes, and a request looks up the key of the current
    version. With Redis, a cached page then costs no read at all while the version is kept
    (`WatchedKey`), and one small read when it is not, instead of the version and the
    page's bytes. Pages of superseded versions are never asked for again, and are the first
    to go.
    """

    def __init__(self, budget_bytes: int) -> None:
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe
        self._pages: LRUCache = LRUCache(maxsize=budget_bytes, getsizeof=_frozen_size)

    def get(self, key: str) -> tuple | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: str, frozen: tuple) -> None:
        if _frozen_size(frozen) > self._pages.maxsize:
            return  # larger than the whole budget (a sitemap of a huge archive): Redis only
        with self._lock:
            self._pages[key] = frozen

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def _frozen_size(frozen: tuple) -> int:
    return len(frozen[1])  # the body; the status and a few headers are small beside it


# A few hundred typical pages per worker process; the busiest pages stay.
LOCAL_PAGES_BYTES = 16 * 1024 * 1024
local_pages = LocalPages(LOCAL_PAGES_BYTES)


def _lookup(request: HttpRequest) -> tuple[str, tuple | None] | None:
    """The current content version, and the page stored under it (None when not stored);
    None instead when the cache does not answer (the page is then rendered, uncached).

    With a shared cache, the version is the one Redis last reported (`WatchedKey`: kept in
    the process, dropped the moment Redis says it changed, read again when it is not kept),
    so a page of an older version is not served, and the page comes from this process's copy
    when it has one.
    """
    if outage.active and (outage.waiting() or not outage.try_recover()):
        return None
    try:
        version = content_version()
        key = page_key(request, version)
        if _uses_version_file():
            return version, cache.get(key)
        frozen = local_pages.get(key)
        if frozen is None:
            frozen = cache.get(key)
            if frozen is not None:
                local_pages.put(key, frozen)
    except unreachable_errors() as exc:
        outage.failed(exc)
        return None
    return version, frozen


def _store(request: HttpRequest, version: str, response: HttpResponse) -> None:
    key, frozen = page_key(request, version), _freeze(response)
    try:
        cache.set(key, frozen, PAGE_TTL)
    except unreachable_errors() as exc:
        outage.failed(exc)
        return  # kept nowhere: this process would serve it without asking for the version
    if not _uses_version_file():
        local_pages.put(key, frozen)


def _conditional(request: HttpRequest, version: str, response: HttpResponse) -> HttpResponse:
    """The page, or 304 when the reader's copy (ETag, Last-Modified) is still current."""
    dated = response.has_header("Last-Modified")  # not while its version was under a second old
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=int(version_time(version)) if dated else None,
        response=response,
    )


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a public page from the cache, keyed by the content version; answer 304s."""
    if getattr(view, "publish_cached", False):
        return view

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _bypassed(request) or (found := _lookup(request)) is None:
            return view(request, *args, **kwargs)
        version, frozen = found
        if frozen is not None:
            response = _thaw(frozen)
        else:
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()  # the sitemap answers with a TemplateResponse
            if not _cacheable(response):
                return response
            _stamp(response, version)
            _store(request, version, response)
        return _conditional(request, version, response)

    cached_view.publish_cached = True  # type: ignore[attr-defined]
    return cached_view


class CachedPageMiddleware:
    """Answer a stored public page before the rest of the stack runs.

    A reader without a session cookie gets the page stored under the current content version
    before the session, CSRF, authentication and message middleware and the URL resolver
    run: they only matter to signed-in editors, and took half of a worker's time for each
    cached page (profiled under load); skipping them serves a quarter to a half more
    requests a second (docs/scaling.md). This middleware sits below those that add headers
    to every response (security, CSP, X-Frame-Options, static files), so a page answered
    here carries the same headers as one answered by `public_page` further down (a test
    compares them). A miss, or a reader with a session, goes on down the stack, where
    `public_page` renders and stores the page as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        anonymous = settings.SESSION_COOKIE_NAME not in request.COOKIES
        if anonymous and request.method in ("GET", "HEAD") and not _bypass.get():
            found = _lookup(request)
            if found is not None and found[1] is not None:
                version, frozen = found
                response = _conditional(request, version, _thaw(frozen))
                # What CommonMiddleware, below, adds to a 200 and to a 304 alike.
                response["Content-Length"] = str(len(response.content))
                return response
        return self.get_response(request)


# Routes the digest does not declare in views.py: the syndication feeds are Feed instances and
# the sitemap is django.contrib's view, both named in the URLconf.
CACHED_ROUTES = frozenset({"feed_rss", "feed_atom", "sitemap", "sitemap_section"})


def cache_routes(sender=None, **kwargs) -> None:
    """Wrap the feeds and the sitemap in public_page, once, at the first request.

    Done lazily (request_started) so app loading never imports the URLconf.
    """
    from django.core.signals import request_started
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns) -> Iterator[URLPattern]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern

    for pattern in walk(get_resolver().url_patterns):
        if pattern.name in CACHED_ROUTES:
            pattern.callback = public_page(pattern.callback)
    request_started.disconnect(cache_routes, dispatch_uid="publish-cache-routes")
