"""The optimizers the app offers: a registry of optax gradient transformations.

``OPTIMIZERS[id].factory(learning_rate, **hyper)`` builds an :class:`optax.GradientTransformation`
whose updates are added to the params (optax's convention). ``learning_rate`` is a number
or a schedule ``count -> lr`` called with the optimizer's own 0-based step count. Every
hyperparameter may be a traced scalar, so that one compiled function serves a batch of
trajectories with different values (``jax.vmap``). Lookahead wraps another optimizer:
``OPTIMIZERS["lookahead"].factory(inner, **hyper)``.

Defaults follow the reference pipeline, which used ``torch.optim`` and torch-optimizer:
torch's conventions and defaults where it used torch, the seeds' values for the seeds'
algorithms (AdaGrad's K = 1, AdaDec, AdaMix).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import optax

from common.params import BoolParam, FloatParam, IntParam, ParamError, ParamSpec, StepsParam, resolve_params
from optimizers import aliases, transforms

__all__ = ["OPTIMIZERS", "Optimizer", "inspect", "make"]


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """One registry entry: what the page shows and how to build the transformation."""

    id: str
    name: str
    params: Mapping[str, ParamSpec]  # hyperparameters; names are the factory's keywords
    latex: str  # the update rule, KaTeX-renderable
    reference: str
    description: str  # one line
    factory: Callable[..., optax.GradientTransformation]
    wraps: bool = False  # factory(inner, **hyper) instead of factory(learning_rate, **hyper)
    needs_bias_mask: bool = False  # factory also takes bias_mask=, a bool pytree shaped like the params


_BETA1 = FloatParam(0.9, 0.0, 0.9999, help="Decay of the first moment (gradient average).", symbol=r"\beta_1")
_BETA2 = FloatParam(0.999, 0.0, 0.99999, help="Decay of the second moment.", symbol=r"\beta_2")
# The bias-corrected step that Adam and Yogi share.
_ADAM_STEP = (
    r" \theta_{t+1} &= \theta_t - \eta_t\,"
    r" \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} \end{aligned}"
)
_MOMENTUM = FloatParam(0.9, 0.0, 0.999, help="Momentum coefficient.", symbol=r"\mu")
_OFFSET = FloatParam(1.0, 0.0, 100.0, help="Constant under the square root (the seed's K = 1).", symbol="K")
_POWER = FloatParam(0.75, 0.0, 5.0, help="Exponent of the power decay (the seed's q = 0.75).", symbol="q")
_DECAY_STEPS = StepsParam(
    fraction=1.0, help="Time scale of the power decay, in steps (the seed: the run length T).", symbol="R"
)

OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer(
        id="sgd",
        name="SGD",
        params={},
        latex=r"\theta_{t+1} = \theta_t - \eta_t\, g_t",
        reference="Robbins & Monro, A Stochastic Approximation Method, 1951; torch.optim.SGD",
        description="Plain gradient descent: a step against the gradient, scaled by the learning rate.",
        factory=aliases.sgd,
    ),
    "momentum": Optimizer(
        id="momentum",
        name="SGD + momentum",
        params={
            "momentum": _MOMENTUM,
            "dampening": FloatParam(
                0.0,
                0.0,
                1.0,
                help="torch's dampening: scales every gradient but the first by 1 − d before it enters v.",
                symbol="d",
            ),
        },
        latex=(
            r"\begin{aligned} v_t &= \mu\, v_{t-1} + (1 - d)\, g_t \quad (v_1 = g_1) \\"
            r" \theta_{t+1} &= \theta_t - \eta_t\, v_t \end{aligned}"
        ),
        reference="Polyak, Some methods of speeding up the convergence of iteration methods, 1964; torch.optim.SGD",
        description="Heavy ball: the step follows a running sum of past gradients (torch's form).",
        factory=aliases.heavy_ball,
    ),
    "nesterov": Optimizer(
        id="nesterov",
        name="SGD + Nesterov momentum",
        params={"momentum": _MOMENTUM},
        latex=(
            r"\begin{aligned} v_t &= \mu\, v_{t-1} + g_t \\"
            r" \theta_{t+1} &= \theta_t - \eta_t\, (g_t + \mu\, v_t) \end{aligned}"
        ),
        reference=(
            "Sutskever et al., On the importance of initialization and momentum in deep learning, 2013; "
            "torch.optim.SGD(nesterov=True)"
        ),
        description="Momentum that looks one step ahead along the velocity (torch's form).",
        factory=aliases.nesterov,
    ),
    "adam": Optimizer(
        id="adam",
        name="Adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": FloatParam(1e-8, 1e-12, 1e-1, log=True, help="Added to √v̂ (outside the root).", symbol=r"\epsilon"),
        },
        latex=(
            r"\begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\"
            r" v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\" + _ADAM_STEP
        ),
        reference="Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015; torch.optim.Adam",
        description="Momentum divided by a running root-mean-square of the gradient, bias-corrected.",
        factory=aliases.adam,
    ),
    "yogi": Optimizer(
        id="yogi",
        name="Yogi",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": FloatParam(1e-3, 1e-12, 1.0, log=True, help="Added to √v̂ (outside the root).", symbol=r"\epsilon"),
            "initial_m": FloatParam(
                1e-6,
                0.0,
                1e-2,
                help=(
                    "Starting first moment. The reference (torch-optimizer) starts it at 1e-6, most other "
                    "implementations at 0; a nonzero start lets Yogi leave a line where the gradient is exactly 0 "
                    "(y = 0 on x² − y²)."
                ),
                symbol="m_0",
            ),
            "initial_v": FloatParam(
                1e-6, 0.0, 1e-2, help="Starting second moment (the reference: 1e-6).", symbol="v_0"
            ),
            "bias_correction": BoolParam(
                True, help="Divide the moments by 1 − βᵗ (torch-optimizer does, even with m₀ ≠ 0).", symbol=""
            ),
        },
        latex=(
            r"\begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\"
            r" v_t &= v_{t-1} - (1 - \beta_2)\, \operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2 \\" + _ADAM_STEP
        ),
        reference=(
            "Zaheer et al., Adaptive Methods for Nonconvex Optimization, NeurIPS 2018; torch-optimizer's Yogi "
            "(used by the reference)"
        ),
        description="Adam whose second moment moves additively, by the sign of v − g², so it grows slowly.",
        factory=aliases.yogi,
    ),
    "lookahead": Optimizer(
        id="lookahead",
        name="Lookahead",
        params={
            "k": IntParam(5, 1, 100, help="Fast steps between two syncs of the slow weights.", symbol="k"),
            "alpha": FloatParam(
                0.5, 0.0, 1.0, help="Slow step size; 1 recovers the inner optimizer.", symbol=r"\alpha"
            ),
            "first_step_sync": BoolParam(
                True,
                help=(
                    "torch-optimizer's phase (the reference's): the slow weights are taken after the first fast "
                    "step and syncs follow steps 1, k+1, 2k+1, …. Off: the paper's and optax's, syncs after "
                    "steps k, 2k, … from the start point."
                ),
            ),
        },
        latex=(
            r"\begin{aligned} \theta &\leftarrow \theta + \mathrm{inner}(g) \quad \text{(every step)} \\"
            r" \phi &\leftarrow \phi + \alpha\, (\theta - \phi),\ \ \theta \leftarrow \phi"
            r" \quad \text{(every } k \text{ steps)} \end{aligned}"
        ),
        reference=(
            "Zhang et al., Lookahead Optimizer: k steps forward, 1 step back, NeurIPS 2019; torch-optimizer's "
            "Lookahead (used by the reference)"
        ),
        description="Wraps another optimizer: k fast steps, then the slow weights move part-way towards them.",
        factory=aliases.lookahead,
        wraps=True,
    ),
    "adagrad": Optimizer(
        id="adagrad",
        name="AdaGrad",
        params={
            "initial_accumulator": _OFFSET,
            "eps": FloatParam(
                1e-10, 1e-16, 1e-2, log=True, help="Added inside the root (optax's convention).", symbol=r"\epsilon"
            ),
        },
        latex=r"\theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{K + \sum_{s=1}^{t} g_s^2 + \epsilon}}\, g_t",
        reference=(
            "Duchi et al., Adaptive Subgradient Methods for Online Learning and Stochastic Optimization, JMLR 2011; "
            "He & Li, Acta Automatica Sinica 42(6), 2016, eq. 12"
        ),
        description="Per-coordinate learning rate shrinking with the sum of all squared gradients so far.",
        factory=aliases.adagrad,
    ),
    "rmsprop": Optimizer(
        id="rmsprop",
        name="RMSprop",
        params={
            "rho": FloatParam(
                0.99, 0.0, 0.9999, help="Decay of the squared-gradient average (torch: 0.99).", symbol=r"\rho"
            ),
            "eps": FloatParam(1e-8, 1e-16, 1e-1, log=True, help="Added to √E (outside the root).", symbol=r"\epsilon"),
        },
        latex=(
            r"\begin{aligned} E_t &= \rho\, E_{t-1} + (1 - \rho)\, g_t^2 \\"
            r" \theta_{t+1} &= \theta_t - \frac{\eta_t}{\sqrt{E_t} + \epsilon}\, g_t \end{aligned}"
        ),
        reference=(
            "Tieleman & Hinton, Lecture 6.5 RMSProp, COURSERA: Neural Networks for Machine Learning, 2012; "
            "torch.optim.RMSprop"
        ),
        description="Divides the step by a running root-mean-square of the gradient.",
        factory=aliases.rmsprop,
    ),
    "adadelta": Optimizer(
        id="adadelta",
        name="AdaDelta",
        params={
            "rho": FloatParam(0.9, 0.0, 0.9999, help="Decay of both running averages (torch: 0.9).", symbol=r"\rho"),
            "eps": FloatParam(
                1e-6, 1e-16, 1e-1, log=True, help="Added inside both roots (torch: 1e-6).", symbol=r"\epsilon"
            ),
        },
        latex=(
            r"\begin{aligned} E[g^2]_t &= \rho\, E[g^2]_{t-1} + (1 - \rho)\, g_t^2 \\"
            r" \Delta_t &= \frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t \\"
            r" E[\Delta^2]_t &= \rho\, E[\Delta^2]_{t-1} + (1 - \rho)\, \Delta_t^2 \\"
            r" \theta_{t+1} &= \theta_t - \eta_t\, \Delta_t \end{aligned}"
        ),
        reference="Zeiler, ADADELTA: An Adaptive Learning Rate Method, 2012; torch.optim.Adadelta (η = 1 is Zeiler's)",
        description="Step sizes from the ratio of running RMS of past updates to that of gradients; η = 1 is classic.",
        factory=aliases.adadelta,
    ),
    "adadec": Optimizer(
        id="adadec",
        name="AdaDec",
        params={
            "offset": _OFFSET,
            "xi": FloatParam(
                0.999,
                0.0,
                1.0,
                help="Weight of the previous step's squared gradient (the seed's 0.999).",
                symbol=r"\xi",
            ),
            "power": _POWER,
            "decay_steps": _DECAY_STEPS,
        },
        latex=(r"\theta_{t+1} = \theta_t - \frac{\eta_t\, (1 + t/R)^{-q}}{\sqrt{K + \xi\, g_{t-1}^2 + g_t^2}}\, g_t"),
        reference=(
            "Senior et al., An empirical study of learning rates in deep neural networks for speech recognition, "
            "ICASSP 2013; He & Li, Acta Automatica Sinica 42(6), 2016, eq. 13–15"
        ),
        description="Power-decaying step divided by the root of the last two squared gradients (not all of them).",
        factory=aliases.adadec,
    ),
    "adamix": Optimizer(
        id="adamix",
        name="AdaMix",
        params={"offset": _OFFSET, "power": _POWER, "decay_steps": _DECAY_STEPS},
        latex=(
            r"\begin{aligned} \theta_{t+1} &= \theta_t - \eta_t\, a_t\, g_t, \quad a_0 = 1 \\"
            r" a_{t+1} &= a_t / \sqrt{K + g_t^2} \quad \text{(weights)} \\"
            r" a_t &= (1 + t/R)^{-q} \quad \text{(biases)} \end{aligned}"
        ),
        reference="He & Li, A combinatory form learning rate scheduling for deep learning model, "
        "Acta Automatica Sinica 42(6), 2016, eq. 16–18",
        description="Weights: a rate shrunk by every gradient in turn; biases (if the surface has one): power decay.",
        factory=aliases.adamix,
        needs_bias_mask=True,
    ),
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


# What a teacher sees of an optimizer's state, by state class and field.
_INTERNALS: dict[type, dict[str, str]] = {
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
        for field, name in _INTERNALS.get(type(node), {}).items():
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
