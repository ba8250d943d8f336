"""The portal's pages, each a handler of its own: a department signs in by its link, sees its
file's status, fills the sections in or uploads a file, and saves; and what it meets when
something is refused. Each reads the portal's state from its app (`pages.portal_of`)."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline import characters
from pipeline.check.checked import has_errors
from pipeline.errors import PipelineError, Severity
from pipeline.portal import answers, department, form_errors, saving
from pipeline.portal.pages import (
    Shown,
    Visitor,
    checked_form,
    message,
    page,
    portal_of,
    size,
    submission_page,
    visitor,
)
from pipeline.read.yaml_file import MAX_FILE_BYTES
from pipeline.render.html import TEMPLATES
from pipeline.service import check_upload

logger = logging.getLogger(__name__)

STYLESHEET = TEMPLATES / "govuk-frontend" / "portal.css"
FILL_IN, UPLOAD = "form", "upload"
# A file up to twice the pipeline's own limit is read and answered as the command line answers
# it ("file is … bytes; the limit is …"); a larger request is refused before it is read.
UPLOAD_LIMIT = 2 * MAX_FILE_BYTES


async def home(request: Request) -> Response:
    return message(
        200,
        "Open your invitation link",
        "Open the link in the email your coordinator sent you: it shows your department’s part of the report,"
        " and lets you answer it.",
    )


async def open_invite(request: Request) -> Response:
    portal = portal_of(request)
    if not portal.link_tries.allow(request.client.host if request.client else ""):
        raise HTTPException(429)
    opened = await run_in_threadpool(portal.store.open, request.path_params["token"])
    if opened is None:
        return message(
            403,
            "This link does not work",
            "It has expired, was withdrawn, or was copied incompletely.",
            "Ask your coordinator for a new link.",
        )
    response = RedirectResponse("/submission", status_code=303)
    response.set_cookie(
        portal.cookie, opened.session_token, httponly=True, samesite="strict", secure=portal.tls, path="/"
    )
    return response


async def submission(request: Request) -> Response:
    return await run_in_threadpool(submission_page, portal_of(request).workspace, visitor(request))


async def fill_in(request: Request) -> Response:
    workspace = portal_of(request).workspace
    found = visitor(request)
    form = await checked_form(request, found)
    here = await run_in_threadpool(department.load, workspace, found.invite)
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    filled = answers.from_form(here.asked, values)
    short_name = answers.tidy(values.get("short_name", ""))
    # Characters no file may hold are refused at the field they were typed into; the rest of the
    # form is checked as if they were not there, so every mistake is said at once.
    mistakes = answers.refused_characters(short_name, filled)
    checked_as = answers.without_refused(filled)
    for answer in answers.both_given(filled):
        mistakes.setdefault(answer.field_id, []).append(
            f"{answer.spec.heading}: write the section or say why it does not apply, not both"
        )
    cycle, name = found.invite.cycle, here.file_name
    written = characters.strip_refused(short_name)
    content = answers.submission_yaml(here.config, cycle, found.invite.department, written, checked_as)
    result = await run_in_threadpool(check_upload, workspace, cycle, name, content.encode())
    for field, texts in form_errors.field_errors(result.problems, checked_as).items():
        mistakes.setdefault(field, []).extend(text for text in texts if text not in mistakes.get(field, []))
    if mistakes:
        shown = Shown(filled, short_name, *form_errors.summarised(mistakes, filled))
        return submission_page(workspace, found, 400, shown, here)
    loaded = str(form.get("version", ""))
    return await _save(request, found, loaded, name, content, FILL_IN, Shown(filled, short_name))


async def upload(request: Request) -> Response:
    workspace = portal_of(request).workspace
    found = visitor(request)
    form = await checked_form(request, found)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        error = form_errors.FormError("#file", "Select a YAML file to upload")
        return submission_page(workspace, found, 400, Shown(errors=[error], field_errors={"file": error.text}))
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
        return submission_page(workspace, found, 400, Shown(errors=errors, field_errors={"file": errors[0].text}), here)
    if problems:
        errors = [
            form_errors.FormError(f"#line-{problem.line}", form_errors.said(problem, with_line=True))
            for problem in problems
        ]
        lines = data.decode("utf-8", errors="replace").splitlines()
        refused = (file.filename, lines, {problem.line for problem in problems})
        return submission_page(workspace, found, 400, Shown(errors=errors, upload=refused), here)
    loaded = str(form.get("version", ""))
    return await _save(request, found, loaded, here.file_name, data.decode("utf-8"), UPLOAD, Shown())


async def _save(
    request: Request, found: Visitor, loaded: str, name: str, content: str, how: str, shown: Shown
) -> Response:
    workspace = portal_of(request).workspace
    outcome = await run_in_threadpool(saving.save, workspace, found.invite, name, content.encode(), loaded, how)
    if isinstance(outcome, saving.NotSaved):
        logger.error("%s for %s: nothing saved: %s", name, found.invite.department, outcome.reason)
        return message(
            507,
            "Nothing was saved",
            "The portal could not write your file: its server’s disk is full. Your department’s file is as it was.",
            "Go back to keep what you wrote, and try again later. Your coordinator has been told in the portal’s log.",
        )
    if isinstance(outcome, saving.Conflict):
        conflicted = Shown(shown.filled, shown.short_name, conflict=outcome, yours=content, version=outcome.version)
        return submission_page(workspace, found, 409, conflicted)
    return RedirectResponse("/submission/saved", status_code=303)


async def saved(request: Request) -> Response:
    found = visitor(request)
    here = await run_in_threadpool(department.load, portal_of(request).workspace, found.invite)
    return page(
        "saved.html.j2",
        invite=found.invite,
        here=here,
        sha256=saving.version_of(here.content),
        counted=form_errors.counted,
        has_errors=has_errors,
    )


async def sign_out(request: Request) -> Response:
    portal = portal_of(request)
    found = visitor(request)
    await checked_form(request, found)
    await run_in_threadpool(portal.store.end, request.cookies.get(portal.cookie, ""))
    response = RedirectResponse("/signed-out", status_code=303)
    response.delete_cookie(portal.cookie, path="/")
    return response


async def signed_out(request: Request) -> Response:
    return message(200, "You have signed out", "To answer again, open your invitation link.")


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)  # browsers ask; the portal has none


async def stylesheet(request: Request) -> Response:
    return Response(STYLESHEET.read_bytes(), media_type="text/css")


# --- What a refused request meets.


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
        return message(413, "That was too large", f"Files must be smaller than {size(MAX_FILE_BYTES)}.")
    return message(error.status_code, "Page not found" if error.status_code == 404 else "Something went wrong")


async def failed(request: Request, error: Exception) -> Response:
    assert isinstance(error, PipelineError)
    return message(409, "The report cannot be answered just now", str(error).splitlines()[0])


async def gone(request: Request, error: Exception) -> Response:
    # The browser closed the connection mid-request (a tab shut during an upload): nothing was
    # read whole, so nothing was saved; one line, not a traceback.
    logger.warning("%s %s: the client disconnected before its request was read", request.method, request.url.path)
    return Response(status_code=400)


async def full(request: Request, error: Exception) -> Response:
    logger.error("%s: %s", request.url.path, error)
    return message(507, "The portal cannot write just now", "Its server’s disk is full. Try again later.")
