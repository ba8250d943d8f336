"""What a cycle's files are called: the cycle's folder name, its report.yaml, a department's
file, and the JSON Schemas editors read beside them."""

from __future__ import annotations

import re

from pipeline.names import slugify

# A cycle's folder name: what is read as a cycle, and what report.yaml's previous_cycle: may name.
CYCLE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
CYCLE_NAME = re.compile(CYCLE_NAME_PATTERN)
REPORT_CONFIG_FILE = "report.yaml"
# A department's file: YAML, named after the department by `new` and the portal.
SUBMISSION_SUFFIXES = (".yaml", ".yml")
SUBMISSION_SCHEMA_FILE = "submission.schema.json"
REPORT_SCHEMA_FILE = "report.schema.json"


def submission_file_name(department: str) -> str:
    return f"{slugify(department)}.yaml"
