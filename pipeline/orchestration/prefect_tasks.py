"""The adapter between the plain stages and Prefect: why it exists, and all it does.

The stages (`pipeline.stages`) are plain functions of typed values, run by a `Runner`.
Prefect needs three things the stages should not know about:
- a task per stage, submitted with its upstream futures, so the UI shows the real task
  graph and the renders run concurrently (`PrefectRunner`);
- large values handed to a task without Prefect walking through them (`OpaqueArgument`):
  Prefect looks inside every argument for futures, which through a 1,700-department model
  cost more than the work itself;
- each file's check kept between runs in Prefect's result store (`ResultStoreCache`).
A cycle that all-reports builds in a worker process runs its stages inside its one task
instead (`InTaskRunner`), with the same retries and status artifact.
Beside them: the reviewer's form and question (pause with typed run input), and the
feedback email as a task that retries. `flows.py` holds only the flows.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast

from pipeline.settings import SETTINGS, prepare_prefect

prepare_prefect()  # before Prefect is imported: it reads its settings then

from prefect import Task, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.exceptions import FlowPauseTimeout
from prefect.filesystems import WritableFileSystem
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.results import ResultStore, get_default_result_storage
from prefect.runtime import flow_run
from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

from pipeline import stages
from pipeline.check.checked import FileCheck
from pipeline.errors import PipelineError
from pipeline.operations import feedback, review, status
from pipeline.orchestration import prefect_names
from pipeline.records import CycleStatus, Decision, FileResult
from pipeline.render import is_transient
from pipeline.runners import Computed, Pending, Runner, pending_in, resolved
from pipeline.workspace import Workspace

R = TypeVar("R")

# Each stage logs one line of what it did; Prefect gives the "pipeline" logger its handlers
# (PREFECT_LOGGING_EXTRA_LOGGERS), so the lines reach each run's log in the UI.
logging.getLogger("pipeline").setLevel(logging.INFO)


class OpaqueArgument(Generic[R]):
    """A value handed to a task in one piece, not looked through.

    Prefect walks through every argument of a task looking for upstream results; through a
    1,700-department model that walk cost more than the work itself (an HTML build at 100×:
    12.1 s walked, 3.1 s not). Prefect does not look inside an object of a plain class like
    this one. (Its own quote() does the same but does not survive Dask's task runner.) Each
    task waits on the futures it depends on instead, which keeps the run's task graph."""

    __slots__ = ("value",)

    def __init__(self, value: R) -> None:
        self.value = value


# Values Prefect hands on as they are: small, and shown as the task's inputs in the UI.
_SHOWN_AS_THEY_ARE = (str, int, float, bool, Path, Enum, type(None))


def stage_task(stage: Callable[..., R]) -> Task[..., R]:
    """A stage as a Prefect task of its own name, signature and docstring, taking opaque
    arguments, retried as `_RETRIES` says and followed by what `_AFTER` says."""
    after = _AFTER.get(stage)

    def run(*arguments: object) -> R:
        result = stage(
            *(argument.value if isinstance(argument, OpaqueArgument) else argument for argument in arguments)
        )
        if after is not None:
            after(result)
        return result

    run.__name__ = run.__qualname__ = stage.__name__
    run.__doc__ = stage.__doc__
    run.__signature__ = inspect.signature(stage)  # type: ignore[attr-defined]
    retries = _RETRIES.get(stage, 0)
    return task(
        cache_policy=NO_CACHE,
        retries=retries,
        retry_delay_seconds=_RETRY_DELAY_SECONDS,
        retry_condition_fn=_after_a_shortage if retries else None,
    )(run)


def _after_a_shortage(task: Task[..., Any], task_run: object, state: State[Any]) -> bool:
    return is_transient(state.result(raise_on_failure=False))


def _show_status(cycle_status: CycleStatus) -> None:
    create_table_artifact(
        key=prefect_names.status_artifact(cycle_status.cycle),
        table=status.table_rows(cycle_status),
        description=f"**{cycle_status.cycle}**: {status.summary_line(cycle_status)}",
    )


# What follows a stage in a run, as a task or not: the status shown as an artifact.
_AFTER: dict[Callable[..., Any], Callable[[Any], None]] = {stages.summarise_status: _show_status}
# How many more tries a stage gets, and only after a shortage (disk, memory, time): a bug is not worth one.
_RETRIES: dict[Callable[..., Any], int] = {stages.render_output: 2}
_RETRY_DELAY_SECONDS = 1
TASKS = {stage: stage_task(stage) for stage in (*stages.STAGES, *stages.STATUS_STAGES, *stages.REVIEW_STAGES)}


class ResultStoreCache:
    """Each file's check kept in Prefect's result store, one record per file. (A task run per
    file cost more, about 10 ms each, than checking the file, well under 1 ms.)"""

    def __init__(self) -> None:
        self._made: ResultStore | None = None

    def __getstate__(self) -> dict[str, object]:
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
            found = store.read(key).result if store.exists(key) else None
        except Exception:  # a record another run is still writing, or unreadable: check again
            return None
        return found if isinstance(found, FileCheck) else None

    def put(self, key: str, check: FileCheck) -> None:
        self._store().write(check, key=key)


class PrefectRunner(Runner):
    """Stages submitted as tasks to the flow's task runner, each waiting on the tasks whose results it takes."""

    def __init__(self) -> None:
        self.run_id = flow_run.get_id()
        self.cache = ResultStoreCache()

    def run(self, stage: Callable[..., R], arguments: tuple[object, ...]) -> Pending[R]:
        upstream = pending_in(arguments)
        values = [resolved(argument) for argument in arguments]
        handed = [value if isinstance(value, _SHOWN_AS_THEY_ARE) else OpaqueArgument(value) for value in values]
        return cast(Pending[R], TASKS[stage].submit(*handed, wait_for=upstream))


class InTaskRunner(Runner):
    """Each stage called at once, inside the one task that builds a cycle in a worker process of
    all-reports: no task per stage, since a run per cycle and its tasks made the server the
    bottleneck of many cycles at once. The rest a task would do is done: the retries after a
    shortage and the status artifact."""

    def __init__(self, run_id: str | None) -> None:
        self.run_id = run_id
        self.cache = ResultStoreCache()

    def run(self, stage: Callable[..., R], arguments: tuple[object, ...]) -> Pending[R]:
        values = [resolved(argument) for argument in arguments]
        tries = 1 + _RETRIES.get(stage, 0)
        for attempt in range(1, tries + 1):
            try:
                result = stage(*values)
            except Exception as error:
                if attempt == tries or not is_transient(error):
                    raise
                time.sleep(_RETRY_DELAY_SECONDS)
            else:
                break
        if stage in _AFTER:
            _AFTER[stage](result)
        return Computed(result)


# --- Review: the flow run pauses and the Prefect UI shows the reviewer a form.


# A rejection needs its reason: Prefect's server checks each answer against the form's JSON
# Schema before it resumes the run, so this rule is refused there, with its message, like the rest.
_REASON_TO_REJECT: JsonDict = {
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

    def ask(draft: review.Draft) -> Decision:
        key = prefect_names.review_artifact(draft.cycle)
        create_markdown_artifact(
            key=key, markdown=review.markdown(draft), description=f"{draft.cycle}: waiting for review"
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
                key=prefect_names.REVIEW_INPUT,
            )
        except FlowPauseTimeout:
            decision = review.unanswered(timeout_seconds)
        else:
            decision = review.decided(answer.decision == "approve", answer.reviewer, answer.comment)
        outcome = f"approved by {decision.reviewer}" if decision.approved else decision.reason()
        create_markdown_artifact(  # the artifact's latest version says how the review ended
            key=key,
            markdown=review.markdown(draft, outcome=status.review_line(decision)),
            description=f"{draft.cycle}: {outcome}",
        )
        return decision

    return ask


# --- Feedback: a department's result, emailed; a mail server that is down or busy is tried again.


send_feedback = task(
    name=prefect_names.SEND_FEEDBACK,
    cache_policy=NO_CACHE,
    retries=len(SETTINGS.feedback_retry_seconds),
    retry_delay_seconds=list(SETTINGS.feedback_retry_seconds),
)(feedback.send)


def email_the_department(workspace: Workspace, result: FileResult) -> None:
    """The file's result to its department's contact; a failure to send is logged, never the run's failure."""
    logger = get_run_logger()
    try:
        letter, why_not = feedback.to_send(workspace, result)
    except PipelineError as error:  # the mail settings in the environment are wrong: say so, keep the check
        logger.error("%s: no email sent: %s", result.label, error)
        return
    if letter is None:
        logger.info("%s", why_not)
        return
    sent = send_feedback(letter, return_state=True)
    if sent.is_completed():
        feedback.record_sent(workspace, result.cycle, letter)
        logger.info("%s: emailed the result to %s", result.label, letter.recipient)
    else:
        logger.error(
            "%s: could not email %s (%s); the check is recorded, and the next change to the file tries again",
            result.label,
            letter.recipient,
            sent.message,
        )


# --- Running flows from the command line.


def returned_value(state: State[Any]) -> object:
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
