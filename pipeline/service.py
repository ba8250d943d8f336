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
from pipeline.read.source import CycleSources
from pipeline.read.yaml_file import parse_yaml
from pipeline.records import FileResult
from pipeline.submission.files import REPORT_CONFIG_FILE, SUBMISSION_SUFFIXES, submission_file_name
from pipeline.submission.schema import ReportConfig
from pipeline.workspace import Workspace


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


def own_file_name(sources: CycleSources, config: ReportConfig, department: str) -> str:
    """The department's file in the cycle, found by the department it names whatever it is called;
    the name `new` would give it when it has none yet."""
    for submission in sources.submissions:
        data = submission.data
        named = data.get("department") if isinstance(data, dict) else None
        if validate.expected_department(named, config) == department:
            return submission.path.name
    return submission_file_name(department)


def check_path(
    path: Path, cycle: str | None = None, submissions_root: Path | None = None
) -> tuple[list[Path], list[Problem]]:
    """A file, checked against the cycle whose folder it is in, or a whole cycle's folder: the
    files checked, and their problems. With `cycle` (a folder under `submissions_root`), a file
    kept anywhere, checked as that cycle's file of the department it names."""
    if cycle is not None and submissions_root is not None:
        return _check_elsewhere(path, cycle, submissions_root)
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
                "a submission is checked against its cycle: name it (validate FILE --cycle 2015-action-04),"
                " or put the file in the cycle's folder under submissions/",
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


def _check_elsewhere(path: Path, cycle: str, submissions_root: Path) -> tuple[list[Path], list[Problem]]:
    if not path.is_file():
        return [], [Problem(path, 1, 1, "", "no such file", "check the path; with --cycle, name one file")]
    content = path.read_bytes()
    sources = source.read_cycle(submissions_root, cycle)
    config, _, config_problems = validate.check_cycle_config(sources)
    name = path.name if path.name.endswith(SUBMISSION_SUFFIXES) else f"{path.stem}.yaml"
    data = parse_yaml(path, content).data
    named = data.get("department") if isinstance(data, dict) else None
    department = validate.expected_department(named, config) if config is not None else None
    if config is not None and department is not None:
        name = own_file_name(sources, config, department)  # as if it replaced the department's own
    result = check_upload(Workspace(submissions_root), cycle, name, content)
    shown = [
        dataclasses.replace(problem, file=path) if problem.file == result.path else problem
        for problem in result.problems
    ]
    return [path], shown if config is not None else config_problems
