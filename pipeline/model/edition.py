"""Editions, and the department view of one.

An edition is the set of cycles one strategy publishes on one date: the December 2012 pages
of all 14 actions, say, or the 16 January 2015 update. It is declared once, by report.yaml
itself: cycles whose `strategy` and `published` agree are one edition, named after the year
it was published ("2012"), or the date where one year has two editions ("2012-12-10").

From the same responses GOV.UK published two views: a page per action (the cycles' own
reports) and a page per department, "<Department>'s actions in response to the <strategy>",
which lists every action the department was asked to answer, in action order, with its
sections under each. A department is followed across the edition's cycles by its name key
(`pipeline.names`) and its `formerly:` names: one department spelled two ways is one page,
with a warning; two departments are never merged.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pipeline.model.document import Department, Report, Section
from pipeline.names import name_key, slugify
from pipeline.submission.schema import ReportConfig
from pipeline.submission.text import Notice


@dataclass(frozen=True)
class Edition:
    name: str
    strategy: str
    published: datetime.date
    cycles: tuple[str, ...]  # in action order


def find_editions(configs: Mapping[str, ReportConfig]) -> list[Edition]:
    """The editions the cycles make (each cycle's usable report.yaml, by cycle), oldest first."""
    grouped: dict[tuple[str, datetime.date], list[tuple[int, str]]] = {}
    for cycle, config in configs.items():
        grouped.setdefault((config.strategy, config.published), []).append((config.action, cycle))
    years = [published.year for _, published in grouped]
    editions = [
        Edition(
            name=str(published.year) if years.count(published.year) == 1 else published.isoformat(),
            strategy=strategy,
            published=published,
            cycles=tuple(cycle for _, cycle in sorted(actions)),
        )
        for (strategy, published), actions in grouped.items()
    ]
    return sorted(editions, key=lambda edition: (edition.published, edition.strategy))


@dataclass(frozen=True)
class ActionResponse:
    """One action of a department's page: the action's heading, and the department's sections
    (or the notice that stands for them)."""

    cycle: str
    action: int | None
    heading: str  # "Action 1: Departmental and transactional agency boards will include an active digital leader"
    sections: tuple[Section, ...]
    notice: Notice | None = None


@dataclass(frozen=True)
class DepartmentPage:
    department: str
    slug: str
    title: str  # "<Department>'s actions in response to the <strategy>"
    strategy: str
    published: datetime.date
    actions: tuple[ActionResponse, ...]

    def as_document(self) -> Report:
        """The page laid out as an action's page is, so that every renderer reads it: each action
        is one of the document's named groups of sections, headed "Action N: title"."""
        groups = tuple(
            Department(answer.heading, None, f"action-{answer.action}", answer.sections, answer.notice)
            for answer in self.actions
        )
        return Report(
            cycle=self.slug,
            title=self.title,
            strategy=self.strategy,
            action=None,
            published=self.published,
            intro=f"Here is how {self.department} is responding to each action of the {self.strategy}"
            " it was asked to answer.",
            departments=groups,
        )


@dataclass(frozen=True)
class NameWarning:
    """One department written two ways in an edition's cycles: read as one, and said."""

    department: str
    cycle: str
    written: str


def action_heading(report: Report) -> str:
    return numbered_heading(report.action, report.title)


def numbered_heading(action: int | None, title: str) -> str:
    """ "Action 1: …": the action's number as a reader counts it, then its title without its own "Action 01:"."""
    title = re.sub(r"^\s*Action\s+0*\d+\s*:\s*", "", title, flags=re.IGNORECASE)
    return f"Action {action}: {title}"


def page_title(department: str, strategy: str) -> str:
    return f"{department}'s actions in response to the {strategy}"


def department_pages(
    reports: Sequence[Report], former_names: Mapping[str, Iterable[str]] | None = None
) -> tuple[list[DepartmentPage], list[NameWarning]]:
    """Each department's page of an edition (its cycles' reports), in the order departments are
    first listed; `former_names`: the `formerly:` names report.yaml gives each department."""
    ordered = sorted(reports, key=lambda report: report.action or 0)
    aliases = {name_key(former): name for name, formers in (former_names or {}).items() for former in formers}
    named: dict[str, str] = {}  # name key → the department's name, as first listed
    answers: dict[str, list[ActionResponse]] = {}
    warnings = []
    for report in ordered:
        for department in report.departments:
            key = name_key(aliases.get(name_key(department.name), department.name))
            first = named.setdefault(key, department.name)
            if first != department.name:
                warnings.append(NameWarning(first, report.cycle, department.name))
            answer = ActionResponse(
                report.cycle, report.action, action_heading(report), department.sections, department.notice
            )
            answers.setdefault(key, []).append(answer)
    if not ordered:
        return [], warnings
    strategy, published = ordered[0].strategy, ordered[0].published
    pages = [
        DepartmentPage(name, slugify(name), page_title(name, strategy), strategy, published, tuple(answers[key]))
        for key, name in named.items()
    ]
    return pages, warnings
