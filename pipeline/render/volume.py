"""One volume of a whole edition, for readers who want one file: a contents page by action,
every action's responses, and an index of departments with page numbers. As a tagged PDF with
bookmarks for the actions and, under each, its departments; and as a Word document whose page
numbers are fields Word and LibreOffice fill in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipeline.model.document import LANGUAGE, Department, Report
from pipeline.model.edition import Edition, action_heading
from pipeline.names import name_key
from pipeline.render import OutputFormat
from pipeline.render.docx import Properties, department_view, new_template, rendered
from pipeline.render.html import TEMPLATE_ENVIRONMENT, TEMPLATES, long_date
from pipeline.render.pdf import pdf_from_html

VOLUME_STEM = "volume"
INTRO = "Every action’s responses, department by department, then an index of departments."
INDEX_HEADING = "Index of departments"
INDEX_BOOKMARK = "index"
DOCX_TEMPLATE = TEMPLATES / "volume.docx"


@dataclass(frozen=True)
class Response:
    """One department's response in its action: where the index points."""

    department: Department
    anchor: str  # its id in the HTML
    bookmark: str  # its bookmark in the DOCX (Word allows letters, digits and _ only)
    bookmark_id: int


@dataclass(frozen=True)
class VolumeAction:
    number: int | None
    heading: str
    anchor: str
    bookmark: str
    bookmark_id: int
    responses: tuple[Response, ...]


@dataclass(frozen=True)
class IndexEntry:
    name: str
    places: tuple[tuple[int | None, Response], ...]  # (the action's number, the response there)


@dataclass(frozen=True)
class Volume:
    title: str  # the strategy's name, then the edition's title
    edition: Edition
    actions: tuple[VolumeAction, ...]
    index: tuple[IndexEntry, ...]


def volume_of(edition: Edition, title: str, reports: Sequence[Report]) -> Volume:
    """The volume's actions in order, and each department's places in them."""
    bookmark_ids = iter(range(1, 1_000_000))  # 0 is the index's
    actions = []
    for report in sorted(reports, key=lambda report: report.action or 0):
        anchor, bookmark = f"action-{report.action}", f"action_{report.action}"
        responses = tuple(
            Response(department, f"{anchor}--{department.slug}", f"{bookmark}_{position}", next(bookmark_ids))
            for position, department in enumerate(report.departments, start=1)
        )
        actions.append(
            VolumeAction(report.action, action_heading(report), anchor, bookmark, next(bookmark_ids), responses)
        )
    places: dict[str, list[tuple[int | None, Response]]] = {}
    names: dict[str, str] = {}
    for action in actions:
        for response in action.responses:
            key = name_key(response.department.name)
            names.setdefault(key, response.department.name)
            places.setdefault(key, []).append((action.number, response))
    index = sorted(
        (IndexEntry(names[key], tuple(found)) for key, found in places.items()), key=lambda entry: name_key(entry.name)
    )
    return Volume(f"{edition.strategy}: {title}", edition, tuple(actions), tuple(index))


def volume_html(volume: Volume) -> str:
    return TEMPLATE_ENVIRONMENT.get_template("volume.html.j2").render(
        volume=volume, intro=INTRO, index_heading=INDEX_HEADING, published=volume.edition.published
    )


def render_volume_pdf(volume: Volume) -> bytes:
    return pdf_from_html(volume_html(volume), volume.edition.published, "volume.css")


def render_volume_docx(volume: Volume) -> bytes:
    template = new_template(DOCX_TEMPLATE)
    actions = [
        {
            "heading": action.heading,
            "bookmark": action.bookmark,
            "bookmark_id": action.bookmark_id,
            "departments": [
                {
                    **department_view(template, response.department),
                    "bookmark": response.bookmark,
                    "bookmark_id": response.bookmark_id,
                }
                for response in action.responses
            ],
        }
        for action in volume.actions
    ]
    index = [
        {
            "name": entry.name,
            "places": [{"action": action, "bookmark": place.bookmark} for action, place in entry.places],
        }
        for entry in volume.index
    ]
    contents = [{"heading": action.heading, "bookmark": action.bookmark} for action in volume.actions]
    context = {
        "volume": {
            "title": volume.title,
            "intro": INTRO,
            "contents": [*contents, {"heading": INDEX_HEADING, "bookmark": INDEX_BOOKMARK}],
            "actions": actions,
            "index": {"heading": INDEX_HEADING, "bookmark": INDEX_BOOKMARK, "bookmark_id": 0, "entries": index},
        },
        "published": long_date(volume.edition.published),
    }
    edition = volume.edition
    properties = Properties(volume.title, edition.strategy, edition.strategy, LANGUAGE, edition.published)
    return rendered(template, context, properties)


# The volume in each format it is made in.
RENDERERS: Mapping[OutputFormat, Callable[[Volume], bytes]] = {
    OutputFormat.PDF: render_volume_pdf,
    OutputFormat.DOCX: render_volume_docx,
}
