"""The pipeline's spine, run as plain Python: its stages in their one order, no Prefect."""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import stages
from pipeline.errors import InvalidInputError
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.runners import DirectRunner, Pending, R
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle


class RecordingRunner(DirectRunner):
    """Runs each stage at once, and notes its name."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def run(self, stage: Callable[..., R], arguments: tuple[object, ...]) -> Pending[R]:
        self.calls.append(stage.__name__)
        return super().run(stage, arguments)


def test_build_runs_the_stages_in_their_order(tmp_path: Path) -> None:
    files = {"health.yaml": submission(), "home.yaml": submission("Home Office")}
    folder = write_cycle(tmp_path / "in", files, {**CONFIG, "formats": ["html", "govspeak"]})
    runner = RecordingRunner()
    request = BuildRequest(folder.name, workspace=Workspace(folder.parent, tmp_path / "out"))
    published = stages.build(request, runner)
    assert runner.calls == [
        "read_submissions",
        "check_submissions",
        "summarise_status",
        "build_model",
        "render_output",
        "render_output",
        "describe_build",
        "publish_outputs",
    ]
    main_stages = [name for name in runner.calls if name in {stage.__name__ for stage in stages.STAGES}]
    assert list(dict.fromkeys(main_stages)) == [stage.__name__ for stage in stages.STAGES]
    assert sorted(path.name for path in published.folder.iterdir()) == [
        "manifest.json",
        "report.govspeak.md",
        "report.html",
        "status.md",
        "test-cycle.zip",
        "validation.json",
    ]


def test_the_stages_run_without_prefect(tmp_path: Path) -> None:
    folder = write_cycle(tmp_path / "in", {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    script = (
        "import sys; from pathlib import Path; from pipeline import stages; "
        "from pipeline.request import BuildRequest; from pipeline.workspace import Workspace; "
        f"stages.build(BuildRequest({folder.name!r}, workspace=Workspace(Path({str(folder.parent)!r}), "
        f"Path({str(tmp_path / 'out')!r})))); "
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'prefect'))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"
    assert (tmp_path / "out" / folder.name / "report.html").exists()


def test_a_run_that_must_not_publish_writes_its_status_only(tmp_path: Path) -> None:
    folder = write_cycle(tmp_path / "in", {"health.yaml": submission()})
    runner = RecordingRunner()
    request = BuildRequest(
        folder.name, (OutputFormat.HTML,), True, workspace=Workspace(folder.parent, tmp_path / "out")
    )
    with pytest.raises(InvalidInputError, match='no submission from "Home Office"'):
        stages.build(request, runner)
    assert runner.calls == ["read_submissions", "check_submissions", "summarise_status", "publish_status"]
    assert sorted(path.name for path in (tmp_path / "out" / folder.name).iterdir()) == ["status.md", "validation.json"]


def test_every_stage_is_typed_without_any() -> None:
    """A reader and mypy can follow each stage's inputs and output: every one annotated, none Any."""

    def mentions_any(hint: object) -> bool:
        return hint is typing.Any or any(mentions_any(argument) for argument in typing.get_args(hint))

    for stage in (*stages.STAGES, *stages.STATUS_STAGES, *stages.REVIEW_STAGES):
        hints = typing.get_type_hints(stage)
        parameters = inspect.signature(stage).parameters
        assert set(hints) == {*parameters, "return"}, stage.__name__
        assert not [name for name, hint in hints.items() if mentions_any(hint)], stage.__name__
