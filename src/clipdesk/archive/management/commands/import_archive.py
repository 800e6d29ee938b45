import json
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError
from rich.console import Console
from rich.progress import Progress

from clipdesk.archive.importing import (
    ImportFailure,
    ImportSummary,
    gazetteer_for,
    import_page,
    superseded_copies,
)
from clipdesk.archive.parsing import ArchivePage, OutletGazetteer
from clipdesk.archive.reading import (
    ArchiveFileError,
    ArchiveFiles,
    LeftOutFile,
    find_archive_files,
    read_pages,
)
from clipdesk.arguments import usage_name
from clipdesk.command import ClipdeskCommand
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.server.setup import refresh_query_statistics
from clipdesk.storage import database_refusal

# Doubts said one a line in the summary, the first this many; --json lists them all.
DOUBTS_SHOWN = 20


class Command(ClipdeskCommand):
    help = (
        "Import saved digest pages (plain text or HTML). Idempotent: importing a file again "
        "changes nothing, and a corrected post is updated in place."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        return super().create_parser(prog_name, usage_name(prog_name, subcommand), **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse only; write nothing to the database"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, paths: list[str], dry_run: bool, json: bool, **options) -> None:
        found = find_archive_files(paths)
        if not found.pages:
            self._no_archive_files(found)
        if dry_run:
            self._dry_run(found, as_json=json)
        else:
            self._import(found, as_json=json)

    def _dry_run(self, found: ArchiveFiles, as_json: bool) -> None:
        files = found.pages
        # The outlets the database knows, as the import itself reads with them (a dry run
        # that showed otherwise told the editor something the import would not do); none on
        # an instance not set up yet.
        try:
            gazetteer = gazetteer_for(OutletDirectory())
        except DatabaseError:
            gazetteer = OutletGazetteer()
        site: dict = {"name": None, "about": None}
        posts: list[dict] = []
        failures: list[str] = []
        read = read_pages(files, gazetteer, postless_allowed=found.postless_allowed)
        pages = self._pages_read(found, read)
        read_whole = [read for _, read in pages if not isinstance(read, ArchiveFileError)]
        later_corrected = superseded_copies(read_whole)
        superseded = iter(later_corrected)
        corrected_later = 0
        for _path, read in pages:
            if isinstance(read, ArchiveFileError):
                failures.append(str(read))
                continue
            page = read.as_dict()
            site["name"] = site["name"] or page["site"]["name"]
            site["about"] = site["about"] or page["site"]["about"]
            # A copy that a later file gives again with its dates corrected is not written by
            # the import; the dry run shows the posts the import would write.
            not_written = next(superseded)
            corrected_later += len(not_written)
            posts.extend(p for i, p in enumerate(page["posts"]) if i not in not_written)
        if as_json:
            left_out = found.left_out_list()
            shown = {"site": site, "posts": posts, "left_out_files": left_out}
            doubtful = {"doubtful": doubts_in(pages, later_corrected)}
            self.stdout.write(json_dumps({**shown, "skipped_files": left_out, **doubtful}))
        else:
            aside = (
                f" ({corrected_later} older copy(ies) that a later file corrects not written)"
                if corrected_later
                else ""
            )
            self.stdout.write(
                f"{len(posts)} post(s) found in {len(pages)} file(s){aside}; nothing written."
            )
            self._say_left_out(found)
            self._say_doubts(doubts_in(pages, later_corrected))
        self._fail_if(failures)

    def _import(self, found: ArchiveFiles, as_json: bool) -> None:
        files = found.pages
        try:
            outlets = OutletDirectory()
        except DatabaseError as exc:
            raise CommandError(
                f"cannot read the instance's database ({exc}); run `clipdesk init` first",
                returncode=2,
            ) from exc
        gazetteer = gazetteer_for(outlets)
        with Progress(console=Console(stderr=True), disable=as_json, transient=True) as progress:
            reading = progress.add_task("Reading", total=len(files))
            task = progress.add_task("Importing", total=len(files))
            read = read_pages(
                files,
                gazetteer,
                on_read=lambda _: progress.advance(reading),
                postless_allowed=found.postless_allowed,
            )
            pages = self._pages_read(found, read)
            progress.update(task, total=len(pages))
            summary = ImportSummary(left_out_files=found.left_out_list())
            read_whole = [read for _, read in pages if not isinstance(read, ArchiveFileError)]
            later_corrected = superseded_copies(read_whole)
            superseded = iter(later_corrected)
            for path, read in pages:
                summary.files += 1
                if isinstance(read, ArchiveFileError):
                    summary.failures.append(ImportFailure(str(path), str(read)))
                    progress.advance(task)
                    continue
                try:
                    summary.totals += import_page(read, outlets, next(superseded))
                except DatabaseError as exc:
                    if database_refusal(exc) is not None:
                        # A full or read-only disk refuses every file after this one too:
                        # said once (cli.py), not once a file. This file is rolled back, the
                        # ones before it are stored, and importing again skips them.
                        raise
                    summary.failures.append(ImportFailure(str(path), f"{path}: not stored ({exc})"))
                    outlets = OutletDirectory()  # forget outlets the rolled-back file created
                progress.advance(task)
        if summary.totals.added:
            refresh_query_statistics()  # the tables may have grown tenfold
        if as_json:
            doubts = doubts_in(pages, later_corrected)
            self.stdout.write(json_dumps({**summary.as_dict(), "doubtful": doubts}))
        else:
            t = summary.totals
            repeated = f", {t.repeated} repeated copy(ies) not written" if t.repeated else ""
            self.stdout.write(
                f"{summary.files} file(s): {t.added} post(s) added, {t.updated} updated, "
                f"{t.unchanged} unchanged (already stored as they are){repeated}, "
                f"{len(summary.failures)} file(s) failed."
            )
            self._say_left_out(found)
            self._say_doubts(doubts_in(pages, later_corrected))
        self._fail_if([f.reason for f in summary.failures])

    def _pages_read(
        self,
        found: ArchiveFiles,
        read: Iterable[tuple[Path, ArchivePage | ArchiveFileError | LeftOutFile]],
    ) -> list[tuple[Path, ArchivePage | ArchiveFileError]]:
        """The files read as pages (or that failed); those found to be no digest page join
        the files left out, and when that is all of them there is nothing to import."""
        pages: list[tuple[Path, ArchivePage | ArchiveFileError]] = []
        for path, page in read:
            if isinstance(page, LeftOutFile):
                found.leave(path, page.reason)
            else:
                pages.append((path, page))
        if not pages:
            self._no_archive_files(found)
        return pages

    def _no_archive_files(self, found: ArchiveFiles) -> None:
        for line in found.left_out_lines():
            self.stderr.write(f"import-archive: {line}")
        raise CommandError("no archive files found in the given paths", returncode=2)

    def _say_left_out(self, found: ArchiveFiles) -> None:
        """The files of the folders given that were left out, and why: a page under a name
        the import did not expect used to be left out without a word. Posts already stored
        are "unchanged", files are "left out": one word ("skipped") said both."""
        for line in found.left_out_lines():
            self.stdout.write(line)

    def _say_doubts(self, doubts: list[dict[str, str]]) -> None:
        """What the reading doubts in the posts written (a date not yet come, one that reads
        as no date, no source line), one a line: stored as read, they were imported without
        a word."""
        for doubt in doubts[:DOUBTS_SHOWN]:
            self.stdout.write(f"doubtful: {doubt['path']}: “{doubt['headline']}”: {doubt['doubt']}")
        if len(doubts) > DOUBTS_SHOWN:
            more = len(doubts) - DOUBTS_SHOWN
            self.stdout.write(f"doubtful: {more} more; --json lists them all")

    def _fail_if(self, failures: list[str]) -> None:
        for reason in failures:
            self.stderr.write(f"import-archive: {reason}")
        if failures:
            raise CommandError(f"{len(failures)} file(s) could not be imported", returncode=2)


def doubts_in(
    pages: list[tuple[Path, ArchivePage | ArchiveFileError]], later_corrected: list[set[int]]
) -> list[dict[str, str]]:
    """Every doubt of the posts the import writes, with its file and post: {"path",
    "headline", "doubt"}. Not of a copy a later file corrects (`later_corrected`, a set of
    post indexes a page read whole), and a post repeated on its page is said once."""
    whole = [(path, page) for path, page in pages if isinstance(page, ArchivePage)]
    said = {
        (str(path), post.headline, doubt): None
        for (path, page), not_written in zip(whole, later_corrected, strict=True)
        for index, post in enumerate(page.posts)
        if index not in not_written
        for doubt in post.doubts
    }
    return [{"path": path, "headline": headline, "doubt": doubt} for path, headline, doubt in said]


def json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
