"""An installation made by the previous Prefect, upgraded: `make server` and a local build on a
`.prefect-server/` or `.prefect/` whose database Prefect 3.8.8 made migrate it forward, and what
it recorded is still there. (Long: servers boot and migrate; in make test-scale.)

The fixture is Prefect 3.8.8's own SQLite database, made by its `prefect server start` and one run
of a flow named annual-report (its run "automatic-spoonbill"), then checkpointed and gzipped."""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prefect.server import database as prefect_database

from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.servers import error_lines, free_port, prefect_listings, start, stop, wait_for

pytestmark = pytest.mark.scale

MADE_BY_3_8 = Path(__file__).parent / "fixtures" / "prefect-3.8.8" / "prefect.db.gz"
REVISION_3_8 = "a3b9c7d2e5f1"
RUN_3_8 = "automatic-spoonbill"


def _home_made_by_3_8(home: Path) -> Path:
    home.mkdir(parents=True)
    with gzip.open(MADE_BY_3_8) as packed, (home / "prefect.db").open("wb") as database:
        shutil.copyfileobj(packed, database)
    assert _revision(home) == REVISION_3_8
    return home


def _revision(home: Path) -> str:
    with sqlite3.connect(home / "prefect.db") as database:
        (revision,) = database.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(revision)


def _newest_revision() -> str:
    """The installed Prefect's last SQLite migration: its files are named year_month_day_time_revision_what."""
    folder = Path(prefect_database.__file__).parent / "_migrations" / "versions" / "sqlite"
    newest = max(path.name for path in folder.glob("2*.py"))
    return newest.split("_")[4]


def _environment(home: Path) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")},
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }


def test_make_server_migrates_a_database_made_by_prefect_3_8_and_keeps_its_runs(tmp_path: Path) -> None:
    home = _home_made_by_3_8(tmp_path / ".prefect-server")
    environment = _environment(home)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "server.log"
    server = start([sys.executable, "-m", "pipeline", "server", "--port", str(port)], environment, log)
    try:
        wait_for(lambda: httpx.get(f"{api}/health").json() is True, "the server on 3.8's database")
        assert _revision(home) == _newest_revision() != REVISION_3_8
        listed = prefect_listings(api, environment)
        assert RUN_3_8 in listed["flow-run"] and "annual-report" in listed["flow"], listed
    finally:
        stop(server)
    assert error_lines(log) == [], log.read_text()[-3000:]


def test_a_local_build_migrates_a_database_made_by_prefect_3_8_and_records_its_run_beside_the_old(
    tmp_path: Path,
) -> None:
    home = _home_made_by_3_8(tmp_path / ".prefect")
    submissions = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, submissions / REAL_CYCLE)
    built = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--cycle", REAL_CYCLE, "--format", "html"]
        + ["--submissions", str(submissions), "--outputs", str(tmp_path / "outputs")],
        cwd=PROJECT,
        env=_environment(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    assert _revision(home) == _newest_revision()
    with sqlite3.connect(home / "prefect.db") as database:
        runs = dict(database.execute("SELECT name, state_type FROM flow_run").fetchall())
    assert runs.pop(RUN_3_8) == "COMPLETED"
    assert list(runs.values()) == ["COMPLETED"], runs
    assert error_lines(home / "temporary-server.log") == []
