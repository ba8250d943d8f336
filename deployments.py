"""The flows served to the coordinators' Prefect server: deployments for the UI and the yearly
schedule, and the file-drop trigger that validates a department's file as soon as it changes.
`python -m pipeline serve` (`make serve`) runs this."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import Any, cast

from pipeline.settings import SETTINGS, prepare_prefect

prepare_prefect()  # before Prefect is imported: it reads its settings then

from prefect import serve
from prefect.deployments import run_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.flows import Flow
from prefect.logging import get_logger
from prefect.schedules import Cron

from flows import all_reports, annual_report, validate_submission
from pipeline.commands import shown_path
from pipeline.operations import watch
from pipeline.orchestration import prefect_names, zombies
from pipeline.request import BuildRequest, as_stored
from pipeline.workspace import Workspace

# Where a worker loads the flows from: this project's folder.
PROJECT_FOLDER = Path(__file__).resolve().parent
# The flows served, each as a deployment of its own name.
SERVED = (prefect_names.ANNUAL_REPORT, prefect_names.ALL_REPORTS, prefect_names.VALIDATE_SUBMISSION)


def serve_deployments(schedule: str = SETTINGS.schedule, workspace: Workspace | None = None) -> None:
    """Register the deployments with the Prefect server at PREFECT_API_URL and run what
    is triggered: by hand in the UI, by the yearly schedule, or by a dropped file."""
    workspace = workspace or Workspace()
    roots = as_stored(workspace.parameters())
    # The yearly run publishes the default cycle once a reviewer approves it.
    yearly = as_stored(BuildRequest(review=True, workspace=workspace).parameters())
    stop = threading.Event()
    watcher = threading.Thread(
        target=_validate_dropped_files, args=(workspace.submissions, stop), name="file-drop-trigger", daemon=True
    )
    watcher.start()
    print(banner(), flush=True)
    try:
        serve(
            _deployment(
                annual_report,
                schedules=[Cron(schedule, timezone=SETTINGS.timezone)],
                parameters=yearly,
                description=(
                    "Build one cycle's report in every format it publishes, wait for a reviewer to approve"
                    " it, and publish it to outputs/. Name fewer formats, or tick preview, for a preview"
                    " written beside the publication."
                ),
            ),
            _deployment(all_reports, parameters=roots, description="Rebuild every cycle under submissions/."),
            _deployment(
                validate_submission,
                parameters=roots,
                description="Check a dropped or changed submission; started by the file-drop trigger.",
            ),
            query_seconds=2,
            print_starting_message=False,  # its hint, `prefect deployment run`, needs PREFECT_API_URL: ours says so
        )
    finally:
        stop.set()


def deploy_to_pool(pool: str, workspace: Workspace | None = None) -> list[str]:
    """Register the deployments on a process work pool, each loading its flow from the project's
    folder (`flow.from_source`), so that any worker that reaches the server and sees the same
    folder (and the same submissions and outputs) can run them: `make worker` on each machine.
    Creates the pool if it is not there, and the automation that marks a run Crashed when its
    heartbeats stop. The names of the deployments made."""
    from prefect import deploy
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    workspace = workspace or Workspace()
    # A pool made by an earlier deploy is kept as it is.
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    zombies.register()  # a run whose worker died is marked Crashed, for all-reports to resubmit
    roots = as_stored(workspace.parameters())
    deployments = [
        # From sync code, the flow and the deployment themselves (Prefect's sync-or-async methods are typed as either).
        cast(
            RunnerDeployment,
            cast(
                Flow[..., Any], served.from_source(str(PROJECT_FOLDER), f"flows.py:{served.fn.__name__}")
            ).to_deployment(name=served.name, parameters=parameters),
        )
        for served, parameters in (
            (annual_report, as_stored(BuildRequest(workspace=workspace).parameters())),
            (all_reports, roots),
            (validate_submission, roots),
        )
    ]
    # Prefect's own deploy, as Flow.deploy calls it: no image to build (the workers share the
    # project's folder), and the next steps are deploy's own words (pipeline.cli.prefect_commands).
    deploy(
        *deployments, work_pool_name=pool, build=False, push=False, print_next_steps_message=False, ignore_warnings=True
    )
    return [prefect_names.deployment(served.name) for served in (annual_report, all_reports, validate_submission)]


def banner() -> str:
    """What `make serve` says once the deployments are served: where, and how to run them by hand."""
    api = os.environ["PREFECT_API_URL"]
    prefect = Path(sys.executable).with_name("prefect")
    return "\n".join(
        [
            f"Serving the deployments on the Prefect server at {api}:",
            "  " + ", ".join(prefect_names.deployment(name) for name in SERVED),
            f"Open {api.removesuffix('/api')}/deployments to run them (Run, then Custom run), or use",
            "Prefect's own command line in another terminal, which needs the server's address:",
            f"  export PREFECT_API_URL={api}",
            f"  {shown_path(prefect)} deployment run {prefect_names.deployment(prefect_names.ANNUAL_REPORT)}",
            "Dropped and changed files under submissions/ are checked as they arrive. Stop with Ctrl-C.",
        ]
    )


def _deployment(served: Flow[..., Any], **options: Any) -> RunnerDeployment:
    """A flow served under its own name (`prefect_names.deployment`)."""
    return cast(RunnerDeployment, served.to_deployment(name=served.name, **options))  # from sync code: the value


def _validate_dropped_files(submissions_root: Path, stop: threading.Event) -> None:
    logger = get_logger("file-drop-trigger")
    for changed in watch.submission_changes(submissions_root, stop):
        for cycle, file in changed:
            try:
                run_deployment(
                    prefect_names.deployment(prefect_names.VALIDATE_SUBMISSION),
                    parameters={"cycle": cycle, "file": file},
                    timeout=0,  # start it and move on; the serve process runs it
                )
            except Exception:  # the server busy or away: keep watching, say what was missed
                logger.exception("could not start validation of %s/%s", cycle, file)
