"""The errors a portal page shows: each problem of the department's file said in the page's
words, and put beside the field it is about (or at the top, when it is about none)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import Problem, Severity
from pipeline.portal import answers


@dataclass(frozen=True)
class FormError:
    href: str  # the field or line it is about
    text: str


def said(problem: Problem, *, with_line: bool = False) -> str:
    field = f", {problem.field}" if problem.field else ""
    where = f"Line {problem.line}{field}: " if with_line else ""
    hint = f". {problem.hint[0].upper()}{problem.hint[1:]}" if problem.hint else ""
    return f"{where}{problem.message[0].upper()}{problem.message[1:]}{hint}"


# Where a problem about no field of the form is said: the summary at the top, linked to nothing.
AT_THE_TOP = ""


def field_errors(problems: Sequence[Problem], filled: Sequence[answers.Answer]) -> dict[str, list[str]]:
    """The errors of the file the form made, by the field each is about: its section, the first
    of its kind's when it is about the kind (all its years missing), the short name; a problem
    about none of them is said at the top (`AT_THE_TOP`)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.severity is not Severity.ERROR:
            continue
        field = problem.field + "."
        answer = next(
            (
                answer
                for answer in filled
                if problem.field
                and (field.startswith(answer.spec.field + ".") or (answer.spec.field + ".").startswith(field))
            ),
            None,
        )
        if answer is None:
            at = answers.SHORT_NAME_ID if problem.field == "short_name" else AT_THE_TOP
            label = "Short name: " if at == answers.SHORT_NAME_ID else ""
            text, at_field = f"{label}{said(problem)}", at
        elif not answer.text and not answer.reason:  # left empty, so left out of the file
            text, at_field = f"{answer.spec.heading}: write the section, or say why it does not apply", answer.field_id
        else:
            text, at_field = f"{answer.spec.heading}: {said(problem)}", answer.field_id
        if text not in errors.setdefault(at_field, []):
            errors[at_field].append(text)
    return errors


def counted(problems: Sequence[Problem]) -> str:
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    warnings = len(problems) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    parts += [f"{warnings} warning{'s' if warnings != 1 else ''}"] if warnings else []
    return " and ".join(parts)


def summarised(
    mistakes: dict[str, list[str]], filled: Sequence[answers.Answer]
) -> tuple[list[FormError], dict[str, str]]:
    """Every mistake in the summary, in the page's order (the top, the short name, then each
    section's text and reason), and each field's own, joined."""
    order = [AT_THE_TOP, answers.SHORT_NAME_ID]
    order += [field for answer in filled for field in (answer.field_id, answer.reason_id)]
    errors = [
        FormError(f"#{field}" if field != AT_THE_TOP else "", text)
        for field in order
        for text in mistakes.get(field, [])
    ]
    return errors, {field: "; ".join(texts) for field, texts in mistakes.items()}
