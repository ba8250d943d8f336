"""The generated report says exactly what the published report says, in canonical structure."""

from __future__ import annotations

import pytest

from tests.readers import docx_outline, html_outline, reference_sections

REFERENCE = reference_sections()
CANONICAL_HEADINGS = [
    "Departmental digital strategy commitments (December 2012)",
    "Progress during 2013",
    "Planned activities in 2014",
    "Progress during 2014",
    "Planned activities in 2015",
]


def test_reference_reading_finds_every_department_and_section() -> None:
    assert len(REFERENCE) == 17
    assert all(list(sections) == CANONICAL_HEADINGS for sections in REFERENCE.values())


def test_html_has_the_departments_in_report_order(real_html: str) -> None:
    assert list(html_outline(real_html)) == list(REFERENCE)


@pytest.mark.parametrize("department", list(REFERENCE))
def test_html_text_equals_the_published_text(real_html: str, department: str) -> None:
    assert html_outline(real_html)[department] == REFERENCE[department]


@pytest.mark.parametrize("department", list(REFERENCE))
def test_docx_text_equals_the_published_text(real_docx: bytes, department: str) -> None:
    assert docx_outline(real_docx)[department] == REFERENCE[department]
