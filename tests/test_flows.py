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
        "status.md",
        "validation.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [output["file"] for output in manifest["outputs"]] == ["report.docx", "report.html", "report.pdf"]
    assert len(manifest["submissions"]) == 18
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")
    built = {path.name: path.read_bytes() for path in folder.iterdir()}

    annual_report(submissions_root=real_submissions, outputs_root=outputs)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == built


def test_strict_run_fails_and_publishes_nothing_but_its_status(tmp_path: Path) -> None:
    root, outputs = tmp_path / "submissions", tmp_path / "out"
    folder = write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    annual_report(cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=outputs)
    report_before = (outputs / "test-cycle" / "report.html").read_bytes()

    (folder / "home.yaml").unlink()  # Home Office withdraws its response
    state = annual_report(
        cycle="test-cycle", strict=True, submissions_root=root, outputs_root=outputs, return_state=True
    )
    assert state.is_failed()
    assert 'no submission from "Home Office"' in state.message
    published = outputs / "test-cycle"
    assert (published / "report.html").read_bytes() == report_before
    assert sorted(path.name for path in published.iterdir()) == [
        "manifest.json",
        "report.html",
        "status.md",
        "validation.json",
    ]
    validation = json.loads((published / "validation.json").read_text())
    assert [(row["department"], row["submitted"]) for row in validation["departments"]] == [
        ("Department of Health", True),
        ("Home Office", False),
    ]
    assert "| Home Office | no | no | 0 | 1 | — |" in (published / "status.md").read_text()


def test_the_status_table_is_a_prefect_artifact(tmp_path: Path) -> None:
    import httpx
    from prefect.settings import PREFECT_API_URL

    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(progess="x")})
    annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out", return_state=True
    )
    # The REST API the Prefect UI reads artifacts from.
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"artifacts": {"key": {"any_": ["submission-status-test-cycle"]}}, "sort": "CREATED_DESC", "limit": 1},
    )
    (artifact,) = response.raise_for_status().json()
    assert artifact["type"] == "table"
    rows = json.loads(artifact["data"])
    assert rows == [
        {
            "department": "Department of Health",
            "submitted": "yes",
            "valid": "no",
            "errors": 1,
            "warnings": 0,
            "file": "test-cycle/health.yaml",
        },
        {"department": "Home Office", "submitted": "no", "valid": "no", "errors": 0, "warnings": 1, "file": "—"},
    ]


def test_lenient_run_publishes_the_valid_departments(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office", commitments="")})
    published = annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out"
    )
    assert sorted(path.name for path in published.folder.iterdir()) == [
        "manifest.json",
        "report.html",
        "status.md",
        "validation.json",
    ]
    html = (published.folder / "report.html").read_text()
    home_office = html.split('<h2 id="home-office">Home Office</h2>')[1].split("</section>")[0]
    assert ">We did some things.<" in html
    assert "No response received." in home_office and "We did" not in home_office


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
