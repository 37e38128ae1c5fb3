"""Surfaces with paths on them, LR curves and loss traces (Liu & Zhang 2023, Section 4.1, Figs. 3 and 5–7).

Two stages, as in Optuna's visualisation module: a pure function computes the data
(``surface_grid``, ``short_labels``, ``distance_to_minimizer``), a small one turns data into a
figure. Every figure takes its Plotly template explicitly; nothing is set process-wide (a
Streamlit server is shared by every user).

One colour per trajectory everywhere (``run_colors``): the 3-D view, the contour, the LR and
loss curves and the playback all agree, so a reader can follow a run across figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import plotly.graph_objects as go

import landscapes
from common.lru import LRU
from engine.simulate import CONVERGED, DIVERGED, Result
from figures import theme
from figures.theme import PALETTE

TEMPLATE = theme.TEMPLATE  # the look is plotly_white, applied by figures.theme
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14}  # readable on a projector and in a paper
MAX_POINTS_PER_PATH = 600  # what the browser gets; exports keep every step
MAX_POINTS_PER_CURVE = 2000
PICK_RESOLUTION = 60  # clickable points per axis of the invisible picking grid
LABEL_SEPARATOR = " · "
# Marker symbols of the known special points, shared by the contour, the playback and the GIF.
POINT_STYLES = (  # (field of landscapes.Points, legend name, symbol, fill); outlines are black
    ("minimizers", "minimizer", "star", "white"),
    ("local_minimizers", "local minimizer", "star", "#AAAAAA"),
    ("saddles", "saddle", "x", "white"),
)


class SurfaceGrid(NamedTuple):
    x: np.ndarray  # [nx]
    y: np.ndarray  # [ny]
    z: np.ndarray  # [ny, nx], finite


def surface_grid(
    surface_id: str, params: dict, window: tuple[tuple[float, float], tuple[float, float]], resolution: int = 120
) -> SurfaceGrid:
    """Evaluates the surface on a ``resolution × resolution`` grid of the window."""
    (xmin, xmax), (ymin, ymax) = window
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = jnp.asarray(np.stack([gx.ravel(), gy.ravel()], axis=-1), jnp.float32)
    fn = _batched_fn(surface_id, tuple(sorted(params.items())))
    z = np.asarray(fn(points), np.float64).reshape(gy.shape)
    z = np.nan_to_num(z, nan=np.nanmax(z[np.isfinite(z)]) if np.isfinite(z).any() else 0.0)
    return SurfaceGrid(xs, ys, z)


_SURFACE_FUNCTIONS: LRU[Callable] = LRU(64)  # compiled surface functions, by surface and parameters


def _batched_fn(surface_id: str, params: tuple):
    def compile_surface() -> Callable:
        surface = landscapes.SURFACES[surface_id]
        values = landscapes_params(surface, dict(params))
        return jax.jit(jax.vmap(lambda xy: surface.fn(xy, **values)))

    return _SURFACE_FUNCTIONS.get((surface_id, params), compile_surface)


def landscapes_params(surface, params: dict) -> dict:
    from common.params import resolve_params

    return resolve_params(surface.params, params, 1)


def special_points(result: Result) -> landscapes.Points:
    """The known minimizers, saddles and target of the result's surface, for its parameters."""
    surface = landscapes.SURFACES[result.scene.surface.id]
    return landscapes.critical_points(surface, landscapes_params(surface, result.scene.surface.params))


def run_colors(result: Result) -> list[str]:
    """The colour of every trajectory, the same in every figure."""
    return [PALETTE[i % len(PALETTE)] for i in range(result.num_runs)]


def decimate(num_points: int, limit: int = MAX_POINTS_PER_PATH) -> np.ndarray:
    """Indices of at most ``limit`` evenly spread points, always keeping the first and last."""
    if num_points <= limit:
        return np.arange(num_points)
    return np.unique(np.linspace(0, num_points - 1, limit).round().astype(int))


# --- Labels ------------------------------------------------------------------------------------------


def _label_parts(result: Result) -> list[tuple[str, str, str]]:
    return [
        (label.schedule, label.optimizer, f"start ({label.origin[0]:g}, {label.origin[1]:g})") for label in result.runs
    ]


def short_labels(result: Result) -> list[str]:
    """Each run's name (schedule · optimizer · start) without the parts every run shares.

    With a single run, or when every part is shared, the full name is kept. Runs whose
    remaining parts coincide get their index appended (``#3``) so that legends stay unique.

    Example: schedules constant_lr and cosine_lr, both SGD from (−2, 2.5) give
    ``["constant_lr", "cosine_lr"]``; ``shared_label`` gives ``"sgd · start (-2, 2.5)"``.
    """
    parts = _label_parts(result)
    if not parts:
        return []
    varying = [k for k in range(3) if len({p[k] for p in parts}) > 1]
    if not varying:
        labels = [LABEL_SEPARATOR.join(p) for p in parts]
    else:
        labels = [LABEL_SEPARATOR.join(p[k] for k in varying) for p in parts]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return [f"{label} #{i}" if counts[label] > 1 else label for i, label in enumerate(labels)]


def shared_label(result: Result) -> str:
    """The parts of the run names that every run shares (``""`` when none is shared)."""
    parts = _label_parts(result)
    if not parts:
        return ""
    return LABEL_SEPARATOR.join(parts[0][k] for k in range(3) if len({p[k] for p in parts}) == 1)


def _legend_title(result: Result) -> str:
    return shared_label(result) if result.num_runs > 1 else ""


# --- Shared pieces -----------------------------------------------------------------------------------


def _log_z(z: np.ndarray, floor: float) -> np.ndarray:
    return np.log10(np.maximum(z - floor, 0.0) + 1e-3)


def _z_transform(result: Result, log_z: bool, grid: SurfaceGrid) -> tuple[Callable[[Any], np.ndarray], str]:
    floor = float(np.min(grid.z))
    if log_z:
        return lambda z: _log_z(np.asarray(z), floor), "log₁₀(f − f<sub>min</sub> + 10⁻³)"
    return lambda z: np.asarray(z), "f(x, y)"


def _layout(title: str, height: int, legend_title: str = "", *, show_legend: bool = True, **parts: Any) -> dict:
    """The layout every figure shares (title, font, legend below), the theme under it, ``parts`` over it."""
    shared = {
        "font": FONT,
        "height": height,
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        "showlegend": show_legend,
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.18,
            "x": 0,
            "title": {"text": legend_title, "side": "top"},
            "font": {"size": 13},
        },
        "hoverlabel": {"font": {"size": 13}},
    }
    return theme.layout(**theme.merge(shared, parts))


def _end_symbol(result: Result, run: int) -> str:
    return "x" if int(result.status[run]) == DIVERGED else "diamond"


def path_traces_2d(
    result: Result, run: int, color: str, label: str, *, showlegend: bool = True, xaxis: str = "x", yaxis: str = "y"
) -> list[go.Scatter]:
    """The path of one run on the contour (line) and its start (circle) and end (diamond; × if it diverged)."""
    keep = decimate(result.positions.shape[1])
    path = result.positions[run, keep]
    ends = result.positions[run, [0, -1]]
    return [
        go.Scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines",
            line={"color": color, "width": 2.5},
            name=label,
            legendgroup=str(run),
            showlegend=showlegend,
            text=keep,
            xaxis=xaxis,
            yaxis=yaxis,
            hovertemplate="step %{text}<br>x=%{x:.4g}, y=%{y:.4g}<extra>" + label + "</extra>",
        ),
        go.Scatter(
            x=ends[:, 0],
            y=ends[:, 1],
            mode="markers",
            legendgroup=str(run),
            showlegend=False,
            name=label,
            marker={
                "color": color,
                "size": [10, 12],
                "symbol": ["circle", _end_symbol(result, run)],
                "line": {"color": "white", "width": 1.5},
            },
            text=["start", f"end ({result.status_name(run)})"],
            xaxis=xaxis,
            yaxis=yaxis,
            cliponaxis=False,  # a start on the window's edge (Fig. 5: x = −2) stays a whole circle
            hovertemplate="%{text}<br>x=%{x:.4g}, y=%{y:.4g}<extra>" + label + "</extra>",
        ),
    ]


def path_traces_3d(
    result: Result, run: int, color: str, label: str, z_of: Callable[[Any], np.ndarray], lift: float, scene: str
) -> list[go.Scatter3d]:
    """The path of one run on the 3-D surface, lifted a little so it stays visible, with start and end."""
    keep = decimate(result.positions.shape[1])
    path = result.positions[run, keep]
    z = z_of(result.loss[run, keep]) + lift
    return [
        go.Scatter3d(
            x=path[:, 0],
            y=path[:, 1],
            z=z,
            mode="lines",
            line={"color": color, "width": 5},
            name=label,
            legendgroup=str(run),
            showlegend=False,
            text=keep,
            scene=scene,
            hovertemplate="step %{text}<br>x=%{x:.4g}, y=%{y:.4g}<extra>" + label + "</extra>",
        ),
        go.Scatter3d(
            x=path[[0, -1], 0],
            y=path[[0, -1], 1],
            z=z[[0, -1]],
            mode="markers",
            legendgroup=str(run),
            showlegend=False,
            name=label,
            scene=scene,
            hoverinfo="skip",
            marker={"color": color, "size": [5, 6], "symbol": ["circle", _end_symbol(result, run)]},
        ),
    ]


def point_traces(result: Result, *, xaxis: str = "x", yaxis: str = "y") -> list[go.Scatter]:
    """Legend entries and markers for the known minimizers, local minimizers, saddles and target."""
    points = special_points(result)
    traces = []
    # The target first: where it sits on a minimizer (peaks_ref: 0.03 away), the star stays on top.
    if points.target is not None and tuple(points.target) not in {tuple(p) for p in points.minimizers}:
        traces.append(
            go.Scatter(
                x=[points.target[0]],
                y=[points.target[1]],
                mode="markers",
                name="target (distances measured to)",
                legendgroup="target",
                xaxis=xaxis,
                yaxis=yaxis,
                marker={"symbol": "circle-x", "size": 14, "color": "white", "line": {"color": "black", "width": 1.5}},
                hovertemplate="target<br>x=%{x:.4g}, y=%{y:.4g}<extra></extra>",
            )
        )
    for field, kind, symbol, fill in POINT_STYLES:
        coords = getattr(points, field)
        if coords:
            arr = np.asarray(coords, float)
            traces.append(
                go.Scatter(
                    x=arr[:, 0],
                    y=arr[:, 1],
                    mode="markers",
                    name=kind,
                    legendgroup=kind,
                    xaxis=xaxis,
                    yaxis=yaxis,
                    marker={"symbol": symbol, "size": 14, "color": fill, "line": {"color": "black", "width": 1.5}},
                    hovertemplate=kind + "<br>x=%{x:.4g}, y=%{y:.4g}<extra></extra>",
                )
            )
    return traces


def pick_grid_trace(grid: SurfaceGrid, resolution: int = PICK_RESOLUTION) -> go.Scatter:
    """An invisible scatter grid over the window: a click on the contour then selects its nearest point.

    Streamlit's ``on_select`` returns points of scatter traces only, never of a bare contour.
    """
    xs = np.linspace(grid.x[0], grid.x[-1], resolution)
    ys = np.linspace(grid.y[0], grid.y[-1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return go.Scatter(
        x=gx.ravel(),
        y=gy.ravel(),
        mode="markers",
        marker={"size": 8, "opacity": 0},
        hoverinfo="none",
        name="pick",
        showlegend=False,
        # stay invisible once a point is selected (Plotly would otherwise restyle them)
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
    )


def contour_trace(grid: SurfaceGrid, z: np.ndarray, z_title: str, **colorbar: Any) -> go.Contour:
    return go.Contour(
        x=grid.x,
        y=grid.y,
        z=z,
        colorscale="Viridis",
        ncontours=30,
        showscale=True,
        hoverinfo="skip",
        # On top: Plotly places a side title by a first guess of the tick labels and can overlap "−0.4".
        colorbar={
            **theme.COLORBAR,
            "title": {"text": z_title.replace(" + 10", "<br>+ 10"), "side": "top"},
            "thickness": 14,
            **colorbar,
        },
        name="surface",
        line={"width": 0.5},
        showlegend=False,
    )


def surface_trace(grid: SurfaceGrid, z: np.ndarray, scene: str = "scene") -> go.Surface:
    return go.Surface(
        x=grid.x,
        y=grid.y,
        z=z,
        colorscale="Viridis",
        opacity=0.82,
        showscale=False,
        name="surface",
        hoverinfo="skip",
        scene=scene,
        contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}, "width": 1}},
    )


_TICKS_3D = {"nticks": 5, "tickfont": {"size": 11}}


def scene_axes(grid: SurfaceGrid, z_title: str) -> dict:
    return {
        # Few ticks, a size smaller: the three axes meet in one corner, where full-size ticks overlap.
        "xaxis": {"title": {"text": "x"}, "range": [float(grid.x[0]), float(grid.x[-1])], **_TICKS_3D},
        "yaxis": {"title": {"text": "y"}, "range": [float(grid.y[0]), float(grid.y[-1])], **_TICKS_3D},
        "zaxis": {"title": {"text": z_title, "font": {"size": 13}}, **_TICKS_3D},
        "aspectmode": "manual",
        "aspectratio": {"x": 1.2, "y": 1.2, "z": 0.7},
        "camera": {"eye": {"x": 1.6, "y": 1.6, "z": 1.25}},  # Plotly's view, a step back: labels fit
    }


def plane_axes(grid: SurfaceGrid) -> tuple[dict, dict]:
    """Fixed x and y ranges (the window), so paths and picked points never rescale the view."""
    return (
        {"title": {"text": "x"}, "range": [float(grid.x[0]), float(grid.x[-1])], "constrain": "domain"},
        {"title": {"text": "y"}, "range": [float(grid.y[0]), float(grid.y[-1])], "constrain": "domain"},
    )


def path_lift(z: np.ndarray) -> float:
    """How far paths float above the 3-D surface: 1 % of its height range, so they are not hidden in it."""
    return 0.01 * float(np.ptp(z) or 1.0)


# --- Figures -----------------------------------------------------------------------------------------


def surface_figure(
    result: Result, grid: SurfaceGrid, *, log_z: bool = False, runs: Sequence[int] | None = None, height: int = 600
) -> go.Figure:
    """The 3-D surface with a contour on the floor and every path on it; start (circle) and end (diamond).

    Traces: the surface, then two per run (path, start/end markers).
    """
    transform, z_title = _z_transform(result, log_z, grid)
    colors = run_colors(result)
    labels = short_labels(result)
    z = transform(grid.z)
    data: list[Any] = [surface_trace(grid, z)]
    lift = path_lift(z)
    for i in runs if runs is not None else range(result.num_runs):
        traces = path_traces_3d(result, i, colors[i], labels[i], transform, lift, "scene")
        traces[0].showlegend = True
        data.extend(traces)
    surface_name = landscapes.SURFACES[result.scene.surface.id].name
    layout = _layout(
        f"{surface_name}: paths on the surface",
        height,
        _legend_title(result),
        margin={"l": 0, "r": 0, "t": 40, "b": 10},
        scene=scene_axes(grid, z_title),
        legend={"y": 0.0, "yanchor": "top"},
    )
    return go.Figure(data=data, layout=layout)


def contour_figure(
    result: Result,
    grid: SurfaceGrid,
    *,
    log_z: bool = False,
    height: int = 560,
    clickable_grid: bool = False,
    legend: bool = True,
) -> go.Figure:
    """The 2-D contour with every path, the known minimizers (stars), saddles (crosses) and target.

    Traces: the contour, the invisible picking grid when ``clickable_grid``, two per run (path,
    start/end markers), then the special points. Axis ranges are fixed to the window.
    """
    transform, z_title = _z_transform(result, log_z, grid)
    colors = run_colors(result)
    labels = short_labels(result)
    data: list[Any] = [contour_trace(grid, transform(grid.z), z_title)]
    if clickable_grid:
        data.append(pick_grid_trace(grid))
    for i in range(result.num_runs):
        data.extend(path_traces_2d(result, i, colors[i], labels[i]))
    data.extend(point_traces(result))
    xaxis, yaxis = plane_axes(grid)
    surface_name = landscapes.SURFACES[result.scene.surface.id].name
    layout = _layout(
        f"{surface_name}: paths on the contour",
        height,
        _legend_title(result),
        show_legend=legend,
        margin={"l": 60, "r": 10, "t": 45, "b": 50},
        xaxis=xaxis,
        yaxis=yaxis,
        clickmode="event+select" if clickable_grid else "event",
    )
    return go.Figure(data=data, layout=layout)


def _positive(values: np.ndarray) -> np.ndarray:
    """Non-positive values become NaN: a log axis cannot show them (the curve gets a gap instead)."""
    values = np.asarray(values, np.float64)
    return np.where(values > 0, values, np.nan)


LOSS_X_AXES = ("steps", "gradient evaluations")  # what the loss figure's x-axis can count


def _curve_figure(
    result: Result,
    values: np.ndarray,
    title: str,
    y_title: str,
    log_y: bool,
    height: int,
    legend: bool,
    x_values: np.ndarray | None = None,
) -> go.Figure:
    colors = run_colors(result)
    labels = short_labels(result)
    steps = np.arange(values.shape[1])
    keep = decimate(len(steps), MAX_POINTS_PER_CURVE)
    shown = _positive(values) if log_y else values
    xs = np.broadcast_to(steps, values.shape) if x_values is None else x_values
    data = []
    for i in range(result.num_runs):
        data.append(
            go.Scatter(
                x=xs[i, keep],
                y=shown[i, keep],
                mode="lines",
                line={"color": colors[i], "width": 2.2},
                name=labels[i],
                legendgroup=str(i),
                hovertemplate="k=%{x}<br>%{y:.4g}<extra>" + labels[i] + "</extra>",
            )
        )
    layout = _layout(
        title,
        height,
        _legend_title(result),
        show_legend=legend,
        margin={"l": 70, "r": 10, "t": 45, "b": 50},
        xaxis={"title": {"text": "step k"}, "range": [0, max(1, len(steps) - 1)]},
        yaxis={"title": {"text": y_title}, "type": "log" if log_y else "linear", "exponentformat": "power"},
    )
    if x_values is not None:
        layout["xaxis"] = {"title": {"text": "gradient evaluations"}, "range": [0, max(1, int(np.max(x_values)))]}
    return go.Figure(data=data, layout=layout)


def lr_figure(result: Result, *, log_y: bool = False, height: int = 360, legend: bool = True) -> go.Figure:
    """The LR η_k each trajectory used at every step (one trace per run)."""
    return _curve_figure(result, result.lr, "Learning rate", "learning rate η<sub>k</sub>", log_y, height, legend)


def loss_figure(
    result: Result,
    *,
    log_y: bool = True,
    distance: bool = False,
    height: int = 360,
    legend: bool = True,
    x_axis: str = "steps",
) -> go.Figure:
    """Loss per step, or (``distance``) the distance to the nearest known minimizer, as the reference plotted.

    On a log axis the loss is shown as the gap to the known minimum value, f(θ_k) − f*, whenever
    that value is known and nonzero; a surface without a known minimum that goes negative falls
    back to a linear axis. One trace per run. ``x_axis`` (one of :data:`LOSS_X_AXES`) counts steps
    or gradient evaluations (``result.grad_evals``: a line search or SAM spends more than one per step).
    """
    if x_axis not in LOSS_X_AXES:
        raise ValueError(f"x_axis must be one of {', '.join(LOSS_X_AXES)}, got {x_axis=}")
    x_values = result.grad_evals if x_axis == "gradient evaluations" else None
    if distance:
        values = _until_converged(result, distance_to_minimizer(result), x_values)
        return _curve_figure(
            result,
            values,
            "Distance to the nearest known minimizer",
            "‖θ<sub>k</sub> − θ*‖",
            log_y,
            height,
            legend,
            x_values,
        )
    values = _until_converged(result, np.asarray(result.loss, np.float64), x_values)
    y_title = "f(θ<sub>k</sub>)"
    if log_y:
        min_value = special_points(result).min_value
        if min_value is not None and min_value != 0.0:
            values = values - min_value
            y_title = "f(θ<sub>k</sub>) − f*"
        elif min_value is None and np.nanmin(values, initial=np.inf) <= 0:
            log_y = False
    return _curve_figure(result, values, "Loss", y_title, log_y, height, legend, x_values)


def _until_converged(result: Result, values: np.ndarray, x_values: np.ndarray | None) -> np.ndarray:
    """Against gradient evaluations a converged run's curve ends where it converged: its count stops there (the
    engine steps it on in place, evaluations a stopped run would not spend), so the rest would be a vertical line."""
    if x_values is None:
        return values
    ends = np.where(result.status == CONVERGED, result.status_step, values.shape[1])
    return np.where(np.arange(values.shape[1])[None, :] > ends[:, None], np.nan, values)


def distance_to_minimizer(result: Result) -> np.ndarray:
    """Distance of every position to the nearest known minimizer (or the surface's target point)."""
    points = special_points(result)
    targets = list(points.minimizers) or ([points.target] if points.target is not None else [])
    if not targets:
        return np.full(result.positions.shape[:2], np.nan)
    arr = np.asarray(targets, float)  # [M, 2]
    gaps = result.positions[:, :, None, :] - arr[None, None]
    return np.min(np.linalg.norm(gaps, axis=-1), axis=-1)
