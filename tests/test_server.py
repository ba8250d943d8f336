"""The way coordinators run it: a real Prefect server, the deployments served, a run
triggered through the API, and a dropped file validated by itself. (A server, serve, SMTP and
the portal, most of a minute: in make test-scale.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.paths import PROJECT, REAL_CYCLE
from tests.servers import (
    CONTACT,
    Served,
    copy_real_cycle,
    finished,
    flow_run,
    invite,
    mail_environment,
    mail_server,
    portal_served,
    post,
    prefect_served,
    wait_for,
)

pytestmark = pytest.mark.scale


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real 2015 cycle, publishing HTML and PDF (to keep the runs short), with a contact for
    the Department of Health, served to a real Prefect server whose log is checked for errors.
    The tests share the server, not what they leave on it: each publishes the build it needs, and a
    file dropped into the cycle is taken out again (see `dropped`)."""
    home = tmp_path_factory.mktemp("prefect-server")
    submissions, outputs = home / "submissions", home / "outputs"
    copy_real_cycle(submissions, formats="[html, pdf]")
    with mail_server() as (smtp, inbox), prefect_served(home, submissions, outputs, mail_environment(smtp)) as running:
        running.inbox = inbox
        yield running


def test_deployments_carry_their_schedule(served: Served) -> None:
    by_name = {deployment["name"]: deployment for deployment in served.deployments}
    assert sorted(by_name) == ["all-reports", "annual-report", "validate-submission"]
    (schedule,) = by_name["annual-report"]["schedules"]
    assert schedule["schedule"]["cron"] == "0 9 16 1 *"
    assert schedule["schedule"]["timezone"] == "Europe/London"
    assert by_name["annual-report"]["parameters"]["cycle"] == REAL_CYCLE
    assert by_name["annual-report"]["parameters"]["review"] is True  # the scheduled build waits for a reviewer


def _run_without_review(served: Served) -> tuple[dict[str, Any], dict[str, Any]]:
    """A run of the annual-report deployment that publishes without a reviewer, started through the
    API: the run as created, and as it finished."""
    deployment = served.deployment("annual-report")
    created = post(served.api, f"/deployments/{deployment['id']}/create_flow_run", {"parameters": {"review": False}})
    return created, finished(served.api, created["id"])


def test_a_run_triggered_through_the_api_publishes(served: Served) -> None:
    created, final = _run_without_review(served)
    assert final["state"]["type"] == "COMPLETED", served.serve_log.read_text()[-3000:]
    manifest = json.loads((served.outputs / REAL_CYCLE / "manifest.json").read_text())
    assert manifest["flow_run_id"] == created["id"]
    assert (served.outputs / REAL_CYCLE / "report.html").exists()


def _validations(api: str, file: str) -> list[dict[str, Any]]:
    """The validate-submission runs the file-drop trigger has started for this file name."""
    runs = post(api, "/flow_runs/filter", {"flows": {"name": {"any_": ["validate-submission"]}}})
    return [run for run in runs if run["parameters"].get("file") == file]


@pytest.fixture
def dropped(served: Served) -> Iterator[Path]:
    """Where a test drops a department's file into the served cycle. Afterwards the file is taken out
    and the check of its removal waited for, so that the tests after it serve the cycle as it was."""
    path = served.submissions / REAL_CYCLE / "late-response.yaml"
    yield path
    if path.exists():
        checks = len(_validations(served.api, path.name))
        path.unlink()
        wait_for(
            lambda: (
                len(runs := _validations(served.api, path.name)) > checks
                and all(run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") for run in runs)
            ),
            "the check of the dropped file's removal",
            timeout=60,
        )


def test_a_dropped_file_is_validated_within_seconds(served: Served, dropped: Path) -> None:
    api = served.api
    assert served.inbox is not None
    inbox = served.inbox
    mailed_before = len(inbox.received)  # mail from an earlier test is not this test's
    started = time.monotonic()
    dropped.write_text("department: Department of Health\ncommitments: We will.\nprogess: {}\n", encoding="utf-8")

    def validated() -> dict[str, Any] | None:
        done = _validations(api, dropped.name)
        return done[0] if done and done[0]["state"]["type"] == "COMPLETED" else None

    wait_for(validated, "the validate-submission run for the dropped file", timeout=60)
    latency = time.monotonic() - started
    print(f"dropped file validated {latency:.1f} s after it was written")
    (artifact,) = post(
        api,
        "/artifacts/filter",
        {
            "artifacts": {"key": {"any_": ["validation-2015-action-04-late-response"]}},
            "sort": "CREATED_DESC",
            "limit": 1,
        },
    )
    assert "progess" in artifact["data"] and "did you mean" in artifact["data"]
    status = (served.outputs / REAL_CYCLE / "status.md").read_text()
    assert "2015-action-04/late-response.yaml" in status

    # The department hears of it too, by email to its contact in report.yaml.
    ((recipients, mail),) = wait_for(lambda: inbox.received[mailed_before:], "the department's email", timeout=30)
    assert recipients == [CONTACT]
    assert mail["Subject"].startswith("Annual report submission 2015-action-04/late-response.yaml: not valid")
    assert 'How to fix: did you mean "progress"?' in mail.get_content()


def _checked_and_mailed(served: Served, file: str, change: Callable[[], None]) -> tuple[float, EmailMessage]:
    """Make the change to a department's file; the seconds until its validate-submission run
    completed and its email arrived, and the email."""
    assert served.inbox is not None
    checks, mailed = len(_validations(served.api, file)), len(served.inbox.received)
    started = time.monotonic()
    change()
    wait_for(
        lambda: len(runs := _validations(served.api, file)) > checks and runs[0]["state"]["type"] == "COMPLETED",
        f"the check of {file}",
        timeout=60,
    )
    ((recipients, mail),) = wait_for(lambda: served.inbox.received[mailed:], "the department's email", timeout=30)
    assert recipients == [CONTACT]
    return time.monotonic() - started, mail


def test_a_save_through_the_portal_is_checked_and_mailed_as_soon_as_a_dropped_file(
    served: Served, tmp_path: Path
) -> None:
    health = served.submissions / REAL_CYCLE / "department-of-health.yaml"
    original = health.read_bytes()
    broken = original.replace(b"short_name: DH", b"short_name: DH\nprogess: {}", 1)
    try:
        dropped, _ = _checked_and_mailed(served, health.name, lambda: health.write_bytes(broken))
        with (
            portal_served(served.submissions, served.outputs, tmp_path / "portal.log") as url,
            httpx.Client(base_url=url, follow_redirects=False) as browser,
        ):
            link = invite(served.submissions, served.outputs, url, REAL_CYCLE, "Department of Health")
            assert browser.get(link.removeprefix(url)).status_code == 303
            page = browser.get("/submission").text
            form = {name: re.findall(rf'name="{name}" value="([^"]*)"', page)[-1] for name in ("csrf", "version")}

            def save() -> None:
                saved = browser.post("/submission/upload", data=form, files={"file": ("health.yaml", original)})
                assert saved.status_code == 303, saved.text[-2000:]

            through_the_portal, mail = _checked_and_mailed(served, health.name, save)
        assert mail["Subject"] == f"Annual report submission {REAL_CYCLE}/{health.name}: valid"
        assert health.read_bytes() == original
        print(f"checked and mailed: dropped {dropped:.1f} s, saved through the portal {through_the_portal:.1f} s")
        # The same trigger picks both up: the portal adds no wait of its own (noise allowed for).
        assert through_the_portal <= 1.5 * dropped + 3
    finally:
        if health.read_bytes() != original:
            _checked_and_mailed(served, health.name, lambda: health.write_bytes(original))


def test_a_build_from_the_command_line_runs_on_the_server_already_running(served: Served) -> None:
    api, outputs = served.api, served.home / "cli-outputs"
    environment = {**os.environ, "PREFECT_HOME": str(served.home), "PREFECT_API_URL": api}
    command = [sys.executable, "-m", "pipeline", "build", "--outputs", str(outputs)]
    result = subprocess.run(
        [*command, "--submissions", str(served.submissions)],
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
    run = flow_run(api, manifest["flow_run_id"])  # the coordinator's server has the run
    assert run["state"]["type"] == "COMPLETED"
    assert run["parameters"]["outputs_root"] == str(outputs)


def _run_as_the_banner_says(served: Served, home: Path) -> dict[str, Any]:
    """A run of the annual-report deployment (review on, as the schedule starts it), started with the
    commands `make serve` prints for Prefect's own command line, once it waits for its reviewer.
    Prefect's command line reaches the server only with PREFECT_API_URL: the banner says so."""
    banner = [line.strip() for line in served.serve_log.read_text().splitlines()]
    export = next(line for line in banner if line.startswith("export PREFECT_API_URL="))
    run = next(line for line in banner if " deployment run annual-report/annual-report" in line)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    result = subprocess.run(
        f"{export}\n{run}",
        shell=True,
        cwd=PROJECT,
        env={**environment, "PREFECT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    created = [found for found in post(served.api, "/flow_runs/filter", {}) if found["name"] in result.stdout]
    assert len(created) == 1 and created[0]["deployment_id"] == served.deployment("annual-report")["id"]
    return wait_for(
        lambda: (
            (found := flow_run(served.api, created[0]["id"]))["state"]["type"] in ("PAUSED", "FAILED", "CRASHED")
            and found
        ),
        "the run to pause for review",
    )


def _published_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def _resume(api: str, run_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    return post(api, f"/flow_runs/{run_id}/resume", {"run_input": answer})


def test_the_reviewer_decides_deliberately_and_a_rejected_build_publishes_nothing(
    served: Served, tmp_path: Path
) -> None:
    """What a reviewer can and cannot do through the form's API, on a run started with the commands
    the banner prints. (An approval, and what it publishes, is walked through in test_operated_year.py.)
    The test publishes a build of its own first, so that there is always a publication to keep."""
    api, folder = served.api, served.outputs / REAL_CYCLE
    _, published = _run_without_review(served)
    assert published["state"]["type"] == "COMPLETED", served.serve_log.read_text()[-3000:]
    paused = _run_as_the_banner_says(served, tmp_path)
    assert paused["state"]["type"] == "PAUSED", served.serve_log.read_text()[-3000:]
    staged = served.outputs / ".review" / REAL_CYCLE / paused["id"]
    assert sorted(path.name for path in staged.iterdir()) == ["report.html", "report.pdf"]
    before = _published_files(folder)
    # This test's own publication, or, when an earlier test's was the same byte for byte, that one kept.
    assert json.loads(before["manifest.json"])["flow_run_id"] in {
        published["id"],
        *(run["id"] for run in post(api, "/flow_runs/filter", {}) if run["state"]["type"] == "COMPLETED"),
    }

    # The form the UI draws: a choice with no default, a name, a comment; and the summary above it.
    keys = paused["state"]["state_details"]["run_input_keyset"]
    schema = httpx.get(f"{api}/flow_runs/{paused['id']}/input/{keys['schema']}", timeout=30).raise_for_status().json()
    assert set(schema["properties"]) == {"decision", "reviewer", "comment"}
    assert schema["properties"]["decision"]["enum"] == ["approve", "reject"]
    assert "default" not in schema["properties"]["decision"] and {"decision", "reviewer"} <= set(schema["required"])
    summary = httpx.get(f"{api}/flow_runs/{paused['id']}/input/{keys['description']}", timeout=30).json()
    assert "17 expected, 17 answered, 17 valid, 0 missing" in summary and "pages" in summary
    assert f"**approve** publishes these files to {folder}" in summary
    assert "**reject** publishes nothing: the published build stays as it is" in summary

    # What a reviewer cannot do: answer without choosing, without a name, or reject without a reason.
    for incomplete, missing in [
        ({"reviewer": "Ada Lovelace", "comment": "Looks fine."}, "decision"),
        ({"decision": "approve"}, "reviewer"),
        ({"decision": "approve", "reviewer": "   "}, "reviewer"),
        ({"decision": "reject", "reviewer": "Grace Hopper"}, "comment"),
        ({"decision": "reject", "reviewer": "Grace Hopper", "comment": " "}, "comment"),
        ({"approved": True, "reviewer": "Ada Lovelace"}, "approved"),  # the old form's toggle
    ]:
        refused = _resume(api, paused["id"], incomplete)
        assert refused["status"] == "REJECT" and missing in refused["details"]["reason"], (incomplete, refused)
        assert flow_run(api, paused["id"])["state"]["type"] == "PAUSED"

    answer = {"decision": "reject", "reviewer": "Grace Hopper", "comment": "Health's plans are last year's."}
    assert _resume(api, paused["id"], answer)["status"] == "ACCEPT"
    assert finished(api, paused["id"])["state"]["type"] == "FAILED"
    after = _published_files(folder)
    kept = [name for name in after if name not in ("status.md", "validation.json")]
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept if name in before}
    assert after.get("manifest.json") == before.get("manifest.json")  # the publication above, byte for byte
    status = after["status.md"].decode()
    assert "Grace Hopper did not approve it at " in status and ": Health's plans are last year's. The" in status
    assert not (served.outputs / ".review" / REAL_CYCLE).exists()
