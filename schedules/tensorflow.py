"""TensorFlow-style decay functions (seed 003's tutorial; ``tf.compat.v1.train.*_decay``).

``k`` plays TensorFlow's ``global_step``; ``decay_steps`` scales with the run length unless set.

References:
  Abadi et al., TensorFlow: a system for large-scale machine learning, OSDI 2016;
  https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/exponential_decay and siblings.
"""

from __future__ import annotations

import functools
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from common.params import (
    BoolParam,
    FloatListParam,
    FloatParam,
    FormulaParam,
    IntParam,
    ParamError,
    StepsListParam,
    StepsParam,
)
from common.registry import Equivalent
from schedules._base import KERAS, OPTAX, TORCH, Schedule, as_steps, full, gaussian_noise

FORMULA_VARIABLES = ("k", "T", "lr")
DEFAULT_FORMULA = "lr * 0.5 ** (k / (T / 5))"


def piecewise_constant(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    boundaries: tuple[int, ...],
    values: tuple[float, ...] = (1.0, 0.5, 0.1),
) -> np.ndarray:
    r"""Piecewise constant: ``values[i]`` times the base LR between consecutive boundaries.

    .. math::
        \eta_k = \eta_0 \, v_i, \quad i = \#\{j \,:\, b_j < k\}

    As in TensorFlow, a boundary step still uses the value before it (``k ≤ b_0`` gives
    :math:`v_0`). Unlike TensorFlow, the values are multiples of the base LR, so that an LR search
    still moves the curve. ``values`` needs one entry more than ``boundaries``.

    Raises:
      ParamError: if ``len(values) != len(boundaries) + 1``.

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.piecewise_constant,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/piecewise_constant
    """
    del total_steps
    if len(values) != len(boundaries) + 1:
        raise ParamError(
            f"piecewise_constant: values needs len(boundaries) + 1 = {len(boundaries) + 1} entries, got {len(values)}"
        )
    segment = np.searchsorted(np.asarray(boundaries, dtype=np.int64), np.asarray(k, dtype=np.int64), side="left")
    return full(lr * np.asarray(values, dtype=np.float64)[segment], k, lr)


def _decay_exponent(k: ArrayLike, decay_steps: int, staircase: bool) -> np.ndarray:
    p = as_steps(k) / decay_steps
    return np.floor(p) if staircase else p


def exponential_decay(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, decay_steps: int, decay_rate: float = 0.5, staircase: bool = False
) -> np.ndarray:
    r"""Exponential decay by ``decay_rate`` every ``decay_steps`` steps.

    .. math::
        \eta_k = \eta_0 \, r^{k / D} \quad \left(\text{staircase: } r^{\lfloor k / D \rfloor}\right)

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.exponential_decay,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/exponential_decay
    """
    del total_steps
    return full(lr * np.power(decay_rate, _decay_exponent(k, decay_steps, staircase)), k, lr)


def natural_exp_decay(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, decay_steps: int, decay_rate: float = 0.5, staircase: bool = False
) -> np.ndarray:
    r"""Exponential decay with base ``e``.

    .. math::
        \eta_k = \eta_0 \, e^{-r k / D} \quad \left(\text{staircase: } e^{-r \lfloor k / D \rfloor}\right)

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.natural_exp_decay,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/natural_exp_decay
    """
    del total_steps
    return full(lr * np.exp(-decay_rate * _decay_exponent(k, decay_steps, staircase)), k, lr)


def polynomial_decay(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    decay_steps: int,
    end_lr: float = 1e-4,
    power: float = 1.0,
    cycle: bool = False,
) -> np.ndarray:
    r"""Polynomial decay to an absolute ``end_lr`` over ``decay_steps``, held or cycled after.

    .. math::
        \eta_k = (\eta_0 - \eta_{end}) \left(1 - \frac{\min(k, D)}{D}\right)^{p} + \eta_{end} \quad
        \left(\text{cycle: } D \leftarrow D \lceil k / D \rceil\right)

    With ``cycle``, :math:`D` becomes :math:`D \lceil k / D \rceil` (and :math:`D` at ``k = 0``),
    so the LR jumps back up after each multiple of :math:`D`.

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.polynomial_decay,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/polynomial_decay
    """
    del total_steps
    steps = as_steps(k)
    if cycle:
        horizon = decay_steps * np.maximum(np.ceil(steps / decay_steps), 1.0)
    else:
        horizon = np.full_like(steps, float(decay_steps))
        steps = np.minimum(steps, float(decay_steps))
    return full((lr - end_lr) * (1.0 - steps / horizon) ** power + end_lr, k, lr)


def cosine_decay(k: ArrayLike, total_steps: int, lr: ArrayLike, *, decay_steps: int, alpha: float = 0.0) -> np.ndarray:
    r"""Cosine decay to ``alpha``·η0 over ``decay_steps``, then flat.

    .. math::
        \eta_k = \eta_0 \left((1 - \alpha) \tfrac{1}{2} \left(1 + \cos\frac{\pi \min(k, D)}{D}\right) + \alpha\right)

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.cosine_decay,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/cosine_decay
    """
    del total_steps
    done = np.minimum(as_steps(k), float(decay_steps)) / decay_steps
    return full(lr * ((1.0 - alpha) * 0.5 * (1.0 + np.cos(np.pi * done)) + alpha), k, lr)


def _linear_cosine_parts(k: ArrayLike, decay_steps: int, num_periods: float) -> tuple[np.ndarray, np.ndarray]:
    steps = np.minimum(as_steps(k), float(decay_steps))
    linear = (decay_steps - steps) / decay_steps
    cosine = 0.5 * (1.0 + np.cos(np.pi * 2.0 * num_periods * steps / decay_steps))
    return linear, cosine


def linear_cosine_decay(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    decay_steps: int,
    num_periods: float = 0.5,
    alpha: float = 0.0,
    beta: float = 1e-3,
) -> np.ndarray:
    r"""Linear-cosine decay.

    .. math::
        \eta_k = \eta_0 \left(\left(\alpha + \frac{D - \min(k, D)}{D}\right) \tfrac{1}{2}
        \left(1 + \cos\frac{2 \pi n \min(k, D)}{D}\right) + \beta\right)

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.linear_cosine_decay,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/linear_cosine_decay; Bello et al., ICML 2017
    """
    del total_steps
    linear, cosine = _linear_cosine_parts(k, decay_steps, num_periods)
    return full(lr * ((alpha + linear) * cosine + beta), k, lr)


def noisy_linear_cosine_decay(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    decay_steps: int,
    num_periods: float = 0.5,
    alpha: float = 0.0,
    beta: float = 1e-3,
    initial_variance: float = 1.0,
    variance_decay: float = 0.55,
    seed: int = 0,
    nonnegative: bool = True,
) -> np.ndarray:
    r"""Linear-cosine decay with Gaussian noise of decaying variance on the linear part (seeded).

    .. math::
        \eta_k = \eta_0 \left(\left(\alpha + \frac{D - \min(k, D)}{D} + \epsilon_k\right) \tfrac{1}{2}
        \left(1 + \cos\frac{2 \pi n \min(k, D)}{D}\right) + \beta\right), \quad
        \epsilon_k \sim \mathcal{N}\!\left(0, \frac{\sigma_0^2}{(1 + \min(k, D))^{d}}\right)

    The noise is large (std ≈ 0.22 around ``k = 250``), so TensorFlow's LR can go negative;
    ``nonnegative`` clips it at 0 (turn it off to reproduce TensorFlow exactly).

    References:
      TensorFlow (Abadi et al., OSDI 2016), tf.compat.v1.train.noisy_linear_cosine_decay,
      https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/noisy_linear_cosine_decay; Bello et al., ICML 2017
    """
    del total_steps
    linear, cosine = _linear_cosine_parts(k, decay_steps, num_periods)
    steps = np.minimum(as_steps(k), float(decay_steps))
    std = np.sqrt(initial_variance / (1.0 + steps) ** variance_decay)
    noisy = linear + std * gaussian_noise(seed, k)
    values = lr * ((alpha + noisy) * cosine + beta)
    return full(np.maximum(values, 0.0) if nonnegative else values, k, lr)


@functools.lru_cache(maxsize=128)
def _compiled(text: str) -> Any:
    from common import formula as formula_language  # the formula language is optional until used

    return formula_language.parse(text, variables=FORMULA_VARIABLES, max_len=500)


def lambda_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, formula: str = DEFAULT_FORMULA) -> np.ndarray:
    r"""A user formula in ``k``, ``T`` and ``lr`` (η0), in the safe formula language (no ``eval``).

    .. math::
        \eta_k = f(k, T, \eta_0)

    Raises:
      common.formula.FormulaError: if the formula does not parse.

    References:
      PyTorch LambdaLR (Paszke et al., NeurIPS 2019),
      https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html
    """
    values = _compiled(formula).evaluate(np, k=as_steps(k), T=float(total_steps), lr=lr)
    return full(values, k, lr)


def _decay_params(rate_help: str) -> dict:
    return {
        "decay_steps": StepsParam(fraction=0.2, help="Steps per decay period D (100 for T = 500)", symbol="D"),
        "decay_rate": partial(FloatParam, low=0.0, high=100.0, help=rate_help, symbol="r"),
        "staircase": partial(BoolParam, help="Decay in whole periods (a staircase) instead of smoothly"),
    }


_LINEAR_COSINE_PARAMS = {
    "decay_steps": StepsParam(fraction=1.0, help="Steps of the decay D (the whole run by default)", symbol="D"),
    "num_periods": partial(FloatParam, low=0.0, high=100.0, help="Number of cosine periods within D", symbol="n"),
    "alpha": partial(FloatParam, low=0.0, high=10.0, help="Added to the linear part", symbol=r"\alpha"),
    "beta": partial(FloatParam, low=0.0, high=10.0, help="Floor, as a fraction of η0", symbol=r"\beta"),
}

ENTRIES = (
    Schedule(
        id="piecewise_constant",
        name="Piecewise constant",
        family="tensorflow",
        params={
            "boundaries": StepsListParam(
                fractions=(0.2, 0.6), help="Last steps of each piece (100, 300 for T = 500)", symbol="b_j"
            ),
            "values": partial(
                FloatListParam,
                low=0.0,
                high=1e3,
                help="Multiple of η0 on each piece (one more than the boundaries)",
                symbol="v_i",
            ),
        },
        description=(
            "η0, then 0.5·η0 after step 100, then 0.1·η0 after step 300 (a boundary step keeps the earlier "
            "value; values are multiples of η0, unlike TensorFlow's absolute ones)."
        ),
        fn=piecewise_constant,
        equivalents=(
            Equivalent(
                KERAS,
                "PiecewiseConstantDecay",
                "boundaries = b_j, values = [v_i·η0] (Keras's values are absolute)",
                params={"values": None},
            ),
            Equivalent(
                OPTAX,
                "piecewise_constant_schedule",
                "init_value = v_0·η0, boundaries_and_scales = {b_j + 1: v_(j+1)/v_j} (optax switches at the step "
                "itself)",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="exponential_decay",
        name="Exponential decay",
        family="tensorflow",
        params=_decay_params("Factor per decay period"),
        description="η0·0.5^(k/100): halves every 100 steps, smoothly or (staircase) in steps.",
        fn=exponential_decay,
        equivalents=(
            Equivalent(
                TORCH,
                "ExponentialLR",
                "gamma = r, with D = 1",
                params={"gamma": "decay_rate"},
                defaults={"decay_steps": 1},
            ),
            Equivalent(
                OPTAX,
                "exponential_decay",
                "init_value = η0, transition_steps = D, decay_rate = r, staircase",
                params={"init_value": "lr", "transition_steps": "decay_steps"},
            ),
            Equivalent(
                KERAS,
                "ExponentialDecay",
                "initial_learning_rate = η0, decay_steps = D, decay_rate = r, staircase",
                params={"initial_learning_rate": "lr"},
            ),
        ),
    ),
    Schedule(
        id="natural_exp_decay",
        name="Natural exponential decay",
        family="tensorflow",
        params=_decay_params("Rate in the exponent per decay period"),
        description="η0·e^(−0.5·k/100): like exponential_decay with base e.",
        fn=natural_exp_decay,
        equivalents=(
            Equivalent(
                OPTAX,
                "exponential_decay",
                "init_value = η0, transition_steps = D, decay_rate = exp(−r), staircase",
                alias=False,
            ),
            Equivalent(
                KERAS,
                "ExponentialDecay",
                "initial_learning_rate = η0, decay_steps = D, decay_rate = exp(−r), staircase",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="polynomial_decay",
        name="Polynomial decay",
        family="tensorflow",
        params={
            "decay_steps": StepsParam(fraction=1.0, help="Steps of the decay D (the whole run by default)", symbol="D"),
            "end_lr": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR at the end of the decay", symbol=r"\eta_{end}"
            ),
            "power": partial(FloatParam, low=0.0, high=10.0, help="Exponent of the decay", symbol="p"),
            "cycle": partial(BoolParam, help="Restart the decay after D steps, with D growing"),
        },
        description="From η0 to the absolute 1e-4 along (1 − k/D)^p; with cycle it jumps back up after each D steps.",
        fn=polynomial_decay,
        equivalents=(
            Equivalent(
                TORCH,
                "PolynomialLR",
                "total_iters = D, power = p, with η_end = 0 (cycle = False)",
                params={"total_iters": "decay_steps"},
                defaults={"end_lr": 0.0},
            ),
            Equivalent(
                OPTAX,
                "polynomial_schedule",
                "init_value = η0, end_value = η_end, power = p, transition_steps = D (cycle = False)",
                params={"init_value": "lr", "end_value": "end_lr", "transition_steps": "decay_steps"},
            ),
            Equivalent(
                KERAS,
                "PolynomialDecay",
                "initial_learning_rate = η0, decay_steps = D, end_learning_rate = η_end, power = p, cycle",
                params={"initial_learning_rate": "lr", "end_learning_rate": "end_lr"},
            ),
        ),
    ),
    Schedule(
        id="cosine_decay",
        name="Cosine decay",
        family="tensorflow",
        params={
            "decay_steps": StepsParam(fraction=1.0, help="Steps of the decay D (the whole run by default)", symbol="D"),
            "alpha": partial(FloatParam, low=0.0, high=1.0, help="Final LR as a fraction of η0", symbol=r"\alpha"),
        },
        description="Half a cosine from η0 to α·η0 over D steps, then flat.",
        fn=cosine_decay,
        equivalents=(
            Equivalent(
                TORCH,
                "CosineAnnealingLR",
                "T_max = D, eta_min = α·η0 (up to step D: torch keeps the cosine going after it)",
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "cosine_decay_schedule",
                "init_value = η0, decay_steps = D, alpha = α",
                params={"init_value": "lr"},
            ),
            Equivalent(
                KERAS,
                "CosineDecay",
                "initial_learning_rate = η0, decay_steps = D, alpha = α",
                params={"initial_learning_rate": "lr"},
            ),
        ),
    ),
    Schedule(
        id="linear_cosine_decay",
        name="Linear cosine decay",
        family="tensorflow",
        params=_LINEAR_COSINE_PARAMS,
        description="A linear ramp times a cosine (n = 0.5 periods), plus a floor of 0.001·η0.",
        fn=linear_cosine_decay,
    ),
    Schedule(
        id="noisy_linear_cosine_decay",
        name="Noisy linear cosine decay",
        family="tensorflow",
        params={
            **_LINEAR_COSINE_PARAMS,
            "initial_variance": partial(
                FloatParam, low=0.0, high=100.0, help="Variance of the noise at step 0", symbol=r"\sigma_0^2"
            ),
            "variance_decay": partial(
                FloatParam, low=0.0, high=10.0, help="How fast the noise variance shrinks with k", symbol="d"
            ),
            "seed": partial(IntParam, low=0, high=2**31 - 1, help="Seed of the noise (same seed, same curve)"),
            "nonnegative": partial(BoolParam, help="Clip negative LRs at 0 (TensorFlow does not)"),
        },
        description=(
            "linear_cosine_decay with large seeded noise (variance 1/(1 + k)^0.55) on the linear part; "
            "clipped at 0 by default, since the noise can push TensorFlow's LR below 0."
        ),
        fn=noisy_linear_cosine_decay,
    ),
    Schedule(
        id="lambda_lr",
        name="Your formula",
        family="tensorflow",
        params={
            "formula": partial(
                FormulaParam,
                variables=FORMULA_VARIABLES,
                max_len=500,
                help="LR of step k in a run of T steps with base LR lr, e.g. lr * 0.5 ** (k / (T / 5))",
            )
        },
        description="Any formula in k, T and lr (the base LR η0), read by the safe formula parser (never eval).",
        fn=lambda_lr,
        equivalents=(Equivalent(TORCH, "LambdaLR", "lr_lambda = lambda k: f(k, T, η0)/η0"),),
    ),
)
