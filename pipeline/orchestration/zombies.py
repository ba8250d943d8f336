"""The server's rule for runs whose machine died: a flow run that stops sending heartbeats is
marked Crashed. Prefect itself leaves such a run Running forever (PrefectHQ/prefect#16746), so
the project registers this automation on the server, in the shape of Prefect's "detect zombie
flows" guide, when it registers its deployments on a work pool (`make deploy`), whose workers
may be on machines that die. (Not with `make serve` alone: on one machine the server is on
SQLite, where the automation's bookkeeping of every event makes its writes collide.)

Every run the project starts beats every `heartbeat_seconds` (`settings.prepare_prefect`); the
automation waits `silent_seconds` after a run's last sign of life (taken by a worker, started,
a heartbeat) for the next, or for the run to end, before it marks the run Crashed.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

from pipeline.settings import SETTINGS, Settings

NAME = "crash-silent-flow-runs"
HEARTBEAT = "prefect.flow-run.heartbeat"
# Each sign of life opens a window in which the next must come. A worker that dies between
# taking a run (Pending) and its first heartbeat is caught too, as Prefect's guide alone would not.
_ALIVE = {f"prefect.flow-run.{state}" for state in ("Pending", "Running")} | {HEARTBEAT}
_ENDED = {f"prefect.flow-run.{state}" for state in ("Completed", "Failed", "Cancelled", "Crashed")}


def automation(settings: Settings = SETTINGS) -> AutomationCore:
    return AutomationCore(
        name=NAME,
        description=(
            f"Marks a flow run Crashed when {settings.silent_seconds} s pass after it was taken, started or"
            f" sent a heartbeat without another (runs beat every {settings.heartbeat_seconds} s): its worker"
            " or machine has died. Registered by the annual report pipeline."
        ),
        enabled=True,
        trigger=EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            after=_ALIVE,
            expect=(_ALIVE - {"prefect.flow-run.Pending"}) | _ENDED,
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=settings.silent_seconds),
        ),
        actions=[
            ChangeFlowRunState(
                name="Crashed",
                state=StateType.CRASHED,
                message=f"No heartbeat for {settings.silent_seconds} s: the worker running it has stopped.",
                force=False,  # a run that has ended meanwhile keeps its state
            )
        ],
    )


def register(settings: Settings = SETTINGS) -> UUID:
    """Create the automation on the server at PREFECT_API_URL, or bring the one an earlier
    registration made up to date; its id."""
    wanted = automation(settings)
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(NAME)
        if not existing:
            return client.create_automation(wanted)
        client.update_automation(existing[0].id, wanted)
        for duplicate in existing[1:]:  # two registrations that raced: one rule is enough
            client.delete_automation(duplicate.id)
        return existing[0].id
