"""Saving a department's submission from the portal: into `submissions/<cycle>/`, as if the
department had dropped the file, so that the file-drop run, its status and the feedback email
follow with nothing new to configure.

A save is refused, not merged, when the file changed since the page that saves it was loaded
(a colleague's save, or a file dropped directly): the page then shows both. The file is
replaced in one rename; the version it replaces is kept under `<outputs>/.portal/versions/`.

Every save is audited exactly once, whatever dies when. Its audit row (`saves`, in the portal's
database) is committed first, as the intent, naming the new file's staged copy and the kept
version; then the staged copy and the version are written and synced, the staged copy is renamed
into place, and the row is marked saved. `reconcile` settles a save a killed process left
between those steps, by what the file holds: renamed, it is marked saved; not, it is marked
abandoned and its staged copy and kept version are deleted. It runs before every save, under the
same lock, and when the portal starts. A save that finds no space is undone the same way at once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipeline import atomic
from pipeline.portal.database import Database, DiskFull
from pipeline.portal.invites import Invite, now_utc
from pipeline.read import source
from pipeline.workspace import Workspace

VERSIONS = "versions"
# The version of a file that is not there yet.
ABSENT = "absent"
# A save's new file, beside its place until it is renamed into it (a dot file: the file-drop
# trigger and the pipeline's readers pass it by).
STAGED_SUFFIX = ".saving"


def version_of(content: bytes | None) -> str:
    return ABSENT if content is None else hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Saved:
    path: Path
    sha256: str
    previous: Path | None  # where the version it replaced is kept


@dataclass(frozen=True)
class Conflict:
    """The file changed since the page was loaded: what it holds now."""

    current: bytes | None
    version: str


@dataclass(frozen=True)
class NotSaved:
    """The save could not be written (no space on the disk): the file is as it was."""

    reason: str


@dataclass(frozen=True)
class Audited:
    """A save as the audit keeps it."""

    time: str  # ISO 8601, UTC
    cycle: str
    department: str
    invite: str
    file: str
    how: str
    sha256: str
    replaced_sha256: str | None


@dataclass(frozen=True)
class _Intent:
    """A save's row as the audit holds it while it is under way."""

    id: int
    cycle: str
    file: str
    sha256: str
    staged: str
    kept: str | None


def save(
    workspace: Workspace, invite: Invite, name: str, content: bytes, loaded_version: str, how: str
) -> Saved | Conflict | NotSaved:
    """Write `content` as the department's file `name`, unless it changed since `loaded_version`.

    `name` is the department's own file name as the portal found or made it, never one a
    request gave."""
    folder = source.cycle_folder(workspace.submissions, invite.cycle)
    path = folder / name
    database = Database(workspace.portal)
    with atomic.exclusive(workspace.portal / f"{invite.cycle}.lock"):
        reconcile(workspace, invite.cycle)
        current = path.read_bytes() if path.is_file() else None
        if version_of(current) != loaded_version:
            return Conflict(current, version_of(current))
        when = now_utc()
        staged = folder / f".{name}.{secrets.token_hex(4)}{STAGED_SUFFIX}"
        kept = None
        if current is not None:
            kept = (
                workspace.portal / VERSIONS / invite.cycle / f"{when:%Y%m%dT%H%M%SZ}-{version_of(current)[:12]}-{name}"
            )
        record = Audited(
            when.isoformat(),
            invite.cycle,
            invite.department,
            invite.id,
            name,
            how,
            version_of(content),
            None if current is None else version_of(current),
        )
        try:
            row = database.write(lambda connection: _intend(connection, record, staged, kept), reserve=False)
        except DiskFull as error:
            return NotSaved(str(error))
        try:
            atomic.write_synced(staged, content)
            if kept is not None and current is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                atomic.write_synced(kept, current)
                atomic.fsync_directory(kept.parent)
            os.rename(staged, path)
            atomic.fsync_directory(folder)
        except OSError as error:
            _abandon(database, row, staged, kept)
            return NotSaved(f"the file could not be written: {error.strerror or error}")
        with contextlib.suppress(DiskFull, sqlite3.Error):  # else the next reconcile finds it saved
            database.write(lambda connection: _mark(connection, row, "saved"))
        database.keep_reserve()
    return Saved(path, version_of(content), kept)


def reconcile(workspace: Workspace, cycle: str | None = None) -> int:
    """Settle the saves a killed process left between intent and done (of one cycle, or all),
    by what each file holds now; how many there were. Call with the cycle's lock held, or at
    start-up before any save."""
    database = Database(workspace.portal)
    if not database.path.is_file():
        return 0
    where, values = ("state = 'intended'", ()) if cycle is None else ("state = 'intended' AND cycle = ?", (cycle,))
    query = f"SELECT id, cycle, file, sha256, staged, kept FROM saves WHERE {where}"
    rows = database.read(lambda connection: connection.execute(query, values).fetchall())
    for intent in (_Intent(**dict(row)) for row in rows):
        path = workspace.submissions / intent.cycle / intent.file
        staged, kept = Path(intent.staged), Path(intent.kept) if intent.kept else None
        try:
            landed = path.is_file() and version_of(path.read_bytes()) == intent.sha256
        except OSError:
            landed = False
        if landed:
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()
            database.write(functools.partial(_mark, row=intent.id, state="saved"))
        else:
            _abandon(database, intent.id, staged, kept)
    return len(rows)


def audit(workspace: Workspace, cycle: str | None = None) -> list[Audited]:
    """Every save, oldest first (of one cycle, or all)."""
    database = Database(workspace.portal)
    if not database.path.is_file():
        return []
    where, values = ("state = 'saved'", ()) if cycle is None else ("state = 'saved' AND cycle = ?", (cycle,))
    query = f"SELECT time, cycle, department, invite, file, how, sha256, replaced_sha256 FROM saves WHERE {where}"
    rows = database.read(lambda connection: connection.execute(query + " ORDER BY id", values).fetchall())
    return [Audited(**dict(row)) for row in rows]


def _intend(connection: sqlite3.Connection, record: Audited, staged: Path, kept: Path | None) -> int:
    cursor = connection.execute(
        "INSERT INTO saves (time, cycle, department, invite, file, how, sha256, replaced_sha256, staged, kept, state)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'intended')",
        (
            record.time,
            record.cycle,
            record.department,
            record.invite,
            record.file,
            record.how,
            record.sha256,
            record.replaced_sha256,
            str(staged),
            None if kept is None else str(kept),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _mark(connection: sqlite3.Connection, row: int, state: str) -> None:
    connection.execute("UPDATE saves SET state = ? WHERE id = ?", (state, row))


def _abandon(database: Database, row: int, staged: Path, kept: Path | None) -> None:
    """A save that did not land: its staged copy and kept version deleted, its intent marked abandoned."""
    for leftover in (staged, kept):
        if leftover is not None:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    with contextlib.suppress(DiskFull, sqlite3.Error):  # else the next reconcile marks it, finding it not landed
        database.write(lambda connection: _mark(connection, row, "abandoned"))
