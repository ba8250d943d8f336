"""Build the docxtpl templates for the Word outputs: report_templates/report.docx (an action's
or a department's page) and report_templates/volume.docx (a whole edition in one file).

Run `make docx-template` after changing this file or docx_template_parts.py. The templates are
generated rather than hand-edited so that every style and tag in them can be reviewed as code
(tests/test_render_docx.py checks the committed ones are what this builds); they can still be
opened in Word to check their look.
"""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.text.paragraph import Paragraph

from pipeline.render.docx import normalised_zip
from report_templates import docx_template_parts as parts

FOLDER = Path(__file__).parent
REPORT_TEMPLATE = FOLDER / "report.docx"
VOLUME_TEMPLATE = FOLDER / "volume.docx"

# (style, text) per paragraph; docxtpl tags that stand alone use "{%p" so their paragraph is removed.
Lines = Sequence[tuple[str, str]]


def department_body(section_heading: str) -> Lines:
    """A department's notice and sections: the same in a page and in the volume, a level deeper there."""
    return [
        ("Normal", "{%p if department.notice %}"),
        ("Notice", "{{r department.notice }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p for section in department.sections %}"),
        (section_heading, "{{ section.heading }}"),
        ("Normal", "{%p for block in section.blocks %}"),
        ("Normal", "{%p if block.is_list %}"),
        ("Normal", "{%p for item in block.items %}"),
        ("List Bullet", "{{r item }}"),
        ("Normal", "{%p endfor %}"),
        ("Normal", "{%p elif block.is_notice %}"),
        ("Notice", "{{r block.text }}"),
        ("Normal", "{%p if block.detail %}"),
        ("Notice", "{{ block.detail }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p else %}"),
        ("Normal", "{{r block.text }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p endfor %}"),
        ("Normal", "{%p endfor %}"),
    ]


REPORT_BEFORE_CONTENTS: Lines = [
    ("Heading 1", "{{ report.title }}"),
    ("Normal", "Published {{ published }}"),
    ("Normal", "{{ report.intro }}"),
    ("TOC Heading", "Contents"),
    ("Normal", "{%p for department in report.departments %}"),
]
REPORT_AFTER_CONTENTS: Lines = [
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p for department in report.departments %}"),
    ("Heading 2", "{{ department.name }}"),
    *department_body("Heading 3"),
    ("Normal", "{%p endfor %}"),
]
# Departments are Heading 2: the contents lists them, as links, with page numbers.
TOC_INSTRUCTION = 'TOC \\o "2-2" \\h \\z \\u'


def build_report() -> bytes:
    document = _new_document()
    _add_lines(document, REPORT_BEFORE_CONTENTS)
    _report_contents_entry(document.add_paragraph(style="TOC 2"))
    _add_lines(document, REPORT_AFTER_CONTENTS)
    return _saved(document)


def build_volume() -> bytes:
    """Contents by action, each action from a new page with its departments' responses, then an
    index of departments. Page numbers are PAGEREF fields to bookmarks on the headings, which
    Word updates on opening and LibreOffice computes as it lays the document out."""
    document = _new_document()
    parts.add_index_style(document)
    _add_lines(
        document,
        [
            ("Heading 1", "{{ volume.title }}"),
            ("Normal", "Published {{ published }}"),
            ("Normal", "{{ volume.intro }}"),
            ("TOC Heading", "Contents"),
            ("Normal", "{%p for entry in volume.contents %}"),
        ],
    )
    _contents_line(document.add_paragraph(style="TOC 2"))
    _add_lines(document, [("Normal", "{%p endfor %}"), ("Normal", "{%p for action in volume.actions %}")])
    _bookmarked_heading(document, "Heading 2", "action.heading", "action.bookmark", new_page=True)
    _add_lines(document, [("Normal", "{%p for department in action.departments %}")])
    _bookmarked_heading(document, "Heading 3", "department.name", "department.bookmark")
    _add_lines(document, [*department_body("Heading 4"), ("Normal", "{%p endfor %}"), ("Normal", "{%p endfor %}")])
    _bookmarked_heading(document, "Heading 2", "volume.index.heading", "volume.index.bookmark", new_page=True)
    _add_lines(document, [("Normal", "{%p for entry in volume.index.entries %}")])
    _index_line(document.add_paragraph(style="Index Entry"))
    _add_lines(document, [("Normal", "{%p endfor %}")])
    return _saved(document)


def _new_document() -> DocumentType:
    document = Document()
    parts.set_styles(document)
    parts.page_numbers(document.sections[0].footer.paragraphs[0])
    parts.update_fields_on_open(document)
    properties = document.core_properties
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = datetime.datetime(2015, 1, 1)
    return document


def _add_lines(document: DocumentType, lines: Lines) -> None:
    for style, text in lines:
        document.add_paragraph(text, style=style)


def _saved(document: DocumentType) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue())


def _report_contents_entry(paragraph: Paragraph) -> None:
    """One contents line per department, the whole list one TOC field.

    The field opens in the first line and closes in the last; the department names
    stand in as the field's result until Word updates it with page numbers.
    """
    paragraph.add_run("{%r if loop.first %}")
    parts.field_start(paragraph, TOC_INSTRUCTION)
    paragraph.add_run("{%r endif %}")
    paragraph.add_run("{{ department.name }}")
    paragraph.add_run("{%r if loop.last %}")
    parts.field_end(paragraph)
    paragraph.add_run("{%r endif %}")


def _contents_line(paragraph: Paragraph) -> None:
    """ "Action 4: …  ….  7", the whole line a link to the action."""
    link = parts.internal_link(paragraph, "{{ entry.bookmark }}")
    link.append(parts.text_run("{{ entry.heading }}"))
    link.append(parts.tab_run())
    parts.field(link, "PAGEREF {{ entry.bookmark }} \\h")


def _bookmarked_heading(document: DocumentType, style: str, text: str, name: str, *, new_page: bool = False) -> None:
    """A heading the contents or the index points at; `text` and `name` are template values."""
    paragraph = document.add_paragraph(_value(text), style=style)
    paragraph.paragraph_format.page_break_before = new_page or None
    parts.bookmark(paragraph, _value(name), _value(f"{name}_id"))


def _value(expression: str) -> str:
    return "{{ " + expression + " }}"


def _index_line(paragraph: Paragraph) -> None:
    """ "Home Office: action 9 (page 2), action 10 (page 3)", each place a link to the response."""
    paragraph.add_run("{{ entry.name }}: ")
    paragraph.add_run("{%r for place in entry.places %}")
    link = parts.internal_link(paragraph, "{{ place.bookmark }}")
    link.append(parts.text_run("action {{ place.action }} (page ", style="Hyperlink"))
    parts.field(link, "PAGEREF {{ place.bookmark }} \\h")
    link.append(parts.text_run(")", style="Hyperlink"))
    paragraph.add_run("{%r if not loop.last %}")
    paragraph.add_run(", ")
    paragraph.add_run("{%r endif %}")
    paragraph.add_run("{%r endfor %}")


def build() -> dict[Path, bytes]:
    return {REPORT_TEMPLATE: build_report(), VOLUME_TEMPLATE: build_volume()}


if __name__ == "__main__":
    for path, data in build().items():
        path.write_bytes(data)
        sys.stdout.write(f"wrote {path}\n")
