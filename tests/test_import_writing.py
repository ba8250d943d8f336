"""Writing an imported cycle (`pipeline.importer.writing`): YAML that reads back as written, all
the files or none, never over an existing cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import pipeline.importer.writing as importer_writing
from pipeline.errors import InvalidInputError, PipelineError
from pipeline.importer import import_page, report_yaml, submission_yaml
from tests.importing import PAGE, expected, listing, page, page_file, response

# YAML that reads back as written ---------------------------------------------------------

TRICKY = [
    "Home Office: the review",
    "He said \"yes\" and 'no'",
    "- not a list item",
    "# not a comment",
    "trailing spaces   ",
    "   leading spaces",
    "no",
    "yes",
    "2014",
    "2015-01-16",
    "12:30",
    "null",
    "~",
    "Her Majesty’s Treasury",
    "tab\tinside",
    "&anchor *alias !tag %directive @at `tick`",
    "{flow: mapping} [flow, list]",
    "text | and > folded",
    "ends with a colon:",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_reads_back_exactly(text: str) -> None:
    submission = {
        "department": text,
        "commitments": text,
        "progress": {2013: text + "\n", 2014: f"{text}\n\n- {text}\n- two\n"},
        "plans": {2014: f"\n{text}\n\n", 2015: text + "\n" + text},
    }
    config = {"action": 4, "strategy": text}
    assert yaml.safe_load(submission_yaml(submission, config, PAGE)) == submission
    report = {
        "title": text,
        "strategy": text,
        "action": 4,
        "commitments_label": text,
        "reporting_years": [2013, 2014],
        "published": "2015-01-16",
        "intro": text,
        "departments": [text, "Home Office"],
    }
    assert yaml.safe_load(report_yaml(report, PAGE)) == report


def test_section_text_is_written_as_a_block() -> None:
    submission = expected("Home Office", commitments="We will:\n\n- one\n- two\n")
    text = submission_yaml(submission, {"action": 4, "strategy": "Government Digital Strategy"}, PAGE)
    assert 'department: "Home Office"\ncommitments: |\n  We will:\n\n  - one\n  - two\nprogress:\n' in text
    assert "  2013: |\n    We did some things.\n" in text


# Writing: all or nothing, never over an existing cycle ----------------------------------


def test_an_import_writes_the_cycle(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    folder, imported, warnings = import_page(page_file(tmp_path, page(response("Home Office"))), root, "new")
    assert warnings == []
    assert listing(root) == ["new", "new/home-office.yaml", "new/report.yaml"]
    assert yaml.safe_load((folder / "home-office.yaml").read_text(encoding="utf-8")) == expected("Home Office")
    assert imported.config["departments"] == ["Home Office"]


def test_an_existing_cycle_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    (root / "new").mkdir(parents=True)
    (root / "new" / "notes.txt").write_text("keep me")
    with pytest.raises(PipelineError, match=r"new already exists: an import never overwrites a cycle"):
        import_page(page_file(tmp_path, page(response("Home Office"))), root, "new")
    assert listing(root) == ["new", "new/notes.txt"]
    assert (root / "new" / "notes.txt").read_text() == "keep me"


def test_an_unparseable_page_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    (root / "other").mkdir()
    with pytest.raises(InvalidInputError):
        import_page(page_file(tmp_path, page(response("Home Office")[:9])), root, "new")
    assert listing(root) == ["other"]


def test_a_cycle_that_fails_validation_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline's own checks have the last word; a file they reject leaves no trace."""
    root = tmp_path / "submissions"
    root.mkdir()
    original = importer_writing.submission_yaml
    monkeypatch.setattr(importer_writing, "submission_yaml", lambda *args: original(*args) + "progess: typo\n")
    with pytest.raises(InvalidInputError) as raised:
        import_page(page_file(tmp_path, page(response("Home Office"))), root, "new")
    problems = raised.value.problems
    assert problems[0].message == (
        f"the cycle imported from this page does not pass the pipeline's checks, so {root / 'new'} was not written"
    )
    assert [(problem.file, problem.message) for problem in problems[1:]] == [
        (root / "new" / "home-office.yaml", "unknown key")
    ]
    assert listing(root) == []


def test_a_failure_while_writing_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "submissions"
    root.mkdir()

    def disk_full(*args: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer_writing, "check_cycle", disk_full)
    with pytest.raises(OSError):
        import_page(page_file(tmp_path, page(response("Home Office"))), root, "new")
    assert listing(root) == []


@pytest.mark.parametrize("cycle", ["../elsewhere", ".hidden", "a/b", ""])
def test_a_cycle_name_that_is_a_path_is_refused(tmp_path: Path, cycle: str) -> None:
    with pytest.raises(PipelineError, match="is not a cycle name"):
        import_page(page_file(tmp_path, page(response("Home Office"))), tmp_path, cycle)
    assert listing(tmp_path) == ["page.txt"]
