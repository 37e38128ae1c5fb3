"""A task scene, trained: the one function the page, the command line, the presets and the claims call.

:func:`run_scene` turns a validated :class:`~engine.scene.Scene` that names a task into the trainer's arguments:
every optimizer of the scene (Lookahead with its inner optimizer), every schedule's LR table from the scene's
η0 (or the schedule's own, with its warm-up; :func:`tasks.catalog.entry_table`, the surfaces' own tables),
the seeds, the clipping norm and the precision; it records the weights and the full-set metrics at
:data:`tasks.base.RECORDS` evenly spaced steps. The labels are the Scene's (``sibling_labels``), as on the
surfaces, so a run reads the same in every figure and file.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from engine.scene import Scene, sibling_labels
from tasks import catalog
from tasks.base import RECORDS
from tasks.trainer import OptimizerChoice, TrainResult, train


def optimizer_choices(scene: Scene) -> list[OptimizerChoice]:
    """The scene's optimizers as the trainer takes them."""
    return [
        OptimizerChoice(
            spec.id,
            dict(spec.params),
            None if spec.inner is None else spec.inner.id,
            None if spec.inner is None else dict(spec.inner.params),
        )
        for spec in scene.optimizers
    ]


def lr_tables(scene: Scene) -> np.ndarray:
    """``[S, T]``: the LR of every step of each of the scene's schedules."""
    return np.stack([catalog.entry_table(spec, scene.steps, scene.lr) for spec in scene.schedules])


def run_scene(scene: Scene, *, record_weights: bool = True) -> TrainResult:
    """Trains every optimizer × schedule × seed of a task scene; runs ordered optimizer, schedule, seed.

    Args:
        scene: a validated Scene with a ``task`` (its budgets were checked when it was built).
        record_weights: False skips the weights (curves only: no landscape, no PCA).
    """
    if scene.task is None:
        raise ValueError("run_scene trains a task; this scene runs on a surface (engine.simulate.run runs it)")
    result = train(
        scene.task.id,
        scene.task.params,
        optimizer_choices(scene),
        lr_tables(scene),
        scene.seeds,
        schedule_labels=sibling_labels(scene.schedules),
        optimizer_labels=sibling_labels(scene.optimizers),
        records=RECORDS,
        record_weights=record_weights,
        clip=scene.clip,
        dtype=scene.dtype,
    )
    return dataclasses.replace(result, scene=scene)
