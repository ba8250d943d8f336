"""The names the pipeline gives things in Prefect: its flows (each served as a deployment of
the same name) and its artifacts' keys. Written once; no Prefect import, so the command line
can name them without loading Prefect."""

from __future__ import annotations

from pathlib import Path

from pipeline.names import slugify

ANNUAL_REPORT = "annual-report"
ALL_REPORTS = "all-reports"
VALIDATE_SUBMISSION = "validate-submission"
BUILD_CYCLE = "build-cycle"  # the task that builds one cycle of all-reports
BUILD_EDITION = "build-edition"  # the task that makes an edition's own pages, once its cycles are built
# With worker processes, an edition's pages are made beside its cycles, then published together.
RENDER_EDITION_PIECE = "render-edition-piece"
PUBLISH_EDITION = "publish-edition"
SEND_FEEDBACK = "send-feedback"

ALL_REPORTS_PROGRESS = "all-reports-progress"
# The key a paused run waits under for its reviewer's answer.
REVIEW_INPUT = "review"


def deployment(flow_name: str) -> str:
    """A flow's deployment, as `prefect deployment run` and run_deployment name it: served under the flow's name."""
    return f"{flow_name}/{flow_name}"


def review_artifact(cycle: str) -> str:
    return f"review-{slugify(cycle)}"


def status_artifact(cycle: str) -> str:
    return f"submission-status-{slugify(cycle)}"


def validation_artifact(cycle: str, file: str) -> str:
    return f"validation-{slugify(cycle)}-{slugify(Path(file).stem)}"
