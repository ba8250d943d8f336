"""What a coordinator asks a build for: one typed request, from the CLI, the flows and the deployments.

The `annual-report` flow's parameters are this request's fields, flattened (the workspace's
two folders as `submissions_root` and `outputs_root`); `parameters()` and `from_parameters()`
convert, and a test holds the flow's signature to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.settings import SETTINGS
from pipeline.submission.formats import OutputFormat
from pipeline.workspace import Workspace


@dataclass(frozen=True)
class BuildRequest:
    """One cycle's build."""

    cycle: str = SETTINGS.default_cycle
    # None: every format the cycle publishes (its report.yaml's formats); fewer make a preview.
    formats: tuple[OutputFormat, ...] | None = None
    # Lenient shows a department whose file has errors as not having responded; strict publishes nothing.
    strict: bool = False
    keep_history: int = SETTINGS.keep_history
    # A preview is written beside the publication, never over it.
    preview: bool = False
    # True: reviewed before it publishes; None: as the cycle's report.yaml says; False: not reviewed.
    review: bool | None = None
    # How long a reviewed build waits for its reviewer before it is dropped, unpublished.
    review_timeout_seconds: int = SETTINGS.review_timeout_seconds
    # A coordinator's reason to publish without a reviewer, recorded with the publication.
    without_review: str | None = None
    workspace: Workspace = Workspace()

    def parameters(self) -> dict[str, Any]:
        """The request as the annual-report flow's parameters."""
        values = {field.name: getattr(self, field.name) for field in fields(self) if field.name != "workspace"}
        values["formats"] = list(self.formats) if self.formats is not None else None
        return {**values, **self.workspace.parameters()}

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> BuildRequest:
        """The request the annual-report flow's parameters make."""
        values = dict(parameters)
        workspace = Workspace(Path(values.pop("submissions_root")), Path(values.pop("outputs_root")))
        formats: Sequence[str] | None = values.pop("formats")
        named = tuple(OutputFormat.named(name) for name in formats) if formats else None
        return cls(**values, formats=named, workspace=workspace)


def as_stored(parameters: Mapping[str, object]) -> dict[str, object]:
    """A flow's parameters as a deployment, or a run started from one, stores them: folders as text."""
    return {name: str(value) if isinstance(value, Path) else value for name, value in parameters.items()}
