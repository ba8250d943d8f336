"""Runs on a process work pool, as several machines would take them: `python -m pipeline deploy`
registers the deployments on the pool, two workers started with `python -m pipeline worker` take
the runs, each from the project's folder. (Long: in make test-scale.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.orchestration.postgres import Cluster
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.servers import error_lines, finished, flow_run, free_port, post, start, stop, wait_for

pytestmark = pytest.mark.scale
POOL = "test-pool"
CYCLES = ("2015-action-04", "2015-action-05")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The coordinators' server on PostgreSQL, as several workers need (on SQLite, the server logs
    "database is locked" when two workers and their runs write at once)."""
    home = Path(tempfile.mkdtemp(prefix="pipeline-pool-"))
    home.chmod(0o755)  # the postgres user reaches its cluster's folder; pytest's own folders are root's alone
    api = f"http://127.0.0.1:{free_port()}/api"
    environment = {
        **{key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"},
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "2",  # a worker asks for runs every 2 s, not 10
    }
    log = tmp_path / "server.log"
    port = api.split(":")[2].split("/")[0]
    db_port = str(free_port())
    command = [sys.executable, "-m", "pipeline", "server", "--db", "postgres", "--db-port", db_port, "--port", port]
    process = start(command, environment, log)
    try:
        wait_for(lambda: httpx.get(f"{api}/health").json() is True, "the Prefect server on PostgreSQL")
        yield api, environment
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            stop(process)
            Cluster(home / "postgres", 0).stop()
            shutil.rmtree(home, ignore_errors=True)
    assert error_lines(log) == [], log.read_text()[-3000:]


def ran_by(log: Path, runs: list[str]) -> list[str]:
    """The runs a worker ran: each announces itself in the worker's log ("Flow run '…' - View at
    …/<id>"). A worker that lost the race for a run logs only its aborted submission."""
    lines = [line for line in log.read_text().splitlines() if " - View at " in line]
    return [run for run in runs if any(run in line for line in lines)]


def test_two_workers_take_the_runs_of_the_deployments_on_the_pool(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    api, environment = server
    submissions, outputs = tmp_path / "submissions", tmp_path / "outputs"
    for cycle in CYCLES:
        shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / cycle)
        with (submissions / cycle / "report.yaml").open("a", encoding="utf-8") as config:
            config.write("formats: [html]\n")
    folders = ["--submissions", str(submissions), "--outputs", str(outputs)]
    deployed = start(
        [sys.executable, "-m", "pipeline", "deploy", "--pool", POOL, *folders], environment, tmp_path / "deploy.log"
    )
    assert deployed.wait(timeout=120) == 0, (tmp_path / "deploy.log").read_text()[-3000:]
    deployments = {found["name"]: found for found in post(api, "/deployments/filter", {})}
    assert sorted(deployments) == ["all-reports", "annual-report", "validate-submission"]
    assert {found["work_pool_name"] for found in deployments.values()} == {POOL}

    workers = {}
    for name in ("worker-a", "worker-b"):
        command = [sys.executable, "-m", "pipeline", "worker", "--pool", POOL, "--limit", "1", "--name", name]
        workers[name] = start(command, environment, tmp_path / f"{name}.log")
    try:
        annual = deployments["annual-report"]["id"]
        runs = [
            post(api, f"/deployments/{annual}/create_flow_run", {"parameters": {"cycle": cycle, "review": False}})
            for cycle in CYCLES
        ]
        done = [finished(api, run["id"], timeout=240) for run in runs]
        assert [run["state"]["type"] for run in done] == ["COMPLETED", "COMPLETED"], [
            (tmp_path / f"{name}.log").read_text()[-2000:] for name in workers
        ]
        for cycle, run in zip(CYCLES, runs, strict=True):
            manifest = json.loads((outputs / cycle / "manifest.json").read_text())
            assert manifest["flow_run_id"] == run["id"]
        # Each worker (one run at a time) took one of the two.
        took = {name: ran_by(tmp_path / f"{name}.log", [run["id"] for run in runs]) for name in workers}
        assert sorted(len(ids) for ids in took.values()) == [1, 1], took

        # all-reports with the pool named: each cycle an annual-report run of its own on the workers.
        built = subprocess.run(
            [sys.executable, "-m", "pipeline", "build", "--all", "--pool", POOL, *folders],
            cwd=PROJECT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr[-3000:]
        lines = [line for line in built.stdout.splitlines() if line.startswith(CYCLES)]
        assert [line.split(" (run ")[0] for line in lines] == [f"{cycle}: Completed" for cycle in CYCLES], lines
        children = [json.loads((outputs / cycle / "manifest.json").read_text())["flow_run_id"] for cycle in CYCLES]
        assert not set(children) & {run["id"] for run in runs}  # new runs, one per cycle
        ran = {
            name: [child for child in children if child in (tmp_path / f"{name}.log").read_text()] for name in workers
        }
        assert sorted(len(ids) for ids in ran.values()) == [1, 1], ran
        for child in children:
            assert flow_run(api, child)["state"]["type"] == "COMPLETED"
    finally:
        for process in workers.values():
            process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(timeout=30)
            finally:
                stop(process)
    for name in workers:
        assert error_lines(tmp_path / f"{name}.log") == [], name
