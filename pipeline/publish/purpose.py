"""What a build is for: to publish, or to preview. Decided once, from the cycle's config and the request.

A cycle's publication, `outputs/<cycle>/`, always holds every format the cycle publishes
(report.yaml's `formats`, every format unless it lists fewer). A build of fewer formats, or
one asked to be a preview, is written beside it, to `outputs/.preview/<cycle>/`, and never
over it. A cycle whose report.yaml says `review: required`, or whose publication was approved, is
replaced only by a build its reviewer approved, or one a coordinator publishes without review
saying why; publishing itself holds to it (`pipeline.publish.publishing.publish`), and lets an
unreviewed build through only when it changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import ReviewRequiredError
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.submission.schema import ReportConfig
from pipeline.workspace import Workspace


@dataclass(frozen=True)
class Purpose:
    """What one build renders and what it does with it."""

    cycle: str
    formats: tuple[OutputFormat, ...]  # what this build renders
    publishes: tuple[OutputFormat, ...]  # what the cycle's publication holds
    preview: str | None  # why this build is a preview; None when it publishes
    reviewed: bool  # staged for a reviewer before it publishes
    review_required: bool  # the cycle's publication is replaced only by an approved build


@dataclass(frozen=True)
class BuildPlan:
    """A build under way: what was asked, what it is for, and the run that does it."""

    request: BuildRequest
    purpose: Purpose
    run_id: str | None

    @property
    def cycle(self) -> str:
        return self.request.cycle

    @property
    def destination(self) -> Workspace:
        """Where it is written: the publications, or the previews beside them."""
        workspace = self.request.workspace
        return workspace if self.purpose.preview is None else workspace.previews()


def decide(
    config: ReportConfig,
    cycle: str,
    formats: Sequence[str] | None,
    *,
    preview: bool,
    review: bool | None,
    without_review: str | None = None,
) -> Purpose:
    """The purpose of a build of `cycle` asked for these `formats` (None: every format the cycle
    publishes). `review`: True, always reviewed; None, as report.yaml says; False, never (and so
    not published, for a cycle that requires review, unless it is unchanged). `without_review`:
    a coordinator's reason to publish without a reviewer, whatever report.yaml says."""
    publishes = tuple(dict.fromkeys(OutputFormat.named(name) for name in config.formats))
    wanted = tuple(dict.fromkeys(OutputFormat.named(name) for name in formats)) if formats else publishes
    why = None
    if preview:
        why = "a preview was asked for"
    elif not publishes_all(config, wanted):
        why = f"{listed(wanted)} only, and {cycle} publishes {listed(publishes)}"
    if why is not None:
        return Purpose(cycle, wanted, publishes, why, False, config.review_required)
    if without_review is not None:  # a coordinator's word, recorded with the publication
        if not without_review.strip():
            raise ReviewRequiredError(
                f"{cycle}: publishing without review needs a reason, which the publication records: nothing was built"
            )
        return Purpose(cycle, wanted, publishes, None, False, False)
    # review False and review required: no reviewer is asked, and publishing refuses a build that
    # changes the publication (an identical rebuild changes nothing, and is no refusal).
    reviewed = review is not False and (bool(review) or config.review_required)
    return Purpose(cycle, wanted, publishes, None, reviewed, config.review_required)


def publishes_all(config: ReportConfig | None, formats: Sequence[str]) -> bool:
    """Whether these formats are exactly what the cycle publishes (unknown without its config)."""
    if config is None:
        return False
    return {OutputFormat.named(name) for name in formats} == {OutputFormat.named(name) for name in config.formats}


def review_refusal(cycle: str) -> str:
    return (
        f"{cycle} requires review before it is published (review: required in its report.yaml), and this build "
        "was asked to publish it without a reviewer: nothing was published. Build it with review (the "
        "annual-report deployment, or build --review with the coordinators' server running), or as a preview "
        "(build --preview), which is written beside the publication"
    )


def listed(formats: Sequence[str]) -> str:
    """ "html, pdf and docx"."""
    names = [str(name) for name in formats]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
