"""A year of the annual report as it is operated, end to end, on loopback: a real Prefect server
with its services (the scheduler among them) and `serve`, a real SMTP server, the command line.

The coordinator serves the deployments and the yearly schedule creates its run; a department
drops a broken file and is emailed every problem at once, fixes it and is told it is valid; a
run scheduled a few seconds ahead starts by itself and waits for review; the reviewer approves
it through the API; the hub shows the reviewer and every format; and a quick HTML-only rebuild
afterwards leaves the publication and the hub exactly as they were. Neither server may log an
ERROR line."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.render import OutputFormat
from pipeline.settings import SETTINGS
from tests.paths import PROJECT, REAL_CYCLE
from tests.servers import (
    CONTACT,
    Inbox,
    copy_real_cycle,
    error_lines,
    finished,
    flow_run,
    mail_environment,
    mail_server,
    post,
    prefect_served,
    wait_for,
)

HEALTH = "department-of-health.yaml"
# A file with three mistakes: a misspelt key, a value under it that YAML does not read as text
# (which a department hears of in the same email, not after fixing the key), and a year of plans left out.
BROKEN = """department: Department of Health
commitments: |
  The Department of Health will work with Cabinet Office and GDS.
progess:
  2013: |
    DH has created a new Informatics and Digital Services division.
  2014: no
plans:
  2014: |
    DH will recruit the additional service managers.
"""


def _next_yearly_run(now: datetime.datetime) -> datetime.datetime:
    """When the schedule (09:00 on 16 January, London time) next fires after `now`."""
    london = zoneinfo.ZoneInfo(SETTINGS.timezone)
    for year in (now.year, now.year + 1):
        when = datetime.datetime(year, 1, 16, 9, 0, tzinfo=london)
        if when > now:
            return when.astimezone(datetime.UTC)
    raise AssertionError("unreachable")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _without_status(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in tree.items() if name not in ("status.md", "validation.json")}


def _build(home: Path, api: str, submissions: Path, outputs: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline build`, as a coordinator runs it on the coordinators' server."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build", *options, "--submissions", str(submissions)]
        + ["--outputs", str(outputs)],
        cwd=PROJECT,
        env={**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": api},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _mail_to(inbox: Inbox, count: int) -> Any:
    received = wait_for(lambda: len(inbox.received) >= count and inbox.received, f"email {count}", timeout=60)
    recipients, message = received[count - 1]
    assert recipients == [CONTACT]
    return message


# A server with its services, serve and a mail server for most of a minute: in make test-scale, which CI runs.
@pytest.mark.scale
def test_the_operated_year(tmp_path: Path) -> None:
    home = tmp_path
    submissions, outputs = home / "submissions", home / "outputs"
    copy_real_cycle(submissions)
    health = submissions / REAL_CYCLE / HEALTH
    response = health.read_text(encoding="utf-8")
    health.unlink()  # the department has not answered yet

    with mail_server() as (smtp, inbox):
        environment = {
            **mail_environment(smtp),
            # The scheduler looks for deployments to schedule every few seconds, not every minute.
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        }
        with prefect_served(home, submissions, outputs, environment) as served:
            api = served.api
            annual = served.deployment("annual-report")

            # The coordinator's banner says how to reach this server with Prefect's own commands.
            banner = served.serve_log.read_text()
            assert f"export PREFECT_API_URL={api}" in banner and "deployment run annual-report/annual-report" in banner

            # 1. The yearly schedule creates its run, by itself.
            expected = _next_yearly_run(datetime.datetime.now(datetime.UTC))
            scheduled = wait_for(
                lambda: post(
                    api,
                    "/flow_runs/filter",
                    {
                        "deployments": {"id": {"any_": [annual["id"]]}},
                        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                    },
                ),
                "the run the yearly schedule creates",
                timeout=90,
            )
            starts = [datetime.datetime.fromisoformat(run["expected_start_time"]) for run in scheduled]
            assert expected in starts, (expected, starts)

            # 2. A department drops a broken file and hears of every problem at once.
            health.write_text(BROKEN, encoding="utf-8")
            broken = _mail_to(inbox, 1)
            assert (
                broken["Subject"] == f"Annual report submission {REAL_CYCLE}/{HEALTH}: not valid: 3 errors, 0 warnings"
            )
            body = broken.get_content()
            assert "1. Error at line 4, column 1, progess: unknown key" in body
            assert "2. Error at line 7, column 9, progress.2014: YAML reads no as false, not as text" in body
            assert '3. Error at line 9, column 3, plans.2015: section "Planned activities in 2015" is missing' in body
            assert f"annual-report validate {health}" in body  # the command that checks it again, runnable there

            # 3. It fixes the file and is told it is valid.
            health.write_text(response, encoding="utf-8")
            assert _mail_to(inbox, 2)["Subject"] == f"Annual report submission {REAL_CYCLE}/{HEALTH}: valid"

            # 4. A run scheduled a few seconds ahead starts by itself, and waits for its reviewer.
            at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=6)
            created = post(
                api,
                f"/deployments/{annual['id']}/create_flow_run",
                {"state": {"type": "SCHEDULED", "state_details": {"scheduled_time": at.isoformat()}}},
            )
            assert created["state"]["type"] == "SCHEDULED"
            paused = wait_for(
                lambda: (
                    (run := flow_run(api, created["id"]))["state"]["type"] in ("PAUSED", "FAILED", "CRASHED") and run
                ),
                "the scheduled run to wait for review",
            )
            assert paused["state"]["type"] == "PAUSED", served.serve_log.read_text()[-3000:]
            # Started by the served deployment at its time (the runner may take it up a moment early), not at once.
            started = datetime.datetime.fromisoformat(paused["start_time"])
            assert at - datetime.timedelta(seconds=2) <= started <= at + datetime.timedelta(seconds=60)
            assert not (outputs / REAL_CYCLE / "manifest.json").exists()  # nothing published while it waits
            staged = outputs / ".review" / REAL_CYCLE / paused["id"]
            assert sorted(path.name for path in staged.iterdir()) == sorted(output.file_name for output in OutputFormat)

            # 5. The reviewer approves it, deliberately, through the API the UI's form posts to.
            answer = {"decision": "approve", "reviewer": "Ada Lovelace", "comment": "All 17 departments read."}
            accepted = post(api, f"/flow_runs/{paused['id']}/resume", {"run_input": answer})
            assert accepted["status"] == "ACCEPT"
            assert finished(api, paused["id"])["state"]["type"] == "COMPLETED", served.serve_log.read_text()[-3000:]

            # 6. The hub shows who approved it and every format the cycle publishes.
            hub = (outputs / "index.html").read_text()
            assert "Approved by Ada Lovelace" in hub
            for output in OutputFormat:
                assert f'href="{REAL_CYCLE}/{output.file_name}"' in hub
            manifest = json.loads((outputs / REAL_CYCLE / "manifest.json").read_text())
            assert manifest["flow_run_id"] == paused["id"] and manifest["review"]["reviewer"] == "Ada Lovelace"
            assert manifest["review"]["approved"] is True
            assert manifest["review"]["comment"] == "All 17 departments read."
            assert "approved by Ada Lovelace" in (outputs / REAL_CYCLE / "status.md").read_text()
            assert not staged.exists()

            # 7. A quick HTML-only rebuild, on the same server, previews and leaves the publication alone.
            published = _tree(outputs / REAL_CYCLE)
            hub_before = (outputs / "index.html").read_bytes()
            rebuild = subprocess.run(
                [sys.executable, "-m", "pipeline", "build", "--format", "html"]
                + ["--submissions", str(submissions), "--outputs", str(outputs)],
                cwd=PROJECT,
                env={**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": api},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert rebuild.returncode == 0, rebuild.stderr[-3000:]
            assert rebuild.stdout.startswith(f"preview written to {outputs / '.preview' / REAL_CYCLE} (not published: ")
            assert f"the publication in {outputs / REAL_CYCLE} is unchanged" in rebuild.stdout
            assert _tree(outputs / REAL_CYCLE) == published
            assert (outputs / "index.html").read_bytes() == hub_before
            assert httpx.get(f"{api}/health", timeout=10).json() is True

            # 8. A whole rebuild, with no reviewer: every file the same, so the approved publication is kept as it is.
            same = _build(home, api, submissions, outputs)
            assert same.returncode == 0, same.stderr[-3000:]
            assert same.stdout.startswith(f"{outputs / REAL_CYCLE} is unchanged: every output is the same, byte for")
            assert "approved by Ada Lovelace; nothing was written" in same.stdout
            assert _tree(outputs / REAL_CYCLE) == published and (outputs / "index.html").read_bytes() == hub_before

            # 9. Health changes its text, and every cycle is rebuilt: this one waits for review, unpublished.
            health.write_text(response.replace("DH has also created", "DH has since created"), encoding="utf-8")
            changed = _build(home, api, submissions, outputs, "--all")
            assert changed.returncode == 1
            assert f"{REAL_CYCLE}: Waiting for review: {REAL_CYCLE}'s publication was approved by Ada Lovelace" in (
                changed.stdout
            )
            # The publication as published; its status files describe the latest check (the dropped file's).
            assert _without_status(_tree(outputs / REAL_CYCLE)) == _without_status(published)
            assert (outputs / "index.html").read_bytes() == hub_before

            # 10. The coordinator publishes it without review, saying why: recorded where readers look.
            said = _build(home, api, submissions, outputs, "--without-review", "Health's wording only; Ada is away.")
            assert said.returncode == 0, said.stderr[-3000:]
            manifest = json.loads((outputs / REAL_CYCLE / "manifest.json").read_text())
            assert (
                manifest["without_review"]["reason"] == "Health's wording only; Ada is away."
                and "review" not in manifest
            )
            assert "Published without review by " in (outputs / "index.html").read_text()
            kept = max((outputs / REAL_CYCLE / "history").iterdir())  # the build it replaced: the approved one
            assert json.loads((kept / "manifest.json").read_text())["review"]["reviewer"] == "Ada Lovelace"

        # Stopped: the server's log was checked on the way out; the pipeline's own runs logged no error either.
        assert error_lines(served.serve_log) == []
