"""The volume's Word document from the model alone: submission text stays text, notices keep
their style, and the same edition gives the same bytes."""

from __future__ import annotations

import dataclasses
import datetime
import io

import docx

from pipeline.model.document import Department, Section
from pipeline.model.edition import Edition
from pipeline.render.volume import render_volume_docx, volume_of
from pipeline.submission.text import Paragraph, Text
from report_templates import build_docx_template
from tests.builders import report_with_notices

EDITION = Edition("2015", "Strategy", datetime.date(2015, 1, 16), ("2015-action-01", "2015-action-02"))


def test_submission_text_and_names_stay_text() -> None:
    hostile = Department(
        "{{ 7*7 }} & <w:p/> Office",
        None,
        "office",
        (Section("commitments", "Commitments", (Paragraph((Text("{%p endfor %} ]]> &amp;"),)),)),),
    )
    first = report_with_notices()
    second = dataclasses.replace(first, action=2, title="Action 2: more", departments=(hostile,))
    document = docx.Document(io.BytesIO(render_volume_docx(volume_of(EDITION, "Responses", [second, first]))))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "{{ 7*7 }} & <w:p/> Office" in texts and "{%p endfor %} ]]> &amp;" in texts
    assert texts.count("{{ 7*7 }} & <w:p/> Office: action 2 (page –)") == 1
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Action 1: Title", "Action 2: more", "Index of departments"]
    notices = [p.text for p in document.paragraphs if p.style.name == "Notice"]
    assert notices == [
        "This action is not applicable to Department of Health.",
        "It had no services in 2013.",
        "No response received.",
    ]


def test_the_same_edition_gives_the_same_bytes() -> None:
    volume = volume_of(EDITION, "Responses", [report_with_notices()])
    assert render_volume_docx(volume) == render_volume_docx(volume)


def test_the_committed_templates_are_what_their_generator_builds() -> None:
    for path, data in build_docx_template.build().items():
        assert path.read_bytes() == data, f"{path.name} differs from its generator's: run make docx-template"
