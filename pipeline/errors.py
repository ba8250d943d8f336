"""The pipeline's errors and the problems it reports about submissions.

A `Problem` is one thing wrong with one input file (or a warning about it); the
exceptions below carry lists of them so that a run reports every problem at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.characters import shown


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem in one file: where it is, what is wrong and how to fix it."""

    file: Path
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    # What kind of problem it is, for code that must tell kinds apart (never shown; "" when none needs to).
    code: str = dataclasses.field(default="", compare=False)

    def __post_init__(self) -> None:
        # Its words may quote what a file holds (a key, a department's name): a character that
        # displays otherwise than it reads is shown as its escape, wherever the problem is shown.
        for name in ("field", "message", "hint"):
            object.__setattr__(self, name, shown(getattr(self, name)))

    @property
    def file_shown(self) -> str:
        """The file's path as it may be shown (a name's undecodable bytes as \\xNN)."""
        return shown(str(self.file))

    def __str__(self) -> str:
        where = f"{self.file_shown}:{self.line}:{self.column}"
        field = f"{self.field}: " if self.field else ""
        text = f"{where}: {self.severity.value}: {field}{self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file_shown,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity.value,
        }


class PipelineError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""


class InvalidInputError(PipelineError):
    """Inputs failed validation; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class CycleNotFoundError(PipelineError):
    """The cycle folder or its report.yaml does not exist."""


class NotApprovedError(PipelineError):
    """A reviewed build its reviewer did not approve, or no one answered in time: nothing was published."""


class ReviewRequiredError(PipelineError):
    """A cycle that requires review was asked to publish without a reviewer: nothing was published."""


class AwaitingReviewError(ReviewRequiredError):
    """A build that differs from an approved publication, with no reviewer to approve it: nothing was published."""


class PublishError(PipelineError):
    """Outputs could not be written; the previous outputs are untouched."""
