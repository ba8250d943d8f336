"""Which Prefect server a build uses, and that a temporary one never outlives its build."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.orchestration.prefect_api import healthy
from pipeline.stages import STAGES
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.servers import error_lines

ANNOUNCED = re.compile(r"starting a temporary one at (http://127\.0\.0\.1:(\d+)/api)")
# Runs the CLI's build, then says whether the build's own process ever imported the server's code.
BUILD_AND_LIST_SERVER_MODULES = (
    "import sys; from pipeline.cli.main import main; code = main(sys.argv[1:]); "
    "print('server modules imported:', sorted(m for m in sys.modules if m.startswith('prefect.server'))); "
    "sys.exit(code)"
)


@pytest.fixture
def roots(tmp_path: Path) -> dict[str, Path]:
    submissions = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / REAL_CYCLE)
    with (submissions / REAL_CYCLE / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("formats: [html]\n")  # the copy publishes its page alone: a quick build
    return {"submissions": submissions, "outputs": tmp_path / "outputs", "home": tmp_path / "prefect"}


def _environment(roots: dict[str, Path], **extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    return {**environment, "PREFECT_HOME": str(roots["home"]), **extra}


def _build_command(roots: dict[str, Path], *options: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        BUILD_AND_LIST_SERVER_MODULES,
        "build",
        "--submissions",
        str(roots["submissions"]),
        "--outputs",
        str(roots["outputs"]),
        *options,
    ]


def _processes_with_port(port: str) -> list[int]:
    """Processes whose command line names this port (the temporary server's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"server" in arguments and port.encode() in arguments:
                found.append(int(entry.name))
    return found


def _gone(port: str, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _processes_with_port(port):
            return True
        time.sleep(0.2)
    return False


def test_without_a_server_a_temporary_one_serves_the_build_and_is_stopped(roots: dict[str, Path]) -> None:
    result = subprocess.run(
        _build_command(roots),
        cwd=PROJECT,
        env=_environment(roots),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    announced = ANNOUNCED.search(result.stderr)
    assert announced, result.stderr[-3000:]
    assert "server modules imported: []" in result.stdout
    assert (roots["outputs"] / REAL_CYCLE / "report.html").exists()
    assert not healthy(announced[1])
    assert _gone(announced[2])
    # Every log line reached the server before it was stopped, and the server logged no error.
    assert "Error logging to API" not in result.stderr
    assert error_lines(roots["home"] / "temporary-server.log") == []
    # Nor did it offer a link to a UI that was never there and is gone now.
    assert "View at" not in result.stderr
    # It ran the services that record a run's task runs: the run's graph is there afterwards, in
    # the database a server on the same PREFECT_HOME shows.
    run = json.loads((roots["outputs"] / REAL_CYCLE / "manifest.json").read_text())["flow_run_id"]
    with contextlib.closing(sqlite3.connect(roots["home"] / "prefect.db")) as database:
        query = "select name, state_type from task_run where flow_run_id = ?"
        recorded = database.execute(query, (run,)).fetchall()
    stages = {name.rsplit("-", 1)[0]: state for name, state in recorded}
    assert {stage.__name__ for stage in STAGES} <= set(stages), recorded
    assert set(stages.values()) == {"COMPLETED"}, recorded


@pytest.mark.scale
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_a_build_stopped_midway_leaves_no_server_behind(roots: dict[str, Path], stop: signal.Signals) -> None:
    build = subprocess.Popen(
        _build_command(roots),
        cwd=PROJECT,
        env=_environment(roots),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert build.stderr is not None
        announced = ANNOUNCED.search(build.stderr.readline())
        assert announced
        deadline = time.monotonic() + 120
        while not healthy(announced[1]):  # the server is up and the build is under way
            assert time.monotonic() < deadline and build.poll() is None
            time.sleep(0.1)
        assert _processes_with_port(announced[2])
        build.send_signal(stop)
        build.wait(timeout=60)
        assert _gone(announced[2]), f"the temporary server outlived a build stopped with {stop.name}"
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()


def test_an_unreachable_api_url_is_a_clear_error(roots: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--submissions", str(roots["submissions"])],
        cwd=PROJECT,
        env=_environment(roots, PREFECT_API_URL="http://127.0.0.1:9/api"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "PREFECT_API_URL is http://127.0.0.1:9/api, but no Prefect server answers there" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (roots["outputs"]).exists()
