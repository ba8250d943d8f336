"""Find a cycle's files and load them as YAML, safely, keeping line numbers.

PyYAML's safe loader builds the node tree; we turn nodes into plain values
ourselves so that every value keeps its line, duplicate keys are reported
instead of silently overwritten, and alias bombs are cut off.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import CycleNotFoundError, Problem
from pipeline.schema import REPORT_CONFIG_FILE

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 50

FieldPath = tuple[Any, ...]

_CYCLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


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
    problems: list[Problem] = field(default_factory=list)

    def position_of(self, path: FieldPath, *, key: bool = False) -> Position:
        """Where `path` is written, or the nearest enclosing value that is."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        while path not in self.value_positions and path:
            path = path[:-1]
        return self.value_positions.get(path, Position(1, 1))

    def problem(self, path: FieldPath, message: str, hint: str = "", *, key: bool = False) -> Problem:
        position = self.position_of(path, key=key)
        return Problem(self.path, position.line, position.column, dotted(path), message, hint)


@dataclass
class CycleSources:
    """Everything a cycle's folder holds, loaded but not yet checked."""

    cycle: str
    folder: Path
    config: SourceFile
    submissions: list[SourceFile]


def dotted(path: FieldPath) -> str:
    return ".".join(str(part) for part in path)


def cycle_folder(submissions_root: Path, cycle: str) -> Path:
    """The folder holding a cycle's submissions; the cycle name is never a path of its own."""
    if not _CYCLE_NAME.fullmatch(cycle):
        raise CycleNotFoundError(
            f"{cycle!r} is not a cycle name: use the name of a folder under {submissions_root}, such as 2015-action-04"
        )
    folder = submissions_root / cycle
    if not (folder / REPORT_CONFIG_FILE).is_file():
        raise CycleNotFoundError(
            f"{folder / REPORT_CONFIG_FILE}: no report config; a cycle is a folder under "
            f"{submissions_root} holding {REPORT_CONFIG_FILE} and one YAML file per department"
        )
    return folder


def read_cycle(submissions_root: Path, cycle: str) -> CycleSources:
    folder = cycle_folder(submissions_root, cycle)
    config_path = folder / REPORT_CONFIG_FILE
    submission_paths = sorted(
        path for pattern in ("*.yaml", "*.yml") for path in folder.glob(pattern) if path.name != REPORT_CONFIG_FILE
    )
    return CycleSources(
        cycle=cycle,
        folder=folder,
        config=load_yaml(config_path),
        submissions=[load_yaml(path) for path in submission_paths],
    )


def load_yaml(path: Path) -> SourceFile:
    """Load one YAML file; problems are recorded on the result, never raised."""
    raw = path.read_bytes()
    source = SourceFile(path=path, sha256=hashlib.sha256(raw).hexdigest())
    if len(raw) > MAX_FILE_BYTES:
        source.problems.append(
            Problem(
                path,
                1,
                1,
                "",
                f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                "a department's response should be a few pages of text",
            )
        )
        return source
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        source.problems.append(
            Problem(
                path,
                line,
                1,
                "",
                f"byte 0x{raw[error.start]:02x} is not valid UTF-8",
                "save the file as UTF-8 (in most editors: Save As, encoding UTF-8)",
            )
        )
        return source
    _NodeReader(source).read(text)
    return source


class _NodeReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.nodes_seen = 0

    def read(self, text: str) -> None:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            self.source.data = None if root is None else self._value(loader, root, (), set())
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = error.problem or error.context or "not valid YAML"
            self.source.problems.append(
                Problem(
                    self.source.path,
                    line,
                    column,
                    "",
                    f"YAML syntax error: {problem}",
                    "check the indentation and quoting on this line and the one before",
                )
            )
            self.source.data = None
        except _TooBig as error:
            self.source.problems.append(error.problem)
            self.source.data = None
        finally:
            loader.dispose()

    def _value(self, loader: yaml.SafeLoader, node: yaml.Node, path: FieldPath, open_nodes: set[int]) -> Any:
        self.nodes_seen += 1
        position = Position(node.start_mark.line + 1, node.start_mark.column + 1)
        self.source.value_positions.setdefault(path, position)
        if self.nodes_seen > MAX_NODES or len(path) > MAX_DEPTH or id(node) in open_nodes:
            raise _TooBig(
                Problem(
                    self.source.path,
                    position.line,
                    position.column,
                    dotted(path),
                    "too deeply nested or too many repeated (aliased) values",
                    "a submission is a few keys of plain text; remove anchors (&) and aliases (*)",
                )
            )
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                self.source.block_scalars.add(path)
            return loader.construct_object(node, deep=True)
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            # The safe loader only refuses unknown tags on scalars; a tagged list or mapping
            # would otherwise pass through as plain data.
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"could not determine a constructor for the tag {node.tag!r}",
                node.start_mark,
            )
        open_nodes = open_nodes | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            return [self._value(loader, item, (*path, index), open_nodes) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(loader, key_node, path)
            if key is _UNUSABLE:
                continue
            key_path = (*path, key)
            key_position = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in mapping:
                first = self.source.key_positions[key_path]
                self.source.problems.append(
                    Problem(
                        self.source.path,
                        key_position.line,
                        key_position.column,
                        dotted(key_path),
                        f"key appears twice (first on line {first.line})",
                        "remove one of them: YAML would silently keep only the last",
                    )
                )
                continue
            self.source.key_positions[key_path] = key_position
            mapping[key] = self._value(loader, value_node, key_path, open_nodes)
        return mapping

    def _key(self, loader: yaml.SafeLoader, node: yaml.Node, path: FieldPath) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_object(node, deep=True)
        self.source.problems.append(
            Problem(
                self.source.path,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                dotted(path),
                "a key must be a plain word or year, not a list or mapping",
            )
        )
        return _UNUSABLE


_UNUSABLE = object()
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _TooBig(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
