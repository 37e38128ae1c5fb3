"""Layer-wise methods: steps scaled by norms or statistics of a whole layer (a parameter tensor).

On a 2-D surface the point θ = (x, y) is the one layer: every factory here runs its optax
transformation on the point flattened into one vector (:func:`~optimizers.transforms.one_vector`),
so "the layer's norm" is ‖θ‖ = √(x² + y²), the distance from the origin of the surface, and
"the layer's gradient norm" is ‖∇f‖. Trust ratios ‖θ‖/‖u‖ then make the step length proportional
to the distance from the origin: large far out, vanishing near (0, 0), whatever the minimum's place.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, TORCH, TORCH_OPTIMIZER, Optimizer

if TYPE_CHECKING:
    import jax.numpy as jnp
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    jnp = lazy_module("jax.numpy")
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def lamb(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-6,
    weight_decay: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""LAMB (:func:`optax.lamb`, its defaults) on the point as one vector: Adam's step rescaled to ‖θ‖.

    .. math::
        u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda \theta_t, \qquad
        \theta_{t+1} = \theta_t - \eta_t\, \frac{\|\theta_t\|}{\|u_t\|}\, u_t

    The trust ratio makes the step's length ``η‖θ‖`` whatever scales ``u``, so Adam's bias
    correction (a scalar here) only matters through ``ε``: torch-optimizer's ``Lamb`` (the common
    torch port, ``debias=False`` by default) agrees with ``ε = 0`` while ‖θ‖ < 10 (it caps ‖θ‖
    there). Its ``debias=True`` multiplies the *length* by ``√(1 − β₂ᵗ)/(1 − β₁ᵗ)`` after the
    trust ratio (first step ×0.32), which is neither the paper's nor optax's.

    References:
        You et al., Large Batch Optimization for Deep Learning: Training BERT in 76 minutes, ICLR 2020
    """
    return transforms.one_vector(optax.lamb(learning_rate, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay))


def lars(
    learning_rate: optax.ScalarOrSchedule,
    *,
    weight_decay: ArrayLike = 0.0,
    trust_coefficient: ArrayLike = 0.001,
    eps: ArrayLike = 0.0,
    momentum: ArrayLike = 0.9,
) -> optax.GradientTransformation:
    r"""LARS (:func:`optax.lars`, its defaults) on the point as one vector: a trust-ratio-scaled momentum step.

    .. math::
        \begin{aligned} u_t &= \frac{c\, \|\theta_t\|}{\|g_t + \lambda \theta_t\| + \epsilon}\,
        (g_t + \lambda \theta_t) \\
        v_t &= \mu v_{t-1} + \eta_t u_t, \quad \theta_{t+1} = \theta_t - v_t \end{aligned}

    With the paper's trust coefficient ``c = 0.001`` the step is ``η·0.001·‖θ‖`` long: LARS is
    meant for large η (the paper's are 2–30).

    References:
        You et al., Large Batch Training of Convolutional Networks, 2017
    """
    return transforms.one_vector(
        optax.lars(
            learning_rate, weight_decay=weight_decay, trust_coefficient=trust_coefficient, eps=eps, momentum=momentum
        )
    )


def fromage(learning_rate: optax.ScalarOrSchedule, *, min_norm: ArrayLike = 1e-6) -> optax.GradientTransformation:
    r"""Fromage (:func:`optax.fromage`) on the point as one vector: a relative step of η‖θ‖, then a shrink.

    .. math::
        \theta_{t+1} = \frac{1}{\sqrt{1 + \eta_t^2}} \left(\theta_t - \eta_t\, \frac{\|\theta_t\|}{\|g_t\|}\, g_t\right)

    The division by √(1 + η²) keeps ‖θ‖ from growing; norms below ``min_norm`` count as ``min_norm``.

    References:
        Bernstein et al., On the distance between two neural networks and the stability of learning, NeurIPS 2020
    """
    return transforms.one_vector(optax.fromage(learning_rate, min_norm=min_norm))


def adafactor(
    learning_rate: optax.ScalarOrSchedule,
    *,
    decay_rate: ArrayLike = 0.8,
    clipping_threshold: ArrayLike = 1.0,
    min_scale: ArrayLike = 1e-3,
    eps: ArrayLike = 1e-30,
) -> optax.GradientTransformation:
    r"""Adafactor as ``torch.optim.Adafactor`` (its defaults), built from optax's pieces, on the point as one vector.

    .. math::
        \begin{aligned} v_t &= (1 - t^{-c})\, v_{t-1} + t^{-c} (g_t^2 + \epsilon), \quad u_t = g_t / \sqrt{v_t} \\
        \theta_{t+1} &= \theta_t - \min\left(\eta_t, \tfrac{1}{\sqrt t}\right)
        \max(\epsilon_2, \mathrm{RMS}(\theta_t))\,
        \frac{u_t}{\max(1, \mathrm{RMS}(u_t) / d)} \end{aligned}

    The step is relative to the RMS of the point (its distance from the origin over √2), never
    below ``ε₂``; one vector is never factored, so ``v`` is per coordinate. torch's relative step
    ``min(η, 1/√t)`` is kept (:func:`optax.adafactor` has plain ``η``); torch floors ``v`` at
    ``ε₁²`` where optax adds ``ε`` to ``g²``, and optax computes ``t^{-c}`` in float32.

    References:
        Shazeer & Stern, Adafactor: Adaptive Learning Rates with Sublinear Memory Cost, ICML 2018;
        torch.optim.Adafactor
    """

    def relative_step(count):
        lr = learning_rate(count) if callable(learning_rate) else learning_rate
        return jnp.minimum(lr, 1.0 / jnp.sqrt(jnp.asarray(count + 1, jnp.result_type(lr, float))))

    return transforms.one_vector(
        optax.chain(
            optax.scale_by_factored_rms(factored=False, decay_rate=decay_rate, epsilon=eps),
            optax.clip_by_block_rms(clipping_threshold),
            optax.scale_by_learning_rate(relative_step, flip_sign=False),
            optax.scale_by_param_block_rms(min_scale=min_scale),
            optax.scale(-1.0),
        )
    )


def sm3(learning_rate: optax.ScalarOrSchedule, *, momentum: ArrayLike = 0.9) -> optax.GradientTransformation:
    r"""SM3 (:func:`optax.sm3`, its default momentum) on the point as one vector: AdaGrad with covered accumulators.

    .. math::
        \nu_t = \nu_{t-1} + g_t^2, \qquad m_t = \mu m_{t-1} + (1 - \mu)\, \frac{g_t}{\sqrt{\nu_t}}, \qquad
        \theta_{t+1} = \theta_t - \eta_t m_t

    For a vector every coordinate is its own cover, so the accumulators are AdaGrad's sums of
    squares; the memory saving SM3 is for appears only for matrices.

    References:
        Anil et al., Memory-Efficient Adaptive Optimization, NeurIPS 2019
    """
    return transforms.one_vector(optax.chain(optax.scale_by_sm3(momentum), optax.scale_by_learning_rate(learning_rate)))


def novograd(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.25,
    eps: ArrayLike = 1e-6,
    weight_decay: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""NovoGrad (:func:`optax.novograd`, its defaults) on the point as one vector: one second moment for the layer.

    .. math::
        \begin{aligned} v_t &= \beta_2 v_{t-1} + (1 - \beta_2) \|g_t\|^2 \quad (v_1 = \|g_1\|^2) \\
        m_t &= \beta_1 m_{t-1} + \frac{g_t}{\sqrt{v_t} + \epsilon} + \lambda \theta_t, \quad
        \theta_{t+1} = \theta_t - \eta_t m_t \end{aligned}

    The step is the gradient's direction divided by a running ‖g‖: normalised gradient descent with momentum.

    References:
        Ginsburg et al., Stochastic Gradient Methods with Layer-wise Adaptive Moments for Training of Deep
        Networks, 2019
    """
    return transforms.one_vector(optax.novograd(learning_rate, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay))


_ONE_VECTOR = " On a 2-D surface the layer is the whole point θ = (x, y): ‖θ‖ is its distance from the origin."

ENTRIES = (
    Optimizer(
        id="lamb",
        name="LAMB",
        family="layerwise",
        params={
            "b1": partial(FloatParam, low=0.0, high=0.9999, help="Decay of Adam's first moment.", symbol=r"\beta_1"),
            "b2": partial(FloatParam, low=0.0, high=0.99999, help="Decay of Adam's second moment.", symbol=r"\beta_2"),
            "eps": partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Added to √v̂.", symbol=r"\epsilon"),
            "weight_decay": partial(
                FloatParam, low=0.0, high=1.0, help="Added to the Adam step before the trust ratio.", symbol=r"\lambda"
            ),
        },
        description="Adam's step rescaled to length η‖θ‖, ‖θ‖ the point's distance from the origin (one layer).",
        factory=lamb,
        equivalents=(
            Equivalent(
                TORCH_OPTIMIZER,
                "Lamb",
                "lr = η, betas = (β_1, β_2), eps = ε, weight_decay = λ, debias = False (equal at ε = 0 while ‖θ‖ < 10)",
            ),
            Equivalent(OPTAX, "lamb", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ"),
        ),
    ),
    Optimizer(
        id="lars",
        name="LARS",
        family="layerwise",
        params={
            "weight_decay": partial(
                FloatParam, low=0.0, high=1.0, help="L2 term added to the gradient.", symbol=r"\lambda"
            ),
            "trust_coefficient": partial(
                FloatParam,
                low=1e-6,
                high=10.0,
                log=True,
                help="c: the step is c·‖θ‖/‖g‖ times η." + _ONE_VECTOR,
                symbol="c",
            ),
            "eps": partial(FloatParam, low=0.0, high=1.0, help="Added to the gradient's norm.", symbol=r"\epsilon"),
            "momentum": partial(FloatParam, low=0.0, high=0.999, help="Momentum after the scaling.", symbol=r"\mu"),
        },
        description="Momentum SGD with a step of η·c·‖θ‖: length set by the distance from the origin (one layer).",
        factory=lars,
        equivalents=(
            Equivalent(
                "pytorch_optimizer",
                "LARS",
                "lr = η, weight_decay = λ (equal at 0), trust_coefficient = c, momentum = μ; for a matrix (it leaves "
                "vectors unscaled)",
            ),
            Equivalent(
                OPTAX,
                "lars",
                "learning_rate = η, weight_decay = λ, trust_coefficient = c, eps = ε, momentum = μ",
            ),
        ),
    ),
    Optimizer(
        id="fromage",
        name="Fromage",
        family="layerwise",
        params={
            "min_norm": partial(
                FloatParam,
                low=1e-12,
                high=1.0,
                log=True,
                help="Norms below this count as this (near the origin the step would vanish)." + _ONE_VECTOR,
                symbol=r"\|\cdot\|_{\min}",
            ),
        },
        description="A step of relative length η (η‖θ‖ along −g), then a shrink by √(1+η²): ‖θ‖ is the layer's norm.",
        factory=fromage,
        equivalents=(
            Equivalent("pytorch_optimizer", "Fromage", "lr = η (p_bound = None)"),
            Equivalent(OPTAX, "fromage", "learning_rate = η, min_norm = ‖·‖_min"),
        ),
    ),
    Optimizer(
        id="adafactor",
        name="Adafactor",
        family="layerwise",
        params={
            "decay_rate": partial(
                FloatParam,
                low=0.0,
                high=2.0,
                help="c: the second moment averages with weight t^−c (torch's beta2_decay = −c).",
                symbol="c",
            ),
            "clipping_threshold": partial(
                FloatParam, low=1e-3, high=100.0, log=True, help="d: the step's RMS is capped at d.", symbol="d"
            ),
            "min_scale": partial(
                FloatParam,
                low=1e-8,
                high=1.0,
                log=True,
                help="ε₂: the smallest RMS of θ the step is relative to." + _ONE_VECTOR,
                symbol=r"\epsilon_2",
            ),
            "eps": partial(FloatParam, low=1e-40, high=1e-3, log=True, help="Added to g².", symbol=r"\epsilon"),
        },
        description="RMS-normalised, clipped steps relative to the point's RMS (distance from the origin over √2).",
        factory=adafactor,
        equivalents=(
            Equivalent(
                TORCH,
                "Adafactor",
                "lr = η, beta2_decay = −c, d = d, eps = (None, ε_2); torch floors v at ε_1² where ours adds ε",
                params={"beta2_decay": None, "d": "clipping_threshold", "eps": None},
            ),
            Equivalent(
                OPTAX,
                "adafactor",
                "learning_rate = η, decay_rate = c, clipping_threshold = d, eps = ε; optax's step is η, "
                "not min(η, 1/√t): the same while η ≤ 1/√t",
            ),
        ),
    ),
    Optimizer(
        id="sm3",
        name="SM3",
        family="layerwise",
        params={
            "momentum": partial(
                FloatParam, low=0.0, high=0.9999, help="Momentum of the normalised step.", symbol=r"\mu"
            ),
        },
        description="AdaGrad with accumulators shared over covers; for the point (one vector) each coordinate its own.",
        factory=sm3,
        equivalents=(
            Equivalent(
                "pytorch_optimizer",
                "SM3",
                "lr = η, momentum = μ (its default 0), eps = 1e-8 (optax's, fixed; its default 1e-30)",
                params={"eps": None},
                defaults={"momentum": 0.0},
            ),
            Equivalent(OPTAX, "sm3", "learning_rate = η, momentum = μ"),
        ),
    ),
    Optimizer(
        id="novograd",
        name="NovoGrad",
        family="layerwise",
        params={
            "b1": partial(FloatParam, low=0.0, high=0.9999, help="Momentum coefficient.", symbol=r"\beta_1"),
            "b2": partial(
                FloatParam,
                low=0.0,
                high=0.9999,
                help="Decay of the layer's ‖g‖² average (one number for the whole point)." + _ONE_VECTOR,
                symbol=r"\beta_2",
            ),
            "eps": partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Added to √v.", symbol=r"\epsilon"),
            "weight_decay": partial(
                FloatParam, low=0.0, high=1.0, help="Added to the normalised step.", symbol=r"\lambda"
            ),
        },
        description="Momentum on g/‖g‖ averaged over the layer (the whole point): normalised gradient descent.",
        factory=novograd,
        equivalents=(
            Equivalent(
                TORCH_OPTIMIZER,
                "NovoGrad",
                "lr = η, betas = (β_1, β_2) (its defaults 0.95, 0), eps = ε (its 1e-8), weight_decay = λ, "
                "grad_averaging = False",
                defaults={"b1": 0.95, "b2": 0.0, "eps": 1e-8},
            ),
            Equivalent(OPTAX, "novograd", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ"),
        ),
    ),
)
