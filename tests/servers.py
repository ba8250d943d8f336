"""Real servers for the tests, on 127.0.0.1 only and always stopped: Prefect's own server (with
its services, the scheduler among them), the pipeline's `serve`, and an SMTP server (aiosmtpd)
that keeps what it is sent. A server's log is read when it stops: any ERROR line fails the test,
so a library upgrade that breaks a service turns a test red."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS

PREFECT = Path(sys.executable).with_name("prefect")
# The Department of Health's contact in the copies of the real cycle the servers are given.
CONTACT = "digital-team@health.example.gov.uk"
# Prefect's log lines: "01:14:45.096 | ERROR   | docket.dependencies - …"; uvicorn's: "ERROR:    …".
_ERROR_LINE = re.compile(r"^(?:[\d:.]+ \| ERROR\b|ERROR:)", re.MULTILINE)
_LOG_LINE = re.compile(r"^(?:[\d:.]+ \| [A-Z]+\b|[A-Z]+:  )", re.MULTILINE)
# The one ERROR a healthy SQLite server logs: two of its sessions wrote at once, and Prefect
# answers the state change with 503, which its client tries again (is_client_retryable_exception
# in prefect.server.api.server). SQLite is the documented single-machine database; any other
# ERROR, from any service, still fails the test.
_RETRIED_SQLITE_LOCK = (
    "| prefect.server - Encountered error during state validation",
    "(sqlite3.OperationalError) database is locked",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, cwd=PROJECT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants, as /proc shows them now."""
    tree, index = [pid], 0
    while index < len(tree):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            for task in Path(f"/proc/{tree[index]}/task").iterdir():
                tree += [int(child) for child in (task / "children").read_text().split()]
        index += 1
    return tree


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a process and every process under it at once, as a machine that dies would stop them."""
    for pid in process_tree(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def tree_memory_mib(pid: int) -> float:
    """The resident memory of a process and its descendants now."""
    total_kib = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total_kib += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kib / 1024


def error_lines(log: Path) -> list[str]:
    """The ERROR lines of a server's log, each with its traceback, but for SQLite's retried lock."""
    text = log.read_text(encoding="utf-8", errors="replace")
    errors = []
    for match in _ERROR_LINE.finditer(text):
        following = _LOG_LINE.search(text, match.end())
        block = text[match.start() : following.start() if following else len(text)]
        if not all(part in block for part in _RETRIED_SQLITE_LOCK):
            errors.append(block if len(block) <= 3000 else f"{block[:1500]}\n…\n{block[-1500:]}")
    return errors


# Prefect's own command line, as a coordinator who knows Prefect reaches for it first.
PREFECT_LISTINGS = ("deployment", "flow", "flow-run", "work-pool", "automation")


def prefect_listings(api: str, environment: dict[str, str]) -> dict[str, str]:
    """`prefect <object> ls` for each object, with PREFECT_API_URL set to the server: what each
    printed. Each must exit 0 (with Prefect 3.8 and FastAPI 0.151 on, each ended in a 422)."""
    printed = {}
    for listed in PREFECT_LISTINGS:
        result = subprocess.run(
            [str(PREFECT), listed, "ls"],
            # Wide enough that Prefect's tables do not cut the names a test looks for.
            env={**environment, "PREFECT_API_URL": api, "COLUMNS": "250"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"prefect {listed} ls exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
        printed[listed] = result.stdout
    return printed


def post(api: str, path: str, body: dict[str, Any]) -> Any:
    """POST to the API; a 503 (the server briefly busy, its SQLite locked) is tried again."""
    for _ in range(20):
        response = httpx.post(f"{api}{path}", json=body, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(0.5)
    return response.raise_for_status().json()


def flow_run(api: str, flow_run_id: str) -> dict[str, Any]:
    return httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=30).raise_for_status().json()


def finished(api: str, flow_run_id: str, timeout: float = 120) -> dict[str, Any]:
    return wait_for(
        lambda: (run := flow_run(api, flow_run_id))["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") and run,
        "the run to finish",
        timeout,
    )


class Inbox:
    """An SMTP server's handler that keeps every message: (recipients, message)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def copy_real_cycle(submissions: Path, *, formats: str | None = None) -> Path:
    """The real 2015 cycle copied under `submissions`, with a contact for the Department of Health
    (and publishing only `formats`, as "[html, pdf]", when given); its folder."""
    folder = submissions / REAL_CYCLE
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, folder)
    config = folder / "report.yaml"
    text = config.read_text().replace(
        "  - Department of Health\n", f"  - name: Department of Health\n    contact: {CONTACT}\n"
    )
    config.write_text(text + (f"formats: {formats}\n" if formats else ""))
    return folder


def mail_environment(controller: Controller) -> dict[str, str]:
    """The mail settings `serve` sends departments' feedback with, to this SMTP server."""
    return {
        "PIPELINE_SMTP_HOST": "127.0.0.1",
        "PIPELINE_SMTP_PORT": str(controller.port),
        "PIPELINE_SMTP_SENDER": "annual-report@digital.example.gov.uk",
        "PIPELINE_SMTP_SECURITY": "none",
    }


@contextmanager
def mail_server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@dataclass
class Served:
    """A Prefect server with its services, and the pipeline's deployments served to it."""

    api: str
    home: Path
    submissions: Path
    outputs: Path
    environment: dict[str, str]
    deployments: list[dict[str, Any]] = field(default_factory=list)
    inbox: Inbox | None = None  # what the SMTP server `serve` sends feedback to has received

    @property
    def server_log(self) -> Path:
        return self.home / "server.log"

    @property
    def serve_log(self) -> Path:
        return self.home / "serve.log"

    def deployment(self, name: str) -> dict[str, Any]:
        (found,) = [deployment for deployment in self.deployments if deployment["name"] == name]
        return found


@contextmanager
def prefect_served(
    home: Path, submissions: Path, outputs: Path, environment: dict[str, str], serve_arguments: tuple[str, ...] = ()
) -> Iterator[Served]:
    """`make server` and `make serve` as a coordinator runs them, on a free loopback port; on the
    way out Prefect's own `… ls` commands must work against it, both are stopped, and the
    server's log must hold no ERROR line."""
    api = f"http://127.0.0.1:{free_port()}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        **environment,
    }
    port = api.split(":")[2].split("/")[0]
    served = Served(api, home, submissions, outputs, env)
    server = start([sys.executable, "-m", "pipeline", "server", "--port", port], env, served.server_log)
    serving = None
    try:
        wait_for(lambda: httpx.get(f"{api}/health").json() is True, "the Prefect server")
        command = [sys.executable, "-m", "pipeline", "serve", "--submissions", str(submissions)]
        serving = start([*command, "--outputs", str(outputs), *serve_arguments], env, served.serve_log)
        served.deployments = wait_for(
            lambda: len(found := post(api, "/deployments/filter", {})) == 3 and found, "three deployments"
        )
        yield served
        # After what the test did, Prefect's own listings of it, as a coordinator would look.
        listed = prefect_listings(api, env)
        assert all(deployment["name"] in listed["deployment"] for deployment in served.deployments), listed
    finally:
        if serving is not None:
            stop(serving)
        stop(server)
    errors = error_lines(served.server_log)
    assert errors == [], "the Prefect server logged errors:\n" + "\n".join(errors)


@contextmanager
def portal_served(
    submissions: Path, outputs: Path, log: Path, environment: dict[str, str] | None = None
) -> Iterator[str]:
    """`make portal` as a coordinator runs it, on a free loopback port: its address. On the way out
    it is stopped, and its log must hold no ERROR line and no traceback."""
    port = free_port()
    command = [sys.executable, "-m", "pipeline", "portal", "--submissions", str(submissions)]
    process = start(
        [*command, "--outputs", str(outputs), "--port", str(port)], {**os.environ, **(environment or {})}, log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{url}/", timeout=5).status_code == 200, "the portal", timeout=60)
        yield url
    finally:
        stop(process)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert error_lines(log) == [] and "Traceback" not in text, f"the portal logged errors:\n{text[-3000:]}"


def invite(submissions: Path, outputs: Path, url: str, cycle: str, department: str) -> str:
    """`portal invite`, as a coordinator runs it: the link it prints on its last line."""
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "portal", "invite", "--cycle", cycle, "--department", department]
        + ["--submissions", str(submissions), "--outputs", str(outputs), "--url", url],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.splitlines()[-1]


def portal_audit(submissions: Path, outputs: Path) -> list[dict[str, Any]]:
    """`portal audit`, as a coordinator runs it: each save it lists."""
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "portal", "audit", "--submissions", str(submissions)]
        + ["--outputs", str(outputs)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]
