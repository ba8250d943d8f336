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
    packages = {
        ".".join(init.parent.relative_to(PROJECT).parts)
        for init in (PROJECT / "pipeline").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(_setuptools()["packages"])  # type: ignore[arg-type]
    assert packages <= listed, sorted(packages - listed)


def test_every_file_the_templates_are_read_from_is_package_data() -> None:
    patterns = _setuptools()["package-data"]["report_templates"]  # type: ignore[index]
    folder = PROJECT / "report_templates"
    read = [
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.suffix in (".j2", ".css", ".docx") and "__pycache__" not in path.parts
    ]
    missing = [name for name in read if not any(_matches(name, pattern) for pattern in patterns)]
    assert read and missing == []


def _matches(name: str, pattern: str) -> bool:
    """As setuptools globs package data: "*" stays within one folder."""
    return re.fullmatch(re.escape(pattern).replace(r"\*", "[^/]*"), name) is not None
