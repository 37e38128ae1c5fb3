"""One row per trajectory: where it ended, how close to what, and how fast (the numbers behind Figs. 3 and 5–7).

Pure data, JSON-safe (plain ``int``/``float``/``str``/``None``/lists, no NaN), so the page can show
it as a table, put it in a download, or compare it in a test.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

import landscapes
from engine.simulate import Result
from figures.paths import POINT_STYLES, distance_to_minimizer, short_labels, special_points
from ui.labels import point_names

TOLERANCE_FRACTION = 1e-2  # default tolerance: 1 % of the window's larger side
NEAR_FRACTION = 5e-2  # a critical point within 5 % of the window's larger side counts as "nearest"

COLUMNS = (
    "run",
    "label",
    "name",
    "optimizer",
    "schedule",
    "start",
    "final_x",
    "final_y",
    "final_loss",
    "final_grad_norm",
    "distance",
    "nearest_kind",
    "nearest_point",
    "nearest_distance",
    "steps_to_tol",
    "status",
    "status_step",
)
# What the page shows above each column (st.dataframe prints the keys as they are): words, not identifiers.
HEADERS = {
    "run": "run",
    "label": "trajectory",
    "name": "full name",
    "optimizer": "optimizer",
    "schedule": "schedule",
    "start": "start (x, y)",
    "final_x": "final x",
    "final_y": "final y",
    "final_loss": "final loss",
    "final_grad_norm": "‖∇f‖ at the end",
    "distance": "final distance to the minimizer (or target)",
    "nearest_kind": "nearest critical point",
    "nearest_point": "nearest point (x, y)",
    "nearest_distance": "distance to the nearest point",
    "steps_to_tol": "steps to reach the minimizer (or target)",
    "status": "status",
    "status_step": "steps to converge / diverge",
}


def window_size(result: Result) -> float:
    """The larger side of the surface's plot window (what tolerances and radii scale with)."""
    (xmin, xmax), (ymin, ymax) = landscapes.SURFACES[result.scene.surface.id].window
    return float(max(xmax - xmin, ymax - ymin))


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _nearest(point: np.ndarray, points: landscapes.Points, radius: float) -> tuple[str, list[float] | None, float]:
    """The kind of the nearest known critical point within ``radius`` ("none" if there is none)."""
    best: tuple[str, list[float] | None, float] = ("none", None, math.inf)
    for field, kind, _, _ in POINT_STYLES:
        for candidate in getattr(points, field):
            gap = math.hypot(float(point[0]) - candidate[0], float(point[1]) - candidate[1])
            if gap <= radius and gap < best[2]:
                best = (kind, [float(candidate[0]), float(candidate[1])], gap)
    return best


def summary_table(
    result: Result, *, tol: float | None = None, radius: float | None = None, readable: bool = True
) -> list[dict[str, Any]]:
    """One JSON-safe dict per trajectory: keys :data:`HEADERS` (words, for the page's table), or
    :data:`COLUMNS` (identifiers, for code) with ``readable=False``; the same values in the same order.

    Args:
        result: a recorded run (``run(scene)`` with ``record=True``).
        tol: the distance to the nearest known minimizer (or target) that counts as arrived;
            default ``1e-2 ×`` the window's larger side.
        radius: how near the final point must be to a known minimizer, local minimizer or
            saddle to be named by ``nearest_kind``; default ``5e-2 ×`` the window's larger side.
        readable: key the rows by the readable headers (``HEADERS[column]``) rather than the columns.

    Returns:
        Rows with: ``run`` (index), ``label`` (short label, see ``short_labels``), ``name``
        (full), ``optimizer``, ``schedule``, ``start`` ([x, y], perturbation included),
        ``final_x``, ``final_y``, ``final_loss``, ``final_grad_norm``, ``distance`` (final distance
        to the nearest known minimizer, or to the target when there is none), ``nearest_kind``
        ("minimizer", "local minimizer", "saddle" or "none"), ``nearest_point`` and
        ``nearest_distance``, ``steps_to_tol`` (first step whose distance is below ``tol``),
        ``status`` ("running", "converged", "diverged") and ``status_step`` (the step it began).
        Unknown or non-finite values are ``None``. Readable keys are :data:`HEADERS`'s values.
    """
    size = window_size(result)
    tol = TOLERANCE_FRACTION * size if tol is None else tol
    radius = NEAR_FRACTION * size if radius is None else radius
    if tol <= 0 or radius < 0:
        raise ValueError(f"the tolerance must be positive and the radius non-negative, got {tol=}, {radius=}")
    points = special_points(result)
    distances = distance_to_minimizer(result)
    labels = short_labels(result)
    rows = []
    for i, label in enumerate(result.runs):
        final = result.positions[i, -1]
        arrived = np.flatnonzero(distances[i] < tol)  # NaN compares False: never arrives
        kind, nearest_point, nearest_gap = _nearest(final, points, radius)
        status_step = int(result.status_step[i])
        rows.append(
            {
                "run": i,
                "label": labels[i],
                "name": label.name,
                "optimizer": label.optimizer,
                "schedule": label.schedule,
                "start": [float(label.origin[0]), float(label.origin[1])],
                "final_x": _finite(final[0]),
                "final_y": _finite(final[1]),
                "final_loss": _finite(result.loss[i, -1]),
                "final_grad_norm": _finite(result.grad_norm[i, -1]),
                "distance": _finite(distances[i, -1]),
                "nearest_kind": kind,
                "nearest_point": nearest_point,
                "nearest_distance": _finite(nearest_gap) if nearest_point is not None else None,
                "steps_to_tol": int(arrived[0]) if arrived.size else None,
                "status": result.status_name(i),
                "status_step": status_step if status_step >= 0 else None,
            }
        )
    if readable:
        return [{HEADERS[key]: value for key, value in row.items()} for row in rows]
    return rows


# --- The page's table: few columns, numbers for people ---------------------------------------------------------


class Column(NamedTuple):
    """A column of the page's table: its header, what it holds and how to show it."""

    key: str
    header: str
    kind: str  # "text", "number" (shown with 3 significant digits) or "integer"
    help: str
    width: str | None = None  # Streamlit's column width; None: as wide as the content


PAGE_COLUMNS = (
    Column("label", "trajectory", "text", "What tells this run apart from the others (the rest is the same)."),
    Column(
        "ends",
        "outcome",
        "text",
        "Whether and when the run converged (‖∇f‖ stays at or below the tolerance) or diverged.",
    ),
    Column("final_loss", "final f", "number", "The loss at the last step."),
    Column("final_grad_norm", "final ‖∇f‖", "number", "The gradient norm at the last step."),
    Column(
        "distance",
        "distance to θ*",
        "number",
        "Final distance to the nearest known minimizer (or to the target).",
    ),
    Column(
        "steps_to_tol",
        "at θ* by step",
        "integer",
        "First step within 1 % of the window of the minimizer (or target).",
    ),
    Column("near", "ends near", "text", "The known critical point within 5 % of the window of the final point."),
    Column("final_xy", "final (x, y)", "text", "Where the run ended."),
)


def page_rows(result: Result) -> list[dict[str, Any]]:
    """The page's table: one row per run with the keys of :data:`PAGE_COLUMNS` (numbers stay numbers, to sort;
    the page shows them with 3 significant digits), names as people picked them, points rounded. The runs' ids
    are in the exports (CSV, JSON) and the charts' tooltips, not here."""
    rows = summary_table(result, readable=False)
    finals = point_names([[row["final_x"] or math.nan, row["final_y"] or math.nan] for row in rows], 3)
    near_names = point_names([row["nearest_point"] or [math.nan, math.nan] for row in rows], 3)
    out = []
    for row, final, near in zip(rows, finals, near_names, strict=True):
        step = row["status_step"]
        ends = row["status"] if step is None or row["status"] == "running" else f"{row['status']} at step {step}"
        out.append(
            {
                "label": row["label"],
                "ends": ends,
                "final_loss": row["final_loss"],
                "final_grad_norm": row["final_grad_norm"],
                "distance": row["distance"],
                "steps_to_tol": row["steps_to_tol"],
                "near": "—" if row["nearest_point"] is None else f"{row['nearest_kind']} {near}",
                "final_xy": final,
            }
        )
    return out
