"""All 14 December 2012 departmental-responses pages (../shared/reference/gds-2012/): each
imports, every statement as the page gives it, and a department the page shows as not yet
answered ("Awaiting DCLG confirmation") is "No response received.", never a response."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pipeline.importer import PageOptions, import_page
from pipeline.model.document import NO_RESPONSE
from pipeline.stages import checked_report
from tests.paths import PROJECT, SUBMISSIONS
from tests.readers import blocks_text, govspeak_statements

PAGES = sorted((PROJECT.parent / "shared" / "reference" / "gds-2012").glob("action-*.govspeak"))
OPTIONS = PageOptions(
    strategy="Government Digital Strategy", published=datetime.date(2012, 12, 10), commitments_label="December 2012"
)
DCLG = "Department for Communities and Local Government"


def test_the_fourteen_pages_are_there() -> None:
    assert [page.stem for page in PAGES] == [f"action-{number:02d}" for number in range(1, 15)]


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_each_page_imports_with_every_statement_and_placeholders_as_no_response(page: Path, tmp_path: Path) -> None:
    cycle = f"2012-{page.stem}"
    _, imported, warnings = import_page(page, tmp_path, cycle, OPTIONS)
    report, problems = checked_report(tmp_path, cycle)
    statements = govspeak_statements(page)
    assert [department.name for department in report.departments] == list(statements)
    placeholders = {name: line for name, (line, text) in statements.items() if text == "Awaiting DCLG confirmation"}
    assert list(placeholders) == ([] if page.stem == "action-04" else [DCLG])  # action 4 is Cabinet Office's alone
    for department in report.departments:
        line, statement = statements[department.name]
        if department.name in placeholders:
            assert department.notice == NO_RESPONSE and department.sections == ()
            (warning,) = [warning for warning in warnings if "stands in for a response" in warning.message]
            assert (warning.line, warning.message) == (
                line,
                f'"Awaiting DCLG confirmation" stands in for a response: {DCLG} is imported as not having '
                'answered, and the report shows "No response received."',
            )
            continue
        (section,) = department.sections
        assert blocks_text(section.blocks) == statement, department.name
    # The coordinator's view agrees: the department has not submitted, so it is not counted as valid.
    assert len(imported.submissions) == len(statements) - len(placeholders)
    missing = [problem for problem in problems if problem.message.startswith("no submission from")]
    assert [problem.message for problem in missing] == [f'no submission from "{name}"' for name in placeholders]


# 2012-action-03 was imported from the text GOV.UK's publisher held, an earlier version of its page
# here (../shared/reference/gds-2012/README.md); test_first_year.py re-imports that one.
COMMITTED = [page for page in PAGES if page.stem != "action-03"]


@pytest.mark.parametrize("page", COMMITTED, ids=[page.stem for page in COMMITTED])
def test_each_committed_2012_cycle_is_what_importing_its_page_writes(page: Path, tmp_path: Path) -> None:
    cycle = f"2012-{page.stem}"
    folder, _, _ = import_page(page, tmp_path, cycle, OPTIONS)
    assert _files(folder) == _files(SUBMISSIONS / cycle)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
