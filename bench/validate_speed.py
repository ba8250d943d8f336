"""How fast a department gets an answer from `validate`, and a coordinator from a build that
cannot start, measured as whole processes.

    python bench/validate_speed.py        (or: make bench-validate)

Prints medians of repeated runs and the ratios that matter on a shared, noisy machine:
against the 0.3 s budget for one file, the 1 s budget for refusing an unknown cycle, and
a bare Python start. The commands run as a user's do: Python keeps its compiled bytecode
(PYTHONDONTWRITEBYTECODE, which some environments set, is removed for them), and the
warm-up run writes it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CYCLE = PROJECT / "submissions" / "2015-action-04"
ONE_FILE = CYCLE / "department-of-health.yaml"
VALIDATE_BUDGET_SECONDS = 0.3
UNKNOWN_CYCLE_BUDGET_SECONDS = 1.0
REPEATS = 11
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def wall_time(command: list[str]) -> float:
    """Median wall-clock seconds of the command, run REPEATS times after one warm-up."""
    subprocess.run(command, cwd=PROJECT, env=ENVIRONMENT, capture_output=True, check=False)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT, env=ENVIRONMENT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imports_prefect(arguments: list[str]) -> bool:
    script = (
        "import sys, contextlib, io; from pipeline.cli.main import main\n"
        "quiet = contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO())\n"
        f"with quiet[0], quiet[1]: main({arguments!r})\n"
        "print('prefect' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=ENVIRONMENT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def main() -> None:
    python = [sys.executable]
    pipeline = [*python, "-m", "pipeline"]
    bare = wall_time([*python, "-c", "pass"])
    one = wall_time([*pipeline, "validate", str(ONE_FILE)])
    cycle = wall_time([*pipeline, "validate", str(CYCLE)])
    unknown = wall_time([*pipeline, "build", "--cycle", "2015-action-4"])
    files = len(list(CYCLE.glob("*.yaml")))
    print(f"{'measure':<38} {'seconds':>8}  ratio")
    print(f"{'bare Python start-up':<38} {bare:8.3f}  1.00× (baseline)")
    budget = one / VALIDATE_BUDGET_SECONDS
    print(f"{'validate one file':<38} {one:8.3f}  {one / bare:.2f}× start-up, {budget:.2f} of the 0.3 s budget")
    print(f"{f'validate the whole cycle ({files} files)':<38} {cycle:8.3f}  {cycle / one:.2f}× one file")
    refused = unknown / UNKNOWN_CYCLE_BUDGET_SECONDS
    print(f"{'build an unknown cycle (refused)':<38} {unknown:8.3f}  {refused:.2f} of the 1 s budget")
    print(f"Prefect imported by validate: {imports_prefect(['validate', str(ONE_FILE)])}")
    print(f"Prefect imported by a build of an unknown cycle: {imports_prefect(['build', '--cycle', '2015-action-4'])}")


if __name__ == "__main__":
    main()
