"""What a reader of outputs/ finds after each kind of build: a publication is always complete,
a preview never replaces it, and a cycle that requires review is replaced only by an approved build."""

from __future__ import annotations

import dataclasses
import getpass
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import stages
from pipeline.errors import AwaitingReviewError, NotApprovedError, ReviewRequiredError
from pipeline.operations import hub, review
from pipeline.publish import publishing
from pipeline.publish.manifest import build_manifest
from pipeline.publish.purpose import BuildPlan, decide
from pipeline.records import Decision
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace
from tests.builders import CONFIG, submission, write_cycle

CYCLE = "test-cycle"


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by its path there: what a reader finds."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _published(outputs: Path) -> dict[str, bytes]:
    """The publication of the cycle and the hub, as a publishing team reads them."""
    return {**_tree(outputs / CYCLE), "index.html": (outputs / "index.html").read_bytes()}


def _request(root: Path, **changes: object) -> BuildRequest:
    return BuildRequest(
        CYCLE,
        workspace=Workspace(root / "submissions", root / "outputs"),
        **changes,  # type: ignore[arg-type]
    )


def _approve(draft: review.Draft) -> Decision:
    return review.decided(True, "Ada Lovelace", "Read it all.")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A cycle that publishes HTML and DOCX, with both departments' files."""
    files = {"health.yaml": submission(), "home.yaml": submission("Home Office")}
    write_cycle(tmp_path / "submissions", files, {**CONFIG, "formats": ["html", "docx"]})
    return tmp_path


def test_a_build_of_fewer_formats_after_an_approved_one_leaves_the_publication_and_hub_as_they_were(
    root: Path,
) -> None:
    """The sequence found in use: a reviewed, approved build, then a quick HTML-only rebuild."""
    outputs = root / "outputs"
    approved = stages.build(_request(root, review=True), reviewer=_approve)
    assert approved.preview is None and "Approved by Ada Lovelace" in (outputs / "index.html").read_text()
    before = _published(outputs)

    quick = stages.build(_request(root, formats=(OutputFormat.HTML,)))
    assert quick.preview == "html only, and test-cycle publishes html and docx"
    assert quick.folder == outputs / ".preview" / CYCLE
    assert sorted(_tree(quick.folder)) == [
        "manifest.json",
        "report.html",
        "status.md",
        "test-cycle.zip",
        "validation.json",
    ]
    assert _published(outputs) == before  # status.md included: the preview's status is its own
    text = publishing.describe(quick)
    assert text.startswith(f"preview written to {quick.folder} (not published: html only, and test-cycle publishes")
    assert text.endswith(f"the publication in {outputs / CYCLE} is unchanged")
    assert json.loads((quick.folder / "manifest.json").read_text())["preview"] == quick.preview


def test_a_preview_of_every_format_is_still_a_preview(root: Path) -> None:
    outputs = root / "outputs"
    stages.build(_request(root))
    before = _published(outputs)
    preview = stages.build(_request(root, preview=True))
    assert preview.preview == "a preview was asked for"
    assert sorted(name for name in _tree(preview.folder) if name.startswith("report")) == ["report.docx", "report.html"]
    assert _published(outputs) == before


def test_a_preview_before_anything_is_published_publishes_nothing(root: Path) -> None:
    stages.build(_request(root, formats=(OutputFormat.DOCX,)))
    assert sorted(path.name for path in (root / "outputs").iterdir()) == [".preview"]


def test_a_build_of_every_format_the_cycle_publishes_publishes(root: Path) -> None:
    published = stages.build(_request(root, formats=(OutputFormat.DOCX, OutputFormat.HTML)))
    assert published.preview is None and published.folder == root / "outputs" / CYCLE
    manifest = json.loads((published.folder / "manifest.json").read_text())
    assert manifest["formats"] == ["html", "docx"]
    assert [output["file"] for output in manifest["outputs"]] == ["report.docx", "report.html"]


def test_every_format_is_published_unless_report_yaml_lists_fewer(tmp_path: Path) -> None:
    config = {key: value for key, value in CONFIG.items() if key != "formats"}
    write_cycle(tmp_path / "submissions", {"health.yaml": submission()}, config)
    published = stages.build(_request(tmp_path))
    assert sorted(output.file for output in published.manifest.outputs) == sorted(
        output.file_name for output in OutputFormat
    )


# --- A cycle that requires review.


@pytest.fixture
def reviewed_cycle(tmp_path: Path) -> Path:
    files = {"health.yaml": submission(), "home.yaml": submission("Home Office")}
    write_cycle(tmp_path / "submissions", files, {**CONFIG, "review": "required"})
    return tmp_path


def test_a_cycle_that_requires_review_is_replaced_only_by_an_approved_build(reviewed_cycle: Path) -> None:
    outputs = reviewed_cycle / "outputs"
    with pytest.raises(ReviewRequiredError, match="test-cycle is to be reviewed before it is published"):
        stages.build(_request(reviewed_cycle))  # no one to ask
    with pytest.raises(ReviewRequiredError, match=r"requires review before it is published \(review: required"):
        stages.build(_request(reviewed_cycle, review=False), reviewer=_approve)
    assert not (outputs / CYCLE).exists()  # nothing written

    reject = lambda draft: review.decided(False, "Grace Hopper", "Not yet.")  # noqa: E731
    with pytest.raises(NotApprovedError):
        stages.build(_request(reviewed_cycle), reviewer=reject)
    assert not (outputs / CYCLE / "manifest.json").exists()

    published = stages.build(_request(reviewed_cycle), reviewer=_approve)  # review: as report.yaml says
    assert published.manifest.review is not None and published.manifest.review.reviewer == "Ada Lovelace"
    before = _published(outputs)
    preview = stages.build(_request(reviewed_cycle, preview=True))  # a preview needs no reviewer
    assert preview.folder == outputs / ".preview" / CYCLE and _published(outputs) == before


def test_the_publish_stage_itself_refuses_an_unapproved_build_of_a_cycle_that_requires_review(
    reviewed_cycle: Path,
) -> None:
    """Whoever calls it: the rule is kept where the files are written, not only where builds are asked for."""
    request = _request(reviewed_cycle)
    sources = stages.read_submissions(request.workspace, CYCLE)
    check = stages.check_submissions(sources, None)
    assert check.checked is not None
    plan = BuildPlan(request, decide(check.checked.config, CYCLE, None, preview=False, review=True), None)
    report = stages.build_model(check)
    outputs = {output: stages.render_output(report, output) for output in plan.purpose.formats}
    status = stages.summarise_status(sources, check)
    described = stages.describe_build(plan, sources, report, status)
    unapproved = review.decided(False, "Grace Hopper", "No.")
    for decision in (None, unapproved):
        with pytest.raises(ReviewRequiredError):
            stages.publish_outputs(plan, described, outputs, status, decision)
    assert not request.workspace.publication(CYCLE).exists()


# --- Reviewed stays reviewed.


def test_an_approved_publication_is_kept_by_an_identical_rebuild_and_replaced_only_by_an_approved_build(
    root: Path,
) -> None:
    outputs = root / "outputs"
    stages.build(_request(root, review=True), reviewer=_approve)
    approved = _published(outputs)

    # Rebuilt as all-reports and the pool's runs do (no reviewer): every file the same, so nothing changes.
    for asked in (None, False):
        again = stages.build(_request(root, review=asked))
        assert again.unchanged and again.manifest.approved
        assert _published(outputs) == approved
        assert "approved by Ada Lovelace; nothing was written" in publishing.describe(again)
    assert not (outputs / CYCLE / "history").exists()  # no entry for a build that changed nothing

    # Changed, and built without a reviewer: refused, whoever asks, and the publication stays as it was.
    (root / "submissions" / CYCLE / "health.yaml").write_text(
        json.dumps(submission(commitments="We will do other things.")), encoding="utf-8"
    )
    for asked in (None, False):
        with pytest.raises(AwaitingReviewError, match=r"publication was approved by Ada Lovelace .* waits for review"):
            stages.build(_request(root, review=asked))
        assert _published(outputs) == approved

    # A coordinator's word: published, and who said so, when and why, recorded where readers look.
    replaced = stages.build(_request(root, without_review="Health corrected a date; the reviewer is away."))
    word = replaced.manifest.without_review
    assert word is not None and word.by == getpass.getuser()
    assert word.reason == "Health corrected a date; the reviewer is away."
    written = json.loads((outputs / CYCLE / "manifest.json").read_text())
    assert written["without_review"] == word.to_json() and "review" not in written
    assert f"published without review by {word.by} at {word.at}: Health corrected a date" in (
        (outputs / CYCLE / "status.md").read_text()
    )
    assert f"Published without review by {word.by} on " in (outputs / "index.html").read_text()
    assert len(list((outputs / CYCLE / "history").iterdir())) == 1  # the approved build, kept in history


def test_publishing_without_review_needs_a_reason_whoever_asks(root: Path) -> None:
    stages.build(_request(root, review=True), reviewer=_approve)
    approved = _published(root / "outputs")
    (root / "submissions" / CYCLE / "health.yaml").write_text(
        json.dumps(submission(commitments="Other words.")), encoding="utf-8"
    )
    for blank in ("", "   "):
        with pytest.raises(ReviewRequiredError, match="publishing without review needs a reason"):
            stages.build(_request(root, without_review=blank))
    assert _published(root / "outputs") == approved


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: text.replace('"schema_version": 2', '"schema_version": 99'),  # a newer pipeline's
        lambda text: text.replace('"outputs": [', '"outputs": 5, "was": ['),  # not its shape
    ],
)
def test_a_publication_whose_manifest_cannot_be_read_is_kept_as_if_approved(
    root: Path, damage: Callable[[str], str]
) -> None:
    stages.build(_request(root, review=True), reviewer=_approve)
    manifest = root / "outputs" / CYCLE / "manifest.json"
    manifest.write_text(damage(manifest.read_text(encoding="utf-8")), encoding="utf-8")
    kept = _tree(root / "outputs" / CYCLE)
    (root / "submissions" / CYCLE / "health.yaml").write_text(
        json.dumps(submission(commitments="Other words.")), encoding="utf-8"
    )
    with pytest.raises(AwaitingReviewError, match="manifest.json this pipeline cannot read"):
        stages.build(_request(root))
    assert _tree(root / "outputs" / CYCLE) == kept


def test_a_cycle_that_requires_review_is_kept_by_an_identical_rebuild_without_one(reviewed_cycle: Path) -> None:
    outputs = reviewed_cycle / "outputs"
    stages.build(_request(reviewed_cycle), reviewer=_approve)
    before = _tree(outputs / CYCLE)
    assert stages.build(_request(reviewed_cycle, review=False)).unchanged  # as all-reports builds it
    assert _tree(outputs / CYCLE) == before


# --- The hub lists complete publications only.


def test_the_hub_lists_only_complete_publications(tmp_path: Path) -> None:
    def published(cycle: str, files: dict[str, bytes], formats: list[str] | None) -> Path:
        manifest = build_manifest(cycle, files, [], tmp_path)
        manifest = dataclasses.replace(manifest, formats=tuple(formats) if formats is not None else None)
        return publishing.publish(Workspace(outputs=tmp_path), cycle, files, manifest).folder

    published("2015-action-01", {"report.html": b"<html>", "report.pdf": b"%PDF"}, ["html", "pdf"])
    published("2015-action-02", {"report.html": b"<html>"}, ["html", "pdf"])  # the PDF missing
    published("2015-action-03", {"report.html": b"<html>"}, None)  # an older build of fewer formats
    gone = published("2015-action-04", {"report.html": b"<html>", "report.pdf": b"%PDF"}, ["html", "pdf"])
    (gone / "report.pdf").unlink()  # a file deleted by hand since
    every = {output.file_name: b"x" for output in OutputFormat}
    published("2015-action-05", every, None)
    listed = [cycle.cycle for cycle in hub.published_cycles(tmp_path)]
    assert listed == ["2015-action-05", "2015-action-01"]


def test_a_preview_of_a_cycle_never_published_says_so(tmp_path: Path) -> None:
    write_cycle(tmp_path / "submissions", {"health.yaml": submission()}, CONFIG)
    preview = stages.build(_request(tmp_path, preview=True))
    assert not (tmp_path / "outputs" / CYCLE).exists()
    said = publishing.describe(preview).splitlines()
    assert f"  nothing of {CYCLE} is published yet ({tmp_path / 'outputs' / CYCLE})" in said
