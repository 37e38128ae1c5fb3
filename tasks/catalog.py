"""The one place where tasks meet the optimizer and schedule catalogs.

Everything ``tasks`` needs from ``optimizers`` and ``schedules`` goes through the functions below, so that a
change of their names touches this file only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import optax

import optimizers
import schedules
from common.params import FloatParam, IntParam, ParamSpec, StepsParam, resolve_params


def lr_table(
    schedule_id: str,
    params: Mapping[str, Any] | None,
    lr: float,
    steps: int,
    warmup: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """The LR of steps ``0 … steps − 1`` of a catalog schedule from base LR ``lr`` (float64 ``[steps]``).

    ``warmup``: the warm-up prefix's values (``kind``, ``steps``, ``start_factor``), or None.
    """
    if schedule_id not in schedules.SCHEDULES:
        raise ValueError(f"unknown schedule {schedule_id!r}; known: {', '.join(schedules.SCHEDULES)}")
    if schedules.SCHEDULES[schedule_id].needs_loss:
        raise ValueError(f"{schedule_id} follows the run's loss and has no table; tasks do not run it yet")
    prefix = None if warmup is None else schedules.Warmup.from_params(warmup, steps)
    return schedules.table(schedule_id, dict(params or {}), lr, steps, prefix)


def entry_table(entry: Any, steps: int, base_lr: float) -> np.ndarray:
    """The LR of steps ``0 … steps − 1`` of a Scene's schedule entry (its own η0 and warm-up, else ``base_lr``)."""
    return schedules.entry_table(entry, steps, base_lr=base_lr)


def lr_tables(schedule_list: Sequence[tuple[str, Mapping[str, Any]]], lr: float, steps: int) -> np.ndarray:
    """``[S, steps]``: the tables of several ``(schedule id, params)`` from the same base LR."""
    return np.stack([lr_table(schedule_id, params, lr, steps) for schedule_id, params in schedule_list])


def optimizer_specs(optimizer_id: str) -> Mapping[str, ParamSpec]:
    """The hyperparameter specs of a catalog optimizer."""
    if optimizer_id not in optimizers.OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer_id!r}; known: {', '.join(optimizers.OPTIMIZERS)}")
    return optimizers.OPTIMIZERS[optimizer_id].params


def wraps(optimizer_id: str) -> bool:
    """Whether the optimizer wraps another one (Lookahead)."""
    optimizer_specs(optimizer_id)
    return optimizers.OPTIMIZERS[optimizer_id].wraps


def is_number(spec: ParamSpec) -> bool:
    """A hyperparameter that is a number (traced data in a compiled program) rather than a setting."""
    return isinstance(spec, (FloatParam, IntParam, StepsParam))


def split_hyper(
    optimizer_id: str, hyper: Mapping[str, Any] | None, steps: int
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """Every hyperparameter resolved for a run of ``steps``, split into numbers and (hashable) settings."""
    specs = optimizer_specs(optimizer_id)
    hyper = dict(hyper or {})
    unknown = sorted(set(hyper) - set(specs))
    if unknown:
        raise ValueError(f"{optimizer_id}: unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(specs)}")
    values = resolve_params(specs, hyper, steps)
    numbers = {name: value for name, value in values.items() if is_number(specs[name])}
    settings = tuple(
        sorted(
            (name, tuple(value) if isinstance(value, list) else value)
            for name, value in values.items()
            if not is_number(specs[name])
        )
    )
    return numbers, settings


def is_integer(optimizer_id: str, name: str) -> bool:
    return isinstance(optimizer_specs(optimizer_id)[name], IntParam)


def build_optimizer(
    optimizer_id: str,
    learning_rate: optax.ScalarOrSchedule,
    hyper: Mapping[str, Any],
    *,
    inner_id: str | None = None,
    inner_hyper: Mapping[str, Any] | None = None,
    bias_mask: Any = None,
) -> optax.GradientTransformation:
    """A catalog optimizer with every hyperparameter given (numbers may be traced).

    ``bias_mask``: a bool pytree shaped like the params, True on the biases (AdaMix reads it, others ignore it).
    """
    return optimizers.make(
        optimizer_id, learning_rate, hyper, inner_id=inner_id, inner_hyper=inner_hyper, bias_mask=bias_mask
    )
