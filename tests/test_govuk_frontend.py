"""The GOV.UK Frontend CSS the pages inline is exactly what the pinned release compiles to."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.paths import PROJECT

FOLDER = PROJECT / "report_templates" / "govuk-frontend"
RELEASE = PROJECT / "node_modules" / "govuk-frontend"


def test_the_pinned_release_is_the_one_installed_and_named() -> None:
    pinned = json.loads((PROJECT / "package.json").read_text())["devDependencies"]["govuk-frontend"]
    installed = json.loads((RELEASE / "package.json").read_text())["version"]
    assert pinned == installed == (FOLDER / "VERSION").read_text().split()[-1]
    assert pinned.startswith("6.")


@pytest.mark.parametrize(
    ("source", "compiled"),
    [
        ("report.scss", "govuk-frontend.css"),
        ("footer.scss", "footer.css"),
        ("table.scss", "table.css"),
        ("portal.scss", "portal.css"),
    ],
)
def test_the_checked_in_css_is_what_that_release_compiles_to(source: str, compiled: str) -> None:
    fresh = subprocess.run(
        ["npx", "--no-install", "sass", "--style=compressed", "--no-source-map", "--no-charset"]
        + ["--load-path=node_modules", str(FOLDER / source)],
        cwd=PROJECT,
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert fresh.rstrip(b"\n") == (FOLDER / compiled).read_bytes().rstrip(b"\n")


@pytest.mark.parametrize("compiled", ["govuk-frontend.css", "footer.css", "table.css", "portal.css"])
def test_no_font_or_asset_of_gov_uk_is_shipped_or_requested(compiled: str) -> None:
    css = (FOLDER / compiled).read_text()
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "url(" not in css and "/assets/" not in css
    assert '--govuk-frontend-version: "6.' in css
    licence = (FOLDER / "LICENSE.txt").read_text()
    assert licence.startswith("The MIT License (MIT)") and "Crown Copyright (Government Digital Service)" in licence
