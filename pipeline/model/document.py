"""The document every renderer reads: report → departments → sections → blocks → inlines
(the blocks and inlines are a section's text, `pipeline.submission.text`).

Plain, frozen values with no behaviour beyond naming themselves; `model.build_report`
assembles one from a checked cycle, and each renderer is a pure function of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from pipeline.names import slugify
from pipeline.submission.text import Block, Notice

# Every page's language, as the HTML, PDF and DOCX declare it.
LANGUAGE = "en-GB"


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
