"""The coordinator's view of a cycle: who has submitted, whose file is valid, every problem.

Written by every run as validation.json (for tools) and status.md (for people),
and shown in the Prefect UI as a table artifact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline.check.checked import CheckedCycle
from pipeline.errors import Problem, Severity
from pipeline.read.source import CycleSources
from pipeline.records import CycleStatus, Decision, DepartmentRow, ProblemRow, count
from pipeline.workspace import SUMMARY_FILE, VALIDATION_FILE


def build_status(sources: CycleSources, checked: CheckedCycle | None, problems: list[Problem]) -> CycleStatus:
    """Every expected department with its files and problems; problems that belong to no
    expected department (the config, a file naming someone else) are listed apart."""
    root = sources.folder.parent
    departments = []
    listed: set[int] = set()
    for standing in checked.statuses if checked else []:
        listed.update(id(problem) for problem in standing.problems)
        departments.append(
            DepartmentRow(
                standing.name,
                tuple(_relative(path, root) for path in standing.files),
                standing.valid,
                tuple(_row(problem, root) for problem in standing.problems),
            )
        )
    others = tuple(_row(problem, root) for problem in problems if id(problem) not in listed)
    return CycleStatus(sources.cycle, tuple(departments), others)


def _row(problem: Problem, root: Path) -> ProblemRow:
    """A problem as the status shows it: its file relative to the submissions folder."""
    where = _relative(problem.file, root)
    return ProblemRow(
        where, problem.line, problem.column, problem.field, problem.message, problem.hint, problem.severity
    )


def status_files(status: CycleStatus) -> dict[str, bytes]:
    return {
        VALIDATION_FILE: (json.dumps(status.to_json(), indent=2, ensure_ascii=False) + "\n").encode(),
        SUMMARY_FILE: summary_markdown(status).encode(),
    }


def summary_line(status: CycleStatus) -> str:
    return (
        f"{status.submitted} of {status.expected} departments submitted, {status.valid} valid; "
        f"{counted_errors(status.errors, status.warnings)}."
    )


def counted_errors(errors: int, warnings: int) -> str:
    """ "0 error(s), 2 warning(s)": as status.md and the review artifact have always said it."""
    return f"{errors} error(s), {warnings} warning(s)"


def not_received(status: CycleStatus) -> list[tuple[str, str]]:
    """The departments a lenient build shows as "No response received.", each with why."""
    shown = []
    for row in status.departments:
        if row.valid:
            continue
        if not row.submitted:
            shown.append((row.department, "no file was submitted"))
            continue
        errors = [problem for problem in row.problems if problem.severity is Severity.ERROR]
        why = f"{', '.join(row.files)} has {counted(row.errors, 'error')}"
        if errors:
            first = errors[0]
            field = f"{first.field}: " if first.field else ""
            why += f"; the first, on line {first.line}: {field}{first.message}"
        shown.append((row.department, why))
    return shown


def review_line(decision: Decision) -> str:
    """What the reviewer decided, for status.md."""
    comment = f": {_cell(decision.comment).rstrip('.')}" if decision.comment else ""
    if decision.approved:
        return f"**Review:** approved by {_cell(decision.reviewer)} at {decision.decided_at}{comment}."
    if not decision.reviewer:
        return f"**Review:** not published at {decision.decided_at}{comment}. The published build is unchanged."
    return (
        f"**Review:** not published: {_cell(decision.reviewer)} did not approve it at {decision.decided_at}"
        f"{comment}. The published build is unchanged."
    )


def table_rows(status: CycleStatus) -> list[dict[str, str | int]]:
    """One row per department, for the Prefect UI's table artifact and status.md."""
    return [
        {
            "department": row.department,
            "submitted": _yes_no(row.submitted),
            "valid": _yes_no(row.valid),
            "errors": row.errors,
            "warnings": row.warnings,
            "file": _files(row),
        }
        for row in status.departments
    ]


def _yes_no(answer: bool) -> str:
    return "yes" if answer else "no"


def _files(row: DepartmentRow) -> str:
    return ", ".join(row.files) or "—"


def summary_markdown(status: CycleStatus) -> str:
    lines = [f"# Submission status: {status.cycle}", "", summary_line(status), ""]
    if status.review is not None:
        lines += [review_line(status.review), ""]
    if status.without_review is not None:
        word = status.without_review
        lines += [f"**Review:** published without review by {_cell(word.by)} at {word.at}: {_cell(word.reason)}", ""]
    lines += ["| Department | Submitted | Valid | Errors | Warnings | File |", "| --- | --- | --- | --- | --- | --- |"]
    for row in status.departments:
        lines.append(
            f"| {_cell(row.department)} | {_yes_no(row.submitted)} | {_yes_no(row.valid)} | {row.errors} "
            f"| {row.warnings} | {_cell(_files(row))} |"
        )
    problem_groups = [(row.department, row.problems) for row in status.departments if row.problems]
    if status.other_problems:
        problem_groups.append(("Other files", status.other_problems))
    if problem_groups:
        lines += ["", "## Problems"]
    for heading, problems in problem_groups:
        lines += ["", f"### {heading}", ""]
        for problem in problems:
            field = f" `{problem.field}`" if problem.field else ""
            lines.append(
                f"- **{problem.severity.value}** {problem.file} line {problem.line}, "
                f"column {problem.column}{field}: {_cell(problem.message)}"
                + (f". *How to fix:* {_cell(problem.hint)}" if problem.hint else "")
            )
    return "\n".join(lines) + "\n"


def file_summary(problems: Sequence[Problem], exists: bool) -> str:
    """One file's result in a line: the artifact's description and the department's email say this."""
    if not exists:
        return "withdrawn: the file is no longer in the cycle"
    errors, warnings = count(problems, Severity.ERROR), count(problems, Severity.WARNING)
    if not errors and not warnings:
        return "valid"
    return f"{'not valid' if errors else 'valid'}: {counted(errors, 'error')}, {counted(warnings, 'warning')}"


def counted(number: int, noun: str) -> str:
    """ "1 error", "2 errors"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def file_markdown(name: str, problems: Sequence[Problem], exists: bool) -> str:
    """One file's result, for the department that dropped it."""
    lines = [f"# {name}", "", file_summary(problems, exists).capitalize() + "."]
    if problems:
        lines += ["", "| Line | Column | Field | Problem | How to fix |", "| --- | --- | --- | --- | --- |"]
        for problem in problems:
            lines.append(
                f"| {problem.line} | {problem.column} | {_cell(problem.field) or '—'} | "
                f"{problem.severity.value}: {_cell(problem.message)} | {_cell(problem.hint) or '—'} |"
            )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return text.replace("|", "\\|").replace("\n", " ")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
