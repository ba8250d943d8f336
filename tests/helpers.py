"""Build cycles from dicts in a temporary folder, and read the real report for comparison."""

from __future__ import annotations

import datetime
import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx as docx_module
import yaml
from markdown_it import MarkdownIt

from pipeline import sections
from pipeline.document import NO_RESPONSE, Department, Notice, Paragraph, Report, Section, Text
from pipeline.settings import SETTINGS

PROJECT = SETTINGS.submissions.parent
SUBMISSIONS = SETTINGS.submissions
REAL_CYCLE = SETTINGS.default_cycle
REFERENCE = PROJECT.parent / "shared" / "reference" / "action-04-departmental-responses-2015.txt"

CONFIG: dict[str, Any] = {
    "title": "Action 9: test the pipeline",
    "strategy": "Government Digital Strategy",
    "action": 9,
    "commitments_label": "December 2012",
    "reporting_years": [2013, 2014],
    "published": "2015-01-16",
    "intro": "Here is how departments are responding to this action:",
    "departments": ["Department of Health", "Home Office"],
    # A test cycle publishes its page alone, so that a build of it is quick; a test that needs
    # more names them here, since a build of fewer formats than the cycle publishes is a preview.
    "formats": ["html"],
}


def submission(department: str = "Department of Health", **changes: Any) -> dict[str, Any]:
    """A valid submission; keyword arguments replace or (with value None) remove keys."""
    data: dict[str, Any] = {
        "department": department,
        "commitments": "We will do things.",
        "progress": {2013: "We did some things.", 2014: "We did more things."},
        "plans": {2014: "We plan things.", 2015: "We plan more things."},
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write_cycle(
    root: Path,
    files: dict[str, dict[str, Any] | str],
    config: dict[str, Any] | None = None,
    cycle: str = "test-cycle",
) -> Path:
    """Write report.yaml and the given submissions (dicts, or raw YAML text) under root/cycle."""
    folder = root / cycle
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.yaml").write_text(yaml.safe_dump(config or CONFIG, allow_unicode=True))
    for name, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# The published text's slips, as the report prints them; the pipeline's output is canonical.
_DEPARTMENT_LINE_SLIPS = {"Home Office’s": "Home Office"}


def reference_sections() -> dict[str, dict[str, list[str]]]:
    """The published report as {department: {canonical heading: [paragraphs and bullet items]}}.

    Bullet items keep their "- " so that a comparison also checks which text is a list.
    """
    names = yaml.safe_load((SUBMISSIONS / REAL_CYCLE / "report.yaml").read_text())["departments"]
    sections: dict[str, dict[str, list[str]]] = {}
    current: list[str] | None = None
    department: dict[str, list[str]] = {}
    for line in REFERENCE.read_text(encoding="utf-8").splitlines()[4:]:
        line = _DEPARTMENT_LINE_SLIPS.get(line, line)
        if line in names:
            department = sections.setdefault(line, {})
            current = None
            continue
        heading, rest = _canonical_heading(line)
        if heading:
            current = department.setdefault(heading, [])
            if rest:
                current.append(rest)
        elif current is not None and line.strip():
            current.append(line.strip())
    return sections


def _canonical_heading(line: str) -> tuple[str | None, str]:
    """The canonical heading a line of the published page is, by the sections table's patterns,
    and any text fused to it ("###Departmental … (December 2012)Home Office will …")."""
    body = line.lstrip("#")
    for kind in sections.kinds():
        if match := kind.heading_pattern.match(body):
            rest = body[match.end() :].strip()
            if rest and kind.yearly:
                continue  # a sentence that starts like a heading
            return kind.title(**match.groupdict()), rest
    return None, ""


def normalise(text: str) -> str:
    return " ".join(text.split())


# Where an outline puts what a department shows before any section: its notice, when it has no response.
DEPARTMENT_NOTICE = ""


class _OutlineParser(HTMLParser):
    """Collects department (h2) → section (h3) → paragraph and "- " list item texts."""

    def __init__(self) -> None:
        super().__init__()
        self.outline: dict[str, dict[str, list[str]]] = {}
        self._tag: str | None = None
        self._text: list[str] = []
        self._department: dict[str, list[str]] | None = None
        self._section: list[str] | None = None
        self._in_department = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("class", "department") in attrs:
            self._in_department = True
        if self._in_department and tag in ("h2", "h3", "p", "li"):
            self._tag, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._in_department = False
        if tag != self._tag:
            return
        text = normalise("".join(self._text))
        if tag == "h2":
            self._department = self.outline.setdefault(text, {})
            self._section = None
        elif tag == "h3":
            assert self._department is not None
            self._section = self._department.setdefault(text, [])
        else:
            assert self._department is not None
            if self._section is None:  # the department's own notice, before any section
                self._section = self._department.setdefault(DEPARTMENT_NOTICE, [])
            self._section.append(f"- {text}" if tag == "li" else text)
        self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag:
            self._text.append(data)


def html_outline(html: str) -> dict[str, dict[str, list[str]]]:
    parser = _OutlineParser()
    parser.feed(html)
    return parser.outline


def docx_outline(docx: bytes) -> dict[str, dict[str, list[str]]]:
    """The same outline read back from a DOCX by its paragraph styles."""
    document = docx_module.Document(io.BytesIO(docx))
    outline: dict[str, dict[str, list[str]]] = {}
    department: dict[str, list[str]] | None = None
    section: list[str] | None = None
    for paragraph in document.paragraphs:
        style, text = paragraph.style.name, normalise(paragraph.text)
        if style == "Heading 2":
            department = outline.setdefault(text, {})
            section = None
        elif style == "Heading 3" and department is not None:
            section = department.setdefault(text, [])
        elif department is not None and text:
            if section is None:  # the department's own notice, before any section
                section = department.setdefault(DEPARTMENT_NOTICE, [])
            section.append(f"- {text}" if style == "List Bullet" else text)
    return outline


def govspeak_outline(markdown: str) -> dict[str, dict[str, list[str]]]:
    """The same outline as a Markdown reader sees the govspeak export: ## departments, ### sections,
    paragraphs and "- " items; an information callout (^…^) before any section is the department's notice."""
    outline: dict[str, dict[str, list[str]]] = {}
    section: list[str] = []
    tokens = MarkdownIt("commonmark", {"html": False}).parse(markdown)
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        opener = tokens[index - 1]
        text = normalise("".join(child.content for child in token.children or [] if child.type == "text"))
        if opener.tag == "h2":
            department = outline.setdefault(text, {})
            section = department.setdefault(DEPARTMENT_NOTICE, [])
        elif opener.tag == "h3":
            section = department.setdefault(text, [])
        elif opener.tag == "p" and outline:
            callout = token.content.startswith("^") and token.content.endswith("^")  # written ^…^, not &#94;
            in_list = tokens[index - 2].type == "list_item_open"
            section.append(text[1:-1] if callout else f"- {text}" if in_list else text)
    for department in outline.values():
        if not department.get(DEPARTMENT_NOTICE, True):
            del department[DEPARTMENT_NOTICE]
    return outline


def report_with_notices() -> Report:
    """A small report with a not-applicable section and a department that did not respond."""
    na = Notice("This action is not applicable to Department of Health.", "It had no services in 2013.")
    commitments, progress = sections.report_sections("December 2012", [2013])[:2]
    health = Department(
        "Department of Health",
        "DH",
        "department-of-health",
        (
            Section(commitments.field, commitments.heading, (Paragraph((Text("We will do things."),)),)),
            Section(progress.field, progress.heading, (na,)),
        ),
    )
    home = Department("Home Office", None, "home-office", (), NO_RESPONSE)
    return Report("test", "Title", "Strategy", 1, datetime.date(2015, 1, 16), "Intro.", (health, home))
