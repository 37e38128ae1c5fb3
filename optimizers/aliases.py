"""The optimizers the app offers, as optax compositions with torch's conventions.

Each factory takes the learning rate first (a number or an optax schedule, called with the
optimizer's own 0-based step count: the k-th update uses ``learning_rate(k)``) and its
hyperparameters as keywords, any of which may be a traced scalar. The keywords' defaults
are the registry's (``optimizers.OPTIMIZERS``): torch's where the reference pipeline used
torch, the seeds' where the algorithm comes from a seed.
"""

from __future__ import annotations

import jax
import optax

from optimizers import transforms

__all__ = [
    "adadec",
    "adadelta",
    "adagrad",
    "adam",
    "adamix",
    "heavy_ball",
    "lookahead",
    "nesterov",
    "rmsprop",
    "sgd",
    "yogi",
]

ArrayLike = jax.typing.ArrayLike


def sgd(learning_rate: optax.ScalarOrSchedule) -> optax.GradientTransformation:
    r"""Plain gradient descent, ``θ_{t+1} = θ_t − η_t g_t`` (:func:`optax.sgd`)."""
    return optax.sgd(learning_rate)


def heavy_ball(
    learning_rate: optax.ScalarOrSchedule, *, momentum: ArrayLike = 0.9, dampening: ArrayLike = 0.0
) -> optax.GradientTransformation:
    r"""Heavy-ball momentum in torch's form (``torch.optim.SGD(momentum=μ, dampening=d)``).

    .. math::
        v_1 = g_1, \quad v_t = \mu v_{t-1} + (1 - d) g_t, \quad \theta_{t+1} = \theta_t - \eta_t v_t.

    With ``d = 0`` this is ``optax.sgd(η, momentum=μ)``; torch leaves the first gradient undamped.

    References:
        Polyak, Some methods of speeding up the convergence of iteration methods, 1964
    """
    return optax.chain(
        transforms.dampen_after_first(dampening),
        optax.trace(decay=momentum),
        optax.scale_by_learning_rate(learning_rate),
    )


def nesterov(learning_rate: optax.ScalarOrSchedule, *, momentum: ArrayLike = 0.9) -> optax.GradientTransformation:
    r"""Nesterov momentum in torch's form (``torch.optim.SGD(momentum=μ, nesterov=True)``).

    .. math::
        v_t = \mu v_{t-1} + g_t, \quad \theta_{t+1} = \theta_t - \eta_t (g_t + \mu v_t),

    which is ``optax.sgd(η, momentum=μ, nesterov=True)`` (``v_0 = 0``).

    References:
        Sutskever et al., On the importance of initialization and momentum in deep learning, 2013
    """
    return optax.sgd(learning_rate, momentum=momentum, nesterov=True)


def adam(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.999, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""Adam, bias-corrected, ``ε`` outside the root: :func:`optax.adam` (the same as ``torch.optim.Adam``)
    with ``β^t`` as a running product (:func:`~optimizers.transforms.scale_by_adam_powers`), then ``−η``.

    References:
        Kingma & Ba, Adam: A Method for Stochastic Optimization, 2015
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
    r"""Yogi as torch-optimizer has it: :func:`~optimizers.transforms.scale_by_yogi_ref`, then ``−η``."""
    return optax.chain(
        transforms.scale_by_yogi_ref(
            b1, b2, eps, initial_m=initial_m, initial_v=initial_v, bias_correction=bias_correction
        ),
        optax.scale_by_learning_rate(learning_rate),
    )


def lookahead(
    inner: optax.GradientTransformation, *, k: ArrayLike = 5, alpha: ArrayLike = 0.5, first_step_sync: ArrayLike = True
) -> optax.GradientTransformation:
    r"""Lookahead around ``inner`` (:func:`~optimizers.transforms.lookahead`); the LR is the inner one's."""
    return transforms.lookahead(inner, k, alpha, first_step_sync=first_step_sync)


def adagrad(
    learning_rate: optax.ScalarOrSchedule, *, initial_accumulator: ArrayLike = 1.0, eps: ArrayLike = 1e-10
) -> optax.GradientTransformation:
    r"""AdaGrad in the seed's form (seed 004, eq. 12), via :func:`optax.scale_by_rss`.

    .. math::
        \theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{K + \sum_{s \le t} g_s^2 + \epsilon}}\, g_t.

    ``K`` (``initial_accumulator``) starts the sum of squares: the seed's ``K = 1``; torch
    starts at 0 with ``ε = 1e-10`` outside the root, optax at 0.1 with ``ε`` inside it. The
    sum includes the current gradient (Duchi et al.); read literally, the seed's indices
    would leave it out. A zero sum gives a zero update.

    References:
        Duchi et al., Adaptive subgradient methods for online learning and stochastic
        optimization, 2011; He & Li, Acta Automatica Sinica 42(6), 2016, eq. 12
    """
    return optax.adagrad(learning_rate, initial_accumulator_value=initial_accumulator, eps=eps)


def rmsprop(
    learning_rate: optax.ScalarOrSchedule, *, rho: ArrayLike = 0.99, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""RMSprop in torch's form (``torch.optim.RMSprop`` defaults: ρ = 0.99, ε = 1e-8 outside the root).

    .. math::
        E_t = \rho E_{t-1} + (1 - \rho) g_t^2, \quad \theta_{t+1} = \theta_t - \frac{\eta_t}{\sqrt{E_t} + \epsilon} g_t,

    ``E_0 = 0``, no bias correction: ``optax.rmsprop(η, decay=ρ, eps=ε, eps_in_sqrt=False)``.

    References:
        Tieleman & Hinton, Lecture 6.5 - RMSProp, COURSERA: Neural Networks for Machine Learning, 2012
    """
    return optax.rmsprop(learning_rate, decay=rho, eps=eps, eps_in_sqrt=False)


def adadelta(
    learning_rate: optax.ScalarOrSchedule, *, rho: ArrayLike = 0.9, eps: ArrayLike = 1e-6
) -> optax.GradientTransformation:
    r"""AdaDelta in torch's form (``torch.optim.Adadelta``: ρ = 0.9, ε = 1e-6; η = 1 is Zeiler's algorithm).

    .. math::
        E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2, \quad
        \Delta_t = \frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t, \quad
        E[\Delta^2]_t = \rho E[\Delta^2]_{t-1} + (1-\rho) \Delta_t^2, \quad
        \theta_{t+1} = \theta_t - \eta_t \Delta_t.

    :func:`optax.scale_by_adadelta` computes ``Δ_t`` (a descent direction with a plus sign);
    ``optax.adadelta(learning_rate=None)`` adds it unscaled and so climbs. Here it is always
    followed by ``−η``.

    References:
        Zeiler, ADADELTA: An Adaptive Learning Rate Method, 2012
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
    r"""AdaDec (seed 004, eq. 13–15): :func:`~optimizers.transforms.scale_by_adadec`, then ``−η``."""
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
    r"""AdaMix (seed 004, eq. 16–18): :func:`~optimizers.transforms.scale_by_adamix`, then ``−η``."""
    return optax.chain(
        transforms.scale_by_adamix(decay_steps, bias_mask=bias_mask, offset=offset, power=power),
        optax.scale_by_learning_rate(learning_rate),
    )
