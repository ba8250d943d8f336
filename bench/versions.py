"""Two installations of the project timed in turn: an upgrade's before and after, in one session.

    python bench/versions.py OTHER [--rounds N]

OTHER is another checkout with its own `.venv` (e.g. `git worktree add ../before <commit>`, then
`make report` there). Each round times, in each checkout in turn (A B A B …, so that a drift of
the machine falls on both):
  local build     `pipeline build` of the real cycle, HTML+PDF+DOCX, with its temporary server
  on a server     the same with that checkout's Prefect server already running
  stages only     bench/stages_only.py: the same build without Prefect
  server boot     `prefect server start --no-services` until /api/health answers
  import prefect  `python -c "import prefect"`
  validate file   `pipeline validate` on one department's file
  validate cycle  `pipeline validate` on the cycle's folder
and prints each one's median, the ratio of medians (this checkout over OTHER), and the two start-up
floors of bench/startup.py for each: (flow − stages) / server boot, and (flow − stages) / import.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CYCLE = "2015-action-04"
ONE_FILE = "department-of-health.yaml"


class Checkout:
    """One installation: its folder, its interpreter, and a Prefect home of its own."""

    def __init__(self, folder: Path, scratch: Path) -> None:
        self.folder = folder.resolve()
        self.python = str(self.folder / ".venv" / "bin" / "python")
        self.scratch = scratch
        scratch.mkdir(parents=True)
        self.environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")},
            "PREFECT_HOME": str(scratch / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        self.server: subprocess.Popen[bytes] | None = None

    def timed(self, *arguments: str, extra: dict[str, str] | None = None) -> float:
        started = time.perf_counter()
        subprocess.run(
            [self.python, *arguments],
            cwd=self.folder,
            env={**self.environment, **(extra or {})},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started

    def build(self, extra: dict[str, str] | None = None) -> float:
        outputs = self.scratch / "outputs"
        shutil.rmtree(outputs, ignore_errors=True)
        command = ["-m", "pipeline", "build", "--cycle", CYCLE, "--outputs", str(outputs), "--keep-history", "0"]
        return self.timed(*command, extra=extra)

    def start_server(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        home = self.scratch / "standing-server"
        command = [
            self.python,
            "-m",
            "prefect",
            "server",
            "start",
            "--no-ui",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        self.server = subprocess.Popen(
            command,
            cwd=self.folder,
            env={**self.environment, "PREFECT_HOME": str(home)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/api"
        probe = [self.python, "-c", f"import urllib.request; urllib.request.urlopen('{url}/health', timeout=1)"]
        while subprocess.run(probe, stderr=subprocess.DEVNULL).returncode != 0:
            time.sleep(0.5)
        return url

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait()

    def boot(self) -> float:
        # startup.py times with its own interpreter: run it with this checkout's.
        code = (
            "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "from startup import server_boot_seconds; import os; "
            "print(server_boot_seconds(Path(sys.argv[2]), dict(os.environ), 1))"
        )
        result = subprocess.run(
            [self.python, "-c", code, str(HERE), str(self.scratch / "boot")],
            cwd=self.folder,
            env=self.environment,
            check=True,
            capture_output=True,
            text=True,
        )
        return float(result.stdout.strip().splitlines()[-1])


MEASURES = (
    "local build",
    "on a server",
    "stages only",
    "server boot",
    "import prefect",
    "validate file",
    "validate cycle",
)


def round_of(checkout: Checkout, server: str) -> dict[str, float]:
    submissions = checkout.folder / "submissions"
    return {
        "local build": checkout.build(),
        "on a server": checkout.build({"PREFECT_API_URL": server}),
        "stages only": checkout.timed(
            str(HERE / "stages_only.py"), str(submissions), CYCLE, str(checkout.scratch / "stages")
        ),
        "server boot": checkout.boot(),
        "import prefect": checkout.timed("-c", "import prefect"),
        "validate file": checkout.timed("-m", "pipeline", "validate", str(submissions / CYCLE / ONE_FILE)),
        "validate cycle": checkout.timed("-m", "pipeline", "validate", str(submissions / CYCLE)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-versions-"))
    this, other = Checkout(HERE.parent, scratch / "this"), Checkout(arguments.other, scratch / "other")
    times: dict[str, dict[str, list[float]]] = {"this": {}, "other": {}}
    try:
        servers = {"this": this.start_server(), "other": other.start_server()}
        for name, checkout in (("this", this), ("other", other)):  # databases made, caches warm: not counted
            checkout.build()
            checkout.boot()
            checkout.build({"PREFECT_API_URL": servers[name]})
        for _ in range(arguments.rounds):
            for name, checkout in (("other", other), ("this", this)):
                for measure, seconds in round_of(checkout, servers[name]).items():
                    times[name].setdefault(measure, []).append(seconds)
    finally:
        this.stop_server()
        other.stop_server()
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {
        name: {measure: statistics.median(found[measure]) for measure in MEASURES} for name, found in times.items()
    }
    print(f"\nmedians of {arguments.rounds} rounds, in turn; this = {this.folder}, other = {other.folder}")
    print(f"{'':16} {'other':>8} {'this':>8} {'this/other':>10}")
    for measure in MEASURES:
        before, after = medians["other"][measure], medians["this"][measure]
        print(f"{measure:16} {before:8.2f} {after:8.2f} {after / before:10.2f}")
    for name in ("other", "this"):
        found = medians[name]
        local = (found["local build"] - found["stages only"]) / found["server boot"]
        running = (found["on a server"] - found["stages only"]) / found["import prefect"]
        print(f"{name}: local (flow − stages) / boot {local:.2f}; on a server (flow − stages) / import {running:.2f}")


if __name__ == "__main__":
    main()
