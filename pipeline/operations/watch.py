"""Notice when departments drop or change files under submissions/<cycle>/.

watchfiles (inotify on Linux) reports changes as they happen and batches a burst
of them, such as an editor's save-by-rename, into one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from watchfiles import Change, watch

SUFFIXES = (".yaml", ".yml")


def submission_changes(
    submissions_root: Path, stop: threading.Event | None = None, debounce_ms: int = 400
) -> Iterator[list[tuple[str, str]]]:
    """Each batch of changes as sorted (cycle, file name) pairs, deletions included
    (a withdrawn file changes the cycle's status too)."""
    root = submissions_root.resolve()
    for changes in watch(root, debounce=debounce_ms, stop_event=stop, watch_filter=_is_submission, recursive=True):
        changed = {
            (path.parent.name, path.name)
            for _, path in ((change, Path(name)) for change, name in changes)
            if path.parent.parent == root
        }
        if changed:
            yield sorted(changed)


def _is_submission(change: Change, path: str) -> bool:
    name = Path(path).name
    return name.endswith(SUFFIXES) and not name.startswith(".")
