"""Site rules are data an editor keeps in the admin: checked when saved, applied when polled."""

from __future__ import annotations

import pytest

from clipdesk.articles.models import Article, ExtractionRule
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from tests.ingest.test_poll_failures import feed

PAGE = b"""<!doctype html><html lang="en"><head><title>Quayside Courier</title></head><body>
<div class="masthead"><h1>Quayside Courier</h1></div>
<div class="story"><div class="kicker">Lock gates repaired before the spring tides</div>
<p>Divers finished the last of the timber seals on Tuesday, two days ahead of the tides that
flooded the towpath last year, and the canal trust reopened the lock to narrowboats.</p>
<p>The trust said the repair cost less than feared because the oak came from its own store
of beams saved when the old swing bridge was taken down.</p></div></body></html>"""


def rule_form(**fields) -> dict:
    data = {
        "host": "www.example.org",
        "title_xpath": "",
        "author_xpath": "",
        "date_xpath": "",
        "body_xpath": "",
        "drop_xpaths": "[]",
        "enabled": "on",
        "notes": "",
    }
    return data | fields


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title_xpath": "//div[@class='kicker'"}, "title_xpath", "Not a usable XPath"),
        ({"author_xpath": "//x:span"}, "author_xpath", "Undefined namespace prefix"),
        ({"date_xpath": "//time[nosuch(@datetime)]"}, "date_xpath", "Unregistered function"),
        ({"drop_xpaths": '{"promo": 1}'}, "drop_xpaths", "A list of XPaths"),
        ({"drop_xpaths": '["//div[@class="]'}, "drop_xpaths", "not a usable XPath"),
        ({"host": "www.example.org/news"}, "host", "A host name"),
        ({"drop_xpaths": '["//h1/text()"]'}, "drop_xpaths", "selects text or attributes"),
        ({"drop_xpaths": '["//@class"]'}, "drop_xpaths", "selects text or attributes"),
        # A control character pasted along with the path: lxml refuses it with a ValueError,
        # which was a server error.
        ({"title_xpath": "//h1\x01"}, "title_xpath", "holds a control character"),
        ({"drop_xpaths": '["//div\\u0000"]'}, "drop_xpaths", "holds a control character"),
    ],
)
def test_the_admin_refuses_a_rule_that_could_not_apply(admin_client, fields, field, message):
    page = admin_client.post("/admin/articles/extractionrule/add/", rule_form(**fields))

    assert page.status_code == 200  # the form again, with the error beside its field
    errors = page.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not ExtractionRule.objects.exists()


@pytest.mark.django_db
def test_a_host_given_as_an_address_or_in_capitals_is_kept_as_pages_name_it(admin_client):
    form = rule_form(host="HTTPS://News.Example.ORG/section/", title_xpath="//h1")
    page = admin_client.post("/admin/articles/extractionrule/add/", form, follow=True)

    assert page.status_code == 200
    assert ExtractionRule.objects.get().host == "news.example.org"


@pytest.mark.django_db(transaction=True)
def test_a_rule_saved_for_a_site_is_applied_to_its_pages_when_polled(server):
    html = {"Content-Type": "text/html; charset=utf-8"}
    url = server.route("/lock-gates.html", PAGE, headers=html)
    add_source(server.route("/feed.xml", feed(url)), kind="feed")
    rule = ExtractionRule(host="127.0.0.1", title_xpath="//div[@class='kicker']")
    rule.full_clean()
    rule.save()

    poll_sources(due_only=False)

    article = Article.objects.get()
    # The feed calls the item "0"; the editor's rule for this site wins over it.
    assert article.title == "Lock gates repaired before the spring tides"
    assert article.extracted["feed"]["title"] == "0"
    assert article.extracted["choices"]["title"].startswith("the site rule's title_xpath")


@pytest.mark.django_db(transaction=True)
def test_a_rule_saved_later_applies_when_the_articles_are_extracted_again(server):
    from clipdesk.articles.actions import reextract_articles

    html = {"Content-Type": "text/html; charset=utf-8"}
    url = server.route("/lock-gates.html", PAGE, headers=html)
    add_source(server.route("/feed.xml", feed(url)), kind="feed")
    poll_sources(due_only=False)
    assert Article.objects.get().extracted["page"]["title"] != (
        "Lock gates repaired before the spring tides"
    )
    ExtractionRule.objects.create(host="127.0.0.1", title_xpath="//div[@class='kicker']")

    report = reextract_articles(Article.objects.select_related("snapshot"))

    assert (report.extracted, report.failed) == (1, [])
    article = Article.objects.get()
    assert article.extracted["page"]["title"] == "Lock gates repaired before the spring tides"
    # The editor's rule wins over the feed's "0", as it does when a page is first polled.
    assert article.title == "Lock gates repaired before the spring tides"
    assert article.extracted["choices"]["title"].startswith("the site rule's title_xpath")


def test_a_rule_kept_from_before_that_drops_text_fails_the_page_in_words():
    from clipdesk.articles.extraction import ExtractionError, extract_article

    with pytest.raises(ExtractionError, match="selects text or attributes, not elements"):
        extract_article(PAGE, "https://www.example.org/a", rules={"drop_xpaths": ["//h1/text()"]})
