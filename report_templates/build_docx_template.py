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
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

TEMPLATE = Path(__file__).with_name("report.docx")
FONT = "Arial"
TEXT_COLOUR = RGBColor(0x0B, 0x0C, 0x0C)

# (style, text): docxtpl tags that stand alone use "{%p" so their paragraph is removed.
BODY = [
    ("Heading 1", "{{ report.title }}"),
    ("Normal", "Published {{ published }}"),
    ("Normal", "{{ report.intro }}"),
    ("Normal", "{%p for department in report.departments %}"),
    ("Heading 2", "{{ department.name }}"),
    ("Normal", "{%p for section in department.sections %}"),
    ("Heading 3", "{{ section.heading }}"),
    ("Normal", "{%p for block in section.blocks %}"),
    ("Normal", "{%p if block.is_list %}"),
    ("Normal", "{%p for item in block.items %}"),
    ("List Bullet", "{{r item }}"),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p else %}"),
    ("Normal", "{{r block.text }}"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p endfor %}"),
]


def build() -> None:
    document = Document()
    _set_defaults(document)
    for style, text in BODY:
        document.add_paragraph(text, style=style)
    properties = document.core_properties
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = datetime.datetime(2015, 1, 1)
    document.save(TEMPLATE)


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
    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x1D, 0x70, 0xB8)
    hyperlink.font.underline = True
    _document_language(document, "en-GB")


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
