"""What a test starts from: a cycle written from dicts in a temporary folder, a submission, a
small report for the renderers."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from pipeline.model.document import NO_RESPONSE, Department, Report, Section
from pipeline.submission import sections
from pipeline.submission.text import Notice, Paragraph, Text

CONFIG: dict[str, Any] = {
    "title": "Action 9: test the pipeline",
    "strategy": "Government Digital Strategy",
    "action": 9,
    "commitments_label": "December 2012",
    "reporting_years": [2013, 2014],
    "published": "2015-01-16",
    "intro": "Here is how departments are responding to this action:",
    "departments": ["Department of Health", "Home Office"],
    # A test cycle publishes its page alone, so that a build of it is quick; a test that needs
    # more names them here, since a build of fewer formats than the cycle publishes is a preview.
    "formats": ["html"],
}


def submission(department: str = "Department of Health", **changes: Any) -> dict[str, Any]:
    """A valid submission; keyword arguments replace or (with value None) remove keys."""
    data: dict[str, Any] = {
        "department": department,
        "commitments": "We will do things.",
        "progress": {2013: "We did some things.", 2014: "We did more things."},
        "plans": {2014: "We plan things.", 2015: "We plan more things."},
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write_cycle(
    root: Path,
    files: dict[str, dict[str, Any] | str],
    config: dict[str, Any] | None = None,
    cycle: str = "test-cycle",
) -> Path:
    """Write report.yaml and the given submissions (dicts, or raw YAML text) under root/cycle."""
    folder = root / cycle
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.yaml").write_text(yaml.safe_dump(config or CONFIG, allow_unicode=True))
    for name, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def report_with_notices() -> Report:
    """A small report with a not-applicable section and a department that did not respond."""
    na = Notice("This action is not applicable to Department of Health.", "It had no services in 2013.")
    commitments, progress = sections.report_sections("December 2012", [2013])[:2]
    health = Department(
        "Department of Health",
        "DH",
        "department-of-health",
        (
            Section(commitments.field, commitments.heading, (Paragraph((Text("We will do things."),)),)),
            Section(progress.field, progress.heading, (na,)),
        ),
    )
    home = Department("Home Office", None, "home-office", (), NO_RESPONSE)
    return Report("test", "Title", "Strategy", 1, datetime.date(2015, 1, 16), "Intro.", (health, home))
