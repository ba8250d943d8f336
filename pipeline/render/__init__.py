"""The renderers: each turns the one document model into one output file."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.model import Report

FORMATS = ("html", "pdf", "docx", "govspeak")
# What a build writes unless asked otherwise; govspeak is for pasting into GOV.UK's publisher.
DEFAULT_FORMATS = ("html", "pdf", "docx")


def output_name(output_format: str) -> str:
    return "report.govspeak.md" if output_format == "govspeak" else f"report.{output_format}"


def render(report: Report, output_format: str) -> bytes:
    """Render the report in one format (imports are lazy: WeasyPrint is slow to load)."""
    renderer: Callable[[Report], bytes | str]
    if output_format == "html":
        from pipeline.render.html import render_html as renderer
    elif output_format == "pdf":
        from pipeline.render.pdf import render_pdf as renderer
    elif output_format == "docx":
        from pipeline.render.docx import render_docx as renderer
    elif output_format == "govspeak":
        from pipeline.render.govspeak import render_govspeak as renderer
    else:
        raise ValueError(f"unknown output format {output_format!r}; choose from {', '.join(FORMATS)}")
    output = renderer(report)
    return output.encode("utf-8") if isinstance(output, str) else output


def is_transient(error: BaseException | None) -> bool:
    """Worth another try: the machine ran short (disk, memory, a timeout), not the content."""
    return isinstance(error, (OSError, MemoryError, TimeoutError))
