"""The publication hub, outputs/index.html: what it lists, that it links to what is on disk,
that concurrent publishes of different cycles all end up on it, and that it is accessible."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page

from pipeline import stages
from pipeline.operations import hub, review
from pipeline.operations.hub import HubCycle, HubFile
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace
from tests.checkers import NOTES, WCAG_TAGS, axe, describe_axe, nu_html_checker
from tests.paths import PROJECT, REAL_CYCLE

FIRST_YEAR = "2012-action-03"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 2015 cycle published twice (the second time reviewed), and the 2012 cycle once."""
    root = tmp_path_factory.mktemp("hub") / "outputs"
    stages.build(BuildRequest(REAL_CYCLE, workspace=Workspace(outputs=root)))
    approve = lambda draft: review.decided(True, "Ada Lovelace", "Read it all.")  # noqa: E731
    stages.build(BuildRequest(REAL_CYCLE, workspace=Workspace(outputs=root), review=True), reviewer=approve)
    stages.build(BuildRequest(FIRST_YEAR, workspace=Workspace(outputs=root)))
    return root


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value or "" for name, value in attrs if name == "href"]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_published_cycle_is_listed_newest_first(outputs: Path) -> None:
    page = (outputs / "index.html").read_text()
    text = _text(page)
    assert text.index("Action 4: support improved digital capability") < text.index("Action 03: All departments")
    assert "Reporting years 2013 and 2014" in text
    assert "Reporting years None: the action's first year (commitments only)" in text.replace("&#39;", "'")
    assert "Published 16 January 2015" in text and "Published 10 December 2012" in text
    assert "Departments 17 of 17 answered, 17 valid, 0 missing" in text
    assert "Departments 17 of 18 answered, 17 valid, 1 missing" in text
    today = datetime.datetime.now(datetime.UTC).date()
    assert f"Approved by Ada Lovelace on {today.day} {today:%B %Y}" in text
    assert "Published without review" in text


def test_every_link_is_to_a_file_on_disk_with_the_checksum_shown(outputs: Path) -> None:
    page = (outputs / "index.html").read_text()
    links = _Links()
    links.feed(page)
    files = [href for href in links.hrefs if not href.startswith(("#", "https://"))]
    for href in files:
        assert (outputs / unquote(href)).is_file(), href
    for cycle in (REAL_CYCLE, FIRST_YEAR):
        manifest = json.loads((outputs / cycle / "manifest.json").read_text())
        for entry in [*manifest["outputs"], manifest["bundle"]]:
            assert f"{cycle}/{entry['file']}" in files
            data = (outputs / cycle / entry["file"]).read_bytes()
            assert f"<code>{hashlib.sha256(data).hexdigest()[:12]}</code>" in page
        # Beside the files: what they were built from and the latest run's status.
        assert f"{cycle}/manifest.json" in files and f"{cycle}/status.md" in files
    earlier = [href for href in files if "/history/" in href]
    assert len(earlier) == 1 and earlier[0].startswith(f"{REAL_CYCLE}/history/") and earlier[0].endswith("report.html")


def test_the_page_ends_with_gov_uks_footer(outputs: Path) -> None:
    page = (outputs / "index.html").read_text()
    footer = page[page.index('<footer class="govuk-footer">') : page.index("</footer>")]
    assert "Open Government Licence v3.0" in footer and "© Crown copyright" in footer
    assert ".govuk-footer{" in page  # GOV.UK Frontend's footer styles, inlined with the page's own
    assert page.index("</main>") < page.index("<footer")


def test_titles_are_shown_as_text(tmp_path: Path) -> None:
    cycle = HubCycle(
        cycle="c",
        title='<script>alert("x")</script>',
        action=1,
        reporting_years="2013",
        published=datetime.date(2015, 1, 16),
        departments=None,
        review=None,
        files=(HubFile("report.html", "c/report.html", "HTML", "1 KB", "0" * 12),),
        earlier=(),
    )
    page = hub.render([cycle])
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_concurrent_publishes_of_different_cycles_all_reach_the_hub(tmp_path: Path) -> None:
    # The first publisher is slow between reading what is published and writing the page (a
    # busy disk, say) while the others publish: the moment a hub written without its lock
    # would lose their entries.
    publisher = (
        "import sys, time; from pathlib import Path; from pipeline.operations import hub\n"
        "from pipeline.publish import manifest, publishing\n"
        "from pipeline.workspace import Workspace\n"
        "root, cycle, pause = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])\n"
        "read = hub.published_cycles\n"
        "hub.published_cycles = lambda root: (found := read(root), time.sleep(pause), found)[2]\n"
        "files = {'report.html': cycle.encode()}\n"
        "built = manifest.build_manifest(cycle, files, [], root)\n"
        "built = built.__class__(**{**vars(built), 'formats': ('html',)})  # publishing its page alone: complete\n"
        "publishing.publish(Workspace(outputs=root), cycle, files, built)\n"
        "hub.rebuild(Workspace(outputs=root))\n"
    )
    cycles = [f"20{year}-action-0{year % 9 + 1}" for year in range(12, 18)]

    def start(cycle: str, pause: float) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", publisher, str(tmp_path), cycle, str(pause)], cwd=PROJECT)

    slow = start(cycles[0], 3.0)
    deadline = time.monotonic() + 60
    while not (tmp_path / cycles[0] / "manifest.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    processes = [slow, *(start(cycle, 0) for cycle in cycles[1:])]
    assert [process.wait(timeout=120) for process in processes] == [0] * len(cycles)
    page = (tmp_path / "index.html").read_text()
    assert sorted(re.findall(r'<h2 id="cycle-([^"]+)"', page)) == sorted(cycles)
    assert [path.name for path in tmp_path.glob(".index.html.*")] == []


def test_nothing_published_yet(tmp_path: Path) -> None:
    assert "Nothing has been published yet." in hub.rebuild(Workspace(outputs=tmp_path)).read_text()


# --- Checked like the report: axe-core, the Nu Html Checker, reflow.


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_axe_finds_no_violations_and_no_best_practice_findings(page: Page, outputs: Path) -> None:
    page.goto((outputs / "index.html").as_uri())
    assert describe_axe(axe(page, WCAG_TAGS)) == []
    assert describe_axe(axe(page, ["best-practice"])) == []


def test_nu_html_checker_finds_nothing(outputs: Path) -> None:
    messages = nu_html_checker(outputs / "index.html")
    NOTES.extend(f"Nu on index.html, {m['type']}: {m['message']}" for m in messages if m["type"] != "error")
    assert [m["message"] for m in messages] == []


def test_reflows_at_320_css_pixels(browser: Browser, outputs: Path) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto((outputs / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    context.close()
