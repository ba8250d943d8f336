"""Publish a build: write every output aside, then move the set into place at once.

A cycle's publication always holds one complete build: the report files, one zip of them
with their manifest, the manifest and the run's status. The new files are written to a
staging folder beside it and swapped in with a single atomic exchange, so a reader, or a
crash, never sees a half-written set. A build waiting for review is staged in its own
folder, and a preview is published the same way in the previews' workspace, both apart
from what is published (`pipeline.workspace` says where).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import atomic
from pipeline.errors import AwaitingReviewError, PublishError, ReviewRequiredError
from pipeline.publish.manifest import file_entry, manifest_bytes, read_manifest
from pipeline.publish.purpose import review_refusal
from pipeline.records import Manifest
from pipeline.settings import SETTINGS
from pipeline.workspace import HISTORY, MANIFEST, STAGING, SUMMARY_FILE, Workspace

# The name of each build replaced, under history/: when it was replaced.
HISTORY_STAMP = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class Published:
    folder: Path
    manifest: Manifest
    # What a reader opens: the cycle's publication (for a preview, the one it leaves unchanged), and the hub.
    publication: Path
    hub: Path
    # Why this build is a preview, written beside the publication; None when it was published.
    preview: str | None = None
    # The departments shown as "No response received.", each with why.
    not_received: tuple[tuple[str, str], ...] = ()
    # Every output equal, byte for byte, to the publication's: it was kept as it was, and `manifest` is its own.
    unchanged: bool = False


def describe(published: Published) -> str:
    """What a build published, or previewed, for the person who ran it."""
    if published.unchanged:
        lines = [f"{published.folder} is unchanged: {unchanged_since(published.manifest)}"]
    elif published.preview is None:
        lines = [f"published {published.folder}:"]
    else:
        lines = [f"preview written to {published.folder} (not published: {published.preview}):"]
    listed = published.manifest.files
    width = max((len(output.file) for output in listed), default=0)
    for output in listed:
        lines.append(f"  {output.file:<{width}} {output.size:>9,} bytes  sha256 {output.sha256[:12]}…")
    lines.append(f"  status: {published.folder / SUMMARY_FILE}")
    if published.preview is None:
        lines.append(f"  all published reports: {published.hub}")
    elif published.publication.is_dir():
        lines.append(f"  the publication in {published.publication} is unchanged")
    else:
        lines.append(f"  nothing of {published.publication.name} is published yet ({published.publication})")
    if published.not_received:
        count = len(published.not_received)
        lines.append(f'{count} department{" is" if count == 1 else "s are"} shown as "No response received.":')
        lines += [f"  {department}: {why}" for department, why in published.not_received]
    return "\n".join(lines)


def unchanged_since(manifest: Manifest) -> str:
    """ "every output is the same as the one published 2026-12-07T09:00:00Z, approved by Ana Lopez"."""
    since = f"published {manifest.published_at}" if manifest.published_at else "published earlier"
    if manifest.approved:
        assert manifest.review is not None
        how = f", approved by {manifest.review.reviewer}"
    elif manifest.without_review is not None:
        how = f", without review ({manifest.without_review.by}: {manifest.without_review.reason})"
    else:
        how = ""
    return f"every output is the same, byte for byte, as the one {since}{how}; nothing was written"


def approval_kept(cycle: str, publication: Manifest) -> str:
    """Why a build that differs from an approved publication is not published without a reviewer."""
    assert publication.review is not None
    return (
        f"{cycle}'s publication was approved by {publication.review.reviewer} ({publication.review.decided_at}),"
        " and this build differs from it: only another approved build replaces it, so it waits for review and"
        " nothing was published. Build it with review (the annual-report deployment, or build --review with the"
        ' coordinators\' server running), or publish it without review saying why: build --without-review "REASON"'
    )


def bundle_name(cycle: str) -> str:
    return f"{cycle}.zip"


def bundle(files: Mapping[str, bytes], manifest: Manifest, folder: str) -> bytes:
    """The report files and their manifest in one zip that unpacks into one folder (the
    cycle's name), and is the same, byte for byte, for the same files: sorted entries, and
    every timestamp the report's publication date."""
    day = manifest.report.published if manifest.report else datetime.date(1980, 1, 1)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The zip's manifest leaves out when it was published, so that the same build makes the same zip.
        inside = dataclasses.replace(manifest, published_at=None)
        for name, data in sorted({**files, MANIFEST: manifest_bytes(inside)}.items()):
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            entry.create_system = 3  # Unix, whatever builds it
            archive.writestr(entry, data, compresslevel=9)
    return buffer.getvalue()


def publish(
    workspace: Workspace,
    cycle: str,
    files: Mapping[str, bytes],
    manifest: Manifest,
    status: Mapping[str, bytes] | None = None,
    keep_history: int = SETTINGS.keep_history,
    review_required: bool = False,
) -> Published:
    """Publish a build: the report files, their zip (`bundle`), their manifest, and the run's
    status files (which describe the run, not the report, so the manifest leaves them out).
    The manifest lists the zip; the copy inside the zip cannot list itself, and says the rest.
    The build it replaces moves to history/<when it was replaced>/; the newest
    `keep_history` of those are kept.

    A build whose outputs are the publication's, byte for byte, changes nothing: the publication,
    its review and its history are kept as they are (`Published.unchanged`), unless it brings the
    approval an unreviewed publication lacked. Otherwise an approved
    publication is replaced only by an approved build, and so is that of a cycle whose report.yaml
    requires review (`review_required`), unless the manifest records a coordinator's word that it
    is published without review; else AwaitingReviewError or ReviewRequiredError, and nothing is written."""
    zipped = bundle(files, manifest, cycle)
    manifest = dataclasses.replace(manifest, bundle=file_entry(bundle_name(cycle), zipped), published_at=_now())
    workspace.outputs.mkdir(parents=True, exist_ok=True)
    target = workspace.publication(cycle)
    with workspace.cycle_lock(cycle):
        _remove_abandoned_staging(workspace, cycle)
        # Decided under the lock, against the publication as it is now, whatever the build was told before.
        current = read_manifest(target) if manifest.preview is None else None
        adds_an_approval = manifest.approved and current is not None and not current.approved
        if current is not None and not adds_an_approval and same_outputs(target, current, files):
            return Published(target, current, target, workspace.hub, unchanged=True)
        unreviewed = manifest.preview is None and not manifest.approved and manifest.without_review is None
        if unreviewed and current is not None and current.approved:
            raise AwaitingReviewError(approval_kept(cycle, current))
        if unreviewed and current is None and (target / MANIFEST).exists():
            # Unreadable (damaged, or written by a newer pipeline): it may record an approval, so it is kept as one.
            raise AwaitingReviewError(
                f"{cycle}'s publication has a {MANIFEST} this pipeline cannot read, so it may have been approved:"
                " only a reviewed build replaces it, or one published without review saying why"
                ' (build --without-review "REASON")'
            )
        if unreviewed and review_required:
            raise ReviewRequiredError(review_refusal(cycle))
        written = {**files, bundle_name(cycle): zipped, **(status or {}), MANIFEST: manifest_bytes(manifest)}
        _publish_locked(workspace, cycle, written, keep_history)
    return Published(target, manifest, target, workspace.hub)


def same_outputs(folder: Path, publication: Manifest, files: Mapping[str, bytes]) -> bool:
    """Whether these files are, byte for byte, the outputs a publication lists and holds on disk."""
    if publication.preview is not None:
        return False
    listed = {entry.file: entry.sha256 for entry in publication.outputs}
    if listed != {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}:
        return False
    try:
        return all((folder / name).read_bytes() == data for name, data in files.items())
    except OSError:
        return False


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()  # as a review's time is written


def _remove_abandoned_staging(workspace: Workspace, cycle: str) -> None:
    """Staging folders left by a run killed mid-publish; safe to remove while we hold the lock."""
    for leftover in workspace.outputs.glob(STAGING.format(cycle=cycle) + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _publish_locked(workspace: Workspace, cycle: str, files: Mapping[str, bytes], keep_history: int) -> None:
    target = workspace.publication(cycle)
    staging = Path(tempfile.mkdtemp(prefix=STAGING.format(cycle=cycle), dir=workspace.outputs))
    history = workspace.history(cycle)
    moved_history = False
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(mode=0o755, exist_ok=True)  # an edition's departments/, say
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
        atomic.fsync_directory(workspace.outputs)
    except OSError as error:
        if moved_history:
            os.rename(staging / HISTORY, history)
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"could not publish to {target}: {error}") from error


def _archive(previous: Path, history: Path, keep: int) -> None:
    if keep <= 0:
        shutil.rmtree(previous)
        shutil.rmtree(history, ignore_errors=True)
        return
    history.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime(HISTORY_STAMP)
    os.rename(previous, history / stamp)
    for old in sorted(history.iterdir())[:-keep]:
        shutil.rmtree(old)


def replace_status_files(workspace: Workspace, cycle: str, status: Mapping[str, bytes]) -> Path:
    """After a run that published nothing, replace just the status files, each in one
    rename, beside the last good build (or in a new folder if there is none)."""
    target = workspace.publication(cycle)
    try:
        with workspace.cycle_lock(cycle):
            atomic.replace_files(target, dict(status))
    except OSError as error:
        raise PublishError(f"could not write the status files to {target}: {error}") from error
    return target


def stage_files(workspace: Workspace, cycle: str, run_id: str | None, files: Mapping[str, bytes]) -> Path:
    """Put a build where its reviewer can open it; nothing published changes."""
    folder = workspace.review_folder(cycle, run_id)
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


def withdraw_staged(workspace: Workspace, cycle: str, run_id: str | None) -> None:
    """A run's staged copy, once its review is decided (published, or not)."""
    folder = workspace.review_folder(cycle, run_id)
    shutil.rmtree(folder, ignore_errors=True)
    for leftover in folder.parent.glob(f".{folder.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    with contextlib.suppress(OSError):  # the cycle's folder, once no other run of it waits
        folder.parent.rmdir()
