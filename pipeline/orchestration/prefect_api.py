"""Which Prefect server a build records its run on: one already running for the project, or
a temporary one started for this build and stopped after it.

Without a server, Prefect starts its own for every run, importing the server's code in the
build's process (about 3 s) only to boot it in a subprocess that imports it again, one after
the other. Here the temporary server is started first, before Prefect is imported, so it
boots on the other core while the build imports its code and reads its files; the build's
process never imports `prefect.server`. It runs only the services that record the run whole
(its task runs too). This module imports nothing of Prefect's.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.settings import SETTINGS, Settings, api_url, is_loopback

# A first run on a fresh clone creates the database (migrations): allow for it.
_BOOT_TIMEOUT_SECONDS = 180
_STOP_TIMEOUT_SECONDS = 10
_PR_SET_PDEATHSIG = 1
_UI_URL = "PREFECT_UI_URL"
# Prefect's per-service switches (`prefect server services ls`), for the temporary server.
_SERVICES_A_BUILD_DOES_NOT_NEED = tuple(
    f"PREFECT_SERVER_SERVICES_{name}_ENABLED"
    for name in (
        "SCHEDULER",
        "LATE_RUNS",
        "FOREMAN",
        "PAUSE_EXPIRATIONS",
        "REPOSSESSOR",
        "CANCELLATION_CLEANUP",
        "CLEANUP_RECONCILER",
        "TRIGGERS",
        "EVENT_LOGGER",
    )
) + ("PREFECT_API_EVENTS_STREAM_OUT_ENABLED",)


@dataclass
class PrefectApi:
    """The API a build talks to; `wait()` before the first call to it."""

    url: str
    server: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    started: float = field(default_factory=time.monotonic)

    def describe(self) -> str:
        if self.server is None:
            return f"Prefect: using the server running at {self.url}"
        return f"Prefect: no server running; starting a temporary one at {self.url} for this build"

    def __enter__(self) -> PrefectApi:
        return self

    def __exit__(self, *exception: object) -> None:
        self.stop()
        if self.server is not None:  # the URLs were ours: a later build in this process looks again
            os.environ.pop("PREFECT_API_URL", None)
            if os.environ.get(_UI_URL) == "":
                os.environ.pop(_UI_URL)

    def wait(self) -> None:
        """Return once the server answers; a temporary server that dies or never answers is an error."""
        if self.server is None:
            return
        deadline = self.started + _BOOT_TIMEOUT_SECONDS
        while not healthy(self.url, timeout=1.0):
            if self.server.poll() is not None:
                raise PipelineError(f"the temporary Prefect server stopped while starting:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                raise PipelineError(
                    f"the temporary Prefect server did not answer within {_BOOT_TIMEOUT_SECONDS} s:\n{self._log_tail()}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop a temporary server (a running one is left alone)."""
        if self.server is None or self.server.poll() is not None:
            return
        self.server.terminate()
        try:
            self.server.wait(timeout=_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()

    def _log_tail(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])


def healthy(url: str, timeout: float = 0.5) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:  # noqa: S310 (our own http URL)
            return bool(response.status == 200 and response.read().strip() == b"true")
    except (OSError, urllib.error.URLError, ValueError):
        return False


# Prefect's basic authentication: the server checks the first, its clients send the second.
SERVER_AUTH = "PREFECT_SERVER_API_AUTH_STRING"
CLIENT_AUTH = "PREFECT_API_AUTH_STRING"


# Shorter than this, a passphrase falls to guessing: Basic authentication sends it with every request.
PASSPHRASE_MIN_CHARACTERS = 12


def require_auth_beyond_this_machine(host: str) -> None:
    """A server reachable from other machines must ask for credentials worth the name: refuse to
    start one that would not, or whose credentials lack a user or a long enough password."""
    given = os.environ.get(SERVER_AUTH)
    if given is not None and given.strip():
        user, colon, password = given.partition(":")
        if not colon or not user.strip() or not password:
            lacking = [part for part, value in (("the user", user.strip()), ("the password", password)) if not value]
            raise PipelineError(
                f"{SERVER_AUTH} must be '<user>:<password>', both given; it is missing "
                + ("the colon between them" if not colon else " and ".join(lacking))
            )
        if len(password) < PASSPHRASE_MIN_CHARACTERS:
            raise PipelineError(
                f"the password in {SERVER_AUTH} is {len(password)} characters long; use at least "
                f"{PASSPHRASE_MIN_CHARACTERS}, such as four words chosen at random"
            )
        return
    if is_loopback(host):
        return
    raise PipelineError(
        f"the Prefect server would listen on {host}, beyond this machine, with no authentication. Set "
        f"{SERVER_AUTH}='<user>:<password>' for the server, and {CLIENT_AUTH} to the same on every machine that "
        "uses it (make serve, the pipeline's commands); the UI then asks for it. Or listen on 127.0.0.1 only."
    )


def authorised(url: str, timeout: float = 5.0) -> bool:
    """Whether the server takes this process's credentials (PREFECT_API_AUTH_STRING), or needs none."""
    request = urllib.request.Request(f"{url}/admin/version")
    credentials = os.environ.get(CLIENT_AUTH)
    if credentials:
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 (the server's own http URL)
            return True
    except urllib.error.HTTPError as error:
        return error.code != 401
    except (OSError, ValueError):
        return True  # not an answer about credentials: let the build report what went wrong


def require_credentials(url: str) -> None:
    """A clear error, rather than Prefect's 401s later, when the server wants credentials this process lacks."""
    if not authorised(url):
        given = "is not the one it expects" if os.environ.get(CLIENT_AUTH) else "is not set"
        raise PipelineError(
            f"the Prefect server at {url} asks for credentials and {CLIENT_AUTH} {given}: set it to the "
            f"server's {SERVER_AUTH} ('<user>:<password>')"
        )


def connect(settings: Settings = SETTINGS, *, standing_only: str | None = None) -> PrefectApi:
    """The server to use, announced on stderr: PREFECT_API_URL if set, else the project's
    standing server if it answers, else a temporary one started now (use the result in a
    `with` block, which stops it however the build ends). Sets PREFECT_API_URL for this
    process and the processes it starts. Call before Prefect is imported.

    `standing_only` says why a temporary server will not do (a reviewer needs the UI of a
    server that stays up); with it, no running server is an error."""
    if standing_only and not os.environ.get("PREFECT_API_URL") and not healthy(settings.server_api_url):
        raise PipelineError(
            f"{standing_only}, and no Prefect server answers at {settings.server_api_url}: start it"
            " in another terminal (make server), or set PREFECT_API_URL to the coordinators' server"
        )
    api = _find_or_start(settings)
    if api.server is None:
        require_credentials(api.url)
    print(api.describe(), file=sys.stderr, flush=True)
    return api


def _find_or_start(settings: Settings) -> PrefectApi:
    given = os.environ.get("PREFECT_API_URL")
    if given:
        if not healthy(given):
            raise PipelineError(
                f"PREFECT_API_URL is {given}, but no Prefect server answers there: "
                "start it (make server), or unset PREFECT_API_URL to build with a temporary server"
            )
        return PrefectApi(given)
    if healthy(settings.server_api_url):
        os.environ["PREFECT_API_URL"] = settings.server_api_url
        return PrefectApi(settings.server_api_url)
    return _start_temporary(settings)


def _start_temporary(settings: Settings) -> PrefectApi:
    port = _free_port(settings.server_host)
    url = api_url(settings.server_host, port)
    home = Path(os.environ.get("PREFECT_HOME", settings.prefect_home))
    # The runs' record (their parameters and logs) is the coordinator's: made readable by its owner only.
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if home == settings.prefect_home:
        home.chmod(0o700)
    log = home / "temporary-server.log"
    # On loopback and this build's alone: no credentials to ask for (an empty string would still ask).
    environment = {key: value for key, value in os.environ.items() if key != SERVER_AUTH}
    environment |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    # The services a build's run needs recorded, and no others: its task runs (the task-run
    # recorder, fed by the event persister's stream) but no scheduler, triggers or clean-ups.
    environment |= {variable: "false" for variable in _SERVICES_A_BUILD_DOES_NOT_NEED}
    command = [sys.executable, "-m", "prefect", "server", "start", "--no-ui"]
    command += ["--host", settings.server_host, "--port", str(port), "--log-level", "WARNING"]
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_parent,  # noqa: PLW1509 (called before any thread is started)
        )
    os.environ["PREFECT_API_URL"] = url
    # No UI, and gone once the build ends: Prefect's "View at <link>" would point nowhere.
    os.environ.setdefault(_UI_URL, "")
    return PrefectApi(url, server, log)


def _stop_with_parent() -> None:
    """In the server's process: have Linux stop it if the build's process dies without
    stopping it (killed outright), so no server is ever left behind."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the build's own clean-up still stops it
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
