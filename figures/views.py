"""The views of a run, by id: one lookup from a view to its figure, for the page's export tab and the
command line's ``render --view``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import plotly.graph_objects as go

from engine.simulate import Result
from figures import tasks as figures_tasks
from figures.paths import SurfaceGrid, contour_figure, loss_figure, lr_figure, surface_figure
from figures.playback import playback_figure
from tasks.trainer import TrainResult


class View(NamedTuple):
    """One way to draw a run."""

    id: str  # the command line's ``--view``
    name: str  # the page's label
    draw: Callable[[Result, SurfaceGrid, bool], go.Figure]  # (result, surface grid, log-scale surface) -> figure
    on_surface: bool  # draws the paths on the surface (so it can become the playback's GIF)
    animated: bool  # a figure with frames (the page exports it as a GIF, not as an image)


def _surface(result: Result, grid: SurfaceGrid, log_z: bool) -> go.Figure:
    return surface_figure(result, grid, log_z=log_z)


def _contour(result: Result, grid: SurfaceGrid, log_z: bool) -> go.Figure:
    return contour_figure(result, grid, log_z=log_z)


def _lr(result: Result, grid: SurfaceGrid, log_z: bool) -> go.Figure:
    return lr_figure(result)


def _loss(result: Result, grid: SurfaceGrid, log_z: bool) -> go.Figure:
    return loss_figure(result)


def _playback(result: Result, grid: SurfaceGrid, log_z: bool) -> go.Figure:
    return playback_figure(result, grid, log_z=log_z)


VIEWS: dict[str, View] = {
    view.id: view
    for view in (
        View("3d", "3-D surface", _surface, on_surface=True, animated=False),
        View("contour", "Contour", _contour, on_surface=True, animated=False),
        View("lr", "Learning rate", _lr, on_surface=False, animated=False),
        View("loss", "Loss", _loss, on_surface=False, animated=False),
        View("playback", "Playback", _playback, on_surface=True, animated=True),
    )
}


# --- Views of a trained task (a network on data) ----------------------------------------------------------------


class TaskViewOptions(NamedTuple):
    """What a task's view shows: which run, which plane, which axis (defaults: the page's)."""

    run: int = 0  # the chosen run: the landscape's centre, the interpolation's start
    directions: str = "pca"  # landscape plane: "pca" or "random" (filter-normalised)
    fit: str = "seed"  # PCA fitted to the chosen run's seed or to "all" runs
    resolution: int = 41  # landscape grid points per side
    other: int | None = None  # interpolate between the final weights of ``run`` and ``other`` instead
    x: str = "steps"  # curves against "steps" or "grad_evals"
    split: str = "train"  # the landscape's examples


class TaskView(NamedTuple):
    """One way to draw a trained task."""

    id: str  # the command line's ``--view``
    name: str  # the page's label
    draw: Callable[[TrainResult, TaskViewOptions], go.Figure]
    animated: bool  # a figure with frames (exported as a GIF, not an image)


def _landscape(result: TrainResult, options: TaskViewOptions) -> figures_tasks.LandscapeView:
    return figures_tasks.landscape_data(
        result,
        options.run,
        directions=options.directions,
        fit=options.fit,
        resolution=options.resolution,
        split=options.split,
    )


def _interpolation(result: TrainResult, options: TaskViewOptions) -> go.Figure:
    return figures_tasks.interpolation_figure(figures_tasks.interpolation_data(result, options.run, options.other))


TASK_VIEWS: dict[str, TaskView] = {
    view.id: view
    for view in (
        TaskView("curves", "Loss and accuracy", lambda r, o: figures_tasks.curves_figure(r, x=o.x), animated=False),
        TaskView("lr", "Learning rate", lambda r, o: figures_tasks.task_lr_figure(r), animated=False),
        TaskView(
            "landscape",
            "Landscape (contour and 3-D)",
            lambda r, o: figures_tasks.landscape_figure(_landscape(r, o)),
            animated=False,
        ),
        TaskView("contour", "Landscape contour", lambda r, o: figures_tasks.landscape_contour(_landscape(r, o)), False),
        TaskView("3d", "Landscape 3-D", lambda r, o: figures_tasks.landscape_surface(_landscape(r, o)), False),
        TaskView("interpolation", "Interpolation", _interpolation, animated=False),
        TaskView(
            "playback",
            "Playback on the PCA plane",
            lambda r, o: figures_tasks.playback_figure(_landscape(r, o._replace(directions="pca"))),
            animated=True,
        ),
    )
}


def draw(
    view: str,
    result: Result,
    grid: SurfaceGrid,
    log_z: bool,
    *,
    camera: Mapping[str, Any] | None = None,
    loss_x_axis: str = "steps",
) -> go.Figure:
    """The figure of view ``view`` (a key of :data:`VIEWS`); ``camera`` (Plotly's ``scene.camera``: eye, up,
    centre) places the 3-D view's camera; ``loss_x_axis`` is what the loss view counts (``LOSS_X_AXES``)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; allowed: {', '.join(VIEWS)}")
    if camera and view == "3d":
        return surface_figure(result, grid, log_z=log_z, camera=camera)
    if view == "loss" and loss_x_axis != "steps":
        return loss_figure(result, x_axis=loss_x_axis)
    return VIEWS[view].draw(result, grid, log_z)
