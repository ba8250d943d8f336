"""Progress shown where someone watches: a bar on a terminal, one line per step otherwise."""

from __future__ import annotations

import io
from pathlib import Path

from bench.generate import generate
from pipeline.operations import progress
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.settings import SETTINGS
from pipeline.stages import build
from pipeline.workspace import Workspace
from tests.paths import REAL_CYCLE, SUBMISSIONS


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    with progress.on_terminal(stream):
        counter = progress.Counter(progress.CYCLES, 2)
        counter.finished("2015-action-04: Completed")
        counter.finished("2016-action-04: Failed: report.yaml:3:1: …")
    assert stream.getvalue().splitlines() == [
        "[1/2] cycles: 2015-action-04: Completed",
        "[2/2] cycles: 2016-action-04: Failed: report.yaml:3:1: …",
    ]


def test_a_bar_on_a_terminal_and_nothing_once_nobody_listens() -> None:
    stream = Terminal()
    with progress.on_terminal(stream):
        counter = progress.Counter("bench-x100", 4)
        for step in ("model built", "html rendered", "pdf rendered", "docx rendered"):
            counter.finished(step)
    shown = stream.getvalue()
    assert "bench-x100: docx rendered" in shown and "4/4" in shown and "━" in shown
    progress.Counter(progress.CYCLES, 1).finished("after")  # nobody listens: nothing shown, nothing kept
    assert stream.getvalue() == shown


def test_a_large_build_reports_each_stage_and_a_small_one_does_not(tmp_path: Path) -> None:
    large = generate(6, tmp_path / "submissions")  # 102 departments
    assert SETTINGS.progress_from_departments <= 102
    seen: list[progress.Step] = []
    with progress.listening(seen.append):
        build(
            BuildRequest(
                large, (OutputFormat.HTML, OutputFormat.DOCX), workspace=Workspace(tmp_path / "submissions", tmp_path)
            )
        )
    assert [(step.label, step.done, step.total) for step in seen] == [
        ("model built", 1, 3),
        ("html rendered", 2, 3),
        ("docx rendered", 3, 3),
    ]
    assert {step.scope for step in seen} == {large}
    seen.clear()
    with progress.listening(seen.append):
        build(BuildRequest(REAL_CYCLE, (OutputFormat.HTML,), workspace=Workspace(SUBMISSIONS, tmp_path)))
    assert seen == []
