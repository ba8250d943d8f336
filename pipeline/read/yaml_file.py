"""Load one input file as YAML, safely, keeping every value's line.

PyYAML's safe loader builds the node tree; we turn nodes into plain values
ourselves so that every value keeps its line, duplicate keys are reported
instead of silently overwritten, and alias bombs are cut off.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline import characters
from pipeline.errors import Problem, Severity
from pipeline.read import yaml_traps

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 10_000
MAX_DEPTH = 50
# A file with more syntax errors than this is read no further: each is said, and what follows is not.
MAX_SYNTAX_ERRORS = 20

FieldPath = tuple[Any, ...]


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class SourceFile:
    """One input file: its bytes' hash, its values, and where each value sits."""

    path: Path
    sha256: str
    data: Any = None
    value_positions: dict[FieldPath, Position] = field(default_factory=dict)
    key_positions: dict[FieldPath, Position] = field(default_factory=dict)
    # Values written as "|" or ">" blocks, whose text starts on the line after the key.
    block_scalars: set[FieldPath] = field(default_factory=set)
    # The text as written of values YAML did not read as text (`no`, `2014-01-01`, `12`).
    raw_scalars: dict[FieldPath, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # The file's last line with text on it: where a key it lacks is to be added.
    last_line: int = 1

    def add(
        self, line: int, column: int, message: str, hint: str = "", severity: Severity = Severity.ERROR, field: str = ""
    ) -> None:
        """Record a problem with the file itself, rather than with one of its values (`field`, the
        keys it is under, where the file's lines say them)."""
        self.problems.append(Problem(self.path, line, column, field, message, hint, severity))

    def position_of(self, path: FieldPath, *, key: bool = False) -> Position:
        """Where `path` is written, or the nearest enclosing value that is."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        while path not in self.value_positions and path:
            path = path[:-1]
        return self.value_positions.get(path, Position(1, 1))

    def problem(
        self,
        path: FieldPath,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
        code: str = "",
    ) -> Problem:
        position = self.position_of(path, key=key)
        return Problem(self.path, position.line, position.column, dotted(path), message, hint, severity, code)


def dotted(path: FieldPath) -> str:
    return ".".join(str(part) for part in path)


def load_yaml(path: Path) -> SourceFile:
    """Load one YAML file; problems are recorded on the result, never raised."""
    return parse_yaml(path, path.read_bytes())


def parse_yaml(path: Path, raw: bytes) -> SourceFile:
    """YAML text as if read from `path` (which problems name), whether it is there or not."""
    source = SourceFile(path=path, sha256=hashlib.sha256(raw).hexdigest())
    text = decode_text(source, raw)
    if text is None:
        return source
    written = characters.as_written(text)
    source.last_line = len(text.rstrip().split("\n"))
    # Read as if each refused character were deleted, as its hint says: every other mistake is found
    # in the same pass, and each character is said under the key its text belongs to.
    _NodeReader(source).read(characters.without(text) if written else text)
    source.problems[:0] = [
        Problem(path, line, column, _field_at(source, line, column), refused.message, refused.hint)
        for line, column, refused in written
    ]
    return source


def _field_at(source: SourceFile, line: int, column: int) -> str:
    """The key whose value holds this place of the file: the last value to start at or before it."""
    started = [(position.line, position.column, path) for path, position in source.value_positions.items() if path]
    before = [entry for entry in started if (entry[0], entry[1]) <= (line, column)]
    return dotted(max(before, key=lambda entry: (entry[0], entry[1]))[2]) if before else ""


_OTHER_ENCODINGS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: Save As, then choose the encoding UTF-8)"


def decode_text(source: SourceFile, raw: bytes) -> str | None:
    """The file's text, or None when it cannot be read as text (the problem is recorded on source)."""
    if len(raw) > MAX_FILE_BYTES:
        source.add(
            1,
            1,
            f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
            "a department's response is a few pages of text: check this is the right file",
        )
        return None
    for mark, encoding in _OTHER_ENCODINGS.items():
        if raw.startswith(mark):
            source.add(1, 1, f"file is saved as {encoding}, not UTF-8", _SAVE_AS_UTF8)
            return None
    if raw.startswith(codecs.BOM_UTF8):
        source.add(
            1,
            1,
            "file starts with a byte-order mark (BOM); it was ignored",
            "save the file as UTF-8 without BOM",
            Severity.WARNING,
        )
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        source.add(line, column, f"byte 0x{raw[error.start]:02x} is not valid UTF-8", _SAVE_AS_UTF8)
        return None


def has_control_characters(source: SourceFile, text: str) -> bool:
    """Report every refused character of a text as written (`pipeline.read.characters`), at its
    line and column; True if there were any."""
    found = characters.as_written(text)
    for line, column, refused in found:
        source.add(line, column, refused.message, refused.hint)
    return bool(found)


_TOO_DEEP = "too deeply nested or too many repeated (aliased) values"
_TOO_DEEP_HINT = "a submission is a few keys of plain text; remove anchors (&) and aliases (*)"


class _NodeReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.nodes_seen = 0

    def read(self, text: str) -> None:
        """Read the text's values, or say why not. A syntax error that is a known trap is said and
        mended (`yaml_traps`), and the reading goes on, so that every syntax error, and every
        mistake in what can still be read, is said in the same pass."""
        for _ in range(MAX_SYNTAX_ERRORS):
            mended = self._read_once(text)
            if mended is None:
                return
            text = mended
        self.source.data = None  # the file has more syntax errors than are worth reading past

    def _read_once(self, text: str) -> str | None:
        """Read the text; on a syntax error it can read past, the text with that mistake mended."""
        self.text = text
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            self.source.data = None if root is None else self._value(loader, root, (), set())
        except yaml.MarkedYAMLError as error:
            self.source.data = None
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if "nesting depth" in (error.problem or ""):  # libyaml's own limit (PyYAML 6.0.4 on)
                self.source.add(line, column, _TOO_DEEP, _TOO_DEEP_HINT, field=_key_at_start(_line(text, line)))
            elif explained := yaml_traps.explain(text, error):
                self.source.add(
                    explained.line, explained.column, explained.message, explained.hint, field=explained.field
                )
                # Read on past it, unless mending it changed nothing (the same error would come again).
                return explained.mended if explained.mended not in (None, text) else None
            else:
                self.source.add(
                    line,
                    column,
                    f"YAML syntax error: {error.problem or error.context or 'not valid YAML'}",
                    "check the indentation and quoting on this line and the one before",
                )
        except yaml.YAMLError as error:  # e.g. a character YAML does not allow
            self.source.add(1, 1, f"not readable as YAML: {error}")
            self.source.data = None
        except RecursionError:
            self.source.add(1, 1, "too deeply nested", "a submission is a few keys of plain text")
            self.source.data = None
        except _Refused as error:
            self.source.problems.append(error.problem)
            self.source.data = None
        finally:
            loader.dispose()
        return None

    def _value(self, loader: Any, node: yaml.Node, path: FieldPath, open_nodes: set[int]) -> Any:
        self.nodes_seen += 1
        self.source.value_positions.setdefault(path, _position(node))
        if self.nodes_seen > MAX_NODES or len(path) > MAX_DEPTH or id(node) in open_nodes:
            raise _Refused(self._problem(node, path, _TOO_DEEP, _TOO_DEEP_HINT))
        if node.tag not in _PLAIN_TAGS:
            # The safe loader refuses unknown tags on text but not on lists or mappings.
            raise _Refused(
                self._problem(
                    node,
                    path,
                    f"the tag {_short_tag(node.tag)} is not allowed",
                    "remove it: a submission holds plain text, lists and mappings only",
                )
            )
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                self.source.block_scalars.add(path)
            value = loader.construct_object(node, deep=True)
            if isinstance(value, str):
                self._refuse_characters(node, path, value)
            else:
                self.source.raw_scalars[path] = node.value
            return value
        open_nodes = open_nodes | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            return [self._value(loader, item, (*path, index), open_nodes) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.source.problems.append(
                    self._problem(key_node, path, "merge keys (<<) are not allowed", "write the keys out in full")
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.source.problems.append(
                    self._problem(
                        key_node, path, "a key must be a plain word or year", "write keys such as progress: or 2014:"
                    )
                )
                continue
            key = loader.construct_object(key_node, deep=True)
            key_path = (*path, key)
            if isinstance(key, str):
                self._refuse_characters(key_node, key_path, key)
            if key in mapping:
                first = self.source.key_positions[key_path]
                self.source.problems.append(
                    self._problem(
                        key_node,
                        key_path,
                        f"key appears twice (first on line {first.line})",
                        "remove one of them: YAML would silently keep only the last",
                    )
                )
                continue
            self.source.key_positions[key_path] = _position(key_node)
            mapping[key] = self._value(loader, value_node, key_path, open_nodes)
        return mapping

    def _refuse_characters(self, node: yaml.ScalarNode, path: FieldPath, value: str) -> None:
        """Judge the text as YAML decoded it: a refused character written as an escape ("\\u202E")
        is said at that escape; one that came some other way, at the value."""
        found = list(characters.in_value(value))
        if not found:
            return
        field = dotted(path) if len(path) <= 4 else f"{dotted(path[:3])}…"
        start = node.start_mark
        written = self.text[start.index : node.end_mark.index] if node.style == '"' else ""
        located = characters.escaped(written, start.line + 1, start.column + 1)
        for line, column, refused in located:
            self.source.problems.append(Problem(self.source.path, line, column, field, refused.message, refused.hint))
        if not located:
            position = _position(node)
            for refused in found:
                self.source.problems.append(
                    Problem(self.source.path, position.line, position.column, field, refused.message, refused.hint)
                )

    def _problem(self, node: yaml.Node, path: FieldPath, message: str, hint: str) -> Problem:
        position = _position(node)
        field = dotted(path) if len(path) <= 4 else f"{dotted(path[:3])}…"
        return Problem(self.source.path, position.line, position.column, field, message, hint)


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


# libyaml's parser when PyYAML has it (it does from PyPI): about fifty times faster on long
# text, and it builds nested lists without recursing. Both keep every node's line.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_back(text: str) -> Any:
    """YAML's values as this loader reads them, with none of the checks: for code that writes
    YAML and must know it reads back as meant (libyaml and PyYAML's own parser differ on tabs)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (the safe loader, C or Python)


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
}


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _key_at_start(line: str) -> str:
    """The key a line starts with ("commitments" of "commitments: [[…"), or "" when it starts with none."""
    match = re.match(r"\s*([\w-]+)\s*:", line)
    return match[1] if match else ""


def _line(text: str, number: int) -> str:
    lines = text.split("\n")
    return lines[number - 1] if 0 < number <= len(lines) else ""
