"""Where a trajectory ended up: the known point it reached, or why it reached none.

Every sweep summarises a trajectory by its final point, gradient norm and status, and sorts it into
one category: the index ``k ≥ 0`` of the known minimizer it ended within ``radius`` of (global
minimizers first, then local ones), or one of the negative codes below.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

import landscapes
from engine.scene import Scene
from engine.simulate import DIVERGED as STATUS_DIVERGED

DIVERGED = -1  # left the finite numbers or went far outside the window
MOVING = -2  # still moving at the end, near no known point
SADDLE = -3  # ended within the radius of a known saddle
STALLED = -4  # small gradient but near no known minimizer or saddle: a plateau (or an unlisted stationary point)
OTHER_CODES = (DIVERGED, MOVING, SADDLE, STALLED)
OTHER_NAMES = {DIVERGED: "diverged", MOVING: "still moving", SADDLE: "stuck at a saddle", STALLED: "stalled (plateau)"}
PLATEAU_GRAD = 1e-3  # gradient norm below which a trajectory far from every known point counts as stalled


class Landmarks(NamedTuple):
    """The known points of a scene's surface that outcomes are measured against."""

    minimizers: np.ndarray  # [M, 2]: global minimizers, then local ones
    names: tuple[str, ...]  # [M] e.g. "min (3, 2)", "local min (0.566, 0.001)"
    num_global: int
    saddles: np.ndarray  # [K, 2]
    target: np.ndarray  # [2]: the reference's "known minimum" (first minimizer when it has none)
    radius: float  # how close counts as "reached"


def _fmt(point: np.ndarray) -> str:
    return f"({point[0]:.3g}, {point[1]:.3g})"


def landmarks(scene: Scene, radius: float | None = None) -> Landmarks:
    """The minimizers, saddles and target of the scene's surface, and the radius that counts as reached.

    The default radius is 1 % of the window's diagonal, shrunk to a quarter of the smallest
    distance between two known points so that no two of them share a neighbourhood.
    """
    surface = landscapes.SURFACES[scene.surface.id]
    points = landscapes.critical_points(surface, scene.surface.params)
    global_min = np.array(points.minimizers, np.float64).reshape(-1, 2)
    local_min = np.array(points.local_minimizers, np.float64).reshape(-1, 2)
    minimizers = np.concatenate([global_min, local_min])
    saddles = np.array(points.saddles, np.float64).reshape(-1, 2)
    if points.target is not None:
        target = np.array(points.target, np.float64)
    elif len(minimizers):
        target = minimizers[0]
    else:
        (xmin, xmax), (ymin, ymax) = surface.window
        target = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    if radius is None:
        (xmin, xmax), (ymin, ymax) = surface.window
        radius = 0.01 * math.hypot(xmax - xmin, ymax - ymin)
        known = np.concatenate([minimizers, saddles])
        for a, b in itertools.combinations(known, 2):
            radius = min(radius, 0.25 * float(np.linalg.norm(a - b)))
    names = tuple(f"min {_fmt(p)}" for p in global_min) + tuple(f"local min {_fmt(p)}" for p in local_min)
    return Landmarks(minimizers, names, len(global_min), saddles, target, float(radius))


def nearest(points: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For points ``[..., 2]``: the index of the nearest known point and the distance to it."""
    if len(known) == 0:
        shape = points.shape[:-1]
        return np.full(shape, -1), np.full(shape, np.inf)
    distances = np.linalg.norm(points[..., None, :] - known, axis=-1)
    index = np.argmin(distances, axis=-1)
    return index, np.take_along_axis(distances, index[..., None], axis=-1)[..., 0]


def classify(
    final_x: np.ndarray,
    final_grad_norm: np.ndarray,
    status: np.ndarray,
    marks: Landmarks,
    plateau_grad: float = PLATEAU_GRAD,
) -> np.ndarray:
    """The outcome code of each trajectory (``[...]`` int): a minimizer index ``k ≥ 0`` or a negative code.

    Checked in this order: diverged; within ``radius`` of a known minimizer; within ``radius`` of
    a known saddle; gradient norm at most ``plateau_grad`` (stalled); otherwise still moving.
    """
    final_x = np.asarray(final_x, np.float64)
    codes = np.full(final_x.shape[:-1], MOVING, np.int64)
    flat = np.asarray(final_grad_norm) <= plateau_grad
    codes[flat] = STALLED
    index, distance = nearest(final_x, marks.saddles)
    codes[distance <= marks.radius] = SADDLE
    index, distance = nearest(final_x, marks.minimizers)
    reached = distance <= marks.radius
    codes[reached] = index[reached]
    codes[np.asarray(status) == STATUS_DIVERGED] = DIVERGED
    return codes


def category_names(marks: Landmarks) -> dict[int, str]:
    """Display names by code, minimizers first."""
    return {**dict(enumerate(marks.names)), **OTHER_NAMES}
