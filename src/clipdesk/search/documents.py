"""From a post or an article to the document both engines index, and the text snippets show.

A post is searched by its headline (the title field) and by its excerpt, commentary and
credits (author and outlet names, so "Jane Doe" finds the posts credited to her). An article by
its title, and by its text, authors and outlet name. Both fields are made of search words
(words.py): the watchlist matcher's folded tokens, less possessives and elisions. Where a word
is cut by a zero-width non-joiner ("می‌خواهد"), or by a space after a Persian verbal prefix or
before a plural or comparative suffix ("می خواهد", "کتاب ها"), the field's words come a second
time with such words whole (`joined_title`, `joined_body`), so a reader who types "میخواهد"
finds it.

Facet values come with the document: outlets of the credits (of the article), tags, the year
of the date the site files the post under, and entities — for articles the stored watchlist
matches, for posts the entities the watchlist matcher finds in the post now.
"""

from __future__ import annotations

import hashlib
import html
import threading

from django.utils.html import strip_tags

from clipdesk.articles.language import detect_language
from clipdesk.articles.models import Article
from clipdesk.digest.models import Post
from clipdesk.search.backends import IndexDoc
from clipdesk.search.words import entity_word, joined_tokens, tokens
from clipdesk.watch.matching import Matcher
from clipdesk.watch.models import Alias, Entity

LANGUAGE_SAMPLE_CHARS = 600  # a headline and an excerpt are enough to tell the language


def html_text(markup: str) -> str:
    return html.unescape(strip_tags(markup or ""))


def post_text(post: Post) -> str:
    """The text of a post that snippets are cut from: excerpt, then commentary."""
    return "\n".join(part for part in (post.excerpt, html_text(post.body)) if part)


def _credit_words(post: Post) -> list[str]:
    words: list[str] = []
    for credit in post.credits.all():
        words.append(credit.author)
        if credit.outlet is not None:
            words.append(credit.outlet.name)
    return [word for word in words if word]


def article_text(article: Article) -> str:
    return article.text or ""


def posts_for_indexing():
    """Published posts with everything a document needs, in a fixed number of queries."""
    return Post.objects.published().for_listing()


def articles_for_indexing():
    return Article.objects.prefetch_related("matches")


class _MatcherCache:
    """One watchlist matcher per process, rebuilt when entities or aliases change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signature = ""
        self._matcher: Matcher | None = None

    def get(self) -> Matcher:
        names: dict[str, list[str]] = {}
        for entity_id, name in Entity.objects.values_list("id", "name"):
            names[str(entity_id)] = [name]
        for entity_id, text in Alias.objects.values_list("entity_id", "text"):
            names.setdefault(str(entity_id), []).append(text)
        signature = hashlib.sha256(repr(sorted(names.items())).encode()).hexdigest()
        with self._lock:
            if self._matcher is None or signature != self._signature:
                self._matcher = Matcher.build(names)
                self._signature = signature
            return self._matcher


MATCHERS = _MatcherCache()


class _Words:
    """The search words of a field's texts, and the same with words cut by a zero-width
    non-joiner whole (empty when no word is)."""

    def __init__(self, *texts: str) -> None:
        self.words: list[str] = []
        self.joined: list[str] = []
        changed = False
        for text in texts:
            words = tokens(text)
            joined = joined_tokens(text, words)
            changed |= joined is not None
            self.words += words
            self.joined += words if joined is None else joined
        if not changed:
            self.joined = []


def post_document(post: Post, matcher: Matcher) -> IndexDoc:
    """The document of a published post (its credits, outlets and tags prefetched)."""
    text = post_text(post)
    sample = f"{post.headline}. {post.excerpt}"[:LANGUAGE_SAMPLE_CHARS]
    language, _ = detect_language(sample)
    entities = tuple(sorted(int(entity) for entity in matcher.entities_in(post.headline, text)))
    title = _Words(post.headline)
    body = _Words(text, " ".join(_credit_words(post)))
    return IndexDoc(
        kind="post",
        object_id=post.pk,
        title=tuple(title.words),
        body=tuple(body.words) + tuple(map(entity_word, entities)),
        joined_title=tuple(title.joined),
        joined_body=tuple(body.joined),
        date=post.posted_on_inferred,
        lang=language or "",
        outlets=tuple(sorted({c.outlet_id for c in post.credits.all() if c.outlet_id is not None})),
        entities=entities,
        tags=tuple(sorted(tag.pk for tag in post.tags.all())),
    )


def article_document(article: Article) -> IndexDoc:
    """The document of an article (its matches prefetched)."""
    extra = " ".join([*(str(a) for a in article.authors or []), article.outlet_name or ""])
    date = article.published or article.fetched_at.date()
    entities = tuple(sorted({match.entity_id for match in article.matches.all()}))
    title = _Words(article.title)
    body = _Words(article_text(article), extra)
    return IndexDoc(
        kind="article",
        object_id=article.pk,
        title=tuple(title.words),
        body=tuple(body.words) + tuple(map(entity_word, entities)),
        joined_title=tuple(title.joined),
        joined_body=tuple(body.joined),
        date=date,
        lang=(article.language or "").lower(),
        outlets=(article.outlet_id,) if article.outlet_id else (),
        entities=entities,
    )
