"""A loopback server of the pages and feeds a test routes, allowed to be fetched."""

from __future__ import annotations

import pytest

from tests.sources.conftest import LoopbackServer


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("CLIPDESK_FETCH_ALLOW", "127.0.0.1")
    loopback = LoopbackServer()
    yield loopback
    loopback.close()
