from __future__ import annotations

from pipeline.settings import prepare_prefect

prepare_prefect()  # before anything imports Prefect, as flows.py does

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import Browser  # noqa: E402

from pipeline.model.document import Report  # noqa: E402
from pipeline.stages import checked_report  # noqa: E402
from tests.paths import REAL_CYCLE, SUBMISSIONS  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test server, for the modules that run flows in this process: one for the whole
    session, as starting one takes longer than most of those tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def real_report() -> Report:
    report, problems = checked_report(SUBMISSIONS, REAL_CYCLE)
    assert problems == []
    return report


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright, for the checks a reader's browser makes."""
    from playwright.sync_api import sync_playwright

    from tests.checkers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List what the checkers noted without failing: best-practice findings, checker warnings."""
    from tests.checkers import NOTES

    if NOTES:
        terminalreporter.section("checker notes")
        for note in NOTES:
            terminalreporter.write_line(note)
