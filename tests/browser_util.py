"""Helpers for driving the page in a real browser (the server and Chromium come from ``bench.browser``).

Used by ``tests/test_browser.py``; run as a module to refresh the screenshots in ``docs/``::

    python -m tests.browser_util screenshots          # docs/screenshot.png and docs/guide-*.png
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from bench.browser import (  # noqa: F401  (the tests reach these through this module)
    APP,
    CHROMIUM,
    LAUNCH_ARGS,
    ROOT,
    Server,
    chromium_available,
    free_port,
    launch_chromium,
    streamlit_server,
)

DOCS = ROOT / "docs"
VIEWPORT = {"width": 1600, "height": 1000}
SERVER_START_S = 120  # until /_stcore/health answers "ok"
FIRST_CHART_MS = 240_000  # the first run compiles the JAX programs; a loaded 2-core machine is slow
RUN_MS = 240_000  # one script run after an interaction (checking the paper's claims takes a minute or more)

# Counts the script runs the page goes through (stApp's data-test-script-state turning "running"),
# so that a test can wait for the run its own interaction caused, not just for an idle moment.
_RUN_COUNTER = """
() => {
  if (window.__lrRuns !== undefined) return window.__lrRuns;
  window.__lrRuns = 0;
  window.__lrBusy = false;
  const app = document.querySelector('[data-testid="stApp"]');
  const busy = (state) => state === 'running' || state === 'rerunRequested';
  const visit = (state) => {
    if (busy(state) && !window.__lrBusy) window.__lrRuns += 1;
    window.__lrBusy = busy(state);
  };
  visit(app.getAttribute('data-test-script-state'));
  // Each record's oldValue is the state before it; together with the current one they replay every state,
  // so a run that starts and ends between two callbacks is still counted.
  new MutationObserver((records) => {
    const states = records.slice(1).map((r) => r.oldValue);
    states.push(app.getAttribute('data-test-script-state'));
    states.forEach(visit);
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  return window.__lrRuns;
}
"""
_IDLE = """
(after) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  return after === null || window.__lrRuns > after;
}
"""


def new_page(browser: Any, **options: Any) -> Any:
    """A page in a fresh context (its own cookies, session and downloads) at 1600×1000."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **options)
    return context.new_page()


def open_app(page: Any, url: str, timeout_ms: int = FIRST_CHART_MS) -> None:
    """Goes to ``url`` and waits until the first run has drawn its charts and finished."""
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(state="attached", timeout=timeout_ms)
    page.evaluate(_RUN_COUNTER)
    wait_idle(page, timeout_ms=timeout_ms)


def runs(page: Any) -> int:
    """How many script runs the page has seen (call before an interaction, pass to ``wait_idle``)."""
    return page.evaluate(_RUN_COUNTER)


def wait_idle(page: Any, after: int | None = None, timeout_ms: int = RUN_MS) -> None:
    """Waits until no script runs and no status widget shows (and, with ``after``, a new run came and went)."""
    page.wait_for_function(_IDLE, arg=after, timeout=timeout_ms, polling=200)
    page.wait_for_timeout(300)  # let the charts' last redraw land
    page.wait_for_function(_IDLE, arg=None, timeout=timeout_ms, polling=200)


def exceptions(page: Any) -> list[str]:
    """The text of every exception box on the page."""
    return page.locator('[data-testid="stException"]').all_inner_texts()


def select_option(page: Any, label: str, option: str, exact: bool = True) -> bool:
    """Picks ``option`` in the selectbox labelled ``label``: types it to filter the list, then clicks it.

    Returns False, doing nothing, when ``option`` is already the selected one (then no script run follows).
    """
    combo = page.get_by_role("combobox", name=label, exact=True)
    if combo.input_value() == option:
        return False
    combo.click()
    combo.fill("")
    combo.fill(option)
    page.get_by_role("option", name=option, exact=exact).first.click()
    return True


def tab(page: Any, name: str) -> Any:
    return page.get_by_role("tab", name=name, exact=True)


def open_tab(page: Any, name: str) -> Any:
    """Clicks a tab, waits for the run that draws it (only the open tab's content runs), returns its panel."""
    button = tab(page, name)
    if button.get_attribute("aria-selected") != "true":
        # From idle: a click during a run is folded into that run and starts no run of its own to wait for.
        wait_idle(page)
        before = runs(page)
        button.click()
        wait_idle(page, after=before)
    panel = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible').first
    panel.wait_for(state="visible")
    return panel


# --- screenshots -------------------------------------------------------------------------------------


def _shoot(page: Any, path: Path) -> Path:
    page.mouse.move(VIEWPORT["width"] - 5, VIEWPORT["height"] - 5)  # no hover effects or chart toolbars
    page.wait_for_timeout(1500)  # Plotly's resize of a just-shown tab, and the WebGL surface
    page.screenshot(path=str(path), full_page=False)
    print(f"wrote {path}")
    return path


def _act(page: Any, action: Any) -> None:
    """Does ``action`` and waits for the run it causes (none where it returns False: nothing changed)."""
    before = runs(page)
    if action() is not False:
        wait_idle(page, after=before)


def _scroll_main_to(page: Any, selector: str) -> None:
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'start'})")


def _scroll_sidebar_to(page: Any, text: str) -> None:
    """Scrolls only the sidebar, so that the heading ``text`` is at its top."""
    page.locator('[data-testid="stSidebar"]').get_by_text(text, exact=True).first.evaluate(
        """e => { const box = e.closest('[data-testid="stSidebarContent"]');
                 box.scrollTop += e.getBoundingClientRect().top - box.getBoundingClientRect().top - 12; }"""
    )


def _load_preset(page: Any, name: str) -> None:
    _act(page, lambda: select_option(page, "Preset", name))  # picking a preset loads it


SCREENSHOT_PRESET = "Fig. 3 — Saddle x² − y², momentum 0.9, five schedules"
SWEEP_PRESET = "Fig. 6(b) — Peaks, momentum 0.9"  # several minima: the basins tell something
# Analysis tabs shown with a sweep: tab -> (toggle, (number input, value) or None, chart key, file)
SWEEP_SHOTS = {
    "LR search": ("Run the search", ("Candidates", "50"), "chart_search", "guide-lr-search.png"),
    "Basins": ("Compute the basins", None, "chart_basins", "guide-basins.png"),
    "Hyperparameters": ("Compute the map", None, "chart_hparams", "guide-hparams.png"),
}


def take_screenshots(url: str, browser: Any, out: Path = DOCS) -> list[Path]:
    """The page at 1600×1000: the default view, the sidebar, every tab, and two paper presets."""
    out.mkdir(parents=True, exist_ok=True)
    page = new_page(browser)
    open_app(page, url)
    shots = [_shoot(page, out / "screenshot.png")]

    _scroll_main_to(page, ".st-key-chart_lr")
    shots.append(_shoot(page, out / "guide-paths-lower.png"))
    _scroll_main_to(page, '[data-testid="stApp"] h1')

    sidebar = page.locator('[data-testid="stSidebar"]')
    for expander in ("SGD settings", "Step decay settings"):
        sidebar.locator('[data-testid="stExpander"] summary').filter(has_text=expander).first.click()
    _scroll_sidebar_to(page, "Optimizers")
    shots.append(_shoot(page, out / "guide-sidebar.png"))
    _scroll_sidebar_to(page, "Run")
    shots.append(_shoot(page, out / "guide-sidebar-run.png"))
    _scroll_sidebar_to(page, "Experiment")

    for name, file in (
        ("Playback", "guide-playback.png"),
        ("Inside the optimizer", "guide-inside.png"),
        ("Export & share", "guide-export.png"),
    ):
        open_tab(page, name)
        shots.append(_shoot(page, out / file))
    _scroll_main_to(page, '[data-testid="stCode"]')
    shots.append(_shoot(page, out / "guide-export-share.png"))

    open_tab(page, "Paths")
    _scroll_main_to(page, '[data-testid="stApp"] h1')
    _load_preset(page, SCREENSHOT_PRESET)
    shots.append(_shoot(page, out / "guide-preset-saddle.png"))

    tabs = page.get_by_role("tab").all_inner_texts()
    if any(name in tabs for name in SWEEP_SHOTS):
        _load_preset(page, SWEEP_PRESET)
    for name, (toggle, size, chart, file) in SWEEP_SHOTS.items():
        if name not in tabs:
            continue
        panel = open_tab(page, name)
        if size is not None:
            field = panel.get_by_role("spinbutton", name=size[0], exact=True)
            _act(page, lambda field=field, value=size[1]: (field.fill(value), field.press("Enter")))
        _act(page, lambda panel=panel, toggle=toggle: panel.get_by_text(toggle, exact=True).click())
        page.locator(f".st-key-{chart} .js-plotly-plot").wait_for(state="visible")
        _scroll_main_to(page, '[data-testid="stTabs"]')
        shots.append(_shoot(page, out / file))
    if "Paper claims" in tabs:  # about a minute of work the first time
        panel = open_tab(page, "Paper claims")
        _act(page, lambda: panel.get_by_text(re.compile(r"^Check the claims")).click())
        panel.locator("table").first.wait_for(state="visible")  # the claims as a markdown table
        _scroll_main_to(page, '[data-testid="stTabs"]')
        shots.append(_shoot(page, out / "guide-claims.png"))
    page.context.close()
    return shots


def main(argv: list[str]) -> int:
    if argv[:1] != ["screenshots"]:
        print("usage: python -m tests.browser_util screenshots [OUT_DIR]", file=sys.stderr)
        return 2
    if not chromium_available():
        print(f"no Chromium at {CHROMIUM}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    out = Path(argv[1]) if len(argv) > 1 else DOCS
    with streamlit_server() as server, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            take_screenshots(server.url, browser, out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
