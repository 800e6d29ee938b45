from __future__ import annotations

import socket

import pytest

from tests.conftest import skip_or_fail


@pytest.fixture
def redis_server() -> None:
    """Redis on 127.0.0.1:6379, or a skip (a failure in CI) that says it is absent."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as exc:
        skip_or_fail(f"Redis at 127.0.0.1:6379 is not reachable ({exc})")
