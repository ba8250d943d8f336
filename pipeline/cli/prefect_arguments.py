"""The command line's arguments for the commands that run on Prefect: build, serve, server,
deploy and worker (`pipeline.cli.prefect_commands` runs them)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from pipeline.cli import prefect_commands
from pipeline.render import OutputFormat
from pipeline.settings import SETTINGS

# The command line's subcommands, as each command adds its own.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
SUBMISSIONS_HELP = "the folder holding the cycles, one folder each (default: submissions/ in the project)"
OUTPUTS_HELP = "where builds are published, one folder per cycle (default: outputs/ in the project)"


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def add_build(commands: Commands) -> None:
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
    _add_review_options(build)
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


def _add_review_options(build: argparse.ArgumentParser) -> None:
    """Whether a build is reviewed before it publishes, and how long it waits."""
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


def add_serve(commands: Commands) -> None:
    served = commands.add_parser(
        "serve", help="register the deployments with the Prefect server at PREFECT_API_URL and run them"
    )
    served.add_argument(
        "--schedule", default=SETTINGS.schedule, help="cron for the yearly build (default: %(default)s)"
    )
    _on_the_server(served)
    served.set_defaults(command=prefect_commands.serve)


def add_server(commands: Commands) -> None:
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


def add_deploy(commands: Commands) -> None:
    deployed = commands.add_parser(
        "deploy",
        help="register the deployments on a process work pool of the server at PREFECT_API_URL, for make worker",
    )
    deployed.add_argument("--pool", default=SETTINGS.work_pool, help="the work pool (default: %(default)s)")
    _on_the_server(deployed)
    deployed.set_defaults(command=prefect_commands.deploy)


def add_worker(commands: Commands) -> None:
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


def _on_the_server(parser: argparse.ArgumentParser) -> None:
    """What serve and deploy take: the folders the runs work in, and the server's port."""
    parser.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    parser.add_argument("--outputs", type=Path, default=SETTINGS.outputs, help=OUTPUTS_HELP)
    parser.add_argument(
        "--port", type=int, default=SETTINGS.server_port, help="the server's port (default: %(default)s)"
    )
