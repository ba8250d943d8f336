"""Run in child processes by tests/test_safety.py: publish builds of one cycle over and
over, each a different, self-consistent set, until killed (or N times if given)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.publish.manifest import build_manifest
from pipeline.publish.publishing import publish
from pipeline.workspace import Workspace

outputs, label = Path(sys.argv[1]), sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else None
number = 0
while count is None or number < count:
    # Large enough that a kill often lands mid-write; random so every build differs.
    files = {name: os.urandom(1_000_000 + 1000 * number) for name in ("report.html", "report.pdf", "report.docx")}
    manifest = build_manifest("cycle", files, [], outputs, flow_run_id=f"{label}-{number}")
    publish(Workspace(outputs=outputs), "cycle", files, manifest, keep_history=2)
    number += 1
