"""The code's shape holds: each part of `pipeline` imports only parts below it (read bottom-up in
the README's *How it works*), so there is no import cycle between them, and nothing below the
command line imports it; and no module or function grows past the size that asks to be split."""

from __future__ import annotations

import ast
from collections import defaultdict

from tests.paths import PROJECT

PIPELINE = PROJECT / "pipeline"

# Each part of pipeline (a package, or a module at its top) and its rank: a part imports only
# parts of a lower rank. The ways in are at the top; the vocabulary and the base at the bottom.
RANKS = {
    **dict.fromkeys(("characters", "names", "commands", "settings", "atomic"), 0),
    "errors": 1,
    **dict.fromkeys(("workspace", "records", "submission"), 2),
    **dict.fromkeys(("request", "read"), 3),
    "check": 4,
    "model": 5,
    "render": 6,
    **dict.fromkeys(("publish", "service", "runners"), 7),
    "operations": 8,
    "stages": 9,
    "editions": 10,
    **dict.fromkeys(("orchestration", "portal", "importer"), 11),
    "cli": 12,
    "__main__": 13,
}


def _part(module: str) -> str:
    """pipeline.check.validate → check; pipeline.errors → errors."""
    return module.split(".")[1]


def _imports() -> dict[str, set[tuple[str, str]]]:
    """Each part's imports of other parts: (the part imported, the importing file)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in PIPELINE.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        importer = path.relative_to(PIPELINE).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
                modules = (
                    [f"pipeline.{alias.name}" for alias in node.names] if node.module == "pipeline" else [node.module]
                )
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names if alias.name.startswith("pipeline.")]
            else:
                continue
            for module in modules:
                if _part(module) != importer:
                    found[importer].add((_part(module), str(path.relative_to(PROJECT))))
    return found


def test_every_part_is_ranked() -> None:
    parts = {path.name.removesuffix(".py") for path in PIPELINE.iterdir() if path.name != "__init__.py"}
    parts = {part for part in parts if part != "__pycache__"}
    assert parts == set(RANKS)


def test_each_part_imports_only_parts_below_it() -> None:
    upward = sorted(
        f"{file} imports pipeline.{imported} ({importer}, rank {RANKS[importer]}, imports rank {RANKS[imported]})"
        for importer, imports in _imports().items()
        for imported, file in imports
        if RANKS[imported] >= RANKS[importer]
    )
    assert upward == []


def test_nothing_below_the_command_line_imports_it() -> None:
    assert [file for importer, imports in _imports().items() for imported, file in imports if imported == "cli"] == [
        "pipeline/__main__.py"
    ]


def test_no_module_over_350_lines_and_no_function_over_60() -> None:
    modules, functions = [], []
    for path in PIPELINE.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 350:
            modules.append(f"{path.relative_to(PROJECT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    functions.append(f"{path.relative_to(PROJECT)}:{node.name}: {length} lines")
    assert (modules, functions) == ([], [])
