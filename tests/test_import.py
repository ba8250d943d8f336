"""`python -m pipeline import`: a published page's plain text becomes a cycle's submissions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import pipeline.importer.writing as importer_writing
from pipeline.cli import main
from pipeline.commands import command
from pipeline.document import BulletList, Paragraph, plain_text
from pipeline.errors import InvalidInputError, PipelineError, Problem
from pipeline.importer import PageOptions, import_page, parse_page, read_page, report_yaml, submission_yaml
from pipeline.markup import parse_markup
from pipeline.model import build_report
from pipeline.render import render
from pipeline.source import read_cycle
from pipeline.validate import check_cycle
from tests.helpers import PROJECT, REAL_CYCLE, REFERENCE, SUBMISSIONS, html_outline, normalise, reference_sections

PAGE = Path("page.txt")
TITLE = "Action 9: test the pipeline"
INTRO = (
    "This action forms part of the Government Digital Strategy. Here’s how departments are responding to this action:"
)
HEADER = [TITLE, "Updated 16 January 2015", TITLE, INTRO]
COMMITMENTS = "Departmental digital strategy commitments (December 2012)"
ORDER = (
    'each department\'s sections come in this order: "Departmental digital strategy commitments (December 2012)", '
    '"Progress during 2013", "Planned activities in 2014", "Progress during 2014", "Planned activities in 2015"'
)


def response(name: str) -> list[str]:
    """One department's part of a page, canonical: its name, then five headings, each with a line of text."""
    return [
        name,
        COMMITMENTS,
        "We will do things.",
        "Progress during 2013",
        "We did some things.",
        "Planned activities in 2014",
        "We plan things.",
        "Progress during 2014",
        "We did more things.",
        "Planned activities in 2015",
        "We plan more things.",
    ]


def page(*parts: list[str], header: list[str] = HEADER) -> str:
    """A page: the header (lines 1-4), then each department (the first one's name on line 5)."""
    return "\n".join([*header, *(line for part in parts for line in part)]) + "\n"


def expected(name: str, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "department": name,
        "commitments": "We will do things.\n",
        "progress": {2013: "We did some things.\n", 2014: "We did more things.\n"},
        "plans": {2014: "We plan things.\n", 2015: "We plan more things.\n"},
    }
    data.update(changes)
    return data


def problems_of(text: str, **options: Any) -> list[tuple[int, str]]:
    with pytest.raises(InvalidInputError) as raised:
        parse_page(text, PAGE, PageOptions(**options))
    return [(problem.line, problem.message) for problem in raised.value.problems]


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# The real report ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    folder, _, warnings = import_page(REFERENCE, root, REAL_CYCLE)
    assert warnings == []
    assert folder == root / REAL_CYCLE
    return root


def _comparable(problems: list[Problem]) -> list[tuple[str, str, str, str]]:
    return [(problem.file.name, problem.field, problem.message, problem.severity.value) for problem in problems]


def test_the_imported_report_validates_and_renders_the_published_text(imported_root: Path) -> None:
    checked, problems = check_cycle(read_cycle(imported_root, REAL_CYCLE))
    _, checked_in_problems = check_cycle(read_cycle(SUBMISSIONS, REAL_CYCLE))
    assert checked is not None
    assert _comparable(problems) == _comparable(checked_in_problems)
    outline = html_outline(render(build_report(checked), "html").decode("utf-8"))
    reference = reference_sections()
    assert list(outline) == list(reference)
    assert sum(len(sections) for sections in outline.values()) == 17 * 5
    for department, sections in reference.items():
        assert list(outline[department]) == list(sections)
        for heading, texts in sections.items():
            assert [normalise(text) for text in outline[department][heading]] == [normalise(text) for text in texts]


def test_the_imported_data_equals_the_hand_transcription(imported_root: Path) -> None:
    imported, checked_in = imported_root / REAL_CYCLE, SUBMISSIONS / REAL_CYCLE
    names = sorted(path.name for path in checked_in.glob("*.yaml"))
    assert sorted(path.name for path in imported.glob("*.yaml")) == names
    for name in names:
        ours = yaml.safe_load((imported / name).read_text(encoding="utf-8"))
        theirs = yaml.safe_load((checked_in / name).read_text(encoding="utf-8"))
        theirs.pop("short_name", None)
        assert ours == theirs, name


def test_the_imported_files_point_editors_at_the_schemas(imported_root: Path) -> None:
    folder = imported_root / REAL_CYCLE
    for path in folder.glob("*.yaml"):
        schema = "report" if path.name == "report.yaml" else "submission"
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"# yaml-language-server: $schema=../{schema}.schema.json\n")
    health = (folder / "department-of-health.yaml").read_text(encoding="utf-8")
    assert 'department: "Department of Health"\ncommitments: |\n  The Department of Health (DH) will' in health
    assert "  2013: |\n    DH has created" in health
    assert "short_name" not in yaml.safe_load(health)


def test_every_line_of_the_reference_is_placed() -> None:
    """Nothing left over: every line is the title, date, intro, a name, a heading or section text."""
    imported = read_page(REFERENCE)
    lines = [line for line in REFERENCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [
        text
        for submission in imported.submissions
        for text in [submission["commitments"], *submission["progress"].values(), *submission["plans"].values()]
    ]
    placed = sum(len([line for line in text.split("\n") if line]) for text in texts)
    # title twice, date, intro; a name, five headings (one with its text fused) per department
    assert placed + 4 + 17 * 6 - 1 == len(lines)


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


# Strategy, action and date: from the page, or the command line --------------------------


def test_options_fill_in_what_the_page_does_not_say() -> None:
    header = ["Digital capability across departments", "Here is how departments are responding:"]
    text = page(response("Home Office"), header=header)
    assert problems_of(text) == [
        (1, "the page does not say the strategy"),
        (1, "the page does not say the action's number"),
        (2, "the page does not say the publication date"),
    ]
    import datetime

    imported = parse_page(
        text, PAGE, PageOptions(strategy="Government Digital Strategy", action=4, published=datetime.date(2015, 1, 16))
    )
    assert (imported.config["strategy"], imported.config["action"], imported.config["published"]) == (
        "Government Digital Strategy",
        4,
        "2015-01-16",
    )


def test_an_option_that_contradicts_the_page() -> None:
    assert problems_of(page(response("Home Office")), action=4) == [
        (1, "the page says the action's number is 9, but --action says 4")
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
        (9, "invisible vertical tab (U+000B) in the text")
    ]


# YAML that reads back as written ---------------------------------------------------------

TRICKY = [
    "Home Office: the review",
    "He said \"yes\" and 'no'",
    "- not a list item",
    "# not a comment",
    "trailing spaces   ",
    "   leading spaces",
    "no",
    "yes",
    "2014",
    "2015-01-16",
    "12:30",
    "null",
    "~",
    "Her Majesty’s Treasury",
    "tab\tinside",
    "&anchor *alias !tag %directive @at `tick`",
    "{flow: mapping} [flow, list]",
    "text | and > folded",
    "ends with a colon:",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_reads_back_exactly(text: str) -> None:
    submission = {
        "department": text,
        "commitments": text,
        "progress": {2013: text + "\n", 2014: f"{text}\n\n- {text}\n- two\n"},
        "plans": {2014: f"\n{text}\n\n", 2015: text + "\n" + text},
    }
    config = {"action": 4, "strategy": text}
    assert yaml.safe_load(submission_yaml(submission, config, PAGE)) == submission
    report = {
        "title": text,
        "strategy": text,
        "action": 4,
        "commitments_label": text,
        "reporting_years": [2013, 2014],
        "published": "2015-01-16",
        "intro": text,
        "departments": [text, "Home Office"],
    }
    assert yaml.safe_load(report_yaml(report, PAGE)) == report


def test_section_text_is_written_as_a_block() -> None:
    submission = expected("Home Office", commitments="We will:\n\n- one\n- two\n")
    text = submission_yaml(submission, {"action": 4, "strategy": "Government Digital Strategy"}, PAGE)
    assert 'department: "Home Office"\ncommitments: |\n  We will:\n\n  - one\n  - two\nprogress:\n' in text
    assert "  2013: |\n    We did some things.\n" in text


# Writing: all or nothing, never over an existing cycle ----------------------------------


def _page_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_import_writes_the_cycle(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    folder, imported, warnings = import_page(_page_file(tmp_path, page(response("Home Office"))), root, "new")
    assert warnings == []
    assert listing(root) == ["new", "new/home-office.yaml", "new/report.yaml"]
    assert yaml.safe_load((folder / "home-office.yaml").read_text(encoding="utf-8")) == expected("Home Office")
    assert imported.config["departments"] == ["Home Office"]


def test_an_existing_cycle_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    (root / "new").mkdir(parents=True)
    (root / "new" / "notes.txt").write_text("keep me")
    with pytest.raises(PipelineError, match=r"new already exists: an import never overwrites a cycle"):
        import_page(_page_file(tmp_path, page(response("Home Office"))), root, "new")
    assert listing(root) == ["new", "new/notes.txt"]
    assert (root / "new" / "notes.txt").read_text() == "keep me"


def test_an_unparseable_page_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    (root / "other").mkdir()
    with pytest.raises(InvalidInputError):
        import_page(_page_file(tmp_path, page(response("Home Office")[:9])), root, "new")
    assert listing(root) == ["other"]


def test_a_cycle_that_fails_validation_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline's own checks have the last word; a file they reject leaves no trace."""
    root = tmp_path / "submissions"
    root.mkdir()
    original = importer_writing.submission_yaml
    monkeypatch.setattr(importer_writing, "submission_yaml", lambda *args: original(*args) + "progess: typo\n")
    with pytest.raises(InvalidInputError) as raised:
        import_page(_page_file(tmp_path, page(response("Home Office"))), root, "new")
    problems = raised.value.problems
    assert problems[0].message == (
        f"the cycle imported from this page does not pass the pipeline's checks, so {root / 'new'} was not written"
    )
    assert [(problem.file, problem.message) for problem in problems[1:]] == [
        (root / "new" / "home-office.yaml", "unknown key")
    ]
    assert listing(root) == []


def test_a_failure_while_writing_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "submissions"
    root.mkdir()

    def disk_full(*args: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer_writing, "check_cycle", disk_full)
    with pytest.raises(OSError):
        import_page(_page_file(tmp_path, page(response("Home Office"))), root, "new")
    assert listing(root) == []


@pytest.mark.parametrize("cycle", ["../elsewhere", ".hidden", "a/b", ""])
def test_a_cycle_name_that_is_a_path_is_refused(tmp_path: Path, cycle: str) -> None:
    with pytest.raises(PipelineError, match="is not a cycle name"):
        import_page(_page_file(tmp_path, page(response("Home Office"))), tmp_path, cycle)
    assert listing(tmp_path) == ["page.txt"]


# The command line -------------------------------------------------------------------------


def test_cli_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    path = _page_file(tmp_path, page(response("Cabinet Office"), response("Home Office")))
    assert main(["import", str(path), "--cycle", "new", "--submissions", str(root)]) == 0
    output = capsys.readouterr()
    assert output.out == (
        f"wrote {root / 'new'}: report.yaml and 2 department files\n"
        f"check it against the page, then build it: {command('build', '--cycle', 'new')}\n"
    )
    assert output.err == ""
    assert main(["validate", str(root / "new")]) == 0


def test_cli_reports_problems_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    path = _page_file(tmp_path, page(response("Home Office")[:9]))
    assert main(["import", str(path), "--cycle", "new", "--submissions", str(root)]) == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert output.err == (
        f'{path}:5:1: error: "Home Office" has no section "Planned activities in 2015"\n'
        '    hint: add the heading "Planned activities in 2015" and the department\'s text for it after '
        '"Progress during 2014" (line 12)\n'
        f"nothing was written to {root}\n"
    )
    assert listing(root) == []


def test_cli_refuses_an_existing_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _page_file(tmp_path, page(response("Home Office")))
    assert main(["import", str(path), "--cycle", REAL_CYCLE, "--submissions", str(SUBMISSIONS)]) == 1
    assert capsys.readouterr().err == (
        f"error: {SUBMISSIONS / REAL_CYCLE} already exists: an import never overwrites a cycle; "
        "choose another --cycle, or move it aside\n"
    )
    assert not [path for path in SUBMISSIONS.iterdir() if path.name.startswith(".import-")]


def test_cli_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    path = _page_file(tmp_path, page(response("Home Office"), header=["Digital capability", "Introduction."]))
    common = ["import", str(path), "--cycle", "new", "--submissions", str(root)]
    assert main([*common, "--published", "16/01/2015"]) == 1
    assert capsys.readouterr().err == "error: --published 16/01/2015: write the date as YYYY-MM-DD\n"
    options = ["--strategy", "Government Digital Strategy", "--action", "4", "--published", "2015-01-16"]
    assert main([*common, *options]) == 0
    config = yaml.safe_load((root / "new" / "report.yaml").read_text(encoding="utf-8"))
    assert (config["strategy"], config["action"], config["published"]) == (
        "Government Digital Strategy",
        4,
        "2015-01-16",
    )


def test_cli_runs_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(b"\xff\xfe not text")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "import", str(path), "--cycle", "new", "--submissions", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:1:1: error: file is saved as UTF-16, not UTF-8\n")
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["page.txt"]
