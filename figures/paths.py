"""Surfaces with paths on them, LR curves and loss traces.

Two stages, as in Optuna's visualisation module: a pure function computes the data
(``surface_grid``), a small one turns data into a figure. Every figure takes its Plotly
template explicitly; nothing is set process-wide (a Streamlit server is shared).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import plotly.graph_objects as go

import landscapes
from engine.simulate import Result

TEMPLATE = "plotly_white"
# Colour-blind-safe categorical palette (Okabe–Ito, then Tol's muted), one colour per run everywhere.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
    "#332288", "#882255", "#44AA99", "#999933", "#AA4499", "#117733", "#88CCEE", "#DDCC77",
)  # fmt: skip
MAX_POINTS_PER_PATH = 600  # what the browser gets; exports keep every step


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


_fn_cache: dict = {}


def _batched_fn(surface_id: str, params: tuple):
    key = (surface_id, params)
    if key not in _fn_cache:
        surface = landscapes.SURFACES[surface_id]
        values = landscapes_params(surface, dict(params))
        _fn_cache[key] = jax.jit(jax.vmap(lambda xy: surface.fn(xy, **values)))
        if len(_fn_cache) > 64:
            _fn_cache.pop(next(iter(_fn_cache)))
    return _fn_cache[key]


def landscapes_params(surface, params: dict) -> dict:
    from common.params import resolve_params

    return resolve_params(surface.params, params, 1)


def run_colors(result: Result) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(result.num_runs)]


def decimate(num_points: int, limit: int = MAX_POINTS_PER_PATH) -> np.ndarray:
    """Indices of at most ``limit`` evenly spread points, always keeping the first and last."""
    if num_points <= limit:
        return np.arange(num_points)
    return np.unique(np.linspace(0, num_points - 1, limit).round().astype(int))


def _log_z(z: np.ndarray, floor: float) -> np.ndarray:
    return np.log10(np.maximum(z - floor, 0.0) + 1e-3)


def _z_transform(result: Result, log_z: bool, grid: SurfaceGrid):
    floor = float(np.min(grid.z))
    if log_z:
        return lambda z: _log_z(np.asarray(z), floor), "log₁₀(f − min + 10⁻³)"
    return lambda z: np.asarray(z), "f(x, y)"


def surface_figure(
    result: Result, grid: SurfaceGrid, *, log_z: bool = False, runs: Sequence[int] | None = None, height: int = 560
) -> go.Figure:
    """The 3-D surface with every path on it; start (circle) and end (diamond) marked."""
    transform, z_title = _z_transform(result, log_z, grid)
    colors = run_colors(result)
    fig = go.Figure()
    fig.add_trace(
        go.Surface(
            x=grid.x, y=grid.y, z=transform(grid.z), colorscale="Viridis", opacity=0.82, showscale=False,
            name="surface", hoverinfo="skip",
            contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}, "width": 1}},
        )
    )  # fmt: skip
    lift = 0.01 * float(np.ptp(transform(grid.z)) or 1.0)  # keep paths visibly above the surface
    for i in runs if runs is not None else range(result.num_runs):
        keep = decimate(result.positions.shape[1])
        path = result.positions[i, keep]
        z = transform(result.loss[i, keep]) + lift
        label = result.runs[i]
        fig.add_trace(
            go.Scatter3d(
                x=path[:, 0], y=path[:, 1], z=z, mode="lines", line={"color": colors[i], "width": 5},
                name=label.name, legendgroup=str(i),
                hovertemplate="step %{text}<br>x=%{x:.4g}, y=%{y:.4g}<extra>" + label.schedule + "</extra>",
                text=keep,
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter3d(
                x=path[[0, -1], 0], y=path[[0, -1], 1], z=z[[0, -1]], mode="markers",
                marker={"color": colors[i], "size": [5, 6], "symbol": ["circle", "diamond"]},
                legendgroup=str(i), showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
    (xmin, xmax), (ymin, ymax) = (grid.x[0], grid.x[-1]), (grid.y[0], grid.y[-1])
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        title={"text": landscapes.SURFACES[result.scene.surface.id].name, "x": 0.02},
        legend={"orientation": "h", "yanchor": "top", "y": -0.02},
        scene={
            "xaxis": {"title": {"text": "x"}, "range": [xmin, xmax]},
            "yaxis": {"title": {"text": "y"}, "range": [ymin, ymax]},
            "zaxis": {"title": {"text": z_title}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1.2, "y": 1.2, "z": 0.7},
        },
    )
    return fig


def contour_figure(result: Result, grid: SurfaceGrid, *, log_z: bool = False, height: int = 520) -> go.Figure:
    """The 2-D contour with every path, the known minimizers (stars) and saddles (crosses)."""
    transform, z_title = _z_transform(result, log_z, grid)
    colors = run_colors(result)
    surface = landscapes.SURFACES[result.scene.surface.id]
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=grid.x, y=grid.y, z=transform(grid.z), colorscale="Viridis", ncontours=30, showscale=True,
            colorbar={"title": {"text": z_title, "side": "right"}, "thickness": 12}, hoverinfo="skip",
            name="surface", line={"width": 0.5},
        )
    )  # fmt: skip
    for i in range(result.num_runs):
        keep = decimate(result.positions.shape[1])
        path = result.positions[i, keep]
        fig.add_trace(
            go.Scatter(
                x=path[:, 0], y=path[:, 1], mode="lines", line={"color": colors[i], "width": 2.5},
                name=result.runs[i].name, legendgroup=str(i),
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=path[[0, -1], 0], y=path[[0, -1], 1], mode="markers", legendgroup=str(i), showlegend=False,
                marker={"color": colors[i], "size": [9, 11], "symbol": ["circle", "diamond"],
                        "line": {"color": "white", "width": 1}},
                hoverinfo="skip",
            )
        )  # fmt: skip
    points = landscapes.critical_points(surface, landscapes_params(surface, result.scene.surface.params))
    for kind, coords, symbol in (
        ("minimizer", points.minimizers, "star"),
        ("local minimizer", points.local_minimizers, "star-open"),
        ("saddle", points.saddles, "x"),
    ):
        if coords:
            arr = np.asarray(coords, float)
            fig.add_trace(
                go.Scatter(
                    x=arr[:, 0], y=arr[:, 1], mode="markers", name=kind,
                    marker={"symbol": symbol, "size": 13, "color": "white", "line": {"color": "black", "width": 1.5}},
                )
            )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        xaxis={"title": {"text": "x"}, "range": [grid.x[0], grid.x[-1]]},
        yaxis={"title": {"text": "y"}, "range": [grid.y[0], grid.y[-1]]},
        showlegend=False,
    )
    return fig


def lr_figure(result: Result, *, log_y: bool = False, height: int = 320) -> go.Figure:
    """The LR each trajectory used at every step."""
    colors = run_colors(result)
    fig = go.Figure()
    steps = np.arange(result.lr.shape[1])
    for i in range(result.num_runs):
        keep = decimate(len(steps), 2000)
        fig.add_trace(
            go.Scatter(
                x=steps[keep], y=result.lr[i, keep], mode="lines", line={"color": colors[i], "width": 2},
                name=result.runs[i].name, legendgroup=str(i),
            )
        )  # fmt: skip
    fig.update_layout(
        template=TEMPLATE, height=height, margin={"l": 60, "r": 10, "t": 30, "b": 40}, showlegend=False,
        title={"text": "Learning rate", "x": 0.02},
        xaxis={"title": {"text": "step k"}}, yaxis={"title": {"text": "η_k"}, "type": "log" if log_y else "linear"},
    )  # fmt: skip
    return fig


def loss_figure(result: Result, *, log_y: bool = True, distance: bool = False, height: int = 320) -> go.Figure:
    """Loss (or distance to the nearest known minimizer, as the reference plotted) per step."""
    colors = run_colors(result)
    fig = go.Figure()
    values = distance_to_minimizer(result) if distance else result.loss
    steps = np.arange(values.shape[1])
    for i in range(result.num_runs):
        keep = decimate(len(steps), 2000)
        fig.add_trace(
            go.Scatter(
                x=steps[keep], y=values[i, keep], mode="lines", line={"color": colors[i], "width": 2},
                name=result.runs[i].name, legendgroup=str(i),
            )
        )  # fmt: skip
    title = "Distance to the nearest minimizer" if distance else "Loss"
    fig.update_layout(
        template=TEMPLATE, height=height, margin={"l": 60, "r": 10, "t": 30, "b": 40}, showlegend=False,
        title={"text": title, "x": 0.02},
        xaxis={"title": {"text": "step k"}},
        yaxis={"title": {"text": "‖θ_k − θ*‖" if distance else "f(θ_k)"}, "type": "log" if log_y else "linear"},
    )  # fmt: skip
    return fig


def distance_to_minimizer(result: Result) -> np.ndarray:
    """Distance of every position to the nearest known minimizer (or the surface's target point)."""
    surface = landscapes.SURFACES[result.scene.surface.id]
    points = landscapes.critical_points(surface, landscapes_params(surface, result.scene.surface.params))
    targets = list(points.minimizers) or ([points.target] if points.target is not None else [])
    if not targets:
        return np.full(result.positions.shape[:2], np.nan)
    arr = np.asarray(targets, float)  # [M, 2]
    gaps = result.positions[:, :, None, :] - arr[None, None]
    return np.min(np.linalg.norm(gaps, axis=-1), axis=-1)
