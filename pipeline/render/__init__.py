"""The renderers: each turns the one document model into one output file.

`OutputFormat` is the registry: one member per format, naming the file it writes and the
function that renders it. The CLI's choices and the flow's parameter are this enumeration,
so they cannot disagree; a new format is a module beside this one and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from enum import StrEnum

from pipeline.model.document import Report

# An action's page is report.<format> in its cycle's folder.
REPORT_STEM = "report"


class OutputFormat(StrEnum):
    """A format a build can write: name, file name suffix, renderer ("module:function")."""

    suffix: str
    renderer: str

    def __new__(cls, name: str, suffix: str, renderer: str) -> OutputFormat:
        member = str.__new__(cls, name)
        member._value_ = name
        member.suffix = suffix
        member.renderer = renderer
        return member

    HTML = "html", ".html", "pipeline.render.html:render_html"
    PDF = "pdf", ".pdf", "pipeline.render.pdf:render_pdf"
    DOCX = "docx", ".docx", "pipeline.render.docx:render_docx"
    # For pasting into GOV.UK's publisher.
    GOVSPEAK = "govspeak", ".govspeak.md", "pipeline.render.govspeak:render_govspeak"

    @property
    def file_name(self) -> str:
        """An action's page in this format: report.html, report.pdf…"""
        return self.named_file(REPORT_STEM)

    def named_file(self, stem: str) -> str:
        """Another page in this format: a department's page, say (department-of-health.pdf)."""
        return f"{stem}{self.suffix}"

    @classmethod
    def named(cls, name: str) -> OutputFormat:
        """The format of this name (as the CLI and the flow's parameter give it)."""
        for member in cls:
            if member.value == name:
                return member
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(cls)}")


def render(report: Report, output_format: str) -> bytes:
    """Render the report in one format (renderers are imported when first used: WeasyPrint is slow to load)."""
    module, function = OutputFormat.named(output_format).renderer.split(":")
    renderer: Callable[[Report], bytes | str] = getattr(importlib.import_module(module), function)
    output = renderer(report)
    return output.encode("utf-8") if isinstance(output, str) else output


def load_renderers(formats: Iterable[str]) -> None:
    """Import these formats' renderers now, e.g. while waiting on something else."""
    for output_format in formats:
        importlib.import_module(OutputFormat.named(output_format).renderer.split(":")[0])


def is_transient(error: BaseException | None) -> bool:
    """Worth another try: the machine ran short (disk, memory, a timeout), not the content."""
    return isinstance(error, (OSError, MemoryError, TimeoutError))
