"""The annual report as Prefect flows: the stages of `pipeline/stages.py`, run as Prefect tasks.

Nothing here decides what the pipeline does or in what order (that is `pipeline.stages`),
nor how a stage becomes a task (that is `pipeline.orchestration.prefect_tasks`). `deployments.py` serves
these flows; `python flows.py` (or `make report`) builds the default cycle with no server to start.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast
from uuid import UUID

from pipeline.settings import SETTINGS, prepare_prefect

if __name__ == "__main__":  # `python flows.py`: a temporary server boots while Prefect is imported below
    from pipeline.errors import PipelineError
    from pipeline.orchestration.prefect_api import connect

    try:
        _API = connect()
    except PipelineError as error:
        raise SystemExit(f"error: {error}") from None

prepare_prefect()  # before Prefect is imported: it reads its settings then

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from pipeline import editions, stages
from pipeline.check.checked import has_errors
from pipeline.errors import PipelineError, ReviewRequiredError
from pipeline.operations import progress, status
from pipeline.orchestration import prefect_names
from pipeline.orchestration.prefect_tasks import (
    InTaskRunner,
    PrefectRunner,
    ask_in_the_ui,
    email_the_department,
    flush_to_server,
    returned_value,
)
from pipeline.publish.publishing import Published, describe, unchanged_since
from pipeline.read.source import find_cycles
from pipeline.render import OutputFormat, load_renderers
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace


# The renderers are submitted to a thread pool. bench/task_runners.py measured threads
# at 0.99× running them in turn (the PDF is most of the time and holds the GIL) and
# Prefect's process pool at 7× (worker start-up and copying the model), so threads it
# is: never slower, and ready for renderers that wait on I/O.
# (Prefect's own annotation asks for a runner of PrefectFuture, which its thread pool's are.)
@flow(name=prefect_names.ANNUAL_REPORT, task_runner=ThreadPoolTaskRunner(max_workers=3))  # type: ignore[arg-type]
def annual_report(
    cycle: str = SETTINGS.default_cycle,
    formats: list[OutputFormat] | None = None,
    strict: bool = False,
    keep_history: int = SETTINGS.keep_history,
    preview: bool = False,
    review: bool | None = None,
    review_timeout_seconds: int = SETTINGS.review_timeout_seconds,
    without_review: str | None = None,
    submissions_root: Path = SETTINGS.submissions,
    outputs_root: Path = SETTINGS.outputs,
) -> Published | State:
    """Build one cycle's report. `formats`: every format the cycle publishes unless fewer are
    named, which makes the build a preview, written beside the publication (as `preview` does).
    Lenient (the default) shows a department whose file has errors as not having responded;
    strict publishes nothing if any file has a problem. `review`: true, the run stages the build
    and pauses until a reviewer approves it (published) or rejects it, or `review_timeout_seconds`
    pass (nothing published); unset, as the cycle's report.yaml says; false, never (a cycle that
    requires review, or whose publication was approved, is then published only if unchanged).
    `without_review`: a coordinator's reason to publish without a reviewer, recorded with the
    publication. A build whose every file is the publication's changes nothing."""
    request = BuildRequest.from_parameters(locals())
    try:
        return stages.build(request, PrefectRunner(), ask_in_the_ui(request.review_timeout_seconds))
    except ReviewRequiredError as error:  # named so in the UI, and in all-reports' list of outcomes
        return Failed(name=WAITING_FOR_REVIEW, message=str(error))
    except PipelineError as error:
        return Failed(message=str(error))


# How a cycle that was not published because it needs a reviewer is named among the outcomes.
WAITING_FOR_REVIEW = "Waiting for review"


@dataclass(frozen=True)
class CycleOutcome:
    """How one cycle of all-reports ended, in a few words."""

    published: bool
    summary: str


def build_one_cycle(request: BuildRequest) -> CycleOutcome:
    """One cycle of all-reports, its stages run here, in this process (no run of its own: a
    subflow per cycle cost about 0.65 s of the server's time each, and many at once waited on
    it). Never waits for a reviewer: a cycle that requires review is refused, and says so."""
    logger = get_run_logger()
    try:
        published = stages.build(request, InTaskRunner(str(flow_run.get_id())))
        if published.unchanged:
            outcome = CycleOutcome(True, f"Unchanged: {unchanged_since(published.manifest)}")
        else:
            outcome = CycleOutcome(True, "Completed" if published.preview is None else "Completed (a preview)")
    except ReviewRequiredError as error:  # never published silently: listed as waiting
        outcome = CycleOutcome(False, f"{WAITING_FOR_REVIEW}: {error}")
    except PipelineError as error:
        outcome = CycleOutcome(False, f"Failed: {error}")
    except Exception as error:  # a bug: this cycle fails, with its traceback in the log; the others go on
        logger.exception("%s: the build stopped", request.cycle)
        outcome = CycleOutcome(False, f"Crashed: {type(error).__name__}: {error}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    logger.info("%s: %s (process %d, peak memory %.0f MiB)", request.cycle, outcome.summary, os.getpid(), peak_mib)
    return outcome


# The task wraps a function this module also names, so that it is sent to a worker process by
# reference: the worker imports flows.py whole. (A function decorated in place is sent by value,
# without the names its annotations use, and Prefect cannot then check the flow's parameters.)
build_cycle = task(name=prefect_names.BUILD_CYCLE, cache_policy=NO_CACHE)(build_one_cycle)


build_edition = task(name=prefect_names.BUILD_EDITION, cache_policy=NO_CACHE)(editions.build_edition)
render_edition_piece = task(name=prefect_names.RENDER_EDITION_PIECE, cache_policy=NO_CACHE)(editions.render_piece)
publish_edition = task(name=prefect_names.PUBLISH_EDITION, cache_policy=NO_CACHE)(editions.publish_edition)


@flow(name=prefect_names.ALL_REPORTS)
def all_reports(
    formats: list[OutputFormat] | None = None,
    strict: bool = False,
    submissions_root: Path = SETTINGS.submissions,
    outputs_root: Path = SETTINGS.outputs,
    workers: int = SETTINGS.workers,
    edition: str | None = None,
    pool: str | None = None,
    without_review: str | None = None,
) -> dict[str, str] | State:
    """Rebuild every cycle under submissions/, each as its own annual-report run, `workers` at
    a time in processes of their own (the work is CPU-bound Python: threads would take turns).
    `formats`: each cycle's own unless named (fewer make previews). No cycle waits for a reviewer:
    one that requires review, or whose publication was approved, is listed as waiting for review
    unless its build is unchanged or `without_review` gives a coordinator's reason. A cycle that
    fails does not stop the others; the run fails if any did, listing every outcome. `edition`
    (a year, as "2012"): only its cycles, and its own outputs (a page per department, the volume,
    its landing page, where a cycle that failed is listed as not published), made on the same
    workers and published once the cycles are done. `pool` (a work pool the deployments are on,
    `make deploy`): each cycle is an annual-report run of its own on the pool's workers instead,
    which the UI shows; one whose worker died is started again once.
    """
    logger = get_run_logger()
    workspace = Workspace(submissions_root, outputs_root)
    cycles = list(editions.find_edition(workspace, edition).cycles) if edition else find_cycles(submissions_root)
    every = BuildRequest(
        formats=tuple(formats) if formats else None,
        strict=strict,
        review=False,
        without_review=without_review,
        workspace=workspace,
    )
    outcomes: dict[str, CycleOutcome] = {}
    counter = progress.Counter(progress.CYCLES, len(cycles))
    shown = cast(
        UUID,
        create_progress_artifact(0.0, key=prefect_names.ALL_REPORTS_PROGRESS, description=f"{len(cycles)} cycle(s)"),
    )

    def finished(cycle: str, outcome: CycleOutcome) -> None:
        outcomes[cycle] = outcome
        step = counter.finished(f"{cycle}: {outcome.summary.splitlines()[0]}")
        update_progress_artifact(shown, 100 * step.done / step.total, f"{step.done} of {step.total} cycle(s) built")
        logger.info("[%d/%d] %s: %s", step.done, step.total, cycle, outcome.summary)

    edition_state: State | None = None
    if pool:  # each cycle its own annual-report run, on the pool's workers
        from pipeline.orchestration import fan_out

        requests = {cycle: replace(every, cycle=cycle).parameters() for cycle in cycles}
        fan_out.on_the_pool(
            pool,
            UUID(str(flow_run.id)),
            requests,
            lambda cycle, child: finished(cycle, CycleOutcome(child.completed, child.summary)),
            lambda cycle, crash: logger.warning("%s: %s; started again on the pool", cycle, crash),
        )
        if edition:
            edition_state = build_edition(workspace, edition, return_state=True)
    elif workers <= 1 or len(cycles) <= 1:
        for cycle in cycles:
            finished(cycle, build_one_cycle(replace(every, cycle=cycle)))
        if edition:
            edition_state = build_edition(workspace, edition, return_state=True)
    else:
        with ProcessPoolTaskRunner(max_workers=min(workers, len(cycles))) as runner:
            futures: dict[PrefectFuture[CycleOutcome], str] = {
                runner.submit(build_cycle, {"request": replace(every, cycle=cycle)}): cycle for cycle in cycles
            }
            # The edition's pages need the cycles' responses, not their builds: they share the workers.
            plan = editions.plan_edition(workspace, edition) if edition else None
            pieces = [runner.submit(render_edition_piece, {"piece": piece}) for piece in plan.pieces()] if plan else []
            for future in as_completed(list(futures)):
                try:
                    outcome = future.result()
                except Exception as error:  # the worker process itself failed: say so, build the rest
                    outcome = CycleOutcome(False, f"{type(error).__name__}: {error}")
                finished(futures[future], outcome)
            if plan:
                rendered = [piece.result(raise_on_failure=False) for piece in pieces]
                failure = next((result for result in rendered if isinstance(result, BaseException)), None)
                if failure is None:
                    files = {name: data for result in rendered for name, data in result.items()}
                    edition_state = publish_edition(workspace, plan, files, return_state=True)
                else:
                    edition_state = Failed(message=f"{type(failure).__name__}: {failure}")
    results = {cycle: outcomes[cycle].summary for cycle in cycles}
    if edition_state is not None:
        said = (
            f"published {returned_value(edition_state)}"
            if edition_state.is_completed()
            else f"not published: {edition_state.message}"
        )
        results[f"edition {edition}"] = said
    failed = [cycle for cycle in cycles if not outcomes[cycle].published]
    if failed:
        return Failed(
            message=f"{len(failed)} of {len(cycles)} cycle(s) not published: {', '.join(failed)}", data=results
        )
    return results


@flow(name=prefect_names.VALIDATE_SUBMISSION)
def validate_submission(
    cycle: str, file: str, submissions_root: Path = SETTINGS.submissions, outputs_root: Path = SETTINGS.outputs
) -> bool:
    """Check a dropped or changed file (and the cycle around it) and report, without building."""
    workspace = Workspace(submissions_root, outputs_root)
    result = stages.check_dropped_file(workspace, cycle, file, PrefectRunner())
    create_markdown_artifact(
        key=prefect_names.validation_artifact(cycle, file),
        markdown=status.file_markdown(result.label, result.problems, result.exists),
        description=f"{result.label}: {status.file_summary(result.problems, result.exists)}",
    )
    email_the_department(workspace, result)
    return not has_errors(list(result.problems))


if __name__ == "__main__":
    with _API:
        load_renderers(OutputFormat)
        _API.wait()
        outcome = annual_report(return_state=True)
        flush_to_server()
    published = returned_value(outcome) if outcome.is_completed() else None
    if not isinstance(published, Published):
        raise SystemExit(f"error: nothing published.\n{outcome.message}")
    print(describe(published))
