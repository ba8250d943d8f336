from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import CycleNotFoundError
from pipeline.read.source import read_cycle
from pipeline.read.yaml_file import load_yaml


def _load(tmp_path: Path, content: str | bytes) -> object:
    path = tmp_path / "dept.yaml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return load_yaml(path)


def test_values_keep_their_lines(tmp_path: Path) -> None:
    source = _load(tmp_path, "department: DH\nprogress:\n  2013: |\n    text\n  2014: more\n")
    assert source.data == {"department": "DH", "progress": {2013: "text\n", 2014: "more"}}
    assert source.position_of(("progress", 2014)).line == 5
    assert source.position_of(("progress", 2014), key=True).line == 5
    assert ("progress", 2013) in source.block_scalars
    assert source.position_of(("progress", 2099)).line == 3  # nearest enclosing value
    assert len(source.sha256) == 64


def test_duplicate_keys_are_reported_not_overwritten(tmp_path: Path) -> None:
    source = _load(tmp_path, "department: A\ncommitments: one\ncommitments: two\n")
    assert [str(problem) for problem in source.problems] == [
        f"{tmp_path}/dept.yaml:3:1: error: commitments: key appears twice (first on line 2)\n"
        "    hint: remove one of them: YAML would silently keep only the last"
    ]


def test_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    source = _load(tmp_path, "department: A\ncommitments: [unclosed\nplans: x\n")
    (problem,) = source.problems
    assert (problem.line, problem.message) == (3, "YAML syntax error: did not find expected ',' or ']'")
    assert source.data is None


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    source = _load(tmp_path, b"department: A\ncommitments: caf\xe9\n")
    (problem,) = source.problems
    assert (problem.line, problem.message) == (2, "byte 0xe9 is not valid UTF-8")


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    source = _load(tmp_path, "department: !!python/object/apply:os.system ['echo hi']\n")
    (problem,) = source.problems
    assert problem.message == "the tag !!python/object/apply:os.system is not allowed"
    assert source.data is None


def test_alias_bomb_is_cut_off(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for index in range(1, 9):
        lines.append(f"{'abcdefghi'[index]}: &{'abcdefghi'[index]} [{', '.join(['*' + 'abcdefghi'[index - 1]] * 10)}]")
    source = _load(tmp_path, "\n".join(lines) + "\n")
    (problem,) = source.problems
    assert problem.message == "too deeply nested or too many repeated (aliased) values"


def test_cycle_names_cannot_escape_the_submissions_folder(tmp_path: Path) -> None:
    with pytest.raises(CycleNotFoundError, match="is not a cycle name"):
        read_cycle(tmp_path, "../etc")


def test_missing_cycle_says_what_a_cycle_is(tmp_path: Path) -> None:
    (tmp_path / "2099-action-01").mkdir()
    with pytest.raises(CycleNotFoundError, match="no report config"):
        read_cycle(tmp_path, "2099-action-01")


def test_a_cycle_that_is_not_there_is_named_with_the_ones_that_are(tmp_path: Path) -> None:
    for cycle in ("2015-action-04", "2012-action-03"):
        (tmp_path / cycle).mkdir()
        (tmp_path / cycle / "report.yaml").write_text("title: x\n")
    with pytest.raises(CycleNotFoundError) as raised:
        read_cycle(tmp_path, "2015-action-4")
    assert str(raised.value) == (
        f"there is no cycle '2015-action-4' in {tmp_path}\n"
        'did you mean "2015-action-04"?\n'
        "the cycles there are: 2012-action-03, 2015-action-04"
    )
