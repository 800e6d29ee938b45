"""What the long-running commands (`run`, `worker`, `scheduler`) check before they start.

Each refusal is a CommandError with exit status 2 and a message that says what to do, so a
service manager's log shows the cause instead of a traceback.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

from clipdesk.server.ports import PortInUse, address, check_port_free
from clipdesk.server.setup import database_label, pending_migrations


def require_broker(command: str) -> None:
    """Refuse to start without a broker; say how to run without one."""
    if not settings.CELERY_BROKER_URL:
        raise CommandError(
            f"{command}: CLIPDESK_BROKER_URL is not set (redis://host:6379/0 or "
            "amqp://user:password@host:5672/vhost); without a broker, `clipdesk poll` runs "
            "every ingest step in this process",
            returncode=2,
        )


# How long the broker is given to answer the check before a worker or scheduler starts.
BROKER_CHECK_SECONDS = 5.0


def require_broker_accepts(command: str) -> None:
    """Refuse to start when the broker answers but will never take this worker: a wrong
    password, a RabbitMQ virtual host or Redis database that does not exist. Celery stopped
    on those with a traceback and exit status 0 (as if asked to stop), or retried for ever,
    a traceback a second. A broker that does not answer at all (down, restarting) is no
    refusal: Celery waits for it, one line an attempt."""
    exc = broker_error(settings.CELERY_BROKER_URL)
    if exc is not None:
        if broker_unreachable(exc):
            return
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CommandError(
            f"{command}: the broker at {_broker_label()} refused to connect ({reason}); "
            "check CLIPDESK_BROKER_URL",
            returncode=2,
        ) from exc


def broker_error(url: str, timeout: float = BROKER_CHECK_SECONDS) -> Exception | None:
    """What one connection to the broker at `url` raised (None when it connected), given
    `timeout` seconds: the network's error (see broker_unreachable) or the broker's."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as exc:  # down, or up and refusing this instance (a wrong password)
        return exc
    return None


def broker_unreachable(exc: BaseException) -> bool:
    """Whether a broker's error (or what kombu wrapped) is the network's: nobody answered."""
    import redis.exceptions

    errors = (exc, exc.__cause__, exc.__context__)
    if any(isinstance(error, redis.exceptions.AuthenticationError) for error in errors):
        return False  # redis-py's refused password is a kind of its ConnectionError
    for error in errors:
        if isinstance(error, (OSError, TimeoutError, redis.exceptions.ConnectionError)):
            return True
    return False


def _broker_label() -> str:
    return address_label(settings.CELERY_BROKER_URL)


def address_label(url: str) -> str:
    """A server's address (a broker's, a cache's) as it may be shown: without its user name
    and password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def require_migrated(command: str) -> None:
    """Refuse to start on a database that cannot be opened or is not migrated."""
    if problem := database_problem():
        raise CommandError(f"{command}: {problem}", returncode=2)


def database_problem() -> str | None:
    """What keeps the instance's database from being used, in words; None when it opens and
    is migrated. Asked before a long-running command starts, and by `clipdesk` after any
    command failed on a database error, to tell a missing `clipdesk init` or an unreachable
    server (one line, what to do) from a fault in the command (its traceback)."""
    connections.close_all()  # a connection the failed command left in a broken transaction
    try:
        pending = pending_migrations()
    except Exception as exc:  # a database that cannot be opened at all
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return f"cannot open the database, {database_label()} ({reason})"
    if pending:
        return (
            f"the instance is not set up or needs migrating ({len(pending)} step(s)); "
            "run `clipdesk init` first"
        )
    return None


def warn_if_cache_down(command: str, write) -> None:
    """Say at start when the shared page cache does not answer: the site is served all the
    same (its pages rendered uncached until the cache is back), so this is not a refusal."""
    from django.core.cache import caches

    from clipdesk.publish.redis_cache import PooledRedisCache, unreachable_errors

    cache = caches["default"]
    if not isinstance(cache, PooledRedisCache):
        return
    from redis.exceptions import RedisError

    try:
        cache.get("publish:probe")
    except unreachable_errors() as exc:
        write(
            f"{command}: the page cache (CLIPDESK_CACHE_URL) does not answer ({exc}); pages "
            "are rendered uncached until it does"
        )
    except RedisError as exc:  # it answers, but refuses: a database it does not have, say
        raise CommandError(
            f"{command}: the page cache (CLIPDESK_CACHE_URL) refuses to serve ({exc})",
            returncode=2,
        ) from exc


def require_free_port(command: str, host: str, port: int) -> None:
    """Refuse to start when another program listens on the address, or it cannot be used."""
    try:
        check_port_free(host, port)
    except PortInUse as exc:
        raise CommandError(
            f"{command}: {exc}; stop that program, or choose another port with --port",
            returncode=2,
        ) from exc
    except OSError as exc:  # an address this machine does not have, a name that resolves not
        reason = exc.strerror or str(exc)
        raise CommandError(
            f"{command}: cannot listen on {address(host, port)} ({reason})", returncode=2
        ) from exc


def log_level() -> str:
    """Celery's log level for workers and the scheduler (CLIPDESK_LOG_LEVEL)."""
    return os.environ.get("CLIPDESK_LOG_LEVEL", "WARNING").upper()
