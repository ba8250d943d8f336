"""Check a cycle's submissions against its report config, reporting every problem.

Nothing here stops at the first problem: each file is checked fully, and a bad
file never hides another file's problems. Valid submissions come back parsed,
ready for the model. Errors leave a department out (lenient) or stop the run
(strict); warnings only stop a strict run.
"""

from __future__ import annotations

import datetime
import difflib
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.errors import InvalidInputError, Problem, Severity
from pipeline.markup import parse_markup
from pipeline.model import Block, BulletList, Paragraph, plain_text
from pipeline.schema import REPORT_CONFIG_FILE, NotApplicable, ReportConfig, SectionSpec, Submission
from pipeline.source import CycleSources, FieldPath, SourceFile

# A section this many words long, and this many times the department's typical
# section, is probably pasted in whole rather than summarised.
LONG_SECTION_WORDS = 400
LONG_SECTION_RATIO = 4

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
_UNION_BRANCHES = {"str", "NotApplicable"}
# Missing commitments are reported as a missing section, with its heading.
_REPORTED_AS_SECTIONS = {"commitments"}

SectionContent = tuple[Block, ...] | NotApplicable


@dataclass(frozen=True)
class CheckedSubmission:
    source: SourceFile
    model: Submission
    # The sections this file answers; sections an earlier cycle published are not among them.
    sections: dict[str, SectionContent]


@dataclass(frozen=True)
class PublishedResponse:
    """A department's sections as earlier cycles published them: carried forward as they are."""

    cycle: str
    short_name: str | None
    sections: dict[str, SectionContent]


# What earlier cycles published, by department name.
EarlierResponses = dict[str, PublishedResponse]


@dataclass(frozen=True)
class DepartmentStatus:
    """Where one expected department stands: for the coordinator's status report."""

    name: str
    files: tuple[Path, ...]
    valid: bool
    problems: tuple[Problem, ...]

    @property
    def submitted(self) -> bool:
        return bool(self.files)


@dataclass
class CheckedCycle:
    """The outcome of validation: the config, the valid submissions, every problem."""

    cycle: str
    config: ReportConfig
    submissions: list[CheckedSubmission]
    problems: list[Problem] = field(default_factory=list)
    statuses: list[DepartmentStatus] = field(default_factory=list)
    earlier: EarlierResponses = field(default_factory=dict)

    def responses(self) -> EarlierResponses:
        """Each department's sections in report order: carried forward, then this cycle's own."""
        responses = dict(self.earlier)
        order = [spec.field for spec in self.config.sections()]
        for submission in self.submissions:
            name = submission.model.department
            before = self.earlier.get(name)
            merged = {**(before.sections if before else {}), **submission.sections}
            responses[name] = PublishedResponse(
                self.cycle,
                submission.model.short_name or (before.short_name if before else None),
                {key: merged[key] for key in order if key in merged},
            )
        return responses


def check_config(source: SourceFile) -> tuple[ReportConfig | None, list[Problem]]:
    problems = list(source.problems)
    if has_errors(problems):
        return None, problems
    model, model_problems = _check_model(ReportConfig, source)
    return model, problems + model_problems


FileCheck = tuple["CheckedSubmission | None", list[Problem]]


def check_cycle(sources: CycleSources) -> tuple[CheckedCycle | None, list[Problem]]:
    """Check the config, then every submission; None if the config itself is unusable."""
    config, earlier, problems = check_cycle_config(sources)
    if config is None:
        return None, problems
    file_checks = [check_submission(source, config, earlier) for source in sources.submissions]
    checked = combine_checks(sources, config, problems, file_checks, earlier)
    return checked, checked.problems


def check_cycle_config(sources: CycleSources) -> tuple[ReportConfig | None, EarlierResponses, list[Problem]]:
    """The config, and what the earlier cycle it updates published (checked in turn);
    the config is None if it cannot be used."""
    config, problems = check_config(sources.config)
    if config is None or config.previous_cycle is None or sources.previous is None:
        return config, {}, problems
    previous, previous_problems = check_cycle(sources.previous)
    field_problem = sources.config.problem
    if previous is None:
        problems.append(
            field_problem(
                ("previous_cycle",),
                f"the previous cycle {config.previous_cycle} has errors in its {REPORT_CONFIG_FILE}",
                f"check it: python -m pipeline validate {sources.previous.config.path}",
            )
        )
        return None, {}, problems + previous_problems
    published = [(spec.field, spec.heading) for spec in previous.config.sections()]
    sections = [(spec.field, spec.heading) for spec in config.sections()]
    if sections[: len(published)] != published:
        if config.commitments_label != previous.config.commitments_label:
            what, hint = "commitments_label", f'write "{previous.config.commitments_label}", as it was published'
        else:
            years = ", ".join(map(str, previous.config.reporting_years))
            what, hint = "reporting_years", f"start with the years {config.previous_cycle} reports on ({years})"
        problems.append(field_problem((what,), f"does not continue {config.previous_cycle}", hint))
        return None, {}, problems
    if len(sections) == len(published):
        problems.append(
            field_problem(
                ("reporting_years",),
                f"adds no year to {config.previous_cycle}",
                f"add the year this cycle reports on, e.g. {previous.config.reporting_years[-1] + 1}",
            )
        )
        return None, {}, problems
    earlier = previous.responses()
    for name in config.departments:
        if name in previous.config.departments and name not in earlier:
            problems.append(
                Problem(
                    sources.config.path,
                    _department_line(sources.config, name),
                    1,
                    "departments",
                    f'{config.previous_cycle} has no valid response from "{name}" to carry forward',
                    "its file in this cycle must answer every section, the earlier ones too",
                    Severity.WARNING,
                )
            )
    return config, earlier, problems


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
    files_naming: dict[str, list[Path]] = {name: [] for name in config.departments}
    problems_in: dict[Path, list[Problem]] = {}
    for source, (submission, file_problems) in zip(sources.submissions, file_checks, strict=True):
        submission_problems = list(file_problems)
        named = source.data.get("department") if isinstance(source.data, dict) else None
        if isinstance(named, str) and named in files_naming:
            files_naming[named].append(source.path)
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
        problems_in[source.path] = submission_problems
        checked.problems.extend(submission_problems)
        if submission is not None and not has_errors(submission_problems):
            checked.submissions.append(submission)
    valid = {submission.model.department for submission in checked.submissions}
    for name in config.departments:
        files = files_naming[name]
        own = [problem for path in files for problem in problems_in[path]]
        if not files:
            own.append(
                Problem(
                    sources.config.path,
                    _department_line(sources.config, name),
                    1,
                    "departments",
                    f'no submission from "{name}"',
                    f'add {sources.folder.name}/<department>.yaml with department: "{name}" '
                    f'(python -m pipeline new --cycle {sources.cycle} --department "{name}")',
                    Severity.WARNING,
                )
            )
            checked.problems.extend(own)
        checked.statuses.append(DepartmentStatus(name, tuple(files), name in valid, tuple(own)))
    return checked


def check_submission(
    source: SourceFile, config: ReportConfig, earlier: EarlierResponses | None = None
) -> tuple[CheckedSubmission | None, list[Problem]]:
    """Check one department's file; the submission is None if it is not usable.

    Sections an earlier cycle published for the department are not asked for again;
    a file that restates one in different words is warned, with the changed words."""
    problems = list(source.problems)
    if has_errors(problems):
        return None, problems
    data = source.data
    if not isinstance(data, dict):
        what = "the file is empty" if data is None else f"the file must be a mapping of keys, not {_type_name(data)}"
        problems.append(
            source.problem((), what, 'start with "department: <name>", then commitments:, progress: and plans:')
        )
        return None, problems
    model, model_problems = _check_model(Submission, source, skip_missing=_REPORTED_AS_SECTIONS)
    problems += model_problems
    problems += _check_department(source, data, config)
    sections: dict[str, SectionContent] = {}
    specs = config.sections()
    named = data.get("department")
    published = (earlier or {}).get(named) if isinstance(named, str) else None
    for spec in specs:
        if published is not None and spec.field in published.sections:
            problems += _check_restated(source, data, spec, published)
        else:
            problems += _check_section(source, data, spec, sections)
    problems += _check_years(source, data, specs)
    problems += _check_lengths(source, sections, specs)
    if model is None:
        return None, problems
    return CheckedSubmission(source, model, sections), problems


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


def _check_model(
    schema: type[BaseModel], source: SourceFile, skip_missing: set[str] = frozenset()
) -> tuple[Any, list[Problem]]:
    if not isinstance(source.data, dict):
        return None, [source.problem((), f"the file must be a mapping of keys, not {_type_name(source.data)}")]
    try:
        return schema.model_validate(source.data), []
    except ValidationError as error:
        problems: list[Problem] = []
        for detail in error.errors():
            if detail["type"] == "missing" and detail["loc"][0] in skip_missing:
                continue  # reported section by section, with the section's heading
            problem = _problem_from_pydantic(schema, source, detail)
            if problem is not None and problem not in problems:
                problems.append(problem)
        return None, problems


def _problem_from_pydantic(schema: type[BaseModel], source: SourceFile, detail: Any) -> Problem | None:
    loc, branch, is_year_key = _split_location(detail["loc"])
    kind = detail["type"]
    # A section is text or a not_applicable mapping: explain the branch the value was aiming at.
    if branch is not None:
        section_value = _value_at(source.data, _section_path(loc))
        if (branch == "NotApplicable") != isinstance(section_value, dict):
            return None
        if branch == "str" and section_value is not None:
            return _wrong_type(source, loc, "text, or not_applicable: with a reason", section_value)
    if kind == "missing":
        what = schema.model_fields[str(loc[0])].description if len(loc) == 1 else "why this section does not apply"
        return source.problem(
            loc, "required key is missing", f'add "{loc[-1]}:" — {_lower_first(what or "").rstrip(".")}'
        )
    if kind == "extra_forbidden":
        known = ["not_applicable"] if branch else list(schema.model_fields)
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f'did you mean "{guess[0]}"?' if guess else f"the keys here are: {', '.join(known)}"
        return source.problem(loc, "unknown key", hint, key=True)
    if is_year_key:
        key = detail.get("input")
        if isinstance(key, str) and key.isdigit():
            return source.problem(loc, f'the year "{key}" is in quotes', f"remove the quotes: {key}:", key=True)
        return source.problem(loc, f"{key!r} is not a year", "write a year such as 2014", key=True)
    if kind == "string_pattern_mismatch" and loc == ("previous_cycle",):
        return source.problem(
            loc,
            f"{detail.get('input')!r} is not a cycle name",
            "write the name of the folder the report is in, such as 2015-action-04",
        )
    if kind == "string_too_short":
        what = "the reason this section does not apply" if loc[-1] == "not_applicable" else "the text"
        return source.problem(loc, "must not be empty", f"write {what}")
    expected = {
        "string_type": "text",
        "int_type": "a whole number",
        "dict_type": "a mapping",
        "list_type": "a list",
        "date_type": "a date (YYYY-MM-DD)",
        "model_type": "a mapping",
    }.get(kind)
    if expected:
        return _wrong_type(source, loc, expected, detail.get("input"))
    return source.problem(loc, detail["msg"])


_HOW_TO_WRITE = {
    "text": 'write the text on the lines after "|", indented; a "- " list goes inside the text',
    "a mapping": 'put each entry on its own line below, indented, such as "2014: |"',
}


def _split_location(raw: tuple[Any, ...]) -> tuple[FieldPath, str | None, bool]:
    """Pydantic's error location, less its own markers: the union branch a section's
    error belongs to ("str" or "NotApplicable"), and "[key]" for a bad year key."""
    loc = list(raw)
    is_year_key = len(loc) == 3 and loc[0] in ("progress", "plans") and loc[2] == "[key]"
    if is_year_key:
        loc.pop()
    section_depth = 1 if loc[:1] == ["commitments"] else 2 if loc[:1] in (["progress"], ["plans"]) else None
    branch = None
    if section_depth is not None and len(loc) > section_depth and loc[section_depth] in _UNION_BRANCHES:
        branch = loc.pop(section_depth)
    return tuple(loc), branch, is_year_key


def _wrong_type(source: SourceFile, loc: FieldPath, expected: str, value: Any) -> Problem:
    written = source.raw_scalars.get(loc)
    if expected.startswith("text") and value is None:
        return source.problem(loc, "is empty", 'write the text on the lines after "|", indented')
    if expected.startswith("text") and written is not None:
        # YAML 1.1 reads no, yes, on, off, 12 and 2014-01-16 as booleans, numbers and dates.
        read_as = str(value).lower() if isinstance(value, bool) else _type_name(value)
        return source.problem(
            loc,
            f"YAML reads {written} as {read_as}, not as text",
            f'put it in quotes ("{written}"), or write the text on the lines after "|"',
        )
    return source.problem(
        loc, f"must be {expected}, not {_type_name(value)}", _HOW_TO_WRITE.get(expected.split(",")[0], "")
    )


def _check_department(source: SourceFile, data: dict[Any, Any], config: ReportConfig) -> list[Problem]:
    name = data.get("department")
    if not isinstance(name, str) or not name or name in config.departments:
        return []
    guess = difflib.get_close_matches(name, config.departments, n=1, cutoff=0.6)
    hint = (
        f'did you mean "{guess[0]}"?' if guess else "use the name exactly as listed under departments: in report.yaml"
    )
    return [source.problem(("department",), f'"{name}" is not a department expected in this report', hint)]


def _check_section(
    source: SourceFile, data: dict[Any, Any], spec: SectionSpec, sections: dict[str, SectionContent]
) -> list[Problem]:
    path: FieldPath = spec.path
    container = data if spec.year is None else data.get(spec.key, {})
    if not isinstance(container, dict) or (spec.year is not None and str(spec.year) in container):
        return []  # wrong type, or a year in quotes: already reported
    if spec.year is not None and spec.key not in data:
        return []  # the whole mapping is missing: already reported
    if path[-1] not in container:
        where = "at the top level" if spec.year is None else f'under "{spec.key}:"'
        return [
            source.problem(
                path,
                f'section "{spec.heading}" is missing',
                f'add "{path[-1]}: |" {where}, followed by the text indented below it',
            )
        ]
    value = container[path[-1]]
    if value is None and spec.year is None:  # the schema lets commitments be absent, not empty
        return [source.problem(path, "is empty", 'write the text on the lines after "|", indented')]
    if isinstance(value, dict):
        if set(value) == {"not_applicable"} and isinstance(value["not_applicable"], str) and value["not_applicable"]:
            sections[spec.field] = NotApplicable(not_applicable=value["not_applicable"])
        return []  # a wrong mapping is reported by the schema
    if not isinstance(value, str):
        return []  # wrong type, already reported
    if not value.strip():
        return [
            source.problem(
                path,
                f'section "{spec.heading}" is empty',
                "write the department's response here, or not_applicable: with the reason it does not apply",
            )
        ]
    parsed, markup_problems = parse_markup(value)
    sections[spec.field] = parsed
    first_line = source.position_of(path).line + (1 if path in source.block_scalars else 0)
    return [
        Problem(
            source.path,
            first_line + problem.line_offset,
            1,
            spec.field,
            problem.message,
            problem.hint,
            problem.severity,
        )
        for problem in markup_problems
    ]


def _check_restated(
    source: SourceFile, data: dict[Any, Any], spec: SectionSpec, published: PublishedResponse
) -> list[Problem]:
    """A section already published may be left out, or restated word for word; published
    text must not change without anyone noticing, so a difference is shown word by word."""
    container = data if spec.year is None else data.get(spec.key)
    if not isinstance(container, dict) or spec.path[-1] not in container:
        return []  # left out, as it may be
    restated: dict[str, SectionContent] = {}
    problems = _check_section(source, data, spec, restated)
    if spec.field not in restated:
        return problems
    before, after = _section_words(published.sections[spec.field]), _section_words(restated[spec.field])
    if before != after:
        problems.append(
            source.problem(
                spec.path,
                f'restates "{spec.heading}", published in {published.cycle}, with different words: '
                + word_diff(before, after),
                f"remove {spec.field} from this file: the published text is carried forward as it is",
                severity=Severity.WARNING,
            )
        )
    return problems


def _section_words(content: SectionContent) -> list[str]:
    if isinstance(content, NotApplicable):
        return ["not_applicable:", *content.not_applicable.split()]
    words: list[str] = []
    for block in content:
        if isinstance(block, BulletList):
            for item in block.items:
                words += ["-", *plain_text(item).split()]
        else:
            words += _block_text(block).split()
    return words


def word_diff(before: list[str], after: list[str], context: int = 4) -> str:
    """Changed words in git's --word-diff style: "… kept [-removed-] {+added+} kept …"."""
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for number, (tag, start, end, new_start, new_end) in enumerate(opcodes):
        if tag == "equal":
            words = before[start:end]
            first, last = number == 0, number == len(opcodes) - 1
            if first and len(words) > context:
                words = ["…", *words[-context:]]
            elif last and len(words) > context:
                words = [*words[:context], "…"]
            elif not first and not last and len(words) > 2 * context:
                words = [*words[:context], "…", *words[-context:]]
            parts += words
            continue
        if end > start:
            parts.append("[-" + " ".join(before[start:end]) + "-]")
        if new_end > new_start:
            parts.append("{+" + " ".join(after[new_start:new_end]) + "+}")
    return " ".join(parts)


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


def _check_lengths(source: SourceFile, sections: dict[str, SectionContent], specs: list[SectionSpec]) -> list[Problem]:
    words = {
        spec.field: sum(len(_block_text(block).split()) for block in content)
        for spec in specs
        if isinstance(content := sections.get(spec.field), tuple)
    }
    problems = []
    for spec in specs:
        if spec.field not in words:
            continue
        others = [count for name, count in words.items() if name != spec.field]
        typical = statistics.median(others) if others else 0
        count = words[spec.field]
        if count >= LONG_SECTION_WORDS and count > LONG_SECTION_RATIO * typical:
            problems.append(
                source.problem(
                    spec.path,
                    f"section is {count} words, much longer than the others (typically {typical:.0f})",
                    "this report summarises: keep to the main points and link to the detail",
                    severity=Severity.WARNING,
                )
            )
    return problems


def _block_text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return plain_text(block.inlines)
    if isinstance(block, BulletList):
        return " ".join(plain_text(item) for item in block.items)
    return block.text


def _section_path(loc: FieldPath) -> FieldPath:
    return loc[:1] if loc and loc[0] == "commitments" else loc[:2]


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _department_line(config: SourceFile, name: str) -> int:
    data = config.data if isinstance(config.data, dict) else {}
    departments = data.get("departments", [])
    if isinstance(departments, list) and name in departments:
        return config.position_of(("departments", departments.index(name))).line
    return config.position_of(("departments",)).line


def has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity is Severity.ERROR for problem in problems)


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
