"""YAML's common traps, explained in a department's words, at the line where the mistake is.

The YAML parser says what it expected where it gave up ("mapping values are not allowed in
this context", "could not find expected ':'"), which is often the line after the mistake and
never says what to do. These are the mistakes people make writing a submission by hand: a
tab in the indentation, a colon in text, text not indented under "|", a "- " list item out of
place, a quote that is never closed, a second document. Anything else keeps the parser's own words.

Each trap also says how the text reads with the mistake mended as its hint says, line for line
(`Explained.mended`), so that the reader can go on past it: every syntax error, and every other
mistake in what can still be read, is then said in one pass.
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
    # The text with this mistake mended as the hint says, its lines where they were; None when it cannot be.
    mended: str | None = None


def explain(text: str, error: yaml.MarkedYAMLError) -> Explained | None:
    """The mistake behind a YAML syntax error, where it is and how to fix it; None when it is not a known trap."""
    lines = text.split("\n")
    found = _explain(lines, error)
    if found is None:
        return None
    explained, mended = found
    if not explained.field:  # read off the mended lines, whose indentation says what the key is under
        explained = dataclasses.replace(explained, field=_field_at(mended or lines, explained.line))
    return dataclasses.replace(explained, mended=None if mended is None else "\n".join(mended))


# Each trap: what it is, and the lines with it mended (None: it cannot be).
_Found = tuple[Explained, list[str] | None]


def _explain(lines: list[str], error: yaml.MarkedYAMLError) -> _Found | None:
    problem = error.problem or ""
    at = _where(error.problem_mark)
    context = _where(error.context_mark)
    if at is None:
        return None
    if "another document" in problem:
        return _second_document(lines, at[0])
    if "\t" in _indentation(_line(lines, at[0])) or "tab" in problem:
        return _tab(lines, at[0], at[1])
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
            return _text_after_its_closing_quote(lines, line, column)
    return None


def _second_document(lines: list[str], line: int) -> _Found:
    explained = Explained(
        line,
        1,
        "the file holds more than one YAML document (a second ---)",
        "keep one: delete this --- line and what follows it, or merge the two",
    )
    # Read on as the first document alone.
    return explained, [*lines[: line - 1], *("#" + text for text in lines[line - 1 :])]


def _tab(lines: list[str], line: int, column: int) -> _Found:
    """A tab in the indentation: said once, naming every line indented with one, and mended on all
    of them (a tab for two spaces), so that what follows is read as the spaces would have it."""
    tabbed = [number for number, text in enumerate(lines, start=1) if "\t" in _indentation(text)]
    others = [number for number in tabbed if number != line]
    also = f" (and on line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))})" if others else ""
    explained = Explained(
        line,
        column,
        f"a tab is used for indentation{also}",
        "YAML indents with spaces only: replace each tab with two spaces",
    )
    mended = [
        _indentation(text).replace("\t", "  ") + text.lstrip(" \t") if "\t" in _indentation(text) else text
        for text in lines
    ]
    return explained, mended


def _indentation(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def _colon_in_text(lines: list[str], line: int, column: int) -> _Found:
    key = _key_on(lines, line)
    fix = f'write the text on the lines after "{key}: |", indented' if key else 'write the text on the lines after "|"'
    explained = Explained(
        line,
        column,
        'the text has ": " (a colon and a space) in it, which YAML reads as the start of another key',
        f"{fix}, where a colon is just a colon; or put the whole text in double quotes",
    )
    written = _line(lines, line)
    return explained, _replaced(lines, line, written[: column - 1] + ";" + written[column:])


def _list_after_its_key(lines: list[str], line: int, column: int) -> _Found:
    key = _key_on(lines, line) or "the key"
    explained = Explained(
        line,
        column,
        f'a "- " list cannot start on the same line as "{key}:"',
        f'write "{key}: |" and put the list on the lines below it, indented, each item starting with "- "',
    )
    return explained, _value_as_text(lines, line, column)


def _unclosed_quote(lines: list[str], line: int, column: int) -> _Found:
    written = _line(lines, line)
    quote = written[column - 1 : column] or '"'
    name = _QUOTES.get(quote, "quote")
    explained = Explained(
        line,
        column,
        f"the {name} ({quote}) that opens this text is never closed",
        f"end the text with {quote} on this line, or remove the {quote}; for text with quotes in it, write it "
        'on the lines after "|" instead',
    )
    return explained, _value_as_text(lines, line, column)


def _text_not_indented(lines: list[str], line: int) -> _Found:
    """YAML read a line of text as a key because it is not indented under the key it belongs to."""
    opener = _opener_above(lines, line)
    if opener is not None:
        key, indent, key_line = opener
        explained = Explained(
            line,
            _first_column(lines, line),
            f'the text under "{key}: |" is not indented more than "{key}:", so YAML reads this line as a key',
            f'indent each line of the text by {indent + 2} spaces, two more than "{key}:"',
            _field_at(lines, key_line),
        )
        return explained, _indented(lines, line, indent + 2, indent)
    above = _nearest_key_above(lines, line)
    where = f'the text of "{above}:"' if above else "the text above"
    explained = Explained(
        line,
        _first_column(lines, line),
        'this line is read as a new key, but it has no ":" after it',
        f'if it is part of {where}, write that text on the lines after "{above or "the key"}: |", each line indented '
        "by two spaces more than the key",
    )
    return explained, _replaced(lines, line, "#" + _line(lines, line))  # read on without it


def _list_item_out_of_place(lines: list[str], line: int) -> _Found:
    opener = _opener_above(lines, line)
    if opener is not None:
        key, indent, key_line = opener
        explained = Explained(
            line,
            _first_column(lines, line),
            f'this "- " list item is less indented than the text under "{key}: |", so it is not part of it',
            f'indent the item, and each one after it, by {indent + 2} spaces, as the text under "{key}:" is',
            _field_at(lines, key_line),
        )
        return explained, _indented(lines, line, indent + 2, indent)
    key = _nearest_key_above(lines, line) or "the key"
    explained = Explained(
        line,
        _first_column(lines, line),
        'this "- " list item is not indented like the lines around it',
        f'a list belongs inside a section\'s text: write "{key}: |", then the list below it, indented',
    )
    return explained, _replaced(lines, line, "#" + _line(lines, line))  # read on without it


def _text_after_its_closing_quote(lines: list[str], line: int, column: int) -> _Found:
    written = _line(lines, line)
    quote = written[column - 2]
    explained = Explained(
        line,
        column,
        f"the text goes on after the {_QUOTES[quote]} ({quote}) that closes it",
        'to put quotes inside the text, write it on the lines after "|" instead, without quotes around it',
    )
    opening = written.find(quote, _indent(written))
    return explained, _value_as_text(lines, line, opening + 1) if opening >= 0 else None


# --- Mending, line for line: what the file reads as once a mistake is put right as its hint says.


def _replaced(lines: list[str], line: int, text: str) -> list[str]:
    return [*lines[: line - 1], text, *lines[line:]]


def _value_as_text(lines: list[str], line: int, column: int) -> list[str]:
    """The line's value from `column` on, as text in single quotes (its own quotes doubled)."""
    written = _line(lines, line)
    value = written[column - 1 :].rstrip()
    return _replaced(lines, line, written[: column - 1] + "'" + value.replace("'", "''") + "'")


def _indented(lines: list[str], line: int, indent: int, key_indent: int) -> list[str]:
    """The text from `line` on indented by `indent`, as far as it runs: to the next line written
    as a key no deeper than the key the text is under."""
    mended = list(lines)
    for number in range(line, len(lines) + 1):
        written = _line(lines, number)
        if number > line and written.strip() and _indent(written) <= key_indent and _KEY.match(written):
            break
        if written.strip():
            mended[number - 1] = " " * indent + written.lstrip(" ")
    return mended


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
