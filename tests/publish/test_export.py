"""The static copy: complete, linked, patched incrementally, and swapped atomically."""

from __future__ import annotations

import datetime
import errno
import fcntl
import functools
import json
import os
import signal
import threading
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import CommandError, call_command

from clipdesk.digest.actions import set_status
from clipdesk.digest.models import Post, SiteProfile
from clipdesk.digest.sitemaps import PostSitemap
from clipdesk.publish import export
from clipdesk.publish.caching import bump_content_version
from clipdesk.publish.export import export_site, normalise_base_url
from clipdesk.publish.hooks import refresher
from clipdesk.publish.manifest import MANIFEST, Manifest
from clipdesk.publish.rendering import ExportError, Renderer
from tests.factories import make_outlet, make_post, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings) -> dict:
    """Eleven published posts over two months (two front pages of 8), tags, outlets, a draft."""
    settings.DIGEST_POSTS_PER_PAGE = 8
    SiteProfile.objects.update_or_create(id=1, defaults={"name": "Harbour Watch"})
    tags = {name: make_tag(name) for name in ("Hearings", "Licences")}
    outlets = {name: make_outlet(name) for name in ("Valley Times", "Northern Ledger")}
    posts = []
    for i in range(11):
        day = datetime.date(2021, 3 + i // 6, 1 + i)
        outlet = outlets["Valley Times" if i % 2 else "Northern Ledger"]
        posts.append(
            make_post(
                f"Report {i}",
                posted_on=day,
                credits=[{"outlet": outlet, "date": day, "url": f"https://news.example/{i}"}],
                tags=[tags["Hearings"]] if i % 3 else [tags["Hearings"], tags["Licences"]],
            )
        )
    draft = make_post(
        "Late news",
        posted_on=datetime.date(2021, 4, 20),
        status=Post.Status.DRAFT,
        credits=[{"outlet": outlets["Valley Times"], "date": datetime.date(2021, 4, 20)}],
        tags=[tags["Licences"]],
    )
    return {"posts": posts, "draft": draft, "tags": tags, "outlets": outlets}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[Path, str]]:
    """A plain static server (http.server) over a folder, on loopback, in a thread."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("a", "link"):
            self.links += [value for name, value in attrs if name == "href" and value]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def crawl(start: str) -> dict[str, tuple[int, str]]:
    """Every page and file reachable by <a href> and <link href> from `start`, on its site."""
    origin = urlsplit(start).netloc
    seen: dict[str, tuple[int, str]] = {}
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, kind, body = fetch(url)
        seen[url] = (status, kind)
        if status == 200 and kind == "text/html":
            parser = _Links()
            parser.feed(body.decode())
            for link in parser.links:
                target = urldefrag(urljoin(url, link))[0]
                if urlsplit(target).netloc == origin and target not in seen:
                    queue.append(target)
    return seen


def sitemap_locs(base: str) -> list[str]:
    """Every URL the sitemap lists, through its index and every chunk the index names."""

    def locs(url: str) -> list[str]:
        status, _, body = fetch(url)
        assert status == 200, url
        return [part.split("</loc>")[0] for part in body.decode().split("<loc>")[1:]]

    return [loc for chunk in locs(f"{base}sitemap.xml") for loc in locs(chunk)]


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }


@pytest.mark.parametrize("prefix", ["", "digest/"])
def test_full_export_served_by_a_static_server_has_no_broken_links(site, served, prefix):
    root, origin = served
    target = root / prefix.strip("/") if prefix else root  # an empty folder may be the target
    base = f"{origin}/{prefix}"
    report = export_site(target, base_url=base)
    assert report.mode == "full"

    pages = crawl(base)
    broken = {url: status for url, (status, _) in pages.items() if status != 200}
    assert not broken
    assert f"{base}page/1/" in pages  # pagination: the oldest posts
    assert f"{base}page/2/" in pages
    assert f"{base}feed.xml" in pages and f"{base}atom.xml" in pages
    assert f"{base}static/digest/site.css" in pages
    assert f"{base}tag/licences/" in pages and f"{base}outlet/valley-times/" in pages
    for post in site["posts"]:
        assert f"{base}post/{post.slug}/" in pages
    assert f"{base}post/{site['draft'].slug}/" not in pages
    assert pages[f"{base}feed.xml"][1] in ("text/xml", "application/xml")

    # The sitemap lists absolute URLs at the base URL, and every one of them is there.
    locs = sitemap_locs(base)
    assert locs and all(loc.startswith(base) for loc in locs)
    assert all(fetch(loc)[0] == 200 for loc in locs)
    assert {f"{base}post/{post.slug}/" for post in site["posts"]} <= set(locs)
    feed = fetch(f"{base}feed.xml")[2].decode()
    assert f"{base}post/{site['posts'][-1].slug}/" in feed
    assert f'href="{base}feed.xml" rel="self"' in feed
    assert fetch(f"{base}robots.txt")[2].decode().endswith(f"Sitemap: {base}sitemap.xml\n")
    assert b"search works" in fetch(f"{base}search/")[2]
    assert b"Page not found" in (target / "404.html").read_bytes()


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in after.keys() | before.keys() if after.get(name) != before.get(name)}


def test_incremental_export_after_publishing_changes_only_what_shows_the_post(
    site, tmp_path, monkeypatch
):
    monkeypatch.setattr(PostSitemap, "limit", 4)  # 11 posts: chunks of 4, 4 and 3
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    build = target.resolve()
    before = files(target)
    inodes = {name: (target / name).stat().st_ino for name in before}

    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    report = export_site(target, incremental=True)
    assert report.mode == "incremental"
    after = files(target)

    changed = changed_files(before, after)
    slug = site["draft"].slug
    # The draft is the newest post: it leads the front page and joins the last page (2) of
    # the front page's list; page 1, full, is untouched. The other lists fit on one page.
    assert changed == {
        f"post/{slug}/index.html",
        "index.html",
        "page/2/index.html",
        "archive/2021/04/index.html",
        "archive/2021/04/page/1/index.html",
        "tag/licences/index.html",
        "tag/licences/page/1/index.html",
        "outlet/valley-times/index.html",
        "outlet/valley-times/page/1/index.html",
        "feed.xml",
        "atom.xml",
        "sitemap.xml",  # the index: the posts' newest lastmod
        "sitemap-posts-3.xml",  # the last chunk, the only one listing the new post
    }
    assert report.changed == len(changed)
    assert report.rendered == len(changed)
    assert b"Late news" in after["index.html"] and b"Late news" in after["feed.xml"]
    # Patched in place: the same build, and files that did not change were not rewritten.
    assert target.resolve() == build
    assert all((target / n).stat().st_ino == inodes[n] for n in before.keys() - changed)
    assert not list(build.rglob("*.tmp")) and not (build / export.PENDING).exists()


def test_incremental_export_after_an_edit_rewrites_the_pages_showing_the_post(site, tmp_path):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    before = files(target)
    oldest = site["posts"][0]  # on page 1 of the front page's list, tagged Hearings, Licences
    oldest.headline = "Report 0, corrected"
    oldest.save()

    report = export_site(target, incremental=True)
    assert report.mode == "incremental"
    changed = changed_files(before, files(target))
    assert changed == {
        f"post/{oldest.slug}/index.html",
        "page/1/index.html",
        "archive/2021/03/index.html",
        "archive/2021/03/page/1/index.html",
        "tag/hearings/page/1/index.html",
        "tag/licences/index.html",
        "tag/licences/page/1/index.html",
        "outlet/northern-ledger/index.html",
        "outlet/northern-ledger/page/1/index.html",
        "feed.xml",  # its updated date
        "atom.xml",
        "sitemap.xml",  # the newest lastmod (its chunk was rendered: the same day, same bytes)
    }
    # Also rendered, the same bytes: its sitemap chunk (lastmod is a date).
    assert report.rendered == len(changed) + 1


def test_unpublishing_removes_the_post_and_an_emptied_tag(site, tmp_path):
    target = tmp_path / "copy"
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    export_site(target, base_url="http://example.org/")
    licences = Post.objects.filter(tags=site["tags"]["Licences"])
    assert (target / f"post/{site['draft'].slug}/index.html").exists()

    set_status(licences, Post.Status.DRAFT)
    report = export_site(target, incremental=True)
    assert report.mode == "incremental"
    assert not (target / f"post/{site['draft'].slug}").exists()
    assert not (target / "tag/licences").exists()
    assert b"Late news" not in (target / "index.html").read_bytes()
    assert b"Late news" not in (target / "feed.xml").read_bytes()
    assert not (target / "page/2").exists()  # 11 - 4 posts now fit on one front page
    assert b"Late news" not in (target / "page/1/index.html").read_bytes()
    assert b"Late news" not in (target / "sitemap-posts.xml").read_bytes()


def test_a_deleted_post_leaves_the_copy(site, tmp_path):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    gone = site["posts"][3]
    assert (target / f"post/{gone.slug}/index.html").exists()
    gone.delete()
    report = export_site(target, incremental=True)
    assert report.mode == "incremental" and report.reason == "0 new or changed, 1 gone"
    assert not (target / f"post/{gone.slug}").exists()
    assert gone.headline.encode() not in (target / "page/1/index.html").read_bytes()


def test_incremental_exports_end_where_a_full_export_does(site, tmp_path, settings, monkeypatch):
    """After publishing, unpublishing, editing and re-dating, patching equals rebuilding."""
    settings.DIGEST_POSTS_PER_PAGE = 3
    monkeypatch.setattr(PostSitemap, "limit", 3)
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    posts = site["posts"]

    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    export_site(target, incremental=True)
    set_status(Post.objects.filter(pk=posts[4].pk), Post.Status.DRAFT)
    export_site(target, incremental=True)
    posts[2].headline = "Report 2, corrected"
    posts[2].save()
    export_site(target, incremental=True)
    posts[7].posted_on_inferred = datetime.date(2021, 3, 15)  # moves to another month
    posts[7].save()
    posts[9].tags.add(site["tags"]["Licences"])
    posts[9].save()
    report = export_site(target, incremental=True)
    assert report.mode == "incremental"
    for i in range(4):  # new pages open, and a fifth sitemap chunk
        make_post(f"Extra {i}", posted_on=datetime.date(2021, 5, 1 + i))
    assert export_site(target, incremental=True).mode == "incremental"

    export_site(tmp_path / "fresh", base_url="http://example.org/")
    assert files(target) == files(tmp_path / "fresh")
    Post.objects.filter(headline__startswith="Extra").update(status=Post.Status.DRAFT)
    bump_content_version()
    assert export_site(target, incremental=True).mode == "incremental"
    export_site(tmp_path / "fresh-2", base_url="http://example.org/")
    assert files(target) == files(tmp_path / "fresh-2")


def test_incremental_exports_leave_no_broken_links(site, served, settings, monkeypatch):
    settings.DIGEST_POSTS_PER_PAGE = 3
    monkeypatch.setattr(PostSitemap, "limit", 4)
    root, origin = served
    base = f"{origin}/"
    export_site(root / "site", base_url=f"{base}site/")
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    export_site(root / "site", incremental=True)
    new_tag = make_tag("New")
    extra = [
        make_post(f"Extra {i}", posted_on=datetime.date(2021, 6, 1 + i), tags=[new_tag])
        for i in range(3)
    ]
    set_status(Post.objects.filter(pk=site["posts"][0].pk), Post.Status.DRAFT)
    assert export_site(root / "site", incremental=True).mode == "incremental"

    pages = crawl(f"{base}site/")
    assert not {url: status for url, (status, _) in pages.items() if status != 200}
    assert f"{base}site/tag/new/" in pages and f"{base}site/archive/2021/06/" in pages
    assert f"{base}site/post/{site['posts'][0].slug}/" not in pages
    locs = sitemap_locs(f"{base}site/")
    assert all(fetch(loc)[0] == 200 for loc in locs)
    assert f"{base}site/post/{extra[2].slug}/" in locs and len(locs) == len(set(locs))


def test_a_new_post_and_its_new_tag_are_written_before_any_live_page_links_to_them(
    site, tmp_path, monkeypatch
):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    live = set(files(target))
    site["draft"].tags.add(make_tag("Moorings"))  # a tag no published post had
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    replace, written = os.replace, []

    def recorded(source, destination):
        replace(source, destination)
        written.append(Path(destination).relative_to(target.resolve()).as_posix())

    monkeypatch.setattr(os, "replace", recorded)
    export_site(target, incremental=True)

    pages = [name for name in written if name != MANIFEST]
    new = [name for name in pages if name not in live]
    slug = site["draft"].slug
    assert {f"post/{slug}/index.html", "tag/moorings/index.html"} <= set(new)
    assert pages[: len(new)] == new  # every page new to the build before any rewritten one
    assert len(new) < len(pages)


def test_an_interrupted_incremental_export_is_repaired_by_the_next(site, tmp_path, monkeypatch):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    replace, calls = os.replace, []

    def disk_full(source, destination):
        calls.append(destination)
        if len(calls) > 3:
            raise OSError(28, "No space left on device (simulated)")
        replace(source, destination)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(ExportError, match="partly updated; the next export rebuilds it"):
        export_site(target, incremental=True)
    monkeypatch.setattr(os, "replace", replace)
    assert (target / export.PENDING).exists()  # three pages written, the manifest not

    report = export_site(target, incremental=True)
    assert report.mode == "full" and "interrupted" in report.reason
    assert not (target / export.PENDING).exists()
    export_site(tmp_path / "fresh", base_url="http://example.org/")
    assert files(target) == files(tmp_path / "fresh")


def test_a_renamed_outlet_falls_back_to_a_full_export(site, tmp_path):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    outlet = site["outlets"]["Valley Times"]
    outlet.name = "Valley Evening Times"
    outlet.save()
    report = export_site(target, incremental=True)
    assert report.mode == "full" and "outlets" in report.reason
    assert b"Valley Evening Times" in (target / "index.html").read_bytes()


def test_a_failed_export_leaves_the_previous_build_in_place(site, tmp_path, monkeypatch):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    good = target.resolve()
    calls = {"n": 0}
    render = Renderer.render

    def fail_midway(self, path, page=1):
        calls["n"] += 1
        if calls["n"] > 5:
            raise ExportError("export: disk full (simulated)")
        return render(self, path, page)

    monkeypatch.setattr(Renderer, "render", fail_midway)
    with pytest.raises(ExportError):
        export_site(target)
    assert target.resolve() == good
    assert (target / "index.html").exists() and (target / MANIFEST).exists()
    assert [p.name for p in export.builds_dir(target).iterdir()] == [good.name]


def _disk_full_after(calls: int, write):
    """`write` failing as a full disk does once `calls` files are written: at the close, with
    an error that names no file."""
    count = {"n": 0}

    def failing(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(*args, **kwargs)

    return failing


def test_a_full_disk_is_said_in_one_line_and_the_live_copy_kept(site, tmp_path, monkeypatch):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    good = target.resolve()
    monkeypatch.setattr(export, "_write", _disk_full_after(5, export._write))
    with pytest.raises(CommandError) as refused:
        call_command("export_static", str(target))
    message = str(refused.value)
    assert refused.value.returncode == 2 and "\n" not in message
    assert f"cannot write the static copy at {target}" in message
    assert "No space left on device" in message and "previous export" in message
    assert "free space on that disk" in message  # what to do, as every command says it
    assert target.resolve() == good and (target / MANIFEST).exists()
    assert [p.name for p in export.builds_dir(target).iterdir()] == [good.name]


def test_a_disk_filling_up_during_a_patch_says_the_next_export_repairs_it(
    site, tmp_path, monkeypatch
):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    monkeypatch.setattr(os, "replace", _disk_full_after(3, os.replace))
    with pytest.raises(CommandError) as refused:
        call_command("export_static", str(target), "--incremental")
    message = str(refused.value)
    assert "No space left on device" in message and "next export" in message
    assert (target / export.PENDING).exists()


def test_readers_always_find_a_complete_build(site, tmp_path):
    """While exports swap builds or patch one, every file a reader opens is complete."""
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    stop = threading.Event()
    problems: list[str] = []

    def read() -> None:
        while not stop.is_set():
            try:
                if Manifest.read(target) is None:
                    problems.append("manifest unreadable")
                for page in ("index.html", "page/2/index.html", "tag/licences/index.html"):
                    if not (target / page).read_text().rstrip().endswith("</html>"):
                        problems.append(f"{page} cut short")
                if not (target / "sitemap.xml").read_text().rstrip().endswith("</sitemapindex>"):
                    problems.append("sitemap.xml cut short")
                (target / "static/digest/site.css").read_bytes()
            except (OSError, ValueError) as exc:
                problems.append(repr(exc))
            stop.wait(0.0005)  # let the exporting thread have the interpreter too

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(2):
            set_status(Post.objects.filter(pk=site["draft"].pk), ["published", "draft"][i % 2])
            export_site(target, incremental=True)
        export_site(target)
    finally:
        stop.set()
        reader.join()
    assert not problems
    assert len(list(export.builds_dir(target).iterdir())) == 2  # current and previous only
    assert not list(target.rglob("*.tmp"))


@pytest.mark.django_db(transaction=True)  # the refresh reads what committed, on its thread
def test_publishing_refreshes_the_static_copy_when_configured(site, tmp_path, settings):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    settings.CLIPDESK_STATIC_TARGET = str(target)
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
    assert refresher.wait(60)
    assert b"Late news" in (target / "index.html").read_bytes()
    set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.DRAFT)
    assert refresher.wait(60)
    assert b"Late news" not in (target / "index.html").read_bytes()


@pytest.mark.django_db(transaction=True)
def test_every_change_to_what_the_site_shows_refreshes_the_static_copy(site, tmp_path, settings):
    """Not only the desk's and the admin list's actions: a post's own form, a deletion and a
    restored version withdrew or brought back posts that the static copy kept showing."""
    from clipdesk.digest.actions import restore_version, save_version

    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    settings.CLIPDESK_STATIC_TARGET = str(target)
    withdrawn, deleted, edited = site["posts"][0], site["posts"][1], site["posts"][2]

    withdrawn.status = Post.Status.DRAFT  # as the admin's change form saves it
    withdrawn.save()
    assert refresher.wait(60)
    assert not (target / f"post/{withdrawn.slug}").exists()

    deleted.delete()
    assert refresher.wait(60)
    assert not (target / f"post/{deleted.slug}").exists()

    version = save_version(edited)
    edited.headline = "Report 2, renamed"
    edited.save()
    assert refresher.wait(60)
    assert b"Report 2, renamed" in (target / f"post/{edited.slug}/index.html").read_bytes()
    restore_version(version)
    assert refresher.wait(60)
    assert b"Report 2, renamed" not in (target / f"post/{edited.slug}/index.html").read_bytes()


@pytest.mark.django_db(transaction=True)
def test_publishing_does_not_wait_for_an_export_already_running(site, tmp_path, settings):
    """The editor's publish returns at once; the copy follows when the running export ends."""
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    settings.CLIPDESK_STATIC_TARGET = str(target)
    with open(tmp_path / ".copy.lock", "a") as lock:  # another export, still running
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Returning while the lock is held is the proof; a publish that waited for the
        # export would wait for ever, so an alarm stops it (no wall-clock bound to miss on a
        # loaded machine).
        signal.signal(signal.SIGALRM, _waited_for_the_export)
        signal.alarm(60)
        try:
            set_status(Post.objects.filter(pk=site["draft"].pk), Post.Status.PUBLISHED)
        finally:
            signal.alarm(0)
        assert not refresher.wait(0.5)  # its refresh waits for the lock meanwhile
        assert b"Late news" not in (target / "index.html").read_bytes()
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert refresher.wait(60)
    assert b"Late news" in (target / "index.html").read_bytes()


def _waited_for_the_export(_signum, _frame):
    raise AssertionError("publishing waited for the export already running")


def test_a_folder_of_other_files_is_never_replaced(site, tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not a static copy made by clipdesk"):
        export_site(target)
    assert (target / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no lock, no builds left


def test_a_symlink_to_a_folder_of_other_files_is_never_replaced(site, tmp_path):
    web_root = tmp_path / "www"
    web_root.mkdir()
    (web_root / "index.html").write_text("my own site")
    target = tmp_path / "public"
    target.symlink_to(web_root)
    for incremental in (False, True):
        with pytest.raises(ExportError, match="not a static copy made by clipdesk"):
            export_site(target, incremental=incremental)
    assert target.is_symlink() and target.resolve() == web_root
    assert (web_root / "index.html").read_text() == "my own site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "www"]


@pytest.mark.parametrize("place", ["under a file", "in /proc"])
def test_a_folder_that_cannot_hold_files_is_refused_in_words(site, tmp_path, place):
    (tmp_path / "notes.txt").write_text("keep me")
    target = tmp_path / "notes.txt" / "site" if place == "under a file" else Path("/proc/site")
    with pytest.raises(ExportError, match=f"cannot write {target}: its folder .* cannot hold"):
        export_site(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_command_prints_the_report(site, tmp_path, capsys):
    call_command(
        "export_static", str(tmp_path / "copy"), "--base-url", "https://x.example/w", "--json"
    )
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "full" and report["base_url"] == "https://x.example/w/"
    call_command("export_static", str(tmp_path / "copy"), "--incremental")
    assert "incremental export" in capsys.readouterr().out


@pytest.mark.postgres_engine
@pytest.mark.django_db(transaction=True)
def test_a_full_export_in_two_processes_is_the_one_process_export(site, tmp_path, monkeypatch):
    """The plan made in a forked process, and forked workers sharing the archive read before
    their fork, give the same site as one process."""
    monkeypatch.setattr(export, "_BATCH", 4)  # small batches: both workers get pages
    monkeypatch.setattr(export, "_PLAN_ASIDE_POSTS", 1)  # planned in a process of its own
    one = export_site(tmp_path / "one", base_url="http://127.0.0.1/", jobs=1)
    two = export_site(tmp_path / "two", base_url="http://127.0.0.1/", jobs=2)
    assert two.rendered == one.rendered > export._BATCH  # enough pages for the workers
    assert files(tmp_path / "two") == files(tmp_path / "one")


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("https://news.example/a b", "https://news.example/a%20b/"),
        ("https://news.example/ünï/", "https://news.example/%C3%BCn%C3%AF/"),
        ("https://bücher.example", "https://xn--bcher-kva.example/"),
        ("https://news.example/a%20b/", "https://news.example/a%20b/"),  # not twice
        ("https://News.Example:8443/x", "https://news.example:8443/x/"),
        ("http://[::1]:8000/", "http://[::1]:8000/"),
        ("http://127.0.0.1/", "http://127.0.0.1/"),
    ],
)
def test_the_base_url_is_written_percent_encoded(given, written):
    assert normalise_base_url(given) == written


@pytest.mark.parametrize(
    "given",
    [
        "news.example/",
        "ftp://news.example/",
        "http://[::1/",
        "https://exa<mple.org/",
        'https://ex"ample.org/',
        "https://news..example/",
        "https://-news.example/",
    ],
)
def test_a_base_url_that_is_no_web_address_is_refused_in_words(given):
    with pytest.raises(ExportError, match=r"^export: the base URL"):
        normalise_base_url(given)


@pytest.mark.parametrize(
    "given",
    ["https://user:pw@example.org:8443/x/", "https://user@example.org/", "http://:pw@x.org/"],
)
def test_a_base_url_with_a_user_or_password_is_refused_before_it_is_published(given):
    with pytest.raises(ExportError, match=r"^export: the base URL .* user name or password"):
        normalise_base_url(given)


def test_the_command_refuses_a_bad_base_url_in_one_line_and_writes_nothing(site, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("export_static", str(tmp_path / "copy"), "--base-url", "https://exa<mple.org/")
    assert refused.value.returncode == 2
    assert "\n" not in str(refused.value) and "exa<mple.org" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_the_sitemap_of_a_base_url_with_a_space_is_valid(site, tmp_path):
    target = tmp_path / "out"
    export_site(target, base_url="https://news.example/our digest/")
    sitemap = (target / "sitemap.xml").read_text()
    assert "https://news.example/our%20digest/" in sitemap and " digest/" not in sitemap


def test_feeds_and_sitemaps_of_a_base_url_with_an_ampersand_are_well_formed_xml(site, tmp_path):
    from lxml import etree

    target = tmp_path / "out"
    export_site(target, base_url="https://example.org/news&views/")
    written = sorted(target.glob("*.xml"))
    assert {"feed.xml", "atom.xml", "sitemap.xml"} <= {p.name for p in written}
    for path in written:
        root = etree.fromstring(path.read_bytes())  # raises on a raw "&"
        addresses = [e.text for e in root.iter("{*}link", "{*}loc", "{*}id") if e.text]
        addresses += [e.get("href") for e in root.iter("{*}link") if e.get("href")]
        assert addresses, path.name
        assert all("/news&views/" in a for a in addresses), path.name


def test_atom_ids_name_the_sites_own_host(site, tmp_path):
    from lxml import etree

    target = tmp_path / "out"
    export_site(target, base_url="https://news.example/digest/")
    atom = etree.fromstring((target / "atom.xml").read_bytes())
    ids = [e.text for e in atom.iterfind("{http://www.w3.org/2005/Atom}entry/{*}id")]
    numbers = {str(p.pk) for p in site["posts"]}
    assert len(ids) == len(numbers)
    for entry_id in ids:
        assert entry_id.startswith("tag:news.example,")
        assert entry_id.split(":/digest/posts/", 1)[1] in numbers
    leaked = [p for p in target.rglob("*") if p.is_file() and b".invalid" in p.read_bytes()]
    assert leaked == []


def test_a_year_whose_last_post_went_leaves_no_empty_folder(site, tmp_path):
    target = tmp_path / "copy"
    lone = make_post("Old harbour note", posted_on=datetime.date(2019, 5, 1))
    export_site(target, base_url="http://example.org/")
    assert (target / "archive/2019/05/index.html").exists()
    assert b"May 2019" in (target / "archive/2019/index.html").read_bytes()

    set_status(Post.objects.filter(pk=lone.pk), Post.Status.DRAFT)
    assert export_site(target, incremental=True).mode == "incremental"

    assert not (target / "archive/2019").exists()
    folders = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_dir()}
    export_site(tmp_path / "fresh", base_url="http://example.org/")
    fresh = tmp_path / "fresh"
    assert folders == {str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_dir()}


def test_a_post_in_a_new_year_gives_its_year_page_incrementally(site, tmp_path):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    assert not (target / "archive/2024").exists()
    make_post("New year note", posted_on=datetime.date(2024, 1, 5))
    assert export_site(target, incremental=True).mode == "incremental"
    year = (target / "archive/2024/index.html").read_text()
    assert "January 2024" in year and "archive/2024/01/" in year
    assert b"archive/2024/" in (target / "archive/index.html").read_bytes()


def _sends_to(page: Path) -> str:
    """The address a moved post's page sends readers to (its refresh and canonical agree)."""
    text = page.read_text()
    refresh = text.split('http-equiv="refresh" content="0; url=', 1)[1].split('"', 1)[0]
    assert f'<link rel="canonical" href="{refresh}">' in text
    return refresh


def test_a_post_whose_slug_changed_keeps_a_page_at_its_old_address(site, tmp_path):
    post = site["posts"][2]
    old_slug = post.slug
    post.slug = "report-two-corrected"
    post.save()
    target = tmp_path / "copy"
    export_site(target, base_url="https://example.org/watch/")

    moved = target / f"post/{old_slug}/index.html"
    assert _sends_to(moved) == "https://example.org/watch/post/report-two-corrected/"
    assert (target / "post/report-two-corrected/index.html").exists()
    sitemap = (target / "sitemap-posts.xml").read_text()
    assert f"post/{old_slug}/" not in sitemap  # an old address is no page to index


def test_old_addresses_follow_a_post_through_incremental_exports(site, tmp_path):
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")
    post, other = site["posts"][4], site["posts"][5]
    first_slug = post.slug

    post.slug = "second-name"
    post.save()
    assert export_site(target, incremental=True).mode == "incremental"
    assert _sends_to(target / f"post/{first_slug}/index.html").endswith("/post/second-name/")

    post.slug = "third-name"
    post.save()
    export_site(target, incremental=True)
    for old in (first_slug, "second-name"):  # both old addresses lead to the newest
        assert _sends_to(target / f"post/{old}/index.html").endswith("/post/third-name/")
    export_site(tmp_path / "fresh", base_url="http://example.org/")
    assert files(target) == files(tmp_path / "fresh")

    other.slug = "second-name"  # another post takes an old address: it is that post's now
    other.save()
    export_site(target, incremental=True)
    assert other.headline.encode() in (target / "post/second-name/index.html").read_bytes()

    set_status(Post.objects.filter(pk=post.pk), Post.Status.DRAFT)
    export_site(target, incremental=True)
    assert not (target / f"post/{first_slug}").exists()
    assert not (target / "post/third-name").exists()
    export_site(tmp_path / "fresh-2", base_url="http://example.org/")
    assert files(target) == files(tmp_path / "fresh-2")


def test_the_manifest_names_no_tag_or_outlet_only_drafts_have(site, tmp_path):
    """The manifest lies in the published folder (a dotfile many servers serve)."""
    make_post(
        "Embargoed report",
        status=Post.Status.DRAFT,
        credits=[{"outlet": make_outlet("Embargo Weekly")}],
        tags=[make_tag("Secret Inquiry")],
    )
    target = tmp_path / "copy"
    export_site(target, base_url="http://example.org/")

    text = (target / MANIFEST).read_text()
    assert "Secret Inquiry" not in text and "Embargo Weekly" not in text
    assert "Hearings" in text and "Valley Times" in text
    # A published post's tag renamed is still seen, and the copy made again.
    site["tags"]["Hearings"].name = "Public hearings"
    site["tags"]["Hearings"].save()
    report = export_site(target, incremental=True)
    assert report.mode == "full" and "tags renamed" in report.reason
