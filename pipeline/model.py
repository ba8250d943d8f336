"""The document model every renderer reads: report → departments → sections → blocks.

Built once from validated submissions (`build_report`); renderers are pure
functions of it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.validate import CheckedCycle


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]
    strong: bool = False


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Inline, ...]


Inline = Text | Emphasis | Link


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Inline, ...], ...]


Block = Paragraph | BulletList


@dataclass(frozen=True)
class Section:
    field: str
    heading: str
    blocks: tuple[Block, ...]

    @property
    def anchor(self) -> str:
        return slugify(self.field)


@dataclass(frozen=True)
class Department:
    name: str
    short_name: str | None
    slug: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Report:
    cycle: str
    title: str
    strategy: str
    action: int
    published: datetime.date
    intro: str
    departments: tuple[Department, ...]

    @property
    def language(self) -> str:
        return "en-GB"


def build_report(checked: CheckedCycle) -> Report:
    """Assemble the report from a cycle whose submissions have been checked."""
    config = checked.config
    specs = config.sections()
    by_name = {submission.model.department: submission for submission in checked.submissions}
    departments = []
    for name in config.departments:
        submission = by_name.get(name)
        if submission is None:
            continue
        sections = tuple(Section(spec.field, spec.heading, submission.blocks[spec.field]) for spec in specs)
        departments.append(Department(name, submission.model.short_name, slugify(name), sections))
    return Report(
        cycle=checked.cycle,
        title=config.title,
        strategy=config.strategy,
        action=config.action,
        published=config.published,
        intro=config.intro,
        departments=tuple(departments),
    )


def slugify(text: str) -> str:
    """A lowercase ASCII identifier for anchors: "Her Majesty’s Treasury" → "her-majestys-treasury"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "untitled"


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text of some inlines without markup, e.g. for comparing with a source."""
    parts = []
    for inline in inlines:
        parts.append(inline.text if isinstance(inline, Text) else plain_text(inline.children))
    return "".join(parts)
