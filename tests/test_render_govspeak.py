"""The govspeak export: GOV.UK's Markdown, ready to paste into the publisher."""

from __future__ import annotations

import datetime

from markdown_it import MarkdownIt

from pipeline.model.document import Department, Report, Section
from pipeline.render.govspeak import render_govspeak
from pipeline.submission.text import Paragraph, Text
from tests.builders import report_with_notices
from tests.readers import govspeak_outline, reference_sections


def test_every_department_and_section_reads_as_published(real_report: Report) -> None:
    assert govspeak_outline(render_govspeak(real_report)) == reference_sections()


def test_structure_follows_the_publishers_conventions(real_report: Report) -> None:
    text = render_govspeak(real_report)
    assert text.count("\n## ") == 17 and text.count("\n### ") == 85
    assert "\n- undertake a survey to measure the awareness" in text
    assert "Published 16 January 2015" in text


def test_markup_in_submission_text_stays_text() -> None:
    hostile = "%warning% ^info^ @example@ $CTA {barchart} *star* _under_ [x](y) a|b #tag <b> &amp;"
    section = Section("commitments", "Commitments", (Paragraph((Text(hostile),)), Paragraph((Text("- not a list"),))))
    report = Report(
        "t",
        "Title",
        "Strategy",
        1,
        datetime.date(2015, 1, 16),
        "Intro",
        (Department("Department of Health", None, "department-of-health", (section,)),),
    )
    markdown = render_govspeak(report)
    assert govspeak_outline(markdown)["Department of Health"]["Commitments"] == [hostile, "- not a list"]
    assert "bullet_list_open" not in [token.type for token in MarkdownIt("commonmark").parse(markdown)]
    for markup in ("%warning%", "^info^", "@example@", "$CTA", "{barchart}", "*star*", "[x](y)"):
        assert markup not in markdown


def test_notices_are_information_callouts() -> None:
    markdown = render_govspeak(report_with_notices())
    assert "^This action is not applicable to Department of Health. It had no services in 2013.^" in markdown
    assert "## Home Office\n\n^No response received.^" in markdown
