"""Reading a published page's plain text (`pipeline.importer.text_page`): the slips it reads as what
they meant, and every problem with its line and its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InvalidInputError
from pipeline.importer import parse_page, read_page
from pipeline.submission.markup import parse_markup
from pipeline.submission.text import BulletList, Paragraph, plain_text
from tests.importing import HEADER, INTRO, PAGE, TITLE, expected, page, problems_of, response

ORDER = (
    'each department\'s sections come in this order: "Departmental digital strategy commitments (December 2012)", '
    '"Progress during 2013", "Planned activities in 2014", "Progress during 2014", "Planned activities in 2015"'
)


# The published slips ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "line"),
    [
        (7, "Progress in 2014"),
        (7, "PROGRESS DURING 2014"),
        (3, "progress in 2013"),
        (9, "Planned Activities in 2015"),
        (5, "planned activities IN 2014"),
        (3, "## Progress during 2013"),
        (9, "###Planned activities in 2015"),
        (1, "### Departmental digital strategy commitments (December 2012)"),
        (1, "Departmental Digital Strategy Commitments (December 2012):"),
    ],
)
def test_heading_slips_are_read_as_the_canonical_heading(index: int, line: str) -> None:
    lines = response("Home Office")
    lines[index] = line
    imported = parse_page(page(response("Cabinet Office"), lines), PAGE)
    assert imported.submissions == [expected("Cabinet Office"), expected("Home Office")]
    assert imported.config["reporting_years"] == [2013, 2014]
    assert imported.config["commitments_label"] == "December 2012"


@pytest.mark.parametrize(
    "fused",
    [
        "###Departmental digital strategy commitments (December 2012)We will do things.",
        "###Departmental digital strategy commitments (December 2012) We will do things.",
        "Departmental digital strategy commitments (December 2012)We will do things.",
    ],
)
def test_a_heading_fused_with_its_text(fused: str) -> None:
    lines = response("Home Office")
    lines[1:3] = [fused]
    assert parse_page(page(lines), PAGE).submissions == [expected("Home Office")]


def test_a_year_heading_fused_with_its_text() -> None:
    lines = response("Home Office")
    lines[7:9] = ["Progress during 2014We did more things."]
    lines[3:5] = ["###Progress during 2013We did some things."]
    assert parse_page(page(lines), PAGE).submissions == [expected("Home Office")]


def test_a_sentence_that_starts_like_a_heading_is_text() -> None:
    lines = response("Home Office")
    lines.insert(5, "Progress during 2013 was slower than planned.")
    data = parse_page(page(lines), PAGE).submissions[0]
    assert data["progress"][2013] == "We did some things.\n\nProgress during 2013 was slower than planned.\n"


@pytest.mark.parametrize("line", ["Home Office’s", "Home Office's", "## Home Office", "  Home Office  "])
def test_department_line_slips(line: str) -> None:
    lines = response("Home Office")
    lines[0] = line
    imported = parse_page(page(response("Cabinet Office"), lines), PAGE)
    assert imported.config["departments"] == ["Cabinet Office", "Home Office"]
    assert imported.submissions[1]["department"] == "Home Office"


def test_a_possessive_inside_a_name_is_kept() -> None:
    imported = parse_page(page(response("The Attorney General’s Office")), PAGE)
    assert imported.config["departments"] == ["The Attorney General’s Office"]


def test_the_config_comes_from_the_page() -> None:
    imported = parse_page(page(response("Cabinet Office"), response("Home Office")), PAGE)
    assert imported.config == {
        "title": TITLE,
        "strategy": "Government Digital Strategy",
        "action": 9,
        "commitments_label": "December 2012",
        "reporting_years": [2013, 2014],
        "published": "2015-01-16",
        "intro": INTRO,
        "departments": ["Cabinet Office", "Home Office"],
    }


def test_years_and_label_follow_the_headings() -> None:
    lines = [
        "Home Office",
        "Departmental digital strategy commitments (March 2016)",
        "We will.",
        "Progress during 2016",
        "We did.",
        "Planned activities in 2017",
        "We plan.",
    ]
    imported = parse_page(page(lines), PAGE)
    assert imported.config["reporting_years"] == [2016]
    assert imported.config["commitments_label"] == "March 2016"
    assert imported.submissions[0] == {
        "department": "Home Office",
        "commitments": "We will.\n",
        "progress": {2016: "We did.\n"},
        "plans": {2017: "We plan.\n"},
    }


def test_paragraphs_and_bullets_keep_their_shape() -> None:
    lines = response("Home Office")
    lines[10:11] = ["We will:", "- one", "- two", "Then more.", "", "  - three  ", "And the end."]
    data = parse_page(page(lines), PAGE).submissions[0]
    assert data["plans"][2015] == "We will:\n\n- one\n- two\n\nThen more.\n\n- three\n\nAnd the end.\n"


def test_page_text_that_looks_like_markup_is_published_as_written() -> None:
    literal = [
        "*not emphasis* and **not strong** and snake_case",
        "[not a link](https://example.com) ![not an image](x.png)",
        "2014. A number that is not a numbered list",
        "1) nor this",
        "+ not a bullet",
        "back\\slash and <b>tags</b> and &amp;",
        "#digital is a hashtag",
    ]
    lines = response("Home Office")
    lines[10:11] = ["The list:", "- - not nested", "- 3. not numbered"]
    lines[4:5] = literal
    data = parse_page(page(lines), PAGE).submissions[0]
    blocks, problems = parse_markup(data["progress"][2013])
    assert problems == []
    assert [plain_text(block.inlines) for block in blocks if isinstance(block, Paragraph)] == literal
    blocks, problems = parse_markup(data["plans"][2015])
    assert [plain_text(item) for item in blocks[1].items if isinstance(blocks[1], BulletList)] == [
        "- not nested",
        "3. not numbered",
    ]


def test_a_department_whose_every_section_is_a_placeholder_has_not_answered() -> None:
    waiting = [line if index % 2 else "Coming soon..." for index, line in enumerate(response("Cabinet Office"))]
    waiting[0] = "Cabinet Office"
    imported = parse_page(page(response("Home Office"), waiting), PAGE)
    assert imported.config["departments"] == ["Home Office", "Cabinet Office"]
    assert [submission["department"] for submission in imported.submissions] == ["Home Office"]
    assert [(warning.line, warning.message) for warning in imported.warnings] == [
        (
            17,
            '"Coming soon..." stands in for a response: Cabinet Office is imported as not having answered, '
            'and the report shows "No response received."',
        )
    ]


def test_crlf_line_endings_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(b"\xef\xbb\xbf" + page(response("Home Office")).replace("\n", "\r\n").encode("utf-8"))
    imported = read_page(path)
    assert imported.submissions == [expected("Home Office")]
    assert [(problem.line, problem.message, problem.severity.value) for problem in imported.warnings] == [
        (1, "file starts with a byte-order mark (BOM); it was ignored", "warning")
    ]


# Errors: what, where, and how to fix it --------------------------------------------------


def test_the_message_names_the_file_line_and_fix() -> None:
    lines = response("Home Office")
    lines[9] = "Progress during 2015"
    with pytest.raises(InvalidInputError) as raised:
        parse_page(page(response("Cabinet Office"), lines), PAGE)
    assert str(raised.value) == (
        'page.txt:25:1: error: "Progress during 2015" is out of order: expected "Planned activities in 2015" here\n'
        f"    hint: {ORDER}"
    )


def test_without_a_complete_department_each_year_follows_the_one_before() -> None:
    lines = response("Home Office")
    lines[7] = "Progress during 2015"
    with pytest.raises(InvalidInputError) as raised:
        parse_page(page(lines), PAGE)
    assert str(raised.value) == (
        'page.txt:12:1: error: "Progress during 2015" is out of order: expected "Progress during 2014" here\n'
        "    hint: each department's sections come in this order: \"Departmental digital strategy commitments "
        '(December 2012)", then for each year Y reported on "Progress during Y" and "Planned activities in Y+1"'
    )
    # Every department with its commitments only is the first year of an action, not a gap.
    first_year = parse_page(page(response("Home Office")[:3], response("Cabinet Office")[:3]), PAGE)
    assert first_year.config["reporting_years"] == []
    assert first_year.submissions == [
        {"department": "Home Office", "commitments": "We will do things.\n"},
        {"department": "Cabinet Office", "commitments": "We will do things.\n"},
    ]
    # One department with only its commitments, among those reporting on years, has a gap.
    assert problems_of(page(response("Cabinet Office"), response("Home Office")[:3])) == [
        (16, '"Home Office" has no section "Progress during 2013"')
    ]


def test_an_empty_page() -> None:
    assert problems_of("") == [(1, "the page is empty")]
    assert problems_of("\n  \n\n") == [(1, "the page is empty")]


def test_no_title() -> None:
    assert problems_of("\n".join(response("Home Office"))) == [
        (1, 'the page has no title: it starts with the first department ("Home Office", line 1)')
    ]


def test_no_department() -> None:
    assert problems_of(page(["Some text.", "Progress during 2013", "More text."])) == [
        (1, "no department found: the page has no commitments heading")
    ]


def test_no_introduction() -> None:
    assert problems_of(page(response("Home Office"), header=[TITLE, "Updated 16 January 2015"])) == [
        (1, "the page does not say the strategy"),
        (3, "the page has no introduction before the first department"),
    ]


def test_text_before_the_first_department_cannot_be_placed() -> None:
    assert problems_of(page(response("Home Office"), header=[*HEADER, "A stray paragraph", "Another"])) == [
        (5, 'cannot place this line: it comes before the first department ("Home Office", line 7)'),
        (6, 'cannot place this line: it comes before the first department ("Home Office", line 7)'),
    ]


def test_text_between_a_name_and_its_commitments_heading() -> None:
    lines = response("Home Office")
    lines.insert(1, "The department said this first.")
    assert problems_of(page(response("Cabinet Office"), lines)) == [
        (
            17,
            '"The department said this first." is not a department name, but it is on the line before '
            '"Departmental digital strategy commitments (December 2012)", where the department\'s name must be',
        )
    ]


def test_a_missing_name_takes_the_line_before() -> None:
    lines = response("Home Office")
    del lines[0]
    assert problems_of(page(response("Cabinet Office"), lines)) == [
        (14, 'the section "Planned activities in 2015" of "Cabinet Office" has no text'),
        (
            15,
            '"We plan more things." is not a department name, but it is on the line before '
            '"Departmental digital strategy commitments (December 2012)", where the department\'s name must be',
        ),
    ]


def test_a_commitments_heading_without_a_name() -> None:
    first = response("Cabinet Office")
    del first[-1]
    lines = response("Home Office")
    del lines[0]
    assert problems_of(page(first, lines)) == [
        (14, 'the section "Planned activities in 2015" of "Cabinet Office" has no text'),
        (15, 'no department name before "Departmental digital strategy commitments (December 2012)"'),
    ]


def test_a_heading_out_of_order() -> None:
    lines = response("Home Office")
    lines[3], lines[5] = lines[5], lines[3]
    assert problems_of(page(response("Cabinet Office"), lines)) == [
        (19, '"Planned activities in 2014" is out of order: expected "Progress during 2013" here')
    ]


def test_a_wrong_year() -> None:
    lines = response("Home Office")
    lines[5] = "Planned activities in 2015"
    assert problems_of(page(response("Cabinet Office"), lines, response("Ministry of Justice"))) == [
        (21, '"Planned activities in 2015" is out of order: expected "Planned activities in 2014" here')
    ]


def test_a_department_missing_its_last_sections() -> None:
    lines = response("Home Office")[:7]
    assert problems_of(page(lines, response("Cabinet Office"))) == [
        (5, '"Home Office" has no section "Progress during 2014"')
    ]


def test_a_department_missing_a_middle_section() -> None:
    lines = response("Home Office")
    del lines[5:7]
    with pytest.raises(InvalidInputError) as raised:
        parse_page(page(response("Cabinet Office"), lines), PAGE)
    assert [(problem.line, problem.message, problem.hint) for problem in raised.value.problems] == [
        (
            16,
            '"Home Office" has no section "Planned activities in 2014"',
            'add the heading "Planned activities in 2014" and the department\'s text for it after '
            '"Progress during 2013" (line 19)',
        )
    ]


def test_a_section_repeated_at_the_end() -> None:
    lines = [*response("Home Office"), "Planned activities in 2015", "Again."]
    assert problems_of(page(response("Cabinet Office"), lines)) == [
        (27, '"Planned activities in 2015" is out of order: "Home Office" has all its sections before it')
    ]


def test_a_section_with_no_text() -> None:
    lines = response("Home Office")
    del lines[4]
    assert problems_of(page(lines)) == [(8, 'the section "Progress during 2013" of "Home Office" has no text')]


def test_a_department_twice() -> None:
    assert problems_of(page(response("Home Office"), response("Home office"))) == [
        (16, 'the department "Home office" has the same file name as "Home Office" (line 5)')
    ]
    assert problems_of(page(response("Home Office"), response("Home Office"))) == [
        (16, 'the department "Home Office" appears twice (line 5)')
    ]


def test_a_heading_the_report_does_not_have() -> None:
    lines = response("Home Office")
    lines.insert(5, "## Challenges in 2013")
    assert problems_of(page(lines)) == [
        (10, '"## Challenges in 2013" is marked as a heading but is not one of the report\'s')
    ]


def test_commitments_headings_that_disagree() -> None:
    lines = response("Home Office")
    lines[1] = "Departmental digital strategy commitments (January 2013)"
    assert problems_of(page(response("Cabinet Office"), lines)) == [
        (17, 'this commitments heading says "(January 2013)", the first one "(December 2012)" (line 6)')
    ]


def test_a_date_that_is_not_one() -> None:
    header = [TITLE, "Updated 31 February 2015", INTRO]
    assert problems_of(page(response("Home Office"), header=header)) == [
        (2, '"Updated 31 February 2015" is not a date'),
    ]


def test_every_problem_at_once() -> None:
    first = response("Cabinet Office")
    first[3] = "Progress during 2015"
    second = response("Home Office")
    del second[4]
    assert problems_of(page(first, second, header=[TITLE, INTRO, "Stray."])) == [
        (2, "the page does not say the publication date"),
        (3, 'cannot place this line: it comes before the first department ("Cabinet Office", line 4)'),
        (7, '"Progress during 2015" is out of order: expected "Progress during 2013" here'),
        (18, 'the section "Progress during 2013" of "Home Office" has no text'),
    ]


def test_a_page_not_saved_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(page(response("Home Office")).encode("utf-8").replace(b"We plan things.", b"We plan \xe9things."))
    with pytest.raises(InvalidInputError) as raised:
        read_page(path)
    assert str(raised.value) == (
        f"{path}:11:9: error: byte 0xe9 is not valid UTF-8\n"
        "    hint: save the file as UTF-8 (in most editors: Save As, then choose the encoding UTF-8)"
    )


def test_a_control_character(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(page(response("Home Office")).replace("We did some", "We did\x0bsome"), encoding="utf-8")
    with pytest.raises(InvalidInputError) as raised:
        read_page(path)
    assert [(problem.line, problem.message) for problem in raised.value.problems] == [
        (9, "a vertical tab (U+000B): an invisible control character")
    ]
