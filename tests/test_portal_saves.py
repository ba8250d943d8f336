"""Every save through the portal audited exactly once, whatever dies when: a real process saving
is SIGKILLed at each step of a save in turn, the portal starts again, and the file, its kept
versions and the audit agree. And on a really full disk (a small tmpfs, filled), a save says
nothing was saved and leaves nothing behind, while links still open."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from pipeline.portal import saving
from pipeline.portal.app import portal_app
from pipeline.portal.invites import InviteStore
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle
from tests.paths import PROJECT

CYCLE = "2015-action-09"
FILE = "department-of-health.yaml"
OLD = yaml.safe_dump(submission(commitments="The old words.")).encode()
NEW = yaml.safe_dump(submission(commitments="The new words.")).encode()

# In the saving process: each call of the functions a save is made of is a step; the process
# kills itself with SIGKILL as the `KILL_AT`th begins. It prints "returned" if the save ended.
SAVER = """
import os, signal, sys
from pathlib import Path
from pipeline.portal import database, saving
from pipeline.portal.invites import InviteStore
from pipeline import atomic
from pipeline.workspace import Workspace

kill_at, steps = int(sys.argv[3]), []

def step(name, function):
    def stepped(*arguments, **options):
        steps.append(name)
        print(name, flush=True)
        if len(steps) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*arguments, **options)
    return stepped

database.Database.write = step("database write", database.Database.write)
atomic.write_synced = step("write and sync", atomic.write_synced)
atomic.fsync_directory = step("sync the folder", atomic.fsync_directory)
saving.os.rename = step("rename", os.rename)
workspace = Workspace(Path(sys.argv[1]), Path(sys.argv[2]))
(invite,) = InviteStore(workspace).invites()
loaded = saving.version_of((workspace.submissions / sys.argv[4] / sys.argv[5]).read_bytes())
outcome = saving.save(workspace, invite, sys.argv[5], sys.stdin.buffer.read(), loaded, "form")
print("returned", type(outcome).__name__, flush=True)
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "submissions", tmp_path / "outputs")
    write_cycle(workspace.submissions, {}, CONFIG, cycle=CYCLE)
    invite, _ = InviteStore(workspace).invite(CYCLE, "Department of Health", days=1)
    (workspace.submissions / CYCLE / FILE).write_bytes(b"department: Department of Health\n")
    # The file's first save through the portal: the old words, audited.
    saved = saving.save(workspace, invite, FILE, OLD, saving.version_of(b"department: Department of Health\n"), "form")
    assert isinstance(saved, saving.Saved)
    return workspace


def _save_killed_at(workspace: Workspace, step: int) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", SAVER, str(workspace.submissions), str(workspace.outputs), str(step), CYCLE, FILE]
    return subprocess.run(command, input=NEW.decode(), capture_output=True, text=True, cwd=PROJECT, timeout=60)


def _agreed(workspace: Workspace) -> bytes:
    """After the portal starts again: what the file holds, having checked that it and the audit agree."""
    portal_app(workspace)  # starting settles what a killed save left
    now = (workspace.submissions / CYCLE / FILE).read_bytes()
    assert now in (OLD, NEW)
    audited = saving.audit(workspace, CYCLE)
    expected = [saving.version_of(OLD)] + ([saving.version_of(NEW)] if now == NEW else [])
    assert [saved.sha256 for saved in audited] == expected  # each save once, and none that did not land
    assert audited[-1].replaced_sha256 == (saving.version_of(OLD) if now == NEW else audited[-1].replaced_sha256)
    leftovers = [path.name for path in (workspace.submissions / CYCLE).iterdir() if path.name.startswith(".")]
    assert leftovers == []
    kept = sorted((workspace.portal / saving.VERSIONS / CYCLE).iterdir())
    # One version kept per save that replaced a file: the first save's, and the new save's if it landed.
    assert [path.read_bytes() for path in kept] == [b"department: Department of Health\n"] + (
        [OLD] if now == NEW else []
    )
    return now


def test_a_save_killed_at_any_step_is_audited_exactly_once_when_the_portal_starts_again(
    workspace: Workspace, tmp_path: Path
) -> None:
    outcomes = []
    step = 1
    while True:
        trial = tmp_path / f"trial-{step}"
        copy = Workspace(trial / "submissions", trial / "outputs")
        shutil.copytree(workspace.submissions, copy.submissions)
        shutil.copytree(workspace.outputs, copy.outputs)
        ran = _save_killed_at(copy, step)
        steps = ran.stdout.splitlines()
        if steps and steps[-1].startswith("returned"):
            assert steps[-1] == "returned Saved", ran.stderr
            assert _agreed(copy) == NEW
            break
        assert ran.returncode == -signal.SIGKILL, ran.stderr[-2000:]
        outcomes.append((steps[-1], _agreed(copy)))
        step += 1
    # Killed before its intent was committed, nothing happened; after the rename, it landed.
    assert [name for name, _ in outcomes] == [
        "database write",
        "write and sync",
        "write and sync",
        "sync the folder",
        "rename",
        "sync the folder",
        "database write",
    ]
    assert [held for _, held in outcomes] == [OLD, OLD, OLD, OLD, OLD, NEW, NEW]


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder`, unmounted on the way out."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    assert mounted.returncode == 0, f"this test needs to mount a tmpfs (as root): {mounted.stderr.decode()}"
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _fill(disk: Path) -> None:
    with open(disk / "filler", "wb") as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()
            os.fsync(filler.fileno())


def test_on_a_full_disk_nothing_is_saved_nothing_is_left_behind_and_links_still_open(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk", "4m") as disk:
        workspace = Workspace(disk / "submissions", disk / "outputs")
        write_cycle(workspace.submissions, {}, CONFIG, cycle=CYCLE)
        store = InviteStore(workspace)
        _, token = store.invite(CYCLE, "Department of Health", days=1)
        _, second = store.invite(CYCLE, "Department of Health", days=1)
        client = TestClient(portal_app(workspace), base_url="http://127.0.0.1", follow_redirects=False)
        assert client.get(f"/invite/{token}").status_code == 303
        page = client.get("/submission").text
        form = {"csrf": _hidden(page, "csrf"), "version": _hidden(page, "version")}
        form |= {"section-commitments": "We will.", "section-progress-2013": "We did.", "section-progress-2014": "Yes."}
        form |= {"section-plans-2014": "We plan.", "section-plans-2015": "And more."}
        assert client.post("/submission", data=form).status_code == 303  # saved, with room to spare
        saved = (workspace.submissions / CYCLE / FILE).read_bytes()
        page = client.get("/submission").text

        _fill(disk)
        again = client.post(
            "/submission", data={**form, "version": _hidden(page, "version"), "section-plans-2015": "Changed."}
        )
        assert again.status_code == 507 and "Nothing was saved" in again.text
        assert "disk is full" in again.text
        assert (workspace.submissions / CYCLE / FILE).read_bytes() == saved
        assert [path.name for path in (workspace.submissions / CYCLE).iterdir() if path.name.startswith(".")] == []
        assert not (workspace.portal / saving.VERSIONS).exists()  # the first save replaced nothing; this one kept none
        assert len(saving.audit(workspace, CYCLE)) == 1

        # A department's link still opens, on the space the portal kept for its own records.
        other = TestClient(portal_app(workspace), base_url="http://127.0.0.1", follow_redirects=False)
        assert other.get(f"/invite/{second}").status_code == 303
        assert other.get("/submission").status_code == 200


def _hidden(page: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]
