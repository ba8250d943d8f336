"""Import a published departmental-responses page into a new cycle's submissions.

Two kinds of page are read: the text GOV.UK showed, saved as plain text
(`text_page`), and the govspeak GOV.UK's publisher stores (`govspeak_page`), told apart
by their markup; both find headings alike (`section_headings`) and report alike (`page_reader`).
Both are read into the same shape (`page`), checked against the sections table
(`section_order`), and written as a cycle only if the pipeline's own checks pass (`writing`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from pipeline.errors import InvalidInputError, PipelineError, Problem
from pipeline.importer.govspeak_page import is_govspeak, parse_govspeak_page
from pipeline.importer.page import ImportedCycle, PageOptions
from pipeline.importer.text_page import parse_text_page
from pipeline.importer.writing import report_yaml, submission_yaml, write_imported_cycle
from pipeline.read.yaml_file import SourceFile, decode_text, has_control_characters

# The page says everything: title, strategy, action, date and the commitments' label.
NO_OPTIONS = PageOptions()

__all__ = [
    "ImportedCycle",
    "PageOptions",
    "import_page",
    "parse_page",
    "read_page",
    "report_yaml",
    "submission_yaml",
    "write_imported_cycle",
]


def parse_page(text: str, page: Path, options: PageOptions = NO_OPTIONS) -> ImportedCycle:
    """The report config and the departments' submissions a page's text holds, govspeak or
    plain text. Options supply what the page does not say; given where it does, they must
    agree with it. Raises InvalidInputError with every problem, each naming the page's line."""
    if is_govspeak(text, page):
        return parse_govspeak_page(text, page, options)
    return parse_text_page(text, page, options)


def read_page(page: Path, options: PageOptions = NO_OPTIONS) -> ImportedCycle:
    """Read and parse a page saved as UTF-8; every problem is raised at once."""
    try:
        raw = page.read_bytes()
    except OSError as error:
        raise PipelineError(f"{page}: cannot read the page: {error.strerror or error}") from None
    source = SourceFile(path=page, sha256=hashlib.sha256(raw).hexdigest())
    text = decode_text(source, raw)
    if text is None or has_control_characters(source, text):
        raise InvalidInputError(source.problems)
    imported = parse_page(text, page, options)
    return dataclasses.replace(imported, warnings=source.problems + imported.warnings)


def import_page(
    page: Path, submissions_root: Path, cycle: str, options: PageOptions = NO_OPTIONS
) -> tuple[Path, ImportedCycle, list[Problem]]:
    """Read a published page and write it as a new cycle: the folder, what it holds, and warnings."""
    imported = read_page(page, options)
    folder, warnings = write_imported_cycle(imported, submissions_root, cycle)
    return folder, imported, imported.warnings + warnings
