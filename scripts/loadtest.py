"""Load test: many people on the page at once, each in their own browser session, for a bounded time.

    python scripts/loadtest.py --sessions 20 --minutes 5

Starts ``streamlit run app.py`` on a free loopback port, opens ``--sessions`` browser contexts (separate cookies
and Streamlit sessions) in one headless Chromium (Debian's ``/usr/bin/chromium``), and drives them all at
once with a random mix of interactions: change the base LR, change the number of steps, load a preset, open
a shared link. Every session uses LR and step values no other session uses, so after each interaction it can
tell its own state from someone else's: the scene in its URL (``?s=``) and the LR and steps widgets must be
exactly what it set.

It counts as an error: an exception box, an error, warning or toast on the page, a page without its charts,
an interaction that does not finish within ``--timeout`` seconds, a session that sees a value it did not set
(an isolation violation), and the server dying. The server's resident memory (``VmRSS`` in
``/proc/PID/status``) is sampled every ``--sample`` seconds. It prints a summary (``--json`` for a JSON one)
and exits 1 if there was any error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM  # noqa: E402  (after ROOT joins sys.path)
from bench.browser import LAUNCH_ARGS as BROWSER_ARGS  # noqa: E402
from bench.browser import Server as BaseServer  # noqa: E402

LAUNCH_ARGS = [*BROWSER_ARGS, "--disable-dev-shm-usage"]  # twenty sessions' renderers outgrow /dev/shm
VIEWPORT = {"width": 1280, "height": 900}
KINDS = ("lr", "steps", "preset", "link")
MIN_CHARTS = 4  # the Paths tab: 3-D surface, contour, LR, loss
POLL_S = 1.0  # between two looks at a page (each look costs the browser a little)

# One evaluation that tells everything the driver checks about a page.
_PROBE = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const count = (selector) => document.querySelectorAll(selector).length;
  const texts = (selector) => Array.from(document.querySelectorAll(selector)).map((e) => e.innerText.slice(0, 300));
  const value = (label) => {
    const input = document.querySelector(`input[aria-label="${label}"]`);
    return input ? input.value : null;
  };
  return {
    state: app ? app.getAttribute('data-test-script-state') : null,
    running: count('[data-testid="stStatusWidget"]') > 0,
    charts: count('.js-plotly-plot .main-svg'),  // Streamlit's charts and the live 3-D view
    exceptions: texts('[data-testid="stException"]'),
    errors: texts('[data-testid="stAlertContentError"], [data-testid="stAlertContentWarning"]'),
    toasts: texts('[data-testid="stToast"]'),
    disconnected: document.body.innerText.includes('Connection error'),
    lr: value('Base LR η0'),
    steps: value('Steps T'),
    url: window.location.href,
  };
}
"""


@dataclasses.dataclass
class Summary:
    sessions: int
    seconds: float
    interactions: int = 0
    by_kind: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    errors: list[str] = dataclasses.field(default_factory=list)
    isolation_violations: int = 0
    pages_without_charts: int = 0
    timeouts: int = 0
    durations: list[float] = dataclasses.field(default_factory=list)  # interactions after the first page load
    first_loads: list[float] = dataclasses.field(default_factory=list)  # each session's first page, drawn
    rss_mb: list[tuple[float, float]] = dataclasses.field(default_factory=list)  # (seconds since start, MB)
    server_cpu_s: float = 0.0
    server_alive: bool = True

    @property
    def peak_rss_mb(self) -> float:
        return max((mb for _, mb in self.rss_mb), default=0.0)

    def as_dict(self) -> dict[str, Any]:
        durations = sorted(self.durations)
        firsts = sorted(self.first_loads)
        return {
            "sessions": self.sessions,
            "seconds": round(self.seconds, 1),
            "interactions": self.interactions,
            "by_kind": self.by_kind,
            "errors": len(self.errors),
            "isolation_violations": self.isolation_violations,
            "pages_without_charts": self.pages_without_charts,
            "timeouts": self.timeouts,
            "interaction_s_median": round(statistics.median(durations), 2) if durations else None,
            "interaction_s_p90": round(durations[int(0.9 * (len(durations) - 1))], 2) if durations else None,
            "interaction_s_max": round(durations[-1], 2) if durations else None,
            "first_load_s_median": round(statistics.median(firsts), 2) if firsts else None,
            "first_load_s_max": round(firsts[-1], 2) if firsts else None,
            "server_cpu_s": round(self.server_cpu_s, 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "first_rss_mb": round(self.rss_mb[0][1], 1) if self.rss_mb else None,
            "last_rss_mb": round(self.rss_mb[-1][1], 1) if self.rss_mb else None,
            "server_alive": self.server_alive,
            "error_samples": self.errors[:10],
        }

    def text(self) -> str:
        d = self.as_dict()
        lines = [
            f"sessions: {d['sessions']}, ran {d['seconds']} s",
            f"interactions: {d['interactions']} ({', '.join(f'{k} {v}' for k, v in d['by_kind'].items())})",
            f"errors: {d['errors']} (isolation violations {d['isolation_violations']}, pages without charts "
            f"{d['pages_without_charts']}, timeouts {d['timeouts']})",
            f"first page load (drawn): median {d['first_load_s_median']} s, max {d['first_load_s_max']} s",
            f"later interactions: median {d['interaction_s_median']} s, p90 {d['interaction_s_p90']} s, "
            f"max {d['interaction_s_max']} s",
            f"server RSS: first {d['first_rss_mb']} MB, last {d['last_rss_mb']} MB, peak {d['peak_rss_mb']} MB; "
            f"server CPU {d['server_cpu_s']} s",
            f"server alive at the end: {d['server_alive']}",
        ]
        lines += [f"  error: {e}" for e in d["error_samples"]]
        return "\n".join(lines)


# --- the server --------------------------------------------------------------------------------------------


class Server(BaseServer):
    """``bench.browser.Server`` (``streamlit run app.py`` on loopback), with the process's memory and CPU time."""

    def rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class RssSampler(threading.Thread):
    def __init__(self, server: Server, summary: Summary, every: float) -> None:
        super().__init__(daemon=True)
        self.server, self.summary, self.every = server, summary, every
        self.began = time.monotonic()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            mb = self.server.rss_mb()
            if mb is not None:
                self.summary.rss_mb.append((time.monotonic() - self.began, mb))
                self.summary.server_cpu_s = self.server.cpu_seconds()
            self.done.wait(self.every)


def own_values(sessions: int) -> tuple[dict[float, int], dict[int, int]]:
    """Values of one session each: LRs (i + 1)·1e-3 + j·1e-5 and steps 100 + 10·i + j (j = 0 … 9), leaving out
    every value a preset uses, so that a value seen on a page tells whose it is."""
    from engine.scene import Scene
    from presets import PRESETS

    scenes = [Scene.build({}), *(preset.build() for preset in PRESETS.values())]
    taken_lrs, taken_steps = {s.lr for s in scenes}, {s.steps for s in scenes}
    lrs = {float(f"{(i + 1) * 1e-3 + j * 1e-5:.3e}"): i for i in range(sessions) for j in range(10)}
    steps = {100 + 10 * i + j: i for i in range(sessions) for j in range(10)}
    return (
        {lr: i for lr, i in lrs.items() if lr not in taken_lrs},
        {n: i for n, i in steps.items() if n not in taken_steps},
    )


# --- one session -------------------------------------------------------------------------------------------


class Session:
    """One person: a browser context with values of its own (LR and steps no other session uses)."""

    def __init__(self, index: int, browser: Any, base_url: str, summary: Summary, args: argparse.Namespace) -> None:
        from engine.urlstate import scene_to_query
        from presets import DEFAULT_PRESET, PRESETS

        self.index, self.browser, self.base_url, self.summary, self.args = index, browser, base_url, summary, args
        self.rng = random.Random(args.seed * 1000 + index)
        self.presets = {key: PRESETS[key] for key in (args.presets or PRESETS)}
        self.scene_to_query = scene_to_query
        self.expected = PRESETS[DEFAULT_PRESET].build()
        self.uses = 0
        self.page: Any = None
        self.lrs, self.steps = own_values(args.sessions)

    def my_lr(self) -> float:
        return self.rng.choice([lr for lr, owner in self.lrs.items() if owner == self.index])

    def my_steps(self) -> int:
        return self.rng.choice([steps for steps, owner in self.steps.items() if owner == self.index])

    def owner(self, lr: float, steps: int) -> int | None:
        """Which session's values these are (None: nobody's, e.g. a preset's)."""
        owner = self.lrs.get(lr)
        return owner if owner is not None else self.steps.get(steps)

    def error(self, what: str) -> None:
        self.summary.errors.append(f"session {self.index}: {what}")

    async def run(self, deadline: float) -> None:
        context = await self.browser.new_context(viewport=VIEWPORT)
        try:
            self.page = await context.new_page()
            self.page.set_default_timeout(self.args.timeout * 1000)
            kind = "link"  # everyone starts from a link to a scene of their own
            while time.monotonic() < deadline and self.uses < self.args.max_interactions:
                try:
                    ok = await self.interact(kind)
                except Exception as error:  # a failed interaction is counted; the session goes on from a link
                    self.error(f"{kind}: {type(error).__name__}: {str(error).splitlines()[0][:300]}")
                    ok = False
                kind = self.rng.choice(KINDS) if ok else "link"
                await asyncio.sleep(self.rng.uniform(0.5, 2.0))  # a person reads the page
        finally:
            with contextlib.suppress(Exception):
                await context.close()

    async def interact(self, kind: str) -> bool:
        began = time.monotonic()
        self.uses += 1
        self.summary.interactions += 1
        self.summary.by_kind[kind] += 1
        if kind == "lr":
            self.expected = self.expected.replace(lr=self.my_lr())
            await self.type_number("Base LR η0", f"{self.expected.lr:g}")
        elif kind == "steps":
            self.expected = self.expected.replace(steps=self.my_steps())
            await self.type_number("Steps T", str(self.expected.steps))
        elif kind == "preset":
            await self.load_preset(self.rng.choice(list(self.presets)))
        else:
            await self.open_link()
        ok = await self.verify(kind)
        if ok:
            (self.summary.first_loads if self.uses == 1 else self.summary.durations).append(time.monotonic() - began)
        return ok

    async def open_link(self) -> None:
        preset = self.presets[self.rng.choice(list(self.presets))]
        self.expected = preset.build().replace(lr=self.my_lr(), steps=self.my_steps())
        url = f"{self.base_url}?s={self.scene_to_query(self.expected)}"
        await self.page.goto(url, wait_until="domcontentloaded", timeout=self.args.timeout * 1000)

    async def type_number(self, label: str, text: str) -> None:
        box = self.page.get_by_role("spinbutton", name=label, exact=True)
        await box.fill(text)
        await box.press("Enter")

    async def load_preset(self, preset_id: str) -> None:
        preset = self.presets[preset_id]
        combo = self.page.get_by_role("combobox", name="Preset", exact=True)
        # Picking a preset loads it; the box shows "Edited: not a preset" once anything was changed, so picking
        # the preset that was loaded last loads it again.
        await combo.click()
        await combo.fill(preset.name)
        await self.page.get_by_role("option", name=preset.name, exact=True).first.click()
        self.expected = preset.build()

    async def wait_idle(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.args.timeout
        await asyncio.sleep(0.3)
        while True:
            probe = await self.page.evaluate(_PROBE)
            if probe["state"] == "notRunning" and not probe["running"]:
                return probe
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page was still running after {self.args.timeout} s")
            await asyncio.sleep(POLL_S)

    async def verify(self, kind: str) -> bool:
        """Waits until the page shows this session's expected scene, drawn; records what is wrong."""
        from engine.scene import SceneError
        from engine.urlstate import scene_from_query

        deadline = time.monotonic() + self.args.timeout
        want = (self.expected.lr, self.expected.steps)
        last: tuple[Any, ...] = ()
        while True:
            probe = await self.page.evaluate(_PROBE)
            problems = probe["exceptions"] + probe["errors"] + probe["toasts"]
            if problems:
                self.error(f"after {kind}: the page shows {problems[0]!r}")
                return False
            if probe["disconnected"]:
                self.error(f"after {kind}: the page lost its connection")
                return False
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(probe["url"]).query).get("s", [None])[0]
            try:
                shown = scene_from_query(query) if query else None
            except SceneError as error:
                self.error(f"after {kind}: the URL holds a scene that does not open: {error}")
                return False
            idle = probe["state"] == "notRunning" and not probe["running"]
            if shown is not None and idle:
                have = (shown.lr, shown.steps)
                owner = self.owner(*have)
                if have != want and owner is not None and owner != self.index:
                    self.summary.isolation_violations += 1
                    self.error(f"after {kind}: sees session {owner}'s values {have}, its own are {want}")
                    return False
                widgets = (probe["lr"], probe["steps"])
                if have == want and self.widgets_show(widgets, want):
                    if probe["charts"] < MIN_CHARTS:
                        if time.monotonic() > deadline:
                            self.summary.pages_without_charts += 1
                            self.error(f"after {kind}: {probe['charts']} charts drawn, expected {MIN_CHARTS}")
                            return False
                    else:
                        return True
                last = (have, widgets, probe["charts"])
            if time.monotonic() > deadline:
                self.summary.timeouts += 1
                self.error(f"after {kind}: not showing {want} within {self.args.timeout} s (last seen {last})")
                return False
            await asyncio.sleep(POLL_S)

    @staticmethod
    def widgets_show(widgets: tuple[str | None, str | None], want: tuple[float, int]) -> bool:
        lr_text, steps_text = widgets
        try:
            return math.isclose(float(lr_text or "nan"), want[0], rel_tol=1e-3) and int(steps_text or -1) == want[1]
        except ValueError:
            return False


# --- the whole run -----------------------------------------------------------------------------------------


async def _drive(base_url: str, summary: Summary, args: argparse.Namespace, server: Server) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            deadline = time.monotonic() + args.minutes * 60
            sessions = [Session(i, browser, base_url, summary, args) for i in range(args.sessions)]
            tasks = []
            for session in sessions:  # people arrive over a few seconds, not in the same millisecond
                tasks.append(asyncio.create_task(session.run(deadline)))
                await asyncio.sleep(args.ramp / max(1, args.sessions))
            await asyncio.gather(*tasks)
        finally:
            await browser.close()
    summary.server_alive = server.alive()
    if not summary.server_alive:
        summary.errors.append(f"the server died: {server.output()[-500:]}")


def run_load(
    sessions: int = 20,
    minutes: float = 5.0,
    *,
    timeout: float = 600.0,
    max_interactions: int = 1000,
    sample: float = 2.0,
    ramp: float = 10.0,
    seed: int = 0,
    presets: list[str] | None = None,
    app: Path = ROOT / "app.py",
) -> Summary:
    """Runs the load test and returns its summary (the server is always stopped).

    ``presets`` limits the presets the sessions load and link to (default: all of them)."""
    args = argparse.Namespace(
        sessions=sessions,
        minutes=minutes,
        timeout=timeout,
        max_interactions=max_interactions,
        seed=seed,
        ramp=ramp,
        presets=presets,
    )
    summary = Summary(sessions=sessions, seconds=0.0)
    server = Server(app).launch()
    sampler = RssSampler(server, summary, sample)
    began = time.monotonic()
    try:
        sampler.start()
        server.wait_healthy(timeout=180)
        asyncio.run(_drive(server.url, summary, args, server))
    finally:
        summary.seconds = time.monotonic() - began
        sampler.done.set()
        sampler.join(timeout=10)
        server.stop()
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions (default 20)")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long they interact (default 5)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one interaction may take (600)")
    parser.add_argument("--max-interactions", type=int, default=1000, help="per session (default 1000)")
    parser.add_argument("--sample", type=float, default=2.0, help="seconds between RSS samples (default 2)")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which sessions arrive (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random interaction mix")
    parser.add_argument("--presets", metavar="ID,...", help="the presets sessions use (default: all)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 100:
        parser.error("--sessions must be in [1, 100]")
    if not 0 < args.minutes <= 60:
        parser.error("--minutes must be in (0, 60]")
    summary = run_load(
        args.sessions,
        args.minutes,
        timeout=args.timeout,
        max_interactions=args.max_interactions,
        sample=args.sample,
        ramp=args.ramp,
        seed=args.seed,
        presets=args.presets.split(",") if args.presets else None,
    )
    print(json.dumps(summary.as_dict(), indent=2) if args.json else summary.text())
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
