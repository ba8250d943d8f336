"""The floor for the DOCX: python-docx writing the same content with no template engine.

python bench/bare_docx.py SUBMISSIONS/CYCLE OUT.docx
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import read_responses  # noqa: E402
from pipeline.submission.sections import report_sections  # noqa: E402

folder, target = Path(sys.argv[1]), Path(sys.argv[2])
config, responses = read_responses(folder)
document = docx.Document()
document.add_heading(config["title"], 1)
for data in responses:
    name = data["department"]
    document.add_heading(name, 2)
    sections = [
        (spec.heading, data[spec.key] if spec.year is None else data[spec.key][spec.year])
        for spec in report_sections(config["commitments_label"], config["reporting_years"])
    ]
    for heading, text in sections:
        document.add_heading(heading, 3)
        for block in text.strip().split("\n\n"):
            lines = block.split("\n")
            if lines[0].startswith("- "):
                for line in lines:
                    document.add_paragraph(line[2:], style="List Bullet")
            else:
                document.add_paragraph(" ".join(lines))
document.save(target)
