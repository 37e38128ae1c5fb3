"""The figures' look: Plotly's ``plotly_white`` template, applied once per figure as plain layout values.

Naming a template in a figure (``layout.template = "plotly_white"``) makes Plotly validate and
deep-copy the whole template, with its defaults for every trace type, inside every figure and on
every ``update_layout``: 15–40 ms a figure on a shared 2-core machine, more than building the
figure's own data. A slider move redraws four figures, so that alone broke the page's 100 ms
budget. Here the figures name the empty template ``"none"`` and carry the parts of
``plotly_white`` their axes, scenes and colour bars use, read from Plotly's template at import,
so the look stays Plotly's and is not restated by hand. Nothing is set process-wide.

Build a figure in one call, ``go.Figure(data=traces, layout=theme.layout(...))``; an
``update_layout`` after that is validated again. A row of panels takes its axes from
:func:`panel_row` (Plotly's own subplot geometry) into that one call.

The palette is here too, one for every figure: runs, map categories and evidence lines.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

TEMPLATE = "none"  # the template figures name; the look comes from BASE through ``layout``
BASE = "plotly_white"

# Colour-blind-safe categorical palette (Okabe–Ito, then Tol's muted), one colour per run everywhere.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
    "#332288",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#117733",
    "#88CCEE",
    "#DDCC77",
)
VERMILLION, GREEN, ORANGE, BLACK, YELLOW = PALETTE[1], PALETTE[2], PALETTE[4], PALETTE[6], PALETTE[7]
# Maps and the claims' evidence: black and yellow mean "diverged" and "saddle" on a map, so these series take
# the other colours, twelve of them (the maps and evidence lines have always cycled through twelve).
SERIES = tuple(color for color in PALETTE if color not in (BLACK, YELLOW))[:12]

_SOURCE = pio.templates[BASE].layout.to_plotly_json()
# Layout-wide parts of the base template (polar, ternary, geo, colour scales, … are unused here).
_GLOBAL = {
    name: _SOURCE[name]
    for name in ("autotypenumbers", "font", "hovermode", "hoverlabel", "paper_bgcolor", "plot_bgcolor")
    if name in _SOURCE
}
_AXIS = _SOURCE.get("xaxis", {})  # the same for y
_SCENE = _SOURCE.get("scene", {})
_COLORAXIS = _SOURCE.get("coloraxis", {})
# plotly_white's trace defaults differ from Plotly's only in the colour bars (no outline, no ticks).
COLORBAR: dict[str, Any] = dict(_COLORAXIS.get("colorbar", {}))


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated with ``override``, nested dictionaries merged key by key (copies, never aliases)."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def layout(**parts: Any) -> dict[str, Any]:
    """A figure layout: ``parts`` over the base template's look.

    Every cartesian axis (``xaxis``, ``yaxis2``, …), 3-D scene and colour axis named in ``parts``
    gets the template's defaults for its kind; the layout names ``template="none"``.
    """
    out = merge(_GLOBAL, {"template": TEMPLATE})
    for key, value in parts.items():
        if value is None:
            continue
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, Mapping):
            value = merge(_AXIS, value)
        elif key.startswith("scene") and isinstance(value, Mapping):
            value = merge(_SCENE, value)
        elif key.startswith("coloraxis") and isinstance(value, Mapping):
            value = merge(_COLORAXIS, value)
        out[key] = merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
    return out


def axes(count: int, kind: str = "xaxis") -> dict[str, dict[str, Any]]:
    """The template's defaults for ``count`` axes of one kind (``xaxis``, ``xaxis2``, …), e.g. for subplots."""
    return {(kind if i == 1 else f"{kind}{i}"): merge(_AXIS, {}) for i in range(1, count + 1)}


def series_color(k: int) -> str:
    """The ``k``-th colour of :data:`SERIES`, cycling."""
    return SERIES[k % len(SERIES)]


def panel_row(titles: list[str], **options: Any) -> dict[str, Any]:
    """The axes (``xaxis``, ``yaxis``, ``xaxis2``, …) and title annotations of one row of panels, laid out by
    Plotly's ``make_subplots(rows=1, cols=len(titles), subplot_titles=titles, **options)``, as layout parts
    for :func:`layout`. Put a trace in panel ``col`` (from 1) with :func:`panel_axes`."""
    grid = make_subplots(
        rows=1, cols=len(titles), subplot_titles=titles, figure=go.Figure(layout={"template": TEMPLATE}), **options
    )
    parts = grid.layout.to_plotly_json()
    parts.pop("template", None)
    return parts


def panel_axes(col: int) -> dict[str, str]:
    """The axis references of panel ``col`` (from 1) of a :func:`panel_row`: ``{"xaxis": "x2", "yaxis": "y2"}``."""
    suffix = "" if col == 1 else str(col)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def marker_line(x: float, col: int = 1) -> dict[str, Any]:
    """A dashed grey vertical line at ``x`` across the whole height of panel ``col`` (a marked value), as a shape."""
    axes = panel_axes(col)
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": axes["xaxis"],
        "y0": 0,
        "y1": 1,
        "yref": f"{axes['yaxis']} domain",
        "line": {"color": "#555555", "dash": "dash", "width": 1},
    }
