"""Stage 6 as a task, on the "grouping" queue: one process holds the story index."""

from __future__ import annotations

from clipdesk.articles.models import Article
from clipdesk.celery import app
from clipdesk.stories import actions


@app.task
def group_article(article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return  # deleted before it was grouped: nothing to put on the desk
    actions.group_article(article)
