"""manifest.json's record: what a build published and from what, and what the hub shows of it."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from pipeline.records.status import CycleStatus, Decision, WithoutReview

R = TypeVar("R")

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
    without_review: WithoutReview | None = None
    preview: str | None = None
    bundle: FileEntry | None = None
    # When it was published (ISO 8601, UTC): in manifest.json only, so the zip is the same for the same build.
    published_at: str | None = None
    schema_version: int = MANIFEST_SCHEMA_VERSION

    @property
    def files(self) -> tuple[FileEntry, ...]:
        """Every file it lists: the outputs, then the zip."""
        return (*self.outputs, *((self.bundle,) if self.bundle else ()))

    @property
    def approved(self) -> bool:
        """Published because a reviewer approved it: only another approved build replaces it."""
        return self.review is not None and self.review.approved

    def to_json(self) -> dict[str, object]:
        optional = {
            "formats": list(self.formats) if self.formats is not None else None,
            "report": self.report.to_json() if self.report else None,
            "departments": self.departments.to_json() if self.departments else None,
            "text": {name: entry.to_json() for name, entry in self.text.items()} if self.text is not None else None,
            "review": self.review.to_json() if self.review else None,
            "without_review": self.without_review.to_json() if self.without_review else None,
            "preview": self.preview,
            "bundle": self.bundle.to_json() if self.bundle else None,
            "published_at": self.published_at,
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
                without_review=_read(WithoutReview.from_json, data.get("without_review")),
                preview=data.get("preview"),
                bundle=_read(FileEntry.from_json, data.get("bundle")),
                published_at=data.get("published_at"),
                schema_version=int(data.get("schema_version", 1)),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def _read(record: Callable[[Mapping[str, Any]], R], data: Mapping[str, Any] | None) -> R | None:
    return record(data) if data else None
