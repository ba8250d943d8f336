"""check_upload: a department's file checked as if it were saved in its cycle, with nothing written."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.service import check_upload
from pipeline.stages import check_dropped_file
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle


def _workspace(tmp_path: Path) -> Workspace:
    contacts = {
        **CONFIG,
        "departments": [{"name": "Department of Health", "contact": "dh@example.gov.uk"}, "Home Office"],
    }
    write_cycle(tmp_path / "submissions", {"health.yaml": submission()}, contacts)
    return Workspace(tmp_path / "submissions", tmp_path / "outputs")


def _listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_an_upload_is_checked_and_nothing_is_written(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    before = _listing(tmp_path)
    text = yaml.safe_dump(submission("Home Office", progess={2013: "Typo."}), sort_keys=False)
    result = check_upload(workspace, "test-cycle", "home.yaml", text.encode())
    assert result.label == "test-cycle/home.yaml" and result.department == "Home Office" and result.contact is None
    line = text.splitlines().index("progess:") + 1
    assert [(problem.line, problem.field, problem.message) for problem in result.problems] == [
        (line, "progess", "unknown key"),
    ]
    assert result.problems[0].file == workspace.submissions / "test-cycle" / "home.yaml"
    assert _listing(tmp_path) == before  # not saved, and no status written


def test_an_upload_is_checked_with_the_cycle_around_it(tmp_path: Path) -> None:
    """A second file for a department that has one is found, as it would be once saved."""
    workspace = _workspace(tmp_path)
    text = yaml.safe_dump(submission(), sort_keys=False).encode()
    result = check_upload(workspace, "test-cycle", "later-health.yaml", text)
    assert result.department == "Department of Health" and result.contact == "dh@example.gov.uk"
    assert [problem.message for problem in result.problems] == [
        '"Department of Health" already has a submission in health.yaml'
    ]
    # The same bytes under the file's own name replace it: valid.
    assert check_upload(workspace, "test-cycle", "health.yaml", text).problems == ()


def test_an_upload_under_a_name_that_is_no_submission_s_is_refused(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    for name in ("../health.yaml", ".hidden.yaml", "health.txt", "sub/health.yaml"):
        (problem,) = check_upload(workspace, "test-cycle", name, b"department: Home Office\n").problems
        assert problem.message == "is not a submission's file name", name


def test_a_dropped_file_refreshes_the_status_and_is_checked_as_uploaded(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    dropped = check_dropped_file(workspace, "test-cycle", "health.yaml")
    uploaded = check_upload(
        workspace, "test-cycle", "health.yaml", (workspace.submissions / "test-cycle" / "health.yaml").read_bytes()
    )
    assert dropped == uploaded and dropped.exists
    assert (workspace.publication("test-cycle") / "status.md").is_file()
    gone = check_dropped_file(workspace, "test-cycle", "withdrawn.yaml")
    assert not gone.exists and gone.problems == ()
