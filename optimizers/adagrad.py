"""Per-coordinate step sizes from past squared gradients: AdaGrad, RMSprop, AdaDelta, and the seed's AdaDec, AdaMix.

Factories as in :mod:`optimizers.sgd`: the learning rate first, hyperparameters as keywords (any
may be traced), optax imported when a factory first runs. Defaults: torch's where the reference
pipeline used torch, the seed's (seed 004, He & Li 2016) for AdaGrad's ``K`` and for AdaDec and AdaMix.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam, StepsParam
from common.registry import Equivalent, lazy_module
from optimizers._base import KERAS, OPTAX, OPTAX_CONTRIB, TORCH, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def adagrad(
    learning_rate: optax.ScalarOrSchedule, *, initial_accumulator: ArrayLike = 1.0, eps: ArrayLike = 1e-10
) -> optax.GradientTransformation:
    r"""AdaGrad in the seed's form (seed 004, eq. 12), via :func:`optax.scale_by_rss`.

    .. math::
        \theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{K + \sum_{s=1}^{t} g_s^2 + \epsilon}}\, g_t

    ``K`` (``initial_accumulator``) starts the sum of squares: the seed's ``K = 1``; torch
    starts at 0 with ``ε = 1e-10`` outside the root, optax at 0.1 with ``ε`` inside it. The
    sum includes the current gradient (Duchi et al.); read literally, the seed's indices
    would leave it out. A zero sum gives a zero update.

    References:
        Duchi et al., Adaptive Subgradient Methods for Online Learning and Stochastic Optimization, JMLR 2011;
        He & Li, Acta Automatica Sinica 42(6), 2016, eq. 12
    """
    return optax.adagrad(learning_rate, initial_accumulator_value=initial_accumulator, eps=eps)


def rmsprop(
    learning_rate: optax.ScalarOrSchedule, *, rho: ArrayLike = 0.99, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""RMSprop in torch's form (``torch.optim.RMSprop`` defaults: ρ = 0.99, ε = 1e-8 outside the root).

    .. math::
        \begin{aligned} E_t &= \rho\, E_{t-1} + (1 - \rho)\, g_t^2 \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{\sqrt{E_t} + \epsilon}\, g_t \end{aligned}

    ``E_0 = 0``, no bias correction: ``optax.rmsprop(η, decay=ρ, eps=ε, eps_in_sqrt=False)``.

    References:
        Tieleman & Hinton, Lecture 6.5 RMSProp, COURSERA: Neural Networks for Machine Learning, 2012;
        torch.optim.RMSprop
    """
    return optax.rmsprop(learning_rate, decay=rho, eps=eps, eps_in_sqrt=False)


def adadelta(
    learning_rate: optax.ScalarOrSchedule, *, rho: ArrayLike = 0.9, eps: ArrayLike = 1e-6
) -> optax.GradientTransformation:
    r"""AdaDelta in torch's form (``torch.optim.Adadelta``: ρ = 0.9, ε = 1e-6; η = 1 is Zeiler's algorithm).

    .. math::
        \begin{aligned} E[g^2]_t &= \rho\, E[g^2]_{t-1} + (1 - \rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t \\
        E[\Delta^2]_t &= \rho\, E[\Delta^2]_{t-1} + (1 - \rho)\, \Delta_t^2 \\
        \theta_{t+1} &= \theta_t - \eta_t\, \Delta_t \end{aligned}

    :func:`optax.scale_by_adadelta` computes ``Δ_t`` (a descent direction with a plus sign);
    ``optax.adadelta(learning_rate=None)`` adds it unscaled and so climbs. Here it is always
    followed by ``−η``.

    References:
        Zeiler, ADADELTA: An Adaptive Learning Rate Method, 2012; torch.optim.Adadelta (η = 1 is Zeiler's)
    """
    return optax.chain(optax.scale_by_adadelta(rho=rho, eps=eps), optax.scale_by_learning_rate(learning_rate))


def adadec(
    learning_rate: optax.ScalarOrSchedule,
    *,
    offset: ArrayLike = 1.0,
    xi: ArrayLike = 0.999,
    power: ArrayLike = 0.75,
    decay_steps: ArrayLike,
) -> optax.GradientTransformation:
    r"""AdaDec (seed 004, eq. 13–15): :func:`~optimizers.transforms.scale_by_adadec`, then ``−η``.

    .. math::
        \theta_{t+1} = \theta_t - \frac{\eta_t\, (1 + t/R)^{-q}}{\sqrt{K + \xi\, g_{t-1}^2 + g_t^2}}\, g_t

    References:
        Senior et al., An empirical study of learning rates in deep neural networks for speech recognition,
        ICASSP 2013; He & Li, Acta Automatica Sinica 42(6), 2016, eq. 13–15
    """
    return optax.chain(
        transforms.scale_by_adadec(decay_steps, offset=offset, xi=xi, power=power),
        optax.scale_by_learning_rate(learning_rate),
    )


def adamix(
    learning_rate: optax.ScalarOrSchedule,
    *,
    offset: ArrayLike = 1.0,
    power: ArrayLike = 0.75,
    decay_steps: ArrayLike,
    bias_mask: optax.Params | None = None,
) -> optax.GradientTransformation:
    r"""AdaMix (seed 004, eq. 16–18): :func:`~optimizers.transforms.scale_by_adamix`, then ``−η``.

    .. math::
        \begin{aligned} \theta_{t+1} &= \theta_t - \eta_t\, a_t\, g_t, \quad a_0 = 1 \\
        a_{t+1} &= a_t / \sqrt{K + g_t^2} \quad \text{(weights)} \\
        a_t &= (1 + t/R)^{-q} \quad \text{(biases)} \end{aligned}

    ``bias_mask`` marks the bias coordinates (True); None treats every coordinate as a weight.

    References:
        He & Li, A combinatory form learning rate scheduling for deep learning model, Acta Automatica Sinica
        42(6), 2016, eq. 16–18
    """
    return optax.chain(
        transforms.scale_by_adamix(decay_steps, bias_mask=bias_mask, offset=offset, power=power),
        optax.scale_by_learning_rate(learning_rate),
    )


def madgrad(
    learning_rate: optax.ScalarOrSchedule, *, momentum: ArrayLike = 0.9, eps: ArrayLike = 1e-6
) -> optax.GradientTransformation:
    r"""MADGRAD (:func:`optax.contrib.madgrad`, ``madgrad.MADGRAD``'s defaults): dual averaging with a cube root.

    .. math::
        \begin{aligned} \lambda_t &= (\eta_t + \epsilon)\sqrt{t + 1}, \quad
        s_t = s_{t-1} + \lambda_t g_t, \quad \nu_t = \nu_{t-1} + \lambda_t g_t^2 \\
        z_t &= \theta_0 - \frac{s_t}{\sqrt[3]{\nu_t} + \epsilon}, \quad
        \theta_{t+1} = \mu\, \theta_t + (1 - \mu)\, z_t \end{aligned}

    The point is pulled towards ``z``, the start point minus a weighted sum of all gradients, each
    coordinate divided by the cube root of its weighted sum of squares.

    As in ``madgrad.MADGRAD`` (the authors'), ``ε`` is added to ``η`` in the weights ``λ``; optax
    takes ``√(t + 1)`` of the int32 step count in float32, so in float64 the two agree to 1e-8
    relative, not to the last digit.

    References:
        Defazio & Jelassi, Adaptivity without Compromise: A Momentumized, Adaptive, Dual Averaged Gradient
        Method for Stochastic Optimization, JMLR 2022; madgrad 1.3
    """
    return optax.contrib.madgrad(learning_rate, momentum=momentum, eps=eps)


_OFFSET = partial(
    FloatParam, low=0.0, high=100.0, help="Constant under the square root (the seed's K = 1).", symbol="K"
)
_POWER = partial(FloatParam, low=0.0, high=5.0, help="Exponent of the power decay (the seed's q = 0.75).", symbol="q")
_DECAY_STEPS = StepsParam(
    fraction=1.0, help="Time scale of the power decay, in steps (the seed: the run length T).", symbol="R"
)

ENTRIES = (
    Optimizer(
        id="adagrad",
        name="AdaGrad",
        family="adagrad",
        params={
            "initial_accumulator": _OFFSET,
            "eps": partial(
                FloatParam,
                low=1e-16,
                high=1e-2,
                log=True,
                help="Added inside the root (optax's convention).",
                symbol=r"\epsilon",
            ),
        },
        description="Per-coordinate learning rate shrinking with the sum of all squared gradients so far.",
        factory=adagrad,
        equivalents=(
            Equivalent(
                TORCH,
                "Adagrad",
                "lr = η, initial_accumulator_value = K; torch adds eps = 1e-10 outside the root, ours is inside "
                "(equal as ε → 0)",
                params={"initial_accumulator_value": "initial_accumulator", "eps": None},
                defaults={"initial_accumulator": 0.0},
            ),
            Equivalent(
                OPTAX,
                "adagrad",
                "learning_rate = η, initial_accumulator_value = K, eps = ε",
                params={"initial_accumulator_value": "initial_accumulator"},
            ),
            Equivalent(
                KERAS,
                "Adagrad",
                "learning_rate = η, initial_accumulator_value = K, epsilon = ε",
                params={"initial_accumulator_value": "initial_accumulator", "epsilon": "eps"},
            ),
        ),
    ),
    Optimizer(
        id="rmsprop",
        name="RMSprop",
        family="adagrad",
        params={
            "rho": partial(
                FloatParam,
                low=0.0,
                high=0.9999,
                help="Decay of the squared-gradient average (torch: 0.99).",
                symbol=r"\rho",
            ),
            "eps": partial(
                FloatParam, low=1e-16, high=1e-1, log=True, help="Added to √E (outside the root).", symbol=r"\epsilon"
            ),
        },
        description="Divides the step by a running root-mean-square of the gradient.",
        factory=rmsprop,
        equivalents=(
            Equivalent(TORCH, "RMSprop", "lr = η, alpha = ρ, eps = ε", params={"alpha": "rho"}),
            Equivalent(
                OPTAX,
                "rmsprop",
                "learning_rate = η, decay = ρ, eps = ε, eps_in_sqrt = False",
                params={"decay": "rho"},
            ),
        ),
    ),
    Optimizer(
        id="adadelta",
        name="AdaDelta",
        family="adagrad",
        params={
            "rho": partial(
                FloatParam, low=0.0, high=0.9999, help="Decay of both running averages (torch: 0.9).", symbol=r"\rho"
            ),
            "eps": partial(
                FloatParam,
                low=1e-16,
                high=1e-1,
                log=True,
                help="Added inside both roots (torch: 1e-6).",
                symbol=r"\epsilon",
            ),
        },
        description="Step sizes from the ratio of running RMS of past updates to that of gradients; η = 1 is classic.",
        factory=adadelta,
        equivalents=(
            Equivalent(TORCH, "Adadelta", "lr = η, rho = ρ, eps = ε"),
            Equivalent(OPTAX, "adadelta", "learning_rate = η (not None: that climbs), rho = ρ, eps = ε"),
            Equivalent(KERAS, "Adadelta", "learning_rate = η, rho = ρ, epsilon = ε", params={"epsilon": "eps"}),
        ),
    ),
    Optimizer(
        id="adadec",
        name="AdaDec",
        family="adagrad",
        params={
            "offset": _OFFSET,
            "xi": partial(
                FloatParam,
                low=0.0,
                high=1.0,
                help="Weight of the previous step's squared gradient (the seed's 0.999).",
                symbol=r"\xi",
            ),
            "power": _POWER,
            "decay_steps": _DECAY_STEPS,
        },
        description="Power-decaying step divided by the root of the last two squared gradients (not all of them).",
        factory=adadec,
    ),
    Optimizer(
        id="adamix",
        name="AdaMix",
        family="adagrad",
        params={"offset": _OFFSET, "power": _POWER, "decay_steps": _DECAY_STEPS},
        description="Weights: a rate shrunk by every gradient in turn; biases (if the surface has one): power decay.",
        factory=adamix,
    ),
    Optimizer(
        id="madgrad",
        name="MADGRAD",
        family="adagrad",
        params={
            "momentum": partial(
                FloatParam, low=0.0, high=0.9999, help="μ: how slowly the point follows z.", symbol=r"\mu"
            ),
            "eps": partial(
                FloatParam, low=1e-16, high=1e-1, log=True, help="Added to the cube root and to η.", symbol=r"\epsilon"
            ),
        },
        description="Dual averaging: the point follows the start minus all past gradients over a cube-root scale.",
        factory=madgrad,
        equivalents=(
            Equivalent("madgrad", "MADGRAD", "lr = η, momentum = μ, eps = ε (weight_decay = 0)"),
            Equivalent(OPTAX_CONTRIB, "madgrad", "learning_rate = η, momentum = μ, eps = ε"),
        ),
    ),
)
