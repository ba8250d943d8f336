"""A department's answers as the portal's form holds them, and as the YAML file it saves.

The form has, for each section the report asks for (the sections table), a text area and a
"not applicable, because …" box. The file it saves is what a department would have dropped:
the same keys and layout as `new` scaffolds, each text a literal block, and the same answers
always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from pipeline import characters
from pipeline.read.yaml_file import read_back
from pipeline.submission.files import SUBMISSION_SCHEMA_FILE
from pipeline.submission.schema import ReportConfig
from pipeline.submission.sections import SectionSpec

NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Answer:
    spec: SectionSpec
    text: str = ""
    reason: str = ""  # why the section does not apply: its not_applicable

    @property
    def field_id(self) -> str:
        """The text area's id and name: section-progress-2014."""
        return "section-" + self.spec.field.replace(".", "-")

    @property
    def reason_id(self) -> str:
        return f"{self.field_id}-not-applicable"


def tidy(text: str) -> str:
    """What a browser sends, as a file holds it: Unix line ends, no trailing spaces, no blank lines around."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def from_form(specs: Sequence[SectionSpec], form: Mapping[str, str]) -> list[Answer]:
    answers = []
    for spec in specs:
        blank = Answer(spec)
        answers.append(Answer(spec, tidy(form.get(blank.field_id, "")), tidy(form.get(blank.reason_id, ""))))
    return answers


def from_submission(specs: Sequence[SectionSpec], data: object) -> list[Answer]:
    """The answers a parsed submission holds, to fill the form in with (what is not text is left out)."""
    mapping = data if isinstance(data, dict) else {}
    answers = []
    for spec in specs:
        value: Any = mapping.get(spec.key)
        if spec.year is not None:
            value = value.get(spec.year) if isinstance(value, dict) else None
        if isinstance(value, str):
            answers.append(Answer(spec, tidy(value)))
        elif isinstance(value, dict) and isinstance(value.get(NOT_APPLICABLE), str):
            answers.append(Answer(spec, reason=tidy(value[NOT_APPLICABLE])))
        else:
            answers.append(Answer(spec))
    return answers


def short_name_of(data: object) -> str:
    value = data.get("short_name") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


SHORT_NAME_ID = "short_name"


def refused_characters(short_name: str, filled: Sequence[Answer]) -> dict[str, list[str]]:
    """What the form was given that no file may hold (`pipeline.read.characters`), by the field
    it was typed or pasted into: refused here, never written into the file as an escape."""
    found: dict[str, list[str]] = {}
    fields = [(SHORT_NAME_ID, "Short name", short_name)]
    for answer in filled:
        fields += [
            (answer.field_id, answer.spec.heading, answer.text),
            (answer.reason_id, answer.spec.heading, answer.reason),
        ]
    for field_id, label, text in fields:
        for refused in characters.in_value(text):
            said = f"{label}: has {refused.message}, at character {refused.index + 1}: {refused.hint}"
            found.setdefault(field_id, []).append(said)
    return found


def without_refused(filled: Sequence[Answer]) -> list[Answer]:
    """The answers with those characters left out: what the rest of the form is checked as meanwhile."""
    return [
        Answer(answer.spec, characters.strip_refused(answer.text), characters.strip_refused(answer.reason))
        for answer in filled
    ]


def both_given(answers: Sequence[Answer]) -> list[Answer]:
    """Sections given both a text and a reason: the form's own mistake, before the file is checked."""
    return [answer for answer in answers if answer.text and answer.reason]


def submission_yaml(
    config: ReportConfig, cycle: str, department: str, short_name: str, answers: Sequence[Answer]
) -> str:
    """The file the answers make. A section left empty is left out, so that validation names it."""
    lines = [
        f"# yaml-language-server: $schema=../{SUBMISSION_SCHEMA_FILE}",
        f"# {department}: response to {config.title} ({cycle}).",
        "# Saved from the departments' portal; it may also be edited here and dropped as before.",
        f"department: {_quoted(department)}",
    ]
    if short_name.strip():
        lines.append(f"short_name: {_quoted(short_name.strip())}")
    for key in dict.fromkeys(answer.spec.key for answer in answers):
        keyed = [answer for answer in answers if answer.spec.key == key and (answer.text or answer.reason)]
        if not keyed:
            continue
        if keyed[0].spec.year is None:
            lines += _section(key, keyed[0], indent="")
            continue
        lines.append(f"{key}:")
        for answer in keyed:
            lines += _section(str(answer.spec.year), answer, indent="  ")
    return "\n".join(lines) + "\n"


def _section(key: str, answer: Answer, indent: str) -> list[str]:
    if answer.reason and not answer.text:
        return [f"{indent}{key}:", f"{indent}  {NOT_APPLICABLE}: {_quoted(answer.reason)}"]
    return [f"{indent}{key}: {_text(answer.text, indent + '  ')}"]


def _text(text: str, indent: str) -> str:
    """A literal block where it reads back as the same text; a quoted string where it would not
    (a first line that starts with a space, characters YAML does not print)."""
    block = "|\n" + "\n".join(f"{indent}{line}" if line else "" for line in text.split("\n"))
    try:
        if read_back(f"key: {block}\n") == {"key": text + "\n"}:
            return block
    except yaml.YAMLError:
        pass
    return _quoted(text + "\n")


def _quoted(text: str) -> str:
    """A YAML double-quoted string of any text: what YAML does not print, escaped."""
    escaped = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
    out = []
    for character in text:
        code = ord(character)
        if character in escaped:
            out.append(escaped[character])
        elif _printed(code):
            out.append(character)
        else:
            out.append(f"\\u{code:04X}")
    return '"' + "".join(out) + '"'


def _printed(code: int) -> bool:
    """YAML's printable characters, less the ones it reads as line breaks or a byte order mark."""
    if code in (0x2028, 0x2029, 0xFEFF):
        return False
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000
