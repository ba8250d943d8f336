"""Check a cycle's submissions against its report config, reporting every problem.

Nothing here stops at the first problem: each file is checked fully, and a bad
file never hides another file's problems. Valid submissions come back parsed,
ready for the model. Errors leave a department out (lenient) or stop the run
(strict); warnings only stop a strict run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

from pipeline.check import carry_forward, misspelt, schema_errors, section_rules
from pipeline.check.checked import (
    CheckedCycle,
    CheckedSubmission,
    CycleCheck,
    DepartmentStatus,
    EarlierResponses,
    FileCheck,
    PublishedResponse,
    SectionContent,
    has_errors,
)
from pipeline.commands import command
from pipeline.errors import InvalidInputError, Problem, Severity
from pipeline.names import closest, same_department
from pipeline.read import yaml_file, yaml_traps
from pipeline.read.source import CycleSources
from pipeline.read.yaml_file import SourceFile
from pipeline.submission import markup, schema, sections, text
from pipeline.submission.schema import ReportConfig, submission_model
from pipeline.submission.sections import SectionSpec


class CheckCache(Protocol):
    """Where each file's check is kept between runs, so an unchanged file is not checked again.
    `check_cycle` asks it by a key that changes whenever the answer could."""

    def get(self, key: str) -> FileCheck | None: ...

    def put(self, key: str, check: FileCheck) -> None: ...


# The rules a file is checked by: the schema's version and the checking code itself.
_RULE_MODULES = (
    yaml_file,
    yaml_traps,
    misspelt,
    schema,
    sections,
    schema_errors,
    section_rules,
    carry_forward,
    markup,
    text,
)
RULES = hashlib.sha256(
    str(schema.SCHEMA_VERSION).encode()
    + b"".join(Path(module.__file__ or "").read_bytes() for module in _RULE_MODULES)
    + Path(__file__).read_bytes()
).hexdigest()[:16]


def file_check_key(submission: SourceFile, sources: CycleSources) -> str:
    """An unchanged file, checked by the same rules against the same config and the same
    earlier cycles, gets the same answer."""
    inputs = f"{sources.config.sha256}-{sources.earlier_sha256}-{submission.sha256}-{submission.path}"
    return f"check-{RULES}-{hashlib.sha256(inputs.encode()).hexdigest()}"


def check_config(config_source: SourceFile) -> tuple[ReportConfig | None, list[Problem]]:
    problems = list(config_source.problems)
    if has_errors(problems):
        return None, problems
    model, model_problems = schema_errors.check_model(ReportConfig, config_source)
    return model, problems + model_problems


def check_cycle(sources: CycleSources, cache: CheckCache | None = None) -> CycleCheck:
    """Check the config, then every submission (an unchanged one's answer taken from `cache`);
    the checked cycle is None if the config itself is unusable."""
    config, earlier, problems = check_cycle_config(sources)
    if config is None:
        return CycleCheck(None, problems)
    file_checks: list[FileCheck] = []
    reused = 0
    for submission in sources.submissions:
        key = file_check_key(submission, sources) if cache is not None else ""
        stored = cache.get(key) if cache is not None else None
        if stored is not None:
            reused += 1
            file_checks.append(stored)
            continue
        file_checks.append(check_submission(submission, config, earlier))
        if cache is not None:
            cache.put(key, file_checks[-1])
    checked = combine_checks(sources, config, problems, file_checks, earlier)
    checked.reused_checks = reused
    return CycleCheck(checked, checked.problems)


def check_cycle_config(sources: CycleSources) -> tuple[ReportConfig | None, EarlierResponses, list[Problem]]:
    """The config, and what the earlier cycle it updates published (checked in turn);
    the config is None if it cannot be used."""
    config, problems = check_config(sources.config)
    if config is None or config.previous_cycle is None or sources.previous is None:
        return config, {}, problems
    previous, previous_problems = check_cycle(sources.previous)
    if previous is None:
        return None, {}, [*problems, carry_forward.previous_config_problem(sources, config), *previous_problems]
    continuation = carry_forward.continuation_problems(sources, config, previous)
    if continuation:
        return None, {}, problems + continuation
    earlier, carry_problems = carry_forward.carried_forward(sources, config, previous)
    return config, earlier, problems + carry_problems


def combine_checks(
    sources: CycleSources,
    config: ReportConfig,
    config_problems: list[Problem],
    file_checks: list[FileCheck],
    earlier: EarlierResponses | None = None,
) -> CheckedCycle:
    """The checks that span files, over each file's own check (in the order of
    sources.submissions): one file per department, and who has not responded."""
    checked = CheckedCycle(sources.cycle, config, [], list(config_problems), earlier=earlier or {})
    first_file_for: dict[str, SourceFile] = {}
    files_naming: dict[str, list[Path]] = {name: [] for name in config.department_names}
    problems_in: dict[Path, list[Problem]] = {}
    for submission_source, (submission, file_problems) in zip(sources.submissions, file_checks, strict=True):
        submission_problems = list(file_problems)
        data = submission_source.data
        named = expected_department(data.get("department") if isinstance(data, dict) else None, config)
        if named is not None:
            files_naming[named].append(submission_source.path)
        if submission is not None:
            name = submission.department
            if name in first_file_for:
                submission_problems.append(
                    submission_source.problem(
                        ("department",),
                        f'"{name}" already has a submission in {first_file_for[name].path.name}',
                        "keep one file per department: merge the two and delete the other",
                    )
                )
            else:
                first_file_for[name] = submission_source
        problems_in[submission_source.path] = submission_problems
        checked.problems.extend(submission_problems)
        if submission is not None and not has_errors(submission_problems):
            checked.submissions.append(submission)
    valid = {submission.department for submission in checked.submissions}
    for name in config.department_names:
        files = files_naming[name]
        own = [problem for path in files for problem in problems_in[path]]
        if not files:
            own.append(
                Problem(
                    sources.config.path,
                    carry_forward.department_line(sources.config, name),
                    1,
                    "departments",
                    f'no submission from "{name}"',
                    f'add {sources.folder.name}/<department>.yaml with department: "{name}" '
                    f"({command('new', '--cycle', sources.cycle, '--department', name)})",
                    Severity.WARNING,
                )
            )
            checked.problems.extend(own)
        checked.statuses.append(DepartmentStatus(name, tuple(files), name in valid, tuple(own)))
    return checked


def expected_department(named: Any, config: ReportConfig) -> str | None:
    """The department of report.yaml a file's department: names, allowing for apostrophes and "&"."""
    if not isinstance(named, str):
        return None
    names = config.department_names
    if named in names:
        return named
    return next((name for name in names if same_department(name, named)), None)


def check_submission(
    submission_source: SourceFile, config: ReportConfig, earlier: EarlierResponses | None = None
) -> FileCheck:
    """Check one department's file; the submission is None if it is not usable.

    Sections an earlier cycle published for the department are not asked for again;
    a file that restates one in different words is warned, with the changed words."""
    problems = list(submission_source.problems)
    # What the file's reading found (a key twice, a refused character) does not stop the checks of
    # what could still be read: every mistake is said in one pass. The file is then not usable.
    unusable = has_errors(problems)
    data = submission_source.data
    if unusable and not isinstance(data, dict):
        return FileCheck(None, problems)
    if not isinstance(data, dict):
        what = (
            "the file is empty"
            if data is None
            else f"the file must be a mapping of keys, not {schema_errors.type_name(data)}"
        )
        keys = [f"{kind.key}:" for kind in sections.kinds()]
        then = ", ".join(keys[:-1]) + f" and {keys[-1]}" if len(keys) > 1 else keys[0]
        problems.append(submission_source.problem((), what, f'start with "department: <name>", then {then}'))
        return FileCheck(None, problems)
    specs = config.sections()
    # A misspelt key is reported, and what it holds is checked as the key it was meant to be.
    written = submission_source
    submission_source, slips = misspelt.read_as_meant(
        written, submission_model().model_fields, [spec.path for spec in specs]
    )
    data = submission_source.data
    # Sections answered once are reported missing with their heading, by the section rules.
    once_keys = {kind.key for kind in sections.once_kinds()}
    model, model_problems = schema_errors.check_model(submission_model(), submission_source, skip_missing=once_keys)
    if slips:
        model = None
    # Keys missing first, as pydantic lists its own: then the misspelt ones, then the rest.
    missing = sum(problem.code == schema_errors.MISSING_KEY for problem in model_problems)
    problems += model_problems[:missing]
    problems += section_rules.missing_yearly_keys(submission_source, data, specs)
    problems += [_slip_problem(written, slip) for slip in slips]
    problems += model_problems[missing:]
    department, department_problems = _check_department(submission_source, data, config)
    problems += department_problems
    parsed: dict[str, SectionContent] = {}
    published = (earlier or {}).get(department) if department else None
    for spec in specs:
        if published is not None and spec.field in published.sections:
            problems += _check_restated(submission_source, data, spec, published)
        else:
            problems += section_rules.check_section(submission_source, data, spec, parsed)
    problems += section_rules.check_years(submission_source, data, specs)
    problems += section_rules.check_lengths(submission_source, parsed, specs)
    if model is None or department is None or unusable:
        return FileCheck(None, problems)
    short_name = data.get("short_name")
    return FileCheck(CheckedSubmission(submission_source, department, short_name, parsed), problems)


def _slip_problem(source: SourceFile, slip: misspelt.Slip) -> Problem:
    return source.problem(
        slip.written,
        "unknown key",
        f'did you mean "{slip.meant}"? What it holds has been checked as {slip.meant}',
        key=True,
    )


def _check_restated(
    source_file: SourceFile, data: dict[Any, Any], spec: SectionSpec, published: PublishedResponse
) -> list[Problem]:
    """A published section may be left out, or restated; restated, it is checked as any
    section is, and compared with what was published."""
    container = data if spec.year is None else data.get(spec.key)
    if not isinstance(container, dict) or spec.path[-1] not in container:
        return []  # left out, as it may be
    restated: dict[str, SectionContent] = {}
    problems = section_rules.check_section(source_file, data, spec, restated)
    if spec.field in restated:
        changed = carry_forward.restated_problem(source_file, spec, published, restated[spec.field])
        if changed is not None:
            problems.append(changed)
    return problems


def _check_department(
    submission_source: SourceFile, data: dict[Any, Any], config: ReportConfig
) -> tuple[str | None, list[Problem]]:
    """The department the file is from, as report.yaml names it, or a problem saying why not."""
    named = data.get("department")
    if not isinstance(named, str) or not named:
        return None, []  # missing or not text: the schema says so
    department = expected_department(named, config)
    if department == named:
        return department, []
    if department is not None:
        return department, [
            submission_source.problem(
                ("department",),
                f'"{named}" is read as "{department}", as report.yaml writes it',
                f'write "{department}", exactly as listed under departments: in report.yaml',
                severity=Severity.WARNING,
            )
        ]
    guess = closest(named, config.department_names)
    hint = f'did you mean "{guess}"?' if guess else "use the name exactly as listed under departments: in report.yaml"
    return None, [
        submission_source.problem(("department",), f'"{named}" is not a department expected in this report', hint)
    ]


def require_publishable(checked: CheckedCycle | None, problems: list[Problem], *, strict: bool) -> CheckedCycle:
    """Stop the run if it must not publish: a broken config, nothing valid, or (strict) any problem.

    In lenient mode a department whose file has errors is shown as not having
    responded and the rest are published; its problems are still reported.
    """
    if checked is None:
        raise InvalidInputError(problems)
    if strict and problems:
        raise InvalidInputError(problems)
    if not checked.submissions:
        raise InvalidInputError(problems or [Problem(Path(checked.cycle), 1, 1, "", "no valid submissions to publish")])
    return checked
