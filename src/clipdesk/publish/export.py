"""The static copy of the public site: full builds swapped in whole, patches file by file.

    TARGET                   a symlink to the current build; serve this folder
    .TARGET.builds/<id>/     the builds: the current one, the previous one, nothing older
    .TARGET.lock             held while an export runs, so two never interleave

1. Plan (plan.py): every page of the sitemap for a full export; for an incremental one only
   the pages a change since the last export touched, read from the build's manifest
   (manifest.py).
2. Full: render every page into a new folder (in `jobs` processes), then swap: point a new
   symlink at the build and rename it over TARGET. rename(2) is atomic, so a reader finds the
   old complete site or the new complete one. Builds older than the previous one (a reader
   may still be inside that one) are moved to .TARGET.trash/ and deleted there in the
   background.
3. Incremental: patch the current build in place, one file at a time. Each file is written
   to a temporary file beside it and renamed over it, so a reader gets the old page or the
   new one, never half of one. Pages new to the build are written first, then the rest in
   the plan's order (posts, then the lists that link to them, then feeds and sitemaps;
   removals last), which keeps links from pointing at pages not yet there.
   The manifest is replaced last. A marker file says a patch is under way: an export that
   finds it (the last one was interrupted) makes a full build instead, which repairs
   whatever was left half done. Copying the build first would cost seconds per 10,000
   posts, whatever changed; the patch costs what changed.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import ipaddress
import multiprocessing
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connections
from django.template import engines
from django.urls import get_resolver

from clipdesk.digest.models import Post
from clipdesk.instance import file_lock
from clipdesk.publish import manifest as manifests
from clipdesk.publish import plan as planning
from clipdesk.publish.manifest import Manifest
from clipdesk.publish.plan import Outcome, Plan
from clipdesk.publish.preloaded import PreloadedArchive
from clipdesk.publish.rendering import Addresses, ExportError, Renderer, site_root
from clipdesk.server.setup import refresh_query_statistics
from clipdesk.storage import file_refusal

DEFAULT_BASE_URL = "http://localhost/"
PENDING = ".clipdesk-export.pending"  # present while an incremental export patches a build
FULL_ASKED = "asked for"
_BATCH = 400  # pages per task handed to a worker process
# From this many posts a full export's plan is made in a process of its own, beside the read
# of the archive (a plan of 2,000 posts takes some 40 ms, about what forking costs).
_PLAN_ASIDE_POSTS = 2000
# A full export's archive in memory: set before the workers fork, so they share it.
_preloaded: PreloadedArchive | None = None


@dataclass
class ExportReport:
    """What an export did, for the command's output and the logs."""

    mode: str
    reason: str
    target: str
    build: str
    base_url: str
    compared: str = "every post"  # which posts the plan compared with the last manifest
    rendered: int = 0  # pages rendered
    changed: int = 0  # files written because their content is new or differs
    removed: int = 0  # pages or folders deleted from the previous build
    seconds: float = 0.0  # until the whole change is live (the swap, or the last write)
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def normalise_base_url(url: str) -> str:
    """The base URL as feeds, the sitemap and robots.txt publish it: http(s), host in ASCII,
    path percent-encoded and ending in "/". Refused in words: anything else, a host that is
    no host name or IP address (it would be written raw into every feed), and a user name or
    password (it would be published in every link)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ExportError(f"export: the base URL {url!r} cannot be read ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ExportError(f"export: the base URL must be absolute http(s), not {url!r}")
    if "@" in parts.netloc:
        raise ExportError(
            f"export: the base URL {url!r} must not carry a user name or password: "
            "every feed and sitemap would publish it"
        )
    host = _host(parts.hostname, url)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    # Percent-encoded, as sitemaps and feeds need their addresses: "/a b/" went in as it was.
    path = quote(path, safe="/%:@!$&'()*+,;=-._~")
    return f"{parts.scheme}://{host}{'' if port is None else f':{port}'}{path}"


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")  # RFC 1123, after IDNA


def _host(hostname: str, url: str) -> str:
    """`hostname` (urlsplit's: lower case, no brackets) as a URL names it, in ASCII."""
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(hostname)
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        ascii_host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.removesuffix(".").split(".")
    if not ascii_host or not all(_LABEL.fullmatch(label) for label in labels):
        raise ExportError(f"export: the base URL's host {hostname!r} is not valid (in {url!r})")
    return ascii_host


def builds_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.builds"


def current_build(target: Path) -> Path | None:
    """The build TARGET points at; None before the first export."""
    if target.is_symlink():
        if _links_elsewhere(target):
            raise _not_ours(target)
        build = target.resolve()
        return build if build.is_dir() else None
    if not target.exists():
        return None
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()  # an empty folder made for us: the symlink takes its place
        return None
    raise _not_ours(target)


def _links_elsewhere(target: Path) -> bool:
    """Whether the symlink `target` points at a folder that is not one of its builds: an
    operator's link to a web root (`public -> /srv/www`) was taken for a previous build and
    replaced by a link to the new one. A link to nothing is left to be replaced."""
    pointed = target.resolve()
    return pointed.exists() and pointed.parent != builds_dir(target).resolve()


def _not_ours(target: Path) -> ExportError:
    return ExportError(
        f"export: {target} is not a static copy made by clipdesk (a symlink to a build); "
        "choose a new path or remove it"
    )


def _refuse_foreign(target: Path) -> None:
    """Refuse a path that holds something else before anything is made beside it (the
    lock, the builds folder); `current_build` checks again under the lock."""
    if target.is_symlink():
        if _links_elsewhere(target):
            raise _not_ours(target)
        return
    if not target.exists():
        return
    if not (target.is_dir() and not any(target.iterdir())):
        raise _not_ours(target)


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold the target's lock (a file beside it) for one export at a time; the target's
    folder is made first. A folder that cannot be made or take the lock is refused in words:
    a path under a file, or in a filesystem that takes no files (/proc)."""
    lock = target.parent / f".{target.name}.lock"
    with contextlib.ExitStack() as held:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            held.enter_context(file_lock(lock))
        except OSError as exc:
            reason = "a file" if target.parent.is_file() else exc.strerror or str(exc)
            raise ExportError(
                f"export: cannot write {target}: its folder {target.parent} cannot hold files "
                f"({reason})"
            ) from exc
        yield


def export_site(
    target: str | os.PathLike,
    *,
    base_url: str | None = None,
    incremental: bool = False,
    jobs: int = 1,
    prune: bool = True,
) -> ExportReport:
    """Write the public site as static files to `target` (see the module docstring).

    `base_url` defaults to the previous export's, else DEFAULT_BASE_URL. `incremental` falls
    back to a full export when there is no previous build or it cannot be patched (templates,
    site profile, an outlet renamed; the report's reason says which). `jobs` > 1 renders in
    that many forked processes; the database must then be a file or a server, and the caller
    must not be a threaded server (the publish hook renders in its own thread, jobs=1).
    """
    # The site's code (URLconf, views, what they import) loads at the first reverse(), and
    # the template engines' modules at the first render: about a second of start-up in a
    # fresh command. The publish hook's server process has them loaded; load them before the
    # clock starts so the report times the export alone.
    get_resolver().url_patterns  # noqa: B018 - the attribute loads the URLconf
    engines.all()
    started = time.perf_counter()
    # A database that cannot be read (an instance never set up) fails here, before the
    # target's folder and lock file are made: a failed export leaves nothing behind.
    Post.objects.exists()
    # So is a base URL given that cannot be published.
    given = normalise_base_url(base_url) if base_url else None
    target = Path(target).absolute()
    _refuse_foreign(target)
    with _locked(target):
        previous = current_build(target)
        old = Manifest.read(previous) if previous else None
        base_url = given or normalise_base_url(old.base_url if old else DEFAULT_BASE_URL)
        per_page = settings.DIGEST_POSTS_PER_PAGE
        # Taken before anything renders: a rename during the export is then seen next time.
        manifest = Manifest(
            code=manifests.code_fingerprint(),
            base_url=base_url,
            per_page=per_page,
            site=manifests.site_fingerprint(),
            tags=manifests.tag_table(shown_only=True),
            outlets=manifests.outlet_table(shown_only=True),
            lists={},
            posts=manifests.PostTable(),
        )
        addresses = Addresses(base_url)
        outcome: Outcome | None = None
        reason = FULL_ASKED
        if incremental or jobs <= 1 or Post.objects.published().count() < _PLAN_ASIDE_POSTS:
            outcome = _plan(previous, old, base_url, per_page, incremental)
            reason = outcome.plan.reason
        if outcome is not None and outcome.plan.mode == "incremental":
            plan = outcome.plan
            _record(manifest, outcome)
            report = ExportReport(plan.mode, plan.reason, str(target), str(previous), base_url)
            report.compared = plan.compared
            report.timings["plan"] = time.perf_counter() - started
            with _disk_refusal_in_words(
                target,
                lambda: (
                    "it is partly updated; the next export rebuilds it in full"
                    if (previous / PENDING).exists()  # some files were replaced
                    else "it was left unchanged"
                ),
            ):
                _patch(plan, previous, manifest, addresses, jobs, report)
            report.seconds = time.perf_counter() - started
            return report
        build = builds_dir(target) / _build_id()
        build.parent.mkdir(exist_ok=True)
        report = ExportReport("full", reason, str(target), str(build), base_url)
        report.timings["plan"] = time.perf_counter() - started
        kept = "it still serves the previous export" if previous else "nothing is there yet"
        with _disk_refusal_in_words(target, lambda: kept):
            try:
                outcome = _build_full(outcome, build, addresses, jobs, report, per_page)
                _record(manifest, outcome)
                manifest.write(build)
            except BaseException:
                shutil.rmtree(build, ignore_errors=True)  # TARGET still points at the old build
                raise
        _swap(target, build)
        report.seconds = time.perf_counter() - started
        if prune:
            mark = time.perf_counter()
            _prune(target, keep={build, previous})
            report.timings["prune"] = time.perf_counter() - mark
    return report


@contextlib.contextmanager
def _disk_refusal_in_words(target: Path, left: Callable[[], str]) -> Iterator[None]:
    """A disk that refuses the export's writes (full, over quota, read-only) is said in one
    line, with what `left` says the copy now is. A full disk fails a write when the file is
    flushed, with an error that names no file: the command printed a traceback for it."""
    try:
        yield
    except OSError as exc:
        if (refusal := file_refusal(exc)) is None:
            raise
        raise ExportError(
            f"export: cannot write the static copy at {target} ({refusal.reason}); {left()}; "
            f"{refusal.remedy}, then export again"
        ) from exc


def _record(manifest: Manifest, outcome: Outcome) -> None:
    """What the new manifest takes from the plan's outcome."""
    manifest.posts, manifest.lists, manifest.sitemaps = (
        outcome.posts,
        outcome.lists,
        outcome.sitemaps,
    )
    manifest.newest_edit, manifest.compared_at = outcome.newest_edit, outcome.compared_at
    manifest.moved = outcome.moved


def _plan(
    previous: Path | None, old: Manifest | None, base_url: str, per_page: int, incremental: bool
) -> Outcome:
    if incremental and previous is not None and (previous / PENDING).exists():
        reason = "the last incremental export was interrupted"
    elif incremental and old is not None and old.base_url == base_url:
        outcome = planning.incremental_plan(old, per_page)
        if outcome.plan.mode == "incremental":
            return outcome
        reason = outcome.plan.reason
    elif not incremental:
        reason = FULL_ASKED
    elif old is None:
        reason = "no previous export to patch"
    else:
        reason = "base URL changed"
    return planning.full_plan(reason, per_page)


def _build_id() -> str:
    now = datetime.datetime.now(datetime.UTC)
    return f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"


# --- building -----------------------------------------------------------------------------


def _unique(pages: list[planning.Page]) -> list[planning.Page]:
    return list(dict.fromkeys(pages))


def _write(path: Path | str, data: bytes, folders: set[str] | None = None) -> bool:
    """Write one file of a new build (nobody reads it yet). `folders` are those known to
    exist: a full export writes some 13,000 files per 10,000 posts, and making each file's
    folder again took a third of the time spent writing them (profiled)."""
    folder = os.path.dirname(path)
    if folders is None or folder not in folders:
        os.makedirs(folder, exist_ok=True)
        if folders is not None:
            folders.add(folder)
    with open(path, "wb") as file:
        file.write(data)
    return True


def _replace(path: Path, data: bytes) -> bool:
    """Write one file of the live build atomically; False when it already holds `data`.

    The bytes go to a temporary file in the same folder (same file system), then rename(2)
    puts it in place: a reader opens either the old file or the new one, complete.
    """
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def _render_batch(
    pages: list[planning.Page], addresses: Addresses, build: Path | None
) -> tuple[int, int, dict[str, bytes]]:
    """Render pages: into `build` when given (counted), else returned as file -> bytes."""
    renderer = Renderer(addresses, _preloaded)
    rendered = written = 0
    kept: dict[str, bytes] = {}
    folders: set[str] = set()
    root = str(build)
    with site_root():  # once for the batch, not once per page
        for path, number in pages:
            data = renderer.render(path, number)
            if data is None:
                continue
            rendered += 1
            relative = addresses.file_for(path, number)
            if build is None:
                kept[relative] = data
            else:
                written += _write(f"{root}/{relative}", data, folders)
    return rendered, written, kept


def _worker(task: tuple[list[planning.Page], str, str | None]) -> tuple[int, int, dict]:
    pages, base_url, build = task
    return _render_batch(pages, Addresses(base_url), Path(build) if build else None)


@contextlib.contextmanager
def _rendering(
    pages: list[planning.Page],
    addresses: Addresses,
    build: Path | None,
    jobs: int,
    lists: Collection[str] = (),
) -> Iterator[Callable[[], list[tuple[int, int, dict]]]]:
    """Start rendering `pages` (in `jobs` forked processes when worth it); yield the waiter.

    Workers are forked before the caller starts any thread, and inherit settings and code;
    each opens its own database connection. Without a `build` (a patch, whose files are
    written in the plan's order), each batch is a run of the plan and the results come back
    in order. Into a new build:
    - the pages of the `lists` (paths) come first, in one batch per two workers: a list page
      shows its posts' summaries, each rendered once per worker, and together the lists show
      every post several times; spread over all batches, every worker rendered nearly every
      summary (a fifth of an export's work, done twice);
    - every other batch is a sample of the rest of the plan, so that the costly pages at its
      end (sitemap chunks of a thousand posts, feeds) are spread over the batches rather than
      left in the last one for one worker while the others wait.
    """
    if jobs <= 1 or len(pages) <= _BATCH:
        yield lambda: [_render_batch(pages, addresses, build)]
        return
    connections.close_all()
    size = min(_BATCH, -(-len(pages) // (jobs * 4)))  # enough batches to balance the workers
    if build is None:
        batches = [pages[i : i + size] for i in range(0, len(pages), size)]
    else:
        listed = [page for page in pages if page[0] in lists]
        rest = [page for page in pages if page[0] not in lists]
        parts = min(max(1, jobs // 2), len(listed))
        batches = [
            listed[i * len(listed) // parts : (i + 1) * len(listed) // parts] for i in range(parts)
        ]
        count = -(-len(rest) // size)
        batches += [rest[i::count] for i in range(count)]
    tasks = [(batch, addresses.base_url, str(build) if build else None) for batch in batches]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        # One batch at a time: Pool's default hands each worker a quarter of its share at
        # once, and the last of those decides when the export ends.
        results = pool.map_async(_worker, tasks, chunksize=1)
        yield lambda: results.get()


def _build_full(
    outcome: Outcome | None,
    build: Path,
    addresses: Addresses,
    jobs: int,
    report: ExportReport,
    per_page: int,
) -> Outcome:
    """Render every page into `build`; without an `outcome`, plan it meanwhile (in a forked
    process, while this one reads the archive: the two reads took a fifth of an export of
    100,000 posts one after the other). The outcome planned is returned for the manifest."""
    global _preloaded
    mark = time.perf_counter()
    build.mkdir()
    refresh_query_statistics()  # fresh statistics before every list is read
    # The archive in memory is millions of objects that live until the export ends. Read
    # with the cyclic collector on, each of its full passes traced them all (a third of the
    # read at 100,000 posts); frozen afterwards, the collector leaves them alone, and forked
    # workers do not copy the memory pages that hold them by tracing them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _planned(outcome, per_page) as planned:  # a forked planner inherits this too
            _preloaded = PreloadedArchive(addresses)
            report.timings["read"] = time.perf_counter() - mark
            outcome = planned()
        gc.freeze()  # until the pages are rendered (below)
    finally:
        if collecting:
            gc.enable()
    report.timings["plan"] += time.perf_counter() - mark - report.timings["read"]
    mark = time.perf_counter()
    try:
        pages = _unique(outcome.plan.pages)
        with _rendering(pages, addresses, build, jobs, outcome.lists) as finished:
            results = finished()
    finally:
        _preloaded = None
        gc.unfreeze()
    report.rendered = sum(r[0] for r in results)
    report.changed = sum(r[1] for r in results)
    report.timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    renderer = Renderer(addresses)
    _write(build / "404.html", renderer.render_not_found())
    _write(build / addresses.file_for("/search/"), renderer.render_search_note())
    _copy_static(build / "static")
    report.timings["extras"] = time.perf_counter() - mark
    return outcome


@contextlib.contextmanager
def _planned(outcome: Outcome | None, per_page: int) -> Iterator[Callable[[], Outcome]]:
    """Yield a function giving the full plan: `outcome` itself when there is one, else the
    plan of a process forked now (it reads the database on its own connection, and the
    caller may read meanwhile). A process, not a thread: both reads are Python work."""
    if outcome is not None:
        yield lambda: outcome
        return
    connections.close_all()  # each process opens its own
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    planner = multiprocessing.get_context("fork").Process(
        target=_plan_for_parent, args=(sending, per_page), name="export-plan", daemon=True
    )
    planner.start()
    sending.close()

    def planned() -> Outcome:
        try:
            done, value = receiving.recv()
        except EOFError:
            raise ExportError("export: the planning process ended without a plan") from None
        if not done:
            raise value
        return value

    try:
        yield planned
    finally:
        receiving.close()
        planner.join(timeout=10)
        if planner.is_alive():
            planner.terminate()


def _plan_for_parent(sending, per_page: int) -> None:
    """In the forked planner: send (True, outcome), or (False, the exception)."""
    try:
        answer = (True, planning.full_plan(FULL_ASKED, per_page))
    except Exception as exc:  # handed to the parent, which raises it
        answer = (False, ExportError(f"export: planning failed: {exc}"))
    finally:
        connections.close_all()
    sending.send(answer)
    sending.close()


def _copy_static(folder: Path) -> None:
    """The apps' static assets as the site serves them, but not the admin's."""
    seen: set[str] = set()
    for finder in finders.get_finders():
        for relative, storage in finder.list([]):
            if relative in seen or relative.startswith("admin/"):
                continue
            seen.add(relative)
            destination = folder / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(storage.path(relative), destination)


def _patch(
    plan: Plan,
    build: Path,
    manifest: Manifest,
    addresses: Addresses,
    jobs: int,
    report: ExportReport,
) -> None:
    """Bring the live build up to date in place (see the module docstring, step 3)."""
    mark = time.perf_counter()
    pages = _unique(plan.pages)  # in writing order: the plan's
    with _rendering(pages, addresses, None, jobs) as finished:
        results = finished()
    report.timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    pending = build / PENDING
    pending.write_text(plan.reason)
    files: list[tuple[Path, bytes]] = []
    for rendered, _, rendered_pages in results:  # batches come back in the plan's order
        report.rendered += rendered
        files += [(build / relative, data) for relative, data in rendered_pages.items()]
    for file, data in in_writing_order(files):
        report.changed += _replace(file, data)
    for path in sorted(plan.remove):
        report.removed += _remove(build / addresses.file_for(path))
    for path, number in sorted(plan.remove_pages, key=lambda p: (p[0], p[1] or 0)):
        report.removed += _remove(build / addresses.file_for(path, number))
    for path in plan.remove:
        _remove_empty_parents(build / addresses.file_for(path), build)
    manifest.write(build)
    pending.unlink()
    report.timings["write"] = time.perf_counter() - mark


def in_writing_order(files: list[tuple[Path, bytes]]) -> list[tuple[Path, bytes]]:
    """New files first, then the ones they replace, each part in the plan's order.

    A page not yet in the build is reached only through a page that is (a new post through
    the lists, a new tag page through the post pages and the tags' list), and those are
    rewritten after it: so a new post and its new tag, which link to each other, are both
    in place before any live page links to either.
    """
    new: list[tuple[Path, bytes]] = []
    replacing: list[tuple[Path, bytes]] = []
    for item in files:
        (replacing if item[0].exists() else new).append(item)
    return new + replacing


def _remove(file: Path) -> bool:
    """Delete a page: an index.html with its folder (and what is below), or a single file."""
    if file.name != "index.html":
        existed = file.exists()
        file.unlink(missing_ok=True)
        return existed
    if not file.parent.is_dir():
        return False
    shutil.rmtree(file.parent)
    return True


def _remove_empty_parents(file: Path, build: Path) -> None:
    """The folders a removed page leaves empty (`archive/2023/` once its last month went),
    up to the build's own root: a full build has no empty folder, and an incremental one
    should not differ from it."""
    folder = file.parent if file.name != "index.html" else file.parent.parent
    while folder != build and build in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone): the folders above it are not either
            return
        folder = folder.parent


# --- swapping and pruning -----------------------------------------------------------------


def _swap(target: Path, build: Path) -> None:
    link = target.parent / f".{target.name}.{os.getpid()}.swap"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(build, target.parent), target_is_directory=True)
    os.replace(link, target)


def _prune(target: Path, keep: set[Path | None]) -> None:
    """Move stale builds to the trash folder and delete it in a background process.

    Deleting is slow on some disks (tens of seconds for 10,000 post folders where the file
    system discards freed blocks online), and the new build is already live: nothing should
    wait for it, least of all an editor's publish request.
    """
    kept = {p.resolve() for p in keep if p is not None}
    trash = target.parent / f".{target.name}.trash"
    stale = [b for b in builds_dir(target).iterdir() if b.resolve() not in kept]
    if not stale:
        return
    trash.mkdir(exist_ok=True)
    for build in stale:
        os.rename(build, trash / build.name)
    remover = subprocess.Popen(  # noqa: S603 - a fixed command on our own folder
        ["rm", "-rf", "--", *(str(p) for p in trash.iterdir())],  # noqa: S607 - coreutils
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives this command, never gets its Ctrl-C
    )
    # Reaped by a thread so a long-running server keeps no zombie; a command just exits.
    threading.Thread(target=remover.wait, name="publish-prune", daemon=True).start()
