"""Render the report as one accessible HTML page (also the source of the PDF)."""

from __future__ import annotations

import datetime
from importlib.resources import files
from importlib.resources.abc import Traversable

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pipeline.model.document import Report
from pipeline.submission.text import BulletList, Emphasis, Link, Notice, Paragraph, Text

# The templates, stylesheets and DOCX template: the project's report_templates/ folder, a package
# installed beside this one (pyproject's package-data), so a wheel carries them. Read only through this.
TEMPLATES_PACKAGE = "report_templates"
TEMPLATES: Traversable = files(TEMPLATES_PACKAGE)


def long_date(day: datetime.date) -> str:
    """GOV.UK style: "16 January 2015"."""
    return f"{day.day} {day:%B %Y}"


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(TEMPLATES_PACKAGE, ""),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.tests.update(
        text=lambda value: isinstance(value, Text),
        emphasis=lambda value: isinstance(value, Emphasis),
        link=lambda value: isinstance(value, Link),
        paragraph=lambda value: isinstance(value, Paragraph),
        bullet_list=lambda value: isinstance(value, BulletList),
        notice=lambda value: isinstance(value, Notice),
    )
    environment.filters["long_date"] = long_date
    # "govuk-frontend 6.6.0", written by `make govuk-frontend`: named in the pages' inlined CSS.
    environment.globals["govuk_frontend_version"] = (TEMPLATES / "govuk-frontend" / "VERSION").read_text().split()[-1]
    return environment


# Shared with the publication hub (pipeline/operations/hub.py), which uses the same stylesheet.
TEMPLATE_ENVIRONMENT = _environment()


def render_html(report: Report, *, paged: bool = False) -> str:
    """The page; `paged`, the PDF's source, with the PDF's own print stylesheet instead of the page's."""
    return TEMPLATE_ENVIRONMENT.get_template("report.html.j2").render(report=report, paged=paged)
