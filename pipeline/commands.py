"""The pipeline's own commands as a hint prints them: each works as printed, from where it is printed.

The installed command, `annual-report` (pyproject's [project.scripts]), is named alone when
the shell finds this installation's by that name; otherwise by its path in the virtualenv
(`.venv/bin/annual-report` from the project's folder). A bare `python -m pipeline` would run
whichever Python comes first on the path, which may not have the pipeline's packages.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

COMMAND = "annual-report"


def command(*words: str) -> str:
    """`annual-report <words>`, ready to paste into a shell here."""
    return " ".join([program(), *(shlex.quote(str(word)) for word in words)])


def program() -> str:
    installed = Path(sys.executable).with_name(COMMAND)
    found = shutil.which(COMMAND)
    if found is not None and installed.exists() and Path(found).resolve() == installed.resolve():
        return COMMAND
    if installed.exists():
        return shown_path(installed)
    return f"{shown_path(Path(sys.executable))} -m pipeline"


def shown_path(path: Path) -> str:
    """A path as typed from the current folder: relative below it (with a folder, so a shell runs
    it as a path, not a name), absolute elsewhere."""
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(relative) if relative.parent != Path() else f"./{relative}"
