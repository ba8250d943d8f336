"""The annual-report flow run end to end under Prefect's test harness."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from flows import annual_report
from tests.helpers import REAL_CYCLE, SUBMISSIONS, submission, write_cycle


@pytest.fixture(scope="module", autouse=True)
def harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def real_submissions(tmp_path: Path) -> Path:
    root = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, root / REAL_CYCLE)
    return root


def test_builds_all_outputs_reproducibly(real_submissions: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    first = annual_report(submissions_root=real_submissions, outputs_root=outputs)
    folder = outputs / REAL_CYCLE
    assert first.folder == folder
    assert sorted(path.name for path in folder.iterdir()) == [
        "manifest.json",
        "report.docx",
        "report.html",
        "report.pdf",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [output["file"] for output in manifest["outputs"]] == ["report.docx", "report.html", "report.pdf"]
    assert len(manifest["submissions"]) == 18
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")
    built = {path.name: path.read_bytes() for path in folder.iterdir()}

    annual_report(submissions_root=real_submissions, outputs_root=outputs)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == built


def test_strict_run_fails_and_publishes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission()})  # Home Office has not responded
    state = annual_report(
        cycle="test-cycle",
        strict=True,
        submissions_root=root,
        outputs_root=tmp_path / "out",
        return_state=True,
    )
    assert state.is_failed()
    assert 'no submission from "Home Office"' in state.message
    assert not (tmp_path / "out").exists()


def test_lenient_run_publishes_the_valid_departments(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office", commitments="")})
    published = annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out"
    )
    assert sorted(path.name for path in published.folder.iterdir()) == ["manifest.json", "report.html"]
    html = (published.folder / "report.html").read_text()
    assert ">Department of Health</h2>" in html and "Home Office" not in html


def test_unknown_cycle_fails_with_a_clear_message(tmp_path: Path) -> None:
    state = annual_report(
        cycle="2099-action-99", submissions_root=tmp_path, outputs_root=tmp_path / "out", return_state=True
    )
    assert state.is_failed()
    assert state.message.endswith(
        f"no report config; a cycle is a folder under {tmp_path} holding report.yaml and one YAML file per department"
    )


def test_cli_build_reports_what_it_published(
    real_submissions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    arguments = ["build", "--format", "html", "--submissions", str(real_submissions)]
    assert main([*arguments, "--outputs", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"published {tmp_path / 'out' / REAL_CYCLE}:\n  report.html ")

    assert main(["build", "--cycle", "no-such-cycle", "--outputs", str(tmp_path / "out")]) == 1
    assert "error: nothing published.\n" in capsys.readouterr().err
