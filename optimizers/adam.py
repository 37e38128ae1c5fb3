"""Adam and kin: a momentum divided by a running root-mean-square of the gradient, bias-corrected.

Factories as in :mod:`optimizers.sgd`: the learning rate first, hyperparameters as keywords (any
may be traced), optax imported when a factory first runs.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import BoolParam, FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, TORCH, TORCH_OPTIMIZER, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def adam(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.999, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""Adam, bias-corrected, ``ε`` outside the root, as ``torch.optim.Adam`` and :func:`optax.adam`.

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
        \end{aligned}

    ``β^t`` is kept as a running product (:func:`~optimizers.transforms.scale_by_adam_powers`), which
    is faster than optax's power when ``β`` differs across a batch.

    References:
        Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015; torch.optim.Adam
    """
    return optax.chain(transforms.scale_by_adam_powers(b1, b2, eps), optax.scale_by_learning_rate(learning_rate))


def yogi(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-3,
    initial_m: ArrayLike = 1e-6,
    initial_v: ArrayLike = 1e-6,
    bias_correction: ArrayLike = True,
) -> optax.GradientTransformation:
    r"""Yogi as torch-optimizer has it (the reference's): :func:`~optimizers.transforms.scale_by_yogi_ref`.

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= v_{t-1} - (1 - \beta_2)\, \operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2 \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
        \end{aligned}

    with ``m_0``, ``v_0`` the starting moments (torch-optimizer: 1e-6 each) and the bias correction
    switchable.

    References:
        Zaheer et al., Adaptive Methods for Nonconvex Optimization, NeurIPS 2018; torch-optimizer's Yogi
        (used by the reference)
    """
    return optax.chain(
        transforms.scale_by_yogi_ref(
            b1, b2, eps, initial_m=initial_m, initial_v=initial_v, bias_correction=bias_correction
        ),
        optax.scale_by_learning_rate(learning_rate),
    )


_BETA1 = partial(
    FloatParam, low=0.0, high=0.9999, help="Decay of the first moment (gradient average).", symbol=r"\beta_1"
)
_BETA2 = partial(FloatParam, low=0.0, high=0.99999, help="Decay of the second moment.", symbol=r"\beta_2")
_EPS_HELP = "Added to √v̂ (outside the root)."

ENTRIES = (
    Optimizer(
        id="adam",
        name="Adam",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": partial(FloatParam, low=1e-12, high=1e-1, log=True, help=_EPS_HELP, symbol=r"\epsilon"),
        },
        description="Momentum divided by a running root-mean-square of the gradient, bias-corrected.",
        factory=adam,
        equivalents=(
            Equivalent(TORCH, "Adam", "lr = η, betas = (β_1, β_2), eps = ε"),
            Equivalent(OPTAX, "adam", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε"),
        ),
    ),
    Optimizer(
        id="yogi",
        name="Yogi",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": partial(FloatParam, low=1e-12, high=1.0, log=True, help=_EPS_HELP, symbol=r"\epsilon"),
            "initial_m": partial(
                FloatParam,
                low=0.0,
                high=1e-2,
                help=(
                    "Starting first moment. The reference (torch-optimizer) starts it at 1e-6, most other "
                    "implementations at 0; a nonzero start lets Yogi leave a line where the gradient is exactly 0 "
                    "(y = 0 on x² − y²)."
                ),
                symbol="m_0",
            ),
            "initial_v": partial(
                FloatParam, low=0.0, high=1e-2, help="Starting second moment (the reference: 1e-6).", symbol="v_0"
            ),
            "bias_correction": partial(
                BoolParam, help="Divide the moments by 1 − βᵗ (torch-optimizer does, even with m₀ ≠ 0).", symbol=""
            ),
        },
        description="Adam whose second moment moves additively, by the sign of v − g², so it grows slowly.",
        factory=yogi,
        equivalents=(
            Equivalent(
                TORCH_OPTIMIZER,
                "Yogi",
                "lr = η, betas = (β_1, β_2), eps = ε, initial_accumulator = m_0 = v_0 (torch-optimizer's 1e-6)",
            ),
            Equivalent(
                OPTAX,
                "yogi",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε; both moments start at 1e-6 (m_0 = v_0 = 1e-6, "
                "bias-corrected)",
            ),
        ),
    ),
)
