"""The watchlists applied again to stored articles, and what follows: search, the audit trail.

`clipdesk watch rematch` and the admin's page of the same name both go through here, so that
an alias changed in either place reaches search and the audit trail the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from clipdesk.watch.models import MatchingState
from clipdesk.watch.store import Rematch, rematch_articles

# A page's preview looks at this many of the newest articles: 5,000 took 1.5 s (3.4 KB of
# text each, 35 entities) on a 2-core machine, and the time grows with the archive.
PREVIEW_ARTICLES = 5000
# And lists this many of the articles that would change; the others are counted.
PREVIEW_SHOWN = 100


@dataclass
class RematchPreview:
    shown: list[Rematch]  # the first of the articles that would change
    changed: int  # articles that would change, of those looked at
    looked_at: int
    stored: int  # every stored article; applying goes over them all

    @property
    def partial(self) -> bool:
        return self.looked_at < self.stored


@dataclass
class RematchApplied:
    changes: list[Rematch]
    posts_indexed: int | None  # None: search is not kept up to date automatically


def preview_rematch() -> RematchPreview:
    """What re-applying the watchlists would change, over the PREVIEW_ARTICLES stored last (a
    page must answer before a proxy gives up; the shell's preview looks at them all)."""
    from clipdesk.articles.models import Article

    stored = Article.objects.count()
    changes = rematch_articles(apply=False, newest=PREVIEW_ARTICLES)
    return RematchPreview(
        changes[:PREVIEW_SHOWN], len(changes), min(stored, PREVIEW_ARTICLES), stored
    )


def apply_rematch(user, *, by: str) -> RematchApplied:
    """Store what the watchlists find now in every article, index the changed articles and
    the published posts again, and record who did it (`user` None: `by` a command)."""
    from clipdesk.people.models import AuditEntry, record

    changes = rematch_articles(apply=True)
    posts = follow_in_search([c.article_id for c in changes])
    record(
        user,
        AuditEntry.Action.REMATCH,
        MatchingState.objects.get(id=MatchingState.SINGLETON_ID),
        articles_changed=len(changes),
        articles=[c.article_id for c in changes[:PREVIEW_SHOWN]],
        by=by,
    )
    return RematchApplied(changes, posts)


def follow_in_search(articles: list[int] = ()) -> int | None:
    """Index the published posts, and the articles whose matches changed, again, so that search
    finds them by the new names (matches stored in bulk index nothing by themselves: an
    article's first match was missed by `entity:` until a reindex). Returns how many posts,
    or None where search is not indexed as things change."""
    from clipdesk.search.indexing import index_articles, reindex_posts

    if not getattr(settings, "CLIPDESK_SEARCH_AUTO_INDEX", True):
        return None
    if articles:
        index_articles(articles)
    return reindex_posts()
