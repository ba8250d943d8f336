"""How the stages are run: at once in this process, or submitted to an orchestrator.

`stages.build` hands every stage to a runner. `DirectRunner` calls it there and then;
`flows.py` gives one that submits it as a Prefect task. A stage's arguments may be the
pending results of earlier stages: the runner waits for them, so the order in which
`build` submits the stages is the pipeline's order, whoever runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from pipeline.validate import CheckCache

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@runtime_checkable
class Pending(Protocol[T_co]):
    """A stage's result, now or later."""

    def result(self) -> T_co: ...


class Runner(Protocol):
    """How stages are run. `submit` may return before the stage has run; it waits for any
    pending results among the arguments (directly, or as the values of a mapping)."""

    # The run's identifier, recorded in the manifest; the cache for files' checks.
    run_id: str | None
    cache: CheckCache | None

    def submit(self, stage: Callable[..., T], *arguments: Any) -> Pending[T]: ...


@dataclass(frozen=True)
class Done(Generic[T]):
    value: T

    def result(self) -> T:
        return self.value


@dataclass
class DirectRunner:
    """Each stage called at once, in this process: plain Python, no orchestrator."""

    run_id: str | None = None
    cache: CheckCache | None = None
    calls: list[str] = field(default_factory=list)

    def submit(self, stage: Callable[..., T], *arguments: Any) -> Pending[T]:
        self.calls.append(stage.__name__)
        return Done(stage(*(resolved(argument) for argument in arguments)))


def pending_in(arguments: Sequence[Any]) -> list[Pending[Any]]:
    """The pending results among a stage's arguments: what it must wait for."""
    found: list[Pending[Any]] = []
    for argument in arguments:
        values = argument.values() if isinstance(argument, Mapping) else (argument,)
        found += [value for value in values if isinstance(value, Pending)]
    return found


def resolved(argument: Any) -> Any:
    """An argument with its pending results replaced by their values."""
    if isinstance(argument, Pending):
        return argument.result()
    if isinstance(argument, Mapping) and any(isinstance(value, Pending) for value in argument.values()):
        return {key: resolved(value) for key, value in argument.items()}
    return argument
