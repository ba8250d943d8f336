"""An edition published: its cycles built, then a page per department in every format and the
edition's landing page, each file in its manifest, the hub linking it, every page accessible."""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pikepdf
import pytest
import yaml
from docx.oxml.ns import qn
from playwright.sync_api import Browser, Page

from pipeline import editions, stages
from pipeline.errors import AwaitingReviewError, InvalidInputError
from pipeline.operations import review
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle
from tests.checkers import (
    WCAG_TAGS,
    axe,
    describe_axe,
    libreoffice_to_pdf,
    nu_html_checker,
    pdf_ua_findings,
    pdftotext_pages,
)
from tests.readers import html_outline

# Two actions published on one date: an edition, "2015". Action 10 asks only the Home Office.
ACTIONS = {
    "2015-action-09": ({**CONFIG, "action": 9}, {"health.yaml": submission(), "home.yaml": submission("Home Office")}),
    "2015-action-10": (  # its title numbered as its report.yaml writes it, the landing page as readers count
        {**CONFIG, "action": 10, "title": "Action 010: publish the pages", "departments": ["Home Office"]},
        {"home.yaml": submission("Home Office", commitments="We will publish them.")},
    ),
    # Of the edition, but its one response has an error: it publishes nothing.
    "2015-action-11": (
        {**CONFIG, "action": 11, "title": "Action 11: fail", "departments": ["Home Office"]},
        {"home.yaml": submission("Home Office", commitments="")},
    ),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("edition")
    workspace = Workspace(root / "submissions", root / "outputs")
    for cycle, (config, files) in ACTIONS.items():
        folder = write_cycle(workspace.submissions, files, config)  # type: ignore[arg-type]
        folder.rename(folder.with_name(cycle))
    for cycle in ACTIONS:
        with contextlib.suppress(InvalidInputError):  # 2015-action-11
            stages.build(BuildRequest(cycle, workspace=workspace))
    editions.build_edition(workspace, "2015")
    return workspace


def test_the_edition_is_declared_by_its_cycles_report_yaml(workspace: Workspace) -> None:
    (edition,) = editions.editions(workspace)
    assert (edition.name, edition.cycles) == ("2015", tuple(ACTIONS))


def test_every_file_is_in_the_manifest_with_its_checksum(workspace: Workspace) -> None:
    folder = workspace.editions().publication("2015")
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {entry["file"]: entry["sha256"] for entry in manifest["outputs"]}
    pages = {
        f"departments/{slug}{output.suffix}"
        for slug in ("department-of-health", "home-office")
        for output in OutputFormat
    }
    assert set(listed) == pages | {"index.html", "volume.pdf", "volume.docx"}
    assert {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in listed} == listed
    assert manifest["report"]["title"] == "Departments’ responses, 16 January 2015"


def test_each_department_page_lists_the_actions_it_was_asked(workspace: Workspace) -> None:
    folder = workspace.editions().publication("2015") / "departments"
    home_page = html.unescape((folder / "home-office.html").read_text())
    home, health = html_outline(home_page), html_outline((folder / "department-of-health.html").read_text())
    assert "Home Office's actions in response to the Government Digital Strategy</h1>" in home_page
    assert list(home) == ["Action 9: test the pipeline", "Action 10: publish the pages"]
    assert list(health) == ["Action 9: test the pipeline"]
    commitments = home["Action 10: publish the pages"]["Departmental digital strategy commitments (December 2012)"]
    assert commitments == ["We will publish them."]


def test_the_landing_page_links_every_page_and_the_hub_links_it(workspace: Workspace) -> None:
    landing = workspace.editions().publication("2015") / "index.html"
    text = landing.read_text()
    links = re.findall(r'href="([^"#]+)"', text)
    for link in [link for link in links if not link.startswith("http")]:
        assert (landing.parent / link).resolve().is_file(), link
    assert "../../2015-action-09/report.html" in links and "departments/home-office.html" in links
    assert "volume.pdf" in links and "volume.docx" in links
    assert "Action 11: fail (not published)" in text
    assert ">Action 10: publish the pages</a>" in text and "010" not in text
    hub = (workspace.outputs / "index.html").read_text()
    assert 'href="editions/2015/index.html"' in hub


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", ["index.html", "departments/home-office.html"])
def test_accessible(name: str, workspace: Workspace, page: Page, browser: Browser) -> None:
    path = workspace.editions().publication("2015") / name
    page.goto(path.as_uri())
    assert describe_axe(axe(page, WCAG_TAGS)) == []
    assert describe_axe(axe(page, ["best-practice"])) == []
    assert [message["message"] for message in nu_html_checker(path)] == []
    narrow = browser.new_context(viewport={"width": 320, "height": 640})
    small = narrow.new_page()
    small.goto(path.as_uri())
    assert small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    narrow.close()


def test_a_department_page_s_pdf_is_tagged_and_its_docx_opens(workspace: Workspace) -> None:
    folder = workspace.editions().publication("2015") / "departments"
    assert pdf_ua_findings((folder / "home-office.pdf").read_bytes()) == []
    assert libreoffice_to_pdf(folder / "home-office.docx").read_bytes().startswith(b"%PDF-")


def test_the_volume_has_contents_bookmarks_and_an_index_with_page_numbers(workspace: Workspace) -> None:
    volume = (workspace.editions().publication("2015") / "volume.pdf").read_bytes()
    assert pdf_ua_findings(volume) == []
    with pikepdf.open(io.BytesIO(volume)) as pdf, pdf.open_outline() as outline:
        bookmarks = {item.title: [child.title for child in item.children] for item in outline.root}
    assert bookmarks == {
        "Action 9: test the pipeline": ["Department of Health", "Home Office"],
        "Action 10: publish the pages": ["Home Office"],
        "Index of departments": [],
    }
    pages = pdftotext_pages(volume)
    assert "Contents" in pages[0] and "Action 10: publish the pages" in pages[0]
    index = " ".join(pages[-1].split())
    assert "Home Office: action 9 (page 2), action 10 (page 3)" in index, index
    assert "We will publish them." in pages[2]


def test_the_volume_docx_has_contents_and_an_index_whose_page_numbers_lead_to_the_responses(
    workspace: Workspace,
) -> None:
    path = workspace.editions().publication("2015") / "volume.docx"
    document = docx.Document(str(path))
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    actions = ["Action 9: test the pipeline", "Action 10: publish the pages"]
    assert by_style["Heading 2"] == [*actions, "Index of departments"]
    assert by_style["Heading 3"] == ["Department of Health", "Home Office", "Home Office"]
    assert not any("{" in text for texts in by_style.values() for text in texts)
    body = document.element.body
    bookmarks = {node.get(qn("w:name")) for node in body.iter(qn("w:bookmarkStart"))}
    targets = [node.text.split()[1] for node in body.iter(qn("w:instrText"))]
    assert targets and set(targets) <= bookmarks
    # LibreOffice works the page numbers out as it lays the document out, as Word does on opening.
    pages = pdftotext_pages(libreoffice_to_pdf(path).read_bytes())
    contents = " ".join(pages[0].split())
    assert re.search(r"Action 9: test the pipeline[ .]*2 Action 10: publish the pages[ .]*3 ", contents), contents
    index = " ".join(pages[-1].split())
    assert "Home Office: action 9 (page 2), action 10 (page 3)" in index, index
    assert "Department of Health: action 9 (page 2)" in index, index
    assert "We will publish them." in pages[2] and "Home Office" in pages[1]


def test_an_edition_shows_only_words_its_cycles_publications_hold(tmp_path: Path) -> None:
    """A cycle whose changed build waits for review is left out of the department pages, not shown unreviewed."""
    workspace = Workspace(tmp_path / "submissions", tmp_path / "outputs")
    for cycle, (config, files) in list(ACTIONS.items())[:2]:
        folder = write_cycle(workspace.submissions, files, config)  # type: ignore[arg-type]
        folder.rename(folder.with_name(cycle))
    approve = lambda draft: review.decided(True, "Ada Lovelace", "Read it.")  # noqa: E731
    stages.build(BuildRequest("2015-action-09", review=True, workspace=workspace), reviewer=approve)
    stages.build(BuildRequest("2015-action-10", workspace=workspace))
    health = workspace.submissions / "2015-action-09" / "health.yaml"
    health.write_text(yaml.safe_dump(submission(commitments="Words no reviewer has read.")), encoding="utf-8")
    with pytest.raises(AwaitingReviewError):
        stages.build(BuildRequest("2015-action-09", workspace=workspace))  # as all-reports builds it
    folder = editions.build_edition(workspace, "2015")
    shown = "".join(path.read_text(encoding="utf-8") for path in (folder / "departments").glob("*.html"))
    assert "Words no reviewer has read." not in shown
    assert "We will publish them." in shown  # action 10, as published
    volume_text = "\n".join(paragraph.text for paragraph in docx.Document(folder / "volume.docx").paragraphs)
    assert "We will publish them." in volume_text and "Words no reviewer has read." not in volume_text
