"""Read a published departmental-responses page saved as plain text.

The page is what GOV.UK showed: the title, an "Updated 16 January 2015" line, a
one-line introduction, then for each department its name on a line of its own and its
sections, each a heading followed by paragraphs (one a line) and "- " bullet lines.
Nothing marks a department's name, so it is read as the line just before the heading
that opens every response (the commitments').

The published text has slips, read as what they meant: headings in another wording or
case, "#" marks before a heading, a heading fused with the text that follows it, and a
department's name with a stray possessive ("Home Office’s"). Every other line must find
its place; one that does not is an error, never dropped.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from pipeline.errors import InvalidInputError
from pipeline.importer import details, page, section_headings, section_order
from pipeline.importer.page import DepartmentPart, ImportedCycle, PageOptions, ParagraphOrItem
from pipeline.importer.page_reader import PageReader, is_placeholder, shorten
from pipeline.importer.section_headings import Heading
from pipeline.names import name_key, slugify
from pipeline.submission import sections

_POSSESSIVE = re.compile(r"\s*['’]s$")
# A department's name is short and is not a sentence.
_NAME_MAX_WORDS = 12


def parse_text_page(text: str, source: Path, options: PageOptions) -> ImportedCycle:
    """The report config and the departments' submissions a plain-text page holds. Raises
    InvalidInputError with every problem found, each naming the page's line."""
    return _TextPageReader(text, source).parse(options)


class _TextPageReader(PageReader):
    def __init__(self, text: str, source: Path) -> None:
        super().__init__(source)
        # split("\n"), not splitlines(): line numbers must be the editor's.
        self.lines = {number: line.strip() for number, line in enumerate(text.split("\n"), start=1)}

    def parse(self, options: PageOptions) -> ImportedCycle:
        filled = [number for number, line in self.lines.items() if line]
        if not filled:
            self.error(1, "the page is empty", "save the published page's text in this file, as UTF-8")
            raise InvalidInputError(self.problems)
        headings = {
            number: found for number in filled if (found := section_headings.heading(self.lines[number], number))
        }
        opening = sections.kinds()[0]
        departments = self._find_departments(filled, headings, opening)
        if not departments:
            self.error(
                filled[0],
                f"no department found: the page has no {opening.key} heading",
                "each department's response starts with its name on a line of its own, then the heading "
                f'"{opening.title(label="December 2012")}" (with the date the commitments were made)',
            )
            raise InvalidInputError(self.problems)
        header = [number for number in filled if number < departments[0].first_line]
        config = self._header(header, departments[0], options)
        label = next((found.label for found in headings.values() if found.label), None)
        self._read_sections(filled, headings, departments, label)
        self._not_answered(departments)
        answers = section_order.check_sections(departments, self.error)
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
        assert config is not None and answers is not None
        label, years = answers
        if options.commitments_label is not None and options.commitments_label != label:
            self.option((departments[0].start_line, label), options.commitments_label, "commitments-label", 1)
            raise InvalidInputError(self.problems)
        config.update(commitments_label=label, reporting_years=years)
        submissions = [page.submission(department) for department in departments if department.answered]
        config["departments"] = [department.name for department in departments]
        return ImportedCycle(self.page, config, submissions, self.warnings)

    def _find_departments(
        self, filled: list[int], headings: dict[int, Heading], opening: sections.SectionKind
    ) -> list[DepartmentPart]:
        """Each department: the line before each opening heading is its name."""
        departments: list[DepartmentPart] = []
        seen: dict[str, tuple[int, str]] = {}  # by file name, and by the name less its typography
        for index, number in enumerate(filled):
            found = headings.get(number)
            if found is None or found.kind != opening:
                continue
            hint = (
                "put the department's name on a line of its own just before its "
                f'"{found.title()}" heading, and any other text under a heading'
            )
            if index == 0 or filled[index - 1] in headings:
                self.error(number, f'no department name before "{found.title()}"', hint)
                departments.append(DepartmentPart(number, None, number, number))
                continue
            name_line = filled[index - 1]
            self.placed.add(name_line)
            department = DepartmentPart(name_line, None, name_line, number)
            departments.append(department)
            name = _POSSESSIVE.sub("", self.lines[name_line].lstrip("#").strip())
            if not _looks_like_a_name(name):
                self.error(
                    name_line,
                    f'"{shorten(self.lines[name_line])}" is not a department name, but it is on the line '
                    f'before "{found.title()}", where the department\'s name must be',
                    hint,
                )
                continue
            keys = (slugify(name), name_key(name))
            if earlier := next((seen[key] for key in keys if key in seen), None):
                first_line, first_name = earlier
                same = "appears twice" if first_name == name else f'has the same file name as "{first_name}"'
                self.error(
                    name_line,
                    f'the department "{name}" {same} (line {first_line})',
                    "each department responds once: merge the two responses, or correct the name",
                )
                continue
            seen.update(dict.fromkeys(keys, (name_line, name)))
            department.name = name
        return departments

    def _header(
        self,
        header: list[int],
        first: DepartmentPart,
        options: PageOptions,
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
            if (match := details.date_line(line)) and date is None:
                self.placed.add(number)
                when = details.date(match)
                if when is None:
                    self.error(number, f'"{line}" is not a date', 'write the date as "Updated 16 January 2015"')
                    bad_date = True
                else:
                    date = (number, when)
            elif line.lstrip("#").strip() == title:
                self.placed.add(number)  # the page's own heading, repeating the title
            elif intro is None and section_headings.heading(line, number) is None:
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
        when = None if bad_date else self.option(date, options.published, "published", title_line + 1)
        return {
            "title": title,
            **self.strategy_and_action(texts, options, title_line),
            "commitments_label": None,
            "reporting_years": None,
            "published": when.isoformat() if isinstance(when, datetime.date) else when,
            "intro": intro[1] if intro else None,
        }

    def _read_sections(
        self, filled: list[int], headings: dict[int, Heading], departments: list[DepartmentPart], label: str | None
    ) -> None:
        """Each department's headings, each with the lines of text under it."""
        ends = [department.first_line for department in departments[1:]] + [filled[-1] + 1]
        for department, end in zip(departments, ends, strict=True):
            for number in filled:
                if not department.start_line <= number < end:
                    continue
                found = headings.get(number)
                if found is not None:
                    self.placed.add(number)
                    department.sections.append((found, [_paragraph_or_item(found.rest)] if found.rest else []))
                elif section_headings.looks_like_a_heading(self.lines[number]):
                    self.error(
                        number,
                        f'"{shorten(self.lines[number])}" is marked as a heading but is not one of the report\'s',
                        section_headings.headings_hint(label) + '; if this is text, remove the "#"s',
                    )
                elif department.sections:
                    self.placed.add(number)
                    department.sections[-1][1].append(_paragraph_or_item(self.lines[number]))

    def _not_answered(self, departments: list[DepartmentPart]) -> None:
        """A department whose every section says only a placeholder ("Coming soon...") had not answered."""
        for department in departments:
            texts = [" ".join(text for _, text in blocks) for _, blocks in department.sections]
            if texts and all(is_placeholder(text) for text in texts):
                self.not_answered(department, department.start_line, texts[0])


def _looks_like_a_name(name: str) -> bool:
    return (
        bool(name)
        and not name.startswith("- ")
        and not name.endswith((".", ":", ";", "!", "?", ","))
        and len(name.split()) <= _NAME_MAX_WORDS
    )


# Characters the submissions' markup reads as markup: escaped, so that the page's plain
# text is published as it was written.
_INLINE_MARKUP = re.compile(r"([\\*_\[\]])")
_BULLET_START = re.compile(r"[-+](?=\s|$)")
_NUMBER_START = re.compile(r"(\d{1,9})([.)])(?=\s|$)")


def _paragraph_or_item(line: str) -> ParagraphOrItem:
    """One line of a section: a bullet item or a paragraph, as literal text."""
    if line.startswith("- "):
        return "item", literal(line[2:].strip())
    return "paragraph", literal(line)


def literal(text: str) -> str:
    """Text the markup reads back as exactly this text."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", text)
    if _BULLET_START.match(escaped):
        return "\\" + escaped
    if match := _NUMBER_START.match(escaped):
        return f"{match[1]}\\{match[2]}{escaped[match.end() :]}"
    return escaped
