"""Build report_templates/report.docx, the docxtpl template for the Word output.

Run `make docx-template` after changing this file. The template is generated
rather than hand-edited so that every style and tag in it can be reviewed as
code; it can still be opened in Word to check or adjust its look.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

TEMPLATE = Path(__file__).with_name("report.docx")
FONT = "Arial"
TEXT_COLOUR = RGBColor(0x0B, 0x0C, 0x0C)

# (style, text): docxtpl tags that stand alone use "{%p" so their paragraph is removed.
BEFORE_CONTENTS = [
    ("Heading 1", "{{ report.title }}"),
    ("Normal", "Published {{ published }}"),
    ("Normal", "{{ report.intro }}"),
    ("TOC Heading", "Contents"),
    ("Normal", "{%p for department in report.departments %}"),
]
AFTER_CONTENTS = [
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p for department in report.departments %}"),
    ("Heading 2", "{{ department.name }}"),
    ("Normal", "{%p if department.notice %}"),
    ("Notice", "{{r department.notice }}"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p for section in department.sections %}"),
    ("Heading 3", "{{ section.heading }}"),
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
    ("Normal", "{%p endfor %}"),
]
# Departments are Heading 2: the contents lists them, as links, with page numbers.
TOC_INSTRUCTION = 'TOC \\o "2-2" \\h \\z \\u'


def build() -> None:
    document = Document()
    _set_defaults(document)
    for style, text in BEFORE_CONTENTS:
        document.add_paragraph(text, style=style)
    _contents_entry(document.add_paragraph(style="TOC 2"))
    for style, text in AFTER_CONTENTS:
        document.add_paragraph(text, style=style)
    _page_numbers(document.sections[0].footer.paragraphs[0])
    _update_fields_on_open(document)
    properties = document.core_properties
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = datetime.datetime(2015, 1, 1)
    document.save(TEMPLATE)


def _contents_entry(paragraph: Paragraph) -> None:
    """One contents line per department, the whole list one TOC field.

    The field opens in the first line and closes in the last; the department names
    stand in as the field's result until Word updates it with page numbers.
    """
    paragraph.add_run("{%r if loop.first %}")
    _field_char(paragraph, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {TOC_INSTRUCTION} "
    paragraph.add_run()._r.append(instruction)
    _field_char(paragraph, "separate")
    paragraph.add_run("{%r endif %}")
    paragraph.add_run("{{ department.name }}")
    paragraph.add_run("{%r if loop.last %}")
    _field_char(paragraph, "end")
    paragraph.add_run("{%r endif %}")


def _field_char(paragraph: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _page_numbers(paragraph: Paragraph) -> None:
    """ "Page N of M" in the footer, from Word's PAGE and NUMPAGES fields."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    _simple_field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    _simple_field(paragraph, "NUMPAGES", "1")


def _simple_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _update_fields_on_open(document: Document) -> None:
    """Ask Word to refresh the contents' page numbers when the document opens."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)


def _set_defaults(document: Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.font.color.rgb = TEXT_COLOUR
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 24), ("Heading 2", 18), ("Heading 3", 13)):
        heading = styles[name]
        heading.font.name = FONT
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.color.rgb = TEXT_COLOUR
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(size)
        heading.paragraph_format.space_after = Pt(6)
        _theme_fonts_off(heading.element)
    styles["List Bullet"].font.name = FONT
    contents = styles.add_style("TOC 2", WD_STYLE_TYPE.PARAGRAPH)
    contents.base_style = normal
    contents.paragraph_format.space_after = Pt(4)
    contents.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    styles["TOC Heading"].font.name = FONT
    styles["TOC Heading"].font.size = Pt(18)
    styles["TOC Heading"].font.color.rgb = TEXT_COLOUR
    _theme_fonts_off(styles["TOC Heading"].element)
    _notice_style(styles, normal)
    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x1D, 0x70, 0xB8)
    hyperlink.font.underline = True
    _document_language(document, "en-GB")


def _notice_style(styles: object, normal: object) -> None:
    """GOV.UK inset text: a grey bar on the left sets the pipeline's own statements apart."""
    notice = styles.add_style("Notice", WD_STYLE_TYPE.PARAGRAPH)
    notice.base_style = normal
    notice.paragraph_format.left_indent = Cm(0.6)
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for attribute, value in (("w:val", "single"), ("w:sz", "48"), ("w:space", "12"), ("w:color", "B1B4B6")):
        left.set(qn(attribute), value)
    borders.append(left)
    notice.element.get_or_add_pPr().append(borders)


def _theme_fonts_off(style_element: OxmlElement) -> None:
    """Heading styles name theme fonts, which win over font.name; drop them."""
    fonts = style_element.find(qn("w:rPr")).find(qn("w:rFonts"))
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def _document_language(document: Document, language: str) -> None:
    """Set the proofing language every run inherits (docDefaults)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


if __name__ == "__main__":
    build()
    sys.stdout.write(f"wrote {TEMPLATE}\n")
