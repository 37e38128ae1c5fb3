"""Linked playback: the 3-D surface and the contour side by side, one marker per run moving on both.

Everything runs in the browser: Plotly ``frames`` update only the marker traces (``go.Frame(traces=…)``),
a slider scrubs through the steps and play/pause buttons animate them, with no server round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import landscapes
from engine.simulate import Result
from figures import theme
from figures.paths import (
    SurfaceGrid,
    _layout,
    _legend_title,
    _z_transform,
    contour_trace,
    decimate,
    path_lift,
    path_traces_2d,
    path_traces_3d,
    plane_axes,
    point_traces,
    run_colors,
    scene_axes,
    short_labels,
    surface_trace,
)

MAX_FRAMES = 100
FRAME_MS = 80


class Playback(NamedTuple):
    """Marker positions at the steps of the animation."""

    steps: np.ndarray  # [F] int, increasing, within 0 … T
    xy: np.ndarray  # [F, B, 2]
    z: np.ndarray  # [F, B], the height drawn in 3-D (transformed loss plus the lift)
    status: list[list[str]]  # [F][B], each run's status at that step


def playback_steps(
    num_positions: int, step_indices: Sequence[int] | None = None, limit: int = MAX_FRAMES
) -> np.ndarray:
    """The steps to show: the given ones (clipped, sorted, unique) or evenly spread ones; at most ``limit``."""
    if step_indices is None:
        return decimate(num_positions, limit)
    steps = np.unique(np.clip(np.asarray(step_indices, int).ravel(), 0, num_positions - 1))
    if steps.size == 0:
        raise ValueError(f"step_indices must name at least one step, got {step_indices!r}")
    return steps[decimate(steps.size, limit)]


def playback_data(
    result: Result, grid: SurfaceGrid, step_indices: Sequence[int] | None = None, *, log_z: bool = False
) -> Playback:
    steps = playback_steps(result.positions.shape[1], step_indices)
    transform, _ = _z_transform(result, log_z, grid)
    lift = path_lift(transform(grid.z))
    xy = np.moveaxis(result.positions[:, steps], 0, 1)
    z = np.moveaxis(transform(result.loss[:, steps]) + lift, 0, 1)
    status = [[result.status_at(i, int(k)) for i in range(result.num_runs)] for k in steps]
    return Playback(steps, xy, z, status)


def _marker_2d(xy: np.ndarray, color: str, label: str, run: int, status: str) -> go.Scatter:
    return go.Scatter(
        x=[xy[0]],
        y=[xy[1]],
        mode="markers",
        name=label,
        legendgroup=str(run),
        showlegend=False,
        marker={"color": color, "size": 14, "line": {"color": "white", "width": 2}},
        text=[status],
        hovertemplate="x=%{x:.4g}, y=%{y:.4g}<br>%{text}<extra>" + label + "</extra>",
        xaxis="x",
        yaxis="y",
    )


def _marker_3d(xy: np.ndarray, z: float, color: str, label: str, run: int) -> go.Scatter3d:
    return go.Scatter3d(
        x=[xy[0]],
        y=[xy[1]],
        z=[z],
        mode="markers",
        name=label,
        legendgroup=str(run),
        showlegend=False,
        marker={"color": color, "size": 7, "line": {"color": "white", "width": 2}},
        hoverinfo="skip",
        scene="scene",
    )


def playback_figure(
    result: Result,
    grid: SurfaceGrid,
    step_indices: Sequence[int] | None = None,
    log_z: bool = False,
    *,
    height: int = 640,
    frame_ms: int = FRAME_MS,
) -> go.Figure:
    """3-D surface (left) and contour (right) with every path, and a marker per run moving on both.

    Traces, in order: the surface; two per run in 3-D (path, start/end); the contour; two per run
    in 2-D; the special points; then the markers, one per run in 3-D followed by one per run in
    2-D. Each of the (at most 100) frames updates exactly those marker traces.
    """
    data = playback_data(result, grid, step_indices, log_z=log_z)
    transform, z_title = _z_transform(result, log_z, grid)
    colors = run_colors(result)
    labels = short_labels(result)
    z = transform(grid.z)
    lift = path_lift(z)
    fig = make_subplots(
        rows=1,
        cols=2,
        specs=[[{"type": "scene"}, {"type": "xy"}]],
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.04,
        figure=go.Figure(layout={"template": theme.TEMPLATE}),
    )
    fig.add_trace(surface_trace(grid, z), row=1, col=1)
    for i in range(result.num_runs):
        fig.add_traces(path_traces_3d(result, i, colors[i], labels[i], transform, lift, "scene"), rows=1, cols=1)
    fig.add_trace(contour_trace(grid, z, z_title, x=1.0, len=0.8), row=1, col=2)
    for i in range(result.num_runs):
        fig.add_traces(path_traces_2d(result, i, colors[i], labels[i]), rows=1, cols=2)
    fig.add_traces(point_traces(result), rows=1, cols=2)
    first = 0
    markers_3d = [_marker_3d(data.xy[first, i], data.z[first, i], colors[i], labels[i], i) for i in range(len(labels))]
    markers_2d = [
        _marker_2d(data.xy[first, i], colors[i], labels[i], i, data.status[first][i]) for i in range(len(labels))
    ]
    start = len(fig.data)
    fig.add_traces(markers_3d, rows=1, cols=1)
    fig.add_traces(markers_2d, rows=1, cols=2)
    marker_indices = list(range(start, len(fig.data)))

    frames = []
    for f, step in enumerate(data.steps):
        frame_3d = [
            go.Scatter3d(x=[data.xy[f, i, 0]], y=[data.xy[f, i, 1]], z=[data.z[f, i]]) for i in range(len(labels))
        ]
        frame_2d = [
            go.Scatter(x=[data.xy[f, i, 0]], y=[data.xy[f, i, 1]], text=[data.status[f][i]]) for i in range(len(labels))
        ]
        frames.append(go.Frame(name=str(int(step)), data=frame_3d + frame_2d, traces=marker_indices))
    fig.frames = frames

    def animate(names: list[str] | None, duration: int, redraw: bool) -> list:
        # scatter3d is not animatable in place: a frame must redraw the WebGL scene
        return [
            names,
            {
                "frame": {"duration": duration, "redraw": redraw},
                "mode": "immediate",
                "fromcurrent": True,
                "transition": {"duration": 0},
            },
        ]

    xaxis, yaxis = plane_axes(grid)
    surface_name = landscapes.SURFACES[result.scene.surface.id].name
    fig.update_layout(
        _layout(
            f"{surface_name}: linked playback",
            height,
            _legend_title(result),
            xaxis=xaxis,
            yaxis=yaxis,
            scene=scene_axes(grid, z_title),
            legend={"y": -0.2},
        ),
        margin={"l": 10, "r": 10, "t": 45, "b": 10},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": -0.02,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"r": 10, "t": 10},
                "buttons": [
                    {"label": "▶ play", "method": "animate", "args": animate(None, frame_ms, True)},
                    {"label": "❚❚ pause", "method": "animate", "args": animate([None], 0, False)},
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.2,
                "y": -0.02,
                "len": 0.8,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 10, "b": 10},
                "currentvalue": {"prefix": "step k = ", "font": {"size": 14}},
                "steps": [
                    {"label": frame.name, "method": "animate", "args": animate([frame.name], 0, True)}
                    for frame in frames
                ],
            }
        ],
    )
    return fig
