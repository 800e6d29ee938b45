"""Finding and reading the files of an import: paths in, parsed pages (or reasons) out."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clipdesk.archive.parsing import (
    ArchivePage,
    ArchiveParseError,
    NoPostsError,
    OutletGazetteer,
    parse_archive,
    reads_as_html,
)
from clipdesk.archive.wordpress import is_feed, is_wordpress_export

ARCHIVE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml"}
# Pages a web server made (PHP, server-side includes, ASP, JSP, ColdFusion): saved from a
# site they are HTML under another name, but a folder may also hold the scripts themselves,
# so their content decides. So for names with a query ("index.php?p=12", as site copiers
# save them) and names without an ending.
SERVER_PAGE_SUFFIXES = {
    ".php",
    ".php3",
    ".php5",
    ".phtml",
    ".shtml",
    ".shtm",
    ".stm",
    ".asp",
    ".aspx",
    ".jsp",
    ".jspx",
    ".cfm",
}
MAX_FILE_BYTES = 50 * 1024 * 1024
# How much of a file is looked at to tell what it is.
SNIFF_BYTES = 4096
# Server-side code: "<?php", "<?=", "<% ... %>" never reach a page the server sent.
_SERVER_CODE = re.compile(rb"<\?(?:php\b|=)|<%", re.IGNORECASE)
# Files a site serves beside its pages for crawlers, ad networks and the curious: a saved
# site holds them, and being text they were read as pages and failed the import.
SITE_FILE_NAMES = frozenset(
    {
        "robots.txt",
        "humans.txt",
        "ads.txt",
        "app-ads.txt",
        "security.txt",
        "llms.txt",
        "llms-full.txt",
        "crossdomain.xml",
        "browserconfig.xml",
    }
)
# "sitemap.xml", "sitemap_index.xml", "post-sitemap.xml", "wp-sitemap-posts-1.xml",
# "sitemap.txt" (one address a line).
_SITEMAP_NAME = re.compile(r"sitemap[\w.-]*\.(?:xml|txt)$")
_SITEMAP_ROOT = re.compile(rb"<(?:\w+:)?(?:urlset|sitemapindex)\b")
# Plain-text files of a folder: those with no post in them are left out (a readme, a list
# of addresses); an HTML page is left only by its name or first bytes, as before.
TEXT_SUFFIXES = {".txt", ".text"}
# Why files are left out, where several files share the reason.
SITE_FILE = "a site file by its name, not a page"
SITEMAP = "a sitemap"
FEED = "an RSS or Atom feed"
TEXT_WITHOUT_POSTS = "text with no post in it"
PAGE_WITHOUT_POSTS = "a page with no post in it (an about, contact or index page)"
# Left-out files named in the summary under each reason; the rest are counted.
LEFT_OUT_NAMES_SHOWN = 3


class ArchiveFileError(Exception):
    """A file that cannot be imported; the message names the file and the reason."""


class NoPostsInFile(ArchiveFileError):
    """A file that was read and holds no post (see `parsing.NoPostsError`)."""


@dataclass(frozen=True)
class LeftOutFile:
    """A file of a folder read and found to be no digest page: left out, not failed."""

    reason: str


@dataclass
class ArchiveFiles:
    """The files an import reads, and those of its folders it leaves out, by the reason why.

    `postless_allowed`: the files of the folders given. Read, one that holds no post is left
    out with the rest (a saved site's about and contact pages, a folder's notes or address
    lists are no failure, and the summary names them), where a file named on its own that
    holds none fails the import: it was named as an archive page."""

    pages: list[Path] = field(default_factory=list)
    left_out: dict[str, list[Path]] = field(default_factory=dict)
    postless_allowed: set[Path] = field(default_factory=set)

    def leave(self, path: Path, reason: str) -> None:
        self.left_out.setdefault(reason, []).append(path)

    def left_out_lines(self) -> list[str]:
        """One line a reason: how many files, why, and the first few of them."""
        lines = []
        for reason, paths in self.left_out.items():
            names = ", ".join(str(p) for p in paths[:LEFT_OUT_NAMES_SHOWN])
            more = len(paths) - LEFT_OUT_NAMES_SHOWN
            names += f" and {more} more" if more > 0 else ""
            lines.append(f"left out {len(paths)} file(s), {reason}: {names}")
        return lines

    def left_out_list(self) -> list[dict[str, str]]:
        return [
            {"path": str(path), "reason": reason}
            for reason, paths in self.left_out.items()
            for path in paths
        ]


def find_archive_files(paths: list[str]) -> ArchiveFiles:
    """Files as given, and the archive files inside any folder given (sorted, recursive),
    with every other file of those folders and why it is not read."""
    found = ArchiveFiles()
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.pages.append(path)
            continue
        for inner in sorted(p for p in path.rglob("*") if p.is_file()):
            reason = _why_not_read(inner)
            if reason is not None:
                found.leave(inner, reason)
                continue
            found.pages.append(inner)
            found.postless_allowed.add(inner)
    return found


def _without_posts(path: Path) -> str:
    return TEXT_WITHOUT_POSTS if _suffix(path) in TEXT_SUFFIXES else PAGE_WITHOUT_POSTS


def expand_paths(paths: list[str]) -> Iterator[Path]:
    """Files as given, and the archive files inside any folder given (sorted, recursive)."""
    yield from find_archive_files(paths).pages


def _suffix(path: Path) -> str:
    return path.suffix.lower().split("?", 1)[0]


def _why_not_read(path: Path) -> str | None:
    """None for a file of a folder that is a page (by its name, or a server's page or a
    WordPress export by its first bytes), else why it is left: a saved site holds styles,
    pictures, scripts, its robots.txt and ads.txt, sitemaps and feeds, no part of the
    archive."""
    name = path.name.casefold().split("?", 1)[0]
    if name in SITE_FILE_NAMES:
        return SITE_FILE
    if _SITEMAP_NAME.search(name):
        return SITEMAP
    suffix = _suffix(path)
    if suffix and suffix not in ARCHIVE_SUFFIXES | SERVER_PAGE_SUFFIXES | {".xml"}:
        return f"not a page by its name ({suffix})"
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if is_wordpress_export(head):
        return None
    # A feed is saved under any name: "rss.xml", "atom.xml", and "feed/index.html" by copiers
    # that name every address ending in "/" so.
    if is_feed(head):
        return FEED
    if _SITEMAP_ROOT.search(head):
        return SITEMAP
    if suffix == ".xml":
        return "XML that is not a WordPress export"
    if suffix in ARCHIVE_SUFFIXES:
        return None
    kind = suffix or "no name ending"
    if _SERVER_CODE.search(head):
        return f"server code, not a saved page ({kind})"
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if reads_as_html(head.decode("utf-8", "replace")):
        return None
    return f"not an HTML page ({kind})"


def read_page(path: Path, gazetteer: OutletGazetteer) -> ArchivePage:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArchiveFileError(f"{path}: file is {size} bytes, over the 50 MB limit")
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise ArchiveFileError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ArchiveFileError(f"{path}: is a folder") from exc
    except OSError as exc:
        raise ArchiveFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return parse_archive(content, gazetteer=gazetteer, filename=path.name)
    except NoPostsError as exc:
        raise NoPostsInFile(f"{path}: {exc}") from exc
    except ArchiveParseError as exc:
        raise ArchiveFileError(f"{path}: {exc}") from exc
    except Exception as exc:  # a parser bug must cost one file, not the whole import
        raise ArchiveFileError(
            f"{path}: the parser failed on this file ({type(exc).__name__}: {exc})"
        ) from exc


def read_pages(
    paths: list[Path],
    gazetteer: OutletGazetteer,
    on_read: Callable[[Path], None] = lambda path: None,
    postless_allowed: Collection[Path] = (),
) -> Iterator[tuple[Path, ArchivePage | ArchiveFileError | LeftOutFile]]:
    """Every file's page (or why it cannot be read), each read knowing every outlet the whole
    archive names; a file of `postless_allowed` that holds no post is a `LeftOutFile`.

    A credit with one name ("Morning Beacon, March 4 2021") is an outlet when the gazetteer
    knows that name, else it may read as a person. Read once in order, a page took an outlet
    for its author when only a later page showed it to be an outlet, and the next import,
    knowing it, changed the post: what an import made depended on the order of its files.
    So every file is read first, the gazetteer learning from all of them; a page read before
    it learned its last outlet is read again. `on_read` is told of each first reading.
    """
    first: list[tuple[Path, ArchivePage | ArchiveFileError | LeftOutFile, int]] = []
    for path in paths:
        page: ArchivePage | ArchiveFileError | LeftOutFile
        try:
            page = read_page(path, gazetteer)
        except NoPostsInFile as exc:
            page = LeftOutFile(_without_posts(path)) if path in postless_allowed else exc
        except ArchiveFileError as exc:
            page = exc
        first.append((path, page, len(gazetteer)))
        on_read(path)
    learned = len(gazetteer)
    for path, page, known in first:
        if known < learned and isinstance(page, ArchivePage):
            try:
                page = read_page(path, gazetteer)
            except ArchiveFileError as exc:
                page = exc
        yield path, page
