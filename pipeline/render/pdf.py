"""Render the report as a PDF: the HTML page laid out by WeasyPrint with its print styles."""

from __future__ import annotations

import calendar
import datetime
import gc
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.model.document import Report
from pipeline.render.html import TEMPLATES, render_html
from pipeline.render.pydyf_page_references import kept_page_references

logger = logging.getLogger(__name__)


class RefusingFetcher(URLFetcher):
    """The page is self-contained (its CSS is inline, it has no images), so any URL
    WeasyPrint is asked to load came from content: refuse it, and say so."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        logger.warning("refused to fetch %s while rendering the PDF", url)
        raise ValueError(f"fetching {url} is not allowed")


def render_pdf(report: Report) -> bytes:
    return pdf_from_html(render_html(report, paged=True), report.published)


def pdf_from_html(html: str, published: datetime.date, *stylesheets: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of a paged page: pdf.css and then these stylesheets of the templates."""
    fetcher = RefusingFetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    extra = [CSS(string=(TEMPLATES / name).read_text("utf-8"), url_fetcher=fetcher) for name in stylesheets]
    # PDF dates come from the page's dcterms meta tags; the embedded font subsets
    # take theirs from SOURCE_DATE_EPOCH. Both derive from the publication date, so the
    # same inputs give the same bytes.
    with _source_date_epoch(published), _fewer_collections(), kept_page_references():
        return document.write_pdf(
            stylesheets=[pdf_stylesheet(fetcher), *extra],
            pdf_variant="pdf/ua-1",
        )


def pdf_stylesheet(fetcher: URLFetcher) -> CSS:
    """pdf.css, the PDF's own print styles, read from the templates' package data."""
    return CSS(string=(TEMPLATES / "pdf.css").read_text("utf-8"), url_fetcher=fetcher)


# WeasyPrint builds millions of objects that live until the PDF is written (boxes,
# styles, pages, PDF objects). With Python's default thresholds the cyclic collector
# keeps re-scanning all of them: about 13% of a 1,947-page render, growing faster
# than the page count. During the render only young objects are collected, and
# rarely; everything is collected as usual afterwards. Same output bytes; peak
# memory 10-20% higher.
_RENDER_THRESHOLDS = (100_000, 50, 100)
_renders_lock = threading.Lock()
_renders = 0
_saved_thresholds: tuple[int, int, int] | None = None


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Raise the collector's thresholds while any render runs, restore them after the last."""
    global _renders, _saved_thresholds
    with _renders_lock:
        if _renders == 0:
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(*_RENDER_THRESHOLDS)
        _renders += 1
    try:
        yield
    finally:
        with _renders_lock:
            _renders -= 1
            if _renders == 0 and _saved_thresholds is not None:
                gc.set_threshold(*_saved_thresholds)
                _saved_thresholds = None


@contextmanager
def _source_date_epoch(published: datetime.date) -> Iterator[None]:
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(published.timetuple()))
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
