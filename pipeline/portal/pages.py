"""What the portal's handlers share: the portal's state (its records, limits and cookie), who a
request is from, and the pages they answer with, rendered from `report_templates/portal/`."""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from pipeline.check.checked import has_errors
from pipeline.portal import answers, department, form_errors, saving
from pipeline.portal.invites import Invite, InviteStore, Session
from pipeline.portal.security import RateLimit
from pipeline.read.yaml_file import MAX_FILE_BYTES
from pipeline.render.html import TEMPLATE_ENVIRONMENT
from pipeline.submission.schema import SECTION_MAX_CHARACTERS
from pipeline.workspace import Workspace

COOKIE = "portal_session"
TLS_COOKIE = "__Host-portal_session"  # over TLS: Secure, this host only, the whole site


@dataclass(frozen=True)
class Portal:
    """The portal's state, one per app (`app.state.portal`), read by every handler."""

    workspace: Workspace
    store: InviteStore
    requests: RateLimit  # per invitation
    link_tries: RateLimit  # links opened per client, right or wrong: a guesser gains nothing from fresh guesses
    tls: bool

    @property
    def cookie(self) -> str:
        return TLS_COOKIE if self.tls else COOKIE


@dataclass(frozen=True)
class Visitor:
    """A request's session and the invitation it was opened with."""

    session: Session
    invite: Invite


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def visitor(request: Request) -> Visitor:
    """Who the request is from: its session's department, within its invitation's rate limit."""
    portal = portal_of(request)
    token = request.cookies.get(portal.cookie, "")
    found = portal.store.session(token) if token else None
    if found is None:
        raise HTTPException(401)
    if not portal.requests.allow(found[1].id):
        raise HTTPException(429)
    return Visitor(*found)


async def checked_form(request: Request, found: Visitor) -> Mapping[str, Any]:
    """The form posted, once its CSRF token is the session's."""
    # A part may hold a section at its limit in UTF-8's widest characters; the limit itself is the schema's.
    form = await request.form(max_files=1, max_fields=200, max_part_size=4 * SECTION_MAX_CHARACTERS)
    if not secrets.compare_digest(str(form.get("csrf", "")), found.session.csrf):
        raise HTTPException(403, "csrf")
    return form


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATE_ENVIRONMENT.get_template(f"portal/{name}").render(**context)
    return HTMLResponse(html, status_code=status)


def message(status: int, title: str, *lines: str) -> HTMLResponse:
    return page("message.html.j2", status, title=title, lines=lines)


@dataclass(frozen=True)
class Shown:
    """What the department's page shows beside its file: the form as filled in, errors, a
    refused upload, a conflict. Empty, the page as the file stands."""

    filled: Sequence[answers.Answer] | None = None
    short_name: str | None = None
    errors: Sequence[form_errors.FormError] = ()
    field_errors: Mapping[str, str] | None = None
    upload: tuple[str, Sequence[str], set[int]] | None = None  # a refused upload: name, lines, lines in error
    conflict: saving.Conflict | None = None
    yours: str | None = None
    version: str | None = None


def submission_page(
    workspace: Workspace,
    found: Visitor,
    status: int = 200,
    shown: Shown = Shown(),
    here: department.DepartmentCycle | None = None,  # as the request already read it
) -> HTMLResponse:
    here = here or department.load(workspace, found.invite)
    filled = shown.filled if shown.filled is not None else answers.from_submission(here.asked, here.data)
    return page(
        "submission.html.j2",
        status,
        invite=found.invite,
        here=here,
        csrf=found.session.csrf,
        filled=filled,
        short_name=answers.short_name_of(here.data) if shown.short_name is None else shown.short_name,
        errors=shown.errors,
        field_errors=shown.field_errors or {},
        upload=shown.upload,
        conflict=shown.conflict,
        yours=shown.yours,
        differences=differences(shown.conflict, shown.yours) if shown.conflict else None,
        version=shown.version or saving.version_of(here.content),
        limit=size(MAX_FILE_BYTES),
        counted=form_errors.counted,
        has_errors=has_errors,
    )


def differences(conflict: saving.Conflict, yours: str | None) -> str:
    """What the saved file and the department's version differ by, as a unified diff."""
    saved = (conflict.current or b"").decode("utf-8", "replace").splitlines()
    return "\n".join(
        difflib.unified_diff(saved, (yours or "").splitlines(), "saved version", "your version", lineterm="", n=1)
    )


def size(count: int) -> str:
    return f"{count / 1024 / 1024:g} MB" if count >= 1024 * 1024 else f"{count / 1024:.0f} KB"
