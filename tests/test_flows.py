"""The annual-report flow run end to end under Prefect's test harness."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from prefect.settings import PREFECT_API_URL

from flows import annual_report
from pipeline.check import validate
from pipeline.read import source
from tests.builders import CONFIG, submission, write_cycle
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def real_submissions(tmp_path: Path) -> Path:
    root = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, root / REAL_CYCLE)
    return root


def test_builds_all_outputs_reproducibly_and_checks_unchanged_files_once(
    real_submissions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs"
    first = annual_report(submissions_root=real_submissions, outputs_root=outputs)
    folder = outputs / REAL_CYCLE
    assert first.folder == folder
    outputs_published = ["report.docx", "report.govspeak.md", "report.html", "report.pdf"]
    report_files = [*outputs_published, "status.md", "validation.json"]
    assert sorted(path.name for path in folder.iterdir()) == [f"{REAL_CYCLE}.zip", "manifest.json", *report_files]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [output["file"] for output in manifest["outputs"]] == outputs_published
    assert len(manifest["submissions"]) == 18
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")
    built = {name: (folder / name).read_bytes() for name in report_files}

    changed = real_submissions / REAL_CYCLE / "home-office.yaml"
    changed.write_text(changed.read_text().replace("Home Office has promoted", "The Home Office has promoted"))
    checked_again: list[str] = []
    real_check = validate.check_submission

    def counting(submission: source.SourceFile, *config_and_earlier: object) -> object:
        checked_again.append(submission.path.name)
        return real_check(submission, *config_and_earlier)

    monkeypatch.setattr(validate, "check_submission", counting)
    annual_report(submissions_root=real_submissions, outputs_root=outputs)
    assert checked_again == ["home-office.yaml"]  # the 16 unchanged files are not checked again
    second = json.loads((folder / "manifest.json").read_text())
    assert second["flow_run_id"] != manifest["flow_run_id"]
    (previous,) = (folder / "history").iterdir()
    assert json.loads((previous / "manifest.json").read_text()) == manifest

    changed.write_text(changed.read_text().replace("The Home Office has promoted", "Home Office has promoted"))
    annual_report(submissions_root=real_submissions, outputs_root=outputs)
    assert {name: (folder / name).read_bytes() for name in report_files} == built


def test_strict_run_fails_and_publishes_nothing_but_its_status(tmp_path: Path) -> None:
    root, outputs = tmp_path / "submissions", tmp_path / "out"
    folder = write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    annual_report(cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=outputs)
    report_before = (outputs / "test-cycle" / "report.html").read_bytes()

    (folder / "home.yaml").unlink()  # Home Office withdraws its response
    state = annual_report(
        cycle="test-cycle", strict=True, submissions_root=root, outputs_root=outputs, return_state=True
    )
    assert state.is_failed()
    assert 'no submission from "Home Office"' in state.message
    published = outputs / "test-cycle"
    assert (published / "report.html").read_bytes() == report_before
    assert sorted(path.name for path in published.iterdir()) == [
        "manifest.json",
        "report.html",
        "status.md",
        "test-cycle.zip",
        "validation.json",
    ]
    validation = json.loads((published / "validation.json").read_text())
    assert [(row["department"], row["submitted"]) for row in validation["departments"]] == [
        ("Department of Health", True),
        ("Home Office", False),
    ]
    assert "| Home Office | no | no | 0 | 1 | — |" in (published / "status.md").read_text()


def test_the_status_table_is_a_prefect_artifact(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(progess="x")})
    annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out", return_state=True
    )
    # The REST API the Prefect UI reads artifacts from.
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"artifacts": {"key": {"any_": ["submission-status-test-cycle"]}}, "sort": "CREATED_DESC", "limit": 1},
    )
    (artifact,) = response.raise_for_status().json()
    assert artifact["type"] == "table"
    rows = json.loads(artifact["data"])
    assert rows == [
        {
            "department": "Department of Health",
            "submitted": "yes",
            "valid": "no",
            "errors": 1,
            "warnings": 0,
            "file": "test-cycle/health.yaml",
        },
        {"department": "Home Office", "submitted": "no", "valid": "no", "errors": 0, "warnings": 1, "file": "—"},
    ]


def test_the_run_keeps_its_task_graph_for_the_ui(tmp_path: Path) -> None:
    """Large arguments go to tasks whole, so Prefect does not walk them; the UI's graph comes from
    wait_for, which the runner derives from the stages' pending arguments."""
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    state = annual_report(
        cycle="test-cycle",
        formats=["html", "docx"],
        submissions_root=root,
        outputs_root=tmp_path / "out",
        return_state=True,
    )
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [str(state.state_details.flow_run_id)]}}},
    )
    runs = response.raise_for_status().json()
    name_of = {run["id"]: run["task_key"].split("-")[0] for run in runs}
    graph = {
        name_of[run["id"]]: sorted(
            name_of[upstream["id"]] for inputs in run["task_inputs"].values() for upstream in inputs
        )
        for run in runs
        if run["task_key"].split("-")[0] != "render_output"
    }
    assert graph == {
        "read_submissions": [],
        "check_submissions": ["read_submissions"],
        "summarise_status": ["check_submissions", "read_submissions"],
        "build_model": ["check_submissions"],
        "describe_build": ["build_model", "read_submissions", "summarise_status"],
        "publish_outputs": ["describe_build", "render_output", "render_output", "summarise_status"],
    }


def test_lenient_run_publishes_the_valid_departments(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office", commitments="")})
    published = annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out"
    )
    assert sorted(path.name for path in published.folder.iterdir()) == [
        "manifest.json",
        "report.html",
        "status.md",
        "test-cycle.zip",
        "validation.json",
    ]
    html = (published.folder / "report.html").read_text()
    home_office = html.split('<h2 id="home-office" class="govuk-heading-l">Home Office</h2>')[1].split("</section>")[0]
    assert ">We did some things.<" in html
    assert "No response received." in home_office and "We did" not in home_office


def test_unknown_cycle_fails_with_a_clear_message(tmp_path: Path) -> None:
    state = annual_report(
        cycle="2099-action-99", submissions_root=tmp_path, outputs_root=tmp_path / "out", return_state=True
    )
    assert state.is_failed()
    assert state.message == f"there is no cycle '2099-action-99' in {tmp_path}\nthere are no cycles in {tmp_path}"


def test_cli_build_reports_what_it_published(
    real_submissions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli.main import main

    arguments = ["build", "--submissions", str(real_submissions)]
    assert main([*arguments, "--outputs", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"published {tmp_path / 'out' / REAL_CYCLE}:\n  report.docx ")

    assert main(["build", "--cycle", "no-such-cycle", "--outputs", str(tmp_path / "out")]) == 1
    there = sorted(folder.parent.name for folder in SUBMISSIONS.glob("*/report.yaml"))
    assert capsys.readouterr().err.endswith(f"\nthe cycles there are: {', '.join(there)}\n")


def _task_runs(flow_run_id: str, task: str) -> list[dict[str, object]]:
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [flow_run_id]}}, "limit": 200},
    )
    return [run for run in response.raise_for_status().json() if run["task_key"].startswith(task)]


def test_rendering_retries_transient_errors_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import render

    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    real_render = render.render
    calls: list[str] = []

    def flaky(report: object, output_format: str) -> bytes:
        calls.append(output_format)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real_render(report, output_format)

    monkeypatch.setattr(render, "render", flaky)
    state = annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out", return_state=True
    )
    assert state.is_completed() and calls == ["html", "html"]
    (run,) = _task_runs(str(state.state_details.flow_run_id), "render_output")
    assert run["run_count"] == 2

    def broken(report: object, output_format: str) -> bytes:
        calls.append(output_format)
        raise ValueError("a bug, not the weather")

    monkeypatch.setattr(render, "render", broken)
    calls.clear()
    state = annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out2", return_state=True
    )
    assert state.is_failed() and calls == ["html"]  # no second try
    assert not (tmp_path / "out2" / "test-cycle" / "report.html").exists()


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.scale)])
def test_all_reports_builds_every_cycle_and_names_the_failures(tmp_path: Path, workers: int) -> None:
    from flows import all_reports
    from pipeline.orchestration.prefect_tasks import returned_value

    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")}, cycle="2015-action-01")
    write_cycle(root, {"health.yaml": submission()}, config={**CONFIG, "action": "one"}, cycle="2015-action-02")
    write_cycle(root, {"health.yaml": submission()}, cycle="2015-action-03")
    (root / "not-a-cycle").mkdir()
    state = all_reports(
        formats=["html"], submissions_root=root, outputs_root=tmp_path / "out", workers=workers, return_state=True
    )
    assert state.is_failed()
    assert state.message == "1 of 3 cycle(s) not published: 2015-action-02"
    outcomes = returned_value(state)  # every cycle's outcome, in order, the failure with its file and line
    assert list(outcomes) == ["2015-action-01", "2015-action-02", "2015-action-03"]
    assert outcomes["2015-action-01"] == outcomes["2015-action-03"] == "Completed"
    assert outcomes["2015-action-02"].startswith("Failed: ") and "report.yaml:" in outcomes["2015-action-02"]
    assert (tmp_path / "out" / "2015-action-01" / "report.html").exists()
    assert (tmp_path / "out" / "2015-action-03" / "report.html").exists()
    assert not (tmp_path / "out" / "2015-action-02" / "report.html").exists()
    # The UI's progress bar for the run, at 100 once every cycle is done.
    (artifact,) = (
        httpx.post(
            f"{PREFECT_API_URL.value()}/artifacts/filter",
            json={"artifacts": {"key": {"any_": ["all-reports-progress"]}}, "sort": "CREATED_DESC", "limit": 1},
        )
        .raise_for_status()
        .json()
    )
    assert artifact["type"] == "progress" and artifact["data"] == 100.0
    assert artifact["flow_run_id"] == str(state.state_details.flow_run_id)
    # Each cycle's stages ran in its build-cycle task, not a run of their own: the table of who
    # has submitted is still shown, under the all-reports run, and the manifest names that run.
    (table,) = (
        httpx.post(
            f"{PREFECT_API_URL.value()}/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": ["submission-status-2015-action-03"]}},
                "sort": "CREATED_DESC",
                "limit": 1,
            },
        )
        .raise_for_status()
        .json()
    )
    assert table["type"] == "table" and table["flow_run_id"] == str(state.state_details.flow_run_id)
    manifest = json.loads((tmp_path / "out" / "2015-action-03" / "manifest.json").read_text())
    assert manifest["flow_run_id"] == str(state.state_details.flow_run_id)


def test_a_cycle_built_in_its_task_retries_a_render_only_after_a_shortage(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.orchestration import prefect_tasks

    calls: list[str] = []

    def render(kind: str) -> str:
        calls.append(kind)
        if len(calls) == 1:
            raise OSError("No space left on device")
        if kind == "bug":
            raise ValueError("a bug")
        return kind

    monkeypatch.setitem(prefect_tasks._RETRIES, render, 2)
    runner = prefect_tasks.InTaskRunner("run")
    assert runner.submit(render, "html").result() == "html" and calls == ["html", "html"]
    calls.clear()
    with pytest.raises(ValueError, match="a bug"):
        runner.submit(render, "bug")
    assert calls == ["bug", "bug"]  # the shortage tried again, the bug not


@pytest.mark.scale
def test_scales_out_on_a_local_dask_cluster(real_submissions: Path, tmp_path: Path) -> None:
    """The path for when one machine is not enough: the same flow on a distributed task runner."""
    from prefect_dask import DaskTaskRunner

    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True})
    published = annual_report.with_options(task_runner=runner)(
        submissions_root=real_submissions, outputs_root=tmp_path / "out", formats=["html", "docx"]
    )
    assert sorted(path.name for path in published.folder.iterdir()) == [
        f"{REAL_CYCLE}.zip",
        "manifest.json",
        "report.docx",
        "report.html",
        "status.md",
        "validation.json",
    ]


def test_govspeak_is_written_when_asked_for(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    published = annual_report(
        cycle="test-cycle", formats=["govspeak"], submissions_root=root, outputs_root=tmp_path / "out"
    )
    text = (published.folder / "report.govspeak.md").read_text()
    assert "## Department of Health\n\n### Departmental digital strategy commitments (December 2012)" in text
    assert [output.file for output in published.manifest.outputs] == ["report.govspeak.md"]


def test_an_update_cycle_is_built_from_the_earlier_cycle_it_carries_forward(
    real_submissions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(
        PROJECT / "tests" / "fixtures" / "carry-forward" / "2016-action-04", real_submissions / "2016-action-04"
    )
    outputs = tmp_path / "outputs"
    published = annual_report(
        cycle="2016-action-04", formats=["html"], submissions_root=real_submissions, outputs_root=outputs
    )
    inputs = [entry.file for entry in published.manifest.submissions]
    assert len(inputs) == 4 + 18 and "2015-action-04/home-office.yaml" in inputs
    assert "Progress during 2015" in (published.folder / "report.html").read_text()

    # The check of a 2016 file depends on what 2015 published: a change there checks them again.
    # (The earlier cycle itself is checked afresh on every run: it is what is carried forward.)
    checked_again: list[str] = []
    real_check = validate.check_submission

    def counting(submission: source.SourceFile, *config_and_earlier: object) -> object:
        checked_again.append(submission.path.parent.name)
        return real_check(submission, *config_and_earlier)

    monkeypatch.setattr(validate, "check_submission", counting)
    annual_report(cycle="2016-action-04", formats=["html"], submissions_root=real_submissions, outputs_root=outputs)
    assert checked_again.count("2016-action-04") == 0
    earlier = real_submissions / REAL_CYCLE / "cabinet-office.yaml"
    earlier.write_text(earlier.read_text() + "\n", encoding="utf-8")
    annual_report(cycle="2016-action-04", formats=["html"], submissions_root=real_submissions, outputs_root=outputs)
    assert checked_again.count("2016-action-04") == 3


def test_each_stage_says_what_it_did_in_the_runs_log(tmp_path: Path) -> None:
    """The stages log through the standard library; the coordinator reads those lines in the UI."""
    root = tmp_path / "submissions"
    write_cycle(root, {"health.yaml": submission(progess="x"), "home.yaml": submission("Home Office")})
    state = annual_report(
        cycle="test-cycle", formats=["html"], submissions_root=root, outputs_root=tmp_path / "out", return_state=True
    )
    lines: list[str] = []
    deadline = time.monotonic() + 30  # the run's logs reach the server in batches, after the run
    while time.monotonic() < deadline and not any(line.startswith("publish:") for line in lines):
        time.sleep(0.5)
        response = httpx.post(
            f"{PREFECT_API_URL.value()}/logs/filter",
            json={
                "logs": {"flow_run_id": {"any_": [str(state.state_details.flow_run_id)]}},
                "sort": "TIMESTAMP_ASC",
                "limit": 200,
            },
        )
        lines = [log["message"] for log in response.raise_for_status().json() if log["name"] == "pipeline.stages"]
    stages = list(dict.fromkeys(line.split(":")[0] for line in lines if not line.startswith("/")))
    assert stages[:2] == ["source", "validate"] and stages[-2:] == ["render", "publish"]
    assert sorted(stages[2:4]) == ["model", "status"]  # these two run side by side
    problems = [line.removeprefix(str(root)) for line in lines if line.startswith("/")]
    assert problems == ['/test-cycle/health.yaml:6:1: error: progess: unknown key\n    hint: did you mean "progress"?']
    # The department left out of the report is named at the end, with why.
    assert (
        'publish: Department of Health is shown as "No response received.": test-cycle/health.yaml has 1 error; '
        "the first, on line 6: progess: unknown key"
    ) in lines


def test_a_reviewed_run_no_one_answers_publishes_nothing(tmp_path: Path) -> None:
    root, outputs = tmp_path / "submissions", tmp_path / "out"
    write_cycle(root, {"health.yaml": submission(), "home.yaml": submission("Home Office")})
    state = annual_report(
        cycle="test-cycle",
        formats=["html"],
        submissions_root=root,
        outputs_root=outputs,
        review=True,
        review_timeout_seconds=2,
        return_state=True,
    )
    assert state.is_failed()  # (Prefect words the message of a pause that timed out itself)
    assert not (outputs / "test-cycle" / "report.html").exists()
    assert "no reviewer answered within 2 seconds" in (outputs / "test-cycle" / "status.md").read_text()
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"artifacts": {"key": {"any_": ["review-test-cycle"]}}, "sort": "CREATED_DESC"},
    )
    latest, waiting = response.raise_for_status().json()  # the artifact's versions, newest first
    assert waiting["description"] == "test-cycle: waiting for review"
    assert latest["description"] == "test-cycle: Not published: no reviewer answered within 2 seconds."
    assert "2 answered, 2 valid, 0 missing" in latest["data"]
    # Its last version says how the review ended, and no longer asks for a decision.
    assert "Cycle **test-cycle** was reviewed. **Review:** not published at " in latest["data"]
    assert "waiting for your review" not in latest["data"] and "## Decide" not in latest["data"]
