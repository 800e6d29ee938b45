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

    headline = story.locator("input[name=headline]")
    headline.fill("Exile council opens its leaflet archive")
    # Enter in the headline does nothing: it "clicked" the form's first button, which was
    # the first article's "split out".
    headline.press("Enter")
    page.wait_for_timeout(800)
    assert page.locator(".messages").count() == 0
    assert story.locator("ul.articles > li").count() == 3
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


def _signed_in(browser, base_url):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(base_url + "/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", "desk-password-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/desk/")
    return page


def _open_stories(page):
    return page.locator("section.story").filter(has=page.locator("input[name=headline]"))


def test_enter_in_the_merge_field_merges(desk_instance, browser):
    base_url, _home = desk_instance
    page = _signed_in(browser, base_url)
    keep, other = _open_stories(page).nth(0), _open_stories(page).nth(1)
    other_id = other.get_attribute("data-story")
    keep.locator("input[name=other]").fill(other_id)
    keep.locator("input[name=other]").press("Enter")  # it published the story
    page.wait_for_load_state()
    assert f"Story {other_id} merged into story" in page.inner_text(".messages")
    assert page.locator(f"#story-{other_id}").count() == 0
    page.close()


def test_a_story_is_published_once_however_often_p_is_pressed(desk_instance, browser):
    base_url, _home = desk_instance
    page = _signed_in(browser, base_url)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    first = page.locator("section.story").first
    assert first.locator("input[name=headline]").count() == 1
    headline = first.locator("input[name=headline]").input_value()
    for _ in range(3):
        page.keyboard.press("p")
    page.wait_for_load_state()
    assert page.inner_text(".messages").startswith(f"Published “{headline}”")
    assert failed == []  # one request, not three of which two were cut short
    page.close()


def test_a_key_acts_on_the_story_the_editor_clicked_or_tabbed_into(desk_instance, browser):
    # The keys acted on the story last reached with j/k: an editor who clicked into the
    # third story and pressed "s" snoozed the first, which stayed outlined beside it.
    base_url, _home = desk_instance
    page = _signed_in(browser, base_url)
    stories = _open_stories(page)
    third = stories.nth(2)
    third_id = third.get_attribute("data-story")
    third.locator("h2").click()
    assert page.locator("section.story.current").get_attribute("data-story") == third_id
    page.keyboard.press("s")
    page.wait_for_load_state()
    assert page.inner_text(".messages").startswith(f"Story {third_id} snoozed until")

    # Tabbed to a story's "Merge into this", j goes on to the story after that one.
    ids = page.locator("section.story").evaluate_all("ss => ss.map(s => s.dataset.story)")
    page.locator(f"#story-{ids[1]} .merge-form button").focus()
    page.keyboard.press("j")
    assert page.locator("section.story.current").count() == 1
    assert page.locator("section.story.current").get_attribute("data-story") == ids[2]
    page.close()


def test_back_from_a_decision_the_keys_act_on_the_story_in_view(desk_instance, browser):
    # The desk comes back at the story after the one decided (#story-N); the keys acted on
    # the first story, out of sight above it.
    base_url, _home = desk_instance
    page = _signed_in(browser, base_url)
    _open_stories(page).nth(1).get_by_role("button", name="Dismiss").click()
    page.wait_for_load_state()
    after = page.url.rsplit("#story-", 1)[1]
    assert after != page.locator("section.story").first.get_attribute("data-story")
    assert page.locator("section.story.current").get_attribute("data-story") == after
    page.close()
