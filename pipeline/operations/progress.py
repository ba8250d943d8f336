"""Progress of long work, for whoever is watching: a bar on a terminal, plain lines otherwise.

The stages and the flows say what they finished (`report`); the command line listens
(`on_terminal`). Nothing is shown, and nothing is kept, when nobody listens.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Step:
    """One piece of `total` finished: a stage of a cycle's build, or a whole cycle of several."""

    scope: str  # what is counted: CYCLES, or the name of the cycle whose stages these are
    label: str
    done: int
    total: int


CYCLES = "cycles"

_listeners: list[Callable[[Step], None]] = []
_lock = threading.Lock()


def report(step: Step) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(step)


@contextmanager
def listening(listener: Callable[[Step], None]) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


class Counter:
    """Counts the steps of one piece of work as they finish, from any thread."""

    def __init__(self, scope: str, total: int) -> None:
        self.scope, self.total, self.done = scope, total, 0
        self._lock = threading.Lock()

    def finished(self, label: str) -> Step:
        with self._lock:
            self.done += 1
            step = Step(self.scope, label, self.done, self.total)
        report(step)
        return step


@contextmanager
def on_terminal(stream: TextIO = sys.stderr) -> Iterator[None]:
    """Show progress while the block runs: rich's bars on a terminal, one line per step otherwise."""
    if not stream.isatty():
        with listening(lambda step: print(_line(step), file=stream, flush=True)):
            yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=False) as bars:
        tasks: dict[str, object] = {}

        def show(step: Step) -> None:
            if step.scope not in tasks:
                tasks[step.scope] = bars.add_task(step.scope, total=step.total)
            task = tasks[step.scope]
            bars.update(task, completed=step.done, total=step.total, description=f"{step.scope}: {step.label}")  # type: ignore[arg-type]

        with listening(show):
            yield


def _line(step: Step) -> str:
    return f"[{step.done}/{step.total}] {step.scope}: {step.label}"
