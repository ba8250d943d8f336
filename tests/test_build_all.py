"""`build --all --workers N`: every cycle built, N at a time in processes of their own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.publication import whole

pytestmark = pytest.mark.scale  # many processes at once: make test-scale


def test_cycles_build_in_parallel_processes_and_a_failure_stops_no_other(tmp_path: Path) -> None:
    submissions, outputs = tmp_path / "submissions", tmp_path / "outputs"
    for cycle in ("2015-action-04", "2015-action-05", "2015-action-06"):
        shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / cycle)
        with (submissions / cycle / "report.yaml").open("a", encoding="utf-8") as config:
            config.write("formats: [html, pdf]\n")  # what each publishes, to keep the test short
    broken = submissions / "2015-action-05" / "report.yaml"
    broken.write_text(broken.read_text().replace("reporting_years:", "reporting_years: [", 1))
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--all", "--workers", "2"]
        + ["--submissions", str(submissions), "--outputs", str(outputs)],
        cwd=PROJECT,
        env={**environment, "PREFECT_HOME": str(tmp_path / "prefect")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if not line.startswith(" ")]  # hints are indented
    assert lines[0] == "2015-action-04: Completed"
    assert lines[1].startswith(f"2015-action-05: Failed: {broken}:")
    assert lines[2] == "2015-action-06: Completed"
    assert "    hint: " in result.stdout
    assert "error: 1 of 3 cycle(s) not published: 2015-action-05" in result.stderr
    for cycle in ("2015-action-04", "2015-action-06"):
        whole(outputs / cycle)
    assert not (outputs / "2015-action-05" / "report.html").exists()
    # Built in two processes besides the command's own, which showed progress line by line.
    workers = set(re.findall(r"\(process (\d+), peak memory \d+ MiB\)", result.stderr))
    assert len(workers) == 2 and str(os.getpid()) not in workers
    assert [line.split(":")[0] for line in result.stderr.splitlines() if line.startswith("[")] == [
        "[1/3] cycles",
        "[2/3] cycles",
        "[3/3] cycles",
    ]
