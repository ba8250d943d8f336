"""Read a departmental-responses page as GOV.UK's publisher stores it: govspeak.

The first page of each action (December 2012) looks like this:

    {{DEPARTMENTRESPONSE}}
    #Action 03: All departments will ensure that they have appropriate digital capability…
    {div .section}
    {navigation}
    Here's how departments are responding to this action:
    {div .department}
    ##Department for<br>Education
    {: .logo-single}
    {div .statement}
    To maximise the benefits… [Read more »](http://www.education.gov.uk/digitalstrategy)
    {/div}
    {/div}
    …

A department is a `{div .department}` block: its name is the `##` heading (`<br>` broke it
over lines on the page), `{: …}` attributes style it, and its `{div .statement}` is its
response. A statement with no section headings answers the first section (the commitments);
one may also carry the report's headings, read as in a plain-text page. A placeholder
statement ("Coming soon...", "Awaiting DCLG confirmation", `page_reader.PLACEHOLDERS`) is a
department that had not answered, warned at its line. A link to an address the pipeline does
not publish (not https, http or mailto) is kept as its text, warned with the address.
`{{…}}` template tokens and `{navigation}` are the publisher's; any other `{…}` extension, a
block left open, a department with no heading or two statements is an error with its line,
and nothing is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InvalidInputError
from pipeline.importer import page, section_headings, section_order
from pipeline.importer.page import DepartmentPart, ImportedCycle, PageOptions
from pipeline.importer.page_reader import PageReader, is_placeholder, shorten
from pipeline.importer.section_headings import Heading
from pipeline.names import name_key
from pipeline.submission import sections
from pipeline.submission.markup import link_allowed

_BLOCKS = ("section", "department", "statement")
_OPEN = re.compile(r"\{div\s+\.([\w-]+)\s*\}")
_CLOSE = "{/div}"
_TEMPLATE_TOKEN = re.compile(r"\{\{[^{}]*\}\}")
_ATTRIBUTES = re.compile(r"\{:[^{}]*\}")
_NAVIGATION = "{navigation}"
_EXTENSION = re.compile(r"\{[^{}\s][^{}]*\}")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HEADING = re.compile(r"(#{1,6})\s*(.*?)\s*#*")
_BULLET = re.compile(r"[-*+]\s+(.*)")
# A link with an address (which may hold one level of brackets: "javascript:alert(1)"), or a
# bracketed text with none (shown as written on GOV.UK).
_LINK_OR_BRACKETS = re.compile(r"\[([^\[\]]*)\](?:\(((?:[^()\s]|\([^()\s]*\))*)\))?")

_GOVSPEAK_MARKERS = re.compile(r"\{div\s|\{/div\}|\{navigation\}|\{\{[A-Z_]+\}\}|\{:\s*\.")


def is_govspeak(text: str, source: Path) -> bool:
    """Recognised by its markup (the publisher's blocks and tokens), or by its file name."""
    if source.suffix.lower() in (".govspeak", ".gs"):
        return True
    return any(_GOVSPEAK_MARKERS.match(line.strip()) for line in text.split("\n"))


def parse_govspeak_page(text: str, source: Path, options: PageOptions) -> ImportedCycle:
    """The report config and submissions a govspeak page holds; what it does not say comes
    from the options, or is an error naming the option. Raises InvalidInputError with every
    problem found, each naming the page's line."""
    return _GovspeakReader(text, source).parse(options)


@dataclass
class _Open:
    name: str
    line: int
    department: DepartmentPart | None = None


class _GovspeakReader(PageReader):
    def __init__(self, text: str, source: Path) -> None:
        super().__init__(source)
        self.lines = list(enumerate(text.split("\n"), start=1))
        self.title: tuple[int, str] | None = None
        self.intro: tuple[int, str] | None = None
        self.departments: list[DepartmentPart] = []
        # Each department's statement lines, by its first line (where the statement opened is its start_line).
        self.statements: dict[int, list[tuple[int, str]]] = {}
        self.label_asked = False

    def parse(self, options: PageOptions) -> ImportedCycle:
        self._read_blocks()
        if not self.departments and not self.problems:
            self.error(
                1,
                "no department found: the page has no {div .department} block",
                "each department's response is a {div .department} block with its ## name and a {div .statement}",
            )
        label = self._read_statements(options.commitments_label)
        found = section_order.check_sections(self.departments, self.error) if label else None
        self._check_names()
        first_line = self.departments[0].first_line if self.departments else 1
        title_line = self.title[0] if self.title else first_line
        if self.title is None:
            self.error(first_line, "the page has no title", 'start it with the action\'s title: "#Action 03: …"')
        if self.intro is None:
            self.error(
                first_line,
                "the page has no introduction before the first department",
                "add the sentence that introduces the responses, e.g. \"Here's how departments are responding "
                'to this action:", before the first {div .department}',
            )
        texts = [text for text in (self.title, self.intro) if text]
        config = {
            "title": self.title[1] if self.title else None,
            **self.strategy_and_action(texts, options, title_line),
            "commitments_label": label,
            "reporting_years": found[1] if found else None,
            "published": self.option(None, options.published, "published", title_line),
            "intro": self.intro[1] if self.intro else None,
        }
        if self.problems:
            raise InvalidInputError(sorted(self.problems, key=lambda problem: problem.line))
        config["published"] = config["published"].isoformat()
        config["departments"] = [department.name for department in self.departments]
        submissions = [page.submission(department) for department in self.departments if department.answered]
        return ImportedCycle(self.page, config, submissions, sorted(self.warnings, key=lambda problem: problem.line))

    def _read_blocks(self) -> None:
        """Follow the blocks: the title and introduction before the departments, then each
        department's name and statement. Every line is placed, or an error."""
        stack: list[_Open] = []
        for number, raw in self.lines:
            line = raw.strip()
            inside = stack[-1] if stack else None
            if inside is not None and inside.name == "statement" and not self._is_block_line(line):
                if inside.department is not None:
                    self.statements[inside.department.first_line].append((number, raw))
                continue
            if not line or _TEMPLATE_TOKEN.fullmatch(line) or line == _NAVIGATION:
                continue
            if opened := _OPEN.fullmatch(line):
                self._open(stack, opened[1], number)
            elif line == _CLOSE:
                self._close(stack, number)
            elif _ATTRIBUTES.fullmatch(line):
                continue  # styling for the heading above it (a department's logo)
            elif (heading := _HEADING.fullmatch(line)) and not section_headings.heading(line, number):
                self._heading(stack, len(heading[1]), heading[2], number)
            elif extension := _EXTENSION.search(line):
                self._unknown_extension(extension[0], number)
            elif not any(block.name == "department" for block in stack) and self.intro is None and self.title:
                self.intro = (number, " ".join(line.split()))
            else:
                self.error(
                    number,
                    "cannot place this line",
                    "text belongs in a department's {div .statement}, or is the one-line introduction before the "
                    "first department: move or delete this one",
                )
        for block in stack:
            self.error(
                block.line,
                f"the block {{div .{block.name}}} opened here is never closed",
                'add "{/div}" on a line of its own after its last line',
            )

    def _is_block_line(self, line: str) -> bool:
        return line == _CLOSE or bool(_OPEN.fullmatch(line))

    def _open(self, stack: list[_Open], name: str, number: int) -> None:
        if name not in _BLOCKS:
            self._unknown_extension(f"{{div .{name}}}", number)
            stack.append(_Open(name, number))
            return
        department = next((block.department for block in reversed(stack) if block.department), None)
        if name == "department":
            if department is not None:
                self.error(number, "a department block inside another one", 'close the first with "{/div}"')
            part = DepartmentPart(number, None, number, answered=True)
            self.departments.append(part)
            self.statements[part.first_line] = []
            stack.append(_Open(name, number, part))
        elif name == "statement":
            if department is None:
                self.error(number, "a statement outside any department", "put it inside its {div .department} block")
            elif department.start_line:
                self.error(
                    number,
                    f'"{department.name or "this department"}" has a second statement '
                    f"(the first on line {department.start_line})",
                    "each department has one {div .statement}: merge the two",
                )
            else:
                department.start_line = number
            stack.append(_Open(name, number, department))
        else:
            stack.append(_Open(name, number))

    def _close(self, stack: list[_Open], number: int) -> None:
        if not stack:
            self.error(number, "{/div} closes no block", "remove it, or add the {div …} it closes")
            return
        block = stack.pop()
        if block.name == "department" and block.department is not None:
            if block.department.name is None:
                self.error(
                    block.line,
                    "this department block has no heading with the department's name",
                    'add "##" and the department\'s name on the line after {div .department}',
                )
            if not block.department.start_line:
                self.error(
                    block.line,
                    f'"{block.department.name or "this department"}" has no statement',
                    "add its response between {div .statement} and {/div} inside the department's block",
                )

    def _heading(self, stack: list[_Open], level: int, text: str, number: int) -> None:
        department = stack[-1].department if stack else None
        if level == 1 and self.title is None and department is None:
            self.title = (number, " ".join(text.split()))
            return
        if level == 2 and department is not None and stack[-1].name == "department":
            name = " ".join(_LINE_BREAK.sub(" ", text).split())
            if department.name is not None:
                self.error(number, f'a second name for "{department.name}"', "a department has one ## heading")
            elif not name:
                self.error(number, "the department's heading is empty", "write the department's name after ##")
            else:
                department.name, department.name_line = name, number
            return
        self.error(
            number,
            f'the heading "{shorten(text)}" is not in its place',
            "the page has one # title, and a ## name at the top of each {div .department}",
        )

    def _unknown_extension(self, extension: str, number: int) -> None:
        self.error(
            number,
            f"{shorten(extension)} is not a govspeak block this import knows",
            "a departmental-responses page uses {div .department}, {div .statement}, {: …} attributes, "
            "{navigation} and {{…}} tokens: remove this one, or put its text in a statement",
        )

    def _read_statements(self, commitments_label: str | None) -> str | None:
        """Each statement as sections: under the report's headings where it has them, else the first."""
        opening = sections.kinds()[0]
        label = commitments_label
        for department in self.departments:
            lines = self.statements[department.first_line]
            blocks = self._blocks(lines)
            text = " ".join(content for _, _, content in blocks)
            if is_placeholder(text):
                self.not_answered(department, blocks[0][0], text)
                continue
            if not blocks and department.start_line:
                self.error(department.start_line, f'the statement of "{department.name}" is empty', "add its text")
                continue
            for number, kind, content in blocks:
                if extension := _EXTENSION.search(content):
                    self._unknown_extension(extension[0], number)
                found = section_headings.heading(content, number) if kind == "paragraph" else None
                if found is not None:
                    rest = [("paragraph", self._markup(found.rest, number))] if found.rest else []
                    department.sections.append((found, rest))
                    continue
                if not department.sections:
                    if commitments_label is None and not self.label_asked:
                        self.label_asked = True
                        self.option(None, None, "commitments-label", number)
                    department.sections.append((Heading(opening, None, commitments_label, number, ""), []))
                department.sections[-1][1].append((kind, self._markup(content, number)))
            label = label or next((found.label for found, _ in department.sections if found.label), None)
        return label

    def _blocks(self, lines: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
        """A statement's paragraphs and list items, as Markdown reads them: lines next to each
        other make one paragraph; whitespace is normalised."""
        blocks: list[tuple[int, str, str]] = []
        joining = False
        for number, raw in lines:
            line = raw.strip()
            if not line:
                joining = False
                continue
            if section_headings.heading(line, number) is not None:  # a section heading stands on its own line
                blocks.append((number, "paragraph", " ".join(line.split())))
                joining = False
            elif bullet := _BULLET.fullmatch(line):
                blocks.append((number, "item", " ".join(bullet[1].split())))
                joining = True
            elif joining and blocks:
                start, kind, text = blocks[-1]
                blocks[-1] = (start, kind, f"{text} {' '.join(line.split())}")
            else:
                blocks.append((number, "paragraph", " ".join(line.split())))
                joining = True
        return blocks

    def _markup(self, text: str, number: int) -> str:
        """A statement's text in the submissions' markup: links kept, and brackets with no address
        kept as the text GOV.UK showed; a link the pipeline would not publish is kept as its text.
        Each is warned, so that no link is lost unnoticed."""

        def link(match: re.Match[str]) -> str:
            if match[2] is not None and link_allowed(match[2]):
                return match[0]
            if match[2] is not None:
                self.warn(
                    number,
                    f'the link "[{match[1]}]" goes to "{match[2]}", which is not an https, http or mailto address, '
                    "so it is kept as its text, not as a link",
                    f"if it should be a link, give it the page's https:// address: [{match[1]}](https://…)",
                )
                return match[1]
            self.warn(
                number,
                f'"[{match[1]}]" has no address, so it is kept as text, not as a link',
                f"add the address it should go to: [{match[1]}](https://…), or remove it",
            )
            return f"\\[{match[1]}\\]"

        return _LINK_OR_BRACKETS.sub(link, text)

    def _check_names(self) -> None:
        seen: dict[str, DepartmentPart] = {}
        for department in self.departments:
            if department.name is None:
                continue
            key = name_key(department.name)
            if key in seen:
                self.error(
                    department.name_line,
                    f'the department "{department.name}" appears twice (line {seen[key].name_line})',
                    "each department responds once: merge the two blocks, or correct the name",
                )
            seen.setdefault(key, department)
