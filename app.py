"""The page: pick a surface, optimizers and schedules; see every path, LR curve and loss trace.

A thin script over the pure packages: widgets build a Scene, the engine runs it, the
figures package draws it. Caching lives here only.
"""

from __future__ import annotations

import json

import streamlit as st

import landscapes
import optimizers
import schedules
from engine import export
from engine.scene import Scene, SceneError
from engine.simulate import Result, run
from figures import contour_figure, loss_figure, lr_figure, surface_figure, surface_grid

st.set_page_config(page_title="LR landscapes", page_icon="⛰️", layout="wide")

DEFAULT_SCHEDULES = ["constant_lr", "step_lr", "cosine_lr", "cosineclr_lr", "lwarmcosine_lr"]


@st.cache_data(max_entries=64, show_spinner="Running every trajectory in one compiled batch…")
def simulate(scene_json: str) -> Result:
    return run(Scene.from_json(scene_json))


@st.cache_data(max_entries=32, show_spinner=False)
def grid_for(surface_id: str, params_json: str, window: tuple) -> object:
    return surface_grid(surface_id, json.loads(params_json), window)


def sidebar() -> Scene:
    st.sidebar.header("Experiment")
    surface_id = st.sidebar.selectbox(
        "Surface",
        list(landscapes.SURFACES),
        index=list(landscapes.SURFACES).index("rosenbrock"),
        format_func=lambda i: landscapes.SURFACES[i].name,
        key="surface",
    )
    surface = landscapes.SURFACES[surface_id]
    st.sidebar.caption(surface.description)
    x0, y0 = surface.starts[0]
    col_x, col_y = st.sidebar.columns(2)
    start_x = col_x.number_input("start x", value=float(x0), format="%.3f", key=f"start_x_{surface_id}")
    start_y = col_y.number_input("start y", value=float(y0), format="%.3f", key=f"start_y_{surface_id}")
    optimizer_id = st.sidebar.selectbox(
        "Optimizer", list(optimizers.OPTIMIZERS), format_func=lambda i: optimizers.OPTIMIZERS[i].name, key="optimizer"
    )
    chosen = st.sidebar.multiselect(
        "Schedules",
        list(schedules.SCHEDULES),
        default=DEFAULT_SCHEDULES,
        format_func=lambda i: schedules.SCHEDULES[i].name,
        key="schedules",
    )
    lr = st.sidebar.number_input("Base LR η0", min_value=1e-6, max_value=10.0, value=1e-3, format="%.5f", key="lr")
    steps = st.sidebar.slider("Steps T", 10, 2000, 500, key="steps")
    clip = st.sidebar.number_input("Clip gradient norm (0 = off)", 0.0, 100.0, 1.0, key="clip")
    return Scene.build(
        {
            "surface": {"id": surface_id},
            "starts": [[start_x, start_y]],
            "optimizers": [{"id": optimizer_id}],
            "schedules": [{"id": s} for s in chosen] or [{"id": "constant_lr"}],
            "lr": lr,
            "steps": steps,
            "clip": clip or None,
        }
    )


def main() -> None:
    st.title("Optimizers and learning-rate schedules on 2-D surfaces")
    try:
        scene = sidebar()
    except SceneError as error:
        st.error(f"That setting is not allowed: {error}")
        st.stop()
    result = simulate(scene.to_json())
    surface = landscapes.SURFACES[scene.surface.id]
    grid = grid_for(scene.surface.id, json.dumps(scene.surface.params, sort_keys=True), surface.window)
    log_z = st.toggle("log-scale surface", value=surface.log_z, key="log_z")
    left, right = st.columns([3, 2])
    left.plotly_chart(surface_figure(result, grid, log_z=log_z), key="chart_3d", theme=None)
    right.plotly_chart(contour_figure(result, grid, log_z=log_z), key="chart_contour", theme=None)
    a, b = st.columns(2)
    a.plotly_chart(lr_figure(result), key="chart_lr", theme=None)
    b.plotly_chart(loss_figure(result), key="chart_loss", theme=None)
    st.download_button("Trajectories (CSV)", export.csv_text(result), "trajectories.csv", "text/csv", key="dl_csv")
    st.download_button("Scene (JSON)", scene.to_json(), "scene.json", "application/json", key="dl_scene")


main()
