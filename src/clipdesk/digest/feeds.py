"""RSS 2.0 and Atom feeds of the newest published posts (Django's syndication framework).

Every text goes through `storable_text`: XML 1.0 has no place for control characters, and
Django refuses to write a feed holding one (a vertical tab pasted from a word processor into
an excerpt made both feeds, and the static export, fail).
"""

from __future__ import annotations

import datetime
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, strip_tags

from clipdesk.digest.credits import source_line
from clipdesk.digest.models import Post, SiteProfile
from clipdesk.storable import storable_text

FEED_LENGTH = 30
_host: ContextVar[str] = ContextVar("feed_host", default="localhost")


class _SteadyWhenEmpty:
    """A feed whose date, with no entry to take it from, is the time of the site's last
    change. Django's is the moment it is drawn: an empty feed changed at every request (its
    ETag too), and every static export wrote both feeds again."""

    def latest_post_date(self) -> datetime.datetime:
        if any(item.get("pubdate") or item.get("updateddate") for item in self.items):
            return super().latest_post_date()
        from clipdesk.publish.caching import content_version, version_time

        return datetime.datetime.fromtimestamp(
            int(version_time(content_version())), tz=datetime.UTC
        )


class SteadyRssFeed(_SteadyWhenEmpty, Rss201rev2Feed):
    pass


class SteadyAtomFeed(_SteadyWhenEmpty, Atom1Feed):
    pass


class LatestPostsFeed(Feed):
    feed_type = SteadyRssFeed

    def title(self) -> str:
        return storable_text(SiteProfile.load().name)

    def description(self) -> str:
        profile = SiteProfile.load()
        return storable_text(profile.tagline or f"Latest posts from {profile.name}")

    def link(self) -> str:
        return "/"

    def feed_url(self) -> str:
        return "/feed/"

    def items(self):
        return Post.objects.published().newest_first().for_listing()[:FEED_LENGTH]

    def item_title(self, item: Post) -> str:
        """The headline without markup: many readers show an RSS title as HTML, and a
        headline taken from a hostile page ("<img src=x onerror=…>") was theirs to run.
        Escaped twice like the description, "Q&A" would show as "Q&amp;A" in the others."""
        return without_markup(storable_text(item.headline))

    def item_description(self, item: Post) -> str:
        """The source line and excerpt, HTML-escaped: readers take an RSS description and an
        Atom summary as HTML, and both are plain text ("<kamen>" in a German quote vanished,
        a tag in an excerpt became markup)."""
        line = source_line(item.credits.all())
        return escape(storable_text(f"{line}:… {item.excerpt}" if line else item.excerpt))

    def item_pubdate(self, item: Post) -> datetime.datetime:
        day = item.posted_on or item.posted_on_inferred
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item: Post) -> datetime.datetime:
        return timezone.localtime(item.updated_at)

    def item_categories(self, item: Post) -> list[str]:
        return [storable_text(t.name) for t in item.tags.all()]

    def item_guid(self, item: Post) -> str:
        return f"clipdesk-post-{item.pk}"

    item_guid_is_permalink = False


def without_markup(text: str) -> str:
    """`text` with its tags taken out and every other character as written. Django's
    `strip_tags` writes back what it reads as an entity once the text holds a tag: "AT&T"
    came out "AT&T;" and a closing "Q&A" as "QA". Each "&" is hidden from it as "&amp;",
    which it keeps as it is, and put back after."""
    return strip_tags(text.replace("&", "&amp;")).replace("&amp;", "&")


def id_host(requested: str) -> str:
    """The authority of the entries' ids: the site's own host (the first name it answers to,
    CLIPDESK_ALLOWED_HOSTS), whatever name a reader reached it by. Taken from each request,
    the ids changed with it ("localhost" or "127.0.0.1"), and readers showed every post again
    as new. The static export's own requests keep their host, which it rewrites to its base
    URL's (publish/rendering.py)."""
    from clipdesk.publish.rendering import EXPORT_HOST

    host = urlsplit(f"//{requested}").hostname or "localhost"
    if host == EXPORT_HOST:
        return host
    named = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return named[0].strip("[]") if named else host


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = SteadyAtomFeed

    def feed_url(self) -> str:
        return "/feed/atom/"

    def author_name(self) -> str:
        """Atom asks for an author of the feed or of every entry: the site is its author."""
        return storable_text(SiteProfile.load().name)

    def __call__(self, request, *args, **kwargs):
        # The host for the entries' ids, per request (one feed object serves every thread).
        token = _host.set(id_host(request.get_host()))
        try:
            return super().__call__(request, *args, **kwargs)
        finally:
            _host.reset(token)

    def item_guid(self, item: Post) -> str:
        """A tag: URI (RFC 4151) of the site's host, the day the post was made and its
        number: an Atom id is an absolute IRI that never changes (RFC 4287 4.2.6). Django's
        own is made of the post's address and date, so a corrected slug or "Posted on" made
        readers show the post again as new. RSS keeps its guids (any string will do)."""
        return f"tag:{_host.get()},{item.created_at:%Y-%m-%d}:/posts/{item.pk}"

    def subtitle(self) -> str:
        return self.description()
