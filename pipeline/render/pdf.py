"""Render the report as a PDF: the HTML page laid out by WeasyPrint with its print styles."""

from __future__ import annotations

import calendar
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.model import Report
from pipeline.render.html import TEMPLATES, render_html

logger = logging.getLogger(__name__)


class RefusingFetcher(URLFetcher):
    """The page is self-contained (its CSS is inline, it has no images), so any URL
    WeasyPrint is asked to load came from content: refuse it, and say so."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        logger.warning("refused to fetch %s while rendering the PDF", url)
        raise ValueError(f"fetching {url} is not allowed")


def render_pdf(report: Report) -> bytes:
    fetcher = RefusingFetcher()
    document = HTML(string=render_html(report), base_url=None, url_fetcher=fetcher)
    # PDF dates come from the page's dcterms meta tags; the embedded font subsets
    # take theirs from SOURCE_DATE_EPOCH. Both derive from the report, so the same
    # inputs give the same bytes.
    with _source_date_epoch(report):
        return document.write_pdf(
            stylesheets=[CSS(filename=TEMPLATES / "pdf.css", url_fetcher=fetcher)],
            pdf_variant="pdf/ua-1",
        )


@contextmanager
def _source_date_epoch(report: Report) -> Iterator[None]:
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(report.published.timetuple()))
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
