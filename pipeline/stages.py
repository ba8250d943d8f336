"""The pipeline's stages and their order: source → validate → model → render → publish.

Each stage is a plain function of typed values, and logs one line of what it did. `build`
is the whole pipeline for one cycle; it hands every stage to a runner (`pipeline.runners`),
so the order of the calls below is the pipeline's order, whoever runs it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from pipeline import render, service
from pipeline.check import validate
from pipeline.check.checked import CycleCheck
from pipeline.check.validate import CheckCache
from pipeline.errors import InvalidInputError, NotApprovedError, Problem, ReviewRequiredError
from pipeline.model import assemble
from pipeline.model.document import Report
from pipeline.operations import hub, progress, review, status
from pipeline.publish import manifest, publishing
from pipeline.publish.publishing import Published
from pipeline.publish.purpose import BuildPlan, decide, publishes_all
from pipeline.read import source
from pipeline.read.source import CycleSources
from pipeline.records import CycleStatus, Decision, FileResult, Manifest
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.runners import DirectRunner, Gathered, Pending, Runner
from pipeline.settings import SETTINGS
from pipeline.workspace import Workspace

logger = logging.getLogger(__name__)

# Rendered outputs, by format.
Outputs = Mapping[OutputFormat, bytes]


# --- The stages, in order.


def read_submissions(workspace: Workspace, cycle: str) -> CycleSources:
    """source: the cycle's report.yaml and submissions, and the earlier cycles it carries forward."""
    started = time.perf_counter()
    sources = source.read_cycle(workspace.submissions, cycle)
    logger.info("source: read report.yaml and %d submission(s) in %.2f s", len(sources.submissions), _since(started))
    return sources


def check_submissions(sources: CycleSources, cache: CheckCache | None) -> CycleCheck:
    """validate: every file against the config, each problem logged as a warning."""
    started = time.perf_counter()
    check = validate.check_cycle(sources, cache)
    for problem in check.problems:
        logger.warning("%s", problem)
    logger.info(
        "validate: %d file(s) (%d unchanged, not checked again), %d valid, %d problem(s) in %.2f s",
        len(sources.submissions),
        check.checked.reused_checks if check.checked else 0,
        len(check.checked.submissions) if check.checked else 0,
        len(check.problems),
        _since(started),
    )
    return check


def build_model(check: CycleCheck) -> Report:
    """model: the one document every renderer reads."""
    started = time.perf_counter()
    assert check.checked is not None, "build() models only a publishable cycle"
    report = assemble.build_report(check.checked)
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


def describe_build(plan: BuildPlan, sources: CycleSources, report: Report, cycle_status: CycleStatus) -> Manifest:
    """The manifest of what the build is made from: its inputs, the report, each department's text."""
    described = manifest.build_manifest(
        sources.cycle, {}, sources.all_files(), plan.request.workspace.submissions, plan.run_id
    )
    text = review.text_fingerprints(report)
    return dataclasses.replace(
        manifest.describe_report(described, report, cycle_status, plan.purpose.publishes, text),
        preview=plan.purpose.preview,
    )


def publish_outputs(
    plan: BuildPlan, described: Manifest, outputs: Outputs, cycle_status: CycleStatus, decision: Decision | None
) -> Published:
    """publish: the rendered files, their zip, their manifest (with the reviewer's approval, if
    reviewed) and the run's status, swapped into place at once; then the publication hub.
    A preview goes beside the publication instead, and leaves it and the hub as they are."""
    started = time.perf_counter()
    purpose = plan.purpose
    files = _named(outputs)
    without_review = None
    if decision is not None:
        cycle_status = cycle_status.reviewed(decision)
    elif plan.request.without_review is not None and purpose.preview is None:
        without_review = review.without_review(plan.request.without_review)
        cycle_status = dataclasses.replace(cycle_status, without_review=without_review)
    status_files = status.status_files(cycle_status)
    record = dataclasses.replace(
        manifest.with_outputs(described, files), review=decision, without_review=without_review
    )
    keep = plan.request.keep_history if purpose.preview is None else 0
    # Publishing itself refuses an unreviewed build that would replace a reviewed one, whoever asked.
    published = publishing.publish(
        plan.destination, plan.cycle, files, record, status_files, keep, review_required=purpose.review_required
    )
    if decision is not None:
        publishing.withdraw_staged(plan.request.workspace, plan.cycle, plan.run_id)
    if published.unchanged:
        logger.info("publish: %s", publishing.unchanged_since(published.manifest))
        return dataclasses.replace(published, publication=plan.request.workspace.publication(plan.cycle))
    if purpose.preview is None:
        hub.rebuild(plan.request.workspace)
    published = dataclasses.replace(
        published,
        publication=plan.request.workspace.publication(plan.cycle),
        hub=plan.request.workspace.hub,
        preview=purpose.preview,
        not_received=tuple(status.not_received(cycle_status)),
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


def _named(outputs: Outputs) -> dict[str, bytes]:
    return {OutputFormat.named(name).file_name: data for name, data in outputs.items()}


STAGES: tuple[Callable[..., object], ...] = (
    read_submissions,
    check_submissions,
    build_model,
    render_output,
    describe_build,
    publish_outputs,
)


# --- Beside the stages: the coordinator's status, written by every run, published or not.


def summarise_status(sources: CycleSources, check: CycleCheck) -> CycleStatus:
    """Who has submitted, whose file is valid, every problem (status.md, validation.json)."""
    cycle_status = status.build_status(sources, check.checked, check.problems)
    logger.info("status: %s", status.summary_line(cycle_status))
    return cycle_status


def publish_status(workspace: Workspace, cycle_status: CycleStatus) -> Path:
    """After a run that publishes nothing, the status files alone, beside the last good build."""
    files = status.status_files(cycle_status)
    folder = publishing.replace_status_files(workspace, cycle_status.cycle, files)
    logger.info("status: wrote %s to %s", ", ".join(sorted(files)), folder)
    return folder


STATUS_STAGES: tuple[Callable[..., object], ...] = (summarise_status, publish_status)


# --- Between render and publish, when a build is reviewed first.


def stage_for_review(plan: BuildPlan, described: Manifest, outputs: Outputs, cycle_status: CycleStatus) -> review.Draft:
    """review: the rendered files staged for the reviewer, and what has changed since the last
    published build; nothing is staged when every file is the approved publication's (`Draft.unchanged`)."""
    files = _named(outputs)
    workspace = plan.request.workspace
    publication = workspace.publication(plan.cycle)
    previous = manifest.read_manifest(publication)
    # Already approved, byte for byte: nothing to review. (An unapproved one is asked about: approving adds the review.)
    unchanged = previous is not None and previous.approved and publishing.same_outputs(publication, previous, files)
    folder = publication if unchanged else publishing.stage_files(workspace, plan.cycle, plan.run_id, files)
    pdf = files.get(OutputFormat.named(OutputFormat.PDF).file_name)
    draft = review.Draft(
        cycle=plan.cycle,
        title=described.report.title if described.report else plan.cycle,
        folder=folder,
        publication=workspace.publication(plan.cycle),
        files={name: len(data) for name, data in files.items()},
        status=cycle_status,
        pages=review.page_count(pdf) if pdf else None,
        previously_published=previous is not None,
        changes=tuple(review.text_changes(previous.text if previous else None, described.text or {})),
        unchanged=unchanged,
    )
    if unchanged:
        logger.info("review: not asked; %s", publishing.unchanged_since(previous))  # type: ignore[arg-type]
    else:
        logger.info("review: staged %d file(s) in %s; %d department(s) changed", len(files), folder, len(draft.changes))
    return draft


def withhold(plan: BuildPlan, cycle_status: CycleStatus, decision: Decision) -> Path:
    """A build its reviewer did not approve: nothing published, the staged copy removed, the reason in status.md."""
    publishing.withdraw_staged(plan.request.workspace, plan.cycle, plan.run_id)
    folder = publish_status(plan.request.workspace, cycle_status.reviewed(decision))
    logger.warning("review: %s", decision.reason())
    return folder


REVIEW_STAGES: tuple[Callable[..., object], ...] = (stage_for_review, withhold)

# Asks a reviewer about a staged build and waits for the answer (the Prefect adapter asks through its UI).
Reviewer = Callable[[review.Draft], Decision]


# --- Running them.


def build(request: BuildRequest, runner: Runner | None = None, reviewer: Reviewer | None = None) -> Published:
    """Build one cycle: check everything, then write everything.

    Lenient (the default) shows a department whose file has errors as not having responded;
    strict publishes nothing if any file has a problem. A run that publishes nothing still
    writes its status files, and raises InvalidInputError with every problem. A build of
    fewer formats than the cycle publishes, or asked to be a preview, is written beside the
    publication (`pipeline.publish.purpose`). A reviewed build is staged and published only if the
    reviewer approves it; otherwise NotApprovedError says why."""
    runner = runner or DirectRunner()
    workspace = request.workspace
    source.cycle_folder(workspace.submissions, request.cycle)  # a clear error before any stage
    sources, check, cycle_status = read_and_check(runner, workspace, request.cycle)
    checked, problems = check.result()
    try:
        checked = validate.require_publishable(checked, problems, strict=request.strict)
    except InvalidInputError:
        config = checked.config if checked is not None else None
        previewing = request.preview or (request.formats is not None and not publishes_all(config, request.formats))
        runner.submit(publish_status, workspace.previews() if previewing else workspace, cycle_status).result()
        raise
    purpose = decide(
        checked.config,
        request.cycle,
        request.formats,
        preview=request.preview,
        review=request.review,
        without_review=request.without_review,
    )
    if purpose.reviewed and reviewer is None:
        raise ReviewRequiredError(
            f"{request.cycle} is to be reviewed before it is published, and this build has no one to ask:"
            " nothing was published. Build it through the coordinators' Prefect server, whose UI asks the"
            " reviewer (build --review with make server running), or as a preview (build --preview)"
        )
    plan = BuildPlan(request, purpose, runner.run_id)
    report = runner.submit(build_model, check)
    rendered = {output: runner.submit(render_output, report, output) for output in purpose.formats}
    outputs = Gathered(rendered)
    described = runner.submit(describe_build, plan, sources, report, cycle_status)
    if len(checked.submissions) >= SETTINGS.progress_from_departments:
        _show_progress(request.cycle, report, rendered)
    decision = None
    # Unreviewed, a build that would replace an approved publication is refused when it is published
    # (AwaitingReviewError), unless it is the same, byte for byte: reviewed stays reviewed.
    if purpose.reviewed:
        assert reviewer is not None
        draft = runner.submit(stage_for_review, plan, described, outputs, cycle_status).result()
        if not draft.unchanged:  # an identical rebuild changes nothing, so there is nothing to review
            decision = reviewer(draft)
            if not decision.approved:
                runner.submit(withhold, plan, cycle_status, decision).result()
                raise NotApprovedError(decision.reason())
    return runner.submit(publish_outputs, plan, described, outputs, cycle_status, decision).result()


def _show_progress(cycle: str, report: Pending[Report], outputs: Mapping[OutputFormat, Pending[bytes]]) -> None:
    """Say as each stage of a large build finishes (they run meanwhile; this only waits on them)."""
    steps = progress.Counter(cycle, 1 + len(outputs))
    report.result()
    steps.finished("model built")
    for output, rendered in outputs.items():
        rendered.result()
        steps.finished(f"{output} rendered")


def checked_report(submissions_root: Path, cycle: str) -> tuple[Report, list[Problem]]:
    """source → validate → model, leniently, with nothing published: for previews, tests and benchmarks."""
    runner = DirectRunner()
    _, check, _ = read_and_check(runner, Workspace(submissions_root), cycle)
    checked, problems = check.result()
    validate.require_publishable(checked, problems, strict=False)
    return runner.submit(build_model, check).result(), problems


def read_and_check(
    runner: Runner, workspace: Workspace, cycle: str
) -> tuple[Pending[CycleSources], Pending[CycleCheck], Pending[CycleStatus]]:
    """The first stages, which every run has: source, validate, and the status they give."""
    sources = runner.submit(read_submissions, workspace, cycle)
    check = runner.submit(check_submissions, sources, runner.cache)
    return sources, check, runner.submit(summarise_status, sources, check)


def check_dropped_file(workspace: Workspace, cycle: str, name: str, runner: Runner | None = None) -> FileResult:
    """A file dropped into, changed in or removed from a cycle: the cycle's status files
    refreshed, and the file's own result. Nothing is built."""
    runner = runner or DirectRunner()
    _, _, cycle_status = read_and_check(runner, workspace, cycle)
    runner.submit(publish_status, workspace, cycle_status).result()
    path = workspace.submissions / cycle / name
    try:
        content = path.read_bytes()
    except OSError:
        return FileResult(cycle, name, path, False, (), None, None)
    return service.check_upload(workspace, cycle, name, content, runner.cache)


def _since(started: float) -> float:
    return time.perf_counter() - started
