"""The portal under the load issue 30's probes put on it, in one process, timed in one session:

    python bench/portal.py

- a department's page load with 10 stored sessions, and with 10,000 (2,000 links, five each);
- a wrong link, against a page load;
- page loads while 16 threads open random links as fast as they can, against page loads alone.

The portal is served as `make portal` serves it (uvicorn, one process), with the rate limits
lifted so that every guess reaches the link check; the guessers are a process of their own. It
prints medians and the ratios to compare.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from pipeline.portal.invites import InviteStore, now_utc  # noqa: E402
from pipeline.settings import SETTINGS  # noqa: E402
from pipeline.workspace import Workspace  # noqa: E402
from tests.builders import CONFIG, submission, write_cycle  # noqa: E402

CYCLE = "2015-action-09"
LOADS = 200


SERVE = """
import dataclasses, sys
from pathlib import Path
import uvicorn
from pipeline.portal.app import portal_app
from pipeline.settings import SETTINGS
from pipeline.workspace import Workspace
root = Path(sys.argv[1])
tries = 10**9 if sys.argv[3] == "lifted" else SETTINGS.portal_link_tries_per_minute
settings = dataclasses.replace(SETTINGS, portal_requests_per_minute=10**9, portal_link_tries_per_minute=tries)
app = portal_app(Workspace(root / "submissions", root / "outputs"), settings=settings)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), access_log=False, log_level="warning")
"""

# In a process of its own: 16 threads opening random links as fast as the portal answers.
GUESS = """
import secrets, sys, threading, httpx
def guessing():
    with httpx.Client() as client:
        while True:
            client.get(f"{sys.argv[1]}/invite/{secrets.token_urlsafe(32)}")
for _ in range(16):
    threading.Thread(target=guessing, daemon=True).start()
threading.Event().wait()
"""


def _workspace(root: Path, stored_sessions: int) -> str:
    """A cycle, a link, and this many sessions stored (five per link, as many links as that takes); the link."""
    workspace = Workspace(root / "submissions", root / "outputs")
    write_cycle(workspace.submissions, {"home.yaml": submission("Home Office")}, CONFIG, cycle=CYCLE)
    store = InviteStore(workspace)
    _, token = store.invite(CYCLE, "Department of Health", days=1)
    now = now_utc().isoformat()

    def storing(connection: sqlite3.Connection) -> None:
        for number in range(stored_sessions // SETTINGS.portal_sessions_per_link):
            invite = f"bench{number:06d}"
            connection.execute(
                "INSERT INTO invites (id, cycle, department, token_sha256, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
                (invite, CYCLE, "Home Office", secrets.token_hex(32), now, "2999-01-01T00:00:00+00:00"),
            )
            connection.executemany(
                "INSERT INTO sessions (token_sha256, invite, csrf, created) VALUES (?, ?, ?, ?)",
                [(secrets.token_hex(32), invite, "x", now) for _ in range(SETTINGS.portal_sessions_per_link)],
            )

    store.database.write(storing)
    return token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serving(root: Path, link_tries: str) -> tuple[subprocess.Popen[bytes], str]:
    """The portal served, its link tries per client "lifted" or "limited" as `make portal` has them."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(root), str(port), link_tries], cwd=HERE.parent)
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            httpx.get(url, timeout=1)
            return server, url
        except httpx.HTTPError:
            time.sleep(0.1)


def _median_ms(request: Callable[[], object], times: int = LOADS) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        request()
        seconds.append(time.perf_counter() - started)
    return 1000 * statistics.median(seconds)


def _measure(root: Path, token: str, link_tries: str, guessed_too: bool) -> dict[str, float]:
    server, url = _serving(root, link_tries)
    found = {}
    try:
        with httpx.Client(base_url=url, follow_redirects=False) as browser:
            assert browser.get(f"/invite/{token}").status_code == 303
            found["load"] = _median_ms(lambda: browser.get("/submission"))
            if guessed_too:
                found["wrong"] = _median_ms(lambda: browser.get(f"/invite/{secrets.token_urlsafe(32)}"))
                guessers = subprocess.Popen([sys.executable, "-c", GUESS, url])
                try:
                    time.sleep(2)
                    found["guessed"] = _median_ms(lambda: browser.get("/submission"))
                finally:
                    guessers.kill()
                    guessers.wait()
    finally:
        server.terminate()
        server.wait()
    return found


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    try:
        few = _measure(root / "few", _workspace(root / "few", 10), "lifted", guessed_too=False)
        token = _workspace(root / "many", 10_000)
        many = _measure(root / "many", token, "lifted", guessed_too=True)
        limited = _measure(root / "many", token, "limited", guessed_too=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"page load, 10 sessions stored:           {few['load']:7.1f} ms")
    print(f"page load, 10,000 sessions stored:       {many['load']:7.1f} ms   ({many['load'] / few['load']:.2f}x)")
    wrong = many["wrong"]
    print(f"a wrong link (its check, no limit):      {wrong:7.1f} ms   ({wrong / many['load']:.2f}x a page load)")
    print(
        f"page load, 16 threads guessing, no limit: {many['guessed']:6.1f} ms   ({many['guessed'] / many['load']:.2f}x"
        " without them: queued behind the guesses)"
    )
    print(
        f"page load, 16 threads guessing, limited:  {limited['guessed']:6.1f} ms   "
        f"({limited['guessed'] / limited['load']:.2f}x without them: each guess answered 429 at once)"
    )


if __name__ == "__main__":
    main()
