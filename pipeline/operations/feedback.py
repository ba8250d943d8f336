"""Feedback that reaches departments: each dropped file's result, emailed to the department's contact.

The contact comes from report.yaml (`departments: - name: … contact: …`); the mail server
from the environment (`MAIL_SETTINGS`), never from a file in the repository. A letter is
plain text: the file, valid or not, and each problem with its line and how to fix it. The
same result for the same file is sent once: the last letter sent for each file is kept in
`<outputs>/.feedback/<cycle>.json`.
"""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import json
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from pipeline import atomic
from pipeline.commands import command, shown_path
from pipeline.errors import PipelineError, Problem, Severity
from pipeline.operations.status import file_summary
from pipeline.records import FileResult
from pipeline.workspace import Workspace

# The environment variables the mail server's settings are read from.
MAIL_SETTINGS = {
    "host": "PIPELINE_SMTP_HOST",
    "port": "PIPELINE_SMTP_PORT",
    "sender": "PIPELINE_SMTP_SENDER",
    "username": "PIPELINE_SMTP_USERNAME",
    "password": "PIPELINE_SMTP_PASSWORD",
    "security": "PIPELINE_SMTP_SECURITY",
}
SECURITY_CHOICES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailSettings:
    host: str
    sender: str
    port: int = 587
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "starttls"  # STARTTLS on the submission port: what mail servers offer
    timeout_seconds: float = 15

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] = os.environ) -> MailSettings | None:
        """The mail server named in the environment; None when none is (feedback then goes unsent)."""
        values = {name: environment.get(variable, "").strip() for name, variable in MAIL_SETTINGS.items()}
        if not values["host"]:
            return None
        if not values["sender"] or not _one_address(values["sender"]):
            raise PipelineError(f"{MAIL_SETTINGS['sender']} must be the one address feedback is sent from")
        security = values["security"].lower() or "starttls"
        if security not in SECURITY_CHOICES:
            raise PipelineError(f"{MAIL_SETTINGS['security']} must be one of {', '.join(SECURITY_CHOICES)}")
        port = values["port"] or ("465" if security == "ssl" else "587")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise PipelineError(f"{MAIL_SETTINGS['port']} must be a port number, not {port!r}")
        return cls(
            host=values["host"],
            sender=values["sender"],
            port=int(port),
            username=values["username"] or None,
            password=environment.get(MAIL_SETTINGS["password"]) or None,
            security=security,
        )


@dataclass(frozen=True)
class Letter:
    """One department's feedback on one file."""

    recipient: str
    department: str
    file: str  # <cycle>/<file name>
    subject: str
    body: str

    @property
    def fingerprint(self) -> str:
        """The same for the same result for the same file, whoever asks."""
        return hashlib.sha256("\0".join((self.recipient, self.subject, self.body)).encode()).hexdigest()


def letter(
    recipient: str, department: str, file: str, problems: Sequence[Problem], exists: bool, check: str = ""
) -> Letter:
    """The feedback on one checked file, in plain text; `check`, the command that checks it again."""
    result = file_summary(problems, exists)
    lines = [
        "Hello,",
        "",
        "Your department's submission to the annual progress report was checked when it was saved.",
        "",
        f"File: {file}",
        f"Department: {department}",
        f"Result: {result}",
    ]
    if problems:
        lines += ["", "Problems:"]
        for number, problem in enumerate(problems, 1):
            where = f"line {problem.line}, column {problem.column}" + (f", {problem.field}" if problem.field else "")
            lines += ["", f"{number}. {problem.severity.value.capitalize()} at {where}: {problem.message}"]
            if problem.hint:
                lines.append(f"   How to fix: {problem.hint}")
    lines += [""]
    if any(problem.severity is Severity.ERROR for problem in problems):
        lines.append("Until the errors are fixed, the report shows your department as not having responded.")
    lines += [
        "Each time the file is saved it is checked again, and you are sent the new result.",
        *([f"To check it before you save it, on the machine that holds the submissions: {check}"] if check else []),
    ]
    return Letter(
        recipient=recipient,
        department=department,
        file=file,
        subject=_one_line(f"Annual report submission {file}: {result}"),
        body="\n".join(lines) + "\n",
    )


def message(letter: Letter, sender: str) -> EmailMessage:
    """The email itself. Every header value is one line, so nothing in a department's or a
    file's name can add a header or a recipient."""
    # Headers are left unfolded (RFC 5322 allows lines to 998 characters): the standard library folds a
    # subject too long for 78 right after "Subject:", which readers then show with a leading space.
    mail = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    mail["From"] = _one_line(sender)
    mail["To"] = _one_line(letter.recipient)
    mail["Subject"] = _one_line(letter.subject)
    mail["Date"] = email.utils.formatdate(localtime=False)
    mail["Message-ID"] = email.utils.make_msgid(domain=_one_line(sender).rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: not to be answered by vacation replies
    mail.set_content(letter.body)
    return mail


def send(letter: Letter, settings: MailSettings | None = None) -> None:
    """Hand the letter to the mail server; any failure raises (the caller decides whether to try again)."""
    settings = settings or MailSettings.from_environment()
    if settings is None:
        raise PipelineError(f"no mail server: set {MAIL_SETTINGS['host']} and {MAIL_SETTINGS['sender']}")
    mail = message(letter, settings.sender)
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if settings.security == "ssl":
        connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds, context=context)
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    with connection:
        if settings.security == "starttls":
            connection.starttls(context=context)
        if settings.username:
            connection.login(settings.username, settings.password or "")
        connection.send_message(mail, from_addr=settings.sender, to_addrs=[letter.recipient])


def to_send(workspace: Workspace, result: FileResult) -> tuple[Letter | None, str]:
    """The letter a checked file's department should be sent, or None and why none is."""
    label = result.label
    if result.department is None:
        return None, f"{label}: names no department of report.yaml, so there is no one to email"
    if result.contact is None:
        return None, f"{label}: report.yaml gives no contact for {result.department}, so no email is sent"
    if MailSettings.from_environment() is None:
        return None, f"{label}: no mail server ({MAIL_SETTINGS['host']} is not set), so no email is sent"
    check = command("validate", shown_path(result.path))
    mail = letter(result.contact, result.department, label, result.problems, result.exists, check)
    if already_sent(workspace, result.cycle, mail):
        return None, f"{label}: {result.contact} already has this result for this file, so it is not sent again"
    return mail, ""


# --- Sent once: the last letter sent for each file.


def already_sent(workspace: Workspace, cycle: str, letter: Letter) -> bool:
    return _ledger(workspace, cycle).get(_ledger_key(letter)) == letter.fingerprint


def record_sent(workspace: Workspace, cycle: str, letter: Letter) -> None:
    path = workspace.feedback_ledger(cycle)
    with workspace.feedback_lock(cycle):
        sent = _ledger(workspace, cycle)
        sent[_ledger_key(letter)] = letter.fingerprint
        atomic.replace_files(path.parent, {path.name: (json.dumps(sent, indent=2, sort_keys=True) + "\n").encode()})


def _ledger(workspace: Workspace, cycle: str) -> dict[str, str]:
    try:
        sent = json.loads(workspace.feedback_ledger(cycle).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return sent if isinstance(sent, dict) else {}


def _ledger_key(letter: Letter) -> str:
    return f"{letter.file} → {letter.recipient}"


def _one_line(text: str) -> str:
    """Text for a header: line breaks and other control characters become spaces."""
    return " ".join(
        "".join(" " if ord(character) < 32 or ord(character) == 127 else character for character in text).split()
    )


def _one_address(text: str) -> bool:
    _, address = email.utils.parseaddr(text)
    return bool(address) and "@" in address and _one_line(text) == text
