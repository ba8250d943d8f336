"""Where the real project's files are: its submissions, the real cycle, and the published report
the pipeline reproduces."""

from __future__ import annotations

from pipeline.settings import SETTINGS

PROJECT = SETTINGS.submissions.parent
SUBMISSIONS = SETTINGS.submissions
REAL_CYCLE = SETTINGS.default_cycle
REFERENCE = PROJECT.parent / "shared" / "reference" / "action-04-departmental-responses-2015.txt"
