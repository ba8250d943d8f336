"""A new kind of section is one row in the sections table: validated, scaffolded, imported and rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.check.validate import check_cycle
from pipeline.importer import PageOptions, parse_page
from pipeline.model.assemble import build_report
from pipeline.read.source import read_cycle
from pipeline.render import OutputFormat, render
from pipeline.submission import sections
from pipeline.submission.scaffold import new_submission, schema_files
from pipeline.submission.sections import SectionKind
from tests.builders import CONFIG, submission, write_cycle
from tests.readers import docx_outline, html_outline

RISKS = SectionKind(
    key="risks",
    heading="Risks in {year}",
    year_offset=0,
    description="For each reporting year, the risks to the action.",
    guidance="what could stop the department doing this in {year}.",
    published_headings=r"risks\s+(?:in|during)\s+(?P<year>\d{4})(?!\d)",
)
SECTIONS = [
    "Departmental digital strategy commitments (December 2012)",
    "Progress during 2013",
    "Planned activities in 2014",
    "Risks in 2013",
    "Progress during 2014",
    "Planned activities in 2015",
    "Risks in 2014",
]


@pytest.fixture(autouse=True)
def with_risks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sections, "SECTION_KINDS", (*sections.SECTION_KINDS, RISKS))


def test_the_report_asks_for_it_each_year_in_table_order() -> None:
    assert [spec.heading for spec in sections.report_sections("December 2012", [2013, 2014])] == SECTIONS


def test_it_is_validated(tmp_path: Path) -> None:
    files = {
        "health.yaml": submission(risks={2013: "Budgets.", 2014: "Skills."}),
        "home.yaml": submission("Home Office", risks={2013: "Budgets.", 2016: "Too late."}),
        "none.yaml": submission("Cabinet Office"),
    }
    folder = write_cycle(
        tmp_path, files, {**CONFIG, "departments": ["Department of Health", "Home Office", "Cabinet Office"]}
    )
    checked, problems = check_cycle(read_cycle(folder.parent, folder.name))
    assert [(problem.file.name, problem.field, problem.message) for problem in problems] == [
        ("home.yaml", "risks.2014", 'section "Risks in 2014" is missing'),
        ("home.yaml", "risks.2016", "2016 is not a year this report asks for"),
        ("none.yaml", "risks", 'no "risks:" in the file, so "Risks in 2013" and "Risks in 2014" are missing'),
    ]
    assert checked is not None and [item.department for item in checked.submissions] == ["Department of Health"]
    assert '"risks"' in schema_files()["submission.schema.json"]


def test_it_is_scaffolded(tmp_path: Path) -> None:
    folder = write_cycle(tmp_path, {})
    config, _ = check_cycle(read_cycle(folder.parent, folder.name))
    assert config is not None
    text = new_submission(config.config, "test-cycle", "Home Office")
    assert "\nrisks:\n  # Risks in 2013: what could stop the department doing this in 2013.\n  2013: |\n" in text


def test_it_is_rendered(tmp_path: Path) -> None:
    files = {
        "health.yaml": submission(risks={2013: "Budgets.", 2014: "Skills."}),
        "home.yaml": submission("Home Office", risks={2013: "People.", 2014: "Time."}),
    }
    folder = write_cycle(tmp_path, files)
    checked, problems = check_cycle(read_cycle(folder.parent, folder.name))
    assert problems == [] and checked is not None
    report = build_report(checked)
    for outline in (
        html_outline(render(report, OutputFormat.HTML).decode()),
        docx_outline(render(report, OutputFormat.DOCX)),
    ):
        assert list(outline["Home Office"]) == SECTIONS
        assert outline["Home Office"]["Risks in 2014"] == ["Time."]


def test_its_published_headings_are_imported() -> None:
    lines = ["Action 9: test", "Updated 16 January 2015", "Here is how departments are responding:", "Home Office"]
    lines += ["Departmental digital strategy commitments (December 2012)", "We will."]
    lines += [
        "Progress during 2013",
        "We did.",
        "Planned activities in 2014",
        "We plan.",
        "RISKS DURING 2013",
        "Budgets.",
    ]
    imported = parse_page("\n".join(lines), Path("page.txt"), PageOptions(strategy="Government Digital Strategy"))
    assert imported.config["reporting_years"] == [2013]
    assert imported.submissions[0]["risks"] == {2013: "Budgets.\n"}
