"""What validation hands on: a cycle's valid submissions, parsed, and where each department stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pipeline.errors import Problem, Severity
from pipeline.read.yaml_file import SourceFile
from pipeline.submission.schema import NotApplicable, ReportConfig
from pipeline.submission.text import Block

SectionContent = tuple[Block, ...] | NotApplicable


@dataclass(frozen=True)
class CheckedSubmission:
    source: SourceFile
    # The department as report.yaml names it, even where the file writes it with other apostrophes.
    department: str
    short_name: str | None
    # The sections this file answers; sections an earlier cycle published are not among them.
    sections: dict[str, SectionContent]


class FileCheck(NamedTuple):
    """One file's check."""

    submission: CheckedSubmission | None  # None if the file cannot be used
    problems: list[Problem]


@dataclass(frozen=True)
class PublishedResponse:
    """A department's sections as earlier cycles published them: carried forward as they are."""

    cycle: str
    short_name: str | None
    sections: dict[str, SectionContent]


# What earlier cycles published, by this cycle's name for each department.
EarlierResponses = dict[str, PublishedResponse]


@dataclass(frozen=True)
class DepartmentStatus:
    """Where one expected department stands: for the coordinator's status report."""

    name: str
    files: tuple[Path, ...]
    valid: bool
    problems: tuple[Problem, ...]

    @property
    def submitted(self) -> bool:
        return bool(self.files)


@dataclass
class CheckedCycle:
    """The outcome of validation: the config, the valid submissions, every problem."""

    cycle: str
    config: ReportConfig
    submissions: list[CheckedSubmission]
    problems: list[Problem] = field(default_factory=list)
    statuses: list[DepartmentStatus] = field(default_factory=list)
    earlier: EarlierResponses = field(default_factory=dict)
    # Files whose check was found in a cache rather than done again.
    reused_checks: int = 0

    def standing_of(self, path: Path) -> DepartmentStatus | None:
        """The expected department whose file this is, if it is one's."""
        return next((standing for standing in self.statuses if path in standing.files), None)

    def responses(self) -> EarlierResponses:
        """Each department's sections in report order: carried forward, then this cycle's own."""
        responses = dict(self.earlier)
        order = [spec.field for spec in self.config.sections()]
        for submission in self.submissions:
            name = submission.department
            before = self.earlier.get(name)
            merged = {**(before.sections if before else {}), **submission.sections}
            responses[name] = PublishedResponse(
                self.cycle,
                submission.short_name or (before.short_name if before else None),
                {key: merged[key] for key in order if key in merged},
            )
        return responses


class CycleCheck(NamedTuple):
    """A cycle's check."""

    checked: CheckedCycle | None  # None when the cycle's config cannot be used
    problems: list[Problem]


def has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity is Severity.ERROR for problem in problems)
