"""Figures of a trained task (a network on data): curves, LR, loss-landscape slices, interpolation and playback.

Data first, drawing second, as everywhere in this package: :func:`curves_data`, :func:`landscape_data` and
:func:`interpolation_data` compute NamedTuples of numpy arrays from a :class:`~tasks.trainer.TrainResult`; the
``*_figure`` functions turn them into Plotly figures with the project's look (:mod:`figures.theme`).

One colour per optimizer × schedule and one dash per seed, the same in every figure, so the three seeds of a
schedule read as one family of curves.

The landscapes follow Li et al. 2018 (two filter-normalised random directions with the biases zeroed, around
a run's final weights; and the plane of the first two PCA directions of the weight paths, with the paths
projected on it and the share of their variance each direction explains on its axis); the interpolation
follows Goodfellow et al. 2015 (the loss on the line from the initial to the final weights, or between two
runs' final weights). Both are data of :mod:`tasks.landscape`.

References:
    Li, Xu, Taylor, Studer & Goldstein, Visualizing the Loss Landscape of Neural Nets, NeurIPS 2018
    <https://arxiv.org/abs/1712.09913>. Goodfellow, Vinyals & Saxe, Qualitatively characterizing neural network
    optimization problems, ICLR 2015 <https://arxiv.org/abs/1412.6544>.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from figures import theme
from figures.paths import LABEL_SEPARATOR, SurfaceGrid, _layout, contour_trace, decimate, path_lift, surface_trace
from figures.theme import PALETTE
from tasks import landscape
from tasks.registry import TASKS
from tasks.trainer import TrainResult
from ui.labels import optimizer_names, schedule_names

DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
DIRECTIONS = ("pca", "random")
FITS = ("seed", "all")
X_AXES = ("steps", "grad_evals")
MIN_RESOLUTION, MAX_RESOLUTION = 5, 101
_X_TITLES = {"steps": "step k", "grad_evals": "gradient evaluations"}


# --- Labels and styles ------------------------------------------------------------------------------------------


def _label_parts(result: TrainResult) -> list[tuple[str, str, str]]:
    """Each run's schedule, optimizer and seed in words, as people picked them (ids where the result has no
    scene to name them from, as after a direct call of ``train``)."""
    scene = getattr(result, "scene", None)
    schedules = schedule_names(scene.schedules) if scene is not None else None
    optimizers = optimizer_names(scene.optimizers) if scene is not None else None
    parts = []
    for run in result.runs:
        schedule = schedules[run.schedule_index] if schedules and run.schedule_index < len(schedules) else run.schedule
        optimizer = (
            optimizers[run.optimizer_index] if optimizers and run.optimizer_index < len(optimizers) else run.optimizer
        )
        parts.append((schedule, optimizer, f"seed {run.seed}"))
    return parts


def task_labels(result: TrainResult) -> list[str]:
    """Each run's name (schedule · optimizer · seed) without the parts every run shares; unique."""
    parts = _label_parts(result)
    varying = [k for k in range(3) if len({p[k] for p in parts}) > 1] or [0, 1, 2]
    labels = [LABEL_SEPARATOR.join(p[k] for k in varying) for p in parts]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return [f"{label} #{i}" if counts[label] > 1 else label for i, label in enumerate(labels)]


def shared_task_label(result: TrainResult) -> str:
    """The parts of the run names that every run shares (``""`` when none is)."""
    parts = _label_parts(result)
    if len(parts) < 2:
        return ""
    return LABEL_SEPARATOR.join(parts[0][k] for k in range(3) if len({p[k] for p in parts}) == 1)


def run_colors(result: TrainResult) -> list[str]:
    """One colour per optimizer × schedule (a run's seeds share it)."""
    num_schedules = 1 + max(run.schedule_index for run in result.runs)
    return [PALETTE[(run.optimizer_index * num_schedules + run.schedule_index) % len(PALETTE)] for run in result.runs]


def run_dashes(result: TrainResult) -> list[str]:
    """One dash pattern per seed."""
    return [DASHES[run.seed_index % len(DASHES)] for run in result.runs]


def task_name(result: TrainResult) -> str:
    return TASKS[result.problem.task_id].name


def _legend_title(result: TrainResult) -> str:
    return shared_task_label(result)


def _check_run(result: TrainResult, run: int, name: str = "run") -> int:
    if not isinstance(run, (int, np.integer)) or not 0 <= int(run) < result.num_runs:
        raise ValueError(f"{name} must be a run index in 0 … {result.num_runs - 1}, got {run!r}")
    return int(run)


# --- Curves: loss and accuracy against steps --------------------------------------------------------------------


class Curves(NamedTuple):
    """The full-set curves of every run at the recorded steps, and the LR of every step."""

    x: np.ndarray  # [B, R] steps or gradient evaluations at the records
    x_title: str
    train_loss: np.ndarray  # [B, R]
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    labels: list[str]
    colors: list[str]
    dashes: list[str]
    status: list[str]  # per run, at the end


def curves_data(result: TrainResult, x: str = "steps") -> Curves:
    """Train and test loss and accuracy of every run at its recorded steps, against ``x``: ``steps`` or
    ``grad_evals`` (the mini-batch gradients its updates used; they stop counting when a run diverges)."""
    if x not in X_AXES:
        raise ValueError(f"x must be one of {', '.join(X_AXES)}, got {x!r}")
    along = (
        np.broadcast_to(result.record_steps, result.train_loss.shape) if x == "steps" else result.grad_evals
    ).astype(np.float64)
    return Curves(
        x=along,
        x_title=_X_TITLES[x],
        train_loss=np.asarray(result.train_loss, np.float64),
        test_loss=np.asarray(result.test_loss, np.float64),
        train_accuracy=np.asarray(result.train_accuracy, np.float64),
        test_accuracy=np.asarray(result.test_accuracy, np.float64),
        labels=task_labels(result),
        colors=run_colors(result),
        dashes=run_dashes(result),
        status=[result.status_name(i) for i in range(result.num_runs)],
    )


def curves_figure(
    result: TrainResult, *, x: str = "steps", log_loss: bool = True, height: int = 620, legend: bool = True
) -> go.Figure:
    """Four panels: train loss, test loss (top), train accuracy, test accuracy (bottom); one line per run."""
    data = curves_data(result, x)
    titles = ["Training loss", "Test loss", "Training accuracy", "Test accuracy"]
    panels = {
        **theme.axes(4, "xaxis"),
        **theme.axes(4, "yaxis"),
    }
    domains_x = ((0.0, 0.46), (0.54, 1.0))
    domains_y = ((0.58, 1.0), (0.0, 0.42))
    traces = []
    annotations = []
    for p, (title, values) in enumerate(
        zip(titles, (data.train_loss, data.test_loss, data.train_accuracy, data.test_accuracy), strict=True)
    ):
        suffix = "" if p == 0 else str(p + 1)
        is_loss = p < 2
        panels[f"xaxis{suffix}"].update(
            domain=list(domains_x[p % 2]), anchor=f"y{suffix}", title={"text": data.x_title if p >= 2 else ""}
        )
        if p:
            panels[f"xaxis{suffix}"]["matches"] = "x"
        panels[f"yaxis{suffix}"].update(
            domain=list(domains_y[p // 2]),
            anchor=f"x{suffix}",
            type="log" if is_loss and log_loss else "linear",
            exponentformat="power",
        )
        if is_loss and log_loss:  # labels on powers of ten only: Plotly's 2s and 5s crowd a short panel
            panels[f"yaxis{suffix}"]["dtick"] = 1
        if not is_loss:
            panels[f"yaxis{suffix}"]["tickformat"] = ".0%"
        annotations.append(
            {
                "text": f"<b>{title}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": sum(domains_x[p % 2]) / 2,
                "y": domains_y[p // 2][1],
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
        )
        shown = np.where(values > 0, values, np.nan) if is_loss and log_loss else values
        for i, label in enumerate(data.labels):
            traces.append(
                go.Scatter(
                    x=data.x[i],
                    y=shown[i],
                    mode="lines",
                    line={"color": data.colors[i], "dash": data.dashes[i], "width": 2},
                    name=label,
                    legendgroup=str(i),
                    showlegend=p == 0,
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                    hovertemplate=f"{data.x_title} %{{x}}<br>%{{y:.4g}} ({data.status[i]})<extra>{label}</extra>",
                )
            )
    layout = _layout(
        f"{task_name(result)}: loss and accuracy on the whole training and test sets",
        height,
        _legend_title(result),
        show_legend=legend,
        margin={"l": 70, "r": 10, "t": 60, "b": 50},
        annotations=annotations,
        legend={"y": -0.1},
        **panels,
    )
    return go.Figure(data=traces, layout=layout)


def task_lr_figure(result: TrainResult, *, log_y: bool = False, height: int = 360, legend: bool = True) -> go.Figure:
    """The LR of every step; a schedule's seeds share it, so one line per optimizer × schedule."""
    labels, colors, parts = task_labels(result), run_colors(result), _label_parts(result)
    steps = np.arange(result.steps)
    keep = decimate(result.steps, 2000)
    traces = []
    for i, run in enumerate(result.runs):
        if run.seed_index:
            continue
        name = LABEL_SEPARATOR.join(part for part in parts[i][:2] if part in labels[i]) or labels[i]
        values = result.lr[i, keep]
        traces.append(
            go.Scatter(
                x=steps[keep],
                y=np.where(values > 0, values, np.nan) if log_y else values,
                mode="lines",
                line={"color": colors[i], "width": 2.2},
                name=name,
                hovertemplate="k=%{x}<br>η=%{y:.4g}<extra>" + name + "</extra>",
            )
        )
    layout = _layout(
        "Learning rate",
        height,
        "",
        show_legend=legend,
        margin={"l": 70, "r": 10, "t": 45, "b": 50},
        xaxis={"title": {"text": "step k"}, "range": [0, max(1, result.steps - 1)]},
        yaxis={"title": {"text": "learning rate η<sub>k</sub>"}, "type": "log" if log_y else "linear"},
    )
    return go.Figure(data=traces, layout=layout)


# --- The landscape: a 2-D slice around a run's final weights ----------------------------------------------------


class LandscapeView(NamedTuple):
    """A slice of the loss around one run's final weights, and the paths on its plane (PCA directions)."""

    slice: landscape.LandscapeSlice
    directions: str  # "pca" or "random"
    run: int  # the chosen run: its final weights are (0, 0)
    fit: str  # PCA: fitted to the chosen run's seed ("seed") or to every run ("all"); "" for random directions
    path_runs: tuple[int, ...]  # the runs whose paths are drawn
    paths: np.ndarray  # [len(path_runs), R, 2] projected recorded weights; [0, R, 2] for random directions
    path_loss: np.ndarray  # [len(path_runs), R] the loss of the recorded weights on the slice's split
    record_steps: np.ndarray  # [R]
    explained: np.ndarray  # [2] share of the fitted paths' variance per direction; NaN for random directions
    axis_titles: tuple[str, str]
    labels: list[str]  # of the path runs
    colors: list[str]
    dashes: list[str]
    center_label: str
    title: str
    plane: str  # the plane in words


def landscape_data(
    result: TrainResult,
    run: int = 0,
    *,
    directions: str = "pca",
    fit: str = "seed",
    resolution: int = 41,
    split: str = "train",
    seed: int = 0,
) -> LandscapeView:
    """The loss on a ``resolution × resolution`` grid of a plane through run ``run``'s final weights.

    Args:
        directions: ``pca`` — the first two principal directions of the weight paths (Li et al. 2018, §7), the
            grid framing the paths; ``random`` — two filter-normalised Gaussian directions with the biases zeroed
            (§4), the grid from −1 to 1 along each.
        fit: the runs the PCA is fitted to: ``seed`` (default), the runs that share the chosen run's seed — their
            paths start from the same weights, so the plane shows how the optimizers and schedules differ;
            fitting ``all`` seeds gives axes dominated by the distance between different seeds' solutions.
        split: the loss on the whole ``train`` (default) or ``test`` set.
        seed: the random directions' seed.
    """
    run = _check_run(result, run)
    if directions not in DIRECTIONS:
        raise ValueError(f"directions must be one of {', '.join(DIRECTIONS)}, got {directions!r}")
    if fit not in FITS:
        raise ValueError(f"fit must be one of {', '.join(FITS)}, got {fit!r}")
    if not MIN_RESOLUTION <= int(resolution) <= MAX_RESOLUTION:
        raise ValueError(f"resolution must be in {MIN_RESOLUTION} … {MAX_RESOLUTION}, got {resolution}")
    problem = result.problem
    center = result.final_weights(run)
    labels, colors, dashes = task_labels(result), run_colors(result), run_dashes(result)
    loss_of = result.train_loss if split == "train" else result.test_loss
    if directions == "pca":
        seed_index = result.runs[run].seed_index
        fitted = (
            tuple(r.index for r in result.runs if r.seed_index == seed_index)
            if fit == "seed"
            else tuple(range(result.num_runs))
        )
        fitted = (run, *[r for r in fitted if r != run])
        moved = np.ptp(result.weights[list(fitted)], axis=1).max()
        if not moved > 0:
            raise ValueError("the chosen runs' weights never moved (is every LR 0?): no PCA plane to show")
        pca = landscape.pca_directions(result.weights, fitted, reference=run)
        (x0, x1), (y0, y1) = landscape.path_window(pca.coords[list(fitted)])
        x = landscape.grid(x0, x1, int(resolution))
        y = landscape.grid(y0, y1, int(resolution))
        plane = pca.directions
        paths = pca.coords[list(fitted)]
        path_runs = fitted
        explained = pca.explained_variance_ratio
        titles = (f"PCA direction 1 ({explained[0]:.1%} of the variance)", f"PCA direction 2 ({explained[1]:.1%})")
        what = "the plane of the first two PCA directions of the paths"
    else:
        plane = landscape.filter_normalized_directions(problem.model, center, seed=seed)
        x = y = landscape.grid(-1.0, 1.0, int(resolution))
        paths = np.zeros((0, len(result.record_steps), 2))
        path_runs = ()
        explained = np.full(2, np.nan)
        titles = ("filter-normalised direction δ", "filter-normalised direction η")
        what = "two filter-normalised random directions"
        fit = ""
    slice_ = landscape.loss_slice(problem, center, plane, x, y, split=split, dtype=_dtype(result))
    return LandscapeView(
        slice=slice_,
        directions=directions,
        run=run,
        fit=fit,
        path_runs=tuple(path_runs),
        paths=np.asarray(paths, np.float64),
        path_loss=np.asarray(loss_of[list(path_runs)], np.float64).reshape(len(path_runs), len(result.record_steps)),
        record_steps=result.record_steps,
        explained=np.asarray(explained, np.float64),
        axis_titles=titles,
        labels=[labels[i] for i in path_runs],
        colors=[colors[i] for i in path_runs],
        dashes=[dashes[i] for i in path_runs],
        center_label=labels[run],
        title=f"{task_name(result)}: {split} loss around the final weights of {labels[run]}",
        plane=what,
    )


def _dtype(result: TrainResult) -> str:
    return "float64" if result.train_loss.dtype == np.float64 else "float32"


def _log_loss(values: np.ndarray) -> np.ndarray:
    return np.log10(np.maximum(np.asarray(values, np.float64), 1e-12))


_Z_TITLE = "log₁₀ loss"


def _grid(view: LandscapeView) -> SurfaceGrid:
    return SurfaceGrid(view.slice.x, view.slice.y, _log_loss(view.slice.loss))


def _path_traces(view: LandscapeView, xaxis: str = "x", yaxis: str = "y") -> list[go.Scatter]:
    traces = []
    # The chosen run (the first) last, on top: runs of one seed start together and often share their first part.
    for k in reversed(range(len(view.labels))):
        label = view.labels[k]
        path = view.paths[k]
        traces.append(
            go.Scatter(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines+markers",
                legendrank=1000 + k,
                line={"color": view.colors[k], "width": 2.5, "dash": view.dashes[k]},
                marker={"size": 3, "color": view.colors[k]},
                name=label,
                legendgroup=label,
                text=view.record_steps,
                xaxis=xaxis,
                yaxis=yaxis,
                hovertemplate="step %{text}<br>(%{x:.3g}, %{y:.3g})<extra>" + label + "</extra>",
            )
        )
        traces.append(
            go.Scatter(
                x=path[[0], 0],
                y=path[[0], 1],
                mode="markers",
                marker={"color": view.colors[k], "size": 10, "line": {"color": "white", "width": 1.5}},
                name=label,
                legendgroup=label,
                showlegend=False,
                xaxis=xaxis,
                yaxis=yaxis,
                hovertemplate="start<extra>" + label + "</extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            marker={"symbol": "star", "size": 16, "color": "white", "line": {"color": "black", "width": 1.5}},
            name=f"final weights of {view.center_label}",
            xaxis=xaxis,
            yaxis=yaxis,
            hovertemplate="(0, 0): the final weights<extra>" + view.center_label + "</extra>",
        )
    )
    return traces


def _plane_axes(view: LandscapeView) -> tuple[dict, dict]:
    x, y = view.slice.x, view.slice.y
    return (
        {"title": {"text": view.axis_titles[0]}, "range": [float(x[0]), float(x[-1])]},
        {"title": {"text": view.axis_titles[1]}, "range": [float(y[0]), float(y[-1])]},
    )


def _scene(view: LandscapeView) -> dict:
    ticks = {"nticks": 5, "tickfont": {"size": 11}}
    x, y = view.slice.x, view.slice.y
    return {
        "xaxis": {"title": {"text": "direction 1"}, "range": [float(x[0]), float(x[-1])], **ticks},
        "yaxis": {"title": {"text": "direction 2"}, "range": [float(y[0]), float(y[-1])], **ticks},
        "zaxis": {"title": {"text": _Z_TITLE, "font": {"size": 13}}, **ticks},
        "aspectmode": "manual",
        "aspectratio": {"x": 1.2, "y": 1.2, "z": 0.7},
        "camera": {"eye": {"x": 1.6, "y": 1.6, "z": 1.25}},
    }


def landscape_contour(view: LandscapeView, *, height: int = 560, legend: bool = True) -> go.Figure:
    """The slice as a contour of log₁₀ loss, with the projected paths (PCA) and the centre (a star)."""
    grid = _grid(view)
    data: list[Any] = [contour_trace(grid, grid.z, _Z_TITLE)]
    data.extend(_path_traces(view))
    xaxis, yaxis = _plane_axes(view)
    layout = _layout(
        view.title,
        height,
        "",
        show_legend=legend,
        margin={"l": 70, "r": 10, "t": 45, "b": 50},
        xaxis=xaxis,
        yaxis=yaxis,
    )
    layout["title"]["font"] = {"size": 14}  # the slice's titles are long
    return go.Figure(data=data, layout=layout)


def _path_traces_3d(view: LandscapeView, z_lift: float, scene: str = "scene") -> list[go.Scatter3d]:
    traces = []
    for k, label in enumerate(view.labels):
        path = view.paths[k]
        traces.append(
            go.Scatter3d(
                x=path[:, 0],
                y=path[:, 1],
                z=_log_loss(view.path_loss[k]) + z_lift,
                mode="lines",
                line={"color": view.colors[k], "width": 5},
                name=label,
                legendgroup=label,
                showlegend=False,
                text=view.record_steps,
                scene=scene,
                hovertemplate="step %{text}<br>the loss of the recorded weights<extra>" + label + "</extra>",
            )
        )
    return traces


def landscape_surface(view: LandscapeView, *, height: int = 600, legend: bool = True) -> go.Figure:
    """The slice as a 3-D surface of log₁₀ loss; a path's height is the loss of its recorded weights, which lie
    off the plane by what the two directions do not explain."""
    grid = _grid(view)
    data: list[Any] = [surface_trace(grid, grid.z)]
    data.extend(_path_traces_3d(view, path_lift(grid.z)))
    layout = _layout(
        view.title,
        height,
        "",
        show_legend=legend,
        margin={"l": 0, "r": 0, "t": 40, "b": 10},
        scene=_scene(view),
    )
    layout["title"]["font"] = {"size": 14}  # the slice's titles are long
    return go.Figure(data=data, layout=layout)


def landscape_figure(view: LandscapeView, *, height: int = 620) -> go.Figure:
    """The contour (left) and the 3-D surface (right) of one slice, in one figure (for a file)."""
    grid = _grid(view)
    contour = contour_trace(grid, grid.z, _Z_TITLE, x=0.47, len=0.8)
    data: list[Any] = [contour, *_path_traces(view)]
    data.append(surface_trace(grid, grid.z))
    data.extend(_path_traces_3d(view, path_lift(grid.z)))
    xaxis, yaxis = _plane_axes(view)
    layout = _layout(
        view.title,
        height,
        "",
        margin={"l": 70, "r": 10, "t": 45, "b": 50},
        xaxis={**xaxis, "domain": [0.0, 0.44]},
        yaxis=yaxis,
        scene={**_scene(view), "domain": {"x": [0.52, 1.0], "y": [0.0, 1.0]}},
    )
    layout["title"]["font"] = {"size": 14}  # the slice's titles are long
    return go.Figure(data=data, layout=layout)


# --- Interpolation ----------------------------------------------------------------------------------------------


class InterpolationView(NamedTuple):
    line: landscape.Interpolation
    start_label: str  # what α = 0 is
    end_label: str  # what α = 1 is
    title: str


def interpolation_data(
    result: TrainResult, run: int = 0, other: int | None = None, *, resolution: int = 81
) -> InterpolationView:
    """The loss and accuracy on the line from run ``run``'s initial weights to its final ones (Goodfellow et al.
    2015), or, with ``other``, from ``run``'s final weights to ``other``'s final weights."""
    run = _check_run(result, run)
    labels = task_labels(result)
    if not 3 <= int(resolution) <= 401:
        raise ValueError(f"resolution must be in 3 … 401, got {resolution}")
    alpha = landscape.interpolation_alphas(resolution=int(resolution))
    if other is None:
        start, end = result.initial_weights(run), result.final_weights(run)
        names = (f"initial weights of {labels[run]}", f"final weights of {labels[run]}")
        title = f"{task_name(result)}: from the initial to the final weights of {labels[run]}"
    else:
        other = _check_run(result, other, "other")
        if other == run:
            raise ValueError(f"other must be a different run from run {run}")
        start, end = result.final_weights(run), result.final_weights(other)
        names = (f"final weights of {labels[run]}", f"final weights of {labels[other]}")
        title = f"{task_name(result)}: between the final weights of {labels[run]} and {labels[other]}"
    line = landscape.interpolate(result.problem, start, end, alpha, dtype=_dtype(result))
    return InterpolationView(line, *names, title)


def interpolation_figure(view: InterpolationView, *, log_loss: bool = True, height: int = 420) -> go.Figure:
    """Loss (left) and accuracy (right) on train and test along θ(α) = (1 − α)·θ_start + α·θ_end."""
    line = view.line
    panels = theme.panel_row(["Loss", "Accuracy"], horizontal_spacing=0.1)
    traces = []
    for col, (train, test) in enumerate(
        ((line.train_loss, line.test_loss), (line.train_accuracy, line.test_accuracy)), start=1
    ):
        axes = theme.panel_axes(col)
        for values, split, color in ((train, "train", PALETTE[0]), (test, "test", PALETTE[1])):
            traces.append(
                go.Scatter(
                    x=line.alpha,
                    y=values,
                    mode="lines",
                    line={"color": color, "width": 2.4, "dash": "solid" if split == "train" else "dash"},
                    name=split,
                    legendgroup=split,
                    showlegend=col == 1,
                    hovertemplate="α=%{x:.3g}<br>%{y:.4g}<extra>" + split + "</extra>",
                    **axes,
                )
            )
    shapes = [theme.marker_line(a, col) for a in (0.0, 1.0) for col in (1, 2)]
    layout = _layout(
        view.title,
        height,
        "",
        margin={"l": 70, "r": 10, "t": 60, "b": 50},
        shapes=shapes,
        **panels,
    )
    layout["xaxis"]["title"] = {"text": f"α (0: {view.start_label}; 1: {view.end_label})", "font": {"size": 12}}
    layout["xaxis2"]["title"] = {"text": "α"}
    layout["yaxis"].update(type="log" if log_loss else "linear", exponentformat="power")
    layout["yaxis2"].update(tickformat=".0%")
    layout["title"]["font"] = {"size": 14}
    return go.Figure(data=traces, layout=layout)


# --- Playback: markers moving along the projected paths ----------------------------------------------------------

PLAYBACK_FRAME_MS = 80


def playback_figure(view: LandscapeView, *, height: int = 600, frame_ms: int = PLAYBACK_FRAME_MS) -> go.Figure:
    """The PCA contour with every path and a marker per run moving along it, one frame per recorded step; a
    slider scrubs and play/pause animate, in the browser (only the marker traces change)."""
    if view.directions != "pca":
        raise ValueError("the playback moves along the paths on the PCA plane; use directions='pca'")
    fig = landscape_contour(view, height=height)
    start = len(fig.data)
    markers = [
        go.Scatter(
            x=[view.paths[k, 0, 0]],
            y=[view.paths[k, 0, 1]],
            mode="markers",
            name=label,
            legendgroup=label,
            showlegend=False,
            marker={"color": view.colors[k], "size": 14, "line": {"color": "white", "width": 2}},
            hovertemplate="(%{x:.3g}, %{y:.3g})<extra>" + label + "</extra>",
        )
        for k, label in enumerate(view.labels)
    ]
    fig.add_traces(markers)
    indices = list(range(start, start + len(markers)))
    frames = [
        go.Frame(
            name=str(int(step)),
            data=[go.Scatter(x=[view.paths[k, r, 0]], y=[view.paths[k, r, 1]]) for k in range(len(view.labels))],
            traces=indices,
        )
        for r, step in enumerate(view.record_steps)
    ]
    fig.frames = frames

    def animate(names: list[str] | None, duration: int) -> list:
        return [
            names,
            {"frame": {"duration": duration, "redraw": False}, "mode": "immediate", "fromcurrent": True,
             "transition": {"duration": 0}},
        ]  # fmt: skip

    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "y": -0.12,
                "xanchor": "left",
                "yanchor": "top",
                "buttons": [
                    {"label": "▶ play", "method": "animate", "args": animate(None, frame_ms)},
                    {"label": "❚❚ pause", "method": "animate", "args": animate([None], 0)},
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.2,
                "y": -0.12,
                "len": 0.8,
                "xanchor": "left",
                "yanchor": "top",
                "currentvalue": {"prefix": "step k = ", "font": {"size": 14}},
                "steps": [{"label": f.name, "method": "animate", "args": animate([f.name], 0)} for f in frames],
            }
        ],
        legend={"y": -0.3},
        margin={"b": 140},
    )
    return fig


def playback_gif(
    view: LandscapeView,
    *,
    frames: int = 40,
    size: tuple[int, int] = (800, 560),
    progress: Callable[[int, int], None] | None = None,
    frame_ms: int = 100,
    hold_ms: int = 1500,
) -> bytes:
    """An animated GIF of the playback: the contour with the paths rendered once (kaleido), then a marker per
    run drawn on it at each of ``frames`` recorded steps spread over the run (Pillow), as the surfaces' GIF."""
    from PIL import Image

    from figures import export

    if view.directions != "pca":
        raise ValueError("the playback moves along the paths on the PCA plane; use directions='pca'")
    width, height = size
    if width < 300 or height < 200:
        raise ValueError(f"a GIF must be at least 300 × 200 pixels, got {size=}")
    margin = {"l": 70, "r": 110, "t": 48, "b": 60}
    area = export.PlotArea(
        left=margin["l"],
        top=margin["t"],
        width=width - margin["l"] - margin["r"],
        height=height - margin["t"] - margin["b"],
        x_range=(float(view.slice.x[0]), float(view.slice.x[-1])),
        y_range=(float(view.slice.y[0]), float(view.slice.y[-1])),
    )
    background = landscape_contour(view, height=height, legend=False)
    short = f"{view.title.partition(':')[0]}: paths on the PCA plane"
    background.update_layout(width=width, margin={**margin, "autoexpand": False}, title={"text": short})
    background.update_traces(colorbar={"len": 1.0, "x": 1.02, "xanchor": "left"}, selector={"type": "contour"})
    image = Image.open(io.BytesIO(export.render(background.to_dict(), "png", width, height))).convert("RGB")
    keep = decimate(len(view.record_steps), frames)
    pixels = area.to_pixels(view.paths[:, keep])  # [B, F, 2]
    total = int(view.record_steps[-1])
    images = []
    for f, r in enumerate(keep):
        frame = export._draw_markers(image, pixels[:, f], view.colors, area)
        images.append(export._draw_step(frame, int(view.record_steps[r]), total))
        if progress is not None:
            progress(f + 1, len(keep))
    palette = images[0].quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    frames_p = [palette] + [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images[1:]]
    buffer = io.BytesIO()
    frames_p[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames_p[1:],
        duration=[frame_ms] * (len(frames_p) - 1) + [hold_ms],
        loop=0,
        disposal=1,
    )
    return buffer.getvalue()


# --- The claims C15–C18 -----------------------------------------------------------------------------------------


def task_claim_figure(verdict: Any, *, height: int = 420) -> go.Figure:
    """A task claim's evidence: each schedule's test accuracy (mean over the seeds) against steps at the preset's
    η0 (left), and its final test accuracy at every η0 of the robustness sweep (right)."""
    curves = verdict.curves
    panels = theme.panel_row(["Test accuracy at the preset's η0", "Final test accuracy against η0"])
    traces = []
    lows = []
    for k, (schedule, accuracy) in enumerate(curves.accuracy.items()):
        color = PALETTE[k % len(PALETTE)]
        lows.append(float(accuracy[-1]))
        traces.append(
            go.Scatter(
                x=curves.steps,
                y=accuracy,
                mode="lines",
                line={"color": color, "width": 2},
                name=schedule,
                legendgroup=schedule,
                hovertemplate="step %{x}<br>%{y:.2%}<extra>" + schedule + "</extra>",
                **theme.panel_axes(1),
            )
        )
        traces.append(
            go.Scatter(
                x=verdict.lrs,
                y=verdict.finals[schedule],
                mode="lines+markers",
                line={"color": color, "width": 2},
                name=schedule,
                legendgroup=schedule,
                showlegend=False,
                hovertemplate="η0 %{x:.3g}<br>%{y:.2%}<extra>" + schedule + "</extra>",
                **theme.panel_axes(2),
            )
        )
    center = float(verdict.lrs[int(np.argmin(np.abs(np.log(verdict.factors))))])
    layout = _layout(
        f"{verdict.claim.id}: {verdict.verdict} (robustness {verdict.robustness:.0%})",
        height,
        "",
        margin={"l": 70, "r": 10, "t": 60, "b": 50},
        shapes=[theme.marker_line(center, 2)],
        **panels,
    )
    low = max(0.0, min(lows) - 0.03)
    layout["xaxis"]["title"] = {"text": "step k"}
    layout["yaxis"].update(range=[low, min(1.0, max(lows) + 0.01)], tickformat=".1%")
    layout["xaxis2"].update(type="log", title={"text": "η0 (dashed: the preset's)"})
    layout["yaxis2"].update(tickformat=".0%")
    return go.Figure(data=traces, layout=layout)
