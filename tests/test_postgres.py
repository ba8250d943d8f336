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
from tests.servers import error_lines, free_port, start, stop, wait_for


def test_an_older_postgresql_is_named_and_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "13" / "bin" / "postgres"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'postgres (PostgreSQL) 13.2'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(postgres, "_BINARIES", tmp_path)
    with pytest.raises(PipelineError, match=r"PostgreSQL 13\.2 is installed; Prefect's server needs 14\.9 or later"):
        postgres.binaries_folder()


@pytest.fixture
def home() -> Iterator[Path]:
    """The server's state, where the postgres user can reach it (pytest's own folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="pipeline-postgres-"))
    folder.chmod(0o755)
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
