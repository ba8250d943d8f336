"""One volume of a whole edition, for readers who want one file: a tagged PDF with a contents
page by action, every action's responses, and an index of departments with page numbers;
bookmarks for the actions and, under each, its departments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.model.document import Report
from pipeline.model.edition import Edition, action_heading
from pipeline.names import name_key
from pipeline.render.html import TEMPLATE_ENVIRONMENT
from pipeline.render.pdf import pdf_from_html

VOLUME_STEM = "volume"


@dataclass(frozen=True)
class VolumeAction:
    heading: str
    anchor: str
    report: Report


@dataclass(frozen=True)
class IndexEntry:
    name: str
    places: tuple[tuple[int | None, str], ...]  # (the action's number, the anchor of its response)


def volume_html(edition: Edition, title: str, reports: Sequence[Report]) -> str:
    actions = [
        VolumeAction(action_heading(report), f"action-{report.action}", report)
        for report in sorted(reports, key=lambda report: report.action or 0)
    ]
    places: dict[str, list[tuple[int | None, str]]] = {}
    names: dict[str, str] = {}
    for action in actions:
        for department in action.report.departments:
            key = name_key(department.name)
            names.setdefault(key, department.name)
            places.setdefault(key, []).append((action.report.action, f"{action.anchor}--{department.slug}"))
    index = sorted(
        (IndexEntry(names[key], tuple(found)) for key, found in places.items()), key=lambda entry: name_key(entry.name)
    )
    return TEMPLATE_ENVIRONMENT.get_template("volume.html.j2").render(
        strategy=edition.strategy, title=title, published=edition.published, actions=actions, index=index
    )


def render_volume_pdf(edition: Edition, title: str, reports: Sequence[Report]) -> bytes:
    return pdf_from_html(volume_html(edition, title, reports), edition.published, "volume.css")
