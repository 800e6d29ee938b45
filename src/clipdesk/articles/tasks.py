"""Stages 3–5 as a task: fetch one entry's page, keep its snapshot, extract, store, match."""

from __future__ import annotations

import logging

from clipdesk import ingest
from clipdesk.articles.models import Article
from clipdesk.celery import app, delivered_too_often
from clipdesk.sources.models import Source
from clipdesk.sources.politeness import HostBusy
from clipdesk.stories.tasks import group_article

log = logging.getLogger(__name__)


# Retried later, with a growing pause: no free request slot for the host, or a page that
# failed for now (the source will not list the entry again, so this is its only retry).
@app.task(bind=True, autoretry_for=(HostBusy, ingest.PageNotNow), retry_backoff=5, max_retries=5)
def ingest_entry(self, source_id: int, entry: dict) -> None:
    if deliveries := delivered_too_often(self.request):
        # Its worker process died each time (out of memory on the page, a crash): handed
        # back again it would kill worker after worker for ever. Remembered as refused, the
        # entry is not queued again when its feed lists it.
        url = str(entry.get("url") or "")
        log.error(
            "ingest: dropped %s after %d deliveries: its worker process died each time "
            "(out of memory, a crash); it is remembered as refused (Entry addresses)",
            url or entry,
            deliveries,
        )
        if url:
            ingest.remember_refused(
                url, f"its worker process died each of {deliveries} times it was read"
            )
        return
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        # Deleted or disabled since it was polled: its entries go with it (an editor who
        # stopped a source saw the entries already queued stored all the same).
        return
    try:
        ingest.ingest_entry(
            source,
            ingest.entry_from_data(entry),
            poller=ingest.process_poller(),
            group=_group_later,
        )
    except (HostBusy, ingest.PageNotNow):
        if self.request.retries >= self.max_retries:
            # The last try failed too (a site down for maintenance longer than the retries
            # last): the entry was lost for good, its source's validators hiding it behind
            # the feed's 304. Forgotten, the source's next poll lists the entry again, as
            # a round without a broker does.
            ingest.forget_validators(source_id)
        raise


def _group_later(article: Article) -> None:
    """Stage 6 goes to the grouping queue, after the article was committed."""
    group_article.delay(article.pk)
