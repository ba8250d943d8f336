"""The sections of a department's response, declared once.

A report's sections follow from its config and the table below: first each kind a
department answers once (the commitments), then, for each reporting year Y, each
yearly kind in table order for the year Y + its offset ("Progress during Y",
"Planned activities in Y+1"). The submission schema, validation, the `new` command's
guidance, the importers' headings and every renderer's headings derive from here:
adding a kind of section is one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionKind:
    """One kind of section: its key in a submission, its heading and how it repeats."""

    key: str
    # The canonical heading; "{label}" is the report's commitments label, "{year}" the section's year.
    heading: str
    # None: answered once in a report. A number: answered for every reporting year Y, about the year Y + offset.
    year_offset: int | None
    # What the section holds, for the editors' schema.
    description: str
    # What the `new` command tells a department to write, with the heading's placeholders.
    guidance: str
    # The headings published pages use for it, slips included, as a case-insensitive regular
    # expression with a group named "year" (yearly kinds) or "label" (kinds answered once).
    published_headings: str

    @property
    def yearly(self) -> bool:
        return self.year_offset is not None

    def title(self, *, year: int | str | None = None, label: str | None = None) -> str:
        return self.heading.format(year=year, label=label)


SECTION_KINDS: tuple[SectionKind, ...] = (
    SectionKind(
        key="commitments",
        heading="Departmental digital strategy commitments ({label})",
        year_offset=None,
        description="The department's original commitments.",
        guidance="what the department committed to in {label}.",
        published_headings=r"departmental\s+digital\s+strategy\s+commitments\s*\(\s*(?P<label>[^()]*?)\s*\)",
    ),
    SectionKind(
        key="progress",
        heading="Progress during {year}",
        year_offset=0,
        description="For each reporting year, the progress made during that year.",
        guidance="what the department did during {year}.",
        published_headings=r"progress\s+(?:during|in)\s+(?P<year>\d{4})(?!\d)",
    ),
    SectionKind(
        key="plans",
        heading="Planned activities in {year}",
        year_offset=1,
        description="For the year after each reporting year, the activities planned.",
        guidance="what the department plans to do in {year}.",
        published_headings=r"planned\s+activities\s+(?:in|for)\s+(?P<year>\d{4})(?!\d)",
    ),
)


@dataclass(frozen=True)
class SectionSpec:
    """One section of a report: its kind, and its year for a yearly kind."""

    kind: SectionKind
    year: int | None
    # The report's commitments label, which a heading may name.
    label: str

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def heading(self) -> str:
        return self.kind.title(year=self.year, label=self.label)

    @property
    def guidance(self) -> str:
        return self.kind.guidance.format(year=self.year, label=self.label)

    @property
    def field(self) -> str:
        """The dotted path of the section in a submission, e.g. `progress.2014`."""
        return self.key if self.year is None else f"{self.key}.{self.year}"

    @property
    def path(self) -> tuple[str] | tuple[str, int]:
        return (self.key,) if self.year is None else (self.key, self.year)


def kinds() -> tuple[SectionKind, ...]:
    """The table as it stands (read when called, so that a test can add a row)."""
    return SECTION_KINDS


def once_kinds() -> list[SectionKind]:
    return [kind for kind in kinds() if not kind.yearly]


def yearly_kinds() -> list[SectionKind]:
    return [kind for kind in kinds() if kind.yearly]


def report_sections(commitments_label: str, reporting_years: Sequence[int]) -> list[SectionSpec]:
    """The sections every department answers, in report order."""
    specs = [SectionSpec(kind, None, commitments_label) for kind in once_kinds()]
    for reporting_year in reporting_years:
        for kind in yearly_kinds():
            assert kind.year_offset is not None
            specs.append(SectionSpec(kind, reporting_year + kind.year_offset, commitments_label))
    return specs


def reporting_year(kind: SectionKind, year: int) -> int:
    """The reporting year a yearly section's year belongs to (plans for 2015 → 2014)."""
    assert kind.year_offset is not None
    return year - kind.year_offset
