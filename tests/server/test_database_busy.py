"""A request the database cannot serve (SQLite locked past its busy timeout by a long write,
PostgreSQL restarting) is answered 503 with Retry-After, not 500: nothing is wrong with the
page, and a client or proxy should try again soon."""

from __future__ import annotations

from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path

from clipdesk.digest.views import DATABASE_BUSY_RETRY_SECONDS


def locked(request):
    raise OperationalError("database is locked")


def not_migrated(request):
    raise OperationalError("no such table: digest_post")


def read_only(request):
    raise OperationalError("attempt to write a readonly database")


def broken(request):
    raise ValueError("a fault of the page itself")


urlpatterns = [
    path("locked/", locked),
    path("not-migrated/", not_migrated),
    path("read-only/", read_only),
    path("broken/", broken),
]
handler500 = "clipdesk.digest.views.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_database_that_cannot_answer_is_a_503_and_a_fault_a_500():
    client = Client(raise_request_exception=False)
    busy = client.get("/locked/")
    assert busy.status_code == 503
    assert busy["Retry-After"] == str(DATABASE_BUSY_RETRY_SECONDS)
    assert "try again" in busy.content.decode()
    assert client.get("/broken/").status_code == 500
    # Wrong for good, not busy: waiting mends neither, so no "try again" is promised.
    assert client.get("/not-migrated/").status_code == 500
    assert client.get("/read-only/").status_code == 500
