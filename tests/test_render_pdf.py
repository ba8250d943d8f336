from __future__ import annotations

import io
import subprocess

import pypdf
import pytest

from pipeline.model import Report


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
