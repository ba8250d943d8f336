"""All reports over a work pool: one annual-report run per cycle, started on the pool's workers
with `run_deployment(timeout=0)`, then waited for in one polling loop.

Each child is started with an idempotency key of the parent's run and its cycle, so a parent
that is retried finds the runs it already started rather than starting them again. A child that
fails does not fail the parent by itself: the parent reads every child's final state, reports
each as it finishes, and fails if any did not complete.

A child marked Crashed (its worker or machine died: `zombies`) is started again once, as a new
run on the pool. The worker that died no longer asks for runs, so another takes it; a second
crash is reported as the cycle's outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.deployments import run_deployment

from pipeline.errors import PipelineError
from pipeline.orchestration import prefect_names
from pipeline.request import as_stored

# How often the parent asks the server how its children are doing.
POLL_SECONDS = 2.0
# How many times a crashed cycle is started again.
RESUBMISSIONS = 1


@dataclass(frozen=True)
class ChildOutcome:
    completed: bool
    summary: str  # the final state's name, and its message when it did not complete, then the run's name


@dataclass(frozen=True)
class _Attempt:
    cycle: str
    number: int  # 1 for the first run of the cycle
    crashed: tuple[str, ...] = ()  # what became of the cycle's earlier runs


def on_the_pool(
    pool: str,
    parent: UUID,
    requests: Mapping[str, Mapping[str, object]],
    finished: Callable[[str, ChildOutcome], None],
    resubmitted: Callable[[str, str], None] = lambda cycle, crash: None,
) -> dict[str, ChildOutcome]:
    """Start each cycle's run (`requests`: the flow's parameters, by cycle) on the pool and wait
    for all of them; `finished` is told of each as it ends, `resubmitted` of a crashed run started again."""
    name = prefect_names.deployment(prefect_names.ANNUAL_REPORT)
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(name)
        if deployment.work_pool_name != pool:
            raise PipelineError(
                f"the deployment {name} is not on the work pool {pool!r} (it is on "
                f"{deployment.work_pool_name or 'none: make serve runs it'}): register it there with make deploy"
            )

    def start(attempt: _Attempt) -> UUID:
        # A retried parent finds each attempt it already started (the first keeps its earlier key).
        idempotency_key = f"{parent}:{attempt.cycle}" + (f":{attempt.number}" if attempt.number > 1 else "")
        run = run_deployment(
            name,
            parameters=as_stored(requests[attempt.cycle]),
            timeout=0,
            idempotency_key=idempotency_key,
        )
        return run.id  # type: ignore[union-attr]

    running = {start(attempt): attempt for attempt in (_Attempt(cycle, 1) for cycle in requests)}
    outcomes: dict[str, ChildOutcome] = {}
    with get_client(sync_client=True) as client:
        while running:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(running))),
                limit=len(running),  # every run watched, however many: the server's default page is 200
            )
            for run in runs:
                if run.state is None or not run.state.is_final():
                    continue
                attempt = running.pop(run.id)
                completed = run.state.is_completed()
                said = run.state.name if completed else f"{run.state.name}: {run.state.message or ''}".strip()
                summary = f"{said} (run {run.name})"
                if run.state.is_crashed() and attempt.number <= RESUBMISSIONS:
                    again = _Attempt(attempt.cycle, attempt.number + 1, (*attempt.crashed, summary))
                    running[start(again)] = again
                    resubmitted(attempt.cycle, summary)
                    continue
                if attempt.crashed:
                    summary += f", started again after {'; '.join(attempt.crashed)}"
                outcomes[attempt.cycle] = ChildOutcome(completed, summary)
                finished(attempt.cycle, outcomes[attempt.cycle])
            if running:
                time.sleep(POLL_SECONDS)
    return outcomes
