"""The flows served to the coordinators' Prefect server: deployments for the UI and the yearly
schedule, and the file-drop trigger that validates a department's file as soon as it changes.
`python -m pipeline serve` (`make serve`) runs this."""

from __future__ import annotations

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
    try:
        serve(
            _deployment(
                annual_report,
                name="annual-report",
                schedules=[Cron(schedule, timezone=SETTINGS.timezone)],
                parameters={"cycle": SETTINGS.default_cycle, "review": True, **roots},
                description=(
                    "Build one cycle's report (HTML, PDF, DOCX), wait for a reviewer to approve it (untick"
                    " review to skip), and publish it to outputs/."
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
        )
    finally:
        stop.set()


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
