"""`clipdesk scheduler`: Celery beat, sending the look for due sources every interval."""

from __future__ import annotations

from django.conf import settings

from clipdesk.command import ClipdeskCommand
from clipdesk.server.guards import log_level, require_broker, require_broker_accepts


class Command(ClipdeskCommand):
    help = "Run the scheduler: every CLIPDESK_SCHEDULER_INTERVAL s, claim and poll due sources."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            default=None,
            help="beat's state file (default: celerybeat-schedule in the instance home)",
        )

    def handle(self, *args, schedule: str | None, **opts) -> None:
        require_broker("scheduler")
        require_broker_accepts("scheduler")
        path = schedule or str(settings.CLIPDESK_HOME / "celerybeat-schedule")
        settings.CLIPDESK_HOME.mkdir(parents=True, exist_ok=True)
        from clipdesk.celery import app  # only now: without a broker Celery is never imported

        code = app.start(["beat", "--schedule", path, "--loglevel", log_level()])
        if code:
            raise SystemExit(code)
