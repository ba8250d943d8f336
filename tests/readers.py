"""What a test reads back: the published reference report, and the department → section outline
of a built page, DOCX or govspeak export, each in the same shape so that they compare."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import docx as docx_module
import yaml
from markdown_it import MarkdownIt

from pipeline.submission import sections
from pipeline.submission.text import Block, BulletList, Paragraph, plain_text
from tests.paths import REAL_CYCLE, REFERENCE, SUBMISSIONS

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
        if match := re.match(kind.published_headings, body, re.IGNORECASE):
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


def govspeak_statements(page: Path) -> dict[str, tuple[int, str]]:
    """Each department's statement and its first line, read here independently of the importer:
    the name from its ## heading without <br>, the statement with its links' markup removed."""
    text = page.read_text(encoding="utf-8")
    statements = {}
    for match in re.finditer(r"\{div \.department\}(.*?)\{/div\}\s*\{/div\}", text, flags=re.S):
        block = match[1]
        name = normalise(re.sub(r"<br>", " ", re.search(r"^##(.*)$", block, flags=re.M)[1]))  # type: ignore[index]
        statement = block.split("{div .statement}")[1]
        first_line = text[: match.start(1) + block.index(statement)].count("\n") + 2
        statements[name] = (first_line, normalise(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", statement)))
    return statements


def blocks_text(blocks: tuple[Block, ...]) -> str:
    """The words of a section's paragraphs and lists, as one normalised line (notices left out)."""
    return normalise(
        " ".join(
            plain_text(block.inlines) if isinstance(block, Paragraph) else " ".join(map(plain_text, block.items))
            for block in blocks
            if isinstance(block, Paragraph | BulletList)
        )
    )
