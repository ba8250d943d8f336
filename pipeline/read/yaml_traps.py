"""YAML's common traps, explained in a department's words, at the line where the mistake is.

The YAML parser says what it expected where it gave up ("mapping values are not allowed in
this context", "could not find expected ':'"), which is often the line after the mistake and
never says what to do. These are the mistakes people make writing a submission by hand: a
colon in text, text not indented under "|", a "- " list item out of place, and a quote that
is never closed. Anything else keeps the parser's own words.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import yaml

# A line that opens a block of text: "key: |" or "key: >", with YAML's optional indicators.
_BLOCK_OPENER = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[^\s#][^#]*?):\s+[|>][+-]?\d?[+-]?\s*(?:#.*)?$")
_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[^\s#:\"'][^#]*?):(?:\s|$)")
_QUOTES = {'"': "double quote", "'": "single quote"}


@dataclass(frozen=True)
class Explained:
    line: int
    column: int
    message: str
    hint: str
    field: str = ""  # the key the mistake is under, dotted ("progress.2013"), where the lines say it


def explain(text: str, error: yaml.MarkedYAMLError) -> Explained | None:
    """The mistake behind a YAML syntax error, where it is and how to fix it; None when it is not a known trap."""
    lines = text.split("\n")
    explained = _explain(lines, error)
    if explained is None or explained.field:
        return explained
    return dataclasses.replace(explained, field=_field_at(lines, explained.line))


def _explain(lines: list[str], error: yaml.MarkedYAMLError) -> Explained | None:
    problem = error.problem or ""
    at = _where(error.problem_mark)
    context = _where(error.context_mark)
    if at is None:
        return None
    if problem == "mapping values are not allowed in this context":
        return _colon_in_text(lines, *at)
    if problem == "block sequence entries are not allowed in this context":
        return _list_after_its_key(lines, *at)
    if problem == "found unexpected end of stream" and error.context == "while scanning a quoted scalar" and context:
        return _unclosed_quote(lines, *context)
    if problem == "could not find expected ':'" and error.context == "while scanning a simple key" and context:
        return _text_not_indented(lines, context[0])
    if problem == "did not find expected key":
        line, column = at
        written = _line(lines, line)
        if written.lstrip().startswith("- "):
            return _list_item_out_of_place(lines, line)
        if column >= 2 and written[column - 2 : column - 1] in _QUOTES:
            return _text_after_its_closing_quote(written, line, column)
    return None


def _colon_in_text(lines: list[str], line: int, column: int) -> Explained:
    key = _key_on(lines, line)
    fix = f'write the text on the lines after "{key}: |", indented' if key else 'write the text on the lines after "|"'
    return Explained(
        line,
        column,
        'the text has ": " (a colon and a space) in it, which YAML reads as the start of another key',
        f"{fix}, where a colon is just a colon; or put the whole text in double quotes",
    )


def _list_after_its_key(lines: list[str], line: int, column: int) -> Explained:
    key = _key_on(lines, line) or "the key"
    return Explained(
        line,
        column,
        f'a "- " list cannot start on the same line as "{key}:"',
        f'write "{key}: |" and put the list on the lines below it, indented, each item starting with "- "',
    )


def _unclosed_quote(lines: list[str], line: int, column: int) -> Explained:
    quote = _line(lines, line)[column - 1 : column] or '"'
    name = _QUOTES.get(quote, "quote")
    return Explained(
        line,
        column,
        f"the {name} ({quote}) that opens this text is never closed",
        f"end the text with {quote} on this line, or remove the {quote}; for text with quotes in it, write it "
        'on the lines after "|" instead',
    )


def _text_not_indented(lines: list[str], line: int) -> Explained:
    """YAML read a line of text as a key because it is not indented under the key it belongs to."""
    opener = _opener_above(lines, line)
    if opener is not None:
        key, indent, key_line = opener
        return Explained(
            line,
            _first_column(lines, line),
            f'the text under "{key}: |" is not indented more than "{key}:", so YAML reads this line as a key',
            f'indent each line of the text by {indent + 2} spaces, two more than "{key}:"',
            _field_at(lines, key_line),
        )
    above = _nearest_key_above(lines, line)
    where = f'the text of "{above}:"' if above else "the text above"
    return Explained(
        line,
        _first_column(lines, line),
        'this line is read as a new key, but it has no ":" after it',
        f'if it is part of {where}, write that text on the lines after "{above or "the key"}: |", each line indented '
        "by two spaces more than the key",
    )


def _list_item_out_of_place(lines: list[str], line: int) -> Explained:
    opener = _opener_above(lines, line)
    if opener is not None:
        key, indent, key_line = opener
        return Explained(
            line,
            _first_column(lines, line),
            f'this "- " list item is less indented than the text under "{key}: |", so it is not part of it',
            f'indent the item, and each one after it, by {indent + 2} spaces, as the text under "{key}:" is',
            _field_at(lines, key_line),
        )
    key = _nearest_key_above(lines, line) or "the key"
    return Explained(
        line,
        _first_column(lines, line),
        'this "- " list item is not indented like the lines around it',
        f'a list belongs inside a section\'s text: write "{key}: |", then the list below it, indented',
    )


def _text_after_its_closing_quote(written: str, line: int, column: int) -> Explained:
    quote = written[column - 2]
    return Explained(
        line,
        column,
        f"the text goes on after the {_QUOTES[quote]} ({quote}) that closes it",
        'to put quotes inside the text, write it on the lines after "|" instead, without quotes around it',
    )


def _opener_above(lines: list[str], line: int) -> tuple[str, int, int] | None:
    """The "key: |" whose text `line` should be part of, the key's indentation and its line: the
    nearest opener above it with only its own text (indented more than its key) in between."""
    indent = _indent(_line(lines, line))
    between: int | None = None  # the least indentation of the lines passed on the way up
    for number in range(line - 1, 0, -1):
        above = _line(lines, number)
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        level = _indent(above)
        if (match := _BLOCK_OPENER.match(above)) and (between is None or between > level):
            return (match["key"].strip(), level, number) if indent <= level else None
        if level <= indent:
            return None  # a line at this one's level, not a block of text: the line is not in one
        between = level if between is None else min(between, level)
    return None


def _nearest_key_above(lines: list[str], line: int) -> str | None:
    above = _parent_line(lines, line)
    match = _KEY.match(above) if above is not None else None
    return match["key"].strip() if match else None


def _field_at(lines: list[str], line: int) -> str:
    """The line's own key and the keys it is under, dotted, as the problem's field: "progress.2013"."""
    own = _KEY.match(_line(lines, line))
    keys = [own["key"].strip()] if own else []
    indent = _indent(_line(lines, line))
    for number in range(line - 1, 0, -1):
        text = _line(lines, number)
        if text.strip() and not text.lstrip().startswith("#") and _indent(text) < indent:
            if match := _KEY.match(text):
                keys.insert(0, match["key"].strip())
            indent = _indent(text)
    return ".".join(keys)


def _parent_line(lines: list[str], line: int) -> str | None:
    indent = _indent(_line(lines, line))
    for number in range(line - 1, 0, -1):
        above = _line(lines, number)
        if above.strip() and not above.lstrip().startswith("#") and _indent(above) <= indent:
            return above
    return None


def _first_column(lines: list[str], line: int) -> int:
    """Where the line's text starts: the column to point at."""
    return _indent(_line(lines, line)) + 1


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key_on(lines: list[str], line: int) -> str | None:
    match = _KEY.match(_line(lines, line))
    return match["key"].strip() if match else None


def _where(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""
