"""The departments' portal: a small Starlette app over `check_upload`, on the GOV.UK Design System.

A department opens its invitation link and gets a session for its one cycle; its page shows
its file's status and lets it fill the sections in or upload a file. Either way the file is
checked as if dropped, every problem shown at once, and nothing is written until it is valid.
Saving writes the YAML into `submissions/<cycle>/`, where the file-drop run picks it up.

No path, file name or department comes from a request: each is the invitation's.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Route
from starlette.types import ASGIApp

from pipeline.errors import PipelineError
from pipeline.portal import routes, saving
from pipeline.portal.database import DiskFull
from pipeline.portal.invites import InviteStore
from pipeline.portal.pages import Portal
from pipeline.portal.security import BodyLimit, RateLimit, SecurityHeaders
from pipeline.settings import SETTINGS, Settings
from pipeline.workspace import Workspace

ROUTES = [
    Route("/", routes.home),
    Route("/invite/{token}", routes.open_invite),
    Route("/submission", routes.submission),
    Route("/submission", routes.fill_in, methods=["POST"]),
    Route("/submission/upload", routes.upload, methods=["POST"]),
    Route("/submission/saved", routes.saved),
    Route("/sign-out", routes.sign_out, methods=["POST"]),
    Route("/signed-out", routes.signed_out),
    Route("/favicon.ico", routes.no_icon),
    Route("/portal.css", routes.stylesheet),
]
EXCEPTION_HANDLERS = {
    HTTPException: routes.refused,
    PipelineError: routes.failed,
    DiskFull: routes.full,
    ClientDisconnect: routes.gone,
}


def portal_app(workspace: Workspace | None = None, *, tls: bool = False, settings: Settings = SETTINGS) -> ASGIApp:
    """The portal over a workspace: its routes, with its state, behind its defences."""
    workspace = workspace or Workspace()
    store = InviteStore(workspace, settings.portal_sessions_per_link)
    # Before any save: the saves a killed portal left half done are settled, and the reserve made.
    saving.reconcile(workspace)
    store.database.keep_reserve()
    app = Starlette(routes=ROUTES, exception_handlers=EXCEPTION_HANDLERS)
    app.state.portal = Portal(
        workspace,
        store,
        RateLimit(settings.portal_requests_per_minute),
        RateLimit(settings.portal_link_tries_per_minute),
        tls,
    )
    return SecurityHeaders(BodyLimit(app, routes.UPLOAD_LIMIT + 64 * 1024), tls=tls)
