"""constraints.txt is the whole environment: every installed distribution is pinned there at the
version installed, and what is installed holds together (pip check)."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from packaging.utils import canonicalize_name

from tools.constraints import CONSTRAINTS, PROJECT_DISTRIBUTION, pinned


def test_every_installed_distribution_is_pinned_at_its_version() -> None:
    pins = pinned(CONSTRAINTS.read_text(encoding="utf-8"))
    installed = {
        canonicalize_name(distribution.metadata["Name"]): distribution.version
        for distribution in metadata.distributions()
    }
    installed.pop(PROJECT_DISTRIBUTION)
    unpinned = sorted(name for name in installed if name not in pins)
    other_versions = sorted(
        f"{name} {version} installed, {pins[name]} pinned"
        for name, version in installed.items()
        if name in pins and pins[name] != version
    )
    assert (unpinned, other_versions) == ([], []), "run make constraints, or make test to install the pins"


def test_the_installed_distributions_hold_together() -> None:
    checked = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
