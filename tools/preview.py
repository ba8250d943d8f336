"""Render a cycle's published outputs as pictures, to look at them as a reader would.

    python -m tools.preview [CYCLE]     (or: make preview [CYCLE=…]; the default cycle when none is named)

Writes outputs/preview/<cycle>/: the PDF's pages (pdftoppm), the DOCX's pages as
LibreOffice lays them out, and the HTML page and the publication hub (outputs/index.html)
in Chromium at desktop and phone widths.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipeline.render import OutputFormat
from pipeline.settings import SETTINGS
from pipeline.workspace import HUB
from tests.checkers import CHROMIUM, CHROMIUM_ARGS, libreoffice_to_pdf

RESOLUTION = "60"


def preview(cycle: str) -> Path:
    published = SETTINGS.outputs / cycle
    target = SETTINGS.outputs / "preview" / cycle
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    subprocess.run(
        ["pdftoppm", "-r", RESOLUTION, "-png", str(published / OutputFormat.PDF.file_name), str(target / "pdf-page")],
        check=True,
    )
    docx_as_pdf = libreoffice_to_pdf(published / OutputFormat.DOCX.file_name)
    subprocess.run(["pdftoppm", "-r", RESOLUTION, "-png", str(docx_as_pdf), str(target / "docx-page")], check=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {"html": published / OutputFormat.HTML.file_name, "hub": SETTINGS.outputs / HUB}
        for kind, source in pages.items():
            for name, width in ((f"{kind}-desktop", 1280), (f"{kind}-phone-320", 320)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(source.as_uri())
                page.screenshot(path=str(target / f"{name}.png"), full_page=True)
                page.close()
        browser.close()
    return target


if __name__ == "__main__":
    folder = preview(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else SETTINGS.default_cycle)
    print(f"wrote {len(list(folder.iterdir()))} pictures to {folder}")
