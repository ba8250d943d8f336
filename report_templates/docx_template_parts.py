"""The pieces build_docx_template.py assembles the DOCX templates from: the shared styles, and
Word's fields, bookmarks and internal links written as OOXML (python-docx has no API for them).

Jinja tags may stand in any text or attribute here: docxtpl renders the template's whole XML.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.styles.styles import Styles
from docx.text.paragraph import Paragraph

FONT = "Arial"
TEXT_COLOUR = RGBColor(0x0B, 0x0C, 0x0C)
LINK_COLOUR = RGBColor(0x1D, 0x70, 0xB8)
HEADING_SIZES = (("Heading 1", 24), ("Heading 2", 18), ("Heading 3", 13), ("Heading 4", 11))
# A field's text until Word or LibreOffice works it out: Word when it opens the document
# (updateFields), LibreOffice when it lays the document out.
UNCOMPUTED = "–"


def set_styles(document: Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.font.color.rgb = TEXT_COLOUR
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in HEADING_SIZES:
        heading = styles[name]
        assert isinstance(heading, ParagraphStyle)
        heading.font.name = FONT
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
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
    toc_heading = styles["TOC Heading"]
    toc_heading.font.name = FONT
    toc_heading.font.size = Pt(18)
    toc_heading.font.color.rgb = TEXT_COLOUR
    _theme_fonts_off(toc_heading.element)
    _notice_style(styles, normal)
    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = LINK_COLOUR
    hyperlink.font.underline = True
    _document_language(document, "en-GB")


def add_index_style(document: Document) -> None:
    """An index line: the department, then its places, wrapped lines hanging under the name."""
    index = document.styles.add_style("Index Entry", WD_STYLE_TYPE.PARAGRAPH)
    index.base_style = document.styles["Normal"]
    index.paragraph_format.left_indent = Cm(0.6)
    index.paragraph_format.first_line_indent = Cm(-0.6)
    index.paragraph_format.space_after = Pt(4)


def field(parent: Paragraph | BaseOxmlElement, instruction: str, result: str = UNCOMPUTED) -> None:
    """A Word field with its instruction and the result shown until it is updated."""
    field_start(parent, instruction)
    _element(parent).append(text_run(result))
    field_end(parent)


def field_start(parent: Paragraph | BaseOxmlElement, instruction: str) -> None:
    """Open a field whose result follows, up to field_end (which may be paragraphs later)."""
    _field_char(parent, "begin")
    run = OxmlElement("w:r")
    instruction_text = OxmlElement("w:instrText")
    instruction_text.set(qn("xml:space"), "preserve")
    instruction_text.text = f" {instruction} "
    run.append(instruction_text)
    _element(parent).append(run)
    _field_char(parent, "separate")


def field_end(parent: Paragraph | BaseOxmlElement) -> None:
    _field_char(parent, "end")


def simple_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    element = OxmlElement("w:fldSimple")
    element.set(qn("w:instr"), f" {instruction} ")
    element.append(text_run(placeholder))
    paragraph._p.append(element)


def text_run(text: str, style: str | None = None) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    if style:
        properties = OxmlElement("w:rPr")
        run_style = OxmlElement("w:rStyle")
        run_style.set(qn("w:val"), style)
        properties.append(run_style)
        run.append(properties)
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    run.append(element)
    return run


def tab_run() -> BaseOxmlElement:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:tab"))
    return run


def internal_link(paragraph: Paragraph, bookmark: str) -> BaseOxmlElement:
    """A link to a bookmark in the document; the caller fills it with runs."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), bookmark)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def bookmark(paragraph: Paragraph, name: str, identifier: str) -> None:
    """Mark the paragraph's whole text with a bookmark (call after its runs are added)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), identifier)
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), identifier)
    properties = paragraph._p.pPr
    if properties is None:
        paragraph._p.insert(0, start)
    else:
        properties.addnext(start)
    paragraph._p.append(end)


def page_numbers(paragraph: Paragraph) -> None:
    """ "Page N of M", from Word's PAGE and NUMPAGES fields."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    simple_field(paragraph, "PAGE", "1")
    paragraph.add_run(" of ")
    simple_field(paragraph, "NUMPAGES", "1")


def update_fields_on_open(document: Document) -> None:
    """Ask Word to refresh the contents' page numbers when the document opens."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)


def _field_char(parent: Paragraph | BaseOxmlElement, kind: str) -> None:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    _element(parent).append(run)


def _element(parent: Paragraph | BaseOxmlElement) -> BaseOxmlElement:
    return parent._p if isinstance(parent, Paragraph) else parent


def _notice_style(styles: Styles, normal: ParagraphStyle) -> None:
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


def _theme_fonts_off(style_element: BaseOxmlElement) -> None:
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
