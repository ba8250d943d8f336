"""Run in a child process by tests/test_hostile.py: check every hostile file under a
memory cap, timing each, and print the outcomes as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

MEMORY_CAP = 2 * 1024**3  # bytes of address space; a runaway file fails here, not the machine

resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

from pipeline.check.validate import check_config, check_submission  # noqa: E402
from pipeline.read.yaml_file import load_yaml  # noqa: E402

folder = Path(sys.argv[1])
config, _ = check_config(load_yaml(folder / "report.yaml"))
outcomes = {}
for path in sorted(folder.glob("*--*.yaml")):
    tracemalloc.start()
    started = time.perf_counter()
    _, problems = check_submission(load_yaml(path), config)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    outcomes[path.stem] = {
        "problems": [f"{p.line}:{p.column} {p.severity.value}: {p.field}: {p.message}" for p in problems],
        "seconds": seconds,
        "peak_bytes": peak,
    }
print(json.dumps(outcomes))
