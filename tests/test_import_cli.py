"""`python -m pipeline import` on the command line: what it prints, what it refuses, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.cli.main import main
from pipeline.commands import command
from tests.importing import listing, page, page_file, response
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS


def test_cli_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    path = page_file(tmp_path, page(response("Cabinet Office"), response("Home Office")))
    assert main(["import", str(path), "--cycle", "new", "--submissions", str(root)]) == 0
    output = capsys.readouterr()
    assert output.out == (
        f"wrote {root / 'new'}: report.yaml and 2 department files\n"
        f"check it against the page, then build it: {command('build', '--cycle', 'new')}\n"
    )
    assert output.err == ""
    assert main(["validate", str(root / "new")]) == 0


def test_cli_reports_problems_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    path = page_file(tmp_path, page(response("Home Office")[:9]))
    assert main(["import", str(path), "--cycle", "new", "--submissions", str(root)]) == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert output.err == (
        f'{path}:5:1: error: "Home Office" has no section "Planned activities in 2015"\n'
        '    hint: add the heading "Planned activities in 2015" and the department\'s text for it after '
        '"Progress during 2014" (line 12)\n'
        f"nothing was written to {root}\n"
    )
    assert listing(root) == []


def test_cli_refuses_an_existing_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = page_file(tmp_path, page(response("Home Office")))
    assert main(["import", str(path), "--cycle", REAL_CYCLE, "--submissions", str(SUBMISSIONS)]) == 1
    assert capsys.readouterr().err == (
        f"error: {SUBMISSIONS / REAL_CYCLE} already exists: an import never overwrites a cycle; "
        "choose another --cycle, or move it aside\n"
    )
    assert not [path for path in SUBMISSIONS.iterdir() if path.name.startswith(".import-")]


def test_cli_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "submissions"
    root.mkdir()
    path = page_file(tmp_path, page(response("Home Office"), header=["Digital capability", "Introduction."]))
    common = ["import", str(path), "--cycle", "new", "--submissions", str(root)]
    assert main([*common, "--published", "16/01/2015"]) == 1
    assert capsys.readouterr().err == "error: --published 16/01/2015: write the date as YYYY-MM-DD\n"
    options = ["--strategy", "Government Digital Strategy", "--action", "4", "--published", "2015-01-16"]
    assert main([*common, *options]) == 0
    config = yaml.safe_load((root / "new" / "report.yaml").read_text(encoding="utf-8"))
    assert (config["strategy"], config["action"], config["published"]) == (
        "Government Digital Strategy",
        4,
        "2015-01-16",
    )


def test_cli_runs_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(b"\xff\xfe not text")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "import", str(path), "--cycle", "new", "--submissions", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:1:1: error: file is saved as UTF-16, not UTF-8\n")
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["page.txt"]
