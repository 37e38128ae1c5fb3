"""Gradient descent and momentum, in torch's form (``torch.optim.SGD``).

Each factory takes the learning rate first (a number or an optax schedule, called with the
optimizer's own 0-based step count: the k-th update uses ``learning_rate(k)``) and its
hyperparameters as keywords, any of which may be a traced scalar. optax is imported when a
factory first runs, so that the registry is read without JAX.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam, IntParam
from common.registry import Equivalent, lazy_module
from optimizers._base import KERAS, OPTAX, TORCH, Optimizer

if TYPE_CHECKING:
    import jax
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    jax = lazy_module("jax")
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


def noisy_sgd(
    learning_rate: optax.ScalarOrSchedule, *, eta: ArrayLike = 0.01, gamma: ArrayLike = 0.55, seed: ArrayLike = 0
) -> optax.GradientTransformation:
    r"""Gradient descent with annealed Gaussian noise added to the gradient (:func:`optax.noisy_sgd`, its defaults).

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \left(g_t + \xi_t\right), \qquad
        \xi_t \sim \mathcal N\!\left(0, \frac{\eta_\xi}{(1 + t)^{\gamma}}\, I\right)

    The noise comes from the optimizer's own key (``seed``), the same for every trajectory with
    the same seed; the scene's gradient noise is separate and comes first.

    References:
        Neelakantan et al., Adding Gradient Noise Improves Learning for Very Deep Networks, 2015
    """
    return optax.noisy_sgd(learning_rate, eta=eta, gamma=gamma, key=jax.numpy.asarray(seed).astype("int32"))


def optimistic_gradient_descent(
    learning_rate: optax.ScalarOrSchedule, *, alpha: ArrayLike = 1.0, beta: ArrayLike = 1.0
) -> optax.GradientTransformation:
    r"""Optimistic gradient descent (:func:`optax.optimistic_gradient_descent`, its defaults).

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \left((\alpha + \beta)\, g_t - \beta\, g_{t-1}\right)

    ``α = β = 1``: ``2g_t − g_{t−1}``, the optimistic step that damps the rotation of min-max games.

    References:
        Daskalakis et al., Training GANs with Optimism, ICLR 2018; Mokhtari et al., A Unified Analysis of
        Extra-gradient and Optimistic Gradient Methods for Saddle Point Problems, AISTATS 2020
    """
    return optax.optimistic_gradient_descent(learning_rate, alpha=alpha, beta=beta)


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
    Optimizer(
        id="noisy_sgd",
        name="Noisy SGD",
        family="sgd",
        params={
            "eta": partial(
                FloatParam,
                low=0.0,
                high=10.0,
                help="Variance of the added noise at the first step.",
                symbol=r"\eta_\xi",
            ),
            "gamma": partial(
                FloatParam,
                low=0.0,
                high=5.0,
                help="How fast the noise variance decays with the step.",
                symbol=r"\gamma",
            ),
            "seed": partial(IntParam, low=0, high=2**31 - 1, help="Seed of the optimizer's own noise.", symbol=""),
        },
        description="Gradient descent plus Gaussian noise whose variance decays like (1 + t)^−γ.",
        factory=noisy_sgd,
        equivalents=(
            Equivalent(OPTAX, "noisy_sgd", "learning_rate = η, eta = η_ξ, gamma = γ, key = jax.random.key(seed)"),
        ),
    ),
    Optimizer(
        id="optimistic_gradient_descent",
        name="Optimistic GD",
        family="sgd",
        params={
            "alpha": partial(FloatParam, low=0.0, high=10.0, help="Weight of the current gradient.", symbol=r"\alpha"),
            "beta": partial(
                FloatParam,
                low=0.0,
                high=10.0,
                help="Optimism: weight of the correction by the last gradient.",
                symbol=r"\beta",
            ),
        },
        description="Extrapolates from the last two gradients: 2g_t − g_{t−1} (for min-max games and rotations).",
        factory=optimistic_gradient_descent,
        equivalents=(Equivalent(OPTAX, "optimistic_gradient_descent", "learning_rate = η, alpha = α, beta = β"),),
    ),
)
