"""Pure functions from a Result to data and ``plotly.graph_objects.Figure``; no Streamlit here.

Exports (PNG, SVG, HTML, GIF) live in :mod:`figures.export`, imported on demand: it starts a
headless Chromium through kaleido the first time an image is made.
"""

from figures.internals import StepSizes, effective_lr_figure, internals_figure, step_sizes, used_internals
from figures.paths import (
    PALETTE,
    TEMPLATE,
    SurfaceGrid,
    contour_figure,
    decimate,
    distance_to_minimizer,
    loss_figure,
    lr_figure,
    run_colors,
    shared_label,
    short_labels,
    special_points,
    surface_figure,
    surface_grid,
)
from figures.playback import Playback, playback_data, playback_figure
from figures.summary import COLUMNS, summary_table

__all__ = [
    "COLUMNS",
    "PALETTE",
    "TEMPLATE",
    "Playback",
    "StepSizes",
    "SurfaceGrid",
    "contour_figure",
    "decimate",
    "distance_to_minimizer",
    "effective_lr_figure",
    "internals_figure",
    "loss_figure",
    "lr_figure",
    "playback_data",
    "playback_figure",
    "run_colors",
    "shared_label",
    "short_labels",
    "special_points",
    "step_sizes",
    "summary_table",
    "surface_figure",
    "surface_grid",
    "used_internals",
]
