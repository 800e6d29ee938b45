"""Test set-up shared by every app's tests.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points at a server
(`make test` runs the database tests a second time that way). A server that is absent skips
those tests with the reason, unless CLIPDESK_REQUIRE_SERVICES=1 (CI) makes it a failure.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REQUIRE_SERVICES = os.environ.get("CLIPDESK_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip for a missing outside service, or fail when CI says services must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CLIPDESK_REQUIRE_SERVICES=1: this must not be skipped)")
    pytest.skip(reason)


def require_service(name: str, port: int) -> None:
    """Skip (fail in CI) unless something listens on 127.0.0.1:`port`; `name` says what."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as exc:
        skip_or_fail(f"{name} at 127.0.0.1:{port} is not reachable ({exc})")


def _postgres_problem() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"PostgreSQL at {host}:{port} is not reachable ({exc})"


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _on_postgres():
        # Deselected, not skipped: they belong to the PostgreSQL pass, where they run.
        engine_only = [item for item in items if item.get_closest_marker("postgres_engine")]
        if engine_only:
            config.hook.pytest_deselected(items=engine_only)
            items[:] = [item for item in items if item not in engine_only]
    problem = _postgres_problem()
    if problem is None:
        return
    if REQUIRE_SERVICES:
        pytest.exit(f"{problem}; CLIPDESK_REQUIRE_SERVICES=1 needs it", returncode=1)
    for item in items:
        item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        skip_or_fail("../shared (test data beside the repository) is absent")
    return SHARED


@pytest.fixture(autouse=True)
def _process_poller_closed():
    """A task run in this process (Celery's apply) makes the process's Poller, whose slots
    live in a database session of their own on PostgreSQL: closed after the test, or the
    test database could not be dropped at the end of the run."""
    yield
    if (ingest := sys.modules.get("clipdesk.ingest")) is not None:
        ingest.close_process_poller()


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with an empty in-memory page cache. A test inside a transaction that
    is rolled back never moves the content version on (that happens after a commit), so a
    page an earlier test cached under the same version was served to it instead of its own
    (seen with the front page, whichever tests ran first)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):
            cache.clear()
    yield
