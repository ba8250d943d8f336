from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.helpers import PROJECT, REAL_CYCLE, SUBMISSIONS, submission, write_cycle


def test_validate_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SUBMISSIONS / REAL_CYCLE / "department-of-health.yaml")]) == 0
    assert capsys.readouterr().out == "1 file(s) checked: 0 errors, 0 warnings\n"


def test_validate_the_whole_real_cycle(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SUBMISSIONS / REAL_CYCLE)]) == 0
    assert capsys.readouterr().out == "18 file(s) checked: 0 errors, 0 warnings\n"


def test_validate_a_bad_file_says_where_and_how(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_cycle(tmp_path, {"health.yaml": submission(progess="x")})
    assert main(["validate", str(folder / "health.yaml")]) == 1
    assert capsys.readouterr().out == (
        f"{folder}/health.yaml:6:1: error: progess: unknown key\n"
        '    hint: did you mean "progress"?\n'
        "1 file(s) checked: 1 error, 0 warnings\n"
    )


def test_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_cycle(tmp_path, {"health.yaml": submission(commitments="")})
    assert main(["validate", "--json", str(folder / "health.yaml")]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["valid"] is False
    assert result["problems"] == [
        {
            "file": f"{folder}/health.yaml",
            "line": 1,
            "column": 14,
            "field": "commitments",
            "message": 'section "Departmental digital strategy commitments (December 2012)" is empty',
            "hint": "write the department's response here, or not_applicable: with the reason it does not apply",
            "severity": "error",
        }
    ]


def test_validate_a_file_outside_a_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "loose.yaml").write_text("department: X\n")
    assert main(["validate", str(tmp_path / "loose.yaml"), str(tmp_path / "missing.yaml")]) == 1
    assert capsys.readouterr().out == (
        f"{tmp_path}/loose.yaml:1:1: error: no report.yaml beside this file\n"
        "    hint: a submission is checked against its cycle: put it in the cycle's folder under submissions/\n"
        f"{tmp_path}/missing.yaml:1:1: error: no such file\n"
        "    hint: check the path\n"
        "1 file(s) checked: 2 errors, 0 warnings\n"
    )


def test_validate_runs_without_prefect_or_a_traceback(tmp_path: Path) -> None:
    folder = write_cycle(tmp_path, {"health.yaml": "department: [\n"})
    script = (
        "import sys; from pipeline.cli import main; code = main(sys.argv[1:]); "
        "print('prefect loaded' if 'prefect' in sys.modules else 'prefect not loaded'); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "validate", str(folder / "health.yaml")],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert result.returncode == 1
    assert "YAML syntax error" in result.stdout and "prefect not loaded" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_cycle_is_an_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    (tmp_path / "empty-cycle").mkdir()
    assert main(["validate", str(tmp_path / "empty-cycle")]) == 1
    assert "error: " in capsys.readouterr().err
