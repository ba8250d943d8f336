"""What every published page is read into, whatever its markup: the report's details, and each
department's sections in the order the sections table gives them; and the submission each
department's sections become.

A reader (`text_page` or `govspeak_page`, both a `page_reader.PageReader`) finds the departments
and their headed blocks of text (`section_headings`); `section_order` then checks the sections
against the one order they must come in and works out the reporting years.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import Problem
from pipeline.importer.section_headings import Heading

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
