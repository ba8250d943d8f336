from __future__ import annotations

import datetime
import io
import re
import subprocess
from collections import Counter

import pypdf
import pytest
from weasyprint import CSS, HTML

from pipeline.model.document import Department, Report, Section
from pipeline.render.html import render_html
from pipeline.render.pdf import render_pdf
from pipeline.submission.text import Paragraph, Text
from tests.builders import report_with_notices
from tests.checkers import pdf_ua_findings, pdftotext_pages, structure_roles


@pytest.fixture(scope="module")
def pdf(real_pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(real_pdf))


def test_one_bookmark_per_department_with_its_sections(pdf: pypdf.PdfReader, real_report: Report) -> None:
    top = [item for item in pdf.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [department.name for department in real_report.departments]
    children = [item for item in pdf.outline if isinstance(item, list)]
    assert [len(sections) for sections in children] == [5] * 17
    assert children[0][1].title == "Progress during 2013"


def test_metadata_title_and_language(pdf: pypdf.PdfReader, real_report: Report) -> None:
    assert pdf.metadata.title == real_report.title
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_a4_with_page_numbers(real_pdf: bytes, pdf: pypdf.PdfReader) -> None:
    pages = len(pdf.pages)
    assert {tuple(round(float(n)) for n in page.mediabox[2:]) for page in pdf.pages} == {(595, 842)}
    text = _pdftotext(real_pdf)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_text_contains_every_department(real_pdf: bytes, real_report: Report) -> None:
    text = " ".join(_pdftotext(real_pdf).split())
    for department in real_report.departments:
        assert department.name in text
    assert "Progress in 2014" not in text


def _pdftotext(pdf: bytes) -> str:
    """Poppler's reading of the PDF, as a reader's tools would see it."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


# --- PDF/UA-1, checked with pikepdf (veraPDF is not installable from this project's registries).


def test_pdf_ua_document_requirements(real_pdf: bytes) -> None:
    assert pdf_ua_findings(real_pdf) == []


def test_pdf_ua_checker_fails_an_untagged_pdf() -> None:
    untagged = HTML(string="<html><title>Untagged</title><p>Hello</p></html>").write_pdf()
    findings = pdf_ua_findings(untagged)
    assert findings == [
        "not marked as tagged (/MarkInfo /Marked true)",
        "no structure tree (/StructTreeRoot)",
        "no document language (/Lang)",
        "title not shown in the window (/DisplayDocTitle)",
        "no dc:title in the XMP metadata",
        "no PDF/UA identification (pdfuaid:part=1) in the XMP metadata",
        "page 1: content not linked to the structure tree (/StructParents)",
    ]


def test_structure_tree_has_the_documents_semantics(real_pdf: bytes) -> None:
    roles = Counter(structure_roles(real_pdf))
    assert (roles["/H1"], roles["/H2"], roles["/H3"]) == (1, 18, 85)  # h2s: contents + 17 departments
    assert roles["/L"] == 6 and roles["/LI"] == 17 + 18  # the contents list and the five bullet lists
    assert roles["/P"] >= 100


def test_contents_page_numbers_match_the_bookmarks(real_pdf: bytes, pdf: pypdf.PdfReader) -> None:
    contents = " ".join(pdftotext_pages(real_pdf)[0].split())
    top = [item for item in pdf.outline if not isinstance(item, list)]
    for bookmark in top:
        page_number = pdf.get_destination_page_number(bookmark) + 1
        assert re.search(rf"{re.escape(bookmark.title)}[ .]*{page_number}\b", contents), bookmark.title


def test_every_page_has_its_footer_and_no_heading_is_stranded(real_pdf: bytes, real_report: Report) -> None:
    headings = {department.name for department in real_report.departments} | {
        section.heading for department in real_report.departments for section in department.sections
    }
    pages = pdftotext_pages(real_pdf)
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[-1] == f"Page {number} of {len(pages)}"
        assert lines[-2] not in headings, f"page {number} ends with the heading {lines[-2]!r}"


def _stranded_headings(pdf: bytes, headings: set[str]) -> list[tuple[int, str]]:
    stranded = []
    for number, text in enumerate(pdftotext_pages(pdf), start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines[-2] in headings:
            stranded.append((number, lines[-2]))
    return stranded


def test_headings_stay_with_their_text_whatever_the_lengths() -> None:
    """Sections of many lengths put headings at every height of the page; none may end one."""
    words = ["digital", "capability", "across", "departments", "improved", "through", "training", "and", "recruitment"]

    def paragraph(length: int) -> Paragraph:
        return Paragraph((Text(" ".join(words[i % len(words)] for i in range(length))),))

    departments = tuple(
        Department(
            f"Department {number}",
            None,
            f"department-{number}",
            tuple(
                Section(f"s{index}", f"Section {number}.{index}", (paragraph(7 + (number * 37 + index * 53) % 120),))
                for index in range(12)
            ),
        )
        for number in range(12)
    )
    report = Report("t", "Title", "Strategy", 1, datetime.date(2015, 1, 16), "Intro", departments)
    headings = {d.name for d in departments} | {s.heading for d in departments for s in d.sections}
    assert _stranded_headings(render_pdf(report), headings) == []

    # The same check catches headings left at the foot of a page when nothing keeps them with their text.
    careless = HTML(string=render_html(report)).write_pdf(
        stylesheets=[CSS(string="h2, h3 { break-after: auto !important } p { orphans: 1 !important }")]
    )
    assert _stranded_headings(careless, headings) != []


def test_notices_appear_in_the_pdf() -> None:
    text = " ".join(" ".join(pdftotext_pages(render_pdf(report_with_notices()))).split())
    assert "This action is not applicable to Department of Health. It had no services in 2013." in text
    assert "Home Office No response received." in text
