"""The performance benchmark: the pipeline against its floors and against Pandoc.

    python bench/run.py          (or: make bench; BENCH_SIZES=1,10 BENCH_REPEATS=3 to choose)

For each size (1×, 10×, 100× the real report's 17 departments) it times, as whole
processes, each repeated and taking the median:
  pipeline        `python -m pipeline build` (the Prefect flow) with no server running: it
                  starts a temporary server, and stops it after the run: HTML+PDF+DOCX
  on a server     the same with a Prefect server already running (PREFECT_API_URL)
  stages only     the same pipeline functions called without Prefect
  bare WeasyPrint WeasyPrint's `write_pdf` on the pipeline's own HTML with the pipeline's
                  options (PDF/UA-1 tags, pdf.css): the same PDF, the PDF's floor
  untagged        the same without PDF/UA tags or pdf.css, to show what tagging costs
  bare DOCX       python-docx writing the same content, no template (the DOCX's floor)
  Pandoc          pandoc → HTML, DOCX, and PDF with --pdf-engine=weasyprint
  validate        `python -m pipeline validate` on the cycle folder
At 1× it also times the first build in an empty PREFECT_HOME (a fresh clone: the database
is created) and the start-up floors of bench/startup.py (the server's boot, `import prefect`),
and bench/workers.py times `build --all` over 16 cycles with 1 and 2 workers, at 1× and 10×.
It records peak RSS (/usr/bin/time -v) and the PDF's page count. It prints ratios,
which are what to compare on a shared machine, and writes bench/results.json.
Absolute seconds are printed but nothing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DATA = HERE / "data"
PYTHON = sys.executable
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "1,10,100").split(",")]
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
# The 100× runs take minutes each; BENCH_REPEATS_100 may lower their count.
REPEATS_100 = int(os.environ.get("BENCH_REPEATS_100", str(REPEATS)))
ENV = {
    **os.environ,
    "PREFECT_HOME": str(DATA / "prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # Pandoc runs WeasyPrint's command-line tool from this virtualenv.
    "PATH": f"{Path(PYTHON).parent}:{os.environ.get('PATH', '')}",
}

sys.path.insert(0, str(PROJECT))
from bench import edition, startup, workers  # noqa: E402
from bench.generate import generate  # noqa: E402
from pipeline.render import OutputFormat  # noqa: E402
from pipeline.settings import api_url  # noqa: E402


def measure_repeated(command: list[str], repeats: int, extra: dict[str, str] | None = None) -> dict[str, float]:
    """Median wall seconds and the largest peak RSS (MiB) over repeated runs."""
    seconds, peaks = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-v", *command], cwd=PROJECT, env={**ENV, **(extra or {})}, capture_output=True, text=True
        )
        seconds.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
        peaks.append(int(peak[1]) / 1024 if peak else 0.0)
    return {"seconds": statistics.median(seconds), "peak_mib": max(peaks)}


class RunningServer:
    """A Prefect server started for the benchmark and stopped after it, as `make server` would run one."""

    def __enter__(self) -> str:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = api_url("127.0.0.1", port)
        command = [PYTHON, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"]
        home = DATA / "standing-server"
        home.mkdir(parents=True, exist_ok=True)
        environment = {**ENV, "PREFECT_HOME": str(home)}
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sys.path.insert(0, str(PROJECT))
        from pipeline.orchestration.prefect_api import healthy

        while not healthy(self.url):
            time.sleep(0.2)
        return self.url

    def __exit__(self, *exception: object) -> None:
        self.process.terminate()
        self.process.wait()


def build_command(cycle: str, outputs: Path) -> list[str]:
    return [PYTHON, "-m", "pipeline", "build", "--cycle", cycle, "--submissions", str(DATA / "submissions")] + [
        "--outputs",
        str(outputs),
        "--keep-history",
        "0",
    ]


def bench_size(multiplier: int, server_url: str) -> dict[str, object]:
    repeats = REPEATS_100 if multiplier >= 100 else REPEATS

    def measure(command: list[str]) -> dict[str, float]:
        return measure_repeated(command, repeats)

    cycle = generate(multiplier, DATA / "submissions")
    folder = DATA / "submissions" / cycle
    work = DATA / "work" / cycle
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    results: dict[str, object] = {"departments": 17 * multiplier, "repeats": repeats}
    results["pipeline"] = measure(build_command(cycle, work / "pipeline"))
    results["pipeline_on_server"] = measure_repeated(
        build_command(cycle, work / "on-server"), repeats, {"PREFECT_API_URL": server_url}
    )
    if multiplier == 1:  # a fresh clone's first build: Prefect creates its database
        first = DATA / "fresh-prefect-home"
        shutil.rmtree(first, ignore_errors=True)
        results["first_run"] = measure_repeated(build_command(cycle, work / "first"), 1, {"PREFECT_HOME": str(first)})
    results["stages_only"] = measure(
        [PYTHON, str(HERE / "stages_only.py"), str(DATA / "submissions"), cycle, str(work / "stages")]
    )
    html = work / "pipeline" / cycle / OutputFormat.HTML.file_name
    results["bare_weasyprint"] = measure(
        [
            PYTHON,
            "-c",
            "import sys; from weasyprint import CSS, HTML; "
            "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], stylesheets=[CSS(filename=sys.argv[3])], "
            "pdf_variant='pdf/ua-1')",
            str(html),
            str(work / "bare.pdf"),
            str(PROJECT / "report_templates" / "pdf.css"),
        ]
    )
    results["bare_weasyprint_untagged"] = measure(
        [
            PYTHON,
            "-c",
            "import sys; from weasyprint import HTML; HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])",
            str(html),
            str(work / "untagged.pdf"),
        ]
    )
    results["bare_docx"] = measure([PYTHON, str(HERE / "bare_docx.py"), str(folder), str(work / "bare.docx")])
    markdown = work / "report.md"
    subprocess.run([PYTHON, str(HERE / "to_markdown.py"), str(folder), str(markdown)], check=True, env=ENV)
    pandoc = {}
    for output, extra in (("html", ["--standalone"]), ("docx", []), ("pdf", ["--pdf-engine=weasyprint"])):
        pandoc[output] = measure(["pandoc", str(markdown), "-o", str(work / f"pandoc.{output}"), *extra])
    results["pandoc"] = {
        "seconds": sum(run["seconds"] for run in pandoc.values()),
        "peak_mib": max(run["peak_mib"] for run in pandoc.values()),
        "by_format": pandoc,
    }
    results["validate"] = measure([PYTHON, "-m", "pipeline", "validate", str(folder)])
    results["pdf_pages"] = len(PdfReader(work / "pipeline" / cycle / OutputFormat.PDF.file_name).pages)
    floor = results["bare_weasyprint"]["seconds"] + results["bare_docx"]["seconds"]  # type: ignore[index]
    pipeline_seconds = results["pipeline"]["seconds"]  # type: ignore[index]
    results["ratios"] = {
        "pipeline_over_floor": pipeline_seconds / floor,
        "stages_over_floor": results["stages_only"]["seconds"] / floor,  # type: ignore[index]
        "pipeline_over_pandoc": pipeline_seconds / results["pandoc"]["seconds"],
        "prefect_overhead_seconds": pipeline_seconds - results["stages_only"]["seconds"],  # type: ignore[index]
        "pipeline_over_stages": pipeline_seconds / results["stages_only"]["seconds"],  # type: ignore[index]
        "on_server_over_stages": results["pipeline_on_server"]["seconds"]  # type: ignore[index]
        / results["stages_only"]["seconds"],  # type: ignore[index]
        "stages_over_pandoc": results["stages_only"]["seconds"] / results["pandoc"]["seconds"],  # type: ignore[index]
        "tagged_over_untagged": results["bare_weasyprint"]["seconds"]  # type: ignore[index]
        / results["bare_weasyprint_untagged"]["seconds"],  # type: ignore[index]
    }
    return results


def main() -> None:
    with RunningServer() as server_url:
        measured: dict[str, dict[str, object]] = {f"{size}x": bench_size(size, server_url) for size in SIZES}
    print("\nmedians of repeated runs (see results.json for the counts); ratios are what to compare")
    header = (
        f"{'size':>5} {'depts':>6} {'pages':>6} {'pipeline':>9} {'stages':>7} {'floor':>7} {'pandoc':>7} "
        f"{'pipe/floor':>10} {'stages/floor':>12} {'pipe/pandoc':>11} {'stages/pandoc':>13} {'prefect s':>9} "
        f"{'peak MiB':>8} {'validate':>8} {'tags cost':>9}"
    )
    print(header)
    for size, result in measured.items():
        floor = result["bare_weasyprint"]["seconds"] + result["bare_docx"]["seconds"]
        ratios = result["ratios"]
        print(
            f"{size:>5} {result['departments']:>6} {result['pdf_pages']:>6} {result['pipeline']['seconds']:9.2f} "
            f"{result['stages_only']['seconds']:7.2f} {floor:7.2f} {result['pandoc']['seconds']:7.2f} "
            f"{ratios['pipeline_over_floor']:10.2f} {ratios['stages_over_floor']:12.2f} "
            f"{ratios['pipeline_over_pandoc']:11.2f} {ratios['stages_over_pandoc']:13.2f} "
            f"{ratios['prefect_overhead_seconds']:9.2f} {result['pipeline']['peak_mib']:8.0f} "
            f"{result['validate']['seconds']:8.2f} {ratios['tagged_over_untagged']:9.2f}"
        )
    if "1x" in measured and "10x" in measured:
        one, ten = measured["1x"]["stages_only"]["seconds"], measured["10x"]["stages_only"]["seconds"]
        per_copy = (ten - one) / 9
        fixed = one - per_copy
        print(f"\nfixed start-up (stages, extrapolated to 0 departments): {fixed:.2f} s")
        print(f"per 17 departments: {per_copy:.2f} s")
        if "100x" in measured:
            hundred = measured["100x"]["stages_only"]["seconds"]
            print(f"100× / 1× after start-up: {(hundred - fixed) / (one - fixed):.1f} (linear = 100)")
    print("\nstart-up: the pipeline over the stages alone, as whole processes")
    print(f"{'size':>5} {'no server (temporary)':>22} {'running server':>15}")
    for size, result in measured.items():
        ratios = result["ratios"]
        print(f"{size:>5} {ratios['pipeline_over_stages']:22.2f} {ratios['on_server_over_stages']:15.2f}")
    if "1x" in measured:
        print(f"first build in a fresh clone (database created): {measured['1x']['first_run']['seconds']:.2f} s")
    floors = {}
    if "1x" in measured:
        boot = startup.server_boot_seconds(DATA / "boot", ENV, REPEATS)
        imported = startup.import_prefect_seconds(ENV, REPEATS)
        floors = startup.ratios(measured["1x"], boot, imported)
        startup.show(floors)
    peaks = {size: result["pipeline"]["peak_mib"] for size, result in measured.items()}
    print("peak RSS of the pipeline: " + ", ".join(f"{size} {peak:.0f} MiB" for size, peak in peaks.items()))
    # At 1× each cycle is about a second of work, so the fixed start caps what a second worker
    # gives near 1.58×; at 10× each cycle is long enough for the workers' speedup to show.
    fan_out = {
        f"{scale}x": workers.bench(DATA / "workers", {**ENV, "PREFECT_HOME": str(DATA / "workers" / "prefect")}, scale)
        for scale in workers.SCALES
    }
    for result in fan_out.values():
        workers.show(result)
    whole_edition = edition.bench(DATA / "edition", {**ENV, "PREFECT_HOME": str(DATA / "edition" / "prefect")})
    edition.show(whole_edition)
    results = {**measured, "startup": floors, "workers": fan_out, "edition": whole_edition}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {HERE / 'results.json'}")


if __name__ == "__main__":
    main()
