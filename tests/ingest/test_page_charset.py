"""A page whose charset only its response's Content-Type gives is read in that charset,
when polled and when extracted again from its snapshot (which keeps the header)."""

from __future__ import annotations

import pytest

from clipdesk.articles.actions import reextract_article
from clipdesk.articles.models import Article
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from tests.ingest.test_poll_failures import feed

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = """<!doctype html><html><head><title>Совет обсудил ремонт волнореза</title></head>
<body><article><h1>Совет обсудил ремонт волнореза</h1>
<p>Городской совет во вторник обсудил ремонт старого волнореза у северного причала. Работы
должны начаться весной, если погода позволит, и продлятся до конца лета.</p>
<p>Рыбаки попросили оставить проход для лодок открытым на всё время ремонта.</p>
</article></body></html>""".encode("cp1251")


def test_the_content_type_charset_is_honoured_when_polled_and_extracted_again(server):
    url = server.route(
        "/volnorez.html", PAGE, headers={"Content-Type": "text/html; charset=windows-1251"}
    )
    add_source(server.route("/feed.xml", feed(url)), kind="feed")

    poll_sources(due_only=False)

    article = Article.objects.get()
    assert "волнореза" in article.text
    assert article.language == "ru"
    Article.objects.filter(pk=article.pk).update(text="stale", language="")
    reextract_article(Article.objects.get())
    article.refresh_from_db()
    assert "волнореза" in article.text and article.language == "ru"


GBK_PAGE = """<!doctype html><html><head><meta charset="gb2312"><title>朱镕基视察港口</title>
</head><body><article><h1>朱镕基视察港口</h1>
<p>朱镕基星期二视察了北码头的防波堤修复工程。工程预计在春天开始，如果天气允许，将持续到夏末。
市议会表示，修复期间渔船的通道将保持开放，渔民对此表示欢迎。</p>
<p>渔民们请求在整个修复期间为船只保留通道，议会同意了这一请求。</p>
</article></body></html>""".encode("gb18030")


def test_a_page_labelled_gb2312_is_read_as_gbk_as_browsers_read_it(server):
    url = server.route("/gangkou.html", GBK_PAGE, headers={"Content-Type": "text/html"})
    add_source(server.route("/feed.xml", feed(url)), kind="feed")

    poll_sources(due_only=False)

    article = Article.objects.get()
    assert "朱镕基" in article.text and "\ufffd" not in article.text
