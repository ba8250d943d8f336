"""The whole 2012 edition, as a coordinator builds it: `build --edition 2012 --workers 2` publishes
the 14 action pages, a page per department of the 18 in every format, the volume and the landing
page, every file in a manifest with its checksum. The edition's pages are made on the workers
beside the cycles, and are byte for byte what a build in turn makes. (Long: in make test-scale.)"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import editions
from pipeline.render import OutputFormat
from pipeline.workspace import Workspace
from tests.paths import PROJECT, SUBMISSIONS


def _published(folder: Path) -> dict[str, str]:
    """Each file the manifest lists, and whether its sha256 is the file's."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return {
        entry["file"]: "ok"
        if hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
        else "differs"
        for entry in manifest["outputs"]
    }


@pytest.mark.scale
def test_build_edition_2012_publishes_every_action_and_every_department(tmp_path: Path) -> None:
    submissions, outputs = tmp_path / "submissions", tmp_path / "outputs"
    for cycle in [f"2012-action-{number:02d}" for number in range(1, 15)]:
        shutil.copytree(SUBMISSIONS / cycle, submissions / cycle)
    environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--edition", "2012", "--workers", "2"]
        + ["--submissions", str(submissions), "--outputs", str(outputs)],
        cwd=PROJECT,
        env={**environment, "PREFECT_HOME": str(tmp_path / "prefect")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[:14] == [f"2012-action-{number:02d}: Completed" for number in range(1, 15)]
    assert lines[14] == f"edition 2012: published {outputs / 'editions' / '2012'}"
    for number in range(1, 15):
        files = _published(outputs / f"2012-action-{number:02d}")
        assert set(files) == {output.file_name for output in OutputFormat} and set(files.values()) == {"ok"}
    edition = _published(outputs / "editions" / "2012")
    pages = [name for name in edition if name.startswith("departments/") and name.endswith(".html")]
    assert len(pages) == 18 and len(edition) == 18 * len(OutputFormat) + 3 and set(edition.values()) == {"ok"}
    assert {"volume.pdf", "volume.docx", "index.html"} <= set(edition)
    assert 'href="editions/2012/index.html"' in (outputs / "index.html").read_text()
    # In turn, beside the same cycles' publications (an edition shows only the words they hold).
    shutil.copytree(outputs, tmp_path / "in-turn", ignore=shutil.ignore_patterns("editions"))
    in_turn = editions.build_edition(Workspace(submissions, tmp_path / "in-turn"), "2012")
    pieces = [name for name in edition if name.startswith("departments/") or name.startswith("volume.")]
    assert len(pieces) == 18 * len(OutputFormat) + 2
    for name in pieces:
        assert (in_turn / name).read_bytes() == (outputs / "editions" / "2012" / name).read_bytes(), name
