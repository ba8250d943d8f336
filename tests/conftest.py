from __future__ import annotations

import pytest

from pipeline.model import Report, build_report
from pipeline.source import read_cycle
from pipeline.validate import check_cycle
from tests.helpers import REAL_CYCLE, SUBMISSIONS


@pytest.fixture(scope="session")
def real_report() -> Report:
    checked, problems = check_cycle(read_cycle(SUBMISSIONS, REAL_CYCLE))
    assert problems == []
    assert checked is not None
    return build_report(checked)


@pytest.fixture(scope="session")
def real_html(real_report: Report) -> str:
    from pipeline.render.html import render_html

    return render_html(real_report)


@pytest.fixture(scope="session")
def real_pdf(real_report: Report) -> bytes:
    from pipeline.render.pdf import render_pdf

    return render_pdf(real_report)


@pytest.fixture(scope="session")
def real_docx(real_report: Report) -> bytes:
    from pipeline.render.docx import render_docx

    return render_docx(real_report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List what the checkers noted without failing: best-practice findings, checker warnings."""
    from tests.checkers import NOTES

    if NOTES:
        terminalreporter.section("checker notes")
        for note in NOTES:
            terminalreporter.write_line(note)
