"""Render the report as a Word document from the docxtpl template in report_templates/ (package data).

Submission text enters the template only as RichText values, which docxtpl
escapes; the text itself is never parsed as a template.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable

from docxtpl import DocxTemplate, RichText

from pipeline.model.document import Department, Report
from pipeline.render.html import TEMPLATES, long_date
from pipeline.submission.text import Block, BulletList, Emphasis, Inline, Link, Notice, Text

DOCX_TEMPLATE = TEMPLATES / "report.docx"
# Zip entries carry a timestamp; a fixed one keeps the bytes reproducible.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class _BlockView:
    is_list: bool = False
    is_notice: bool = False
    text: RichText | None = None
    items: tuple[RichText, ...] = ()
    detail: str | None = None


def render_docx(report: Report) -> bytes:
    template = new_template(DOCX_TEMPLATE)
    context = {
        "report": {
            "title": report.title,
            "intro": report.intro,
            "departments": [department_view(template, department) for department in report.departments],
        },
        "published": long_date(report.published),
    }
    subject = report.strategy if report.action is None else f"{report.strategy}: action {report.action}"
    properties = Properties(report.title, subject, report.strategy, report.language, report.published)
    return rendered(template, context, properties)


@dataclass(frozen=True)
class Properties:
    """The document's properties, as Word's File > Info shows them."""

    title: str
    subject: str
    keywords: str
    language: str
    published: datetime.date


def new_template(path: Traversable) -> DocxTemplate:
    return DocxTemplate(io.BytesIO(path.read_bytes()))


def rendered(template: DocxTemplate, context: Mapping[str, object], properties: Properties) -> bytes:
    template.render(context, autoescape=True)
    _set_properties(template, properties)
    buffer = io.BytesIO()
    template.save(buffer)
    return normalised_zip(buffer.getvalue())


def department_view(template: DocxTemplate, department: Department) -> dict[str, object]:
    """A department's response as the templates' department_body reads it."""
    return {
        "name": department.name,
        "notice": RichText(department.notice.text, bold=True) if department.notice else None,
        "sections": [
            {"heading": section.heading, "blocks": [_block_view(template, block) for block in section.blocks]}
            for section in department.sections
        ],
    }


def _block_view(template: DocxTemplate, block: Block) -> _BlockView:
    if isinstance(block, BulletList):
        return _BlockView(is_list=True, items=tuple(_rich_text(template, item) for item in block.items))
    if isinstance(block, Notice):
        return _BlockView(is_notice=True, text=RichText(block.text, bold=True), detail=block.detail)
    return _BlockView(text=_rich_text(template, block.inlines))


def _rich_text(template: DocxTemplate, inlines: tuple[Inline, ...]) -> RichText:
    rich = RichText()
    _add_inlines(template, rich, inlines, bold=False, italic=False, url_id=None)
    return rich


def _add_inlines(
    template: DocxTemplate,
    rich: RichText,
    inlines: tuple[Inline, ...],
    *,
    bold: bool,
    italic: bool,
    url_id: str | None,
) -> None:
    for inline in inlines:
        if isinstance(inline, Text):
            rich.add(
                inline.text,
                bold=bold,
                italic=italic,
                url_id=url_id,
                style="Hyperlink" if url_id else None,
            )
        elif isinstance(inline, Emphasis):
            _add_inlines(
                template,
                rich,
                inline.children,
                bold=bold or inline.strong,
                italic=italic or not inline.strong,
                url_id=url_id,
            )
        elif isinstance(inline, Link):
            _add_inlines(
                template,
                rich,
                inline.children,
                bold=bold,
                italic=italic,
                url_id=template.build_url_id(inline.href),
            )


def _set_properties(template: DocxTemplate, properties: Properties) -> None:
    core = template.docx.core_properties
    published = datetime.datetime.combine(properties.published, datetime.time())
    core.title = properties.title
    core.subject = properties.subject
    core.keywords = properties.keywords
    core.language = properties.language
    core.created = published
    core.modified = published
    core.revision = 1


def normalised_zip(data: bytes) -> bytes:
    """The same entries with fixed timestamps and modes, so that the same content gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return output.getvalue()
