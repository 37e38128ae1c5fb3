"""How the η0 of each paper preset was chosen: the reference pipeline's LR search, as a dense grid.

The reference (Vis-FuncNet) tuned η0 with hyperopt's TPE, 200 evaluations of 200-step runs with the
constant schedule, log-uniform over [e^-8, e^-1] for SGD (with or without momentum) and [e^-8, e^-0.1]
for Yogi; the objective was the squared distance of the final point to the surface's known minimum (the
surface's ``target`` here). In "same LR" mode, used for the paper's figures, every schedule reuses that η0.

Here the same search is a log-spaced grid of ``n`` values run through the engine in one batch per 64 values
(a Scene whose schedules are ``{"id": "constant_lr", "lr": value}``), which is deterministic and takes
seconds. Only the engine's public API is used (``Scene.build``, ``simulate.run``, ``landscapes``).

Run it from the repository root to print the table that the presets' comments quote::

    python -m presets.tune
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

import landscapes
from engine.scene import MAX_SCHEDULES, Scene
from engine.simulate import run

TUNE_STEPS = 200  # the reference's search ran 200-step runs
GRID_SIZE = 200  # as many points as the reference's 200 hyperopt evaluations
SGD_RANGE = (math.exp(-8.0), math.exp(-1.0))  # the reference's range for SGD (with or without momentum)
ADAPTIVE_RANGE = (math.exp(-8.0), math.exp(-0.1))  # the reference's range for Yogi (also used for Adam here)
_SGD_FAMILY = ("sgd", "momentum", "nesterov")


def search_range(scene_data: Mapping[str, Any]) -> tuple[float, float]:
    """The reference's search range for the scene's first optimizer (Lookahead: its inner optimizer)."""
    optimizers = scene_data.get("optimizers") or [{"id": "sgd"}]
    first = optimizers[0]
    kind = (first.get("inner") or {}).get("id", "sgd") if first.get("id") == "lookahead" else first.get("id", "sgd")
    return SGD_RANGE if kind in _SGD_FAMILY else ADAPTIVE_RANGE


def objective_grid(
    scene_data: Mapping[str, Any], low: float, high: float, n: int = GRID_SIZE, steps: int = TUNE_STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """``(lrs, objective)``: the squared distance of the final point to the surface's target after ``steps``
    constant-LR steps, for ``n`` log-spaced LRs in ``[low, high]``.

    Everything else (surface, starts, perturbations, optimizers, clipping, dtype) comes from ``scene_data``;
    its schedules are replaced by the constant ones. When the scene has several trajectories per LR (several
    starts, perturbations or optimizers), the objective of an LR is their mean.
    """
    lrs = np.geomspace(low, high, n)
    base = Scene.build(copy.deepcopy(dict(scene_data)))
    surface = landscapes.SURFACES[base.surface.id]
    target = landscapes.critical_points(surface, base.surface.params).target
    if target is None:
        raise ValueError(f"surface {base.surface.id!r} has no target point to measure the distance to")
    objective = np.empty(n)
    for first in range(0, n, MAX_SCHEDULES):
        chunk = lrs[first : first + MAX_SCHEDULES]
        data = base.to_dict()
        data["schedules"] = [{"id": "constant_lr", "lr": float(lr)} for lr in chunk]
        data["steps"] = steps
        result = run(Scene.build(data))
        final = result.positions[:, -1, :]
        distance = np.sum((final - np.asarray(target)) ** 2, axis=-1)
        columns = np.array([label.schedule_index for label in result.runs])
        for column in range(len(chunk)):
            objective[first + column] = float(np.mean(distance[columns == column]))
    return lrs, objective


def tune_constant_lr(scene_data: Mapping[str, Any], low: float, high: float, n: int = GRID_SIZE) -> tuple[float, float]:
    """The grid LR with the lowest objective (ties: the smallest LR) and that objective."""
    lrs, objective = objective_grid(scene_data, low, high, n)
    best = int(np.argmin(objective))
    return float(lrs[best]), float(objective[best])


def round_significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (0.0012345 → 0.0012)."""
    return float(f"{value:.{digits - 1}e}")


def evaluate_lr(scene_data: Mapping[str, Any], lr: float) -> float:
    """The search objective at one LR (to report the objective of the rounded, hard-coded value)."""
    _, objective = objective_grid(scene_data, lr, lr, 1)
    return float(objective[0])


def main() -> None:
    import engine
    from presets import PRESETS

    engine.configure()

    print(f"{'preset':<24} {'range':<16} {'best grid lr':>12} {'objective':>11} {'rounded':>8} {'objective':>11}")
    for preset in PRESETS.values():
        if preset.figure is None:
            continue
        low, high = search_range(preset.scene)
        lr, objective = tune_constant_lr(preset.scene, low, high)
        rounded = round_significant(lr)
        at_rounded = evaluate_lr(preset.scene, rounded)
        span = f"[e^{math.log(low):.1f}, e^{math.log(high):.1f}]"
        flag = "" if math.isclose(rounded, preset.scene.get("lr", 1e-3)) else f"   (preset has {preset.scene['lr']})"
        print(f"{preset.id:<24} {span:<16} {lr:>12.5g} {objective:>11.4g} {rounded:>8.2g} {at_rounded:>11.4g}{flag}")


if __name__ == "__main__":
    main()
