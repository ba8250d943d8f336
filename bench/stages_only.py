"""The pipeline's stages called directly, without Prefect: what the flow costs on top.

python bench/stages_only.py SUBMISSIONS CYCLE OUTPUTS
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline import model, publish, render, source, validate

submissions, cycle, outputs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
sources = source.read_cycle(submissions, cycle)
checked, problems = validate.check_cycle(sources)
report = model.build_report(validate.require_publishable(checked, problems, strict=False))
files = {render.output_name(name): render.render(report, name) for name in render.DEFAULT_FORMATS}
manifest = publish.build_manifest(cycle, files, [sources.config, *sources.submissions], submissions)
publish.publish(outputs, cycle, files, manifest)
