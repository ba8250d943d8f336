"""`build --all` over many small cycles with 1 worker and with 2: what a second core gives.

    python bench/workers.py [--scale N]       (also run by bench/run.py, at 1× and at 10×)

16 synthetic cycles, each the real report (1×, 17 departments; N× with --scale N), built to
HTML, PDF and DOCX.
Prints the speedup of 2 workers over 1 (one run each, in the same session) and the peak
memory of the largest process, which is one worker's (GNU time's maximum over the tree).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.generate import REAL, generate  # noqa: E402

CYCLES = 16
# The sizes bench/run.py builds them at: 1× (about a second of work per cycle) and 10×.
SCALES = (1, 10)


def cycles_root(root: Path, scale: int = 1) -> Path:
    """16 copies of the real cycle (or of its `scale`× synthetic cycle) under root/submissions."""
    submissions = root / "submissions"
    shutil.rmtree(submissions, ignore_errors=True)
    cycle = REAL if scale == 1 else root / "generated" / generate(scale, root / "generated")
    for number in range(1, CYCLES + 1):
        shutil.copytree(cycle, submissions / f"bench-cycle-{number:02d}")
    return submissions


def timed_build(
    arguments: list[str], environment: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """`python -m pipeline <arguments>`, whole: its seconds, the peak memory of its largest process
    (MiB, GNU time's maximum over the tree) and what it printed; a failure raises."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "pipeline", *arguments],
        cwd=HERE.parent,
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{result.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return seconds, int(peak[1]) / 1024 if peak else 0.0, result


def measure(workers: int, root: Path, environment: dict[str, str], scale: int = 1) -> dict[str, float]:
    submissions = cycles_root(root, scale)
    outputs = root / f"outputs-{workers}"
    shutil.rmtree(outputs, ignore_errors=True)
    build = ["build", "--all", "--workers", str(workers), "--submissions", str(submissions), "--outputs", str(outputs)]
    # Each worker logs its peak memory at INFO.
    seconds, peak_mib, result = timed_build(build, {**environment, "PREFECT_LOGGING_LEVEL": "INFO"})
    worker_peaks = [int(mib) for mib in re.findall(r"peak memory (\d+) MiB", result.stderr)]
    cpu = sum(float(value) for value in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", result.stderr))
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak_mib,
        "worker_peak_mib": max(worker_peaks, default=0),
    }


def bench(root: Path, environment: dict[str, str], scale: int = 1) -> dict[str, object]:
    one = measure(1, root, environment, scale)
    two = measure(2, root, environment, scale)
    return {
        "cycles": CYCLES,
        "scale": scale,
        "one_worker": one,
        "two_workers": two,
        "speedup": one["seconds"] / two["seconds"],
    }


def show(result: dict[str, object]) -> None:
    one, two = result["one_worker"], result["two_workers"]
    assert isinstance(one, dict) and isinstance(two, dict)
    print(
        f"\nbuild --all, {result['cycles']} cycles at {result.get('scale', 1)}×: 1 worker {one['seconds']:.2f} s, "
        f"2 workers {two['seconds']:.2f} s (CPU {one['cpu_seconds']:.1f} s and {two['cpu_seconds']:.1f} s), "
        f"speedup {result['speedup']:.2f}× "
        f"(peak memory per worker {two['worker_peak_mib']:.0f} MiB; largest process {two['peak_mib']:.0f} MiB)"
    )


if __name__ == "__main__":
    import os

    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    data = HERE / "data" / "workers"
    environment = {**os.environ, "PREFECT_HOME": str(data / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    show(bench(data, environment, scale))
