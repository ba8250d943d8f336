"""`portal`: serve the departments' portal; `portal invite`, `portal revoke` and `portal invites`
manage the links departments sign in with; `portal audit` lists the saves made through it."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import logging
import smtplib
import socket
import sys
from pathlib import Path

from pipeline import atomic
from pipeline.check.validate import check_cycle_config, expected_department
from pipeline.errors import InvalidInputError, PipelineError
from pipeline.names import closest
from pipeline.operations import feedback
from pipeline.portal.invites import InviteStore, now_utc
from pipeline.read.source import read_cycle
from pipeline.settings import SETTINGS
from pipeline.workspace import Workspace

SUBMISSIONS_HELP = "the folder holding the cycles (default: submissions/ in the project)"
OUTPUTS_HELP = "the outputs folder, which keeps the portal's invitations under .portal/ (default: outputs/)"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    portal = commands.add_parser(
        "portal",
        help="serve the departments' portal, where each signs in by its link and answers in a browser",
        description="Without a command: serve the portal (stop it with Ctrl-C).",
    )
    _folders(portal)
    portal.add_argument(
        "--host",
        default=SETTINGS.portal_host,
        help="the address to listen on (default: %(default)s, this machine only); any other needs --certfile "
        "and --keyfile",
    )
    portal.add_argument("--port", type=int, default=SETTINGS.portal_port, help="(default: %(default)s)")
    portal.add_argument("--certfile", type=Path, help="the TLS certificate (PEM) to serve over HTTPS")
    portal.add_argument("--keyfile", type=Path, help="the TLS certificate's private key (PEM)")
    portal.set_defaults(command=serve)
    actions = portal.add_subparsers(metavar="COMMAND")

    invite = actions.add_parser(
        "invite", help="make a department's link to its page for a cycle: printed, and emailed when SMTP is set"
    )
    invite.add_argument("--cycle", required=True, help="folder under submissions/, e.g. 2015-action-04")
    invite.add_argument("--department", required=True, help="the department's name as listed in report.yaml")
    invite.add_argument(
        "--days", type=int, default=SETTINGS.invite_days, help="how long the link works (default: %(default)s)"
    )
    invite.add_argument(
        "--url",
        help="the portal's address as departments reach it (default: where `portal` last served on this machine, "
        f"else {SETTINGS.portal_url})",
    )
    _folders(invite)
    invite.set_defaults(command=make_invite)

    revoke = actions.add_parser("revoke", help="stop a department's links for a cycle working, and end their sessions")
    revoke.add_argument("--cycle", required=True, help="folder under submissions/, e.g. 2015-action-04")
    revoke.add_argument("--department", required=True, help="the department's name as listed in report.yaml")
    _folders(revoke)
    revoke.set_defaults(command=revoke_invites)

    listed = actions.add_parser("invites", help="list every link and its state (invited, used, expired, revoked)")
    _folders(listed)
    listed.set_defaults(command=list_invites)

    audited = actions.add_parser(
        "audit", help="print every save made through the portal, oldest first, one JSON object a line"
    )
    audited.add_argument("--cycle", help="only this cycle's saves")
    _folders(audited)
    audited.set_defaults(command=print_audit)


def _folders(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--submissions", type=Path, default=SETTINGS.submissions, help=SUBMISSIONS_HELP)
    parser.add_argument("--outputs", type=Path, default=SETTINGS.outputs, help=OUTPUTS_HELP)


def serve(arguments: argparse.Namespace) -> int:
    import uvicorn

    from pipeline.portal.app import portal_app
    from pipeline.portal.security import require_tls_beyond_this_machine

    tls = bool(arguments.certfile and arguments.keyfile)
    if bool(arguments.certfile) != bool(arguments.keyfile):
        raise PipelineError("give both --certfile and --keyfile, or neither")
    require_tls_beyond_this_machine(arguments.host, tls)
    for path in (arguments.certfile, arguments.keyfile):
        if path is not None and not path.is_file():
            raise PipelineError(f"{path}: no such file (--certfile and --keyfile name PEM files)")
    _free(arguments.host, arguments.port)
    workspace = Workspace(arguments.submissions, arguments.outputs)
    app = portal_app(workspace, tls=tls)
    scheme = "https" if tls else "http"
    address = f"{scheme}://{arguments.host}:{arguments.port}"
    if arguments.host not in ("0.0.0.0", "::"):  # a wildcard is no address to send: invite then needs --url
        atomic.replace_files(workspace.portal, {SERVED_ADDRESS: (address + "\n").encode()})
    print(f"the departments' portal: {address}/ (stop it with Ctrl-C)", flush=True)
    uvicorn.run(
        app,
        host=arguments.host,
        port=arguments.port,
        ssl_certfile=str(arguments.certfile) if tls else None,
        ssl_keyfile=str(arguments.keyfile) if tls else None,
        access_log=False,  # request lines would carry invitation links' secrets
        log_level=logging.getLevelName(logging.WARNING).lower(),
    )
    return 0


# Where the portal last served, for `portal invite`'s links: beside the portal's records.
SERVED_ADDRESS = "address"


def _served_address(workspace: Workspace) -> str:
    try:
        return (workspace.portal / SERVED_ADDRESS).read_text(encoding="utf-8").strip() or SETTINGS.portal_url
    except OSError:
        return SETTINGS.portal_url


def _free(host: str, port: int) -> None:
    """Say so before serving, rather than after announcing an address another process holds."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PipelineError(
                f"cannot listen on {host}:{port}: {error.strerror}; is the portal already running? Another port: --port"
            ) from None


def _department(arguments: argparse.Namespace) -> tuple[str, str | None, str]:
    """The department as report.yaml names it, its contact, and the report's title."""
    config, _, problems = check_cycle_config(read_cycle(arguments.submissions, arguments.cycle, submissions=False))
    if config is None:
        raise InvalidInputError(problems)
    department = expected_department(arguments.department, config)
    if department is None:
        guess = closest(arguments.department, config.department_names)
        hint = f'did you mean "{guess}"?' if guess else "the departments are: " + "; ".join(config.department_names)
        raise PipelineError(f'"{arguments.department}" is not expected in {arguments.cycle}; {hint}')
    return department, config.contacts.get(department), config.title


def make_invite(arguments: argparse.Namespace) -> int:
    if arguments.days < 1:
        raise PipelineError("--days must be 1 or more")
    department, contact, title = _department(arguments)
    invite, token = InviteStore(Workspace(arguments.submissions, arguments.outputs)).invite(
        arguments.cycle, department, arguments.days
    )
    address = arguments.url or _served_address(Workspace(arguments.submissions, arguments.outputs))
    link = f"{address.rstrip('/')}/invite/{token}"
    expires = datetime.datetime.fromisoformat(invite.expires)
    mail = feedback.MailSettings.from_environment()
    if not contact:
        print(f"not emailed: report.yaml gives no contact for {department}", file=sys.stderr)
    elif mail is None:
        print(f"not emailed: no mail server is set ({feedback.MAIL_SETTINGS['host']})", file=sys.stderr)
    else:
        body = (
            f"Hello,\n\nThis link opens {department}'s page for {title} ({arguments.cycle}), where you can "
            f"see what your department has submitted, fill in or upload its response, and see every problem "
            f"with it at once:\n\n{link}\n\nIt works until {expires:%d %B %Y, %H:%M} UTC. Anyone with it can "
            "answer for your department: do not forward it.\n"
        )
        letter = feedback.Letter(contact, department, arguments.cycle, f"Your link to answer {title}", body)
        try:
            feedback.send(letter, mail)
            print(f"emailed to {contact}", file=sys.stderr)
        except (OSError, smtplib.SMTPException) as error:
            print(f"not emailed to {contact}: {error}", file=sys.stderr)
    print(f"invitation {invite.id} for {department} in {arguments.cycle}, until {expires:%Y-%m-%d %H:%M} UTC:")
    print(link)
    return 0


def revoke_invites(arguments: argparse.Namespace) -> int:
    department, _, _ = _department(arguments)
    revoked = InviteStore(Workspace(arguments.submissions, arguments.outputs)).revoke(arguments.cycle, department)
    print(f"revoked {len(revoked)} link(s) for {department} in {arguments.cycle}")
    return 0


def list_invites(arguments: argparse.Namespace) -> int:
    invites = InviteStore(Workspace(arguments.submissions, arguments.outputs)).invites()
    now = now_utc()
    for invite in sorted(invites, key=lambda invite: (invite.cycle, invite.department, invite.created)):
        used = f", last used {invite.last_used}" if invite.last_used else ""
        state = f"{invite.state(now)} (invitation {invite.id}, until {invite.expires}{used})"
        print(f"{invite.cycle}  {invite.department}: {state}")
    if not invites:
        print("no invitations yet: portal invite --cycle C --department D")
    return 0


def print_audit(arguments: argparse.Namespace) -> int:
    from pipeline.portal import saving

    saves = saving.audit(Workspace(arguments.submissions, arguments.outputs), arguments.cycle)
    for saved in saves:
        print(json.dumps(dataclasses.asdict(saved), ensure_ascii=False, sort_keys=True))
    if not saves:  # said aside, so that what reads the lines finds none
        print(
            "no saves through the portal yet" + (f" in {arguments.cycle}" if arguments.cycle else ""), file=sys.stderr
        )
    return 0
