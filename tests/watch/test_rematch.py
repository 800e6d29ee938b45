"""`watch rematch`: the watchlists applied again to stored articles, place by place."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from clipdesk.articles.models import Article
from clipdesk.people.models import AuditEntry
from clipdesk.watch.models import Alias, Match
from clipdesk.watch.store import add_entity, load_matcher, store_matches

pytestmark = pytest.mark.django_db

TEXT = "The MEK met on Monday. Later the PMOI spoke at the quay."


def stored_article() -> Article:
    return Article.objects.create(
        url="https://news.example/quay",
        canonical_url="https://news.example/quay",
        title="Quay meeting",
        text=TEXT,
        text_sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
    )


def rematch(*args: str) -> str:
    out = StringIO()
    call_command("watch", "rematch", *args, stdout=out)
    return out.getvalue()


def places(article: Article) -> list[tuple[str, str]]:
    return sorted(Match.objects.filter(article=article).values_list("alias", "matched_text"))


def test_an_alias_added_to_an_entity_already_matched_is_stored_where_it_is_used():
    add_entity("Mojahedin-e Khalq", ["MEK"])
    article = stored_article()
    store_matches(article, load_matcher())
    assert places(article) == [("MEK", "MEK")]
    add_entity("Mojahedin-e Khalq", ["PMOI"])

    preview = rematch()

    assert f"article {article.pk} “Quay meeting”: +[] -[]; 1 place(s) found, 0 no longer" in (
        preview
    )
    assert "1 article(s) would change" in preview
    assert places(article) == [("MEK", "MEK")]  # a preview stores nothing

    assert "1 article(s) applied" in rematch("--apply")
    assert places(article) == [("MEK", "MEK"), ("PMOI", "PMOI")]
    assert "0 article(s) would change" in rematch()
    # Applied from the shell, it is in the audit trail as the admin's button puts it there.
    (entry,) = AuditEntry.objects.filter(action="rematch")
    assert entry.user is None and entry.detail["by"] == "clipdesk watch rematch"
    assert entry.detail["articles_changed"] == 1


def test_a_removed_alias_leaves_no_place_behind():
    add_entity("Mojahedin-e Khalq", ["MEK", "PMOI"])
    article = stored_article()
    store_matches(article, load_matcher())
    Alias.objects.filter(text="PMOI").delete()

    assert "0 place(s) found, 1 no longer" in rematch("--apply")

    assert places(article) == [("MEK", "MEK")]
