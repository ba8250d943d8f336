"""Who may reach the coordinators' Prefect server: this machine only, unless it asks for credentials."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.settings import is_loopback
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.servers import error_lines
from tests.servers import free_port as _free_port
from tests.servers import start as _start
from tests.servers import stop as _stop
from tests.servers import wait_for as _wait_for

CREDENTIALS = "coordinator:correct-horse-battery-staple"


def _without_auth() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("PREFECT_SERVER_API_AUTH_STRING", "PREFECT_API_AUTH_STRING", "PREFECT_API_URL")
    }


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "reports.example.gov.uk"])
def test_a_server_for_other_machines_without_authentication_is_refused(host: str, tmp_path: Path) -> None:
    environment = {**_without_auth(), "PREFECT_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "server", "--host", host, "--port", str(_free_port())],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "PREFECT_SERVER_API_AUTH_STRING" in result.stderr and "PREFECT_API_AUTH_STRING" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no server was started


@pytest.mark.parametrize(
    ("credentials", "said"),
    [
        (":", "must be '<user>:<password>', both given; it is missing the user and the password"),
        ("coordinator:", "must be '<user>:<password>', both given; it is missing the password"),
        (":correct-horse-battery-staple", "it is missing the user"),
        ("correct-horse-battery-staple", "it is missing the colon between them"),
        ("coordinator:hunter2", "the password in PREFECT_SERVER_API_AUTH_STRING is 7 characters long; use at least 12"),
    ],
)
def test_a_server_with_credentials_not_worth_the_name_is_refused(credentials: str, said: str, tmp_path: Path) -> None:
    environment = {**_without_auth(), "PREFECT_HOME": str(tmp_path), "PREFECT_SERVER_API_AUTH_STRING": credentials}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "server", "--host", "0.0.0.0", "--port", str(_free_port())],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no server was started


def test_only_loopback_addresses_count_as_this_machine() -> None:
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.0.0.1", "example.org"))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`make server` with Prefect's basic authentication configured (on loopback: tests listen nowhere else)."""
    home = tmp_path_factory.mktemp("guarded-server")
    port = _free_port()
    environment = {
        **_without_auth(),
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_AUTH_STRING": CREDENTIALS,
        "PREFECT_UI_ENABLED": "false",
    }
    server = _start(
        [sys.executable, "-m", "pipeline", "server", "--host", "127.0.0.1", "--port", str(port)],
        environment,
        home / "server.log",
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for(lambda: httpx.get(f"{api}/health").json() is True, "the guarded server")
        yield {"api": api, "home": home}
    finally:
        _stop(server)
    errors = error_lines(home / "server.log")
    assert errors == [], "the guarded server logged errors:\n" + "\n".join(errors)
    # Its banner says how to reach it as this project does, not with `prefect config set`.
    banner = (home / "server.log").read_text()
    assert f"export PREFECT_API_URL={api}" in banner and "prefect config set" not in banner


@pytest.mark.scale
def test_a_request_without_credentials_is_refused(guarded: dict[str, Any]) -> None:
    api = guarded["api"]
    assert httpx.post(f"{api}/flows/filter", json={}).status_code == 401
    assert httpx.post(f"{api}/flows/filter", json={}, auth=("coordinator", "wrong")).status_code == 401
    assert httpx.post(f"{api}/flows/filter", json={}, auth=tuple(CREDENTIALS.split(":"))).status_code == 200


def _build(guarded: dict[str, Any], tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    submissions = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / REAL_CYCLE, dirs_exist_ok=True)
    with (submissions / REAL_CYCLE / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("formats: [html]\n")  # what the copy publishes: a quick build
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build"]
        + ["--submissions", str(submissions), "--outputs", str(tmp_path / "outputs")],
        cwd=PROJECT,
        env={**_without_auth(), "PREFECT_HOME": str(guarded["home"]), "PREFECT_API_URL": guarded["api"], **environment},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.scale
def test_a_build_without_credentials_is_told_what_to_set(guarded: dict[str, Any], tmp_path: Path) -> None:
    result = _build(guarded, tmp_path)
    assert result.returncode == 1
    assert "asks for credentials and PREFECT_API_AUTH_STRING is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outputs").exists()


@pytest.mark.scale
def test_a_build_with_credentials_runs_on_the_guarded_server(guarded: dict[str, Any], tmp_path: Path) -> None:
    result = _build(guarded, tmp_path, PREFECT_API_AUTH_STRING=CREDENTIALS)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "outputs" / REAL_CYCLE / "manifest.json").read_text())
    run = httpx.get(f"{guarded['api']}/flow_runs/{manifest['flow_run_id']}", auth=tuple(CREDENTIALS.split(":")))
    assert run.raise_for_status().json()["state"]["type"] == "COMPLETED"
