from __future__ import annotations

from pathlib import Path

from pipeline.check.validate import check_cycle
from pipeline.model.assemble import build_report
from pipeline.model.document import NO_RESPONSE, Report
from pipeline.names import slugify
from pipeline.read.source import read_cycle
from pipeline.submission.markup import parse_markup
from pipeline.submission.text import BulletList, Emphasis, Link, Notice, Paragraph, Text, plain_text
from tests.builders import submission, write_cycle


def test_real_report_has_17_departments_of_5_sections(real_report: Report) -> None:
    assert len(real_report.departments) == 17
    assert {len(department.sections) for department in real_report.departments} == {5}
    assert [section.field for section in real_report.departments[0].sections] == [
        "commitments",
        "progress.2013",
        "plans.2014",
        "progress.2014",
        "plans.2015",
    ]
    assert real_report.departments[0].name == "The Attorney General’s Office"
    assert real_report.departments[0].short_name == "AGO"
    assert real_report.departments[1].short_name is None


def test_real_report_keeps_bullet_lists(real_report: Report) -> None:
    education = next(d for d in real_report.departments if d.short_name == "DfE")
    plans = education.sections[-1]
    assert plans.heading == "Planned activities in 2015"
    paragraph, bullets = plans.blocks
    assert paragraph == Paragraph((Text("DfE will:"),))
    assert isinstance(bullets, BulletList) and len(bullets.items) == 3
    assert plain_text(bullets.items[1]) == "hold a digital learning month in February"


def test_markup_subset() -> None:
    blocks, problems = parse_markup(
        "One *two* **three** [GOV.UK](https://www.gov.uk/).\nSame paragraph.\n\n- a\n- [b](mailto:x@example.gov.uk)\n"
    )
    assert problems == []
    assert blocks == (
        Paragraph(
            (
                Text("One "),
                Emphasis((Text("two"),)),
                Text(" "),
                Emphasis((Text("three"),), strong=True),
                Text(" "),
                Link("https://www.gov.uk/", (Text("GOV.UK"),)),
                Text(". Same paragraph."),
            )
        ),
        BulletList(((Text("a"),), (Link("mailto:x@example.gov.uk", (Text("b"),)),))),
    )


def test_html_and_other_markdown_stay_literal_text() -> None:
    text = "<script>alert(1)</script> {{ 7*7 }} {% if x %}\n\n# not a heading\n\n`code` > quote"
    blocks, problems = parse_markup(text)
    assert problems == []
    assert [plain_text(block.inlines) for block in blocks] == [
        "<script>alert(1)</script> {{ 7*7 }} {% if x %}",
        "# not a heading",
        "`code` > quote",
    ]


def test_images_are_refused() -> None:
    blocks, problems = parse_markup("See ![the chart](https://x.test/chart.png).")
    assert [(problem.message, problem.hint) for problem in problems] == [
        ("images are not allowed", "describe it in words, or link to it: [description](https://…)")
    ]
    assert blocks == (Paragraph((Text("See the chart."),)),)


def test_unsupported_lists_and_links_are_problems() -> None:
    _, problems = parse_markup("- a\n  - nested\n\n1. numbered\n\n[x](file:///etc/passwd) [y](data:text/html,hi)")
    assert [(problem.line_offset, problem.message) for problem in problems] == [
        (1, "numbered and nested lists are not supported"),
        (3, "numbered and nested lists are not supported"),
        (3, "a bullet list with only one item"),
        (5, 'link to "file:///etc/passwd" is not allowed'),
        (5, 'link to "data:text/html,hi" is not allowed'),
    ]


def test_slugs_are_ascii_and_stable() -> None:
    assert slugify("Her Majesty’s Treasury") == "her-majestys-treasury"
    assert slugify("Department for Business, Innovation and Skills") == (
        "department-for-business-innovation-and-skills"
    )
    assert slugify("’’") == "untitled"


def test_missing_and_not_applicable_responses_become_notices(tmp_path: Path) -> None:
    na = {"not_applicable": "The department had no digital services in 2013."}
    folder = write_cycle(tmp_path, {"health.yaml": submission(progress={2013: na, 2014: "We did more."})})
    checked, _ = check_cycle(read_cycle(folder.parent, folder.name))
    report = build_report(checked)
    health, home = report.departments
    assert health.sections[1].blocks == (
        Notice("This action is not applicable to Department of Health.", na["not_applicable"]),
    )
    assert (home.name, home.sections, home.notice) == ("Home Office", (), NO_RESPONSE)
