"""A real browser against a real server: Debian's Chromium, ``streamlit run`` on loopback, and the cold start.

Shared by the browser tests (``tests/browser_util.py``), the load test (``scripts/loadtest.py``) and
the benchmark, which times the page's cold start, from ``streamlit run`` to its first chart drawn in
Chromium, against a minimal one-chart Streamlit page started the same way in the same run
(``compare_cold_start``).

The Python ``playwright`` wheel carries its own driver; the browser is Debian's ``/usr/bin/chromium``
(never ``playwright install``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
CHROMIUM = os.environ.get("LR_LANDSCAPES_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_S = 120  # until /_stcore/health answers "ok"


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run app.py`` on loopback, headless, with its output in a log file."""

    def __init__(self, app: Path = APP, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.app = Path(app)
        self.extra_env = dict(env or {})
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = SERVER_START_S, poll: float = 0.5) -> Server:
        """Launches the server and waits until it answers (see ``launch`` and ``wait_healthy``)."""
        self.launch()
        try:
            self.wait_healthy(timeout, poll)
        except TimeoutError:
            self.stop()
            raise
        return self

    def launch(self) -> Server:
        """Starts ``streamlit run`` without waiting for it."""
        command = [
            sys.executable, "-m", "streamlit", "run", str(self.app),
            "--server.headless=true", f"--server.port={self.port}", "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",  # others edit the tree: no "source changed" banners or reruns
            "--server.runOnSave=false",
            "--client.toolbarMode=viewer",  # no "Deploy" button in the screenshots
        ]  # fmt: skip
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path, **self.extra_env}
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        return self

    def wait_healthy(self, timeout: float = SERVER_START_S, poll: float = 0.5) -> None:
        """Waits until ``/_stcore/health`` answers "ok"; raises if the server exits or ``timeout`` passes."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}_stcore/health", timeout=5) as response:
                    if response.read().decode().strip() == "ok":
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(poll)
        raise TimeoutError(f"streamlit did not answer on {self.url} within {timeout:.0f} s:\n{self.output()}")

    def output(self, tail: int = 4000) -> str:
        try:
            return Path(self.log.name).read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


@contextlib.contextmanager
def streamlit_server(app: Path = APP) -> Iterator[Server]:
    server = Server(app).start()
    try:
        yield server
    finally:
        server.stop()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing reaching outside this machine."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


# --- Cold start ------------------------------------------------------------------------------------------

# The baseline: the least a Streamlit page with one Plotly chart can be.
MINIMAL_PAGE = """import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Scatter(y=[1, 3, 2])), theme=None)
"""
FIRST_CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg'  # Plotly has drawn (2-D or 3-D)
COLD_START_TIMEOUT_S = 240


def time_to_first_chart(app: Path, browser: Any, env: dict[str, str] | None = None) -> float:
    """Seconds from launching ``streamlit run app`` to its first Plotly chart drawn in a new browser context."""
    began = time.perf_counter()
    server = Server(app, env=env).start(poll=0.05)
    try:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        try:
            page = context.new_page()
            page.goto(server.url, wait_until="commit", timeout=COLD_START_TIMEOUT_S * 1000)
            page.locator(FIRST_CHART).first.wait_for(state="attached", timeout=COLD_START_TIMEOUT_S * 1000)
            return time.perf_counter() - began
        finally:
            context.close()
    finally:
        server.stop()


def compare_cold_start(repeat: int = 2, *, without_cache: bool = True) -> dict[str, Any]:
    """The page's cold start against the minimal page's, both started the same way, alternating.

    Each start is a new ``streamlit run`` process and a new browser context (one Chromium for all);
    the best of ``repeat`` counts. The page's first run compiles its JAX programs or loads them from
    the persistent compilation cache: with ``without_cache`` one more start runs with the cache off.
    Returns ``cold_start_s``, ``cold_start_minimal_s``, ``cold_start_ratio`` (page ÷ minimal),
    ``cold_start_nocache_s`` and every measurement, or ``{"cold_start_skipped": why}``.
    """
    if not chromium_available():
        return {"cold_start_skipped": f"no Chromium at {CHROMIUM} (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"cold_start_skipped": "playwright is not installed (pip install -r requirements-dev.txt)"}
    times: dict[str, list[float]] = {"app": [], "minimal": []}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lr-landscapes-minimal-") as tmp, sync_playwright() as playwright:
        minimal = Path(tmp) / "minimal_page.py"
        minimal.write_text(MINIMAL_PAGE)
        browser = launch_chromium(playwright)
        try:
            for _ in range(max(1, repeat)):
                for name, page in (("minimal", minimal), ("app", APP)):
                    times[name].append(time_to_first_chart(page, browser))
            if without_cache:
                out["cold_start_nocache_s"] = time_to_first_chart(APP, browser, env={"LR_LANDSCAPES_JAX_CACHE": "off"})
        finally:
            browser.close()
    app_s, minimal_s = min(times["app"]), min(times["minimal"])
    return {
        "cold_start_s": app_s,
        "cold_start_minimal_s": minimal_s,
        "cold_start_ratio": app_s / minimal_s,
        **out,
        "cold_start_runs": times,
    }
