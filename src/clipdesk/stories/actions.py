"""Stories on the desk: grouping new articles, and the editors' corrections and decisions.

The grouping index (stories.grouping.StoryIndex) lives in memory, one per process, rebuilt
from the stored signatures when another process changed the stories (an editor's merge or
split on the web, say): the database is the truth, the index a fast view of it.

Grouping is one writer at a time: a thread lock in the process and, on PostgreSQL, an
advisory lock held for the transaction, so two processes (a misconfigured second grouping
worker, say) never both place articles from the same stale view and create one story twice.
With Celery, grouping tasks go to their own queue, consumed by one process (docs/celery.md),
so the index is rebuilt only when an editor changes the stories.
"""

from __future__ import annotations

import datetime
import threading
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from clipdesk.articles.models import Article
from clipdesk.people.models import AuditEntry, record
from clipdesk.stories.desk import has_new_coverage
from clipdesk.stories.models import Story, StoryMember

# The grouping index (numpy) is imported where it is used: the site's views import this module
# for the editors' actions, and every server process and export would load numpy at start.
if TYPE_CHECKING:
    from clipdesk.stories.grouping import ArticleSketch, StoryIndex

_lock = threading.Lock()
_index: StoryIndex | None = None
_fingerprint: tuple | None = None
# pg_advisory_xact_lock(int, int) key for grouping: ("clip" in ASCII, 1). The two-int key space
# never meets the one-bigint space that ingest.py locks URLs in.
GROUPING_LOCK = (0x636C6970, 1)


class StoryActionRefused(ValueError):
    """An editor's action that cannot be done; the message says why."""


def _database_fingerprint() -> tuple:
    stats = Story.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (stats["n"], stats["changed"], StoryMember.objects.count())


def sketch_of(article: Article, *, with_text: bool = True) -> ArticleSketch:
    """What grouping needs of an article; a rebuild reuses stored signatures, not the text."""
    from clipdesk.stories.grouping import ArticleSketch

    return ArticleSketch(
        article_id=article.pk,
        title=article.title or "",
        text=(article.text or "") if with_text else "",
        published=article.published or article.fetched_at.date(),
        entities=frozenset(m.entity.name for m in article.matches.all()),
        outlet=article.outlet_name or "",
    )


def _rebuild() -> StoryIndex:
    from clipdesk.stories.grouping import StoryIndex

    last = Story.objects.aggregate(m=Max("id"))["m"] or 0
    index = StoryIndex(next_story_id=last + 1)
    members = (
        StoryMember.objects.select_related("article")
        .defer("article__text", "article__description", "article__extracted")
        .prefetch_related("article__matches__entity")
        .order_by("joined_at", "id")
    )
    for member in members.iterator(chunk_size=1000):
        index.restore(
            member.article_id,
            member.story_id,
            bytes(member.signature),
            sketch_of(member.article, with_text=False),
        )
    for story in Story.objects.filter(merged_into__isnull=False).only("id", "merged_into"):
        index.merge(story.merged_into_id, story.pk)
    pinned = StoryMember.objects.filter(pinned=True).only("article_id", "story_id", "split_from")
    for member in pinned:
        index.pin(member.article_id, member.story_id, split_from=member.split_from)
    return index


def current_index() -> StoryIndex:
    """This process's index, rebuilt if the stored stories changed behind its back."""
    global _index, _fingerprint
    fingerprint = _database_fingerprint()
    if _index is None or fingerprint != _fingerprint:
        _index = _rebuild()
        _fingerprint = fingerprint
    return _index


def _remember_fingerprint() -> None:
    global _fingerprint
    _fingerprint = _database_fingerprint()


def _lock_grouping() -> None:
    """Wait for, then hold until commit, the database-wide grouping lock (PostgreSQL only;
    SQLite has a single writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(GROUPING_LOCK))


def group_article(article: Article) -> StoryMember:
    """Put a new article in a story (an existing one or its own): milliseconds per article.

    Idempotent: an article already in a story stays where it is. The check, the index and the
    writes all happen under the grouping lock, so the index is compared with the database as
    the previous writer left it.
    """
    from clipdesk.stories.grouping import StoryIndex

    global _index
    # Hashed before the transaction: the hashing needs no lock, and inside it would hold
    # SQLite's one write lock, where every other poller and worker would wait for it.
    signature = StoryIndex().minhash_signature(article.text or "")
    try:
        with transaction.atomic():
            _lock_grouping()  # always before the thread lock, as in merge and split
            with _lock:
                existing = StoryMember.objects.filter(article=article).first()
                if existing:
                    return existing
                index = current_index()
                assignment = index.add(sketch_of(article), signature=signature)
                story, _ = Story.objects.get_or_create(pk=assignment.story_id)
                member = StoryMember.objects.create(
                    article=article,
                    story=story,
                    reason=assignment.reason[:300],
                    signature=index.signature_bytes(article.pk),
                )
                decided = story.status in (Story.Status.PUBLISHED, Story.Status.DISMISSED)
                if decided and story.new_coverage_since is None:
                    # Coverage after the editor's decision (a third outlet, a follow-up)
                    # brings the story back to the desk, where it used to vanish unseen.
                    story.new_coverage_since = member.joined_at
                story.save(update_fields=["updated_at", "new_coverage_since"])  # newest first
                _remember_fingerprint()
    except BaseException:
        _index = None  # it may hold an article the database does not: rebuild next time
        raise
    return member


def note_new_copy(article: Article, seen_at: datetime.datetime) -> None:
    """Another outlet carried a stored article word for word (the copy seen at `seen_at`): a
    story published or dismissed that holds it comes back to the desk, as for an article of
    its own (group_article), unless the copy brings nothing to credit (an outlet the post
    credits, or a second address at an outlet with a copy already)."""
    story = Story.objects.filter(
        members__article=article,
        status__in=[Story.Status.PUBLISHED, Story.Status.DISMISSED],
        new_coverage_since__isnull=True,
    ).first()
    if story is None:
        return
    story.new_coverage_since = seen_at
    if has_new_coverage(story):
        story.save(update_fields=["new_coverage_since", "updated_at"])


def post_deleted(sender, instance, **kwargs) -> None:
    """A deleted post's stories are set aside (dismissed): they stayed "published" with no
    post, off the desk, and their new coverage was offered for a post that was gone."""
    Story.objects.filter(post=instance).update(
        status=Story.Status.DISMISSED, updated_at=timezone.now()
    )


def settle_new_coverage(story: Story) -> None:
    """Take a decided story off the desk when nothing new is left in it (its new article
    split out, say), where it stayed with "0 new articles" and nothing to act on."""
    if story.new_coverage_since is not None and not has_new_coverage(story):
        story.new_coverage_since = None
        story.save(update_fields=["new_coverage_since", "updated_at"])


def _locked(story: Story) -> Story:
    """The story as stored now, its row locked until the transaction ends (on SQLite the
    transaction holds the one write lock already). Every action decides on this, not on the
    object a view read before: a publish and a dismiss or merge sent at once otherwise each
    acted on what the other was about to change (a published story set aside without its
    post, or merged away and its credited article offered again)."""
    return Story.objects.select_for_update(of=("self",)).select_related("post").get(pk=story.pk)


def _refuse_merged(story: Story, action: str) -> None:
    if story.merged_into_id:
        raise StoryActionRefused(
            f"{action}: story {story.pk} was merged into story {story.merged_into_id}"
        )


@transaction.atomic
def merge_stories(keep: Story, other: Story, user=None) -> Story:
    """Move `other`'s articles into `keep`; later grouping follows `other` to `keep`."""
    if keep.pk == other.pk:
        raise StoryActionRefused("merge: a story cannot be merged into itself")
    # Both rows locked in one order, so two merges of the same pair cannot deadlock.
    first, second = sorted([keep, other], key=lambda story: story.pk)
    first, second = _locked(first), _locked(second)
    keep, other = (first, second) if first.pk == keep.pk else (second, first)
    if other.merged_into_id:
        raise StoryActionRefused(f"merge: story {other.pk} was already merged")
    if keep.merged_into_id:
        # Its articles would go to a story the desk no longer shows, and merging the two
        # ways round made each point at the other.
        raise StoryActionRefused(
            f"merge: story {keep.pk} was merged into story {keep.merged_into_id}; merge into "
            "that one"
        )
    if other.status == Story.Status.PUBLISHED and other.post_id:
        # Merged away, a published story became a dismissed one whose articles were back on
        # the desk, and publishing them made a second post of the same story.
        if keep.status == Story.Status.PUBLISHED and keep.post_id:
            raise StoryActionRefused(
                f"merge: both stories are published (posts {keep.post_id} and {other.post_id})"
            )
        raise StoryActionRefused(
            f"merge: story {other.pk} is published (post {other.post_id}); merge story "
            f"{keep.pk} into it instead"
        )
    _lock_grouping()  # a grouping worker must not place an article from the view before this
    decided = keep.status in (Story.Status.PUBLISHED, Story.Status.DISMISSED)
    # Merged from the desk into a story snoozed for later, the articles left the desk with no
    # word until that day: the story the editor is handling now is woken instead.
    wake = (
        keep.status == Story.Status.SNOOZED
        and Story.objects.on_desk().filter(pk=other.pk).exists()
        and not Story.objects.on_desk().filter(pk=keep.pk).exists()
    )
    now = timezone.now()
    # Into a decided story the articles come as news (they had vanished from the desk).
    joined = {"joined_at": now} if decided else {}
    moved = StoryMember.objects.filter(story=other).update(story=keep, **joined)
    other.merged_into = keep
    other.status = Story.Status.DISMISSED
    other.new_coverage_since = None
    other.save()
    if decided and moved and keep.new_coverage_since is None:
        keep.new_coverage_since = now
    if wake:
        keep.status, keep.snoozed_until = Story.Status.NEW, None
    keep.save(update_fields=["updated_at", "new_coverage_since", "status", "snoozed_until"])
    record(user, AuditEntry.Action.MERGE, keep, merged=other.pk, articles_moved=moved)
    with _lock:
        if _index is not None:
            _index.merge(keep.pk, other.pk)
        _remember_fingerprint()
    return keep


@transaction.atomic
def split_article(article: Article, user=None) -> Story:
    """Take an article out of its story into a story of its own, and keep it there."""
    _lock_grouping()  # the new story's id comes from the index, as grouping's ids do
    member = StoryMember.objects.select_related("story").get(article=article)
    old = _locked(member.story)
    if old.members.count() == 1:
        raise StoryActionRefused("split: the article is already alone in its story")
    if old.post_id and _credited_in(old.post_id, article):
        # On its own it would be a new story, offered for a second post crediting it.
        raise StoryActionRefused(
            f"split: article {article.pk} is credited in post {old.post_id}; take the credit "
            "out of the post first"
        )
    with _lock:
        index = current_index()
        new_id = index.split(article.pk)
        story = Story.objects.create(pk=new_id)
        member.story = story
        member.pinned = True
        member.split_from = old.pk
        member.save()
        old.save(update_fields=["updated_at"])
        record(user, AuditEntry.Action.SPLIT, story, article=article.pk, split_from=old.pk)
        _remember_fingerprint()
    settle_new_coverage(old)
    return story


def _credited_in(post_id: int, article: Article) -> bool:
    from clipdesk.digest.models import Credit

    addresses = {article.url, article.canonical_url} - {""}
    return Credit.objects.filter(post_id=post_id, url__in=addresses).exists()


def dismiss_story(story: Story, user=None) -> Story:
    """Set a story aside; a published one stays published, its new coverage set aside."""
    with transaction.atomic():
        current = _locked(story)
        _refuse_merged(current, "dismiss")
        if current.status != Story.Status.PUBLISHED:
            current.status = Story.Status.DISMISSED
        current.new_coverage_since = None
        current.save(update_fields=["status", "new_coverage_since", "updated_at"])
        record(user, AuditEntry.Action.DISMISS, current)
    story.refresh_from_db()
    return story


def snooze_story(story: Story, until: datetime.date, user=None) -> Story:
    with transaction.atomic():
        current = _locked(story)
        _refuse_merged(current, "snooze")
        if current.status == Story.Status.PUBLISHED and current.post_id:
            raise StoryActionRefused(
                f"snooze: story {story.pk} is published; add its new coverage to the post, or "
                "set it aside"
            )
        current.status = Story.Status.SNOOZED
        current.snoozed_until = until
        current.new_coverage_since = None
        current.save(update_fields=["status", "snoozed_until", "new_coverage_since", "updated_at"])
        record(user, AuditEntry.Action.SNOOZE, current, until=until.isoformat())
    story.refresh_from_db()
    return story


def add_coverage_to_post(story: Story, articles: list[Article], user=None, copies=()):
    """Credit the chosen articles of a published story in its post, after the credits it has
    (an outlet that carried the story after it was published), and take it off the desk."""
    from clipdesk.digest.actions import PublishRefused, add_credits

    with transaction.atomic():
        current = _locked(story)
        if current.status != Story.Status.PUBLISHED or current.post is None:
            raise PublishRefused("it is not published: publish it instead")
        added = add_credits(current.post, [*articles, *copies], user=user)
        current.new_coverage_since = None
        current.save(update_fields=["new_coverage_since", "updated_at"])
    story.refresh_from_db()
    return current.post, added


def publish_story(
    story: Story,
    articles: list[Article],
    *,
    headline: str,
    excerpt: str,
    user=None,
    copies=(),
):
    """Publish the chosen articles of a story as one post credited to all of them, and to
    the chosen copies of them (the same text at other outlets)."""
    from clipdesk.digest.actions import PublishRefused, publish_articles

    tags = sorted({m.entity.name for a in articles for m in a.matches.all()})
    with transaction.atomic():
        # Read again under a row lock: a second press of Publish (a double click, a form sent
        # twice) waits for the first and then finds the story published, instead of making
        # a second post of the same story.
        current = _locked(story)
        if current.status == Story.Status.PUBLISHED and current.post is not None:
            raise PublishRefused(
                f"it is already published as “{current.post.headline}” (post {current.post.pk}); "
                "edit that post instead"
            )
        if current.merged_into_id:
            raise PublishRefused(
                f"it was merged into story {current.merged_into_id}; publish that one"
            )
        post = publish_articles(
            articles, headline=headline, excerpt=excerpt, user=user, tags=tags, copies=copies
        )
        current.status = Story.Status.PUBLISHED
        current.post = post
        current.new_coverage_since = None
        current.save(update_fields=["status", "post", "new_coverage_since", "updated_at"])
    story.refresh_from_db()
    return post
