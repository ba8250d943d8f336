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
from pipeline.cli import portal_commands, prefect_commands
from pipeline.cli.scaffold import (
    REPORT_SCHEMA_FILE,
    SUBMISSION_SCHEMA_FILE,
    new_submission,
    schema_files,
    submission_file_name,
)
from pipeline.commands import COMMAND, command, shown_path
from pipeline.errors import InvalidInputError, PipelineError, Problem, Severity
from pipeline.names import closest
from pipeline.operations.status import counted
from pipeline.read.source import REPORT_CONFIG_FILE, read_cycle
from pipeline.render import OutputFormat
from pipeline.service import check_path
from pipeline.settings import SETTINGS


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

    new = commands.add_parser("new", help="start a department's submission with every section it must answer")
    new.add_argument("--cycle", required=True, help="folder under submissions/, e.g. 2015-action-04")
    new.add_argument("--department", required=True, help="the department's name as listed in report.yaml")
    new.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    new.set_defaults(command=_new)

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

    build = commands.add_parser(
        "build", help="run the annual-report flow: publish a cycle in every format it publishes, or preview it"
    )
    build.add_argument(
        "--cycle", default=SETTINGS.default_cycle, help="folder under submissions/ (default: %(default)s)"
    )
    build.add_argument(
        "--format",
        dest="formats",
        action="append",
        type=OutputFormat.named,
        choices=list(OutputFormat),
        help="a format to build; repeat for several. Fewer than the cycle publishes make a preview, written to "
        "outputs/.preview/<cycle>/ (default: every format the cycle publishes: its report.yaml's formats:, "
        "or all of them)",
    )
    build.add_argument(
        "--preview",
        action="store_true",
        help="write the build to outputs/.preview/<cycle>/ and leave the publication and the hub as they are",
    )
    build.add_argument("--all", action="store_true", help="build every cycle under submissions/")
    build.add_argument(
        "--edition",
        metavar="NAME",
        help="build every cycle of an edition (the cycles published on one date, named by the year, e.g. 2012), "
        "then a page per department and the edition's landing page, in outputs/editions/NAME/",
    )
    build.add_argument(
        "--workers",
        type=_positive,
        default=SETTINGS.workers,
        metavar="N",
        help="with --all or --edition: build N cycles at once, each in a process of its own (default: %(default)s)",
    )
    build.add_argument(
        "--pool",
        help="with --all or --edition: run each cycle as an annual-report run of its own on this work pool's "
        "workers (make deploy, then make worker on each machine), instead of --workers here",
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="publish nothing if there is any problem, warnings and departments that have not answered included",
    )
    build.add_argument(
        "--review",
        action="store_true",
        help="stage the build and publish it only when a reviewer approves it in the Prefect UI (needs "
        "`make server`); a cycle whose report.yaml says review: required is always reviewed",
    )
    build.add_argument(
        "--without-review",
        metavar="REASON",
        help="publish without a reviewer, though the cycle's report.yaml requires review or its publication "
        "was approved; the manifest, status.md and the hub record who said so, when, and this reason",
    )
    build.add_argument(
        "--review-timeout",
        type=_positive,
        default=SETTINGS.review_timeout_seconds,
        metavar="SECONDS",
        help="with --review: publish nothing if no reviewer answers within this time (default: %(default)s, 7 days)",
    )
    build.add_argument(
        "--keep-history",
        type=int,
        default=SETTINGS.keep_history,
        metavar="N",
        help="previous builds to keep (default: %(default)s)",
    )
    build.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    build.add_argument("--outputs", type=Path, default=SETTINGS.outputs, help=OUTPUTS_HELP)
    build.set_defaults(command=prefect_commands.build)

    served = commands.add_parser(
        "serve", help="register the deployments with the Prefect server at PREFECT_API_URL and run them"
    )
    served.add_argument(
        "--schedule", default=SETTINGS.schedule, help="cron for the yearly build (default: %(default)s)"
    )
    _on_the_server(served)
    served.set_defaults(command=prefect_commands.serve)

    server = commands.add_parser(
        "server", help=f"start a Prefect server and its UI on {SETTINGS.server_host} (stop it with Ctrl-C)"
    )
    server.add_argument(
        "--port", type=int, default=SETTINGS.server_port, help="the port to listen on (default: %(default)s)"
    )
    server.add_argument(
        "--host",
        default=SETTINGS.server_host,
        help="the address to listen on (default: %(default)s, this machine only); any other needs "
        "PREFECT_SERVER_API_AUTH_STRING set",
    )
    server.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default=SETTINGS.server_database,
        help="the server's database (default: %(default)s); postgres starts the project's own PostgreSQL "
        "cluster with the server, and stops it with the server",
    )
    server.add_argument(
        "--db-port",
        type=int,
        default=SETTINGS.postgres_port,
        help="with --db postgres: its port on 127.0.0.1 (default: %(default)s)",
    )
    server.add_argument(
        "--db-url",
        help="a PostgreSQL server of your own instead of the project's cluster: postgresql+asyncpg://user:password@"
        "host:port/database (or set Prefect's PREFECT_SERVER_DATABASE_CONNECTION_URL); its version and pg_trgm are "
        "checked first",
    )
    server.set_defaults(command=prefect_commands.server)

    deployed = commands.add_parser(
        "deploy",
        help="register the deployments on a process work pool of the server at PREFECT_API_URL, for make worker",
    )
    deployed.add_argument("--pool", default=SETTINGS.work_pool, help="the work pool (default: %(default)s)")
    _on_the_server(deployed)
    deployed.set_defaults(command=prefect_commands.deploy)

    working = commands.add_parser(
        "worker", help="take flow runs from the work pool and run them here (stop it with Ctrl-C)"
    )
    working.add_argument("--pool", default=SETTINGS.work_pool, help="the work pool (default: %(default)s)")
    working.add_argument(
        "--limit", type=_positive, default=SETTINGS.worker_limit, help="flow runs at once (default: %(default)s)"
    )
    working.add_argument("--name", help="the worker's name in the UI (default: Prefect's)")
    working.add_argument(
        "--port", type=int, default=SETTINGS.server_port, help="the server's port (default: %(default)s)"
    )
    working.set_defaults(command=prefect_commands.worker)

    portal_commands.add_parser(commands)

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
    return parser


def _on_the_server(parser: argparse.ArgumentParser) -> None:
    """What serve and deploy take: the folders the runs work in, and the server's port."""
    parser.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    parser.add_argument("--outputs", type=Path, default=SETTINGS.outputs, help=OUTPUTS_HELP)
    parser.add_argument(
        "--port", type=int, default=SETTINGS.server_port, help="the server's port (default: %(default)s)"
    )


SUBMISSIONS_HELP = "the folder holding the cycles, one folder each (default: submissions/ in the project)"
OUTPUTS_HELP = "where builds are published, one folder per cycle (default: outputs/ in the project)"


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
            file.write(new_submission(config, arguments.cycle, department, earlier.get(department)))
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


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number
