"""The optimizers the app offers: a registry of optax gradient transformations.

``OPTIMIZERS[id].factory(learning_rate, **hyper)`` builds an :class:`optax.GradientTransformation`
whose updates are added to the params (optax's convention). ``learning_rate`` is a number
or a schedule ``count -> lr`` called with the optimizer's own 0-based step count. Every
hyperparameter may be a traced scalar, so that one compiled function serves a batch of
trajectories with different values (``jax.vmap``). A wrapper (Lookahead) wraps another
optimizer: ``OPTIMIZERS["lookahead"].factory(inner, **hyper)``.

The entries live in one module per family (:data:`FAMILIES`: ``optimizers/<family>.py``), each
factory beside its entry, with its defaults in its signature and its formula and reference in
its docstring (see :mod:`common.registry`). Defaults follow the reference pipeline, which used
``torch.optim`` and torch-optimizer: torch's conventions and defaults where it used torch, the
seeds' values for the seeds' algorithms (AdaGrad's K = 1, AdaDec, AdaMix).

Importing this package does not import JAX or optax: they load when a factory first runs.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from common.params import ParamError, resolve_params
from optimizers import adagrad, adam, matrix, sgd, wrapper
from optimizers._base import FAMILIES, Optimizer

if TYPE_CHECKING:
    import jax
    import optax

__all__ = ["FAMILIES", "OPTIMIZERS", "Optimizer", "inspect", "make"]

# In the order the page and `cli.py list optimizers` have always listed them.
OPTIMIZERS: dict[str, Optimizer] = {
    entry.id: entry for entry in (*sgd.ENTRIES, *adam.ENTRIES, *wrapper.ENTRIES, *adagrad.ENTRIES, *matrix.ENTRIES)
}


def _resolve(optimizer: Optimizer, hyper: Mapping[str, Any] | None, total_steps: int | None) -> dict[str, Any]:
    hyper = dict(hyper or {})
    unknown = sorted(set(hyper) - set(optimizer.params))
    if unknown:
        allowed = ", ".join(optimizer.params) or "none"
        raise ParamError(f"{optimizer.id}: unknown parameter(s) {', '.join(unknown)}; allowed: {allowed}")
    unset_steps = [name for name, spec in optimizer.params.items() if spec.default is None and hyper.get(name) is None]
    if unset_steps and total_steps is None:
        raise ValueError(f"{optimizer.id}: {', '.join(unset_steps)} scale with the run length; got {total_steps=}")
    return resolve_params(optimizer.params, hyper, total_steps if total_steps is not None else 0)


def make(
    optimizer_id: str,
    learning_rate: optax.ScalarOrSchedule,
    hyper: Mapping[str, Any] | None = None,
    *,
    total_steps: int | None = None,
    inner_id: str | None = None,
    inner_hyper: Mapping[str, Any] | None = None,
    bias_mask: optax.Params | None = None,
) -> optax.GradientTransformation:
    """Builds a registry optimizer, filling the hyperparameters left out with their defaults.

    Args:
        optimizer_id: a key of :data:`OPTIMIZERS`.
        learning_rate: a number or a schedule (for Lookahead, the inner optimizer's).
        hyper: hyperparameter values by name (numbers or traced scalars); missing ones take
            their defaults.
        total_steps: the run length ``T``, needed when a step-count parameter (AdaDec's and
            AdaMix's ``decay_steps``) is left unset.
        inner_id, inner_hyper: the optimizer Lookahead wraps (required for Lookahead only).
        bias_mask: for AdaMix, a bool pytree shaped like the params (True: a bias coordinate).

    Returns:
        The :class:`optax.GradientTransformation`.

    Example:
        >>> tx = make("lookahead", 0.1, {"k": 6}, inner_id="yogi", inner_hyper={"initial_m": 0.0})
    """
    if optimizer_id not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer_id!r}; known: {', '.join(OPTIMIZERS)}")
    optimizer = OPTIMIZERS[optimizer_id]
    values = _resolve(optimizer, hyper, total_steps)
    if optimizer.wraps:
        if inner_id is None or inner_id not in OPTIMIZERS or OPTIMIZERS[inner_id].wraps:
            inner_ids = ", ".join(key for key, entry in OPTIMIZERS.items() if not entry.wraps)
            raise ValueError(f"{optimizer_id} wraps another optimizer, one of {inner_ids}; got {inner_id=}")
        inner = make(inner_id, learning_rate, inner_hyper, total_steps=total_steps, bias_mask=bias_mask)
        return optimizer.factory(inner, **values)
    if inner_id is not None or inner_hyper is not None:
        raise ValueError(f"{optimizer_id} wraps nothing; got {inner_id=}")
    if optimizer.needs_bias_mask:
        values["bias_mask"] = bias_mask
    return optimizer.factory(learning_rate, **values)


@functools.cache
def _internals() -> dict[type, dict[str, str]]:
    """What a teacher sees of an optimizer's state, by state class and field (built on first use: it needs optax)."""
    import optax

    from optimizers import transforms

    return {
        optax.TraceState: {"trace": "first_moment"},
        optax.ScaleByAdamState: {"mu": "first_moment", "nu": "second_moment"},
        transforms.ScaleByAdamPowersState: {"mu": "first_moment", "nu": "second_moment"},
        transforms.ScaleByYogiRefState: {"mu": "first_moment", "nu": "second_moment"},
        optax.ScaleByRssState: {"sum_of_squares": "second_moment"},
        optax.ScaleByRmsState: {"nu": "second_moment"},
        optax.ScaleByAdaDeltaState: {"e_g": "second_moment", "e_x": "mean_squared_update"},
        transforms.AdaDecState: {"previous_sq_grad": "previous_squared_gradient"},
        transforms.AdaMixState: {"lr_factor": "lr_factor"},
        transforms.LookaheadState: {"slow": "slow_weights"},
    }


def inspect(state: optax.OptState) -> dict[str, jax.Array]:
    """The per-coordinate internals of an optimizer state, by name, each shaped like the params.

    Names: ``first_moment`` (Adam/Yogi ``m``, the momentum trace), ``second_moment`` (Adam/Yogi
    ``v``, AdaGrad's sum of squares, RMSprop's and AdaDelta's ``E[g²]``),
    ``mean_squared_update`` (AdaDelta's ``E[Δ²]``), ``previous_squared_gradient`` (AdaDec),
    ``lr_factor`` (AdaMix's rate multiplier for the next step), ``slow_weights`` (Lookahead;
    the inner optimizer's internals come along). Plain SGD has none. Works on a batched
    (vmapped) state as well, with the batch axes in front.
    """
    found: dict[str, jax.Array] = {}

    def walk(node: Any) -> None:
        for field, name in _internals().get(type(node), {}).items():
            found.setdefault(name, getattr(node, field))
        if isinstance(node, Mapping):
            children = list(node.values())
        elif isinstance(node, (tuple, list)):
            children = list(node)
        else:
            return
        for child in children:
            walk(child)

    walk(state)
    return found
