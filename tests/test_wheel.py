"""The pipeline as it installs: a wheel, in a virtualenv of its own, run away from the checkout.

The wheel is built from a copy of what pyproject.toml packages: a build in the checkout would leave
build/ there, whose stale files a later wheel would carry. Building it fetches setuptools from the
package index (pyproject's build-system), as any `pip install` of the project does.

The new virtualenv borrows this one's installed dependencies (a .pth line after its own
site-packages) rather than downloading them again. This virtualenv's editable install of the
project is a .pth file of its own site-packages naming the checkout, and .pth files of a folder
named in a .pth line are not read, so the checkout stays out of sight; the test checks that.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from pipeline import stages
from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace
from tests.paths import PROJECT, REAL_CYCLE, SUBMISSIONS

WHERE_IMPORTED = (
    "import json, sysconfig, flows, pipeline, report_templates; "
    "print(json.dumps({'site-packages': sysconfig.get_paths()['purelib'], "
    "'modules': [flows.__file__, pipeline.__file__, report_templates.__file__]}))"
)


# Half a minute (a wheel built, a virtualenv made, a build through a temporary Prefect server): in make test-scale.
@pytest.mark.scale
def test_the_wheel_carries_its_templates_and_builds_the_same_report_away_from_the_checkout(tmp_path: Path) -> None:
    python = _install(_build_wheel(tmp_path), tmp_path / "venv")
    work = tmp_path / "work"
    shutil.copytree(SUBMISSIONS / REAL_CYCLE, work / "submissions" / REAL_CYCLE)
    # Nothing of the checkout's: no PYTHONPATH, and Prefect's home and server chosen by the installed code.
    environment = {
        key: value for key, value in os.environ.items() if key != "PYTHONPATH" and not key.startswith("PREFECT_")
    }

    where = json.loads(_run([python, "-c", WHERE_IMPORTED], cwd=work, env=environment))
    site_packages = Path(where["site-packages"])
    assert site_packages.is_relative_to(tmp_path / "venv")
    assert [Path(module).is_relative_to(site_packages) for module in where["modules"]] == [True, True, True], where

    # The defaults, installed: submissions/ and outputs/ in the current directory, Prefect's home too.
    _run([python, "-m", "pipeline", "build", "--cycle", REAL_CYCLE], cwd=work, env=environment)
    assert (work / ".prefect").is_dir()

    stages.build(BuildRequest(cycle=REAL_CYCLE, workspace=Workspace(outputs=tmp_path / "checkout")))
    for output_format in OutputFormat:
        installed = work / "outputs" / REAL_CYCLE / output_format.file_name
        assert installed.read_bytes() == (tmp_path / "checkout" / REAL_CYCLE / output_format.file_name).read_bytes()


def _build_wheel(tmp_path: Path) -> Path:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    packaged = project["tool"]["setuptools"]
    source = tmp_path / "source"
    for package in {name.split(".")[0] for name in packaged["packages"]}:
        shutil.copytree(PROJECT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in [
        "pyproject.toml",
        project["project"]["readme"],
        *(f"{module}.py" for module in packaged["py-modules"]),
    ]:
        shutil.copy2(PROJECT / name, source / name)
    wheels = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels), str(source)], both=True
    )
    assert _warnings(built) == []
    (wheel,) = wheels.glob("*.whl")
    return wheel


# A Python warning as setuptools prints it ("BuildBackendWarning: Package … is absent"); not this machine's
# pip configuration ("WARNING: Location 'file:…' is ignored"), which is no part of the project.
PYTHON_WARNING = re.compile(r"\b[A-Z]\w*Warning\b")


def _warnings(printed: str) -> list[str]:
    return [line for line in printed.splitlines() if PYTHON_WARNING.search(line)]


# A few seconds (an editable build, as make report installs the project): in make test-scale.
@pytest.mark.scale
def test_the_editable_install_make_report_makes_prints_no_warning(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns(".*", "__pycache__", "node_modules", "outputs"))
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "-e",
            str(source),
        ],
        both=True,
    )
    assert _warnings(installed) == []


def _install(wheel: Path, venv: Path) -> Path:
    """A new virtualenv with the wheel installed, then this one's packages after its own."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    # Installed before the .pth below exists, so pip sees no other copy of the project to replace.
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ]
    )
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = Path(_run([python, "-c", query], cwd=venv).strip())
    dependencies = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site_packages / "dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies), encoding="utf-8")
    return python


def _run(
    command: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None, both: bool = False
) -> str:
    """The command's output (with both, its errors too); a failure shows what it printed."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr if both else result.stdout
