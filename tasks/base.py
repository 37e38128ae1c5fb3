"""What a task is: a data set, a network and the training settings, with the metadata beside them.

A :class:`Task` is the network counterpart of a :class:`~landscapes.base.Surface`: a registry entry with a
URL-safe id, parameter specs the page builds its widgets from, a one-line description and a reference. Its
``dataset`` and ``model`` functions turn resolved parameter values into the data (numpy) and the network's
shape (a hashable :class:`~tasks.models.Model`); :func:`tasks.registry.problem` does that once per set of
values and caches it.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from common.params import ParamSpec
from tasks.models import Model

RECORDS = 100  # steps (besides step 0) at which a task scene's run records its weights and full-set metrics
MAX_WEIGHT_BYTES = 512 << 20  # the recorded weights of a whole batch, all groups together


class Dataset(NamedTuple):
    """A classification data set, split once into train and test; features standardised with the train split's
    mean and standard deviation. Arrays are read-only (they are cached and shared)."""

    x_train: np.ndarray  # [N, D] float64
    y_train: np.ndarray  # [N] int32, classes 0 … C − 1
    x_test: np.ndarray  # [M, D] float64
    y_test: np.ndarray  # [M] int32
    num_classes: int


@dataclasses.dataclass(frozen=True, eq=False)  # entries are singletons compared by identity; params is a dict
class Task:
    """A supervised task: ``dataset(values)`` gives the data, ``model(values)`` the network.

    ``values`` is every parameter resolved (:func:`default_params` merged with the user's). Every task has the
    parameters ``batch_size`` (examples per mini-batch) and ``l2`` (the weight-decay coefficient λ of the
    objective, mean cross-entropy + λ/2·‖W‖² over the weight matrices, biases excluded).
    """

    id: str
    name: str
    params: Mapping[str, ParamSpec]
    reference: str
    description: str  # one line: what a student should notice
    dataset: Callable[[Mapping[str, Any]], Dataset]
    model: Callable[[Mapping[str, Any]], Model]
    num_examples: Callable[[Mapping[str, Any]], int]  # train + test, known without loading the data
    convex: bool  # the objective is convex in the weights (logistic regression)
    lr: float  # a base LR η0 with which SGD + momentum 0.9 and cosine_lr train well in ``steps`` steps
    steps: int  # a default run length

    def __post_init__(self) -> None:
        missing = {"batch_size", "l2"} - set(self.params)
        if missing:
            raise ValueError(f"task {self.id!r} lacks the parameter(s) {', '.join(sorted(missing))}")
        object.__setattr__(self, "params", types.MappingProxyType(dict(self.params)))


def default_params(task: Task) -> dict[str, Any]:
    """Every parameter of ``task`` at its default value."""
    return {name: spec.default for name, spec in task.params.items()}


def train_size(task: Task, values: Mapping[str, Any]) -> int:
    """The number of training examples for resolved ``values``, without loading the data.

    scikit-learn's ``train_test_split`` holds out ``⌈test_fraction · n⌉`` of the ``n`` examples; the rest train.
    """
    total = int(task.num_examples(values))
    return total - math.ceil(float(values["test_fraction"]) * total)


def gradient_only_refusal(optimizer_id: str) -> str | None:
    """Why the task trainer cannot run ``optimizer_id`` (what it needs beyond the mini-batch gradient: a line
    search, a second gradient, the loss value), or None when it can."""
    import optimizers

    needs = optimizers.OPTIMIZERS[optimizer_id].extra_args
    if not needs:
        return None
    return (
        f"{optimizer_id} needs {', '.join(needs)} of the objective itself (a line search, a second gradient or "
        "the loss value), which the task trainer does not give its optimizers yet (they see the mini-batch "
        "gradient only); choose another optimizer for a task"
    )
