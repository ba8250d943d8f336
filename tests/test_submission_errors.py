"""Every kind of mistake a department can make in its file, one fixture each, with the
exact message it gets. Fixtures: tests/fixtures/cases/<case>.yaml, checked against the
report.yaml beside them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.check.validate import check_config, check_submission
from pipeline.errors import Problem
from pipeline.read.yaml_file import SourceFile, load_yaml
from pipeline.submission.schema import ReportConfig

CASES = Path(__file__).parent / "fixtures" / "cases"

EXPECTED = {
    "byte-order-mark": [
        "1:1: warning: file starts with a byte-order mark (BOM); it was ignored\n    hint: save the file as UTF-8 without BOM",
    ],
    "control-character": [
        "4:20: error: progress.2013: a vertical tab (U+000B): an invisible control character\n    hint: delete it: it often comes with text pasted from a word processor",
    ],
    "department-missing": [
        '2:1: error: department: required key is missing\n    hint: add "department:" — the department\'s name, exactly as listed in report.yaml',
    ],
    "department-not-expected": [
        '1:13: error: department: "Departmnt of Health" is not a department expected in this report\n    hint: did you mean "Department of Health"?',
    ],
    "duplicate-key": [
        "3:1: error: commitments: key appears twice (first on line 2)\n    hint: remove one of them: YAML would silently keep only the last",
    ],
    "empty-section": [
        '4:9: error: progress.2013: section "Progress during 2013" is empty\n    hint: write the department\'s response here, or not_applicable: with the reason it does not apply',
    ],
    "http-link": [
        '5:1: warning: progress.2013: link to "http://example.gov.uk/plan" is not secure (http)\n    hint: use the https:// address if the site has one',
    ],
    "javascript-link": [
        '5:1: error: progress.2013: link to "javascript:alert(1)" is not allowed\n    hint: links must start with https://, http:// or mailto:',
    ],
    "long-section": [
        "5:9: warning: progress.2014: section is 450 words, much longer than the others (typically 4)\n    hint: this report summarises: keep to the main points and link to the detail",
    ],
    "missing-section": [
        '7:3: error: plans.2015: section "Planned activities in 2015" is missing\n    hint: add "2015: |" under "plans:", followed by the text indented below it',
    ],
    "nested-list": [
        '10:1: error: plans.2015: numbered and nested lists are not supported\n    hint: start each item at the left margin with "- "',
    ],
    "not-a-mapping": [
        '1:1: error: the file must be a mapping of keys, not a list\n    hint: start with "department: <name>", then commitments:, progress: and plans:',
    ],
    "not-applicable-misspelt": [
        '8:5: error: plans.2014.not_aplicable: unknown key\n    hint: did you mean "not_applicable"? What it holds has been checked as not_applicable',
    ],
    "not-applicable-without-reason": [
        "8:21: error: plans.2014.not_applicable: must not be empty\n    hint: write the reason this section does not apply",
    ],
    "not-applicable": [],
    "not-utf8": [
        "8:24: error: byte 0xe9 is not valid UTF-8\n    hint: save the file as UTF-8 (in most editors: Save As, then choose the encoding UTF-8)",
    ],
    "progress-not-a-mapping": [
        '3:11: error: progress: must hold its years, each on a line of its own below it such as "2014: |", not text\n    hint: put each year the report asks for on its own line below "progress:", indented, such as "2014: |", followed by its text',
    ],
    "python-tag": [
        "1:13: error: department: the tag !!python/object/apply:os.system is not allowed\n    hint: remove it: a submission holds plain text, lists and mappings only",
    ],
    "section-is-a-list": [
        '3:3: error: commitments: must be text, or not_applicable: with a reason, not a list\n    hint: put "|" after "commitments:", so that the "- " lines below it are the section\'s text',
    ],
    "single-item-list": [
        "11:1: warning: plans.2015: a bullet list with only one item\n    hint: write it as a sentence, or add the other items",
    ],
    "syntax-error": [
        "3:9: error: YAML syntax error: did not find expected ',' or ']'\n    hint: check the indentation and quoting on this line and the one before",
    ],
    "tab-indentation": [
        "5:1: error: progress.2014: a tab is used for indentation\n    hint: YAML indents with spaces only: replace each tab with two spaces",
    ],
    "unknown-key": [
        '3:1: error: progess: unknown key\n    hint: did you mean "progress"? What it holds has been checked as progress',
    ],
    "utf16": [
        "1:1: error: file is saved as UTF-16, not UTF-8\n    hint: save the file as UTF-8 (in most editors: Save As, then choose the encoding UTF-8)",
    ],
    "valid": [],
    "yaml-date-read-as-date": [
        '7:9: error: plans.2014: YAML reads 2014-03-01 as a date, not as text\n    hint: put it in quotes ("2014-03-01"), or write the text on the lines after "|"',
    ],
    "yaml-no-read-as-false": [
        '2:14: error: commitments: YAML reads no as false, not as text\n    hint: put it in quotes ("no"), or write the text on the lines after "|"',
    ],
    "yaml-number-read-as-number": [
        '4:9: error: progress.2013: YAML reads 12 as a number, not as text\n    hint: put it in quotes ("12"), or write the text on the lines after "|"',
    ],
    "vague-link-text": [
        '3:1: warning: commitments: link text "Read more »" does not say where it goes\n    hint: name what it links to, e.g. [the department\'s digital strategy](https://…)',
    ],
    "year-in-quotes": [
        '5:3: error: progress.2014: the year "2014" is in quotes\n    hint: remove the quotes: 2014:',
    ],
    # YAML's traps, said where the mistake is and how to mend it.
    "colon-in-text": [
        '2:35: error: commitments: the text has ": " (a colon and a space) in it, which YAML reads as the start of another key\n    hint: write the text on the lines after "commitments: |", indented, where a colon is just a colon; or put the whole text in double quotes',
    ],
    "text-not-indented": [
        '3:1: error: commitments: the text under "commitments: |" is not indented more than "commitments:", so YAML reads this line as a key\n    hint: indent each line of the text by 2 spaces, two more than "commitments:"',
    ],
    "text-not-indented-under-a-year": [
        '5:3: error: progress.2013: the text under "2013: |" is not indented more than "2013:", so YAML reads this line as a key\n    hint: indent each line of the text by 4 spaces, two more than "2013:"',
    ],
    "text-at-the-margin-under-a-year": [
        '6:1: error: progress.2013: the text under "2013: |" is not indented more than "2013:", so YAML reads this line as a key\n    hint: indent each line of the text by 4 spaces, two more than "2013:"',
    ],
    "list-item-out-of-place": [
        '4:1: error: commitments: this "- " list item is less indented than the text under "commitments: |", so it is not part of it\n    hint: indent the item, and each one after it, by 2 spaces, as the text under "commitments:" is',
    ],
    "list-on-the-key-line": [
        '2:14: error: commitments: a "- " list cannot start on the same line as "commitments:"\n    hint: write "commitments: |" and put the list on the lines below it, indented, each item starting with "- "',
        # What the file says once read past that mistake.
        "2:1: warning: commitments: a bullet list with only one item\n    hint: write it as a sentence, or add the other items",
    ],
    "unclosed-quote": [
        '2:14: error: commitments: the double quote (") that opens this text is never closed\n    hint: end the text with " on this line, or remove the "; for text with quotes in it, write it on the lines after "|" instead',
    ],
    "quotes-inside-quotes": [
        '2:27: error: commitments: the text goes on after the double quote (") that closes it\n    hint: to put quotes inside the text, write it on the lines after "|" instead, without quotes around it',
    ],
    # Every problem in one pass: what a misspelt key holds is checked as the key it was meant to be.
    "misspelt-key-contents-checked": [
        '3:1: error: progess: unknown key\n    hint: did you mean "progress"? What it holds has been checked as progress',
        '5:9: error: progress.2014: YAML reads no as false, not as text\n    hint: put it in quotes ("no"), or write the text on the lines after "|"',
        '7:3: error: plans.2015: section "Planned activities in 2015" is missing\n    hint: add "2015: |" under "plans:", followed by the text indented below it',
    ],
    # The years missing are named.
    "plans-missing": [
        '5:1: error: plans: no "plans:" in the file, so "Planned activities in 2014" and "Planned activities in 2015" are missing\n    hint: add "plans:" at the end of the file, then under it "2014: |" and "2015: |", each followed by the text indented below it',
    ],
    "year-not-in-report": [
        "6:3: error: progress.2012: 2012 is not a year this report asks for\n    hint: the years under progress: are 2013, 2014",
    ],
}


@pytest.fixture(scope="module")
def config() -> ReportConfig:
    config, problems = check_config(load_yaml(CASES / "report.yaml"))
    assert config is not None and problems == []
    return config


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(path.stem for path in CASES.glob("*.yaml") if path.name != "report.yaml") == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case(case: str, config: ReportConfig) -> None:
    path = CASES / f"{case}.yaml"
    _, problems = check_submission(load_yaml(path), config)
    assert [str(problem).removeprefix(f"{path}:") for problem in problems] == EXPECTED[case]


def test_not_applicable_is_accepted_with_its_reason(config: ReportConfig) -> None:
    submission, problems = check_submission(load_yaml(CASES / "not-applicable.yaml"), config)
    assert problems == [] and submission is not None
    assert submission.sections["plans.2014"].not_applicable == "This department closed in 2013."


# --- Whatever a department writes, validation answers with problems, never a traceback.

_text = st.text(st.characters(codec="utf-8"), max_size=40)
_keys = st.sampled_from(["department", "short_name", "commitments", "progress", "plans", "progess", "not_applicable"])
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_keys | st.integers(2010, 2020) | _text, inner, max_size=4)
    ),
    max_leaves=12,
)


def _source(data: object) -> SourceFile:
    return SourceFile(path=Path("submission.yaml"), sha256="0" * 64, data=data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_text, _text, max_size=6))
def test_any_mapping_of_strings_validates_or_gets_problems(config: ReportConfig, data: dict[str, str]) -> None:
    submission, problems = check_submission(_source(data), config)
    assert all(isinstance(problem, Problem) and problem.message for problem in problems)
    assert (submission is None) == any(problem.severity.value == "error" for problem in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_keys, _values, max_size=6))
def test_any_shape_validates_or_gets_problems(config: ReportConfig, data: dict[str, object]) -> None:
    submission, problems = check_submission(_source(data), config)
    assert all(isinstance(problem, Problem) and problem.message for problem in problems)
    assert submission is not None or problems
