import json
import time

from django.core.management.base import BaseCommand

from clipdesk.ingest import poll_sources


class Command(BaseCommand):
    help = "Poll the sources that are due, store new articles and match the watchlists."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one round over every enabled source, then stop"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--workers", type=int, default=8, help="requests in flight at once")
        parser.add_argument("--interval", type=int, default=60, help="seconds between rounds")

    def handle(self, *args, once: bool, json: bool, workers: int, interval: int, **opts) -> None:
        while True:
            summary = poll_sources(due_only=not once, workers=workers)
            self._report(summary, as_json=json)
            if once:
                return
            time.sleep(interval)

    def _report(self, summary, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
            return
        d = summary.as_dict()
        self.stdout.write(
            f"{d['sources_polled']} source(s) polled, {d['not_modified']} not modified, "
            f"{len(d['failed'])} failed; {d['entries_seen']} entries seen, "
            f"{d['articles_new']} new article(s), {d['articles_matched']} matched."
        )
        for failure in d["failed"]:
            self.stderr.write(f"  {failure['url']}: {failure['reason']}")
