"""Schedules with a warm-up phase (survey Table 5).

Warm-up phases include their last step: with ``w`` warm-up steps, step ``w`` still uses the
warm-up formula (which reaches the base LR there).

References:
  Liu & Zhang, Research advances in deep neural networks learning rate strategies, Control and
  Decision 38(9), 2023, Table 5; defaults from ``YunDuanFei/Vis-FuncNet`` (``lr_schedulers/``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from common.params import FloatParam, IntParam, StepsListParam, StepsParam
from schedules._base import Schedule, as_steps, at_start_is_lr, full, safe_divisor


def _linear_ramp(steps: np.ndarray, warmup_steps: int, warmup_factor: float) -> np.ndarray:
    """The warm-up multiplier ``f(1 − k/w) + k/w``: ``f`` at step 0, 1 at step ``w``."""
    alpha = steps / warmup_steps
    return warmup_factor * (1.0 - alpha) + alpha


def cwarmmultistep_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    warmup_steps: int,
    warmup_factor: float = 0.01,
    milestones: tuple[int, ...],
    gamma: float = 0.1,
) -> np.ndarray:
    r"""Constant warm-up at a fraction of the base LR, then multi-step decay.

    .. math::
        \eta_k = \begin{cases} \eta_0 f, & k \le w \\
        \eta_0 \, \gamma^{\#\{i \ge 1 \,:\, m_0 < m_i \le k\}}, & k > w \end{cases}

    As in the reference, the first milestone :math:`m_0` only ends the plain phase and is never
    applied (the reference's ``[100, 250, 450]`` drops at 250 and 450 only).

    References:
      He et al., Deep residual learning for image recognition, CVPR 2016
    """
    del total_steps
    step = np.asarray(k, dtype=np.int64)
    later = np.asarray(milestones[1:], dtype=np.int64)
    if milestones:
        later = later[later > milestones[0]]
    passed = np.searchsorted(later, step, side="right").astype(np.float64)
    return full(np.where(step <= warmup_steps, lr * warmup_factor, lr * gamma**passed), k, lr)


def lwarmmultistep_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    warmup_steps: int,
    warmup_factor: float = 0.5,
    milestones: tuple[int, ...],
    gamma: float = 0.1,
) -> np.ndarray:
    r"""Linear warm-up from ``warmup_factor``·η0 to η0, then multi-step decay.

    .. math::
        \eta_k = \begin{cases} \eta_0 \left(f \left(1 - \frac{k}{w}\right) + \frac{k}{w}\right), & k \le w \\
        \eta_0 \, \gamma^{\#\{i \,:\, w < m_i \le k\}}, & k > w \end{cases}

    Milestones inside the warm-up are never applied (the reference's milestone at 150, with
    ``w = 150``, is lost).

    References:
      Goyal et al., Accurate, large minibatch SGD: training ImageNet in 1 hour, 2017, https://arxiv.org/abs/1706.02677
    """
    del total_steps
    step = np.asarray(k, dtype=np.int64)
    marks = np.asarray(milestones, dtype=np.int64)
    passed = np.searchsorted(marks[marks > warmup_steps], step, side="right").astype(np.float64)
    ramp = _linear_ramp(as_steps(k), warmup_steps, warmup_factor)
    return full(np.where(step <= warmup_steps, lr * ramp, lr * gamma**passed), k, lr)


def lwarminversesr_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, warmup_steps: int, d_model: int = 512, scale: float = 10.0
) -> np.ndarray:
    r"""The Transformer ("Noam") schedule: linear warm-up, then inverse-square-root decay.

    .. math::
        \eta_k = \begin{cases} \eta_0, & k = 0 \\
        \eta_0 \, c \, d^{-1/2} \min\left(k^{-1/2}, \; k \, w^{-3/2}\right), & k \ge 1 \end{cases}

    and :math:`\eta_0` at ``k = 0``. With the reference's ``c = 10``, ``d = 512``, ``w = 50`` the
    multiplier peaks at only 0.0625 (at ``k = w``): after step 0 the LR is far below η0.

    References:
      Vaswani et al., Attention is all you need, NeurIPS 2017, https://arxiv.org/abs/1706.03762
    """
    del total_steps
    steps = np.maximum(as_steps(k), 1.0)  # k = 0 is replaced by η0 below
    multiplier = scale * d_model**-0.5 * np.minimum(steps**-0.5, steps * float(warmup_steps) ** -1.5)
    return at_start_is_lr(k, lr, lr * multiplier)


def lwarmslanted_tr_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, cut: int, ratio: float = 10.0) -> np.ndarray:
    r"""ULMFiT's slanted triangular LR: a short linear climb, then a long linear fall.

    .. math::
        p = \begin{cases} k / c, & k < c \\
        1 - \frac{k - c}{T - c}, & k \ge c \end{cases}, \quad \eta_k = \eta_0 \, \frac{1 + p (r - 1)}{r}

    It climbs from η0/r to η0 at the cut ``c`` and falls back to η0/r at ``T``. The reference
    writes the fall's length as :math:`c (r - 1)`, which equals :math:`T - c` for its
    ``c = T/10``, ``r = 10``; ULMFiT's :math:`T - c` keeps the LR positive for any ``c`` and ``r``.

    References:
      Howard & Ruder, Universal language model fine-tuning for text classification, ACL 2018,
      https://arxiv.org/abs/1801.06146
    """
    steps = as_steps(k)
    fall = 1.0 - (steps - cut) / safe_divisor(total_steps - cut)
    p = np.where(steps < cut, steps / cut, fall)
    return full(lr * (1.0 + p * (ratio - 1.0)) / ratio, k, lr)


def lwarmlong_trap_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, warmup_steps: int, decay_start: int
) -> np.ndarray:
    r"""Long trapezoid: linear climb from 0, a flat top, then a linear fall to 0 at ``T``.

    .. math::
        \eta_k = \eta_0 \begin{cases} k / u, & k \le u \\
        1, & u < k \le d \\
        \frac{T - k}{T - d}, & k > \max(u, d) \end{cases}

    As in the reference, step 0 has LR 0 (the first update does not move), and with its
    defaults ``u = d = T/5`` the flat top is empty.

    References:
      Xing et al., A walk with SGD, 2018, https://arxiv.org/abs/1802.08770
    """
    steps = as_steps(k)
    climb = steps / warmup_steps
    fall = (total_steps - steps) / safe_divisor(total_steps - decay_start)
    flat = np.where(steps <= decay_start, 1.0, fall)
    return full(lr * np.where(steps <= warmup_steps, climb, flat), k, lr)


def lwarm1cycle_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, step_len: int, div: float = 10.0) -> np.ndarray:
    r"""Smith's 1cycle: η0/div → η0 → η0/div linearly, then down to η0/div² at ``T``.

    .. math::
        \eta_k = \frac{\eta_0}{d} \begin{cases} 1 + \frac{k}{s} (d - 1), & k \le s \\
        1 + \left(2 - \frac{k}{s}\right) (d - 1), & s < k < 2s \\
        1 - \frac{k - 2s}{T - 2s} \left(1 - \frac{1}{d}\right), & k \ge 2s \end{cases}

    with the reference's :math:`s = \lfloor 0.5 T (1 - 10/100) \rfloor` (225 for T = 500).

    References:
      Smith & Topin, Super-convergence: very fast training of neural networks using large learning rates, 2019,
      https://arxiv.org/abs/1708.07120
    """
    steps = as_steps(k)
    low = lr / div
    climb = lr * (1.0 + (steps / step_len) * (div - 1.0)) / div
    fall = lr * (1.0 + (1.0 - (steps - step_len) / step_len) * (div - 1.0)) / div
    tail = low * (1.0 - (steps - 2 * step_len) / safe_divisor(total_steps - 2 * step_len) * (1.0 - 1.0 / div))
    return full(np.where(steps >= 2 * step_len, tail, np.where(steps > step_len, fall, climb)), k, lr)


def lwarmcosine_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    warmup_steps: int,
    warmup_factor: float = 1 / 3,
    eta_min: float = 1e-7,
) -> np.ndarray:
    r"""Linear warm-up, then cosine annealing to ``eta_min`` at ``T``.

    .. math::
        \eta_k = \begin{cases} \eta_0 \left(f \left(1 - \frac{k}{w}\right) + \frac{k}{w}\right), & k \le w \\
        \eta_{\min} + \tfrac{1}{2} (\eta_0 - \eta_{\min}) \left(1 + \cos\left(\pi \frac{k - w}{T - w}\right)\right),
        & k > w \end{cases}

    References:
      Goyal et al., Accurate, large minibatch SGD: training ImageNet in 1 hour, 2017,
      https://arxiv.org/abs/1706.02677; Pham et al.,
      From universal language model to downstream task: improving RoBERTa-based Vietnamese hate speech detection,
      KSE 2020
    """
    steps = as_steps(k)
    ramp = lr * _linear_ramp(steps, warmup_steps, warmup_factor)
    progress = (steps - warmup_steps) / safe_divisor(total_steps - warmup_steps)
    cosine = eta_min + 0.5 * (lr - eta_min) * (1.0 + np.cos(np.pi * progress))
    return full(np.where(steps <= warmup_steps, ramp, cosine), k, lr)


def lwarmpoly_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    warmup_steps: int,
    warmup_factor: float = 0.25,
    power: float = 0.7,
    eta_min: float = 1e-7,
) -> np.ndarray:
    r"""Linear warm-up, then polynomial decay to ``eta_min`` at ``T``.

    .. math::
        \eta_k = \begin{cases} \eta_0 \left(f \left(1 - \frac{k}{w}\right) + \frac{k}{w}\right), & k \le w \\
        \eta_{\min} + (\eta_0 - \eta_{\min}) \left(1 - \frac{k - w}{T - w}\right)^{p}, & k > w \end{cases}

    The reference's ``lwarmpoly_lr`` cannot run (its factory passes ``max_iter`` to a class that
    expects ``T_max``, and the class uses ``math`` without importing it); this is the formula its
    class writes.

    References:
      Goyal et al., Accurate, large minibatch SGD: training ImageNet in 1 hour, 2017,
      https://arxiv.org/abs/1706.02677; Chen et al., DeepLab, IEEE TPAMI 2018
    """
    steps = as_steps(k)
    ramp = lr * _linear_ramp(steps, warmup_steps, warmup_factor)
    remaining = np.clip(1.0 - (steps - warmup_steps) / safe_divisor(total_steps - warmup_steps), 0.0, None)
    poly = eta_min + (lr - eta_min) * remaining**power
    return full(np.where(steps <= warmup_steps, ramp, poly), k, lr)


ENTRIES = (
    Schedule(
        id="cwarmmultistep_lr",
        name="Constant warm-up + multi-step",
        family="warmup",
        params={
            "warmup_steps": StepsParam(fraction=0.06, help="Last step of the warm-up (30 for T = 500)", symbol="w"),
            "warmup_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR during the warm-up, as a fraction of η0", symbol="f"
            ),
            "milestones": StepsListParam(
                fractions=(0.2, 0.5, 0.9),
                help="End of the plain phase, then the drops (100, 250, 450)",
                symbol="m_i",
            ),
            "gamma": partial(
                FloatParam, low=0.0, high=1.0, help="Factor applied at each later milestone", symbol=r"\gamma"
            ),
        },
        description=(
            "0.01·η0 up to step 30, then η0, ×0.1 at 250 and again at 450; the first milestone (100) is "
            "never applied, as in the reference."
        ),
        fn=cwarmmultistep_lr,
    ),
    Schedule(
        id="lwarmmultistep_lr",
        name="Linear warm-up + multi-step",
        family="warmup",
        params={
            "warmup_steps": StepsParam(fraction=0.3, help="Last step of the warm-up (150 for T = 500)", symbol="w"),
            "warmup_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR at step 0, as a fraction of η0", symbol="f"
            ),
            "milestones": StepsListParam(
                fractions=(0.3, 0.6, 0.8), help="Steps at which the LR drops (150, 300, 400)", symbol="m_i"
            ),
            "gamma": partial(
                FloatParam,
                low=0.0,
                high=1.0,
                help="Factor applied at each milestone after the warm-up",
                symbol=r"\gamma",
            ),
        },
        description=(
            "Rises linearly from 0.5·η0 to η0 at step 150, then ×0.1 at 300 and at 400; the milestone at 150 "
            "falls inside the warm-up and is never applied."
        ),
        fn=lwarmmultistep_lr,
    ),
    Schedule(
        id="lwarminversesr_lr",
        name="Warm-up + inverse square root (Noam)",
        family="warmup",
        params={
            "warmup_steps": StepsParam(fraction=0.1, help="Step where the LR peaks (50 for T = 500)", symbol="w"),
            "d_model": partial(
                IntParam, low=1, high=1_000_000, help="Model width d of the Transformer formula", symbol="d"
            ),
            "scale": partial(FloatParam, low=0.0, high=1e6, help="Constant factor in front", symbol="c"),
        },
        description=(
            "η0 at step 0, then only ≈ 0.00125·η0 at step 1, rising to 0.0625·η0 at step 50 and decaying "
            "as 1/√k: far below η0 after step 0."
        ),
        fn=lwarminversesr_lr,
    ),
    Schedule(
        id="lwarmslanted_tr_lr",
        name="Slanted triangular (ULMFiT)",
        family="warmup",
        params={
            "cut": StepsParam(fraction=0.1, help="Step at which the LR peaks (50 for T = 500)", symbol="c"),
            "ratio": partial(
                FloatParam, low=1.0, high=1e4, help="How many times smaller than η0 the LR starts and ends", symbol="r"
            ),
        },
        description=(
            "Climbs linearly from η0/10 to η0 at step 50, then falls linearly back to η0/10 at T "
            "(fall over T − cut steps, which is the reference's cut·(ratio − 1) for its defaults)."
        ),
        fn=lwarmslanted_tr_lr,
    ),
    Schedule(
        id="lwarmlong_trap_lr",
        name="Long trapezoid",
        family="warmup",
        params={
            "warmup_steps": StepsParam(
                fraction=0.2, help="Steps of the climb from 0 to η0 (100 for T = 500)", symbol="u"
            ),
            "decay_start": StepsParam(fraction=0.2, help="Last step of the flat top (100 for T = 500)", symbol="d"),
        },
        description=(
            "LR 0 at step 0 (the first update does not move), up to η0 at step 100, then straight down "
            "towards 0 at T; with the reference's defaults the flat top is empty."
        ),
        fn=lwarmlong_trap_lr,
    ),
    Schedule(
        id="lwarm1cycle_lr",
        name="1cycle",
        family="warmup",
        params={
            "step_len": StepsParam(
                fraction=0.45, help="Steps of the climb, and of the fall (225 for T = 500)", symbol="s"
            ),
            "div": partial(
                FloatParam, low=1.0, high=1e4, help="How many times smaller than η0 the LR starts", symbol="d"
            ),
        },
        description="η0/10 → η0 at step 225 → η0/10 at step 450, then down towards η0/100 at T.",
        fn=lwarm1cycle_lr,
    ),
    Schedule(
        id="lwarmcosine_lr",
        name="Linear warm-up + cosine",
        family="warmup",
        params={
            "warmup_steps": StepsParam(fraction=0.2, help="Last step of the warm-up (100 for T = 500)", symbol="w"),
            "warmup_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR at step 0, as a fraction of η0", symbol="f"
            ),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR reached at step T", symbol=r"\eta_{\min}"
            ),
        },
        description="Rises linearly from η0/3 to η0 at step 100, then a cosine down to 1e-7 at T.",
        fn=lwarmcosine_lr,
    ),
    Schedule(
        id="lwarmpoly_lr",
        name="Linear warm-up + polynomial",
        family="warmup",
        params={
            "warmup_steps": StepsParam(fraction=0.2, help="Last step of the warm-up (100 for T = 500)", symbol="w"),
            "warmup_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR at step 0, as a fraction of η0", symbol="f"
            ),
            "power": partial(FloatParam, low=0.0, high=10.0, help="Exponent of the decay", symbol="p"),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR reached at step T", symbol=r"\eta_{\min}"
            ),
        },
        description=(
            "Rises linearly from η0/4 to η0 at step 100, then (1 − progress)^0.7 down to 1e-7 at T "
            "(the reference's version crashes; this is the formula it writes)."
        ),
        fn=lwarmpoly_lr,
    ),
)
