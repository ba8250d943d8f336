"""The rules for the sections of one submission, against the sections its report asks for.

Each function reports, never raises: a section missing or empty, text whose markup is
wrong, a year the report does not ask for, a section far longer than the others.
"""

from __future__ import annotations

from typing import Any

from pipeline.check.checked import SectionContent
from pipeline.errors import Problem, Severity
from pipeline.read.yaml_file import SourceFile
from pipeline.submission import sections
from pipeline.submission.markup import parse_markup
from pipeline.submission.schema import NOT_APPLICABLE_MAX_CHARACTERS as NOT_APPLICABLE_MAX
from pipeline.submission.schema import NotApplicable
from pipeline.submission.sections import SectionSpec
from pipeline.submission.text import Block, BulletList, Paragraph, plain_text

# A section this many words long, and this many times the department's typical
# section, is probably pasted in whole rather than summarised.
LONG_SECTION_WORDS = 400
LONG_SECTION_RATIO = 4


def check_section(
    source: SourceFile, data: dict[Any, Any], spec: SectionSpec, parsed: dict[str, SectionContent]
) -> list[Problem]:
    """Check one section the report asks for; its content, if usable, goes into `parsed`."""
    path: Any = spec.path
    container = data if spec.year is None else data.get(spec.key, {})
    if not isinstance(container, dict) or (spec.year is not None and str(spec.year) in container):
        return []  # wrong type, or a year in quotes: already reported
    if spec.year is not None and spec.key not in data:
        return []  # the whole mapping is missing: reported once, by missing_yearly_keys
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
    if value is None and spec.year is None:  # the schema lets a once-answered section be absent, not empty
        return [source.problem(path, "is empty", 'write the text on the lines after "|", indented')]
    if isinstance(value, dict):
        reason = value.get("not_applicable")
        if set(value) == {"not_applicable"} and isinstance(reason, str) and 0 < len(reason) <= NOT_APPLICABLE_MAX:
            parsed[spec.field] = NotApplicable(not_applicable=reason)
        return []  # a wrong mapping, or a reason too long, is reported by the schema
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
    blocks, markup_problems = parse_markup(value)
    parsed[spec.field] = blocks
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


def missing_yearly_keys(source: SourceFile, data: dict[Any, Any], specs: list[SectionSpec]) -> list[Problem]:
    """A yearly kind's whole mapping missing, when the report asks for some of its years: said once,
    naming the sections, and so the years, it leaves out."""
    problems = []
    for kind in sections.yearly_kinds():
        wanted = [spec for spec in specs if spec.kind == kind and spec.year is not None]
        if kind.key not in data and wanted:
            headings = _and([f'"{spec.heading}"' for spec in wanted])
            years = _and([f'"{spec.year}: |"' for spec in wanted])
            # Said at the end of the file, where the key can be added.
            problems.append(
                Problem(
                    source.path,
                    source.last_line,
                    1,
                    kind.key,
                    f'no "{kind.key}:" in the file, so {headings} {"is" if len(wanted) == 1 else "are"} missing',
                    f'add "{kind.key}:" at the end of the file, then under it {years}, each followed by the '
                    "text indented below it",
                )
            )
    return problems


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def check_years(source: SourceFile, data: dict[Any, Any], specs: list[SectionSpec]) -> list[Problem]:
    """Every year written under a yearly kind is one the report asks for."""
    problems = []
    for kind in sections.yearly_kinds():
        container = data.get(kind.key)
        if not isinstance(container, dict):
            continue
        expected = [spec.year for spec in specs if spec.kind == kind]
        for year in container:
            if isinstance(year, int) and year not in expected:
                hint = (
                    f"the years under {kind.key}: are {', '.join(map(str, expected))}"
                    if expected
                    else f"this report asks for no years yet: remove {kind.key}:"
                )
                problems.append(
                    source.problem(
                        (kind.key, year),
                        f"{year} is not a year this report asks for",
                        hint,
                        key=True,
                    )
                )
    return problems


def check_lengths(source: SourceFile, parsed: dict[str, SectionContent], specs: list[SectionSpec]) -> list[Problem]:
    """A section far longer than the department's others was probably pasted in whole."""
    words = {
        spec.field: sum(len(block_text(block).split()) for block in content)
        for spec in specs
        if isinstance(content := parsed.get(spec.field), tuple)
    }
    problems = []
    for spec in specs:
        if spec.field not in words:
            continue
        others = [count for name, count in words.items() if name != spec.field]
        typical = _median(others) if others else 0
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


def _median(numbers: list[int]) -> float:
    # statistics.median, without loading the statistics module (random, decimal…) for every `validate`.
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def block_text(block: Block) -> str:
    if isinstance(block, Paragraph):
        return plain_text(block.inlines)
    if isinstance(block, BulletList):
        return " ".join(plain_text(item) for item in block.items)
    return block.text


def section_words(content: SectionContent) -> list[str]:
    """The words of a section, list items marked, for comparing two versions of it."""
    if isinstance(content, NotApplicable):
        return ["not_applicable:", *content.not_applicable.split()]
    words: list[str] = []
    for block in content:
        if isinstance(block, BulletList):
            for item in block.items:
                words += ["-", *plain_text(item).split()]
        else:
            words += block_text(block).split()
    return words
