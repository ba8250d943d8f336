"""The formats a cycle may publish (report.yaml's `formats:`), each named once: the file it
writes and the renderer that writes it (`pipeline.render` runs it)."""

from __future__ import annotations

from enum import StrEnum

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
