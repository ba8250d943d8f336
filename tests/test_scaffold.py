"""The schema editors use, and the file a department starts from."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipeline.cli.main import main
from pipeline.submission.scaffold import schema_files
from tests.builders import CONFIG, write_cycle
from tests.paths import REAL_CYCLE, SUBMISSIONS


def test_checked_in_schemas_match_the_definition() -> None:
    """`python -m pipeline schema --write` regenerates them after a change to pipeline/submission/schema.py."""
    for name, text in schema_files().items():
        assert (SUBMISSIONS / name).read_text(encoding="utf-8") == text, name


def _as_json(data: object) -> object:
    """What an editor's YAML language server sees: keys are strings."""
    if isinstance(data, dict):
        return {str(key): _as_json(value) for key, value in data.items()}
    return data


@pytest.mark.parametrize("path", sorted((SUBMISSIONS / REAL_CYCLE).glob("*.yaml")), ids=lambda path: path.stem)
def test_real_files_meet_the_published_schema_and_name_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    schema_name = "report.schema.json" if path.name == "report.yaml" else "submission.schema.json"
    assert text.startswith(f"# yaml-language-server: $schema=../{schema_name}\n")
    schema = json.loads((SUBMISSIONS / schema_name).read_text())
    data = _as_json(yaml.safe_load(text))
    if path.name == "report.yaml":
        data["published"] = str(data["published"])
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())


def test_schema_rejects_what_validation_rejects() -> None:
    schema = json.loads((SUBMISSIONS / "submission.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError, match="Additional properties are not allowed"):
        jsonschema.validate({"department": "X", "commitments": "a", "progress": {}, "plans": {}, "progess": {}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"department": "X", "commitments": False, "progress": {}, "plans": {}}, schema)


def test_new_scaffolds_every_section_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_cycle(tmp_path, {})
    arguments = ["new", "--submissions", str(tmp_path), "--cycle", "test-cycle"]
    assert main([*arguments, "--department", "Department of Health"]) == 0
    created = tmp_path / "test-cycle" / "department-of-health.yaml"
    assert capsys.readouterr().out.startswith(f"wrote {created}\n")
    text = created.read_text()
    assert text.startswith("# yaml-language-server: $schema=../submission.schema.json\n")
    assert "# Planned activities in 2015: what the department plans to do in 2015.\n  2015: |\n" in text

    assert main(["validate", str(created)]) == 1
    messages = [line for line in capsys.readouterr().out.splitlines() if ": error: " in line]
    assert [message.split(": error: ")[1] for message in messages] == [
        'commitments: section "Departmental digital strategy commitments (December 2012)" is empty',
        'progress.2013: section "Progress during 2013" is empty',
        'progress.2014: section "Progress during 2014" is empty',
        'plans.2014: section "Planned activities in 2014" is empty',
        'plans.2015: section "Planned activities in 2015" is empty',
    ]  # in the order of the file's lines


def test_new_never_overwrites_and_knows_the_departments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_cycle(tmp_path, {"department-of-health.yaml": "department: Department of Health\n"})
    arguments = ["new", "--submissions", str(tmp_path), "--cycle", "test-cycle", "--department"]
    assert main([*arguments, "Department of Health"]) == 1
    assert (tmp_path / "test-cycle" / "department-of-health.yaml").read_text() == "department: Department of Health\n"
    assert main([*arguments, "Home Ofice"]) == 1
    errors = capsys.readouterr().err
    assert "already exists" in errors
    assert 'error: "Home Ofice" is not expected in test-cycle; did you mean "Home Office"?' in errors
    assert CONFIG["departments"] == ["Department of Health", "Home Office"]
