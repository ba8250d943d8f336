"""A cycle that updates an earlier one: what it must continue, and what it carries forward.

The earlier cycle's published sections are carried forward as they are, department by
department. Departments are followed across renames: by their `formerly:` names, and
through spellings that differ only in apostrophes, "&" or "and" (with a warning).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from pipeline.check.checked import CheckedCycle, EarlierResponses, PublishedResponse, SectionContent
from pipeline.check.section_rules import section_words
from pipeline.commands import command
from pipeline.errors import Problem, Severity
from pipeline.names import name_key
from pipeline.read.source import CycleSources
from pipeline.read.yaml_file import SourceFile
from pipeline.submission.files import REPORT_CONFIG_FILE
from pipeline.submission.schema import ReportConfig
from pipeline.submission.sections import SectionSpec


def continuation_problems(sources: CycleSources, config: ReportConfig, previous: CheckedCycle) -> list[Problem]:
    """Errors if this config does not continue the earlier one: its sections must start with
    the earlier report's, as published, and add at least one year."""
    problem = sources.config.problem
    name = config.previous_cycle
    published = [(spec.field, spec.heading) for spec in previous.config.sections()]
    asked = [(spec.field, spec.heading) for spec in config.sections()]
    if asked[: len(published)] != published:
        if config.commitments_label != previous.config.commitments_label:
            what, hint = "commitments_label", f'write "{previous.config.commitments_label}", as it was published'
        else:
            years = ", ".join(map(str, previous.config.reporting_years)) or "none"
            what, hint = "reporting_years", f"start with the years {name} reports on ({years})"
        return [problem((what,), f"does not continue {name}", hint)]
    if len(asked) == len(published):
        last = previous.config.reporting_years
        year = last[-1] + 1 if last else previous.config.published.year + 1
        return [
            problem(("reporting_years",), f"adds no year to {name}", f"add the year this cycle reports on, e.g. {year}")
        ]
    return []


def _match_warnings(
    sources: CycleSources,
    name: str,
    found: list[str],
    exact: bool,
    earlier_name: str,
    published: Mapping[str, PublishedResponse],
) -> list[Problem]:
    """What to say of a department matched to `found` (the earlier names it continues, the one it
    carries forward first): read loosely, more than one, or nothing valid to carry."""
    where = department_line(sources.config, name)
    problems = []
    if not exact:
        problems.append(
            _warning(
                sources.config,
                where,
                f'"{name}" is read as "{found[0]}" of {earlier_name}, which is written differently',
                f'if they are one department, say so: - name: "{name}" with formerly: ["{found[0]}"]; '
                "if not, check the spelling of both",
            )
        )
    if len(found) > 1:
        problems.append(
            _warning(
                sources.config,
                where,
                f'"{name}" was more than one department of {earlier_name} ({", ".join(found)}): '
                f'what "{found[0]}" published is carried forward',
                "list first under formerly: the department whose published sections this one continues",
            )
        )
    if found[0] not in published:
        problems.append(
            _warning(
                sources.config,
                where,
                f'{earlier_name} has no valid response from "{found[0]}" to carry forward',
                "its file in this cycle must answer every section, the earlier ones too",
            )
        )
    return problems


def carried_forward(
    sources: CycleSources, config: ReportConfig, previous: CheckedCycle
) -> tuple[EarlierResponses, list[Problem]]:
    """What the earlier cycle published, by this cycle's name for each department, and warnings:
    a department matched only loosely, an earlier one that matches none, one with nothing to carry."""
    earlier_name = previous.cycle
    published = previous.responses()
    earlier_names = previous.config.department_names
    by_key: dict[str, str] = {}
    for earlier in earlier_names:
        by_key.setdefault(name_key(earlier), earlier)
    problems: list[Problem] = []
    matched: dict[str, str] = {}
    accounted: set[str] = set()  # earlier departments some department here continues
    for name in config.department_names:
        candidates = [name, *config.former_names.get(name, [])]
        exact = [candidate for candidate in candidates if candidate in earlier_names]
        loose = [by_key[key] for key in map(name_key, candidates) if key in by_key]
        found = list(dict.fromkeys(exact + loose))
        if not found or found[0] in matched.values():
            continue
        matched[name] = found[0]
        accounted.update(found)
        problems += _match_warnings(sources, name, found, bool(exact), earlier_name, published)
    for earlier in earlier_names:
        if earlier not in accounted:
            problems.append(
                _warning(
                    sources.config,
                    sources.config.position_of(("departments",), key=True).line,
                    f'"{earlier}" of {earlier_name} matches no department of {sources.cycle}, '
                    "so what it published is not carried forward",
                    f'if it has a new name, list it as - name: "<its new name>" with formerly: ["{earlier}"]; '
                    "if it closed or merged into another, nothing needs doing",
                )
            )
    return {name: published[old] for name, old in matched.items() if old in published}, problems


def previous_config_problem(sources: CycleSources, config: ReportConfig) -> Problem:
    assert sources.previous is not None
    return sources.config.problem(
        ("previous_cycle",),
        f"the previous cycle {config.previous_cycle} has errors in its {REPORT_CONFIG_FILE}",
        f"check it: {command('validate', str(sources.previous.config.path))}",
    )


def restated_problem(
    source: SourceFile, spec: SectionSpec, published: PublishedResponse, restated: SectionContent
) -> Problem | None:
    """A section already published may be restated only word for word: published text must not
    change without anyone noticing, so a difference is shown word by word."""
    before, after = section_words(published.sections[spec.field]), section_words(restated)
    if before == after:
        return None
    return source.problem(
        spec.path,
        f'restates "{spec.heading}", published in {published.cycle}, with different words: ' + word_diff(before, after),
        f"remove {spec.field} from this file: the published text is carried forward as it is",
        severity=Severity.WARNING,
    )


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


def _warning(config: SourceFile, line: int, message: str, hint: str) -> Problem:
    return Problem(config.path, line, 1, "departments", message, hint, Severity.WARNING)


def department_line(config: SourceFile, name: str) -> int:
    """The line of report.yaml that lists a department (as a name, or as name: in a mapping)."""
    data = config.data if isinstance(config.data, dict) else {}
    departments = data.get("departments", [])
    if isinstance(departments, list):
        for index, entry in enumerate(departments):
            if entry == name or (isinstance(entry, dict) and entry.get("name") == name):
                return config.position_of(("departments", index)).line
    return config.position_of(("departments",)).line
