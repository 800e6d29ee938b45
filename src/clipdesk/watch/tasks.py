"""The watchlists re-applied as a task, when an admin asked for it on a large archive."""

from __future__ import annotations

from clipdesk.celery import app
from clipdesk.watch.rematching import run_requested_rematch


@app.task
def rematch_requested() -> int | None:
    """Sent by poll_due_sources while a job waits; the job is claimed in the database, so a
    second delivery of this task finds nothing to do. Returns the articles changed."""
    job = run_requested_rematch()
    return job.articles_changed if job else None
