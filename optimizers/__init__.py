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
from optimizers import adagrad, adam, layerwise, lr_free, matrix, schedule_free, second_order, sgd, sign, wrapper
from optimizers._base import EXTRA_ARGS, FAMILIES, Optimizer

if TYPE_CHECKING:
    import optax

__all__ = [
    "EXTRA_ARGS",
    "FAMILIES",
    "OPTIMIZERS",
    "SCALAR_INTERNALS",
    "Optimizer",
    "extra_args",
    "inspect",
    "make",
    "returned_point",
]

_FIRST = (
    "sgd",
    "momentum",
    "nesterov",
    "adam",
    "yogi",
    "lookahead",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adadec",
    "adamix",
)
_ALL = (
    *sgd.ENTRIES,
    *adam.ENTRIES,
    *wrapper.ENTRIES,
    *adagrad.ENTRIES,
    *sign.ENTRIES,
    *layerwise.ENTRIES,
    *lr_free.ENTRIES,
    *schedule_free.ENTRIES,
    *second_order.ENTRIES,
    *matrix.ENTRIES,
)
# The eleven the page and `cli.py list optimizers` have always listed first, in their order, then the rest by family.
OPTIMIZERS: dict[str, Optimizer] = {
    entry.id: entry for entry in sorted(_ALL, key=lambda e: _FIRST.index(e.id) if e.id in _FIRST else len(_FIRST))
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
    min_value: Any = None,
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
        min_value: for the optimizers that step by the loss gap (Polyak SGD, MoMo), the surface's
            minimum value f*; None keeps their factory's default (0).

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
        if not optimizer.passes_extra_args and OPTIMIZERS[inner_id].extra_args:
            raise ValueError(
                f"{optimizer_id} cannot wrap {inner_id}: {inner_id} needs {', '.join(OPTIMIZERS[inner_id].extra_args)} "
                f"besides the gradient, which {optimizer_id} does not pass on; choose an optimizer that needs only "
                "the gradient"
            )
        inner = make(
            inner_id, learning_rate, inner_hyper, total_steps=total_steps, bias_mask=bias_mask, min_value=min_value
        )
        return optimizer.factory(inner, **values)
    if inner_id is not None or inner_hyper is not None:
        raise ValueError(f"{optimizer_id} wraps nothing; got {inner_id=}")
    if optimizer.needs_bias_mask:
        values["bias_mask"] = bias_mask
    if optimizer.needs_min_value and min_value is not None:
        values["min_value"] = min_value
    return optimizer.factory(learning_rate, **values)


def extra_args(optimizer_id: str, inner_id: str | None = None) -> tuple[str, ...]:
    """What ``optimizer_id``'s update (around ``inner_id``) needs besides the gradient (:data:`EXTRA_ARGS`)."""
    needed = set(OPTIMIZERS[optimizer_id].extra_args)
    if inner_id is not None and OPTIMIZERS[optimizer_id].passes_extra_args:
        needed |= set(OPTIMIZERS[inner_id].extra_args)
    return tuple(name for name in EXTRA_ARGS if name in needed)


def needs_min_value(optimizer_id: str, inner_id: str | None = None) -> bool:
    """Whether the optimizer (or the one it wraps) steps by the loss gap f − f* and so needs the surface's f*."""
    return OPTIMIZERS[optimizer_id].needs_min_value or (inner_id is not None and OPTIMIZERS[inner_id].needs_min_value)


def returned_point(state: optax.OptState, params: Any) -> Any:
    """The point the optimizer would return: the averaged sequence ``x`` of a schedule-free method, else ``params``.

    Works on a batched (vmapped) state as well, with the batch axes in front.
    """
    import optax

    for node in jax_leaves_of(state, optax.contrib.ScheduleFreeState):
        return optax.contrib.schedule_free_eval_params(node, params)
    return params


def has_returned_point(state: optax.OptState) -> bool:
    """Whether ``state`` (or a shape of it) belongs to a method whose returned point differs from the params."""
    import optax

    return bool(jax_leaves_of(state, optax.contrib.ScheduleFreeState))


def jax_leaves_of(state: Any, kind: type) -> list[Any]:
    """The nodes of type ``kind`` in a state tree, outermost first."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, kind):
            found.append(node)
            return
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


@functools.cache
def _internals() -> dict[type, dict[str, Any]]:
    """What a teacher sees of an optimizer's state, by state class: name -> field, or -> ``fn(node, hyper)`` for a
    value computed from the node (``hyper``: the hyperparameters an enclosing :func:`optax.inject_hyperparams`
    keeps). Built on first use: it needs optax."""
    import jax.numpy as jnp
    import optax
    import optax.contrib as contrib

    from optimizers import transforms

    def dog_step(node, hyper):
        return node.max_dist / jnp.sqrt(node.sum_sq_norm_grads + hyper.get("eps", 1e-8))

    def dowg_step(node, hyper):
        return node.estim_sq_dist / (jnp.sqrt(node.weighted_sq_norm_grads) + hyper.get("eps", 1e-4))

    def cocob_fraction(node, hyper):
        alpha = hyper.get("alpha", 100.0)

        def fraction(scale, subgradients, reward):
            return (scale + reward) / (scale * jnp.maximum(subgradients + scale, alpha * scale))

        return _tree_map(fraction, node.scale, node.subgradients, node.reward)

    return {
        optax.TraceState: {"trace": "first_moment"},
        optax.ScaleByAdamState: {"mu": "first_moment", "nu": "second_moment"},
        transforms.ScaleByAdamPowersState: {"mu": "first_moment", "nu": "second_moment"},
        transforms.ScaleByYogiRefState: {"mu": "first_moment", "nu": "second_moment"},
        transforms.ScaleByAmsgradTorchState: {"mu": "first_moment", "nu_max": "second_moment"},
        transforms.ScaleByNadamTorchState: {"mu": "first_moment", "nu": "second_moment"},
        optax.ScaleByRssState: {"sum_of_squares": "second_moment"},
        optax.ScaleByRmsState: {"nu": "second_moment"},
        optax.ScaleByAdaDeltaState: {"e_g": "second_moment", "e_x": "mean_squared_update"},
        optax.ScaleByBeliefState: {"mu": "first_moment", "nu": "second_moment"},
        optax.ScaleByAdanState: {"m": "first_moment", "n": "second_moment", "v": "gradient_difference"},
        optax.ScaleByLionState: {"mu": "first_moment"},
        optax.ScaleByNovogradState: {"mu": "first_moment", "nu": "second_moment"},
        optax.ScaleByAmsgradState: {"mu": "first_moment", "nu_max": "second_moment"},
        optax.EmaState: {"ema": "first_moment"},
        optax.ScaleBySM3State: {"nu": "first_moment", "second_moment": lambda node, hyper: node.mu[0]},
        optax.FactoredState: {"v": "second_moment"},
        transforms.ScaleByRpropState: {"step_factors": "step_size_factor"},
        transforms.AdaDecState: {"previous_sq_grad": "previous_squared_gradient"},
        transforms.AdaMixState: {"lr_factor": "lr_factor"},
        transforms.LookaheadState: {"slow": "slow_weights"},
        contrib.ScaleByAdemamixState: {"m1": "first_moment", "m2": "slow_moment", "nu": "second_moment"},
        contrib.ScaleBySimplifiedAdEMAMixState: {"m": "first_moment", "n": "second_moment"},
        contrib.MadgradState: {"s": "gradient_sum", "grad_sum_sq": "second_moment"},
        contrib.ProdigyState: {"exp_avg": "first_moment", "exp_avg_sq": "second_moment", "estim_lr": "lr_estimate"},
        contrib.DAdaptAdamWState: {"exp_avg": "first_moment", "exp_avg_sq": "second_moment", "estim_lr": "lr_estimate"},
        contrib.DoGState: {"lr_estimate": dog_step},
        contrib.DoWGState: {"lr_estimate": dowg_step},
        contrib.COCOBState: {"lr_estimate": cocob_fraction},
        contrib.MechanicState: {"lr_estimate": lambda node, hyper: jnp.sum(node.s, axis=-1)},
        contrib.MomoState: {"exp_avg": "first_moment", "lb": "loss_lower_bound"},
        contrib.MomoAdamState: {"exp_avg": "first_moment", "exp_avg_sq": "second_moment", "lb": "loss_lower_bound"},
        contrib.ScheduleFreeState: {"z": "schedule_free_z"},
        contrib.SophiaState: {"mu": "first_moment", "nu": "hessian_estimate"},
    }


# Internals that are one number per trajectory (the page draws one line, not one per coordinate).
SCALAR_INTERNALS = ("lr_estimate", "loss_lower_bound")


def _tree_map(fn: Any, *trees: Any) -> Any:
    import jax

    return jax.tree.map(fn, *trees)


def inspect(state: optax.OptState, params: Any = None) -> dict[str, Any]:
    """The internals of an optimizer state, by name, each shaped like the params.

    Names: ``first_moment`` (Adam/Yogi ``m``, the momentum trace), ``second_moment`` (Adam/Yogi
    ``v``, AdaGrad's sum of squares, RMSprop's and AdaDelta's ``E[g²]``),
    ``mean_squared_update`` (AdaDelta's ``E[Δ²]``), ``previous_squared_gradient`` (AdaDec),
    ``lr_factor`` (AdaMix's rate multiplier for the next step), ``slow_weights`` (Lookahead;
    the inner optimizer's internals come along), ``lr_estimate`` (a learning-rate-free method's
    own step size: Prodigy's and D-Adaptation's ``d``, DoG's and DoWG's step, COCOB's betting
    fraction, Mechanic's scale ``s``), ``loss_lower_bound`` (MoMo), ``schedule_free_z`` and, given
    ``params``, ``gradient_point`` (schedule-free methods: the base sequence ``z`` and the point
    ``y`` where gradients are taken; the drawn path is the average ``x``), ``hessian_estimate``
    (Sophia), and others by their formula's letter. One number per trajectory
    (:data:`SCALAR_INTERNALS`) comes as a tuple of it twice when the params are a pair, so that
    every internal has the params' structure. A layer-wise method's state (one flat vector) is
    split back into the params' coordinates. Plain SGD has none. Works on a batched (vmapped)
    state as well, with the batch axes in front.
    """
    import jax.numpy as jnp

    from optimizers import transforms

    found: dict[str, Any] = {}
    like = params

    def as_params(value: Any, flat: bool) -> Any:
        if flat:  # one vector [..., n]: back into the params' leaves; one number for the layer: repeated
            if like is None or not isinstance(like, tuple):
                return value
            if jnp.ndim(value) == jnp.ndim(like[0]) + 1:
                return tuple(value[..., i] for i in range(len(like)))
            return tuple(value for _ in like)
        if isinstance(value, tuple) or like is None or not isinstance(like, tuple):
            return value
        return tuple(value for _ in like)  # one number for the whole point

    def walk(node: Any, hyper: Mapping[str, Any], flat: bool) -> None:
        for field, name in _internals().get(type(node), {}).items():
            if name in found:
                continue
            value = name(node, hyper) if callable(name) else getattr(node, field)
            key = field if callable(name) else name
            if key in found:
                continue
            found[key] = as_params(value, flat)
        if isinstance(node, transforms.OneVectorState):
            walk(node.inner_state, hyper, True)
            return
        if type(node).__name__ == "InjectHyperparamsState":
            walk(node.inner_state, {**hyper, **node.hyperparams}, flat)
            return
        if isinstance(node, Mapping):
            children = list(node.values())
        elif isinstance(node, (tuple, list)):
            children = list(node)
        else:
            return
        for child in children:
            walk(child, hyper, flat)

    walk(state, {}, False)
    if params is not None and has_returned_point(state):
        found.setdefault("gradient_point", params)
    return found
