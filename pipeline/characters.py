"""The characters a submission's text may not hold, how each is named to a department, and how
text that may hold them is shown safely (`shown`: in a problem's words, a file's name).

Judged twice: on the file's text as written (where a character typed or pasted in sits), and on
the values YAML decodes from it, which is what is published (where `"\\u202E"` or `"\\x1b"` in a
quoted string becomes the character itself). Refused: bidirectional embeddings, overrides and
isolates, which make text display in another order than it reads (the marks U+200E and U+200F
are fine); C0 and C1 controls other than tab and line feed; the line and paragraph separators;
and the noncharacters U+FFFE and U+FFFF.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
_NONCHARACTERS = "\ufffe\uffff"
# A file's own line breaks may be CRLF; in a value YAML has already made them line feeds, so a
# carriage return there came from an escape ("\r").
_IN_FILE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SEPARATORS}{_BIDI}{_NONCHARACTERS}]")
_IN_VALUE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_SEPARATORS}{_BIDI}{_NONCHARACTERS}]")

_NAMES = {
    "\x00": "a NUL character",
    "\x07": "a bell character",
    "\x08": "a backspace",
    "\x0b": "a vertical tab",
    "\x0c": "a form feed",
    "\x0d": "a carriage return",
    "\x1b": "an escape character",
    "\x7f": "a delete character",
    "\x85": "a next-line character",
    "\u2028": "a line separator",
    "\u2029": "a paragraph separator",
    "\u202a": "a left-to-right embedding",
    "\u202b": "a right-to-left embedding",
    "\u202c": "a pop directional formatting",
    "\u202d": "a left-to-right override",
    "\u202e": "a right-to-left override",
    "\u2066": "a left-to-right isolate",
    "\u2067": "a right-to-left isolate",
    "\u2068": "a first-strong isolate",
    "\u2069": "a pop directional isolate",
    "\ufffe": "a noncharacter",
    "\uffff": "a noncharacter",
}


@dataclass(frozen=True)
class Refused:
    """A refused character found in some text: where (0-based, in that text), and what it is."""

    index: int
    character: str

    # As written in the file, when it is an escape ("\\u202E"); empty when it is the character itself.
    escape: str = ""

    @property
    def message(self) -> str:
        """ "a right-to-left override (U+202E), which makes text display in a different order from how it reads"."""
        named = f"{describe(self.character)} (U+{ord(self.character):04X})"
        if self.escape:
            named += f", written as the escape {self.escape}"
        if self.character in _BIDI_SET:
            return f"{named}, which makes text display in a different order from how it reads"
        if self.character in _SEPARATORS:
            return f"{named}, which some programs show as a new line and others do not show at all"
        if self.character in _NONCHARACTERS:
            return f"{named}, which is not a character of any text"
        return f"{named}: an invisible control character"

    @property
    def hint(self) -> str:
        if self.character in _SEPARATORS:
            return "delete it, and start a new line with Enter where one is meant"
        if self.character in _BIDI_SET:
            return "delete it"
        return "delete it: it often comes with text pasted from a word processor"


_BIDI_SET = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


# What may not be shown as it is: the refused characters, and the stand-ins Python uses for a
# file name's bytes that are not UTF-8 (U+DC80–U+DCFF).
_NOT_SHOWN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_SEPARATORS}{_BIDI}{_NONCHARACTERS}\udc80-\udcff]")


def shown(text: str) -> str:
    """Text to show in a message, a status file or a terminal: each refused character written as
    its escape (\\u202E), so that it is seen and does nothing, and a name's undecodable byte as \\xNN."""
    return _NOT_SHOWN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02X}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04X}"


def describe(character: str) -> str:
    return _NAMES.get(character, "a control character")


def in_file(text: str) -> Iterator[Refused]:
    """Every refused character of a file's text as written (its own CRLF line breaks allowed)."""
    return (Refused(match.start(), match.group()) for match in _IN_FILE.finditer(text))


def as_written(text: str) -> list[tuple[int, int, Refused]]:
    """Each refused character of a file's text as written: its line and column (1-based), and what it is."""
    found = []
    # split("\n"), not splitlines(): splitlines() would break lines at the very characters sought.
    for number, line in enumerate(text.split("\n"), start=1):
        found += [(number, refused.index + 1, refused) for refused in in_file(line)]
    return found


def without(text: str) -> str:
    """The text with every character refused as written deleted."""
    return _IN_FILE.sub("", text)


def strip_refused(text: str) -> str:
    """A value (or form field) with every refused character deleted."""
    return _IN_VALUE.sub("", text)


def in_value(text: str) -> Iterator[Refused]:
    """Every refused character of a value as YAML decoded it, or of text typed into a form."""
    return (Refused(match.start(), match.group()) for match in _IN_VALUE.finditer(text))


# A double-quoted YAML scalar's escapes, each taken whole from left to right (so "\\u202E" is a
# backslash and the letters u202E, not an escape).
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SINGLE = {"0": "\x00", "a": "\x07", "b": "\x08", "v": "\x0b", "f": "\x0c", "r": "\x0d", "e": "\x1b"}
_SINGLE |= {"N": "\x85", "L": "\u2028", "P": "\u2029"}


def escaped(quoted: str, line: int, column: int) -> list[tuple[int, int, Refused]]:
    """Each refused character a double-quoted scalar's escapes decode to: its line and column in the
    file (the scalar written from `line`, `column`), and what it is."""
    found = []
    for index, escape, character in escapes(quoted):
        before = quoted[:index]
        at_line = line + before.count("\n")
        at_column = index - before.rfind("\n") if "\n" in before else column + index
        found.append((at_line, at_column, Refused(index, character, escape)))
    return found


def escapes(quoted: str) -> Iterator[tuple[int, str, str]]:
    """In a double-quoted scalar as written: (index, escape as written, character) for each escape
    that decodes to a refused character."""
    for match in _ESCAPE.finditer(quoted):
        code = match.group(1)
        try:
            character = chr(int(code[1:], 16)) if len(code) > 1 else _SINGLE.get(code, "")
        except ValueError:  # beyond U+10FFFF: YAML refuses it itself
            continue
        if character and _IN_VALUE.fullmatch(character):
            yield match.start(), match.group(), character
