"""A page of a couple of hundred thousand different words still goes into PostgreSQL's index.

PostgreSQL refuses a vector over 1 MB; such a document used to be left out of search (and
before failed updates were kept apart, took its whole batch with it).
"""

from __future__ import annotations

import random
import string

import pytest

from clipdesk.search.indexing import index_articles
from clipdesk.search.service import search
from tests.search.conftest import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_engine]


def test_a_document_past_the_vector_limit_is_found_by_its_headline_and_first_words():
    rng = random.Random(7)  # noqa: S311 - made-up codes, not secrets
    codes = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 12))) for _ in range(200_000)
    ]
    text = " ".join(["lighthouse", *codes, "shipwreck"])
    article = make_article("Register of moorings", text)
    index_articles([article.pk])

    assert [r.title for r in search("moorings", type="article").results] == [article.title]
    assert [r.title for r in search("lighthouse", type="article").results] == [article.title]
    assert search("shipwreck", type="article").results == []  # past the first megabyte
