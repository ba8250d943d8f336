"""The 2012 edition at its real size: 14 action pages and 18 department pages from the
14 December 2012 cycles (240-odd statements), built as a coordinator builds it.

    python bench/edition.py        (also run by bench/run.py, `make bench`)

Prints, from one session: `build --edition 2012` with 1 worker and with 2, and the speedup;
the peak memory of the largest process (GNU time); and each department page's PDF as the
pipeline renders it against bare WeasyPrint on the same HTML (no PDF/UA, no print styles of
its own, no refused fetcher), as a ratio per page.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.workers import timed_build  # noqa: E402
from pipeline.editions import find_edition  # noqa: E402
from pipeline.model.edition import department_pages  # noqa: E402
from pipeline.render import OutputFormat, render  # noqa: E402
from pipeline.render.html import render_html  # noqa: E402
from pipeline.stages import checked_report  # noqa: E402
from pipeline.workspace import Workspace  # noqa: E402

PROJECT = HERE.parent
EDITION = "2012"


def build(workers: int, root: Path, environment: dict[str, str]) -> dict[str, float]:
    outputs = root / f"outputs-{workers}"
    shutil.rmtree(outputs, ignore_errors=True)
    arguments = ["build", "--edition", EDITION, "--workers", str(workers), "--outputs", str(outputs)]
    seconds, peak_mib, _ = timed_build(arguments, environment)
    return {"seconds": seconds, "peak_mib": peak_mib}


def pages_against_bare_weasyprint() -> dict[str, float]:
    """Each department page's PDF, the pipeline's render against bare WeasyPrint's on its HTML."""
    from weasyprint import HTML

    workspace = Workspace()
    reports = [checked_report(workspace.submissions, cycle)[0] for cycle in find_edition(workspace, EDITION).cycles]
    pages, _ = department_pages(reports)
    ratios, pipeline_seconds = [], []
    for page in pages:
        document = page.as_document()
        started = time.perf_counter()
        render(document, OutputFormat.PDF)
        ours = time.perf_counter() - started
        html = render_html(document, paged=True)
        started = time.perf_counter()
        HTML(string=html).write_pdf()
        bare = time.perf_counter() - started
        ratios.append(ours / bare)
        pipeline_seconds.append(ours)
    return {
        "pages": len(pages),
        "median_seconds_per_page": statistics.median(pipeline_seconds),
        "median_ratio_to_bare_weasyprint": statistics.median(ratios),
        "max_ratio_to_bare_weasyprint": max(ratios),
    }


def bench(root: Path, environment: dict[str, str]) -> dict[str, object]:
    one = build(1, root, environment)
    two = build(2, root, environment)
    return {
        "one_worker": one,
        "two_workers": two,
        "speedup": one["seconds"] / two["seconds"],
        "department_pdf": pages_against_bare_weasyprint(),
    }


def show(result: dict[str, object]) -> None:
    one, two, pdf = result["one_worker"], result["two_workers"], result["department_pdf"]
    assert isinstance(one, dict) and isinstance(two, dict) and isinstance(pdf, dict)
    print(
        f"\nbuild --edition {EDITION} (14 action pages, 18 department pages, the volume, the landing page): "
        f"1 worker {one['seconds']:.1f} s, 2 workers {two['seconds']:.1f} s, speedup {result['speedup']:.2f}× "
        f"(largest process {one['peak_mib']:.0f} MiB and {two['peak_mib']:.0f} MiB)\n"
        f"a department page's PDF: {pdf['median_seconds_per_page']:.2f} s (median of {pdf['pages']}), "
        f"{pdf['median_ratio_to_bare_weasyprint']:.2f}× bare WeasyPrint on the same HTML "
        f"(at most {pdf['max_ratio_to_bare_weasyprint']:.2f}×)"
    )


if __name__ == "__main__":
    import os

    data = HERE / "data" / "edition"
    data.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PREFECT_HOME": str(data / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    environment.pop("PREFECT_API_URL", None)
    measured = bench(data, environment)
    show(measured)
    (data / "results.json").write_text(json.dumps(measured, indent=2) + "\n")
