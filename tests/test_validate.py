from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline import characters, stages
from pipeline.check.validate import check_cycle, require_publishable
from pipeline.cli.main import main
from pipeline.commands import command
from pipeline.errors import InvalidInputError, Severity
from pipeline.read.source import read_cycle
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle


def problems_for(tmp_path: Path, files: dict[str, Any], config: dict[str, Any] | None = None) -> list[str]:
    """Validate a cycle and return its problems as printed, with the folder left out."""
    folder = write_cycle(tmp_path, files, config)
    _, problems = check_cycle(read_cycle(folder.parent, folder.name))
    return [str(problem).replace(f"{folder}/", "") for problem in problems]


def both(**health: Any) -> dict[str, Any]:
    """A cycle with a valid Home Office file and a Department of Health file changed as given."""
    return {"health.yaml": submission(**health), "home.yaml": submission("Home Office")}


def test_valid_cycle_has_no_problems(tmp_path: Path) -> None:
    assert problems_for(tmp_path, both()) == []


def test_missing_sections_are_named_with_their_headings(tmp_path: Path) -> None:
    assert problems_for(tmp_path, both(commitments=None, plans={2014: "We plan things."})) == [
        'health.yaml:1:1: error: commitments: section "Departmental digital strategy commitments '
        '(December 2012)" is missing\n'
        '    hint: add "commitments: |" at the top level, followed by the text indented below it',
        'health.yaml:3:3: error: plans.2015: section "Planned activities in 2015" is missing\n'
        '    hint: add "2015: |" under "plans:", followed by the text indented below it',
    ]


def test_department_not_expected(tmp_path: Path) -> None:
    assert problems_for(tmp_path, both(department="Departmnt of Health")) == [
        'health.yaml:2:13: error: department: "Departmnt of Health" is not a department '
        "expected in this report\n"
        '    hint: did you mean "Department of Health"?',
        'report.yaml:4:1: warning: departments: no submission from "Department of Health"\n'
        '    hint: add test-cycle/<department>.yaml with department: "Department of Health" '
        f"({command('new', '--cycle', 'test-cycle', '--department', 'Department of Health')})",
    ]


def test_second_file_for_the_same_department(tmp_path: Path) -> None:
    files = {**both(), "health-again.yaml": submission()}
    assert problems_for(tmp_path, files) == [
        'health.yaml:2:13: error: department: "Department of Health" already has a submission '
        "in health-again.yaml\n"
        "    hint: keep one file per department: merge the two and delete the other",
    ]


def test_every_problem_in_every_file_in_one_pass(tmp_path: Path) -> None:
    files = {
        "health.yaml": submission(commitments="", short_name=3),
        "home.yaml": submission("Home Office", progres={2013: "x"}),
        "broken.yaml": "department: [\n",
    }
    problems = problems_for(tmp_path, files)
    assert [problem.split(": error: ")[0] for problem in problems] == [
        "broken.yaml:2:1",
        "health.yaml:9:13",
        "health.yaml:1:14",
        "home.yaml:6:1",
    ]


def test_config_problems_stop_before_submissions(tmp_path: Path) -> None:
    config = {**CONFIG, "reporting_years": "2013"}
    assert problems_for(tmp_path, both(), config) == [
        "report.yaml:10:18: error: reporting_years: must be a list, not text"
    ]


def _checked(tmp_path: Path, files: dict[str, Any]) -> tuple[Any, list[Any]]:
    folder = write_cycle(tmp_path, files)
    return check_cycle(read_cycle(folder.parent, folder.name))


def test_lenient_leaves_out_invalid_departments_only(tmp_path: Path) -> None:
    checked, problems = _checked(tmp_path, both(commitments=""))
    assert [s.department for s in require_publishable(checked, problems, strict=False).submissions] == ["Home Office"]


def test_strict_refuses_any_problem(tmp_path: Path) -> None:
    checked, problems = _checked(tmp_path, {"home.yaml": submission("Home Office")})
    assert [problem.severity for problem in problems] == [Severity.WARNING]
    require_publishable(checked, problems, strict=False)
    with pytest.raises(InvalidInputError, match='no submission from "Department of Health"'):
        require_publishable(checked, problems, strict=True)


def test_nothing_valid_is_nothing_to_publish(tmp_path: Path) -> None:
    checked, problems = _checked(tmp_path, {"health.yaml": submission(commitments="")})
    with pytest.raises(InvalidInputError, match="is empty"):
        require_publishable(checked, problems, strict=False)


def test_a_problem_quoting_the_file_shows_a_refused_character_as_its_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = 'department: "Department of Health\\u202Eevil"\n"k\\x1b]0;pwned\\x07ey": 1\n'
    folder = write_cycle(tmp_path, {"health.yaml": written, "home.yaml": submission("Home Office")})
    assert main(["validate", str(folder / "health.yaml")]) == 1
    said = capsys.readouterr().out
    assert "Department of Health\\u202Eevil" in said and "k\\u001B]0;pwned\\u0007ey" in said  # as escapes, seen
    assert [refused.character for refused in characters.in_value(said.replace("\n", ""))] == []


def test_a_file_whose_name_holds_a_refused_character_or_a_byte_not_utf8_is_named_safely_and_left_out(
    tmp_path: Path,
) -> None:
    folder = write_cycle(tmp_path / "submissions", {"home.yaml": submission("Home Office")})
    (folder / "health\u202elmth.yaml").write_text(yaml.safe_dump(submission()), encoding="utf-8")
    with open(os.fsencode(folder) + b"/other\x85.yaml", "wb") as other:
        other.write(b"department: Home Office\n")
    checked, problems = check_cycle(read_cycle(tmp_path / "submissions", "test-cycle"))
    named = sorted(str(problem) for problem in problems if "file's name" in problem.message)
    assert named == [
        f"{folder}/health\\u202Elmth.yaml:1:1: error: the file's name has a right-to-left override (U+202E), which"
        " makes text display in a different order from how it reads, so it was not read\n"
        "    hint: rename the file: its department's name will do",
        f"{folder}/other\\x85.yaml:1:1: error: the file's name has a byte that is not UTF-8, so it was not read\n"
        "    hint: rename the file: its department's name will do",
    ]
    assert checked is not None and [submission.department for submission in checked.submissions] == ["Home Office"]
    # Built and published, with every name in its manifest and status as it may be shown.
    published = stages.build(
        BuildRequest("test-cycle", workspace=Workspace(tmp_path / "submissions", tmp_path / "outputs"))
    )
    for name in ("manifest.json", "status.md", "validation.json"):
        text = (published.folder / name).read_text(encoding="utf-8")
        assert "\u202e" not in text and "\\u202E" in text.replace("\\\\", "\\")


def test_a_reason_over_its_limit_is_said_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_reason = submission(commitments={"not_applicable": "Because. " * 200})
    folder = write_cycle(tmp_path, {"health.yaml": long_reason})
    assert main(["validate", str(folder / "health.yaml")]) == 1
    said = capsys.readouterr().out
    assert "commitments.not_applicable: is 1,800 characters long; the limit is 1,000" in said, said
