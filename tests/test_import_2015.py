"""`python -m pipeline import` on the real 2015 page: it renders exactly the published text and
equals the hand-transcribed cycle."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.check.validate import check_cycle
from pipeline.errors import Problem
from pipeline.importer import import_page, read_page
from pipeline.model.assemble import build_report
from pipeline.read.source import read_cycle
from pipeline.render import render
from tests.paths import REAL_CYCLE, REFERENCE, SUBMISSIONS
from tests.readers import html_outline, normalise, reference_sections


@pytest.fixture(scope="module")
def imported_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    folder, _, warnings = import_page(REFERENCE, root, REAL_CYCLE)
    assert warnings == []
    assert folder == root / REAL_CYCLE
    return root


def _comparable(problems: list[Problem]) -> list[tuple[str, str, str, str]]:
    return [(problem.file.name, problem.field, problem.message, problem.severity.value) for problem in problems]


def test_the_imported_report_validates_and_renders_the_published_text(imported_root: Path) -> None:
    checked, problems = check_cycle(read_cycle(imported_root, REAL_CYCLE))
    _, checked_in_problems = check_cycle(read_cycle(SUBMISSIONS, REAL_CYCLE))
    assert checked is not None
    assert _comparable(problems) == _comparable(checked_in_problems)
    outline = html_outline(render(build_report(checked), "html").decode("utf-8"))
    reference = reference_sections()
    assert list(outline) == list(reference)
    assert sum(len(sections) for sections in outline.values()) == 17 * 5
    for department, sections in reference.items():
        assert list(outline[department]) == list(sections)
        for heading, texts in sections.items():
            assert [normalise(text) for text in outline[department][heading]] == [normalise(text) for text in texts]


def test_the_imported_data_equals_the_hand_transcription(imported_root: Path) -> None:
    imported, checked_in = imported_root / REAL_CYCLE, SUBMISSIONS / REAL_CYCLE
    names = sorted(path.name for path in checked_in.glob("*.yaml"))
    assert sorted(path.name for path in imported.glob("*.yaml")) == names
    for name in names:
        ours = yaml.safe_load((imported / name).read_text(encoding="utf-8"))
        theirs = yaml.safe_load((checked_in / name).read_text(encoding="utf-8"))
        theirs.pop("short_name", None)
        assert ours == theirs, name


def test_the_imported_files_point_editors_at_the_schemas(imported_root: Path) -> None:
    folder = imported_root / REAL_CYCLE
    for path in folder.glob("*.yaml"):
        schema = "report" if path.name == "report.yaml" else "submission"
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"# yaml-language-server: $schema=../{schema}.schema.json\n")
    health = (folder / "department-of-health.yaml").read_text(encoding="utf-8")
    assert 'department: "Department of Health"\ncommitments: |\n  The Department of Health (DH) will' in health
    assert "  2013: |\n    DH has created" in health
    assert "short_name" not in yaml.safe_load(health)


def test_every_line_of_the_reference_is_placed() -> None:
    """Nothing left over: every line is the title, date, intro, a name, a heading or section text."""
    imported = read_page(REFERENCE)
    lines = [line for line in REFERENCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [
        text
        for submission in imported.submissions
        for text in [submission["commitments"], *submission["progress"].values(), *submission["plans"].values()]
    ]
    placed = sum(len([line for line in text.split("\n") if line]) for text in texts)
    # title twice, date, intro; a name, five headings (one with its text fused) per department
    assert placed + 4 + 17 * 6 - 1 == len(lines)
