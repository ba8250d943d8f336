"""Assemble the document model from a checked cycle: built once, read by every renderer."""

from __future__ import annotations

from pipeline.check.checked import CheckedCycle
from pipeline.model.document import NO_RESPONSE, Department, Report, Section
from pipeline.names import slugify
from pipeline.submission.schema import NotApplicable
from pipeline.submission.text import Notice


def build_report(checked: CheckedCycle) -> Report:
    """Assemble the report from a checked cycle: every expected department, in order,
    with a visible notice for one whose response is missing or invalid. Sections an
    earlier cycle published are carried forward; a department that has not answered
    this cycle shows them, and the notice under each new section."""
    config = checked.config
    specs = config.sections()
    responses = checked.responses()
    departments = []
    for name in config.department_names:
        response = responses.get(name)
        if response is None:
            departments.append(Department(name, None, slugify(name), (), NO_RESPONSE))
            continue
        sections = []
        for spec in specs:
            content = response.sections.get(spec.field)
            if content is None:
                content = (NO_RESPONSE,)
            elif isinstance(content, NotApplicable):
                content = (Notice(f"This action is not applicable to {name}.", content.not_applicable),)
            sections.append(Section(spec.field, spec.heading, content))
        departments.append(Department(name, response.short_name, slugify(name), tuple(sections)))
    return Report(
        cycle=checked.cycle,
        title=config.title,
        strategy=config.strategy,
        action=config.action,
        published=config.published,
        intro=config.intro,
        departments=tuple(departments),
        reporting_years=tuple(config.reporting_years),
    )
