"""Pydantic's validation errors, said the way a department would understand them.

Each error becomes a `Problem` at the line of the value it is about, in words about
YAML and the report rather than about Python types.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Collection
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.errors import Problem
from pipeline.read.yaml_file import FieldPath, SourceFile
from pipeline.submission import sections
from pipeline.submission.schema import SECTION_TOO_LONG

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
# Pydantic names the branch of a union an error belongs to; these are ours. A model branch
# is the one a mapping was aiming at, text ("str", or "constrained-str" with a length limit) the
# one anything else was.
_MODEL_BRANCHES = {"NotApplicable": "text, or not_applicable: with a reason", "DepartmentEntry": "a name, or name:"}
_TEXT_BRANCHES = {"str", "constrained-str"}
_UNION_BRANCHES = {*_TEXT_BRANCHES, *_MODEL_BRANCHES}


def _is_text_branch(branch: str | None) -> bool:
    # A section's text is checked by a function after str, which pydantic names "function-after[…, str]".
    return branch is not None and (branch in _TEXT_BRANCHES or branch.startswith("function-after["))


def _is_branch(name: object) -> bool:
    return isinstance(name, str) and (name in _UNION_BRANCHES or _is_text_branch(name))


_HOW_TO_WRITE = {
    "text": 'write the text on the lines after "|", indented; a "- " list goes inside the text',
    "a mapping": 'put each entry on its own line below, indented, such as "2014: |"',
}
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "dict_type": "a mapping",
    "list_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "model_type": "a mapping",
}


# The code of a "required key is missing" problem.
MISSING_KEY = "missing-key"


def check_model(
    schema: type[BaseModel], source: SourceFile, skip_missing: Collection[str] = frozenset()
) -> tuple[Any, list[Problem]]:
    """The file's data validated by `schema`, or None and the problems; a key missing at or under
    one named in `skip_missing` is left for the caller, which reports it in its own words."""
    if not isinstance(source.data, dict):
        return None, [source.problem((), f"the file must be a mapping of keys, not {type_name(source.data)}")]
    try:
        return schema.model_validate(source.data), []
    except ValidationError as error:
        problems: list[Problem] = []
        for detail in error.errors():
            if detail["type"] == "missing" and detail["loc"][0] in skip_missing:
                continue
            problem = _problem_from_pydantic(schema, source, detail)
            if problem is not None and problem not in problems:
                problems.append(problem)
        return None, problems


def _problem_from_pydantic(schema: type[BaseModel], source: SourceFile, detail: Any) -> Problem | None:
    loc, branch, is_year_key = _split_location(detail["loc"])
    kind = detail["type"]
    if kind in ("string_too_long", SECTION_TOO_LONG):
        limit = int(detail.get("ctx", {}).get("max_length", 0))
        length = detail.get("ctx", {}).get("length", len(detail.get("input", "")))
        return source.problem(
            loc,
            f"is {length:,} characters long; the limit is {limit:,}",
            _SHORTER.get(str(loc[-1]), "this report summarises: keep to the main points and link to the detail"),
        )
    # A value of a union (a section: text or not_applicable; a department: a name or a mapping):
    # explain only the branch the value was aiming at.
    if branch is not None:
        value_path = loc[: _union_depth(loc)]
        value = _value_at(source.data, value_path)
        if (branch in _MODEL_BRANCHES) != isinstance(value, dict):
            return None
        if _is_text_branch(branch) and value is not None:
            wanted = next(iter(_MODEL_BRANCHES.values())) if value_path[:1] != ("departments",) else "a name"
            return wrong_type(source, loc, wanted, value)
    if kind == "missing":
        field = schema.model_fields.get(str(loc[0])) if len(loc) == 1 else None
        what = (field.description if field else None) or _MISSING_INSIDE.get(str(loc[-1]), "")
        return source.problem(
            loc,
            "required key is missing",
            f'add "{loc[-1]}:" — {_lower_first(what or "").rstrip(".")}',
            code=MISSING_KEY,
        )
    if kind == "extra_forbidden":
        known = _known_keys(schema, branch, loc)
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f'did you mean "{guess[0]}"?' if guess else f"the keys here are: {', '.join(known)}"
        return source.problem(loc, "unknown key", hint, key=True)
    return _value_problem(source, loc, kind, detail, is_year_key)


def _value_problem(source: SourceFile, loc: FieldPath, kind: str, detail: Any, is_year_key: bool) -> Problem:
    """What is wrong with a value (or a year's key) itself: its words, by the kind of pydantic's error."""
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
    if kind in ("string_too_short", "too_short") and loc[-1] == "formerly":
        return source.problem(loc, "must not be empty", "list the names the department had before, or remove formerly:")
    if kind == "value_error" and loc[-1:] == ("contact",):
        reason = str(detail.get("ctx", {}).get("reason", "")).rstrip(".")
        return source.problem(
            loc,
            f"{detail.get('input')!r} is not an email address" + (f": {reason}" if reason else ""),
            "write one address, such as digital-team@department.gov.uk",
        )
    if kind == "string_too_short":
        needed = "the reason this section does not apply" if loc[-1] == "not_applicable" else "the text"
        return source.problem(loc, "must not be empty", f"write {needed}")
    expected = _EXPECTED.get(kind)
    if expected:
        return wrong_type(source, loc, expected, detail.get("input"))
    return source.problem(loc, detail["msg"])


# How to make a text that is too long short enough, by its key (else a section's advice).
_SHORTER = {
    "short_name": "a short name is the initials or abbreviation the text uses, such as DH",
    "department": "write the department's name as report.yaml lists it",
    "not_applicable": "say in a sentence why this section does not apply",
}

# What a key inside a union's mapping holds, for "required key is missing".
_MISSING_INSIDE = {
    "not_applicable": "why this section does not apply",
    "name": "the department's name in this report",
    "formerly": "the names it had in earlier cycles",
}


def _known_keys(schema: type[BaseModel], branch: str | None, loc: FieldPath) -> list[str]:
    if branch == "NotApplicable":
        return ["not_applicable"]
    if branch == "DepartmentEntry":
        return ["name", "formerly", "contact"]
    return list(schema.model_fields)


def _split_location(raw: tuple[Any, ...]) -> tuple[FieldPath, str | None, bool]:
    """Pydantic's error location, less its own markers: the union branch an error belongs to,
    and "[key]" for a bad year key under a yearly section's mapping."""
    loc = list(raw)
    is_year_key = len(loc) == 3 and loc[0] in _yearly_keys() and loc[2] == "[key]"
    if is_year_key:
        loc.pop()
    depth = _union_depth(tuple(loc))
    branch = None
    if not is_year_key and depth is not None and len(loc) > depth and _is_branch(loc[depth]):
        branch = loc.pop(depth)
    return tuple(loc), branch, is_year_key


def _union_depth(loc: FieldPath) -> int | None:
    """Where a union's value sits: a section (`commitments`, `progress.2014`) or a department."""
    head = loc[0] if loc else None
    if head in _yearly_keys() or head == "departments":
        return 2
    if head in {kind.key for kind in sections.once_kinds()}:
        return 1
    return None


def _yearly_keys() -> set[str]:
    return {kind.key for kind in sections.yearly_kinds()}


def wrong_type(source: SourceFile, loc: FieldPath, expected: str, value: Any) -> Problem:
    written = source.raw_scalars.get(loc)
    if expected.startswith("text") and value is None:
        return source.problem(loc, "is empty", 'write the text on the lines after "|", indented')
    if expected.startswith("text") and written is not None:
        # YAML 1.1 reads no, yes, on, off, 12 and 2014-01-16 as booleans, numbers and dates.
        read_as = str(value).lower() if isinstance(value, bool) else type_name(value)
        return source.problem(
            loc,
            f"YAML reads {written} as {read_as}, not as text",
            f'put it in quotes ("{written}"), or write the text on the lines after "|"',
        )
    if expected == "a mapping" and len(loc) == 1 and loc[0] in _yearly_keys():
        # A yearly section's years: what a department writes, not what YAML calls it.
        held = "nothing" if value is None else type_name(value)
        return source.problem(
            loc,
            f'must hold its years, each on a line of its own below it such as "2014: |", not {held}',
            f'put each year the report asks for on its own line below "{loc[0]}:", indented, such as "2014: |", '
            "followed by its text",
        )
    if expected.startswith("text") and isinstance(value, list) and loc:
        # "- " lines under a key with no "|": YAML's own list, where the department meant a list in its text.
        return source.problem(
            loc,
            f"must be {expected}, not a list",
            f'put "|" after "{loc[-1]}:", so that the "- " lines below it are the section\'s text',
        )
    return source.problem(
        loc, f"must be {expected}, not {type_name(value)}", _HOW_TO_WRITE.get(expected.split(",")[0], "")
    )


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        if (
            isinstance(data, dict)
            and part in data
            or isinstance(data, list)
            and isinstance(part, int)
            and 0 <= part < len(data)
        ):
            data = data[part]
        else:
            return None
    return data


def type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
