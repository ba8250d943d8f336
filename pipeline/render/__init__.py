"""The renderers: each turns the one document model into one output file.

`OutputFormat` (`pipeline.submission.formats`, where report.yaml's `formats:` reads it) is the
registry: one member per format, naming the file it writes and the function here that renders
it. The CLI's choices and the flow's parameter are that enumeration, so they cannot disagree; a
new format is a module beside this one and one line there.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from pipeline.model.document import Report
from pipeline.submission.formats import REPORT_STEM, OutputFormat

__all__ = ["REPORT_STEM", "OutputFormat", "is_transient", "load_renderers", "render"]


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
