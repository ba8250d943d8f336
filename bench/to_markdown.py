"""The same content as one Markdown file, for Pandoc.

python bench/to_markdown.py SUBMISSIONS/CYCLE OUT.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

folder, target = Path(sys.argv[1]), Path(sys.argv[2])
config = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
by_name = {}
for path in folder.glob("*.yaml"):
    if path.name != "report.yaml":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_name[data["department"]] = data
lines = ["---", f"title: {config['title']!r}", "lang: en-GB", "---", "", config["intro"], ""]
for name in config["departments"]:
    data = by_name[name]
    lines += [
        f"## {name}",
        "",
        "### Departmental digital strategy commitments (December 2012)",
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
