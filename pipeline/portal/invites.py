"""Invitations to the departments' portal: a secret link per department and cycle, and the
browser sessions opened with it; and the coordinator's page of them, beside the hub.

Only hashes of the secrets are kept (in the portal's database, `pipeline.portal.database`): a
copy of it lets no one in. A link works until it expires or is revoked; a session lasts no
longer than the link it was opened with, so revoking a link also closes its sessions, and a
link keeps its newest few sessions only. A wrong, expired or revoked link writes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import sqlite3
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from pipeline import atomic
from pipeline.operations import hub
from pipeline.portal.database import Database
from pipeline.render.html import TEMPLATE_ENVIRONMENT
from pipeline.settings import SETTINGS
from pipeline.workspace import INVITATIONS, Workspace

# Where an earlier portal kept its invitations and sessions: read once into the database, then renamed.
EARLIER_INVITES_FILE = "invites.json"


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
    created: str  # ISO 8601, UTC: a link keeps its newest sessions


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
    """The portal's invitations and sessions, in its database."""

    def __init__(self, workspace: Workspace, sessions_per_link: int = SETTINGS.portal_sessions_per_link) -> None:
        self.workspace = workspace
        self.database = Database(workspace.portal)
        self.sessions_per_link = sessions_per_link
        _import_earlier_file(self)

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
        self.database.write(lambda connection: _insert(connection, "invites", asdict(invite)))
        self._write_page()
        return invite, token

    def revoke(self, cycle: str, department: str) -> list[Invite]:
        """Revoke every working invitation of the department for the cycle; the ones revoked."""
        now = now_utc()

        def revoking(connection: sqlite3.Connection) -> list[Invite]:
            rows = connection.execute(
                "SELECT * FROM invites WHERE cycle = ? AND department = ? AND revoked IS NULL AND expires > ?",
                (cycle, department, now.isoformat()),
            ).fetchall()
            revoked = [_invite(row) for row in rows]
            for invite in revoked:
                connection.execute("UPDATE invites SET revoked = ? WHERE id = ?", (now.isoformat(), invite.id))
                connection.execute("DELETE FROM sessions WHERE invite = ?", (invite.id,))
            return [Invite(**{**asdict(invite), "revoked": now.isoformat()}) for invite in revoked]

        revoked = self.database.write(revoking)
        if revoked:
            self._write_page()
        return revoked

    def open(self, token: str) -> Opened | None:
        """Exchange a working link's secret for a new session; None for any other secret, and then
        nothing is written."""
        row = self.database.read(
            lambda connection: connection.execute(
                "SELECT * FROM invites WHERE token_sha256 = ?", (_hash(token),)
            ).fetchone()
        )
        now = now_utc()
        if row is None or _invite(row).state(now) not in (LinkState.INVITED, LinkState.USED):
            return None
        invite = _invite(row)
        session_token = secrets.token_urlsafe(32)
        session = Session(_hash(session_token), invite.id, secrets.token_urlsafe(32), now.isoformat())

        def opening(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE invites SET first_used = coalesce(first_used, ?), last_used = ? WHERE id = ?",
                (now.isoformat(), now.isoformat(), invite.id),
            )
            _insert(connection, "sessions", asdict(session))
            # The link's newest sessions only, and none of a link that no longer works.
            connection.execute(
                "DELETE FROM sessions WHERE invite = ? AND token_sha256 NOT IN "
                "(SELECT token_sha256 FROM sessions WHERE invite = ? ORDER BY created DESC, rowid DESC LIMIT ?)",
                (invite.id, invite.id, self.sessions_per_link),
            )
            connection.execute(
                "DELETE FROM sessions WHERE invite IN "
                "(SELECT id FROM invites WHERE revoked IS NOT NULL OR expires <= ?)",
                (now.isoformat(),),
            )

        self.database.write(opening)
        opened = Invite(
            **{**asdict(invite), "first_used": invite.first_used or now.isoformat(), "last_used": now.isoformat()}
        )
        if invite.first_used is None:  # its state changed, from invited to used
            self._write_page()
        return Opened(opened, session_token, session)

    def session(self, session_token: str) -> tuple[Session, Invite] | None:
        """The session this cookie opened, and its invitation, while that still works."""

        def finding(connection: sqlite3.Connection) -> tuple[sqlite3.Row, sqlite3.Row] | None:
            found = connection.execute(
                "SELECT * FROM sessions WHERE token_sha256 = ?", (_hash(session_token),)
            ).fetchone()
            if found is None:
                return None
            invite = connection.execute("SELECT * FROM invites WHERE id = ?", (found["invite"],)).fetchone()
            return None if invite is None else (found, invite)

        found = self.database.read(finding)
        if found is None:
            return None
        invite = _invite(found[1])
        if invite.state(now_utc()) not in (LinkState.INVITED, LinkState.USED):
            return None
        return Session(**dict(found[0])), invite

    def end(self, session_token: str) -> None:
        """Sign out: the session is forgotten, so its cookie opens nothing again."""
        digest = _hash(session_token)
        self.database.write(
            lambda connection: connection.execute("DELETE FROM sessions WHERE token_sha256 = ?", (digest,))
        )

    def invites(self) -> list[Invite]:
        rows = self.database.read(lambda connection: connection.execute("SELECT * FROM invites").fetchall())
        return [_invite(row) for row in rows]

    def sessions(self) -> list[Session]:
        rows = self.database.read(lambda connection: connection.execute("SELECT * FROM sessions").fetchall())
        return [Session(**dict(row)) for row in rows]

    def _write_page(self) -> None:
        """The coordinator's page beside the hub, which links it once it exists: rewritten when a
        link's state changes (made, first opened, revoked), not at every sign-in."""
        invites = sorted(self.invites(), key=lambda invite: (invite.cycle, invite.department, invite.created))
        page = TEMPLATE_ENVIRONMENT.get_template("portal/invitations.html.j2").render(invites=invites, now=now_utc())
        first = not (self.workspace.outputs / INVITATIONS).is_file()
        atomic.replace_files(self.workspace.outputs, {INVITATIONS: page.encode()})
        if first:
            hub.rebuild(self.workspace)


def _invite(row: sqlite3.Row) -> Invite:
    return Invite(**dict(row))


def _insert(connection: sqlite3.Connection, table: str, values: dict[str, Any]) -> None:
    names = ", ".join(values)
    connection.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(values))})", tuple(values.values()))


def _import_earlier_file(store: InviteStore) -> None:
    """An earlier portal's invites.json, read into the database once (its links keep working), then renamed."""
    earlier = store.database.folder / EARLIER_INVITES_FILE
    if not earlier.is_file():
        return
    data = json.loads(earlier.read_text(encoding="utf-8"))
    invite_names = {field.name for field in fields(Invite)}
    now = now_utc().isoformat()

    def importing(connection: sqlite3.Connection) -> None:
        for record in data.get("invites", []):
            values = {name: value for name, value in record.items() if name in invite_names}
            connection.execute(
                f"INSERT OR IGNORE INTO invites ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
        for record in data.get("sessions", []):
            session = Session(**record, created=now)
            connection.execute(
                "INSERT OR IGNORE INTO sessions (token_sha256, invite, csrf, created) VALUES (?, ?, ?, ?)",
                (session.token_sha256, session.invite, session.csrf, session.created),
            )

    store.database.write(importing)
    earlier.rename(earlier.with_name(EARLIER_INVITES_FILE + ".imported"))
