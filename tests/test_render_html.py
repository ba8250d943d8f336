from __future__ import annotations

import datetime
import re

from pipeline.model import BulletList, Department, Link, Paragraph, Report, Section, Text
from pipeline.render.html import render_html
from tests.helpers import PROJECT, REAL_CYCLE


def _report(*blocks: Paragraph | BulletList) -> Report:
    section = Section("commitments", "Departmental digital strategy commitments (December 2012)", blocks)
    department = Department("Department of Health", "DH", "department-of-health", (section,))
    return Report(
        "test", "A <title> & more", "Strategy", 1, datetime.date(2015, 1, 16), "Intro.", (department,)
    )


def test_page_structure(real_html: str) -> None:
    assert real_html.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert real_html.count("<h1>") == 1
    assert "<title>Action 4: support improved digital capability across departments</title>" in real_html
    assert len(re.findall(r"<h2 id=\"[a-z-]+\">", real_html)) == 17
    assert real_html.count("<h3 ") == 17 * 5
    assert real_html.count('<ul class="list-bullet">') == 5
    assert "Published 16 January 2015" in real_html
    assert '<main id="main-content">' in real_html and '<nav class="contents"' in real_html


def test_contents_links_to_every_department(real_html: str) -> None:
    contents = real_html.split('<ol class="contents__list">')[1].split("</ol>")[0]
    targets = re.findall(r'<a href="#([a-z-]+)">', contents)
    assert len(targets) == 17
    assert all(f'<h2 id="{target}">' in real_html for target in targets)


def test_headings_are_canonical(real_html: str) -> None:
    assert "Progress in 2014" not in real_html
    assert "Planned Activities" not in real_html
    assert "###" not in real_html and "Home Office’s</h2>" not in real_html
    assert real_html.count(">Progress during 2014</h3>") == 17
    assert real_html.count(">Planned activities in 2015</h3>") == 17


def test_screen_and_print_styles_are_inline(real_html: str) -> None:
    assert "@media print" in real_html and "@page" in real_html
    assert "<link" not in real_html  # one self-contained file


def test_submission_text_is_escaped_not_evaluated() -> None:
    html = render_html(_report(Paragraph((Text("<script>alert(1)</script> {{ 7*7 }} {% raw %}"),))))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% raw %}" in html
    assert "<script>" not in html and "49" not in html
    assert "<title>A &lt;title&gt; &amp; more</title>" in html


def test_links_and_lists() -> None:
    html = render_html(
        _report(BulletList(((Link('https://www.gov.uk/?a=1&b="2"', (Text("GOV.UK"),)),), (Text("two"),))))
    )
    assert '<li><a href="https://www.gov.uk/?a=1&amp;b=&#34;2&#34;">GOV.UK</a></li>' in html
    assert "<li>two</li>" in html


def test_matches_the_golden_page(real_html: str) -> None:
    """A change to the markup shows here; `make golden` regenerates after a deliberate one."""
    golden = PROJECT / "tests" / "golden" / REAL_CYCLE / "report.html"
    assert real_html == golden.read_text(encoding="utf-8")
