"""The page: set up an experiment, see every path, LR curve and loss trace, export and share it.

A thin script over the pure packages. Widgets, presets, links and uploaded files all
become one Scene, validated in one place (``engine.scene``); the engine runs it; the
``figures`` package draws it. Caching lives here only, keyed by the Scene's JSON.
"""

from __future__ import annotations

# ruff: noqa: E402 (the page's first elements go out before the heavy imports below: see the next lines)
import streamlit as st

from ui.plot3d import preload_plotly

st.set_page_config(page_title="LR landscapes", page_icon="⛰️", layout="wide", initial_sidebar_state=380)
preload_plotly()  # the browser fetches Plotly while this process imports JAX (about 2 s on a first visit)

import json
import urllib.parse
from collections.abc import Callable
from typing import Any, NamedTuple

import pandas as pd

import analysis
import engine
import landscapes
import optimizers
import presets
import schedules
from analysis import lrsearch
from analysis.batching import MAX_CANDIDATES
from common.formula import parse as parse_formula
from common.lru import LRU
from common.params import FormulaParam, ParamError
from engine import export
from engine.scene import NoiseSpec, Scene, SceneError, ScheduleSpec, WarmupSpec
from engine.simulate import Result, run
from engine.urlstate import scene_from_query, scene_to_query
from figures import (
    VIEWS,
    contour_figure,
    effective_lr_figure,
    internals_figure,
    loss_figure,
    lr_figure,
    playback_figure,
    shared_label,
    surface_figure,
    surface_grid,
)
from figures import export as figure_export
from figures.claims import (
    ROBUSTNESS_EXPLAINED,
    claims_figure,
    claims_markdown,
    markdown_text,
    reason_items,
    robustness_text,
)
from figures.paths import LOSS_X_AXES
from figures.playback import REDRAW_EVERY
from figures.summary import PAGE_COLUMNS, page_rows
from figures.sweeps import basins_figure, hparam_figure, lr_search_info, lr_search_plot
from presets import PRESETS, Preset
from ui import arena as ui_arena
from ui import messages, plot3d, viewstate
from ui import state as ui_state
from ui import tasks as ui_tasks
from ui.families import family_adder
from ui.labels import METRICS, MODE_NAMES, OBJECTIVE_NAMES, setting_label
from ui.state import number_range
from ui.widgets import NUMBER_FORMAT, formula_input, param_widgets, registry_select

engine.configure()  # JAX's persistent compilation cache, before the first run (a no-op on reruns)

DEFAULT_PRESET = presets.DEFAULT_PRESET
# The smallest value a widget offers where the Scene only asks for a positive number.
SMALLEST_LR, SMALLEST_CLIP, SMALLEST_TOLERANCE = 1e-8, 1e-6, 1e-12


# --- cached work (arguments are JSON strings and tuples of numbers) ------------------------------------


@st.cache_data(max_entries=16, show_spinner="Running every trajectory in one compiled batch…")
def simulate(scene_json: str, inspect: bool = False) -> Result:
    return run(Scene.from_json(scene_json), inspect=inspect)


@st.cache_data(max_entries=32, show_spinner=False)
def grid_for(surface_id: str, params_json: str, window: tuple) -> Any:
    return surface_grid(surface_id, json.loads(params_json), window)


# --- state: one place that loads a Scene into the widgets --------------------------------------------


def load_scene(scene: Scene, caption: str | None = None, preset: Preset | None = None) -> None:
    """Writes ``scene`` into the widgets (call from a callback or before widgets are drawn), with a one-line
    ``caption`` or the caption of the ``preset`` it comes from."""
    for key in [k for k in st.session_state if k.startswith(("opt.", "sched.", "surface.", "task."))]:
        del st.session_state[key]
    for key, value in ui_state.scene_to_widgets(scene).items():
        st.session_state[key] = value
    st.session_state["editor_version"] = st.session_state.get("editor_version", 0) + 1
    st.session_state["last_scene"] = scene.to_json()
    st.session_state["caption"] = caption
    st.session_state["caption_preset"] = None if preset is None else preset.id
    st.session_state["caption_scene"] = scene.to_json()  # the caption describes this scene, not later edits
    st.session_state["pick_mode"] = False  # clicks on the new scene's contour pick nothing until asked
    st.session_state.pop("view_camera", None)  # a new scene opens in its own view (a link then sets its own)
    st.session_state["loss_x"] = preset.loss_x_axis if preset is not None else "steps"


def request_load(scene: Scene, caption: str) -> None:
    """Loads ``scene`` on a fresh run (widgets drawn in this run can no longer be changed)."""
    st.session_state["pending_scene"] = (scene.to_json(), caption)
    st.rerun()


def init_state() -> None:
    pending = st.session_state.pop("pending_scene", None)
    if pending is not None:
        load_scene(Scene.from_json(pending[0]), caption=pending[1])
        return
    if "last_scene" in st.session_state:
        return
    query = st.query_params.get("s")
    if query:
        try:
            scene = scene_from_query(query).check_page_budget()
            load_scene(scene, caption="Opened from a link.")
            open_view(scene, viewstate.read(st.query_params.to_dict(), [tab.name for tab in TABS]))
            return
        except SceneError as error:
            st.session_state["load_error"] = f"The link's scene could not be opened ({error}); showing the default."
    preset = PRESETS[DEFAULT_PRESET]
    load_scene(preset.build(), preset=preset)


def open_view(scene: Scene, view: viewstate.View) -> None:
    """Sets the view a link asks for (tab, log scales, loss view, camera) before its widgets are drawn."""
    settings = {
        "tab": view.tab,
        f"log_z.{scene.surface.id}": view.log_z,
        "loss_kind": view.loss,
        "log_y": view.log_y,
        "view_camera": view.camera_eye,
    }
    for key, value in settings.items():
        if value is not None:
            st.session_state[key] = value


def current_view(scene: Scene) -> viewstate.View:
    """The view on screen now (what a link should reopen), and the page's defaults for this scene."""
    eye = st.session_state.get("view_camera")  # set by ``on_camera`` when a person turns the 3-D view
    return viewstate.View(
        tab=st.session_state.get("tab"),
        log_z=st.session_state.get(f"log_z.{scene.surface.id}"),
        loss=st.session_state.get("loss_kind"),
        log_y=st.session_state.get("log_y"),
        camera_eye=eye,
    )


def default_view(scene: Scene) -> viewstate.View:
    return viewstate.View(tab=TABS[0].name, log_z=landscapes.SURFACES[scene.surface.id].log_z, loss="loss", log_y=True)


def sync_link(scene: Scene) -> None:
    """Keeps the address bar on what is shown: the scene (``s``) and how it is viewed (``ui.viewstate``)."""
    wanted = {"s": scene_to_query(scene), **viewstate.write(current_view(scene), default_view(scene))}
    for name in ("s", *viewstate.NAMES):
        if name in wanted and st.query_params.get(name) != wanted[name]:
            st.query_params[name] = wanted[name]
        elif name not in wanted and name in st.query_params:
            del st.query_params[name]


def on_camera() -> None:
    eye = viewstate.camera_eye(plot3d.camera("chart_3d"))
    if eye is not None:
        st.session_state["view_camera"] = eye
        st.query_params[viewstate.CAMERA] = viewstate.write(viewstate.View(camera_eye=eye), viewstate.View())[
            viewstate.CAMERA
        ]


def on_load_preset() -> None:
    preset = PRESETS.get(st.session_state.get("preset") or "")
    if preset is not None:
        load_scene(preset.build(), preset=preset)


def on_upload() -> None:
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        load_scene(Scene.from_json(upload.getvalue()).check_page_budget(), caption=f"Loaded from {upload.name}.")
        st.session_state.pop("load_error", None)
    except SceneError as error:
        st.session_state["load_error"] = f"{upload.name} was not loaded: {error}"


def on_add(kind: str) -> None:
    count = f"n_{kind}"
    st.session_state[count] = min(st.session_state.get(count, 1) + 1, ui_state.MAX_SLOTS)
    slot = st.session_state[count] - 1
    st.session_state[f"{kind}.{slot}.id"] = "adam" if kind == "opt" else "cosine_lr"


def on_remove(kind: str, slot: int) -> None:
    """Removes a slot by shifting the later slots' values down one place."""
    count = st.session_state.get(f"n_{kind}", 1)
    if count <= 1:
        return
    values = dict(st.session_state)
    prefix = f"{kind}."
    for key in [k for k in values if k.startswith(prefix) and not k.endswith(".remove")]:
        del st.session_state[key]
    for key, value in values.items():
        if not key.startswith(prefix) or key.endswith(".remove"):
            continue
        index_text, _, rest = key.removeprefix(prefix).partition(".")
        if not index_text.isdigit() or int(index_text) == slot:
            continue
        index = int(index_text)
        st.session_state[f"{prefix}{index - 1 if index > slot else index}.{rest}"] = value
    st.session_state[f"n_{kind}"] = count - 1


# --- sidebar ------------------------------------------------------------------------------------------


def points_editor(container: Any, key: str, columns: tuple[str, str], help_text: str) -> list[list[float]]:
    frame = pd.DataFrame(st.session_state.get(key, []), columns=list(columns), dtype=float)
    edited = container.data_editor(
        frame,
        key=f"{key}_editor_{st.session_state.get('editor_version', 0)}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(c, format="%.4g", required=True, help=help_text) for c in columns
        },
    )
    return [[float(a), float(b)] for a, b in edited.dropna().to_numpy()]


def sidebar() -> tuple[dict[str, Any], dict[str, Any]]:
    """Draws every control; returns the widget values that make the Scene, and an empty slot under each
    section for its messages (``ui.messages``: "surface", "starts", "perturbations", "opt.0", "sched.0", "run")."""
    bar = st.sidebar
    bar.header("Experiment")
    preset_slot = bar.empty()  # filled last, once the scene the widgets describe is known
    slots: dict[str, Any] = {}
    steps = st.session_state.get("steps", 500)

    if train_on(bar) == NETWORK:
        bar.subheader("Task")
        ui_tasks.task_controls(bar, steps)
        slots["surface"] = bar.empty()
        keep_hidden(SURFACE_MODE_KEYS)
        starts, perturbations = st.session_state.get("starts", []), st.session_state.get("perturbations", [])
    else:
        starts, perturbations = surface_controls(bar, slots, steps)

    bar.subheader("Optimizers")
    for slot in range(st.session_state.get("n_opt", 1)):
        optimizer_slot(bar, slot, steps)
        slots[f"opt.{slot}"] = bar.empty()
    bar.button("Add optimizer", on_click=on_add, args=("opt",), key="add_opt", width="stretch")
    family_adder(bar, "opt")

    bar.subheader("Schedules")
    for slot in range(st.session_state.get("n_sched", 1)):
        schedule_slot(bar, slot, steps)
        slots[f"sched.{slot}"] = bar.empty()
    bar.button("Add schedule", on_click=on_add, args=("sched",), key="add_sched", width="stretch")
    family_adder(bar, "sched")

    bar.subheader("Run")
    low, high = number_range(Scene, "lr", floor=SMALLEST_LR)
    bar.number_input(
        "Base LR η0",
        min_value=low,
        max_value=high,
        format=NUMBER_FORMAT,
        key="lr",
        help="The η0 every schedule scales.",
    )
    low, high = number_range(Scene, "steps")
    bar.number_input("Steps T", min_value=low, max_value=high, step=50, key="steps")
    clip_col, clip_on_col = bar.columns([3, 2])
    clip_on_col.toggle(
        "Clip", key="clip_on", help="Clip the gradient to a global norm before each step (the reference clipped at 1)."
    )
    low, high = number_range(Scene, "clip", floor=SMALLEST_CLIP)
    clip_col.number_input(
        "Clip norm",
        min_value=low,
        max_value=high,
        format=NUMBER_FORMAT,
        key="clip",
        disabled=not st.session_state.get("clip_on", True),
    )
    if st.session_state.get("task") is None:  # a task's noise is its mini-batches; it has no tolerance
        noise_col, seed_col = bar.columns(2)
        low, high = number_range(NoiseSpec, "sigma")
        noise_col.number_input(
            "Gradient noise σ", min_value=low, max_value=high, format=NUMBER_FORMAT, key="noise_sigma"
        )
        low, high = number_range(NoiseSpec, "seed")
        seed_col.number_input("Noise seed", min_value=low, max_value=high, step=1, key="noise_seed")
        tol_col, dtype_col = bar.columns(2)
        low, high = number_range(Scene, "tolerance", floor=SMALLEST_TOLERANCE)
        tol_col.number_input("Converged when ‖∇f‖ ≤", min_value=low, max_value=high, format="%.1e", key="tolerance")
    else:
        dtype_col = bar
    dtype_col.selectbox("Precision", ("float32", "float64"), key="dtype")
    slots["run"] = bar.empty()

    bar.subheader("Scene file")
    bar.file_uploader("Open a scene (JSON)", type=["json"], key="upload", on_change=on_upload)

    values = {key: st.session_state.get(key) for key in st.session_state}
    values["starts"] = starts
    values["perturbations"] = perturbations or [[0.0, 0.0]]
    slots["preset"] = preset_slot
    return values, slots


SURFACE, NETWORK = "2-D surface", "Small network"
# Settings of a surface scene that a task scene does not draw: kept while a task is shown (Streamlit forgets
# a widget's value on a run that does not draw it), so that switching back finds them as they were.
SURFACE_MODE_KEYS = ("surface", "surface.", "pick_mode", "noise_sigma", "noise_seed", "tolerance")


def train_on(bar: Any) -> str:
    """The switch between a 2-D surface and a small network trained on data (``ui.tasks``)."""
    st.session_state["train_on"] = NETWORK if st.session_state.get("task") else SURFACE
    bar.segmented_control(
        "Optimize",
        (SURFACE, NETWORK),
        key="train_on",
        on_change=on_train_on,
        width="stretch",
        help="A 2-D surface (paths you can see), or a small network trained on data (digits, two moons).",
    )
    return st.session_state["train_on"] or SURFACE


def on_train_on() -> None:
    if st.session_state.get("train_on") == NETWORK:
        st.session_state["task"] = st.session_state.get("last_task") or next(iter(ui_tasks.TASKS))
    else:
        st.session_state["last_task"] = st.session_state.pop("task", None)


def keep_hidden(keys: tuple[str, ...]) -> None:
    """Keeps the values of widgets this run does not draw (a key ending in "." stands for every key it starts)."""
    prefixes = tuple(key for key in keys if key.endswith("."))
    for key in list(st.session_state.keys()):
        if key in keys or key.startswith(prefixes):
            st.session_state[key] = st.session_state[key]


def surface_controls(bar: Any, slots: dict[str, Any], steps: int) -> tuple[list, list]:
    """The surface, its formula and parameters, the start points and the perturbations."""
    bar.subheader("Surface")
    surface_id = registry_select(bar, "Surface", landscapes.SURFACES, key="surface", label_visibility="collapsed")
    surface = landscapes.SURFACES[surface_id]
    formulas = formula_widgets(bar, surface.params, lambda n: ui_state.surface_key(surface_id, n))
    bar.latex(formula_latex(surface.latex, surface.params, lambda n: ui_state.surface_key(surface_id, n)))
    bar.caption(surface.description)
    others = {name: spec for name, spec in surface.params.items() if name not in formulas}
    if others:
        with bar.expander("Surface parameters"):
            param_widgets(st, others, lambda n: ui_state.surface_key(surface_id, n), steps)
    slots["surface"] = bar.empty()

    bar.subheader("Start points")
    if st.session_state.get("pick_mode"):
        bar.caption("Picking: click the contour on the Paths tab to add a start point.")
    starts = points_editor(bar, "starts", ("x", "y"), "Type points, or click the contour with 'Pick starts' on.")
    bar.toggle("Pick starts by clicking the contour", key="pick_mode")
    slots["starts"] = bar.empty()
    with bar.expander("Start perturbations"):
        st.caption("Each start also runs moved by each of these offsets (e.g. y + 0.1, 0.01, 0.001).")
        perturbations = points_editor(st, "perturbations", ("dx", "dy"), "Offsets added to every start.")
    slots["perturbations"] = bar.empty()
    return starts, perturbations


def preset_picker(container: Any, scene: Scene) -> None:
    """The preset box: the preset the scene is, or "edited" once it is none of them; picking one loads it."""
    st.session_state["preset"] = presets.preset_of(scene)
    container.selectbox(
        "Preset",
        list(PRESETS),
        format_func=lambda p: PRESETS[p].name,
        key="preset",
        index=None,
        placeholder="Edited: not a preset (pick one to load it)",
        on_change=on_load_preset,
        help="The paper's figures and a few lessons. Picking one loads it; so does picking it again after edits.",
    )


def formula_widgets(container: Any, specs: Any, key: Callable[[str], str]) -> set[str]:
    """The entry's formula parameters, each in a box as wide as the sidebar; returns their names."""
    names = {name for name, spec in specs.items() if isinstance(spec, FormulaParam)}
    for name in names:
        formula_input(container, name, specs[name], key(name))
    return names


FORMULA_SIDES = {"x": "f(x, y)", "k": r"\eta_k"}  # a formula's left side, by its first variable
FORMULA_SYMBOLS = {"lr": r"\eta_0"}


def formula_latex(latex: str, specs: Any, key: Callable[[str], str]) -> str:
    """The entry's formula as a person typed it (``f(x, y) = …``), or its generic form while it does not parse."""
    for name, spec in specs.items():
        if isinstance(spec, FormulaParam):
            try:
                typed = parse_formula(str(st.session_state.get(key(name), spec.default)), spec.variables)
            except ParamError:
                return rf"\small {latex}"
            side = FORMULA_SIDES.get(spec.variables[0], spec.symbol or name)
            return rf"\small {side} = {typed.latex(FORMULA_SYMBOLS)}"
    return rf"\small {latex}"


def slot_row(bar: Any) -> tuple[Any, Any]:
    """Under a slot's picker (as wide as the sidebar: its labels carry family and library names), the row
    of its settings and its remove button."""
    return bar.columns([6, 1], vertical_alignment="center")


def optimizer_slot(bar: Any, slot: int, steps: int) -> None:
    optimizer_id = registry_select(
        bar, f"Optimizer {slot + 1}", optimizers.OPTIMIZERS, key=f"opt.{slot}.id", families=optimizers.FAMILIES
    )
    settings, remove = slot_row(bar)
    remove.button("✕", key=f"opt.{slot}.remove", on_click=on_remove, args=("opt", slot), help="Remove this optimizer")
    entry = optimizers.OPTIMIZERS[optimizer_id]
    with settings.expander(f"{entry.name} settings"):
        st.latex(rf"\small {entry.latex}")
        st.caption(f"{entry.description} — {entry.reference}")
        param_widgets(st, entry.params, lambda n: ui_state.optimizer_key(slot, optimizer_id, n), steps)
        if entry.wraps:
            plain = {key: inner for key, inner in optimizers.OPTIMIZERS.items() if not inner.wraps}
            inner_id = registry_select(st, "wraps", plain, key=f"opt.{slot}.inner", families=optimizers.FAMILIES)
            inner = optimizers.OPTIMIZERS[inner_id]
            param_widgets(st, inner.params, lambda n: ui_state.optimizer_key(slot, inner_id, n, True), steps)


def schedule_slot(bar: Any, slot: int, steps: int) -> None:
    schedule_id = registry_select(
        bar, f"Schedule {slot + 1}", schedules.SCHEDULES, key=f"sched.{slot}.id", families=schedules.FAMILIES
    )
    entry = schedules.SCHEDULES[schedule_id]
    key = lambda n: ui_state.schedule_key(slot, schedule_id, n)  # noqa: E731
    formulas = formula_widgets(bar, entry.params, key)
    if formulas:
        bar.latex(formula_latex(entry.latex, entry.params, key))
    settings, remove = slot_row(bar)
    remove.button(
        "✕", key=f"sched.{slot}.remove", on_click=on_remove, args=("sched", slot), help="Remove this schedule"
    )
    with settings.expander(f"{entry.name} settings"):
        if not formulas:
            st.latex(rf"\small {entry.latex}")
        st.caption(f"{entry.description} — {entry.reference}")
        others = {name: spec for name, spec in entry.params.items() if name not in formulas}
        if others or not formulas:
            param_widgets(st, others, key, steps)
        low, high = number_range(ScheduleSpec, "lr", floor=SMALLEST_LR)
        st.number_input(
            "Own η0 (empty: the base LR)",
            min_value=low,
            max_value=high,
            value=None,
            format=NUMBER_FORMAT,
            key=f"sched.{slot}.lr",
        )
        kind = st.selectbox("Warm-up", ("none", "linear", "constant"), key=f"sched.{slot}.warmup")
        if kind != "none":
            a, b = st.columns(2)
            low, high = number_range(WarmupSpec, "steps")
            a.number_input(
                "steps",
                min_value=low,
                max_value=high,
                value=None,
                placeholder="10 % of T",
                key=f"sched.{slot}.warmup_steps",
            )
            low, high = number_range(WarmupSpec, "start_factor")
            b.number_input(
                "start factor", min_value=low, max_value=high, format="%.3f", key=f"sched.{slot}.warmup_factor"
            )


# --- the main area ------------------------------------------------------------------------------------


def current_scene(values: dict[str, Any], slots: dict[str, Any]) -> Scene:
    """The Scene the widgets describe; or, when a setting is not valid, the last valid one, with the
    message under the sidebar section that holds the setting and a line above the charts."""
    try:
        scene = Scene.build(ui_state.widgets_to_data(values)).check_page_budget()
    except SceneError as error:
        placement = messages.place(str(error))
        slot = slots.get(placement.section) or slots[messages.GENERAL]
        slot.error(messages.sidebar_message(placement))
        st.warning(messages.banner(placement))
        return Scene.from_json(st.session_state["last_scene"])
    st.session_state["last_scene"] = scene.to_json()
    for index, spec in enumerate(scene.schedules):
        lowest = float(schedules.entry_table(spec, scene.steps, base_lr=scene.lr).min())
        if lowest < 0:
            slots[f"sched.{index}"].warning(
                f"**Schedule {index + 1}** goes below zero (down to {lowest:.3g}): a negative LR steps uphill."
            )
    return scene


def handle_pick(selection: Any, starts: list[list[float]]) -> None:
    """Adds the clicked contour point to the start points (once per click)."""
    points = (selection or {}).get("selection", {}).get("points", []) if isinstance(selection, dict) else []
    if not points or not st.session_state.get("pick_mode"):
        return
    point = points[0]
    marker = (round(float(point["x"]), 6), round(float(point["y"]), 6))
    if st.session_state.get("last_pick") == marker:
        return
    st.session_state["last_pick"] = marker
    st.session_state["starts"] = [*starts, list(marker)]
    st.session_state["editor_version"] = st.session_state.get("editor_version", 0) + 1
    st.rerun()


def paths_tab(scene: Scene, result: Result, grid: Any, values: dict[str, Any]) -> None:
    surface = landscapes.SURFACES[scene.surface.id]
    c1, c2, c3, c4 = st.columns([3, 4, 3, 3])
    log_z = c1.toggle("Log-scale surface", value=surface.log_z, key=f"log_z.{scene.surface.id}")
    loss_kind = c2.radio("Loss view", ("loss", "distance to minimizer"), horizontal=True, key="loss_kind")
    log_y = c3.toggle("Log-scale loss", value=True, key="log_y")
    # Against gradient evaluations when an optimizer spends more than one a step (a line search, SAM, Sophia).
    x_axis = "steps"
    if len(result.counted_rows):
        x_axis = c4.radio(
            "Loss against",
            LOSS_X_AXES,
            horizontal=True,
            key="loss_x",
            help="A line search (L-BFGS), SAM's ascent step and Sophia's Hessian estimate evaluate the gradient "
            "more than once a step: per gradient evaluation, they compare fairly with one-evaluation methods.",
        )
    if grid.note:
        st.warning(f"{grid.note}." + ("" if log_z else " The log-scale surface shows more of it."))
    left, right = st.columns([11, 9])
    # Updated in place, not drawn anew: a new 3-D chart per edit costs seconds in a browser (ui.plot3d).
    plot3d.plotly_live(
        left,
        surface_figure(result, grid, log_z=log_z),
        key="chart_3d",
        revision=_view_revision(scene),
        camera_eye=st.session_state.get("view_camera"),
        on_camera=on_camera,
    )
    # The invisible grid that turns a click into a point (3,600 markers, 340 KB) only while picking.
    picking = bool(st.session_state.get("pick_mode"))
    if picking:
        right.caption("**Picking start points:** click the contour to add one (turn it off in the sidebar).")
    selection = right.plotly_chart(
        contour_figure(result, grid, log_z=log_z, clickable_grid=picking),
        key="chart_contour",
        theme=None,
        on_select="rerun",
        selection_mode="points",
    )
    handle_pick(selection, values["starts"])
    a, b = st.columns(2)
    a.plotly_chart(lr_figure(result), key="chart_lr", theme=None)
    b.plotly_chart(
        loss_figure(result, log_y=log_y, distance=loss_kind != "loss", x_axis=x_axis), key="chart_loss", theme=None
    )
    st.subheader("Every trajectory")

    def summary_column(column: Any) -> Any:  # numbers to 3 significant digits, headers in words
        if column.kind == "number":
            return st.column_config.NumberColumn(column.header, help=column.help, format="%.3g", width=column.width)
        if column.kind == "integer":
            return st.column_config.NumberColumn(column.header, help=column.help, format="%d", width=column.width)
        # The name stays in view when the other columns scroll sideways.
        return st.column_config.TextColumn(
            column.header, help=column.help, width=column.width, pinned=column.key == "label"
        )

    if shared_label(result) and result.num_runs > 1:
        st.caption(f"Every run: {shared_label(result)}.")
    st.dataframe(
        pd.DataFrame(page_rows(result), columns=[column.key for column in PAGE_COLUMNS]),
        hide_index=True,
        width="stretch",
        key="summary",
        column_config={column.key: summary_column(column) for column in PAGE_COLUMNS},
    )


def _view_revision(scene: Scene) -> str:
    """What resets the 3-D camera: another surface (or the same with other parameters), not a new path."""
    return json.dumps([scene.surface.id, scene.surface.params], sort_keys=True)


def playback_tab(result: Result, grid: Any, log_z: bool) -> None:
    st.caption(
        f"Press ▶ or drag the slider: the markers move on the contour at every frame and in 3-D at every "
        f"{REDRAW_EVERY}th (a 3-D frame redraws the whole chart, slow without a graphics card)."
    )
    st.plotly_chart(playback_figure(result, grid, log_z=log_z), key="chart_playback", theme=None)


def inside_tab(scene: Scene) -> None:
    result = simulate(scene.to_json(), inspect=True)
    st.caption("What the optimizer does with the learning rate: its effective step ‖Δθ‖/‖g‖, and the moments it keeps.")
    st.plotly_chart(effective_lr_figure(result), key="chart_effective", theme=None)
    _forget_unless("inside_run", range(result.num_runs))
    run_index = st.selectbox(
        "Trajectory", range(result.num_runs), format_func=lambda i: result.runs[i].name, key="inside_run"
    )
    st.plotly_chart(internals_figure(result, run_index), key="chart_internals", theme=None)


def export_tab(scene: Scene, result: Result, grid: Any, log_z: bool) -> None:
    from figures import layouts

    st.subheader("Figures for slides and papers")
    st.caption(
        "Each file carries its scene: `python cli.py run --scene FILE` (or the sidebar's Scene file) runs it again."
    )
    layout_col, view_col, size_col = st.columns([3, 3, 3])
    layout = layout_col.selectbox(
        "Layout",
        layouts.LAYOUTS,
        format_func=lambda v: {
            "single": "One view",
            "paper": "Paper: the survey's panels, lettered",
            "slide": "Slide: the panels at 16:9",
        }[v],
        key="export_layout",
    )
    stills = [view.id for view in VIEWS.values() if not view.animated]  # the playback is exported as a GIF below
    view = view_col.selectbox(
        "View", stills, format_func=lambda v: VIEWS[v].name, key="export_view", disabled=layout != "single"
    )
    sizes = {"pixels": "In pixels", "one": "One column (85 mm)", "two": "Two columns (175 mm)"}
    if layout == "slide":
        size_col.selectbox("Size", ["1920 × 1080 pixels"], key="export_slide_size", disabled=True)
        size_choice = "pixels"
    else:
        choices = list(sizes) if layout == "single" else ["two", "one"]
        size_choice = size_col.selectbox("Size", choices, format_func=sizes.get, key=f"export_size.{layout}")
    size = None
    width, height, scale = 1200, 800, 1.0 if layout == "slide" else 2.0
    w_col, h_col, s_col, camera_col = st.columns([2, 2, 2, 3])
    if size_choice == "pixels" and layout == "single":
        width = w_col.number_input("width (px)", 200, 4000, 1200, step=100, key="export_width")
        height = h_col.number_input("height (px)", 200, 4000, 800, step=100, key="export_height")
    if size_choice == "pixels":
        scale = s_col.number_input("PNG scale", 1.0, 4.0, scale, step=0.5, key=f"export_scale.{layout}")
    else:
        dpi = w_col.number_input(
            "PNG dpi", layouts.MIN_DPI, layouts.MAX_DPI, layouts.DEFAULT_DPI, step=50, key="export_dpi"
        )
        size = layouts.PrintSize.of(column=size_choice, dpi=dpi)
    camera_text = camera_col.text_input(
        "3-D camera",
        key="export_camera",
        placeholder="eye x,y,z, e.g. 1.6,-1.6,0.9",
        disabled=layout == "single" and view != "3d",
        help="Where the 3-D view looks from: an eye x,y,z, or Plotly's camera as JSON. Empty: where you left the "
        "3-D chart on the Paths tab (or the default view).",
    )
    camera = None
    if camera_text.strip() and not (layout == "single" and view != "3d"):
        try:
            camera = layouts.parse_camera(camera_text)
        except ValueError as error:
            camera_col.error(str(error))
    elif st.session_state.get("view_camera"):  # the view a person turned the live 3-D chart to
        camera = {"eye": dict(zip("xyz", st.session_state["view_camera"], strict=True))}

    def prepared() -> layouts.Prepared:
        return layouts.prepare(
            result,
            grid,
            log_z,
            layout=layout,
            view=view,
            size=size,
            camera=camera,
            width=width,
            height=height,
            scale=scale,
        )

    what = view if layout == "single" else layout

    def file(fmt: str) -> str:
        return layouts.file_name(scene, what, fmt, size)

    def data(fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            job = prepared()
            about = layouts.describe(scene, job, file(fmt), camera)
            dpi = job.size.dpi if job.size else None
            width_mm = job.size.width_mm if job.size else None
            return figure_export.export_file(job.figure, fmt, scale=job.scale, dpi=dpi, width_mm=width_mm, about=about)

        return make

    notes = {
        "png": f"{size.dpi} dpi" if size else None,
        "svg": "Vectors; a 3-D view is an image inside (Plotly renders WebGL).",
        "pdf": "Vectors with embedded fonts; a 3-D view is an image inside.",
        "html": "Interactive, self-contained (works offline).",
    }
    mimes = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}
    least_width, least_height = figure_export.room_needed(prepared().figure.to_plotly_json())
    too_small = layout == "single" and size is None and (width < least_width or height < least_height)
    if too_small:
        st.warning(
            f"{width} × {height} px leaves no room for this view's plot once its titles, ticks and legend are "
            f"placed: use at least {least_width} × {least_height} px."
        )
    for column, fmt in zip(st.columns(4), figure_export.FILE_FORMATS, strict=True):
        column.download_button(
            fmt.upper() if fmt != "html" else "Interactive HTML",
            data(fmt),
            file(fmt),
            mimes[fmt],
            key=f"dl_{fmt}",
            on_click="ignore",
            width="stretch",
            disabled=too_small and fmt != "html",
            help=f"{file(fmt)}" + (f" — {notes[fmt]}" if notes[fmt] else ""),
        )
    st.subheader("Animation")
    if st.button("Render animated GIF of the playback", key="make_gif"):
        bar = st.progress(0.0, text="Rendering frames…")
        gif = figure_export.to_gif(
            result,
            grid,
            size=(int(width), int(height)),
            log_z=log_z,
            progress=lambda i, n: bar.progress(i / n, text=f"Frame {i} of {n}"),
        )
        bar.empty()
        st.session_state["gif"] = gif
    if st.session_state.get("gif"):
        gif_name = layouts.file_name(scene, "playback", "gif")
        st.download_button("Download GIF", st.session_state["gif"], gif_name, "image/gif", key="dl_gif")
    st.subheader("Data")
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Trajectories (CSV)",
        lambda: export.csv_text(result),
        f"{layouts.scene_name(scene)}_trajectories.csv",
        "text/csv",
        key="dl_csv",
        on_click="ignore",
        width="stretch",
    )
    d2.download_button(
        "Trajectories (JSON)",
        lambda: export.json_text(result),
        f"{layouts.scene_name(scene)}_trajectories.json",
        "application/json",
        key="dl_json",
        on_click="ignore",
        width="stretch",
    )
    d3.download_button(
        "Scene (JSON)",
        scene.to_json(),
        f"{layouts.scene_name(scene)}.scene.json",
        "application/json",
        key="dl_scene",
        on_click="ignore",
        width="stretch",
        help="Open it here again (sidebar → Scene file) or run: "
        f"python cli.py run --scene {layouts.scene_name(scene)}.scene.json",
    )
    st.subheader("Share")
    st.caption("This link reopens exactly this view. Copy it with the icon at its right.")
    st.code(share_link(scene), language=None, wrap_lines=True)


# --- beyond the paper: sweeps in one batch ---------------------------------------------------------


@st.cache_resource
def sweep_cache() -> LRU[Any]:
    """Sweep results shared by every session, newest kept (st.cache_data would replay the progress bar)."""
    return LRU(8)


def cached_lr_search(
    scene_json: str, candidates: int, objective: str, mode: str, low: float, high: float, _progress: Any = None
) -> Any:
    return sweep_cache().get(
        ("lr_search", scene_json, candidates, objective, mode, low, high),
        lambda: analysis.lr_search(
            Scene.from_json(scene_json),
            candidates=candidates,
            objective=objective,
            mode=mode,
            low=low,
            high=high,
            progress=_progress,
        ),
    )


def cached_basins(scene_json: str, resolution: int, _progress: Any = None) -> Any:
    return sweep_cache().get(
        ("basins", scene_json, resolution),
        lambda: analysis.basins(Scene.from_json(scene_json), resolution=resolution, progress=_progress),
    )


def cached_hparams(scene_json: str, y_param: str, resolution: int, _progress: Any = None) -> Any:
    return sweep_cache().get(
        ("hparams", scene_json, y_param, resolution),
        lambda: analysis.hparam_map(
            Scene.from_json(scene_json), "lr", y_param, resolution=resolution, progress=_progress
        ),
    )


def cached_claims(_progress: Any = None) -> list[Any]:
    return sweep_cache().get(("claims",), lambda: analysis.check_all(progress=_progress))


def _progress_bar(text: str) -> tuple[Any, Any]:
    bar = st.progress(0.0, text=text)
    return bar, lambda fraction, message: bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)


def _run_sweep(label: str, compute: Any) -> Any:
    """Runs a sweep with a progress bar; a budget error becomes a message saying how to get under it."""
    bar, progress = _progress_bar(label)
    try:
        return compute(progress)
    except SceneError as error:
        st.error(str(error))
        return None
    finally:
        bar.empty()


def _clicked_point(selection: Any) -> tuple[float, float] | None:
    points = selection.get("selection", {}).get("points", []) if isinstance(selection, dict) else []
    if not points:
        return None
    return float(points[0]["x"]), float(points[0]["y"])


def lr_search_tab(scene: Scene) -> None:
    st.caption(
        "The reference tuned η0 with 200 sequential hyperopt runs of 200 steps per schedule (objective: squared "
        "distance of the final point to the known minimum). Here every candidate of every schedule runs in one batch."
    )
    a, b, c = st.columns(3)
    candidates = a.number_input("Candidates", 10, MAX_CANDIDATES, 200, step=10, key="search_candidates")
    objective = b.selectbox(
        "Objective",
        tuple(OBJECTIVE_NAMES),
        format_func=OBJECTIVE_NAMES.get,
        key="search_objective",
        help="\n\n".join(f"**{OBJECTIVE_NAMES[k]}**: {v}" for k, v in lrsearch.OBJECTIVES.items()),
    )
    mode = c.selectbox(
        "η0 for the schedules",
        tuple(MODE_NAMES),
        format_func=MODE_NAMES.get,
        key="search_mode",
        help="\n\n".join(f"**{MODE_NAMES[k]}**: {v}" for k, v in lrsearch.MODES.items()),
    )
    default_low, default_high = lrsearch.default_range(scene)
    low_col, high_col, _ = st.columns(3)
    reference = "the reference's range for these optimizers"
    low = low_col.number_input(
        "Smallest η0",
        min_value=SMALLEST_LR,
        max_value=100.0,
        value=None,
        format="%.3g",
        placeholder=f"{default_low:.3g} (the reference's)",
        key="search_low",
        help=f"Empty: {default_low:.3g}, {reference}.",
    )
    high = high_col.number_input(
        "Largest η0",
        min_value=SMALLEST_LR,
        max_value=100.0,
        value=None,
        format="%.3g",
        placeholder=f"{default_high:.3g} (the reference's)",
        key="search_high",
        help=f"Empty: {default_high:.3g}, {reference}.",
    )
    low = default_low if low is None else float(low)
    high = default_high if high is None else float(high)
    st.caption(f"Searching η0 from {low:.3g} to {high:.3g}, log-spaced.")
    if not low < high:
        st.error(f"The smallest η0 ({low:.3g}) must be below the largest ({high:.3g}): change one of them.")
        return
    if not st.toggle("Run the search", key="search_on"):
        return
    search = _run_sweep(
        "Searching η0…",
        lambda p: cached_lr_search(scene.to_json(), int(candidates), objective, mode, low, high, _progress=p),
    )
    if search is None:
        return
    info = lr_search_info(search)
    for warning in info.warnings:
        st.warning(warning)
    st.plotly_chart(lr_search_plot(info), key="chart_search", theme=None)
    chosen = ", ".join(f"{curve.label}: {curve.chosen:.3g}" for curve in info.curves)
    st.write(f"Chosen η0 — {chosen}  ({search.trajectories:,} runs in {search.seconds:.2f} s)")
    st.button(
        "Apply the chosen η0 to the scene",
        key="search_apply",
        on_click=lambda: load_scene(analysis.apply(scene, search), caption="η0 set by the LR search."),
    )


def basins_tab(scene: Scene) -> None:
    st.caption(
        "A grid of start points, every one run with each optimizer × schedule, coloured by where it ends up. "
        "Click a cell to add it as a start point."
    )
    resolution = st.select_slider("Grid", (32, 64, 128, 256), value=64, key="basins_resolution")
    if not st.toggle("Compute the basins", key="basins_on"):
        return
    result = _run_sweep("Running the grid…", lambda p: cached_basins(scene.to_json(), int(resolution), _progress=p))
    if result is None:
        return
    st.caption(f"{result.outcome.size:,} trajectories in {result.seconds:.2f} s")
    pick = st.plotly_chart(
        basins_figure(result, "outcome"),
        key="chart_basins",
        theme=None,
        on_select="rerun",
        selection_mode="points",
    )
    st.plotly_chart(basins_figure(result, "steps"), key="chart_basins_steps", theme=None)
    point = _clicked_point(pick)
    if point is not None and st.session_state.get("last_basin_pick") != point:
        st.session_state["last_basin_pick"] = point
        request_load(
            scene.replace(starts=[*scene.starts, list(point)]),
            caption=f"Start ({point[0]:.3g}, {point[1]:.3g}) added from the basin map.",
        )


def numeric_settings(scene: Scene) -> list[str]:
    """Paths of the scene's numeric optimizer and schedule settings, e.g. ``optimizers.0.params.momentum``."""
    from common.params import FloatParam

    paths = []
    for i, spec in enumerate(scene.optimizers):
        entry = optimizers.OPTIMIZERS[spec.id]
        paths += [f"optimizers.{i}.params.{n}" for n, p in entry.params.items() if isinstance(p, FloatParam)]
        if spec.inner is not None:
            inner = optimizers.OPTIMIZERS[spec.inner.id]
            paths += [f"optimizers.{i}.inner.params.{n}" for n, p in inner.params.items() if isinstance(p, FloatParam)]
    for i, spec in enumerate(scene.schedules):
        entry = schedules.SCHEDULES[spec.id]
        paths += [f"schedules.{i}.params.{n}" for n, p in entry.params.items() if isinstance(p, FloatParam)]
    return paths


def hparams_tab(scene: Scene) -> None:
    st.caption("η0 against a second setting, every cell run in one batch. Click a cell to load that setting.")
    a, b, c = st.columns([3, 2, 2])
    choices = numeric_settings(scene)
    if not choices:
        st.info("This scene has no numeric setting besides η0 to map against: add an optimizer with momentum.")
        return
    _forget_unless("hparams_y", choices)
    y_param = a.selectbox(
        "Against",
        choices,
        format_func=lambda path: setting_label(scene, path),
        key="hparams_y",
        help="Any numeric setting of the scene's optimizers or schedules.",
    )
    resolution = b.select_slider("Grid", (16, 32, 64), value=32, key="hparams_resolution")
    metric = c.selectbox(
        "Map", ("final_loss", "success", "steps", "outcome"), format_func=METRICS.get, key="hparams_metric"
    )
    if not st.toggle("Compute the map", key="hparams_on"):
        return
    hmap = _run_sweep(
        "Running the grid…", lambda p: cached_hparams(scene.to_json(), y_param, int(resolution), _progress=p)
    )
    if hmap is None:
        return
    st.caption(f"{hmap.final_loss.size:,} trajectories in {hmap.seconds:.2f} s")
    pick = st.plotly_chart(
        hparam_figure(hmap, metric), key="chart_hparams", theme=None, on_select="rerun", selection_mode="points"
    )
    point = _clicked_point(pick)
    if point is not None and st.session_state.get("last_hparam_pick") != point:
        st.session_state["last_hparam_pick"] = point
        i = int(abs(hmap.y_values - point[1]).argmin())
        j = int(abs(hmap.x_values - point[0]).argmin())
        request_load(
            analysis.apply_setting(scene, analysis.setting_at(hmap, i, j)), caption="Setting loaded from the map."
        )


def arena_tab(scene: Scene) -> None:
    ui_arena.arena_tab(scene, sweep_cache(), request_load, _run_sweep)


def claims_tab() -> None:
    st.caption(
        "Each claim of the paper's Section 4.1 as a measurable criterion, judged on the paper's settings. "
        + ROBUSTNESS_EXPLAINED
    )
    if not st.toggle("Check the claims (about a minute the first time)", key="claims_on"):
        return
    verdicts = _run_sweep("Checking the claims…", lambda p: cached_claims(_progress=p))
    if verdicts is None:
        return
    st.markdown(claims_markdown(verdicts))
    for verdict in verdicts:
        title = f"{verdict.claim.id} ({verdict.claim.figure}) — {verdict.verdict} · {robustness_text(verdict)}"
        with st.expander(title):
            st.markdown(f"**The paper:** {markdown_text(verdict.claim.text)}")
            st.markdown(f"**Measured as:** {markdown_text(verdict.claim.measure)}")
            st.markdown("**Here, at the paper's η0:**\n" + "\n".join(f"- {item}" for item in reason_items(verdict)))
            st.plotly_chart(claims_figure(verdict), key=f"chart_claim_{verdict.claim.id}", theme=None)


def share_link(scene: Scene) -> str:
    """A link that reopens this scene as it is viewed on the Paths tab (log scales, loss view, camera)."""
    base = (st.context.url or "").split("?")[0]
    if base and not base.endswith("/"):
        base += "/"
    view = viewstate.write(current_view(scene)._replace(tab=None), default_view(scene))
    return base + "?" + urllib.parse.urlencode({"s": scene_to_query(scene), **view}, safe=",")


def _forget_unless(key: str, options: Any) -> None:
    """Drops a kept choice that the current scene no longer offers (its widget then shows its first option)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def keep_tab_settings() -> None:
    """Keeps the settings of tabs that this run will not draw (Streamlit's documented idiom: assigning a
    widget's value to its own key makes it Session State's, which outlives the widget)."""
    kept = [key for tab in TABS for key in tab.keeps]
    prefixes = tuple(key for key in kept if key.endswith("."))
    for key in list(st.session_state.keys()):
        if key in kept or key.startswith(prefixes):
            st.session_state[key] = st.session_state[key]


def show_caption(scene: Scene) -> None:
    """The caption of what was loaded: a preset's (its claims in an expander), or a one-line note. Once the
    scene is edited, a preset's observations may no longer hold: a line says where it came from instead."""
    current = st.session_state.get("caption_scene") in (None, scene.to_json())
    preset = PRESETS.get(st.session_state.get("caption_preset") or "")
    if preset is None:
        if current and st.session_state.get("caption"):
            st.info(st.session_state["caption"])
    elif current:
        st.info(f"**{preset.name}.** {preset.summary}")
        if preset.paper_claims:
            with st.expander("What the paper claims, and what holds here"):
                st.markdown(" ".join(part for part in (preset.paper_claims, preset.observed) if part))
    else:
        st.caption(f"Edited from **{preset.name}.** Load the preset again to see it as described.")


def main_area(values: dict[str, Any], slots: dict[str, Any]) -> None:
    """The title, the caption and the tabs of the Scene the widget ``values`` describe."""
    st.title("Optimizers and learning-rate schedules on 2-D surfaces")
    if "load_error" in st.session_state:
        st.warning(st.session_state.pop("load_error"))
    caption_slot = st.container()
    scene = current_scene(values, slots)
    preset_picker(slots["preset"], scene)
    with caption_slot:
        show_caption(scene)
    if scene.task is not None:  # a network trained on data: its own views (ui/tasks.py)
        ui_tasks.task_page(scene, share_link(scene))
        sync_link(scene)
        return
    result = simulate(scene.to_json())
    surface = landscapes.SURFACES[scene.surface.id]
    grid = grid_for(scene.surface.id, json.dumps(scene.surface.params, sort_keys=True), surface.window)
    log_z = st.session_state.get(f"log_z.{scene.surface.id}", surface.log_z)
    shown = Shown(scene, result, grid, log_z, values)
    # Only the open tab runs (``on_change="rerun"``): a slider move redraws what is on screen, not the
    # playback's 100 frames or the internals of every run behind other tabs.
    containers = st.tabs([tab.name for tab in TABS], key="tab", on_change="rerun")
    for tab, container in zip(TABS, containers, strict=True):
        if container.open is not False:  # None: a Streamlit that does not track tabs runs them all
            with container:
                tab.draw(shown)
    sync_link(scene)


class Shown(NamedTuple):
    """What the tabs draw from: the scene, its run, the surface on a grid, and the widget values."""

    scene: Scene
    result: Result
    grid: Any
    log_z: bool
    values: dict[str, Any]


class Tab(NamedTuple):
    """One tab of the page."""

    name: str
    draw: Callable[[Shown], None]
    # Widget keys of the settings made in the tab (a key ending in "." stands for every key it starts).
    # Streamlit forgets a widget's value on a run that does not draw it, and hidden tabs are not drawn:
    # ``keep_tab_settings`` hands these back to Session State at the start of every run.
    keeps: tuple[str, ...] = ()


TABS = (
    Tab("Paths", lambda s: paths_tab(s.scene, s.result, s.grid, s.values), ("loss_kind", "log_y", "log_z.", "loss_x")),
    Tab("Playback", lambda s: playback_tab(s.result, s.grid, s.log_z)),
    Tab("Inside the optimizer", lambda s: inside_tab(s.scene), ("inside_run",)),
    Tab(
        "Export & share",
        lambda s: export_tab(s.scene, s.result, s.grid, s.log_z),
        (
            "export_layout",
            "export_view",
            "export_size.",
            "export_width",
            "export_height",
            "export_scale.",
            "export_dpi",
            "export_camera",
        ),
    ),
    Tab(
        "LR search",
        lambda s: lr_search_tab(s.scene),
        ("search_candidates", "search_objective", "search_mode", "search_low", "search_high", "search_on"),
    ),
    Tab("Arena", lambda s: arena_tab(s.scene), ui_arena.KEYS),
    Tab("Basins", lambda s: basins_tab(s.scene), ("basins_resolution", "basins_on")),
    Tab(
        "Hyperparameters",
        lambda s: hparams_tab(s.scene),
        ("hparams_y", "hparams_resolution", "hparams_metric", "hparams_on"),
    ),
    Tab("Paper claims", lambda s: (claims_tab(), ui_tasks.task_claims_section()), ("claims_on", "task_claims_on")),
    Tab(
        "Real network",
        lambda s: ui_tasks.network_tab(s.scene, lambda scene, caption: load_scene(scene, caption=caption)),
        ("net.", ui_tasks.PREFIX),
    ),
)


def main() -> None:
    keep_tab_settings()
    init_state()
    main_area(*sidebar())


main()
