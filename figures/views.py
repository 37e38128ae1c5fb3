"""The views of a run, by id: one lookup from a view to its figure, for the page's export tab and the
command line's ``render --view``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import plotly.graph_objects as go

from engine.simulate import Result
from figures import theme
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


def draw(
    view: str, result: Result, grid: SurfaceGrid, log_z: bool, *, camera: Mapping[str, Any] | None = None
) -> go.Figure:
    """The figure of view ``view`` (a key of :data:`VIEWS`); ``camera`` (Plotly's ``scene.camera``: eye, up,
    centre) places the 3-D view's camera."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; allowed: {', '.join(VIEWS)}")
    figure = VIEWS[view].draw(result, grid, log_z)
    if camera and view == "3d":
        # Until surface_figure takes the camera itself: the same figure, its scenes' cameras set.
        layout = figure.layout.to_plotly_json()
        for key in [k for k in layout if k.startswith("scene")]:
            layout[key] = theme.merge(layout[key], {"camera": dict(camera)})
        figure = go.Figure(data=figure.data, layout=layout)
    return figure
