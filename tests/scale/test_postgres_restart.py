"""A served site on PostgreSQL outlives the database's restart: connections kept between
requests are checked before use, so no reader gets a 500 for a connection that died."""

from __future__ import annotations

import select
import urllib.error
import urllib.request

from tests.cli import free_port, started
from tests.scale.conftest import _pg_admin


def status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_request_after_the_database_restarts_is_answered(database, tmp_path):
    port = free_port()
    name = database.rsplit("/", 1)[1]
    server = started(
        tmp_path / "home", "run", "--port", str(port), "--no-poll", DATABASE_URL=database
    )
    try:
        assert select.select([server.stdout], [], [], 60)[0], "the server did not start"
        assert "Serving" in server.stdout.readline()
        # Search reads the database on every request; new connections reach both workers.
        assert [status(port, f"/search/?q=harbour{i}") for i in range(8)] == [200] * 8
        with _pg_admin() as admin:
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchone()[0]
        assert cut >= 1  # the server's kept connections, as a restart would end them
        assert [status(port, f"/search/?q=dredging{i}") for i in range(10)] == [200] * 10
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Internal Server Error" not in errors
