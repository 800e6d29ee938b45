"""The static copy of the public site: build it beside the old one, then swap, atomically.

    TARGET                   a symlink to the current build; serve this folder
    .TARGET.builds/<id>/     the builds: the current one, the previous one, nothing older
    .TARGET.lock             held while an export runs, so two never interleave

1. Plan (plan.py): every page of the sitemap for a full export; for an incremental one only
   the pages a change since the last export touched, read from the build's manifest.
2. Build into a new folder. Full: render every page into it (in `jobs` processes). Incremental:
   hard-link every file of the current build into it (copy-on-write: a page written again
   replaces its link, never the shared file) while the touched pages render in memory; then
   delete what is gone and write what changed.
3. Swap: point a new symlink at the build and rename it over TARGET. rename(2) is atomic, so a
   reader finds the old complete site or the new complete one, never a half-written one.
4. Prune builds older than the previous one (a reader may still be inside that one): they
   are moved to .TARGET.trash/ and deleted there by a background process.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import multiprocessing
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection, connections

from clipdesk.publish import plan as planning
from clipdesk.publish.plan import Manifest, Plan
from clipdesk.publish.rendering import Addresses, ExportError, Renderer

DEFAULT_BASE_URL = "http://localhost/"
_BATCH = 400  # pages per task handed to a worker process


@dataclass
class ExportReport:
    """What an export did, for the command's output and the logs."""

    mode: str
    reason: str
    target: str
    build: str
    base_url: str
    rendered: int = 0  # pages rendered
    changed: int = 0  # files written because their content is new or differs
    removed: int = 0  # pages or folders deleted from the previous build
    seconds: float = 0.0  # until the new build is live (the swap)
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def normalise_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ExportError(f"export: the base URL must be absolute http(s), not {url!r}")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def builds_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.builds"


def current_build(target: Path) -> Path | None:
    """The build TARGET points at; None before the first export."""
    if target.is_symlink():
        build = target.resolve()
        return build if build.is_dir() else None
    if not target.exists():
        return None
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()  # an empty folder made for us: the symlink takes its place
        return None
    raise ExportError(
        f"export: {target} is not a static copy made by clipdesk (a symlink to a build); "
        "choose a new path or remove it"
    )


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    lock = target.parent / f".{target.name}.lock"
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    started = time.perf_counter()
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        previous = current_build(target)
        old = Manifest.read(previous) if previous else None
        base_url = normalise_base_url(base_url or (old.base_url if old else DEFAULT_BASE_URL))
        per_page = settings.DIGEST_POSTS_PER_PAGE
        # Taken before anything renders: a rename during the export is then seen next time.
        manifest = Manifest(
            code=planning.code_fingerprint(),
            base_url=base_url,
            per_page=per_page,
            site=planning.site_fingerprint(),
            tags=planning.tag_table(),
            outlets=planning.outlet_table(),
            lists={},
            posts={},
        )
        plan, manifest.posts, manifest.lists = _plan(old, base_url, per_page, incremental)
        build = builds_dir(target) / _build_id()
        build.parent.mkdir(exist_ok=True)
        report = ExportReport(plan.mode, plan.reason, str(target), str(build), base_url)
        report.timings["plan"] = time.perf_counter() - started
        addresses = Addresses(base_url)
        try:
            if plan.mode == "full":
                _build_full(plan, build, addresses, jobs, report)
            else:
                _build_incremental(plan, previous, build, addresses, jobs, report)
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


def _plan(
    old: Manifest | None, base_url: str, per_page: int, incremental: bool
) -> tuple[Plan, dict, dict]:
    if incremental and old is not None and old.base_url == base_url:
        plan, posts, lists = planning.incremental_plan(old, per_page)
        if plan.mode == "incremental":
            return plan, posts, lists
        reason = plan.reason
    elif not incremental:
        reason = "full export asked for"
    elif old is None:
        reason = "no previous export to patch"
    else:
        reason = "base URL changed"
    return planning.full_plan(reason, per_page)


def _build_id() -> str:
    now = datetime.datetime.now(datetime.UTC)
    return f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"


# --- building -----------------------------------------------------------------------------


def _unique(pages: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return list(dict.fromkeys(pages))


def _write(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write one file; with `replace`, keep it when unchanged and never write through a link."""
    if replace:
        try:
            if path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        path.unlink(missing_ok=True)  # it may be a hard link shared with the previous build
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _render_batch(
    pages: list[tuple[str, int]], addresses: Addresses, build: Path | None
) -> tuple[int, int, dict[str, bytes]]:
    """Render pages: into `build` when given (counted), else returned as file -> bytes."""
    renderer = Renderer(addresses)
    rendered = written = 0
    kept: dict[str, bytes] = {}
    for path, number in pages:
        data = renderer.render(path, number)
        if data is None:
            continue
        rendered += 1
        relative = addresses.file_for(path, number)
        if build is None:
            kept[relative] = data
        else:
            written += _write(build / relative, data, replace=False)
    return rendered, written, kept


def _worker(task: tuple[list[tuple[str, int]], str, str | None]) -> tuple[int, int, dict]:
    pages, base_url, build = task
    return _render_batch(pages, Addresses(base_url), Path(build) if build else None)


@contextlib.contextmanager
def _rendering(
    pages: list[tuple[str, int]], addresses: Addresses, build: Path | None, jobs: int
) -> Iterator[Callable[[], list[tuple[int, int, dict]]]]:
    """Start rendering `pages` (in `jobs` forked processes when worth it); yield the waiter.

    Workers are forked before the caller starts any thread, and inherit settings and code;
    each opens its own database connection.
    """
    if jobs <= 1 or len(pages) <= _BATCH:
        yield lambda: [_render_batch(pages, addresses, build)]
        return
    connections.close_all()
    size = min(_BATCH, -(-len(pages) // (jobs * 4)))  # enough batches to balance the workers
    tasks = [
        (pages[i : i + size], addresses.base_url, str(build) if build else None)
        for i in range(0, len(pages), size)
    ]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        results = pool.map_async(_worker, tasks)
        yield lambda: results.get()


def _refresh_statistics() -> None:
    """SQLite: give the query planner fresh statistics before every list is read.

    Without them, or with ones taken while the tables were small, SQLite counts a tag's posts
    by walking every published post: 45 ms instead of 3 ms per tag page at 100,000 posts.
    ANALYZE itself takes 0.1 s there. PostgreSQL's autovacuum keeps its own statistics.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _build_full(
    plan: Plan, build: Path, addresses: Addresses, jobs: int, report: ExportReport
) -> None:
    mark = time.perf_counter()
    build.mkdir()
    _refresh_statistics()
    with _rendering(_unique(plan.pages), addresses, build, jobs) as finished:
        results = finished()
    report.rendered = sum(r[0] for r in results)
    report.changed = sum(r[1] for r in results)
    report.timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    renderer = Renderer(addresses)
    _write(build / "404.html", renderer.render_not_found(), replace=False)
    _write(build / addresses.file_for("/search/"), renderer.render_search_note(), replace=False)
    _copy_static(build / "static")
    report.timings["extras"] = time.perf_counter() - mark


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


def _clone(source: Path, destination: Path) -> None:
    """Hard-link every file of `source` into the new folder `destination`."""
    os.mkdir(destination)
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _clone(Path(entry.path), destination / entry.name)
            else:
                os.link(entry.path, destination / entry.name)


def _build_incremental(
    plan: Plan,
    previous: Path,
    build: Path,
    addresses: Addresses,
    jobs: int,
    report: ExportReport,
) -> None:
    mark = time.perf_counter()
    failure: list[BaseException] = []

    def clone() -> None:
        start = time.perf_counter()
        try:
            _clone(previous, build)
        except BaseException as exc:  # handed to the main thread below
            failure.append(exc)
        report.timings["clone"] = time.perf_counter() - start

    # Linking is system calls, rendering is Python: they overlap well.
    with _rendering(_unique(plan.pages), addresses, None, jobs) as finished:
        cloning = threading.Thread(target=clone, name="publish-clone")
        cloning.start()
        try:
            results = finished()
        finally:
            cloning.join()
    if failure:
        raise failure[0]
    report.timings["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    for path in plan.remove:
        folder = build / addresses.file_for(path)
        if folder.parent.is_dir():
            shutil.rmtree(folder.parent)
            report.removed += 1
    for path, number in plan.remove_pages:
        page = build / addresses.file_for(path, number)
        if page.exists():
            shutil.rmtree(page.parent)
            report.removed += 1
    (build / planning.MANIFEST).unlink(missing_ok=True)  # a link to the previous one's
    for rendered, _, pages in results:
        report.rendered += rendered
        for relative, data in pages.items():
            report.changed += _write(build / relative, data, replace=True)
    report.timings["write"] = time.perf_counter() - mark


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
