"""manifest.json: what a build published and from what (`records.Manifest`), made and read here."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.model.document import Report
from pipeline.read.yaml_file import SourceFile
from pipeline.records import (
    CycleStatus,
    DepartmentCounts,
    FileEntry,
    InputEntry,
    Manifest,
    ReportFacts,
    TextFingerprint,
)
from pipeline.workspace import MANIFEST


def build_manifest(
    cycle: str,
    files: Mapping[str, bytes],
    inputs: Sequence[SourceFile],
    inputs_root: Path,
    flow_run_id: str | None = None,
) -> Manifest:
    """The outputs and the inputs: names, sizes and sha256, and the Prefect flow run that built them."""
    return Manifest(
        cycle=cycle,
        flow_run_id=flow_run_id,
        outputs=tuple(file_entry(name, data) for name, data in sorted(files.items())),
        submissions=tuple(
            InputEntry(source.path.relative_to(inputs_root).as_posix(), source.sha256)
            for source in sorted(inputs, key=lambda source: source.path)
        ),
    )


def describe_report(
    manifest: Manifest,
    report: Report,
    status: CycleStatus,
    publishes: Sequence[str],
    text: Mapping[str, TextFingerprint],
) -> Manifest:
    """What the publication hub shows of a build (`publishes`: the formats a complete publication
    of the cycle holds), and each department's text, which the next review compares against."""
    return dataclasses.replace(
        manifest,
        formats=tuple(str(name) for name in publishes),
        report=ReportFacts(
            report.title, report.strategy, report.action, tuple(report.reporting_years), report.published
        ),
        departments=DepartmentCounts.of(status),
        text=text,
    )


def with_outputs(manifest: Manifest, files: Mapping[str, bytes]) -> Manifest:
    return dataclasses.replace(manifest, outputs=tuple(file_entry(name, data) for name, data in sorted(files.items())))


def file_entry(name: str, data: bytes) -> FileEntry:
    return FileEntry(name, len(data), hashlib.sha256(data).hexdigest())


def manifest_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.to_json(), indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def read_manifest(folder: Path) -> Manifest | None:
    """A build folder's manifest, if it has one this code can read."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Manifest.from_json(data)
