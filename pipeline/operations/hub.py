"""The publication hub, `outputs/index.html`: every published cycle on one page, for publishing teams.

Built from the manifests alone (each cycle's, and those of the builds in its history), so
it says exactly what is on disk. Only complete publications are listed: every format the
cycle publishes, each file on disk as its manifest describes it. Rebuilt after every publish
under a lock of its own, and read from scratch each time: two cycles published at once both
end up listed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pipeline import atomic
from pipeline.publish.manifest import read_manifest
from pipeline.publish.publishing import HISTORY_STAMP, bundle_name
from pipeline.records import Decision, DepartmentCounts, FileEntry, Manifest, WithoutReview
from pipeline.render import OutputFormat
from pipeline.render.html import TEMPLATE_ENVIRONMENT, long_date
from pipeline.workspace import EDITIONS, HISTORY, HUB, INVITATIONS, MANIFEST, SUMMARY_FILE, Workspace

TITLE = "Published reports"

# What publishing teams call each kind of file.
_KINDS = {".html": "HTML", ".pdf": "PDF", ".docx": "Word (DOCX)", ".md": "Govspeak", ".zip": "Zip of all files"}


@dataclass(frozen=True)
class HubFile:
    name: str
    href: str
    kind: str
    size: str
    sha256: str


@dataclass(frozen=True)
class EarlierBuild:
    label: str
    href: str


@dataclass(frozen=True)
class HubCycle:
    cycle: str
    title: str
    action: int | None
    reporting_years: str
    published: datetime.date | None
    departments: DepartmentCounts | None
    review: str | None
    files: tuple[HubFile, ...]
    earlier: tuple[EarlierBuild, ...]
    has_status: bool = False

    @property
    def anchor(self) -> str:
        return f"cycle-{self.cycle}"

    @property
    def manifest_href(self) -> str:
        return f"{quote(self.cycle)}/{MANIFEST}"

    @property
    def status_href(self) -> str:
        return f"{quote(self.cycle)}/{SUMMARY_FILE}"


@dataclass(frozen=True)
class HubEdition:
    """An edition's landing page: its department pages and the links to every action's page."""

    name: str
    title: str
    href: str


def rebuild(workspace: Workspace) -> Path:
    """Write the hub afresh from what is published now, atomically."""
    with workspace.hub_lock():
        invitations = INVITATIONS if (workspace.outputs / INVITATIONS).is_file() else None
        page = render(published_cycles(workspace.outputs), published_editions(workspace), invitations)
        atomic.replace_files(workspace.outputs, {HUB: page.encode()})
    return workspace.hub


def published_editions(workspace: Workspace) -> list[HubEdition]:
    """Every edition published whole (each file its manifest lists, at its size), newest first."""
    root = workspace.editions().outputs
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        manifest = read_manifest(folder)
        if folder.name.startswith(".") or manifest is None or manifest.report is None:
            continue
        if all(_has_size(folder / entry.file, entry.size) for entry in manifest.outputs):
            about = manifest.report
            title = f"{about.strategy}: {about.title}"
            found.append((about.published, HubEdition(folder.name, title, f"{EDITIONS}/{quote(folder.name)}/{HUB}")))
    return [edition for _, edition in sorted(found, key=lambda item: item[0], reverse=True)]


def published_cycles(outputs_root: Path) -> list[HubCycle]:
    """Every cycle with a complete published build, newest report first. (Builds waiting for
    review and previews are in folders whose names start with a dot, and are never listed.)"""
    cycles = []
    for folder in sorted(outputs_root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        manifest = read_manifest(folder)
        if manifest is not None and complete(folder, manifest):
            cycles.append(_cycle(folder, manifest))
    return sorted(cycles, key=lambda cycle: (cycle.published or datetime.date.min, cycle.cycle), reverse=True)


def complete(folder: Path, manifest: Manifest) -> bool:
    """A publication holding every format its cycle publishes (every format, for a manifest
    that does not say), each file on disk with the size its manifest gives."""
    try:
        publishes = [OutputFormat.named(name) for name in manifest.formats or list(OutputFormat)]
    except ValueError:
        return False
    if manifest.preview:
        return False
    listed = {entry.file: entry.size for entry in manifest.outputs}
    if any(output.file_name not in listed for output in publishes):
        return False
    return all(_has_size(folder / name, size) for name, size in listed.items())


def _has_size(path: Path, size: int) -> bool:
    try:
        return path.is_file() and path.stat().st_size == size
    except OSError:
        return False


def render(cycles: list[HubCycle], editions: list[HubEdition] | None = None, invitations: str | None = None) -> str:
    """`invitations`: the page of the departments' portal links, when there is one."""
    return TEMPLATE_ENVIRONMENT.get_template("index.html.j2").render(
        title=TITLE, cycles=cycles, editions=editions, invitations=invitations
    )


def _cycle(folder: Path, manifest: Manifest) -> HubCycle:
    about = manifest.report
    cycle = folder.name
    files = tuple(_file(cycle, entry) for entry in manifest.files)
    return HubCycle(
        cycle=cycle,
        title=about.title if about else cycle,
        action=about.action if about else None,
        reporting_years=_years(about.reporting_years) if about else "Not recorded",
        published=about.published if about else None,
        departments=manifest.departments,
        review=_review(manifest.review) or _without_review(manifest.without_review),
        files=tuple(sorted(files, key=lambda file: (file.name == bundle_name(cycle), file.name))),
        earlier=tuple(_earlier(folder)),
        has_status=(folder / SUMMARY_FILE).is_file(),
    )


def _file(cycle: str, entry: FileEntry) -> HubFile:
    return HubFile(
        name=entry.file,
        href=f"{quote(cycle)}/{quote(entry.file)}",
        kind=_KINDS.get(Path(entry.file).suffix, Path(entry.file).suffix.lstrip(".").upper()),
        size=_size(entry.size),
        sha256=entry.sha256[:12],
    )


def _earlier(folder: Path) -> Iterator[EarlierBuild]:
    """The builds this one replaced, newest first: each a folder history/<when it was replaced>/."""
    history = folder / HISTORY
    if not history.is_dir():
        return
    for build in sorted(history.iterdir(), reverse=True):
        if not build.is_dir():
            continue
        replaced = _stamp(build.name)
        label = f"Replaced {replaced.day} {replaced:%B %Y at %H:%M} UTC" if replaced else build.name
        page = OutputFormat.HTML.file_name
        target = build.name + "/" + (page if (build / page).is_file() else "")
        yield EarlierBuild(label, f"{quote(folder.name)}/{HISTORY}/{quote(target)}")


def _stamp(name: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(name, HISTORY_STAMP)
    except ValueError:
        return None


def _years(years: tuple[int, ...]) -> str:
    if not years:
        return "None: the action's first year (commitments only)"
    words = [str(year) for year in years]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _review(decision: Decision | None) -> str | None:
    if decision is None:
        return None
    return f"Approved by {decision.reviewer} on {_day(decision.decided_at)}"


def _without_review(word: WithoutReview | None) -> str | None:
    if word is None:
        return None
    return f"Published without review by {word.by} on {_day(word.at)}: {word.reason}"


def _day(stamp: str) -> str:
    try:
        return long_date(datetime.datetime.fromisoformat(stamp).date())
    except ValueError:
        return stamp


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
