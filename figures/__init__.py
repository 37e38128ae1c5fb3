"""Pure functions from a Result to data and ``plotly.graph_objects.Figure``; no Streamlit here.

Every figure of the project lives in this package, with one palette and one layout helper
(:mod:`figures.theme`). Imported on demand, not from here: :mod:`figures.sweeps` (the LR search,
basins of attraction and hyperparameter maps) and :mod:`figures.claims` (a claim's evidence) draw the
data of :mod:`analysis`, and :mod:`figures.export` (PNG, SVG, HTML, GIF) starts a headless Chromium
through kaleido the first time an image is made. :data:`VIEWS` is the one lookup from a view's id
to its figure, for the page's export tab and the command line's ``render``.
"""

from figures.internals import StepSizes, effective_lr_figure, internals_figure, step_sizes, used_internals
from figures.paths import (
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
from figures.theme import PALETTE
from figures.views import VIEWS, View

__all__ = [
    "COLUMNS",
    "PALETTE",
    "TEMPLATE",
    "VIEWS",
    "Playback",
    "StepSizes",
    "SurfaceGrid",
    "View",
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
