"""The records a run hands on and keeps: each one frozen type, written once.

A cycle's status (who submitted, whose file is valid, every problem), a department's row
in it, one dropped file's check, a reviewer's decision and a publication's manifest.
status.md, validation.json, manifest.json, the hub, the review artifact and the feedback
email are views of these; whatever reads them back does so through `from_json` here,
never by picking keys out of a dict. `status` holds a cycle's state, `manifest` what was
published; both are named here.
"""

from pipeline.records.manifest import (
    MANIFEST_SCHEMA_VERSION,
    DepartmentCounts,
    FileEntry,
    InputEntry,
    Manifest,
    ReportFacts,
    TextFingerprint,
)
from pipeline.records.status import (
    CycleStatus,
    Decision,
    DepartmentRow,
    FileResult,
    ProblemRow,
    WithoutReview,
    count,
)

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "CycleStatus",
    "Decision",
    "DepartmentCounts",
    "DepartmentRow",
    "FileEntry",
    "FileResult",
    "InputEntry",
    "Manifest",
    "ProblemRow",
    "ReportFacts",
    "TextFingerprint",
    "WithoutReview",
    "count",
]
