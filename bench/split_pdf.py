"""Would splitting the PDF into one WeasyPrint document per department, rendered in two
worker processes and concatenated with pikepdf, be faster than one single pass? Measured.

    python bench/split_pdf.py          (BENCH_SIZES=10,40 BENCH_REPEATS=2 to choose)

A measurement only: the pipeline does not split. The split PDF loses what needs the whole
document: the contents' page numbers and links (target-counter() and named destinations
cannot see another document), "Page N of M" (each part counts its own pages), the
bookmarks, and the PDF/UA structure tree (pikepdf copies pages, not StructTreeRoot, so the
result is untagged). Each part embeds its own font subsets, so the file is larger too.

For each size it times, in this process and interleaved:
  single     pipeline.render.pdf.render_pdf(report): the pipeline's one pass
  split      the same HTML cut into parts (the title and contents, then each department),
             each part rendered with the same options in a pool of 2 processes, then the
             parts' pages appended into one PDF with pikepdf
  halves     the same, cut into 2 parts only (one per worker), to separate the gain of
             parallelism from the gain of smaller documents
and prints each as a ratio of `single`.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import pikepdf
from weasyprint import HTML

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.generate import generate  # noqa: E402
from pipeline import stages  # noqa: E402
from pipeline.model.document import Report  # noqa: E402
from pipeline.render.html import render_html  # noqa: E402
from pipeline.render.pdf import (  # noqa: E402
    RefusingFetcher,
    _fewer_collections,
    _source_date_epoch,
    pdf_stylesheet,
    render_pdf,
)

DATA = PROJECT / "bench" / "data"
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10,40").split(",")]
REPEATS = int(os.environ.get("BENCH_REPEATS", "1"))
WORKERS = 2
MAIN_OPEN = '<main id="main-content">\n'
SECTION_OPEN = '  <section class="department"'
MAIN_CLOSE = "</main>\n"


def build_report(multiplier: int) -> Report:
    cycle = generate(multiplier, DATA / "submissions")
    return stages.checked_report(DATA / "submissions", cycle)[0]


def split_html(html: str) -> list[str]:
    """The page cut into whole documents: the title and contents, then one per department."""
    head, rest = html.split(MAIN_OPEN, 1)
    body, tail = rest.split(MAIN_CLOSE, 1)
    preamble, *sections = body.split(SECTION_OPEN)
    prefix, suffix = head + MAIN_OPEN, MAIN_CLOSE + tail
    return [prefix + preamble + suffix] + [prefix + SECTION_OPEN + section + suffix for section in sections]


def halve_html(html: str) -> list[str]:
    """The page cut into two documents of about as many departments each."""
    head, rest = html.split(MAIN_OPEN, 1)
    body, tail = rest.split(MAIN_CLOSE, 1)
    preamble, *sections = body.split(SECTION_OPEN)
    middle = len(sections) // 2
    prefix, suffix = head + MAIN_OPEN, MAIN_CLOSE + tail
    first = preamble + "".join(SECTION_OPEN + section for section in sections[:middle])
    second = "".join(SECTION_OPEN + section for section in sections[middle:])
    return [prefix + first + suffix, prefix + second + suffix]


def render_part(html: str) -> bytes:
    """One part, with the options render_pdf uses (SOURCE_DATE_EPOCH is set by the parent)."""
    fetcher = RefusingFetcher()
    with _fewer_collections():
        return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
            stylesheets=[pdf_stylesheet(fetcher)],
            pdf_variant="pdf/ua-1",
        )


def concatenate(parts: list[bytes]) -> bytes:
    merged = pikepdf.new()
    with warnings.catch_warnings():
        # pikepdf warns that named destinations are not carried over: known, see above.
        warnings.simplefilter("ignore")
        for part in parts:
            merged.pages.extend(pikepdf.open(io.BytesIO(part)).pages)
    output = io.BytesIO()
    merged.save(output)
    return output.getvalue()


def render_split(report: Report, cut) -> bytes:
    parts = cut(render_html(report))
    with _source_date_epoch(report), multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        rendered = pool.map(render_part, parts, chunksize=max(1, len(parts) // (WORKERS * 8)))
    return concatenate(rendered)


def timed(function, *args) -> tuple[float, bytes]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main() -> None:
    variants = {
        "single": render_pdf,
        "split": lambda report: render_split(report, split_html),
        "halves": lambda report: render_split(report, halve_html),
    }
    rows = []
    for multiplier in SIZES:
        report = build_report(multiplier)
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        sizes: dict[str, tuple[int, int]] = {}
        for _ in range(REPEATS):
            for name, function in variants.items():
                elapsed, pdf = timed(function, report)
                seconds[name].append(elapsed)
                sizes[name] = (len(pikepdf.open(io.BytesIO(pdf)).pages), len(pdf))
                pages, size = sizes[name]
                print(f"{multiplier}x {name}: {elapsed:.2f} s, {pages} pages, {size:,} bytes", flush=True)
        medians = {name: statistics.median(values) for name, values in seconds.items()}
        rows.append((multiplier, medians, sizes))
    print(f"\nmedians of {REPEATS} run(s), {WORKERS} workers; ratios are what to compare")
    print(f"{'size':>5} {'single s':>9} {'split s':>8} {'halves s':>9} {'split/single':>12} {'halves/single':>13}")
    for multiplier, medians, _ in rows:
        single = medians["single"]
        print(
            f"{multiplier:>4}x {single:9.2f} {medians['split']:8.2f} {medians['halves']:9.2f} "
            f"{medians['split'] / single:12.2f} {medians['halves'] / single:13.2f}"
        )


if __name__ == "__main__":
    main()
