"""Check each department's sections against the one order they must come in, and find the
years the page reports on.

The order is the sections table's (`pipeline.submission.sections`), the same whatever the page's markup,
so both readers hand their departments here. Every problem goes to the reader's `error`, with
its line, so that all of them are reported at once.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

from pipeline.importer.page import DepartmentPart
from pipeline.importer.section_headings import Heading
from pipeline.submission import sections
from pipeline.submission.sections import SectionKind

Found = tuple[SectionKind, int | None]
# Where a problem goes: its line, the message and the hint (`PageReader.error`).
ReportError = Callable[[int, str, str], None]


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


def check_sections(departments: list[DepartmentPart], error: ReportError) -> tuple[str, list[int]] | None:
    """The commitments' label and the years reported on, once every department's sections
    are checked against the one order they must come in."""
    answered = [department for department in departments if department.sections]
    if not answered:
        return None
    first = answered[0].headings[0]
    for department in answered[1:]:
        opening = department.headings[0]
        if opening.label != first.label:
            error(
                opening.line,
                f'this {opening.kind.key} heading says "({opening.label})", the first one "({first.label})" '
                f"(line {first.line})",
                f"the {opening.kind.key} were made at one time: correct the date in one of the headings",
            )
    if not first.label:
        error(first.line, f"the {first.kind.key} heading has no date", 'write it as "(December 2012)"')
    years = reporting_years(answered)
    for department in answered:
        _check_order(department, years, first.label or "", error)
        for section, blocks in department.sections:
            if not blocks:
                error(
                    section.line,
                    f'the section "{section.title()}" of "{department.name}" has no text',
                    "add the department's text on the lines after the heading",
                )
    return (first.label, years) if first.label and years is not None else None


def _check_order(department: DepartmentPart, years: list[int] | None, label: str, error: ReportError) -> None:
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
                _missing(department, name, headings[index - 1], want, label, error)
            return
        if want is None and expected:
            extra = headings[index]
            error(
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
            _missing(department, name, headings[index - 1], want, label, error)
        else:
            error(
                headings[index].line,
                f'"{headings[index].title()}" is out of order: expected '
                f'"{want[0].title(year=want[1] or "YYYY", label=label)}" here',
                f"each department's sections come in this order: {order}",
            )
        return


def _missing(
    department: DepartmentPart, name: str, after: Heading, want: Found, label: str, error: ReportError
) -> None:
    title = want[0].title(year=want[1] or "YYYY", label=label)
    error(
        department.name_line,
        f'"{name}" has no section "{title}"',
        f'add the heading "{title}" and the department\'s text for it after "{after.title()}" (line {after.line})',
    )
