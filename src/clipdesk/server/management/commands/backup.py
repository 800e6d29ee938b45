"""`clipdesk backup DEST`: a consistent copy of the instance while it runs; `--keep N` removes
the older backups beyond the newest N; `--verify DEST` checks one.

Exit status: 0 the backup is written (or verified whole); 1 it could not be written (a full
or refusing disk: nothing of it is kept) or the backup verified is damaged; 2 refused (DEST
inside the home, or holding other files and no backup; no backup to verify; no database;
--keep below 1). A backup written whose old backups could not all be removed exits 1 too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from clipdesk.arguments import usage_name
from clipdesk.command import ClipdeskCommand
from clipdesk.server.backup import (
    BackupFailed,
    BackupRefused,
    BackupReport,
    back_up,
    verify_backup,
)


class Command(ClipdeskCommand):
    help = (
        "Write a consistent copy of the instance into a new folder of DEST (the database, "
        "the snapshots, the signing key), while it keeps running; snapshot files unchanged "
        "since this instance's previous backup in DEST are linked to it. --verify DEST checks "
        "the newest backup there (or DEST itself) against its manifest. --keep N removes this "
        "instance's oldest backups beyond its newest N. Exit 0 done, 1 not written or "
        "damaged, 2 refused."
    )
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        return super().create_parser(prog_name, usage_name(prog_name, subcommand), **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "dest", metavar="DEST", help="the folder that holds the backups (outside the home)"
        )
        parser.add_argument(
            "--with-index",
            action="store_true",
            help="copy the search index too (else run `clipdesk reindex` after restoring)",
        )
        parser.add_argument(
            "--keep",
            metavar="N",
            type=keep_count,
            help="once the backup is written, remove this instance's oldest backups in DEST "
            "beyond its newest N (the new one among them); other instances' are left alone",
        )
        parser.add_argument(
            "--verify", action="store_true", help="check the newest backup in DEST instead"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(
        self,
        *args,
        dest: str,
        with_index: bool,
        keep: int | None,
        verify: bool,
        json: bool,
        **opts,
    ):
        try:
            if verify:
                if keep is not None:
                    raise BackupRefused(
                        "backup: --keep removes old backups after writing one; it does not "
                        "go with --verify"
                    )
                self._verify(Path(dest), json)
                return
            database = settings.DATABASES["default"]
            sqlite = database["ENGINE"].endswith("sqlite3")
            report = back_up(
                settings.CLIPDESK_HOME,
                Path(dest),
                database=Path(database["NAME"]) if sqlite else None,
                with_index=with_index,
                keep=keep,
            )
        except BackupRefused as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except BackupFailed as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if json:
            self.stdout.write(_dumps(report.as_dict()))
            self._fail_on_not_removed(report, as_json=True)
            return
        summary = report.as_dict()
        linked = (
            f", {len(report.linked)} unchanged snapshot file(s) linked to the previous backup "
            f"({summary['linked_bytes'] / 1e6:.1f} MB)"
            if report.linked
            else ""
        )
        self.stdout.write(
            f"backup written to {report.path}: {len(report.copied)} file(s) copied "
            f"({summary['copied_bytes'] / 1e6:.1f} MB){linked}, in {report.seconds:.1f} s"
        )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for partial in report.removed_partials:
            self.stdout.write(
                f"removed {partial}: left by a backup that was stopped (no writer holds its "
                "lock, unchanged for over a day)"
            )
        for folder in report.removed:
            self.stdout.write(f"removed old backup {folder} (--keep {keep})")
        self._fail_on_not_removed(report, as_json=False)

    def _fail_on_not_removed(self, report: BackupReport, *, as_json: bool) -> None:
        if not report.not_removed:
            return
        if not as_json:
            for what in report.not_removed:
                self.stderr.write(f"backup: could not remove {what}")
        raise CommandError(
            f"backup: written to {report.path}, but {len(report.not_removed)} folder(s) of "
            "the destination could not be removed",
            returncode=1,
        )

    def _verify(self, dest: Path, as_json: bool) -> None:
        report = verify_backup(dest)
        if as_json:
            self.stdout.write(_dumps(report.as_dict()))
        elif not report.problems:
            self.stdout.write(
                f"backup {report.path} is whole: {report.files} file(s) match the manifest, "
                f"{report.records} WARC record(s) read"
            )
        for problem in report.problems:
            if not as_json:
                self.stderr.write(f"backup --verify: {report.path}/{problem}")
        if report.problems:
            raise CommandError(
                f"backup --verify: {len(report.problems)} problem(s) in {report.path}",
                returncode=1,
            )


def keep_count(text: str) -> int:
    """--keep's value, refused by the command line (exit 2, before anything is begun) unless
    it is a count of backups to keep: the new one is always among them."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a whole number, not {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(
            f"must be 1 or more (the backups kept, the new one among them), not {count}"
        )
    return count


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2)
