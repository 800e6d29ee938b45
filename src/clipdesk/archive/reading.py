"""Finding and reading the files of an import: paths in, parsed pages (or reasons) out."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clipdesk.archive.parsing import (
    ArchivePage,
    ArchiveParseError,
    OutletGazetteer,
    parse_archive,
    reads_as_html,
)
from clipdesk.archive.wordpress import is_wordpress_export

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
# Skipped files named in the summary under each reason; the rest are counted.
SKIPPED_NAMES_SHOWN = 3


class ArchiveFileError(Exception):
    """A file that cannot be imported; the message names the file and the reason."""


@dataclass
class ArchiveFiles:
    """The files an import reads, and those of its folders it leaves, by the reason why."""

    pages: list[Path] = field(default_factory=list)
    skipped: dict[str, list[Path]] = field(default_factory=dict)

    def skip(self, path: Path, reason: str) -> None:
        self.skipped.setdefault(reason, []).append(path)

    def skipped_lines(self) -> list[str]:
        """One line a reason: how many files, why, and the first few of them."""
        lines = []
        for reason, paths in self.skipped.items():
            names = ", ".join(str(p) for p in paths[:SKIPPED_NAMES_SHOWN])
            more = len(paths) - SKIPPED_NAMES_SHOWN
            names += f" and {more} more" if more > 0 else ""
            lines.append(f"skipped {len(paths)} file(s), {reason}: {names}")
        return lines

    def skipped_list(self) -> list[dict[str, str]]:
        return [
            {"path": str(path), "reason": reason}
            for reason, paths in self.skipped.items()
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
            if reason is None:
                found.pages.append(inner)
            else:
                found.skip(inner, reason)
    return found


def expand_paths(paths: list[str]) -> Iterator[Path]:
    """Files as given, and the archive files inside any folder given (sorted, recursive)."""
    yield from find_archive_files(paths).pages


def _why_not_read(path: Path) -> str | None:
    """None for a file of a folder that is a page (by its name, or a server's page or a
    WordPress export by its first bytes), else why it is left: a saved site holds styles,
    pictures, scripts and other XML (sitemaps, feeds) that are no part of the archive."""
    suffix = path.suffix.lower().split("?", 1)[0]
    if suffix in ARCHIVE_SUFFIXES:
        return None
    if suffix and suffix != ".xml" and suffix not in SERVER_PAGE_SUFFIXES:
        return f"not a page by its name ({suffix})"
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if suffix == ".xml":
        return None if is_wordpress_export(head) else "XML that is not a WordPress export"
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
) -> Iterator[tuple[Path, ArchivePage | ArchiveFileError]]:
    """Every file's page (or why it cannot be read), each read knowing every outlet the whole
    archive names.

    A credit with one name ("Morning Beacon, March 4 2021") is an outlet when the gazetteer
    knows that name, else it may read as a person. Read once in order, a page took an outlet
    for its author when only a later page showed it to be an outlet, and the next import,
    knowing it, changed the post: what an import made depended on the order of its files.
    So every file is read first, the gazetteer learning from all of them; a page read before
    it learned its last outlet is read again. `on_read` is told of each first reading.
    """
    first: list[tuple[Path, ArchivePage | ArchiveFileError, int]] = []
    for path in paths:
        try:
            page: ArchivePage | ArchiveFileError = read_page(path, gazetteer)
        except ArchiveFileError as exc:
            page = exc
        first.append((path, page, len(gazetteer)))
        on_read(path)
    learned = len(gazetteer)
    for path, page, known in first:
        if known < learned and not isinstance(page, ArchiveFileError):
            try:
                page = read_page(path, gazetteer)
            except ArchiveFileError as exc:
                page = exc
        yield path, page
