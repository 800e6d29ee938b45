"""An editor's morning in a real browser: sign in, publish a story of three outlets."""

import feedparser
import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_editor_publishes_a_story_of_three_outlets(desk_instance, browser):
    base_url, _home = desk_instance
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(base_url + "/desk/")
    assert "/login/" in page.url  # the desk asks who you are first
    page.fill("#id_username", "eddie")
    page.fill("#id_password", "desk-password-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/desk/")

    story = (
        page.locator("section.story")
        .filter(has=page.locator("ul.articles > li:nth-child(3)"))
        .first
    )
    outlets = story.locator(".meta").all_inner_texts()
    assert len(outlets) == 3
    assert story.locator("mark").count() > 0  # the matched aliases are highlighted
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk.png"), full_page=True)

    story.locator("input[name=headline]").fill("Exile council opens its leaflet archive")
    story.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "Published “Exile council opens its leaflet archive”" in page.inner_text(".messages")

    page.goto(base_url + "/")
    first = page.locator("article.post").first
    assert first.locator("h2").inner_text() == "Exile council opens its leaflet archive"
    source = first.locator(".source-line").inner_text()
    for name in ("Riverain Dispatch", "The Harbour Gazette", "The Valley Ledger"):
        assert name in source
    page.screenshot(path=str(ARTIFACTS / "front-page-after-publish.png"), full_page=True)

    feed = feedparser.parse(page.request.get(base_url + "/feed/").body())
    assert feed.entries[0].title == "Exile council opens its leaflet archive"
    for name in ("Riverain Dispatch", "The Harbour Gazette", "The Valley Ledger"):
        assert name in feed.entries[0].summary
    page.close()
