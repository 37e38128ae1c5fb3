"""Figures of the arena (:mod:`analysis.arena`): a gallery of small contours with each optimizer's tuned paths,
and a map of which η0 reaches the minimum.

Two stages, as in :mod:`figures.sweeps`: ``*_info`` turns an :class:`~analysis.arena.Arena` into what the figure
shows (exact, testable), ``*_plot`` draws it in one ``go.Figure`` call with :func:`figures.theme.layout`. Every
panel of the gallery shares one colour scale and one window (the surface's), so panels compare at a glance.
The paths carry ``customdata = optimizer index``: a click on a panel
(``st.plotly_chart(..., on_select="rerun", selection_mode="points")``) names the optimizer, and
:meth:`analysis.arena.Arena.scene_for` turns it into the scene of that tuned run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import landscapes
from analysis.arena import RANKINGS, Arena
from engine.simulate import DIVERGED
from figures import theme
from figures.paths import SurfaceGrid, decimate, surface_grid

GALLERY_RESOLUTION = 48  # contour points per side of each small panel (52 panels × 48² values ≈ 1 MB of chart)
GALLERY_COLUMNS = 6
PANEL_HEIGHT = 210  # pixels per row of panels
PATH_POINTS = 150  # points per drawn path (the arena keeps every step)
PATH_COLOR = theme.VERMILLION  # readable on Viridis from dark to light
EDGE_MARK = "⚠"


class Panel(NamedTuple):
    """One optimizer's panel."""

    index: int  # the optimizer's index in the arena (the customdata a click returns)
    title: str  # "3. adam · η0 0.012"; the edge mark when the tuned η0 is at the range's edge
    paths: np.ndarray  # [P, K, 2] the tuned paths, decimated (empty [0, 0, 2] when every η0 diverged)
    diverged: np.ndarray  # [P] bool: the tuned path diverged
    note: str  # hover text: family, tuned η0, edge, reached share


class GalleryInfo(NamedTuple):
    panels: list[Panel]  # in rank order
    columns: int
    grid: SurfaceGrid  # the surface on a coarse grid (every panel's background)
    z: np.ndarray  # [ny, nx] what the colour shows (log scale or not)
    z_title: str
    zrange: tuple[float, float]  # one colour scale for every panel
    goal: np.ndarray  # [G, 2] the points that count as the minimum
    title: str


def gallery_info(
    result: Arena,
    *,
    order: Sequence[int] | None = None,
    log_z: bool | None = None,
    columns: int = GALLERY_COLUMNS,
    resolution: int = GALLERY_RESOLUTION,
    ranked_by: str | None = None,
) -> GalleryInfo:
    """The gallery's panels, in ``order`` (default: the arena's order; ``ranked_by`` names it in the title, one
    of :data:`analysis.arena.RANKINGS`), with the surface on a coarse grid."""
    surface = landscapes.SURFACES[result.scene.surface.id]
    log_z = surface.log_z if log_z is None else log_z
    grid = surface_grid(result.scene.surface.id, dict(result.scene.surface.params), surface.window, resolution)
    floor = float(np.min(grid.z))
    z = np.log10(np.maximum(grid.z - floor, 0.0) + 1e-3) if log_z else grid.z
    z_title = "log₁₀(f − f<sub>min</sub> + 10⁻³)" if log_z else "f(x, y)"
    order = list(range(len(result.optimizers))) if order is None else list(order)
    lrs, edges = result.tuned_lr, result.edge
    share = result.at_tuned(result.reached).mean(axis=1)
    keep = decimate(result.paths.shape[2], PATH_POINTS)
    panels = []
    for rank, o in enumerate(order, start=1):
        lr = lrs[o]
        mark = f" {EDGE_MARK}" if edges[o] else ""
        if math.isfinite(lr):
            title = f"{rank}. {result.labels[o]} · η0 {lr:.2g}{mark}"
            paths = result.paths[o][:, keep]
            edge = f"<br>{EDGE_MARK} at the {edges[o]} edge of the η0 range" if edges[o] else ""
            note = f"{result.families[o]}<br>tuned η0 {lr:.3g}{edge}<br>reached the minimum from {share[o]:.0%}"
        else:
            title = f"{rank}. {result.labels[o]} · diverged"
            paths = np.zeros((0, 0, 2))
            note = f"{result.families[o]}<br>diverged at every η0"
        panels.append(Panel(o, title, paths, result.path_status[o] == DIVERGED, note))
    return GalleryInfo(
        panels=panels,
        columns=max(1, min(columns, len(panels))),
        grid=grid,
        z=z,
        z_title=z_title,
        zrange=(float(np.min(z)), float(np.max(z))),
        goal=result.goal,
        title=(
            f"Arena: {len(result.optimizers)} optimizers × {len(result.candidates)} η0 × {len(result.points)} start "
            f"point{'s' if len(result.points) > 1 else ''}, {result.schedule.label}, {result.steps} steps — "
            f"each at its tuned η0 ({result.objective_name}); {EDGE_MARK}: at the edge of the range"
            + (f"<br>ranked by {RANKINGS[ranked_by]}" if ranked_by else "")
        ),
    )


def _panel_grid(titles: list[str], rows: int, columns: int) -> dict[str, Any]:
    """Axes and title annotations of a grid of panels, laid out by Plotly's ``make_subplots``, as layout parts."""
    grid = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        horizontal_spacing=0.02,
        vertical_spacing=0.3 / rows,
        figure=go.Figure(layout={"template": theme.TEMPLATE}),
    )
    parts = grid.layout.to_plotly_json()
    parts.pop("template", None)
    return parts


def gallery_plot(info: GalleryInfo) -> go.Figure:
    """The panels in a grid, one colour scale; in each the tuned paths (circle: start, diamond: end, ×: diverged)."""
    rows = math.ceil(len(info.panels) / info.columns)
    parts = _panel_grid([panel.title for panel in info.panels], rows, info.columns)
    for annotation in parts.get("annotations", []):
        annotation["font"] = {"size": 11}
    (xmin, xmax), (ymin, ymax) = (info.grid.x[0], info.grid.x[-1]), (info.grid.y[0], info.grid.y[-1])
    data: list[Any] = []
    for k, panel in enumerate(info.panels):
        axes = theme.panel_axes(k + 1)
        data.append(
            go.Contour(
                x=info.grid.x,
                y=info.grid.y,
                z=info.z,
                coloraxis="coloraxis",
                ncontours=15,
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                **axes,
            )
        )
        for p, path in enumerate(panel.paths):
            data.append(
                go.Scatter(
                    x=path[:, 0],
                    y=path[:, 1],
                    mode="lines",
                    line={"color": PATH_COLOR, "width": 1.8},
                    customdata=np.full(len(path), panel.index),
                    hovertemplate=panel.note + "<extra></extra>",
                    showlegend=False,
                    **axes,
                )
            )
            data.append(
                go.Scatter(
                    x=path[[0, -1], 0],
                    y=path[[0, -1], 1],
                    mode="markers",
                    marker={
                        "color": PATH_COLOR,
                        "size": [6, 8],
                        "symbol": ["circle", "x" if panel.diverged[p] else "diamond"],
                        "line": {"color": "white", "width": 1},
                    },
                    customdata=[panel.index, panel.index],
                    hovertemplate=panel.note + "<extra></extra>",
                    showlegend=False,
                    cliponaxis=False,
                    **axes,
                )
            )
        if len(info.goal):
            data.append(
                go.Scatter(
                    x=info.goal[:, 0],
                    y=info.goal[:, 1],
                    mode="markers",
                    marker={"symbol": "star", "size": 9, "color": "white", "line": {"color": "black", "width": 1}},
                    hoverinfo="skip",
                    showlegend=False,
                    **axes,
                )
            )
    for k in range(len(info.panels)):
        suffix = "" if k == 0 else str(k + 1)
        parts[f"xaxis{suffix}"] = {
            **parts.get(f"xaxis{suffix}", {}),
            "range": [float(xmin), float(xmax)],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
        }
        parts[f"yaxis{suffix}"] = {
            **parts.get(f"yaxis{suffix}", {}),
            "range": [float(ymin), float(ymax)],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
        }
    layout = theme.layout(
        **parts,
        title={"text": info.title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        height=PANEL_HEIGHT * rows + 90,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        showlegend=False,
        coloraxis={
            "colorscale": "Viridis",
            "cmin": info.zrange[0],
            "cmax": info.zrange[1],
            "colorbar": {**theme.COLORBAR, "title": {"text": info.z_title, "side": "top"}, "thickness": 12},
        },
        clickmode="event+select",
    )
    return go.Figure(data=data, layout=layout)


def gallery_figure(
    result: Arena, *, order: Sequence[int] | None = None, log_z: bool | None = None, ranked_by: str | None = None
) -> go.Figure:
    """:func:`gallery_info` then :func:`gallery_plot`."""
    return gallery_plot(gallery_info(result, order=order, log_z=log_z, ranked_by=ranked_by))


class ReachInfo(NamedTuple):
    labels: list[str]  # [O] in rank order, best first
    candidates: np.ndarray  # [N]
    share: np.ndarray  # [O, N] share of start points that reach the minimum within the steps (nan: every one diverged)
    tuned: np.ndarray  # [O] tuned η0 (nan: none)
    title: str


def reach_info(result: Arena, *, order: Sequence[int] | None = None, by_evals: bool = False) -> ReachInfo:
    """Which η0 reaches the minimum, per optimizer: robustness is the share of this map's row that is lit."""
    order = list(range(len(result.optimizers))) if order is None else list(order)
    reached = result.reached_evals if by_evals else result.reached
    share = reached.mean(axis=2)[order].astype(np.float64)
    share[result.diverged.all(axis=2)[order]] = np.nan
    budget = f"{result.budget_evals} gradient evaluations" if by_evals else f"{result.steps} steps"
    return ReachInfo(
        labels=[result.labels[o] for o in order],
        candidates=result.candidates,
        share=share,
        tuned=result.tuned_lr[order],
        title=f"Which η0 reaches the minimum within {budget} (share of start points; blank: diverged; ◆ tuned η0)",
    )


def reach_plot(info: ReachInfo) -> go.Figure:
    rows = np.arange(len(info.labels))
    data = [
        go.Heatmap(
            x=info.candidates,
            y=rows,
            z=info.share,
            zmin=0.0,
            zmax=1.0,
            colorscale="Blues",
            colorbar={**theme.COLORBAR, "title": {"text": "reached", "side": "top"}, "thickness": 12},
            customdata=np.broadcast_to(np.array(info.labels)[:, None], info.share.shape),
            hovertemplate="%{customdata}<br>η0 %{x:.3g}<br>reached from %{z:.0%}<extra></extra>",
        ),
        go.Scatter(
            x=info.tuned,
            y=rows,
            mode="markers",
            marker={"symbol": "diamond", "size": 7, "color": PATH_COLOR, "line": {"color": "white", "width": 1}},
            hovertemplate="tuned η0 %{x:.3g}<extra></extra>",
            showlegend=False,
        ),
    ]
    layout = theme.layout(
        title={"text": info.title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        height=max(260, 16 * len(info.labels) + 110),
        margin={"l": 10, "r": 10, "t": 50, "b": 50},
        xaxis={"title": {"text": "η0"}, "type": "log", "exponentformat": "power"},
        yaxis={
            "tickmode": "array",
            "tickvals": rows.tolist(),
            "ticktext": info.labels,
            "autorange": "reversed",
            "tickfont": {"size": 10},
            "automargin": True,
        },
        showlegend=False,
    )
    return go.Figure(data=data, layout=layout)


def reach_figure(result: Arena, *, order: Sequence[int] | None = None, by_evals: bool = False) -> go.Figure:
    """:func:`reach_info` then :func:`reach_plot`."""
    return reach_plot(reach_info(result, order=order, by_evals=by_evals))
