"""The page's pieces for a task (a network trained on data): the sidebar's task controls, the views of a task scene,
a tab that trains a surface scene's optimizers and schedules on a network, and the claims C15–C18.

``app.py`` calls :func:`task_page` instead of the surface's tabs when the scene has a task, :func:`network_tab`
from its "Real network" tab, and :func:`task_claims_section` from its claims tab; the sidebar calls
:func:`task_controls` (the widget keys are :mod:`ui.task_state`'s). Caching lives here, keyed by the Scene's
JSON, as the page's own does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from engine.scene import MAX_SEEDS, Scene, SceneError
from figures import export as figure_export
from figures import tasks as figures_tasks
from figures.views import TASK_VIEWS, TaskViewOptions
from tasks import export as task_export
from tasks.registry import TASKS
from tasks.run import run_scene
from tasks.trainer import TrainResult
from ui import task_state
from ui.widgets import param_widgets, registry_select

PREFIX = "taskview."  # every widget key of the task views starts with it (app.py keeps them across tabs)
RESOLUTIONS = (21, 31, 41, 61)


# --- cached work (arguments are JSON strings and plain values) --------------------------------------------------


@st.cache_data(max_entries=8, show_spinner="Training every run in one compiled batch…")
def trained(scene_json: str) -> TrainResult:
    return run_scene(Scene.from_json(scene_json))


@st.cache_data(max_entries=16, show_spinner="Evaluating the loss on the slice…")
def landscape_view(
    scene_json: str, run: int, directions: str, fit: str, resolution: int, split: str
) -> figures_tasks.LandscapeView:
    return figures_tasks.landscape_data(
        trained(scene_json), run, directions=directions, fit=fit, resolution=resolution, split=split
    )


@st.cache_data(max_entries=16, show_spinner=False)
def sharpness_of(scene_json: str, run: int) -> Any:
    from tasks.landscape import sharpness

    result = trained(scene_json)
    return sharpness(result.problem, result.final_weights(run), 1.0)


@st.cache_data(max_entries=16, show_spinner=False)
def interpolation_view(scene_json: str, run: int, other: int | None) -> figures_tasks.InterpolationView:
    return figures_tasks.interpolation_data(trained(scene_json), run, other)


# --- the sidebar: which task, its parameters, the seeds -------------------------------------------------------


def task_controls(container: Any, steps: int) -> None:
    """The task picker, the task's parameters and the seeds (keys: :mod:`ui.task_state`). Draw it only while the
    scene is a task's: the picker needs an id, so a missing one becomes the first task, and missing seeds ``0``."""
    if st.session_state.get("task") not in TASKS:
        st.session_state["task"] = next(iter(TASKS))
    if not st.session_state.get("seeds"):
        st.session_state["seeds"] = "0"
    task_id = registry_select(container, "Task", TASKS, key="task")
    task = TASKS[task_id]
    container.caption(f"{task.description} — {task.reference}")
    with container.expander("Task parameters"):
        param_widgets(st, task.params, lambda name: task_state.task_key(task_id, name), steps)
    container.text_input(
        "Seeds",
        key="seeds",
        help=f"Up to {MAX_SEEDS} integers, e.g. 0, 1, 2: each draws the initial weights and the mini-batches of its "
        "runs; every optimizer and schedule of a seed starts from the same weights and sees the same batches.",
    )


# --- the views of a task scene -----------------------------------------------------------------------------------


def _forget_unless(key: str, options: Any) -> None:
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _run_picker(container: Any, result: TrainResult, label: str, key: str, *, optional: bool = False) -> Any:
    options: list[Any] = ([None] if optional else []) + list(range(result.num_runs))
    _forget_unless(key, options)
    return container.selectbox(
        label,
        options,
        format_func=lambda i: "its own initial weights" if i is None else result.runs[i].name,
        key=key,
    )


def _scale_note(scene: Scene) -> None:
    task = TASKS[scene.task.id]
    st.caption(
        f"**{task.name}**: {scene.task.num_params:,} weights, {scene.num_runs} run(s) of {scene.steps:,} mini-batch "
        f"steps (batch {scene.task.values['batch_size']}), trained together in one compiled program per optimizer "
        "kind. Losses and accuracies are on the whole training and test sets at 101 evenly spaced steps."
    )


def task_page(scene: Scene, link: str) -> None:
    """Every view of a task scene, in tabs (only the open one runs), with its exports and link."""
    _scale_note(scene)
    try:
        result = trained(scene.to_json())
    except (SceneError, ValueError) as error:
        st.error(str(error))
        return
    diverged = [run.name for run in result.runs if result.status_name(run.index) == "diverged"]
    if diverged:
        st.warning(f"Diverged (frozen at their last finite weights): {', '.join(diverged)}.")
    names = ("Curves", "Landscape", "Interpolation", "Playback", "Export & share")
    draws: tuple[Callable[[], None], ...] = (
        lambda: curves_tab(result),
        lambda: landscape_tab(scene, result),
        lambda: interpolation_tab(scene, result),
        lambda: playback_tab(scene, result),
        lambda: export_tab(scene, result, link),
    )
    containers = st.tabs(list(names), key="task_tab", on_change="rerun")
    for container, draw in zip(containers, draws, strict=True):
        if container.open is not False:
            with container:
                draw()


def curves_tab(result: TrainResult) -> None:
    a, b = st.columns(2)
    x = a.radio(
        "Against",
        figures_tasks.X_AXES,
        format_func={"steps": "steps", "grad_evals": "gradient evaluations"}.get,
        horizontal=True,
        key=f"{PREFIX}x",
    )
    log_loss = b.toggle("Log-scale loss", value=True, key=f"{PREFIX}log_loss")
    st.plotly_chart(figures_tasks.curves_figure(result, x=x, log_loss=log_loss), key="chart_task_curves", theme=None)
    st.plotly_chart(figures_tasks.task_lr_figure(result), key="chart_task_lr", theme=None)
    rows = [
        {
            "run": run.name,
            "final train loss": float(result.train_loss[run.index, -1]),
            "final test loss": float(result.test_loss[run.index, -1]),
            "final train accuracy": float(result.train_accuracy[run.index, -1]),
            "final test accuracy": float(result.test_accuracy[run.index, -1]),
            "best test accuracy": float(result.test_accuracy[run.index].max()),
            "status": result.status_name(run.index),
        }
        for run in result.runs
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="task_summary")


def _landscape_settings(result: TrainResult) -> TaskViewOptions:
    a, b, c, d = st.columns([4, 3, 3, 2])
    run = _run_picker(a, result, "Centre: the final weights of", f"{PREFIX}run")
    directions = b.radio(
        "Plane",
        figures_tasks.DIRECTIONS,
        format_func={"pca": "PCA of the paths", "random": "filter-normalised random"}.get,
        horizontal=True,
        key=f"{PREFIX}directions",
    )
    fit = c.radio(
        "PCA fitted to",
        figures_tasks.FITS,
        format_func={"seed": "this run's seed", "all": "every run"}.get,
        horizontal=True,
        key=f"{PREFIX}fit",
        disabled=directions != "pca",
        help="Runs of one seed start from the same weights, so their plane shows how the optimizers and "
        "schedules differ; fitted to every seed, the axes mostly measure how far apart the seeds' solutions lie.",
    )
    resolution = d.select_slider("Grid", RESOLUTIONS, value=41, key=f"{PREFIX}resolution")
    return TaskViewOptions(run=run, directions=directions, fit=fit, resolution=resolution)


def landscape_tab(scene: Scene, result: TrainResult) -> None:
    st.caption(
        "A 2-D slice of the training loss around one run's final weights (Li et al. 2018): along the first two "
        "principal directions of the weight paths, with the paths projected on the plane and the share of their "
        "movement each direction explains on its axis; or along two random directions scaled filter by filter to "
        "the weights (biases left out)."
    )
    options = _landscape_settings(result)
    try:
        view = landscape_view(
            scene.to_json(), options.run, options.directions, options.fit, options.resolution, "train"
        )
    except ValueError as error:
        st.error(str(error))
        return
    left, right = st.columns(2)
    left.plotly_chart(figures_tasks.landscape_contour(view), key="chart_task_contour", theme=None)
    right.plotly_chart(figures_tasks.landscape_surface(view), key="chart_task_surface", theme=None)
    if options.directions == "pca":
        st.caption(
            f"The plane shows {view.explained.sum():.0%} of the fitted paths' variance; the 3-D paths sit at the loss "
            "of their recorded weights, above or below the plane's surface by what the plane leaves out."
        )
    else:
        sharp = sharpness_of(scene.to_json(), options.run)
        st.caption(
            f"Sharpness: one filter-normalised unit away from the centre (the slice's edge), along eight random "
            f"directions both ways, the training loss rises by {sharp.mean_rise:.3g} on average (from "
            f"{sharp.center_loss:.3g}). Compare runs, or the two sharp-vs-flat presets, by this number."
        )


def interpolation_tab(scene: Scene, result: TrainResult) -> None:
    st.caption(
        "The loss on the straight line between two weight vectors (Goodfellow et al. 2015): from a run's initial "
        "to its final weights (a barrier on the way means training went around it), or between two runs' final "
        "weights (no barrier: the two minima lie in one valley)."
    )
    a, b = st.columns(2)
    run = _run_picker(a, result, "From (α = 0) the weights of", f"{PREFIX}interp_run")
    other = _run_picker(b, result, "To (α = 1) the final weights of", f"{PREFIX}interp_other", optional=True)
    if other == run:
        other = None
    view = interpolation_view(scene.to_json(), run, other)
    st.plotly_chart(figures_tasks.interpolation_figure(view), key="chart_task_interpolation", theme=None)


def playback_tab(scene: Scene, result: TrainResult) -> None:
    st.caption("Press ▶ or drag the slider: one marker per run moves along its path on the PCA plane.")
    options = _landscape_settings(result)
    view = landscape_view(scene.to_json(), options.run, "pca", options.fit, options.resolution, "train")
    st.plotly_chart(figures_tasks.playback_figure(view), key="chart_task_playback", theme=None)


def export_tab(scene: Scene, result: TrainResult, link: str) -> None:
    st.subheader("Images for slides and papers")
    view_col, w_col, h_col, s_col = st.columns([3, 2, 2, 2])
    stills = [view.id for view in TASK_VIEWS.values() if not view.animated]
    view_id = view_col.selectbox("View", stills, format_func=lambda v: TASK_VIEWS[v].name, key=f"{PREFIX}export")
    width = w_col.number_input("width (px)", 200, 4000, 1200, step=100, key=f"{PREFIX}width")
    height = h_col.number_input("height (px)", 200, 4000, 800, step=100, key=f"{PREFIX}height")
    scale = s_col.number_input("scale", 1.0, 4.0, 2.0, step=0.5, key=f"{PREFIX}scale")
    options = TaskViewOptions(
        run=st.session_state.get(f"{PREFIX}run") or 0,
        directions=st.session_state.get(f"{PREFIX}directions", "pca"),
        fit=st.session_state.get(f"{PREFIX}fit", "seed"),
        resolution=st.session_state.get(f"{PREFIX}resolution", 41),
    )
    st.caption("Landscape views use the landscape tab's settings.")

    def figure() -> Any:
        return TASK_VIEWS[view_id].draw(result, options)

    b1, b2, b3 = st.columns(3)
    b1.download_button(
        "PNG",
        lambda: figure_export.to_png(figure(), width, height, scale),
        f"{scene.task.id}-{view_id}.png",
        "image/png",
        key="dl_task_png",
        on_click="ignore",
        width="stretch",
    )
    b2.download_button(
        "SVG",
        lambda: figure_export.to_svg(figure(), width, height),
        f"{scene.task.id}-{view_id}.svg",
        "image/svg+xml",
        key="dl_task_svg",
        on_click="ignore",
        width="stretch",
    )
    b3.download_button(
        "Interactive HTML",
        lambda: figure_export.to_html(figure()),
        f"{scene.task.id}-{view_id}.html",
        "text/html",
        key="dl_task_html",
        on_click="ignore",
        width="stretch",
    )
    st.subheader("Animation")
    if st.button("Render animated GIF of the playback", key="task_make_gif"):
        bar = st.progress(0.0, text="Rendering frames…")
        view = landscape_view(scene.to_json(), options.run, "pca", options.fit, options.resolution, "train")
        gif = figures_tasks.playback_gif(view, progress=lambda i, n: bar.progress(i / n, text=f"Frame {i} of {n}"))
        bar.empty()
        st.session_state["task_gif"] = gif
    if st.session_state.get("task_gif"):
        st.download_button("Download GIF", st.session_state["task_gif"], "playback.gif", "image/gif", key="dl_task_gif")
    st.subheader("Data")
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Curves (CSV)",
        lambda: task_export.csv_text(result),
        "runs.csv",
        "text/csv",
        key="dl_task_csv",
        on_click="ignore",
        width="stretch",
        help="One row per run per recorded step: " + ",".join(task_export.CSV_COLUMNS),
    )
    d2.download_button(
        "Curves (JSON)",
        lambda: task_export.json_text(result),
        "runs.json",
        "application/json",
        key="dl_task_json",
        on_click="ignore",
        width="stretch",
    )
    d3.download_button(
        "Scene (JSON)",
        scene.to_json(),
        "scene.json",
        "application/json",
        key="dl_task_scene",
        on_click="ignore",
        width="stretch",
        help="Open it here again (sidebar → Scene file) or run: python cli.py run --scene scene.json",
    )
    st.subheader("Share")
    st.caption("This link reopens exactly this experiment.")
    st.code(link, language=None, wrap_lines=True)


# --- a surface scene's optimizers and schedules on a network ------------------------------------------------------


def companion_scene(scene: Scene, task_id: str, seeds: tuple[int, ...] = (0,)) -> Scene:
    """The scene's optimizers and schedules on a task, with the task's own η0, steps and no clipping (a surface's
    η0 means nothing on a network: its scale is the surface's). A schedule's own η0 is dropped for that reason."""
    data = scene.to_dict()
    schedules = [{key: value for key, value in entry.items() if key != "lr"} for entry in data["schedules"]]
    return Scene.build(
        {
            "task": {"id": task_id},
            "seeds": list(seeds),
            "optimizers": data["optimizers"],
            "schedules": schedules,
            "dtype": data["dtype"],
        }
    )


def network_tab(scene: Scene, load: Callable[[Scene, str], None]) -> None:
    """The "Real network" tab of a surface scene: its optimizers and schedules trained on a small network."""
    st.caption(
        "The same optimizers and schedules on a real, if small, network: the loss of a classifier over thousands "
        "of weights instead of a formula in x and y. Each task trains with its own η0 and length (the surface's "
        "η0 is set for the surface's scale), one seed."
    )
    if scene.task is not None:
        st.info("This scene trains a network already: its views are above.")
        return
    a, b = st.columns([3, 2])
    task_id = registry_select(a, "Task", TASKS, key="net.task")
    try:
        companion = companion_scene(scene, task_id).check_page_budget()
    except SceneError as error:
        st.error(f"These optimizers and schedules cannot train {task_id} on the page: {error}")
        return
    b.button(
        "Open it as the experiment",
        key="open_network",
        on_click=lambda: load(companion, f"{TASKS[task_id].name}: the optimizers and schedules of the surface scene."),
        help="Loads this network scene into the page: every view of it, its exports and its link.",
        width="stretch",
    )
    if not st.toggle(f"Train them on {TASKS[task_id].name}", key="net.on"):
        return
    _scale_note(companion)
    result = trained(companion.to_json())
    st.plotly_chart(figures_tasks.curves_figure(result, height=520), key="chart_net_curves", theme=None)
    view = landscape_view(companion.to_json(), 0, "pca", "seed", 41, "train")
    st.plotly_chart(figures_tasks.landscape_contour(view), key="chart_net_contour", theme=None)


# --- the claims C15–C18 ------------------------------------------------------------------------------------------


@st.cache_resource
def _claims_cache() -> dict[str, Any]:
    return {}


def task_claims_section() -> None:
    """Section 4.2's claims checked on the digits MLP, below Section 4.1's."""
    from analysis import task_claims
    from figures.tasks import task_claim_figure

    st.subheader("Section 4.2 (C15–C18), at the scale of this machine")
    st.caption(task_claims.SCALE_NOTE)
    if not st.toggle("Check C15–C18 (about half a minute the first time)", key="task_claims_on"):
        return
    cache = _claims_cache()
    if "verdicts" not in cache:
        bar = st.progress(0.0, text="Training the claims' runs…")
        try:
            cache["verdicts"] = task_claims.check_all(
                progress=lambda f, text: bar.progress(min(max(float(f), 0.0), 1.0), text=text)
            )
        finally:
            bar.empty()
    verdicts = cache["verdicts"]
    st.dataframe(pd.DataFrame(task_claims.claims_table(verdicts)), hide_index=True, width="stretch")
    for verdict in verdicts:
        with st.expander(f"{verdict.claim.id} — {verdict.verdict} (robustness {verdict.robustness:.0%})"):
            st.write(verdict.claim.text)
            st.caption(verdict.reason)
            st.plotly_chart(task_claim_figure(verdict), key=f"chart_claim_{verdict.claim.id}", theme=None)
