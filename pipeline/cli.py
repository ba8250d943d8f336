"""Command line: `python -m pipeline validate FILE…` for departments, `build` for coordinators."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import PipelineError, Problem, Severity
from pipeline.render import FORMATS
from pipeline.schema import REPORT_CONFIG_FILE
from pipeline.source import CycleSources, load_yaml, read_cycle
from pipeline.validate import check_config, check_cycle, check_submission

PROJECT = Path(__file__).resolve().parents[1]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        return int(arguments.command(arguments))
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annual-report", description="Build the annual progress report from departments' submissions."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    check = commands.add_parser("validate", help="check submission files (or whole cycle folders) before dropping them")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.set_defaults(command=_validate)

    build = commands.add_parser("build", help="run the annual-report flow and publish the outputs")
    build.add_argument("--cycle", default="2015-action-04", help="folder under submissions/ (default: %(default)s)")
    build.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=FORMATS,
        help="output format; repeat for several (default: all)",
    )
    build.add_argument("--strict", action="store_true", help="publish nothing if any file has a problem")
    build.add_argument("--submissions", type=Path, default=PROJECT / "submissions")
    build.add_argument("--outputs", type=Path, default=PROJECT / "outputs")
    build.set_defaults(command=_build)
    return parser


def _validate(arguments: argparse.Namespace) -> int:
    checked_files: list[Path] = []
    problems: list[Problem] = []
    for path in arguments.paths:
        files, found = _check_path(path)
        checked_files += files
        problems += found
    errors = [problem for problem in problems if problem.severity is Severity.ERROR]
    if arguments.json:
        print(
            json.dumps(
                {
                    "valid": not errors,
                    "files": [str(path) for path in checked_files],
                    "problems": [problem.to_json() for problem in problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for problem in problems:
            print(problem)
        warnings = len(problems) - len(errors)
        print(f"{len(checked_files)} file(s) checked: {_count(len(errors), 'error')}, {_count(warnings, 'warning')}")
    return 1 if errors else 0


def _check_path(path: Path) -> tuple[list[Path], list[Problem]]:
    if path.is_dir():
        sources: CycleSources = read_cycle(path.parent, path.name)
        _, problems = check_cycle(sources)
        return [sources.config.path, *(source.path for source in sources.submissions)], problems
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
    config, problems = check_config(load_yaml(config_path))
    if path.name == REPORT_CONFIG_FILE or config is None:
        return [config_path], problems
    _, submission_problems = check_submission(load_yaml(path), config)
    return [path], submission_problems


def _build(arguments: argparse.Namespace) -> int:
    # Prefect keeps its local database in the project, not the user's home.
    os.environ.setdefault("PREFECT_HOME", str(PROJECT / ".prefect"))
    from flows import annual_report

    state = annual_report(
        cycle=arguments.cycle,
        formats=arguments.formats or list(FORMATS),
        strict=arguments.strict,
        submissions_root=arguments.submissions.resolve(),
        outputs_root=arguments.outputs.resolve(),
        return_state=True,
    )
    if not state.is_completed():
        print(f"error: nothing published.\n{state.message}", file=sys.stderr)
        return 1
    published = state.result()
    print(f"published {published.folder}:")
    for output in published.manifest["outputs"]:
        print(f"  {output['file']:<12} {output['bytes']:>9,} bytes  sha256 {output['sha256'][:12]}…")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
