"""What publishing and unpublishing set off here: the static copy's refresh.

Kept apart from export.py so digest.actions can import it without loading the exporter.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def refresh_static_copy() -> None:
    """After the surrounding transaction commits, bring the static copy up to date.

    Does nothing unless settings.CLIPDESK_STATIC_TARGET names the export's folder. Runs the
    incremental export in this process (a background task can take it over later). A failure
    is logged, not raised: the publish itself has committed, and the next export catches up.
    """
    target = getattr(settings, "CLIPDESK_STATIC_TARGET", "")
    if target:
        transaction.on_commit(lambda: _export(str(target)))


def _export(target: str) -> None:
    from clipdesk.publish.export import export_site

    try:
        report = export_site(target, incremental=True)
    except Exception:
        log.exception("publish: static export failed target=%s", target)
        return
    log.info(
        "publish: static export target=%s mode=%s rendered=%d removed=%d seconds=%.3f",
        target,
        report.mode,
        report.rendered,
        report.removed,
        report.seconds,
    )
