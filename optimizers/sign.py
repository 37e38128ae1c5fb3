"""Steps by the sign of the gradient (or of a momentum): every coordinate moves by the same length.

Factories as in :mod:`optimizers.sgd`. On a 2-D surface a sign step goes along a diagonal
(±1, ±1) or an axis: the paths are made of 45° segments and do not follow the gradient's direction.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, TORCH, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def sign_sgd(learning_rate: optax.ScalarOrSchedule) -> optax.GradientTransformation:
    r"""signSGD (:func:`optax.sign_sgd`): a step of length η along each coordinate, against the gradient's sign.

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \operatorname{sign}(g_t)

    References:
        Bernstein et al., signSGD: Compressed Optimisation for Non-Convex Problems, ICML 2018
    """
    return optax.sign_sgd(learning_rate)


def signum(learning_rate: optax.ScalarOrSchedule, *, beta: ArrayLike = 0.9) -> optax.GradientTransformation:
    r"""Signum (:func:`optax.signum`, the authors' β = 0.9): the sign of a momentum.

    .. math::
        m_t = \beta m_{t-1} + (1 - \beta)\, g_t, \qquad \theta_{t+1} = \theta_t - \eta_t \operatorname{sign}(m_t)

    References:
        Bernstein et al., signSGD: Compressed Optimisation for Non-Convex Problems, ICML 2018, Algorithm 3
    """
    return optax.signum(learning_rate, beta=beta)


def lion(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.99, weight_decay: ArrayLike = 0.0
) -> optax.GradientTransformation:
    r"""Lion (:func:`optax.lion`) with the authors' weight decay 0 (optax's default is 1e-3).

    .. math::
        \begin{aligned} c_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \quad
        \theta_{t+1} = \theta_t - \eta_t \left(\operatorname{sign}(c_t) + \lambda \theta_t\right) \\
        m_t &= \beta_2 m_{t-1} + (1 - \beta_2)\, g_t \end{aligned}

    The sign is of an interpolation ``c_t`` between the momentum and the gradient; the momentum
    itself decays more slowly (``β₂ > β₁``).

    References:
        Chen et al., Symbolic Discovery of Optimization Algorithms, NeurIPS 2023; google/automl lion_pytorch.py
        and lion-pytorch 0.2 (β = 0.9, 0.99, weight decay 0)
    """
    return optax.lion(learning_rate, b1=b1, b2=b2, weight_decay=weight_decay)


def rprop(
    learning_rate: optax.ScalarOrSchedule,
    *,
    eta_minus: ArrayLike = 0.5,
    eta_plus: ArrayLike = 1.2,
    min_step_size: ArrayLike = 1e-6,
    max_step_size: ArrayLike = 50.0,
) -> optax.GradientTransformation:
    r"""Rprop as ``torch.optim.Rprop`` (its defaults), the LR being the initial step size.

    .. math::
        \begin{aligned} s_t &= \operatorname{clip}\left(s_{t-1} \cdot
        \begin{cases} \eta^+ & g_t g_{t-1} > 0 \\ \eta^- & g_t g_{t-1} < 0 \\ 1 & \text{otherwise} \end{cases},
        \ s_{\min}, s_{\max}\right), \quad s_0 = \eta_0 \\
        \theta_{t+1} &= \theta_t - s_t \operatorname{sign}(g_t) \quad (\text{no step after a sign change})
        \end{aligned}

    Each coordinate's step grows while its gradient keeps its sign and shrinks when it flips; a
    schedule scales the step sizes (``s`` is kept in units of ``η_t``). :func:`optax.rprop` is the
    same algorithm with a fixed initial step size, but it applies each step one update late (its
    first update is 0: it returns the step computed at the previous call).

    References:
        Riedmiller & Braun, A direct adaptive method for faster backpropagation learning: the RPROP algorithm,
        ICNN 1993; torch.optim.Rprop
    """
    return transforms.scale_by_rprop_scheduled(
        learning_rate, eta_minus=eta_minus, eta_plus=eta_plus, min_step_size=min_step_size, max_step_size=max_step_size
    )


_BETA = partial(FloatParam, low=0.0, high=0.9999, help="Decay of the momentum whose sign is taken.", symbol=r"\beta")

ENTRIES = (
    Optimizer(
        id="sign_sgd",
        name="signSGD",
        family="sign",
        params={},
        description="Moves every coordinate by η against the gradient's sign: 45° steps of fixed length.",
        factory=sign_sgd,
        equivalents=(
            Equivalent("pytorch_optimizer", "SignSGD", "lr = η, momentum = 0", select={"momentum": 0.0}, alias=False),
            Equivalent(OPTAX, "sign_sgd", "learning_rate = η"),
        ),
    ),
    Optimizer(
        id="signum",
        name="Signum",
        family="sign",
        params={"beta": _BETA},
        description="signSGD on a momentum: fixed-length steps that keep their direction through noise.",
        factory=signum,
        equivalents=(
            Equivalent("pytorch_optimizer", "SignSGD", "lr = η, momentum = β", params={"momentum": "beta"}),
            Equivalent(OPTAX, "signum", "learning_rate = η, beta = β"),
        ),
    ),
    Optimizer(
        id="lion",
        name="Lion",
        family="sign",
        params={
            "b1": partial(
                FloatParam,
                low=0.0,
                high=0.9999,
                help="Weight of the momentum in the direction whose sign is taken.",
                symbol=r"\beta_1",
            ),
            "b2": partial(FloatParam, low=0.0, high=0.9999, help="Decay of the momentum itself.", symbol=r"\beta_2"),
            "weight_decay": partial(
                FloatParam,
                low=0.0,
                high=10.0,
                help="Decoupled weight decay η·λ·θ (the authors: 0 by default, 3–10× AdamW's in practice).",
                symbol=r"\lambda",
            ),
        },
        description="Sign of a blend of momentum and gradient: fixed-length steps found by program search.",
        factory=lion,
        equivalents=(
            Equivalent("lion_pytorch", "Lion", "lr = η, betas = (β_1, β_2), weight_decay = λ"),
            Equivalent(
                OPTAX,
                "lion",
                "learning_rate = η, b1 = β_1, b2 = β_2, weight_decay = λ (optax's default 1e-3)",
                defaults={"weight_decay": 1e-3},
            ),
        ),
    ),
    Optimizer(
        id="rprop",
        name="Rprop",
        family="sign",
        params={
            "eta_minus": partial(
                FloatParam,
                low=0.0,
                high=1.0,
                help="Step-size factor after a sign change (torch: 0.5).",
                symbol=r"\eta^-",
            ),
            "eta_plus": partial(
                FloatParam,
                low=1.0,
                high=10.0,
                help="Step-size factor while the sign holds (torch: 1.2).",
                symbol=r"\eta^+",
            ),
            "min_step_size": partial(
                FloatParam, low=0.0, high=1.0, help="Smallest step size (torch: 1e-6).", symbol=r"s_{\min}"
            ),
            "max_step_size": partial(
                FloatParam, low=1e-6, high=1e6, log=True, help="Largest step size (torch: 50).", symbol=r"s_{\max}"
            ),
        },
        description="Per-coordinate sign steps whose length grows while the sign holds and halves when it flips.",
        factory=rprop,
        equivalents=(
            Equivalent(TORCH, "Rprop", "lr = η, etas = (η^-, η^+), step_sizes = (s_min, s_max)"),
            Equivalent(
                OPTAX,
                "rprop",
                "learning_rate = η (the initial step size), eta_minus = η^-, eta_plus = η^+, min_step_size = s_min, "
                "max_step_size = s_max; optax applies each step one update late",
            ),
        ),
    ),
)
