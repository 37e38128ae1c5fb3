"""Gradient descent and momentum, in torch's form (``torch.optim.SGD``).

Each factory takes the learning rate first (a number or an optax schedule, called with the
optimizer's own 0-based step count: the k-th update uses ``learning_rate(k)``) and its
hyperparameters as keywords, any of which may be a traced scalar. optax is imported when a
factory first runs, so that the registry is read without JAX.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import KERAS, OPTAX, TORCH, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def sgd(learning_rate: optax.ScalarOrSchedule) -> optax.GradientTransformation:
    r"""Plain gradient descent (:func:`optax.sgd`).

    .. math::
        \theta_{t+1} = \theta_t - \eta_t\, g_t

    References:
        Robbins & Monro, A Stochastic Approximation Method, 1951; torch.optim.SGD
    """
    return optax.sgd(learning_rate)


def heavy_ball(
    learning_rate: optax.ScalarOrSchedule, *, momentum: ArrayLike = 0.9, dampening: ArrayLike = 0.0
) -> optax.GradientTransformation:
    r"""Heavy-ball momentum in torch's form (``torch.optim.SGD(momentum=μ, dampening=d)``).

    .. math::
        \begin{aligned} v_t &= \mu\, v_{t-1} + (1 - d)\, g_t \quad (v_1 = g_1) \\
        \theta_{t+1} &= \theta_t - \eta_t\, v_t \end{aligned}

    With ``d = 0`` this is ``optax.sgd(η, momentum=μ)``; torch leaves the first gradient undamped
    (:func:`~optimizers.transforms.dampen_after_first`).

    References:
        Polyak, Some methods of speeding up the convergence of iteration methods, 1964; torch.optim.SGD
    """
    return optax.chain(
        transforms.dampen_after_first(dampening),
        optax.trace(decay=momentum),
        optax.scale_by_learning_rate(learning_rate),
    )


def nesterov(learning_rate: optax.ScalarOrSchedule, *, momentum: ArrayLike = 0.9) -> optax.GradientTransformation:
    r"""Nesterov momentum in torch's form (``torch.optim.SGD(momentum=μ, nesterov=True)``).

    .. math::
        \begin{aligned} v_t &= \mu\, v_{t-1} + g_t \\
        \theta_{t+1} &= \theta_t - \eta_t\, (g_t + \mu\, v_t) \end{aligned}

    which is ``optax.sgd(η, momentum=μ, nesterov=True)`` (``v_0 = 0``).

    References:
        Sutskever et al., On the importance of initialization and momentum in deep learning, 2013;
        torch.optim.SGD(nesterov=True)
    """
    return optax.sgd(learning_rate, momentum=momentum, nesterov=True)


_MOMENTUM = partial(FloatParam, low=0.0, high=0.999, help="Momentum coefficient.", symbol=r"\mu")

ENTRIES = (
    Optimizer(
        id="sgd",
        name="SGD",
        family="sgd",
        params={},
        description="Plain gradient descent: a step against the gradient, scaled by the learning rate.",
        factory=sgd,
        equivalents=(
            Equivalent(TORCH, "SGD", "lr = η"),
            Equivalent(OPTAX, "sgd", "learning_rate = η"),
            Equivalent(KERAS, "SGD", "learning_rate = η"),
        ),
    ),
    Optimizer(
        id="momentum",
        name="SGD + momentum",
        family="sgd",
        params={
            "momentum": _MOMENTUM,
            "dampening": partial(
                FloatParam,
                low=0.0,
                high=1.0,
                help="torch's dampening: scales every gradient but the first by 1 − d before it enters v.",
                symbol="d",
            ),
        },
        description="Heavy ball: the step follows a running sum of past gradients (torch's form).",
        factory=heavy_ball,
        equivalents=(
            Equivalent(TORCH, "SGD", "lr = η, momentum = μ, dampening = d", alias=False),
            Equivalent(OPTAX, "sgd", "learning_rate = η, momentum = μ (d = 0)", alias=False),
        ),
    ),
    Optimizer(
        id="nesterov",
        name="SGD + Nesterov momentum",
        family="sgd",
        params={"momentum": _MOMENTUM},
        description="Momentum that looks one step ahead along the velocity (torch's form).",
        factory=nesterov,
        equivalents=(
            Equivalent(TORCH, "SGD", "lr = η, momentum = μ, nesterov = True", select={"nesterov": True}, alias=False),
            Equivalent(
                OPTAX,
                "sgd",
                "learning_rate = η, momentum = μ, nesterov = True",
                select={"nesterov": True},
                alias=False,
            ),
        ),
    ),
)
