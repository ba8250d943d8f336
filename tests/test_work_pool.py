"""Runs on a process work pool, as several machines would take them: `python -m pipeline deploy`
registers the deployments on the pool (and the automation that marks silent runs Crashed), two
workers started with `make worker` take the runs, each from the project's folder; one of them is
killed mid-cycle, as a machine that dies. (Long: in make test-scale.)"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.orchestration import zombies
from pipeline.orchestration.postgres import Cluster
from pipeline.settings import SETTINGS
from tests.paths import REAL_CYCLE, SUBMISSIONS
from tests.publication import whole
from tests.servers import (
    error_lines,
    flow_run,
    free_port,
    kill_tree,
    post,
    prefect_listings,
    process_tree,
    start,
    stop,
    tree_memory_mib,
    wait_for,
)

pytestmark = pytest.mark.scale
POOL = "test-pool"
CYCLES = tuple(f"2015-action-{number:02d}" for number in (4, 5, 6, 7))
WORKERS = ("worker-a", "worker-b")


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


def _events(api: str, name: str, **where: Any) -> list[dict[str, Any]]:
    found = post(api, "/events/filter", {"filter": {"event": {"name": [name]}, **where}, "limit": 50})
    assert found["total"] == len(found["events"]), f"more than a page of {name} events"
    return list(found["events"])


def _run_of(event: dict[str, Any]) -> str:
    return next(
        related["prefect.resource.id"].removeprefix("prefect.flow-run.")
        for related in event["related"]
        if related["prefect.resource.role"] == "flow-run"
    )


def _workers_of(api: str, runs: list[str]) -> dict[str, str]:
    """Which worker took each run, as the server knows it: the worker's "submitted-flow-run" event."""
    related = {"id": [f"prefect.flow-run.{run}" for run in runs]}
    submitted = _events(api, "prefect.worker.submitted-flow-run", related=related)
    return {_run_of(event): event["resource"]["prefect.resource.name"] for event in submitted}


def _when(stamp: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _build_all(environment: dict[str, str], folders: list[str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "pipeline", "build", "--all", "--pool", POOL, *folders]
    return start(command, environment, log)


def _outcomes(log: Path) -> dict[str, str]:
    lines = [line for line in log.read_text().splitlines() if line.startswith(CYCLES)]
    return dict(line.split(": ", 1) for line in lines)


class _Watch(threading.Thread):
    """Reads every cycle's publication as a reader would, over and over, and each worker's memory."""

    def __init__(self, outputs: Path, workers: dict[str, subprocess.Popen[bytes]]) -> None:
        super().__init__(daemon=True)
        self.outputs, self.workers = outputs, workers
        self.seen: dict[str, set[str]] = {cycle: set() for cycle in CYCLES}
        self.broken: list[str] = []
        self.peak_mib = dict.fromkeys(workers, 0.0)
        self.reading = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for name, process in self.workers.items():
                if process.poll() is None:
                    self.peak_mib[name] = max(self.peak_mib[name], tree_memory_mib(process.pid))
            if self.reading.is_set():
                for cycle in CYCLES:
                    try:
                        self.seen[cycle].add(whole(self.outputs / cycle))
                    except (AssertionError, OSError, ValueError) as problem:
                        self.broken.append(f"{cycle}: {problem!r}")
            time.sleep(0.2)


def test_runs_spread_over_two_workers_and_a_dead_workers_cycle_is_started_again(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    api, environment = server
    submissions, outputs = tmp_path / "submissions", tmp_path / "outputs"
    for cycle in CYCLES:
        shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / cycle)
    folders = ["--submissions", str(submissions), "--outputs", str(outputs)]
    deployed = start(
        [sys.executable, "-m", "pipeline", "deploy", "--pool", POOL, *folders], environment, tmp_path / "deploy.log"
    )
    assert deployed.wait(timeout=120) == 0, (tmp_path / "deploy.log").read_text()[-3000:]
    deployments = {found["name"]: found for found in post(api, "/deployments/filter", {})}
    assert sorted(deployments) == ["all-reports", "annual-report", "validate-submission"]
    assert {found["work_pool_name"] for found in deployments.values()} == {POOL}
    # deploy says what it registered, the crash automation among it, and the server has it.
    said = (tmp_path / "deploy.log").read_text()
    assert f"automation {zombies.NAME}: a run silent for" in said and f"make worker POOL={POOL}" in said, said
    assert [found["name"] for found in post(api, "/automations/filter", {})] == [zombies.NAME]

    workers = {
        name: start(
            ["make", "-s", "worker", f"POOL={POOL}", "LIMIT=1", f"NAME={name}"], environment, tmp_path / f"{name}.log"
        )
        for name in WORKERS
    }
    watch = _Watch(outputs, workers)
    watch.start()
    try:
        # 1. all-reports over four cycles: each an annual-report run, spread over both workers.
        first = _build_all(environment, folders, tmp_path / "first.log")
        assert first.wait(timeout=400) == 0, (tmp_path / "first.log").read_text()[-3000:]
        assert [outcome.split(" (run ")[0] for outcome in _outcomes(tmp_path / "first.log").values()] == [
            "Completed"
        ] * 4
        published = {cycle: whole(outputs / cycle) for cycle in CYCLES}
        took = wait_for(
            lambda: len(found := _workers_of(api, list(published.values()))) == 4 and found, "4 submissions"
        )
        assert set(took.values()) == set(WORKERS), took

        # 2. Again, with every cycle's text changed (an identical rebuild would change nothing), and
        # worker-b's machine dies in the middle of its cycle.
        for cycle in CYCLES:
            health = submissions / cycle / "department-of-health.yaml"
            health.write_text(health.read_text().replace("DH has also created", "DH has since created"))
        watch.reading.set()
        started = datetime.datetime.now(datetime.UTC)
        second = _build_all(environment, folders, tmp_path / "second.log")

        def running_on_b() -> str | None:
            since = {"occurred": {"since": started.isoformat()}}
            for event in _events(api, "prefect.worker.submitted-flow-run", **since):
                if event["resource"]["prefect.resource.name"] == "worker-b":
                    run = _run_of(event)
                    if flow_run(api, run)["state"]["type"] == "RUNNING":
                        return run
            return None

        victim = wait_for(running_on_b, "worker-b to be running a cycle", timeout=180)
        killed = process_tree(workers["worker-b"].pid)
        kill_tree(workers["worker-b"])
        assert second.wait(timeout=600) == 0, (tmp_path / "second.log").read_text()[-3000:]
        watch.reading.clear()

        # The dead worker's run was marked Crashed by the automation, within 3 heartbeats of its last sign of life.
        crashed = flow_run(api, victim)
        assert crashed["state"]["type"] == "CRASHED", crashed["state"]
        assert crashed["state"]["message"] == zombies.automation().actions[0].message  # type: ignore[union-attr]
        resource = {"id": [f"prefect.flow-run.{victim}"]}
        signs = _events(api, zombies.HEARTBEAT, resource=resource) + _events(
            api, "prefect.flow-run.Running", resource=resource
        )
        last_sign = max(_when(event["occurred"]) for event in signs)
        silent = (_when(crashed["state"]["timestamp"]) - last_sign).total_seconds()
        assert silent <= 3 * SETTINGS.heartbeat_seconds, silent

        # It was started again, and completed on the other worker; the other cycles published.
        victim_cycle = crashed["parameters"]["cycle"]
        outcomes = _outcomes(tmp_path / "second.log")
        assert all(outcome.startswith("Completed (run ") for outcome in outcomes.values()), outcomes
        assert (
            f"started again after Crashed: {crashed['state']['message']} (run {crashed['name']})"
            in outcomes[victim_cycle]
        )
        now = {cycle: whole(outputs / cycle) for cycle in CYCLES}
        assert not set(now.values()) & set(published.values())  # every cycle published anew
        assert victim not in now.values()
        took_now = wait_for(lambda: len(found := _workers_of(api, list(now.values()))) == 4 and found, "4 submissions")
        assert took_now[now[victim_cycle]] == "worker-a", took_now
        assert all(flow_run(api, run)["state"]["type"] == "COMPLETED" for run in now.values())

        # Throughout, every reader found each cycle's publication whole: the previous, then the new.
        assert watch.broken == [], watch.broken[:5]
        assert watch.seen[victim_cycle] == {published[victim_cycle], now[victim_cycle]}, watch.seen[victim_cycle]
        # No run is left Running, or waiting to.
        unfinished = post(
            api, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["RUNNING", "PENDING"]}}}}
        )
        assert unfinished == [], [(run["name"], run["state"]["name"]) for run in unfinished]
        assert not any(Path(f"/proc/{pid}").exists() for pid in killed)
        peaks = {name: round(mib) for name, mib in watch.peak_mib.items()}
        print(
            f"\nrun {crashed['name']} on worker-b: killed, Crashed {silent:.0f} s after its last sign of life;"
            f" started again as {flow_run(api, now[victim_cycle])['name']} on worker-a;"
            f" peak memory per worker with its runs: {peaks} MiB"
        )
    finally:
        watch.done.set()
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(timeout=30)
            finally:
                stop(process)
    assert error_lines(tmp_path / "worker-a.log") == []
    # Prefect's own command line against the server on PostgreSQL, after all of it.
    listed = prefect_listings(api, environment)
    assert all(name in listed["deployment"] for name in deployments), listed["deployment"]
    assert POOL in listed["work-pool"] and zombies.NAME in listed["automation"], listed
    assert crashed["name"] in listed["flow-run"], listed["flow-run"]
