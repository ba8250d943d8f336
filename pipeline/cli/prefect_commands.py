"""The command line's commands that run on Prefect: `build`, `server` and `serve`.

Each checks what it can before Prefect is imported (a cycle that is not there, a reviewer no
server can ask), so that a mistake is said at once, and imports Prefect only then.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline.check.validate import check_config
from pipeline.commands import shown_path
from pipeline.errors import CycleNotFoundError, PipelineError
from pipeline.publish.purpose import decide
from pipeline.read.source import cycle_folder, find_cycles
from pipeline.read.yaml_file import load_yaml
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.settings import SETTINGS, api_url, prepare_prefect
from pipeline.submission.files import REPORT_CONFIG_FILE
from pipeline.workspace import Workspace


def build(arguments: argparse.Namespace) -> int:
    if arguments.edition:
        arguments.all = True  # an edition is built as all-reports builds: its cycles, then its own pages
    if arguments.review and arguments.all:
        print("error: --review builds one cycle; name it with --cycle", file=sys.stderr)
        return 1
    if arguments.without_review is not None and (arguments.review or arguments.preview or arguments.formats):
        print(
            "error: --without-review publishes without a reviewer; --review, --preview and --format do not publish "
            "that way: use one or the other",
            file=sys.stderr,
        )
        return 1
    if arguments.without_review is not None and not arguments.without_review.strip():
        print("error: --without-review needs a reason, which the publication records", file=sys.stderr)
        return 1
    if arguments.review and (arguments.preview or arguments.formats):
        print(
            "error: --review publishes what the reviewer approves, in every format the cycle publishes; "
            "--preview and --format build a preview: use one or the other",
            file=sys.stderr,
        )
        return 1
    submissions = arguments.submissions.resolve()
    # Before Prefect: a cycle that is not there, or that needs a reviewer no server can ask, is said at once.
    if arguments.edition:
        from pipeline.editions import find_edition  # the build's modules: not for validate's start-up

        find_edition(Workspace(submissions), arguments.edition)
        reviewer = None
    elif arguments.all:
        if not find_cycles(submissions):
            raise CycleNotFoundError(f"no cycles under {submissions}: each is a folder holding {REPORT_CONFIG_FILE}")
        reviewer = None
    else:
        cycle_folder(submissions, arguments.cycle)
        reviewer = _why_a_reviewer_is_needed(arguments, submissions)
    return _run_build(arguments, submissions, reviewer)


def _why_a_reviewer_is_needed(arguments: argparse.Namespace, submissions: Path) -> str | None:
    """Why this build waits for a reviewer in the Prefect UI, or None when it does not."""
    if arguments.review:
        return "--review waits for a reviewer in the Prefect UI"
    if arguments.without_review is not None:
        return None
    config, _ = check_config(load_yaml(submissions / arguments.cycle / REPORT_CONFIG_FILE))
    if config is None:
        return None  # an unusable config is reported by the build itself
    # What the build will decide, decided the same way now, before Prefect starts.
    purpose = decide(config, arguments.cycle, arguments.formats, preview=arguments.preview, review=None)
    if not purpose.reviewed:
        return None
    return (
        f"{arguments.cycle} is published only once a reviewer approves it (review: required in its "
        f"{REPORT_CONFIG_FILE}), and the reviewer answers in the Prefect UI; for a look without publishing, "
        "add --preview"
    )


def _run_build(arguments: argparse.Namespace, submissions: Path, reviewer: str | None) -> int:
    from pipeline.operations import progress
    from pipeline.orchestration.prefect_api import connect
    from pipeline.publish.publishing import Published, describe
    from pipeline.render import load_renderers

    workspace = Workspace(submissions, arguments.outputs.resolve())
    with connect(standing_only=reviewer) as api:  # a temporary server boots while the flow's code is imported
        prepare_prefect()
        from prefect.client.schemas.objects import State

        from flows import all_reports, annual_report
        from pipeline.orchestration.prefect_tasks import flush_to_server, returned_value

        load_renderers(arguments.formats or OutputFormat)
        api.wait()
        try:
            state: State[Any]
            with progress.on_terminal():
                if arguments.all:
                    state = all_reports(
                        formats=arguments.formats,
                        strict=arguments.strict,
                        without_review=arguments.without_review,
                        workers=arguments.workers,
                        edition=arguments.edition,
                        pool=arguments.pool,
                        submissions_root=workspace.submissions,
                        outputs_root=workspace.outputs,
                        return_state=True,
                    )
                else:
                    state = annual_report(**build_request(arguments, workspace).parameters(), return_state=True)
            result = returned_value(state)
        finally:
            flush_to_server()
    if arguments.all and isinstance(result, dict):
        for cycle, outcome in result.items():
            print(f"{cycle}: {outcome}")
    elif isinstance(result, Published):
        print(describe(result))
    if not state.is_completed():
        print(
            f"error: {state.message}" if arguments.all else f"error: nothing published.\n{state.message}",
            file=sys.stderr,
        )
        return 1
    return 0


def build_request(arguments: argparse.Namespace, workspace: Workspace) -> BuildRequest:
    """The build the command line asks for."""
    return BuildRequest(
        cycle=arguments.cycle,
        formats=tuple(arguments.formats) if arguments.formats else None,
        strict=arguments.strict,
        keep_history=arguments.keep_history,
        preview=arguments.preview,
        review=True if arguments.review else None,
        review_timeout_seconds=arguments.review_timeout,
        without_review=arguments.without_review,
        workspace=workspace,
    )


def server(arguments: argparse.Namespace) -> int:
    """Prefect's own server and UI, with its state in the project: on this machine only, unless
    asked to listen elsewhere with Prefect's basic authentication configured."""
    from pipeline.orchestration import postgres
    from pipeline.orchestration.prefect_api import require_auth_beyond_this_machine

    require_auth_beyond_this_machine(arguments.host)
    environment = {
        **os.environ,
        "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(SETTINGS.server_home)),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    if arguments.host == SETTINGS.server_host:  # elsewhere, the browser reaches the API at the address it used
        environment.setdefault("PREFECT_UI_API_URL", api_url(arguments.host, arguments.port))

    cluster = None
    given = arguments.db_url or os.environ.get(postgres.CONNECTION_URL)
    if given:  # an operator's own PostgreSQL, as Prefect's documentation describes, checked first
        postgres.check_server(given)
        environment[postgres.CONNECTION_URL] = given
        print(f"PostgreSQL: {postgres.shown(given)}", flush=True)
    elif arguments.db == "postgres":
        cluster = postgres.Cluster(Path(environment["PREFECT_HOME"]) / "postgres", arguments.db_port)
        environment[postgres.CONNECTION_URL] = cluster.start()
        print(f"PostgreSQL: the project's cluster in {cluster.folder}, on 127.0.0.1:{arguments.db_port}", flush=True)
    # Stopped by a signal rather than Ctrl-C (a service manager, `timeout`): stop as Ctrl-C does,
    # so that the server, and the database started for it, are stopped too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return _run_server(arguments, environment)
    finally:
        if cluster is not None:
            cluster.stop()


def _run_server(arguments: argparse.Namespace, environment: dict[str, str]) -> int:
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", arguments.host]
    started = subprocess.Popen(
        [*command, "--port", str(arguments.port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert started.stdout is not None
    try:
        for line in started.stdout:
            sys.stdout.write(_as_this_project_says(line))
            sys.stdout.flush()
        return started.wait()
    except KeyboardInterrupt:  # Ctrl-C in the terminal reaches the server too, which stops: wait for it, quietly
        return _stopped(started)


def _stopped(started: subprocess.Popen[Any]) -> int:
    """Stop a Prefect process this command started, as Ctrl-C would (it may have had the Ctrl-C
    already, or this process alone may have been stopped by SIGTERM); its exit code."""
    started.send_signal(signal.SIGINT)
    try:
        return started.wait(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:  # it did not stop: end it
        started.terminate()
        return started.wait()


_STOP_SECONDS = 15
# Prefect's banner tells the user to `prefect config set PREFECT_API_URL=…`: a command not on the
# path here, which would also change their Prefect profile for every other project.
_CONFIG_SET = re.compile(r"^(?P<indent>\s*)prefect config set PREFECT_API_URL=(?P<url>\S+)\s*$")


def _as_this_project_says(line: str) -> str:
    """The server's output, with its advice on reaching it replaced by this project's, which works as printed."""
    match = _CONFIG_SET.match(line)
    if match is None:
        return line
    prefect = shown_path(Path(sys.executable).with_name("prefect"))
    return (
        f"{match['indent']}export PREFECT_API_URL={match['url']}\n"
        f"{match['indent']}(then {prefect} … in that shell; make serve and the pipeline's commands find it)\n"
    )


def serve(arguments: argparse.Namespace) -> int:
    _on_the_server(arguments.port)
    from deployments import serve_deployments

    serve_deployments(arguments.schedule, Workspace(arguments.submissions.resolve(), arguments.outputs.resolve()))
    return 0


def _on_the_server(port: int) -> None:
    """The coordinators' server, as `serve` finds it: PREFECT_API_URL, else this machine's."""
    from pipeline.orchestration.prefect_api import healthy, require_credentials

    os.environ.setdefault("PREFECT_API_URL", api_url(SETTINGS.server_host, port))
    os.environ.setdefault("PREFECT_HOME", str(SETTINGS.server_home))
    if not healthy(os.environ["PREFECT_API_URL"]):
        raise PipelineError(
            f"no Prefect server answers at {os.environ['PREFECT_API_URL']}: start it (make server), "
            "or set PREFECT_API_URL to the coordinators' server"
        )
    require_credentials(os.environ["PREFECT_API_URL"])
    prepare_prefect()


def deploy(arguments: argparse.Namespace) -> int:
    """Register the deployments on a process work pool, for `make worker` on each machine to run."""
    _on_the_server(arguments.port)
    from deployments import deploy_to_pool
    from pipeline.orchestration import zombies

    workspace = Workspace(arguments.submissions.resolve(), arguments.outputs.resolve())
    made = deploy_to_pool(arguments.pool, workspace)
    print(f"deployed on the work pool {arguments.pool!r} of {os.environ['PREFECT_API_URL']}: {', '.join(made)}")
    print(
        f"automation {zombies.NAME}: a run silent for {SETTINGS.silent_seconds} s"
        f" (runs beat every {SETTINGS.heartbeat_seconds} s) is marked Crashed"
    )
    print(
        f"start a worker on each machine that shares {workspace.submissions} and {workspace.outputs},"
        f" with PREFECT_API_URL={os.environ['PREFECT_API_URL']}: make worker"
        + (f" POOL={arguments.pool}" if arguments.pool != SETTINGS.work_pool else "")
    )
    return 0


def worker(arguments: argparse.Namespace) -> int:
    """Prefect's own process worker on the pool, one flow run per core at most; stopped by Ctrl-C or SIGTERM."""
    _on_the_server(arguments.port)
    command = [str(Path(sys.executable).with_name("prefect")), "worker", "start", "--pool", arguments.pool]
    command += ["--type", "process", "--limit", str(arguments.limit)]
    if arguments.name:
        command += ["--name", arguments.name]
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = subprocess.Popen(command, env=os.environ)
    try:
        return started.wait()
    except KeyboardInterrupt:
        return _stopped(started)
