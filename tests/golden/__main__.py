"""Regenerate the golden HTML: `make golden` (then review the diff before committing)."""

from pipeline.render.html import render_html
from pipeline.stages import checked_report
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS

report, problems = checked_report(SUBMISSIONS, REAL_CYCLE)
assert not problems, problems
target = PROJECT / "tests" / "golden" / REAL_CYCLE / "report.html"
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(render_html(report), encoding="utf-8")
print(f"wrote {target}")
