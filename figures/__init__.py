"""Pure functions from a Result to ``plotly.graph_objects.Figure``; no Streamlit here."""

from figures.paths import (
    PALETTE,
    SurfaceGrid,
    contour_figure,
    loss_figure,
    lr_figure,
    run_colors,
    surface_figure,
    surface_grid,
)

__all__ = [
    "PALETTE",
    "SurfaceGrid",
    "contour_figure",
    "loss_figure",
    "lr_figure",
    "run_colors",
    "surface_figure",
    "surface_grid",
]
