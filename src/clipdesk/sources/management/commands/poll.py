import json
import logging
import time

from django.core.management.base import CommandError
from django.db import close_old_connections, connections
from django.db.models.functions import Mod
from django.utils import timezone

from clipdesk.arguments import whole_number
from clipdesk.command import ClipdeskCommand
from clipdesk.ingest import poll_sources
from clipdesk.sources.models import Source
from clipdesk.watch.rematching import rematch_outcome, run_requested_rematch
from clipdesk.watch.store import MATCHING_CHANGED, matching_has_changed

# Between rounds the poller sleeps until the next source is due, within these bounds: a
# source added meanwhile (due at once) waits a minute at most, where it waited five.
MIN_SLEEP, MAX_SLEEP = 5, 60
# After a round that failed as a whole (the database restarting, or locked for longer than
# its busy timeout), the next one starts after this pause.
PAUSE_AFTER_FAILURE = MIN_SLEEP

log = logging.getLogger("clipdesk.poll")


class Command(ClipdeskCommand):
    help = "Poll the sources that are due, store new articles and match the watchlists."
    # Django's system checks import the site's URLconf and views, which polling never uses:
    # 0.15 s of every `poll --once` on a slow day. `clipdesk init` runs them when it sets up
    # or migrates the instance, as for export-static, run and worker.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one round over every enabled source, then stop"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument(
            "--workers", type=whole_number(1), default=8, help="requests in flight at once"
        )
        parser.add_argument(
            "--shard",
            default="0/1",
            help="I/N: poll only sources whose id is I modulo N (for N processes side by side)",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="report only rounds that found or failed"
        )

    def handle(self, *args, once: bool, json: bool, workers: int, quiet: bool, **opts) -> None:
        shard = _parse_shard(opts["shard"])
        options = {"workers": workers, "shard": shard, "quiet": quiet, "as_json": json}
        if matching_has_changed():
            # Once per run: a poller that runs for weeks would repeat it every round.
            self.stderr.write(f"watch: {MATCHING_CHANGED}")
        if once:
            self._round(due_only=False, **options)
            return
        # Polling runs for as long as the server: a round that fails as a whole is logged
        # and the next one comes, where an exception would end polling until a restart. One
        # source's failure never gets here (it is that source's state, and the round goes on).
        while True:
            try:
                self._round(due_only=True, **options)
                close_old_connections()
                pause = _seconds_to_next_due(shard)
            except BrokenPipeError:
                raise  # nobody reads the summaries any more: polling stops (cli.py)
            except Exception:
                log.exception(
                    "poll: the round failed; the next starts in %s s", PAUSE_AFTER_FAILURE
                )
                connections.close_all()  # a connection the failure left broken
                pause = PAUSE_AFTER_FAILURE
            time.sleep(pause)

    def _round(
        self, *, due_only: bool, workers: int, shard: tuple[int, int], quiet: bool, as_json: bool
    ) -> None:
        # The watchlists re-applied, when an admin asked for it on a large archive: before
        # the round, so that the round's new articles are matched by the same watchlists.
        # Said even when quiet if it failed, as a failed round is.
        if (job := run_requested_rematch()) is not None and (job.error or not quiet):
            self.stderr.write(f"watch: {rematch_outcome(job)}")
        summary = poll_sources(due_only=due_only, workers=workers, shard=shard)
        if not quiet or summary.articles_new or summary.failed:
            self._report(summary, as_json=as_json)

    def _report(self, summary, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
            return
        d = summary.as_dict()
        self.stdout.write(
            f"{d['sources_polled']} source(s) polled, {d['not_modified']} not modified, "
            f"{len(d['failed'])} failed; {d['entries_seen']} entries seen, "
            f"{d['articles_new']} new article(s), {d['articles_matched']} matched "
            f"({d['seconds']:.1f} s)."
        )
        for failure in d["failed"]:
            self.stderr.write(f"  {failure['url']}: {failure['reason']}")
        for move in d["moved"]:
            self.stdout.write(
                f"  {move['from']} moved permanently to {move['to']}; now polled there"
            )
        self.stdout.flush()


def _parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise CommandError(
            f"poll: --shard wants I/N such as 0/2, not {text!r}", returncode=2
        ) from None
    if count < 1 or not 0 <= index < count:
        raise CommandError(f"poll: --shard {text}: I must be between 0 and N-1", returncode=2)
    return index, count


def _seconds_to_next_due(shard: tuple[int, int] = (0, 1)) -> float:
    """Until this poller's next source is due (a source of another shard is not its own:
    due, it woke this one every few seconds for nothing)."""
    index, count = shard
    sources = Source.objects.enabled()
    if count > 1:
        sources = sources.annotate(shard=Mod("pk", count)).filter(shard=index)
    upcoming = sources.order_by("next_check_at").first()
    if upcoming is None:
        return MAX_SLEEP
    wait = (upcoming.next_check_at - timezone.now()).total_seconds()
    return min(max(wait, MIN_SLEEP), MAX_SLEEP)
