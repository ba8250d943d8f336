"""The pipeline's stages and their order: source → validate → model → render → publish.

Each stage is a plain function of plain values, and logs one line of what it did.
`build` is the whole pipeline for one cycle and `check_file` its first half for a dropped
file; each hands every stage to a runner (`pipeline.runners`), so the order of the calls
below is the pipeline's order, whoever runs it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import hub, model, progress, publish, render, review, source, status, validate
from pipeline.checked import CycleCheck
from pipeline.document import Report
from pipeline.errors import InvalidInputError, NotApprovedError, Problem, ReviewRequiredError
from pipeline.publish import Published
from pipeline.purpose import Purpose, decide, publishes_all, review_refusal
from pipeline.render import OutputFormat
from pipeline.runners import DirectRunner, Done, Pending, Runner, pending_in, resolved
from pipeline.settings import SETTINGS
from pipeline.source import CycleSources
from pipeline.validate import CheckCache

__all__ = ["DirectRunner", "Done", "Pending", "Runner", "pending_in", "resolved"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildRequest:
    """One cycle's build, as the CLI and the flow ask for it."""

    cycle: str = SETTINGS.default_cycle
    # None: every format the cycle publishes (its report.yaml's formats); fewer make a preview.
    formats: Sequence[OutputFormat] | None = None
    strict: bool = False
    submissions_root: Path = SETTINGS.submissions
    outputs_root: Path = SETTINGS.outputs
    keep_history: int = SETTINGS.keep_history
    # A preview is written beside the publication, never over it.
    preview: bool = False
    # True: reviewed before it publishes; None: as the cycle's report.yaml says; False: not reviewed.
    review: bool | None = None


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
    request: BuildRequest,
    sources: CycleSources,
    report: Report,
    outputs: Mapping[OutputFormat, bytes],
    cycle_status: dict[str, Any],
    purpose: Purpose,
    run_id: str | None,
    decision: review.Decision | None = None,
) -> Published:
    """publish: the rendered files, their zip, their manifest (with the reviewer's approval, if
    reviewed) and the run's status, swapped into place at once; then the publication hub.
    A preview goes beside the publication instead, and leaves it and the hub as they are."""
    started = time.perf_counter()
    approved = decision is not None and decision.approved
    if purpose.preview is None and purpose.review_required and not approved:
        raise ReviewRequiredError(review_refusal(purpose.cycle))  # whatever the caller asked
    files = _named(outputs)
    record = decision.record() if decision else None
    if record:
        cycle_status = {**cycle_status, "review": record}
    status_files = status.status_files(cycle_status)
    manifest = publish.build_manifest(
        sources.cycle,
        files,
        sources.all_files(),
        request.submissions_root,
        run_id,
        about=publish.report_facts(report, cycle_status, purpose.publishes),
        review=record,
        preview=purpose.preview,
    )
    if purpose.preview is None:
        published = publish.publish(
            request.outputs_root, sources.cycle, files, manifest, status_files, request.keep_history
        )
        if decision is not None:
            publish.withdraw_review(request.outputs_root, sources.cycle, run_id)
        hub.rebuild(request.outputs_root)
    else:
        root = publish.preview_root(request.outputs_root)
        published = publish.publish(root, sources.cycle, files, manifest, status_files, keep_history=0)
    published = dataclasses.replace(
        published, preview=purpose.preview, not_received=tuple(status.not_received(cycle_status))
    )
    for department, why in published.not_received:
        logger.warning('publish: %s is shown as "No response received.": %s', department, why)
    logger.info(
        "%s: %d file(s) to %s in %.2f s",
        "publish" if purpose.preview is None else "preview",
        len(files) + len(status_files) + 2,
        published.folder,
        _since(started),
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
        publication=outputs_root / report.cycle,
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


def build(request: BuildRequest, runner: Runner | None = None, reviewer: Reviewer | None = None) -> Published:
    """Build one cycle: check everything, then write everything.

    Lenient (the default) shows a department whose file has errors as not having responded;
    strict publishes nothing if any file has a problem. A run that publishes nothing still
    writes its status files, and raises InvalidInputError with every problem. A build of
    fewer formats than the cycle publishes, or asked to be a preview, is written beside the
    publication (`pipeline.purpose`). A reviewed build is staged and published only if the
    reviewer approves it; otherwise NotApprovedError says why."""
    runner = runner or DirectRunner()
    source.cycle_folder(request.submissions_root, request.cycle)  # a clear error before any stage
    sources, check, cycle_status = _read_and_check(runner, request.submissions_root, request.cycle)
    checked, problems = check.result()
    try:
        checked = validate.require_publishable(checked, problems, strict=request.strict)
    except InvalidInputError:
        config = checked.config if checked is not None else None
        previewing = request.preview or (request.formats is not None and not publishes_all(config, request.formats))
        root = publish.preview_root(request.outputs_root) if previewing else request.outputs_root
        runner.submit(publish_status, root, request.cycle, cycle_status).result()
        raise
    purpose = decide(checked.config, request.cycle, request.formats, preview=request.preview, review=request.review)
    if purpose.reviewed and reviewer is None:
        raise ReviewRequiredError(
            f"{request.cycle} is to be reviewed before it is published, and this build has no one to ask:"
            " nothing was published. Build it through the coordinators' Prefect server, whose UI asks the"
            " reviewer (build --review with make server running), or as a preview (build --preview)"
        )
    report = runner.submit(build_model, check)
    outputs = {output: runner.submit(render_output, report, output) for output in purpose.formats}
    if len(checked.submissions) >= SETTINGS.progress_from_departments:
        _show_progress(request.cycle, report, outputs)
    decision = None
    if purpose.reviewed:
        assert reviewer is not None
        draft = runner.submit(stage_for_review, request.outputs_root, report, outputs, cycle_status, runner.run_id)
        decision = reviewer(draft.result())
        if not decision.approved:
            runner.submit(withhold, request.outputs_root, request.cycle, cycle_status, decision, runner.run_id).result()
            raise NotApprovedError(decision.reason())
    return runner.submit(
        publish_outputs, request, sources, report, outputs, cycle_status, purpose, runner.run_id, decision
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
    path: Path
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
        path=path,
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
