"""What the wheel carries, checked against the tree in a moment (the wheel itself is built and
run away from the checkout in test_wheel.py, with the long tests): every package of the
pipeline, and every template, stylesheet and DOCX template the renderers and the portal read."""

from __future__ import annotations

import re
import tomllib

from tests.paths import PROJECT


def _setuptools() -> dict[str, object]:
    tool = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert isinstance(tool, dict)
    return tool


def test_every_package_is_in_the_wheel() -> None:
    # Every folder Python could import (an identifier's name, with files of its own) is listed, as
    # setuptools asks: one it finds unlisted is a 40-line warning at every install, and left out.
    packages = {
        ".".join(folder.relative_to(PROJECT).parts)
        for root in ("pipeline", "report_templates")
        for folder in [PROJECT / root, *(PROJECT / root).rglob("*")]
        if folder.is_dir()
        and folder.name.isidentifier()
        and folder.name != "__pycache__"
        and any(child.is_file() for child in folder.iterdir())
    }
    listed = set(_setuptools()["packages"])  # type: ignore[arg-type]
    assert packages == listed, (sorted(packages - listed), sorted(listed - packages))


def test_every_file_the_templates_are_read_from_is_package_data() -> None:
    package_data: dict[str, list[str]] = _setuptools()["package-data"]  # type: ignore[assignment]
    folder = PROJECT / "report_templates"
    read = [
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.suffix in (".j2", ".css", ".docx") and "__pycache__" not in path.parts
    ]
    missing = [name for name in read if not _packaged(name, package_data)]
    assert read and missing == []


def _packaged(name: str, package_data: dict[str, list[str]]) -> bool:
    """Whether a file under report_templates/ is matched by its own package's patterns."""
    for package, patterns in package_data.items():
        prefix = "/".join(package.split(".")[1:])
        within = name.removeprefix(prefix + "/") if prefix else name
        if (not prefix or name.startswith(prefix + "/")) and any(_matches(within, pattern) for pattern in patterns):
            return True
    return False


def _matches(name: str, pattern: str) -> bool:
    """As setuptools globs package data: "*" stays within one folder."""
    return re.fullmatch(re.escape(pattern).replace(r"\*", "[^/]*"), name) is not None
