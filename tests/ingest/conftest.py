"""A loopback server of the pages and feeds a test routes, allowed to be fetched."""

from tests.sources.conftest import server  # noqa: F401 - the sources tests' fixture
