"""The pipeline's stages called directly, without Prefect: what the flow costs on top.

python bench/stages_only.py SUBMISSIONS CYCLE OUTPUTS
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.request import BuildRequest
from pipeline.stages import build
from pipeline.workspace import Workspace

submissions, cycle, outputs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
build(BuildRequest(cycle=cycle, workspace=Workspace(submissions, outputs)))
