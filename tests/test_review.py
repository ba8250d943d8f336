"""Review before publication, without Prefect: a build staged, a reviewer's decision, and what it leaves behind.
(The same through Prefect's pause and run input is in test_flows.py and, on a real server, test_server.py.)"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml

from pipeline import stages
from pipeline.errors import NotApprovedError
from pipeline.operations import review
from pipeline.publish import publishing
from pipeline.publish.manifest import build_manifest
from pipeline.records import CycleStatus, Decision, DepartmentRow, ReportFacts
from pipeline.request import BuildRequest
from pipeline.runners import DirectRunner
from pipeline.workspace import REVIEW, Workspace
from tests.builders import CONFIG, submission, write_cycle


def _request(root: Path, review: bool | None = True) -> BuildRequest:
    """A build of the test cycle, which publishes HTML and PDF; reviewed unless `review` says otherwise."""
    return BuildRequest("test-cycle", review=review, workspace=Workspace(root / "submissions", root / "outputs"))


def _write_cycle(root: Path, files: dict[str, object]) -> None:
    write_cycle(root / "submissions", files, {**CONFIG, "formats": ["html", "pdf"]})  # type: ignore[arg-type]


def _published(root: Path) -> dict[str, bytes]:
    folder = root / "outputs" / "test-cycle"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@pytest.fixture
def cycle(tmp_path: Path) -> Path:
    _write_cycle(tmp_path, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    stages.build(_request(tmp_path, review=None))  # the build now published
    return tmp_path


def test_an_approved_build_is_published_with_its_reviewer(cycle: Path) -> None:
    (cycle / "submissions" / "test-cycle" / "health.yaml").write_text(
        yaml.safe_dump(submission(commitments="We will do a great many more things than before.")), encoding="utf-8"
    )
    before = _published(cycle)
    seen: list[review.Draft] = []

    def approve(draft: review.Draft) -> Decision:
        seen.append(draft)
        assert sorted(path.name for path in draft.folder.iterdir()) == ["report.html", "report.pdf"]
        assert _published(cycle) == before  # nothing published while the reviewer looks
        return review.decided(True, " Ada Lovelace ", "Checked every department.")

    published = stages.build(_request(cycle), reviewer=approve)
    (draft,) = seen
    assert draft.pages is not None and draft.pages >= 3
    assert draft.previously_published
    words_before = json.loads(before["manifest.json"])["text"]["Department of Health"]["words"]
    assert [(change.department, change.words_before) for change in draft.changes] == [
        ("Department of Health", words_before)
    ]
    assert draft.changes[0].words_now == words_before + 6  # "We will do things." became ten words
    manifest = json.loads((published.folder / "manifest.json").read_text())
    assert manifest["review"]["reviewer"] == "Ada Lovelace"
    assert manifest["review"]["comment"] == "Checked every department."
    assert manifest["review"]["approved"] is True
    assert manifest["review"]["decided_at"].endswith("+00:00")
    assert "approved by Ada Lovelace" in (published.folder / "status.md").read_text()
    assert not (draft.folder).exists()


@pytest.mark.parametrize(
    ("decision", "reason"),
    [
        (review.decided(False, "Grace Hopper", "Health's plans are out of date."), "Grace Hopper did not"),
        (review.unanswered(7 * 24 * 3600), "no reviewer answered within 7 days"),
    ],
)
def test_a_build_not_approved_publishes_nothing(cycle: Path, decision: Decision, reason: str) -> None:
    before = _published(cycle)
    with pytest.raises(NotApprovedError, match=reason):
        stages.build(_request(cycle), reviewer=lambda draft: decision)
    after = _published(cycle)
    assert {name: data for name, data in after.items() if name not in ("status.md", "validation.json")} == {
        name: data for name, data in before.items() if name not in ("status.md", "validation.json")
    }
    assert reason in (cycle / "outputs" / "test-cycle" / "status.md").read_text()
    assert json.loads(after["validation.json"])["review"] == decision.to_json()
    assert "review" not in json.loads(after["manifest.json"])
    assert list((cycle / "outputs" / REVIEW).iterdir()) == []  # the cycle's folder too, as none waits


def test_the_first_review_of_a_cycle_says_everything_is_new(tmp_path: Path) -> None:
    _write_cycle(tmp_path, {"health.yaml": submission()})
    seen: list[str] = []

    def approve(draft: review.Draft) -> Decision:
        seen.append(review.markdown(draft))
        return review.decided(True, "Ada", "")

    stages.build(_request(tmp_path), reviewer=approve)
    (summary,) = seen
    assert "1 answered, 1 valid, 1 missing" in summary
    assert "Missing: Home Office" in summary
    assert "every department's text is new" in summary
    assert "pages" in summary


def test_the_review_summary_shows_submission_text_as_text(tmp_path: Path) -> None:
    draft = review.Draft(
        cycle="c",
        title="Action | [click](http://evil.example) *",
        folder=tmp_path,
        publication=tmp_path / "c",
        files={"report.html": 10},
        status=CycleStatus("c", (DepartmentRow("Dept\n# Heading", (), False, ()),), ()),
        pages=None,
        previously_published=True,
        changes=(review.TextChange("Dept\n# Heading", 3, 4),),
    )
    summary = review.markdown(draft)
    assert "\\[click\\](http://evil.example)" in summary
    assert "\n# Heading" not in summary
    assert "| Dept \\# Heading | 3 | 4 |" in summary


def test_the_bundle_holds_the_files_and_is_the_same_for_the_same_files(tmp_path: Path) -> None:
    files = {"report.pdf": b"%PDF-1.7 pdf", "report.html": b"<!DOCTYPE html>"}
    facts = ReportFacts("Action", "Strategy", 4, (), datetime.date(2015, 1, 16))
    manifest = dataclasses.replace(build_manifest("cycle", files, [], tmp_path), report=facts)
    first = publishing.publish(Workspace(outputs=tmp_path / "one"), "cycle", files, manifest)
    second = publishing.publish(Workspace(outputs=tmp_path / "two"), "cycle", dict(reversed(files.items())), manifest)
    zipped = (first.folder / "cycle.zip").read_bytes()
    assert zipped == (second.folder / "cycle.zip").read_bytes()
    assert first.manifest.bundle is not None and first.manifest.bundle.sha256 == hashlib.sha256(zipped).hexdigest()
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        # It unpacks into a folder named after the cycle.
        assert archive.namelist() == ["cycle/manifest.json", "cycle/report.html", "cycle/report.pdf"]
        assert {entry.date_time for entry in archive.infolist()} == {(2015, 1, 16, 0, 0, 0)}
        assert archive.read("cycle/report.pdf") == files["report.pdf"]
        inside = json.loads(archive.read("cycle/manifest.json"))
        assert archive.testzip() is None
    # All of the manifest but the zip itself and when it was published, which would make each zip differ.
    leave_out = ("bundle", "published_at")
    assert inside == {key: value for key, value in first.manifest.to_json().items() if key not in leave_out}


def test_two_builds_waiting_for_review_at_once_keep_apart(cycle: Path) -> None:
    def approve_after_another_run(draft: review.Draft) -> Decision:
        # While this build waits, another run of the cycle is reviewed and published.
        stages.build(_request(cycle), DirectRunner(run_id="second"), reviewer=approve)
        assert sorted(path.name for path in draft.folder.iterdir()) == ["report.html", "report.pdf"]
        return review.decided(True, "Ada", "")

    def approve(draft: review.Draft) -> Decision:
        return review.decided(True, "Grace", "")

    published = stages.build(_request(cycle), DirectRunner(run_id="first"), reviewer=approve_after_another_run)
    # The same files as the second run's, approved: an identical rebuild, which changes nothing.
    assert published.unchanged
    assert json.loads((published.folder / "manifest.json").read_text())["flow_run_id"] == "second"
    assert not (cycle / "outputs" / REVIEW / "test-cycle").exists()
