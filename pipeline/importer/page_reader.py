"""The base both page readers (`text_page`, `govspeak_page`) build on, so that they report a
problem in the same words: problems by line, the report's details from the page or the command
line, and a placeholder statement ("Coming soon...") read as a department that has not answered.
The readers differ only in how they find the departments and their sections.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from pipeline.errors import Problem, Severity
from pipeline.importer import details
from pipeline.importer.page import DepartmentPart, PageOptions


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
