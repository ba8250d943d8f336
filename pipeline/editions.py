"""An edition's own outputs: a page per department in every format, and the edition's landing
page, published together to `outputs/editions/<edition>/`, beside the cycles' publications.

The cycles are built first, each as its own annual-report run; the edition is then made from
the same checked responses (`pipeline.model.edition`). A cycle that could not be built is left
out of the department pages and listed on the landing page as not published.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pipeline import stages
from pipeline.check import validate
from pipeline.check.validate import check_config
from pipeline.errors import InvalidInputError, PipelineError
from pipeline.model.document import Report
from pipeline.model.edition import DepartmentPage, Edition, department_pages, find_editions, numbered_heading
from pipeline.names import closest
from pipeline.operations import hub, review
from pipeline.publish import publishing
from pipeline.publish.manifest import build_manifest, read_manifest
from pipeline.read import source
from pipeline.read.yaml_file import SourceFile, load_yaml
from pipeline.records import DepartmentCounts, ReportFacts, TextFingerprint
from pipeline.render import OutputFormat, render, volume
from pipeline.render.html import TEMPLATE_ENVIRONMENT, long_date
from pipeline.submission.files import REPORT_CONFIG_FILE
from pipeline.submission.schema import ReportConfig
from pipeline.workspace import HUB, Workspace

logger = logging.getLogger(__name__)

# In an edition's folder: each department's page, as departments/<department>.<format>.
DEPARTMENTS = "departments"


def editions(workspace: Workspace) -> list[Edition]:
    """Every edition the cycles under submissions/ make (a cycle whose report.yaml is unusable makes none)."""
    configs: dict[str, ReportConfig] = {}
    for cycle in source.find_cycles(workspace.submissions):
        config, _ = check_config(load_yaml(workspace.submissions / cycle / REPORT_CONFIG_FILE))
        if config is not None:
            configs[cycle] = config
    return find_editions(configs)


def find_edition(workspace: Workspace, name: str) -> Edition:
    found = {edition.name: edition for edition in editions(workspace)}
    if name in found:
        return found[name]
    guess = closest(name, list(found))
    raise PipelineError(
        f"there is no edition {name!r} in {workspace.submissions}"
        + (f'\ndid you mean "{guess}"?' if guess else "")
        + f"\nthe editions there are: {', '.join(found) or 'none'} (cycles whose report.yaml give the same"
        " strategy and publication date, named by the year)"
    )


@dataclass(frozen=True)
class LandingAction:
    heading: str
    cycle: str
    href: str | None  # None: not published
    departments: DepartmentCounts | None


@dataclass(frozen=True)
class LandingDepartment:
    name: str
    links: tuple[tuple[str, str], ...]  # (format, href), the HTML page first


@dataclass(frozen=True)
class PagePiece:
    """A department's page in every format."""

    page: DepartmentPage
    formats: tuple[OutputFormat, ...]

    def render(self) -> dict[str, bytes]:
        document = self.page.as_document()
        return {
            f"{DEPARTMENTS}/{output.named_file(self.page.slug)}": render(document, output) for output in self.formats
        }


@dataclass(frozen=True)
class VolumePiece:
    """The whole edition in one file of one format."""

    volume: volume.Volume
    output: OutputFormat

    def render(self) -> dict[str, bytes]:
        return {self.output.named_file(volume.VOLUME_STEM): volume.RENDERERS[self.output](self.volume)}


@dataclass(frozen=True)
class EditionPlan:
    """What an edition's own outputs are made from: its cycles read and checked once, as their
    own builds did. Its pieces render independently of each other and of the cycles' builds, so
    that worker processes can share them out; the landing page comes last, when the cycles'
    publications are known."""

    edition: Edition
    formats: tuple[OutputFormat, ...]
    pages: tuple[DepartmentPage, ...]
    volume: volume.Volume
    titles: Mapping[str, str]  # each action's heading ("Action 1: …"), by cycle
    inputs: tuple[SourceFile, ...]
    # Each department's words in each cycle the pages show, by cycle: what its publication must hold.
    texts: Mapping[str, Mapping[str, TextFingerprint]]

    def pieces(self) -> list[PagePiece | VolumePiece]:
        """The volumes first: one is the longest piece, best not left until last."""
        volumes = [VolumePiece(self.volume, output) for output in volume.RENDERERS if output in self.formats]
        return [*volumes, *(PagePiece(page, self.formats) for page in self.pages)]


def plan_edition(
    workspace: Workspace,
    name: str,
    formats: Sequence[OutputFormat] = tuple(OutputFormat),
    leave_out: Collection[str] = (),
) -> EditionPlan:
    """`leave_out`: cycles whose responses the pages do not show (see `publish_edition`)."""
    edition = find_edition(workspace, name)
    reports: list[Report] = []
    inputs: list[SourceFile] = []
    titles: dict[str, str] = {}
    formers: dict[str, list[str]] = {}
    texts: dict[str, dict[str, TextFingerprint]] = {}
    for cycle in edition.cycles:
        sources = stages.read_submissions(workspace, cycle)
        check = stages.check_submissions(sources, None)
        inputs += sources.all_files()
        if check.checked is not None:
            titles[cycle] = numbered_heading(check.checked.config.action, check.checked.config.title)
            for department, names in check.checked.config.former_names.items():
                formers.setdefault(department, []).extend(names)
        if cycle in leave_out:
            continue
        try:
            validate.require_publishable(check.checked, check.problems, strict=False)
        except InvalidInputError:
            logger.warning("edition %s: %s cannot be built, and is listed as not published", name, cycle)
            continue
        reports.append(stages.build_model(check))
        texts[cycle] = review.text_fingerprints(reports[-1])
    pages, warnings = department_pages(reports, formers)
    for warning in warnings:
        logger.warning(
            'edition %s: %s writes "%s" for %s: read as one department',
            name,
            warning.cycle,
            warning.written,
            warning.department,
        )
    the_volume = volume.volume_of(edition, landing_title(edition), reports)
    return EditionPlan(edition, tuple(formats), tuple(pages), the_volume, titles, tuple(inputs), texts)


def render_piece(piece: PagePiece | VolumePiece) -> dict[str, bytes]:
    return piece.render()


def publish_edition(workspace: Workspace, plan: EditionPlan, files: Mapping[str, bytes]) -> Path:
    """Publish the rendered pieces with the landing page, as one publication; where it is.

    The pages show only words the cycles' publications hold: a cycle whose responses are not its
    publication's (its build waits for review, or was refused) is left out of them, and the pieces
    are made again without it."""
    unpublished = not_as_published(workspace, plan)
    if unpublished:
        logger.warning(
            "edition %s: the responses of %s are not what their publications hold (a build waiting for review,"
            " or not published): left out of the department pages and the volume",
            plan.edition.name,
            ", ".join(unpublished),
        )
        plan = plan_edition(workspace, plan.edition.name, plan.formats, leave_out=unpublished)
        files = {name: data for piece in plan.pieces() for name, data in render_piece(piece).items()}
    edition = plan.edition
    landing = landing_page(workspace, edition, plan.titles, plan.pages, plan.formats)
    files = {**files, HUB: landing.encode()}
    about = ReportFacts(landing_title(edition), edition.strategy, None, (), edition.published)
    manifest = dataclasses.replace(
        build_manifest(edition.name, files, list(plan.inputs), workspace.submissions), report=about
    )
    published = publishing.publish(workspace.editions(), edition.name, files, manifest, keep_history=0)
    hub.rebuild(workspace)
    logger.info(
        "edition %s: %d department page(s) and its landing page to %s", edition.name, len(plan.pages), published.folder
    )
    return published.folder


def not_as_published(workspace: Workspace, plan: EditionPlan) -> list[str]:
    """The cycles whose words in the plan are not those their publication holds."""
    differ = []
    for cycle, words in plan.texts.items():
        publication = read_manifest(workspace.publication(cycle))
        if publication is None or publication.preview or dict(publication.text or {}) != dict(words):
            differ.append(cycle)
    return differ


def build_edition(workspace: Workspace, name: str, formats: Sequence[OutputFormat] = tuple(OutputFormat)) -> Path:
    """Make and publish the edition's department pages, volume and landing page, in turn; where they are."""
    plan = plan_edition(workspace, name, formats)
    files: dict[str, bytes] = {}
    for piece in plan.pieces():
        files.update(render_piece(piece))
    return publish_edition(workspace, plan, files)


def landing_title(edition: Edition) -> str:
    return f"Departments’ responses, {long_date(edition.published)}"


def landing_page(
    workspace: Workspace,
    edition: Edition,
    titles: Mapping[str, str],
    pages: Sequence[DepartmentPage],
    formats: Sequence[OutputFormat],
) -> str:
    """`titles`: each action's heading, by cycle."""
    actions = []
    for cycle in edition.cycles:
        manifest = read_manifest(workspace.publication(cycle))
        heading = titles.get(cycle, cycle)
        href = f"../../{quote(cycle)}/{OutputFormat.HTML.file_name}" if manifest else None
        actions.append(LandingAction(heading, cycle, href, manifest.departments if manifest else None))
    departments = [
        LandingDepartment(
            page.department,
            tuple((str(output), f"{DEPARTMENTS}/{quote(output.named_file(page.slug))}") for output in formats),
        )
        for page in pages
    ]
    volumes = [
        (str(output), quote(output.named_file(volume.VOLUME_STEM))) for output in volume.RENDERERS if output in formats
    ]
    return TEMPLATE_ENVIRONMENT.get_template("edition.html.j2").render(
        edition=edition, title=landing_title(edition), actions=actions, departments=departments, volumes=volumes
    )
