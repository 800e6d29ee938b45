"""`clipdesk worker`: a Celery worker for the ingest tasks (see docs/celery.md)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import CommandError

from clipdesk.command import ClipdeskCommand
from clipdesk.server.guards import (
    log_level,
    require_broker,
    require_broker_accepts,
    require_migrated,
)

QUEUES = ("default", "grouping")


class Command(ClipdeskCommand):
    help = "Run a worker: polling, fetching, extraction and matching, or (one) grouping."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queues",
            default="default",
            help="comma-separated: default (poll, fetch, extract, match; run any number) "
            "and/or grouping (stories; exactly one process in the whole deployment)",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="worker processes (default: the CPU count; always 1 with the grouping queue)",
        )

    def handle(self, *args, queues: str, concurrency: int | None, **opts) -> None:
        require_broker("worker")
        wanted = [q.strip() for q in queues.split(",") if q.strip()]
        unknown = sorted(set(wanted) - set(QUEUES))
        if not wanted or unknown:
            raise CommandError(
                f"worker: unknown queue(s) {', '.join(unknown) or '(none)'}; "
                f"choose from {', '.join(QUEUES)}",
                returncode=2,
            )
        if "grouping" in wanted:
            if concurrency not in (None, 1):
                raise CommandError(
                    "worker: the grouping queue runs in one process (its story index lives "
                    "in memory); use --concurrency 1, or a separate worker for the default queue",
                    returncode=2,
                )
            concurrency = 1
        if concurrency is not None and concurrency < 1:
            raise CommandError("worker: --concurrency must be at least 1", returncode=2)
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            raise CommandError(
                "worker: workers need PostgreSQL (DATABASE_URL=postgres://...): SQLite takes one "
                "writer and has no locks across processes; without workers, `clipdesk poll` "
                "runs on SQLite",
                returncode=2,
            )
        require_migrated("worker")
        require_broker_accepts("worker")
        from clipdesk.celery import app  # only now: without a broker Celery is never imported

        code = app.start(
            [
                "worker",
                "--queues", ",".join(wanted),
                "--concurrency", str(concurrency or os.cpu_count() or 2),
                "--hostname", f"{'+'.join(wanted)}-{os.getpid()}@%h",
                "--loglevel", log_level(),
                # Workers share nothing but the queues: no start-up sync or gossip to wait for.
                "--without-mingle", "--without-gossip",
            ]
        )  # fmt: skip
        if code:
            raise SystemExit(code)
