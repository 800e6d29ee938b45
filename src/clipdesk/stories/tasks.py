"""Stage 6 as a task, on the "grouping" queue: one process holds the story index."""

from __future__ import annotations

import logging

from clipdesk.articles.models import Article
from clipdesk.celery import app, delivered_too_often
from clipdesk.stories import actions

log = logging.getLogger(__name__)


@app.task(bind=True)
def group_article(self, article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return  # deleted before it was grouped: nothing to put on the desk
    if deliveries := delivered_too_often(self.request):
        # The one grouping process, killed by this article each time, would group nothing
        # else while it came back for ever. It stays stored and matched, without a story.
        log.error(
            "grouping: dropped article %s (%s) after %d deliveries: its worker process died "
            "each time",
            article.pk,
            article.url,
            deliveries,
        )
        return
    actions.group_article(article)
