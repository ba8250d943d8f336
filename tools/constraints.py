"""constraints.txt: every distribution of an environment with `.[test]` installed, pinned.

    make constraints      (a new virtualenv, the newest releases pyproject.toml allows, then this)
    python -m tools.constraints --remove-unpinned      (make report and make test, after installing)

A pin tighter than the newest release belongs in pyproject.toml, with the test that guards it said
beside it; this file only freezes what those ranges resolve to, so that every install is the one
the suite passed with. tests/test_constraints.py holds the installed environment to it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

PROJECT_DISTRIBUTION = "annual-report-pipeline"
CONSTRAINTS = Path(__file__).resolve().parent.parent / "constraints.txt"

HEADER = """\
# The whole environment the suite passes with (`.[test]` installed, pip and setuptools included),
# applied as pip constraints so that every install is this one. Written by `make constraints`
# (tools/constraints.py) from a new virtualenv; the pins that are tighter than the newest release
# are in pyproject.toml, each with the test that guards it. tests/test_constraints.py fails when
# an installed distribution is missing here or at another version.
"""


def pinned(text: str) -> dict[str, str]:
    """The name (canonical) and version of each `name==version` line."""
    pins = {}
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            name, _, version = requirement.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def frozen() -> str:
    """This interpreter's environment as pip freezes it, less the project's own editable install."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def unpinned_installed() -> list[str]:
    """Distributions installed here that constraints.txt does not name (left by an earlier set of pins)."""
    from importlib import metadata

    pins = pinned(CONSTRAINTS.read_text(encoding="utf-8"))
    names = {canonicalize_name(distribution.metadata["Name"]) for distribution in metadata.distributions()}
    return sorted(names - set(pins) - {PROJECT_DISTRIBUTION})


def main() -> None:
    if sys.argv[1:] == ["--remove-unpinned"]:
        # An installation made under earlier pins drops what the new ones no longer bring.
        if extra := unpinned_installed():
            subprocess.run([sys.executable, "-m", "pip", "uninstall", "-q", "-y", *extra], check=True)
        return
    lines = sorted((line for line in frozen().splitlines() if line and not line.startswith("#")), key=str.lower)
    sys.stdout.write(HEADER + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
