"""What the real-server tests count as a server's error: every ERROR line of its log, with its
traceback, except SQLite's lock on a state change, which Prefect answers with 503 and its client
tries again."""

from __future__ import annotations

from pathlib import Path

from tests.servers import error_lines

LOCKED = """08:39:57.095 | ERROR   | prefect.server - Encountered error during state validation
Traceback (most recent call last):
  File "sqlalchemy/engine/base.py", line 2000, in _exec_single_context
    self.dialect.do_execute(
sqlite3.OperationalError: database is locked

The above exception was the direct cause of the following exception:

sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked
[SQL: INSERT INTO task_run_state (task_run_id, type) VALUES (:task_run_id, :type)]
"""
BROKEN_SERVICE = """08:40:01.200 | ERROR   | prefect.server.services.task_run_recorder - Error handling event
Traceback (most recent call last):
  File "prefect/server/services/task_run_recorder.py", line 90, in record_task_run_event
KeyError: 'task_run'
"""
OTHER_STATE_ERROR = """08:40:02.000 | ERROR   | prefect.server - Encountered error during state validation
Traceback (most recent call last):
sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) FOREIGN KEY constraint failed
"""
INFO = '08:40:03.000 | INFO    | uvicorn.access - 127.0.0.1 - "POST /api/flow_runs/filter" 200\n'


def _log(tmp_path: Path, text: str) -> Path:
    log = tmp_path / "server.log"
    log.write_text(text, encoding="utf-8")
    return log


def test_sqlite_lock_that_prefect_retries_is_not_an_error(tmp_path: Path) -> None:
    assert error_lines(_log(tmp_path, INFO + LOCKED + INFO)) == []


def test_every_other_error_is_reported_with_its_traceback(tmp_path: Path) -> None:
    errors = error_lines(
        _log(tmp_path, LOCKED + BROKEN_SERVICE + INFO + OTHER_STATE_ERROR + "ERROR:    uvicorn gave up\n")
    )
    assert [error.splitlines()[0][15:] for error in errors[:2]] == [
        "ERROR   | prefect.server.services.task_run_recorder - Error handling event",
        "ERROR   | prefect.server - Encountered error during state validation",
    ]
    assert errors[0].rstrip().endswith("KeyError: 'task_run'") and "uvicorn.access" not in errors[0]
    assert "IntegrityError" in errors[1]
    assert errors[2] == "ERROR:    uvicorn gave up\n"
