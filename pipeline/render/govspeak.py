"""Render the report in govspeak, GOV.UK's Markdown, to paste into the publisher as an
HTML publication: `##` departments, `###` sections, "- " lists, links, and GOV.UK's
information callout (^…^) for the pipeline's own notices.

Characters that Markdown or govspeak would read as markup are written as HTML character
references, so submission text stays text whatever it contains.
"""

from __future__ import annotations

import re

from pipeline.model.document import Report
from pipeline.render.html import long_date
from pipeline.submission.text import BulletList, Emphasis, Inline, Link, Notice, Paragraph, Text

# Markdown's and govspeak's markup characters (callouts %…% ^…^ @…@ $CTA, {barchart}, tables).
# Parentheses, "!" and ":" only mean something after "[", which is always escaped.
_SPECIAL = {character: f"&#{ord(character)};" for character in "&<>*_[]`\\#{}|$%^@~"}
# At the start of a line these would begin a list.
_LIST_START = re.compile(r"^(\d+)\.|^([-+])")


def render_govspeak(report: Report) -> str:
    lines = [_text(report.intro), "", f"Published {long_date(report.published)}", ""]
    for department in report.departments:
        lines += [f"## {_text(department.name)}", ""]
        if department.notice:
            lines += [_notice(department.notice), ""]
        for section in department.sections:
            lines += [f"### {_text(section.heading)}", ""]
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    lines.append(_line_start(_inlines(block.inlines)))
                elif isinstance(block, BulletList):
                    lines += [f"- {_inlines(item)}" for item in block.items]
                else:
                    lines.append(_notice(block))
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _notice(notice: Notice) -> str:
    text = _text(notice.text) + (f" {_text(notice.detail)}" if notice.detail else "")
    return f"^{text}^"


def _inlines(inlines: tuple[Inline, ...]) -> str:
    parts = []
    for inline in inlines:
        if isinstance(inline, Text):
            parts.append(_text(inline.text))
        elif isinstance(inline, Link):
            href = inline.href.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            parts.append(f"[{_inlines(inline.children)}]({href})")
        elif isinstance(inline, Emphasis):
            mark = "**" if inline.strong else "*"
            parts.append(f"{mark}{_inlines(inline.children)}{mark}")
    return "".join(parts)


def _line_start(line: str) -> str:
    """A paragraph that begins "- " or "1." stays a paragraph."""
    return _LIST_START.sub(lambda match: f"{match[1]}&#46;" if match[1] else f"&#{ord(match[2])};", line, count=1)


def _text(text: str) -> str:
    return "".join(_SPECIAL.get(character, character) for character in text)
