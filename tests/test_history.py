"""The strategy's history: a first year of commitments only, carried forward through renames."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.check.validate import check_cycle
from pipeline.model.assemble import build_report
from pipeline.read.source import read_cycle
from pipeline.render import OutputFormat, render
from tests.builders import CONFIG, submission, write_cycle
from tests.paths import PROJECT, SUBMISSIONS
from tests.readers import html_outline

FIRST_YEAR = "2012-action-03"
SAMPLE = PROJECT / "tests" / "fixtures" / "history" / "2014-action-03"
UPDATE = SAMPLE.name
COMMITMENTS = "Departmental digital strategy commitments (December 2012)"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The real 2012 page's cycle and the sample 2014 update, side by side."""
    root = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / FIRST_YEAR, root / FIRST_YEAR)
    shutil.copytree(SAMPLE, root / UPDATE)
    return root


def messages(root: Path, cycle: str = UPDATE) -> list[tuple[int, str]]:
    _, problems = check_cycle(read_cycle(root, cycle))
    return [(problem.line, problem.message) for problem in problems]


def test_the_sample_is_marked_as_sample_data_and_ships_with_the_tests_only() -> None:
    config = (SAMPLE / "report.yaml").read_text(encoding="utf-8")
    assert "SAMPLE DATA" in config.splitlines()[1]
    assert yaml.safe_load(config)["title"].endswith("(sample data)")
    assert not (SUBMISSIONS / UPDATE).exists()


def test_the_2012_commitments_are_carried_forward_through_renames(root: Path) -> None:
    checked, _ = check_cycle(read_cycle(root, UPDATE))
    assert checked is not None
    outline = html_outline(render(build_report(checked), OutputFormat.HTML).decode())
    sections = [COMMITMENTS, "Progress during 2013", "Planned activities in 2014"]
    first_year = yaml.safe_load((root / FIRST_YEAR / "attorney-generals-office.yaml").read_text(encoding="utf-8"))
    # Renamed, with its 2012 name under formerly: its published commitments, then its new sections.
    attorney = outline["The Attorney General’s Office"]
    assert list(attorney) == sections
    assert attorney[COMMITMENTS][0] in first_year["commitments"].replace("[Read more »](", "Read more » (")
    assert attorney["Progress during 2013"] == [
        "Sample: the team leading on digital met the Law Officers' departments every month."
    ]
    # Spelt with "and" and commas where 2012 had "&": the same department, not a new one.
    business = outline["Department for Business, Innovation and Skills"]
    assert business[COMMITMENTS][0].startswith("We will undertake a full audit of digital demand")
    # Not answered in 2012 ("Coming soon..."): its own file answers the commitments too.
    assert outline["Department for Communities and Local Government"][COMMITMENTS] == [
        "Sample: the department will build its digital capability."
    ]
    # Not answered yet in 2014: its 2012 commitments, and the notice under the new sections.
    assert outline["Cabinet Office"]["Progress during 2013"] == ["No response received."]
    assert outline["Cabinet Office"][COMMITMENTS][0].startswith("Cabinet Office will develop exceptional")


def test_names_that_change_are_warned_naming_both_cycles(root: Path) -> None:
    found = messages(root)
    assert found[:2] == [
        (
            18,
            '"Department for Business, Innovation and Skills" is read as "Department for Business Innovation & '
            'Skills" of 2012-action-03, which is written differently',
        ),
        (
            20,
            '2012-action-03 has no valid response from "Department for Communities and Local Government" '
            "to carry forward",
        ),
    ]
    unmatched = [message for line, message in found if "matches no department" in message]
    assert (
        12,
        '"Ministry of Justice" of 2012-action-03 matches no department of 2014-action-03, '
        "so what it published is not carried forward",
    ) in found
    assert len(unmatched) == 13  # the 2012 departments the sample does not list
    # The rename given under formerly: is followed silently.
    assert not any("Attorney" in message for _, message in found)


def test_a_department_with_no_match_is_refound_by_its_former_name(root: Path) -> None:
    config = root / UPDATE / "report.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - Home Office\n", '  - name: Home Office\n    formerly: ["Ministry of Justice"]\n'
        ),
        encoding="utf-8",
    )
    found = [message for _, message in messages(root)]
    assert not any('"Ministry of Justice" of 2012-action-03 matches no department' in message for message in found)
    assert any('"Home Office" was more than one department of 2012-action-03' in message for message in found)


def test_a_submission_spelt_with_other_apostrophes_is_the_same_department(tmp_path: Path) -> None:
    config = {**CONFIG, "departments": ["Her Majesty’s Treasury", "Home Office"]}
    folder = write_cycle(
        tmp_path, {"hmt.yaml": submission("Her Majesty's Treasury"), "ho.yaml": submission("Home Office")}, config
    )
    checked, problems = check_cycle(read_cycle(folder.parent, folder.name))
    assert [(problem.field, problem.message, problem.hint) for problem in problems] == [
        (
            "department",
            '"Her Majesty\'s Treasury" is read as "Her Majesty’s Treasury", as report.yaml writes it',
            'write "Her Majesty’s Treasury", exactly as listed under departments: in report.yaml',
        )
    ]
    assert checked is not None and [item.department for item in checked.submissions] == [
        "Her Majesty’s Treasury",
        "Home Office",
    ]


def _commitments_only(**changes: Any) -> dict[str, Any]:
    return {**CONFIG, "reporting_years": [], **changes}


def test_a_first_year_asks_for_the_commitments_only(tmp_path: Path) -> None:
    folder = write_cycle(
        tmp_path,
        {
            "health.yaml": {"department": "Department of Health", "commitments": "We will."},
            "home.yaml": submission("Home Office"),
        },
        _commitments_only(),
    )
    _, problems = check_cycle(read_cycle(folder.parent, folder.name))
    assert [(problem.file.name, problem.field, problem.message, problem.hint) for problem in problems] == [
        (
            "home.yaml",
            "progress.2013",
            "2013 is not a year this report asks for",
            "this report asks for no years yet: remove progress:",
        ),
        (
            "home.yaml",
            "progress.2014",
            "2014 is not a year this report asks for",
            "this report asks for no years yet: remove progress:",
        ),
        (
            "home.yaml",
            "plans.2014",
            "2014 is not a year this report asks for",
            "this report asks for no years yet: remove plans:",
        ),
        (
            "home.yaml",
            "plans.2015",
            "2015 is not a year this report asks for",
            "this report asks for no years yet: remove plans:",
        ),
    ]


def test_an_update_of_a_first_year_must_add_a_year(root: Path) -> None:
    config = root / UPDATE / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("reporting_years: [2013]", "reporting_years: []"))
    _, problems = check_cycle(read_cycle(root, UPDATE))
    assert [(problem.message, problem.hint) for problem in problems] == [
        ("adds no year to 2012-action-03", "add the year this cycle reports on, e.g. 2013")
    ]
