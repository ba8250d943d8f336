"""The departments' portal in a real browser (Debian's Chromium, through Playwright), served by
`python -m pipeline portal` as a coordinator runs it, each link made by `portal invite`: a
department signs in by its link, fills in or uploads its response, sees every problem at once,
and saves; what it cannot do is refused. Every page, error states included, passes axe-core
(best practice too) and the Nu Html Checker, and reflows at 320 px."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from pipeline.portal.invites import InviteStore
from pipeline.service import check_path
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle
from tests.checkers import WCAG_TAGS, axe, describe_axe, nu_html_checker_files
from tests.servers import invite, portal_audit, portal_served

CYCLE = "2015-action-09"
HOME_OFFICE_FILE = "home.yaml"


@dataclass(frozen=True)
class Portal:
    url: str
    workspace: Workspace
    folder: Path  # the cycle's

    def link(self, department: str) -> str:
        return invite(self.workspace.submissions, self.workspace.outputs, self.url, CYCLE, department)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = tmp_path_factory.mktemp("portal")
    workspace = Workspace(root / "submissions", root / "outputs")
    folder = write_cycle(workspace.submissions, {HOME_OFFICE_FILE: submission("Home Office")}, CONFIG, cycle=CYCLE)
    with portal_served(workspace.submissions, workspace.outputs, root / "portal.log") as url:
        yield Portal(url, workspace, folder)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # axe-core is injected as a script, which the portal's own policy rightly refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every page the tests check, as the browser had it, for one run of the Nu Html Checker at the end."""
    return tmp_path_factory.mktemp("pages")


def accessible(page: Page, seen: Path, name: str) -> None:
    """axe-core (WCAG and best practice) and reflow at 320 px on the page as it is; the page is
    kept for the Nu Html Checker (test_every_page_seen_is_valid_html, last)."""
    (seen / f"{name}.html").write_text(page.content(), encoding="utf-8")  # before axe-core's script is added
    assert describe_axe(axe(page, WCAG_TAGS)) == [], name
    assert describe_axe(axe(page, ["best-practice"])) == [], name
    width = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width is not None
    page.set_viewport_size(width)
    assert overflow == 0, name


def summary(page: Page) -> list[tuple[str, str]]:
    links = page.locator(".govuk-error-summary__list a")
    return [(links.nth(n).get_attribute("href") or "", links.nth(n).inner_text()) for n in range(links.count())]


EXPECTED_HEALTH_FILE = """\
# yaml-language-server: $schema=../submission.schema.json
# Department of Health: response to Action 9: test the pipeline (2015-action-09).
# Saved from the departments' portal; it may also be edited here and dropped as before.
department: "Department of Health"
short_name: "DH"
commitments: |
  We will do things.
progress:
  2013: |
    We did [things](https://www.gov.uk/).
  2014: |
    We did more.

    - one
    - two
plans:
  2014:
    not_applicable: "No plans were made for 2014."
  2015: |
    We plan.
"""


def test_a_department_fills_in_sees_every_error_fixes_them_and_saves(
    portal: Portal, context: BrowserContext, seen: Path, tmp_path: Path
) -> None:
    page = context.new_page()
    page.goto(portal.link("Department of Health"))
    assert page.url == f"{portal.url}/submission"
    assert page.locator(".govuk-summary-list").inner_text().count("Not submitted") == 1
    accessible(page, seen, "status")

    # One mistake per kind of section: commitments left empty, a progress link that is not
    # allowed, and plans both written and said not to apply.
    page.fill("#short_name", "DH")
    page.fill("#section-progress-2013", "We did [things](javascript:alert(1)) and [more](ftp://example.com/more).")
    page.fill("#section-progress-2014", "We did more.\n\n- one\n- two")
    page.fill("#section-plans-2014", "Plans.")
    page.fill("#section-plans-2014-not-applicable", "No plans were made for 2014.")
    page.fill("#section-plans-2015", "We plan.")
    page.click("text=Check and save")
    errors = summary(page)
    progress = "#section-progress-2013"  # its two mistakes, each in the summary
    assert [href for href, _ in errors] == ["#section-commitments", progress, progress, "#section-plans-2014"]
    assert "write the section, or say why it does not apply" in errors[0][1]
    assert 'Link to "javascript:alert(1)" is not allowed' in errors[1][1]
    assert 'Link to "ftp://example.com/more" is not allowed' in errors[2][1]
    assert "not both" in errors[3][1]
    for href, text in errors:  # each links to its field, which says the same beside it
        field = page.locator(href)
        assert field.count() == 1
        assert f"{href[1:]}-error" in (field.get_attribute("aria-describedby") or "")
        assert text in page.locator(f"{href}-error").inner_text()
    assert page.title().startswith("Error: ")
    assert page.input_value("#section-progress-2014") == "We did more.\n\n- one\n- two"  # nothing typed is lost
    assert not (portal.folder / "department-of-health.yaml").exists()  # nothing written
    accessible(page, seen, "form-with-errors")

    page.fill("#section-commitments", "We will do things.")
    page.fill("#section-progress-2013", "We did [things](https://www.gov.uk/).")
    page.fill("#section-plans-2014", "")
    page.click("text=Check and save")
    assert page.url == f"{portal.url}/submission/saved"
    assert page.locator(".govuk-panel__title").inner_text() == "Submission saved"
    accessible(page, seen, "saved")

    saved = portal.folder / "department-of-health.yaml"
    assert saved.read_text(encoding="utf-8") == EXPECTED_HEALTH_FILE
    files, problems = check_path(saved)
    assert files == [saved] and problems == []
    (record,) = portal_audit(portal.workspace.submissions, portal.workspace.outputs)
    assert record["department"] == "Department of Health" and record["how"] == "form"
    assert record["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest() and record["replaced_sha256"] is None
    page.goto(f"{portal.url}/submission")
    assert "Valid" in page.locator(".govuk-summary-list").inner_text()
    assert page.input_value("#section-commitments") == "We will do things."  # the form shows the saved file


BROKEN_UPLOAD = """\
department: Home Office
commitments: |
  We will do things.
progess:
  2013: We did things.
plans:
  2014: See [the plan](ftp://example.com/plan).
  2015: We plan more.
"""


def test_an_uploaded_broken_file_shows_every_error_at_its_line(
    portal: Portal, context: BrowserContext, seen: Path, tmp_path: Path
) -> None:
    before = (portal.folder / HOME_OFFICE_FILE).read_bytes()
    page = context.new_page()
    page.goto(portal.link("Home Office"))
    upload = tmp_path / "home-office.yaml"
    upload.write_text(BROKEN_UPLOAD, encoding="utf-8")
    page.set_input_files("#file", str(upload))
    page.click("text=Upload, check and save")
    errors = summary(page)
    hrefs = [href for href, _ in errors]
    assert "#line-4" in hrefs and "#line-7" in hrefs, errors
    assert any("progess" in text and "progress" in text for _, text in errors), errors
    for href, _ in errors:
        assert page.locator(href).count() == 1  # the line, shown as uploaded
    assert page.locator("#line-7").inner_text() == "  2014: See [the plan](ftp://example.com/plan)."
    assert (portal.folder / HOME_OFFICE_FILE).read_bytes() == before  # nothing written
    accessible(page, seen, "upload-with-errors")


def test_a_crafted_request_cannot_write_another_department_s_file(portal: Portal, context: BrowserContext) -> None:
    files_before = {path.name: path.read_bytes() for path in portal.folder.iterdir()}
    page = context.new_page()
    page.goto(portal.link("Department of Health"))
    csrf = page.locator("input[name=csrf]").first.input_value()
    version = page.locator("input[name=version]").first.input_value()
    home_office = (portal.folder / HOME_OFFICE_FILE).read_bytes().replace(b"We will do things.", b"Taken over.")
    crafted = page.request.post(
        f"{portal.url}/submission/upload",
        multipart={
            "csrf": csrf,
            "version": version,
            "file": {"name": HOME_OFFICE_FILE, "mimeType": "application/yaml", "buffer": home_office},
        },
    )
    assert crafted.status == 403
    assert "You can save Department of Health’s only" in crafted.text()
    without_token = page.request.post(f"{portal.url}/submission", form={"section-commitments": "Mine."})
    assert without_token.status == 403
    assert {path.name: path.read_bytes() for path in portal.folder.iterdir()} == files_before


def test_an_expired_or_revoked_link_is_refused(
    portal: Portal, context: BrowserContext, seen: Path, tmp_path: Path
) -> None:
    _, token = InviteStore(portal.workspace).invite(CYCLE, "Home Office", days=0)
    page = context.new_page()
    response = page.goto(f"{portal.url}/invite/{token}")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "This link does not work"
    accessible(page, seen, "expired")

    page.goto(portal.link("Home Office"))
    assert page.url == f"{portal.url}/submission"
    InviteStore(portal.workspace).revoke(CYCLE, "Home Office")
    response = page.goto(f"{portal.url}/submission")
    assert response is not None and response.status == 401  # its session ended with it


def test_two_tabs_saving_at_once_the_second_is_told_and_nothing_is_lost(
    portal: Portal, context: BrowserContext, seen: Path, tmp_path: Path
) -> None:
    first = context.new_page()
    first.goto(portal.link("Home Office"))
    second = context.new_page()
    second.goto(f"{portal.url}/submission")
    first.fill("#section-commitments", "The first tab's words.")
    second.fill("#section-commitments", "The second tab's words.")
    first.click("text=Check and save")
    assert first.url == f"{portal.url}/submission/saved"
    second.click("text=Check and save")
    banner = second.locator(".govuk-notification-banner").inner_text()
    assert "Nothing was saved: this submission changed since you opened the page." in banner
    differences, theirs, yours = second.locator(".app-compare").all_inner_texts()
    assert "-  The first tab's words." in differences and "+  The second tab's words." in differences
    assert "The first tab's words." in theirs and "The second tab's words." in yours
    saved = (portal.folder / HOME_OFFICE_FILE).read_text(encoding="utf-8")
    assert "The first tab's words." in saved and "The second tab's words." not in saved
    accessible(second, seen, "conflict")

    second.click("text=Check and save")  # having seen both, the second keeps its own
    assert second.url == f"{portal.url}/submission/saved"
    assert "The second tab's words." in (portal.folder / HOME_OFFICE_FILE).read_text(encoding="utf-8")
    kept = sorted((portal.workspace.portal / "versions" / CYCLE).iterdir())
    assert "The first tab's words." in kept[-1].read_text(encoding="utf-8")  # the version it replaced


def test_the_coordinator_sees_each_link_s_state_beside_the_hub(
    portal: Portal, context: BrowserContext, seen: Path, tmp_path: Path
) -> None:
    secret = portal.link("Department of Health").rsplit("/", 1)[1]  # made, not opened
    listing = portal.workspace.outputs / "invitations.html"
    page = context.new_page()
    page.goto(listing.as_uri())
    states = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert {"invited", "used", "expired", "revoked"} <= set(states), states
    assert secret not in listing.read_text() and "/invite/" not in listing.read_text()
    assert 'href="invitations.html"' in (portal.workspace.outputs / "index.html").read_text()
    accessible(page, seen, "invitations")


def test_every_page_seen_is_valid_html(seen: Path) -> None:
    pages = sorted(seen.glob("*.html"))
    names = {page.stem for page in pages}
    expected = {"status", "form-with-errors", "saved", "upload-with-errors", "expired", "conflict", "invitations"}
    assert names == expected  # the tests above ran, and kept each page
    assert nu_html_checker_files(pages) == {page.name: [] for page in pages}
