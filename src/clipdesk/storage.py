"""A disk that refuses the instance's writes, told apart from a fault in the code.

A full disk, a quota, a file-size limit, a file system turned read-only or a failing disk
reach a command as an OSError, often naming no file (a full disk fails the flush at close),
or as the database's own error ("database or disk is full", "attempt to write a readonly
database"). Those are said in one line, with what the operator can do; any other error keeps
its traceback, which is what mends a fault in the code.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

FULL = "free space on that disk (or raise the quota)"
TOO_LARGE = (
    "raise the limit on file sizes (`ulimit -f`) or move to a file system that allows larger files"
)
READ_ONLY = "make it writable"
REFUSED = "give the instance's user the right to write there"
FAILING = "check the disk (the system log says more)"

_OS_REMEDIES = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: FULL,
    errno.EFBIG: TOO_LARGE,
    errno.EROFS: READ_ONLY,
    errno.EACCES: REFUSED,
    errno.EPERM: REFUSED,
    errno.EIO: FAILING,
}
# Failures of the disk rather than of the command (full, over quota, a file at its largest
# size, read-only, refused, failing): said in one line by those who write.
STORAGE_ERRORS = frozenset(_OS_REMEDIES)
# Without a file named, a refused permission may be anything's (a signal, a socket): only
# these say for certain that a write to a disk failed.
_DISK_ONLY = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}

# SQLite's primary result codes (an extended code keeps its primary one in the low byte).
_SQLITE_REMEDIES = {13: FULL, 8: READ_ONLY, 10: FAILING}  # FULL, READONLY, IOERR
# PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction, io_error.
_POSTGRES_REMEDIES = {"53100": FULL, "25006": READ_ONLY, "58030": FAILING}


@dataclass(frozen=True)
class DiskRefusal:
    """Why the disk refused (its own words) and what the operator can do about it."""

    reason: str
    remedy: str


def file_refusal(exc: BaseException) -> DiskRefusal | None:
    """The refusal an OSError from writing a file stands for; None for any other error.
    A refused permission counts only with the file it was refused for."""
    if not isinstance(exc, OSError) or exc.errno not in STORAGE_ERRORS:
        return None
    if not exc.filename and exc.errno not in _DISK_ONLY:
        return None
    return DiskRefusal(exc.strerror or str(exc), _OS_REMEDIES[exc.errno])


def database_refusal(exc: BaseException) -> DiskRefusal | None:
    """The refusal a database error stands for (Django's error, raised from the driver's);
    None for any other: a missing table or a broken query is the code's fault."""
    driver_error = exc.__cause__ or exc
    remedy = None
    code = getattr(driver_error, "sqlite_errorcode", None)
    if isinstance(code, int):
        remedy = _SQLITE_REMEDIES.get(code & 0xFF)
    sqlstate = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    if sqlstate:
        remedy = _POSTGRES_REMEDIES.get(sqlstate)
    if remedy is None:
        return None
    reason = " ".join(str(driver_error).split()) or type(driver_error).__name__
    return DiskRefusal(reason[:300], remedy)
