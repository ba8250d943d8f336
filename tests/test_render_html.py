from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from pipeline.model.document import Department, Report, Section
from pipeline.render.html import render_html
from pipeline.submission.text import BulletList, Link, Paragraph, Text
from tests.builders import report_with_notices
from tests.checkers import (
    GENERIC_LINK_TEXTS,
    NOTES,
    WCAG_TAGS,
    axe,
    describe_axe,
    heading_skips,
    nu_html_checker,
)
from tests.paths import PROJECT, REAL_CYCLE


def _report(*blocks: Paragraph | BulletList) -> Report:
    section = Section("commitments", "Departmental digital strategy commitments (December 2012)", blocks)
    department = Department("Department of Health", "DH", "department-of-health", (section,))
    return Report("test", "A <title> & more", "Strategy", 1, datetime.date(2015, 1, 16), "Intro.", (department,))


def test_page_structure(real_html: str) -> None:
    assert real_html.startswith('<!DOCTYPE html>\n<html lang="en-GB" class="govuk-template">')
    assert real_html.count("<h1 ") == 1
    assert "<title>Action 4: support improved digital capability across departments</title>" in real_html
    assert len(re.findall(r"<h2 id=\"[a-z-]+\" class=\"govuk-heading-l\">", real_html)) == 17
    assert real_html.count("<h3 ") == 17 * 5
    assert real_html.count('<ul class="govuk-list govuk-list--bullet">') == 5
    assert "Published 16 January 2015" in real_html
    assert '<main class="govuk-main-wrapper" id="main-content">' in real_html and '<nav class="contents"' in real_html
    for structure in ("govuk-skip-link", "govuk-header", "govuk-width-container", "govuk-heading-xl", "govuk-body"):
        assert f'class="{structure}' in real_html, structure


def test_contents_links_to_every_department(real_html: str) -> None:
    contents = real_html.split('<ol class="govuk-list contents__list">')[1].split("</ol>")[0]
    targets = re.findall(r'<a class="govuk-link" href="#([a-z-]+)">', contents)
    assert len(targets) == 17
    assert all(f'<h2 id="{target}" class="govuk-heading-l">' in real_html for target in targets)


def test_headings_are_canonical(real_html: str) -> None:
    assert "Progress in 2014" not in real_html
    assert "Planned Activities" not in real_html
    assert "###" not in real_html and "Home Office’s</h2>" not in real_html
    assert real_html.count(">Progress during 2014</h3>") == 17
    assert real_html.count(">Planned activities in 2015</h3>") == 17


def test_styles_are_inline_with_no_request_for_assets(real_html: str) -> None:
    assert "@media print" in real_html  # GOV.UK Frontend's print styles, and the page's own
    assert "<link" not in real_html and "url(" not in real_html and "/assets/" not in real_html
    assert "GDS Transport" not in real_html and "@font-face" not in real_html
    assert "font-family:arial,sans-serif" in real_html  # the fallback stack GOV.UK uses elsewhere


def test_the_pdf_source_has_the_pdfs_own_stylesheet(real_report: Report) -> None:
    paged = render_html(real_report, paged=True)
    assert "@page" in paged and "govuk-frontend" not in paged.split("</head>")[0]


def test_submission_text_is_escaped_not_evaluated() -> None:
    html = render_html(_report(Paragraph((Text("<script>alert(1)</script> {{ 7*7 }} {% raw %}"),))))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% raw %}" in html
    assert "<script>" not in html  # and "{{ 7*7 }}" stayed as written: not evaluated
    assert "<title>A &lt;title&gt; &amp; more</title>" in html


def test_links_and_lists() -> None:
    html = render_html(
        _report(BulletList(((Link('https://www.gov.uk/?a=1&b="2"', (Text("GOV.UK"),)),), (Text("two"),))))
    )
    assert '<li><a class="govuk-link" href="https://www.gov.uk/?a=1&amp;b=&#34;2&#34;">GOV.UK</a></li>' in html
    assert "<li>two</li>" in html


def test_matches_the_golden_page(real_html: str) -> None:
    """A change to the markup shows here; `make golden` regenerates after a deliberate one."""
    golden = PROJECT / "tests" / "golden" / REAL_CYCLE / "report.html"
    assert real_html == golden.read_text(encoding="utf-8")


# --- Accessibility, checked with real tools: axe-core in headless Chromium and the Nu Html Checker.

INACCESSIBLE = PROJECT / "tests" / "fixtures" / "checkers" / "inaccessible.html"


@pytest.fixture(scope="module")
def html_file(real_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(real_html, encoding="utf-8")
    return path


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_axe_finds_no_wcag_violations(page: Page, html_file: Path) -> None:
    page.goto(html_file.as_uri())
    assert describe_axe(axe(page, WCAG_TAGS)) == []


def test_axe_finds_no_best_practice_findings(page: Page, html_file: Path) -> None:
    page.goto(html_file.as_uri())
    findings = describe_axe(axe(page, ["best-practice"]))
    NOTES.extend(f"axe best-practice: {finding}" for finding in findings)
    NOTES.append(f"axe best-practice findings on report.html: {len(findings)}")
    assert findings == []


def test_axe_fails_an_inaccessible_page(page: Page) -> None:
    page.goto(INACCESSIBLE.as_uri())
    rules = {violation["id"] for violation in axe(page, WCAG_TAGS)["violations"]}
    assert {"html-has-lang", "image-alt", "link-name", "color-contrast"} <= rules


def test_nu_html_checker_finds_no_errors(html_file: Path) -> None:
    messages = nu_html_checker(html_file)
    assert [f"{m['type']}: {m['message']}" for m in messages] == []  # no error, and no warning either


def test_nu_html_checker_fails_invalid_markup() -> None:
    errors = [m["message"] for m in nu_html_checker(INACCESSIBLE) if m["type"] == "error"]
    assert "Duplicate ID “twice”." in errors
    assert any("Stray end tag “span”" in error for error in errors)


def _heading_levels(page: Page) -> list[int]:
    return page.eval_on_selector_all("h1, h2, h3, h4, h5, h6", "hs => hs.map(h => Number(h.tagName[1]))")


def test_landmarks_and_headings(page: Page, html_file: Path) -> None:
    page.goto(html_file.as_uri())
    for landmark in ("header", "nav", "main", "footer"):
        assert page.locator(landmark).count() == 1, landmark
    levels = _heading_levels(page)
    assert levels.count(1) == 1 and levels[0] == 1
    assert heading_skips(levels) == []
    page.goto(INACCESSIBLE.as_uri())
    assert heading_skips(_heading_levels(page)) == ["heading 2 is h3 after h1"]


def _link_texts(page: Page) -> list[str]:
    """Each link's text, or for an image link (GOV.UK's logo) its image's label."""
    return page.eval_on_selector_all(
        "a",
        "links => links.map(a => (a.innerText || a.querySelector('[aria-label]')?.getAttribute('aria-label') || '')"
        ".trim().toLowerCase())",
    )


def test_link_texts_make_sense_out_of_context(page: Page, html_file: Path) -> None:
    page.goto(html_file.as_uri())
    texts = _link_texts(page)
    assert len(texts) == 19 and all(texts)  # the skip link, GOV.UK's logo, 17 departments
    assert texts[1] == "gov.uk"
    assert set(texts) & GENERIC_LINK_TEXTS == set()
    page.goto(INACCESSIBLE.as_uri())
    assert set(_link_texts(page)) & GENERIC_LINK_TEXTS == {"read more »"}


def test_skip_link_comes_first_and_focus_is_visible(page: Page, html_file: Path) -> None:
    page.goto(html_file.as_uri())
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    assert page.evaluate("document.activeElement.className") == "govuk-skip-link"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0
    assert skip.get_attribute("href") == "#main-content"
    page.keyboard.press("Tab")  # the GOV.UK logo
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent, getComputedStyle(document.activeElement).backgroundColor]"
    )
    assert focused == ["The Attorney General’s Office", "rgb(255, 221, 0)"]


def _horizontal_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_reflows_at_320_css_pixels(browser: Browser, html_file: Path) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(html_file.as_uri())
    assert _horizontal_overflow(page) == 0
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    page.goto(INACCESSIBLE.as_uri())
    assert _horizontal_overflow(page) > 0
    context.close()


def test_usable_without_css_or_javascript(browser: Browser, html_file: Path, tmp_path: Path) -> None:
    assert "<script" not in html_file.read_text()
    unstyled = tmp_path / "unstyled.html"
    unstyled.write_text(re.sub(r"<style>.*?</style>", "", html_file.read_text(), flags=re.S))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(unstyled.as_uri())
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Contents" and len(headings) == 18
    assert all(page.locator("h2").nth(index).is_visible() for index in range(18))
    assert page.locator("a").first.inner_text() == "Skip to main content"
    context.close()


def test_notices_are_set_apart(browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "notices.html"
    page_file.write_text(render_html(report_with_notices()))
    context = browser.new_context()
    page = context.new_page()
    page.goto(page_file.as_uri())
    notices = page.locator(".notice")
    assert notices.all_inner_texts() == [
        "This action is not applicable to Department of Health.\n\nIt had no services in 2013.",
        "No response received.",
    ]
    assert notices.first.evaluate("element => getComputedStyle(element).borderLeftWidth") != "0px"  # inset text
    assert describe_axe(axe(page, WCAG_TAGS)) == []
    context.close()
