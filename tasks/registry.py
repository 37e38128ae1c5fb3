"""The registry of tasks: ``TASKS[id]`` is a :class:`~tasks.base.Task`; :func:`problem` resolves one.

The default base LRs (``Task.lr``) were chosen once, while writing this file, by running SGD with momentum 0.9
and cosine_lr for the default 2,000 steps at η0 ∈ {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5} with seeds 0–2 (final
test accuracy, mean over seeds): digits MLP best at 0.05 (97.4 %; 0.5 diverges), logistic regression at its
minimum from 0.1 on (97.1 %, train loss 0.083), moons between 0.05 and 0.2 (97.6–97.9 %).
tests/test_tasks_train.py checks that the digits MLP reaches at least 95 % with its default.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

from common.params import ChoiceParam, FloatParam, IntParam, ParamError, validate_params
from tasks import data
from tasks.base import Dataset, Task, default_params, train_size
from tasks.models import ACTIVATIONS, Model, make_model

_BATCH_SIZE = IntParam(32, 1, 1024, help="Examples per mini-batch (at most the training set).", symbol="b")
_TEST_FRACTION = FloatParam(0.25, 0.1, 0.5, help="Share of the examples held out for testing (stratified).")
_SPLIT_SEED = IntParam(0, 0, 1_000_000, help="Seed of the train/test split.")


def _l2(default: float) -> FloatParam:
    return FloatParam(
        default, 0.0, 0.1, help="Weight decay λ: the objective adds λ/2·‖W‖² over the weight matrices.", symbol="λ"
    )


def _hidden(default: int) -> IntParam:
    return IntParam(default, 2, 256, help="Units per hidden layer.", symbol="h")


def _depth(default: int) -> IntParam:
    return IntParam(default, 1, 4, help="Number of hidden layers.", symbol="d")


def _activation(default: str) -> ChoiceParam:
    return ChoiceParam(default, ACTIVATIONS, help="Activation of the hidden layers.")


def _digits(values: Mapping[str, Any]) -> Dataset:
    return data.digits(test_fraction=values["test_fraction"], split_seed=values["split_seed"])


def _moons(values: Mapping[str, Any]) -> Dataset:
    return data.moons(
        n_samples=values["n_samples"],
        noise=values["noise"],
        data_seed=values["data_seed"],
        test_fraction=values["test_fraction"],
        split_seed=values["split_seed"],
    )


def _mlp(inputs: int, classes: int):
    def model(values: Mapping[str, Any]) -> Model:
        hidden = (values["hidden"],) * values["depth"]
        return make_model((inputs, *hidden, classes), values["activation"])

    return model


def _linear(inputs: int, classes: int):
    def model(values: Mapping[str, Any]) -> Model:
        del values
        return make_model((inputs, classes), "relu")  # no hidden layer: the activation is never used

    return model


def _digits_examples(values: Mapping[str, Any]) -> int:
    del values
    return data.DIGITS_EXAMPLES


_DIGITS_REFERENCE = (
    "Alpaydin & Kaynak, Optical Recognition of Handwritten Digits, UCI 1998 (sklearn.datasets.load_digits); "
    "Li et al., Visualizing the Loss Landscape of Neural Nets, NeurIPS 2018"
)

TASKS: dict[str, Task] = {
    "digits_mlp": Task(
        id="digits_mlp",
        name="Digits, MLP 64-32-10",
        params={
            "hidden": _hidden(32),
            "depth": _depth(1),
            "activation": _activation("relu"),
            "batch_size": _BATCH_SIZE,
            "l2": _l2(0.0),
            "test_fraction": _TEST_FRACTION,
            "split_seed": _SPLIT_SEED,
        },
        reference=_DIGITS_REFERENCE,
        description=(
            "1,797 handwritten 8×8 digits and a 2,410-parameter network: a real, non-convex loss whose slices look "
            "calm around a good minimum."
        ),
        dataset=_digits,
        model=_mlp(64, 10),
        num_examples=_digits_examples,
        convex=False,
        lr=0.05,
        steps=2000,
    ),
    "digits_logreg": Task(
        id="digits_logreg",
        name="Digits, logistic regression",
        params={
            "batch_size": _BATCH_SIZE,
            "l2": _l2(1e-3),
            "test_fraction": _TEST_FRACTION,
            "split_seed": _SPLIT_SEED,
        },
        reference=(
            "Cox, The regression analysis of binary sequences, JRSS B 1958 (multinomial logistic regression); "
            "Goodfellow et al., Qualitatively characterizing neural network optimization problems, ICLR 2015"
        ),
        description=(
            "The same digits with a linear softmax classifier: a convex loss (strictly, with λ > 0), so every "
            "slice is a bowl and the line from start to end never rises."
        ),
        dataset=_digits,
        model=_linear(64, 10),
        num_examples=_digits_examples,
        convex=True,
        lr=0.1,
        steps=2000,
    ),
    "moons_mlp": Task(
        id="moons_mlp",
        name="Two moons, MLP 2-16-16-2",
        params={
            "n_samples": IntParam(1000, 100, 10_000, help="Number of points (both classes together).", symbol="n"),
            "noise": FloatParam(0.2, 0.0, 0.5, help="Standard deviation of the Gaussian noise on the points."),
            "data_seed": IntParam(0, 0, 1_000_000, help="Seed of the generated points."),
            "hidden": _hidden(16),
            "depth": _depth(2),
            "activation": _activation("tanh"),
            "batch_size": _BATCH_SIZE,
            "l2": _l2(0.0),
            "test_fraction": _TEST_FRACTION,
            "split_seed": _SPLIT_SEED,
        },
        reference="sklearn.datasets.make_moons; Li et al., Visualizing the Loss Landscape of Neural Nets, NeurIPS 2018",
        description=(
            "Two interleaved half circles in the plane: a tiny network must bend its boundary, and the noise "
            "caps the accuracy below 100 %."
        ),
        dataset=_moons,
        model=_mlp(2, 2),
        num_examples=lambda values: int(values["n_samples"]),
        convex=False,
        lr=0.1,
        steps=2000,
    ),
}


class Problem(NamedTuple):
    """A task with every parameter resolved: the data, the network and the training settings."""

    task_id: str
    values: Mapping[str, Any]  # every parameter's value
    data: Dataset
    model: Model
    batch_size: int
    l2: float


def get_task(task_id: str) -> Task:
    """The task ``task_id``, or a ValueError that lists the known ids."""
    if task_id not in TASKS:
        raise ValueError(f"unknown task {task_id!r}; known: {', '.join(TASKS)}")
    return TASKS[task_id]


def resolve(task_id: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every parameter of the task: the validated ``params`` over the defaults (a ParamError names the field).

    Needs neither the data nor JAX: the batch size is checked against the training set's size as the split
    will make it (:func:`tasks.base.train_size`).
    """
    task = get_task(task_id)
    checked = validate_params(task.params, dict(params or {}), f"task {task_id}")
    values = default_params(task) | checked
    examples = train_size(task, values)
    if values["batch_size"] > examples:
        raise ParamError(
            f"task {task_id}.batch_size: must be at most the {examples} training examples, got {values['batch_size']}"
        )
    return values


def problem(task_id: str, params: Mapping[str, Any] | None = None) -> Problem:
    """The task ``task_id`` with ``params`` (the others at their defaults), validated; cached per process."""
    values = resolve(task_id, params)
    return _problem(task_id, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=32)
def _problem(task_id: str, items: tuple[tuple[str, Any], ...]) -> Problem:
    task = TASKS[task_id]
    values = dict(items)
    dataset = task.dataset(values)
    if len(dataset.y_train) != train_size(task, values):  # the registry's count and the data must agree
        raise RuntimeError(
            f"task {task_id}: {len(dataset.y_train)} training examples, expected {train_size(task, values)}"
        )
    return Problem(task_id, values, dataset, task.model(values), int(values["batch_size"]), float(values["l2"]))
