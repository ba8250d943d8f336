"""The portal's rules, request by request (Starlette's test client, no browser): the headers and
cookies it sends, what every form must carry, the limits it keeps, the hostile corpus uploaded,
who may listen where, and the links' secrets never stored."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from pipeline import characters
from pipeline.check.validate import check_config
from pipeline.errors import PipelineError, Severity
from pipeline.portal import answers
from pipeline.portal.app import portal_app
from pipeline.portal.invites import InviteStore, LinkState, now_utc
from pipeline.portal.security import RateLimit, require_tls_beyond_this_machine
from pipeline.read.yaml_file import MAX_FILE_BYTES, load_yaml, parse_yaml
from pipeline.service import check_upload
from pipeline.settings import SETTINGS
from pipeline.submission.schema import ReportConfig
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle
from tests.paths import PROJECT
from tests.servers import invite, mail_environment, mail_server, portal_served, wait_for

CYCLE = "2015-action-09"
HOSTILE = PROJECT / "tests" / "fixtures" / "hostile"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "submissions", tmp_path / "outputs")
    write_cycle(workspace.submissions, {"home.yaml": submission("Home Office")}, CONFIG, cycle=CYCLE)
    return workspace


def signed_in(workspace: Workspace, *, tls: bool = False, **changed: int) -> TestClient:
    app = portal_app(workspace, tls=tls, settings=dataclasses.replace(SETTINGS, **changed))
    client = TestClient(app, base_url="https://127.0.0.1" if tls else "http://127.0.0.1", follow_redirects=False)
    _, token = InviteStore(workspace).invite(CYCLE, "Department of Health", days=1)
    opened = client.get(f"/invite/{token}")
    assert opened.status_code == 303 and opened.headers["location"] == "/submission"
    return client


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found
    return found[1]


def test_every_response_carries_the_security_headers(workspace: Workspace) -> None:
    client = signed_in(workspace)
    for response in (client.get("/submission"), client.get("/nowhere"), client.post("/submission", data={})):
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "script-src" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    page = client.get("/submission").text
    assert "<script" not in page and "style=" not in page and "<style" not in page


def test_the_session_cookie_is_http_only_same_site_and_over_tls_secure(workspace: Workspace) -> None:
    _, token = InviteStore(workspace).invite(CYCLE, "Home Office", days=1)
    plain = TestClient(portal_app(workspace), follow_redirects=False).get(f"/invite/{token}")
    cookie = plain.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    secure = TestClient(portal_app(workspace, tls=True), base_url="https://127.0.0.1", follow_redirects=False)
    cookie = secure.get(f"/invite/{token}").headers["set-cookie"]
    assert cookie.startswith("__Host-portal_session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "strict-transport-security" in secure.get("/").headers


@pytest.mark.parametrize("path", ["/submission", "/submission/upload", "/sign-out"])
def test_every_form_needs_its_session_s_token(workspace: Workspace, path: str) -> None:
    client = signed_in(workspace)
    for token in ("", "forged"):
        response = client.post(path, data={"csrf": token, "section-commitments": "Mine."})
        assert response.status_code == 403 and "This form has expired" in response.text
    assert not (workspace.submissions / CYCLE / "department-of-health.yaml").exists()


def test_uploads_and_texts_have_limits_each_with_a_clear_message(workspace: Workspace) -> None:
    client = signed_in(workspace)
    page = client.get("/submission").text
    csrf, version = hidden(page, "csrf"), hidden(page, "version")
    big = b"department: Department of Health\n" + b"#" * MAX_FILE_BYTES
    over = client.post("/submission/upload", data={"csrf": csrf, "version": version}, files={"file": ("a.yaml", big)})
    assert over.status_code == 400 and f"the limit is {MAX_FILE_BYTES:,}" in over.text  # as the command line says
    huge = b"#" * (3 * MAX_FILE_BYTES)
    refused = client.post("/submission/upload", data={"csrf": csrf}, files={"file": ("a.yaml", huge)})
    assert refused.status_code == 413 and "Files must be smaller than 1 MB" in refused.text
    long = client.post(
        "/submission",
        data={"csrf": csrf, "version": version, "section-commitments": "word " * 10_001, "short_name": "S" * 41},
    )
    assert long.status_code == 400
    assert "Is 50,004 characters long; the limit is 50,000" in long.text  # the schema's limit, as validate says it
    assert "Short name: Is 41 characters long; the limit is 40" in long.text
    assert not (workspace.submissions / CYCLE / "department-of-health.yaml").exists()
    # The same limits for an upload, which the form could then not save again otherwise.
    uploaded = yaml.safe_dump(submission(commitments="word " * 10_001, short_name="S" * 41)).encode()
    refused_upload = client.post(
        "/submission/upload", data={"csrf": csrf, "version": version}, files={"file": ("a.yaml", uploaded)}
    )
    assert refused_upload.status_code == 400
    assert "commitments: Is 50,005 characters long; the limit is 50,000" in refused_upload.text
    # At the limit exactly, saved: the line end the file's "|" block adds is not counted.
    at_the_limit = {"section-commitments": "x" * 50_000, "section-progress-2013": "We did."}
    at_the_limit |= {"section-progress-2014": "Yes.", "section-plans-2014": "We plan.", "section-plans-2015": "More."}
    saved = client.post("/submission", data={"csrf": csrf, "version": version, **at_the_limit})
    assert saved.status_code == 303, saved.text[-2000:]
    assert "short_name: Is 41 characters long; the limit is 40" in refused_upload.text


def test_characters_no_file_may_hold_are_refused_at_the_field_they_were_pasted_into(workspace: Workspace) -> None:
    client = signed_in(workspace)
    page = client.get("/submission").text
    form = {
        "csrf": hidden(page, "csrf"),
        "version": hidden(page, "version"),
        "short_name": "DH\x1b",
        "section-commitments": "Spending was \u202e000,01£\u202c",
        "section-progress-2013": "We did\x0bthings.",
        "section-progress-2014": "We did more.",
        "section-plans-2014": "We plan.",
        "section-plans-2015-not-applicable": "Not\x85 this year.",
    }
    refused = client.post("/submission", data=form)
    assert refused.status_code == 400
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', refused.text)
    assert summary == [
        (
            "short_name",
            "Short name: has an escape character (U+001B): an invisible control character, at character 3: "
            "delete it: it often comes with text pasted from a word processor",
        ),
        (
            "section-commitments",
            "Departmental digital strategy commitments (December 2012): has a right-to-left "
            "override (U+202E), which makes text display in a different order from how it reads, at character 14: "
            "delete it",
        ),
        (
            "section-commitments",
            "Departmental digital strategy commitments (December 2012): has a pop directional "
            "formatting (U+202C), which makes text display in a different order from how it reads, at character 22: "
            "delete it",
        ),
        (
            "section-progress-2013",
            "Progress during 2013: has a vertical tab (U+000B): an invisible control character, "
            "at character 7: delete it: it often comes with text pasted from a word processor",
        ),
        (
            "section-plans-2015-not-applicable",
            "Planned activities in 2015: has a next-line character (U+0085): an "
            "invisible control character, at character 4: delete it: it often comes with text pasted from a word "
            "processor",
        ),
    ]
    for field in ("short_name", "section-commitments", "section-progress-2013", "section-plans-2015-not-applicable"):
        assert f'id="{field}-error"' in refused.text
    assert not (workspace.submissions / CYCLE / "department-of-health.yaml").exists()


def test_each_link_may_make_so_many_requests_a_minute(workspace: Workspace) -> None:
    client = signed_in(workspace, portal_requests_per_minute=5)
    statuses = [client.get("/submission").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert client.get("/submission").headers["retry-after"] == "60"
    # Another department's link keeps its own count.
    assert signed_in(workspace, portal_requests_per_minute=5).get("/submission").status_code == 200


def test_a_saved_file_with_warnings_is_confirmed_and_its_warnings_shown(workspace: Workspace) -> None:
    client = signed_in(workspace)
    page = client.get("/submission").text
    warned = submission(commitments="See [link](https://www.gov.uk/).")  # link text that says nothing
    content = yaml.safe_dump(warned).encode()
    saved = client.post(
        "/submission/upload",
        data={"csrf": hidden(page, "csrf"), "version": hidden(page, "version")},
        files={"file": ("health.yaml", content)},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/submission/saved"
    confirmed = client.get("/submission/saved")
    assert confirmed.status_code == 200 and "Submission saved" in confirmed.text
    assert "Your file has 1 warning" in confirmed.text
    assert (workspace.submissions / CYCLE / "department-of-health.yaml").read_bytes() == content


def test_signing_out_ends_the_session(workspace: Workspace) -> None:
    client = signed_in(workspace)
    csrf = hidden(client.get("/submission").text, "csrf")
    kept = client.cookies["portal_session"]
    out = client.post("/sign-out", data={"csrf": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/signed-out"
    assert "You have signed out" in client.get("/signed-out").text
    assert client.get("/submission").status_code == 401
    client.cookies.set("portal_session", kept)  # a copy of the cookie kept from before
    assert client.get("/submission").status_code == 401


@pytest.fixture
def hostile_workspace(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "submissions", tmp_path / "outputs")
    (workspace.submissions / CYCLE).mkdir(parents=True)
    shutil.copy(HOSTILE / "report.yaml", workspace.submissions / CYCLE / "report.yaml")
    return workspace


def test_the_hostile_corpus_uploaded_gets_the_same_located_errors_and_never_a_500(
    hostile_workspace: Workspace,
) -> None:
    client = signed_in(hostile_workspace, portal_requests_per_minute=1000)
    target = hostile_workspace.submissions / CYCLE / "department-of-health.yaml"
    cases = sorted(HOSTILE.glob("*--*.yaml"))
    assert len(cases) >= 40
    for case in cases:
        target.unlink(missing_ok=True)
        data = case.read_bytes()
        csrf = hidden(client.get("/submission").text, "csrf")
        response = client.post(
            "/submission/upload",
            data={"csrf": csrf, "version": "absent"},
            files={"file": (case.name, data, "application/yaml")},
        )
        # What the command line's check (the same service) says of the same bytes.
        expected = check_upload(hostile_workspace, CYCLE, target.name, data)
        errors = [problem for problem in expected.problems if problem.severity is Severity.ERROR]
        if errors:
            assert response.status_code == 400, (case.name, response.status_code)
            shown = html.unescape(response.text)
            for problem in errors:
                assert f"Line {problem.line}" in shown and problem.message[1:] in shown, (case.name, problem)
            if len(data) <= MAX_FILE_BYTES:  # the file shown, each error linked to its line
                linked = sorted(set(re.findall(r'<a href="(#line-\d+)">', response.text)))
                assert linked == sorted({f"#line-{problem.line}" for problem in errors}), case.name
            assert not target.exists(), case.name
        else:
            assert response.status_code == 303, (case.name, response.status_code, response.text[-500:])
            assert target.read_bytes() == data, case.name


def test_a_client_that_disconnects_mid_upload_is_logged_in_one_line(workspace: Workspace, tmp_path: Path) -> None:
    log = tmp_path / "portal.log"
    with portal_served(workspace.submissions, workspace.outputs, log) as url:  # fails on any ERROR or traceback
        link = invite(workspace.submissions, workspace.outputs, url, CYCLE, "Department of Health")
        browser = httpx.Client(follow_redirects=True)
        csrf = hidden(browser.get(link).text, "csrf")
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
        port = int(url.rsplit(":", 1)[1])
        part = f'--X\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n--X\r\n'
        part += 'Content-Disposition: form-data; name="file"; filename="a.yaml"\r\n\r\n' + "x" * 1000
        head = f"POST /submission/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        head += "Content-Type: multipart/form-data; boundary=X\r\nContent-Length: 500000\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall((head + part).encode())
        said = wait_for(lambda: "the client disconnected" in log.read_text() and log.read_text(), "the log line")
    (line,) = [line for line in said.splitlines() if "disconnected" in line]
    assert "POST /submission/upload: the client disconnected before its request was read" in line
    assert not (workspace.submissions / CYCLE / "department-of-health.yaml").exists()


def test_an_invitation_links_to_where_the_portal_serves(workspace: Workspace, tmp_path: Path) -> None:
    with portal_served(workspace.submissions, workspace.outputs, tmp_path / "portal.log") as url:
        made = subprocess.run(
            [sys.executable, "-m", "pipeline", "portal", "invite", "--cycle", CYCLE, "--department", "Home Office"]
            + ["--submissions", str(workspace.submissions), "--outputs", str(workspace.outputs)],  # no --url
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        link = made.stdout.splitlines()[-1]
        assert link.startswith(f"{url}/invite/") and url != SETTINGS.portal_url  # its own port, not the default
        assert httpx.get(link, timeout=10, follow_redirects=True).status_code == 200  # the department's page


def test_beyond_this_machine_the_portal_needs_tls() -> None:
    require_tls_beyond_this_machine("127.0.0.1", tls=False)
    require_tls_beyond_this_machine("0.0.0.0", tls=True)
    with pytest.raises(PipelineError, match="without TLS"):
        require_tls_beyond_this_machine("0.0.0.0", tls=False)
    refused = subprocess.run(
        [sys.executable, "-m", "pipeline", "portal", "--host", "0.0.0.0", "--port", "1"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "beyond this machine, without TLS" in refused.stderr


def test_links_are_stored_as_hashes_and_listed_by_state_without_them(workspace: Workspace) -> None:
    store = InviteStore(workspace)
    invited, kept_secret = store.invite(CYCLE, "Home Office", days=1)
    used, token = store.invite(CYCLE, "Department of Health", days=1)
    assert store.open(token) is not None
    expired, _ = store.invite(CYCLE, "Department of Health", days=0)
    stored = b"".join(path.read_bytes() for path in workspace.portal.iterdir() if path.is_file())
    assert kept_secret.encode() not in stored and token.encode() not in stored
    now = now_utc()
    states = {invite.id: invite.state(now) for invite in store.invites()}
    assert states == {invited.id: LinkState.INVITED, used.id: LinkState.USED, expired.id: LinkState.EXPIRED}
    listed = subprocess.run(
        [sys.executable, "-m", "pipeline", "portal", "invites"]
        + ["--submissions", str(workspace.submissions), "--outputs", str(workspace.outputs)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert f"{CYCLE}  Home Office: invited" in listed and "Department of Health: used" in listed
    assert kept_secret not in listed and token not in listed
    assert [invite.id for invite in store.revoke(CYCLE, "Department of Health")] == [used.id]
    assert store.open(token) is None


def test_a_wrong_expired_or_revoked_link_writes_nothing(workspace: Workspace) -> None:
    store = InviteStore(workspace)
    _, expired = store.invite(CYCLE, "Home Office", days=0)
    _, revoked = store.invite(CYCLE, "Department of Health", days=1)
    store.revoke(CYCLE, "Department of Health")
    before = {
        path.name: path.stat().st_mtime_ns for path in [*workspace.portal.iterdir(), workspace.outputs / "index.html"]
    }
    for token in [expired, revoked] + [f"guess-{number}" for number in range(50)]:
        assert store.open(token) is None
    after = {
        path.name: path.stat().st_mtime_ns for path in [*workspace.portal.iterdir(), workspace.outputs / "index.html"]
    }
    assert after == before


def test_a_link_keeps_its_newest_sessions_and_the_page_of_links_changes_only_with_a_state(
    workspace: Workspace,
) -> None:
    store = InviteStore(workspace, sessions_per_link=3)
    _, token = store.invite(CYCLE, "Home Office", days=1)
    page = workspace.outputs / "invitations.html"
    first = store.open(token)
    assert first is not None and "used" in page.read_text()
    written = page.stat().st_mtime_ns
    opened = [store.open(token) for _ in range(5)]
    assert page.stat().st_mtime_ns == written  # opened again: no state changed, so the page is as it was
    assert len(store.sessions()) == 3
    assert [store.session(each.session_token) is not None for each in [first, *opened] if each] == [False] * 3 + [
        True
    ] * 3
    _, other = store.invite(CYCLE, "Department of Health", days=0)  # expires at once
    assert store.open(other) is None


def test_wrong_links_are_limited_per_client_and_the_limiter_forgets_the_oldest(workspace: Workspace) -> None:
    client = TestClient(portal_app(workspace, settings=dataclasses.replace(SETTINGS, portal_link_tries_per_minute=4)))
    statuses = [client.get(f"/invite/guess-{number}", follow_redirects=False).status_code for number in range(6)]
    assert statuses == [403] * 4 + [429] * 2  # each guess a fresh token, the same client
    limit = RateLimit(per_minute=2, keys=100)
    assert all(limit.allow(f"client-{number}") for number in range(1000))
    assert len(limit) == 100
    assert limit.allow("client-999") and not limit.allow("client-999")  # a remembered key keeps its count


def test_an_invitation_names_a_department_of_the_cycle(workspace: Workspace) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "portal", "invite", "--cycle", CYCLE, "--department", "Home Ofice"]
        + ["--submissions", str(workspace.submissions), "--outputs", str(workspace.outputs)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and 'did you mean "Home Office"?' in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invitation_is_emailed_to_the_department_s_contact(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "submissions", tmp_path / "outputs")
    contact = "digital-team@health.example.gov.uk"
    departments = [{"name": "Department of Health", "contact": contact}, "Home Office"]
    write_cycle(workspace.submissions, {}, {**CONFIG, "departments": departments}, cycle=CYCLE)
    with mail_server() as (controller, inbox):
        link = invite_with(workspace, {**os.environ, **mail_environment(controller)}, "Department of Health")
        ((recipients, mail),) = wait_for(lambda: inbox.received, "the invitation's email", timeout=30)
    assert recipients == [contact]
    assert mail["Subject"] == "Your link to answer Action 9: test the pipeline"
    assert link in mail.get_content() and "do not forward it" in mail.get_content()
    token = link.rsplit("/", 1)[1]
    assert token.encode() not in b"".join(path.read_bytes() for path in workspace.portal.iterdir() if path.is_file())


def invite_with(workspace: Workspace, environment: dict[str, str], department: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "portal", "invite", "--cycle", CYCLE, "--department", department]
        + ["--submissions", str(workspace.submissions), "--outputs", str(workspace.outputs)],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "emailed to" in result.stderr
    return result.stdout.splitlines()[-1]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> ReportConfig:
    folder = write_cycle(tmp_path_factory.mktemp("config"), {}, CONFIG, cycle=CYCLE)
    checked, _ = check_config(load_yaml(folder / "report.yaml"))
    assert checked is not None
    return checked


# Any text but the characters the form refuses itself (test_characters_no_file_may_hold_…).
TYPED = st.text().map(characters.strip_refused)


@settings(max_examples=200, deadline=None)
@example(texts=["", "", "", "", "\t0"], reasons=[""] * 5, short_name="")  # libyaml reads such a block otherwise
@given(
    texts=st.lists(TYPED, min_size=5, max_size=5),
    reasons=st.lists(TYPED, min_size=5, max_size=5),
    short_name=TYPED,
)
def test_the_file_reads_back_as_the_text_typed_whatever_it_is(
    texts: list[str], reasons: list[str], short_name: str, config: ReportConfig
) -> None:
    specs = config.sections()
    form = {}
    for spec, text, reason in zip(specs, texts, reasons, strict=True):
        form[answers.Answer(spec).field_id] = text
        form[answers.Answer(spec).reason_id] = reason
    filled = answers.from_form(specs, form)
    text = answers.submission_yaml(config, CYCLE, "Department of Health", short_name, filled)
    assert text == answers.submission_yaml(config, CYCLE, "Department of Health", short_name, filled)
    data = parse_yaml(Path("department-of-health.yaml"), text.encode()).data
    # A section both written and said not to apply is refused by the form; the file keeps its text.
    expected = [dataclasses.replace(answer, reason="") if answer.text else answer for answer in filled]
    assert answers.from_submission(specs, data) == expected
    assert answers.short_name_of(data) == short_name.strip()
