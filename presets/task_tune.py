"""How the η0 of the task presets (and of the claims C15–C18) was chosen: the surfaces' recipe, on a network.

The surfaces' presets take η0 from the reference pipeline's search (:mod:`presets.tune`): ``constant_lr``, 200-step
runs, a log grid of 200 values over the reference's range for the optimizer ([e^-8, e^-1] for SGD with or without
momentum), the best value rounded to two significant digits and shared by every schedule ("same LR" mode). A
network has no known minimizer to measure the distance to, so the objective is what that distance stands for: the
loss on the whole training set after the 200 steps, the mean over the scene's seeds (a diverged run scores
infinity). Everything else is the scene's own: task, optimizer, seeds, clipping, precision. All candidates ×
seeds train in one batch.

Run it from the repository root to print the table that the task presets' comments quote::

    python -m presets.task_tune
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.scene import Scene
from presets.tune import GRID_SIZE, TUNE_STEPS, round_significant, search_range


def objective_grid(
    scene_data: Mapping[str, Any], low: float, high: float, n: int = GRID_SIZE, steps: int = TUNE_STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """``(lrs, objective)``: the mean full training loss after ``steps`` constant-LR steps, for ``n`` log-spaced
    LRs in ``[low, high]`` (infinity where a seed diverged)."""
    from tasks.run import optimizer_choices
    from tasks.trainer import DIVERGED, train

    scene = Scene.build(copy.deepcopy(dict(scene_data)))
    if scene.task is None:
        raise ValueError("objective_grid tunes a task scene; presets.tune tunes the surfaces")
    lrs = np.geomspace(low, high, n)
    result = train(
        scene.task.id,
        scene.task.params,
        optimizer_choices(scene)[:1],
        np.repeat(lrs[:, None], steps, axis=1),
        scene.seeds,
        records=1,
        record_weights=False,
        clip=scene.clip,
        dtype=scene.dtype,
    )
    loss = np.where(result.status == DIVERGED, np.inf, result.train_loss[:, -1])
    columns = np.array([run.schedule_index for run in result.runs])
    return lrs, np.array([float(np.mean(loss[columns == column])) for column in range(n)])


def tune_constant_lr(scene_data: Mapping[str, Any], low: float, high: float, n: int = GRID_SIZE) -> tuple[float, float]:
    """The grid LR with the lowest objective (ties: the smallest LR) and that objective."""
    lrs, objective = objective_grid(scene_data, low, high, n)
    best = int(np.argmin(objective))
    return float(lrs[best]), float(objective[best])


def evaluate_lr(scene_data: Mapping[str, Any], lr: float) -> float:
    """The objective at one LR (to report the objective of the rounded, hard-coded value)."""
    return float(objective_grid(scene_data, lr, lr, 1)[1][0])


def main() -> None:
    import math

    import engine
    from presets import PRESETS

    engine.configure()
    print(f"{'preset':<28} {'range':<16} {'best grid lr':>12} {'objective':>11} {'rounded':>8} {'objective':>11}")
    for preset in PRESETS.values():
        if "task" not in preset.scene:
            continue
        low, high = search_range(preset.scene)
        lr, objective = tune_constant_lr(preset.scene, low, high)
        rounded = round_significant(lr)
        at_rounded = evaluate_lr(preset.scene, rounded)
        span = f"[e^{math.log(low):.1f}, e^{math.log(high):.1f}]"
        given = preset.scene.get("lr")
        flag = "" if given is not None and math.isclose(rounded, given) else f"   (preset has {given})"
        print(f"{preset.id:<28} {span:<16} {lr:>12.5g} {objective:>11.4g} {rounded:>8.2g} {at_rounded:>11.4g}{flag}")


if __name__ == "__main__":
    main()
