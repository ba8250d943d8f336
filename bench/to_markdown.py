"""The same content as one Markdown file, for Pandoc.

python bench/to_markdown.py SUBMISSIONS/CYCLE OUT.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import read_responses  # noqa: E402

folder, target = Path(sys.argv[1]), Path(sys.argv[2])
config, responses = read_responses(folder)
lines = ["---", f"title: {config['title']!r}", "lang: en-GB", "---", "", config["intro"], ""]
for data in responses:
    name = data["department"]
    lines += [
        f"## {name}",
        "",
        f"### Departmental digital strategy commitments ({config['commitments_label']})",
        "",
        data["commitments"],
    ]
    for year in config["reporting_years"]:
        lines += [
            f"### Progress during {year}",
            "",
            data["progress"][year],
            f"### Planned activities in {year + 1}",
            "",
            data["plans"][year + 1],
        ]
target.write_text("\n".join(lines) + "\n", encoding="utf-8")
