"""The reference pipeline's LR search, done as one batched run instead of 200 sequential trials.

Liu & Zhang 2023 (Section 4.1) tuned η0 with hyperopt: 200 evaluations of 200-step runs per schedule,
η0 log-uniform over [e^-8, e^-1] for SGD and [e^-8, e^-0.1] for Yogi, minimising the squared distance
of the final point to the surface's known minimum; the figures use the "same LR" mode, where every
schedule reuses the η0 tuned for ``constant_lr``. Here every candidate × schedule × start runs at once
(one compiled call per optimizer group) on a log-spaced grid, which also gives the whole sensitivity
curve: the objective as a function of η0.
"""

from __future__ import annotations

import math
import time
from typing import Literal, NamedTuple

import numpy as np

from analysis.batching import (
    CHUNK_ROWS,
    MAX_CANDIDATES,
    BudgetError,
    Progress,
    check_sweep,
    lr_rows,
    notify,
    run_chunked,
)
from analysis.outcomes import landmarks, nearest
from engine.scene import Scene, SceneError
from engine.simulate import CONVERGED, DIVERGED, Batch, trace_count

Objective = Literal["distance2", "final_loss", "steps_to_tol"]
Mode = Literal["shared", "per_schedule"]
OBJECTIVES: dict[str, str] = {
    "distance2": "squared distance of the final point to the known minimum (the reference's objective)",
    "final_loss": "loss at the final point",
    "steps_to_tol": "steps until the gradient norm stays below the scene's tolerance at a known minimizer",
}
MODES: dict[str, str] = {
    "shared": "every schedule reuses the η0 tuned for constant_lr (the reference's 'same LR' mode)",
    "per_schedule": "each schedule gets its own η0 (the reference's 'different LR' mode)",
}
# The reference's search ranges: log-uniform over [e^-8, e^-1] for SGD, [e^-8, e^-0.1] for Yogi.
SGD_RANGE = (math.exp(-8.0), math.exp(-1.0))
ADAPTIVE_RANGE = (math.exp(-8.0), math.exp(-0.1))
SGD_FAMILY = ("sgd", "momentum", "nesterov")


class LRSearch(NamedTuple):
    """The outcome of :func:`lr_search`: the sensitivity curves and the η0 chosen from them."""

    scene: Scene  # the scene that was searched
    objective_name: str
    mode: str
    steps: int  # length of each search run
    candidates: np.ndarray  # [N] η0 values, log-spaced, increasing
    objective: np.ndarray  # [S, N] per schedule; mean over starts × perturbations × optimizers; inf: diverged
    distance2: np.ndarray  # [S, N] squared final distance to the target (the tie-break), whatever the objective
    best: np.ndarray  # [S] each schedule's own best η0
    chosen: np.ndarray  # [S] the η0 each schedule gets: best[reference] everywhere in shared mode; nan if none
    reference: int  # the schedule whose best η0 is shared (constant_lr if the scene has it)
    schedule_labels: tuple[str, ...]
    trajectories: int  # the budget used
    trajectory_steps: int
    calls: int  # run_batch calls (each runs one compiled program per optimizer group)
    compilations: int
    seconds: float


def default_range(scene: Scene) -> tuple[float, float]:
    """The reference's range for the scene's optimizers (the widest if they differ)."""
    ranges = []
    for spec in scene.optimizers:
        inner = spec.inner.id if spec.inner is not None else spec.id
        ranges.append(SGD_RANGE if inner in SGD_FAMILY else ADAPTIVE_RANGE)
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def reference_schedule(scene: Scene) -> int:
    ids = [spec.id for spec in scene.schedules]
    return ids.index("constant_lr") if "constant_lr" in ids else 0


def lr_search(
    scene: Scene,
    candidates: int = 200,
    low: float | None = None,
    high: float | None = None,
    objective: Objective = "distance2",
    mode: Mode = "shared",
    steps: int = 200,
    *,
    progress: Progress | None = None,
) -> LRSearch:
    """Evaluates ``candidates`` log-spaced η0 values for every schedule of ``scene`` in one batch.

    Each candidate runs ``steps`` steps from every start (× perturbation × optimizer) of the scene,
    with the first ``steps`` LRs of each schedule laid out for the scene's full length (as the
    reference's fixed-period schedulers do). Diverged runs score ``inf``. Ties go to the smaller
    squared distance, then to the smaller η0.

    Args:
      scene: what to tune; its ``lr`` and per-schedule ``lr`` are ignored.
      candidates: how many η0 values (the reference: 200 evaluations).
      low, high: the range; default: the reference's for the scene's optimizers.
      objective: ``distance2`` (the reference's), ``final_loss`` or ``steps_to_tol``.
      mode: ``shared`` (every schedule gets constant_lr's best) or ``per_schedule``.
      steps: length of each search run (the reference: 200).
      progress: called with (fraction, text) after each compiled call.

    Returns:
      An :class:`LRSearch`; :func:`apply` puts its η0 into the scene.
    """
    if objective not in OBJECTIVES:
        raise SceneError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if mode not in MODES:
        raise SceneError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not 2 <= candidates <= MAX_CANDIDATES:
        raise BudgetError(f"LR search: candidates must be in [2, {MAX_CANDIDATES}], got {candidates}")
    default_low, default_high = default_range(scene)
    low = default_low if low is None else float(low)
    high = default_high if high is None else float(high)
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high <= 100):
        raise SceneError(f"LR search: need 0 < low < high <= 100, got low={low:g}, high={high:g}")
    if steps < 1:
        raise SceneError(f"LR search: steps must be at least 1, got {steps}")
    points = [(s[0] + p[0], s[1] + p[1]) for s in scene.starts for p in scene.perturbations]
    num_points, num_opt, num_sched = len(points), len(scene.optimizers), len(scene.schedules)
    check_sweep("LR search", candidates * num_points, num_opt * num_sched, steps)

    started, compiled = time.perf_counter(), trace_count()
    values = np.geomspace(low, high, candidates)
    table = np.concatenate([lr_rows(scene, spec, values, steps) for spec in scene.schedules], axis=0).T  # [T, S·N]
    # rows: point p, optimizer o, schedule s, candidate n (C order); ids follow run(scene)'s run order
    p, o, s, n = np.meshgrid(
        np.arange(num_points), np.arange(num_opt), np.arange(num_sched), np.arange(candidates), indexing="ij"
    )
    batch = Batch(
        origins=np.array(points, np.float64)[p.ravel()],
        optimizer_index=o.ravel(),
        schedule_index=(s * candidates + n).ravel(),
        optimizers=tuple(scene.optimizers),
        lr_table=table,
        row_schedules=tuple(spec for spec in scene.schedules for _ in range(candidates)),
        ids=((p * num_opt + o) * num_sched + s).ravel(),
    )
    short = scene.replace(steps=steps)
    notify(progress, 0.0, f"LR search: {batch.size:,} runs of {steps} steps")
    out = run_chunked(short, batch, progress=progress, label="LR search")

    shape = (num_points, num_opt, num_sched, candidates)
    marks = landmarks(scene)
    final_x = out["final_x"].astype(np.float64).reshape(*shape, 2)
    diverged = (out["status"] == DIVERGED).reshape(shape)
    distance2 = np.where(diverged, np.inf, np.sum((final_x - marks.target) ** 2, axis=-1))
    if objective == "distance2":
        score = distance2
    elif objective == "final_loss":
        score = np.where(diverged, np.inf, out["final_loss"].astype(np.float64).reshape(shape))
    else:
        known = marks.minimizers if len(marks.minimizers) else marks.target[None]
        _, gap = nearest(final_x, known)
        done = (out["status"].reshape(shape) == CONVERGED) & (gap <= marks.radius)
        score = np.where(done, out["status_step"].reshape(shape).astype(np.float64), float(steps + 1))
        score = np.where(diverged, np.inf, score)
    with np.errstate(invalid="ignore"):
        per_schedule = score.mean(axis=(0, 1))  # [S, N]
        tie_break = distance2.mean(axis=(0, 1))
    best = np.array([_argbest(per_schedule[k], tie_break[k], values) for k in range(num_sched)])
    reference = reference_schedule(scene)
    chosen = np.full(num_sched, best[reference]) if mode == "shared" else best.copy()
    notify(progress, 1.0, "LR search done")
    return LRSearch(
        scene=scene,
        objective_name=objective,
        mode=mode,
        steps=steps,
        candidates=values,
        objective=per_schedule,
        distance2=tie_break,
        best=best,
        chosen=chosen,
        reference=reference,
        schedule_labels=tuple(spec.label for spec in scene.schedules),
        trajectories=batch.size,
        trajectory_steps=batch.size * steps,
        calls=math.ceil(batch.size / CHUNK_ROWS),
        compilations=trace_count() - compiled,
        seconds=time.perf_counter() - started,
    )


def at_edge(search: LRSearch) -> list[str | None]:
    """For each schedule, ``"low"`` or ``"high"`` when its chosen η0 is the smallest or largest candidate of the
    range (then the best η0 may lie beyond it: widen the range that way), else None."""
    low, high = float(search.candidates[0]), float(search.candidates[-1])
    edges: list[str | None] = []
    for value in search.chosen:
        value = float(value)
        edges.append("low" if value == low else "high" if value == high else None)
    return edges


def _argbest(score: np.ndarray, tie_break: np.ndarray, values: np.ndarray) -> float:
    finite = np.isfinite(score)
    if not finite.any():
        return math.nan
    order = np.lexsort((values, np.where(np.isfinite(tie_break), tie_break, np.inf), np.where(finite, score, np.inf)))
    return float(values[order[0]])


def apply(scene: Scene, search: LRSearch) -> Scene:
    """The scene with the search's η0: ``scene.lr`` in shared mode, each schedule's ``lr`` otherwise.

    In shared mode every per-schedule ``lr`` override is removed, so that all schedules start from
    the same η0, as in the reference's figures.
    """
    if _schedule_keys(scene) != _schedule_keys(search.scene):
        ours = [spec.id for spec in scene.schedules]
        raise SceneError(f"this LR search was for schedules {list(search.schedule_labels)}, not {ours}; search again")
    if not np.all(np.isfinite(search.chosen)):
        missing = [lab for lab, v in zip(search.schedule_labels, search.chosen, strict=True) if not math.isfinite(v)]
        raise SceneError(
            f"no η0 in [{search.candidates[0]:.3g}, {search.candidates[-1]:.3g}] kept {', '.join(missing)} from "
            "diverging; widen or lower the search range"
        )
    plain = [spec.model_dump(mode="json", exclude_none=True) for spec in scene.schedules]
    for entry in plain:
        entry.pop("lr", None)
    if search.mode == "shared":
        return scene.replace(lr=float(search.chosen[0]), schedules=plain)
    for entry, value in zip(plain, search.chosen, strict=True):
        entry["lr"] = float(value)
    return scene.replace(schedules=plain)


def _schedule_keys(scene: Scene) -> list[tuple]:
    """What identifies the schedules of a search, whatever their ``lr``."""
    return [(spec.id, sorted(spec.params.items()), spec.warmup) for spec in scene.schedules]
