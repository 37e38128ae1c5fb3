"""Smooth decay schedules (survey Table 3): polynomial, exponential, inverse-time, cosine and kin.

References:
  Liu & Zhang, Research advances in deep neural networks learning rate strategies, Control and
  Decision 38(9), 2023, Table 3; defaults from ``YunDuanFei/Vis-FuncNet`` (``lr_schedulers/``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from common.params import FloatParam, IntParam, StepsParam
from common.registry import Equivalent
from schedules._base import KERAS, OPTAX, TORCH, Schedule, as_steps, at_start_is_lr, full, gaussian_noise

POLY_EPS = 1e-8  # the reference adds it to polychen_lr
NOISE_FLOOR = 1e-4  # the reference adds it (absolute) to linearcosinenoise_lr


def polychen_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, power: float = 0.9) -> np.ndarray:
    r"""Polynomial ("poly") decay to zero at ``T``.

    .. math::
        \eta_k = \begin{cases} \eta_0, & k = 0 \\
        \eta_0 \left(1 - \frac{k}{T}\right)^{\alpha} + 10^{-8}, & k \ge 1 \end{cases}

    References:
      Chen et al., DeepLab: semantic image segmentation with deep convolutional nets, atrous convolution,
      and fully connected CRFs, IEEE TPAMI 2018
    """
    remaining = np.clip(1.0 - as_steps(k) / total_steps, 0.0, None)
    return at_start_is_lr(k, lr, lr * remaining**power + POLY_EPS)


def polybottou_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, lam: float = 5.0, power: float = 2.0) -> np.ndarray:
    r"""Bottou's polynomial decay, whose speed depends on the base LR itself.

    .. math::
        \eta_k = \eta_0 \, (1 + \lambda \eta_0 k)^{-p}

    References:
      Bottou, Stochastic gradient descent tricks, Neural Networks: Tricks of the Trade, Springer 2012
    """
    del total_steps
    return full(lr * (1.0 + lam * lr * as_steps(k)) ** (-power), k, lr)


def expoloffe_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, alpha: float = 0.009) -> np.ndarray:
    r"""Exponential decay per step.

    .. math::
        \eta_k = \eta_0 \, e^{-\alpha k}

    References:
      Ioffe & Szegedy, Batch normalization: accelerating deep network training by reducing internal covariate shift,
      ICML 2015
    """
    del total_steps
    return full(lr * np.exp(-alpha * as_steps(k)), k, lr)


def exporaffel_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, flat_steps: int) -> np.ndarray:
    r"""Inverse-square-root decay, flat for the first ``flat_steps`` steps, in the exponent.

    .. math::
        \eta_k = \eta_0 \exp\left(\frac{1}{\sqrt{\max(k, t_0)}} - \frac{1}{\sqrt{t_0}}\right)

    It decays slowly towards :math:`\eta_0 e^{-1/\sqrt{t_0}}` (≈ 0.87 η0 for :math:`t_0 = 50`).

    References:
      Raffel et al., Exploring the limits of transfer learning with a unified text-to-text transformer, JMLR 2020,
      https://arxiv.org/abs/1910.10683
    """
    del total_steps
    floor = float(flat_steps)
    return full(lr * np.exp(1.0 / np.sqrt(np.maximum(as_steps(k), floor)) - 1.0 / np.sqrt(floor)), k, lr)


def inversetime_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, lam: float = 2.0) -> np.ndarray:
    r"""Inverse-time decay, whose speed depends on the base LR itself.

    .. math::
        \eta_k = \frac{\eta_0}{1 + \lambda \eta_0 k}

    References:
      Bottou, Stochastic gradient descent tricks, Neural Networks: Tricks of the Trade, Springer 2012
    """
    del total_steps
    return full(lr / (1.0 + lam * lr * as_steps(k)), k, lr)


def _linear_cosine(k: ArrayLike, total_steps: int) -> tuple[np.ndarray, np.ndarray]:
    frac = as_steps(k) / total_steps
    return 1.0 - frac, 1.0 + np.cos(np.pi * frac)


def linearcosine_lr(k: ArrayLike, total_steps: int, lr: ArrayLike) -> np.ndarray:
    r"""Linear times cosine decay, as the reference writes it (peak ≈ 2·η0 at ``k = 1``).

    .. math::
        \eta_k = \begin{cases} \eta_0, & k = 0 \\
        \eta_0 \left(1 - \frac{k}{T}\right)\left(1 + \cos\frac{\pi k}{T}\right), & k \ge 1 \end{cases}

    The cosine factor is not halved, so the LR jumps from η0 at step 0 to about 2·η0 at step 1.

    References:
      Bello et al., Neural optimizer search with reinforcement learning, ICML 2017
    """
    linear, cosine = _linear_cosine(k, total_steps)
    return at_start_is_lr(k, lr, lr * linear * cosine)


def linearcosinenoise_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    noise_scale: float = 0.05,
    noise_decay: float = 0.55,
    seed: int = 0,
) -> np.ndarray:
    r"""Linear-cosine decay with decaying Gaussian noise on the linear part (seeded).

    .. math::
        \eta_k = \eta_0 \left(1 - \frac{k}{T} + \epsilon_k\right)\left(1 + \cos\frac{\pi k}{T}\right) + 10^{-4}, \quad
        \epsilon_k \sim \mathcal{N}\!\left(0, \left(c\,(1 + k)^{-d}\right)^2\right)

    and :math:`\eta_0` at ``k = 0``. The reference uses ``c = 1/20``, ``d = 0.55`` and numpy's
    global unseeded generator; here the draws come from ``np.random.default_rng(seed)``.

    References:
      Bello et al., Neural optimizer search with reinforcement learning, ICML 2017
    """
    linear, cosine = _linear_cosine(k, total_steps)
    std = noise_scale * (1.0 + as_steps(k)) ** (-noise_decay)
    noise = std * gaussian_noise(seed, k)
    return at_start_is_lr(k, lr, lr * (linear + noise) * cosine + NOISE_FLOOR)


def cosine_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, eta_min: float = 1e-7) -> np.ndarray:
    r"""Cosine annealing from the base LR to ``eta_min`` at ``T``.

    .. math::
        \eta_k = \eta_{\min} + \tfrac{1}{2} (\eta_0 - \eta_{\min}) \left(1 + \cos\frac{\pi k}{T}\right)

    References:
      Loshchilov & Hutter, SGDR: stochastic gradient descent with warm restarts, ICLR 2017,
      https://arxiv.org/abs/1608.03983
    """
    return full(eta_min + 0.5 * (lr - eta_min) * (1.0 + np.cos(np.pi * as_steps(k) / total_steps)), k, lr)


def cosinepower_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, p: float = 20.0, eta_min: float = 1e-7
) -> np.ndarray:
    r"""Cosine power annealing: the cosine schedule pushed through an exponential.

    .. math::
        \eta_k = \eta_{\min} + (\eta_0 - \eta_{\min})
        \frac{p^{\frac{1}{2}\left(1 + \cos\frac{\pi k}{T}\right) + 1} - p}{p^2 - p}

    and :math:`\eta_0` at ``k = 0``.

    References:
      Hundt et al., sharpDARTS: faster and more accurate differentiable architecture search, 2019,
      https://arxiv.org/abs/1903.09900
    """
    half_cosine = 0.5 * (1.0 + np.cos(np.pi * as_steps(k) / total_steps))
    shape = (p ** (half_cosine + 1.0) - p) / (p**2 - p)
    return at_start_is_lr(k, lr, eta_min + (lr - eta_min) * shape)


def htd_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, lower: float = -6.0, upper: float = 3.0, eta_min: float = 0.0
) -> np.ndarray:
    r"""Hyperbolic-tangent decay (HTD).

    .. math::
        \eta_k = \eta_{\min} + \tfrac{1}{2} (\eta_0 - \eta_{\min})
        \left(1 - \tanh\left(L + (U - L) \frac{k}{T}\right)\right)

    Not in the reference code (the survey's Table 3 only); the defaults ``L = −6``, ``U = 3`` are
    Hsueh et al.'s.

    References:
      Hsueh et al., Stochastic gradient descent with hyperbolic-tangent decay on classification, WACV 2019,
      https://arxiv.org/abs/1806.01593
    """
    x = lower + (upper - lower) * as_steps(k) / total_steps
    return full(eta_min + 0.5 * (lr - eta_min) * (1.0 - np.tanh(x)), k, lr)


ENTRIES = (
    Schedule(
        id="polychen_lr",
        name="Polynomial (poly)",
        family="smooth",
        params={"power": partial(FloatParam, low=0.0, high=10.0, help="Exponent of the decay", symbol=r"\alpha")},
        description="Polynomial decay η0(1 − k/T)^0.9 towards 0 at the end of the run (plus 1e-8).",
        fn=polychen_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "PolynomialLR",
                "total_iters = T, power = α, plus the reference's 1e-8 from step 1 on",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="polybottou_lr",
        name="Polynomial (Bottou)",
        family="smooth",
        params={
            "lam": partial(FloatParam, low=0.0, high=1e4, help="Decay speed, multiplied by η0", symbol=r"\lambda"),
            "power": partial(FloatParam, low=0.0, high=10.0, help="Exponent of the decay", symbol="p"),
        },
        description="η0(1 + 5·η0·k)^(−2): the larger η0, the faster it decays.",
        fn=polybottou_lr,
    ),
    Schedule(
        id="expoloffe_lr",
        name="Exponential (per step)",
        family="smooth",
        params={"alpha": partial(FloatParam, low=0.0, high=1.0, help="Decay rate per step", symbol=r"\alpha")},
        description="η0·e^(−0.009k): about η0/90 after 500 steps.",
        fn=expoloffe_lr,
        equivalents=(
            Equivalent(TORCH, "ExponentialLR", "gamma = exp(−α)", alias=False),
            Equivalent(TORCH, "MultiplicativeLR", "lr_lambda = lambda k: exp(−α)"),
            Equivalent(
                OPTAX,
                "exponential_decay",
                "init_value = η0, transition_steps = 1, decay_rate = exp(−α)",
                alias=False,
            ),
            Equivalent(
                KERAS,
                "ExponentialDecay",
                "initial_learning_rate = η0, decay_steps = 1, decay_rate = exp(−α)",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="exporaffel_lr",
        name="Inverse square root (exponent)",
        family="smooth",
        params={
            "flat_steps": StepsParam(
                fraction=0.1, help="Steps the LR stays at η0 before decaying (50 for T = 500)", symbol="t_0"
            )
        },
        description="Flat at η0 for 50 steps, then a very slow decay (≈ 0.91·η0 at step 500).",
        fn=exporaffel_lr,
    ),
    Schedule(
        id="inversetime_lr",
        name="Inverse time",
        family="smooth",
        params={"lam": partial(FloatParam, low=0.0, high=1e4, help="Decay speed, multiplied by η0", symbol=r"\lambda")},
        description="η0 / (1 + 2·η0·k): the larger η0, the faster it decays.",
        fn=inversetime_lr,
        equivalents=(
            Equivalent(KERAS, "InverseTimeDecay", "initial_learning_rate = η0, decay_steps = 1, decay_rate = λ·η0"),
        ),
    ),
    Schedule(
        id="linearcosine_lr",
        name="Linear cosine",
        family="smooth",
        params={},
        description=(
            "Linear times (1 + cosine) decay to 0 at T; the cosine is not halved, so it jumps from η0 at "
            "step 0 to about 2·η0 at step 1."
        ),
        fn=linearcosine_lr,
    ),
    Schedule(
        id="linearcosinenoise_lr",
        name="Noisy linear cosine",
        family="smooth",
        params={
            "noise_scale": partial(
                FloatParam, low=0.0, high=10.0, help="Noise std at step 0 (the reference's 1/20)", symbol="c"
            ),
            "noise_decay": partial(
                FloatParam, low=0.0, high=5.0, help="How fast the noise std shrinks with k", symbol="d"
            ),
            "seed": partial(IntParam, low=0, high=2**31 - 1, help="Seed of the noise (same seed, same curve)"),
        },
        description=(
            "linearcosine_lr with seeded Gaussian noise on the linear part, plus an absolute 1e-4 "
            "(which dominates when η0 is tiny); η0 at step 0, then ≈ 2·η0."
        ),
        fn=linearcosinenoise_lr,
    ),
    Schedule(
        id="cosine_lr",
        name="Cosine annealing",
        family="smooth",
        params={
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR reached at step T", symbol=r"\eta_{\min}"
            )
        },
        description="Half a cosine from η0 down to 1e-7 at the end of the run, without restarts.",
        fn=cosine_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "CosineAnnealingLR",
                "T_max = T, eta_min = η_min (torch's default η_min: 0; a shorter T_max is cosineclr_lr)",
                defaults={"eta_min": 0.0},
            ),
            Equivalent(
                OPTAX,
                "cosine_decay_schedule",
                "init_value = η0, decay_steps = T, alpha = η_min/η0",
                alias=False,
            ),
            Equivalent(
                KERAS,
                "CosineDecay",
                "initial_learning_rate = η0, decay_steps = T, alpha = η_min/η0",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="cosinepower_lr",
        name="Cosine power",
        family="smooth",
        params={
            "p": partial(
                FloatParam,
                low=1.01,
                high=1e4,
                log=True,
                help="Base of the power; larger decays faster early",
                symbol="p",
            ),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR reached at step T", symbol=r"\eta_{\min}"
            ),
        },
        description="Cosine annealing pushed through p^x (p = 20): it falls faster than cosine early on.",
        fn=cosinepower_lr,
    ),
    Schedule(
        id="htd_lr",
        name="Hyperbolic-tangent decay",
        family="smooth",
        params={
            "lower": partial(FloatParam, low=-100.0, high=100.0, help="tanh argument at step 0", symbol="L"),
            "upper": partial(FloatParam, low=-100.0, high=100.0, help="tanh argument at step T", symbol="U"),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR the decay approaches", symbol=r"\eta_{\min}"
            ),
        },
        description=(
            "A tanh-shaped fall: stays near η0 for a while, then drops to ≈ 0.0025·η0 at T "
            "(not in the reference code; L = −6, U = 3 are Hsueh et al.'s)."
        ),
        fn=htd_lr,
    ),
)
