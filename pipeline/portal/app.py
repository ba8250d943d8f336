"""The departments' portal: a small Starlette app over `check_upload`, on the GOV.UK Design System.

A department opens its invitation link and gets a session for its one cycle; its page shows
its file's status and lets it fill the sections in or upload a file. Either way the file is
checked as if dropped, every problem shown at once, and nothing is written until it is valid.
Saving writes the YAML into `submissions/<cycle>/`, where the file-drop run picks it up.

No path, file name or department comes from a request: each is the invitation's.
"""

from __future__ import annotations

import difflib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from pipeline import characters
from pipeline.check.checked import has_errors
from pipeline.check.schema import SECTION_MAX_CHARACTERS
from pipeline.errors import PipelineError, Severity
from pipeline.portal import answers, department, form_errors, saving
from pipeline.portal.database import DiskFull
from pipeline.portal.invites import Invite, InviteStore, Session
from pipeline.portal.security import BodyLimit, RateLimit, SecurityHeaders
from pipeline.read.yaml_file import MAX_FILE_BYTES
from pipeline.render.html import TEMPLATE_ENVIRONMENT, TEMPLATES
from pipeline.service import check_upload
from pipeline.settings import SETTINGS, Settings
from pipeline.workspace import Workspace

COOKIE = "portal_session"
TLS_COOKIE = "__Host-portal_session"  # over TLS: Secure, this host only, the whole site
STYLESHEET = TEMPLATES / "govuk-frontend" / "portal.css"
FILL_IN, UPLOAD = "form", "upload"
# A file up to twice the pipeline's own limit is read and answered as the command line answers
# it ("file is … bytes; the limit is …"); a larger request is refused before it is read.
UPLOAD_LIMIT = 2 * MAX_FILE_BYTES


@dataclass(frozen=True)
class Visitor:
    """A request's session and the invitation it was opened with."""

    session: Session
    invite: Invite


logger = logging.getLogger(__name__)


def portal_app(workspace: Workspace | None = None, *, tls: bool = False, settings: Settings = SETTINGS) -> ASGIApp:
    workspace = workspace or Workspace()
    store = InviteStore(workspace, settings.portal_sessions_per_link)
    # Before any save: the saves a killed portal left half done are settled, and the reserve made.
    saving.reconcile(workspace)
    store.database.keep_reserve()
    limit = RateLimit(settings.portal_requests_per_minute)
    # Links opened per client (right or wrong): a guesser gains nothing from fresh guesses' own allowance.
    link_tries = RateLimit(settings.portal_link_tries_per_minute)
    cookie = TLS_COOKIE if tls else COOKIE

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = TEMPLATE_ENVIRONMENT.get_template(f"portal/{name}").render(**context)
        return HTMLResponse(html, status_code=status)

    def message(status: int, title: str, *lines: str) -> HTMLResponse:
        return page("message.html.j2", status, title=title, lines=lines)

    def visitor(request: Request) -> Visitor:
        token = request.cookies.get(cookie, "")
        found = store.session(token) if token else None
        if found is None:
            raise HTTPException(401)
        if not limit.allow(found[1].id):
            raise HTTPException(429)
        return Visitor(*found)

    async def checked_form(request: Request, found: Visitor) -> Mapping[str, Any]:
        # A part may hold a section at its limit in UTF-8's widest characters; the limit itself is the schema's.
        form = await request.form(max_files=1, max_fields=200, max_part_size=4 * SECTION_MAX_CHARACTERS)
        if not secrets.compare_digest(str(form.get("csrf", "")), found.session.csrf):
            raise HTTPException(403, "csrf")
        return form

    async def home(request: Request) -> Response:
        return message(
            200,
            "Open your invitation link",
            "Open the link in the email your coordinator sent you: it shows your department’s part of the report,"
            " and lets you answer it.",
        )

    async def open_invite(request: Request) -> Response:
        token = request.path_params["token"]
        client = request.client.host if request.client else ""
        if not link_tries.allow(client):
            raise HTTPException(429)
        opened = await run_in_threadpool(store.open, token)
        if opened is None:
            return message(
                403,
                "This link does not work",
                "It has expired, was withdrawn, or was copied incompletely.",
                "Ask your coordinator for a new link.",
            )
        response = RedirectResponse("/submission", status_code=303)
        response.set_cookie(cookie, opened.session_token, httponly=True, samesite="strict", secure=tls, path="/")
        return response

    def show(
        found: Visitor,
        status: int = 200,
        *,
        filled: Sequence[answers.Answer] | None = None,
        short_name: str | None = None,
        errors: Sequence[form_errors.FormError] = (),
        field_errors: Mapping[str, str] | None = None,
        upload: tuple[str, Sequence[str], set[int]] | None = None,  # a refused upload: name, lines, lines in error
        conflict: saving.Conflict | None = None,
        yours: str | None = None,
        version: str | None = None,
        here: department.DepartmentCycle | None = None,  # as this request already read it
    ) -> HTMLResponse:
        here = here or department.load(workspace, found.invite)
        if filled is None:
            filled = answers.from_submission(here.asked, here.data)
        return page(
            "submission.html.j2",
            status,
            invite=found.invite,
            here=here,
            csrf=found.session.csrf,
            filled=filled,
            short_name=answers.short_name_of(here.data) if short_name is None else short_name,
            errors=errors,
            field_errors=field_errors or {},
            upload=upload,
            conflict=conflict,
            yours=yours,
            differences=_differences(conflict, yours) if conflict else None,
            version=version or saving.version_of(here.content),
            limit=_size(MAX_FILE_BYTES),
            counted=form_errors.counted,
            has_errors=has_errors,
        )

    async def submission(request: Request) -> Response:
        found = visitor(request)
        return await run_in_threadpool(show, found)

    async def fill_in(request: Request) -> Response:
        found = visitor(request)
        form = await checked_form(request, found)
        here = await run_in_threadpool(department.load, workspace, found.invite)
        values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
        filled = answers.from_form(here.asked, values)
        short_name = answers.tidy(values.get("short_name", ""))
        # Characters no file may hold are refused at the field they were typed into; the rest of
        # the form is checked as if they were not there, so every mistake is said at once.
        mistakes = answers.refused_characters(short_name, filled)
        checked_as = answers.without_refused(filled)
        short_name_checked = characters.strip_refused(short_name)
        for answer in answers.both_given(filled):
            mistakes.setdefault(answer.field_id, []).append(
                f"{answer.spec.heading}: write the section or say why it does not apply, not both"
            )
        cycle, name = found.invite.cycle, here.file_name
        content = answers.submission_yaml(here.config, cycle, found.invite.department, short_name_checked, checked_as)
        result = await run_in_threadpool(check_upload, workspace, cycle, name, content.encode())
        for field, texts in form_errors.field_errors(result.problems, checked_as).items():
            mistakes.setdefault(field, []).extend(text for text in texts if text not in mistakes.get(field, []))
        if mistakes:  # every one in the summary, in the page's order; each field shows its own
            order = [form_errors.AT_THE_TOP, answers.SHORT_NAME_ID]
            order += [field for answer in filled for field in (answer.field_id, answer.reason_id)]
            errors = [
                form_errors.FormError(f"#{field}" if field != form_errors.AT_THE_TOP else "", text)
                for field in order
                for text in mistakes.get(field, [])
            ]
            field_errors = {field: "; ".join(texts) for field, texts in mistakes.items()}
            return show(
                found, 400, filled=filled, short_name=short_name, errors=errors, field_errors=field_errors, here=here
            )
        loaded = str(form.get("version", ""))
        return await _save(found, loaded, here.file_name, content, FILL_IN, filled=filled, short_name=short_name)

    async def upload(request: Request) -> Response:
        found = visitor(request)
        form = await checked_form(request, found)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            error = form_errors.FormError("#file", "Select a YAML file to upload")
            return show(found, 400, errors=[error], field_errors={"file": error.text})
        data = await file.read(UPLOAD_LIMIT + 1)
        here = await run_in_threadpool(department.load, workspace, found.invite)
        result = await run_in_threadpool(check_upload, workspace, found.invite.cycle, here.file_name, data)
        if result.department is not None and result.department != found.invite.department:
            return message(
                403,
                "You cannot save this file",
                f"It is {result.department}’s response. You can save {found.invite.department}’s only.",
            )
        problems = [problem for problem in result.problems if problem.severity is Severity.ERROR]
        if problems and len(data) > MAX_FILE_BYTES:  # the check's own answer, too long a file to show
            errors = [form_errors.FormError("#file", form_errors.said(problem, with_line=True)) for problem in problems]
            return show(found, 400, errors=errors, field_errors={"file": errors[0].text}, here=here)
        if problems:
            errors = [
                form_errors.FormError(f"#line-{problem.line}", form_errors.said(problem, with_line=True))
                for problem in problems
            ]
            lines = data.decode("utf-8", errors="replace").splitlines()
            marked = {problem.line for problem in problems}
            return show(found, 400, errors=errors, upload=(file.filename, lines, marked), here=here)
        return await _save(found, str(form.get("version", "")), here.file_name, data.decode("utf-8"), UPLOAD)

    async def _save(
        found: Visitor,
        loaded: str,
        name: str,
        content: str,
        how: str,
        *,
        filled: Sequence[answers.Answer] | None = None,
        short_name: str | None = None,
    ) -> Response:
        outcome = await run_in_threadpool(saving.save, workspace, found.invite, name, content.encode(), loaded, how)
        if isinstance(outcome, saving.NotSaved):
            logger.error("%s for %s: nothing saved: %s", name, found.invite.department, outcome.reason)
            return message(
                507,
                "Nothing was saved",
                "The portal could not write your file: its server’s disk is full. Your department’s file is as it was.",
                "Go back to keep what you wrote, and try again later. Your coordinator has been told in the"
                " portal’s log.",
            )
        if isinstance(outcome, saving.Conflict):
            return show(
                found,
                409,
                filled=filled,
                short_name=short_name,
                conflict=outcome,
                yours=content,
                version=outcome.version,
            )
        return RedirectResponse("/submission/saved", status_code=303)

    async def saved(request: Request) -> Response:
        found = visitor(request)
        here = await run_in_threadpool(department.load, workspace, found.invite)
        return page(
            "saved.html.j2",
            invite=found.invite,
            here=here,
            sha256=saving.version_of(here.content),
            counted=form_errors.counted,
            has_errors=has_errors,
        )

    async def sign_out(request: Request) -> Response:
        found = visitor(request)
        await checked_form(request, found)
        await run_in_threadpool(store.end, request.cookies.get(cookie, ""))
        response = RedirectResponse("/signed-out", status_code=303)
        response.delete_cookie(cookie, path="/")
        return response

    async def signed_out(request: Request) -> Response:
        return message(200, "You have signed out", "To answer again, open your invitation link.")

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)  # browsers ask; the portal has none

    async def stylesheet(request: Request) -> Response:
        return Response(STYLESHEET.read_bytes(), media_type="text/css")

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code == 401:
            return message(401, "Open your invitation link", "Your session has ended or the link was withdrawn.")
        if error.status_code == 403:
            return message(403, "This form has expired", "Go back, reload the page and try again.")
        if error.status_code == 429:
            response = message(429, "Too many requests", "Wait a minute, then try again.")
            response.headers["retry-after"] = "60"
            return response
        if error.status_code == 413:
            return message(413, "That was too large", f"Files must be smaller than {_size(MAX_FILE_BYTES)}.")
        return message(error.status_code, "Page not found" if error.status_code == 404 else "Something went wrong")

    async def failed(request: Request, error: Exception) -> Response:
        assert isinstance(error, PipelineError)
        return message(409, "The report cannot be answered just now", str(error).splitlines()[0])

    async def gone(request: Request, error: Exception) -> Response:
        # The browser closed the connection mid-request (a tab shut during an upload): nothing
        # was read whole, so nothing was saved; one line, not a traceback.
        logger.warning("%s %s: the client disconnected before its request was read", request.method, request.url.path)
        return Response(status_code=400)

    async def full(request: Request, error: Exception) -> Response:
        logger.error("%s: %s", request.url.path, error)
        return message(507, "The portal cannot write just now", "Its server’s disk is full. Try again later.")

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/invite/{token}", open_invite),
            Route("/submission", submission),
            Route("/submission", fill_in, methods=["POST"]),
            Route("/submission/upload", upload, methods=["POST"]),
            Route("/submission/saved", saved),
            Route("/sign-out", sign_out, methods=["POST"]),
            Route("/signed-out", signed_out),
            Route("/favicon.ico", no_icon),
            Route("/portal.css", stylesheet),
        ],
        exception_handlers={HTTPException: refused, PipelineError: failed, DiskFull: full, ClientDisconnect: gone},
    )
    return SecurityHeaders(BodyLimit(app, UPLOAD_LIMIT + 64 * 1024), tls=tls)


def _differences(conflict: saving.Conflict, yours: str | None) -> str:
    """What the saved file and the department's version differ by, as a unified diff."""
    saved = (conflict.current or b"").decode("utf-8", "replace").splitlines()
    return "\n".join(
        difflib.unified_diff(saved, (yours or "").splitlines(), "saved version", "your version", lineterm="", n=1)
    )


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
