from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.cli.main import main
from tests.builders import CONFIG, submission, write_cycle
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS


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


def test_validate_says_every_mistake_at_once_syntax_errors_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = (
        "department: Department of Health\n"
        "commitments: We will: do things.\n"  # 1. a colon and a space in text
        "progess:\n"  # 2. a misspelt key
        "\t2013: We did things.\n"  # 3. a tab
        "  2014: no\n"  # 4. YAML's no
        "plans:\n"
        "  2014: We plan things.\n"  # 5. 2015 missing
    )
    folder = write_cycle(tmp_path, {"health.yaml": written})
    assert main(["validate", str(folder / "health.yaml")]) == 1
    said = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("    hint:")]
    assert said == [
        f'{folder}/health.yaml:2:21: error: commitments: the text has ": " (a colon and a space) in it, which YAML'
        " reads as the start of another key",
        f"{folder}/health.yaml:3:1: error: progess: unknown key",
        f"{folder}/health.yaml:4:1: error: progess.2013: a tab is used for indentation",
        f"{folder}/health.yaml:5:9: error: progress.2014: YAML reads no as false, not as text",
        f'{folder}/health.yaml:7:3: error: plans.2015: section "Planned activities in 2015" is missing',
        "1 file(s) checked: 5 errors, 0 warnings",
    ]


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
        "    hint: a submission is checked against its cycle: name it (validate FILE --cycle 2015-action-04), or put"
        " the file in the cycle's folder under submissions/\n"
        f"{tmp_path}/missing.yaml:1:1: error: no such file\n"
        "    hint: check the path\n"
        "1 file(s) checked: 2 errors, 0 warnings\n"
    )


def test_a_file_kept_anywhere_is_checked_as_the_cycle_s_file_of_its_department(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    draft = tmp_path / "drafts" / "our-draft.yaml"
    draft.parent.mkdir()
    draft.write_text(yaml.safe_dump(submission(progess="x")), encoding="utf-8")
    arguments = ["validate", str(draft), "--cycle", "test-cycle", "--submissions", str(root)]
    assert main(arguments) == 1
    said = capsys.readouterr().out
    # Its own mistake, and not "a second file for the Department of Health": it stands for health.yaml.
    assert said == (
        f"{draft}:6:1: error: progess: unknown key\n"
        '    hint: did you mean "progress"?\n'
        "1 file(s) checked: 1 error, 0 warnings\n"
    )
    draft.write_text(yaml.safe_dump(submission()), encoding="utf-8")
    assert main(arguments) == 0
    assert capsys.readouterr().out == "1 file(s) checked: 0 errors, 0 warnings\n"
    assert sorted(path.name for path in (root / "test-cycle").iterdir()) == ["health.yaml", "home.yaml", "report.yaml"]


def test_validate_runs_without_prefect_or_a_traceback(tmp_path: Path) -> None:
    folder = write_cycle(tmp_path, {"health.yaml": "department: [\n"})
    script = (
        "import sys; from pipeline.cli.main import main; code = main(sys.argv[1:]); "
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


# --- Hand-offs: what the command prints works as printed, and every argument says what it is.


def test_every_argument_of_every_command_has_help() -> None:
    from pipeline.cli.main import _parser

    def commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        found = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
        return dict(found[0].choices) if found else {}

    commands = commands_of(_parser())
    assert sorted(commands) == [
        "build",
        "deploy",
        "import",
        "new",
        "portal",
        "schema",
        "serve",
        "server",
        "validate",
        "worker",
    ]
    assert sorted(commands_of(commands["portal"])) == ["audit", "invite", "invites", "revoke"]
    every = {**commands, **{f"portal {name}": command for name, command in commands_of(commands["portal"]).items()}}
    undocumented = [
        f"{name} {action.dest}"
        for name, command in every.items()
        for action in command._actions
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction) and not (action.help or "").strip()
    ]
    assert undocumented == []


def test_the_command_new_prints_works_as_printed(tmp_path: Path) -> None:
    """From the project's folder, with the system's Python first on the path, as a department would run it."""
    root = tmp_path / "submissions"
    write_cycle(root, {})
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    created = subprocess.run(
        [sys.executable, "-m", "pipeline", "new", "--cycle", "test-cycle", "--department", "Home Office"]
        + ["--submissions", str(root)],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    printed = created.stdout.splitlines()[-1].split("check it: ", 1)[1]
    assert printed.startswith(".venv/bin/annual-report validate ")
    checked = subprocess.run(printed, shell=True, cwd=PROJECT, env=environment, capture_output=True, text=True)
    # The new file's sections are empty, so it has errors: the command ran and said so, in its own words.
    assert checked.returncode == 1 and "file(s) checked" in checked.stdout, checked.stderr
    assert "not installed" not in checked.stderr and "Traceback" not in checked.stderr


def test_an_unknown_cycle_is_refused_before_prefect_starts_and_the_cycles_are_listed(tmp_path: Path) -> None:
    script = (
        "import sys; from pipeline.cli.main import main; code = main(sys.argv[1:]); "
        "print('prefect loaded' if 'prefect' in sys.modules else 'prefect not loaded'); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "build", "--cycle", "2015-action-4", "--outputs", str(tmp_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and result.stdout == "prefect not loaded\n"
    there = sorted(folder.parent.name for folder in SUBMISSIONS.glob("*/report.yaml"))
    assert len(there) == 15 and result.stderr.endswith(f"\nthe cycles there are: {', '.join(there)}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_cycle_that_requires_review_is_not_built_where_no_reviewer_can_be_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.orchestration import prefect_api

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(prefect_api, "healthy", lambda url, timeout=0.5: False)  # no coordinators' server running
    folder = write_cycle(tmp_path / "submissions", {}, {**CONFIG, "review": "required"})
    arguments = ["build", "--cycle", folder.name, "--submissions", str(folder.parent), "--outputs", str(tmp_path)]
    assert main(arguments) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: test-cycle is published only once a reviewer approves it (review: required")
    assert "start it in another terminal (make server)" in error and "add --preview" in error
    assert main([*arguments, "--review", "--format", "html"]) == 1
    assert "--preview and --format build a preview: use one or the other" in capsys.readouterr().err
    assert not (tmp_path / "test-cycle").exists()


@pytest.mark.parametrize("command", ["serve", "deploy", "worker"])
def test_commands_for_the_coordinators_server_say_when_none_answers(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens on the discard port
    assert main([command]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: no Prefect server answers at http://127.0.0.1:9/api: start it (make server)")
    assert "Traceback" not in error
