"""Publish a build: write every output aside, then move the set into place at once.

`outputs/<cycle>/` always holds one complete build: the report files, one zip of them
with their manifest, the manifest and the run's status. The new files are written to
a staging folder beside it and swapped in with a single atomic exchange, so a reader,
or a crash, never sees a half-written set. A build waiting for review is staged under
`outputs/.review/<cycle>/<flow run>/`, and a preview is published the same way under
`outputs/.preview/<cycle>/`, both apart from what is published.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import atomic
from pipeline.document import Report
from pipeline.errors import PublishError
from pipeline.review import text_fingerprints
from pipeline.settings import SETTINGS
from pipeline.status import SUMMARY_FILE
from pipeline.yaml_file import SourceFile

MANIFEST = "manifest.json"
HISTORY = "history"
REVIEW = ".review"
PREVIEW = ".preview"
HUB = "index.html"


@dataclass(frozen=True)
class Published:
    folder: Path
    manifest: dict[str, Any]
    # Why this build is a preview, written beside the publication; None when it was published.
    preview: str | None = None
    # The departments shown as "No response received.", each with why.
    not_received: tuple[tuple[str, str], ...] = ()


def describe(published: Published) -> str:
    """What a build published, or previewed, for the person who ran it."""
    if published.preview is None:
        lines = [f"published {published.folder}:"]
    else:
        lines = [f"preview written to {published.folder} (not published: {published.preview}):"]
    listed = [
        *published.manifest["outputs"],
        *([published.manifest["bundle"]] if "bundle" in published.manifest else []),
    ]
    width = max((len(output["file"]) for output in listed), default=0)
    for output in listed:
        lines.append(f"  {output['file']:<{width}} {output['bytes']:>9,} bytes  sha256 {output['sha256'][:12]}…")
    lines.append(f"  status: {published.folder / SUMMARY_FILE}")
    if published.preview is None:
        lines.append(f"  all published reports: {published.folder.parent / HUB}")
    else:
        publication = published.folder.parent.parent / published.folder.name
        lines.append(f"  the publication in {publication} is unchanged")
    if published.not_received:
        count = len(published.not_received)
        lines.append(f'{count} department{" is" if count == 1 else "s are"} shown as "No response received.":')
        lines += [f"  {department}: {why}" for department, why in published.not_received]
    return "\n".join(lines)


def preview_root(outputs_root: Path) -> Path:
    """Where previews are published, one folder per cycle, apart from the publications."""
    return outputs_root / PREVIEW


def build_manifest(
    cycle: str,
    files: dict[str, bytes],
    inputs: list[SourceFile],
    inputs_root: Path,
    flow_run_id: str | None = None,
    *,
    about: dict[str, Any] | None = None,
    review: dict[str, Any] | None = None,
    preview: str | None = None,
) -> dict[str, Any]:
    """What was published and from what: names, sizes and sha256 of outputs and inputs,
    the Prefect flow run that built it, what the report is (`about`, see `report_facts`),
    who approved it, if it was reviewed, and why it is a preview, if it is one."""
    manifest: dict[str, Any] = {
        "cycle": cycle,
        "flow_run_id": flow_run_id,
        "outputs": [_file_entry(name, data) for name, data in sorted(files.items())],
        "submissions": [
            {"file": source.path.relative_to(inputs_root).as_posix(), "sha256": source.sha256}
            for source in sorted(inputs, key=lambda source: source.path)
        ],
    }
    if about is not None:
        manifest.update(about)
    if review is not None:
        manifest["review"] = review
    if preview is not None:
        manifest["preview"] = preview
    return manifest


def report_facts(report: Report, cycle_status: dict[str, Any], publishes: Sequence[str]) -> dict[str, Any]:
    """What the publication hub shows of a build (`publishes`: the formats a complete publication
    of the cycle holds), and what the next review compares against."""
    return {
        "formats": [str(name) for name in publishes],
        "report": {
            "title": report.title,
            "strategy": report.strategy,
            "action": report.action,
            "reporting_years": list(report.reporting_years),
            "published": report.published.isoformat(),
        },
        "departments": {
            "expected": cycle_status["departments_expected"],
            "answered": cycle_status["departments_submitted"],
            "valid": cycle_status["departments_valid"],
            "missing": cycle_status["departments_expected"] - cycle_status["departments_submitted"],
        },
        "text": text_fingerprints(report),
    }


def published_manifest(outputs_root: Path, cycle: str) -> dict[str, Any] | None:
    """The manifest of the build now published for a cycle, if there is one."""
    return read_manifest(outputs_root / cycle)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """A build folder's manifest, if it has one that can be read."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def bundle_name(cycle: str) -> str:
    return f"{cycle}.zip"


def bundle(files: dict[str, bytes], manifest: dict[str, Any], folder: str, published: str | None = None) -> bytes:
    """The report files and their manifest in one zip that unpacks into one folder (the
    cycle's name), and is the same, byte for byte, for the same files: sorted entries, and
    every timestamp the report's publication date."""
    day = datetime.date.fromisoformat(published) if published else datetime.date(1980, 1, 1)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted({**files, MANIFEST: _manifest_bytes(manifest)}.items()):
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            entry.create_system = 3  # Unix, whatever builds it
            archive.writestr(entry, data, compresslevel=9)
    return buffer.getvalue()


def _file_entry(name: str, data: bytes) -> dict[str, Any]:
    return {"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def publish(
    outputs_root: Path,
    cycle: str,
    files: dict[str, bytes],
    manifest: dict[str, Any],
    status: dict[str, bytes] | None = None,
    keep_history: int = SETTINGS.keep_history,
) -> Published:
    """Publish a build: the report files, their zip (`bundle`), their manifest, and the run's
    status files (which describe the run, not the report, so the manifest leaves them out).
    The manifest lists the zip; the copy inside the zip cannot list itself, and says the rest.
    The build it replaces moves to history/<when it was replaced>/; the newest
    `keep_history` of those are kept."""
    report = manifest.get("report")
    zipped = bundle(files, manifest, cycle, report.get("published") if isinstance(report, dict) else None)
    manifest = {**manifest, "bundle": _file_entry(bundle_name(cycle), zipped)}
    outputs_root.mkdir(parents=True, exist_ok=True)
    with cycle_lock(outputs_root, cycle):
        _remove_abandoned_staging(outputs_root, cycle)
        return _publish_locked(
            outputs_root, cycle, {**files, bundle_name(cycle): zipped}, manifest, status or {}, keep_history
        )


@contextmanager
def cycle_lock(outputs_root: Path, cycle: str) -> Iterator[None]:
    """One publisher per cycle at a time, across processes; a second waits its turn.
    The kernel drops the lock if its holder dies, so a killed run never blocks the next."""
    with atomic.exclusive(outputs_root / f".{cycle}.lock"):
        yield


def _remove_abandoned_staging(outputs_root: Path, cycle: str) -> None:
    """Staging folders left by a run killed mid-publish; safe to remove while we hold the lock."""
    for leftover in outputs_root.glob(f".{cycle}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _publish_locked(
    outputs_root: Path,
    cycle: str,
    files: dict[str, bytes],
    manifest: dict[str, Any],
    status: dict[str, bytes],
    keep_history: int,
) -> Published:
    target = outputs_root / cycle
    staging = Path(tempfile.mkdtemp(prefix=f".{cycle}.staging-", dir=outputs_root))
    history = target / HISTORY
    moved_history = False
    try:
        for name, data in {**files, **status, MANIFEST: _manifest_bytes(manifest)}.items():
            atomic.write_synced(staging / name, data)
        os.chmod(staging, 0o755)
        atomic.fsync_directory(staging)
        if target.exists():
            if history.is_dir():
                os.rename(history, staging / HISTORY)  # the history travels with the new build
                moved_history = True
            atomic.exchange(staging, target)  # staging now holds the previous build
            moved_history = False
            _archive(staging, history, keep_history)
        else:
            os.rename(staging, target)
        atomic.fsync_directory(outputs_root)
    except OSError as error:
        if moved_history:
            os.rename(staging / HISTORY, history)
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"could not publish to {target}: {error}") from error
    return Published(target, manifest)


def _archive(previous: Path, history: Path, keep: int) -> None:
    if keep <= 0:
        shutil.rmtree(previous)
        shutil.rmtree(history, ignore_errors=True)
        return
    history.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    os.rename(previous, history / stamp)
    for old in sorted(history.iterdir())[:-keep]:
        shutil.rmtree(old)


def publish_status(outputs_root: Path, cycle: str, status: dict[str, bytes]) -> Path:
    """After a run that published nothing, replace just the status files, each in one
    rename, beside the last good build (or in a new folder if there is none)."""
    target = outputs_root / cycle
    try:
        with cycle_lock(outputs_root, cycle):
            atomic.replace_files(target, status)
    except OSError as error:
        raise PublishError(f"could not write the status files to {target}: {error}") from error
    return target


def review_folder(outputs_root: Path, cycle: str, run_id: str | None) -> Path:
    """Where one run's build waits for its reviewer: a folder per run, so two waiting at once keep apart."""
    return outputs_root / REVIEW / cycle / (run_id or "local")


def stage_for_review(outputs_root: Path, cycle: str, run_id: str | None, files: dict[str, bytes]) -> Path:
    """Put a build where its reviewer can open it; nothing published changes."""
    folder = review_folder(outputs_root, cycle, run_id)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
        for name, data in files.items():
            atomic.write_synced(staging / name, data)
        os.chmod(staging, 0o755)
        shutil.rmtree(folder, ignore_errors=True)
        os.rename(staging, folder)
    except OSError as error:
        raise PublishError(f"could not stage the build for review in {folder}: {error}") from error
    return folder


def withdraw_review(outputs_root: Path, cycle: str, run_id: str | None) -> None:
    """A run's staged copy, once its review is decided (published, or not)."""
    folder = review_folder(outputs_root, cycle, run_id)
    shutil.rmtree(folder, ignore_errors=True)
    for leftover in folder.parent.glob(f".{folder.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(OSError):  # the cycle's folder, once no other run of it waits
        folder.parent.rmdir()


def _manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
