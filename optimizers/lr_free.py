"""Learning-rate-free methods: the step size comes from the run itself (distances travelled, the loss gap).

Factories as in :mod:`optimizers.sgd`. Their ``learning_rate`` is a multiplier of the method's own
estimate (1 is the authors' setting) or, for the Polyak-type steps, a cap on it. The page shows
each method's own estimate over time in "Inside the optimizer" (internal ``lr_estimate``).
Polyak SGD and MoMo need the loss value at each step and a lower bound of the loss: the engine
passes the surface's minimum value ``min_value`` (f*; see :mod:`engine.batch`), and
``lower_bound_gap`` moves the bound below (or, negative, above) it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import BoolParam, ChoiceParam, FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, OPTAX_CONTRIB, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def prodigy(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    d0: ArrayLike = 1e-6,
    d_coef: ArrayLike = 1.0,
    weight_decay: ArrayLike = 0.0,
    bias_correction: bool = False,
) -> optax.GradientTransformation:
    r"""Prodigy as the authors' ``prodigyopt.Prodigy`` (no bias correction by default; optax always corrects).

    .. math::
        \begin{aligned} d_{t+1} &= \max\left(d_t,\ \kappa\, \frac{\sum_{s \le t} \beta_3^{t-s} \tfrac{d_s}{d_0}
        \eta'_s \langle g_s, \theta_0 - \theta_s \rangle}
        {\|\sum_{s \le t} \beta_3^{t-s} \tfrac{d_s}{d_0} \eta'_s g_s\|_1}\right),
        \quad \eta'_t = d_t \eta_t \\
        \theta_{t+1} &= \theta_t - \eta'_t\, \frac{m_t}{\sqrt{v_t} + d_{t+1} \epsilon} \end{aligned}

    ``d`` (the distance to the solution it estimates, shown as ``lr_estimate``) only grows, from
    ``d_0``; ``m``, ``v`` are Adam's moments of ``d·g``, ``β₃ = √β₂``.
    :func:`~optimizers.transforms.prodigy_ref`.

    In a narrow valley ``d`` can outgrow the valley's width, and the Adam-normalised steps (about
    ``η d`` long) then bounce across it: on Rosenbrock from (−1.5, 2) at ``η = 1`` the loss falls
    from 12.5 to 5, then climbs to about 100 by step 100 (``d ≈ 0.27``), as ``prodigyopt`` does
    step for step (tests/test_reference_optimizers.py). Clipping the gradient to norm 1 (the
    page's default) lets ``d`` grow further (0.5 in float64, 1.5 in float32, where rounding sends
    the chaotic path elsewhere: loss 831 after 200 steps; ``prodigyopt`` with the same clipping
    reaches 1.5·10⁴ in float32). This is Prodigy's behaviour, not a bug: ``d`` never shrinks; a
    smaller ``η`` or ``κ`` (``d_coef``) keeps the steps inside such a valley.

    References:
        Mishchenko & Defazio, Prodigy: An Expeditiously Adaptive Parameter-Free Learner, ICML 2024; prodigyopt 1.1.2
    """
    return transforms.prodigy_ref(
        learning_rate,
        b1,
        b2,
        eps=eps,
        d0=d0,
        d_coef=d_coef,
        weight_decay=weight_decay,
        bias_correction=bias_correction,
    )


def dadapt_adamw(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    d0: ArrayLike = 1e-6,
    weight_decay: ArrayLike = 0.0,
    bias_correction: bool = False,
) -> optax.GradientTransformation:
    r"""D-Adaptation for AdamW as the authors' ``dadaptation.DAdaptAdam`` (3.2, its defaults: no bias correction).

    .. math::
        \begin{aligned} d_{t+1} &= \max\left(d_t,\ \frac{\sum_s \sqrt{\beta_2}^{\,t-s} (1 - \sqrt{\beta_2})\,
        \eta'_s \langle g_s, s_{s-1} / (\sqrt{v_{s-1}} + \epsilon) \rangle}{(1 - \sqrt{\beta_2})\, \|s_t\|_1}\right),
        \quad \eta'_t = d_t \eta_t c_t \\
        \theta_{t+1} &= \theta_t - \frac{m_t}{\sqrt{v_t} + \epsilon} - \lambda \eta'_t \theta_t \end{aligned}

    with ``m`` the momentum of ``η' g``, ``s`` the decayed sum of ``η' g`` and ``c_t`` Adam's bias
    correction ``√(1 − β₂ᵗ)/(1 − β₁ᵗ)`` when ``bias_correction`` is on, else 1. torch has no
    D-Adaptation, so the default is the authors' (``use_bias_correction=False``);
    :func:`optax.contrib.dadapt_adamw` always corrects, which makes the first steps about three
    times shorter and ``d`` grow more slowly (:func:`~optimizers.transforms.dadapt_adamw_ref`).
    The weight decay is decoupled (the package's ``decouple=True``; its default adds it to the
    gradient instead).

    References:
        Defazio & Mishchenko, Learning-Rate-Free Learning by D-Adaptation, ICML 2023; dadaptation 3.2
    """
    return transforms.dadapt_adamw_ref(
        learning_rate, b1, b2, eps=eps, d0=d0, weight_decay=weight_decay, bias_correction=bias_correction
    )


def _dog_with_eps(learning_rate, reps_rel, eps):
    return optax.contrib.dog(learning_rate, init_step=("heuristic", reps_rel), eps=eps)


def dog(
    learning_rate: optax.ScalarOrSchedule, *, reps_rel: ArrayLike = 1e-6, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""DoG, "Distance over Gradients" (:func:`optax.contrib.dog`, the authors' ``dog-optimizer`` defaults).

    .. math::
        \bar r_t = \max\left(r_\epsilon, \max_{s \le t} \|\theta_s - \theta_0\|\right), \quad
        r_\epsilon = \rho (1 + \|\theta_0\|), \qquad
        \theta_{t+1} = \theta_t - \eta_t\, \frac{\bar r_t}{\sqrt{\sum_{s \le t} \|g_s\|^2 + \epsilon}}\, g_t

    The step size (shown as ``lr_estimate``) grows with the distance travelled and shrinks with
    the gradients seen; ``η = 1`` is the authors'. Built with :func:`optax.inject_hyperparams` so
    that the state knows ``ε``.

    References:
        Ivgi et al., DoG is SGD's Best Friend: A Parameter-Free Dynamic Step Size Schedule, ICML 2023;
        dog-optimizer 1.0.3
    """
    return optax.inject_hyperparams(_dog_with_eps)(learning_rate, reps_rel=reps_rel, eps=eps)


def dowg(learning_rate: optax.ScalarOrSchedule, *, eps: ArrayLike = 1e-4) -> optax.GradientTransformation:
    r"""DoWG, "Distance over Weighted Gradients" (:func:`optax.contrib.dowg`, its defaults).

    .. math::
        \bar r_t^2 = \max\left(\bar r_{t-1}^2, \|\theta_t - \theta_0\|^2\right), \quad
        v_t = v_{t-1} + \bar r_t^2 \|g_t\|^2, \qquad
        \theta_{t+1} = \theta_t - \eta_t\, \frac{\bar r_t^2}{\sqrt{v_t} + \epsilon}\, g_t

    with ``r̄₀² = ε``. Built with :func:`optax.inject_hyperparams` so that the state knows ``ε``.

    References:
        Khaled et al., DoWG Unleashed: An Efficient Universal Parameter-Free Gradient Descent Method, NeurIPS 2023
    """
    return optax.inject_hyperparams(optax.contrib.dowg)(learning_rate, eps=eps)


def cocob(
    learning_rate: optax.ScalarOrSchedule, *, alpha: ArrayLike = 100.0, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""COCOB-Backprop (:func:`optax.contrib.cocob`, its defaults): coin betting, no step size at all.

    .. math::
        \theta_{t+1} = \theta_0 + \frac{-\sum_{s \le t} g_s}{L_t \max(G_t + L_t, \alpha L_t)}\,(L_t + R_t)

    per coordinate, with ``L`` the largest ``|g|`` so far, ``G = Σ|g|`` and ``R`` the reward
    (wealth won so far). Scaling the gradient changes nothing, so the learning rate (which optax
    multiplies the gradient by) has no effect except through ``ε``. The fraction multiplying
    ``−Σg`` is shown as ``lr_estimate``.

    References:
        Orabona & Tommasi, Training Deep Networks without Learning Rates Through Coin Betting, NeurIPS 2017
    """
    return optax.inject_hyperparams(optax.contrib.cocob)(learning_rate, alpha=alpha, eps=eps)


def mechanize(
    inner: optax.GradientTransformation,
    *,
    weight_decay: ArrayLike = 0.01,
    eps: ArrayLike = 1e-8,
    s_init: ArrayLike = 1e-6,
) -> optax.GradientTransformation:
    r"""Mechanic around ``inner`` (:func:`optax.contrib.mechanize`, its defaults): learns a scale of the inner steps.

    .. math::
        \theta_{t+1} = \theta_0 + s_{t+1} \sum_{k \le t} \mathrm{inner}(g_k), \qquad
        s_{t+1} = \sum_{i=1}^{6} \frac{W_{t,i}}{\sqrt{v_{t,i}} + \epsilon}

    with six betting "wealths" ``W`` (``β_i = 1 − 10^{−i}``) fed by ``h_t = ⟨g_t, Σ_k inner(g_k)⟩``.
    ``s`` (shown as ``lr_estimate``) starts at 6·``s_init`` and multiplies the inner optimizer's
    learning rate; leave that at 1. The authors' ``mechanic_pytorch.mechanize`` (0.0.1) differs in
    its tuner's details: its scales start at 0 and its ``m`` at 1e-6 (so its first step is
    ``Σβ_i/6 ≈ 0.98`` of this one's at its defaults), it floors ``m`` at ``|h|`` (optax:
    ``|h| + ε``), does not clip ``h`` in the reward, and scales its decay by the norm of the point
    after the inner step; the paths stay close, not equal.

    References:
        Cutkosky et al., Mechanic: A Learning Rate Tuner, NeurIPS 2023
    """
    return optax.contrib.mechanize(inner, weight_decay=weight_decay, eps=eps, s_init=s_init)


def polyak_sgd(
    learning_rate: optax.ScalarOrSchedule,
    *,
    eps: ArrayLike = 0.0,
    variant: str = "sps",
    lower_bound_gap: ArrayLike = 0.0,
    min_value: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""Polyak's step size capped by the learning rate: :func:`optax.polyak_sgd` with the schedule as its cap.

    .. math::
        \theta_{t+1} = \theta_t - \min\left(\frac{f(\theta_t) - f^\star}{\|g_t\|^2 + \epsilon},\ \eta_t\right) g_t

    ``f*`` is the surface's minimum value less ``lower_bound_gap`` (the engine passes
    ``min_value``; on a surface with none known, the lowest value of its window). "sps+"
    clips a negative gap ``f − f*`` to 0 (no step) instead of stepping uphill.

    References:
        Polyak, Introduction to Optimization, 1987; Loizou et al., Stochastic Polyak Step-size for SGD, AISTATS 2021
    """
    polyak = optax.inject_hyperparams(optax.scale_by_polyak, static_args=("variant",))(
        max_learning_rate=learning_rate, f_min=min_value - lower_bound_gap, eps=eps, variant=variant
    )
    return optax.chain(optax.scale(-1.0), polyak)


def momo(
    learning_rate: optax.ScalarOrSchedule,
    *,
    beta: ArrayLike = 0.9,
    weight_decay: ArrayLike = 0.0,
    adapt_lower_bound: bool = False,
    lower_bound_gap: ArrayLike = 0.0,
    min_value: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""MoMo (:func:`optax.contrib.momo`, the authors' defaults): momentum SGD with a Polyak-type step, capped by η.

    .. math::
        \begin{aligned} d_t &= \beta d_{t-1} + (1 - \beta) g_t, \quad
        \bar f_t = \beta \bar f_{t-1} + (1 - \beta) f(\theta_t), \quad
        \gamma_t = \beta \gamma_{t-1} + (1 - \beta) \langle g_t, \theta_t \rangle \\
        \tau_t &= \min\left(\eta_t,
        \frac{(\bar f_t - f^\star - \gamma_t + \langle d_t, \theta_t \rangle)_+}{\|d_t\|^2}\right),
        \quad \theta_{t+1} = \theta_t - \tau_t d_t \end{aligned}

    The authors' lower bound is 0, a nonnegative loss's minimum; here it is the surface's
    minimum value ``f*`` (the engine passes ``min_value``) less ``lower_bound_gap``.

    It agrees with the authors' ``momo.Momo`` (momo-opt 0.1.0) in float64, the adaptive bound
    (``use_fstar``) included, except with weight decay: optax divides only ``θ`` by
    ``1 + ηλ`` (``θ/(1 + ηλ) − τ d``), the authors the whole new point (``(θ − τ d)/(1 + ηλ)``).

    References:
        Schaipp et al., MoMo: Momentum Models for Adaptive Learning Rates, ICML 2024
    """
    return optax.contrib.momo(
        learning_rate,
        beta=beta,
        lower_bound=min_value - lower_bound_gap,
        weight_decay=weight_decay,
        adapt_lower_bound=adapt_lower_bound,
    )


def momo_adam(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 0.0,
    adapt_lower_bound: bool = False,
    lower_bound_gap: ArrayLike = 0.0,
    min_value: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""MoMo-Adam (:func:`optax.contrib.momo_adam`, the authors' defaults): Adam with a Polyak-type step, capped by η.

    .. math::
        \begin{aligned} D_t &= \sqrt{\hat v_t} + \epsilon, \quad
        \tau_t = \min\left(\frac{\eta_t}{1 - \beta_1^t},
        \frac{(\bar f_t - (1 - \beta_1^t) f^\star - \gamma_t + \langle m_t, \theta_t \rangle)_+}
        {\langle m_t, m_t / D_t \rangle}\right) \\
        \theta_{t+1} &= \theta_t - \tau_t\, m_t / D_t \end{aligned}

    with ``m``, ``f̄``, ``γ`` exponential averages of ``g``, ``f(θ)`` and ``⟨g, θ⟩`` (weight ``1 − β₁``).
    It agrees with the authors' ``momo.MomoAdam`` (momo-opt 0.1.0) in float64 except with weight
    decay, which optax applies to ``θ`` alone (as in :func:`momo`).

    References:
        Schaipp et al., MoMo: Momentum Models for Adaptive Learning Rates, ICML 2024
    """
    return optax.contrib.momo_adam(
        learning_rate,
        b1=b1,
        b2=b2,
        eps=eps,
        lower_bound=min_value - lower_bound_gap,
        weight_decay=weight_decay,
        adapt_lower_bound=adapt_lower_bound,
    )


_GAP = partial(
    FloatParam,
    low=-100.0,
    high=100.0,
    help=(
        "How far below the surface's minimum value f* the method's lower bound of the loss sits (0: exactly f*; "
        "negative: a bound above the minimum, which stops the method short of it)."
    ),
    symbol=r"\delta",
)
_ADAPT = partial(
    BoolParam,
    help="Estimate the lower bound on the fly, starting from f* − δ (the paper's MoMo*, for an unknown bound).",
)
_D0 = partial(
    FloatParam, low=1e-12, high=10.0, log=True, help="The starting estimate d₀ (it only grows).", symbol="d_0"
)
_BETA1 = partial(FloatParam, low=0.0, high=0.9999, help="Decay of the first moment.", symbol=r"\beta_1")
_BETA2 = partial(FloatParam, low=0.0, high=0.99999, help="Decay of the second moment.", symbol=r"\beta_2")
_EPS = partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Added to √v.", symbol=r"\epsilon")
_DECAY = partial(FloatParam, low=0.0, high=1.0, help="Decoupled weight decay.", symbol=r"\lambda")

ENTRIES = (
    Optimizer(
        id="prodigy",
        name="Prodigy",
        family="lr_free",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
            "d0": _D0,
            "d_coef": partial(
                FloatParam, low=1e-3, high=100.0, log=True, help="κ: multiplies every estimate of d.", symbol=r"\kappa"
            ),
            "weight_decay": _DECAY,
            "bias_correction": partial(
                BoolParam,
                help="Adam's bias correction of the step (prodigyopt: off; optax: always on, shorter first steps).",
            ),
        },
        description="Adam whose step size d grows from d₀ towards an estimate of the distance to the solution.",
        factory=prodigy,
        equivalents=(
            Equivalent(
                "prodigyopt",
                "Prodigy",
                "lr = η, betas = (β_1, β_2), eps = ε, d0 = d_0, d_coef = κ, weight_decay = λ, "
                "use_bias_correction = bias_correction",
                params={"use_bias_correction": "bias_correction"},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "prodigy",
                "learning_rate = η, betas = (β_1, β_2), eps = ε, estim_lr0 = d_0, estim_lr_coef = κ, weight_decay = λ; "
                "always bias-corrected",
                params={"estim_lr0": "d0", "estim_lr_coef": "d_coef"},
                defaults={"bias_correction": True},
            ),
        ),
    ),
    Optimizer(
        id="dadapt_adamw",
        name="D-Adaptation AdamW",
        family="lr_free",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
            "d0": _D0,
            "weight_decay": _DECAY,
            "bias_correction": partial(
                BoolParam,
                help="Adam's bias correction of the step (dadaptation: off; optax: always on, shorter first steps).",
            ),
        },
        description="AdamW whose step size d grows from a lower bound on the distance to the solution.",
        factory=dadapt_adamw,
        equivalents=(
            Equivalent(
                "dadaptation",
                "DAdaptAdam",
                "lr = η, betas = (β_1, β_2), eps = ε, d0 = d_0, weight_decay = λ, decouple = True, "
                "use_bias_correction = bias_correction",
                params={"use_bias_correction": "bias_correction", "decouple": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "dadapt_adamw",
                "learning_rate = η, betas = (β_1, β_2), eps = ε, estim_lr0 = d_0, weight_decay = λ; always "
                "bias-corrected",
                params={"estim_lr0": "d0"},
                defaults={"bias_correction": True},
            ),
        ),
    ),
    Optimizer(
        id="dog",
        name="DoG",
        family="lr_free",
        params={
            "reps_rel": partial(
                FloatParam,
                low=1e-12,
                high=1.0,
                log=True,
                help="ρ: the first step's distance is ρ(1 + ‖θ₀‖).",
                symbol=r"\rho",
            ),
            "eps": partial(FloatParam, low=1e-16, high=1.0, log=True, help="Added to Σ‖g‖².", symbol=r"\epsilon"),
        },
        description="Gradient descent with step = largest distance from the start / √(sum of squared gradient norms).",
        factory=dog,
        equivalents=(
            Equivalent("dog", "DoG", "lr = η, reps_rel = ρ, eps = ε (weight_decay = 0)"),
            Equivalent(
                OPTAX_CONTRIB,
                "dog",
                "learning_rate = η, init_step = ('heuristic', ρ), eps = ε",
                params={"init_step": None},
            ),
        ),
    ),
    Optimizer(
        id="dowg",
        name="DoWG",
        family="lr_free",
        params={
            "eps": partial(
                FloatParam,
                low=1e-16,
                high=1.0,
                log=True,
                help="The first squared distance r̄₀², and added to √v.",
                symbol=r"\epsilon",
            ),
        },
        description="DoG with the gradients weighted by the distance travelled when they were seen.",
        factory=dowg,
        equivalents=(Equivalent(OPTAX_CONTRIB, "dowg", "learning_rate = η, eps = ε"),),
    ),
    Optimizer(
        id="cocob",
        name="COCOB",
        family="lr_free",
        params={
            "alpha": partial(
                FloatParam,
                low=1.0,
                high=1e4,
                log=True,
                help="Caps the first bets: the fraction stays below 1/(α·L) for about α steps.",
                symbol=r"\alpha",
            ),
            "eps": partial(
                FloatParam, low=1e-16, high=1e-2, log=True, help="The first L (largest |g|).", symbol=r"\epsilon"
            ),
        },
        description="Coin betting per coordinate: no step size; the learning rate has no effect.",
        factory=cocob,
        equivalents=(Equivalent(OPTAX_CONTRIB, "cocob", "learning_rate = η, alpha = α, eps = ε"),),
    ),
    Optimizer(
        id="mechanize",
        name="Mechanic",
        family="lr_free",
        params={
            "weight_decay": partial(
                FloatParam, low=0.0, high=1.0, help="Mechanic's own decay, scaled by s·‖g‖/‖θ‖.", symbol=r"\lambda"
            ),
            "eps": partial(FloatParam, low=1e-16, high=1e-2, log=True, help="Added to √v.", symbol=r"\epsilon"),
            "s_init": partial(
                FloatParam, low=1e-12, high=1.0, log=True, help="Each of the six scales' start.", symbol=r"s_0"
            ),
        },
        description="Wraps another optimizer and learns a scale for its steps by betting (set the inner LR to 1).",
        factory=mechanize,
        equivalents=(
            Equivalent(
                OPTAX_CONTRIB,
                "mechanize",
                "base_optimizer = the inner one, weight_decay = λ, eps = ε, s_init = s_0",
            ),
            Equivalent(
                "mechanic_pytorch",
                "mechanize",
                "mechanize(Base)(params, ...), s_decay = λ, eps = ε; close, not equal: the docstring says how",
                params={"s_decay": "weight_decay", "s_init": None},
            ),
        ),
    ),
    Optimizer(
        id="polyak_sgd",
        name="Polyak SGD",
        family="lr_free",
        params={
            "eps": partial(FloatParam, low=0.0, high=1.0, help="Added to ‖g‖².", symbol=r"\epsilon"),
            "variant": partial(
                ChoiceParam,
                choices=("sps", "sps+"),
                help="sps: step by f − f* even when negative (uphill); sps+: clip it at 0.",
            ),
            "lower_bound_gap": _GAP,
        },
        description="Step size (f − f*)/‖g‖², capped by η: the exact step to f* on a linear model.",
        factory=polyak_sgd,
        extra_args=("value",),
        equivalents=(
            Equivalent(
                OPTAX,
                "polyak_sgd",
                "max_learning_rate = η, f_min = f* − δ, eps = ε, variant = variant",
                params={"max_learning_rate": None, "f_min": None},
            ),
        ),
    ),
    Optimizer(
        id="momo",
        name="MoMo",
        family="lr_free",
        params={
            "beta": partial(
                FloatParam, low=0.0, high=0.9999, help="Momentum (averaging) coefficient.", symbol=r"\beta"
            ),
            "weight_decay": _DECAY,
            "adapt_lower_bound": _ADAPT,
            "lower_bound_gap": _GAP,
        },
        description="Momentum SGD whose step is a Polyak step of a momentum model of the loss, capped by η.",
        factory=momo,
        extra_args=("value",),
        equivalents=(
            Equivalent(
                "momo",
                "Momo",
                "lr = η, beta = β, lb = f* − δ, weight_decay = λ (equal at 0: the docstring says how), "
                "use_fstar = adapt_lower_bound, bias_correction = False",
                params={"lb": None, "use_fstar": "adapt_lower_bound", "bias_correction": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "momo",
                "learning_rate = η, beta = β, lower_bound = f* − δ, weight_decay = λ, adapt_lower_bound",
                params={"lower_bound": None},
            ),
        ),
    ),
    Optimizer(
        id="momo_adam",
        name="MoMo-Adam",
        family="lr_free",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
            "weight_decay": _DECAY,
            "adapt_lower_bound": _ADAPT,
            "lower_bound_gap": _GAP,
        },
        description="Adam whose step is a Polyak step of a momentum model of the loss, capped by η.",
        factory=momo_adam,
        extra_args=("value",),
        equivalents=(
            Equivalent(
                "momo",
                "MomoAdam",
                "lr = η, betas = (β_1, β_2), eps = ε, lb = f* − δ, weight_decay = λ (equal at 0), "
                "use_fstar = adapt_lower_bound, divide = True",
                params={"lb": None, "use_fstar": "adapt_lower_bound", "betas": None, "divide": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "momo_adam",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, lower_bound = f* − δ, weight_decay = λ, "
                "adapt_lower_bound",
                params={"lower_bound": None},
            ),
        ),
    ),
)
