from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from pipeline import atomic
from pipeline.errors import PublishError
from pipeline.publish.manifest import build_manifest
from pipeline.publish.publishing import describe, publish
from pipeline.read.yaml_file import load_yaml
from pipeline.workspace import Workspace


def _leftovers(root: Path) -> list[str]:
    """Anything beside the published folder but its lock file: a staging folder left behind."""
    return [path.name for path in root.iterdir() if path.name not in ("cycle", ".cycle.lock")]


def _publish(root: Path, files: dict[str, bytes]) -> Path:
    return publish(Workspace(outputs=root), "cycle", files, build_manifest("cycle", files, [], root)).folder


def test_manifest_names_every_output_and_input(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dept.yaml").write_text("department: X\n")
    files = {"report.html": b"<html>", "report.pdf": b"%PDF"}
    manifest = build_manifest("cycle", files, [load_yaml(tmp_path / "in" / "dept.yaml")], tmp_path)
    folder = publish(Workspace(outputs=tmp_path / "out"), "cycle", files, manifest).folder
    written = json.loads((folder / "manifest.json").read_text())
    zipped = (folder / "cycle.zip").read_bytes()
    assert written == {
        "schema_version": 2,
        "cycle": "cycle",
        "flow_run_id": None,
        "outputs": [
            {"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        ],
        "submissions": [{"file": "in/dept.yaml", "sha256": hashlib.sha256(b"department: X\n").hexdigest()}],
        "bundle": {"file": "cycle.zip", "bytes": len(zipped), "sha256": hashlib.sha256(zipped).hexdigest()},
        "published_at": written["published_at"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", written["published_at"])
    for output in [*written["outputs"], written["bundle"]]:
        assert hashlib.sha256((folder / output["file"]).read_bytes()).hexdigest() == output["sha256"]


def test_a_new_build_replaces_the_whole_folder_and_keeps_the_old_one(tmp_path: Path) -> None:
    _publish(tmp_path, {"report.html": b"old", "report.docx": b"old"})
    folder = _publish(tmp_path, {"report.html": b"new"})
    assert sorted(path.name for path in folder.iterdir()) == ["cycle.zip", "history", "manifest.json", "report.html"]
    assert (folder / "report.html").read_bytes() == b"new"
    (previous,) = (folder / "history").iterdir()
    assert sorted(path.name for path in previous.iterdir()) == [
        "cycle.zip",
        "manifest.json",
        "report.docx",
        "report.html",
    ]
    assert (previous / "report.html").read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_history_is_bounded(tmp_path: Path) -> None:
    for number in range(5):
        files = {"report.html": f"build {number}".encode()}
        publish(
            Workspace(outputs=tmp_path), "cycle", files, build_manifest("cycle", files, [], tmp_path), keep_history=2
        )
    history = sorted((tmp_path / "cycle" / "history").iterdir())
    assert [(path / "report.html").read_bytes() for path in history] == [b"build 2", b"build 3"]
    assert (tmp_path / "cycle" / "report.html").read_bytes() == b"build 4"
    files = {"report.html": b"build 5"}
    publish(Workspace(outputs=tmp_path), "cycle", files, build_manifest("cycle", files, [], tmp_path), keep_history=0)
    assert not (tmp_path / "cycle" / "history" / history[0].name).exists()


def test_an_identical_rebuild_changes_nothing(tmp_path: Path) -> None:
    _publish(tmp_path, {"report.html": b"build 1"})
    files = {"report.html": b"build 2"}
    published = publish(Workspace(outputs=tmp_path), "cycle", files, build_manifest("cycle", files, [], tmp_path))
    before = {path.relative_to(tmp_path): path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    for run in ("second", "third"):
        again = publish(Workspace(outputs=tmp_path), "cycle", files, build_manifest("cycle", files, [], tmp_path, run))
        assert again.unchanged and not published.unchanged
        assert again.manifest == published.manifest  # the publication's own, kept
    assert {path.relative_to(tmp_path): path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before
    assert [(path / "report.html").read_bytes() for path in (tmp_path / "cycle" / "history").iterdir()] == [b"build 1"]
    assert describe(again).startswith(f"{tmp_path / 'cycle'} is unchanged: every output is the same, byte for byte")


def test_a_failed_write_leaves_the_previous_build_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _publish(tmp_path, {"report.html": b"old"})
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    writes = []

    def fail_on_second(path: Path, data: bytes) -> None:
        writes.append(path)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        path.write_bytes(data)

    monkeypatch.setattr(atomic, "write_synced", fail_on_second)
    with pytest.raises(PublishError, match="No space left on device"):
        _publish(tmp_path, {"report.html": b"new", "report.pdf": b"new"})
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert _leftovers(tmp_path) == []


def test_swap_without_renameat2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoRenameat2:
        pass

    monkeypatch.setattr(atomic, "_libc", NoRenameat2)  # a C library without renameat2
    _publish(tmp_path, {"report.html": b"old"})
    folder = _publish(tmp_path, {"report.html": b"new"})
    assert (folder / "report.html").read_bytes() == b"new"
    assert _leftovers(tmp_path) == []
