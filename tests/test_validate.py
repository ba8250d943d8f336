from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.check.validate import check_cycle, require_publishable
from pipeline.commands import command
from pipeline.errors import InvalidInputError, Severity
from pipeline.read.source import read_cycle
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
