"""Checking one file as a department hands it in: the entry the command line, the file-drop
trigger and a web page all call.

`check_upload` checks the bytes as if they were saved under their name in the cycle, with
the cycle's other files around them (so that, say, a second file for the same department
is found), and writes nothing. `check_path` is the command line's: a file or a cycle's
folder, wherever it is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.check import validate
from pipeline.check.validate import CheckCache
from pipeline.errors import Problem
from pipeline.read import source
from pipeline.read.source import REPORT_CONFIG_FILE
from pipeline.read.yaml_file import parse_yaml
from pipeline.records import FileResult
from pipeline.workspace import Workspace

SUBMISSION_SUFFIXES = (".yaml", ".yml")


def check_upload(
    workspace: Workspace, cycle: str, name: str, content: bytes, cache: CheckCache | None = None
) -> FileResult:
    """The file's own problems and whose file it is, as if `content` were saved as `name` in the cycle."""
    folder = source.cycle_folder(workspace.submissions, cycle)
    path = folder / name
    if Path(name).name != name or name.startswith(".") or not name.endswith(SUBMISSION_SUFFIXES):
        problem = Problem(
            path, 1, 1, "", "is not a submission's file name", "name it after the department, e.g. health.yaml"
        )
        return FileResult(cycle, name, path, False, (problem,), None, None)
    uploaded = parse_yaml(path, content)
    if name == REPORT_CONFIG_FILE:  # the cycle's config, checked on its own (and the cycles it updates)
        sources = dataclasses.replace(
            source.read_cycle(workspace.submissions, cycle, submissions=False), config=uploaded
        )
        _, _, config_problems = validate.check_cycle_config(sources)
        return FileResult(cycle, name, path, True, tuple(config_problems), None, None)
    sources = source.read_cycle(workspace.submissions, cycle)
    others = [submission for submission in sources.submissions if submission.path.name != name]
    sources = dataclasses.replace(sources, submissions=sorted([*others, uploaded], key=lambda file: file.path))
    checked, problems = validate.check_cycle(sources, cache)
    if checked is None:  # the config's problems stand in the way of checking the file
        return FileResult(cycle, name, path, True, tuple(problems), None, None)
    standing = checked.standing_of(path)
    return FileResult(
        cycle=cycle,
        name=name,
        path=path,
        exists=True,
        problems=tuple(problem for problem in problems if problem.file == path),
        department=standing.name if standing else None,
        contact=checked.config.contacts.get(standing.name) if standing else None,
    )


def check_path(path: Path) -> tuple[list[Path], list[Problem]]:
    """A file, checked against the cycle whose folder it is in, or a whole cycle's folder:
    the files checked, and their problems."""
    if path.is_dir():
        sources = source.read_cycle(path.parent, path.name)
        _, problems = validate.check_cycle(sources)
        return [sources.config.path, *(submission.path for submission in sources.submissions)], problems
    if not path.is_file():
        return [], [Problem(path, 1, 1, "", "no such file", "check the path")]
    config_path = path.parent / REPORT_CONFIG_FILE
    if not config_path.is_file():
        return [path], [
            Problem(
                path,
                1,
                1,
                "",
                f"no {REPORT_CONFIG_FILE} beside this file",
                "a submission is checked against its cycle: put it in the cycle's folder under submissions/",
            )
        ]
    folder = path.parent if path.parent.name else Path.cwd()
    result = check_upload(Workspace(folder.parent), folder.name, path.name, path.read_bytes())
    # Each problem names the file as it was given.
    shown = [
        dataclasses.replace(problem, file=path) if problem.file == result.path else problem
        for problem in result.problems
    ]
    return [path], shown
