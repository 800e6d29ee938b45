"""Where an instance keeps its data.

An instance is one folder (its *home*): the SQLite database, the secret key and, later,
snapshots and static exports live there. `DATABASE_URL` moves the database to PostgreSQL;
everything else stays in the home.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

HOME_ENV = "CLIPDESK_HOME"
DEFAULT_HOME = "clipdesk-data"
INSTANCE_ID = "instance-id"  # a file of the home, see instance_id()


def home_dir() -> Path:
    """The instance home from CLIPDESK_HOME, or ./clipdesk-data."""
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser().resolve()


def ensure_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return home


def secret_key(home: Path) -> str:
    """The signing key: from the environment, else a file in the home made on first use.

    Keeping it in the home means sessions survive restarts without the operator having to
    invent a key; the file is readable by its owner only.
    """
    from_env = os.environ.get("CLIPDESK_SECRET_KEY")
    if from_env:
        return from_env
    path = home / "secret_key"
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        pass
    else:
        if not kept:
            # Signing with an empty key would fail later, wherever it is first used.
            raise ImproperlyConfigured(
                f"settings: {path} is empty; delete it and a new signing key is made "
                "(signed-in sessions end), or set CLIPDESK_SECRET_KEY"
            )
        return kept
    return _made_once(path, secrets.token_urlsafe(50))


def instance_id(home: Path) -> str:
    """This instance's identity among the backups of a shared folder: made once in the home
    (by `init`, or by the first backup of an older instance), copied into every backup and so
    kept by a restore, which goes on as the same instance."""
    path = home / INSTANCE_ID
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        return _made_once(path, secrets.token_hex(16))
    if not kept or len(kept.split()) != 1:
        raise ImproperlyConfigured(
            f"{path} holds no instance id; delete it and a new one is made (the backups "
            "taken under the old one are then left to remove by hand)"
        )
    return kept


def _made_once(path: Path, text: str) -> str:
    """Write `text` to a new file `path`, readable by its owner only, unless another process
    made it first; the file's text either way."""
    ensure_home(path.parent)
    # Written aside and linked into place: two processes starting together (a worker and a
    # scheduler, say) must agree on one text, and neither may read a half-written file.
    draft = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.link(draft, path)
    except FileExistsError:
        pass  # another process won; its text is the text
    except OSError as exc:  # a full disk fails the write at close, naming no file
        raise OSError(exc.errno, exc.strerror, exc.filename or str(path)) from exc
    finally:
        draft.unlink()
    return path.read_text().strip()


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file at `path` (made if missing) against every other
    process of the instance. An flock: the kernel releases it when its holder dies, so a
    crashed process never leaves a stale lock behind."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
