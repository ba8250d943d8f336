"""What the importer's tests share: a plain-text page built line by line (its header on lines 1-4,
each department's canonical response after it), the data it should import as, and its problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InvalidInputError
from pipeline.importer import PageOptions, parse_page

PAGE = Path("page.txt")
TITLE = "Action 9: test the pipeline"
INTRO = (
    "This action forms part of the Government Digital Strategy. Here’s how departments are responding to this action:"
)
HEADER = [TITLE, "Updated 16 January 2015", TITLE, INTRO]
COMMITMENTS = "Departmental digital strategy commitments (December 2012)"


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


def page_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    return path
