"""Stage 4 of extraction, the metadata half: trafilatura's view of a page, read field by field.

`bare_extraction(with_metadata=True)` reads every metadata field trafilatura knows, including
categories, tags and the licence, which we never use, and the author heuristics over the whole
page, which we only need when the page's own metadata names nobody (extraction.py asks for
trafilatura's author after the JSON-LD and meta tags). Together those were about a third of
trafilatura's metadata pass and a tenth of the ingest path's time on bench/ingest.py's pages.

`TrafilaturaMeta` asks trafilatura's own metadata functions (trafilatura.metadata) for each
field only when extraction.py first reads it, in the order and with the fallbacks of
`trafilatura.metadata.extract_metadata`, so every field is what that function gives;
tests/feeds_extraction/test_trafilatura_meta.py holds the two side by side on the gold pages.
"""

from __future__ import annotations

import contextlib
import copy
from functools import cached_property
from typing import Any

import lxml.html
from htmldate import find_date
from trafilatura import metadata as traf
from trafilatura.settings import Document

from clipdesk.articles.page_metadata import clean_text


class TrafilaturaMeta:
    """trafilatura's title, authors, site name, description and date of one page, lazily.

    `tree` must stay unmodified while fields are read: extraction.py reads the fields it needs
    before its text extraction prunes the tree; `url` is the page's address, the fallback for
    the page's own URL.
    """

    def __init__(self, tree: lxml.html.HtmlElement, url: str, date_params: dict[str, Any]):
        self._tree = tree
        self._url = url
        self._date_params = date_params

    @cached_property
    def _meta_tags(self) -> Document:
        """OpenGraph and meta tags: the date needs the page's URL, which only they give."""
        found = traf.examine_meta(self._tree)
        if found.author and " " not in found.author:
            found.author = None  # a single word in the author tags is a handle, not a name
        return found

    @cached_property
    def _tags(self) -> Document:
        """The meta tags, then JSON-LD over them (parsed only when a field asks: the page's
        own JSON-LD, read in page_metadata.py, usually answers first)."""
        found = copy.copy(self._meta_tags)
        # As trafilatura does: a bug on odd JSON-LD loses the JSON-LD, not the page.
        with contextlib.suppress(Exception):
            found = traf.extract_meta_json(self._tree, found)
        return found

    @cached_property
    def page_url(self) -> str | None:
        # trafilatura's JSON-LD reading sets no URL: the meta tags' is the one it would use.
        return self._meta_tags.url or traf.extract_url(self._tree, self._url)

    @cached_property
    def date(self) -> str | None:
        """htmldate's answer, asked as trafilatura asks it (with the page's own URL)."""
        return find_date(self._tree, **{**self._date_params, "url": self.page_url})

    @cached_property
    def title(self) -> str | None:
        return clean_text(_trimmed(self._tags.title or traf.extract_title(self._tree)))

    @cached_property
    def authors(self) -> list[str]:
        """The author heuristics over the whole page are the costly part: read only if asked."""
        found = _trimmed(self._tags.author or traf.extract_author(self._tree)) or ""
        return [a for a in (clean_text(p) for p in found.split(";")) if a]

    @cached_property
    def sitename(self) -> str | None:
        name = self._tags.sitename or traf.extract_sitename(self._tree)
        if name:
            name = name.lstrip("@")  # a Twitter handle
            if name and "." not in name and not name[0].isupper():
                name = name.title()
        elif self.page_url and (host := traf.META_URL.match(self.page_url)):
            name = host[1]
        return clean_text(_trimmed(name))

    @cached_property
    def description(self) -> str | None:
        return clean_text(_trimmed(self._tags.description))


def _trimmed(value: str | None) -> str | None:
    """The value as trafilatura's document gives it (entities, spaces, length: its own trim)."""
    if not value:
        return value
    document = Document()
    document.title = value
    document.clean_and_trim()
    return document.title
