"""The way coordinators run it: a real Prefect server, the deployments served, a run
triggered through the API, and a dropped file validated by itself."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.helpers import PROJECT, REAL_CYCLE, SUBMISSIONS

PREFECT = Path(sys.executable).with_name("prefect")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition: Callable[[], Any], what: str, timeout: float = 120) -> Any:
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


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, cwd=PROJECT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


CONTACT = "digital-team@health.example.gov.uk"


class _Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("prefect-server")
    submissions, outputs = home / "submissions", home / "outputs"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / REAL_CYCLE)
    config = submissions / REAL_CYCLE / "report.yaml"
    config.write_text(
        config.read_text().replace(
            "  - Department of Health\n", f"  - name: Department of Health\n    contact: {CONTACT}\n"
        )
    )
    inbox = _Inbox()
    mail_server = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    mail_server.start()
    api = f"http://127.0.0.1:{_free_port()}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PIPELINE_SMTP_HOST": "127.0.0.1",
        "PIPELINE_SMTP_PORT": str(mail_server.port),
        "PIPELINE_SMTP_SENDER": "annual-report@digital.example.gov.uk",
        "PIPELINE_SMTP_SECURITY": "none",
    }
    port = api.split(":")[2].split("/")[0]
    server = _start([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", port], env, home / "server.log")
    serving = None
    try:
        _wait_for(lambda: httpx.get(f"{api}/health").json() is True, "the Prefect server")
        serving = _start(
            [sys.executable, "-m", "pipeline", "serve", "--submissions", str(submissions), "--outputs", str(outputs)],
            env,
            home / "serve.log",
        )
        deployments = _wait_for(
            lambda: len(_post(api, "/deployments/filter", {})) == 3 and _post(api, "/deployments/filter", {}),
            "three deployments",
        )
        yield {
            "api": api,
            "submissions": submissions,
            "outputs": outputs,
            "home": home,
            "deployments": deployments,
            "inbox": inbox,
        }
    finally:
        if serving is not None:
            _stop(serving)
        _stop(server)
        mail_server.stop()


def _post(api: str, path: str, body: dict[str, Any]) -> Any:
    """POST to the API; a 503 (the server briefly busy, its SQLite locked) is tried again."""
    for _ in range(20):
        response = httpx.post(f"{api}{path}", json=body, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(0.5)
    return response.raise_for_status().json()


def _flow_run(api: str, flow_run_id: str) -> dict[str, Any]:
    return httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=30).raise_for_status().json()


def test_deployments_carry_their_schedule(served: dict[str, Any]) -> None:
    by_name = {deployment["name"]: deployment for deployment in served["deployments"]}
    assert sorted(by_name) == ["all-reports", "annual-report", "validate-submission"]
    (schedule,) = by_name["annual-report"]["schedules"]
    assert schedule["schedule"]["cron"] == "0 9 16 1 *"
    assert schedule["schedule"]["timezone"] == "Europe/London"
    assert by_name["annual-report"]["parameters"]["cycle"] == REAL_CYCLE
    assert by_name["annual-report"]["parameters"]["review"] is True  # the scheduled build waits for a reviewer


def test_a_run_triggered_through_the_api_publishes(served: dict[str, Any]) -> None:
    api = served["api"]
    (deployment,) = [d for d in served["deployments"] if d["name"] == "annual-report"]
    parameters = {"formats": ["html"], "review": False}
    flow_run = _post(api, f"/deployments/{deployment['id']}/create_flow_run", {"parameters": parameters})
    final = _wait_for(
        lambda: (run := _flow_run(api, flow_run["id"]))["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") and run,
        "the annual-report run",
    )
    assert final["state"]["type"] == "COMPLETED", (served["home"] / "serve.log").read_text()[-3000:]
    manifest = json.loads((served["outputs"] / REAL_CYCLE / "manifest.json").read_text())
    assert manifest["flow_run_id"] == flow_run["id"]
    assert (served["outputs"] / REAL_CYCLE / "report.html").exists()


def test_a_dropped_file_is_validated_within_seconds(served: dict[str, Any]) -> None:
    api = served["api"]
    dropped = served["submissions"] / REAL_CYCLE / "late-response.yaml"
    started = time.monotonic()
    dropped.write_text("department: Department of Health\ncommitments: We will.\nprogess: {}\n", encoding="utf-8")

    def validated() -> dict[str, Any] | None:
        runs = _post(api, "/flow_runs/filter", {"flows": {"name": {"any_": ["validate-submission"]}}})
        done = [run for run in runs if run["parameters"].get("file") == "late-response.yaml"]
        return done[0] if done and done[0]["state"]["type"] == "COMPLETED" else None

    _wait_for(validated, "the validate-submission run for the dropped file", timeout=60)
    latency = time.monotonic() - started
    print(f"dropped file validated {latency:.1f} s after it was written")
    (artifact,) = _post(
        api,
        "/artifacts/filter",
        {
            "artifacts": {"key": {"any_": ["validation-2015-action-04-late-response"]}},
            "sort": "CREATED_DESC",
            "limit": 1,
        },
    )
    assert "progess" in artifact["data"] and "did you mean" in artifact["data"]
    status = (served["outputs"] / REAL_CYCLE / "status.md").read_text()
    assert "2015-action-04/late-response.yaml" in status

    # The department hears of it too, by email to its contact in report.yaml.
    ((recipients, mail),) = _wait_for(lambda: served["inbox"].received, "the department's email", timeout=30)
    assert recipients == [CONTACT]
    assert mail["Subject"].startswith("Annual report submission 2015-action-04/late-response.yaml: not valid")
    assert 'How to fix: did you mean "progress"?' in mail.get_content()


def test_a_build_from_the_command_line_runs_on_the_server_already_running(served: dict[str, Any]) -> None:
    api, outputs = served["api"], served["home"] / "cli-outputs"
    environment = {**os.environ, "PREFECT_HOME": str(served["home"]), "PREFECT_API_URL": api}
    command = [sys.executable, "-m", "pipeline", "build", "--format", "html", "--outputs", str(outputs)]
    result = subprocess.run(
        [*command, "--submissions", str(served["submissions"])],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Prefect: using the server running at {api}" in result.stderr
    assert "temporary" not in result.stderr
    manifest = json.loads((outputs / REAL_CYCLE / "manifest.json").read_text())
    run = _flow_run(api, manifest["flow_run_id"])  # the coordinator's server has the run
    assert run["state"]["type"] == "COMPLETED"
    assert run["parameters"]["outputs_root"] == str(outputs)


def _finished(api: str, flow_run_id: str) -> dict[str, Any]:
    return _wait_for(
        lambda: (run := _flow_run(api, flow_run_id))["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") and run,
        "the run to finish",
    )


def _paused_review(served: dict[str, Any], formats: list[str]) -> dict[str, Any]:
    """A run of the annual-report deployment as the schedule starts it (review on), once it waits for its reviewer."""
    api = served["api"]
    (deployment,) = [d for d in served["deployments"] if d["name"] == "annual-report"]
    created = _post(api, f"/deployments/{deployment['id']}/create_flow_run", {"parameters": {"formats": formats}})
    return _wait_for(
        lambda: (run := _flow_run(api, created["id"]))["state"]["type"] in ("PAUSED", "FAILED", "CRASHED") and run,
        "the run to pause for review",
    )


def _published_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_a_reviewed_run_waits_for_the_reviewer_and_publishes_what_they_approve(served: dict[str, Any]) -> None:
    api, folder = served["api"], served["outputs"] / REAL_CYCLE
    before = _published_files(folder) if folder.exists() else {}
    paused = _paused_review(served, ["html", "pdf"])
    assert paused["state"]["type"] == "PAUSED", (served["home"] / "serve.log").read_text()[-3000:]
    assert (_published_files(folder) if folder.exists() else {}) == before  # nothing published yet
    staged = served["outputs"] / ".review" / REAL_CYCLE / paused["id"]
    assert sorted(path.name for path in staged.iterdir()) == ["report.html", "report.pdf"]

    # The form the UI draws, and the summary above it.
    keys = paused["state"]["state_details"]["run_input_keyset"]
    schema = httpx.get(f"{api}/flow_runs/{paused['id']}/input/{keys['schema']}", timeout=30).raise_for_status().json()
    assert {"approved", "reviewer", "comment"} <= set(schema["properties"])
    summary = httpx.get(f"{api}/flow_runs/{paused['id']}/input/{keys['description']}", timeout=30).json()
    assert "17 expected, 17 answered, 17 valid, 0 missing" in summary and "pages" in summary

    unsigned = _post(api, f"/flow_runs/{paused['id']}/resume", {"run_input": {"approved": True}})
    assert unsigned["status"] == "REJECT" and "reviewer" in unsigned["details"]["reason"]
    assert _flow_run(api, paused["id"])["state"]["type"] == "PAUSED"

    answer = {"approved": True, "reviewer": "Ada Lovelace", "comment": "All 17 departments read."}
    assert _post(api, f"/flow_runs/{paused['id']}/resume", {"run_input": answer})["status"] == "ACCEPT"
    assert _finished(api, paused["id"])["state"]["type"] == "COMPLETED", (served["home"] / "serve.log").read_text()[
        -3000:
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["flow_run_id"] == paused["id"]
    assert manifest["review"]["reviewer"] == "Ada Lovelace"
    assert manifest["review"]["comment"] == "All 17 departments read."
    assert not staged.exists()
    assert "Approved by Ada Lovelace" in (served["outputs"] / "index.html").read_text()


def test_a_reviewed_run_the_reviewer_rejects_publishes_nothing(served: dict[str, Any]) -> None:
    api, folder = served["api"], served["outputs"] / REAL_CYCLE
    paused = _paused_review(served, ["html"])
    assert paused["state"]["type"] == "PAUSED", (served["home"] / "serve.log").read_text()[-3000:]
    before = _published_files(folder) if folder.exists() else {}
    answer = {"approved": False, "reviewer": "Grace Hopper", "comment": "Health's plans are last year's."}
    assert _post(api, f"/flow_runs/{paused['id']}/resume", {"run_input": answer})["status"] == "ACCEPT"
    assert _finished(api, paused["id"])["state"]["type"] == "FAILED"
    after = _published_files(folder)
    kept = [name for name in after if name not in ("status.md", "validation.json")]
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept if name in before}
    assert after.get("manifest.json") == before.get("manifest.json")  # whether or not a build was published before
    assert "Grace Hopper did not approve it" in after["status.md"].decode()
    assert not (served["outputs"] / ".review" / REAL_CYCLE).exists()
