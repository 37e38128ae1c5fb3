"""The views of a run, by id: one lookup from a view to its figure, for the page's export tab and the
command line's ``render --view``."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import plotly.graph_objects as go

from engine.simulate import Result
from figures.paths import SurfaceGrid, contour_figure, loss_figure, lr_figure, surface_figure
from figures.playback import playback_figure


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
