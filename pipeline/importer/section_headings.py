"""A section heading as a published page writes it, and how a line is recognised as one.

Both readers find headings here, so that a slip ("Progress in 2014", "###Planned…", a heading
fused with its text) reads the same in a plain-text page and a govspeak statement.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.submission import sections
from pipeline.submission.sections import SectionKind


@dataclass(frozen=True)
class Heading:
    kind: SectionKind
    year: int | None
    label: str | None
    line: int
    # Text fused to the heading on its line, read as the section's first line.
    rest: str

    def title(self) -> str:
        return self.kind.title(year=self.year or "YYYY", label=self.label)


def heading(line: str, number: int) -> Heading | None:
    """The section heading a line is, slips included, or None.

    A heading may be marked with "#"s, and may have the section's first line fused to it. That
    text is taken only where it cannot be misread: the heading ends in a bracket, the line is
    marked as a heading, or nothing separates them ("Progress during 2014The department…")."""
    marked = line.startswith("#")
    body = line.lstrip("#").strip()
    for kind, pattern in _heading_patterns(sections.kinds()).items():
        match = pattern.fullmatch(body)
        if match is None or (match["rest"] and match["gap"] and not marked and not kind.heading.endswith(")")):
            continue
        groups = match.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        return Heading(kind, year, groups.get("label"), number, match["rest"].strip())
    return None


@functools.cache
def _heading_patterns(kinds: tuple[SectionKind, ...]) -> dict[SectionKind, re.Pattern[str]]:
    return {
        kind: re.compile(kind.published_headings + r"\s*?:?(?P<gap>\s*)(?P<rest>.*)", re.IGNORECASE) for kind in kinds
    }


def looks_like_a_heading(line: str) -> bool:
    """Marked as a Markdown heading ("## Title", "###Title"); "#digital" is a hashtag."""
    return line.startswith("##") or (line.startswith("#") and line[1:2].isspace())


def headings_hint(label: str | None) -> str:
    titles = [kind.title(year="YYYY", label=label or "December 2012") for kind in sections.kinds()]
    return "the headings are " + ", ".join(f'"{title}"' for title in titles[:-1]) + f' and "{titles[-1]}"'
