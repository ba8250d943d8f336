"""Write an imported page as a cycle's folder: report.yaml and one YAML file per department,
all of it or nothing.

The files go to a staging folder beside the target, are checked as a build would check
them, and the folder is renamed into place only if there is no error. An existing cycle
is never overwritten.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from pipeline.check.checked import has_errors
from pipeline.check.validate import check_cycle
from pipeline.errors import InvalidInputError, PipelineError, Problem, Severity
from pipeline.importer.page import ImportedCycle
from pipeline.read.source import read_cycle
from pipeline.submission import sections
from pipeline.submission.files import (
    CYCLE_NAME,
    REPORT_CONFIG_FILE,
    REPORT_SCHEMA_FILE,
    SUBMISSION_SCHEMA_FILE,
    submission_file_name,
)


class _Literal(str):
    """Text written in YAML's literal style ("|"), when YAML can hold it exactly so."""


class _Quoted(str):
    """Text written in double quotes."""


class _Flow(list[Any]):
    """A list written on one line: [2013, 2014]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent a list under its key ("  - Home Office"), as the hand-written files do.
        return super().increase_indent(flow, False)


_STR = "tag:yaml.org,2002:str"
# PyYAML falls back to quotes whenever a block cannot hold a value exactly (trailing
# spaces, control characters), so every value reads back as it was.
_Dumper.add_representer(_Literal, lambda dumper, value: dumper.represent_scalar(_STR, str(value), style="|"))
_Dumper.add_representer(_Quoted, lambda dumper, value: dumper.represent_scalar(_STR, str(value), style='"'))
_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


def dump_yaml(data: dict[str, Any], comments: list[str]) -> str:
    """YAML for a report.yaml or a submission: `comments` first, each value safely written."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31)
    text = "".join(f"# {comment}\n" for comment in comments) + body
    if yaml.safe_load(text) != data:
        raise PipelineError(f"the YAML written for {comments[0]} does not read back as the text imported (a bug)")
    return text


def report_yaml(config: dict[str, Any], page: Path) -> str:
    data = {
        key: _Quoted(value) if key in ("title", "strategy", "intro", "published") else value
        for key, value in config.items()
    }
    data["reporting_years"] = _Flow(config["reporting_years"])
    data["departments"] = [_Quoted(name) for name in config["departments"]]
    return dump_yaml(
        data,
        [
            f"yaml-language-server: $schema=../{REPORT_SCHEMA_FILE}",
            f"Imported from {_one_line(page.name)} by python -m pipeline import.",
            "What the report is and which departments are expected to respond;",
            "each department's response is a file of its own beside this one.",
        ],
    )


def submission_yaml(submission: dict[str, Any], config: dict[str, Any], page: Path) -> str:
    data: dict[str, Any] = {"department": _Quoted(submission["department"])}
    for kind in sections.kinds():
        if kind.key not in submission:
            continue
        if kind.yearly:
            data[kind.key] = {year: _Literal(text) for year, text in submission[kind.key].items()}
        else:
            data[kind.key] = _Literal(submission[kind.key])
    return dump_yaml(
        data,
        [
            f"yaml-language-server: $schema=../{SUBMISSION_SCHEMA_FILE}",
            f"{_one_line(submission['department'])}: response to Action {config['action']} of the "
            f"{_one_line(config['strategy'])}.",
            f"Imported from {_one_line(page.name)} by python -m pipeline import. The published text does",
            "not give the department's short name (e.g. DH): add short_name: if the text uses one.",
            'Text is paragraphs separated by a blank line, "- " bullet lists and [text](https://…) links.',
        ],
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cycle_files(imported: ImportedCycle) -> dict[str, str]:
    """report.yaml and a file per department, by name."""
    files = {REPORT_CONFIG_FILE: report_yaml(imported.config, imported.page)}
    for submission in imported.submissions:
        files[submission_file_name(submission["department"])] = submission_yaml(
            submission, imported.config, imported.page
        )
    return files


def _checked_as_built(imported: ImportedCycle, staging: Path, cycle: str, target: Path) -> list[Problem]:
    """The staged cycle checked as a build would check it: its problems, said where each would be
    (the staging folder is about to go); InvalidInputError when any is an error."""
    folder = staging / cycle
    checked, problems = check_cycle(read_cycle(staging, cycle))
    problems = [
        dataclasses.replace(problem, file=target / problem.file.relative_to(folder))
        if problem.file.is_relative_to(folder)
        else problem
        for problem in problems
    ]
    if checked is None or has_errors(problems):
        raise InvalidInputError(
            [
                Problem(
                    imported.page,
                    1,
                    1,
                    "",
                    f"the cycle imported from this page does not pass the pipeline's checks, so {target} was"
                    " not written",
                    "correct the page's text where the problems below say, then import it again",
                ),
                *problems,
            ]
        )
    return problems


def write_imported_cycle(imported: ImportedCycle, submissions_root: Path, cycle: str) -> tuple[Path, list[Problem]]:
    """Write the cycle's folder, all of it or nothing; returns it and its warnings.

    The files go to a staging folder beside the target, are checked as a build would
    check them, and the folder is renamed into place only if there is no error.
    An existing cycle is never overwritten."""
    if not CYCLE_NAME.fullmatch(cycle):
        raise PipelineError(
            f"{cycle!r} is not a cycle name: use letters, digits, '.', '_' and '-', such as 2016-action-04"
        )
    if not submissions_root.is_dir():
        raise PipelineError(f"{submissions_root}: no such folder; give the submissions folder with --submissions")
    target = submissions_root / cycle
    exists = PipelineError(
        f"{target} already exists: an import never overwrites a cycle; choose another --cycle, or move it aside"
    )
    if target.exists() or target.is_symlink():
        raise exists
    staging = Path(tempfile.mkdtemp(prefix=f".import-{cycle}-", dir=submissions_root))
    try:
        folder = staging / cycle
        folder.mkdir()
        for name, text in _cycle_files(imported).items():
            with open(folder / name, "x", encoding="utf-8", newline="\n") as file:
                file.write(text)
        problems = _checked_as_built(imported, staging, cycle, target)
        try:
            # rename() fails on a folder that appeared meanwhile, unless it is empty.
            os.rename(folder, target)
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                raise exists from None
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target, [problem for problem in problems if problem.severity is Severity.WARNING]
