"""Where a run reads and writes: the submissions folder, the outputs folder and the locks
that keep runs apart. One object, handed to every stage that touches the disk, so that
storage shared across machines plugs in here and nowhere else.

Under the outputs folder:
- `<cycle>/`: the cycle's publication (the report files, their zip, `manifest.json`, `status.md`
  and `validation.json`), with the builds it replaced under `history/`;
- `.preview/<cycle>/`: previews, apart from what is published;
- `editions/<edition>/`: an edition's department pages and landing page;
- `.review/<cycle>/<flow run>/`: builds waiting for their reviewer;
- `.feedback/<cycle>.json`: the last feedback letter sent for each file;
- `.portal/`: the departments' portal's invitations (hashes only), sessions, audit log and the
  versions its saves replaced;
- `index.html`: the publication hub;
- `invitations.html`: the departments' portal links and their states.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline import atomic
from pipeline.settings import SETTINGS

# In each build's folder: the manifest of what it holds, and the run's status (for people and for tools).
MANIFEST = "manifest.json"
SUMMARY_FILE = "status.md"
VALIDATION_FILE = "validation.json"
HISTORY = "history"
PREVIEW = ".preview"
REVIEW = ".review"
FEEDBACK = ".feedback"
# An edition's own outputs (its department pages and landing page): editions/<edition>/.
EDITIONS = "editions"
HUB = "index.html"
PORTAL = ".portal"
# Beside the hub: each department's portal link and its state, for the coordinator (no secrets).
INVITATIONS = "invitations.html"
# A publish in progress: `.<cycle>.staging-<random>`, beside the publication it replaces.
STAGING = ".{cycle}.staging-"


@dataclass(frozen=True)
class Workspace:
    submissions: Path = SETTINGS.submissions
    outputs: Path = SETTINGS.outputs

    def parameters(self) -> dict[str, Path]:
        """The workspace as the flows' parameters."""
        return {"submissions_root": self.submissions, "outputs_root": self.outputs}

    def publication(self, cycle: str) -> Path:
        """Where the cycle's published build is (or a preview's, in the previews' workspace)."""
        return self.outputs / cycle

    def history(self, cycle: str) -> Path:
        return self.publication(cycle) / HISTORY

    def previews(self) -> Workspace:
        """The same submissions, with outputs written where previews go."""
        return replace(self, outputs=self.outputs / PREVIEW)

    def editions(self) -> Workspace:
        """The same submissions, with outputs written where editions go: one folder each."""
        return replace(self, outputs=self.outputs / EDITIONS)

    def review_folder(self, cycle: str, run_id: str | None) -> Path:
        """Where one run's build waits for its reviewer: a folder per run, so two waiting at once keep apart."""
        return self.outputs / REVIEW / cycle / (run_id or "local")

    def feedback_ledger(self, cycle: str) -> Path:
        return self.outputs / FEEDBACK / f"{cycle}.json"

    @property
    def portal(self) -> Path:
        return self.outputs / PORTAL

    @property
    def hub(self) -> Path:
        return self.outputs / HUB

    @contextmanager
    def cycle_lock(self, cycle: str) -> Iterator[None]:
        """One publisher per cycle at a time, across processes; a second waits its turn.
        The kernel drops the lock if its holder dies, so a killed run never blocks the next."""
        with atomic.exclusive(self.outputs / f".{cycle}.lock"):
            yield

    @contextmanager
    def hub_lock(self) -> Iterator[None]:
        with atomic.exclusive(self.outputs / ".hub.lock"):
            yield

    @contextmanager
    def feedback_lock(self, cycle: str) -> Iterator[None]:
        with atomic.exclusive(self.feedback_ledger(cycle).with_suffix(".lock")):
            yield
