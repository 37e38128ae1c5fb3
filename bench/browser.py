"""A real browser against a real server: Debian's Chromium, ``streamlit run`` on loopback, and the page's feel.

Shared by the browser tests (``tests/browser_util.py``), the load test (``scripts/loadtest.py``) and
the benchmark, which times the page beside a bare page drawing the same charts, started the same way in
the same run (``compare_page_feel``): the cold start, an edit, a first visit.

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
APP = ROOT / "app.py"  # the page's script
SERVED = ROOT / "serve.py"  # how the page is started (scripts/app.sh): the same script, the engine warmed up
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
    """``streamlit run serve.py`` (the page as scripts/app.sh starts it; any script given) on loopback, headless,
    with its output in a log file."""

    def __init__(self, app: Path = SERVED, port: int | None = None, env: dict[str, str] | None = None) -> None:
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
def streamlit_server(app: Path = SERVED) -> Iterator[Server]:
    server = Server(app).start()
    try:
        yield server
    finally:
        server.stop()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing reaching outside this machine."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


# --- What a person waits for: the page against a bare page that draws the same charts ---------------------

# The baseline: a bare Streamlit page with one number input in the sidebar that draws the same kinds of
# charts as the page's Paths tab for its default scene (Fig. 5): a 120×120 3-D surface with five 3-D paths,
# a contour with five paths, and two five-line charts (the LR and the loss), recomputed on every edit.
BARE_PAGE = """import numpy as np
import plotly.graph_objects as go
import streamlit as st

lr = st.sidebar.number_input("Base LR", min_value=1e-6, max_value=10.0, value=0.001, format="%.4g", key="lr")
steps = 500
xs, ys = np.linspace(-2.0, 2.0, 120), np.linspace(-1.0, 3.0, 120)
X, Y = np.meshgrid(xs, ys)
Z = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
k = np.arange(steps)
tables = [np.full(steps, lr), lr * 0.95 ** (k // 5), lr * 0.5 * (1 + np.cos(np.pi * k / steps)),
          lr * 0.5 * (1 + np.cos(np.pi * (k % 100) / 100)), lr * np.minimum(1, (k + 1) / 50)]
paths, losses = [], []
for table in tables:
    point = np.array([-2.0, 2.5])
    path = [point]
    for eta in table:
        x, y = point
        g = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
        point = point - eta * 300 * g / max(1.0, float(np.linalg.norm(g)))
        path.append(point)
    path = np.array(path)
    paths.append(path)
    losses.append((1 - path[:, 0]) ** 2 + 100 * (path[:, 1] - path[:, 0] ** 2) ** 2)
colors = ["#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A"]
surface = go.Figure([go.Surface(x=xs, y=ys, z=Z, showscale=False)] + [
    go.Scatter3d(x=p[:, 0], y=p[:, 1], z=f, mode="lines", line=dict(color=c, width=5))
    for p, f, c in zip(paths, losses, colors)])
surface.update_layout(height=600, margin=dict(l=0, r=0, t=30, b=0))
contour = go.Figure([go.Contour(x=xs, y=ys, z=np.log10(Z + 1e-3))] + [
    go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines", line=dict(color=c)) for p, c in zip(paths, colors)])
contour.update_layout(height=560)
lrs = go.Figure([go.Scatter(y=t, mode="lines", line=dict(color=c)) for t, c in zip(tables, colors)])
loss = go.Figure([go.Scatter(y=f, mode="lines", line=dict(color=c)) for f, c in zip(losses, colors)])
loss.update_yaxes(type="log")
left, right = st.columns([11, 9])
left.plotly_chart(surface, theme=None)
right.plotly_chart(contour, theme=None)
a, b = st.columns(2)
a.plotly_chart(lrs, theme=None)
b.plotly_chart(loss, theme=None)
"""
# What the page costs without its sidebar: a copy of app.py whose ``main`` reads the widget values from Session
# State (where presets and links put them) and draws only the base-LR box in the sidebar, everything else as
# the page does. Not a page to ship (nothing else can be edited); it bounds what a lighter sidebar could gain.
_SIDEBAR_CALL = "    main_area(*sidebar())\n"
_WITHOUT_SIDEBAR = """    values = {key: st.session_state.get(key) for key in st.session_state}
    values["perturbations"] = values.get("perturbations") or [[0.0, 0.0]]
    st.sidebar.number_input("Base LR η0", key="lr", format=NUMBER_FORMAT)
    main_area(values, collections.defaultdict(st.empty))
"""


def page_without_sidebar(directory: Path) -> Path:
    """Writes the page without its sidebar (see ``_WITHOUT_SIDEBAR``) into ``directory``; returns its path."""
    source = APP.read_text()
    if source.count(_SIDEBAR_CALL) != 1:
        call = _SIDEBAR_CALL.strip()
        raise RuntimeError(f"{APP.name} no longer draws its sidebar with {call!r}: update _WITHOUT_SIDEBAR")
    future = "from __future__ import annotations\n"  # a copy in another folder imports the page's modules from here
    head, _, body = source.partition(future) if future in source else ("", "", source)
    prologue = f"{future}import collections, sys\nsys.path.insert(0, {str(ROOT)!r})\n"
    path = directory / "page_without_sidebar.py"
    path.write_text(head + prologue + body.replace(_SIDEBAR_CALL, _WITHOUT_SIDEBAR))
    return path


BARE_LR_LABEL, PAGE_LR_LABEL = "Base LR", "Base LR η0"
CHARTS = 4  # the 3-D view, the contour, the LR and the loss
DRAWN = ".js-plotly-plot .main-svg"  # a Plotly chart that has drawn (2-D or 3-D)
PAGE_TIMEOUT_S = 240
QUIET_MS = 1500  # the page counts as settled after this long without a change on screen
# Records the time of the last change on screen: any DOM mutation, and every chart's redraw (a 3-D chart
# redraws its WebGL canvas without touching the DOM); and when the page's first script run ended.
_WATCH = """() => {
  window.__lrLastChange = performance.now();
  const mark = () => {
    window.__lrLastChange = performance.now();
    const state = document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state');
    if (state === 'running') window.__lrRan = true;
    else if (state === 'notRunning' && window.__lrRan && window.__lrScriptDone === undefined) {
      window.__lrScriptDone = window.__lrLastChange;
    }
  };
  new MutationObserver(mark).observe(document.documentElement,
      {subtree: true, childList: true, attributes: true, characterData: true});
  setInterval(() => document.querySelectorAll('.js-plotly-plot').forEach((plot) => {
    if (!plot.__lrWatched && plot.on) { plot.__lrWatched = true; plot.on('plotly_afterplot', mark); }
  }), 50);
}"""
_SETTLED = """(quiet) => !document.querySelector('[data-testid="stStatusWidget"]')
    && performance.now() - window.__lrLastChange > quiet"""
_ALL_DRAWN = """(count) => document.querySelectorAll('.js-plotly-plot .main-svg').length >= count
    && document.querySelectorAll('.js-plotly-plot .gl-container canvas').length >= 1"""


def _watched_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.add_init_script(f"window.addEventListener('DOMContentLoaded', () => ({_WATCH})())")
    return context, page


def _open_until_drawn(page: Any, url: str) -> None:
    page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_S * 1000)
    page.wait_for_function(_ALL_DRAWN, arg=CHARTS, timeout=PAGE_TIMEOUT_S * 1000, polling=50)


def _settle(page: Any) -> float:
    """Waits until nothing changed on screen for ``QUIET_MS``; returns the page clock of the last change."""
    page.wait_for_timeout(300)  # the status widget may take a moment to appear
    page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=PAGE_TIMEOUT_S * 1000, polling=100)
    return float(page.evaluate("window.__lrLastChange"))


def edit_lr(page: Any, label: str, value: float) -> float:
    """Types ``value`` into the sidebar's base-LR box, presses Enter, and returns the seconds from the key
    press until the page stopped changing (the last change on screen, not the end of the quiet wait)."""
    box = page.locator(f'[data-testid="stSidebar"] input[aria-label="{label}"]')
    box.fill(f"{value:g}")
    pressed = float(page.evaluate("performance.now()"))
    box.press("Enter")
    return (_settle(page) - pressed) / 1000


def feel_once(app: Path, browser: Any, label: str, edits: tuple[float, ...], env: dict[str, str] | None = None):
    """One cold start of ``app`` and what follows: seconds from ``streamlit run`` to all four charts drawn
    and to the end of the first script run (the server's share: what a browser on a faster machine would
    wait for), each edit's seconds until the page settles, and a first visit (a new browser context) on the
    now warm server until all four charts are drawn."""
    began = time.perf_counter()
    server = Server(app, env=env).start(poll=0.05)
    try:
        context, page = _watched_page(browser)
        try:
            _open_until_drawn(page, server.url)
            cold = time.perf_counter() - began
            drawn_at = float(page.evaluate("performance.now()"))
            page.wait_for_function("() => window.__lrScriptDone !== undefined", timeout=PAGE_TIMEOUT_S * 1000)
            cold_script = cold - (drawn_at - float(page.evaluate("window.__lrScriptDone"))) / 1000
            _settle(page)
            edit_times = [edit_lr(page, label, value) for value in edits]
        finally:
            context.close()
        context, page = _watched_page(browser)
        try:
            began = time.perf_counter()
            _open_until_drawn(page, server.url)
            visit = time.perf_counter() - began
        finally:
            context.close()
        return cold, cold_script, edit_times, visit
    finally:
        server.stop()


def compare_page_feel(repeat: int = 2, *, without_cache: bool = True, without_sidebar: bool = True) -> dict[str, Any]:
    """The page against the bare page that draws the same charts (``BARE_PAGE``), measured the same way.

    Each round starts each page cold with its own ``streamlit run`` and a new browser context (one
    Chromium for all), alternating; the best of ``repeat`` rounds counts. Measured: the cold start to all
    four charts drawn; typing a new base LR and pressing Enter, until the page stops changing (two edits
    per start); and a first visit to the warm server. With ``without_cache`` one more cold start of the
    page runs with the persistent compilation cache off. With ``without_sidebar`` the page without its sidebar
    (``page_without_sidebar``) takes its turn in every round too: what the rest of the page costs. Returns the
    seconds, the ratios (page ÷ bare) and every measurement, or ``{"page_feel_skipped": why}``.
    """
    if not chromium_available():
        return {"page_feel_skipped": f"no Chromium at {CHROMIUM} (apt-get install chromium)"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"page_feel_skipped": "playwright is not installed (pip install -r requirements-dev.txt)"}
    names = ("page", "bare", "no_sidebar") if without_sidebar else ("page", "bare")
    runs: dict[str, dict[str, list[float]]] = {
        name: {"cold": [], "script": [], "edit": [], "visit": []} for name in names
    }
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lr-landscapes-bare-") as tmp, sync_playwright() as playwright:
        bare = Path(tmp) / "bare_page.py"
        bare.write_text(BARE_PAGE)
        pages = [("bare", bare, BARE_LR_LABEL, (0.002, 0.003)), ("page", SERVED, PAGE_LR_LABEL, (0.5, 0.3))]
        if without_sidebar:
            pages.append(("no_sidebar", page_without_sidebar(Path(tmp)), PAGE_LR_LABEL, (0.5, 0.3)))
        browser = launch_chromium(playwright)
        try:
            for _ in range(max(1, repeat)):
                for name, app, label, edits in pages:
                    cold, cold_script, edit_times, visit = feel_once(app, browser, label, edits)
                    runs[name]["cold"].append(cold)
                    runs[name]["script"].append(cold_script)
                    runs[name]["edit"].extend(edit_times)
                    runs[name]["visit"].append(visit)
            if without_cache:
                off = {"LR_LANDSCAPES_JAX_CACHE": "off"}
                out["cold_start_nocache_s"] = feel_once(SERVED, browser, PAGE_LR_LABEL, (), env=off)[0]
        finally:
            browser.close()
    best = {name: {what: min(values) for what, values in measured.items()} for name, measured in runs.items()}
    return {
        "cold_start_s": best["page"]["cold"],
        "cold_start_bare_s": best["bare"]["cold"],
        "cold_start_ratio": best["page"]["cold"] / best["bare"]["cold"],
        "cold_start_script_s": best["page"]["script"],
        "cold_start_script_bare_s": best["bare"]["script"],
        "edit_s": best["page"]["edit"],
        "edit_bare_s": best["bare"]["edit"],
        "edit_ratio": best["page"]["edit"] / best["bare"]["edit"],
        "first_visit_s": best["page"]["visit"],
        "first_visit_bare_s": best["bare"]["visit"],
        "first_visit_ratio": best["page"]["visit"] / best["bare"]["visit"],
        **(
            {
                "cold_start_no_sidebar_s": best["no_sidebar"]["cold"],
                "first_visit_no_sidebar_s": best["no_sidebar"]["visit"],
                "first_visit_no_sidebar_ratio": best["no_sidebar"]["visit"] / best["bare"]["visit"],
            }
            if without_sidebar
            else {}
        ),
        **out,
        "page_feel_runs": runs,
    }
