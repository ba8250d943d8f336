"""The annual report as Prefect flows: the stages of `pipeline/stages.py` as Prefect tasks.

Nothing here decides what the pipeline does or in what order; that is `pipeline.stages`.
This file makes each stage a task, runs the stages' spine with a runner that submits
them, keeps each file's check in Prefect's result store, shows the submission status
as artifacts, and pauses a reviewed build for its reviewer (`deployments.py` serves them).
`python flows.py` (or `make report`) builds the default cycle with no server to start.
"""

from __future__ import annotations

import inspect
import logging
import os
import resource
import threading
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast
from uuid import UUID

from pipeline.settings import SETTINGS, prepare_prefect

if __name__ == "__main__":  # `python flows.py`: a temporary server boots while Prefect is imported below
    from pipeline.errors import PipelineError
    from pipeline.prefect_api import connect

    try:
        _API = connect()
    except PipelineError as error:
        raise SystemExit(f"error: {error}") from None

prepare_prefect()  # before Prefect is imported: it reads its settings then

from prefect import Task, flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import (  # noqa: E402
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.client.schemas.objects import State  # noqa: E402
from prefect.exceptions import FlowPauseTimeout  # noqa: E402
from prefect.filesystems import WritableFileSystem  # noqa: E402
from prefect.flow_runs import pause_flow_run  # noqa: E402
from prefect.futures import PrefectFuture, as_completed  # noqa: E402
from prefect.input import RunInput  # noqa: E402
from prefect.results import ResultStore, get_default_result_storage  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.states import Failed  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner  # noqa: E402
from pydantic import ConfigDict, Field  # noqa: E402

from pipeline import feedback, progress, publish, review, stages, status  # noqa: E402
from pipeline.checked import FileCheck, has_errors  # noqa: E402
from pipeline.document import slugify  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402
from pipeline.render import OutputFormat, is_transient, load_renderers  # noqa: E402
from pipeline.source import find_cycles  # noqa: E402
from pipeline.validate import CheckCache  # noqa: E402

T = TypeVar("T")

# Each stage logs one line of what it did (pipeline.stages); Prefect gives the "pipeline" logger
# its handlers (PREFECT_LOGGING_EXTRA_LOGGERS), so the lines reach each run's log in the UI.
logging.getLogger("pipeline").setLevel(logging.INFO)


class Whole(Generic[T]):
    """A large value handed to a task in one piece.

    Prefect walks through every argument of a task looking for upstream results; through
    a 1,700-department model that walk cost more than the work itself (an HTML build at
    100×: 12.1 s walked, 3.1 s not). Prefect does not look inside an object of a plain
    class like this one. (Its own quote() does the same but does not survive Dask's task
    runner.) Each task waits on the futures it depends on instead, which keeps the run's
    task graph in the UI."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


_PLAIN = (str, int, float, bool, Path, Enum, type(None))


def _as_task(stage: Callable[..., T], then: Callable[[T], None] | None = None, **options: Any) -> Task[..., T]:
    """A stage as a Prefect task of its own name and signature, taking its large arguments whole."""

    def run(*arguments: Any, **keywords: Any) -> T:
        result = stage(*map(_unwrapped, arguments), **{key: _unwrapped(value) for key, value in keywords.items()})
        if then is not None:
            then(result)
        return result

    run.__name__ = run.__qualname__ = stage.__name__
    run.__doc__ = stage.__doc__
    run.__signature__ = inspect.signature(stage)  # type: ignore[attr-defined]
    return task(cache_policy=NO_CACHE, **options)(run)


def _unwrapped(value: Any) -> Any:
    return value.value if isinstance(value, Whole) else value


def _show_status(cycle_status: dict[str, Any]) -> None:
    create_table_artifact(
        key=f"submission-status-{slugify(cycle_status['cycle'])}",
        table=status.table_rows(cycle_status),
        description=f"**{cycle_status['cycle']}**: {status.summary_line(cycle_status)}",
    )


_TASK_OPTIONS: dict[Callable[..., Any], dict[str, Any]] = {
    stages.summarise_status: {"then": _show_status},
    # Only a shortage (disk, memory, time) is worth another try; a bug is not.
    stages.render_output: {
        "retries": 2,
        "retry_delay_seconds": 1,
        "retry_condition_fn": lambda task, task_run, state: is_transient(state.result(raise_on_failure=False)),
    },
}
TASKS = {
    stage: _as_task(stage, **_TASK_OPTIONS.get(stage, {}))
    for stage in (*stages.STAGES, *stages.STATUS_STAGES, *stages.REVIEW_STAGES)
}


class ResultStoreCache:
    """Each file's check kept in Prefect's result store, one record per file. (A task run per
    file cost more, about 10 ms each, than checking the file, well under 1 ms.)"""

    def __init__(self) -> None:
        self._made: ResultStore | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"_made": None}  # a worker process makes its own store

    def _store(self) -> ResultStore:
        """One store for all the files of a check, made where the check runs."""
        if self._made is None:
            storage = cast(WritableFileSystem, get_default_result_storage())  # called from sync code: the value
            self._made = ResultStore(result_storage=storage, cache_result_in_memory=False)
        return self._made

    def get(self, key: str) -> FileCheck | None:
        store = self._store()
        try:
            return store.read(key).result if store.exists(key) else None
        except Exception:  # a record another run is still writing, or unreadable: check again
            return None

    def put(self, key: str, check: FileCheck) -> None:
        self._store().write(check, key=key)


class PrefectRunner:
    """Stages submitted as tasks to the flow's task runner, each waiting on the tasks whose results it takes."""

    def __init__(self) -> None:
        self.run_id: str | None = flow_run.get_id()
        self.cache: CheckCache | None = ResultStoreCache()

    def submit(self, stage: Callable[..., T], *arguments: Any) -> stages.Pending[T]:
        upstream = stages.pending_in(arguments)
        values = [stages.resolved(argument) for argument in arguments]
        handed = [value if isinstance(value, _PLAIN) else Whole(value) for value in values]
        return TASKS[stage].submit(*handed, wait_for=upstream)


# --- Review: the flow run pauses and the Prefect UI shows the reviewer a form.


# A rejection needs its reason: Prefect's server checks each answer against the form's JSON
# Schema before it resumes the run, so this rule is refused there, with its message, like the rest.
_REASON_TO_REJECT: dict[str, Any] = {
    "if": {"properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
    "then": {"properties": {"comment": {"type": "string", "pattern": r"\S"}}, "required": ["comment"]},
}


class ReviewDecision(RunInput):
    """The form a reviewer fills in to resume a build waiting for review: a choice, made
    explicitly (there is no default), with their name, and the reason when they reject it."""

    model_config = ConfigDict(json_schema_extra=_REASON_TO_REJECT)

    decision: Literal["approve", "reject"] = Field(
        description=(
            "approve: publish this build, replacing the one published now (which moves to history/)."
            " reject: publish nothing; the published build stays as it is, and your reason goes in status.md."
        ),
    )
    reviewer: str = Field(min_length=1, pattern=r"\S", description="Your name, kept with your decision.")
    comment: str = Field(
        default="",
        description="Why you approve or reject it, kept with your decision. Required to reject.",
    )


def ask_in_the_ui(timeout_seconds: int) -> stages.Reviewer:
    """A reviewer asked through the run's artifact and Prefect's resume form, waiting at most `timeout_seconds`."""

    def ask(draft: review.Draft) -> review.Decision:
        create_markdown_artifact(
            key=f"review-{slugify(draft.cycle)}",
            markdown=review.markdown(draft),
            description=f"{draft.cycle}: waiting for review",
        )
        get_run_logger().info(
            "%s is staged in %s and waits for a reviewer: resume this run to decide (%s)",
            draft.cycle,
            draft.folder,
            flow_run.ui_url or "the Prefect UI",
        )
        try:
            answer = pause_flow_run(
                wait_for_input=ReviewDecision.with_initial_data(description=review.markdown(draft, form=True)),
                timeout=timeout_seconds,
                poll_interval=SETTINGS.review_poll_seconds,
                key="review",
            )
        except FlowPauseTimeout:
            decision = review.Decision.unanswered(timeout_seconds)
        else:
            decision = review.Decision.made_now(answer.decision == "approve", answer.reviewer, answer.comment)
        outcome = f"approved by {decision.reviewer}" if decision.approved else decision.reason()
        create_markdown_artifact(  # the artifact's latest version says how the review ended
            key=f"review-{slugify(draft.cycle)}",
            markdown=review.markdown(draft, outcome=status.review_line(decision.record())),
            description=f"{draft.cycle}: {outcome}",
        )
        return decision

    return ask


# --- Flows.


# The renderers are submitted to a thread pool. bench/task_runners.py measured threads
# at 0.99× running them in turn (the PDF is most of the time and holds the GIL) and
# Prefect's process pool at 7× (worker start-up and copying the model), so threads it
# is: never slower, and ready for renderers that wait on I/O.
# (Prefect's own annotation asks for a runner of PrefectFuture, which its thread pool's are.)
@flow(name="annual-report", task_runner=ThreadPoolTaskRunner(max_workers=3))  # type: ignore[arg-type]
def annual_report(
    cycle: str = SETTINGS.default_cycle,
    formats: list[OutputFormat] | None = None,
    strict: bool = False,
    submissions_root: Path = SETTINGS.submissions,
    outputs_root: Path = SETTINGS.outputs,
    keep_history: int = SETTINGS.keep_history,
    preview: bool = False,
    review: bool | None = None,
    review_timeout_seconds: int = SETTINGS.review_timeout_seconds,
) -> publish.Published | State:
    """Build one cycle's report. `formats`: every format the cycle publishes unless fewer are
    named, which makes the build a preview, written beside the publication (as `preview` does).
    Lenient (the default) shows a department whose file has errors as not having responded;
    strict publishes nothing if any file has a problem. `review`: true, the run stages the build
    and pauses until a reviewer approves it (published) or rejects it, or `review_timeout_seconds`
    pass (nothing published); unset, as the cycle's report.yaml says; false, never (a cycle that
    requires review is then refused)."""
    request = stages.BuildRequest(
        cycle,
        tuple(formats) if formats else None,
        strict,
        submissions_root,
        outputs_root,
        keep_history,
        preview=preview,
        review=review,
    )
    try:
        return stages.build(request, PrefectRunner(), ask_in_the_ui(review_timeout_seconds))
    except PipelineError as error:
        return Failed(message=str(error))


def _build_cycle(
    cycle: str, formats: list[OutputFormat] | None, strict: bool, submissions_root: Path, outputs_root: Path
) -> str:
    """One cycle's annual-report run, never waiting for a reviewer (a cycle that requires review is
    refused, and says so); its outcome in a few words."""
    state = annual_report(
        cycle=cycle,
        formats=formats,
        strict=strict,
        submissions_root=submissions_root,
        outputs_root=outputs_root,
        review=False,
        return_state=True,
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    get_run_logger().info("%s: %s (process %d, peak memory %.0f MiB)", cycle, state.name, os.getpid(), peak_mib)
    return "Completed" if state.is_completed() else f"{state.name}: {state.message}"


build_cycle = task(name="build-cycle", cache_policy=NO_CACHE)(_build_cycle)


@flow(name="all-reports")
def all_reports(
    formats: list[OutputFormat] | None = None,
    strict: bool = False,
    submissions_root: Path = SETTINGS.submissions,
    outputs_root: Path = SETTINGS.outputs,
    workers: int = SETTINGS.workers,
) -> dict[str, str] | State:
    """Rebuild every cycle under submissions/, each as its own annual-report run, `workers` at
    a time in processes of their own (the work is CPU-bound Python: threads would take turns).
    `formats`: each cycle's own unless named (fewer make previews). No cycle waits for a reviewer:
    one that requires review is refused. A cycle that fails does not stop the others; the run
    fails if any did, listing every outcome."""
    logger = get_run_logger()
    cycles = find_cycles(submissions_root)
    parameters: dict[str, Any] = {
        "formats": formats,
        "strict": strict,
        "submissions_root": submissions_root,
        "outputs_root": outputs_root,
    }
    outcomes: dict[str, str] = {}
    counter = progress.Counter(progress.CYCLES, len(cycles))
    shown = cast(UUID, create_progress_artifact(0.0, key="all-reports-progress", description=f"{len(cycles)} cycle(s)"))

    def finished(cycle: str, outcome: str) -> None:
        outcomes[cycle] = outcome
        step = counter.finished(f"{cycle}: {outcome.splitlines()[0]}")
        update_progress_artifact(shown, 100 * step.done / step.total, f"{step.done} of {step.total} cycle(s) built")
        logger.info("[%d/%d] %s: %s", step.done, step.total, cycle, outcome)

    if workers <= 1 or len(cycles) <= 1:
        for cycle in cycles:
            finished(cycle, _build_cycle(cycle, **parameters))
    else:
        with ProcessPoolTaskRunner(max_workers=min(workers, len(cycles))) as pool:
            futures: dict[PrefectFuture[str], str] = {
                pool.submit(build_cycle, {"cycle": cycle, **parameters}): cycle for cycle in cycles
            }
            for future in as_completed(list(futures)):
                try:
                    outcome = future.result()
                except Exception as error:  # the worker process itself failed: say so, build the rest
                    outcome = f"{type(error).__name__}: {error}"
                finished(futures[future], outcome)
    results = {cycle: outcomes[cycle] for cycle in cycles}
    failed = [cycle for cycle, outcome in results.items() if outcome != "Completed"]
    if failed:
        return Failed(
            message=f"{len(failed)} of {len(cycles)} cycle(s) not published: {', '.join(failed)}", data=results
        )
    return results


@flow(name="validate-submission")
def validate_submission(
    cycle: str, file: str, submissions_root: Path = SETTINGS.submissions, outputs_root: Path = SETTINGS.outputs
) -> bool:
    """Check a dropped or changed file (and the cycle around it) and report, without building."""
    result = stages.check_file(submissions_root, outputs_root, cycle, file, PrefectRunner())
    create_markdown_artifact(
        key=f"validation-{slugify(cycle)}-{slugify(Path(file).stem)}",
        markdown=status.file_markdown(result.file, result.problems, result.exists),
        description=f"{result.file}: {status.file_summary(result.problems, result.exists)}",
    )
    _email_the_department(outputs_root, result)
    return not has_errors(result.problems)


# A mail server that is down or busy is tried again, a few times, minutes apart.
send_feedback = task(
    name="send-feedback",
    cache_policy=NO_CACHE,
    retries=len(SETTINGS.feedback_retry_seconds),
    retry_delay_seconds=list(SETTINGS.feedback_retry_seconds),
)(feedback.send)


def _email_the_department(outputs_root: Path, result: stages.FileResult) -> None:
    """The file's result to its department's contact; a failure to send is logged, never the run's failure."""
    logger = get_run_logger()
    try:
        letter, why_not = feedback.to_send(outputs_root, result)
    except PipelineError as error:  # the mail settings in the environment are wrong: say so, keep the check
        logger.error("%s: no email sent: %s", result.file, error)
        return
    if letter is None:
        logger.info("%s", why_not)
        return
    sent = send_feedback(letter, return_state=True)
    if sent.is_completed():
        feedback.record_sent(outputs_root, result.file.partition("/")[0], letter)
        logger.info("%s: emailed the result to %s", result.file, letter.recipient)
    else:
        logger.error(
            "%s: could not email %s (%s); the check is recorded, and the next change to the file tries again",
            result.file,
            letter.recipient,
            sent.message,
        )


def value_of(state: State[Any]) -> Any:
    """What a finished run returned. Prefect answers with a coroutine where it believes it is in async
    code (another run's context left behind can make it think so); the CLI is synchronous, so say so."""
    return state.result(raise_on_failure=False, _sync=True)  # type: ignore[call-overload]


def flush_to_server() -> None:
    """Send the logs and events still queued before the server they go to is stopped."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    def drain() -> None:
        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)

    # In a thread of its own: where an event loop runs in the caller's thread (a test's browser
    # driver, say), Prefect hands back a coroutine to await rather than waiting.
    draining = threading.Thread(target=drain, name="flush-to-server")
    draining.start()
    draining.join()


if __name__ == "__main__":
    with _API:
        load_renderers(OutputFormat)
        _API.wait()
        outcome = annual_report(return_state=True)
        flush_to_server()
    published = value_of(outcome) if outcome.is_completed() else None
    if not isinstance(published, publish.Published):
        raise SystemExit(f"error: nothing published.\n{outcome.message}")
    print(publish.describe(published))
