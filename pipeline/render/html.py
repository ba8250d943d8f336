"""Render the report as one accessible HTML page (also the source of the PDF)."""

from __future__ import annotations

import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.document import BulletList, Emphasis, Link, Notice, Paragraph, Report, Text

TEMPLATES = Path(__file__).resolve().parents[2] / "report_templates"


def long_date(day: datetime.date) -> str:
    """GOV.UK style: "16 January 2015"."""
    return f"{day.day} {day:%B %Y}"


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
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
    return environment


# Shared with the publication hub (pipeline/hub.py), which uses the same stylesheet.
TEMPLATE_ENVIRONMENT = _environment()


def render_html(report: Report) -> str:
    return TEMPLATE_ENVIRONMENT.get_template("report.html.j2").render(report=report)
