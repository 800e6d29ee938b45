"""Stages 1–3 as tasks: claim the due sources, poll each one, hand its new entries on."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

from clipdesk import ingest
from clipdesk.articles.tasks import ingest_entry
from clipdesk.celery import app, delivered_too_often, forget_old_deliveries
from clipdesk.sources.feeds import ParsedEntry
from clipdesk.sources.models import Source
from clipdesk.sources.politeness import HostBusy
from clipdesk.watch.rematching import rematch_waiting
from clipdesk.watch.tasks import rematch_requested

log = logging.getLogger(__name__)


@app.task
def poll_due_sources() -> int:
    """Run by the scheduler every interval: one poll_source per source it could claim.

    A database that does not answer is said in one line; the next interval asks again (it
    was a traceback of eighty lines every interval while the database was away)."""
    try:
        claimed = ingest.claim_due_sources()
    except (OperationalError, InterfaceError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        log.warning("poll: the database did not answer (%s); the next interval asks again", reason)
        return 0
    for source_id in claimed:
        poll_source.delay(source_id)
    if rematch_waiting():  # an admin asked on a large archive (watch/rematching.py)
        rematch_requested.delay()
    ingest.forget_stale_not_found()  # pages not found yet whose entries left their feeds
    forget_old_deliveries()  # counts of tasks delivered a day ago (celery.py)
    return len(claimed)


@app.task(bind=True, autoretry_for=(HostBusy,), retry_backoff=5, max_retries=5)
def poll_source(self, source_id: int) -> None:
    source = Source.objects.enabled().filter(pk=source_id).first()
    if source is None:
        return  # deleted or disabled since it was claimed
    if deliveries := delivered_too_often(self.request):
        # Its worker process died each time it read the source; its claim lapses and the
        # scheduler hands it on again later (CLAIM_LEASE), not at once and for ever.
        log.error(
            "poll: dropped the poll of %s after %d deliveries: its worker process died "
            "each time (out of memory, a crash)",
            source.url,
            deliveries,
        )
        return
    ingest.poll_source(
        source,
        poller=ingest.process_poller(),
        hand_off=lambda entries: _enqueue_entries(source_id, entries),
    )


def _enqueue_entries(source_id: int, entries: list[ParsedEntry]) -> None:
    for entry in entries:
        ingest_entry.delay(source_id, ingest.entry_as_data(entry))
