"""Import a published departmental-responses page, as plain text, into a cycle's submissions.

The page is what GOV.UK published: the title, an "Updated 16 January 2015" line, a
one-line introduction, then for each department its name on a line of its own and its
sections, each a heading followed by paragraphs (one a line) and "- " bullet lines.
Nothing marks a department's name, so it is read as the line just before a
commitments heading, which always opens a department's response.

The published text has slips, and these are read as what they meant: "Progress in
YYYY", "Planned Activities in YYYY" (headings in any case), "#" marks before a
heading, a heading fused with the text that follows it on the same line, and a
department's name with a stray possessive ("Home Office’s"). Every other line must
find its place; one that does not is an error, never dropped.

`parse_page` is pure (text in, report config and submissions out);
`write_imported_cycle` writes them as YAML into a staging folder, checks the result as
the pipeline would, and only then renames the folder into place.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import errno
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import InvalidInputError, PipelineError, Problem, Severity
from pipeline.model import slugify
from pipeline.scaffold import REPORT_SCHEMA_FILE, SUBMISSION_SCHEMA_FILE, submission_file_name
from pipeline.schema import REPORT_CONFIG_FILE
from pipeline.source import CYCLE_NAME, SourceFile, decode_text, has_control_characters, read_cycle
from pipeline.validate import check_cycle, has_errors

COMMITMENTS = "commitments"
PROGRESS = "progress"
PLANS = "plans"

# Headings, less any leading "#"s. The commitments heading ends at its ")", so text fused
# to it is unambiguous; a year heading takes fused text only when nothing separates them
# ("Progress during 2014The department…") or the line was marked as a heading with "#".
_COMMITMENTS_HEADING = re.compile(
    r"departmental\s+digital\s+strategy\s+commitments\s*\(\s*([^()]*?)\s*\)\s*:?(\s*)(.*)", re.IGNORECASE
)
_YEAR_HEADINGS = {
    PROGRESS: re.compile(r"progress\s+(?:during|in)\s+(\d{4})(?!\d)\s*?:?(\s*)(.*)", re.IGNORECASE),
    PLANS: re.compile(r"planned\s+activities\s+(?:in|for)\s+(\d{4})(?!\d)\s*?:?(\s*)(.*)", re.IGNORECASE),
}
_DATE_LINE = re.compile(
    r"(?:last\s+)?(?:updated|published)(?:\s+on)?\s*:?\s*(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", re.IGNORECASE
)
_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_MONTHS = {name: number for number, month in enumerate(_MONTH_NAMES, start=1) for name in (month, month[:3])}
_MONTHS["sept"] = 9
_ACTION = re.compile(r"\baction\s+(\d{1,4})\b", re.IGNORECASE)
_STRATEGY = re.compile(r"(?:[A-Z][\w’'&-]*\s+)+Strateg(?:y|ies)\b")
_POSSESSIVE = re.compile(r"\s*['’]s$")
# A department's name is short and is not a sentence.
_NAME_MAX_WORDS = 12

_HEADING_ORDER_HINT = "each department's sections come in this order: {order}"


@dataclass(frozen=True)
class ImportedCycle:
    """What a published page says: report.yaml's data and one submission per department."""

    page: Path
    config: dict[str, Any]
    submissions: list[dict[str, Any]]
    # Problems that do not stop the import, such as a byte-order mark.
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Heading:
    kind: str
    year: int | None
    label: str | None
    line: int
    # Text fused to the heading on its line, read as the section's first line.
    rest: str

    def title(self) -> str:
        return _heading_title(self.kind, self.year, self.label)


def _heading_title(kind: str, year: int | None, label: str | None) -> str:
    if kind == COMMITMENTS:
        return f"Departmental digital strategy commitments ({label})"
    if kind == PROGRESS:
        return f"Progress during {year or 'YYYY'}"
    return f"Planned activities in {year or 'YYYY'}"


def read_page(
    page: Path,
    *,
    strategy: str | None = None,
    action: int | None = None,
    published: datetime.date | None = None,
) -> ImportedCycle:
    """Read and parse a page saved as UTF-8 text; every problem is raised at once."""
    try:
        raw = page.read_bytes()
    except OSError as error:
        raise PipelineError(f"{page}: cannot read the page: {error.strerror or error}") from None
    source = SourceFile(path=page, sha256=hashlib.sha256(raw).hexdigest())
    text = decode_text(source, raw)
    if text is None or has_control_characters(source, text):
        raise InvalidInputError(source.problems)
    imported = parse_page(text, page, strategy=strategy, action=action, published=published)
    return dataclasses.replace(imported, warnings=source.problems + imported.warnings)


def parse_page(
    text: str,
    page: Path,
    *,
    strategy: str | None = None,
    action: int | None = None,
    published: datetime.date | None = None,
) -> ImportedCycle:
    """The report config and the departments' submissions a page's text holds.

    `strategy`, `action` and `published` are needed only when the page does not say
    them; given when it does, they must agree with it. Raises InvalidInputError with
    every problem found, each naming the page's line."""
    return _PageParser(text, page).parse(strategy, action, published)


@dataclass
class _Department:
    """One department's part of the page, from its name to the next department's."""

    first_line: int  # its name's line, or its commitments heading's when there is no name
    name: str | None  # None when the line before the commitments heading is not a name (reported)
    name_line: int
    heading_line: int  # its commitments heading's
    sections: list[tuple[_Heading, list[tuple[str, str]]]] = field(default_factory=list)

    @property
    def headings(self) -> list[_Heading]:
        return [heading for heading, _ in self.sections]


class _PageParser:
    def __init__(self, text: str, page: Path) -> None:
        self.page = page
        # split("\n"), not splitlines(): line numbers must be the editor's.
        self.lines = {number: line.strip() for number, line in enumerate(text.split("\n"), start=1)}
        self.problems: list[Problem] = []
        self.placed: set[int] = set()

    def error(self, line: int, message: str, hint: str) -> None:
        self.problems.append(Problem(self.page, line, 1, "", message, hint))

    def has_problem(self, line: int) -> bool:
        return any(problem.line == line for problem in self.problems)

    def parse(self, strategy: str | None, action: int | None, published: datetime.date | None) -> ImportedCycle:
        filled = [number for number, line in self.lines.items() if line]
        if not filled:
            self.error(1, "the page is empty", "save the published page's text in this file, as UTF-8")
            raise InvalidInputError(self.problems)
        headings = {number: heading for number in filled if (heading := _heading(self.lines[number], number))}
        departments = self._find_departments(filled, headings)
        if not departments:
            self.error(
                filled[0],
                "no department found: the page has no commitments heading",
                "each department's response starts with its name on a line of its own, then the heading "
                '"Departmental digital strategy commitments (December 2012)" (with the date the commitments were made)',
            )
            raise InvalidInputError(self.problems)
        header = [number for number in filled if number < departments[0].first_line]
        config = self._header(header, departments[0], strategy, action, published)
        self._read_sections(filled, headings, departments)
        found = self._check_sections(departments)
        for number in filled:
            if number not in self.placed and not self.has_problem(number):
                self.error(
                    number,
                    "cannot place this line",
                    "every line of the page belongs to the title, the date, the introduction, a department's "
                    "name, a section heading or a section's text: move or delete this one",
                )
        if self.problems:
            raise InvalidInputError(sorted(self.problems, key=lambda problem: problem.line))
        assert config is not None and found is not None
        label, years = found
        config.update(commitments_label=label, reporting_years=years)
        submissions = [_submission(department) for department in departments]
        config["departments"] = [submission["department"] for submission in submissions]
        return ImportedCycle(self.page, config, submissions)

    def _find_departments(self, filled: list[int], headings: dict[int, _Heading]) -> list[_Department]:
        """Each department: the line before each commitments heading is its name."""
        departments: list[_Department] = []
        seen: dict[str, tuple[int, str]] = {}
        for index, number in enumerate(filled):
            heading = headings.get(number)
            if heading is None or heading.kind != COMMITMENTS:
                continue
            hint = (
                "put the department's name on a line of its own just before its "
                f'"{heading.title()}" heading, and any other text under a heading'
            )
            if index == 0 or filled[index - 1] in headings:
                self.error(number, f'no department name before "{heading.title()}"', hint)
                departments.append(_Department(number, None, number, number))
                continue
            name_line = filled[index - 1]
            self.placed.add(name_line)
            department = _Department(name_line, None, name_line, number)
            departments.append(department)
            name = _POSSESSIVE.sub("", self.lines[name_line].lstrip("#").strip())
            if not _looks_like_a_name(name):
                self.error(
                    name_line,
                    f'"{_shorten(self.lines[name_line])}" is not a department name, but it is on the line '
                    f'before "{heading.title()}", where the department\'s name must be',
                    hint,
                )
                continue
            slug = slugify(name)
            if slug in seen:
                first_line, first_name = seen[slug]
                same = "appears twice" if first_name == name else f'has the same file name as "{first_name}"'
                self.error(
                    name_line,
                    f'the department "{name}" {same} (line {first_line})',
                    "each department responds once: merge the two responses, or correct the name",
                )
                continue
            seen[slug] = (name_line, name)
            department.name = name
        return departments

    def _header(
        self,
        header: list[int],
        first: _Department,
        strategy: str | None,
        action: int | None,
        published: datetime.date | None,
    ) -> dict[str, Any] | None:
        where = f'"{first.name}", line {first.first_line}' if first.name else f"line {first.first_line}"
        if not header:
            self.error(
                first.first_line,
                f"the page has no title: it starts with the first department ({where})",
                "start the page with the report's title, e.g. \"Action 4: support improved digital capability "
                'across departments", then the "Updated 16 January 2015" line and the introduction',
            )
            return None
        title_line = header[0]
        title = self.lines[title_line].lstrip("#").strip()
        self.placed.add(title_line)
        date: tuple[int, datetime.date] | None = None
        bad_date = False
        intro: tuple[int, str] | None = None
        for number in header[1:]:
            line = self.lines[number]
            if (match := _DATE_LINE.fullmatch(line)) and date is None:
                self.placed.add(number)
                when = _date(match)
                if when is None:
                    self.error(number, f'"{line}" is not a date', 'write the date as "Updated 16 January 2015"')
                    bad_date = True
                else:
                    date = (number, when)
            elif line.lstrip("#").strip() == title:
                self.placed.add(number)  # the page's own heading, repeating the title
            elif intro is None and _heading(line, number) is None:
                self.placed.add(number)
                intro = (number, line)
            else:
                self.error(
                    number,
                    f"cannot place this line: it comes before the first department ({where})",
                    'the page starts with its title, the "Updated 16 January 2015" line and a one-line '
                    "introduction; move this text into a department's section, or delete it",
                )
        if intro is None:
            self.error(
                first.first_line,
                "the page has no introduction before the first department",
                "add the sentence that introduces the responses, e.g. \"Here's how departments are responding "
                "to this action:\", on the line before the first department's name",
            )
        texts = [(title_line, title)] + ([intro] if intro else [])
        config: dict[str, Any] = {
            "title": title,
            "strategy": self._option(_found(texts, _strategy), strategy, "strategy", title_line, "the strategy"),
            "action": self._option(_found(texts, _action), action, "action", title_line, "the action's number"),
            "commitments_label": None,
            "reporting_years": None,
            "published": None
            if bad_date
            else self._option(date, published, "published", title_line + 1, "the publication date"),
            "intro": intro[1] if intro else None,
        }
        if isinstance(config["published"], datetime.date):
            config["published"] = config["published"].isoformat()
        return config

    def _option(self, found: tuple[int, Any] | None, given: Any, option: str, line: int, description: str) -> Any:
        """A value the page says, or the command line gives when the page does not."""
        if found is None:
            if given is None:
                self.error(
                    line,
                    f"the page does not say {description}",
                    f"give it on the command line: --{option} {_OPTION_EXAMPLES[option]}",
                )
            return given
        if given is not None and given != found[1]:
            value = found[1].isoformat() if isinstance(found[1], datetime.date) else found[1]
            given = given.isoformat() if isinstance(given, datetime.date) else given
            self.error(
                found[0],
                f"the page says {description} is {value}, but --{option} says {given}",
                f"leave out --{option}, or check that this is the page you meant",
            )
        return found[1]

    def _read_sections(self, filled: list[int], headings: dict[int, _Heading], departments: list[_Department]) -> None:
        """Each department's headings, each with the lines of text under it."""
        ends = [department.first_line for department in departments[1:]] + [filled[-1] + 1]
        for department, end in zip(departments, ends, strict=True):
            for number in filled:
                if not department.heading_line <= number < end:
                    continue
                heading = headings.get(number)
                if heading is not None:
                    self.placed.add(number)
                    department.sections.append((heading, [_block(heading.rest)] if heading.rest else []))
                elif _looks_like_a_heading(self.lines[number]):
                    self.error(
                        number,
                        f'"{_shorten(self.lines[number])}" is marked as a heading but is not one of the report\'s',
                        'the headings are "Departmental digital strategy commitments (December 2012)", '
                        '"Progress during YYYY" and "Planned activities in YYYY"; if this is text, remove the "#"s',
                    )
                elif department.sections:
                    self.placed.add(number)
                    department.sections[-1][1].append(_block(self.lines[number]))

    def _check_sections(self, departments: list[_Department]) -> tuple[str, list[int]] | None:
        """The commitments' label and the years reported on, once every department's
        sections are checked against the one order they must come in."""
        first = departments[0].headings[0]
        for department in departments[1:]:
            heading = department.headings[0]
            if heading.label != first.label:
                self.error(
                    heading.line,
                    f'this commitments heading says "({heading.label})", the first one "({first.label})" '
                    f"(line {first.line})",
                    "the commitments were made at one time: correct the date in one of the headings",
                )
        if not first.label:
            self.error(first.line, "the commitments heading has no date", 'write it as "(December 2012)"')
        years = _reporting_years(departments)
        for department in departments:
            self._check_order(department, years, first.label or "")
            for heading, blocks in department.sections:
                if not blocks:
                    self.error(
                        heading.line,
                        f'the section "{heading.title()}" of "{department.name}" has no text',
                        "add the department's text on the lines after the heading",
                    )
        return (first.label, years) if first.label and years else None

    def _check_order(self, department: _Department, years: list[int] | None, label: str) -> None:
        """Report the first heading out of the canonical order, or the first section missing.

        The order is the commitments, then for each year Y "Progress during Y" and "Planned
        activities in Y+1". With the years the departments agree on, each department must
        have exactly those; without them (no department has a complete response), each
        year's pair must follow from the one before."""
        headings = department.headings
        found = [(heading.kind, heading.year) for heading in headings]
        expected = _expected(years) if years else None
        if expected:
            order = ", ".join(f'"{_heading_title(kind, year, label)}"' for kind, year in expected)
        else:
            order = f'"{_heading_title(COMMITMENTS, None, label)}", then for each year Y reported on '
            order += '"Progress during Y" and "Planned activities in Y+1"'
        name = department.name or f"the department on line {department.first_line}"
        index = 1
        while True:
            want = expected[index] if expected and index < len(expected) else None
            if not expected:
                want = _next_section(found[:index])
            if index >= len(found):
                if want is not None and (expected or want[0] == PLANS or index == 1):
                    after = headings[index - 1]
                    want_title = _heading_title(*want, label)
                    self.error(
                        department.name_line,
                        f'"{name}" has no section "{want_title}"',
                        f'add the heading "{want_title}" and the department\'s text for it after '
                        f'"{after.title()}" (line {after.line})',
                    )
                return
            if want is None and expected:
                extra = headings[index]
                self.error(
                    extra.line,
                    f'"{extra.title()}" is out of order: "{name}" has all its sections before it',
                    _HEADING_ORDER_HINT.format(order=order)
                    + "; a new department starts with its name, then its commitments heading",
                )
                return
            if _matches(found[index], want, found[:index]):
                index += 1
                continue
            assert want is not None
            want_title = _heading_title(*want, label)
            # Missing: the department goes on with the sections after it, in order.
            if expected and want not in found and found[index:] == expected[index + 1 : len(found) + 1]:
                after = headings[index - 1]
                self.error(
                    department.name_line,
                    f'"{name}" has no section "{want_title}"',
                    f'add the heading "{want_title}" and the department\'s text for it after '
                    f'"{after.title()}" (line {after.line})',
                )
            else:
                self.error(
                    headings[index].line,
                    f'"{headings[index].title()}" is out of order: expected "{want_title}" here',
                    _HEADING_ORDER_HINT.format(order=order),
                )
            return


_OPTION_EXAMPLES = {"strategy": '"Government Digital Strategy"', "action": "4", "published": "YYYY-MM-DD"}


def _expected(years: list[int]) -> list[tuple[str, int | None]]:
    expected: list[tuple[str, int | None]] = [(COMMITMENTS, None)]
    for year in years:
        expected += [(PROGRESS, year), (PLANS, year + 1)]
    return expected


def _next_section(before: list[tuple[str, int | None]]) -> tuple[str, int | None]:
    """What follows these sections when the years are not known: a year's progress (its year
    unknown, as None, unless the plans before say it), or the plans for the year after."""
    kind, year = before[-1]
    if kind == PROGRESS:
        assert year is not None
        return PLANS, year + 1
    return PROGRESS, year


def _matches(found: tuple[str, int | None], want: tuple[str, int | None] | None, before: list[Any]) -> bool:
    if want is None or found[0] != want[0]:
        return False
    if want[1] is not None:
        return found == want
    # The first year's progress: any year, as long as it is later than any before it.
    earlier = [year for kind, year in before if kind == PROGRESS]
    return found[1] is not None and all(found[1] > year for year in earlier)


def _reporting_years(departments: list[_Department]) -> list[int] | None:
    """The years most departments report on, among those whose sections are in order;
    on a tie, the most years (a department more likely left a section out than added one)."""
    sequences = []
    for department in departments:
        found = [(heading.kind, heading.year) for heading in department.headings]
        years = [year for kind, year in found[1::2] if kind == PROGRESS and year is not None]
        if years and found == _expected(years) and years == sorted(set(years)):
            sequences.append(tuple(years))
    if not sequences:
        return None
    counts = collections.Counter(sequences)
    return list(max(counts, key=lambda years: (counts[years], len(years))))


def _submission(department: _Department) -> dict[str, Any]:
    submission: dict[str, Any] = {"department": department.name, COMMITMENTS: None, PROGRESS: {}, PLANS: {}}
    for heading, blocks in department.sections:
        text = _section_text(blocks)
        if heading.kind == COMMITMENTS:
            submission[COMMITMENTS] = text
        else:
            submission[heading.kind][heading.year] = text
    return submission


def _heading(line: str, number: int) -> _Heading | None:
    marked = line.startswith("#")
    body = line.lstrip("#").strip()
    if match := _COMMITMENTS_HEADING.fullmatch(body):
        return _Heading(COMMITMENTS, None, match[1], number, match[3].strip())
    for kind, pattern in _YEAR_HEADINGS.items():
        if (match := pattern.fullmatch(body)) and (not match[3] or marked or not match[2]):
            return _Heading(kind, int(match[1]), None, number, match[3].strip())
    return None


def _looks_like_a_heading(line: str) -> bool:
    """Marked as a Markdown heading ("## Title", "###Title"); "#digital" is a hashtag."""
    return line.startswith("##") or (line.startswith("#") and line[1:2].isspace())


def _looks_like_a_name(name: str) -> bool:
    return (
        bool(name)
        and not name.startswith("- ")
        and not name.endswith((".", ":", ";", "!", "?", ","))
        and len(name.split()) <= _NAME_MAX_WORDS
    )


def _date(match: re.Match[str]) -> datetime.date | None:
    month = _MONTHS.get(match[2].lower())
    if month is None:
        return None
    try:
        return datetime.date(int(match[3]), month, int(match[1]))
    except ValueError:
        return None


def _strategy(text: str) -> str | None:
    match = _STRATEGY.search(text)
    return match[0].removeprefix("The ").strip() if match else None


def _action(text: str) -> int | None:
    match = _ACTION.search(text)
    return int(match[1]) if match else None


def _found(texts: list[tuple[int, str]], find: Callable[[str], Any]) -> tuple[int, Any] | None:
    for number, text in texts:
        value = find(text)
        if value is not None:
            return number, value
    return None


def _shorten(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# Section text --------------------------------------------------------------------------

# Characters the submissions' markup reads as markup: escaped, so that the page's plain
# text is published as it was written.
_INLINE_MARKUP = re.compile(r"([\\*_\[\]])")
_BULLET_START = re.compile(r"[-+](?=\s|$)")
_NUMBER_START = re.compile(r"(\d{1,9})([.)])(?=\s|$)")


def _block(line: str) -> tuple[str, str]:
    """One line of a section: a bullet item or a paragraph."""
    if line.startswith("- "):
        return "item", line[2:].strip()
    return "paragraph", line


def _literal(text: str) -> str:
    """Text the markup reads back as exactly this text."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", text)
    if _BULLET_START.match(escaped):
        return "\\" + escaped
    if match := _NUMBER_START.match(escaped):
        return f"{match[1]}\\{match[2]}{escaped[match.end() :]}"
    return escaped


def _section_text(blocks: list[tuple[str, str]]) -> str:
    """Paragraphs separated by a blank line; a list's items on consecutive "- " lines."""
    parts: list[str] = []
    previous = None
    for kind, text in blocks:
        if parts:
            parts.append("\n" if kind == previous == "item" else "\n\n")
        parts.append(f"- {_literal(text)}" if kind == "item" else _literal(text))
        previous = kind
    return "".join(parts) + "\n"


# Writing ---------------------------------------------------------------------------------


class _Block(str):
    """Text written as a YAML literal block ("|"), when YAML can hold it exactly so."""


class _Quoted(str):
    """Text written in double quotes."""


class _Flow(list[Any]):
    """A list written on one line: [2013, 2014]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent a list under its key ("  - Home Office"), as the hand-written files do.
        return super().increase_indent(flow, False)


_STR = "tag:yaml.org,2002:str"
# PyYAML falls back to quotes whenever a block cannot hold a value exactly (trailing
# spaces, control characters), so every value reads back as it was.
_Dumper.add_representer(_Block, lambda dumper, value: dumper.represent_scalar(_STR, str(value), style="|"))
_Dumper.add_representer(_Quoted, lambda dumper, value: dumper.represent_scalar(_STR, str(value), style='"'))
_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


def dump_yaml(data: dict[str, Any], comments: list[str]) -> str:
    """YAML for a report.yaml or a submission: `comments` first, each value safely written."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31)
    text = "".join(f"# {comment}\n" for comment in comments) + body
    if yaml.safe_load(text) != data:
        raise PipelineError(f"the YAML written for {comments[0]} does not read back as the text imported (a bug)")
    return text


def report_yaml(config: dict[str, Any], page: Path) -> str:
    data = {
        key: _Quoted(value) if key in ("title", "strategy", "intro", "published") else value
        for key, value in config.items()
    }
    data["reporting_years"] = _Flow(config["reporting_years"])
    data["departments"] = [_Quoted(name) for name in config["departments"]]
    return dump_yaml(
        data,
        [
            f"yaml-language-server: $schema=../{REPORT_SCHEMA_FILE}",
            f"Imported from {_one_line(page.name)} by python -m pipeline import.",
            "What the report is and which departments are expected to respond;",
            "each department's response is a file of its own beside this one.",
        ],
    )


def submission_yaml(submission: dict[str, Any], config: dict[str, Any], page: Path) -> str:
    data: dict[str, Any] = {"department": _Quoted(submission["department"])}
    data[COMMITMENTS] = _Block(submission[COMMITMENTS])
    for key in (PROGRESS, PLANS):
        data[key] = {year: _Block(text) for year, text in submission[key].items()}
    return dump_yaml(
        data,
        [
            f"yaml-language-server: $schema=../{SUBMISSION_SCHEMA_FILE}",
            f"{_one_line(submission['department'])}: response to Action {config['action']} of the "
            f"{_one_line(config['strategy'])}.",
            f"Imported from {_one_line(page.name)} by python -m pipeline import. The published text does",
            "not give the department's short name (e.g. DH): add short_name: if the text uses one.",
            'Text is paragraphs separated by a blank line, "- " bullet lists and [text](https://…) links.',
        ],
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_imported_cycle(imported: ImportedCycle, submissions_root: Path, cycle: str) -> tuple[Path, list[Problem]]:
    """Write the cycle's folder, all of it or nothing; returns it and its warnings.

    The files go to a staging folder beside the target, are checked as a build would
    check them, and the folder is renamed into place only if there is no error.
    An existing cycle is never overwritten."""
    if not CYCLE_NAME.fullmatch(cycle):
        raise PipelineError(
            f"{cycle!r} is not a cycle name: use letters, digits, '.', '_' and '-', such as 2016-action-04"
        )
    if not submissions_root.is_dir():
        raise PipelineError(f"{submissions_root}: no such folder; give the submissions folder with --submissions")
    target = submissions_root / cycle
    exists = PipelineError(
        f"{target} already exists: an import never overwrites a cycle; choose another --cycle, or move it aside"
    )
    if target.exists() or target.is_symlink():
        raise exists
    staging = Path(tempfile.mkdtemp(prefix=f".import-{cycle}-", dir=submissions_root))
    try:
        folder = staging / cycle
        folder.mkdir()
        files = {REPORT_CONFIG_FILE: report_yaml(imported.config, imported.page)}
        for submission in imported.submissions:
            files[submission_file_name(submission["department"])] = submission_yaml(
                submission, imported.config, imported.page
            )
        for name, text in files.items():
            with open(folder / name, "x", encoding="utf-8", newline="\n") as file:
                file.write(text)
        checked, problems = check_cycle(read_cycle(staging, cycle))
        # Say where each problem would be: the staging folder is about to go.
        problems = [
            dataclasses.replace(problem, file=target / problem.file.relative_to(folder))
            if problem.file.is_relative_to(folder)
            else problem
            for problem in problems
        ]
        if checked is None or has_errors(problems):
            raise InvalidInputError(
                [
                    Problem(
                        imported.page,
                        1,
                        1,
                        "",
                        f"the cycle imported from this page does not pass the pipeline's checks, so {target} "
                        "was not written",
                        "correct the page's text where the problems below say, then import it again",
                    ),
                    *problems,
                ]
            )
        try:
            # rename() fails on a folder that appeared meanwhile, unless it is empty.
            os.rename(folder, target)
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                raise exists from None
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target, [problem for problem in problems if problem.severity is Severity.WARNING]


def import_page(
    page: Path,
    submissions_root: Path,
    cycle: str,
    *,
    strategy: str | None = None,
    action: int | None = None,
    published: datetime.date | None = None,
) -> tuple[Path, ImportedCycle, list[Problem]]:
    """Read a published page and write it as a new cycle: the folder, what it holds, and warnings."""
    imported = read_page(page, strategy=strategy, action=action, published=published)
    folder, warnings = write_imported_cycle(imported, submissions_root, cycle)
    return folder, imported, imported.warnings + warnings
