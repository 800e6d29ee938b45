"""What a reader sees of an imported archive, in a real browser."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_reader_sees_imported_posts_and_follows_one(served_instance, browser):
    base_url, _home = served_instance
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base_url + "/")

    assert page.title() == "Harbour Watch"
    headlines = page.locator("article.post h2 a").all_inner_texts()
    assert headlines == [
        "Dredging contract goes to a second vote",
        "Residents fill the hall for the quay hearing",
        "Port authority names a new chair",
    ]
    posted = page.locator("article.post .posted-on").all_inner_texts()
    assert [p.strip() for p in posted] == [
        "Posted on: 2021/03/02",
        "Posted on:",
        "Posted on: 2021/02/26",
    ]
    second_source = page.locator("article.post .source").nth(1).inner_text()
    assert second_source.startswith(
        "The Harbour Gazette, Northern Ledger and Valley Times, March 1 2021:… "
        "More than two hundred"
    )

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "front-page.png"), full_page=True)

    page.get_by_role("link", name="Port authority names a new chair").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Port authority names a new chair"
    assert "Tomas Reiter, Northern Ledger, February 26 2021" in page.locator(".source").inner_text()
    page.get_by_role("link", name="Northern Ledger").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Coverage from Northern Ledger"
    assert page.locator("article.post").count() == 2
    page.screenshot(path=str(ARTIFACTS / "outlet-page.png"), full_page=True)
    page.close()
