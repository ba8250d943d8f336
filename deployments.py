"""The flows served to the coordinators' Prefect server: deployments for the UI and the yearly
schedule, and the file-drop trigger that validates a department's file as soon as it changes.
`python -m pipeline serve` (`make serve`) runs this."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any, cast

from pipeline.settings import SETTINGS, prepare_prefect

prepare_prefect()  # before Prefect is imported: it reads its settings then

from prefect import serve  # noqa: E402
from prefect.deployments import run_deployment  # noqa: E402
from prefect.deployments.runner import RunnerDeployment  # noqa: E402
from prefect.flows import Flow  # noqa: E402
from prefect.logging import get_logger  # noqa: E402
from prefect.schedules import Cron  # noqa: E402

from flows import all_reports, annual_report, validate_submission  # noqa: E402
from pipeline import watch  # noqa: E402
from pipeline.commands import shown_path  # noqa: E402


def serve_deployments(
    schedule: str = SETTINGS.schedule,
    submissions_root: Path = SETTINGS.submissions,
    outputs_root: Path = SETTINGS.outputs,
) -> None:
    """Register the deployments with the Prefect server at PREFECT_API_URL and run what
    is triggered: by hand in the UI, by the yearly schedule, or by a dropped file."""
    roots = {"submissions_root": str(submissions_root), "outputs_root": str(outputs_root)}
    stop = threading.Event()
    watcher = threading.Thread(
        target=_validate_dropped_files, args=(submissions_root, stop), name="file-drop-trigger", daemon=True
    )
    watcher.start()
    print(banner(), flush=True)
    try:
        serve(
            _deployment(
                annual_report,
                name="annual-report",
                schedules=[Cron(schedule, timezone=SETTINGS.timezone)],
                parameters={"cycle": SETTINGS.default_cycle, "review": True, **roots},
                description=(
                    "Build one cycle's report in every format it publishes, wait for a reviewer to approve"
                    " it, and publish it to outputs/. Name fewer formats, or tick preview, for a preview"
                    " written beside the publication."
                ),
            ),
            _deployment(
                all_reports, name="all-reports", parameters=roots, description="Rebuild every cycle under submissions/."
            ),
            _deployment(
                validate_submission,
                name="validate-submission",
                parameters=roots,
                description="Check a dropped or changed submission; started by the file-drop trigger.",
            ),
            query_seconds=2,
            print_starting_message=False,  # its hint, `prefect deployment run`, needs PREFECT_API_URL: ours says so
        )
    finally:
        stop.set()


def banner() -> str:
    """What `make serve` says once the deployments are served: where, and how to run them by hand."""
    api = os.environ["PREFECT_API_URL"]
    prefect = Path(sys.executable).with_name("prefect")
    return "\n".join(
        [
            f"Serving the deployments on the Prefect server at {api}:",
            "  annual-report/annual-report, all-reports/all-reports, validate-submission/validate-submission",
            f"Open {api.removesuffix('/api')}/deployments to run them (Run, then Custom run), or use",
            "Prefect's own command line in another terminal, which needs the server's address:",
            f"  export PREFECT_API_URL={api}",
            f"  {shown_path(prefect)} deployment run annual-report/annual-report",
            "Dropped and changed files under submissions/ are checked as they arrive. Stop with Ctrl-C.",
        ]
    )


def _deployment(served: Flow[..., Any], **options: Any) -> RunnerDeployment:
    return cast(RunnerDeployment, served.to_deployment(**options))  # called from sync code: the value


def _validate_dropped_files(submissions_root: Path, stop: threading.Event) -> None:
    logger = get_logger("file-drop-trigger")
    for changed in watch.submission_changes(submissions_root, stop):
        for cycle, file in changed:
            try:
                run_deployment(
                    "validate-submission/validate-submission",
                    parameters={"cycle": cycle, "file": file},
                    timeout=0,  # start it and move on; the serve process runs it
                )
            except Exception:  # the server busy or away: keep watching, say what was missed
                logger.exception("could not start validation of %s/%s", cycle, file)
