"""Editions, declared by report.yaml, and the department view of one: each department's page
lists every action it was asked to answer, with its statement as the source page gives it."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from pipeline.check.validate import check_config
from pipeline.model.document import NO_RESPONSE, Report
from pipeline.model.edition import department_pages, find_editions, page_title
from pipeline.read.source import find_cycles
from pipeline.read.yaml_file import load_yaml
from pipeline.stages import checked_report
from pipeline.submission.files import REPORT_CONFIG_FILE
from tests.paths import PROJECT, SUBMISSIONS
from tests.readers import blocks_text, govspeak_statements

GDS_2012 = PROJECT.parent / "shared" / "reference" / "gds-2012"
# 2012-action-03 is the text GOV.UK's publisher held (test_first_year.py); the others the strategy's own pages.
SOURCE = {
    f"2012-action-{number:02d}": GDS_2012 / f"action-{number:02d}.govspeak" for number in range(1, 15) if number != 3
} | {"2012-action-03": PROJECT.parent / "shared" / "reference" / "action-03-departmental-responses-2012.govspeak"}


def _configs() -> dict:
    configs = {}
    for cycle in find_cycles(SUBMISSIONS):
        config, _ = check_config(load_yaml(SUBMISSIONS / cycle / REPORT_CONFIG_FILE))
        assert config is not None, cycle
        configs[cycle] = config
    return configs


def test_the_cycles_make_two_editions_declared_by_their_report_yaml() -> None:
    editions = {edition.name: edition for edition in find_editions(_configs())}
    assert list(editions) == ["2012", "2015"]
    assert editions["2012"].cycles == tuple(f"2012-action-{number:02d}" for number in range(1, 15))
    assert editions["2012"].published == datetime.date(2012, 12, 10)
    assert editions["2015"].cycles == ("2015-action-04",)


def test_two_editions_in_one_year_are_named_by_their_dates() -> None:
    config = _configs()["2015-action-04"]
    later = config.model_copy(update={"published": datetime.date(2015, 7, 1)})
    names = [edition.name for edition in find_editions({"a": config, "b": later})]
    assert names == ["2015-01-16", "2015-07-01"]


@pytest.fixture(scope="module")
def edition_2012() -> list[Report]:
    return [checked_report(SUBMISSIONS, cycle)[0] for cycle in sorted(SOURCE)]


def test_each_department_page_gives_every_action_its_statement_as_the_source_page(edition_2012: list[Report]) -> None:
    pages, warnings = department_pages(edition_2012)
    assert warnings == []
    assert len(pages) == 18
    statements = {cycle: govspeak_statements(page) for cycle, page in SOURCE.items()}
    for page in pages:
        assert page.title == page_title(page.department, "Government Digital Strategy")
        asked = [cycle for cycle in sorted(SOURCE) if page.department in statements[cycle]]
        assert [answer.cycle for answer in page.actions] == asked, page.department
        for answer in page.actions:
            _, statement = statements[answer.cycle][page.department]
            if answer.notice is not None:
                assert answer.notice == NO_RESPONSE and statement in ("Coming soon...", "Awaiting DCLG confirmation")
                continue
            (section,) = answer.sections
            assert blocks_text(section.blocks) == statement, (page.department, answer.cycle)
    (cabinet_office,) = [page for page in pages if page.department == "Cabinet Office"]
    assert [answer.heading for answer in cabinet_office.actions][:2] == [
        "Action 1: Departmental and transactional agency boards will include an active digital leader",
        "Action 2: Services handling over 100,000 transactions each year will be re-designed, operated and"
        " improved by a skilled, experienced and empowered Service Manager",
    ]
    assert len(cabinet_office.actions) == 14  # Action 4 is Cabinet Office's alone


DCMS = "Department for Culture Media & Sport"


def _renamed(report: Report, old: str, new: str) -> Report:
    """The report with one department written under another name."""
    departments = tuple(
        dataclasses.replace(department, name=new) if department.name == old else department
        for department in report.departments
    )
    return dataclasses.replace(report, departments=departments)


def test_one_department_spelled_two_ways_is_one_page_with_a_warning(edition_2012: list[Report]) -> None:
    first, second, *_ = edition_2012
    pages, warnings = department_pages([first, _renamed(second, DCMS, "Department for Culture, Media and Sport")])
    assert len(pages) == 18
    assert [(warning.department, warning.cycle, warning.written) for warning in warnings] == [
        (DCMS, second.cycle, "Department for Culture, Media and Sport")
    ]


def test_a_former_name_follows_the_department_and_two_departments_never_merge(edition_2012: list[Report]) -> None:
    first, second, *_ = edition_2012
    changed = [first, _renamed(second, DCMS, "Department for Digital, Culture, Media and Sport")]
    apart, _ = department_pages(changed)
    assert len(apart) == 19  # a name that is not the same department's is never merged by its look alone
    together, warnings = department_pages(changed, {DCMS: ["Department for Digital, Culture, Media and Sport"]})
    assert len(together) == 18 and len(warnings) == 1
