"""The page in a real browser: Playwright drives Debian's Chromium against ``streamlit run`` on loopback.

One server and one browser for the module; the tests share one page and run in order (each leaves the page
idle and without an exception). What they check is what a person sees: the charts drawn in the DOM, the URL
following every edit, every paper preset loading, every download opening, and a copied link reopening the
same experiment in a fresh browser.
"""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import presets
import schedules
from engine.scene import Scene
from engine.simulate import STATUS_NAMES
from engine.urlstate import scene_from_query, scene_to_query
from tests import browser_util as bu
from ui.labels import grouped_choices

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

if not bu.chromium_available():
    pytest.skip(f"needs Debian's Chromium at {bu.CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")

CSV_HEADER = "run,optimizer,schedule,start_x,start_y,step,x,y,loss,lr,status,grad_evals"
PAPER_PRESETS = [key for key, preset in presets.PRESETS.items() if preset.name.startswith("Fig.")]
DOWNLOAD_MS = 180_000  # kaleido starts its own Chromium for the first image


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[bu.Server]:
    with bu.streamlit_server() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = bu.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page(server, browser) -> Iterator[Any]:
    tab = bu.new_page(browser)
    try:
        bu.open_app(tab, server.url)
    except Exception as error:
        log = server.output()
        raise AssertionError(f"the page did not finish its first run: {error}\n--- server log ---\n{log}") from error
    yield tab
    tab.context.close()


@pytest.fixture(autouse=True)
def _no_exception_after(request):
    """Every test ends with the page idle and no exception box on it."""
    yield
    if "page" in request.fixturenames:
        tab = request.getfixturevalue("page")
        bu.wait_idle(tab)
        assert bu.exceptions(tab) == []


# --- helpers -----------------------------------------------------------------------------------------


def url_scene(url: str) -> Scene:
    values = parse_qs(urlsplit(url).query).get("s")
    assert values, f"no scene in {url!r}"
    return scene_from_query(values[0])


def traces(page: Any, key: str) -> list[str]:
    """The drawn paths of a 2-D chart's line traces (changes whenever the chart redraws other data)."""
    return page.locator(f".st-key-{key} .scatterlayer .trace path.js-line").evaluate_all(
        "paths => paths.map(p => p.getAttribute('d'))"
    )


def y_ticks(page: Any, key: str) -> list[str]:
    return page.locator(f".st-key-{key} .ytick text").all_text_contents()


def info_text(page: Any) -> str:
    box = page.locator('[data-testid="stAlertContentInfo"]')
    return box.first.inner_text() if box.count() else ""


def wait_for_info(page: Any, prefix: str) -> None:
    """Waits until the page is idle and its info box starts with ``prefix``."""
    page.wait_for_function(
        """(prefix) => {
          const app = document.querySelector('[data-testid="stApp"]');
          const info = document.querySelector('[data-testid="stAlertContentInfo"]');
          return app.getAttribute('data-test-script-state') === 'notRunning'
            && !document.querySelector('[data-testid="stStatusWidget"]')
            && info !== null && info.innerText.startsWith(prefix);
        }""",
        arg=prefix,
        timeout=bu.RUN_MS,
        polling=200,
    )
    bu.wait_idle(page)


def lr_input(page: Any) -> Any:
    return page.get_by_role("spinbutton", name="Base LR η0", exact=True)


def act(page: Any, action: Any) -> None:
    """Does ``action`` and waits for the script run it causes to finish (none if it returns False)."""
    before = bu.runs(page)
    if action() is not False:
        bu.wait_idle(page, after=before)
    assert bu.exceptions(page) == []


def press_home(page: Any, slider: Any, tries: int = 3) -> None:
    """Moves ``slider`` to its first stop with the keyboard and waits for the run that causes. On a loaded
    machine the key can land before the slider has focus, and no run follows: then it is pressed again."""
    for attempt in range(tries):
        before = bu.runs(page)
        slider.focus()
        slider.press("Home")
        try:
            bu.wait_idle(page, after=before, timeout_ms=30_000)
            break
        except sync_api.TimeoutError:
            if bu.runs(page) > before:  # the run came and is slow: wait for it as long as for any other
                bu.wait_idle(page)
                break
            if attempt == tries - 1:
                raise
    assert bu.exceptions(page) == []


def select(page: Any, label: str, option: str) -> None:
    act(page, lambda: bu.select_option(page, label, option))


def download(page: Any, button: str, tmp_path: Path) -> Path:
    with page.expect_download(timeout=DOWNLOAD_MS) as info:
        page.get_by_role("button", name=button, exact=True).click()
    item = info.value
    assert item.failure() is None, item.failure()
    target = tmp_path / item.suggested_filename
    item.save_as(target)
    return target


# --- tests -------------------------------------------------------------------------------------------


def test_default_page_draws_every_chart(page):
    scene = url_scene(page.url)
    assert scene == presets.PRESETS[presets.DEFAULT_PRESET].build()
    runs = scene.num_trajectories
    panel = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible').first
    assert panel.locator(".js-plotly-plot").count() >= 4
    for key in ("chart_3d", "chart_contour", "chart_lr", "chart_loss"):
        chart = page.locator(f".st-key-{key} .js-plotly-plot")
        assert chart.count() == 1, key
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 250, (key, box)
    assert page.locator(".st-key-chart_3d .gl-container canvas").count() >= 1  # WebGL surface
    assert page.locator(".st-key-chart_contour .contourlayer path").count() > 0
    assert len(traces(page, "chart_lr")) == runs
    assert len(traces(page, "chart_loss")) >= runs
    legend = page.locator(".st-key-chart_lr .legendtext").all_text_contents()
    assert len(legend) == runs and all(legend)
    table = page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("canvas, table"))
    assert table.count() >= 1
    assert presets.PRESETS[presets.DEFAULT_PRESET].caption[:40] in info_text(page)
    assert page.get_by_role("tab").all_inner_texts()[:4] == ["Paths", "Playback", "Inside the optimizer",
                                                             "Export & share"]  # fmt: skip


def test_schedule_and_lr_edits_update_the_url_and_redraw(page):
    before = url_scene(page.url)
    lr_lines = traces(page, "chart_lr")
    current = before.schedules[1].id
    new_id = "exponential_decay" if current != "exponential_decay" else "cosine_lr"
    _, labels = grouped_choices(schedules.SCHEDULES, schedules.FAMILIES)  # the picker's labels carry the family
    select(page, "Schedule 2", labels[new_id])
    changed = url_scene(page.url)
    assert changed != before
    assert changed.schedules[1].id == new_id
    assert [s.id for s in changed.schedules[:1] + changed.schedules[2:]] == [
        s.id for s in before.schedules[:1] + before.schedules[2:]
    ]
    assert traces(page, "chart_lr") != lr_lines
    assert len(traces(page, "chart_lr")) == changed.num_trajectories

    lr_ticks, contour = y_ticks(page, "chart_lr"), traces(page, "chart_contour")
    new_lr = 0.05 if abs(changed.lr - 0.05) > 1e-12 else 0.02
    field = lr_input(page)

    def type_lr() -> None:
        field.fill(str(new_lr))
        field.press("Enter")

    act(page, type_lr)
    edited = url_scene(page.url)
    assert edited.lr == pytest.approx(new_lr)
    assert edited.replace(lr=changed.lr) == changed
    assert float(field.input_value()) == pytest.approx(new_lr)
    assert field.input_value() == f"{new_lr:g}"  # as typed: 0.05, not 5.000e-2
    assert y_ticks(page, "chart_lr") != lr_ticks  # the same shapes, scaled: the axis says so
    assert traces(page, "chart_contour") != contour
    assert page.locator(".st-key-chart_3d .gl-container canvas").count() >= 1


def test_the_3d_view_is_updated_in_place_and_keeps_its_camera(page):
    """An edit updates the 3-D chart (Plotly.react) instead of drawing a new one: the same plot element, the
    WebGL context kept, and the camera a person turned left where they put it."""
    plot = page.locator(".st-key-chart_3d .js-plotly-plot")
    plot.evaluate("p => { p.__keep = 'same element'; }")
    eye = {"x": 0.3, "y": -2.1, "z": 0.9}
    act(page, lambda: plot.evaluate("(p, eye) => window.Plotly.relayout(p, {'scene.camera.eye': eye})", eye))
    new_lr = 0.07 if abs(url_scene(page.url).lr - 0.07) > 1e-12 else 0.06
    field = lr_input(page)

    def type_lr() -> None:
        field.fill(str(new_lr))
        field.press("Enter")

    act(page, type_lr)
    assert url_scene(page.url).lr == pytest.approx(new_lr)
    assert plot.evaluate("p => p.__keep") == "same element"
    shown = plot.evaluate("p => p._fullLayout.scene.camera.eye")
    assert shown == pytest.approx(eye, abs=1e-6)
    # The camera is in the link too (rounded): a copied link reopens this view.
    assert parse_qs(urlsplit(page.url).query).get("cam") == ["0.3,-2.1,0.9"]


def test_the_3d_view_draws_at_the_screens_pixel_ratio(page):
    """WebGL renders at the screen's own pixel ratio, not Plotly's default of 2: on a 1x screen that drew the
    3-D view at four times its pixels, which a browser without a GPU pays for on every redraw (docs/SPEED.md)."""
    ratio = page.evaluate("window.devicePixelRatio")
    canvas = page.locator(".st-key-chart_3d .gl-container canvas").first
    drawn, shown = canvas.evaluate("c => [c.width, c.clientWidth]")
    assert shown > 300
    assert drawn == pytest.approx(shown * min(2, max(1, ratio)), abs=2)


def test_every_paper_preset_loads(page):
    assert len(PAPER_PRESETS) >= 5
    seen: set[str] = set()
    bu.open_tab(page, "Paths")  # only the open tab is drawn
    for key in PAPER_PRESETS:
        preset = presets.PRESETS[key]
        bu.select_option(page, "Preset", preset.name)  # picking a preset loads it
        wait_for_info(page, preset.name)
        # The default view is Fig. 5 itself, so its caption may already be up: wait for the link to follow too.
        deadline = time.monotonic() + 120
        while url_scene(page.url) != preset.build() and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert bu.exceptions(page) == [], key
        caption = info_text(page)
        assert caption not in seen, key
        seen.add(caption)
        assert url_scene(page.url) == preset.build(), key
        assert page.locator(".st-key-chart_lr .js-plotly-plot").count() == 1, key
        assert len(traces(page, "chart_lr")) == preset.build().num_trajectories, key


def test_downloads_open(page, tmp_path):
    scene = url_scene(page.url)
    bu.open_tab(page, "Export & share")

    png = download(page, "PNG", tmp_path).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000

    html = download(page, "Interactive HTML", tmp_path).read_text()
    assert "plotly" in html.lower() and "<html" in html.lower()

    select(page, "View", "Contour")
    svg = download(page, "SVG", tmp_path).read_text()
    root = ET.fromstring(svg)
    assert root.tag.rsplit("}", 1)[-1] == "svg"
    assert "<path" in svg

    rows = list(csv.reader(io.StringIO(download(page, "Trajectories (CSV)", tmp_path).read_text())))
    assert ",".join(rows[0]) == CSV_HEADER
    assert len(rows) > scene.num_trajectories
    assert {row[0] for row in rows[1:]} == {str(i) for i in range(scene.num_trajectories)}
    assert {row[10] for row in rows[1:]} <= set(STATUS_NAMES)

    scene_file = download(page, "Scene (JSON)", tmp_path)
    assert scene_file.suffix == ".json"
    assert Scene.from_json(scene_file.read_text()) == scene


def test_copied_link_reopens_the_same_state(page, browser):
    bu.open_tab(page, "Paths")
    act(page, lambda: page.get_by_text("distance to minimizer", exact=True).click())
    act(page, lambda: page.get_by_text("Log-scale loss", exact=True).click())
    plot = page.locator(".st-key-chart_3d .js-plotly-plot")
    act(page, lambda: plot.evaluate("p => window.Plotly.relayout(p, {'scene.camera.eye': {x: -1.5, y: 1.1, z: 0.6}})"))
    panel = bu.open_tab(page, "Export & share")
    link = panel.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert link.startswith("http://127.0.0.1:") and "?s=" in link
    assert url_scene(link) == url_scene(page.url)
    other = bu.new_page(browser)
    try:
        bu.open_app(other, link)
        assert bu.exceptions(other) == []
        assert url_scene(other.url) == url_scene(page.url)
        assert float(lr_input(other).input_value()) == pytest.approx(float(lr_input(page).input_value()))
        assert lr_input(other).input_value() == lr_input(page).input_value()
        assert "Opened from a link." in info_text(other)
        assert len(traces(other, "chart_lr")) == url_scene(link).num_trajectories
        # ... and the same view: the loss view and its scale, the camera.
        assert other.get_by_role("radio", name="distance to minimizer").is_checked()
        assert not other.get_by_role("switch", name="Log-scale loss").is_checked()
        assert other.locator(".st-key-chart_loss .ytick text").count() > 0
        query = parse_qs(urlsplit(link).query)
        assert query.get("loss") == ["distance"] and query.get("logy") == ["0"] and query.get("cam") == ["-1.5,1.1,0.6"]
        eye = other.locator(".st-key-chart_3d .js-plotly-plot").evaluate("p => p._fullLayout.scene.camera.eye")
        assert [eye[a] for a in "xyz"] == pytest.approx([float(v) for v in query["cam"][0].split(",")], abs=1e-6)
    finally:
        other.context.close()
    bu.open_tab(page, "Paths")
    act(page, lambda: page.get_by_text("loss", exact=True).click())
    act(page, lambda: page.get_by_text("Log-scale loss", exact=True).click())


# The analysis tabs compute only when their toggle is on: make each sweep small, turn it on, see its chart (the
# sweeps are cached by scene, so toggles left on cost little in the runs that follow).
# tab: (toggle, chart key, size setting).
SWEEP_TABS = {
    "LR search": ("Run the search", "chart_search", ("number", "Candidates", "10")),
    "Basins": ("Compute the basins", "chart_basins", ("slider", "Grid", None)),
    "Hyperparameters": ("Compute the map", "chart_hparams", ("slider", "Grid", None)),
}


def test_other_tabs_open(page):
    for name, chart in (("Playback", "chart_playback"), ("Inside the optimizer", "chart_effective")):
        bu.open_tab(page, name)
        plot = page.locator(f".st-key-{chart} .js-plotly-plot")
        plot.wait_for(state="visible")
        assert plot.bounding_box()["height"] > 200, name
    for name in page.get_by_role("tab").all_inner_texts()[4:]:
        panel = bu.open_tab(page, name)
        assert panel.inner_text().strip(), name
        if name not in SWEEP_TABS:  # e.g. "Paper claims": a minute of work behind its toggle; see that it is offered
            assert panel.locator('[data-testid="stCheckbox"], [data-testid="stToggle"], input').count() > 0, name
            continue
        toggle, chart, (kind, label, value) = SWEEP_TABS[name]
        if kind == "number":
            field = panel.get_by_role("spinbutton", name=label, exact=True)
            act(page, lambda field=field, value=value: (field.fill(value), field.press("Enter")))
        else:  # the smallest grid: the slider's first stop
            slider = panel.locator(f'input[type="range"][aria-label="{label}"]')
            if slider.input_value() != slider.get_attribute("min"):
                press_home(page, slider)
        act(page, lambda panel=panel, toggle=toggle: panel.get_by_text(toggle, exact=True).click())
        plot = page.locator(f".st-key-{chart} .js-plotly-plot")
        plot.wait_for(state="visible")
        assert plot.bounding_box()["height"] > 200, name
    bu.open_tab(page, "Paths")


# --- what a newcomer hit (issue 10): these only a browser shows ----------------------------------------------

OVERFLOW = {
    "surface": {"id": "custom", "params": {"formula": "exp(100*x) + y"}},
    "starts": [[2.5, 2.0]],
    "lr": 0.01,
    "steps": 100,
}
HIMMELBLAU = {"surface": {"id": "himmelblau"}, "lr": 0.02, "steps": 100, "clip": 1.0}
ONE_PATH = {**HIMMELBLAU, "starts": [[-0.983051, -0.559322]], "optimizers": [{"id": "adam"}]}
TWENTY_PATHS = {
    **HIMMELBLAU,
    "starts": [[-0.983051, -0.559322], [4.5, 4.5]],
    "optimizers": [{"id": "momentum", "params": {"momentum": 0.5}}, {"id": "adam"}],
    "schedules": [{"id": s} for s in presets.FIVE_SCHEDULES],
}


def scene_url(server: Any, data: dict) -> str:
    return f"{server.url}?s={scene_to_query(Scene.build(data))}"


def drawn_share(page: Any, key: str) -> float:
    """The share of a chart's drawing area (its 3-D scene, or its plot) that is not white, from a screenshot."""
    import numpy as np
    from PIL import Image

    page.mouse.move(bu.VIEWPORT["width"] - 5, bu.VIEWPORT["height"] - 5)  # no toolbar
    page.wait_for_timeout(1500)  # WebGL draws after the script's run
    area = page.locator(f".st-key-{key} .gl-container > div, .st-key-{key} .nsewdrag").first
    pixels = np.asarray(Image.open(io.BytesIO(area.screenshot())).convert("RGB"))
    return float((pixels.min(axis=-1) < 235).mean())


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_an_overflowing_formula_draws_and_leaves_webgl_working(page, server):
    # exp(100 x) overflows float32: the 3-D chart went blank with WebGL errors (uniformMatrix4fv), and every later
    # scene showed empty 3-D axes until the page was reloaded.
    errors: list[Any] = []

    def collect(error: Any) -> None:
        errors.append(error)

    page.on("pageerror", collect)
    try:
        bu.open_app(page, scene_url(server, OVERFLOW))
        assert errors == []
        warning = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
        assert "f overflows on" in warning and "clipped" in warning
        assert drawn_share(page, "chart_3d") > 0.15  # the surface is drawn
        assert page.locator(".st-key-chart_contour .contourlayer path").count() > 0  # the contour is filled
        bu.select_option(page, "Preset", presets.PRESETS[presets.DEFAULT_PRESET].name)  # picking loads it
        wait_for_info(page, presets.PRESETS[presets.DEFAULT_PRESET].name)
        assert errors == []
        assert drawn_share(page, "chart_3d") > 0.15  # and the next scene's surface too
    finally:
        page.remove_listener("pageerror", collect)


def _plot_areas(page: Any) -> dict[str, float]:
    areas = {}
    for key in ("chart_contour", "chart_lr", "chart_loss"):
        areas[key] = page.locator(f".st-key-{key} .nsewdrag").first.bounding_box()["height"]
    areas["chart_3d"] = page.locator(".st-key-chart_3d .gl-container > div").first.bounding_box()["height"]
    return areas


def test_twenty_paths_keep_the_charts_size_and_no_text_overlaps(page, server):
    # 2 optimizers × 5 schedules × 2 starts: the 3-D chart shrank to a thumbnail, the LR and loss charts to about
    # 100 px, legend rows overlapped "step k" and "x"; in the playback the legend covered the slider's ticks.
    bu.open_app(page, scene_url(server, ONE_PATH))
    one = _plot_areas(page)
    bu.open_app(page, scene_url(server, TWENTY_PATHS))
    many = _plot_areas(page)
    for key, height in one.items():
        assert abs(many[key] - height) <= 2, (key, height, many[key])
    for key in ("chart_contour", "chart_lr", "chart_loss"):
        legend = page.locator(f".st-key-{key} .legend").first.bounding_box()
        for title in page.locator(f".st-key-{key} .xtitle, .st-key-{key} .ytitle").all():
            assert not boxes_overlap(legend, title.bounding_box()), key
    names = page.locator(".st-key-chart_lr .legendtext").all_text_contents()
    assert "Cosine cycles (no restart)" in names and "SGD + momentum (μ=0.5)" in names
    assert not [name for name in names if "_lr" in name]
    bu.open_tab(page, "Playback")
    legend = page.locator(".st-key-chart_playback .legend").first.bounding_box()
    for part in (".slider-container", ".updatemenu-container"):
        assert not boxes_overlap(legend, page.locator(f".st-key-chart_playback {part}").first.bounding_box()), part
    bu.open_tab(page, "Paths")


def test_playback_keeps_the_picture_and_moves_only_the_markers(page, server):
    # While it played, the contour lost its fill and the minimizer stars; 100 frames took about a minute.
    bu.open_app(page, scene_url(server, presets.PRESETS["fig5-rosenbrock"].scene_data()))
    bu.open_tab(page, "Playback")
    chart = page.locator(".st-key-chart_playback .js-plotly-plot")
    chart.wait_for(state="visible")
    fill = ".st-key-chart_playback .imagelayer image, .st-key-chart_playback .contourlayer .contourfill"
    paths = page.locator(".st-key-chart_playback .scatterlayer .trace path.js-line")
    stars = page.locator(".st-key-chart_playback .scatterlayer .trace path.point")
    markers = page.locator(".st-key-chart_playback .scatterlayer .trace:nth-last-child(-n+5) path.point")

    def picture() -> tuple[int, int, int]:
        return page.locator(fill).count(), paths.count(), stars.count()

    before = picture()
    where = markers.evaluate_all("points => points.map(p => p.getAttribute('transform'))")
    assert before[0] >= 1 and before[1] >= 5
    page.locator(".st-key-chart_playback .updatemenu-button").filter(has_text="play").click()
    page.wait_for_timeout(1500)  # a dozen frames or so
    assert picture() == before  # the contour's fill, the paths and the stars stay while it plays
    moved = markers.evaluate_all("points => points.map(p => p.getAttribute('transform'))")
    assert moved != where  # the markers move
    page.locator(".st-key-chart_playback .updatemenu-button").filter(has_text="pause").click()
    bu.open_tab(page, "Paths")
