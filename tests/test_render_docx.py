from __future__ import annotations

import datetime
import io
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from pipeline.model.document import Department, Report, Section
from pipeline.render.docx import render_docx
from pipeline.submission.text import BulletList, Emphasis, Link, Paragraph, Text
from tests.builders import report_with_notices
from tests.checkers import libreoffice_to_pdf, pdftotext_pages
from tests.readers import reference_sections


def _document(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_heading_styles_and_bullets(real_docx: bytes) -> None:
    styles = Counter(paragraph.style.name for paragraph in _document(real_docx).paragraphs)
    bullets_in_source = sum(
        item.startswith("- ")
        for sections in reference_sections().values()
        for items in sections.values()
        for item in items
    )
    assert (styles["Heading 1"], styles["Heading 2"], styles["Heading 3"]) == (1, 17, 85)
    assert (styles["TOC Heading"], styles["TOC 2"]) == (1, 17)
    assert styles["List Bullet"] == bullets_in_source == 18


def test_bullets_are_real_numbered_list_paragraphs(real_docx: bytes) -> None:
    document = _document(real_docx)
    bullet_style = document.styles["List Bullet"]
    num_pr = bullet_style.element.pPr.numPr
    assert num_pr is not None and num_pr.numId.val > 0
    assert not any(p.text.startswith(("•", "-")) for p in document.paragraphs)


def test_no_paragraph_is_empty_or_a_template_tag(real_docx: bytes) -> None:
    texts = [paragraph.text for paragraph in _document(real_docx).paragraphs]
    assert all(text.strip() for text in texts)
    assert not any("{%" in text or "{{" in text for text in texts)


def test_properties(real_docx: bytes, real_report: Report) -> None:
    properties = _document(real_docx).core_properties
    assert properties.title == real_report.title
    assert properties.language == "en-GB"
    assert properties.created == datetime.datetime(2015, 1, 16, tzinfo=datetime.UTC)
    styles_xml = zipfile.ZipFile(io.BytesIO(real_docx)).read("word/styles.xml").decode()
    assert '<w:lang w:val="en-GB"' in styles_xml


def test_links_emphasis_and_literal_template_syntax() -> None:
    paragraph = Paragraph(
        (
            Text("See {{ 7*7 }} & "),
            Link("https://www.gov.uk/", (Text("GOV.UK"),)),
            Text(" "),
            Emphasis((Text("now"),), strong=True),
        )
    )
    section = Section("commitments", "Commitments", (paragraph, BulletList(((Text("<x>"),),))))
    report = Report(
        "t",
        "Title",
        "Strategy",
        1,
        datetime.date(2015, 1, 16),
        "Intro",
        (Department("Department of Health", None, "department-of-health", (section,)),),
    )
    document = _document(render_docx(report))
    texts = [p.text for p in document.paragraphs]
    assert "See {{ 7*7 }} & GOV.UK now" in texts and "<x>" in texts
    body = document.element.xml
    assert "w:hyperlink" in body
    assert [r.target_ref for r in document.part.rels.values() if r.is_external] == ["https://www.gov.uk/"]
    bold_runs = [run.text for p in document.paragraphs for run in p.runs if run.bold]
    assert bold_runs == ["now"]


def test_reproducible_bytes(real_report: Report, real_docx: bytes) -> None:
    assert render_docx(real_report) == real_docx


# --- A real client: LibreOffice opens the document and lays it out.


@pytest.fixture(scope="module")
def docx_file(real_docx: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    path.write_bytes(real_docx)
    return path


def test_libreoffice_opens_and_lays_it_out(docx_file: Path, real_report: Report) -> None:
    pages = pdftotext_pages(libreoffice_to_pdf(docx_file).read_bytes())
    text = " ".join(" ".join(pages).split())
    assert len(pages) >= 10
    for department in real_report.departments:
        assert department.name in text
    assert [page.strip().splitlines()[-1].strip() for page in pages][:2] == [
        f"Page 1 of {len(pages)}",
        f"Page 2 of {len(pages)}",
    ]


def test_libreoffice_refuses_a_broken_document(real_docx: bytes, tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(real_docx[: len(real_docx) // 3])
    with pytest.raises(RuntimeError, match="LibreOffice could not open broken.docx"):
        libreoffice_to_pdf(broken)


def test_contents_is_a_word_field_updated_on_open(real_docx: bytes, real_report: Report) -> None:
    document = _document(real_docx)
    body = document.element.body
    instructions = [node.text for node in body.iter(qn("w:instrText"))]
    assert instructions == [' TOC \\o "2-2" \\h \\z \\u ']
    kinds = [node.get(qn("w:fldCharType")) for node in body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    entries = [p.text for p in document.paragraphs if p.style.name == "TOC 2"]
    assert entries == [department.name for department in real_report.departments]
    settings = zipfile.ZipFile(io.BytesIO(real_docx)).read("word/settings.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings


def test_footer_numbers_the_pages(real_docx: bytes) -> None:
    footer = _document(real_docx).sections[0].footer
    fields = [node.get(qn("w:instr")) for node in footer._element.iter(qn("w:fldSimple"))]
    assert fields == [" PAGE ", " NUMPAGES "]


def test_subject_is_set(real_docx: bytes) -> None:
    assert _document(real_docx).core_properties.subject == "Government Digital Strategy: action 4"


def test_notices_have_their_own_style() -> None:
    document = _document(render_docx(report_with_notices()))
    notices = [
        (p.text, {run.bold for run in p.runs if run.text}.pop())
        for p in document.paragraphs
        if p.style.name == "Notice"
    ]
    assert notices == [
        ("This action is not applicable to Department of Health.", True),
        ("It had no services in 2013.", None),
        ("No response received.", True),
    ]
    border = document.styles["Notice"].element.pPr.find(qn("w:pBdr"))
    assert border is not None and border.find(qn("w:left")).get(qn("w:sz")) == "48"
