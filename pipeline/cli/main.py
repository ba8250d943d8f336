"""Command line: `validate`, `new` and `schema` for departments; `build`, `import`, `server`
and `serve` for coordinators (those three in `cli_prefect`).

Nothing but `build` and `serve` imports Prefect, so checking a file answers at once."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.check.validate import check_cycle_config, expected_department
from pipeline.cli import portal_commands, prefect_arguments
from pipeline.cli.prefect_arguments import SUBMISSIONS_HELP, Commands
from pipeline.commands import COMMAND, command, shown_path
from pipeline.errors import InvalidInputError, PipelineError, Problem, Severity
from pipeline.names import closest
from pipeline.operations.status import counted
from pipeline.read.source import read_cycle
from pipeline.service import check_path
from pipeline.settings import SETTINGS
from pipeline.submission.files import (
    REPORT_CONFIG_FILE,
    REPORT_SCHEMA_FILE,
    SUBMISSION_SCHEMA_FILE,
    submission_file_name,
)
from pipeline.submission.scaffold import new_submission, schema_files


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        return int(arguments.command(arguments))
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Build the annual progress report from departments' submissions."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    _add_validate(commands)
    _add_new(commands)
    _add_schema(commands)
    prefect_arguments.add_build(commands)
    prefect_arguments.add_serve(commands)
    prefect_arguments.add_server(commands)
    prefect_arguments.add_deploy(commands)
    prefect_arguments.add_worker(commands)
    portal_commands.add_parser(commands)
    _add_import(commands)
    return parser


def _add_validate(commands: Commands) -> None:
    check = commands.add_parser("validate", help="check submission files (or whole cycle folders) before dropping them")
    check.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a submission file, or a cycle's folder to check all of it"
    )
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.add_argument(
        "--cycle",
        help="check a file kept anywhere as this cycle's (a folder under submissions/, e.g. 2015-action-04), as if it "
        "replaced the file of the department it names",
    )
    check.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    check.set_defaults(command=_validate)


def _add_new(commands: Commands) -> None:
    new = commands.add_parser("new", help="start a department's submission with every section it must answer")
    new.add_argument("--cycle", required=True, help="folder under submissions/, e.g. 2015-action-04")
    new.add_argument("--department", required=True, help="the department's name as listed in report.yaml")
    new.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    new.set_defaults(command=_new)


def _add_schema(commands: Commands) -> None:
    schema = commands.add_parser("schema", help="print the JSON Schema editors use for submissions")
    schema.add_argument(
        "which",
        nargs="?",
        choices=["submission", "report"],
        default="submission",
        help="a department's file, or a cycle's report.yaml (default: %(default)s)",
    )
    schema.add_argument(
        "--write", action="store_true", help="update the checked-in copies under submissions/ instead of printing"
    )
    schema.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    schema.set_defaults(command=_schema)


def _add_import(commands: Commands) -> None:
    imported = commands.add_parser(
        "import",
        help="write a new cycle's submissions from a published departmental-responses page (plain text or govspeak)",
    )
    imported.add_argument(
        "page", type=Path, metavar="PAGE", help="the page's text, or its govspeak from the publisher, saved as UTF-8"
    )
    imported.add_argument("--cycle", required=True, help="the new folder under submissions/, e.g. 2015-action-04")
    imported.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    imported.add_argument("--strategy", help="the strategy, if the page does not name it")
    imported.add_argument("--action", type=int, help="the action's number, if the page's title does not give it")
    imported.add_argument("--published", metavar="YYYY-MM-DD", help="the publication date, if the page has none")
    imported.add_argument(
        "--commitments-label",
        metavar="LABEL",
        help='when the commitments were made, e.g. "December 2012", if the page does not say',
    )
    imported.set_defaults(command=_import)


def _validate(arguments: argparse.Namespace) -> int:
    checked_files: list[Path] = []
    problems: list[Problem] = []
    for path in arguments.paths:
        files, found = check_path(path, arguments.cycle, arguments.submissions if arguments.cycle else None)
        checked_files += files
        # Each file's problems in the order of its lines, as an editor lists them.
        problems += sorted(found, key=lambda problem: (str(problem.file), problem.line, problem.column))
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
        print(f"{len(checked_files)} file(s) checked: {counted(len(errors), 'error')}, {counted(warnings, 'warning')}")
    return 1 if errors else 0


def _new(arguments: argparse.Namespace) -> int:
    sources = read_cycle(arguments.submissions, arguments.cycle, submissions=False)
    folder = sources.folder
    config, earlier, problems = check_cycle_config(sources)
    if config is None:
        raise InvalidInputError(problems)
    department = expected_department(arguments.department, config)
    if department is None:
        guess = closest(arguments.department, config.department_names)
        names = config.department_names
        suggestion = f'did you mean "{guess}"?' if guess else "the departments are:\n  " + "\n  ".join(names)
        print(f'error: "{arguments.department}" is not expected in {arguments.cycle}; {suggestion}', file=sys.stderr)
        return 1
    target = folder / submission_file_name(department)
    try:
        with open(target, "x", encoding="utf-8") as file:  # never overwrite a department's work
            published = earlier.get(department)
            carried = published.sections if published else {}
            file.write(
                new_submission(config, arguments.cycle, department, carried, published.cycle if published else "")
            )
    except FileExistsError:
        print(f"error: {target} already exists; edit it, or move it aside to start again", file=sys.stderr)
        return 1
    print(f"wrote {target}\nfill in each section, then check it: {command('validate', shown_path(target))}")
    return 0


def _schema(arguments: argparse.Namespace) -> int:
    files = schema_files()
    if arguments.write:
        for name, text in files.items():
            (arguments.submissions / name).write_text(text, encoding="utf-8")
            print(f"wrote {arguments.submissions / name}")
    else:
        name = SUBMISSION_SCHEMA_FILE if arguments.which == "submission" else REPORT_SCHEMA_FILE
        sys.stdout.write(files[name])
    return 0


def _import(arguments: argparse.Namespace) -> int:
    import datetime

    from pipeline.importer import PageOptions, import_page

    try:
        published = datetime.date.fromisoformat(arguments.published) if arguments.published else None
    except ValueError:
        print(f"error: --published {arguments.published}: write the date as YYYY-MM-DD", file=sys.stderr)
        return 1
    try:
        options = PageOptions(arguments.strategy, arguments.action, published, arguments.commitments_label)
        folder, imported, warnings = import_page(arguments.page, arguments.submissions, arguments.cycle, options)
    except InvalidInputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"nothing was written to {arguments.submissions}", file=sys.stderr)
        return 1
    for problem in warnings:
        print(problem, file=sys.stderr)
    print(f"wrote {folder}: {REPORT_CONFIG_FILE} and {counted(len(imported.submissions), 'department file')}")
    print(f"check it against the page, then build it: {command('build', '--cycle', arguments.cycle)}")
    return 0
