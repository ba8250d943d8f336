"""The records of a cycle's state: who submitted and whose file is valid (status.md,
validation.json, the status artifact), one dropped file's check, and what a reviewer or a
coordinator decided about a build."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.errors import Problem, Severity

# --- Status: the coordinator's view of a cycle.


@dataclass(frozen=True)
class ProblemRow:
    """A problem as the status shows it: its file relative to the submissions folder."""

    file: str
    line: int
    column: int
    field: str
    message: str
    hint: str
    severity: Severity

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "severity": self.severity.value}


@dataclass(frozen=True)
class DepartmentRow:
    """Where one expected department stands."""

    department: str
    files: tuple[str, ...]
    valid: bool
    problems: tuple[ProblemRow, ...]

    @property
    def submitted(self) -> bool:
        return bool(self.files)

    @property
    def errors(self) -> int:
        return count(self.problems, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.problems, Severity.WARNING)

    def to_json(self) -> dict[str, object]:
        return {
            "department": self.department,
            "files": list(self.files),
            "submitted": self.submitted,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [problem.to_json() for problem in self.problems],
        }


@dataclass(frozen=True)
class CycleStatus:
    """Every expected department of a cycle, and the problems that belong to none of them."""

    cycle: str
    departments: tuple[DepartmentRow, ...]
    other_problems: tuple[ProblemRow, ...]
    review: Decision | None = None
    without_review: WithoutReview | None = None

    @property
    def problems(self) -> tuple[ProblemRow, ...]:
        return (*(problem for row in self.departments for problem in row.problems), *self.other_problems)

    @property
    def errors(self) -> int:
        return count(self.problems, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.problems, Severity.WARNING)

    @property
    def expected(self) -> int:
        return len(self.departments)

    @property
    def submitted(self) -> int:
        return sum(row.submitted for row in self.departments)

    @property
    def valid(self) -> int:
        return sum(row.valid for row in self.departments)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(row.department for row in self.departments if not row.submitted)

    @property
    def invalid(self) -> tuple[str, ...]:  # answered with a file that has errors
        return tuple(row.department for row in self.departments if row.submitted and not row.valid)

    def reviewed(self, decision: Decision) -> CycleStatus:
        return replace(self, review=decision)

    def to_json(self) -> dict[str, object]:
        """validation.json."""
        data: dict[str, object] = {
            "cycle": self.cycle,
            "departments_expected": self.expected,
            "departments_submitted": self.submitted,
            "departments_valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "departments": [row.to_json() for row in self.departments],
            "other_problems": [problem.to_json() for problem in self.other_problems],
        }
        if self.review is not None:
            data["review"] = self.review.to_json()
        if self.without_review is not None:
            data["without_review"] = self.without_review.to_json()
        return data


def count(problems: Sequence[Problem | ProblemRow], severity: Severity) -> int:
    return sum(problem.severity is severity for problem in problems)


# --- One dropped file's check.


@dataclass(frozen=True)
class FileResult:
    """A dropped or changed file's check: its own problems, and whose file it is."""

    cycle: str
    name: str  # the file's name in the cycle's folder
    path: Path
    exists: bool
    problems: tuple[Problem, ...]
    department: str | None  # None when the file names no expected department
    contact: str | None  # the department's contact address in report.yaml, if it gives one

    @property
    def label(self) -> str:
        """How the file is named to people: <cycle>/<file name>."""
        return f"{self.cycle}/{self.name}"


# --- Review.


@dataclass(frozen=True)
class Decision:
    """A reviewer's answer, or the lack of one."""

    approved: bool
    reviewer: str
    comment: str
    decided_at: str  # ISO 8601, UTC

    to_json = asdict  # as kept in manifest.json and validation.json

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        return cls(bool(data["approved"]), str(data["reviewer"]), str(data["comment"]), str(data["decided_at"]))

    def reason(self) -> str:
        """Why nothing was published, in one line."""
        if not self.reviewer:
            return f"Not published: {self.comment}."
        said = f": {self.comment}" if self.comment else " (no comment given)"
        return f"Not published: {self.reviewer} did not approve it{said}."


@dataclass(frozen=True)
class WithoutReview:
    """A coordinator's word that a build is published without a reviewer: who, when and why."""

    by: str
    at: str  # ISO 8601, UTC
    reason: str

    to_json = asdict

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WithoutReview:
        return cls(str(data["by"]), str(data["at"]), str(data["reason"]))
