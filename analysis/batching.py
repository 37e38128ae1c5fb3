"""Sweep budgets, chunked runs and LR columns shared by the LR search, basins and hyperparameter maps.

A sweep keeps no paths (``record=False``) and may hold tens of thousands of trajectories, so it has
its own caps, checked before any work with a message that says how to get under them. Large batches
are cut into equal chunks (equal chunks compile once) and a ``progress`` callback hears about each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

import schedules
from engine.scene import Scene, SceneError, ScheduleSpec
from engine.simulate import Batch, Result, RunLabel, run_batch, run_labels

MAX_SWEEP_TRAJECTORIES = 65_536  # per (optimizer, schedule) pair of a basin map or hyperparameter map
MAX_SWEEP_STEPS = 2_000
MAX_SWEEP_TRAJECTORY_STEPS = 400_000_000  # trajectories × steps of one whole sweep (about 40 s here)
MAX_CANDIDATES = 1_000  # LR search candidates
MAX_RESOLUTION = 256  # cells per side of a basin map or hyperparameter map
CHUNK_ROWS = 65_536  # trajectories per compiled call

Progress = Callable[[float, str], None]  # (fraction done in [0, 1], what is running), e.g. st.progress


class BudgetError(SceneError):
    """A sweep is over one of its caps; the message says how to get under it."""


def check_sweep(what: str, per_pair: int, pairs: int, steps: int) -> None:
    """Raises :class:`BudgetError` when a sweep of ``pairs × per_pair`` trajectories is too big."""
    if steps > MAX_SWEEP_STEPS:
        raise BudgetError(f"{what}: {steps} steps is over the sweep limit of {MAX_SWEEP_STEPS}; use fewer steps")
    if per_pair > MAX_SWEEP_TRAJECTORIES:
        side = math.isqrt(MAX_SWEEP_TRAJECTORIES)
        raise BudgetError(
            f"{what}: {per_pair:,} trajectories per (optimizer, schedule) pair is over the limit of "
            f"{MAX_SWEEP_TRAJECTORIES:,}; use a coarser grid (at most {side}×{side})"
        )
    total = per_pair * pairs * steps
    if total > MAX_SWEEP_TRAJECTORY_STEPS:
        most_pairs = max(0, MAX_SWEEP_TRAJECTORY_STEPS // max(1, per_pair * steps))
        raise BudgetError(
            f"{what}: {per_pair * pairs:,} trajectories × {steps} steps = {total:,} trajectory-steps is over the "
            f"limit of {MAX_SWEEP_TRAJECTORY_STEPS:,}; use at most {most_pairs} (optimizer, schedule) pairs, "
            f"fewer steps or a coarser grid"
        )


def check_resolution(what: str, resolution: int) -> None:
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise BudgetError(f"{what}: resolution must be in [2, {MAX_RESOLUTION}], got {resolution}")


def notify(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)), text)


def run_chunked(
    scene: Scene,
    batch: Batch,
    *,
    chunk: int = CHUNK_ROWS,
    progress: Progress | None = None,
    label: str = "",
    span: tuple[float, float] = (0.0, 1.0),
) -> dict[str, np.ndarray]:
    """``run_batch(scene, batch, record=False)`` in equal chunks of at most ``chunk`` rows.

    Every chunk is padded (repeating its first row) to the same size, so one compiled program
    serves them all. ``progress`` is told after each chunk, its fraction mapped into ``span``.
    """
    size = batch.size
    pieces = max(1, math.ceil(size / chunk))
    per = math.ceil(size / pieces)
    ids = np.arange(size, dtype=np.int64) if batch.ids is None else np.asarray(batch.ids)
    outputs: dict[str, np.ndarray] = {}
    low, high = span
    for piece in range(pieces):
        rows = np.arange(piece * per, min(size, (piece + 1) * per))
        padded = np.concatenate([rows, np.full(per - len(rows), rows[0])]) if pieces > 1 else rows
        part = Batch(
            origins=batch.origins[padded],
            optimizer_index=batch.optimizer_index[padded],
            schedule_index=batch.schedule_index[padded],
            optimizers=batch.optimizers,
            lr_table=batch.lr_table,
            row_schedules=batch.row_schedules,
            ids=ids[padded],  # each trajectory keeps its noise identity whatever the chunking
        )
        out = run_batch(scene, part, record=False)
        for name, value in out.items():
            target = outputs.setdefault(name, np.zeros((size, *value.shape[1:]), value.dtype))
            target[rows] = value[: len(rows)]
        notify(progress, low + (high - low) * (piece + 1) / pieces, f"{label} ({piece + 1}/{pieces})".strip())
    return outputs


def lr_rows(scene: Scene, spec: ScheduleSpec, lrs: np.ndarray, steps: int, horizon: int | None = None) -> np.ndarray:
    """The LR of steps ``0 … steps−1`` of one schedule for every base LR in ``lrs``: ``[N, steps]``.

    One broadcast ``schedules.entry_table`` call. The schedule is laid out over ``horizon`` steps (the
    scene's length by default) and cut to ``steps``: a 200-step search run sees the first 200 steps
    of the 500-step schedule, as in the reference pipeline (its schedulers are fixed for T = 500).
    """
    horizon = max(steps, scene.steps if horizon is None else horizon)
    rows = schedules.entry_table(spec, horizon, lr=np.asarray(lrs, np.float64).reshape(-1, 1))
    return np.ascontiguousarray(rows[:, :steps])


def base_lrs(scene: Scene) -> np.ndarray:
    """The η0 each schedule of the scene starts from (its own ``lr`` or the scene's): ``[S]``."""
    return np.array([scene.lr if spec.lr is None else spec.lr for spec in scene.schedules], np.float64)


def scale_lrs(scene: Scene, factor: float) -> Scene:
    """The scene with every η0 (the scene's and each schedule's own) multiplied by ``factor``."""
    schedules_data = [
        spec.model_dump(mode="json", exclude_none=True) | ({"lr": spec.lr * factor} if spec.lr is not None else {})
        for spec in scene.schedules
    ]
    return scene.replace(lr=scene.lr * factor, schedules=schedules_data)


def scene_labels(scene: Scene) -> list[RunLabel]:
    """The engine's own ordering, so that run indices agree with ``run(scene)``."""
    return run_labels(scene)


def results_over_factors(scene: Scene, factors: Sequence[float]) -> list[Result]:
    """One recorded :class:`Result` per LR factor, all computed in one ``run_batch`` per optimizer group.

    ``results[i]`` equals ``run(scale_lrs(scene, factors[i]))``; the gradient noise of a run does
    not depend on the factor (same ids), so a sweep changes nothing but the LR.
    """
    factors = [float(f) for f in factors]
    labels = scene_labels(scene)
    scenes = [scale_lrs(scene, f) for f in factors]
    steps = scene.steps
    columns = []
    for spec, lr in zip(scene.schedules, base_lrs(scene), strict=True):
        columns.append(lr_rows(scene, spec, lr * np.asarray(factors), steps))  # [F, T]
    table = np.stack(columns, axis=0).reshape(len(scene.schedules) * len(factors), steps).T  # column s·F + f
    n, count = len(labels), len(factors)
    origins = np.array([label.origin for label in labels], np.float64).reshape(-1, 2)
    opt_index = np.array([label.optimizer_index for label in labels], np.int64)
    sched_index = np.array([label.schedule_index for label in labels], np.int64)
    batch = Batch(
        origins=np.tile(origins, (count, 1)),
        optimizer_index=np.tile(opt_index, count),
        schedule_index=(sched_index[None, :] * count + np.arange(count)[:, None]).ravel(),
        optimizers=tuple(scene.optimizers),
        lr_table=table,
        row_schedules=tuple(spec for spec in scene.schedules for _ in range(count)),
        ids=np.tile(np.arange(n), count),
    )
    out = run_batch(scene, batch, record=True)
    results = []
    for f, scaled in enumerate(scenes):
        rows = slice(f * n, (f + 1) * n)
        results.append(
            Result(
                scene=scaled,
                runs=tuple(labels),
                positions=np.concatenate([out["x"][rows], out["final_x"][rows, None]], axis=1),
                loss=np.concatenate([out["loss"][rows], out["final_loss"][rows, None]], axis=1),
                grad_norm=np.concatenate([out["grad_norm"][rows], out["final_grad_norm"][rows, None]], axis=1),
                lr=out["lr"][rows],
                status=out["status"][rows].astype(np.int8),
                status_step=out["status_step"][rows].astype(np.int64),
            )
        )
    return results
