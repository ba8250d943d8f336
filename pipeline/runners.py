"""How the stages are run: at once in this process, or submitted to an orchestrator.

`stages.build` hands every stage to a runner. `DirectRunner` calls it there and then;
the Prefect adapter (`pipeline.orchestration.prefect_tasks`) submits it as a Prefect task. A stage's
arguments may be the pending results of earlier stages: the runner waits for them, so the
order in which `build` submits the stages is the pipeline's order, whoever runs it.

`submit` is typed per number of arguments, so that mypy holds each argument, value or
pending result, to the stage's own signature, and knows what the stage returns.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, overload, runtime_checkable

if TYPE_CHECKING:
    from pipeline.check.validate import CheckCache

R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")
K = TypeVar("K")
T_co = TypeVar("T_co", covariant=True)


@runtime_checkable
class Pending(Protocol[T_co]):
    """A stage's result, now or later."""

    def result(self) -> T_co: ...


@dataclass(frozen=True)
class Computed(Generic[R]):
    """A result already worked out."""

    value: R

    def result(self) -> R:
        return self.value


@dataclass(frozen=True)
class Gathered(Generic[K, R]):
    """Several pending results as one mapping: a stage that takes them all waits for each."""

    parts: Mapping[K, Pending[R]]

    def result(self) -> dict[K, R]:
        return {key: part.result() for key, part in self.parts.items()}


class Runner(ABC):
    """How stages are run. `submit` may return before the stage has run."""

    # The run's identifier, recorded in the manifest; the cache for files' checks.
    run_id: str | None = None
    cache: CheckCache | None = None

    @overload
    def submit(self, stage: Callable[[A], R], a: A | Pending[A], /) -> Pending[R]: ...
    @overload
    def submit(self, stage: Callable[[A, B], R], a: A | Pending[A], b: B | Pending[B], /) -> Pending[R]: ...
    @overload
    def submit(
        self, stage: Callable[[A, B, C], R], a: A | Pending[A], b: B | Pending[B], c: C | Pending[C], /
    ) -> Pending[R]: ...
    @overload
    def submit(
        self,
        stage: Callable[[A, B, C, D], R],
        a: A | Pending[A],
        b: B | Pending[B],
        c: C | Pending[C],
        d: D | Pending[D],
        /,
    ) -> Pending[R]: ...
    @overload
    def submit(
        self,
        stage: Callable[[A, B, C, D, E], R],
        a: A | Pending[A],
        b: B | Pending[B],
        c: C | Pending[C],
        d: D | Pending[D],
        e: E | Pending[E],
        /,
    ) -> Pending[R]: ...
    def submit(self, stage: Callable[..., R], /, *arguments: object) -> Pending[R]:
        return self.run(stage, arguments)

    @abstractmethod
    def run(self, stage: Callable[..., R], arguments: tuple[object, ...]) -> Pending[R]:
        """Run `stage` once the pending results among `arguments` are ready, with their values."""


class DirectRunner(Runner):
    """Each stage called at once, in this process: plain Python, no orchestrator."""

    def __init__(self, run_id: str | None = None, cache: CheckCache | None = None) -> None:
        self.run_id, self.cache = run_id, cache

    def run(self, stage: Callable[..., R], arguments: tuple[object, ...]) -> Pending[R]:
        return Computed(stage(*(resolved(argument) for argument in arguments)))


def pending_in(arguments: Iterable[object]) -> list[Pending[object]]:
    """The pending results among a stage's arguments: what it must wait for."""
    found: list[Pending[object]] = []
    for argument in arguments:
        if isinstance(argument, Gathered):
            found += argument.parts.values()
        elif isinstance(argument, Pending):
            found.append(argument)
    return found


def resolved(argument: object) -> object:
    """An argument with its pending result replaced by its value."""
    return argument.result() if isinstance(argument, Pending) else argument
