"""What every published page is read into, whatever its markup: the report's details, and each
department's sections in the order the sections table gives them.

A reader (plain text or govspeak) finds the departments and their headed blocks of text;
`PageReader` then checks the sections against the one order they must come in, works out
the commitments label and the reporting years, and reports every problem with its line.
"""

from __future__ import annotations

import collections
import datetime
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import sections
from pipeline.errors import Problem, Severity
from pipeline.importer import details
from pipeline.sections import SectionKind

# One paragraph or one list item of a section: ("paragraph" or "item", its text in the submissions'
# markup). Not a document block: a list is a run of items here.
ParagraphOrItem = tuple[str, str]


@dataclass(frozen=True)
class ImportedCycle:
    """What a published page says: report.yaml's data and one submission per department that answered."""

    page: Path
    config: dict[str, Any]
    submissions: list[dict[str, Any]]
    # Problems that do not stop the import, such as a byte-order mark or a link with no address.
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class PageOptions:
    """What a coordinator tells the import that the page itself may not say. Each is needed only
    where the page is silent; given where it speaks, it must agree with the page."""

    strategy: str | None = None
    action: int | None = None
    published: datetime.date | None = None
    commitments_label: str | None = None


@dataclass(frozen=True)
class Heading:
    kind: SectionKind
    year: int | None
    label: str | None
    line: int
    # Text fused to the heading on its line, read as the section's first line.
    rest: str

    def title(self) -> str:
        return self.kind.title(year=self.year or "YYYY", label=self.label)


@dataclass
class DepartmentPart:
    """One department's part of the page."""

    first_line: int  # its name's line, or where its response starts when it has no name
    name: str | None  # None when no name was found (reported)
    name_line: int
    # Where its sections start: its opening heading's line (a plain-text page) or its statement's.
    start_line: int = 0
    # False for a department the page lists as not having answered yet ("Coming soon...").
    answered: bool = True
    sections: list[tuple[Heading, list[ParagraphOrItem]]] = field(default_factory=list)

    @property
    def headings(self) -> list[Heading]:
        return [heading for heading, _ in self.sections]


Found = tuple[SectionKind, int | None]


def heading(line: str, number: int) -> Heading | None:
    """The section heading a line is, slips included, or None.

    A heading may be marked with "#"s, and may have the section's first line fused to it. That
    text is taken only where it cannot be misread: the heading ends in a bracket, the line is
    marked as a heading, or nothing separates them ("Progress during 2014The department…")."""
    marked = line.startswith("#")
    body = line.lstrip("#").strip()
    for kind, pattern in _heading_patterns(sections.kinds()).items():
        match = pattern.fullmatch(body)
        if match is None or (match["rest"] and match["gap"] and not marked and not kind.heading.endswith(")")):
            continue
        groups = match.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        return Heading(kind, year, groups.get("label"), number, match["rest"].strip())
    return None


@functools.cache
def _heading_patterns(kinds: tuple[SectionKind, ...]) -> dict[SectionKind, re.Pattern[str]]:
    return {
        kind: re.compile(kind.published_headings + r"\s*?:?(?P<gap>\s*)(?P<rest>.*)", re.IGNORECASE) for kind in kinds
    }


def looks_like_a_heading(line: str) -> bool:
    """Marked as a Markdown heading ("## Title", "###Title"); "#digital" is a hashtag."""
    return line.startswith("##") or (line.startswith("#") and line[1:2].isspace())


def expected_sections(label: str | None, years: list[int]) -> list[Found]:
    return [(spec.kind, spec.year) for spec in sections.report_sections(label or "", years)]


def order_description(expected: list[Found] | None, label: str) -> str:
    """The order a department's sections come in, for a hint."""
    if expected:
        return ", ".join(f'"{kind.title(year=year, label=label)}"' for kind, year in expected)
    once = ", ".join(f'"{kind.title(label=label)}"' for kind in sections.once_kinds())
    yearly = " and ".join(
        f'"{kind.title(year="Y" if not kind.year_offset else f"Y+{kind.year_offset}")}"'
        for kind in sections.yearly_kinds()
    )
    return f"{once}, then for each year Y reported on {yearly}"


def headings_hint(label: str | None) -> str:
    titles = [kind.title(year="YYYY", label=label or "December 2012") for kind in sections.kinds()]
    return "the headings are " + ", ".join(f'"{title}"' for title in titles[:-1]) + f' and "{titles[-1]}"'


def _next_section(before: list[Found]) -> Found:
    """What follows these sections when the years are not known: the next kind, for the year that
    follows from the ones before, or for any year (None) after the sections answered once."""
    kind, year = before[-1]
    once, yearly = sections.once_kinds(), sections.yearly_kinds()
    if not kind.yearly:
        following = once[once.index(kind) + 1 :]
        return (following[0], None) if following else (yearly[0], None)
    assert year is not None
    reported = sections.reporting_year(kind, year)
    index = yearly.index(kind)
    following_kind = yearly[index + 1] if index + 1 < len(yearly) else yearly[0]
    if index + 1 == len(yearly):
        reported += 1
    assert following_kind.year_offset is not None
    return following_kind, reported + following_kind.year_offset


def _matches(found: Found, want: Found | None, before: list[Found]) -> bool:
    if want is None or found[0] != want[0]:
        return False
    if want[1] is not None:
        return found == want
    # The first year's section: any year, as long as it is later than any of its kind before it.
    earlier = [year for kind, year in before if kind == want[0] and year is not None]
    return found[1] is not None and all(found[1] > year for year in earlier)


def reporting_years(departments: list[DepartmentPart]) -> list[int] | None:
    """The years most departments report on, among those whose sections are in order;
    on a tie, the most years (a department more likely left a section out than added one)."""
    first_yearly = sections.yearly_kinds()[0]
    sequences: list[tuple[int, ...]] = []
    for department in departments:
        if not department.sections:
            continue
        found: list[Found] = [(heading.kind, heading.year) for heading in department.headings]
        years = [sections.reporting_year(kind, year) for kind, year in found if kind == first_yearly and year]
        if found == expected_sections(None, years) and years == sorted(set(years)):
            sequences.append(tuple(years))
    if not sequences:
        return None
    counts = collections.Counter(sequences)
    most, _ = max(counts.items(), key=lambda item: (item[1], len(item[0])))
    return list(most)


class PageReader:
    """What the page readers share: problems by line, the lines placed, the report's details."""

    def __init__(self, page: Path) -> None:
        self.page = page
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.placed: set[int] = set()

    def error(self, line: int, message: str, hint: str) -> None:
        self.problems.append(Problem(self.page, line, 1, "", message, hint))

    def warn(self, line: int, message: str, hint: str) -> None:
        self.warnings.append(Problem(self.page, line, 1, "", message, hint, Severity.WARNING))

    def not_answered(self, department: DepartmentPart, line: int, placeholder: str) -> None:
        """A department whose statement is a placeholder: imported as not having answered, and said so."""
        department.answered, department.sections = False, []
        self.warn(
            line,
            f'"{shorten(placeholder)}" stands in for a response: {department.name or "the department"} is imported '
            'as not having answered, and the report shows "No response received."',
            "when its response arrives, add the department's file to the cycle",
        )

    def has_problem(self, line: int) -> bool:
        return any(problem.line == line for problem in self.problems)

    def option(self, found: tuple[int, Any] | None, given: Any, option: str, line: int) -> Any:
        """A value the page says, or the command line gives when the page does not; both must agree."""
        description = OPTION_DESCRIPTIONS[option]
        if found is None:
            if given is None:
                self.error(
                    line,
                    f"the page does not say {description}",
                    f"give it on the command line: --{option} {OPTION_EXAMPLES[option]}",
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

    def strategy_and_action(self, texts: list[tuple[int, str]], options: PageOptions, line: int) -> dict[str, Any]:
        """The strategy and the action's number, as the page's title and introduction say them, or the options."""
        return {
            "strategy": self.option(details.found_in(texts, details.strategy), options.strategy, "strategy", line),
            "action": self.option(details.found_in(texts, details.action), options.action, "action", line),
        }

    def check_sections(self, departments: list[DepartmentPart]) -> tuple[str, list[int]] | None:
        """The commitments' label and the years reported on, once every department's sections
        are checked against the one order they must come in."""
        answered = [department for department in departments if department.sections]
        if not answered:
            return None
        first = answered[0].headings[0]
        for department in answered[1:]:
            opening = department.headings[0]
            if opening.label != first.label:
                self.error(
                    opening.line,
                    f'this {opening.kind.key} heading says "({opening.label})", the first one "({first.label})" '
                    f"(line {first.line})",
                    f"the {opening.kind.key} were made at one time: correct the date in one of the headings",
                )
        if not first.label:
            self.error(first.line, f"the {first.kind.key} heading has no date", 'write it as "(December 2012)"')
        years = reporting_years(answered)
        for department in answered:
            self._check_order(department, years, first.label or "")
            for section, blocks in department.sections:
                if not blocks:
                    self.error(
                        section.line,
                        f'the section "{section.title()}" of "{department.name}" has no text',
                        "add the department's text on the lines after the heading",
                    )
        return (first.label, years) if first.label and years is not None else None

    def _check_order(self, department: DepartmentPart, years: list[int] | None, label: str) -> None:
        """Report the first heading out of the canonical order, or the first section missing.

        With the years the departments agree on, each department must have exactly their
        sections; without them (no department has a complete response), each year's sections
        must follow from the ones before."""
        headings = department.headings
        found: list[Found] = [(heading.kind, heading.year) for heading in headings]
        expected = expected_sections(label, years) if years is not None else None
        order = order_description(expected, label)
        name = department.name or f"the department on line {department.first_line}"
        yearly = sections.yearly_kinds()
        index = 1
        while True:
            want = expected[index] if expected and index < len(expected) else None
            if expected is None:
                want = _next_section(found[:index])
            if index >= len(found):
                if want is not None and (expected or want[0] != yearly[0] or index == 1):
                    self._missing(department, name, headings[index - 1], want, label)
                return
            if want is None and expected:
                extra = headings[index]
                self.error(
                    extra.line,
                    f'"{extra.title()}" is out of order: "{name}" has all its sections before it',
                    f"each department's sections come in this order: {order}"
                    "; a new department starts with its name, then its commitments heading",
                )
                return
            if _matches(found[index], want, found[:index]):
                index += 1
                continue
            assert want is not None
            # Missing: the department goes on with the sections after it, in order.
            if expected and want not in found and found[index:] == expected[index + 1 : len(found) + 1]:
                self._missing(department, name, headings[index - 1], want, label)
            else:
                self.error(
                    headings[index].line,
                    f'"{headings[index].title()}" is out of order: expected '
                    f'"{want[0].title(year=want[1] or "YYYY", label=label)}" here',
                    f"each department's sections come in this order: {order}",
                )
            return

    def _missing(self, department: DepartmentPart, name: str, after: Heading, want: Found, label: str) -> None:
        title = want[0].title(year=want[1] or "YYYY", label=label)
        self.error(
            department.name_line,
            f'"{name}" has no section "{title}"',
            f'add the heading "{title}" and the department\'s text for it after "{after.title()}" (line {after.line})',
        )


OPTION_DESCRIPTIONS = {
    "strategy": "the strategy",
    "action": "the action's number",
    "published": "the publication date",
    "commitments-label": "when the commitments were made",
}
OPTION_EXAMPLES = {
    "strategy": '"Government Digital Strategy"',
    "action": "4",
    "published": "YYYY-MM-DD",
    "commitments-label": '"December 2012"',
}


def submission(department: DepartmentPart) -> dict[str, Any]:
    """A department's sections as a submission's data, text as the submissions' markup."""
    data: dict[str, Any] = {"department": department.name}
    for section, blocks in department.sections:
        text = section_text(blocks)
        if section.kind.yearly:
            data.setdefault(section.kind.key, {})[section.year] = text
        else:
            data[section.kind.key] = text
    return data


def section_text(blocks: list[ParagraphOrItem]) -> str:
    """Paragraphs separated by a blank line; a list's items on consecutive "- " lines."""
    parts: list[str] = []
    previous = None
    for kind, text in blocks:
        if parts:
            parts.append("\n" if kind == previous == "item" else "\n\n")
        parts.append(f"- {text}" if kind == "item" else text)
        previous = kind
    return "".join(parts) + "\n"


# Statements that stand in for a response not received yet, as published pages word them. A
# department whose statement is one of these is imported as not having answered: no file, and
# the report shows "No response received.".
PLACEHOLDERS = (
    r"coming\s+soon",
    r"awaiting\s+(?:\S+\s+){0,6}?confirmation",
    r"tbc|to\s+be\s+confirmed",
    r"to\s+follow",
)
_PLACEHOLDER = re.compile(rf"(?:{'|'.join(PLACEHOLDERS)})\s*(?:\.\.\.|…|\.)?", re.IGNORECASE)


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(" ".join(text.split())))


def shorten(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
