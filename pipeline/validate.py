"""Check a cycle's submissions against its report config, reporting every problem.

Nothing here stops at the first problem: each file is checked fully, and a bad
file never hides another file's problems. Valid submissions come back parsed,
ready for the model.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.errors import InvalidInputError, Problem, Severity
from pipeline.markup import parse_markup
from pipeline.model import Block
from pipeline.schema import ReportConfig, SectionSpec, Submission
from pipeline.source import CycleSources, FieldPath, SourceFile

_TYPE_NAMES = {
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true/false",
    list: "a list",
    dict: "a mapping",
    type(None): "empty",
    datetime.date: "a date",
    datetime.datetime: "a date and time",
}


@dataclass(frozen=True)
class CheckedSubmission:
    source: SourceFile
    model: Submission
    blocks: dict[str, tuple[Block, ...]]


@dataclass
class CheckedCycle:
    """The outcome of validation: the config, the valid submissions, every problem."""

    cycle: str
    config: ReportConfig
    submissions: list[CheckedSubmission]
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.WARNING]


def check_config(source: SourceFile) -> tuple[ReportConfig | None, list[Problem]]:
    problems = list(source.problems)
    if problems:
        return None, problems
    model, model_problems = _check_model(ReportConfig, source)
    return model, problems + model_problems


def check_cycle(sources: CycleSources) -> tuple[CheckedCycle | None, list[Problem]]:
    """Check the config, then every submission; None if the config itself is unusable."""
    config, problems = check_config(sources.config)
    if config is None:
        return None, problems
    checked = CheckedCycle(sources.cycle, config, [], problems)
    first_file_for: dict[str, SourceFile] = {}
    claimed: set[object] = set()  # departments named by any file, valid or not
    for source in sources.submissions:
        if isinstance(source.data, dict):
            claimed.add(source.data.get("department"))
        submission, submission_problems = check_submission(source, config)
        if submission is not None:
            name = submission.model.department
            if name in first_file_for:
                submission_problems.append(
                    source.problem(
                        ("department",),
                        f'"{name}" already has a submission in {first_file_for[name].path.name}',
                        "keep one file per department: merge the two and delete the other",
                    )
                )
            else:
                first_file_for[name] = source
        checked.problems.extend(submission_problems)
        if submission is not None and not _has_errors(submission_problems):
            checked.submissions.append(submission)
    for name in config.departments:
        if name not in claimed:
            checked.problems.append(
                Problem(
                    sources.config.path,
                    _department_line(sources.config, name),
                    1,
                    "departments",
                    f'no submission from "{name}"',
                    f'add {sources.folder.name}/<department>.yaml with department: "{name}"',
                    Severity.WARNING,
                )
            )
    return checked, checked.problems


def check_submission(source: SourceFile, config: ReportConfig) -> tuple[CheckedSubmission | None, list[Problem]]:
    """Check one department's file; the submission is None if it cannot be read at all."""
    problems = list(source.problems)
    if source.problems:
        return None, problems
    data = source.data
    if not isinstance(data, dict):
        problems.append(
            source.problem(
                (),
                f"the file must be a mapping of keys, not {_type_name(data)}",
                'start with "department: <name>", then commitments:, progress: and plans:',
            )
        )
        return None, problems
    model, model_problems = _check_model(Submission, source, skip_missing=_SECTION_KEYS)
    problems += model_problems
    problems += _check_department(source, data, config)
    blocks: dict[str, tuple[Block, ...]] = {}
    specs = config.sections()
    for spec in specs:
        problems += _check_section(source, data, spec, blocks)
    problems += _check_years(source, data, specs)
    if model is None:
        return None, problems
    return CheckedSubmission(source, model, blocks), problems


_SECTION_KEYS = {"commitments", "progress", "plans"}


def _check_model(
    schema: type[BaseModel], source: SourceFile, skip_missing: set[str] = frozenset()
) -> tuple[Any, list[Problem]]:
    if not isinstance(source.data, dict):
        return None, [source.problem((), f"the file must be a mapping of keys, not {_type_name(source.data)}")]
    try:
        return schema.model_validate(source.data), []
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            if detail["type"] == "missing" and detail["loc"][0] in skip_missing:
                continue  # reported section by section
            problems.append(_problem_from_pydantic(schema, source, detail))
        return None, problems


def _problem_from_pydantic(schema: type[BaseModel], source: SourceFile, detail: Any) -> Problem:
    loc: FieldPath = tuple(part for part in detail["loc"] if part != "[key]")
    kind = detail["type"]
    value = detail.get("input")
    if kind == "missing":
        description = schema.model_fields[str(loc[0])].description or ""
        return source.problem(loc, "required key is missing", f"add {loc[-1]}: {description}")
    if kind == "extra_forbidden":
        known = list(schema.model_fields)
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f'did you mean "{guess[0]}"?' if guess else f"the keys are: {', '.join(known)}"
        return source.problem(loc, "unknown key", hint, key=True)
    if "[key]" in detail["loc"]:
        return source.problem(loc, f"{value!r} is not a year", "write a year such as 2014, without quotes", key=True)
    expected = {
        "string_type": "text",
        "int_type": "a whole number",
        "dict_type": "a mapping",
        "list_type": "a list",
        "date_type": "a date (YYYY-MM-DD)",
    }.get(kind)
    if expected:
        read_as_text = expected == "text" and isinstance(value, (bool, int, float, datetime.date))
        return source.problem(
            loc,
            f"must be {expected}, not {_type_name(value)}",
            'put text in quotes or after "|" so that YAML does not read it as something else' if read_as_text else "",
        )
    return source.problem(loc, detail["msg"])


def _check_department(source: SourceFile, data: dict[Any, Any], config: ReportConfig) -> list[Problem]:
    name = data.get("department")
    if not isinstance(name, str) or name in config.departments:
        return []
    guess = difflib.get_close_matches(name, config.departments, n=1, cutoff=0.6)
    hint = (
        f'did you mean "{guess[0]}"?' if guess else "use the name exactly as listed under departments: in report.yaml"
    )
    return [source.problem(("department",), f'"{name}" is not a department expected in this report', hint)]


def _check_section(
    source: SourceFile,
    data: dict[Any, Any],
    spec: SectionSpec,
    blocks: dict[str, tuple[Block, ...]],
) -> list[Problem]:
    path: FieldPath = (spec.key,) if spec.year is None else (spec.key, spec.year)
    container = data if spec.year is None else data.get(spec.key, {})
    if not isinstance(container, dict):
        return []  # wrong type, already reported
    if path[-1] not in container:
        where = "at the top level" if spec.year is None else f'under "{spec.key}:"'
        return [
            source.problem(
                path,
                f'section "{spec.heading}" is missing',
                f'add "{path[-1]}: |" {where}, followed by the text indented below it',
            )
        ]
    text = container[path[-1]]
    if not isinstance(text, str):
        return []  # wrong type, already reported
    if not text.strip():
        return [source.problem(path, f'section "{spec.heading}" is empty', "write the department's response here")]
    parsed, markup_problems = parse_markup(text)
    blocks[spec.field] = parsed
    start = source.position_of(path)
    first_line = start.line + 1 if path in source.block_scalars else start.line
    return [
        Problem(source.path, first_line + problem.line_offset, 1, spec.field, problem.message, problem.hint)
        for problem in markup_problems
    ]


def _check_years(source: SourceFile, data: dict[Any, Any], specs: list[SectionSpec]) -> list[Problem]:
    problems = []
    for key in ("progress", "plans"):
        container = data.get(key)
        if not isinstance(container, dict):
            continue
        expected = [spec.year for spec in specs if spec.key == key]
        for year in container:
            if isinstance(year, int) and year not in expected:
                problems.append(
                    source.problem(
                        (key, year),
                        f"{year} is not a year this report asks for",
                        f"the years under {key}: are {', '.join(map(str, expected))}",
                        key=True,
                    )
                )
    return problems


def _department_line(config: SourceFile, name: str) -> int:
    data = config.data if isinstance(config.data, dict) else {}
    departments = data.get("departments", [])
    if isinstance(departments, list) and name in departments:
        return config.position_of(("departments", departments.index(name))).line
    return config.position_of(("departments",)).line


def _has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity is Severity.ERROR for problem in problems)


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def require_publishable(checked: CheckedCycle | None, problems: list[Problem], *, strict: bool) -> CheckedCycle:
    """Stop the run if it must not publish: a broken config, nothing valid, or (strict) any problem.

    In lenient mode a department whose file has errors is left out and the rest
    are published; its problems are still reported.
    """
    if checked is None:
        raise InvalidInputError(problems)
    if strict and problems:
        raise InvalidInputError(problems)
    if not checked.submissions:
        raise InvalidInputError(problems or [Problem(Path(checked.cycle), 1, 1, "", "no valid submissions to publish")])
    return checked
