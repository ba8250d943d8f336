"""The first year of an action: the 2012 govspeak page, imported, built and checked like 2015."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser

from pipeline.cli.main import main
from pipeline.errors import InvalidInputError
from pipeline.importer import PageOptions, import_page, parse_page
from pipeline.model.document import Report
from pipeline.render import OutputFormat, render
from pipeline.stages import checked_report
from tests.checkers import (
    WCAG_TAGS,
    axe,
    describe_axe,
    libreoffice_to_pdf,
    nu_html_checker,
    pdf_ua_findings,
)
from tests.paths import PROJECT, SUBMISSIONS
from tests.readers import DEPARTMENT_NOTICE, docx_outline, govspeak_outline, html_outline, normalise

PAGE = PROJECT.parent / "shared" / "reference" / "action-03-departmental-responses-2012.govspeak"
CYCLE = "2012-action-03"
OPTIONS = PageOptions(
    strategy="Government Digital Strategy", published=datetime.date(2012, 12, 10), commitments_label="December 2012"
)
COMMITMENTS = "Departmental digital strategy commitments (December 2012)"
NOT_ANSWERED = "Department for Communities and Local Government"


def page_statements() -> dict[str, str]:
    """Each department's statement as the page shows it, read here independently of the importer:
    the name from its ## heading without <br>, the statement with its links' markup removed."""
    text = PAGE.read_text(encoding="utf-8")
    statements = {}
    for block in re.findall(r"\{div \.department\}(.*?)\{/div\}\s*\{/div\}", text, flags=re.S):
        name = normalise(re.sub(r"<br>", " ", re.search(r"^##(.*)$", block, flags=re.M)[1]))  # type: ignore[index]
        statement = block.split("{div .statement}")[1]
        statements[name] = normalise(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", statement))
    return statements


STATEMENTS = page_statements()


@pytest.fixture(scope="module")
def report() -> Report:
    built, _ = checked_report(SUBMISSIONS, CYCLE)
    return built


def test_the_page_has_eighteen_departments_one_not_yet_answered() -> None:
    assert len(STATEMENTS) == 18
    assert STATEMENTS[NOT_ANSWERED] == "Coming soon..."


def test_import_writes_seventeen_files_and_lists_eighteen_departments(tmp_path: Path) -> None:
    folder, imported, warnings = import_page(PAGE, tmp_path, CYCLE, OPTIONS)
    config = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    assert config["departments"] == list(STATEMENTS)
    assert config["reporting_years"] == [] and config["commitments_label"] == "December 2012"
    assert config["action"] == 3 and config["title"].startswith("Action 03: All departments will ensure")
    files = sorted(path.name for path in folder.iterdir() if path.name != "report.yaml")
    assert len(files) == 17 and not any("communities" in name for name in files)
    # The link the page gave no address is kept as its text, and said where it was.
    (lost,) = [problem for problem in warnings if problem.file == PAGE and "no address" in problem.message]
    assert (lost.line, lost.message) == (24, '"[Read more »]" has no address, so it is kept as text, not as a link')
    assert lost.hint == "add the address it should go to: [Read more »](https://…), or remove it"
    # The department the page shows as not yet answered is said at its line.
    (coming,) = [problem for problem in warnings if "stands in for a response" in problem.message]
    assert (coming.line, coming.message) == (
        40,
        f'"Coming soon..." stands in for a response: {NOT_ANSWERED} is imported as not having answered, '
        'and the report shows "No response received."',
    )
    # The vague "Read more »" links are warned, with how to name the destination.
    vague = [problem for problem in warnings if "does not say where it goes" in problem.message]
    assert len(vague) == 16 and "name what it links to" in vague[0].hint
    # And the files are what the project holds for the cycle.
    for name in ["report.yaml", *files]:
        assert (folder / name).read_text(encoding="utf-8") == (SUBMISSIONS / CYCLE / name).read_text(encoding="utf-8")


def test_govspeak_is_recognised_by_its_markup_not_its_name() -> None:
    imported = parse_page(PAGE.read_text(encoding="utf-8"), Path("saved-from-the-publisher.txt"), OPTIONS)
    assert len(imported.submissions) == 17


def test_what_the_page_does_not_say_is_asked_for_by_option() -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_page(PAGE.read_text(encoding="utf-8"), PAGE)
    assert [(problem.line, problem.message, problem.hint) for problem in raised.value.problems] == [
        (
            3,
            "the page does not say the strategy",
            'give it on the command line: --strategy "Government Digital Strategy"',
        ),
        (3, "the page does not say the publication date", "give it on the command line: --published YYYY-MM-DD"),
        (
            16,
            "the page does not say when the commitments were made",
            'give it on the command line: --commitments-label "December 2012"',
        ),
    ]


def _page_text(report: Report, output_format: OutputFormat) -> dict[str, dict[str, list[str]]]:
    data = render(report, output_format)
    if output_format is OutputFormat.HTML:
        return html_outline(data.decode())
    if output_format is OutputFormat.DOCX:
        return docx_outline(data)
    return govspeak_outline(data.decode())


@pytest.mark.parametrize("output_format", [OutputFormat.HTML, OutputFormat.DOCX, OutputFormat.GOVSPEAK])
def test_every_statement_reads_as_on_the_page(report: Report, output_format: OutputFormat) -> None:
    outline = _page_text(report, output_format)
    assert list(outline) == list(STATEMENTS)
    for name, statement in STATEMENTS.items():
        expected = (
            {DEPARTMENT_NOTICE: ["No response received."]} if name == NOT_ANSWERED else {COMMITMENTS: [statement]}
        )
        assert outline[name] == expected, name


def test_the_pdf_says_the_same_and_is_tagged(report: Report) -> None:
    from tests.checkers import pdftotext_pages

    pdf = render(report, OutputFormat.PDF)
    assert pdf_ua_findings(pdf) == []
    # pdftotext breaks "in-house" into "in- house" at a line's end: compare without spaces.
    text = re.sub(r"\s", "", " ".join(pdftotext_pages(pdf)))
    for statement in STATEMENTS.values():
        if statement != "Coming soon...":
            assert re.sub(r"\s", "", statement) in text
    assert "Noresponsereceived." in text and "Comingsoon" not in text


# --- Checked like 2015: axe-core and the Nu Html Checker on the HTML, LibreOffice on the DOCX.


@pytest.fixture(scope="module")
def html_file(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("first-year") / "report.html"
    path.write_bytes(render(report, OutputFormat.HTML))
    return path


def test_accessible_as_the_2015_report(browser: Browser, html_file: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(html_file.as_uri())
    assert describe_axe(axe(page, WCAG_TAGS)) == []
    assert describe_axe(axe(page, ["best-practice"])) == []
    levels = page.eval_on_selector_all("h1, h2, h3", "hs => hs.map(h => Number(h.tagName[1]))")
    assert levels.count(1) == 1 and levels.count(2) == 19 and levels.count(3) == 17
    context.close()
    narrow = browser.new_context(viewport={"width": 320, "height": 640})
    page = narrow.new_page()
    page.goto(html_file.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    narrow.close()
    assert [message["message"] for message in nu_html_checker(html_file) if message["type"] == "error"] == []


def test_libreoffice_opens_the_docx(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(render(report, OutputFormat.DOCX))
    assert libreoffice_to_pdf(path).read_bytes().startswith(b"%PDF-")


def test_the_cli_imports_and_builds_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    shutil.copy(SUBMISSIONS / "report.schema.json", root)
    arguments = ["import", str(PAGE), "--cycle", CYCLE, "--submissions", str(root)]
    options = [
        "--strategy",
        "Government Digital Strategy",
        "--published",
        "2012-12-10",
        "--commitments-label",
        "December 2012",
    ]
    assert main(arguments) == 1
    assert "nothing was written" in capsys.readouterr().err and list(root.iterdir()) == [root / "report.schema.json"]
    assert main([*arguments, *options]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {root / CYCLE}: report.yaml and 17 department files\n")
    assert main(["validate", str(root / CYCLE)]) == 0
