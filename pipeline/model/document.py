"""The document every renderer reads: report → departments → sections → blocks → inlines.

Plain, frozen values with no behaviour beyond naming themselves; `model.build_report`
assembles one from a checked cycle, and each renderer is a pure function of it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

# Every page's language, as the HTML, PDF and DOCX declare it.
LANGUAGE = "en-GB"


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


@dataclass(frozen=True)
class Notice:
    """A statement the pipeline makes, not the department: a section that does not
    apply, or a response that was not received. Renderers set it apart."""

    text: str
    detail: str | None = None


Block = Paragraph | BulletList | Notice

NO_RESPONSE = Notice("No response received.")


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
    # Set, and sections empty, when there is no valid response to show.
    notice: Notice | None = None


@dataclass(frozen=True)
class Report:
    cycle: str
    title: str
    strategy: str
    action: int | None  # None: a page of several actions (a department's page of an edition)
    published: datetime.date
    intro: str
    departments: tuple[Department, ...]
    # The years reported on (none in an action's first year); the sections say the same per department.
    reporting_years: tuple[int, ...] = ()

    @property
    def language(self) -> str:
        return LANGUAGE


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
