"""Writes with side effects on the digest; views, admin actions and commands call these."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from clipdesk.digest.credits import join_names
from clipdesk.digest.models import Credit, Outlet, Post, PostVersion, Tag
from clipdesk.digest.outlets import OutletDirectory, free_slug
from clipdesk.digest.quotes import ExcerptNotFound, check_excerpt
from clipdesk.people.models import AuditEntry, record
from clipdesk.search import indexing as search_indexing

# The C0 and C1 control characters but whitespace (tab, line breaks, form feed).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class PublishRefused(ValueError):
    """Publishing cannot go ahead; the message says why, for the editor."""


def set_status(posts: QuerySet[Post], status: str, user=None) -> int:
    """Publish or unpublish many posts at once; returns how many changed."""
    action = (
        AuditEntry.Action.PUBLISH
        if status == Post.Status.PUBLISHED
        else (AuditEntry.Action.UNPUBLISH)
    )
    with transaction.atomic():
        changing = list(posts.exclude(status=status))
        for post in changing:
            save_version(post, user)
            post.status = status
            post.save(update_fields=["status", "updated_at"])
            record(user, action, post)
    return len(changing)


@transaction.atomic
def merge_outlets(target: Outlet, duplicates: Iterable[Outlet]) -> int:
    """Fold duplicate outlets into `target`: their credits move, their names become aliases.

    Returns the number of credits moved. The target's own name, slug and homepage are never
    overwritten; a duplicate's homepage is kept only when the target has none.
    """
    moved = 0
    aliases = list(target.aliases)
    known = {a.casefold() for a in aliases} | {target.name.casefold()}
    for dup in duplicates:
        if dup.pk == target.pk:
            continue
        credits = Credit.objects.filter(outlet=dup)
        # update() sends no signals: the search index is told about these posts directly.
        for post_id in set(credits.values_list("post_id", flat=True)):
            search_indexing.schedule("post", post_id)
        moved += credits.update(outlet=target)
        for name in [dup.name, *dup.aliases]:
            if name.casefold() not in known:
                aliases.append(name)
                known.add(name.casefold())
        if not target.homepage and dup.homepage:
            target.homepage = dup.homepage
        dup.delete()
    target.aliases = aliases
    target.save()
    return moved


def version_data(post: Post) -> dict:
    return {
        "headline": post.headline,
        "posted_on": post.posted_on.isoformat() if post.posted_on else None,
        "posted_on_inferred": post.posted_on_inferred.isoformat(),
        "excerpt": post.excerpt,
        "body": post.body,
        "status": post.status,
        "credits": [
            {
                "author": c.author,
                "outlet": c.outlet_id,
                "outlet_name": c.outlet.name if c.outlet else "",
                "place": c.place,
                "date": c.date.isoformat() if c.date else None,
                "url": c.url,
            }
            for c in post.credits.select_related("outlet").order_by("position")
        ],
        "tags": list(post.tags.values_list("pk", flat=True)),
    }


def save_version(post: Post, user=None) -> PostVersion | None:
    """Keep the post's current state before it changes (nothing for a post not saved yet)."""
    if post.pk is None:
        return None
    stored = Post.objects.get(pk=post.pk)
    return PostVersion.objects.create(post=post, saved_by=_user(user), data=version_data(stored))


@transaction.atomic
def restore_version(version: PostVersion, user=None) -> Post:
    """Put a post back as it was in `version`; its present state becomes a version too."""
    post = version.post
    save_version(post, user)
    data = version.data
    post.headline = data["headline"]
    post.posted_on = _date(data["posted_on"])
    post.posted_on_inferred = _date(data["posted_on_inferred"]) or post.posted_on_inferred
    post.excerpt, post.body, post.status = data["excerpt"], data["body"], data["status"]
    post.save()
    # An outlet merged into another since (merge_outlets deletes it, its credits moved and its
    # name kept as an alias) is found by that name: the restored credit named no outlet.
    now = {c.position: c.outlet for c in post.credits.select_related("outlet")}
    post.credits.all().delete()
    outlets = Outlet.objects.in_bulk([c["outlet"] for c in data["credits"] if c["outlet"]])
    directory = OutletDirectory()

    def outlet_of(position: int, credit: dict) -> Outlet | None:
        if not credit["outlet"]:
            return None
        if found := outlets.get(credit["outlet"]):
            return found
        if credit.get("outlet_name") and (named := directory.find(credit["outlet_name"])):
            return named
        return now.get(position)  # a version kept before names were: the credit's outlet now

    Credit.objects.bulk_create(
        Credit(
            post=post,
            position=i,
            author=c["author"],
            outlet=outlet_of(i, c),
            place=c["place"],
            date=_date(c["date"]),
            url=c["url"],
        )
        for i, c in enumerate(data["credits"])
    )
    post.tags.set(Tag.objects.filter(pk__in=data["tags"]))
    record(user, AuditEntry.Action.RESTORE, post, version=version.pk)
    return post


def publish_articles(
    articles: Sequence,
    *,
    headline: str | None = None,
    excerpt: str | None = None,
    user=None,
    tags: Iterable[str] = (),
    today: datetime.date | None = None,
    copies: Sequence = (),
) -> Post:
    """One published post crediting each article, in the order given, then each copy (the
    same text at another outlet, articles.EntryAddress).

    The headline defaults to the first article's title; the excerpt must be a verbatim quote
    of the articles (see digest.quotes) — a made-up quote is refused, never published.
    """
    # An article chosen twice (a form or command line naming it twice) is credited once.
    articles = list({article.pk: article for article in articles}.values())
    copies = list({copy.url: copy for copy in copies}.values())
    if not articles:
        raise PublishRefused("publish: choose at least one article")
    lead = articles[0]
    for name, value in (("headline", headline), ("excerpt", excerpt)):
        if value and _has_control_character(value):
            raise PublishRefused(f"publish: the {name} holds a control character")
    typed = " ".join((headline or "").split())
    if not _visible(typed):  # zero-width spaces alone: a link with no words on the front page
        typed = ""
    headline = typed or " ".join((lead.title or "").split())
    if not headline:
        raise PublishRefused("publish: the post needs a headline")
    longest = Post._meta.get_field("headline").max_length
    if len(headline) > longest and typed:
        # What the editor typed is refused rather than cut mid-word; an article's own title
        # (a feed can give a whole paragraph as one) is shortened where a word ends.
        raise PublishRefused(
            f"publish: the headline is {len(headline)} characters long; at most {longest}"
        )
    if len(headline) > longest:
        headline = headline[: longest - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    excerpt = " ".join((excerpt or "").split())
    if not excerpt:
        raise PublishRefused("publish: the post needs an excerpt")
    try:
        check_excerpt(excerpt, [a.text for a in articles])
    except ExcerptNotFound as exc:
        raise PublishRefused(f"publish: {exc}") from exc
    day = today or timezone.localdate()
    with transaction.atomic():
        post = Post.objects.create(
            headline=headline,
            slug=free_slug(Post, headline),
            posted_on=day,
            posted_on_inferred=day,
            excerpt=excerpt,
            status=Post.Status.PUBLISHED,
        )
        credited = [*articles, *(c for c in copies if c.url not in {a.url for a in articles})]
        Credit.objects.bulk_create(_credit(post, i, a) for i, a in enumerate(credited))
        post.tags.set([tag_named(name) for name in dict.fromkeys(tags) if name.strip()])
        record(
            user,
            AuditEntry.Action.PUBLISH,
            post,
            articles=[a.pk for a in articles],
            **({"copies": [c.url for c in copies]} if copies else {}),
        )
    return post


def _credit(post: Post, position: int, article) -> Credit:
    """The source line's credit for a stored article, or a copy of one: its authors, outlet,
    date and address."""
    return Credit(
        post=post,
        position=position,
        author=authors_credit(article.authors, Credit._meta.get_field("author").max_length),
        outlet=article.outlet,
        date=article.published,
        url=article.url,
    )


MORE_AUTHORS = " and others"


def authors_credit(authors: Sequence[str], longest: int) -> str:
    """An article's authors as the source line names people: "A and B", "A, B and C".

    Joined by commas alone they read as an author and outlets ("Jane Roe, Tomas Elder, The
    Herald"), and an archive import of the site took them so. Too many for the credit's
    `longest` letters, the names that fit are kept whole, then "and others"; the list used to
    be cut inside a name.
    """
    names = [" ".join(name.split()) for name in authors if name and name.strip()]
    line = join_names(names)
    if len(line) <= longest:
        return line
    kept: list[str] = []
    for name in names:
        if len(", ".join([*kept, name]) + MORE_AUTHORS) > longest:
            break
        kept.append(name)
    if not kept:  # one name longer than the field: cut where a word ends
        return names[0][:longest].rsplit(" ", 1)[0]
    return ", ".join(kept) + MORE_AUTHORS


def add_credits(post: Post, articles: Sequence, *, user=None) -> list:
    """Credit more articles (or copies) in a published post, after its own credits; one it
    credits already (by address) is left out. Returns those credited now."""
    with transaction.atomic():
        credited = set(post.credits.values_list("url", flat=True))
        new = [a for a in dict.fromkeys(articles) if a.url not in credited]
        if not new:
            return []
        save_version(post, user)  # a wrong credit can be undone in the admin, as an edit can
        last = post.credits.aggregate(last=Max("position"))["last"]
        first = 0 if last is None else last + 1
        Credit.objects.bulk_create(_credit(post, first + i, a) for i, a in enumerate(new))
        post.save(update_fields=["updated_at"])  # its pages, feeds and search document
        record(user, AuditEntry.Action.EDIT, post, credited=[a.url for a in new])
    return new


def check_edited_excerpt(post: Post, excerpt: str) -> None:
    """Raise ExcerptNotFound when a post published from stored articles is given an excerpt
    that is not in them: an edit in the admin is held to the same rule as publishing. Posts
    with no stored article behind them (an imported archive) have nothing to check against.
    """
    texts = list(articles_behind(post).values_list("text", flat=True))
    if texts:
        check_excerpt(" ".join(excerpt.split()), texts)


def articles_behind(post: Post):
    """The stored articles a post was published from or credits: those of its stories, those
    its publishing recorded, and those at its credits' addresses. Not the credits' addresses
    alone: an edit that changed them would otherwise free the excerpt from the rule."""
    from clipdesk.articles.models import Article
    from clipdesk.people.models import AuditEntry

    urls = [url for url in post.credits.values_list("url", flat=True) if url]
    published_from = [
        pk
        for detail in AuditEntry.objects.filter(
            action=AuditEntry.Action.PUBLISH, object_type="post", object_id=post.pk
        ).values_list("detail", flat=True)
        for pk in (detail or {}).get("articles", [])
        if isinstance(pk, int)
    ]
    return Article.objects.filter(
        Q(url__in=urls)
        | Q(addresses__url__in=urls)  # a copy credited (the same text at another outlet)
        | Q(pk__in=published_from)
        | Q(story_member__story__post=post)
    ).distinct()


def tag_named(name: str) -> Tag:
    """The tag this name stands for, created when there is none (desk and importer).

    Names with Latin letters are one tag when their slugs are ("Human rights",
    "human-rights"). A name without any has no such slug (its slug is a transliteration,
    which two names can share): it is the tag of that name, case and punctuation aside.
    """
    name = name.strip()[:100]
    # By the folded name each row keeps (Tag.name_key; SQLite's LOWER() knows only ASCII)
    # first: a tag whose slug an editor changed ("Levy" at /tag/harbour-levy/) is still the
    # tag of its name, where creating another of that name broke the unique name.
    found = Tag.objects.filter(name_key=Tag.key_for(name)).first()
    if found is None and (slug := slugify(name)):
        found = Tag.objects.filter(slug=slug).first()
    return found or Tag.objects.create(name=name, slug=free_slug(Tag, name))


def _visible(text: str) -> bool:
    """Whether `text` has a character that shows: not only spaces and format characters
    (zero-width spaces and joiners, direction marks), which `str.split` keeps."""
    return any(not unicodedata.category(char).startswith(("Z", "C")) for char in text)


def _has_control_character(text: str) -> bool:
    """A character no headline or quote holds (NUL, escape, …); whitespace is fine."""
    return _CONTROL.search(text) is not None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None
