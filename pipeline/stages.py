"""The pipeline's stages and their order: source → validate → model → render → publish.

Each stage is a plain function of plain values, and logs one line of what it did.
`build` is the whole pipeline for one cycle and `check_file` its first half for a dropped
file; each hands every stage to a runner. `DIRECT` calls the stage there and then;
`flows.py` gives a runner that submits it as a Prefect task. A stage's arguments may be
the pending results of earlier stages: the runner waits for them, so the order of the
calls below is the pipeline's order, whoever runs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from pipeline import hub, model, progress, publish, render, review, source, status, validate
from pipeline.checked import CycleCheck
from pipeline.document import Report
from pipeline.errors import InvalidInputError, NotApprovedError, Problem
from pipeline.publish import Published
from pipeline.render import OutputFormat
from pipeline.settings import SETTINGS
from pipeline.source import CycleSources
from pipeline.validate import CheckCache

logger = logging.getLogger(__name__)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


# --- The stages, in order.


def read_submissions(submissions_root: Path, cycle: str) -> CycleSources:
    """source: the cycle's report.yaml and submissions, and the earlier cycles it carries forward."""
    started = time.perf_counter()
    sources = source.read_cycle(submissions_root, cycle)
    logger.info("source: read report.yaml and %d submission(s) in %.2f s", len(sources.submissions), _since(started))
    return sources


def check_submissions(sources: CycleSources, cache: CheckCache | None = None) -> CycleCheck:
    """validate: every file against the config, each problem logged as a warning."""
    started = time.perf_counter()
    checked, problems = validate.check_cycle(sources, cache)
    for problem in problems:
        logger.warning("%s", problem)
    logger.info(
        "validate: %d file(s) (%d unchanged, not checked again), %d valid, %d problem(s) in %.2f s",
        len(sources.submissions),
        checked.reused_checks if checked else 0,
        len(checked.submissions) if checked else 0,
        len(problems),
        _since(started),
    )
    return checked, problems


def build_model(check: CycleCheck) -> Report:
    """model: the one document every renderer reads."""
    started = time.perf_counter()
    checked, _ = check
    assert checked is not None, "build() models only a publishable cycle"
    report = model.build_report(checked)
    logger.info(
        "model: %d department(s), %d section(s) in %.2f s",
        len(report.departments),
        sum(len(department.sections) for department in report.departments),
        _since(started),
    )
    return report


def render_output(report: Report, output_format: OutputFormat) -> bytes:
    """render: the report in one format."""
    started = time.perf_counter()
    output = render.render(report, output_format)
    logger.info(
        "render: %s, %d bytes in %.2f s", OutputFormat.named(output_format).file_name, len(output), _since(started)
    )
    return output


def publish_outputs(
    outputs_root: Path,
    submissions_root: Path,
    sources: CycleSources,
    report: Report,
    outputs: Mapping[OutputFormat, bytes],
    cycle_status: dict[str, Any],
    keep_history: int,
    run_id: str | None,
    decision: review.Decision | None = None,
) -> Published:
    """publish: the rendered files, their zip, their manifest (with the reviewer's approval, if
    reviewed) and the run's status, swapped into place at once; then the publication hub."""
    started = time.perf_counter()
    files = _named(outputs)
    record = decision.record() if decision else None
    if record:
        cycle_status = {**cycle_status, "review": record}
    status_files = status.status_files(cycle_status)
    manifest = publish.build_manifest(
        sources.cycle,
        files,
        sources.all_files(),
        submissions_root,
        run_id,
        about=publish.report_facts(report, cycle_status),
        review=record,
    )
    published = publish.publish(outputs_root, sources.cycle, files, manifest, status_files, keep_history)
    if decision is not None:
        publish.withdraw_review(outputs_root, sources.cycle, run_id)
    hub.rebuild(outputs_root)
    logger.info(
        "publish: %d file(s) to %s in %.2f s", len(files) + len(status_files) + 2, published.folder, _since(started)
    )
    return published


def _named(outputs: Mapping[OutputFormat, bytes]) -> dict[str, bytes]:
    return {OutputFormat.named(name).file_name: data for name, data in outputs.items()}


STAGES: tuple[Callable[..., Any], ...] = (
    read_submissions,
    check_submissions,
    build_model,
    render_output,
    publish_outputs,
)


# --- Beside the stages: the coordinator's status, written by every run, published or not.


def summarise_status(sources: CycleSources, check: CycleCheck) -> dict[str, Any]:
    """Who has submitted, whose file is valid, every problem (status.md, validation.json)."""
    checked, problems = check
    cycle_status = status.build_status(sources, checked, problems)
    logger.info("status: %s", status.summary_line(cycle_status))
    return cycle_status


def publish_status(outputs_root: Path, cycle: str, cycle_status: dict[str, Any]) -> Path:
    """After a run that publishes nothing, the status files alone, beside the last good build."""
    files = status.status_files(cycle_status)
    folder = publish.publish_status(outputs_root, cycle, files)
    logger.info("status: wrote %s to %s", ", ".join(sorted(files)), folder)
    return folder


STATUS_STAGES: tuple[Callable[..., Any], ...] = (summarise_status, publish_status)


# --- Between render and publish, when a build is reviewed first.


def stage_for_review(
    outputs_root: Path,
    report: Report,
    outputs: Mapping[OutputFormat, bytes],
    cycle_status: dict[str, Any],
    run_id: str | None,
) -> review.Draft:
    """review: the rendered files staged for the reviewer, and what has changed since the last published build."""
    files = _named(outputs)
    folder = publish.stage_for_review(outputs_root, report.cycle, run_id, files)
    previous = publish.published_manifest(outputs_root, report.cycle)
    pdf = files.get(OutputFormat.named(OutputFormat.PDF).file_name)
    fingerprints = review.text_fingerprints(report)
    draft = review.Draft(
        cycle=report.cycle,
        title=report.title,
        folder=folder,
        files={name: len(data) for name, data in files.items()},
        cycle_status=cycle_status,
        pages=review.page_count(pdf) if pdf else None,
        previously_published=previous is not None,
        changes=tuple(review.text_changes(previous.get("text") if previous else None, fingerprints)),
    )
    logger.info("review: staged %d file(s) in %s; %d department(s) changed", len(files), folder, len(draft.changes))
    return draft


def withhold(
    outputs_root: Path, cycle: str, cycle_status: dict[str, Any], decision: review.Decision, run_id: str | None
) -> Path:
    """A build its reviewer did not approve: nothing published, the staged copy removed, the reason in status.md."""
    publish.withdraw_review(outputs_root, cycle, run_id)
    folder = publish_status(outputs_root, cycle, {**cycle_status, "review": decision.record()})
    logger.warning("review: %s", decision.reason())
    return folder


REVIEW_STAGES: tuple[Callable[..., Any], ...] = (stage_for_review, withhold)

# Asks a reviewer about a staged build and waits for the answer (flows.py asks through Prefect's UI).
Reviewer = Callable[[review.Draft], review.Decision]


# --- Running them.


@runtime_checkable
class Pending(Protocol[T_co]):
    """A stage's result, now or later."""

    def result(self) -> T_co: ...


class Runner(Protocol):
    """How stages are run. `submit` may return before the stage has run; it waits for any
    pending results among the arguments (directly, or as the values of a mapping)."""

    # The run's identifier, recorded in the manifest; the cache for files' checks.
    run_id: str | None
    cache: CheckCache | None

    def submit(self, stage: Callable[..., T], *arguments: Any) -> Pending[T]: ...


@dataclass(frozen=True)
class Done(Generic[T]):
    value: T

    def result(self) -> T:
        return self.value


@dataclass
class DirectRunner:
    """Each stage called at once, in this process: plain Python, no orchestrator."""

    run_id: str | None = None
    cache: CheckCache | None = None
    calls: list[str] = field(default_factory=list)

    def submit(self, stage: Callable[..., T], *arguments: Any) -> Pending[T]:
        self.calls.append(stage.__name__)
        return Done(stage(*(resolved(argument) for argument in arguments)))


def pending_in(arguments: Sequence[Any]) -> list[Pending[Any]]:
    """The pending results among a stage's arguments: what it must wait for."""
    found: list[Pending[Any]] = []
    for argument in arguments:
        values = argument.values() if isinstance(argument, Mapping) else (argument,)
        found += [value for value in values if isinstance(value, Pending)]
    return found


def resolved(argument: Any) -> Any:
    """An argument with its pending results replaced by their values."""
    if isinstance(argument, Pending):
        return argument.result()
    if isinstance(argument, Mapping) and any(isinstance(value, Pending) for value in argument.values()):
        return {key: resolved(value) for key, value in argument.items()}
    return argument


@dataclass(frozen=True)
class BuildRequest:
    """One cycle's build, as the CLI and the flow ask for it."""

    cycle: str = SETTINGS.default_cycle
    formats: Sequence[OutputFormat] = SETTINGS.formats
    strict: bool = False
    submissions_root: Path = SETTINGS.submissions
    outputs_root: Path = SETTINGS.outputs
    keep_history: int = SETTINGS.keep_history


def build(request: BuildRequest, runner: Runner | None = None, reviewer: Reviewer | None = None) -> Published:
    """Build and publish one cycle: check everything, then write everything.

    Lenient (the default) shows a department whose file has errors as not having responded;
    strict publishes nothing if any file has a problem. A run that publishes nothing still
    writes its status files, and raises InvalidInputError with every problem. With a
    reviewer, the build is staged and published only if they approve it; otherwise
    NotApprovedError says why."""
    runner = runner or DirectRunner()
    source.cycle_folder(request.submissions_root, request.cycle)  # a clear error before any stage
    sources, check, cycle_status = _read_and_check(runner, request.submissions_root, request.cycle)
    checked, problems = check.result()
    try:
        validate.require_publishable(checked, problems, strict=request.strict)
    except InvalidInputError:
        runner.submit(publish_status, request.outputs_root, request.cycle, cycle_status).result()
        raise
    report = runner.submit(build_model, check)
    outputs = {output: runner.submit(render_output, report, output) for output in dict.fromkeys(request.formats)}
    if checked is not None and len(checked.submissions) >= SETTINGS.progress_from_departments:
        _show_progress(request.cycle, report, outputs)
    decision = None
    if reviewer is not None:
        draft = runner.submit(stage_for_review, request.outputs_root, report, outputs, cycle_status, runner.run_id)
        decision = reviewer(draft.result())
        if not decision.approved:
            runner.submit(withhold, request.outputs_root, request.cycle, cycle_status, decision, runner.run_id).result()
            raise NotApprovedError(decision.reason())
    return runner.submit(
        publish_outputs,
        request.outputs_root,
        request.submissions_root,
        sources,
        report,
        outputs,
        cycle_status,
        request.keep_history,
        runner.run_id,
        decision,
    ).result()


def _show_progress(cycle: str, report: Pending[Report], outputs: Mapping[OutputFormat, Pending[bytes]]) -> None:
    """Say as each stage of a large build finishes (they run meanwhile; this only waits on them)."""
    steps = progress.Counter(cycle, 1 + len(outputs))
    report.result()
    steps.finished("model built")
    for output, rendered in outputs.items():
        rendered.result()
        steps.finished(f"{output} rendered")


@dataclass(frozen=True)
class FileResult:
    """A dropped or changed file's check: its own problems, and whose file it is."""

    file: str  # <cycle>/<file name>
    exists: bool
    problems: list[Problem]
    department: str | None  # None when the file names no expected department
    contact: str | None  # the department's contact address in report.yaml, if it gives one


def check_file(
    submissions_root: Path, outputs_root: Path, cycle: str, file: str, runner: Runner | None = None
) -> FileResult:
    """Check a dropped or changed file and the cycle around it, refresh the cycle's status
    files, and return the file's own problems. Nothing is built."""
    runner = runner or DirectRunner()
    _, check, cycle_status = _read_and_check(runner, submissions_root, cycle)
    runner.submit(publish_status, outputs_root, cycle, cycle_status).result()
    path = (submissions_root / cycle / file).resolve()
    checked, problems = check.result()
    department = contact = None
    if checked is not None:
        for standing in checked.statuses:
            if any(named.resolve() == path for named in standing.files):
                department, contact = standing.name, checked.config.contacts.get(standing.name)
    return FileResult(
        file=f"{cycle}/{file}",
        exists=path.is_file(),
        problems=[problem for problem in problems if problem.file.resolve() == path],
        department=department,
        contact=contact,
    )


def checked_report(submissions_root: Path, cycle: str) -> tuple[Report, list[Problem]]:
    """source → validate → model, leniently, with nothing published: for previews, tests and benchmarks."""
    runner = DirectRunner()
    _, check, _ = _read_and_check(runner, submissions_root, cycle)
    checked, problems = check.result()
    validate.require_publishable(checked, problems, strict=False)
    return runner.submit(build_model, check).result(), problems


def _read_and_check(
    runner: Runner, submissions_root: Path, cycle: str
) -> tuple[Pending[CycleSources], Pending[CycleCheck], Pending[dict[str, Any]]]:
    """The first stages, which every run has: source, validate, and the status they give."""
    sources = runner.submit(read_submissions, submissions_root, cycle)
    check = runner.submit(check_submissions, sources, runner.cache)
    return sources, check, runner.submit(summarise_status, sources, check)


def _since(started: float) -> float:
    return time.perf_counter() - started
