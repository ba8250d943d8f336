"""How fast a department gets an answer from `validate`, measured as whole processes.

    python bench/validate_speed.py        (or: make bench-validate)

Prints medians of repeated runs and the ratios that matter on a shared, noisy
machine: against the 0.5 s budget for one file, and against a bare Python start.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CYCLE = PROJECT / "submissions" / "2015-action-04"
ONE_FILE = CYCLE / "department-of-health.yaml"
BUDGET_SECONDS = 0.5
REPEATS = 7


def wall_time(command: list[str]) -> float:
    """Median wall-clock seconds of the command, run REPEATS times after one warm-up."""
    subprocess.run(command, cwd=PROJECT, capture_output=True, check=False)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    python = [sys.executable]
    bare = wall_time([*python, "-c", "pass"])
    one = wall_time([*python, "-m", "pipeline", "validate", str(ONE_FILE)])
    cycle = wall_time([*python, "-m", "pipeline", "validate", str(CYCLE)])
    files = len(list(CYCLE.glob("*.yaml")))
    prefect_loaded = (
        subprocess.run(
            [
                *python,
                "-c",
                f"import sys; from pipeline.cli import main; main(['validate', {str(ONE_FILE)!r}]); "
                "print('prefect' in sys.modules)",
            ],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"{'measure':<34} {'seconds':>8}  ratio")
    print(f"{'bare Python start-up':<34} {bare:8.3f}  1.00× (baseline)")
    budget = one / BUDGET_SECONDS
    print(f"{'validate one file':<34} {one:8.3f}  {one / bare:.2f}× start-up, {budget:.2f} of the 0.5 s budget")
    print(f"{f'validate the whole cycle ({files} files)':<34} {cycle:8.3f}  {cycle / one:.2f}× one file")
    print(f"Prefect imported by validate: {prefect_loaded}")


if __name__ == "__main__":
    main()
