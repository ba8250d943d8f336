"""The portal's records, in one SQLite database beside the publications (`<outputs>/.portal/portal.db`).

SQLite (the standard library's, in WAL mode, each write a transaction fsynced before it returns)
rather than a file rewritten whole: signing in changes one row, a wrong link reads one indexed row
and writes nothing, and the audit of saves is appended under the same transactions as the rest.

Tables: `invites` (one row per link: only the secret's hash), `sessions` (one row per browser
signed in with a link, the newest few per link kept) and `saves` (the audit: one row per save,
first as the intent, then as done; `pipeline.portal.saving` says how they stay in step with the files).

A full disk is the one write failure the portal plans for: a reserve file of `RESERVE_BYTES` is kept
beside the database and given back when a write finds no space, so that links still open and
the coordinator's commands still work while the disk is being cleared.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

logger = logging.getLogger(__name__)

DATABASE = "portal.db"
RESERVE = "reserve"
RESERVE_BYTES = 1024 * 1024
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS invites (
    id TEXT PRIMARY KEY,
    cycle TEXT NOT NULL,
    department TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    revoked TEXT,
    first_used TEXT,
    last_used TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    invite TEXT NOT NULL REFERENCES invites (id),
    csrf TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_of_an_invite ON sessions (invite, created);
CREATE TABLE IF NOT EXISTS saves (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    cycle TEXT NOT NULL,
    department TEXT NOT NULL,
    invite TEXT NOT NULL,
    file TEXT NOT NULL,
    how TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    replaced_sha256 TEXT,
    staged TEXT NOT NULL,
    kept TEXT,
    state TEXT NOT NULL CHECK (state IN ('intended', 'saved', 'abandoned'))
);
CREATE INDEX IF NOT EXISTS saves_by_state ON saves (state);
"""


class DiskFull(Exception):
    """A write found no space, even after the reserve was given back."""


class Database:
    """The portal's database: `read` and `write` each run a function on this process's one
    connection to it, one at a time. The connection stays open while the process runs, so the
    files WAL works with stay there too: a full disk cannot then stop the portal reading."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / DATABASE

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._connection() as connection:
            return work(connection)

    def write(self, work: Callable[[sqlite3.Connection], T], *, reserve: bool = True) -> T:
        """Run `work` in one immediate transaction, committed (and fsynced) before this returns.
        With no space on the disk, the reserve is given back and the work tried once more, unless
        `reserve` is False (a department's save, which the reserve is not for); else DiskFull."""
        try:
            return self._transaction(work)
        except sqlite3.OperationalError as error:
            if not _is_disk_full(error):
                raise
        if not reserve or not self.release_reserve():
            raise DiskFull("the disk holding the portal's records is full")
        try:
            return self._transaction(work)
        except sqlite3.OperationalError as error:
            if _is_disk_full(error):
                raise DiskFull("the disk holding the portal's records is full") from error
            raise

    def keep_reserve(self) -> None:
        """Make the reserve if it is missing and there is room for it (at start-up, after a save)."""
        with self._connection():  # the folder and the database first
            pass
        reserve = self.folder / RESERVE
        if reserve.is_file() and reserve.stat().st_size == RESERVE_BYTES:
            return
        try:
            with open(reserve, "wb") as file:
                os.posix_fallocate(file.fileno(), 0, RESERVE_BYTES)
        except OSError as error:
            with contextlib.suppress(OSError):
                reserve.unlink()
            if error.errno != errno.ENOSPC:
                raise

    def release_reserve(self) -> bool:
        """Give back the reserve's space; False when there was none to give."""
        try:
            (self.folder / RESERVE).unlink()
        except FileNotFoundError:
            return False
        logger.warning(
            "the disk holding %s is full: the portal gave back its reserve so that links still open;"
            " free some space (saves are refused until there is room)",
            self.folder,
        )
        return True

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        key = self.path.resolve() if self.path.parent.exists() else self.path.absolute()
        with _LOCK:
            connection = _OPEN.get(key)
            if connection is None:
                connection = _OPEN[key] = self._open()
            yield connection

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # hashes and audit only, yet no one else's to read
        try:
            connection = _connect(self.path)
        except sqlite3.OperationalError:  # no room for WAL's files: the reserve makes it
            if not self.release_reserve():
                raise
            connection = _connect(self.path)
        for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(self.folder / name, 0o600)
        return connection


# This process's connection to each database, and the lock that has them used one at a time.
_OPEN: dict[Path, sqlite3.Connection] = {}
_LOCK = threading.RLock()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")  # a committed save's audit survives a power cut
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(SCHEMA)
    return connection


def _is_disk_full(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(error)
