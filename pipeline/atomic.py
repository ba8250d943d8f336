"""Writing files so that a reader, or a crash, never sees them half-written: files written and
synced aside, then renamed or swapped into place; and a lock file for one writer at a time.
Publishing, the hub and the feedback ledger all write through these.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold a lock file's exclusive lock, waiting for it if another process has it."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def replace_files(target: Path, files: dict[str, bytes]) -> None:
    """Replace files in a folder, each in one rename."""
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        aside = target / f".{name}.{os.getpid()}.new"
        write_synced(aside, data)
        os.replace(aside, target / name)
    fsync_directory(target)


def write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.chmod(path, 0o644)


def fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _libc() -> ctypes.CDLL:
    """The C library, found when first needed: finding it runs ldconfig, which a command that
    only reads (validate, say) should not wait for."""
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def exchange(first: Path, second: Path) -> None:
    """Swap two directories atomically (Linux renameat2), or as near as the system allows."""
    renameat2 = getattr(_libc(), "renameat2", None)
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
