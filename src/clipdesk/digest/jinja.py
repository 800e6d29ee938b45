"""The Jinja2 environment the public site's templates are rendered in.

The public pages (front page, posts, archives, tags, outlets, search) are Jinja2 templates:
Jinja2 compiles a template to Python code and renders a post page in under 0.1 ms, where
Django's engine took several (docs/scaling.md has the figures); a full static export renders
tens of thousands of pages. The admin and the editor's desk stay on Django templates.

The filters below give the output of Django's filters of the same names, through Django's own
functions, so that dates and text read the same on every page.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from django.templatetags.static import static
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS
from django.utils.html import linebreaks as django_linebreaks
from django.utils.text import add_truncation_text
from jinja2 import Environment, pass_environment
from markupsafe import Markup, escape

from clipdesk.bidi import closed_bidi
from clipdesk.digest.cards import PostCard
from clipdesk.digest.credits import format_credit_date
from clipdesk.digest.links import site_links, url


def date(value: datetime.date | None, format_string: str) -> str:
    """Django's `date` filter: a date in Django's format letters ("F j Y", "Y-m-d"); an aware
    datetime in the site's time zone first, as Django's templates show it."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if format_string == "Y-m-d":  # a sitemap's lastmod, ten thousand times
            return value.date().isoformat()
        return dateformat.format(value, format_string)
    if format_string == "Y-m-d":
        return value.isoformat()
    return _formatted(value, format_string)


# The formats the public templates show, spelt out: Django's letters as DateFormat makes them
# (Y four digits, m and d two, j unpadded, F the month's name from Django's table). Parsing
# the format costs 15–30 µs a date, and each process of a full export formats some thousands
# of distinct dates; tests hold these to dateformat.format's answers.
_FORMATS: dict[str, Callable[[datetime.date], str]] = {
    "Y/m/d": lambda day: f"{day.year:04d}/{day.month:02d}/{day.day:02d}",
    "F j Y": lambda day: f"{MONTHS[day.month]} {day.day} {day.year:04d}",
    "F Y": lambda day: f"{MONTHS[day.month]} {day.year:04d}",
}


@lru_cache(maxsize=65536)
def _formatted(value: datetime.date, format_string: str) -> str:
    # A list page shows each date several times, and an archive has a few thousand dates.
    # Month names are those of the site's one language (LANGUAGE_CODE; the public site has no
    # per-request language), so the answer depends on the date and the format alone.
    spelt = _FORMATS.get(format_string)
    return spelt(value) if spelt else dateformat.format(value, format_string)


def truncatewords(value: str, count: int) -> str:
    """Django's `truncatewords`: the first `count` words, then " …" if there were more.

    Split here, as Truncator.words splits plain text, because a Truncator is a lazy object
    whose every attribute goes through a proxy: 10 µs a post page for its description,
    against 2 µs; a test holds the two equal. The ending is Django's own.
    """
    words = value.split()
    if len(words) > count:
        return add_truncation_text(" ".join(words[:count]), " …")
    return " ".join(words)


def linebreaks(value: str) -> Markup:
    """Paragraphs and line breaks from plain text, escaped first."""
    return Markup(django_linebreaks(value, autoescape=True))  # noqa: S704 (escaped just now)


def page_href(number: int) -> str:
    """A numbered page of the list being shown (the static export gives its own addresses)."""
    return f"?page={number}"


def pluralize(count: int, suffix: str = "s") -> str:
    return "" if count == 1 else suffix


def source_line(post: PostCard, linked: bool = False) -> Markup:
    """The credits of a post as the digest writes them, grouped by digest/credits.py:
    `Author, Outlet and Outlet, Place, February 19 2019; …`. On the post page (`linked`) an
    outlet links to the article itself, elsewhere to the outlet's page.

    Built here rather than in a template macro: the line is on every post page and in every
    list summary (some 300,000 lines in a full export of 100,000 posts), and the macro took
    11.3 µs a line where this took 8.4, for the same bytes; an outlet's link to its page and
    a date's element are now made once each. Every value is escaped, as in a template.
    """
    parts = ['<span class="source-line">']
    for number, group in enumerate(post.source_groups):
        if number:
            parts.append("; ")
        if group.author:
            parts.append(f'<span class="author">{escape(group.author)}</span>')
            if group.names or group.place or group.date:
                parts.append(", ")
        last = len(group.names) - 1
        for index, name in enumerate(group.names):
            if index:
                parts.append(" and " if index == last else ", ")
            if linked and name.url:
                href, text = escape(name.url), escape(name.text)
                parts.append(f'<a class="outlet" href="{href}" rel="nofollow noopener">{text}</a>')
            elif name.outlet_slug:
                parts.append(_outlet_link(name.outlet.url, name.text))
            else:
                parts.append(f'<span class="outlet">{escape(name.text)}</span>')
        if group.place:
            if group.names:
                parts.append(", ")
            parts.append(f'<span class="place">{escape(group.place)}</span>')
        if group.date:
            if group.names or group.place:
                parts.append(", ")
            parts.append(_time_element(group.date))
    parts.append("</span>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped


@lru_cache(maxsize=65536)
def _time_element(day: datetime.date) -> str:
    # A date, as the source line shows it: the same few thousand days on every page.
    return f'<time datetime="{escape(day.isoformat())}">{escape(format_credit_date(day))}</time>'


@lru_cache(maxsize=4096)
def _outlet_link(href: str, name: str) -> str:
    # An outlet's link to its page: a few hundred outlets, named in every summary.
    return f'<a class="outlet" href="{escape(href)}">{escape(name)}</a>'


# Text enough to tell a post's script by: its headline and the opening of its excerpt.
DIRECTION_SAMPLE_CHARS = 300


def text_direction(*texts: str) -> str:
    """ "rtl" when most letters of `texts` are written right to left (Persian, Arabic,
    Hebrew), else "auto". `dir="auto"` alone follows the first strong letter: a Persian
    post whose headline opens with a Latin acronym ("TVA در …") was laid out left to right."""
    sample = " ".join(texts)[:DIRECTION_SAMPLE_CHARS]
    rtl = ltr = 0
    for char in sample:
        if char.isalpha():
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                rtl += 1
            elif kind == "L":
                ltr += 1
    return "rtl" if rtl > ltr else "auto"


@pass_environment
def post_summary(env: Environment, post: PostCard) -> Markup:
    """A post as every list shows it, rendered once per card: a full export lists each post
    on several pages (front page, month, tags, outlets) and renders it once per process."""
    html = post.rendered.get("summary")
    if html is None:
        template = env.get_template("digest/includes/post_summary.html")
        html = post.rendered["summary"] = Markup(template.render(post=post))  # noqa: S704
    return html


class SiteEnvironment(Environment):
    """Jinja2's environment, with each template's globals in one plain dict.

    Jinja2 chains a template's globals to the environment's (a ChainMap), so that globals
    added later still show; every render then copies the chain key by key, which a full
    export did 23,000 times per 10,000 posts. The globals here are all set in
    `environment()`, before any template is loaded, and never change afterwards.
    """

    def make_globals(self, d: dict | None) -> dict:
        return {**self.globals, **(d or {})}


def environment(**options) -> Environment:
    """Django's options, with escaping always on: every value is escaped unless marked safe."""
    options.pop("autoescape", None)
    env = SiteEnvironment(autoescape=True, **options)
    env.globals.update(
        url=url,
        static=static,
        page_href=page_href,
        site_links=site_links,
        source_line=source_line,
        post_summary=post_summary,
        text_direction=text_direction,
    )
    env.filters.update(
        date=date,
        truncatewords=truncatewords,
        linebreaks=linebreaks,
        pluralize=pluralize,
        closed_bidi=closed_bidi,
    )
    return env
