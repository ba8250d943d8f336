"""The annual report as Prefect flows: source → validate → model → render → publish.

Each task is a thin wrapper around a `pipeline` function. `python flows.py` (or
`make report`) builds the default cycle locally with no server to start;
`python flows.py serve` (or `make serve`) registers the deployments with a running
Prefect server and runs them when triggered, scheduled, or when a file is dropped.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Generic, Literal, TypeVar

from prefect import flow, get_run_logger, serve, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment
from prefect.logging import get_logger
from prefect.results import ResultStore, get_default_result_storage
from prefect.runtime import flow_run
from prefect.schedules import Cron
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import markup, model, publish, render, schema, source, status, validate, watch
from pipeline.errors import PipelineError, Problem
from pipeline.schema import SCHEMA_VERSION

PROJECT = Path(__file__).resolve().parent
SUBMISSIONS = PROJECT / "submissions"
OUTPUTS = PROJECT / "outputs"
DEFAULT_CYCLE = "2015-action-04"
# 09:00 on 16 January, London time: when the 2015 update was published.
DEFAULT_SCHEDULE = "0 9 16 1 *"
OutputFormat = Literal["html", "pdf", "docx", "govspeak"]
T = TypeVar("T")


class Whole(Generic[T]):
    """A large value handed to a task in one piece.

    Prefect walks through every argument of a task looking for upstream results; through
    a 1,700-department model that walk cost more than the work itself (an HTML build at
    100×: 12.1 s walked, 3.1 s not). Prefect does not look inside an object of a plain
    class like this one. (Its own quote() does the same but does not survive Dask's task
    runner.) Each task then waits on the futures it depends on, which keeps the run's
    task graph in the UI."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


# --- Tasks: one per stage, each a call into pipeline/.


@task(cache_policy=NO_CACHE)
def read_submissions(submissions_root: Path, cycle: str) -> source.CycleSources:
    started = time.perf_counter()
    sources = source.read_cycle(submissions_root, cycle)
    get_run_logger().info(
        "source: read report.yaml and %d submission(s) in %.2f s", len(sources.submissions), _since(started)
    )
    return sources


# The rules a file is checked by: the schema's version and the checking code itself.
_RULES = hashlib.sha256(
    str(SCHEMA_VERSION).encode()
    + b"".join(Path(module.__file__).read_bytes() for module in (source, validate, markup, schema))
).hexdigest()[:16]


def _file_check_key(submission: source.SourceFile, sources: source.CycleSources) -> str:
    """An unchanged file, checked by the same rules against the same config and the same
    earlier cycles, gets the same answer."""
    inputs = f"{sources.config.sha256}-{sources.earlier_sha256}-{submission.sha256}-{submission.path}"
    return f"check-{_RULES}-{hashlib.sha256(inputs.encode()).hexdigest()}"


@task(cache_policy=NO_CACHE)
def check_submissions(
    cycle_sources: Whole[source.CycleSources],
) -> tuple[validate.CheckedCycle | None, list[Problem]]:
    """Check every file, reusing the stored answer for each unchanged one. The answers live in
    Prefect's result store, one record per file; a task run per file would cost more
    (about 10 ms each) than checking the file (well under 1 ms)."""
    started = time.perf_counter()
    sources = cycle_sources.value
    logger = get_run_logger()
    config, earlier, config_problems = validate.check_cycle_config(sources)
    if config is None:
        for problem in config_problems:
            logger.warning("%s", problem)
        return None, config_problems
    store = ResultStore(result_storage=get_default_result_storage(), cache_result_in_memory=False)
    file_checks, unchanged = [], 0
    for submission in sources.submissions:
        key = _file_check_key(submission, sources)
        try:
            stored = store.read(key).result if store.exists(key) else None
        except Exception:  # a record another run is still writing, or unreadable: check again
            stored = None
        if stored is not None:
            file_checks.append(stored)
            unchanged += 1
        else:
            file_checks.append(validate.check_submission(submission, config, earlier))
            store.write(file_checks[-1], key=key)
    checked = validate.combine_checks(sources, config, config_problems, file_checks, earlier)
    for problem in checked.problems:
        logger.warning("%s", problem)
    logger.info(
        "validate: %d file(s) (%d unchanged, not checked again), %d valid, %d problem(s) in %.2f s",
        len(file_checks),
        unchanged,
        len(checked.submissions),
        len(checked.problems),
        _since(started),
    )
    return checked, checked.problems


@task(cache_policy=NO_CACHE)
def summarise_status(
    outcome: Whole[tuple[source.CycleSources, validate.CheckedCycle | None, list[Problem]]],
) -> dict[str, bytes]:
    sources, checked, problems = outcome.value
    cycle_status = status.build_status(sources, checked, problems)
    create_table_artifact(
        key=f"submission-status-{model.slugify(sources.cycle)}",
        table=status.table_rows(cycle_status),
        description=f"**{sources.cycle}**: {status.summary_line(cycle_status)}",
    )
    get_run_logger().info("status: %s", status.summary_line(cycle_status))
    return status.status_files(cycle_status)


@task(cache_policy=NO_CACHE)
def publish_status(outputs_root: Path, cycle: str, status_files: Whole[dict[str, bytes]]) -> None:
    files = status_files.value
    folder = publish.publish_status(outputs_root, cycle, files)
    get_run_logger().info("status: wrote %s", ", ".join(sorted(files)) + f" to {folder}")


@task(cache_policy=NO_CACHE)
def build_model(checked: Whole[validate.CheckedCycle]) -> model.Report:
    started = time.perf_counter()
    report = model.build_report(checked.value)
    get_run_logger().info(
        "model: %d department(s), %d section(s) in %.2f s",
        len(report.departments),
        sum(len(d.sections) for d in report.departments),
        _since(started),
    )
    return report


@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=lambda task, task_run, state: render.is_transient(state.result(raise_on_failure=False)),
)
def render_output(report: Whole[model.Report], output_format: str) -> bytes:
    started = time.perf_counter()
    output = render.render(report.value, output_format)
    get_run_logger().info(
        "render: %s, %d bytes in %.2f s", render.output_name(output_format), len(output), _since(started)
    )
    return output


@task(cache_policy=NO_CACHE)
def publish_outputs(
    outputs_root: Path,
    submissions_root: Path,
    built: Whole[tuple[source.CycleSources, dict[str, bytes], dict[str, bytes]]],
    keep_history: int,
) -> publish.Published:
    started = time.perf_counter()
    sources, files, status_files = built.value
    inputs = sources.all_files()
    manifest = publish.build_manifest(sources.cycle, files, inputs, submissions_root, flow_run.get_id())
    published = publish.publish(outputs_root, sources.cycle, files, manifest, status_files, keep_history)
    get_run_logger().info(
        "publish: %d file(s) to %s in %.2f s", len(files) + len(status_files) + 1, published.folder, _since(started)
    )
    return published


# --- Flows.


# The three renderers are submitted to a thread pool. bench/task_runners.py measured
# threads at 0.99× running them in turn (the PDF is most of the time and holds the
# GIL) and Prefect's process pool at 7× (worker start-up and copying the model), so
# threads it is: never slower, and ready for renderers that wait on I/O.
@flow(name="annual-report", task_runner=ThreadPoolTaskRunner(max_workers=3))
def annual_report(
    cycle: str = DEFAULT_CYCLE,
    formats: list[OutputFormat] = ["html", "pdf", "docx"],  # noqa: B006 (Prefect copies parameters)
    strict: bool = False,
    submissions_root: Path = SUBMISSIONS,
    outputs_root: Path = OUTPUTS,
    keep_history: int = publish.DEFAULT_HISTORY,
) -> publish.Published | State:
    """Build one cycle's report. Lenient (the default) shows a department whose file has
    errors as not having responded; strict publishes nothing if any file has a problem."""
    try:
        source.cycle_folder(submissions_root, cycle)
        read = read_submissions.submit(submissions_root, cycle)
        sources = read.result()
        check = check_submissions.submit(Whole(sources), wait_for=[read])
        checked, problems = check.result()
        summary = summarise_status.submit(Whole((sources, checked, problems)), wait_for=[check])
        status_files = summary.result()
        try:
            checked = validate.require_publishable(checked, problems, strict=strict)
        except PipelineError:
            publish_status(outputs_root, sources.cycle, Whole(status_files), wait_for=[summary])
            raise
        modelled = build_model.submit(Whole(checked), wait_for=[check])
        report = Whole(modelled.result())
        renders = {name: render_output.submit(report, name, wait_for=[modelled]) for name in dict.fromkeys(formats)}
        files = {render.output_name(name): future.result() for name, future in renders.items()}
        return publish_outputs(
            outputs_root,
            submissions_root,
            Whole((sources, files, status_files)),
            keep_history,
            wait_for=[read, summary, *renders.values()],
        )
    except PipelineError as error:
        return Failed(message=str(error))


@flow(name="all-reports")
def all_reports(
    formats: list[OutputFormat] = ["html", "pdf", "docx"],  # noqa: B006 (Prefect copies parameters)
    strict: bool = False,
    submissions_root: Path = SUBMISSIONS,
    outputs_root: Path = OUTPUTS,
) -> dict[str, str]:
    """Rebuild every cycle under submissions/, each as its own annual-report run."""
    logger = get_run_logger()
    cycles = source.find_cycles(submissions_root)
    results = {}
    for number, cycle in enumerate(cycles, start=1):
        logger.info("[%d/%d] %s", number, len(cycles), cycle)
        state = annual_report(
            cycle=cycle,
            formats=formats,
            strict=strict,
            submissions_root=submissions_root,
            outputs_root=outputs_root,
            return_state=True,
        )
        results[cycle] = state.name
        logger.info("[%d/%d] %s: %s", number, len(cycles), cycle, state.name)
    failed = [cycle for cycle, outcome in results.items() if outcome != "Completed"]
    if failed:
        return Failed(message=f"{len(failed)} of {len(cycles)} cycle(s) not published: {', '.join(failed)}")
    return results


@flow(name="validate-submission")
def validate_submission(
    cycle: str, file: str, submissions_root: Path = SUBMISSIONS, outputs_root: Path = OUTPUTS
) -> bool:
    """Check a dropped or changed file (and the cycle around it) and report, without building."""
    read = read_submissions.submit(submissions_root, cycle)
    sources = read.result()
    check = check_submissions.submit(Whole(sources), wait_for=[read])
    checked, problems = check.result()
    summary = summarise_status.submit(Whole((sources, checked, problems)), wait_for=[check])
    publish_status(outputs_root, cycle, Whole(summary.result()), wait_for=[summary])
    path = (submissions_root / cycle / file).resolve()
    own = [problem for problem in problems if problem.file.resolve() == path]
    create_markdown_artifact(
        key=f"validation-{model.slugify(cycle)}-{model.slugify(Path(file).stem)}",
        markdown=status.file_markdown(f"{cycle}/{file}", own, path.exists()),
        description=f"{cycle}/{file}: {status.file_summary(own, path.exists())}",
    )
    return not validate.has_errors(own)


# --- Serving: deployments for the Prefect UI, and the file-drop trigger.


def serve_deployments(
    schedule: str = DEFAULT_SCHEDULE, submissions_root: Path = SUBMISSIONS, outputs_root: Path = OUTPUTS
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
            annual_report.to_deployment(
                name="annual-report",
                schedules=[Cron(schedule, timezone="Europe/London")],
                parameters={"cycle": DEFAULT_CYCLE, **roots},
                description="Build one cycle's report (HTML, PDF, DOCX) and publish it to outputs/.",
            ),
            all_reports.to_deployment(
                name="all-reports", parameters=roots, description="Rebuild every cycle under submissions/."
            ),
            validate_submission.to_deployment(
                name="validate-submission",
                parameters=roots,
                description="Check a dropped or changed submission; started by the file-drop trigger.",
            ),
            query_seconds=2,
        )
    finally:
        stop.set()


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


def _since(started: float) -> float:
    return time.perf_counter() - started


if __name__ == "__main__":
    import sys

    os.environ.setdefault("PREFECT_HOME", str(PROJECT / ".prefect"))
    from pipeline.cli import main

    raise SystemExit(main(sys.argv[1:] or ["build"]))
