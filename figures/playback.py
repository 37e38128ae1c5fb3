"""Linked playback: the 3-D surface and the contour side by side, one marker per run moving on both.

Everything runs in the browser: Plotly ``frames`` update only the marker traces (``go.Frame(traces=…)``),
a slider scrubs through the steps and play/pause buttons animate them, with no server round trip.

What a frame costs decides how it is drawn. Plotly moves the markers of a 2-D chart cheaply (an animated
transition, ``redraw=False``: a few ms), but a 3-D (WebGL) marker moves only with a full redraw of the
figure, every trace recomputed: 0.3–1 s in a browser without a GPU, which made 100 frames take a minute.
So the contour's markers follow every frame and the 3-D view's every ``REDRAW_EVERY``-th one (and the
last), on the slider as while playing. A transition without a redraw also removes every 2-D trace that is
not a scatter (Plotly redraws only what it can animate): the contour is therefore laid under the paths as
a picture (:func:`contour_image`), which a transition leaves alone, and keeps its fill and its stars.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

import landscapes
from engine.simulate import Result
from figures import theme
from figures.paths import (
    DRAWABLE,
    SurfaceGrid,
    chart_layout,
    decimate,
    legend_entries,
    legend_traces,
    path_traces_2d,
    path_traces_3d,
    plane_axes,
    point_traces,
    run_names,
    run_styles,
    scene_axes,
    short_labels,
    surface_trace,
    view_3d,
    window_box,
)

MAX_FRAMES = 100
FRAME_MS = 80
REDRAW_EVERY = 10  # the 3-D markers move on every tenth frame (see the module's docstring)
CONTOUR_LEVELS = 30


class Playback(NamedTuple):
    """Marker positions at the steps of the animation."""

    steps: np.ndarray  # [F] int, increasing, within 0 … T
    xy: np.ndarray  # [F, B, 2]; NaN where a run is outside the window (its marker is hidden then)
    z: np.ndarray  # [F, B], the height drawn in 3-D (transformed loss plus the lift); NaN outside the 3-D view
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
    """Where each run's marker is at each frame: on the contour (hidden outside the window) and in the 3-D
    view (hidden outside its box, e.g. above the surface's range once a run diverges)."""
    steps = playback_steps(result.positions.shape[1], step_indices)
    view = view_3d(result, grid, log_z, focus=False)
    xy = np.moveaxis(np.asarray(result.positions[:, steps], np.float64), 0, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.moveaxis(view.transform(np.clip(result.loss[:, steps], -DRAWABLE, DRAWABLE)) + view.lift, 0, 1)
        (x0, x1), (y0, y1) = window_box(grid)
        in_window = (xy[..., 0] >= x0) & (xy[..., 0] <= x1) & (xy[..., 1] >= y0) & (xy[..., 1] <= y1)
        in_box = in_window & (z >= view.z_range[0]) & (z <= view.z_range[1])
    status = [[result.status_at(i, int(k)) for i in range(result.num_runs)] for k in steps]
    return Playback(steps, np.where(in_window[..., None], xy, np.nan), np.where(in_box, z, np.nan), status)


class ContourImage(NamedTuple):
    """The contour drawn as a picture: filled bands and their edges, to lay under the paths as a layout image."""

    source: str  # a PNG as a data URI
    low: float  # the value of the colour scale's ends
    high: float


def contour_image(grid: SurfaceGrid, z: np.ndarray, levels: int = CONTOUR_LEVELS, upsample: int = 4) -> ContourImage:
    """The filled contour of ``z`` over ``grid`` as a PNG: ``levels`` bands of Viridis with darker edges, the
    grid smoothed ``upsample`` times finer (bilinear) so that the edges are not blocky; NaN is transparent.

    The playback lays it under its paths instead of a contour trace: Plotly removes every trace of a 2-D chart
    but scatters when it animates a frame without redrawing, and a picture is no trace.
    """
    from PIL import Image

    values = np.asarray(z, np.float32)
    finite = np.isfinite(values)
    low, high = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 1.0)
    span = high - low or 1.0
    ny, nx = values.shape
    size = (nx * upsample, ny * upsample)
    fine = np.asarray(Image.fromarray(np.where(finite, values, low)).resize(size, Image.Resampling.BILINEAR))
    holes = np.asarray(Image.fromarray(finite.astype(np.uint8) * 255).resize(size, Image.Resampling.NEAREST)) == 0
    band = np.clip(((fine - low) / span * levels).astype(int), 0, levels - 1)
    palette = np.array(
        [
            [int(c) for c in rgb[4:-1].split(",")]
            for rgb in sample_colorscale("Viridis", (np.arange(levels) + 0.5) / levels)
        ]
    )
    rgb = palette[band].astype(np.float64)
    edges = np.zeros(band.shape, bool)
    edges[:, 1:] |= band[:, 1:] != band[:, :-1]
    edges[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edges] *= 0.6  # the contour lines: the band's colour, darker
    alpha = np.where(holes, 0, 255)
    image = np.dstack([rgb.round().astype(np.uint8), alpha.astype(np.uint8)])[::-1]  # row 0 is the top (y max)
    buffer = io.BytesIO()
    Image.fromarray(image, "RGBA").save(buffer, format="PNG", optimize=True)
    return ContourImage("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(), low, high)


def _colorbar_trace(image: ContourImage, title: str) -> go.Scatter:
    """The contour picture's colour bar (a scatter without points carries it)."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        showlegend=False,
        hoverinfo="skip",
        marker={
            "color": [image.low],
            "cmin": image.low,
            "cmax": image.high,
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {
                **theme.COLORBAR,
                "title": {"text": title.replace(" + 10", "<br>+ 10"), "side": "top"},
                "thickness": 14,
                "x": 0.94,
                "len": 0.9,
            },
        },
        name="surface",
    )


def _marker_2d(xy: np.ndarray, color: str, label: str, group: str, status: str) -> go.Scatter:
    return go.Scatter(
        x=[xy[0]],
        y=[xy[1]],
        mode="markers",
        name=label,
        legendgroup=group,
        showlegend=False,
        marker={"color": color, "size": 14, "line": {"color": "white", "width": 2}},
        text=[status],
        hovertemplate="x=%{x:.4g}, y=%{y:.4g}<br>%{text}<extra>" + label + "</extra>",
        xaxis="x",
        yaxis="y",
    )


def _marker_3d(xy: np.ndarray, z: float, color: str, label: str, group: str) -> go.Scatter3d:
    return go.Scatter3d(
        x=[xy[0]],
        y=[xy[1]],
        z=[z],
        mode="markers",
        name=label,
        legendgroup=group,
        showlegend=False,
        marker={"color": color, "size": 7, "line": {"color": "white", "width": 2}},
        hoverinfo="skip",
        scene="scene",
    )


def redraw_frame(index: int, count: int) -> bool:
    """Whether frame ``index`` of ``count`` redraws the whole figure (moving the 3-D markers too)."""
    return index % REDRAW_EVERY == 0 or index == count - 1


def _animate(names: list[Any] | None, frame: Any) -> list[Any]:
    return [names, {"frame": frame, "mode": "immediate", "fromcurrent": True, "transition": {"duration": 0}}]


def playback_figure(
    result: Result,
    grid: SurfaceGrid,
    step_indices: Sequence[int] | None = None,
    log_z: bool = False,
    *,
    height: int = 520,
    frame_ms: int = FRAME_MS,
    camera: dict | None = None,
) -> go.Figure:
    """3-D surface (left) and contour (right) with every path, and a marker per run moving on both.

    Traces, in order: the surface; the 3-D traces of every run (outline, path, start/end); the contour's colour
    bar (the contour itself is a layout image under the paths); the 2-D traces of every run (path, start/end);
    the special points; the legend's keys; then the markers, one per run in 3-D followed by one per run in
    2-D. Each of the (at most 100) frames updates exactly those marker traces; ``redraw_frame`` says which
    frames redraw the 3-D view. ``height`` is the drawing's.
    """
    data = playback_data(result, grid, step_indices, log_z=log_z)
    view = view_3d(result, grid, log_z, focus=False)
    styles = run_styles(result)
    labels = short_labels(result)
    ids = run_names(result).ids
    count = result.num_runs
    traces: list[Any] = [surface_trace(view.grid, view.transform(view.grid.z))]
    for i in range(count):
        traces += path_traces_3d(result, i, styles.runs[i], labels[i], view, "scene", run_id=ids[i])
    image = contour_image(grid, view.transform(grid.z))
    traces.append(_colorbar_trace(image, view.z_title))
    for i in range(count):
        run_traces = path_traces_2d(result, i, styles.runs[i], labels[i], grid=grid, run_id=ids[i])
        run_traces[0].showlegend = not styles.keys
        traces += run_traces
    points = point_traces(result)
    traces += points
    traces += legend_traces(styles)
    first = 0
    colors = [style.color for style in styles.runs]
    groups = [style.group for style in styles.runs]
    start = len(traces)
    traces += [_marker_3d(data.xy[first, i], data.z[first, i], colors[i], labels[i], groups[i]) for i in range(count)]
    traces += [
        _marker_2d(data.xy[first, i], colors[i], labels[i], groups[i], data.status[first][i]) for i in range(count)
    ]
    marker_indices = list(range(start, len(traces)))

    frames = []
    for f, step in enumerate(data.steps):
        frame_3d = [go.Scatter3d(x=[data.xy[f, i, 0]], y=[data.xy[f, i, 1]], z=[data.z[f, i]]) for i in range(count)]
        frame_2d = [
            go.Scatter(x=[data.xy[f, i, 0]], y=[data.xy[f, i, 1]], text=[data.status[f][i]]) for i in range(count)
        ]
        frames.append(go.Frame(name=str(int(step)), data=frame_3d + frame_2d, traces=marker_indices))

    # The contour's markers move on every frame (an animated transition), the 3-D ones on every REDRAW_EVERY-th
    # frame and the last (a full redraw). While playing, the i-th options apply to the i-th frame played.
    redraws = [redraw_frame(k, len(frames)) for k in range(len(frames))]
    played = [{"duration": frame_ms, "redraw": redraw} for redraw in redraws]
    xaxis, yaxis = plane_axes(grid)
    (x0, x1), (y0, y1) = window_box(grid)
    surface_name = landscapes.SURFACES[result.scene.surface.id].name
    layout = chart_layout(
        f"{surface_name}: linked playback",
        height,
        [*legend_entries(result, styles), *(trace.name for trace in points)],
        styles.title,
        margin={"l": 10, "r": 10, "b": 100},  # the buttons and the slider sit under the charts
        note=grid.note,
        width=1100,
        xaxis={**xaxis, "domain": [0.6, 0.93], "anchor": "y", "showgrid": False, "zeroline": False},
        yaxis={**yaxis, "domain": [0.0, 1.0], "anchor": "x", "showgrid": False, "zeroline": False},
        images=[
            {
                "source": image.source,
                "xref": "x",
                "yref": "y",
                "x": x0,
                "y": y1,
                "sizex": x1 - x0,
                "sizey": y1 - y0,
                "sizing": "stretch",
                "layer": "below",
                "name": "contour",
            }
        ],
        scene={**scene_axes(view, camera), "domain": {"x": [0.0, 0.55], "y": [0.0, 1.0]}},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"r": 10, "t": 45},
                "buttons": [
                    {"label": "▶ play", "method": "animate", "args": _animate(None, played)},
                    {
                        "label": "❚❚ pause",
                        "method": "animate",
                        "args": _animate([None], {"duration": 0, "redraw": True}),
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.2,
                "y": 0.0,
                "len": 0.8,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 40, "b": 0},
                "currentvalue": {"prefix": "step k = ", "font": {"size": 14}},
                "steps": [
                    {
                        "label": frame.name,
                        "method": "animate",
                        "args": _animate([frame.name], {"duration": 0, "redraw": redraw}),
                    }
                    for frame, redraw in zip(frames, redraws, strict=True)
                ],
            }
        ],
    )
    return go.Figure(data=traces, layout=layout, frames=frames)
