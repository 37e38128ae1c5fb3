"""The arena: many optimizers compared fairly, each with its own η0 tuned over a wide range, in one batch.

A single run per optimizer misleads: a fixed step budget favours fast starters, some methods decay their
step size themselves, and a tuned η0 often sits at the edge of the range searched. Here every optimizer
(default: every registry entry at its defaults) runs ``candidates`` log-spaced η0 values × the scene's
start points × one schedule, all as one batch (the engine packs the optimizer kinds into as few compiled
programs as the devices allow, :func:`engine.batch.groups`). From the same runs:

- the tuned η0 of each optimizer, chosen by one of the LR search's objectives
  (:data:`analysis.lrsearch.OBJECTIVES`), its final loss and the path it takes from each start;
- whether each run reaches the minimum within the budget: it ends within the reach radius of a global
  minimizer (:func:`analysis.outcomes.landmarks`; the target point where none is known), counted by steps
  (within the run's ``steps``) and by gradient evaluations (within as many evaluations as a plain
  optimizer spends in ``steps`` steps: a line search or SAM gets fewer steps);
- robustness: the share of the η0 range (of the candidates, log-uniform) that reaches the minimum;
- the tuned η0 flagged when it is the smallest or the largest candidate: the range may have cut it off.

Data only: :mod:`figures.arena` draws it, :func:`table` ranks it.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import numpy as np

import optimizers
from analysis.batching import MAX_CANDIDATES, BudgetError, Progress, check_sweep, lr_rows, notify
from analysis.lrsearch import OBJECTIVES, _argbest
from analysis.outcomes import landmarks, nearest
from engine.scene import OptimizerSpec, Scene, SceneError, ScheduleSpec, sibling_labels
from engine.simulate import CONVERGED, DIVERGED, Batch, run_batch, trace_count

Objective = Literal["distance2", "final_loss", "steps_to_tol"]
RankBy = Literal["tuned", "steps", "evals", "robustness", "robustness_evals"]
RANKINGS: dict[str, str] = {
    "tuned": "the tuned result (the objective at the tuned η0; ties: the final loss)",
    "steps": "steps to reach the minimum at the tuned η0",
    "evals": "gradient evaluations to reach the minimum at the tuned η0",
    "robustness": "the share of the η0 range that reaches the minimum within the steps",
    "robustness_evals": "the share of the η0 range that reaches the minimum within the gradient evaluations",
}
DEFAULT_RANGE = (1e-5, 10.0)  # six decades: every optimizer's useful η0 lies inside (LR-free ones: about 1)
DEFAULT_CANDIDATES = 100
MAX_OPTIMIZERS = 128  # optimizers in one arena
MAX_RECORDED_STEPS = 16_000_000  # trajectories × steps: the arena keeps every path (x, y), to find when it arrived
EDGES = {"low": "at the low edge of the range", "high": "at the high edge of the range"}


class Arena(NamedTuple):
    """The outcome of :func:`arena`. Optimizer ``o``, candidate ``n``, point ``p`` index the arrays."""

    scene: Scene  # the base scene (surface, starts, perturbations, clip, noise, tolerance, dtype; steps: the budget)
    optimizers: tuple[OptimizerSpec, ...]  # [O]
    labels: tuple[str, ...]  # [O] e.g. "adam", "lookahead(sgd)"
    families: tuple[str, ...]  # [O] the family's display name
    schedule: ScheduleSpec
    objective_name: str
    steps: int  # the budget in steps (every run's length)
    budget_evals: int  # the budget in gradient evaluations (what a plain optimizer spends in ``steps`` steps)
    candidates: np.ndarray  # [N] η0 values, log-spaced, increasing
    points: np.ndarray  # [P, 2] start points (starts × perturbations)
    objective: np.ndarray  # [O, N] mean over points; inf where a point diverged
    final_loss: np.ndarray  # [O, N] mean over points; inf where a point diverged
    reached: np.ndarray  # [O, N, P] bool: ends within the radius of the minimum
    reached_evals: np.ndarray  # [O, N, P] bool: is within the radius once the evaluation budget is spent
    steps_to_reach: np.ndarray  # [O, N, P] float: first step from which it stays within the radius; nan if never
    evals_to_reach: np.ndarray  # [O, N, P] float: gradient evaluations spent by then; nan if never
    diverged: np.ndarray  # [O, N, P] bool
    best: np.ndarray  # [O] int: index of the tuned η0 in ``candidates``; -1 when every candidate diverged
    paths: np.ndarray  # [O, P, T + 1, 2] the paths at the tuned η0 (nan where there is none)
    path_status: np.ndarray  # [O, P] int8: their statuses (RUNNING, CONVERGED, DIVERGED)
    goal: np.ndarray  # [G, 2] the points that count as the minimum
    radius: float  # how close counts as reached
    trajectories: int
    trajectory_steps: int
    compilations: int
    seconds: float

    @property
    def tuned_lr(self) -> np.ndarray:
        """``[O]`` the tuned η0 of each optimizer; nan when every candidate diverged."""
        return np.where(self.best >= 0, self.candidates[np.maximum(self.best, 0)], np.nan)

    @property
    def edge(self) -> tuple[str, ...]:
        """``[O]`` "low" or "high" when the tuned η0 is the range's smallest or largest candidate, else ""."""
        last = len(self.candidates) - 1
        return tuple("low" if b == 0 else "high" if b == last else "" for b in self.best)

    @property
    def robustness(self) -> np.ndarray:
        """``[O]`` the share of (candidate, start point) runs that reach the minimum within the steps."""
        return self.reached.mean(axis=(1, 2))

    @property
    def robustness_evals(self) -> np.ndarray:
        """``[O]`` the same within the gradient-evaluation budget."""
        return self.reached_evals.mean(axis=(1, 2))

    def at_tuned(self, values: np.ndarray) -> np.ndarray:
        """``values [O, N, ...]`` at each optimizer's tuned η0: ``[O, ...]`` (nan, or False, where there is none)."""
        picked = values[np.arange(len(self.best)), np.maximum(self.best, 0)]
        if picked.dtype == bool:
            return picked & (self.best >= 0).reshape((-1,) + (1,) * (picked.ndim - 1))
        return np.where((self.best >= 0).reshape((-1,) + (1,) * (picked.ndim - 1)), picked, np.nan)

    def scene_for(self, index: int) -> Scene:
        """The scene of optimizer ``index`` at its tuned η0: what a click on its panel loads."""
        if not 0 <= index < len(self.optimizers):
            raise IndexError(f"optimizer {index} is not in this arena of {len(self.optimizers)}")
        if self.best[index] < 0:
            raise SceneError(
                f"{self.labels[index]} diverged at every η0 in [{self.candidates[0]:.3g}, {self.candidates[-1]:.3g}]; "
                "there is no tuned run to load"
            )
        schedule = self.schedule.model_dump(mode="json", exclude_none=True)
        schedule.pop("lr", None)
        return self.scene.replace(
            optimizers=[self.optimizers[index]], schedules=[schedule], lr=float(self.tuned_lr[index])
        )


def default_optimizers(families: Sequence[str] | None = None) -> tuple[OptimizerSpec, ...]:
    """Every registry optimizer at its defaults (a wrapper around SGD), or those of ``families``."""
    if families is not None:
        unknown = sorted(set(families) - set(optimizers.FAMILIES))
        if unknown:
            raise SceneError(f"unknown optimizer family {', '.join(unknown)}; known: {', '.join(optimizers.FAMILIES)}")
    return tuple(
        OptimizerSpec(id=key)
        for key, entry in optimizers.OPTIMIZERS.items()
        if families is None or entry.family in families
    )


def arena(
    scene: Scene,
    optimizer_specs: Sequence[OptimizerSpec | dict[str, Any]] | None = None,
    *,
    schedule: int = 0,
    candidates: int = DEFAULT_CANDIDATES,
    low: float | None = None,
    high: float | None = None,
    objective: Objective = "distance2",
    steps: int | None = None,
    progress: Progress | None = None,
) -> Arena:
    """Runs every optimizer × ``candidates`` η0 values × the scene's start points with one schedule, in one batch.

    Args:
      scene: the surface, start points (× perturbations), clipping, noise, tolerance and precision; its
        optimizers and LR are not used.
      optimizer_specs: the optimizers (specs or plain dicts, validated); default: every registry entry.
      schedule: which of the scene's schedules every optimizer runs (its own ``lr`` is ignored).
      candidates: η0 values per optimizer, log-spaced over ``[low, high]`` (default :data:`DEFAULT_RANGE`).
      objective: how the tuned η0 is chosen (``distance2``, ``final_loss`` or ``steps_to_tol``, as in the
        LR search); ties go to the smaller squared distance, then to the smaller η0.
      steps: the budget: every run's length, over which the schedule is laid out (default: the scene's).
      progress: called with (fraction, text).

    Returns:
      An :class:`Arena`.
    """
    if objective not in OBJECTIVES:
        raise SceneError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    specs = _specs(optimizer_specs)
    if not 0 <= schedule < len(scene.schedules):
        raise SceneError(f"arena: schedule must be an index in [0, {len(scene.schedules) - 1}], got {schedule}")
    if not 2 <= candidates <= MAX_CANDIDATES:
        raise BudgetError(f"arena: candidates must be in [2, {MAX_CANDIDATES}], got {candidates}")
    low = DEFAULT_RANGE[0] if low is None else float(low)
    high = DEFAULT_RANGE[1] if high is None else float(high)
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high <= 100):
        raise SceneError(f"arena: need 0 < low < high <= 100, got low={low:g}, high={high:g}")
    steps = scene.steps if steps is None else int(steps)
    if steps < 1:
        raise SceneError(f"arena: steps must be at least 1, got {steps}")
    points = np.array([(s[0] + p[0], s[1] + p[1]) for s in scene.starts for p in scene.perturbations], np.float64)
    num_points, num_opt = len(points), len(specs)
    check_sweep("Arena", candidates * num_points, num_opt, steps)
    size = num_opt * candidates * num_points
    if size * steps > MAX_RECORDED_STEPS:
        most = max(1, MAX_RECORDED_STEPS // (num_opt * num_points * steps))
        raise BudgetError(
            f"arena: {num_opt} optimizers × {candidates} η0 × {num_points} start points × {steps} steps = "
            f"{size * steps:,} recorded trajectory-steps is over the limit of {MAX_RECORDED_STEPS:,}; use at most "
            f"{most} candidates, fewer optimizers or start points, or fewer steps"
        )

    started, compiled = time.perf_counter(), trace_count()
    spec = scene.schedules[schedule]
    values = np.geomspace(low, high, candidates)
    table = lr_rows(scene, spec, values, steps, horizon=steps).T  # [T, N]
    # rows: point p, optimizer o, candidate n (C order); the noise of a run does not depend on its η0
    p, o, n = np.meshgrid(np.arange(num_points), np.arange(num_opt), np.arange(candidates), indexing="ij")
    batch = Batch(
        origins=points[p.ravel()],
        optimizer_index=o.ravel(),
        schedule_index=n.ravel(),
        optimizers=specs,
        lr_table=table,
        row_schedules=(spec,) * candidates,
        ids=(p * num_opt + o).ravel(),
    )
    run_scene = scene.replace(steps=steps)
    notify(progress, 0.0, f"Arena: {batch.size:,} runs of {steps} steps ({num_opt} optimizers × {candidates} η0)")
    out = run_batch(run_scene, batch, record=("x",))
    notify(progress, 0.9, "Arena: scoring")

    shape = (num_points, num_opt, candidates)
    positions = np.concatenate([out["x"], out["final_x"][:, None]], axis=1).astype(np.float64)  # [B, T + 1, 2]
    evals = _grad_evals(out, steps)  # [B, T + 1]
    diverged = out["status"] == DIVERGED
    marks = landmarks(scene)
    goal = marks.minimizers[: marks.num_global] if marks.num_global else marks.target[None]
    _, gap = nearest(positions, goal)  # [B, T + 1]
    alive = ~diverged[:, None] | (np.arange(steps + 1)[None, :] < out["status_step"][:, None])
    near = (gap <= marks.radius) & alive  # a diverged run was near only before it diverged
    stays = np.flip(np.logical_and.accumulate(np.flip(near, axis=1), axis=1), axis=1)  # near from this step on
    reached = stays[:, -1]
    first = np.where(reached, np.argmax(stays, axis=1), 0)
    steps_to_reach = np.where(reached, first, np.nan)
    evals_to_reach = np.where(reached, evals[np.arange(len(first)), first], np.nan)
    budget_evals = steps
    within = evals <= budget_evals  # the steps a run gets within the evaluation budget (a prefix)
    last = within.shape[1] - 1 - np.argmax(within[:, ::-1], axis=1)
    reached_evals = near[np.arange(len(last)), last]

    final_x = out["final_x"].astype(np.float64)
    distance2 = np.where(diverged, np.inf, np.sum((final_x - marks.target) ** 2, axis=-1)).reshape(shape)
    final_loss = np.where(diverged, np.inf, out["final_loss"].astype(np.float64)).reshape(shape)
    if objective == "distance2":
        score = distance2
    elif objective == "final_loss":
        score = final_loss
    else:
        known = marks.minimizers if len(marks.minimizers) else marks.target[None]
        _, end_gap = nearest(final_x, known)
        done = (out["status"] == CONVERGED) & (end_gap <= marks.radius)
        score = np.where(done, out["status_step"].astype(np.float64), float(steps + 1))
        score = np.where(diverged, np.inf, score).reshape(shape)
    with np.errstate(invalid="ignore"):
        per_optimizer = score.mean(axis=0)  # [O, N]
        tie_break = distance2.mean(axis=0)
        mean_loss = final_loss.mean(axis=0)
    best_lr = [_argbest(per_optimizer[k], tie_break[k], values) for k in range(num_opt)]
    best = np.array([-1 if math.isnan(lr) else int(np.searchsorted(values, lr)) for lr in best_lr], np.int64)

    def by_optimizer(array: np.ndarray) -> np.ndarray:  # [B, ...] -> [O, N, P, ...]
        return np.moveaxis(array.reshape(*shape, *array.shape[1:]), 0, 2)

    rows = np.arange(batch.size).reshape(shape)  # [P, O, N]
    tuned_rows = rows[:, np.arange(num_opt), np.maximum(best, 0)].T  # [O, P]
    paths = positions[tuned_rows]  # [O, P, T + 1, 2]
    paths[best < 0] = np.nan
    notify(progress, 1.0, "Arena done")
    return Arena(
        scene=run_scene,
        optimizers=specs,
        labels=tuple(sibling_labels(list(specs))),
        families=tuple(optimizers.FAMILIES[optimizers.OPTIMIZERS[s.id].family] for s in specs),
        schedule=spec,
        objective_name=objective,
        steps=steps,
        budget_evals=budget_evals,
        candidates=values,
        points=points,
        objective=per_optimizer,
        final_loss=mean_loss,
        reached=by_optimizer(reached),
        reached_evals=by_optimizer(reached_evals),
        steps_to_reach=by_optimizer(steps_to_reach),
        evals_to_reach=by_optimizer(evals_to_reach),
        diverged=by_optimizer(diverged),
        best=best,
        paths=paths,
        path_status=out["status"][tuned_rows].astype(np.int8),
        goal=goal,
        radius=marks.radius,
        trajectories=batch.size,
        trajectory_steps=batch.size * steps,
        compilations=trace_count() - compiled,
        seconds=time.perf_counter() - started,
    )


def _specs(optimizer_specs: Sequence[OptimizerSpec | dict[str, Any]] | None) -> tuple[OptimizerSpec, ...]:
    if optimizer_specs is None:
        return default_optimizers()
    specs = []
    for index, spec in enumerate(optimizer_specs):
        if isinstance(spec, OptimizerSpec):
            specs.append(spec)
            continue
        try:
            specs.append(OptimizerSpec.model_validate(spec))
        except ValueError as error:
            raise SceneError(f"arena: optimizers.{index}: {' '.join(str(error).split())}") from None
    if not 1 <= len(specs) <= MAX_OPTIMIZERS:
        raise BudgetError(f"arena: give between 1 and {MAX_OPTIMIZERS} optimizers, got {len(specs)}")
    return tuple(specs)


def _grad_evals(out: dict[str, np.ndarray], steps: int) -> np.ndarray:
    """``[B, T + 1]`` gradient evaluations spent before each step (as :attr:`engine.simulate.Result.grad_evals`)."""
    k = np.arange(steps + 1)
    stop = np.where(out["status"] == DIVERGED, out["status_step"], steps + 1)
    evals = np.minimum(k[None, :], stop[:, None]).astype(np.int64)
    counted = np.flatnonzero(out["counts_evals"])
    if len(counted):
        evals[counted] = np.concatenate([out["grad_evals"][counted], out["final_grad_evals"][counted, None]], axis=1)
    return evals


def _rank_key(result: Arena, rank_by: str) -> list[tuple]:
    tuned = result.at_tuned(result.objective)
    loss = result.at_tuned(result.final_loss)
    steps = _mean_reached(result, result.steps_to_reach)
    evals = _mean_reached(result, result.evals_to_reach)
    share = result.at_tuned(result.reached).mean(axis=1)

    def finite(value: float) -> float:
        return value if np.isfinite(value) else math.inf

    keys = []
    for o in range(len(result.optimizers)):
        base = (finite(tuned[o]), finite(loss[o]))
        if rank_by == "tuned":
            keys.append(base)
        elif rank_by == "steps":
            keys.append((-share[o], finite(steps[o]), *base))
        elif rank_by == "evals":
            keys.append((-share[o], finite(evals[o]), *base))
        elif rank_by == "robustness":
            keys.append((-result.robustness[o], *base))
        else:
            keys.append((-result.robustness_evals[o], *base))
    return keys


def _mean_reached(result: Arena, values: np.ndarray) -> np.ndarray:
    """``[O]`` the mean over start points of ``values [O, N, P]`` at the tuned η0, over the points that reached."""
    picked = result.at_tuned(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a row with no point that reached: nan, said as empty
        return np.nanmean(picked, axis=1)


def table(result: Arena, rank_by: RankBy = "tuned") -> list[dict[str, Any]]:
    """One row per optimizer, best first by ``rank_by`` (:data:`RANKINGS`); every row has the same keys.

    ``steps`` and ``evals`` rank by the share of start points that reach the minimum at the tuned η0, then by
    how fast (mean over those that reach it); ties by the tuned result.
    """
    if rank_by not in RANKINGS:
        raise ValueError(f"rank_by must be one of {', '.join(RANKINGS)}, got {rank_by!r}")
    keys = _rank_key(result, rank_by)
    order = sorted(range(len(result.optimizers)), key=lambda o: (keys[o], o))
    tuned = result.at_tuned(result.objective)
    loss = result.at_tuned(result.final_loss)
    share = result.at_tuned(result.reached).mean(axis=1)
    share_evals = result.at_tuned(result.reached_evals).mean(axis=1)
    steps = _mean_reached(result, result.steps_to_reach)
    evals = _mean_reached(result, result.evals_to_reach)
    edges = result.edge
    rows = []
    for rank, o in enumerate(order, start=1):
        rows.append(
            {
                "rank": rank,
                "optimizer": result.labels[o],
                "family": result.families[o],
                "tuned η0": _number(result.tuned_lr[o]),
                "edge": EDGES.get(edges[o], ""),
                result.objective_name: _number(tuned[o]),
                "final loss": _number(loss[o]),
                "reached (steps)": float(share[o]),
                "reached (evals)": float(share_evals[o]),
                "steps to reach": _number(steps[o]),
                "evals to reach": _number(evals[o]),
                "robustness (steps)": float(result.robustness[o]),
                "robustness (evals)": float(result.robustness_evals[o]),
                "index": o,
            }
        )
    return rows


def _number(value: float) -> float | None:
    """A finite number, or None (a table cell left empty: diverged, never reached)."""
    return float(value) if np.isfinite(value) else None


def csv_text(result: Arena, rank_by: RankBy = "tuned") -> str:
    """The ranked table as CSV (one row per optimizer), with the arena's settings in the first lines as comments."""
    import csv
    import io

    rows = table(result, rank_by)
    buffer = io.StringIO()
    settings = (
        f"# surface {result.scene.surface.id}, schedule {result.schedule.label}, {result.steps} steps, "
        f"{len(result.candidates)} η0 in [{result.candidates[0]:.3g}, {result.candidates[-1]:.3g}], "
        f"{len(result.points)} start point{'s' if len(result.points) != 1 else ''}, objective {result.objective_name}, "
        f"ranked by {rank_by}\n"
    )
    buffer.write(settings)
    writer = csv.DictWriter(buffer, fieldnames=[key for key in rows[0] if key != "index"], extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue()
