"""The pydyf patch we carry (pipeline/render/pydyf_page_references.py): same bytes, only while
rendering, only for the versions checked. If pydyf changes, the first test fails: look at the
patch again, and at docs/upstream/pydyf-page-references.md."""

from __future__ import annotations

import contextlib
import inspect
import logging

import pydyf
import pytest

from pipeline.render import pdf as pdf_renderer
from pipeline.render import pydyf_page_references as patch
from pipeline.stages import checked_report
from tests.paths import REAL_CYCLE, SUBMISSIONS


def test_the_installed_pydyf_is_the_one_the_patch_was_checked_against() -> None:
    assert pydyf.__version__ in patch.CHECKED_VERSIONS, "a new pydyf: check the patch against it, or drop it"
    assert inspect.getsource(pydyf.PDF.page_references.fget) == patch.CHECKED_SOURCE, (
        "pydyf's page_references changed: check the patch, and whether upstream fixed it"
    )


def test_patched_and_unpatched_renders_are_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    report, _ = checked_report(SUBMISSIONS, REAL_CYCLE)
    patched = pdf_renderer.render_pdf(report)
    monkeypatch.setattr(pdf_renderer, "kept_page_references", contextlib.nullcontext)
    assert pdf_renderer.render_pdf(report) == patched


def test_applied_only_while_a_render_runs_and_restored_after_the_last() -> None:
    original = pydyf.PDF.page_references
    with patch.kept_page_references():
        assert pydyf.PDF.page_references is not original
        with patch.kept_page_references():  # a second render overlapping in another thread
            pass
        assert pydyf.PDF.page_references is not original
    assert pydyf.PDF.page_references is original


def test_kept_references_follow_added_pages() -> None:
    document = pydyf.PDF()
    with patch.kept_page_references():
        seen = []
        for _ in range(3):
            document.add_page(pydyf.Dictionary({"Type": "/Page"}))
            seen.append(document.page_references)
            assert document.page_references is seen[-1]  # kept between reads
    assert seen[-1] == document.page_references  # the original's answer, now unpatched
    assert [len(references) for references in seen] == [1, 2, 3]


def test_another_pydyf_version_is_left_alone_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pydyf, "__version__", "99.0.0")
    monkeypatch.setattr(patch, "_said_unchecked", False)
    original = pydyf.PDF.page_references
    with caplog.at_level(logging.INFO, logger=patch.__name__):
        for _ in range(2):
            with patch.kept_page_references():
                assert pydyf.PDF.page_references is original
    assert [record.getMessage() for record in caplog.records] == [
        "pydyf 99.0.0 has not been checked against our page_references patch: rendering without it"
    ]
