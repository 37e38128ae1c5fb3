"""Basins of attraction: where every start point of a grid over the window ends up.

For each (optimizer, schedule) pair of a scene, a ``resolution × resolution`` grid of start points
(cell centres spanning the surface's window) runs in one batch without recording paths; each cell
is classified by :func:`analysis.outcomes.classify` (which known minimizer it reached, or diverged,
still moving, stuck at a saddle, stalled on a plateau) and gets the step at which it converged.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

import landscapes
from analysis.batching import Progress, check_resolution, check_sweep, lr_rows, notify, run_chunked
from analysis.outcomes import PLATEAU_GRAD, Landmarks, category_names, classify, landmarks
from engine.scene import Scene, SceneError
from engine.simulate import CONVERGED, Batch, trace_count


class Basins(NamedTuple):
    """Outcome maps over a grid of start points; cell ``[i, j]`` started at ``(xs[j], ys[i])``."""

    scene: Scene
    xs: np.ndarray  # [nx] start x of each column
    ys: np.ndarray  # [ny] start y of each row
    pairs: tuple[tuple[int, int], ...]  # [P] (optimizer index, schedule index)
    labels: tuple[str, ...]  # [P] "optimizer · schedule"
    outcome: np.ndarray  # [P, ny, nx] int: minimizer index k >= 0, or a negative code (analysis.outcomes)
    steps: np.ndarray  # [P, ny, nx] float: step at which the run converged; nan if it did not
    final_x: np.ndarray  # [P, ny, nx, 2]
    final_loss: np.ndarray  # [P, ny, nx]
    marks: Landmarks
    categories: dict[int, str]  # code -> display name
    seconds: float
    compilations: int

    @property
    def resolution(self) -> int:
        return len(self.xs)

    def fractions(self, pair: int) -> dict[str, float]:
        """The share of the grid in each category for one pair (categories that occur)."""
        codes, counts = np.unique(self.outcome[pair], return_counts=True)
        total = counts.sum()
        return {self.categories[int(c)]: float(n / total) for c, n in zip(codes, counts, strict=True)}


def grid_axes(scene: Scene, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres spanning the surface's window: ``(xs, ys)``, each of length ``resolution``."""
    (xmin, xmax), (ymin, ymax) = landscapes.SURFACES[scene.surface.id].window
    dx, dy = (xmax - xmin) / resolution, (ymax - ymin) / resolution
    xs = xmin + dx * (np.arange(resolution) + 0.5)
    ys = ymin + dy * (np.arange(resolution) + 0.5)
    return xs, ys


def start_at(basins: Basins, i: int, j: int) -> tuple[float, float]:
    """The start point of cell ``[i, j]`` (row ``i`` along y, column ``j`` along x): what a click loads."""
    if not (0 <= i < len(basins.ys) and 0 <= j < len(basins.xs)):
        raise IndexError(f"cell ({i}, {j}) is outside the {len(basins.ys)}×{len(basins.xs)} grid")
    return float(basins.xs[j]), float(basins.ys[i])


def cell_of(basins: Basins, x: float, y: float) -> tuple[int, int]:
    """The cell ``(i, j)`` whose centre is nearest to the point ``(x, y)`` (a click on the map)."""
    j = int(np.clip(np.round((x - basins.xs[0]) / (basins.xs[1] - basins.xs[0])), 0, len(basins.xs) - 1))
    i = int(np.clip(np.round((y - basins.ys[0]) / (basins.ys[1] - basins.ys[0])), 0, len(basins.ys) - 1))
    return i, j


def basins(
    scene: Scene,
    resolution: int = 256,
    pairs: Sequence[tuple[int, int]] | None = None,
    *,
    radius: float | None = None,
    plateau_grad: float = PLATEAU_GRAD,
    progress: Progress | None = None,
) -> Basins:
    """Runs a grid of start points for each (optimizer, schedule) pair of ``scene``.

    Args:
      scene: surface, optimizers, schedules, LR, steps, clip and noise; its starts are ignored.
      resolution: cells per side (up to 256: 65,536 trajectories per pair).
      pairs: (optimizer index, schedule index) pairs; default: every optimizer × every schedule.
      radius: how close to a known point counts as reached (default: see ``outcomes.landmarks``).
      plateau_grad: gradient norm below which a run near no known point counts as stalled.
      progress: called with (fraction, text) after each pair.
    """
    check_resolution("basins", resolution)
    if pairs is None:
        pairs = [(o, s) for o in range(len(scene.optimizers)) for s in range(len(scene.schedules))]
    pairs = tuple((int(o), int(s)) for o, s in pairs)
    if not pairs:
        raise SceneError("basins: give at least one (optimizer, schedule) pair")
    for o, s in pairs:
        if not (0 <= o < len(scene.optimizers) and 0 <= s < len(scene.schedules)):
            raise SceneError(
                f"basins: pair ({o}, {s}) does not exist; the scene has {len(scene.optimizers)} optimizer(s) and "
                f"{len(scene.schedules)} schedule(s)"
            )
    cells = resolution * resolution
    check_sweep("basins", cells, len(pairs), scene.steps)

    started, compiled = time.perf_counter(), trace_count()
    xs, ys = grid_axes(scene, resolution)
    gx, gy = np.meshgrid(xs, ys)
    origins = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    marks = landmarks(scene, radius)
    shape = (resolution, resolution)
    outcome = np.empty((len(pairs), *shape), np.int64)
    steps = np.empty((len(pairs), *shape), np.float64)
    final_x = np.empty((len(pairs), *shape, 2), np.float64)
    final_loss = np.empty((len(pairs), *shape), np.float64)
    labels = []
    for k, (o, s) in enumerate(pairs):
        spec = scene.schedules[s]
        lr = scene.lr if spec.lr is None else spec.lr
        label = f"{scene.optimizers[o].label} · {spec.label}"
        labels.append(label)
        batch = Batch(
            origins=origins,
            optimizer_index=np.zeros(cells, np.int64),
            schedule_index=np.zeros(cells, np.int64),
            optimizers=(scene.optimizers[o],),
            lr_table=lr_rows(scene, spec, np.array([lr]), scene.steps).T,
            row_schedules=(spec,),
        )
        span = (k / len(pairs), (k + 1) / len(pairs))
        notify(progress, span[0], f"basins: {label}")
        out = run_chunked(scene, batch, progress=progress, label=f"basins: {label}", span=span)
        outcome[k] = classify(out["final_x"], out["final_grad_norm"], out["status"], marks, plateau_grad).reshape(shape)
        converged = out["status"] == CONVERGED
        steps[k] = np.where(converged, out["status_step"], np.nan).reshape(shape)
        final_x[k] = out["final_x"].reshape(*shape, 2)
        final_loss[k] = out["final_loss"].reshape(shape)
    return Basins(
        scene=scene,
        xs=xs,
        ys=ys,
        pairs=pairs,
        labels=tuple(labels),
        outcome=outcome,
        steps=steps,
        final_x=final_x,
        final_loss=final_loss,
        marks=marks,
        categories=category_names(marks),
        seconds=time.perf_counter() - started,
        compilations=trace_count() - compiled,
    )
