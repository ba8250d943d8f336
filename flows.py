"""The annual report as a Prefect flow: source → validate → model → render → publish.

Each task is a thin wrapper around a `pipeline` function; run `python flows.py`
(or `make report`) to build the default cycle locally, with no server to start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from pipeline import model, publish, render, source, status, validate
from pipeline.errors import PipelineError

PROJECT = Path(__file__).resolve().parent
DEFAULT_CYCLE = "2015-action-04"
OutputFormat = Literal["html", "pdf", "docx"]


@task(cache_policy=NO_CACHE)
def read_submissions(submissions_root: Path, cycle: str) -> source.CycleSources:
    sources = source.read_cycle(submissions_root, cycle)
    get_run_logger().info("read report.yaml and %d submission(s)", len(sources.submissions))
    return sources


@task(cache_policy=NO_CACHE)
def check_submissions(sources: source.CycleSources) -> tuple[validate.CheckedCycle | None, list]:
    checked, problems = validate.check_cycle(sources)
    logger = get_run_logger()
    for problem in problems:
        logger.warning("%s", problem)
    valid = len(checked.submissions) if checked else 0
    logger.info("%d valid submission(s), %d problem(s)", valid, len(problems))
    return checked, problems


@task(cache_policy=NO_CACHE)
def summarise_status(
    sources: source.CycleSources, checked: validate.CheckedCycle | None, problems: list
) -> dict[str, bytes]:
    cycle_status = status.build_status(sources, checked, problems)
    create_table_artifact(
        key=f"submission-status-{model.slugify(sources.cycle)}",
        table=status.table_rows(cycle_status),
        description=f"**{sources.cycle}**: {status.summary_line(cycle_status)}",
    )
    get_run_logger().info("%s", status.summary_line(cycle_status))
    return status.status_files(cycle_status)


@task(cache_policy=NO_CACHE)
def publish_status(outputs_root: Path, cycle: str, files: dict[str, bytes]) -> None:
    folder = publish.publish_status(outputs_root, cycle, files)
    get_run_logger().info("nothing published; wrote the status files to %s", folder)


@task(cache_policy=NO_CACHE)
def build_model(checked: validate.CheckedCycle) -> model.Report:
    return model.build_report(checked)


@task(cache_policy=NO_CACHE)
def render_output(report: model.Report, output_format: str) -> bytes:
    output = render.render(report, output_format)
    get_run_logger().info("rendered %s: %d bytes", render.output_name(output_format), len(output))
    return output


@task(cache_policy=NO_CACHE)
def publish_outputs(
    outputs_root: Path,
    sources: source.CycleSources,
    submissions_root: Path,
    files: dict[str, bytes],
    status_files: dict[str, bytes],
) -> publish.Published:
    manifest = publish.build_manifest(sources.cycle, files, [sources.config, *sources.submissions], submissions_root)
    published = publish.publish(outputs_root, sources.cycle, files, manifest, status_files)
    get_run_logger().info("published %d file(s) to %s", len(files) + len(status_files) + 1, published.folder)
    return published


@flow(name="annual-report", log_prints=True)
def annual_report(
    cycle: str = DEFAULT_CYCLE,
    formats: list[OutputFormat] = ["html", "pdf", "docx"],  # noqa: B006 (Prefect parameters are copied)
    strict: bool = False,
    submissions_root: Path = PROJECT / "submissions",
    outputs_root: Path = PROJECT / "outputs",
) -> publish.Published | State:
    """Build one cycle's report. Lenient (the default) leaves out departments whose files
    have errors; strict publishes nothing if any file has a problem."""
    try:
        source.cycle_folder(submissions_root, cycle)
        sources = read_submissions(submissions_root, cycle)
        checked, problems = check_submissions(sources)
        status_files = summarise_status(sources, checked, problems)
        try:
            checked = validate.require_publishable(checked, problems, strict=strict)
        except PipelineError:
            publish_status(outputs_root, sources.cycle, status_files)
            raise
        report = build_model(checked)
        renders = {name: render_output.submit(report, name) for name in dict.fromkeys(formats)}
        files = {render.output_name(name): future.result() for name, future in renders.items()}
        published = publish_outputs(outputs_root, sources, submissions_root, files, status_files)
    except PipelineError as error:
        return Failed(message=str(error))
    return published


if __name__ == "__main__":
    from pipeline.cli import main

    raise SystemExit(main(["build"]))
