"""A cycle that updates an earlier one: published sections carried forward, only new ones asked for."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.check.carry_forward import word_diff
from pipeline.check.validate import check_cycle, require_publishable
from pipeline.cli.main import main
from pipeline.errors import InvalidInputError
from pipeline.model.assemble import build_report
from pipeline.model.document import NO_RESPONSE, Report
from pipeline.read.source import read_cycle
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS
from tests.readers import docx_outline, html_outline, reference_sections

SAMPLE = PROJECT / "tests" / "fixtures" / "carry-forward" / "2016-action-04"
CYCLE = SAMPLE.name
SEVEN_SECTIONS = [
    "Departmental digital strategy commitments (December 2012)",
    "Progress during 2013",
    "Planned activities in 2014",
    "Progress during 2014",
    "Planned activities in 2015",
    "Progress during 2015",
    "Planned activities in 2016",
]
REFERENCE = reference_sections()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The real 2015 cycle and the sample 2016 cycle that updates it, side by side."""
    root = tmp_path / "submissions"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, root / REAL_CYCLE)
    shutil.copytree(SAMPLE, root / CYCLE)
    return root


def problems_of(root: Path, cycle: str = CYCLE) -> list[str]:
    _, problems = check_cycle(read_cycle(root, cycle))
    return [str(problem).replace(f"{root}/", "") for problem in problems if "no submission from" not in problem.message]


def write(root: Path, name: str, data: dict[str, Any], cycle: str = CYCLE) -> Path:
    path = root / cycle / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def edit_config(root: Path, cycle: str = CYCLE, **changes: Any) -> None:
    """Change top-level keys of a cycle's report.yaml in place, keeping every other line where it is."""
    path = root / cycle / "report.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in changes.items():
        line = f"{key}: {yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
        found = [number for number, text in enumerate(lines) if text.startswith(f"{key}:")]
        if found:
            lines[found[0]] = line
        else:
            lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def sample_report(root: Path) -> Report:
    checked, _ = check_cycle(read_cycle(root, CYCLE))
    assert checked is not None
    return build_report(checked)


def test_sample_cycle_is_marked_as_sample_data_and_ships_with_the_tests_only() -> None:
    config = (SAMPLE / "report.yaml").read_text(encoding="utf-8")
    assert config.splitlines()[1].startswith("# SAMPLE DATA")
    assert "(sample data)" in yaml.safe_load(config)["title"]
    assert not (SUBMISSIONS / CYCLE).exists()


def test_new_submissions_answer_only_the_new_year_and_the_sample_has_no_problems(root: Path) -> None:
    assert problems_of(root) == []
    for path in SAMPLE.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name != "report.yaml":
            assert "commitments" not in data and list(data["progress"]) == [2015] and list(data["plans"]) == [2016]


def test_the_report_has_seven_sections_in_canonical_order_with_the_published_text_carried(root: Path) -> None:
    from pipeline.render.html import render_html

    outline = html_outline(render_html(sample_report(root)))
    assert list(outline) == list(REFERENCE)
    for department, sections in outline.items():
        assert list(sections) == SEVEN_SECTIONS, department
        assert {heading: sections[heading] for heading in SEVEN_SECTIONS[:5]} == REFERENCE[department], department
    assert outline["Department of Health"]["Progress during 2015"] == [
        "Sample text. DH moved its last three services onto GOV.UK and trained 40 service managers "
        "from its arm’s length bodies."
    ]
    assert outline["Cabinet Office"]["Progress during 2015"][-2:] == [
        "- recruiting digital specialists",
        "- the Digital by Default Service Standard",
    ]
    # Departments that have not answered yet keep their published sections, and say so under the new ones.
    assert outline["Home Office"]["Planned activities in 2016"] == [NO_RESPONSE.text]


def test_docx_and_pdf_have_the_seven_sections_too(root: Path) -> None:
    import io

    import pikepdf

    from pipeline.render.docx import render_docx
    from pipeline.render.pdf import render_pdf

    report = sample_report(root)
    outline = docx_outline(render_docx(report))
    assert all(list(sections) == SEVEN_SECTIONS for sections in outline.values())
    with pikepdf.open(io.BytesIO(render_pdf(report))) as pdf, pdf.open_outline() as bookmarks:
        departments = bookmarks.root
        assert len(departments) == 17
        assert all([entry.title for entry in department.children] == SEVEN_SECTIONS for department in departments)


def test_a_restated_section_in_other_words_is_warned_with_a_word_diff_and_fails_strict(root: Path) -> None:
    published = yaml.safe_load((root / REAL_CYCLE / "department-of-health.yaml").read_text(encoding="utf-8"))
    new = yaml.safe_load((SAMPLE / "department-of-health.yaml").read_text(encoding="utf-8"))
    new["commitments"] = published["commitments"].replace("digital capability", "digital skills")
    new["progress"][2013] = published["progress"][2013]  # word for word: no problem
    write(root, "department-of-health.yaml", new)
    assert problems_of(root) == [
        "2016-action-04/department-of-health.yaml:23:14: warning: commitments: restates "
        '"Departmental digital strategy commitments (December 2012)", published in 2015-action-04, '
        "with different words: … it has the digital [-capability-] {+skills+} it requires for the …\n"
        "    hint: remove commitments from this file: the published text is carried forward as it is"
    ]
    checked, problems = check_cycle(read_cycle(root, CYCLE))
    with pytest.raises(InvalidInputError):
        require_publishable(checked, problems, strict=True)
    # Lenient: the published text is what the report shows.
    health = next(
        department for department in build_report(checked).departments if department.slug == "department-of-health"
    )
    assert "digital capability" in str(health.sections[0].blocks)


def test_restating_a_published_section_as_not_applicable_is_a_change_too(root: Path) -> None:
    new = yaml.safe_load((SAMPLE / "cabinet-office.yaml").read_text(encoding="utf-8"))
    new["plans"][2015] = {"not_applicable": "No plans."}
    write(root, "cabinet-office.yaml", new)
    (problem,) = problems_of(root)
    assert 'plans.2015: restates "Planned activities in 2015", published in 2015-action-04' in problem
    assert "{+not_applicable: No plans.+}" in problem


def test_a_section_that_is_due_is_still_required(root: Path) -> None:
    new = yaml.safe_load((SAMPLE / "department-of-health.yaml").read_text(encoding="utf-8"))
    del new["plans"][2016]
    new["plans"][2017] = "Too far ahead."
    write(root, "department-of-health.yaml", new)
    assert problems_of(root) == [
        '2016-action-04/department-of-health.yaml:9:3: error: plans.2016: section "Planned activities in 2016" '
        'is missing\n    hint: add "2016: |" under "plans:", followed by the text indented below it',
        "2016-action-04/department-of-health.yaml:9:3: error: plans.2017: 2017 is not a year this report asks for\n"
        "    hint: the years under plans: are 2014, 2015, 2016",
    ]


def test_a_department_without_a_valid_earlier_response_answers_every_section(root: Path) -> None:
    (root / REAL_CYCLE / "home-office.yaml").write_text("department: Home Office\ncommitments: [broken]\n")
    write(
        root, "home-office.yaml", {"department": "Home Office", "progress": {2015: "Done."}, "plans": {2016: "Next."}}
    )
    problems = problems_of(root)
    assert problems[0] == (
        "2016-action-04/report.yaml:28:1: warning: departments: 2015-action-04 has no valid response from "
        '"Home Office" to carry forward\n'
        "    hint: its file in this cycle must answer every section, the earlier ones too"
    )
    assert [problem.split(": ")[2] for problem in problems[1:]] == [
        "commitments",
        "progress.2013",
        "plans.2014",
        "progress.2014",
        "plans.2015",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"previous_cycle": "2014-action-04"},
            "report.yaml:9:17: error: previous_cycle: the previous cycle 2014-action-04 cannot be read: ",
        ),
        (
            {"reporting_years": [2014, 2015]},
            "report.yaml:10:18: error: reporting_years: does not continue 2015-action-04\n"
            "    hint: start with the years 2015-action-04 reports on (2013, 2014)",
        ),
        (
            {"commitments_label": "January 2013"},
            "report.yaml:8:20: error: commitments_label: does not continue 2015-action-04\n"
            '    hint: write "December 2012", as it was published',
        ),
        (
            {"reporting_years": [2013, 2014]},
            "report.yaml:10:18: error: reporting_years: adds no year to 2015-action-04\n"
            "    hint: add the year this cycle reports on, e.g. 2015",
        ),
        (
            {"previous_cycle": "../2015-action-04"},
            "report.yaml:9:17: error: previous_cycle: '../2015-action-04' is not a cycle name\n"
            "    hint: write the name of the folder the report is in, such as 2015-action-04",
        ),
    ],
)
def test_a_config_that_does_not_continue_its_previous_cycle_is_refused(
    root: Path, changes: dict[str, Any], expected: str
) -> None:
    edit_config(root, **changes)
    checked, problems = check_cycle(read_cycle(root, CYCLE))
    assert checked is None
    assert str(problems[0]).replace(f"{root}/{CYCLE}/", "").startswith(expected)


def test_a_loop_of_previous_cycles_is_refused(root: Path) -> None:
    edit_config(root, REAL_CYCLE, previous_cycle=CYCLE)
    checked, problems = check_cycle(read_cycle(root, CYCLE))
    assert checked is None
    assert (
        "2016-action-04 is already part of this chain of cycles (2016-action-04 → 2015-action-04 → 2016-action-04)"
        in ("\n".join(map(str, problems)))
    )


def test_cycles_chain_a_2017_update_carries_2015_and_2016_forward(root: Path) -> None:
    shutil.copytree(root / CYCLE, root / "2017-action-04", ignore=shutil.ignore_patterns("*-*.yaml"))
    edit_config(root, "2017-action-04", previous_cycle=CYCLE, reporting_years=[2013, 2014, 2015, 2016])
    write(
        root,
        "department-of-health.yaml",
        {"department": "Department of Health", "progress": {2016: "Did it."}, "plans": {2017: "Will do."}},
        cycle="2017-action-04",
    )
    checked, _ = check_cycle(read_cycle(root, "2017-action-04"))
    assert checked is not None
    health = next(d for d in build_report(checked).departments if d.name == "Department of Health")
    assert [section.field for section in health.sections] == [
        "commitments",
        "progress.2013",
        "plans.2014",
        "progress.2014",
        "plans.2015",
        "progress.2015",
        "plans.2016",
        "progress.2016",
        "plans.2017",
    ]
    assert health.short_name == "DH"  # given in 2016, not repeated in 2017


def test_new_scaffolds_only_the_sections_that_are_due(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--cycle", CYCLE, "--department", "Home Office", "--submissions", str(root)]) == 0
    path = root / CYCLE / "home-office.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert set(data) == {"department", "progress", "plans"} and data["progress"] == {2015: ""}
    assert data["plans"] == {2016: ""}
    assert "carried forward from 2015-action-04" in text
    filled = text.replace("  2015: |\n", "  2015: |\n    Done.\n").replace("  2016: |\n", "  2016: |\n    Next.\n")
    path.write_text(filled, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.endswith("1 file(s) checked: 0 errors, 0 warnings\n")


def test_validate_one_file_of_an_update_uses_the_earlier_cycle(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = root / CYCLE / "department-of-health.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "commitments: We changed our mind.\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: commitments: restates" in out and "{+We changed our mind.+}" in out


def test_word_diff_shows_changed_words_in_context() -> None:
    before = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    after = ["one", "two", "three", "four", "five", "SIX", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    assert word_diff(before, after) == "… two three four five [-six-] {+SIX+} seven eight nine ten …"
    assert word_diff(["a", "b"], ["a", "b", "c"]) == "a b {+c+}"
    assert word_diff(["a", "b", "c"], ["b", "c"]) == "[-a-] b c"
