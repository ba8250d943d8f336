"""Which task runner renders the three outputs fastest? Measured, not assumed.

    python bench/task_runners.py       (or: make bench-task-runners)

Times the render stage for the real report (HTML, PDF and DOCX from one model) one
after another, with Prefect's ThreadPoolTaskRunner and with its
ProcessPoolTaskRunner, and prints each as a ratio of the sequential time. The PDF
is CPU-bound Python, so threads share one core through the GIL; processes use
both cores but pay to start and to copy the model across.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

# A throwaway Prefect home, removed when the process ends.
_PREFECT_HOME = tempfile.TemporaryDirectory(prefix="bench-prefect-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME.name)
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner  # noqa: E402

from pipeline.model.document import Report  # noqa: E402
from pipeline.render import OutputFormat, render  # noqa: E402
from pipeline.settings import SETTINGS  # noqa: E402
from pipeline.stages import checked_report  # noqa: E402

REPEATS = 5
# The three renders the measurement has been made with since it was first taken (govspeak is a few ms).
FORMATS = (OutputFormat.HTML, OutputFormat.PDF, OutputFormat.DOCX)


@task(cache_policy=NO_CACHE)
def render_task(report: Report, output_format: str) -> int:
    return len(render(report, output_format))


def plain_calls(report: Report) -> None:
    for output_format in FORMATS:
        render(report, output_format)


@flow
def tasks_in_turn(report: Report) -> None:
    for output_format in FORMATS:
        render_task(report, output_format)


def with_runner(runner: object) -> Callable[[Report], None]:
    @flow(task_runner=runner)
    def render_all(report: Report) -> None:
        futures = [render_task.submit(report, output_format) for output_format in FORMATS]
        for future in futures:
            future.result()

    return render_all


def median_seconds(run: Callable[[Report], None], report: Report) -> float:
    run(report)  # warm-up: imports, font loading, worker start-up
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run(report)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    report, _ = checked_report(SETTINGS.submissions, SETTINGS.default_cycle)
    for output_format in FORMATS:
        started = time.perf_counter()
        render(report, output_format)
        print(f"render {output_format:<4} alone: {time.perf_counter() - started:6.3f} s")
    plain = median_seconds(plain_calls, report)
    baseline = median_seconds(tasks_in_turn, report)
    print(f"\n{'how the three renders run':<34} {'seconds':>8}  ratio to tasks in turn")
    print(f"{'plain calls, no Prefect':<34} {plain:8.3f}  {plain / baseline:.2f}")
    print(f"{'Prefect tasks, one after another':<34} {baseline:8.3f}  1.00")
    for name, runner in (
        ("ThreadPoolTaskRunner(3)", ThreadPoolTaskRunner(max_workers=3)),
        ("ProcessPoolTaskRunner(2)", ProcessPoolTaskRunner(max_workers=2)),
    ):
        seconds = median_seconds(with_runner(runner), report)
        print(f"{name:<34} {seconds:8.3f}  {seconds / baseline:.2f}")


if __name__ == "__main__":
    main()
