"""Checking a site rule (ExtractionRule) when an editor saves it, not when a page meets it.

A rule whose XPath cannot be evaluated fails the extraction of every page of its site; saved
unchecked, the site's articles would stop arriving with nothing but the poll's page failures
to say why.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

# Evaluated once against this page, so that an undefined namespace prefix or an unknown
# function in a predicate is found too (lxml reports those on evaluation, not compilation).
_SAMPLE = lxml.html.document_fromstring(
    "<html lang='en'><head><title>t</title><meta name='author' content='a'></head><body>"
    "<header><nav><a href='/'>home</a></nav></header><main><article class='c' id='i'>"
    "<h1>h</h1><div class='byline'><span>by a</span><time datetime='2024-01-01'>1 Jan</time>"
    "</div><section><p>text</p><ul><li>item</li></ul><figure><img src='x'></figure></section>"
    "</article><aside><div>more</div></aside></main><footer><p>f</p></footer></body></html>"
)


def xpath_problem(path: str) -> str | None:
    """Why this XPath cannot be used on a page, in words; None when it can."""
    try:
        etree.XPath(path)(_SAMPLE)
    except etree.XPathError as exc:
        return f"not a usable XPath: {exc}"
    except ValueError:
        # lxml's refusal of a NUL or another control character (pasted along with the
        # path), which was a server error when the admin checked a rule.
        return "not a usable XPath: it holds a control character"
    return None


def normal_host(value: str) -> str | None:
    """The host name a rule is keyed by (what a fetched page's address gives: lower case),
    from a host or a whole address; None when there is none."""
    value = value.strip()
    if "://" in value:
        try:
            value = urlsplit(value).hostname or ""
        except ValueError:
            return None
    host = value.lower().rstrip(".")
    if not host or any(c in host for c in "/?#@ :\t"):
        return None
    return host


def drop_xpaths_problem(value: object) -> str | None:
    """Why `drop_xpaths` is not a list of usable XPaths; None when it is."""
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        return "a list of XPaths, such as [\"//div[@class='promo']\"]"
    for path in value:
        if problem := xpath_problem(path):
            return f"{path!r}: {problem}"
        if _NOT_ELEMENTS.search(path):
            return f"{path!r} selects text or attributes; what is dropped must be elements"
    return None


# The last step of an XPath that selects no element ("//h1/text()", "//@class"): dropped from
# the page, its result took extraction down with an error page.
_NOT_ELEMENTS = re.compile(r"(?:text\(\)|@[\w:*-]+|comment\(\)|node\(\))\s*(?:\[[^\]]*\])?\s*$")
