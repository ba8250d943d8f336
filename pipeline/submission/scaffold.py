"""A new department's submission, with every section it must answer, ready to fill in."""

from __future__ import annotations

import json
from collections.abc import Collection

from pipeline.commands import program
from pipeline.submission.files import REPORT_SCHEMA_FILE, SUBMISSION_SCHEMA_FILE
from pipeline.submission.schema import ReportConfig, json_schema, submission_model


def schema_files() -> dict[str, str]:
    """The JSON Schemas for editors, as checked in under submissions/."""
    return {
        SUBMISSION_SCHEMA_FILE: json.dumps(json_schema(submission_model()), indent=2, ensure_ascii=False) + "\n",
        REPORT_SCHEMA_FILE: json.dumps(json_schema(ReportConfig), indent=2, ensure_ascii=False) + "\n",
    }


def new_submission(
    config: ReportConfig, cycle: str, department: str, carried: Collection[str] = (), carried_from: str = ""
) -> str:
    """The YAML a department starts from: each section it must answer present, empty,
    and explained; sections an earlier cycle published (`carried`, by field, from `carried_from`)
    are left out."""
    lines = [
        f"# yaml-language-server: $schema=../{SUBMISSION_SCHEMA_FILE}",
        f"# {department}: response to {config.title} ({cycle}).",
        "#",
        "# Write each section's text on the lines below its key, indented two spaces more",
        '# than the key. Separate paragraphs with a blank line; start list items with "- ";',
        "# write links as [link text](https://www.gov.uk/...).",
        '# If a section does not apply, replace its "|" with a reason, for example:',
        "#   2014:",
        "#     not_applicable: The department was formed in 2015.",
        f"# Check the file before sending it: {program()} validate <this file>",
        f"department: {json.dumps(department, ensure_ascii=False)}",
        "# short_name: ABC  # the short name your text uses, if any",
    ]
    specs = [spec for spec in config.sections() if spec.field not in carried]
    if carried:
        lines += [
            "#",
            f"# The earlier sections ({', '.join(carried)}) are carried forward from {carried_from}",
            "# as published: do not repeat them here.",
        ]
    # YAML groups the years under each key; the report interleaves them (progress, then plans).
    for key in dict.fromkeys(spec.key for spec in specs):
        keyed = [spec for spec in specs if spec.key == key]
        if keyed[0].year is None:
            lines += ["", f"# {keyed[0].heading}: {keyed[0].guidance}", f"{key}: |", ""]
            continue
        lines += ["", f"{key}:"]
        for spec in keyed:
            lines += [f"  # {spec.heading}: {spec.guidance}", f"  {spec.year}: |", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
