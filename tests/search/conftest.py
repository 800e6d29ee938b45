"""One corpus for the search tests, indexed by whichever engine the database implies.

On SQLite the tantivy index lives in a fresh instance home per test; on PostgreSQL the
search table is inside the test transaction. The same expectations hold for both.
"""

from __future__ import annotations

import datetime
import hashlib
from types import SimpleNamespace

import pytest

from clipdesk.articles.models import Article
from clipdesk.digest.models import Post
from clipdesk.search.backends import reset_backends
from clipdesk.search.indexing import reindex_all
from clipdesk.watch.models import Match
from clipdesk.watch.store import add_entity
from tests.factories import make_outlet, make_post, make_tag

D = datetime.date


@pytest.fixture(autouse=True)
def search_home(settings, tmp_path):
    """A throw-away instance home, so each test gets its own tantivy index."""
    settings.CLIPDESK_HOME = tmp_path
    reset_backends()
    yield tmp_path
    reset_backends()


def make_article(title: str, text: str, **fields) -> Article:
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return Article.objects.create(
        url=f"https://news.example/{digest[:12]}",
        canonical_url=f"https://news.example/{digest[:12]}",
        title=title,
        text=text,
        text_sha256=digest,
        **fields,
    )


def match(article: Article, entity, alias: str) -> Match:
    start = article.text.find(alias)
    return Match.objects.create(
        article=article,
        entity=entity,
        alias=alias,
        field="text",
        start=start,
        end=start + len(alias),
        matched_text=alias,
        reason="test",
    )


@pytest.fixture
def corpus(db):
    """Posts and articles that each test reads its expectations from, then a full index."""
    mek = add_entity(
        "Mojahedin-e Khalq",
        ["MEK", "PMOI", "People's Mojahedin Organization of Iran", "مجاهدین خلق"],
    )
    rajavi = add_entity("Maryam Rajavi", ["Rajavi"])
    monde = make_outlet("Le Monde", aliases=["LeMonde.fr"])
    guardian = make_outlet("The Guardian", aliases=["Guardian"])
    rallies, camps = make_tag("Rallies"), make_tag("Camps")

    def credit(outlet, author=""):
        return [{"outlet": outlet, "author": author}]

    p = SimpleNamespace(mek=mek, rajavi=rajavi, monde=monde, guardian=guardian)
    p.rally = make_post(
        "Exiles rally at Villepinte",
        posted_on=D(2019, 6, 30),
        excerpt="Supporters of the Mojahedin-e Khalq gathered near Paris.",
        credits=credit(monde, "Jane Doe"),
        tags=[rallies],
    )
    p.statement = make_post(
        "PMOI statement on Camp Ashraf",
        posted_on=D(2020, 1, 15),
        excerpt="The statement said Camp Ashraf residents were moved.",
        credits=credit(guardian),
        tags=[camps],
    )
    p.closes = make_post(
        "Ashraf camp closes",
        posted_on=D(2020, 3, 1),
        excerpt="The camp named Ashraf closed its gates.",
        credits=credit(guardian),
        tags=[camps],
    )
    p.elysee = make_post(
        "Élysée responds",
        posted_on=D(2021, 5, 5),
        excerpt="The Élysée palace declined to comment on the MEK.",
        credits=credit(monde),
    )
    p.persian = make_post(
        "گزارش: آنها می\u200cخواهند",
        posted_on=D(2021, 7, 1),
        excerpt="متنی درباره كتاب و مجاهدين خلق",
    )
    p.draft = make_post("Draft about Villepinte", posted_on=D(2021, 8, 1), status=Post.Status.DRAFT)
    p.markup = make_post(
        "Quotes & <tags> in Paris",
        posted_on=D(2021, 9, 1),
        excerpt='<script>alert("x")</script> Paris march',
    )
    p.tirana_old = make_post(
        "Weather in Tirana", posted_on=D(2021, 1, 1), excerpt="Rain again in Tirana."
    )
    p.tirana_new = make_post(
        "Weather in Tirana", posted_on=D(2021, 2, 1), excerpt="Rain again in Tirana."
    )
    p.traffic = make_post(
        "Police report",
        posted_on=D(2022, 1, 1),
        excerpt="Traffic near Villepinte was heavy.",
    )
    p.summit = make_article(
        "Iran opposition group holds summit",
        "The People's Mojahedin Organization of Iran met in Berlin. PMOI leaders spoke.",
        language="en",
        outlet=guardian,
        outlet_name="The Guardian",
        published=D(2022, 3, 1),
    )
    match(p.summit, mek, "PMOI")
    p.sommet = make_article(
        "Sommet à Berlin",
        "Les Moudjahidine du peuple se sont réunis à Berlin pour un sommet.",
        language="fr",
        outlet=monde,
        outlet_name="Le Monde",
        published=D(2022, 3, 2),
    )
    p.markets = make_article(
        "Unrelated market news",
        "Markets fell in Berlin.",
        language="en",
        fetched_at=datetime.datetime(2022, 4, 1, 12, tzinfo=datetime.UTC),
    )
    reindex_all()
    return p
