"""Every published post read once, for a full export: post and list pages from memory.

Through the views, a full export asks the database for each of its pages: three queries
for a post page, five for a list page, then the template. At 10,000 posts that is most of
the export's time. Here the published archive is read in a few queries before the render
workers fork (they share it), each list (front page, months, tags, outlets) is sorted once,
and each page is the view's own template rendered with the context the view would give it.
The chunks of the posts' sitemap (a thousand posts each) are made the same way, with the
sitemap view's template and the entries Django's `Sitemap` would give it: through the view,
a chunk cost 65 ms, 6 CPU-seconds of an export of 100,000 posts.
The pages are the same bytes as the views' pages once those have their addresses rewritten
for the copy (tests/publish/test_preloaded.py compares every page of an archive); the other
pages (about, archive index, feeds, the sitemap index and its other sections) still go
through the views.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.template import engines
from django.templatetags.static import static
from django.urls import Resolver404, get_resolver, reverse
from markupsafe import Markup

from clipdesk.digest import views
from clipdesk.digest.cards import OutletCard, PostCard, TagCard, published_cards
from clipdesk.digest.links import SiteLinks, site_links, slug_addresses
from clipdesk.digest.models import Outlet, SiteProfile, Tag
from clipdesk.digest.pagination import NoSuchPage, list_page
from clipdesk.digest.sitemaps import SITEMAPS
from clipdesk.digest.sitemaps import TEMPLATE as SITEMAP_TEMPLATE
from clipdesk.publish.rendering import Addresses, site_root


class PreloadedArchive:
    """The published posts and their lists, held in memory for one full export.

    Its pages carry the static copy's addresses already (`addresses`): the cards' addresses,
    the header's links, the stylesheet's and the list pages' own are made for the copy once,
    instead of rewriting every link of every page after rendering it (publish/rendering.py
    does that for the pages the views render). A post's body, free HTML, is rewritten once.
    """

    def __init__(self, addresses: Addresses) -> None:
        self.addresses = addresses
        self.per_page = settings.DIGEST_POSTS_PER_PAGE
        self.posts = published_cards()  # newest first, as every list orders them
        with site_root():  # a post page is found by its path, without resolving it
            post_path = slug_addresses("digest:post")
            self.by_path: dict[str, PostCard] = {post_path(p.slug): p for p in self.posts}
            self._use_copy_addresses()
        self.by_month: dict[tuple[int, int], list[PostCard]] = defaultdict(list)
        self.by_tag: dict[str, list[PostCard]] = defaultdict(list)
        self.by_outlet: dict[str, list[PostCard]] = defaultdict(list)
        for post in self.posts:
            day = post.posted_on_inferred
            self.by_month[day.year, day.month].append(post)
            for tag in post.tags:
                self.by_tag[tag.slug].append(post)
            for slug in post.outlet_slugs:
                self.by_outlet[slug].append(post)
        self.tags = {tag.slug: tag for tag in Tag.objects.all()}
        self.outlets = {outlet.slug: outlet for outlet in Outlet.objects.all()}
        self.site = SiteProfile.load()
        with site_root():
            live = site_links()
        self.links = SiteLinks(**{k: self._href(v) for k, v in dataclasses.asdict(live).items()})
        self.resolver = get_resolver()
        jinja = engines["jinja2"]
        self.templates = {
            name: jinja.get_template(name).template
            for name in (
                views.FRONT_PAGE,
                views.POST_PAGE,
                views.MONTH_PAGE,
                views.TAG_PAGE,
                views.OUTLET_PAGE,
                SITEMAP_TEMPLATE,
            )
        }
        with site_root():
            self.post_sitemap = reverse("sitemap_section", kwargs={"section": "posts"})
        # Every page's head links, header and footer, the same on all of them: rendered once.
        chrome = {"site": self.site, "links": self.links, "static": self._static}
        parts = {
            part: jinja.get_template(f"digest/includes/site_{part}.html").template.render(chrome)
            for part in ("head", "header", "footer")
        }
        self.chrome = SimpleNamespace(**{k: Markup(v) for k, v in parts.items()})  # noqa: S704 - escaped as rendered
        self.by_id = sorted(self.posts, key=lambda post: post.id)  # the sitemap's order

    def _href(self, live: str) -> str:
        return self.addresses.rewrite_url(live, "/")

    def _use_copy_addresses(self) -> None:
        """Give every card, outlet and tag the address its page has in the static copy."""
        # cached_property keeps its value in the instance's __dict__: set there, it is used.
        # A post's path is a plain page's: its address in the copy is href_for's, not one
        # that needs rewrite_url's cases (tests/publish/test_preloaded.py holds them equal).
        href = self.addresses.href_for
        months: dict[tuple[int, int], str] = {}
        named: dict[int, OutletCard | TagCard] = {}  # shared by many posts: each once
        for path, post in self.by_path.items():
            post.__dict__["url"] = href(path)
            day = post.posted_on_inferred
            month = months.get((day.year, day.month))
            if month is None:
                month = months[day.year, day.month] = self._href(post.month_url)
            post.__dict__["month_url"] = month
            if post.body:
                post.body = self.addresses.rewrite_html(post.body, path)
            named.update((id(n), n) for n in post.tags)
            named.update((id(c.outlet), c.outlet) for c in post.credits if c.outlet)
        for page in named.values():
            page.__dict__["url"] = self._href(page.url)

    def _static(self, path: str) -> str:
        return self._href(static(path))

    def render(self, path: str, number: int | None) -> str | None:
        """The page's HTML, or None when this is not a post or list page (or no such page:
        the views then answer, 404 included)."""
        if path in self.by_path:
            if number is not None:
                return None
            return self._page(views.POST_PAGE, path, {"post": self.by_path[path]})
        if path == self.post_sitemap:
            return self._post_sitemap(number or 1)
        try:
            match = self.resolver.resolve(path)
        except Resolver404:
            return None
        name, kwargs = match.url_name, match.kwargs
        if match.namespace != "digest":
            return None
        if name == "front_page":
            return self._list(views.FRONT_PAGE, path, number, self.posts, {})
        if name == "archive_month":
            try:
                month = datetime.date(kwargs["year"], kwargs["month"], 1)
            except ValueError:
                return None
            posts = self.by_month.get((month.year, month.month), [])
            return self._list(views.MONTH_PAGE, path, number, posts, {"month": month})
        if name == "tag" and kwargs["slug"] in self.tags:
            posts = self.by_tag.get(kwargs["slug"], [])
            return self._list(
                views.TAG_PAGE, path, number, posts, {"tag": self.tags[kwargs["slug"]]}
            )
        if name == "outlet" and kwargs["slug"] in self.outlets:
            posts = self.by_outlet.get(kwargs["slug"], [])
            outlet = self.outlets[kwargs["slug"]]
            return self._list(views.OUTLET_PAGE, path, number, posts, {"outlet": outlet})
        return None

    def _post_sitemap(self, number: int) -> str | None:
        """A chunk of the posts' sitemap: what django.contrib.sitemaps' view renders with
        PostSitemap (digest/sitemaps.py), with the copy's absolute addresses."""
        sitemap = SITEMAPS["posts"]
        size = sitemap.limit
        chunk = self.by_id[(number - 1) * size : number * size]
        if not chunk and number != 1:
            return None  # past the last chunk: the view answers 404
        origin = self.addresses.origin
        urlset = [
            {
                "location": origin + post.url,
                "lastmod": post.updated_at,
                "changefreq": sitemap.changefreq,
                "priority": "",
                "alternates": [],
            }
            for post in chunk
        ]
        return self.templates[SITEMAP_TEMPLATE].render({"urlset": urlset})

    def _list(
        self, template: str, path: str, number: int | None, posts: list, context: dict
    ) -> str | None:
        try:
            page = list_page(posts, number, self.per_page)
        except NoSuchPage:
            return None
        return self._page(template, path, {**context, "page_obj": page, "posts": page.posts})

    def _page(self, template: str, path: str, context: dict) -> str:
        # What the view's render() adds: the request (only its path is read) and `site`; and
        # the copy's addresses where the templates would make the live site's.
        href = self.addresses.href_for
        extra = {
            "request": SimpleNamespace(path=href(path)),
            "site": self.site,
            "links": self.links,
            "chrome": self.chrome,
            "page_href": lambda number: href(path, number),
        }
        return self.templates[template].render({**context, **extra})
