"""Keys written with a slip ("progess:", "not_aplicable:"), read as the key they most likely are.

Otherwise a department would fix the key, save, and only then hear of the mistakes under it.
Here a misspelt key is an error of its own, and what it holds is checked, in the same pass,
as the key it was meant to be. A key is read so only when the key it resembles is absent:
a file with both `progress:` and `progess:` has one unknown key, nothing more.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.read.yaml_file import FieldPath, SourceFile

# How alike a key must be to the one it is read as: difflib's own default, as the "did you mean" hint uses.
SIMILARITY = 0.6
NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Slip:
    written: FieldPath  # where the key is, as written: ("progess",), ("plans", 2014, "not_aplicable")
    meant: str


def meant(key: Any, known: Collection[str]) -> str | None:
    """The known key a written one most likely is, if any is close."""
    if not isinstance(key, str) or key in known:
        return None
    found = difflib.get_close_matches(key, list(known), n=1, cutoff=SIMILARITY)
    return found[0] if found else None


def read_as_meant(
    source: SourceFile, top_level: Collection[str], sections: Iterable[FieldPath]
) -> tuple[SourceFile, list[Slip]]:
    """The file as it was meant (its misspelt keys renamed), and the slips; the file itself when it has none.

    `top_level` are the keys a submission may have; `sections`, where a section's value sits,
    which may be a mapping holding not_applicable."""
    data = source.data
    if not isinstance(data, dict):
        return source, []
    slips: list[Slip] = []
    data = _renamed(data, (), top_level, slips)
    for section in sections:
        parent = _at(data, section[:-1])
        value = parent.get(section[-1]) if isinstance(parent, dict) else None
        if isinstance(value, dict):
            parent[section[-1]] = _renamed(value, section, (NOT_APPLICABLE,), slips)
    if not slips:
        return source, []
    moves = {slip.written: (*slip.written[:-1], slip.meant) for slip in slips}
    return (
        dataclasses.replace(
            source,
            data=data,
            value_positions=_moved(source.value_positions, moves),
            key_positions=_moved(source.key_positions, moves),
            block_scalars=set(_moved(dict.fromkeys(source.block_scalars), moves)),
            raw_scalars=_moved(source.raw_scalars, moves),
            problems=list(source.problems),
        ),
        slips,
    )


def _renamed(mapping: dict[Any, Any], where: FieldPath, known: Collection[str], slips: list[Slip]) -> dict[Any, Any]:
    renamed: dict[Any, Any] = {}
    for key, value in mapping.items():
        target = meant(key, known)
        if target is not None and target not in mapping and target not in renamed:
            slips.append(Slip((*where, key), target))
            renamed[target] = value
        else:
            renamed[key] = value
    return renamed


def _at(data: Any, path: FieldPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _moved(positions: dict[FieldPath, Any], moves: dict[FieldPath, FieldPath]) -> dict[FieldPath, Any]:
    moved = {}
    for path, value in positions.items():
        for written, meant_path in moves.items():
            if path[: len(written)] == written:
                path = (*meant_path, *path[len(written) :])
                break
        moved[path] = value
    return moved
