"""The real third-party checkers the suite runs on the outputs, each as a function
returning its findings, so a test can show both that our output passes and that
a broken file fails."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pikepdf

PROJECT = Path(__file__).resolve().parents[1]
AXE_SCRIPT = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Findings that do not fail a test but are listed at the end of the run.
NOTES: list[str] = []


def axe(page: Any, tags: list[str]) -> dict[str, Any]:
    """Run axe-core in the page with the given rule tags; its raw results."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags,
    )


def describe_axe(results: dict[str, Any]) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in violation["nodes"][:3]
        )
        for violation in results["violations"]
    ]


def nu_html_checker_files(paths: list[Path]) -> dict[str, list[str]]:
    """The Nu Html Checker's messages for several files in one run (its start-up is most of a
    run's time): each file's name, and its messages."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--also-check-css", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages: dict[str, list[str]] = {path.name: [] for path in paths}
    for message in json.loads(result.stderr or result.stdout)["messages"]:
        messages[Path(message.get("url", "unknown")).name].append(message["message"])
    return messages


def nu_html_checker(path: Path) -> list[dict[str, Any]]:
    """The Nu Html Checker's messages for one file (errors and warnings)."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--also-check-css", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(result.stderr or result.stdout)["messages"]


def heading_skips(levels: list[int]) -> list[str]:
    """Places where a heading goes more than one level deeper than the one before."""
    problems = []
    previous = 0
    for index, level in enumerate(levels):
        if level > previous + 1:
            problems.append(f"heading {index + 1} is h{level} after h{previous or '-'}")
        previous = level
    return problems


GENERIC_LINK_TEXTS = {"read more", "read more »", "click here", "here", "more", "link", "this page"}


def pdf_ua_findings(pdf: bytes) -> list[str]:
    """What PDF/UA-1 requires of the document as a whole, checked with pikepdf.

    veraPDF, the reference validator, is not in the registries this project can
    install from; these are the checks it starts with (ISO 14289-1 §7.1, 7.2, 7.18).
    """
    findings = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            findings.append("not marked as tagged (/MarkInfo /Marked true)")
        if "/StructTreeRoot" not in root:
            findings.append("no structure tree (/StructTreeRoot)")
        if not str(root.get("/Lang", "")):
            findings.append("no document language (/Lang)")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            findings.append("title not shown in the window (/DisplayDocTitle)")
        metadata = document.open_metadata()
        if not metadata.get("dc:title"):
            findings.append("no dc:title in the XMP metadata")
        if metadata.get("pdfuaid:part") != "1":
            findings.append("no PDF/UA identification (pdfuaid:part=1) in the XMP metadata")
        for number, page in enumerate(document.pages, start=1):
            for name, font in page.get("/Resources", {}).get("/Font", {}).items():
                descriptor = (font["/DescendantFonts"][0] if "/DescendantFonts" in font else font).get(
                    "/FontDescriptor"
                )
                if descriptor is None or not any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    findings.append(f"page {number}: font {font.get('/BaseFont', name)} is not embedded")
            if "/StructParents" not in page:
                findings.append(f"page {number}: content not linked to the structure tree (/StructParents)")
    return findings


def structure_roles(pdf: bytes) -> list[str]:
    """The structure tree's element roles, in document order."""
    roles: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        stack = [document.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if "/S" in node:
                roles.append(str(node.S))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kid for kid in reversed(list(kids)) if isinstance(kid, pikepdf.Dictionary))
            elif isinstance(kids, pikepdf.Dictionary):
                stack.append(kids)
    return roles


def libreoffice_to_pdf(docx: Path) -> Path:
    """Open a DOCX in LibreOffice and save it as PDF; raises if LibreOffice cannot open it."""
    outdir = Path(tempfile.mkdtemp(prefix="libreoffice-"))
    profile = outdir / "profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    converted = outdir / (docx.stem + ".pdf")
    if result.returncode != 0 or not converted.exists():
        raise RuntimeError(f"LibreOffice could not open {docx.name}: {result.stdout} {result.stderr}".strip())
    return converted


def pdftotext_pages(pdf: bytes) -> list[str]:
    """Poppler's text of each page."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]
