"""What went wrong with the database, in words a person running planbot can act on.

`describe` turns a database error into a `StorageFault` naming the cause (a read-only file, a
full disk, a server that is down or not answering) and what to do, or None when the error is
not about storage itself. The command line prints it; Slack replies with its short form.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class FaultKind(StrEnum):
    READ_ONLY = "read_only"
    READ_ONLY_FILESYSTEM = "read_only_filesystem"
    DISK_FULL = "disk_full"
    CANNOT_OPEN = "cannot_open"
    UNREACHABLE = "unreachable"
    NOT_ANSWERING = "not_answering"
    BUSY = "busy"


class ReadOnlyDatabase(Exception):
    """PostgreSQL answers but will not accept writes (a standby, or read-only by setting)."""


@dataclass(frozen=True)
class StorageFault:
    kind: FaultKind
    where: str  # the database file, or the server's host:port
    detail: str  # the driver's own words, for the log and the command line

    @property
    def message(self) -> str:  # noqa: PLR0911 - one message per fault kind
        match self.kind:
            case FaultKind.READ_ONLY:
                return (f"The database {self.where} is read-only, so planbot cannot save anything. Make the file "
                        "and its folder writable by the user running planbot, or set DATABASE_URL to a writable "
                        "place. Nothing was changed.")
            case FaultKind.READ_ONLY_FILESYSTEM:
                return (f"The database {self.where} is on a read-only filesystem, so planbot cannot open it "
                        "to save anything. Remount it read-write, or set DATABASE_URL to a writable place. "
                        "Nothing was changed.")
            case FaultKind.DISK_FULL:
                return (f"The disk holding the database {self.where} is full, so planbot cannot save anything. "
                        "Free some space and try again. Nothing was changed.")
            case FaultKind.CANNOT_OPEN:
                return (f"planbot cannot open the database {self.where}: check that its folder exists and that "
                        "the user running planbot may write there.")
            case FaultKind.UNREACHABLE:
                return (f"planbot cannot connect to the database server at {self.where}: is it running, and is "
                        "DATABASE_URL right? Nothing was changed.")
            case FaultKind.NOT_ANSWERING:
                return (f"The database at {self.where} is not answering. Try again in a minute; if it goes on, "
                        "check the database server. Nothing was changed.")
            case FaultKind.BUSY:
                return (f"The database {self.where} is busy with another change that is taking too long. "
                        "Try again in a minute. Nothing was changed.")


def where(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"file {(parsed.database or ':memory:').removeprefix('file:')}"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


_SIGNS: tuple[tuple[FaultKind, tuple[str, ...]], ...] = (
    (FaultKind.READ_ONLY, ("readonly database", "read-only file system", "in a read-only transaction",
                           "is read-only")),
    (FaultKind.DISK_FULL, ("database or disk is full", "no space left on device", "disk is full",
                           "could not extend file")),
    (FaultKind.CANNOT_OPEN, ("unable to open database file",)),
    (FaultKind.BUSY, ("database is locked", "lock timeout", "canceling statement due to lock timeout")),
    (FaultKind.NOT_ANSWERING, ("statement timeout", "canceling statement due to statement timeout",
                               "timeout expired", "server closed the connection unexpectedly")),
    (FaultKind.UNREACHABLE, ("connection refused", "could not connect", "connection failed",
                             "could not translate host name", "name or service not known",
                             "no route to host", "the database system is starting up",
                             "the database system is shutting down", "terminating connection")),
)


def describe(error: BaseException, url: str) -> StorageFault | None:
    """The storage fault behind `error`, or None if it is not one."""
    if isinstance(error, ReadOnlyDatabase):
        return StorageFault(FaultKind.READ_ONLY, where(url), str(error))
    if isinstance(error, PoolTimeout):
        return StorageFault(FaultKind.NOT_ANSWERING, where(url), str(error))
    if not isinstance(error, DBAPIError):
        return None
    text = str(getattr(error, "orig", None) or error).lower()
    for kind, signs in _SIGNS:
        if any(sign in text for sign in signs):
            if kind in (FaultKind.CANNOT_OPEN, FaultKind.READ_ONLY) and _on_read_only_filesystem(url):
                return StorageFault(FaultKind.READ_ONLY_FILESYSTEM, where(url),
                                    str(getattr(error, "orig", None) or error).strip())
            return StorageFault(kind, where(url), str(getattr(error, "orig", None) or error).strip())
    return None


def _on_read_only_filesystem(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    folder = Path(parsed.database.removeprefix("file:")).resolve().parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
