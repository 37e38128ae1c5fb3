"""Figures of the sweeps: the LR search's sensitivity curves, basins of attraction and hyperparameter maps.

Each in two stages, as Optuna's ``visualization`` module draws: ``*_info`` turns a sweep of
:mod:`analysis` into what the figure shows (a NamedTuple of arrays and words: exact, testable), and
``*_plot`` draws that, in one ``go.Figure`` call with :func:`figures.theme.layout`. The figure
functions (``lr_search_figure``, ``basins_figure``, ``hparam_figure``) chain the two.

Maps (basins, hyperparameter maps) carry an invisible scatter grid whose points hold ``customdata =
[i, j]``: a click on the chart (``st.plotly_chart(..., on_select="rerun", selection_mode="points")``)
returns the cell, and :func:`analysis.basins.start_at` / :func:`analysis.hparams.setting_at` turn it into
a start point or a setting.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

import landscapes
from analysis.basins import Basins
from analysis.hparams import HParamMap
from analysis.lrsearch import LRSearch, at_edge
from analysis.outcomes import DIVERGED, MOVING, SADDLE, STALLED
from engine.scene import Scene
from figures import theme
from ui.labels import METRICS, schedule_names, setting_parts

# Outcomes that are not a minimizer, in the colours their meaning suggests (black: gone; yellow: the saddle).
OTHER_COLORS = {DIVERGED: theme.BLACK, MOVING: "#D9D9D9", SADDLE: theme.YELLOW, STALLED: "#8C8C8C"}
MAX_CLICK_SIDE = 64  # clickable points per side of a map (a 256×256 map gets every 4th cell)
SHORT_OBJECTIVES = {
    "distance2": "squared final distance to the minimum",
    "final_loss": "final loss",
    "steps_to_tol": "steps to converge at a minimum",
}
_NOTE = {"size": 14, "color": "#333333"}


# --- LR search ---------------------------------------------------------------------------------------------


class Curve(NamedTuple):
    """One schedule's sensitivity curve."""

    label: str  # the schedule's name, as people picked it
    values: np.ndarray  # [N] the objective at each candidate η0; NaN where the axis cannot show it
    chosen: float  # the η0 the schedule gets; NaN if none
    chosen_value: float  # the curve at the candidate nearest to ``chosen`` (NaN if none)
    edge: str | None  # "low" or "high": ``chosen`` is the range's end, and the best may lie beyond it


class LRSearchInfo(NamedTuple):
    candidates: np.ndarray  # [N] η0 values, increasing
    curves: list[Curve]  # one per schedule
    log_y: bool
    shared: float | None  # the η0 every schedule shares (drawn as a dashed line), or None
    diverged: tuple[float, float] | None  # the η0 range over which every run diverges, or None
    title: str
    y_title: str
    warnings: list[str]  # what a person must know about the choice: a choice at the range's edge


def lr_search_info(search: LRSearch) -> LRSearchInfo:
    """What the sensitivity figure shows: the objective against η0 per schedule, on a log axis where it can, and
    a warning for every choice at the edge of the searched range."""
    positive = np.isfinite(search.objective) & (search.objective > 0)
    log_y = search.objective_name != "steps_to_tol" and bool(positive.any())
    names = schedule_names(search.scene.schedules)
    edges = at_edge(search)
    curves = []
    for k, label in enumerate(names):
        values = search.objective[k]
        shown = np.where(np.isfinite(values) & (values > 0 if log_y else True), values, np.nan)
        chosen = float(search.chosen[k])
        at_chosen = math.nan
        if math.isfinite(chosen):
            at_chosen = shown[int(np.argmin(np.abs(search.candidates - chosen)))]
        curves.append(Curve(label, shown, chosen, at_chosen, edges[k]))
    shared = search.mode == "shared" and math.isfinite(search.chosen[0])
    every_run_diverges = ~np.isfinite(search.objective).any(axis=0)
    diverged = None
    if every_run_diverges.any():
        diverged = (search.candidates[every_run_diverges].min(), search.candidates[-1])
    reference = names[search.reference]
    chosen_text = f"shared η0 = {search.chosen[0]:.3g} ({reference}'s best)" if shared else "η0 per schedule"
    low, high = float(search.candidates[0]), float(search.candidates[-1])
    return LRSearchInfo(
        candidates=search.candidates,
        curves=curves,
        log_y=log_y,
        shared=float(search.chosen[0]) if shared else None,
        diverged=diverged,
        title=f"LR search: {search.candidates.size} candidates from {low:.3g} to {high:.3g} × {search.steps} steps — "
        f"{chosen_text}",
        y_title=SHORT_OBJECTIVES[search.objective_name],
        warnings=_edge_warnings(curves, shared, low, high),
    )


def _edge_warnings(curves: list[Curve], shared: bool, low: float, high: float) -> list[str]:
    """One sentence per choice at the edge of the range (one in all when every schedule shares the choice)."""
    warnings = []
    for curve in curves[:1] if shared else curves:
        if curve.edge is None:
            continue
        who = "The shared η0" if shared else f"{curve.label}: the best η0"
        end, value, way = (
            ("top", high, "raise the largest η0") if curve.edge == "high" else ("bottom", low, "lower the smallest η0")
        )
        warnings.append(
            f"{who} is the {end} of the range ({value:.3g}): the best may lie beyond it; {way} and search again."
        )
    return warnings


def lr_search_plot(info: LRSearchInfo) -> go.Figure:
    data = []
    for k, curve in enumerate(info.curves):
        color = theme.series_color(k)
        data.append(
            go.Scatter(
                x=info.candidates,
                y=curve.values,
                mode="lines",
                name=curve.label,
                line={"color": color, "width": 1.5},
                legendgroup=curve.label,
                hovertemplate="η0 %{x:.4g}<br>objective %{y:.4g}<extra>" + curve.label + "</extra>",
            )
        )
        if math.isfinite(curve.chosen):
            edge = "" if curve.edge is None else f" (the range's {'top' if curve.edge == 'high' else 'bottom'}!)"
            data.append(
                go.Scatter(
                    x=[curve.chosen],
                    y=[curve.chosen_value],
                    mode="markers",
                    marker={
                        "symbol": "star-open" if curve.edge else "star",
                        "size": 15 if curve.edge else 13,
                        "color": color,
                        "line": {"color": color if curve.edge else "white", "width": 2 if curve.edge else 1},
                    },
                    name=f"{curve.label}: η0 = {curve.chosen:.3g}",
                    legendgroup=curve.label,
                    showlegend=False,
                    hovertemplate=f"chosen η0 {curve.chosen:.4g}{edge}<extra>{curve.label}</extra>",
                )
            )
    shapes, annotations = [], []
    if info.shared is not None:
        shapes.append(theme.marker_line(info.shared))
    if any(curve.edge for curve in info.curves):
        annotations.append(
            {
                "text": "open star: best at the range's edge; the best may lie beyond",
                "x": 1,
                "xanchor": "right",
                "xref": "x domain",
                "y": 1,
                "yanchor": "bottom",
                "yref": "y domain",
                "showarrow": False,
                "font": {"size": 12, "color": "#8A1C00"},
                "name": "edge",
            }
        )
    if info.diverged is not None:
        low, high = info.diverged
        shapes.append(
            {
                "type": "rect",
                "x0": low,
                "x1": high,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "fillcolor": theme.VERMILLION,
                "opacity": 0.07,
                "line": {"width": 0},
            }
        )
        annotations.append(
            {
                "text": "every run diverges",
                "x": low,
                "xanchor": "left",
                "xref": "x",
                "y": 1,
                "yanchor": "top",
                "yref": "y domain",
                "showarrow": False,
            }
        )
    layout = theme.layout(
        title={"text": info.title},
        xaxis={"title": {"text": "base learning rate η0"}, "type": "log"},
        yaxis={"title": {"text": info.y_title}, "type": "log" if info.log_y else "linear"},
        coloraxis={},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        shapes=shapes or None,
        annotations=annotations or None,
    )
    return go.Figure(data=data, layout=layout)


def lr_search_figure(search: LRSearch) -> go.Figure:
    """The sensitivity curve: the search objective against η0 for each schedule, the chosen η0 marked."""
    return lr_search_plot(lr_search_info(search))


# --- Shared pieces of the maps ---------------------------------------------------------------------------------


class Categories(NamedTuple):
    """A categorical map's colouring: outcome codes in display order (minimizers first), names and colours."""

    codes: list[int]
    names: list[str]
    colors: list[str]

    def index(self, outcome: np.ndarray) -> np.ndarray:
        """Each cell's position in ``codes`` (what a categorical heatmap plots)."""
        position = {code: k for k, code in enumerate(self.codes)}
        return np.vectorize(position.get)(outcome)

    def legend(self, outcome: np.ndarray) -> list[tuple[str, str]]:
        """``(name, colour)`` of the categories that occur in ``outcome``, in display order."""
        present = set(np.unique(outcome).tolist())
        return [(n, c) for code, n, c in zip(self.codes, self.names, self.colors, strict=True) if code in present]


def categories(names: dict[int, str]) -> Categories:
    """Minimizers (codes ≥ 0) in the series colours, then diverged, moving, saddle and stalled in theirs."""
    codes = sorted(c for c in names if c >= 0) + [c for c in (DIVERGED, MOVING, SADDLE, STALLED) if c in names]
    colors = [theme.series_color(c) if c >= 0 else OTHER_COLORS[c] for c in codes]
    return Categories(codes, [names[c] for c in codes], colors)


def panel_titles(scene: Scene, pairs: tuple[tuple[int, int], ...]) -> list[str]:
    """Short panel titles: only what differs between the panels (the schedule, the optimizer, or both)."""
    optimizers = {o for o, _ in pairs}
    schedules_ = {s for _, s in pairs}
    titles = []
    for o, s in pairs:
        parts = []
        if len(optimizers) > 1 or len(schedules_) == 1:
            parts.append(scene.optimizers[o].label)
        if len(schedules_) > 1 or len(optimizers) == 1:
            parts.append(scene.schedules[s].label)
        titles.append(" · ".join(dict.fromkeys(parts)))
    return titles


def surface_name(scene: Scene) -> str:
    """The scene's surface as the page names it, e.g. ``Peaks (the paper's variant)`` (its id if unknown)."""
    surface = landscapes.SURFACES.get(scene.surface.id)
    return surface.name if surface is not None else scene.surface.id


def _panels(titles: list[str]) -> dict[str, Any]:
    return theme.panel_row(
        titles, shared_yaxes=True, shared_xaxes=True, horizontal_spacing=min(0.04, 0.3 / max(1, len(titles)))
    )


def _category_heatmap(
    x: np.ndarray, y: np.ndarray, index: np.ndarray, cats: Categories, hover: str, col: int
) -> go.Heatmap:
    """A map of categories: ``index`` (positions in ``cats.codes``) in their colours, each cell's name on hover."""
    n = len(cats.codes)
    scale = []
    for k, color in enumerate(cats.colors):
        scale += [[k / n, color], [(k + 1) / n, color]]
    return go.Heatmap(
        x=x,
        y=y,
        z=index,
        zmin=-0.5,
        zmax=n - 0.5,
        colorscale=scale,
        showscale=False,
        customdata=np.asarray(cats.names, dtype=object)[index],
        hovertemplate=hover + "%{customdata}<extra></extra>",
        **theme.panel_axes(col),
    )


def _legend_squares(legend: list[tuple[str, str]]) -> list[go.Scatter]:
    """Legend entries (coloured squares, no points) for a categorical map."""
    return [
        go.Scatter(x=[None], y=[None], mode="markers", name=name, marker={"symbol": "square", "size": 12, "color": c})
        for name, c in legend
    ]


def _click_grid(xs: np.ndarray, ys: np.ndarray, col: int) -> go.Scatter:
    step_x = max(1, math.ceil(len(xs) / MAX_CLICK_SIDE))
    step_y = max(1, math.ceil(len(ys) / MAX_CLICK_SIDE))
    jj, ii = np.meshgrid(np.arange(0, len(xs), step_x), np.arange(0, len(ys), step_y))
    return go.Scatter(
        x=np.asarray(xs)[jj.ravel()],
        y=np.asarray(ys)[ii.ravel()],
        customdata=np.stack([ii.ravel(), jj.ravel()], axis=1),
        mode="markers",
        marker={"size": 8, "opacity": 0},
        hoverinfo="none",
        showlegend=False,
        name=f"cells {col}",
        **theme.panel_axes(col),
    )


def _blank_notes(blank: list[bool], text: str) -> list[dict[str, Any]]:
    """``text`` across each panel whose map is blank (no cell has a value): an empty frame says why."""
    notes = []
    for p, empty in enumerate(blank):
        if empty:
            axes = theme.panel_axes(p + 1)
            notes.append(
                {
                    "text": text,
                    "x": 0.5,
                    "y": 0.5,
                    "xref": f"{axes['xaxis']} domain",
                    "yref": f"{axes['yaxis']} domain",
                    "showarrow": False,
                    "font": _NOTE,
                    "bgcolor": "rgba(255, 255, 255, 0.85)",
                    "name": "no convergence",
                }
            )
    return notes


def _title(text: str, details: str) -> dict:
    """A figure title: what it shows, and on a second, smaller line, the surface and the run."""
    return {"text": f"{text}<br><sup>{details}</sup>"}


def _window(centres: np.ndarray) -> tuple[float, float]:
    half = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    return float(centres[0] - half), float(centres[-1] + half)


def _axes(panels: dict[str, Any], kind: str, every: dict[str, Any], first: dict[str, Any] | None = None) -> None:
    """Sets ``every`` on each axis of ``kind`` (``xaxis``, ``yaxis``) in ``panels``, and ``first`` on the first."""
    for name in [key for key in panels if key == kind or (key.startswith(kind) and key[len(kind) :].isdigit())]:
        panels[name] = theme.merge(panels[name], every)
    if first:
        panels[kind] = theme.merge(panels[kind], first)


# --- Basins -------------------------------------------------------------------------------------------------------


class BasinsInfo(NamedTuple):
    kind: str  # "outcome" (a category per cell) or "steps" (the step each start converged at)
    titles: list[str]  # [P] panel titles
    xs: np.ndarray  # [nx] start x of each column
    ys: np.ndarray  # [ny] start y of each row
    maps: np.ndarray  # [P, ny, nx] category positions (outcome) or steps to converge (NaN: did not)
    categories: Categories
    legend: list[tuple[str, str]]  # (name, colour) of the outcomes that occur
    steps_high: float  # the top of the steps' colour scale
    minimizers: np.ndarray  # [K, 2] known minimizers, marked on every panel
    saddles: np.ndarray  # [S, 2] known saddles
    window: tuple[tuple[float, float], tuple[float, float]]  # the cells' extent
    blank: list[bool]  # [P] steps maps where no start converged
    steps: int  # the run's length
    title: str
    details: str


def basins_info(basins: Basins, kind: str = "outcome") -> BasinsInfo:
    if kind not in ("outcome", "steps"):
        raise ValueError(f"kind must be 'outcome' or 'steps', got {kind=}")
    scene = basins.scene
    cats = categories(basins.categories)
    finite_steps = basins.steps[np.isfinite(basins.steps)]
    title = (
        "Basins of attraction: where each start point ends up"
        if kind == "outcome"
        else "Steps to converge from each start point (blank: did not converge)"
    )
    return BasinsInfo(
        kind=kind,
        titles=panel_titles(scene, basins.pairs),
        xs=basins.xs,
        ys=basins.ys,
        maps=cats.index(basins.outcome) if kind == "outcome" else basins.steps,
        categories=cats,
        legend=cats.legend(basins.outcome),
        steps_high=float(finite_steps.max()) if finite_steps.size else float(scene.steps),
        minimizers=basins.marks.minimizers,
        saddles=basins.marks.saddles,
        window=(_window(basins.xs), _window(basins.ys)),
        blank=[not np.isfinite(basins.steps[p]).any() for p in range(len(basins.pairs))],
        steps=scene.steps,
        title=title,
        details=f"{surface_name(scene)} · {scene.steps} steps · η0 = {scene.lr:g}",
    )


def _marks(info: BasinsInfo, col: int) -> list[go.Scatter]:
    traces = []
    for points, symbol, name in ((info.minimizers, "x", "known minimizer"), (info.saddles, "diamond", "known saddle")):
        if len(points):
            traces.append(
                go.Scatter(
                    x=points[:, 0],
                    y=points[:, 1],
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    marker={"symbol": symbol, "size": 9, "color": "white", "line": {"color": "#333333", "width": 1.5}},
                    hovertemplate=name + " (%{x:.3g}, %{y:.3g})<extra></extra>",
                    **theme.panel_axes(col),
                )
            )
    return traces


def basins_plot(info: BasinsInfo) -> go.Figure:
    hover = "start (%{x:.3g}, %{y:.3g})<br>"
    data: list[Any] = []
    for p in range(len(info.titles)):
        col = p + 1
        if info.kind == "outcome":
            data.append(_category_heatmap(info.xs, info.ys, info.maps[p], info.categories, hover, col))
        else:
            data.append(
                go.Heatmap(
                    x=info.xs,
                    y=info.ys,
                    z=info.maps[p],
                    coloraxis="coloraxis",
                    hovertemplate=hover + "converged at step %{z:.0f}<extra></extra>",
                    **theme.panel_axes(col),
                )
            )
        data += _marks(info, col)
        data.append(_click_grid(info.xs, info.ys, col))
    coloraxis: dict[str, Any] = {}
    panels = _panels(info.titles)
    if info.kind == "outcome":
        data += _legend_squares(info.legend)
    else:
        coloraxis = {
            "colorscale": "Viridis",
            "cmin": 0,
            "cmax": info.steps_high,
            "showscale": not all(info.blank),
            "colorbar": {"title": {"text": "steps to<br>converge"}},
        }
        panels["annotations"] = panels.get("annotations", []) + _blank_notes(
            info.blank, f"No start converged<br>within {info.steps} steps"
        )
    (xmin, xmax), (ymin, ymax) = info.window
    _axes(panels, "xaxis", {"range": [xmin, xmax], "title": {"text": "start x"}, "constrain": "domain"})
    _axes(panels, "yaxis", {"range": [ymin, ymax]}, first={"title": {"text": "start y"}})
    layout = theme.layout(
        **panels,
        coloraxis=coloraxis,
        title=_title(info.title, info.details),
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 90, "b": 40},
    )
    return go.Figure(data=data, layout=layout)


def basins_figure(basins: Basins, kind: str = "outcome") -> go.Figure:
    """Side-by-side maps, one per (optimizer, schedule) pair: ``kind="outcome"`` (where each start ends up,
    a categorical legend) or ``kind="steps"`` (steps to converge, one colour scale; blank: did not converge)."""
    return basins_plot(basins_info(basins, kind))


# --- Hyperparameter maps -----------------------------------------------------------------------------------------


class HParamInfo(NamedTuple):
    metric: str  # a key of ui.labels.METRICS
    titles: list[str]  # [P] panel titles
    x: np.ndarray  # [nx] values of the x setting
    y: np.ndarray  # [ny] values of the y setting
    x_log: bool
    y_log: bool
    maps: np.ndarray  # [P, ny, nx] what each cell shows (category positions for "outcome", 0/1 for "success")
    categories: Categories
    legend: list[tuple[str, str]]  # (name, colour) of the outcomes that occur ("outcome" maps)
    color_title: str  # the colour bar's title (continuous maps)
    x_name: str  # the x setting in words, e.g. "η0 (base learning rate)"
    x_owner: str  # what it belongs to, e.g. "optimizer 1 (SGD + momentum)"; "" for every schedule's η0
    y_name: str
    y_owner: str
    blank: list[bool]  # [P] steps maps where no run converged
    steps: int
    title: str
    details: str


def hparam_info(hmap: HParamMap, metric: str = "final_loss") -> HParamInfo:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric=}")
    cats = categories(hmap.categories)
    loss = hmap.final_loss
    log_loss = metric == "final_loss" and bool(np.all(loss > 0)) and loss.max() / max(loss.min(), 1e-300) > 1e3
    if metric == "outcome":
        maps = cats.index(hmap.outcome)
    elif metric == "success":
        maps = hmap.success.astype(float)
    elif metric == "final_loss":
        maps = np.log10(loss) if log_loss else loss
    elif metric == "distance":
        maps = np.log10(np.maximum(hmap.distance, 1e-12))
    else:
        maps = hmap.steps
    x_name, x_owner = setting_parts(hmap.scene, hmap.x_param)
    y_name, y_owner = setting_parts(hmap.scene, hmap.y_param)
    return HParamInfo(
        metric=metric,
        titles=panel_titles(hmap.scene, hmap.pairs),
        x=hmap.x_values,
        y=hmap.y_values,
        x_log=hmap.x_log,
        y_log=hmap.y_log,
        maps=maps,
        categories=cats,
        legend=cats.legend(hmap.outcome),
        color_title="log10 final loss" if log_loss else METRICS[metric],
        x_name=x_name,
        x_owner=x_owner,
        y_name=y_name,
        y_owner=y_owner,
        blank=[not np.isfinite(hmap.steps[p]).any() for p in range(len(hmap.pairs))],
        steps=hmap.scene.steps,
        title=f"{METRICS[metric].capitalize()} over {_short(x_name)} × {_short(y_name)}",
        details=f"{surface_name(hmap.scene)} · {hmap.scene.steps} steps",
    )


def hparam_plot(info: HParamInfo) -> go.Figure:
    hover = f"{_short(info.x_name)} %{{x:.4g}}<br>{_short(info.y_name)} %{{y:.4g}}<br>"
    single = len(info.titles) == 1
    data: list[Any] = []
    for p in range(len(info.titles)):
        col = p + 1
        if info.metric == "outcome":
            data.append(_category_heatmap(info.x, info.y, info.maps[p], info.categories, hover, col))
        elif info.metric == "success":
            data.append(
                go.Heatmap(
                    x=info.x,
                    y=info.y,
                    z=info.maps[p],
                    zmin=0,
                    zmax=1,
                    showscale=p == 0,
                    colorscale=[[0, "#D9D9D9"], [0.5, "#D9D9D9"], [0.5, theme.GREEN], [1, theme.GREEN]],
                    colorbar={"title": {"text": "success"}, "tickvals": [0.25, 0.75], "ticktext": ["no", "yes"]},
                    hovertemplate=hover + "success %{z}<extra></extra>",
                    **theme.panel_axes(col),
                )
            )
        else:
            data.append(
                go.Heatmap(
                    x=info.x,
                    y=info.y,
                    z=info.maps[p],
                    coloraxis="coloraxis",
                    hovertemplate=hover + "%{z:.4g}<extra></extra>",
                    **theme.panel_axes(col),
                )
            )
        data.append(_click_grid(info.x, info.y, col))
    panels = _panels(info.titles)
    coloraxis: dict[str, Any] = {}
    if info.metric == "outcome":
        data += _legend_squares(info.legend)
    elif info.metric != "success":
        coloraxis = {"colorscale": "Viridis", "colorbar": {"title": {"text": info.color_title.replace(" ", "<br>", 1)}}}
    notes = []
    if info.metric == "steps":
        notes += _blank_notes(info.blank, f"No run converged<br>within {info.steps} steps")
    x_title = _two_lines(info.x_name, info.x_owner)
    x_axis: dict[str, Any] = {"type": "log" if info.x_log else "linear"}
    if single:
        x_axis["title"] = {"text": x_title}
    else:  # one title under all the panels, not one per narrow panel
        notes.append(_shared_x_title(panels, x_title))
    _axes(panels, "xaxis", x_axis)
    _axes(
        panels,
        "yaxis",
        {"type": "log" if info.y_log else "linear"},
        first={"title": {"text": _two_lines(info.y_name, info.y_owner)}},
    )
    panels["annotations"] = panels.get("annotations", []) + notes
    layout = theme.layout(
        **panels,
        coloraxis=coloraxis,
        title=_title(info.title, info.details),
        legend={"orientation": "h", "y": -0.15 if single else -0.22},
        margin={"l": 80 if info.y_owner else 60, "r": 20, "t": 90, "b": 40 if single else 70},
    )
    return go.Figure(data=data, layout=layout)


def hparam_figure(hmap: HParamMap, metric: str = "final_loss") -> go.Figure:
    """One map per (optimizer, schedule) panel, side by side, sharing one colour scale."""
    return hparam_plot(hparam_info(hmap, metric))


def _short(name: str) -> str:
    """``η0 (base learning rate)`` → ``η0``: the name without its gloss, for titles and hover labels."""
    return name.split(" (", 1)[0]


def _two_lines(name: str, owner: str) -> str:
    return f"{name}<br>{owner}" if owner else name


def _shared_x_title(panels: dict[str, Any], text: str) -> dict[str, Any]:
    """``text`` once, centred under every panel, where an x-axis title would be."""
    domains = [axis["domain"] for key, axis in panels.items() if key.startswith("xaxis")]
    left, right = domains[0][0], domains[-1][1]
    return {
        "text": text,
        "x": (left + right) / 2,
        "y": 0,
        "xref": "paper",
        "yref": "paper",
        "yanchor": "top",
        "yshift": -28,
        "showarrow": False,
        "font": {"size": 14},
        "name": "x title",
    }
