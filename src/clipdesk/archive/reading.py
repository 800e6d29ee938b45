"""Finding and reading the files of an import: paths in, parsed pages (or reasons) out."""

from __future__ import annotations

from collections.abc import Iterator
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
