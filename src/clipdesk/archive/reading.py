"""Finding and reading the files of an import: paths in, parsed pages (or reasons) out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from clipdesk.archive.parsing import ArchivePage, ArchiveParseError, OutletGazetteer, parse_archive
from clipdesk.archive.wordpress import is_wordpress_export

ARCHIVE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml"}
MAX_FILE_BYTES = 50 * 1024 * 1024


class ArchiveFileError(Exception):
    """A file that cannot be imported; the message names the file and the reason."""


def expand_paths(paths: list[str]) -> Iterator[Path]:
    """Files as given, and the archive files inside any folder given (sorted, recursive)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_archive_file(p))
        else:
            yield path


def _is_archive_file(path: Path) -> bool:
    """A page by its name, or a WordPress export (.xml) by its first bytes: a folder of a
    saved site holds other XML (sitemaps, feeds) that is no part of the archive."""
    suffix = path.suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        return True
    if suffix != ".xml":
        return False
    try:
        with path.open("rb") as file:
            return is_wordpress_export(file.read(4096))
    except OSError:
        return False


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
