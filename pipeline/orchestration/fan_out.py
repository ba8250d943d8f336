"""All reports over a work pool: one annual-report run per cycle, started on the pool's workers
with `run_deployment(timeout=0)`, then waited for in one polling loop.

Each child is started with an idempotency key of the parent's run and its cycle, so a parent
that is retried finds the runs it already started rather than starting them again. A child that
fails does not fail the parent by itself: the parent reads every child's final state, reports
each as it finishes, and fails if any did not complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments import run_deployment

from pipeline.errors import PipelineError
from pipeline.orchestration import prefect_names

# How often the parent asks the server how its children are doing.
POLL_SECONDS = 2.0


@dataclass(frozen=True)
class ChildOutcome:
    completed: bool
    summary: str  # the final state's name, and its message when it did not complete


def on_the_pool(
    pool: str,
    parent: UUID,
    requests: Mapping[str, Mapping[str, object]],
    finished: Callable[[str, ChildOutcome], None],
) -> dict[str, ChildOutcome]:
    """Start each cycle's run (`requests`: the flow's parameters, by cycle) on the pool and wait
    for all of them; `finished` is told of each as it ends."""
    name = prefect_names.deployment(prefect_names.ANNUAL_REPORT)
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(name)
        if deployment.work_pool_name != pool:
            raise PipelineError(
                f"the deployment {name} is not on the work pool {pool!r} (it is on "
                f"{deployment.work_pool_name or 'none: make serve runs it'}): register it there with make deploy"
            )
    children: dict[UUID, str] = {}
    for cycle, parameters in requests.items():
        run = run_deployment(
            name,
            parameters={key: str(value) if isinstance(value, Path) else value for key, value in parameters.items()},
            timeout=0,
            idempotency_key=f"{parent}:{cycle}",
        )
        children[run.id] = cycle  # type: ignore[union-attr]
    outcomes: dict[str, ChildOutcome] = {}
    with get_client(sync_client=True) as client:
        while len(outcomes) < len(children):
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=list(children))),
                # Said outright: the server (with the FastAPI this project pins) refuses them as null.
                sort=FlowRunSort.ID_DESC,
                limit=len(children),
                offset=0,
            )
            for run in runs:
                cycle = children[run.id]
                if cycle in outcomes or run.state is None or not run.state.is_final():
                    continue
                completed = run.state.is_completed()
                summary = run.state.name if completed else f"{run.state.name}: {run.state.message or ''}".strip()
                outcomes[cycle] = ChildOutcome(completed, f"{summary} (run {run.name})")
                finished(cycle, outcomes[cycle])
            if len(outcomes) < len(children):
                time.sleep(POLL_SECONDS)
    return outcomes
