"""Allow-list sanitising (nh3) of HTML that came from elsewhere, before any page shows it."""

from __future__ import annotations

import nh3

# Text structure and links only: no scripts, styles, forms, frames, images or event handlers.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "time": {"datetime"}, "*": {"dir", "lang"}}


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Keep the text and its structure; links get rel="nofollow noopener noreferrer".

    With `base_url` (the address a fetched page was read from), relative links are made
    absolute against it: shown on this site, "/politics/" would lead into this site. A base
    that cannot be one (`usable_base` is False) drops them instead."""
    if base_url is None:
        relative: object = None
    else:
        relative = ("rewrite_with_base", base_url) if usable_base(base_url) else "deny"
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        url_relative=relative,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def usable_base(url: str) -> bool:
    """Whether nh3 can resolve links against `url`: it refuses with ValueError what its URL
    parser cannot read ("https://ex ample.com/", a port out of range), which Python's reads."""
    try:
        nh3.clean("<a href=x></a>", tags={"a"}, url_relative=("rewrite_with_base", url))
    except ValueError:
        return False
    return True
