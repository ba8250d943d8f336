"""The govspeak export: GOV.UK's Markdown, ready to paste into the publisher."""

from __future__ import annotations

import datetime

from markdown_it import MarkdownIt

from pipeline.document import Department, Paragraph, Report, Section, Text
from pipeline.render.govspeak import render_govspeak
from tests.helpers import normalise, reference_sections, report_with_notices


def _outline(markdown: str) -> dict[str, dict[str, list[str]]]:
    """Department → section → paragraphs and "- " items, as a Markdown reader sees them."""
    outline: dict[str, dict[str, list[str]]] = {}
    department: dict[str, list[str]] = {}
    section: list[str] = []
    tokens = MarkdownIt("commonmark", {"html": False}).parse(markdown)
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        opener = tokens[index - 1]
        text = normalise("".join(child.content for child in token.children or [] if child.type == "text"))
        if opener.tag == "h2":
            department = outline.setdefault(text, {})
        elif opener.tag == "h3":
            section = department.setdefault(text, [])
        elif opener.tag == "p" and department:
            in_list = any(tokens[earlier].type == "list_item_open" for earlier in (index - 2,))
            section.append(f"- {text}" if in_list else text)
    return outline


def test_every_department_and_section_reads_as_published(real_report: Report) -> None:
    assert _outline(render_govspeak(real_report)) == reference_sections()


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
    assert _outline(markdown)["Department of Health"]["Commitments"] == [hostile, "- not a list"]
    assert "bullet_list_open" not in [token.type for token in MarkdownIt("commonmark").parse(markdown)]
    for markup in ("%warning%", "^info^", "@example@", "$CTA", "{barchart}", "*star*", "[x](y)"):
        assert markup not in markdown


def test_notices_are_information_callouts() -> None:
    markdown = render_govspeak(report_with_notices())
    assert "^This action is not applicable to Department of Health. It had no services in 2013.^" in markdown
    assert "## Home Office\n\n^No response received.^" in markdown
