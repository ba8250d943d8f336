"""Crashes, concurrency, fetching, links and reproducibility: nothing lost, nothing leaked."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from weasyprint import HTML

from pipeline.check.validate import check_cycle
from pipeline.errors import CycleNotFoundError
from pipeline.read.source import read_cycle
from pipeline.render.pdf import RefusingFetcher
from tests.builders import submission, write_cycle
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.publication import whole

LOOP = PROJECT / "tests" / "publish_loop.py"


@pytest.mark.scale
def test_killed_at_any_moment_the_last_build_stays_whole(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(LOOP), str(tmp_path), "first", "1"], cwd=PROJECT, check=True)
    seen = set()
    for attempt in range(12):
        child = subprocess.Popen([sys.executable, str(LOOP), str(tmp_path), f"kill{attempt}"], cwd=PROJECT)
        time.sleep(0.3 + 0.137 * attempt)  # a different moment of the write-swap cycle each time
        child.send_signal(signal.SIGKILL)
        child.wait()
        seen.add(whole(tmp_path / "cycle"))
    assert len(seen) > 1  # the kills did land between builds, not only before the first
    # The next publish clears what the killed ones left half-written.
    subprocess.run([sys.executable, str(LOOP), str(tmp_path), "after", "1"], cwd=PROJECT, check=True)
    assert whole(tmp_path / "cycle") == "after-0"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".cycle.lock", "cycle"]
    assert len(list((tmp_path / "cycle" / "history").iterdir())) == 2


def test_parallel_publishers_take_turns(tmp_path: Path) -> None:
    children = [
        subprocess.Popen([sys.executable, str(LOOP), str(tmp_path), f"p{number}", "6"], cwd=PROJECT)
        for number in range(3)
    ]
    assert [child.wait(timeout=300) for child in children] == [0, 0, 0]
    assert whole(tmp_path / "cycle").endswith("-5")
    assert len(list((tmp_path / "cycle" / "history").iterdir())) == 2
    for previous in (tmp_path / "cycle" / "history").iterdir():
        whole(previous)


def test_the_pdf_renderer_fetches_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A page that would show a secret if fetching were allowed; with our fetcher it shows nothing."""
    secret = tmp_path / "secret.css"
    secret.write_text('h1::after { content: "TOP-SECRET-VALUE" }')
    page = f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head><body><h1>Title</h1></body></html>'
    permissive = HTML(string=page).write_pdf()
    assert b"TOP-SECRET-VALUE" in _text(permissive)  # the check can fail
    with caplog.at_level(logging.WARNING, logger="pipeline.render.pdf"):
        refused = HTML(string=page, url_fetcher=RefusingFetcher()).write_pdf()
    assert b"TOP-SECRET-VALUE" not in _text(refused)
    assert f"refused to fetch {secret.as_uri()}" in caplog.text


def _text(pdf: bytes) -> bytes:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout


def test_links_out_of_the_cycle_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("department: Department of Health\n")
    folder = write_cycle(tmp_path / "submissions", {"home.yaml": submission("Home Office")})
    (folder / "health.yaml").symlink_to(outside)
    (folder / "same.yaml").symlink_to(folder / "home.yaml")  # a link inside the folder is followed
    _, problems = check_cycle(read_cycle(folder.parent, folder.name))
    messages = [(problem.file.name, problem.message) for problem in problems]
    assert ("health.yaml", "is a link to a file outside the cycle's folder, so it was not read") in messages
    assert ("same.yaml", '"Home Office" already has a submission in home.yaml') in messages

    (tmp_path / "linked-cycle").symlink_to(folder)
    with pytest.raises(CycleNotFoundError, match="not a link"):
        read_cycle(tmp_path, "linked-cycle")


@pytest.mark.scale
def test_builds_are_byte_identical_across_processes(tmp_path: Path) -> None:
    script = (
        "import hashlib, sys; from pathlib import Path; from pipeline.read.source import read_cycle; "
        "from pipeline.check.validate import check_cycle; from pipeline.model.assemble import build_report; "
        "from pipeline.render import render; "
        f"report = build_report(check_cycle(read_cycle(Path({str(SUBMISSIONS)!r}), {REAL_CYCLE!r}))[0]); "
        "print(*(hashlib.sha256(render(report, f)).hexdigest() for f in ('html', 'pdf', 'docx')))"
    )
    digests = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert digests[0] == digests[1] and len(digests[0].split()) == 3
