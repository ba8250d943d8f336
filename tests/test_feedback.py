"""Feedback that reaches departments: a checked file's result emailed to its department's
contact, through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from aiosmtpd.controller import Controller
from prefect.settings import PREFECT_API_URL

import flows
from pipeline.check.validate import check_cycle_config
from pipeline.errors import PipelineError
from pipeline.operations import feedback
from pipeline.orchestration import prefect_tasks
from pipeline.read.source import read_cycle
from pipeline.settings import SETTINGS
from pipeline.stages import check_dropped_file
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle

CONTACT = "digital-team@health.example.gov.uk"
SENDER = "annual-report@digital.example.gov.uk"


class _Inbox:
    """What the SMTP server received: each message with its envelope."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse_with: str | None = None
        self.attempts = 0
        self.arrived = threading.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        self.attempts += 1
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        self.arrived.set()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Inbox]:
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("PIPELINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PIPELINE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("PIPELINE_SMTP_SENDER", SENDER)
    monkeypatch.setenv("PIPELINE_SMTP_SECURITY", "none")  # aiosmtpd here offers no TLS
    try:
        yield handler
    finally:
        controller.stop()


def _cycle(root: Path, health: dict[str, Any] | str, department: str = "Department of Health") -> Path:
    config = {**CONFIG, "departments": [{"name": department, "contact": CONTACT}, "Home Office"]}
    return write_cycle(root / "submissions", {"health.yaml": health}, config)


def test_a_checked_file_is_emailed_to_its_department(tmp_path: Path, inbox: _Inbox) -> None:
    folder = _cycle(tmp_path, submission(progess={2013: "Typo."}))
    line = (folder / "health.yaml").read_text().splitlines().index("progess:") + 1
    workspace = Workspace(tmp_path / "submissions", tmp_path / "outputs")
    result = check_dropped_file(workspace, "test-cycle", "health.yaml")
    letter, why_not = feedback.to_send(workspace, result)
    assert letter is not None, why_not
    feedback.send(letter)
    ((recipients, mail),) = inbox.received
    assert recipients == [CONTACT]
    assert mail["To"] == CONTACT and mail["From"] == SENDER
    assert mail["Subject"] == "Annual report submission test-cycle/health.yaml: not valid: 1 error, 0 warnings"
    body = mail.get_content()
    assert "File: test-cycle/health.yaml" in body and "Result: not valid" in body
    assert f"1. Error at line {line}, column 1, progess: unknown key" in body
    assert 'How to fix: did you mean "progress"?' in body
    assert mail.get_content_type() == "text/plain"


def test_names_with_line_breaks_cannot_add_headers_or_recipients(tmp_path: Path, inbox: _Inbox) -> None:
    department = "Department of Health\r\nBcc: attacker@example.org"
    file = "test-cycle/health\r\nX-Injected: yes\r\n\r\nfake body.yaml"
    feedback.send(feedback.letter(CONTACT, department, file, [], True))
    ((recipients, mail),) = inbox.received
    assert recipients == [CONTACT]
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert mail["Subject"] == "Annual report submission test-cycle/health X-Injected: yes fake body.yaml: valid"
    assert len(mail.get_all("Subject")) == 1


def test_a_bad_contact_address_is_an_error_on_its_line(tmp_path: Path) -> None:
    config = {**CONFIG, "departments": [{"name": "Department of Health", "contact": "health team at dh"}]}
    folder = write_cycle(tmp_path, {}, config)
    line = next(
        number for number, text in enumerate((folder / "report.yaml").read_text().splitlines(), 1) if "contact" in text
    )
    _, _, problems = check_cycle_config(read_cycle(tmp_path, "test-cycle", submissions=False))
    (problem,) = problems
    assert (problem.line, problem.field) == (line, "departments.0.contact")
    assert "'health team at dh' is not an email address" in problem.message
    assert problem.hint == "write one address, such as digital-team@department.gov.uk"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PIPELINE_SMTP_SENDER", "reports@example.org\r\nBcc: x@example.org", "SENDER must be the one address"),
        ("PIPELINE_SMTP_SECURITY", "maybe", "SECURITY must be one of starttls, ssl, none"),
        ("PIPELINE_SMTP_PORT", "smtp", "PORT must be a port number"),
    ],
)
def test_mail_settings_from_the_environment_are_checked(variable: str, value: str, message: str) -> None:
    environment = {"PIPELINE_SMTP_HOST": "mail.example.org", "PIPELINE_SMTP_SENDER": SENDER, variable: value}
    with pytest.raises(PipelineError, match=message):
        feedback.MailSettings.from_environment(environment)
    assert feedback.MailSettings.from_environment({}) is None  # no server named: no feedback sent


# --- Through the validate-submission flow, as the file-drop trigger runs it.


def _validate(root: Path) -> bool:
    return flows.validate_submission(
        "test-cycle", "health.yaml", submissions_root=root / "submissions", outputs_root=root / "outputs"
    )


def test_the_same_unchanged_file_is_mailed_once(tmp_path: Path, inbox: _Inbox, prefect_harness: None) -> None:
    folder = _cycle(tmp_path, submission(progess={2013: "Typo."}))
    assert _validate(tmp_path) is False
    assert _validate(tmp_path) is False  # saved again, unchanged
    assert len(inbox.received) == 1
    (folder / "health.yaml").write_text(yaml.safe_dump(submission()), encoding="utf-8")
    assert _validate(tmp_path) is True
    assert [mail["Subject"].split(": ", 1)[1] for _, mail in inbox.received] == [
        "not valid: 1 error, 0 warnings",
        "valid",
    ]


def test_with_the_mail_server_down_the_check_is_still_recorded(
    tmp_path: Path,
    inbox: _Inbox,
    prefect_harness: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(prefect_tasks, "send_feedback", prefect_tasks.send_feedback.with_options(retry_delay_seconds=0))
    inbox.refuse_with = "451 4.3.0 Mail server temporarily unavailable"
    _cycle(tmp_path, submission(progess={2013: "Typo."}))
    state = flows.validate_submission(
        "test-cycle",
        "health.yaml",
        submissions_root=tmp_path / "submissions",
        outputs_root=tmp_path / "outputs",
        return_state=True,
    )
    assert state.is_completed()
    assert inbox.attempts == 1 + len(SETTINGS.feedback_retry_seconds)  # tried again, then given up
    assert "test-cycle/health.yaml" in (tmp_path / "outputs" / "test-cycle" / "status.md").read_text()
    assert "could not email digital-team@health.example.gov.uk" in caplog.text
    artifacts = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"artifacts": {"key": {"any_": ["validation-test-cycle-health"]}}, "sort": "CREATED_DESC", "limit": 1},
    ).json()
    assert artifacts and "progess" in artifacts[0]["data"]  # this run's, the newest

    inbox.refuse_with = None  # back up: the next save is mailed, as it was never sent
    assert _validate(tmp_path) is False
    assert len(inbox.received) == 1


def test_with_no_mail_server_at_all_nothing_crashes(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(prefect_tasks, "send_feedback", prefect_tasks.send_feedback.with_options(retry_delay_seconds=0))
    monkeypatch.setenv("PIPELINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PIPELINE_SMTP_PORT", str(_free_port()))  # nothing listens there
    monkeypatch.setenv("PIPELINE_SMTP_SENDER", SENDER)
    monkeypatch.setenv("PIPELINE_SMTP_SECURITY", "none")
    _cycle(tmp_path, submission())
    assert _validate(tmp_path) is True
    assert "could not email" in caplog.text and "Connection refused" in caplog.text


def test_wrong_mail_settings_are_logged_and_the_check_still_completes(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PIPELINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PIPELINE_SMTP_PORT", "not-a-port")
    monkeypatch.setenv("PIPELINE_SMTP_SENDER", SENDER)
    _cycle(tmp_path, submission())
    assert _validate(tmp_path) is True
    assert "test-cycle/health.yaml: no email sent: PIPELINE_SMTP_PORT must be a port number" in caplog.text
