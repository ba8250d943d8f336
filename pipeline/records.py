"""The records a run hands on and keeps: each one frozen type, written once.

A cycle's status (who submitted, whose file is valid, every problem), a department's row
in it, one dropped file's result, a reviewer's decision and a publication's manifest.
status.md, validation.json, manifest.json, the hub, the review artifact and the feedback
email are views of these; whatever reads them back does so through `from_json` here,
never by picking keys out of a dict.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pipeline.errors import Problem, Severity

R = TypeVar("R")

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


# --- The manifest: what was published, and from what.

# 2: the version is written; a manifest without one is version 1, the same fields.
MANIFEST_SCHEMA_VERSION = 2


@dataclass(frozen=True)
class FileEntry:
    file: str
    size: int  # in bytes
    sha256: str

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "bytes": self.size, "sha256": self.sha256}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileEntry:
        return cls(str(data["file"]), int(data["bytes"]), str(data["sha256"]))


@dataclass(frozen=True)
class InputEntry:
    file: str  # relative to the submissions folder
    sha256: str

    to_json = asdict

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InputEntry:
        return cls(str(data["file"]), str(data["sha256"]))


@dataclass(frozen=True)
class ReportFacts:
    """What the hub shows of a report."""

    title: str
    strategy: str
    action: int | None
    reporting_years: tuple[int, ...]
    published: datetime.date

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "reporting_years": list(self.reporting_years), "published": self.published.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportFacts:
        action = data.get("action")
        return cls(
            str(data["title"]),
            str(data["strategy"]),
            None if action is None else int(action),
            tuple(int(year) for year in data["reporting_years"]),
            datetime.date.fromisoformat(data["published"]),
        )


@dataclass(frozen=True)
class DepartmentCounts:
    expected: int
    answered: int
    valid: int

    @property
    def missing(self) -> int:
        return self.expected - self.answered

    @classmethod
    def of(cls, status: CycleStatus) -> DepartmentCounts:
        return cls(status.expected, status.submitted, status.valid)

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "missing": self.missing}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DepartmentCounts:
        return cls(int(data["expected"]), int(data["answered"]), int(data["valid"]))


@dataclass(frozen=True)
class TextFingerprint:
    """A department's words, counted and hashed, so a later build can tell whose text changed."""

    words: int
    sha256: str

    to_json = asdict

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TextFingerprint:
        return cls(int(data["words"]), str(data["sha256"]))


@dataclass(frozen=True)
class Manifest:
    """manifest.json: names, sizes and sha256 of outputs and inputs, the Prefect flow run that
    built it, what the report is, who approved it if it was reviewed, and why it is a preview
    if it is one. The zip's copy has no `bundle`: it cannot list itself."""

    cycle: str
    flow_run_id: str | None
    outputs: tuple[FileEntry, ...]
    submissions: tuple[InputEntry, ...]
    formats: tuple[str, ...] | None = None  # what a complete publication of the cycle holds
    report: ReportFacts | None = None
    departments: DepartmentCounts | None = None
    text: Mapping[str, TextFingerprint] | None = field(default=None, compare=False)
    review: Decision | None = None
    preview: str | None = None
    bundle: FileEntry | None = None
    schema_version: int = MANIFEST_SCHEMA_VERSION

    @property
    def files(self) -> tuple[FileEntry, ...]:
        """Every file it lists: the outputs, then the zip."""
        return (*self.outputs, *((self.bundle,) if self.bundle else ()))

    def to_json(self) -> dict[str, object]:
        optional = {
            "formats": list(self.formats) if self.formats is not None else None,
            "report": self.report.to_json() if self.report else None,
            "departments": self.departments.to_json() if self.departments else None,
            "text": {name: entry.to_json() for name, entry in self.text.items()} if self.text is not None else None,
            "review": self.review.to_json() if self.review else None,
            "preview": self.preview,
            "bundle": self.bundle.to_json() if self.bundle else None,
        }
        return {
            "schema_version": self.schema_version,
            "cycle": self.cycle,
            "flow_run_id": self.flow_run_id,
            "outputs": [entry.to_json() for entry in self.outputs],
            "submissions": [entry.to_json() for entry in self.submissions],
            **{key: value for key, value in optional.items() if value is not None},
        }

    @classmethod
    def from_json(cls, data: object) -> Manifest | None:
        """A manifest read back, or None if it is not one this code can read."""
        if not isinstance(data, dict) or int(data.get("schema_version", 1)) > MANIFEST_SCHEMA_VERSION:
            return None
        try:
            text = data.get("text")
            return cls(
                cycle=str(data["cycle"]),
                flow_run_id=data.get("flow_run_id"),
                outputs=tuple(FileEntry.from_json(entry) for entry in data["outputs"]),
                submissions=tuple(InputEntry.from_json(entry) for entry in data.get("submissions", [])),
                formats=tuple(str(name) for name in data["formats"]) if "formats" in data else None,
                report=_read(ReportFacts.from_json, data.get("report")),
                departments=_read(DepartmentCounts.from_json, data.get("departments")),
                text={name: TextFingerprint.from_json(entry) for name, entry in text.items()} if text else None,
                review=_read(Decision.from_json, data.get("review")),
                preview=data.get("preview"),
                bundle=_read(FileEntry.from_json, data.get("bundle")),
                schema_version=int(data.get("schema_version", 1)),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def _read(record: Callable[[Mapping[str, Any]], R], data: Mapping[str, Any] | None) -> R | None:
    return record(data) if data else None
