"""Saving a department's submission from the portal: into `submissions/<cycle>/`, as if the
department had dropped the file, so that the file-drop run, its status and the feedback email
follow with nothing new to configure.

A save is refused, not merged, when the file changed since the page that saves it was loaded
(a colleague's save, or a file dropped directly): the page then shows both. The file is
replaced in one rename; the version it replaces is kept under `<outputs>/.portal/versions/`,
and every save is one line of `<outputs>/.portal/audit.jsonl`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.portal.invites import Invite, now_utc
from pipeline.publish import atomic
from pipeline.read import source
from pipeline.workspace import Workspace

AUDIT_FILE = "audit.jsonl"
VERSIONS = "versions"
# The version of a file that is not there yet.
ABSENT = "absent"


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


def save(
    workspace: Workspace, invite: Invite, name: str, content: bytes, loaded_version: str, how: str
) -> Saved | Conflict:
    """Write `content` as the department's file `name`, unless it changed since `loaded_version`.

    `name` is the department's own file name as the portal found or made it, never one a
    request gave."""
    folder = source.cycle_folder(workspace.submissions, invite.cycle)
    path = folder / name
    with atomic.exclusive(workspace.portal / f"{invite.cycle}.lock"):
        current = path.read_bytes() if path.is_file() else None
        if version_of(current) != loaded_version:
            return Conflict(current, version_of(current))
        when = now_utc()
        kept = None
        if current is not None:
            kept = (
                workspace.portal / VERSIONS / invite.cycle / f"{when:%Y%m%dT%H%M%SZ}-{version_of(current)[:12]}-{name}"
            )
            atomic.replace_files(kept.parent, {kept.name: current})
        atomic.replace_files(folder, {name: content})
        record = {
            "time": when.isoformat(),
            "cycle": invite.cycle,
            "department": invite.department,
            "invite": invite.id,
            "file": name,
            "how": how,
            "sha256": version_of(content),
            "replaced_sha256": None if current is None else version_of(current),
        }
        with open(workspace.portal / AUDIT_FILE, "a", encoding="utf-8") as audit:
            audit.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return Saved(path, version_of(content), kept)
