"""Every kind of page, public and the desk, read as a browser and an assistive tool read it:
one top heading, headings in order, every field named, nothing wider than a phone, and no
error in the console or request the page's own policy refused."""

from __future__ import annotations

import pytest

from tests.browser.test_desk import _signed_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}

# What a page's markup and layout get wrong, in words; an empty list when nothing.
PAGE_PROBLEMS = r"""
() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("<html> names no lang");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(h1 + " <h1> elements");
  let previous = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = +h.tagName[1];
    if (level > previous + 1) problems.push("<" + h.tagName + "> after <h" + previous + ">");
    previous = level;
  }
  const seen = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) problems.push("id " + el.id + " twice");
    seen.add(el.id);
  }
  for (const img of document.querySelectorAll("img:not([alt])")) problems.push("alt: " + img.src);
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit"].includes(field.type) || field.labels.length) continue;
    if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby")) continue;
    problems.push("no label: " + field.outerHTML.slice(0, 80));
  }
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push("scrolls sideways: " + root.scrollWidth);
  return problems;
}
"""


def _problems_of(page, base_url: str, paths: list[str]) -> dict[str, list[str]]:
    """Each path's problems, console errors and refused requests among them."""
    found: dict[str, list[str]] = {}
    heard: list[str] = []
    page.on("console", lambda m: heard.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: heard.append(str(error)))
    # A request cut short by going on to the next page (the icon, fetched after "load") is
    # no fault of the page; one the page's policy refused fails as ERR_BLOCKED_BY_CSP.
    page.on(
        "requestfailed",
        lambda request: (
            None
            if request.failure == "net::ERR_ABORTED"
            else heard.append(f"{request.url} {request.failure}")
        ),
    )
    for path in paths:
        heard.clear()
        response = page.goto(base_url + path)
        problems = page.evaluate(PAGE_PROBLEMS)
        # The 404 page's own status is the one error the console is right to show.
        if response.status == 404:
            heard[:] = [h for h in heard if "status of 404" not in h]
        if problems or heard:
            found[path] = problems + heard
    return found


def test_public_pages_are_well_formed_on_a_phone(served_instance, browser):
    base_url, _home = served_instance
    page = browser.new_page(viewport=PHONE)
    page.goto(base_url + "/")
    post = page.locator("article.post h2 a").first.get_attribute("href")
    outlet = page.locator("a.outlet").first.get_attribute("href")
    paths = [
        "/",
        post,
        outlet,
        "/archive/",
        "/archive/2021/",
        "/archive/2021/03/",
        "/search/",
        "/search/?q=quay",
        "/search/?q=nothing-is-called-this",
        "/about/",
        "/no-such-page/",
        "/login/",
    ]
    assert _problems_of(page, base_url, paths) == {}
    head = page.locator("link[rel=alternate]").evaluate_all("ls => ls.map(l => l.href)")
    assert head == [base_url + "/feed/", base_url + "/feed/atom/"]
    for feed in head:
        assert page.request.get(feed).ok
    page.close()


def test_the_desk_and_a_snapshot_are_well_formed_on_a_phone(desk_instance, browser):
    base_url, _home = desk_instance
    page = _signed_in(browser, base_url)
    page.set_viewport_size(PHONE)
    assert _problems_of(page, base_url, ["/desk/"]) == {}

    # "o" on a Persian story opens its snapshot, laid out right to left as the page was.
    persian = page.locator("section.story").filter(has_text="پل خبر").first
    persian.locator("h2").click()
    page.keyboard.press("o")
    page.wait_for_url("**/desk/snapshots/**")
    assert _problems_of(page, base_url, [page.url.removeprefix(base_url)]) == {}
    shown = page.locator("div.snapshot")
    assert shown.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.close()
