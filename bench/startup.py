"""The floors the build's start-up is held to (issue 24, decision 1), timed in the same session
as the builds they are compared with (bench/run.py):

- a local build, with its temporary server, against the time `prefect server start
  --no-services` takes to answer /api/health: (flow − stages) ≤ 1.2 × that boot;
- a build on a running server against `python -c "import prefect"`: (flow − stages) ≤ 1.5 × it.

Each is the median of repeated whole processes; the server's database is created first, so
the boots timed are not a fresh clone's migrations.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

LOCAL_TARGET = 1.2
RUNNING_TARGET = 1.5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_boot_seconds(home: Path, environment: dict[str, str], repeats: int) -> float:
    """`prefect server start --no-services` until /api/health answers; the median of `repeats`."""
    home.mkdir(parents=True, exist_ok=True)
    seconds = []
    for attempt in range(repeats + 1):  # the first creates the database, and is not counted
        port = _free_port()
        command = [sys.executable, "-m", "prefect", "server", "start", "--no-services", "--no-ui"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        with (home / "boot.log").open("wb") as log:
            started = time.perf_counter()
            server = subprocess.Popen(command, env={**environment, "PREFECT_HOME": str(home)}, stdout=log, stderr=log)
            try:
                while True:
                    if server.poll() is not None:
                        raise RuntimeError(f"the server stopped: see {home / 'boot.log'}")
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):  # noqa: S310
                            break
                    except OSError:
                        time.sleep(0.05)
                if attempt:
                    seconds.append(time.perf_counter() - started)
            finally:
                server.terminate()
                server.wait()
    return statistics.median(seconds)


def import_prefect_seconds(environment: dict[str, str], repeats: int) -> float:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import prefect"], env=environment, check=True)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def ratios(one_times: dict[str, object], boot: float, imported: float) -> dict[str, float]:
    """From the 1× builds' medians: each start-up over its floor."""
    flow_local = one_times["pipeline"]["seconds"]  # type: ignore[index]
    flow_running = one_times["pipeline_on_server"]["seconds"]  # type: ignore[index]
    stages = one_times["stages_only"]["seconds"]  # type: ignore[index]
    return {
        "server_boot_seconds": boot,
        "import_prefect_seconds": imported,
        "local_overhead_over_boot": (flow_local - stages) / boot,
        "running_overhead_over_import": (flow_running - stages) / imported,
    }


def show(found: dict[str, float]) -> None:
    print(
        f"\nstart-up against its floors (1×): local build (flow − stages) / server boot "
        f"({found['server_boot_seconds']:.2f} s) = {found['local_overhead_over_boot']:.2f} (target ≤ {LOCAL_TARGET}); "
        f"on a running server (flow − stages) / import prefect ({found['import_prefect_seconds']:.2f} s) = "
        f"{found['running_overhead_over_import']:.2f} (target ≤ {RUNNING_TARGET})"
    )
