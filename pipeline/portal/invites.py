"""Invitations to the departments' portal: a secret link per department and cycle, and the
browser sessions opened with it; and the coordinator's page of them, beside the hub.

Only hashes of the secrets are kept (`<outputs>/.portal/invites.json`): a copy of the file
lets no one in. A link works until it expires or is revoked; a session lasts no longer than
the link it was opened with, so revoking a link also closes its sessions.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline.operations import hub
from pipeline.publish import atomic
from pipeline.render.html import TEMPLATE_ENVIRONMENT
from pipeline.workspace import INVITATIONS, Workspace

INVITES_FILE = "invites.json"
# The file's content: {"invites": [Invite as a dict…], "sessions": [Session as a dict…]}.
_Data = dict[str, list[dict[str, Any]]]


class LinkState(StrEnum):
    INVITED = "invited"  # not yet opened
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Invite:
    id: str  # names the invitation in the audit log and the coordinator's list; not a secret
    cycle: str
    department: str
    token_sha256: str
    created: str  # ISO 8601, UTC
    expires: str
    revoked: str | None = None
    first_used: str | None = None
    last_used: str | None = None

    def state(self, now: datetime.datetime) -> LinkState:
        if self.revoked:
            return LinkState.REVOKED
        if now >= datetime.datetime.fromisoformat(self.expires):
            return LinkState.EXPIRED
        return LinkState.USED if self.first_used else LinkState.INVITED


@dataclass(frozen=True)
class Session:
    token_sha256: str
    invite: str
    csrf: str  # the token every form of the session carries back


@dataclass(frozen=True)
class Opened:
    invite: Invite
    session_token: str  # the browser's cookie: only its hash is kept
    session: Session


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class InviteStore:
    """The portal's invitations and sessions, in one JSON file read and written under a lock."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.folder = workspace.portal
        self.path = self.folder / INVITES_FILE

    def invite(self, cycle: str, department: str, days: int) -> tuple[Invite, str]:
        """A new invitation, and its secret (shown once, in the link)."""
        token = secrets.token_urlsafe(32)
        created = now_utc()
        invite = Invite(
            id=secrets.token_hex(4),
            cycle=cycle,
            department=department,
            token_sha256=_hash(token),
            created=created.isoformat(),
            expires=(created + datetime.timedelta(days=days)).isoformat(),
        )
        with self._editing() as data:
            data["invites"].append(asdict(invite))
        return invite, token

    def revoke(self, cycle: str, department: str) -> list[Invite]:
        """Revoke every working invitation of the department for the cycle; the ones revoked."""
        revoked = []
        now = now_utc()
        with self._editing() as data:
            for number, record in enumerate(data["invites"]):
                invite = Invite(**record)
                working = invite.state(now) in (LinkState.INVITED, LinkState.USED)
                if invite.cycle == cycle and invite.department == department and working:
                    invite = replace(invite, revoked=now.isoformat())
                    data["invites"][number] = asdict(invite)
                    revoked.append(invite)
            ended = {invite.id for invite in revoked}
            data["sessions"] = [session for session in data["sessions"] if session["invite"] not in ended]
        return revoked

    def open(self, token: str) -> Opened | None:
        """Exchange a working link's secret for a new session; None for any other secret."""
        digest = _hash(token)
        now = now_utc()
        with self._editing() as data:
            for number, record in enumerate(data["invites"]):
                invite = Invite(**record)
                if not secrets.compare_digest(invite.token_sha256, digest):
                    continue
                if invite.state(now) not in (LinkState.INVITED, LinkState.USED):
                    return None
                invite = replace(invite, first_used=invite.first_used or now.isoformat(), last_used=now.isoformat())
                data["invites"][number] = asdict(invite)
                session_token = secrets.token_urlsafe(32)
                session = Session(_hash(session_token), invite.id, secrets.token_urlsafe(32))
                data["sessions"].append(asdict(session))
                return Opened(invite, session_token, session)
        return None

    def session(self, session_token: str) -> tuple[Session, Invite] | None:
        """The session this cookie opened, and its invitation, while that still works."""
        digest = _hash(session_token)
        data = self._read()
        found = next(
            (
                Session(**record)
                for record in data["sessions"]
                if secrets.compare_digest(record["token_sha256"], digest)
            ),
            None,
        )
        if found is None:
            return None
        invite = next((Invite(**record) for record in data["invites"] if record["id"] == found.invite), None)
        if invite is None or invite.state(now_utc()) not in (LinkState.INVITED, LinkState.USED):
            return None
        return found, invite

    def end(self, session_token: str) -> None:
        """Sign out: the session is forgotten, so its cookie opens nothing again."""
        digest = _hash(session_token)
        with self._editing() as data:
            data["sessions"] = [
                session for session in data["sessions"] if not secrets.compare_digest(session["token_sha256"], digest)
            ]

    def invites(self) -> list[Invite]:
        return [Invite(**record) for record in self._read()["invites"]]

    def _read(self) -> _Data:
        if not self.path.is_file():
            return {"invites": [], "sessions": []}
        data: _Data = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    @contextmanager
    def _editing(self) -> Iterator[_Data]:
        with atomic.exclusive(self.folder / f"{INVITES_FILE}.lock"):
            data = self._read()
            yield data
            now = now_utc()
            working = {
                record["id"]
                for record in data["invites"]
                if Invite(**record).state(now) in (LinkState.INVITED, LinkState.USED)
            }
            data["sessions"] = [session for session in data["sessions"] if session["invite"] in working]  # the rest end
            text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
            atomic.replace_files(self.folder, {INVITES_FILE: text.encode()})
            Path(self.path).chmod(0o600)
            self._write_page([Invite(**record) for record in data["invites"]])

    def _write_page(self, invites: list[Invite]) -> None:
        """The coordinator's page beside the hub, which links it once it exists."""
        invites.sort(key=lambda invite: (invite.cycle, invite.department, invite.created))
        page = TEMPLATE_ENVIRONMENT.get_template("portal/invitations.html.j2").render(invites=invites, now=now_utc())
        first = not (self.workspace.outputs / INVITATIONS).is_file()
        atomic.replace_files(self.workspace.outputs, {INVITATIONS: page.encode()})
        if first:
            hub.rebuild(self.workspace)
