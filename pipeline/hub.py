"""The publication hub, `outputs/index.html`: every published cycle on one page, for publishing teams.

Built from the manifests alone (each cycle's, and those of the builds in its history), so
it says exactly what is on disk. Rebuilt after every publish under a lock of its own, and
read from scratch each time: two cycles published at once both end up listed.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.publish import HISTORY, REVIEW, bundle_name, exclusive, read_manifest
from pipeline.render.html import TEMPLATE_ENVIRONMENT, long_date

INDEX = "index.html"
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
    departments: dict[str, int] | None
    review: str | None
    files: tuple[HubFile, ...]
    earlier: tuple[EarlierBuild, ...]

    @property
    def anchor(self) -> str:
        return f"cycle-{self.cycle}"


def rebuild(outputs_root: Path) -> Path:
    """Write the hub afresh from what is published now, atomically."""
    with exclusive(outputs_root / ".hub.lock"):
        page = render(published_cycles(outputs_root))
        target = outputs_root / INDEX
        aside = outputs_root / f".{INDEX}.{os.getpid()}.new"
        aside.write_text(page, encoding="utf-8")
        os.chmod(aside, 0o644)
        os.replace(aside, target)
    return target


def published_cycles(outputs_root: Path) -> list[HubCycle]:
    """Every cycle with a published build, newest report first."""
    cycles = []
    for folder in sorted(outputs_root.iterdir()):
        if folder.name.startswith(".") or folder.name == REVIEW or not folder.is_dir():
            continue
        manifest = read_manifest(folder)
        if manifest is not None:
            cycles.append(_cycle(folder, manifest))
    return sorted(cycles, key=lambda cycle: (cycle.published or datetime.date.min, cycle.cycle), reverse=True)


def render(cycles: list[HubCycle]) -> str:
    return TEMPLATE_ENVIRONMENT.get_template("index.html.j2").render(title=TITLE, cycles=cycles)


def _cycle(folder: Path, manifest: dict[str, Any]) -> HubCycle:
    about = manifest.get("report") or {}
    cycle = folder.name
    published = about.get("published")
    listed = [*manifest.get("outputs", []), *([manifest["bundle"]] if manifest.get("bundle") else [])]
    files = tuple(_file(cycle, entry) for entry in listed)
    return HubCycle(
        cycle=cycle,
        title=about.get("title") or cycle,
        action=about.get("action"),
        reporting_years=_years(about["reporting_years"]) if "reporting_years" in about else "Not recorded",
        published=datetime.date.fromisoformat(published) if published else None,
        departments=manifest.get("departments"),
        review=_review(manifest.get("review")),
        files=tuple(sorted(files, key=lambda file: (file.name == bundle_name(cycle), file.name))),
        earlier=tuple(_earlier(folder)),
    )


def _file(cycle: str, entry: dict[str, Any]) -> HubFile:
    name = str(entry["file"])
    return HubFile(
        name=name,
        href=f"{quote(cycle)}/{quote(name)}",
        kind=_KINDS.get(Path(name).suffix, Path(name).suffix.lstrip(".").upper()),
        size=_size(int(entry["bytes"])),
        sha256=str(entry["sha256"])[:12],
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
        target = build.name + "/" + ("report.html" if (build / "report.html").is_file() else "")
        yield EarlierBuild(label, f"{quote(folder.name)}/{HISTORY}/{quote(target)}")


def _stamp(name: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(name, "%Y%m%dT%H%M%S.%fZ")
    except ValueError:
        return None


def _years(years: list[int]) -> str:
    if not years:
        return "None: the action's first year (commitments only)"
    words = [str(year) for year in years]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _review(record: dict[str, Any] | None) -> str | None:
    if not record:
        return None
    decided = record.get("decided_at", "")
    try:
        when = long_date(datetime.datetime.fromisoformat(decided).date())
    except ValueError:
        when = decided
    return f"Approved by {record.get('reviewer', '')} on {when}"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
