"""Surfaces with paths on them, LR curves and loss traces (Liu & Zhang 2023, Section 4.1, Figs. 3 and 5–7).

Two stages, as in Optuna's visualisation module: pure functions compute the data (``surface_grid``,
``run_names``, ``run_styles``, ``clip_to_box``, ``loss_curves``, ``distance_to_minimizer``), small ones
turn data into figures. Every figure takes its Plotly template explicitly; nothing is set process-wide
(a Streamlit server is shared by every user).

One style per trajectory everywhere (``run_styles``): the 3-D view, the contour, the LR and loss
curves and the playback agree, so a reader can follow a run across figures. When several things vary
(optimizers × schedules × starts) the colour tells one apart, the dash the second and a marker the
third, and the legend lists those few keys instead of every combination; a legend never takes room
from the chart (a band of at most ``MAX_LEGEND_ROWS`` rows under it, scrolling beyond).

What cannot be drawn is said, not hidden: a surface that overflows or is undefined over part of the
window is clipped or masked (``SurfaceGrid.note``), a path that leaves the view is cut where it
leaves it and its end marked, and a loss gap below what the run's precision can resolve is drawn at
that floor, labelled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import plotly.graph_objects as go

import landscapes
from common.lru import LRU
from engine.simulate import CONVERGED, DIVERGED, Result
from figures import theme
from figures.theme import PALETTE
from ui.labels import number_text, optimizer_names, point_names, schedule_names

TEMPLATE = theme.TEMPLATE  # the look is plotly_white, applied by figures.theme
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14}  # readable on a projector and in a paper
MAX_POINTS_PER_PATH = 600  # what the browser gets; exports keep every step
MAX_POINTS_PER_CURVE = 2000
PICK_RESOLUTION = 60  # clickable points per axis of the invisible picking grid
LABEL_SEPARATOR = " · "
# Marker symbols of the known special points, shared by the contour, the playback and the GIF.
POINT_STYLES = (  # (field of landscapes.Points, legend name, symbol, fill); outlines are black
    ("minimizers", "minimizer", "star", "white"),
    ("local_minimizers", "local minimizer", "star", "#AAAAAA"),
    ("saddles", "saddle", "x", "white"),
)
# WebGL draws in float32 and squares coordinates on the way (lengths, normals): values beyond the square root
# of float32's largest number break the 3-D view (and every later one in the same browser tab). Clipped there.
DRAWABLE = float(np.sqrt(np.finfo(np.float32).max))
# Line dashes and marker symbols that tell runs apart beyond colour (the symbols exist in 2-D and in 3-D).
DASHES = ("solid", "dash", "dot", "dashdot")
SYMBOLS = ("circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open")
KEY_GREY = "#555555"  # legend keys of a dash or a marker: the style without a colour
SHARED_KEYS_FROM = 9  # runs from which a legend lists what varies (5 + 2 + 2 keys) rather than every run
MARKERS_PER_LINE = 12  # markers along a curve when a marker tells runs apart
LEGEND_ROW_PX = 22
LEGEND_PAD_PX = 10  # Plotly pads a legend's box: a one-row legend is about 29 px high
MAX_LEGEND_ROWS = 5  # rows of legend shown under a chart; more scroll
AXIS_TITLE_PX = 62  # under a 2-D chart: the tick labels and the axis title (Plotly needs about 58 px)
TITLE_BAND_PX = 58  # the title sits below Plotly's toolbar (about 28 px), which would cover a long title
NOTE_PX, NOTE_COLOR = 18, "#8A1C00"  # a line under the title saying what could not be drawn as it is
# The 3-D view: Plotly's camera a little closer than its default, the box a little flatter, so that the
# surface fills the frame; the paths float above the surface by PATH_LIFT of its height range.
DEFAULT_CAMERA: dict[str, dict[str, float]] = {
    "eye": {"x": 1.02, "y": 1.02, "z": 0.68},
    "center": {"x": 0.0, "y": 0.0, "z": -0.15},
    "up": {"x": 0.0, "y": 0.0, "z": 1.0},
}
ASPECT_3D = {"x": 1.0, "y": 1.0, "z": 0.6}
PATH_LIFT = 0.02
FOCUS_FRACTION = 0.25  # the 3-D view frames the paths when they cover less than this share of the window


# --- The surface on a grid, drawable whatever the formula -----------------------------------------------------


class SurfaceGrid(NamedTuple):
    x: np.ndarray  # [nx]
    y: np.ndarray  # [ny]
    z: np.ndarray  # [ny, nx], within ±DRAWABLE; NaN where f is not a number (drawn as a hole)
    note: str = ""  # what was clipped or masked, in words ("" when every value is drawn as it is)


def surface_grid(
    surface_id: str, params: dict, window: tuple[tuple[float, float], tuple[float, float]], resolution: int = 120
) -> SurfaceGrid:
    """Evaluates the surface on a ``resolution × resolution`` grid of the window, in float32 as a run does.

    Values beyond ±``DRAWABLE`` (infinities included) are clipped to it; NaN (f undefined) stays NaN, a hole in
    the surface and the contour. ``note`` says how much of the window either covers.
    """
    (xmin, xmax), (ymin, ymax) = window
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        raw = surface_values(surface_id, params, points, np.float32).reshape(gy.shape)
    z, note = drawable(raw)
    return SurfaceGrid(xs, ys, z, note)


def drawable(values: np.ndarray) -> tuple[np.ndarray, str]:
    """``values`` clipped to ±``DRAWABLE`` (NaN kept), and a sentence saying what was clipped or masked."""
    values = np.asarray(values, np.float64)
    undefined = np.isnan(values)
    huge = ~undefined & (np.abs(values) > DRAWABLE)
    notes = []
    if undefined.all():
        return np.zeros_like(values), "f is not a number anywhere in the window: nothing to draw."
    if huge.any():
        notes.append(f"f overflows on {_share(huge)} of the window: clipped at ±{number_text(DRAWABLE, 2)}")
    if undefined.any():
        notes.append(f"f is not a number on {_share(undefined)} of the window: left blank")
    return np.clip(values, -DRAWABLE, DRAWABLE), "; ".join(notes)


def _share(mask: np.ndarray) -> str:
    share = float(mask.mean())
    return "less than 1 %" if share < 0.01 else f"{share:.0%}".replace("%", " %")


_SURFACE_FUNCTIONS: LRU[Callable] = LRU(64)  # compiled surface functions, by surface, parameters and precision


def surface_values(surface_id: str, params: Mapping[str, Any], points: np.ndarray, dtype: Any) -> np.ndarray:
    """f at ``points`` ``[N, 2]`` computed in ``dtype`` (float32 as the page's runs, or float64), as float64.

    The batch is padded to a power of two so that a new number of points seldom compiles anew.
    """
    points = np.asarray(points, np.float64).reshape(-1, 2)
    count = len(points)
    if count == 0:
        return np.zeros(0)
    padded = 1 << max(6, (count - 1).bit_length())
    batch = np.concatenate([points, np.repeat(points[:1], padded - count, axis=0)])
    x64 = np.dtype(dtype) == np.float64
    key = (surface_id, tuple(sorted(params.items())), x64)

    def compile_surface() -> Callable:
        surface = landscapes.SURFACES[surface_id]
        values = landscapes_params(surface, dict(params))
        return jax.jit(jax.vmap(lambda xy: surface.fn(xy, **values)))

    fn = _SURFACE_FUNCTIONS.get(key, compile_surface)
    with jax.enable_x64(x64):
        out = fn(jnp.asarray(batch, jnp.float64 if x64 else jnp.float32))
    return np.asarray(out, np.float64)[:count]


def landscapes_params(surface, params: dict) -> dict:
    from common.params import resolve_params

    return resolve_params(surface.params, params, 1)


def special_points(result: Result) -> landscapes.Points:
    """The known minimizers, saddles and target of the result's surface, for its parameters."""
    surface = landscapes.SURFACES[result.scene.surface.id]
    return landscapes.critical_points(surface, landscapes_params(surface, result.scene.surface.params))


def decimate(num_points: int, limit: int = MAX_POINTS_PER_PATH) -> np.ndarray:
    """Indices of at most ``limit`` evenly spread points, always keeping the first and last."""
    if num_points <= limit:
        return np.arange(num_points)
    return np.unique(np.linspace(0, num_points - 1, limit).round().astype(int))


# --- Paths that leave the view ------------------------------------------------------------------------------


class ClippedPath(NamedTuple):
    points: np.ndarray  # [M, D] the parts inside the box, NaN rows between them, crossings added at the edges
    steps: np.ndarray  # [M] the (fractional, at a crossing) step of each point; NaN on the breaks
    left_at: float | None  # the step at which the path left the box for good (None: it ends inside)


def clip_to_box(points: np.ndarray, steps: np.ndarray, low: Sequence[float], high: Sequence[float]) -> ClippedPath:
    """The parts of a path ``[N, D]`` inside the box ``[low, high]``: a segment that leaves it is cut at the
    edge, one that comes back starts at the edge, and what lies outside (or is not finite) is dropped.

    Example: from (0, 0) to (2, 0) in the box [−1, 1]² gives (0, 0), (1, 0) and ``left_at`` half-way.
    """
    p = np.asarray(points, np.float64)
    steps = np.asarray(steps, np.float64)
    low, high = np.asarray(low, np.float64), np.asarray(high, np.float64)
    finite = np.isfinite(p).all(axis=1)
    with np.errstate(invalid="ignore"):
        inside = finite & np.all((p >= low) & (p <= high), axis=1)
    if inside.all():
        return ClippedPath(p, steps, None)
    keys = [np.flatnonzero(inside).astype(np.float64)]
    rows = [p[inside]]
    at = [steps[inside]]
    exits = np.flatnonzero(inside[:-1] & ~inside[1:])
    entries = np.flatnonzero(~inside[:-1] & inside[1:])
    for segments, inner, outer, offset in ((exits, 0, 1, 0.25), (entries, 1, 0, 0.75)):
        if not segments.size:
            continue
        a, b = p[segments + inner], p[segments + outer]
        t = _edge_fraction(a, b, low, high)  # [S] from the inside point towards the outside one; NaN: unknown
        known = np.isfinite(t)
        crossing = a[known] + t[known, None] * (b[known] - a[known])
        step_a, step_b = steps[segments + inner][known], steps[segments + outer][known]
        keys.append(segments[known] + offset)
        rows.append(crossing)
        at.append(step_a + t[known] * (step_b - step_a))
    keys.append(exits + 0.5)  # a break after each exit: nothing is drawn until the path comes back
    rows.append(np.full((exits.size, p.shape[1]), np.nan))
    at.append(np.full(exits.size, np.nan))
    order = np.argsort(np.concatenate(keys), kind="stable")
    out = np.concatenate(rows)[order]
    out_steps = np.concatenate(at)[order]
    left_at = None
    if not inside[-1]:
        kept = np.isfinite(out_steps)
        left_at = float(out_steps[kept][-1]) if kept.any() else float(steps[0])
    return ClippedPath(out, out_steps, left_at)


def _edge_fraction(a: np.ndarray, b: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """For segments from ``a`` (inside the box) to ``b`` (outside), the fraction of the way at which they leave
    it; NaN where ``b`` is not finite (a run that overflowed: no edge can be placed)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = b - a
        to_high = np.where(b > high, (high - a) / delta, np.inf)
        to_low = np.where(b < low, (low - a) / delta, np.inf)
        t = np.minimum(to_high, to_low).min(axis=1)
    return np.where(np.isfinite(b).all(axis=1) & np.isfinite(t), np.clip(t, 0.0, 1.0), np.nan)


# --- Names and styles of the runs ----------------------------------------------------------------------------


class RunNames(NamedTuple):
    """Each run's parts in words, as people picked them (the ids stay in ``ids``, for tooltips and exports)."""

    schedule: list[str]
    optimizer: list[str]
    start: list[str]  # "start (−0.98, −0.56)"
    ids: list[str]  # the run's id name, e.g. "cosineclr_lr · momentum[momentum=0.5] · start (-0.983051, -0.56)"

    def parts(self, run: int) -> tuple[str, str, str]:
        return self.schedule[run], self.optimizer[run], self.start[run]


def run_names(result: Result) -> RunNames:
    """The names of the result's runs: the scene's optimizers and schedules by their registry names, with the
    settings that tell them apart, and the start points rounded (see :mod:`ui.labels`)."""
    scene = result.scene
    schedule_words = schedule_names(scene.schedules)
    optimizer_words = optimizer_names(scene.optimizers)
    origins = [label.origin for label in result.runs]
    starts = [f"start {text}" for text in point_names(origins)] if origins else []
    schedules, optimizers = [], []
    for label in result.runs:
        # A hand-made Result may name runs its scene does not list: then its own label is its name.
        spec = scene.schedules[label.schedule_index] if label.schedule_index < len(scene.schedules) else None
        own = spec is not None and label.schedule.split("[")[0] == spec.id
        schedules.append(schedule_words[label.schedule_index] if own else label.schedule)
        spec = scene.optimizers[label.optimizer_index] if label.optimizer_index < len(scene.optimizers) else None
        own = spec is not None and label.optimizer.split("[")[0].split("(")[0] == spec.id
        optimizers.append(optimizer_words[label.optimizer_index] if own else label.optimizer)
    return RunNames(schedules, optimizers, starts, [label.name for label in result.runs])


def short_labels(result: Result) -> list[str]:
    """Each run's name (schedule · optimizer · start) without the parts every run shares.

    With a single run, or when every part is shared, the full name is kept. Runs whose
    remaining parts coincide get their index appended (``#3``) so that legends stay unique.

    Example: schedules constant_lr and cosine_lr, both SGD from (−2, 2.5) give
    ``["Constant", "Cosine annealing"]``; ``shared_label`` gives ``"SGD · start (−2, 2.5)"``.
    """
    names = run_names(result)
    parts = [names.parts(i) for i in range(result.num_runs)]
    if not parts:
        return []
    varying = [k for k in range(3) if len({p[k] for p in parts}) > 1]
    if not varying:
        labels = [LABEL_SEPARATOR.join(p) for p in parts]
    else:
        labels = [LABEL_SEPARATOR.join(p[k] for k in varying) for p in parts]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return [f"{label} #{i}" if counts[label] > 1 else label for i, label in enumerate(labels)]


def shared_label(result: Result) -> str:
    """The parts of the run names that every run shares (``""`` when none is shared)."""
    names = run_names(result)
    parts = [names.parts(i) for i in range(result.num_runs)]
    if not parts:
        return ""
    return LABEL_SEPARATOR.join(parts[0][k] for k in range(3) if len({p[k] for p in parts}) == 1)


def _legend_title(result: Result) -> str:
    return shared_label(result) if result.num_runs > 1 else ""


class RunStyle(NamedTuple):
    color: str
    dash: str
    symbol: str | None  # markers along the line (the third thing that varies), or None
    group: str  # legend group: a click on a legend key shows or hides every run of the group


class LegendKey(NamedTuple):
    """One legend entry standing for every run with this colour, dash or marker."""

    name: str
    color: str
    dash: str | None  # None: a marker key
    symbol: str | None
    group: str


class Styles(NamedTuple):
    runs: list[RunStyle]  # one per run
    keys: list[LegendKey]  # the legend's entries; empty: every run is its own entry, under its short label
    title: str  # the legend's title: what every run shares


_FACTOR_TITLES = ("schedule", "optimizer", "start")


def run_styles(result: Result) -> Styles:
    """A colour, dash and marker for every run, and the legend that explains them.

    Up to ``SHARED_KEYS_FROM - 1`` runs, or when one thing varies (five schedules, or 64 starts), every run is
    its own legend entry: colours in order, then the same colours dashed (so 64 runs stay apart). From
    ``SHARED_KEYS_FROM`` runs on, when two or three things vary, the one with most values takes the colours,
    the next the dashes, the last the markers, and the legend lists those values (a 2 × 5 × 2 grid of 20
    runs: 5 + 2 + 2 keys); a click on a colour's key shows or hides its runs.
    """
    names = run_names(result)
    count = result.num_runs
    factors = [(title, [names.parts(i)[k] for i in range(count)]) for k, title in enumerate(_FACTOR_TITLES)]
    varying = sorted(
        [(title, values) for title, values in factors if len(set(values)) > 1],
        key=lambda factor: -len(set(factor[1])),
    )
    title = _legend_title(result)
    limits = (len(PALETTE), len(DASHES), len(SYMBOLS))
    fits = all(len(set(values)) <= limit for (_, values), limit in zip(varying, limits, strict=False))
    if len(varying) <= 1 or not fits or count < SHARED_KEYS_FROM:
        runs = [
            RunStyle(PALETTE[i % len(PALETTE)], DASHES[(i // len(PALETTE)) % len(DASHES)], None, str(i))
            for i in range(count)
        ]
        return Styles(runs, [], title)
    levels = [list(dict.fromkeys(values)) for _, values in varying]
    runs, keys = [], []
    for i in range(count):
        codes = [level.index(values[i]) for level, (_, values) in zip(levels, varying, strict=True)]
        symbol = SYMBOLS[codes[2]] if len(codes) > 2 else None
        runs.append(RunStyle(PALETTE[codes[0]], DASHES[codes[1]], symbol, f"{varying[0][0]}: {varying[0][1][i]}"))
    for k, value in enumerate(levels[0]):
        keys.append(LegendKey(value, PALETTE[k], "solid", None, f"{varying[0][0]}: {value}"))
    for k, value in enumerate(levels[1]):
        keys.append(LegendKey(value, KEY_GREY, DASHES[k], None, f"{varying[1][0]}: {value}"))
    if len(levels) > 2:
        for k, value in enumerate(levels[2]):
            keys.append(LegendKey(value, KEY_GREY, None, SYMBOLS[k], f"{varying[2][0]}: {value}"))
    return Styles(runs, keys, title)


def run_colors(result: Result) -> list[str]:
    """The colour of every trajectory, the same in every figure (see :func:`run_styles` for dash and marker)."""
    return [style.color for style in run_styles(result).runs]


def legend_traces(styles: Styles, *, xaxis: str = "x", yaxis: str = "y", scene: str | None = None) -> list[Any]:
    """The legend's keys as traces without points (a line for a colour or a dash, a marker for a symbol)."""
    traces: list[Any] = []
    for key in styles.keys:
        look: dict[str, Any] = {
            "x": [None],
            "y": [None],
            "name": key.name,
            "legendgroup": key.group,
            "hoverinfo": "skip",
            "showlegend": True,
        }
        if key.dash is not None:
            look |= {"mode": "lines", "line": {"color": key.color, "dash": key.dash, "width": 2.5}}
        else:
            look |= {"mode": "markers", "marker": {"color": key.color, "symbol": key.symbol, "size": 9}}
        if scene is not None:
            traces.append(go.Scatter3d(z=[None], scene=scene, **look))
        else:
            traces.append(go.Scatter(xaxis=xaxis, yaxis=yaxis, **look))
    return traces


def legend_entries(result: Result, styles: Styles) -> list[str]:
    """The names the legend lists: the keys, or every run's short label."""
    return [key.name for key in styles.keys] if styles.keys else short_labels(result)


def _legend_layout(entries: Sequence[str], title: str, width: int) -> tuple[dict, int]:
    """A horizontal legend in a band under the chart: entries of one width (the longest name's), wrapped by
    Plotly at the width of the drawing; the band holds the rows a drawing ``width`` pixels wide needs, at most
    ``MAX_LEGEND_ROWS`` (the legend scrolls beyond). Returns the legend and the band's height in pixels."""
    longest = max((len(text) for text in entries), default=0)
    entry = min(width, 46 + round(6.4 * longest))  # Arial at 12 px: about 6.4 px a character
    per_row = max(1, width // entry)
    rows = min(MAX_LEGEND_ROWS, math.ceil(len(entries) / per_row)) if entries else 0
    band = rows * LEGEND_ROW_PX + (LEGEND_ROW_PX if title else 0) + (LEGEND_PAD_PX if rows else 0)
    legend = {
        "orientation": "h",
        "xref": "container",
        "yref": "container",
        "x": 0.0,
        "y": 0.0,
        "xanchor": "left",
        "yanchor": "bottom",
        "entrywidth": entry - 40,  # Plotly's entry width leaves out the 40-px symbol
        "entrywidthmode": "pixels",
        "maxheight": band,
        "title": {"text": title, "side": "top"},
        "font": {"size": 12},
        "tracegroupgap": 0,
        "itemsizing": "constant",
    }
    return legend, band


# --- Shared pieces -----------------------------------------------------------------------------------


def _log_z(z: np.ndarray, floor: float) -> np.ndarray:
    return np.log10(np.maximum(z - floor, 0.0) + 1e-3)


def _z_transform(result: Result, log_z: bool, grid: SurfaceGrid) -> tuple[Callable[[Any], np.ndarray], str]:
    floor = float(np.nanmin(grid.z)) if np.isfinite(grid.z).any() else 0.0
    if log_z:
        return lambda z: _log_z(np.asarray(z, np.float64), floor), "log₁₀(f − f<sub>min</sub> + 10⁻³)"
    return lambda z: np.asarray(z, np.float64), "f(x, y)"


def _layout(title: str, height: int, legend_title: str = "", *, show_legend: bool = True, **parts: Any) -> dict:
    """The layout every figure shares (title, font, legend below), the theme under it, ``parts`` over it."""
    shared = {
        "font": FONT,
        "height": height,
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        "showlegend": show_legend,
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.18,
            "x": 0,
            "title": {"text": legend_title, "side": "top"},
            "font": {"size": 13},
        },
        "hoverlabel": {"font": {"size": 13}},
    }
    return theme.layout(**theme.merge(shared, parts))


def chart_layout(
    title: str,
    plot_height: int,
    entries: Sequence[str],
    legend_title: str = "",
    *,
    show_legend: bool = True,
    margin: Mapping[str, int] | None = None,
    width: int = 500,
    note: str = "",
    **parts: Any,
) -> dict:
    """A chart's layout whose drawing area is ``plot_height`` pixels high whatever its legend holds.

    The title sits under Plotly's toolbar; the legend (``entries``, under ``legend_title``) in a band of at
    most ``MAX_LEGEND_ROWS`` rows below the chart's bottom margin (``margin["b"]``: axis labels), and the figure
    grows by that band instead of shrinking the chart. ``width``: about how wide the drawing is (on the page),
    which sets how many legend entries a row holds. ``note``: a line under the title, in red (what could not
    be drawn as it is).
    """
    margin = {"l": 60, "r": 10, "b": 50, **(margin or {})}
    legend, band = _legend_layout(entries, legend_title, width) if show_legend else ({}, 0)
    top = TITLE_BAND_PX + (NOTE_PX if note else 0)
    total = plot_height + top + margin["b"] + band
    if note:
        title += f"<br><span style='font-size:12px;color:{NOTE_COLOR}'>{note}</span>"
    shared = {
        "font": FONT,
        "height": total,
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": 30},
            "font": {"size": 17},
        },
        "showlegend": show_legend,
        "legend": legend,
        "margin": {**margin, "t": top, "b": margin["b"] + band},
        "hoverlabel": {"font": {"size": 13}},
    }
    return theme.layout(**theme.merge(shared, parts))


def _end_symbol(result: Result, run: int, left: bool) -> str:
    if int(result.status[run]) == DIVERGED:
        return "x"
    return "diamond-open" if left else "diamond"


def _end_text(result: Result, run: int, left_at: float | None) -> str:
    status = result.status_name(run)
    if left_at is None:
        return f"end ({status})"
    where = f"left the view at step {left_at:.0f}"
    if int(result.status[run]) == DIVERGED:
        return f"{where}; diverged at step {int(result.status_step[run])}"
    return f"{where} ({status} at the end)"


def _hover(label: str, run_id: str) -> str:
    return "<extra>" + label + ("" if run_id == label else f"<br><i>{run_id}</i>") + "</extra>"


def window_box(grid: SurfaceGrid) -> tuple[tuple[float, float], tuple[float, float]]:
    return (float(grid.x[0]), float(grid.x[-1])), (float(grid.y[0]), float(grid.y[-1]))


def path_traces_2d(
    result: Result,
    run: int,
    style: RunStyle,
    label: str,
    *,
    grid: SurfaceGrid | None = None,
    run_id: str = "",
    xaxis: str = "x",
    yaxis: str = "y",
) -> list[go.Scatter]:
    """The path of one run on the contour (line) and its start (circle) and end (diamond; × if it diverged).

    With ``grid``, the path is cut where it leaves the window and its end marked there (an open diamond, or
    × if it diverged)."""
    keep = decimate(result.positions.shape[1])
    path, steps = result.positions[run, keep], keep.astype(np.float64)
    left_at = None
    if grid is not None:
        (x0, x1), (y0, y1) = window_box(grid)
        path, steps, left_at = clip_to_box(path, steps, (x0, y0), (x1, y1))
    ends, end_steps = _ends(path, steps)
    line: dict[str, Any] = {"color": style.color, "width": 2.5, "dash": style.dash}
    traces = [
        go.Scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers" if style.symbol else "lines",
            line=line,
            marker={"symbol": style.symbol, "size": 7, "color": style.color, "maxdisplayed": MARKERS_PER_LINE}
            if style.symbol
            else None,
            name=label,
            legendgroup=style.group,
            showlegend=False,
            text=np.round(steps),
            xaxis=xaxis,
            yaxis=yaxis,
            hovertemplate="step %{text:.0f}<br>x=%{x:.4g}, y=%{y:.4g}" + _hover(label, run_id),
        )
    ]
    if ends is not None:
        first_inside = end_steps[0] == 0
        traces.append(
            go.Scatter(
                x=ends[:, 0] if first_inside else ends[1:, 0],
                y=ends[:, 1] if first_inside else ends[1:, 1],
                mode="markers",
                legendgroup=style.group,
                showlegend=False,
                name=label,
                marker={
                    "color": style.color,
                    "size": [10, 12] if first_inside else [12],
                    "symbol": (["circle"] if first_inside else []) + [_end_symbol(result, run, left_at is not None)],
                    "line": {"color": "white" if left_at is None else style.color, "width": 1.5},
                },
                text=(["start"] if first_inside else []) + [_end_text(result, run, left_at)],
                xaxis=xaxis,
                yaxis=yaxis,
                cliponaxis=False,  # a start on the window's edge (Fig. 5: x = −2) stays a whole circle
                hovertemplate="%{text}<br>x=%{x:.4g}, y=%{y:.4g}" + _hover(label, run_id),
            )
        )
    return traces


def _ends(path: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """The first and last drawn points of a (clipped) path and their steps, or None if nothing is drawn."""
    drawn = np.flatnonzero(np.isfinite(steps))
    if not drawn.size:
        return None, steps[:0]
    index = [drawn[0], drawn[-1]]
    return path[index], steps[index]


class View3D(NamedTuple):
    """What the 3-D view frames: the axes' ranges (the surface's, or the region the paths cover) and the grid
    drawn there, with the height transform and the lift of the paths above the surface."""

    grid: SurfaceGrid
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    z_range: tuple[float, float]
    transform: Callable[[Any], np.ndarray]
    z_title: str
    lift: float


def view_3d(result: Result, grid: SurfaceGrid, log_z: bool, *, focus: bool = True) -> View3D:
    """The 3-D view's frame: the window, or (``focus``) the region the paths cover when it is small (a finer
    grid is drawn there); the z axis on the surface's range, so a diverged path cannot flatten it."""
    if focus:
        region = path_region(result, grid)
        if region is not None:
            surface = result.scene.surface
            framed = surface_grid(surface.id, surface.params, region)
            if not framed.note and np.ptp(framed.z) > 0:  # a region that is all clipped or flat shows nothing
                grid = framed
    transform, z_title = _z_transform(result, log_z, grid)
    z = transform(grid.z)
    low, high = (float(np.nanmin(z)), float(np.nanmax(z))) if np.isfinite(z).any() else (0.0, 1.0)
    span = high - low or 1.0
    lift = PATH_LIFT * span
    (x0, x1), (y0, y1) = window_box(grid)
    return View3D(grid, (x0, x1), (y0, y1), (low - 0.02 * span, high + 2 * lift), transform, z_title, lift)


def path_region(result: Result, grid: SurfaceGrid) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The region the paths cover, padded, when it is less than ``FOCUS_FRACTION`` of the window's area (else
    None): the 3-D view then frames it instead of the whole window. A run that leaves the window at once
    (overflow, divergence) does not count: at least two of its points must be inside."""
    (x0, x1), (y0, y1) = window_box(grid)
    points = result.positions.reshape(result.num_runs, -1, 2)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(points).all(axis=-1) & (points[..., 0] >= x0) & (points[..., 0] <= x1)
        inside &= (points[..., 1] >= y0) & (points[..., 1] <= y1)
    counted = inside & (inside.sum(axis=1, keepdims=True) >= 2)
    if not counted.any():
        return None
    low, high = points[counted].min(axis=0), points[counted].max(axis=0)
    size = np.array([x1 - x0, y1 - y0])
    if np.prod(high - low) >= FOCUS_FRACTION * np.prod(size):
        return None
    half = np.minimum(np.maximum((high - low) * 0.75, 0.2 * size), size / 2)  # the paths, and ground around them
    centre = np.clip((low + high) / 2, (x0 + half[0], y0 + half[1]), (x1 - half[0], y1 - half[1]))
    return (float(centre[0] - half[0]), float(centre[0] + half[0])), (
        float(centre[1] - half[1]),
        float(centre[1] + half[1]),
    )


def path_traces_3d(
    result: Result, run: int, style: RunStyle, label: str, view: View3D, scene: str, *, run_id: str = ""
) -> list[go.Scatter3d]:
    """The path of one run on the 3-D surface, lifted a little and outlined in white so that it stays visible,
    cut where it leaves the view (its end marked there), with start and end."""
    keep = decimate(result.positions.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        z = view.transform(np.clip(result.loss[run, keep], -DRAWABLE, DRAWABLE)) + view.lift
    points = np.column_stack([result.positions[run, keep], z])
    low = (view.x_range[0], view.y_range[0], view.z_range[0])
    high = (view.x_range[1], view.y_range[1], view.z_range[1])
    path, steps, left_at = clip_to_box(points, keep.astype(np.float64), low, high)
    hover = "step %{text:.0f}<br>x=%{x:.4g}, y=%{y:.4g}" + _hover(label, run_id)
    traces = [
        go.Scatter3d(  # the outline: a wider white line just under the coloured one
            x=path[:, 0],
            y=path[:, 1],
            z=path[:, 2] - 0.3 * view.lift,
            mode="lines",
            line={"color": "white", "width": 9},
            legendgroup=style.group,
            showlegend=False,
            hoverinfo="skip",
            scene=scene,
            name=label,
        ),
        go.Scatter3d(
            x=path[:, 0],
            y=path[:, 1],
            z=path[:, 2],
            mode="lines+markers" if style.symbol else "lines",
            line={"color": style.color, "width": 5, "dash": style.dash},
            marker=_markers_3d(style, len(path)) if style.symbol else None,
            name=label,
            legendgroup=style.group,
            showlegend=False,
            text=np.round(steps),
            scene=scene,
            hovertemplate=hover,
        ),
    ]
    ends, end_steps = _ends(path, steps)
    if ends is not None:
        first_inside = end_steps[0] == 0
        chosen = ends if first_inside else ends[1:]
        traces.append(
            go.Scatter3d(
                x=chosen[:, 0],
                y=chosen[:, 1],
                z=chosen[:, 2],
                mode="markers",
                legendgroup=style.group,
                showlegend=False,
                name=label,
                scene=scene,
                text=(["start"] if first_inside else []) + [_end_text(result, run, left_at)],
                hovertemplate="%{text}" + _hover(label, run_id),
                marker={
                    "color": style.color,
                    "size": [5, 7] if first_inside else [7],
                    "symbol": (["circle"] if first_inside else []) + [_end_symbol(result, run, left_at is not None)],
                    "line": {"color": "white", "width": 1},
                },
            )
        )
    return traces


def _markers_3d(style: RunStyle, count: int) -> dict[str, Any]:
    """Markers at about ``MARKERS_PER_LINE`` points along a 3-D path (Plotly has no ``maxdisplayed`` in 3-D)."""
    sizes = np.zeros(count)
    sizes[:: max(1, count // MARKERS_PER_LINE)] = 5
    return {"symbol": style.symbol, "size": sizes, "color": style.color}


def point_traces(result: Result, *, xaxis: str = "x", yaxis: str = "y") -> list[go.Scatter]:
    """Legend entries and markers for the known minimizers, local minimizers, saddles and target."""
    points = special_points(result)
    traces = []
    # The target first: where it sits on a minimizer (peaks_ref: 0.03 away), the star stays on top.
    if points.target is not None and tuple(points.target) not in {tuple(p) for p in points.minimizers}:
        traces.append(
            go.Scatter(
                x=[points.target[0]],
                y=[points.target[1]],
                mode="markers",
                name="target (distances measured to)",
                legendgroup="target",
                legendrank=2000,
                xaxis=xaxis,
                yaxis=yaxis,
                marker={"symbol": "circle-x", "size": 14, "color": "white", "line": {"color": "black", "width": 1.5}},
                hovertemplate="target<br>x=%{x:.4g}, y=%{y:.4g}<extra></extra>",
            )
        )
    for field, kind, symbol, fill in POINT_STYLES:
        coords = getattr(points, field)
        if coords:
            arr = np.asarray(coords, float)
            traces.append(
                go.Scatter(
                    x=arr[:, 0],
                    y=arr[:, 1],
                    mode="markers",
                    name=kind,
                    legendgroup=kind,
                    legendrank=2000,  # after the runs' entries
                    xaxis=xaxis,
                    yaxis=yaxis,
                    marker={"symbol": symbol, "size": 14, "color": fill, "line": {"color": "black", "width": 1.5}},
                    hovertemplate=kind + "<br>x=%{x:.4g}, y=%{y:.4g}<extra></extra>",
                )
            )
    return traces


def pick_grid_trace(grid: SurfaceGrid, resolution: int = PICK_RESOLUTION) -> go.Scatter:
    """An invisible scatter grid over the window: a click on the contour then selects its nearest point.

    Streamlit's ``on_select`` returns points of scatter traces only, never of a bare contour.
    """
    xs = np.linspace(grid.x[0], grid.x[-1], resolution)
    ys = np.linspace(grid.y[0], grid.y[-1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return go.Scatter(
        x=gx.ravel(),
        y=gy.ravel(),
        mode="markers",
        marker={"size": 8, "opacity": 0},
        hoverinfo="none",
        name="pick",
        showlegend=False,
        # stay invisible once a point is selected (Plotly would otherwise restyle them)
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
    )


def contour_trace(grid: SurfaceGrid, z: np.ndarray, z_title: str, **colorbar: Any) -> go.Contour:
    return go.Contour(
        x=grid.x,
        y=grid.y,
        z=z,
        colorscale="Viridis",
        ncontours=30,
        showscale=True,
        hoverinfo="skip",
        # On top: Plotly places a side title by a first guess of the tick labels and can overlap "−0.4".
        colorbar={
            **theme.COLORBAR,
            "title": {"text": z_title.replace(" + 10", "<br>+ 10"), "side": "top"},
            "thickness": 14,
            **colorbar,
        },
        name="surface",
        line={"width": 0.5},
        showlegend=False,
    )


def surface_trace(grid: SurfaceGrid, z: np.ndarray, scene: str = "scene") -> go.Surface:
    return go.Surface(
        x=grid.x,
        y=grid.y,
        z=z,
        colorscale="Viridis",
        opacity=0.75,  # paths in a valley show through its near wall
        showscale=False,
        name="surface",
        hoverinfo="skip",
        scene=scene,
        contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}, "width": 1}},
    )


_TICKS_3D = {"nticks": 5, "tickfont": {"size": 11}}


def scene_axes(view: View3D, camera: Mapping[str, Any] | None = None) -> dict:
    """The 3-D scene: axes on the view's ranges, the box a little flat, ``camera`` over ``DEFAULT_CAMERA``."""
    return {
        # Few ticks, a size smaller: the three axes meet in one corner, where full-size ticks overlap.
        "xaxis": {"title": {"text": "x"}, "range": list(view.x_range), **_TICKS_3D},
        "yaxis": {"title": {"text": "y"}, "range": list(view.y_range), **_TICKS_3D},
        "zaxis": {"title": {"text": view.z_title, "font": {"size": 13}}, "range": list(view.z_range), **_TICKS_3D},
        "aspectmode": "manual",
        "aspectratio": dict(ASPECT_3D),
        "camera": theme.merge(DEFAULT_CAMERA, camera or {}),
    }


def plane_axes(grid: SurfaceGrid) -> tuple[dict, dict]:
    """Fixed x and y ranges (the window), so paths and picked points never rescale the view."""
    return (
        {"title": {"text": "x"}, "range": [float(grid.x[0]), float(grid.x[-1])], "constrain": "domain"},
        {"title": {"text": "y"}, "range": [float(grid.y[0]), float(grid.y[-1])], "constrain": "domain"},
    )


def path_lift(z: np.ndarray) -> float:
    """How far paths float above the 3-D surface: ``PATH_LIFT`` of its height range, so they are not hidden."""
    finite = np.asarray(z)[np.isfinite(z)]
    span = float(np.ptp(finite)) if finite.size else 0.0
    return PATH_LIFT * (span or 1.0)


# --- Figures -----------------------------------------------------------------------------------------


def surface_figure(
    result: Result,
    grid: SurfaceGrid,
    *,
    log_z: bool = False,
    runs: Sequence[int] | None = None,
    height: int = 520,
    camera: Mapping[str, Any] | None = None,
    focus: bool = True,
) -> go.Figure:
    """The 3-D surface with a contour on the floor and every path on it; start (circle) and end (diamond).

    The axes frame the window, or (``focus``) the region the paths cover when it is small; z stays on the
    surface's range (a diverged path is cut where it leaves it, its end marked ×). ``camera`` (Plotly's
    ``scene.camera``: ``eye``, ``center``, ``up``; parts left out keep ``DEFAULT_CAMERA``'s) places the view.
    ``height`` is the drawing's; the legend's band comes on top.

    Traces: the surface, then three per run (outline, path, start/end markers; none where a path is not in
    view), then the legend's keys.
    """
    view = view_3d(result, grid, log_z, focus=focus)
    styles = run_styles(result)
    labels = short_labels(result)
    ids = run_names(result).ids
    data: list[Any] = [surface_trace(view.grid, view.transform(view.grid.z))]
    shown = list(runs) if runs is not None else list(range(result.num_runs))
    for i in shown:
        traces = path_traces_3d(result, i, styles.runs[i], labels[i], view, "scene", run_id=ids[i])
        if not styles.keys:
            traces[1].showlegend = True
        data.extend(traces)
    data.extend(legend_traces(styles, scene="scene"))
    surface_name = landscapes.SURFACES[result.scene.surface.id].name
    entries = legend_entries(result, styles) if styles.keys else [labels[i] for i in shown]
    layout = chart_layout(
        f"{surface_name}: paths on the surface",
        height,
        entries,
        styles.title,
        margin={"l": 12, "r": 0, "b": 4},  # the z title's first letters sit at the very left
        width=620,
        scene=scene_axes(view, camera),
        note=grid.note,
    )
    return go.Figure(data=data, layout=layout)


def contour_figure(
    result: Result,
    grid: SurfaceGrid,
    *,
    log_z: bool = False,
    height: int = 480,
    clickable_grid: bool = False,
    legend: bool = True,
) -> go.Figure:
    """The 2-D contour with every path, the known minimizers (stars), saddles (crosses) and target.

    Traces: the contour, the invisible picking grid when ``clickable_grid``, one or two per run (path,
    start/end markers; a path is cut where it leaves the window), the special points, then the legend's
    keys. Axis ranges are fixed to the window. ``height`` is the drawing's; the legend's band comes on top.
    """
    transform, z_title = _z_transform(result, log_z, grid)
    styles = run_styles(result)
    labels = short_labels(result)
    ids = run_names(result).ids
    data: list[Any] = [contour_trace(grid, transform(grid.z), z_title)]
    if clickable_grid:
        data.append(pick_grid_trace(grid))
    for i in range(result.num_runs):
        traces = path_traces_2d(result, i, styles.runs[i], labels[i], grid=grid, run_id=ids[i])
        if not styles.keys:
            traces[0].showlegend = True
        data.extend(traces)
    points = point_traces(result)
    data.extend(points)
    data.extend(legend_traces(styles))
    xaxis, yaxis = plane_axes(grid)
    surface_name = landscapes.SURFACES[result.scene.surface.id].name
    entries = [*legend_entries(result, styles), *(trace.name for trace in points)]
    layout = chart_layout(
        f"{surface_name}: paths on the contour",
        height,
        entries,
        styles.title,
        show_legend=legend,
        margin={"l": 55, "r": 10, "b": AXIS_TITLE_PX},
        width=400,
        xaxis=xaxis,
        yaxis=yaxis,
        clickmode="event+select" if clickable_grid else "event",
        note=grid.note,
    )
    return go.Figure(data=data, layout=layout)


LOSS_X_AXES = ("steps", "gradient evaluations")  # what a loss curve's x-axis can count


class Curves(NamedTuple):
    """What a curve figure draws: one value per run per shown step, and the precision floor where it is met."""

    steps: np.ndarray  # [K] the shown steps (at most MAX_POINTS_PER_CURVE), or [B, K] per-run x values
    values: np.ndarray  # [B, K] float64; NaN only where a log axis cannot show a value
    floor: np.ndarray  # [B] the least value a run's precision resolves (NaN: no floor drawn)
    at_floor: np.ndarray  # [B, K] the run is at its floor there (the value shown is the floor)
    y_title: str
    log_y: bool
    floor_name: str  # e.g. "float32 floor"
    x_title: str = "step k"


def _curves(values: np.ndarray, y_title: str, log_y: bool, floor: np.ndarray | None = None, dtype: str = "") -> Curves:
    steps = np.arange(values.shape[1])
    keep = decimate(len(steps), MAX_POINTS_PER_CURVE)
    return _at_steps(steps[keep], np.asarray(values, np.float64)[:, keep], y_title, log_y, floor, dtype)


def _at_steps(
    steps: np.ndarray, values: np.ndarray, y_title: str, log_y: bool, floor: np.ndarray | None, dtype: str
) -> Curves:
    size = values.shape[0]
    floor = np.full(size, np.nan) if floor is None else np.asarray(floor, np.float64)
    with np.errstate(invalid="ignore"):
        at_floor = np.isfinite(floor)[:, None] & (values <= floor[:, None])
        shown = np.where(at_floor, floor[:, None], values)
        if log_y:
            shown = np.where(shown > 0, shown, np.nan)
    drawn = at_floor.any(axis=1)
    return Curves(steps, shown, np.where(drawn, floor, np.nan), at_floor, y_title, log_y, f"{dtype} floor")


def lr_curves(result: Result, *, log_y: bool = False) -> Curves:
    """The LR η_k of every run at every step."""
    return _curves(result.lr, "learning rate η<sub>k</sub>", log_y)


def loss_curves(result: Result, *, log_y: bool = True, distance: bool = False, x_axis: str = "steps") -> Curves:
    """The loss of every run, computed in float64 from its recorded positions (a float32 run records f rounded
    to about 10⁻⁷ of |f|, which near f* is all noise).

    On a log axis: the gap f(θ_k) − f* when the minimum f* is known (a surface without a known minimum that
    goes negative falls back to a linear axis), or (``distance``) the distance to the nearest known minimizer.
    Where a run is closer to the minimum than its own precision can resolve (the grid of float32 numbers
    around the minimizer), the value is drawn at that floor (``Curves.floor``), not as noise or holes.

    ``x_axis`` (one of :data:`LOSS_X_AXES`) counts steps or gradient evaluations (``result.grad_evals``: a
    line search or SAM spends more than one per step); against evaluations a converged run's curve ends
    where it converged (its count stops there; the rest would be a vertical line).
    """
    if x_axis not in LOSS_X_AXES:
        raise ValueError(f"x_axis must be one of {', '.join(LOSS_X_AXES)}, got {x_axis=}")
    curves = _loss_curves(result, log_y=log_y, distance=distance)
    if x_axis == "steps":
        return curves
    keep = decimate(result.positions.shape[1], MAX_POINTS_PER_CURVE)
    evaluations = np.asarray(result.grad_evals, np.float64)[:, keep]
    ends = np.where(result.status == CONVERGED, result.status_step, result.positions.shape[1])
    after = keep[None, :] > ends[:, None]
    return curves._replace(
        steps=evaluations,
        values=np.where(after, np.nan, curves.values),
        at_floor=curves.at_floor & ~after,
        x_title="gradient evaluations",
    )


def _loss_curves(result: Result, *, log_y: bool, distance: bool) -> Curves:
    keep = decimate(result.positions.shape[1], MAX_POINTS_PER_CURVE)
    positions = np.asarray(result.positions[:, keep], np.float64)
    points = special_points(result)
    dtype = result.scene.dtype
    if distance:
        values = _distances(positions, points)
        floor = _distance_floor(positions, points, dtype) if log_y else None
        return _at_steps(keep, values, "‖θ<sub>k</sub> − θ*‖", log_y, floor, dtype)
    values = exact_loss(result, positions)
    y_title = "f(θ<sub>k</sub>)"
    floor = None
    if log_y:
        if points.min_value is not None:
            values = values - points.min_value
            y_title = "f(θ<sub>k</sub>) − f*" if points.min_value != 0.0 else y_title
            floor = _gap_floor(result, positions, points)
        elif np.nanmin(values, initial=np.inf) <= 0:
            log_y = False
    return _at_steps(keep, values, y_title, log_y, floor, dtype)


def exact_loss(result: Result, positions: np.ndarray) -> np.ndarray:
    """f in float64 at ``positions`` ``[B, K, 2]`` (clipped to ±``DRAWABLE``; NaN stays NaN)."""
    surface = result.scene.surface
    with np.errstate(over="ignore", invalid="ignore"):
        values = surface_values(surface.id, surface.params, positions.reshape(-1, 2), np.float64)
    return np.clip(values, -DRAWABLE, DRAWABLE).reshape(positions.shape[:2])


def _neighbours(point: np.ndarray, dtype: str) -> np.ndarray:
    """The 3 × 3 numbers of ``dtype`` nearest ``point`` (its rounding and one step either way per coordinate)."""
    kind = np.dtype(dtype)
    rounded = np.asarray(point, np.float64).astype(kind)
    steps = [[np.nextafter(c, kind.type(-np.inf)), c, np.nextafter(c, kind.type(np.inf))] for c in rounded]
    gx, gy = np.meshgrid(np.asarray(steps[0], np.float64), np.asarray(steps[1], np.float64))
    return np.stack([gx.ravel(), gy.ravel()], axis=-1)


def _nearest_minimizers(positions: np.ndarray, points: landscapes.Points) -> np.ndarray | None:
    """The known minimizer nearest each run's last position ``[B, 2]``, or None if none is known."""
    if not points.minimizers:
        return None
    known = np.asarray(points.minimizers, np.float64)
    final = positions[:, -1]
    return known[np.argmin(np.linalg.norm(final[:, None] - known[None], axis=-1), axis=1)]


def _gap_floor(result: Result, positions: np.ndarray, points: landscapes.Points) -> np.ndarray:
    """Each run's least resolvable gap: the largest f − f* over the numbers of the run's precision nearest the
    known minimizer it ends nearest, and never below what float64 resolves of f*."""
    nearest = _nearest_minimizers(positions, points)
    size = positions.shape[0]
    resolution = 4 * np.finfo(np.float64).eps * max(1.0, abs(float(points.min_value)))
    if nearest is None:
        return np.full(size, resolution)
    floors = {}
    for minimizer in {tuple(m) for m in nearest}:
        around = _neighbours(np.asarray(minimizer), result.scene.dtype)
        gaps = exact_loss(result, around[None]) - points.min_value
        floors[minimizer] = max(float(np.nanmax(gaps)), resolution)
    return np.array([floors[tuple(m)] for m in nearest])


def _distance_floor(positions: np.ndarray, points: landscapes.Points, dtype: str) -> np.ndarray | None:
    nearest = _nearest_minimizers(positions, points)
    if nearest is None:
        return None
    return np.array([float(np.linalg.norm(_neighbours(m, dtype) - m, axis=-1).max()) for m in nearest])


def _curve_figure(
    result: Result, curves: Curves, title: str, height: int, legend: bool, hover_format: str = ".4g"
) -> go.Figure:
    styles = run_styles(result)
    labels = short_labels(result)
    ids = run_names(result).ids
    data: list[Any] = []
    for i in range(result.num_runs):
        style = styles.runs[i]
        data.append(
            go.Scatter(
                x=curves.steps if curves.steps.ndim == 1 else curves.steps[i],
                y=curves.values[i],
                mode="lines+markers" if style.symbol else "lines",
                line={"color": style.color, "width": 2.2, "dash": style.dash},
                marker={"symbol": style.symbol, "size": 7, "maxdisplayed": MARKERS_PER_LINE} if style.symbol else None,
                name=labels[i],
                legendgroup=style.group,
                showlegend=not styles.keys,
                customdata=np.where(curves.at_floor[i], f" (at the {curves.floor_name})", ""),
                hovertemplate="k=%{x}<br>%{y:" + hover_format + "}%{customdata}" + _hover(labels[i], ids[i]),
            )
        )
    data.extend(legend_traces(styles))
    shapes, annotations = [], []
    levels = sorted({float(f) for f in curves.floor if np.isfinite(f)})
    for level in levels:
        shapes.append(
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": level,
                "y1": level,
                "line": {"color": "#777777", "dash": "dot", "width": 1.2},
                "name": "floor",
            }
        )
    if levels:  # one label, under the lowest floor, where no curve goes
        annotations.append(
            {
                "text": f"{curves.floor_name}: closer than its precision resolves",
                "xref": "x domain",
                "x": 1,
                "xanchor": "right",
                "yref": "y",
                "y": math.log10(levels[0]) if curves.log_y else levels[0],
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 11, "color": "#555555"},
                "name": "floor",
            }
        )
    y_axis: dict[str, Any] = {
        "title": {"text": curves.y_title},
        "type": "log" if curves.log_y else "linear",
        "exponentformat": "power",
    }
    finite = curves.values[np.isfinite(curves.values)]
    if shapes and curves.log_y and finite.size:  # room under the floor for its label
        y_axis["range"] = [math.log10(min(levels)) - 1.0, math.log10(float(finite.max())) + 0.3]
    layout = chart_layout(
        title,
        height,
        legend_entries(result, styles),
        styles.title,
        show_legend=legend,
        margin={"l": 70, "r": 10, "b": AXIS_TITLE_PX},
        width=500,
        xaxis={"title": {"text": curves.x_title}, "range": [0, max(1.0, float(np.nanmax(curves.steps)))]},
        yaxis=y_axis,
        shapes=shapes or None,
        annotations=annotations or None,
    )
    return go.Figure(data=data, layout=layout)


def lr_figure(result: Result, *, log_y: bool = False, height: int = 280, legend: bool = True) -> go.Figure:
    """The LR η_k each trajectory used at every step (one trace per run, then the legend's keys)."""
    return _curve_figure(result, lr_curves(result, log_y=log_y), "Learning rate", height, legend)


def loss_figure(
    result: Result,
    *,
    log_y: bool = True,
    distance: bool = False,
    height: int = 280,
    legend: bool = True,
    x_axis: str = "steps",
) -> go.Figure:
    """Loss per step (or per gradient evaluation: ``x_axis``), or (``distance``) the distance to the nearest
    known minimizer, as the reference plotted; see :func:`loss_curves` for what is drawn. One trace per run,
    then the legend's keys."""
    curves = loss_curves(result, log_y=log_y, distance=distance, x_axis=x_axis)
    title = "Distance to the nearest known minimizer" if distance else "Loss"
    return _curve_figure(result, curves, title, height, legend)


def distance_to_minimizer(result: Result) -> np.ndarray:
    """Distance of every position to the nearest known minimizer (or the surface's target point)."""
    return _distances(np.asarray(result.positions, np.float64), special_points(result))


def _distances(positions: np.ndarray, points: landscapes.Points) -> np.ndarray:
    targets = list(points.minimizers) or ([points.target] if points.target is not None else [])
    if not targets:
        return np.full(positions.shape[:2], np.nan)
    arr = np.asarray(targets, float)  # [M, 2]
    gaps = positions[:, :, None, :] - arr[None, None]
    return np.min(np.linalg.norm(gaps, axis=-1), axis=-1)


def _positive(values: np.ndarray) -> np.ndarray:
    """Non-positive values become NaN: a log axis cannot show them (the curve gets a gap instead)."""
    values = np.asarray(values, np.float64)
    return np.where(values > 0, values, np.nan)
