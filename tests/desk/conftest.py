"""Articles, matches and stories made through the real services, for the desk's tests."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group, User

from clipdesk.articles.models import Article
from clipdesk.articles.storing import text_digest
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.people.roles import EDITOR, READER, ensure_roles
from clipdesk.stories.actions import group_article
from clipdesk.watch.store import add_entity, load_matcher, store_matches
from tests.ingest.conftest import server  # noqa: F401 - the ingest tests' loopback server

_seq = itertools.count(1)

WIRE = (
    "Lisbon - The harbour authority of Port Calder said on Monday that members of the MEK "
    "exile group would be allowed to hold a memorial gathering on the quay next month. "
    "The authority's spokesperson, Ana Ferreira, said the permit covered a single afternoon "
    "and that the organisers had agreed to keep the fish market open throughout. Local "
    "residents' groups said they had not been consulted and asked for a public hearing before "
    "any further permits are granted. The People's Mujahedin have held similar events in "
    "several European cities in recent years, usually without incident, according to police "
    "figures released last spring."
)


def make_article(title: str, text: str, outlet: str, day=datetime.date(2025, 3, 4), **extra):
    n = next(_seq)
    outlets = OutletDirectory()
    article = Article.objects.create(
        url=f"https://{outlet.lower().replace(' ', '')}.example/a/{n}",
        canonical_url=f"https://{outlet.lower().replace(' ', '')}.example/a/{n}",
        title=title,
        text=text,
        text_sha256=text_digest(text + str(n)),
        outlet=outlets.get_or_create(outlet),
        outlet_name=outlet,
        published=day,
        language="en",
        **extra,
    )
    store_matches(article, load_matcher())
    return article


def council_article():
    """A story of its own on the same subject as the wire story, a day later; grouped."""
    article = make_article(
        "Port Calder council approves quay memorial",
        "The council of Port Calder voted to approve the memorial on the quay, after a debate "
        "about the MEK that lasted most of the evening and ended with a narrow majority.",
        "Valley Times",
        day=datetime.date(2025, 3, 5),
    )
    group_article(article)
    return article


@pytest.fixture
def watchlist(db):
    return add_entity("Mojahedin-e Khalq", ["MEK", "MKO", "People's Mujahedin"])


@pytest.fixture
def syndicated(watchlist):
    """One wire story at three outlets, each with its own first line; grouped as it arrives."""
    articles = [
        make_article("Exile group gets quay permit", f"{lead} {WIRE}", outlet)
        for lead, outlet in [
            ("By our correspondent.", "The Harbour Gazette"),
            ("Wire report.", "Northern Ledger"),
            ("From the agency desk.", "Valley Times"),
        ]
    ]
    for article in articles:
        group_article(article)
    return articles


@pytest.fixture
def editor(db):
    ensure_roles()
    user = User.objects.create_user("eddie", password="a-long-editor-password")
    user.groups.add(Group.objects.get(name=EDITOR))
    return user


@pytest.fixture
def reader(db):
    ensure_roles()
    user = User.objects.create_user("rita", password="a-long-reader-password")
    user.groups.add(Group.objects.get(name=READER))
    return user
