from __future__ import annotations

import pytest

from tests.conftest import require_service


@pytest.fixture
def redis_server() -> None:
    """Redis on 127.0.0.1:6379, or a skip (a failure in CI) that says it is absent."""
    require_service("Redis", 6379)
