"""The same content as one Markdown file, for Pandoc.

python bench/to_markdown.py SUBMISSIONS/CYCLE OUT.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import read_responses  # noqa: E402
from pipeline.submission.sections import report_sections  # noqa: E402

folder, target = Path(sys.argv[1]), Path(sys.argv[2])
config, responses = read_responses(folder)
lines = ["---", f"title: {config['title']!r}", "lang: en-GB", "---", "", config["intro"], ""]
specs = report_sections(config["commitments_label"], config["reporting_years"])
for data in responses:
    lines += [f"## {data['department']}", ""]
    for spec in specs:
        text = data[spec.key] if spec.year is None else data[spec.key][spec.year]
        lines += [f"### {spec.heading}", "", text]
target.write_text("\n".join(lines) + "\n", encoding="utf-8")
