"""Small real networks beside the surfaces: tasks, a batched trainer and their loss landscapes as data.

``TASKS`` is the registry (id → :class:`Task`); :func:`problem` resolves a task's parameters into its data and
network; :func:`train` trains optimizers × schedules × seeds in one compiled program per optimizer kind;
:func:`run_scene` does it for a validated :class:`~engine.scene.Scene` that names a task;
:mod:`tasks.landscape` turns weights into PCA planes, filter-normalised slices and interpolations.

The names below load on first use (PEP 562): the registry (``tasks.registry``, ``tasks.base``) imports neither JAX
nor optax, so that validating a Scene that names a task stays as quick as one that names a surface.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "TASKS": "tasks.registry",
    "Problem": "tasks.registry",
    "get_task": "tasks.registry",
    "problem": "tasks.registry",
    "resolve": "tasks.registry",
    "Dataset": "tasks.base",
    "Task": "tasks.base",
    "default_params": "tasks.base",
    "Dense": "tasks.models",
    "Model": "tasks.models",
    "lr_table": "tasks.catalog",
    "lr_tables": "tasks.catalog",
    "Interpolation": "tasks.landscape",
    "LandscapeSlice": "tasks.landscape",
    "PCADirections": "tasks.landscape",
    "filter_normalized_directions": "tasks.landscape",
    "grid": "tasks.landscape",
    "interpolate": "tasks.landscape",
    "loss_at": "tasks.landscape",
    "loss_slice": "tasks.landscape",
    "path_window": "tasks.landscape",
    "pca_directions": "tasks.landscape",
    "Sharpness": "tasks.landscape",
    "sharpness": "tasks.landscape",
    "OptimizerChoice": "tasks.trainer",
    "TrainResult": "tasks.trainer",
    "TrainRun": "tasks.trainer",
    "batch_indices": "tasks.trainer",
    "trace_count": "tasks.trainer",
    "train": "tasks.trainer",
    "run_scene": "tasks.run",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'tasks' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
