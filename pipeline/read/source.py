"""Find a cycle's files and read them: its report.yaml, one YAML file per department, and the
earlier cycles it carries forward."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline import characters
from pipeline.errors import CycleNotFoundError
from pipeline.names import closest
from pipeline.read.yaml_file import SourceFile, load_yaml
from pipeline.submission.files import CYCLE_NAME, REPORT_CONFIG_FILE


@dataclass
class CycleSources:
    """Everything a cycle's folder holds, loaded but not yet checked."""

    cycle: str
    folder: Path
    config: SourceFile
    submissions: list[SourceFile]
    # The cycle this one updates (its config's previous_cycle), read the same way.
    previous: CycleSources | None = None

    def all_files(self) -> list[SourceFile]:
        """Every file the report is built from, this cycle's and the earlier cycles' it carries forward."""
        earlier = self.previous.all_files() if self.previous else []
        return [self.config, *self.submissions, *earlier]

    @property
    def earlier_sha256(self) -> str:
        """One hash of the earlier cycles' files: a check that uses them depends on all of them."""
        digest = hashlib.sha256()
        for source in self.previous.all_files() if self.previous else []:
            digest.update(f"{source.path.name}:{source.sha256}\n".encode())
        return digest.hexdigest()


def cycle_folder(submissions_root: Path, cycle: str) -> Path:
    """The folder holding a cycle's submissions; the cycle name is never a path of its own.
    When there is none, the error lists the cycles there are."""
    if not CYCLE_NAME.fullmatch(cycle):
        raise CycleNotFoundError(
            f"{cycle!r} is not a cycle name: use the name of a folder under {submissions_root}, such as 2015-action-04"
            + _cycles_there(submissions_root, cycle)
        )
    folder = submissions_root / cycle
    if folder.is_symlink() or (folder / REPORT_CONFIG_FILE).is_symlink():
        raise CycleNotFoundError(f"{folder}: a cycle must be a folder of its own under {submissions_root}, not a link")
    if not folder.is_dir():
        raise CycleNotFoundError(
            f"there is no cycle {cycle!r} in {submissions_root}" + _cycles_there(submissions_root, cycle)
        )
    if not (folder / REPORT_CONFIG_FILE).is_file():
        raise CycleNotFoundError(
            f"{folder / REPORT_CONFIG_FILE}: no report config; a cycle is a folder under "
            f"{submissions_root} holding {REPORT_CONFIG_FILE} and one YAML file per department"
            + _cycles_there(submissions_root, cycle)
        )
    return folder


def _cycles_there(submissions_root: Path, cycle: str) -> str:
    try:
        cycles = find_cycles(submissions_root)
    except OSError:
        return ""
    if not cycles:
        return f"\nthere are no cycles in {submissions_root}"
    guess = closest(cycle, cycles)
    return (f'\ndid you mean "{guess}"?' if guess else "") + f"\nthe cycles there are: {', '.join(cycles)}"


def find_cycles(submissions_root: Path) -> list[str]:
    """Every cycle under the submissions folder: each folder holding a report.yaml."""
    if not submissions_root.is_dir():
        return []
    return sorted(
        folder.name
        for folder in submissions_root.iterdir()
        if folder.is_dir() and CYCLE_NAME.fullmatch(folder.name) and (folder / REPORT_CONFIG_FILE).is_file()
    )


def read_cycle(submissions_root: Path, cycle: str, *, submissions: bool = True) -> CycleSources:
    """A cycle's config and submissions, and the earlier cycles it carries forward.

    With submissions=False only this cycle's config is read (the earlier cycles in full):
    enough to check one file of it."""
    return _read_cycle(submissions_root, cycle, submissions, ())


# A chain of updates longer than this is a mistake, not a history.
MAX_EARLIER_CYCLES = 50


def _read_cycle(submissions_root: Path, cycle: str, submissions: bool, later: tuple[str, ...]) -> CycleSources:
    folder = cycle_folder(submissions_root, cycle)
    config_path = folder / REPORT_CONFIG_FILE
    submission_paths = sorted(
        path for pattern in ("*.yaml", "*.yml") for path in folder.glob(pattern) if path.name != REPORT_CONFIG_FILE
    )
    sources = CycleSources(
        cycle=cycle,
        folder=folder,
        config=load_yaml(config_path),
        submissions=[_submission(path, folder) for path in submission_paths] if submissions else [],
    )
    sources.previous = _read_previous(sources, submissions_root, (*later, cycle))
    return sources


def _read_previous(sources: CycleSources, submissions_root: Path, chain: tuple[str, ...]) -> CycleSources | None:
    data = sources.config.data
    previous = data.get("previous_cycle") if isinstance(data, dict) else None
    if not isinstance(previous, str) or not CYCLE_NAME.fullmatch(previous):
        return None  # absent, or not a name: the config's check says so
    path = ("previous_cycle",)
    if previous in chain:
        sources.config.problems.append(
            sources.config.problem(
                path,
                f"{previous} is already part of this chain of cycles ({' → '.join((*chain, previous))})",
                "name the cycle this report updates, which must be an earlier one",
            )
        )
        return None
    if len(chain) > MAX_EARLIER_CYCLES:
        sources.config.problems.append(sources.config.problem(path, f"more than {MAX_EARLIER_CYCLES} earlier cycles"))
        return None
    try:
        return _read_cycle(submissions_root, previous, True, chain)
    except CycleNotFoundError as error:
        sources.config.problems.append(
            sources.config.problem(
                path,
                f"the previous cycle {previous} cannot be read: {error}",
                f"name a folder under {submissions_root.name}/ that holds the earlier report, or remove previous_cycle",
            )
        )
        return None


def _submission(path: Path, folder: Path) -> SourceFile:
    if characters.shown(path.name) != path.name:
        return _badly_named(path)
    return load_yaml(path) if _inside(path, folder) else _outside(path)


def _badly_named(path: Path) -> SourceFile:
    """A file whose name holds a character no name shown to people may (a direction override, a
    control character, a byte that is not UTF-8): not read, and named only as it may be shown."""
    source = SourceFile(path=path.with_name(characters.shown(path.name)), sha256="")
    found = next(characters.in_value(path.name), None)
    what = found.message if found else "a byte that is not UTF-8"
    source.add(
        1, 1, f"the file's name has {what}, so it was not read", "rename the file: its department's name will do"
    )
    return source


def _inside(path: Path, folder: Path) -> bool:
    """A link is followed only if it stays inside the cycle's folder."""
    return path.resolve().is_relative_to(folder.resolve()) and path.resolve().is_file()


def _outside(path: Path) -> SourceFile:
    source = SourceFile(path=path, sha256="")
    source.add(
        1,
        1,
        "is a link to a file outside the cycle's folder, so it was not read",
        "copy the file itself into the folder instead of linking to it",
    )
    return source
