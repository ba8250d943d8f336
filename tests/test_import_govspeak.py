"""Importing govspeak: what the publisher's markup means, and bad govspeak refused with its line."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from pipeline.errors import InvalidInputError
from pipeline.importer import PageOptions, import_page, parse_page

PAGE = Path("page.govspeak")
OPTIONS = PageOptions(strategy="Government Digital Strategy", published=datetime.date(2012, 12, 10))
LABELLED = dataclasses.replace(OPTIONS, commitments_label="December 2012")
# Lines 1-4: the title and the introduction; the first department starts on line 5.
HEAD = "{{DEPARTMENTRESPONSE}}\n#Action 09: Test the pipeline\n{div .section}\nHere's how departments are responding:\n"


def department(name: str, statement: str = "We will do things.", extra: str = "") -> str:
    """Seven lines (and `extra`'s): the block, its ## name, attributes, the statement (one line), the closings."""
    opening = f"{{div .department}}\n##{name}\n{{: .logo-single}}\n"
    return opening + f"{{div .statement}}\n{statement}\n{{/div}}\n{extra}{{/div}}\n"


def page(*departments: str) -> str:
    return HEAD + "".join(departments) + "{navigation}\n{/div}\n"


def problems_of(text: str, options: PageOptions = LABELLED) -> list[tuple[int, str]]:
    with pytest.raises(InvalidInputError) as raised:
        parse_page(text, PAGE, options)
    return [(problem.line, problem.message) for problem in raised.value.problems]


def test_departments_statements_and_the_markup_around_them() -> None:
    imported = parse_page(
        page(
            department("Department for<br>Culture Media<br>& Sport", "In DCMS we will\nlearn *digital* skills."),
            department("Home Office", "- recruit\n- train\n\nA [plan](https://www.gov.uk/plan)."),
        ),
        PAGE,
        LABELLED,
    )
    assert imported.config == {
        "title": "Action 09: Test the pipeline",
        "strategy": "Government Digital Strategy",
        "action": 9,
        "commitments_label": "December 2012",
        "reporting_years": [],
        "published": "2012-12-10",
        "intro": "Here's how departments are responding:",
        "departments": ["Department for Culture Media & Sport", "Home Office"],
    }
    assert imported.submissions == [
        {
            "department": "Department for Culture Media & Sport",
            "commitments": "In DCMS we will learn *digital* skills.\n",
        },
        {"department": "Home Office", "commitments": "- recruit\n- train\n\nA [plan](https://www.gov.uk/plan).\n"},
    ]


@pytest.mark.parametrize(
    "placeholder", ["Coming soon...", "Awaiting DCLG confirmation", "awaiting HMRC's confirmation", "TBC", "To follow."]
)
def test_a_placeholder_is_a_department_that_has_not_answered(placeholder: str) -> None:
    imported = parse_page(page(department("Home Office"), department("Cabinet Office", placeholder)), PAGE, LABELLED)
    assert imported.config["departments"] == ["Home Office", "Cabinet Office"]
    assert [submission["department"] for submission in imported.submissions] == ["Home Office"]
    assert [(warning.line, warning.message) for warning in imported.warnings] == [
        (
            16,
            f'"{placeholder}" stands in for a response: Cabinet Office is imported as not having answered, '
            'and the report shows "No response received."',
        )
    ]


def test_a_statement_that_only_mentions_a_placeholder_is_a_response() -> None:
    imported = parse_page(page(department("Home Office", "Our plans are to follow.")), PAGE, LABELLED)
    assert imported.submissions[0]["commitments"] == "Our plans are to follow.\n" and imported.warnings == []


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "javascript:void", "ftp://files.example.gov.uk/plan", "/government/plan"]
)
def test_a_link_the_pipeline_will_not_publish_is_kept_as_its_text_and_warned_with_its_address(address: str) -> None:
    imported = parse_page(page(department("Home Office", f"We will. [Our plan]({address}) says how.")), PAGE, LABELLED)
    assert imported.submissions[0]["commitments"] == "We will. Our plan says how.\n"
    assert [(warning.line, warning.message) for warning in imported.warnings] == [
        (
            9,
            f'the link "[Our plan]" goes to "{address}", which is not an https, http or mailto address, so it is '
            "kept as its text, not as a link",
        )
    ]


def test_links_the_pipeline_publishes_are_kept() -> None:
    statement = "See [the plan](https://www.gov.uk/plan) or [write](mailto:digital@example.gov.uk)."
    imported = parse_page(page(department("Home Office", statement)), PAGE, LABELLED)
    assert imported.submissions[0]["commitments"] == statement + "\n" and imported.warnings == []


def test_a_statement_may_carry_the_reports_headings() -> None:
    statement = (
        "Departmental digital strategy commitments (December 2012)\nWe will.\n\n"
        "Progress during 2013\nWe did.\n\nPlanned activities in 2014\nWe plan."
    )
    imported = parse_page(page(department("Home Office", statement)), PAGE, OPTIONS)
    assert imported.config["reporting_years"] == [2013]
    assert imported.submissions == [
        {
            "department": "Home Office",
            "commitments": "We will.\n",
            "progress": {2013: "We did.\n"},
            "plans": {2014: "We plan.\n"},
        }
    ]


def test_a_link_with_no_address_is_kept_as_text_and_warned_at_its_line() -> None:
    imported = parse_page(page(department("Home Office", "We will. [Read more »]")), PAGE, LABELLED)
    assert imported.submissions[0]["commitments"] == "We will. \\[Read more »\\]\n"
    assert [(warning.line, warning.message) for warning in imported.warnings] == [
        (9, '"[Read more »]" has no address, so it is kept as text, not as a link')
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEAD
            + "{div .department}\n##Home Office\n{div .statement}\nWe will.\n{/div}\n"
            + department("Cabinet Office"),
            [
                (3, "the block {div .section} opened here is never closed"),
                (5, "the block {div .department} opened here is never closed"),
                (10, "a department block inside another one"),
            ],
        ),
        (
            page("{div .department}\n{div .statement}\nWe will.\n{/div}\n{/div}\n"),
            [(5, "this department block has no heading with the department's name")],
        ),
        (
            page(department("Home Office", extra="{div .statement}\nAgain.\n{/div}\n")),
            [(11, '"Home Office" has a second statement (the first on line 8)')],
        ),
        (
            page(department("Home Office", "We will. {barchart}")),
            [(9, "{barchart} is not a govspeak block this import knows")],
        ),
        (
            page("{div .chart}\n{/div}\n", department("Home Office")),
            [(5, "{div .chart} is not a govspeak block this import knows")],
        ),
        (page(department("Home Office")) + "{/div}\n", [(14, "{/div} closes no block")]),
        (page(department("Home Office"), "Stray text\n"), [(12, "cannot place this line")]),
        (
            page(department("Home Office"), department("Home Office")),
            [(13, 'the department "Home Office" appears twice (line 6)')],
        ),
        (page(department("Home Office", "")), [(8, 'the statement of "Home Office" is empty')]),
        (page("{div .department}\n##Home Office\n{/div}\n"), [(5, '"Home Office" has no statement')]),
    ],
    ids=[
        "unclosed-div",
        "department-without-heading",
        "two-statements",
        "unknown-extension",
        "unknown-block",
        "stray-close",
        "text-outside-a-statement",
        "name-twice",
        "empty-statement",
        "no-statement",
    ],
)
def test_bad_govspeak_is_refused_with_its_line(text: str, expected: list[tuple[int, str]]) -> None:
    assert problems_of(text) == expected


def test_bad_govspeak_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    source = tmp_path / "page.govspeak"
    source.write_text(page(department("Home Office", "We will. {barchart}")), encoding="utf-8")
    with pytest.raises(InvalidInputError):
        import_page(source, root, "2012-action-09", LABELLED)
    assert list(root.iterdir()) == []
    source.write_bytes(page(department("Home Office")).encode("utf-8").replace(b"We will", b"We \xe9ill"))
    with pytest.raises(InvalidInputError) as raised:
        import_page(source, root, "2012-action-09", LABELLED)
    assert [(problem.line, problem.message) for problem in raised.value.problems] == [
        (9, "byte 0xe9 is not valid UTF-8")
    ]
    assert list(root.iterdir()) == []
