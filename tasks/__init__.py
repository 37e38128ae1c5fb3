"""Small real networks beside the surfaces: tasks, a batched trainer and their loss landscapes as data.

``TASKS`` is the registry (id → :class:`Task`); :func:`problem` resolves a task's parameters into its data and
network; :func:`train` trains optimizers × schedules × seeds in one compiled program per optimizer kind;
:mod:`tasks.landscape` turns weights into PCA planes, filter-normalised slices and interpolations.
"""

from tasks.base import Dataset, Task, default_params
from tasks.catalog import lr_table, lr_tables
from tasks.landscape import (
    Interpolation,
    LandscapeSlice,
    PCADirections,
    filter_normalized_directions,
    grid,
    interpolate,
    loss_at,
    loss_slice,
    path_window,
    pca_directions,
)
from tasks.models import Dense, Model
from tasks.registry import TASKS, Problem, get_task, problem, resolve
from tasks.trainer import OptimizerChoice, TrainResult, TrainRun, batch_indices, trace_count, train

__all__ = [
    "TASKS",
    "Dataset",
    "Dense",
    "Interpolation",
    "LandscapeSlice",
    "Model",
    "OptimizerChoice",
    "PCADirections",
    "Problem",
    "Task",
    "TrainResult",
    "TrainRun",
    "batch_indices",
    "default_params",
    "filter_normalized_directions",
    "get_task",
    "grid",
    "interpolate",
    "loss_at",
    "loss_slice",
    "lr_table",
    "lr_tables",
    "path_window",
    "pca_directions",
    "problem",
    "resolve",
    "trace_count",
    "train",
]
