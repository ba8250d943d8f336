"""The coordinators' server on PostgreSQL (`make server DB=postgres`): the project's own cluster
started with the server, a build recorded in it, and both stopped with the server. (Long: in
make test-scale.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.errors import PipelineError
from pipeline.orchestration import postgres
from pipeline.orchestration.postgres import Cluster
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.servers import error_lines, free_port, prefect_listings, start, stop, wait_for


def test_an_older_postgresql_is_named_and_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "13" / "bin" / "postgres"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'postgres (PostgreSQL) 13.2'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(postgres, "_BINARIES", tmp_path)
    with pytest.raises(PipelineError, match=r"PostgreSQL 13\.2 is installed; Prefect's server needs 14\.9 or later"):
        postgres.binaries_folder()


def test_a_program_that_fails_is_named_not_its_last_argument(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"^PostgreSQL: false failed"):
        Cluster(tmp_path, 0)._as_owner(["/bin/false", "--pgdata", str(tmp_path), "--locale=C.UTF-8"])


@pytest.fixture
def home() -> Iterator[Path]:
    """The server's state, as `make server` on SQLite leaves it: a folder only its owner may enter
    (mkdtemp's 0700, as Prefect makes .prefect-server/), in /tmp, which the postgres user can reach."""
    folder = Path(tempfile.mkdtemp(prefix="pipeline-postgres-"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    yield folder
    Cluster(folder / "postgres", 0).stop()  # whatever happened, never left running
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.scale
def test_the_server_on_postgresql_records_a_build_and_stops_with_its_database(home: Path, tmp_path: Path) -> None:
    db_port, port = free_port(), free_port()
    api = f"http://127.0.0.1:{port}/api"
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    log = home / "server.log"
    command = [sys.executable, "-m", "pipeline", "server", "--db", "postgres", "--db-port", str(db_port)]
    server = start([*command, "--port", str(port)], {**environment, "PREFECT_HOME": str(home)}, log)
    cluster = Cluster(home / "postgres", db_port)
    try:
        wait_for(lambda: httpx.get(f"{api}/health", timeout=5).json() is True, "the server on PostgreSQL")
        assert cluster.running()
        assert not (home / "prefect.db").exists()  # not SQLite

        submissions = tmp_path / "submissions"
        shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / REAL_CYCLE)
        with (submissions / REAL_CYCLE / "report.yaml").open("a", encoding="utf-8") as config:
            config.write("formats: [html]\n")
        built = subprocess.run(
            [sys.executable, "-m", "pipeline", "build", "--submissions", str(submissions)]
            + ["--outputs", str(tmp_path / "outputs")],
            cwd=PROJECT,
            env={**environment, "PREFECT_HOME": str(tmp_path / "client"), "PREFECT_API_URL": api},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr[-3000:]
        run = json.loads((tmp_path / "outputs" / REAL_CYCLE / "manifest.json").read_text())["flow_run_id"]
        recorded = cluster.sql(
            postgres.binaries_folder(), postgres.DATABASE, f"SELECT state_type FROM flow_run WHERE id = '{run}'"
        )
        assert recorded.strip() == "COMPLETED"
        extension = cluster.sql(postgres.binaries_folder(), postgres.DATABASE, "SELECT extname FROM pg_extension")
        assert "pg_trgm" in extension.split()
    finally:
        server.send_signal(signal.SIGTERM)  # as a service manager stops it
        try:
            server.wait(timeout=30)
        finally:
            stop(server)
    assert server.returncode is not None
    assert not cluster.running(), "PostgreSQL outlived its server"
    assert error_lines(log) == [], log.read_text()[-3000:]


@pytest.mark.scale
def test_a_postgresql_of_the_operator_s_own_is_checked_then_used(home: Path, tmp_path: Path) -> None:
    """`make server DB_URL=…` (Prefect's PREFECT_SERVER_DATABASE_CONNECTION_URL): the project's cluster
    stands in for a server the operator runs, reached by URL only."""
    existing = Cluster(home / "existing", free_port())
    url = existing.start()
    binaries = postgres.binaries_folder()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    environment["PREFECT_HOME"] = str(home / "server")

    def server_with(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "pipeline", "server", "--port", str(port)]
        return start(command, {**environment, postgres.CONNECTION_URL: database_url}, log)

    # A database without pg_trgm that this user may not enable: refused, saying who must.
    existing.sql(binaries, "postgres", "CREATE DATABASE theirs OWNER postgres")
    refused = subprocess.run(
        [sys.executable, "-m", "pipeline", "server", "--port", str(free_port())],
        env={**environment, postgres.CONNECTION_URL: url.rsplit("/", 1)[0] + "/theirs"},
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        refused.returncode == 1 and "ask its administrator to run CREATE EXTENSION pg_trgm in theirs" in refused.stderr
    )
    assert "Traceback" not in refused.stderr and url.split("@")[0].split(":")[-1] not in refused.stderr  # no password
    wrong = url.replace("@", "x@", 1)  # a wrong password
    said = subprocess.run(
        [sys.executable, "-m", "pipeline", "server", "--db-url", wrong, "--port", str(free_port())],
        env=environment,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert said.returncode == 1 and "cannot connect" in said.stderr and "Traceback" not in said.stderr

    # Prefect's own database there, pg_trgm dropped: it is enabled again, and the server runs on it.
    existing.sql(binaries, postgres.DATABASE, "DROP EXTENSION pg_trgm")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "server.log"
    server = server_with(url, port, log)
    try:
        wait_for(
            lambda: httpx.get(f"{api}/health", timeout=5).json() is True, "the server on the operator's PostgreSQL"
        )
        assert not (home / "server" / "postgres").exists()  # no cluster of the project's was made
        assert "pg_trgm" in existing.sql(binaries, postgres.DATABASE, "SELECT extname FROM pg_extension").split()
        prefect_listings(api, environment)
    finally:
        stop(server)
        existing.stop()
    assert error_lines(log) == [], log.read_text()[-3000:]
