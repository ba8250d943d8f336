"""Regenerate the golden HTML: `make golden` (then review the diff before committing)."""

from pipeline.model import build_report
from pipeline.render.html import render_html
from pipeline.source import read_cycle
from pipeline.validate import check_cycle
from tests.helpers import PROJECT, REAL_CYCLE, SUBMISSIONS

checked, problems = check_cycle(read_cycle(SUBMISSIONS, REAL_CYCLE))
assert checked is not None and not problems, problems
target = PROJECT / "tests" / "golden" / REAL_CYCLE / "report.html"
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(render_html(build_report(checked)), encoding="utf-8")
print(f"wrote {target}")
