"""Publish a build: write every output aside, then move the set into place at once.

`outputs/<cycle>/` always holds one complete build. The new files are written
to a staging folder beside it and swapped in with a single atomic exchange, so
a reader, or a crash, never sees a half-written set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PublishError
from pipeline.settings import SETTINGS
from pipeline.yaml_file import SourceFile

MANIFEST = "manifest.json"
HISTORY = "history"


@dataclass(frozen=True)
class Published:
    folder: Path
    manifest: dict[str, Any]


def describe(published: Published) -> str:
    """What a build published, for the person who ran it."""
    lines = [f"published {published.folder}:"]
    width = max((len(output["file"]) for output in published.manifest["outputs"]), default=0)
    for output in published.manifest["outputs"]:
        lines.append(f"  {output['file']:<{width}} {output['bytes']:>9,} bytes  sha256 {output['sha256'][:12]}…")
    lines.append(f"  status: {published.folder / 'status.md'}")
    return "\n".join(lines)


def build_manifest(
    cycle: str, files: dict[str, bytes], inputs: list[SourceFile], inputs_root: Path, flow_run_id: str | None = None
) -> dict[str, object]:
    """What was published and from what: names, sizes and sha256 of outputs and inputs,
    and the Prefect flow run that built it."""
    return {
        "cycle": cycle,
        "flow_run_id": flow_run_id,
        "outputs": [
            {"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        ],
        "submissions": [
            {"file": source.path.relative_to(inputs_root).as_posix(), "sha256": source.sha256}
            for source in sorted(inputs, key=lambda source: source.path)
        ],
    }


def publish(
    outputs_root: Path,
    cycle: str,
    files: dict[str, bytes],
    manifest: dict[str, object],
    status: dict[str, bytes] | None = None,
    keep_history: int = SETTINGS.keep_history,
) -> Published:
    """Publish a build: the report files, their manifest, and the run's status files
    (which describe the run, not the report, so the manifest leaves them out). The
    build it replaces moves to history/<when it was replaced>/; the newest
    `keep_history` of those are kept."""
    outputs_root.mkdir(parents=True, exist_ok=True)
    with cycle_lock(outputs_root, cycle):
        _remove_abandoned_staging(outputs_root, cycle)
        return _publish_locked(outputs_root, cycle, files, manifest, status or {}, keep_history)


@contextmanager
def cycle_lock(outputs_root: Path, cycle: str) -> Iterator[None]:
    """One publisher per cycle at a time, across processes; a second waits its turn.
    The kernel drops the lock if its holder dies, so a killed run never blocks the next."""
    outputs_root.mkdir(parents=True, exist_ok=True)
    with open(outputs_root / f".{cycle}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_abandoned_staging(outputs_root: Path, cycle: str) -> None:
    """Staging folders left by a run killed mid-publish; safe to remove while we hold the lock."""
    for leftover in outputs_root.glob(f".{cycle}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _publish_locked(
    outputs_root: Path,
    cycle: str,
    files: dict[str, bytes],
    manifest: dict[str, object],
    status: dict[str, bytes],
    keep_history: int,
) -> Published:
    target = outputs_root / cycle
    staging = Path(tempfile.mkdtemp(prefix=f".{cycle}.staging-", dir=outputs_root))
    history = target / HISTORY
    moved_history = False
    try:
        for name, data in {**files, **status, MANIFEST: _manifest_bytes(manifest)}.items():
            _write_synced(staging / name, data)
        os.chmod(staging, 0o755)
        _fsync_directory(staging)
        if target.exists():
            if history.is_dir():
                os.rename(history, staging / HISTORY)  # the history travels with the new build
                moved_history = True
            _exchange(staging, target)  # staging now holds the previous build
            moved_history = False
            _archive(staging, history, keep_history)
        else:
            os.rename(staging, target)
        _fsync_directory(outputs_root)
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
            _replace_files(target, status)
    except OSError as error:
        raise PublishError(f"could not write the status files to {target}: {error}") from error
    return target


def _replace_files(target: Path, files: dict[str, bytes]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        aside = target / f".{name}.{os.getpid()}.new"
        _write_synced(aside, data)
        os.replace(aside, target / name)
    _fsync_directory(target)


def _manifest_bytes(manifest: dict[str, object]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.chmod(path, 0o644)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _exchange(first: Path, second: Path) -> None:
    """Swap two directories atomically (Linux renameat2), or as near as the system allows."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
        if result == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(second))
    # Fallback: two renames; the gap between them is as short as it can be.
    aside = first.with_name(first.name + ".previous")
    os.rename(second, aside)
    os.rename(first, second)
    os.rename(aside, first)
