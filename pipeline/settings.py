"""Run settings, each defined once, with its default and what it means.

The CLI's defaults, the flows' parameters, the deployments, the Makefile's targets,
the preview tool and the tests all read these; none writes its own.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path


def _project() -> Path:
    """Where the defaults below live: the checkout this code runs from (the folder with
    pyproject.toml above pipeline/), or, installed from a wheel, the current directory."""
    checkout = Path(__file__).resolve().parents[1]
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


PROJECT = _project()


@dataclass(frozen=True)
class Settings:
    submissions: Path = PROJECT / "submissions"
    """Where cycles are read from: `<submissions>/<cycle>/report.yaml` and one YAML file per department."""

    outputs: Path = PROJECT / "outputs"
    """Where builds are published: `<outputs>/<cycle>/`, with earlier builds under `history/`."""

    default_cycle: str = "2015-action-04"
    """The cycle built when none is named: the project's default data, the published 2015 update of Action 4."""

    keep_history: int = 5
    """How many earlier builds of a cycle are kept under `history/`."""

    schedule: str = "0 9 16 1 *"
    """When the scheduled deployment builds the default cycle (cron): 09:00 on 16 January,
    when the 2015 update was published."""

    timezone: str = "Europe/London"
    """The schedule's time zone."""

    progress_from_departments: int = 100
    """Builds of cycles this large show each stage's progress on the command line (a bar on a terminal)."""

    workers: int = 1
    """How many cycles `build --all` and the all-reports flow build at once, each in a process of its own."""

    review_timeout_seconds: int = 7 * 24 * 3600
    """How long a build waiting for review waits for an answer before it is dropped, unpublished."""

    review_poll_seconds: int = 5
    """How often a build waiting for review asks the server whether a reviewer has answered."""

    feedback_retry_seconds: tuple[int, ...] = (10, 60, 300)
    """When a department's feedback email cannot be handed to the mail server, the waits before
    each further try; after the last, the failure is logged and the next change to the file tries again."""

    prefect_home: Path = PROJECT / ".prefect"
    """Prefect's local state for runs without a server (its SQLite database), kept in the project."""

    server_home: Path = PROJECT / ".prefect-server"
    """The standing Prefect server's state (`make server`), apart from the local runs'."""

    server_host: str = "127.0.0.1"
    """The address the standing server listens on: this machine only."""

    server_port: int = 4200
    """The standing server's port; `make server PREFECT_PORT=4300` chooses another."""

    server_database: str = "sqlite"
    """The standing server's database: "sqlite" (one machine) or "postgres" (`make server DB=postgres`,
    which several workers need: Prefect rules SQLite out for them)."""

    postgres_port: int = 5433
    """The port of the project's own PostgreSQL cluster, on 127.0.0.1 (5432 is left to a system one)."""

    work_pool: str = "annual-report"
    """The process work pool `make deploy` registers the deployments on and `make worker` takes runs from."""

    worker_limit: int = os.cpu_count() or 1
    """How many flow runs one worker runs at once: one per core."""

    heartbeat_seconds: int = 30
    """How often a flow run tells the server it is alive (Prefect's shortest), so that a run whose
    machine died is seen to have stopped."""

    silent_seconds: int = 75
    """How long a run may go without a heartbeat before the server marks it Crashed (two and a half
    heartbeats: the server checks every few seconds, so a dead run is Crashed within three)."""

    portal_host: str = "127.0.0.1"
    """The address the departments' portal listens on: this machine only, unless served with TLS."""

    portal_port: int = 8400
    """The departments' portal's port."""

    invite_days: int = 14
    """How long a department's invitation link to the portal works."""

    portal_requests_per_minute: int = 60
    """How many requests one invitation's sessions may make in a minute before the portal asks them to wait."""

    portal_link_tries_per_minute: int = 10
    """How many links one client (one address) may open in a minute, wrong ones included, before it is asked to wait."""

    portal_sessions_per_link: int = 5
    """How many browsers may be signed in with one link at once: the newest; opening it again signs the oldest out."""

    @property
    def portal_url(self) -> str:
        return f"http://{self.portal_host}:{self.portal_port}"

    @property
    def server_api_url(self) -> str:
        return api_url(self.server_host, self.server_port)


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is this machine only (a host name may resolve to anything: no)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_url(host: str, port: int) -> str:
    """The address of the REST API of a Prefect server listening on `host` and `port`."""
    return f"http://{host}:{port}/api"


SETTINGS = Settings()


def prepare_prefect(settings: Settings = SETTINGS) -> None:
    """Prefect's environment, set before Prefect is imported (it reads it then): its state in
    the project rather than the user's home, no analytics sent, the pipeline's own log lines
    shown in each run's log (and kept quietly local when a stage runs outside a flow, as the
    stages may), and a heartbeat from every run as often as the server's check for silent runs
    expects (`zombies`). Anything already set in the environment wins."""
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "pipeline")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(settings.heartbeat_seconds))
