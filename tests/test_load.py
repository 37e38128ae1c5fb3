"""Many people at once: concurrent browser sessions against one server (``scripts/loadtest.py``).

The default run drives 3 sessions for 30 s (plus their first page loads); ``pytest -m slow tests/test_load.py``
drives 20 for 5 minutes, arriving over 2 minutes, and allows an interaction 15 minutes: on a 2-core machine the
browsers, not the server, are the bottleneck (a page's seven Plotly charts take Chromium's software renderer
10–20 s; 20 pages at once take minutes). Either way: no exception, error, warning or toast on any page, every
page draws its charts, no session ever sees another session's LR or steps (each uses values of its own), the
server is still up at the end and its memory stays bounded.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LR_LANDSCAPES_CHROMIUM", "/usr/bin/chromium")
SHORT_RSS_MB = 3_000  # a generous bound: the server with JAX and a few compiled programs takes 0.5–1 GB
LONG_RSS_MB = 6_000
SHORT_PRESETS = ["fig5-rosenbrock", "fig3-saddle"]  # few optimizer kinds: little to compile in a short run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)), reason="needs chromium"),
]


def _loadtest():
    pytest.importorskip("playwright.async_api")
    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _check(summary, sessions: int, rss_mb: float) -> None:
    report = summary.text()
    print("\n" + report)
    assert summary.server_alive, report
    assert not summary.errors, report
    assert summary.isolation_violations == 0 and summary.pages_without_charts == 0, report
    assert summary.interactions >= sessions, report  # every session at least opened its own link and checked it
    assert summary.rss_mb, "the server's memory was sampled"
    assert summary.peak_rss_mb < rss_mb, report


def test_a_few_sessions_at_once_stay_apart_and_error_free():
    loadtest = _loadtest()
    summary = loadtest.run_load(sessions=3, minutes=0.5, timeout=300, ramp=3, seed=1, presets=SHORT_PRESETS)
    _check(summary, 3, SHORT_RSS_MB)


@pytest.mark.slow
def test_twenty_sessions_for_five_minutes():
    loadtest = _loadtest()
    summary = loadtest.run_load(sessions=20, minutes=5, timeout=900, ramp=120, seed=2)
    _check(summary, 20, LONG_RSS_MB)
    assert summary.interactions > 20, summary.text()  # more than each session's first page


def test_every_session_has_values_of_its_own():
    """What the isolation check relies on: an LR or step count seen on a page tells which session set it."""
    loadtest = _loadtest()
    lrs, steps = loadtest.own_values(20)
    for owned in (lrs, steps):
        for session in range(20):
            assert sum(1 for owner in owned.values() if owner == session) >= 5
    from engine.scene import Scene
    from presets import PRESETS

    for scene in [Scene.build({}), *(p.build() for p in PRESETS.values())]:
        assert scene.lr not in lrs and scene.steps not in steps
    assert all(float(f"{lr:.3e}") == lr for lr in lrs), "the LR widget shows 4 significant digits"
