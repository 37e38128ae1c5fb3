"""Schedules shaped by the step budget (2022–2024): warm-up-stable-decay (WSD) and REX.

Both answer the question the survey asks — how to set the LR over a run of ``T`` steps — the way
language-model training came to answer it: keep the LR high for most of the budget and spend the end
of it decaying (WSD's cooldown), or decay along a profile that stays high longer than linear (REX).

References:
  Hägele et al., Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations, NeurIPS 2024,
  https://arxiv.org/abs/2405.18392; Hu et al., MiniCPM, 2024, https://arxiv.org/abs/2404.06395;
  Chen, Wolfe & Kyrillidis, REX: Revisiting Budgeted Training with an Improved Schedule, MLSys 2022,
  https://arxiv.org/abs/2107.04197
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from common.params import ChoiceParam, FloatParam, StepsParam
from common.registry import Equivalent
from schedules._base import OPTAX, TORCH, Schedule, as_steps, full

COOLDOWN_SHAPES = ("linear", "cosine", "1-sqrt", "1-square")


def cooldown_steps(total_steps: int, cooldown_fraction: float) -> int:
    """The length of WSD's cooldown: ``⌊c·T⌋`` steps (the reference's ``int(frac_decay * T)``)."""
    return math.floor(cooldown_fraction * total_steps + 1e-9)


def _cooldown(x: np.ndarray, shape: str) -> np.ndarray:
    """The cooldown's factor at progress ``x`` in [0, 1): 1 at its start, towards 0 at its end."""
    if shape == "linear":
        return 1.0 - x
    if shape == "cosine":
        return 0.5 * (1.0 + np.cos(np.pi * x))
    if shape == "1-sqrt":
        return 1.0 - np.sqrt(x)
    if shape == "1-square":
        return 1.0 - x**2
    raise ValueError(f"cooldown shape must be one of {', '.join(COOLDOWN_SHAPES)}, got {shape=}")


def wsd_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    warmup_steps: int,
    warmup_factor: float = 0.01,
    cooldown_fraction: float = 0.2,
    shape: str = "1-sqrt",
    final_factor: float = 0.0,
) -> np.ndarray:
    r"""Warm-up-stable-decay: a linear warm-up, a long constant phase, then a cooldown over the last ``c·T`` steps.

    .. math::
        \eta_k = \eta_0 \begin{cases} f + (1 - f) \frac{k}{w}, & k < w \\
        1, & w \le k < T - C \\
        \varphi + (1 - \varphi)\, s\!\left(\frac{k - T + C}{C}\right), & k \ge T - C \end{cases}
        \quad C = \lfloor c T \rfloor

    with the cooldown shape :math:`s(x)` one of :math:`1 - x` (linear), :math:`\tfrac{1}{2}(1 + \cos \pi x)`
    (cosine), :math:`1 - \sqrt{x}` (1-sqrt) or :math:`1 - x^2` (1-square), and :math:`\varphi` the final LR
    as a fraction of η0. The warm-up wins where the two overlap (very short runs). This is the reference
    implementation of Hägele et al. (``wsd_schedule``: ``f = 1/init_div_factor``, ``c = frac_decay``), whose
    experiments found a 20 % cooldown with the 1-sqrt shape to match or beat a cosine schedule of the same
    length; MiniCPM (Hu et al.) introduced the name.

    References:
      Hägele et al., Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations, NeurIPS 2024,
      https://arxiv.org/abs/2405.18392; Hu et al., MiniCPM: Unveiling the Potential of Small Language Models
      with Scalable Training Strategies, 2024, https://arxiv.org/abs/2404.06395
    """
    steps = as_steps(k)
    cooldown = cooldown_steps(total_steps, cooldown_fraction)
    hold = total_steps - cooldown
    ramp = warmup_factor + (1.0 - warmup_factor) * steps / max(warmup_steps, 1)
    progress = np.clip((steps - hold) / max(cooldown, 1), 0.0, 1.0)
    decay = final_factor + (1.0 - final_factor) * _cooldown(progress, shape)
    factor = np.where(steps < warmup_steps, ramp, np.where(steps < hold, 1.0, decay))
    return full(lr * factor, k, lr)


def rex_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, beta: float = 0.5) -> np.ndarray:
    r"""REX: a decay to 0 at ``T`` that stays above the linear one, steepest at the end.

    .. math::
        \eta_k = \eta_0 \, \frac{1 - z}{(1 - \beta) + \beta\, (1 - z)}, \quad z = \frac{k}{T}

    Chen et al.'s profile is :math:`\beta = 1/2`; :math:`\beta = 0` is linear decay to 0, and the
    larger :math:`\beta`, the longer the LR stays near η0 before it falls.

    References:
      Chen, Wolfe & Kyrillidis, REX: Revisiting Budgeted Training with an Improved Schedule, MLSys 2022,
      https://arxiv.org/abs/2107.04197
    """
    remaining = 1.0 - as_steps(k) / total_steps
    return full(lr * remaining / ((1.0 - beta) + beta * remaining), k, lr)


_WSD_SEQUENTIAL = (
    "shape = linear: schedulers = [LinearLR(start_factor=f, total_iters=w), ConstantLR(factor=1), "
    "LinearLR(end_factor=φ, total_iters=C)], milestones = [w, T − C], C = ⌊cT⌋; shape = cosine: "
    "CosineAnnealingLR(T_max=C, eta_min=φ·η0) last"
)
_WSD_JOIN = (
    "shape = linear: [linear_schedule(f·η0, η0, w), constant_schedule(η0), linear_schedule(η0, φ·η0, C)], "
    "boundaries [w, T − C], C = ⌊cT⌋; shape = cosine: cosine_decay_schedule(η0, C, alpha=φ) last"
)

ENTRIES = (
    Schedule(
        id="wsd_lr",
        name="Warm-up-stable-decay (WSD)",
        family="budgeted",
        params={
            "warmup_steps": StepsParam(
                fraction=0.05, low=0, help="Steps of the linear warm-up (25 for T = 500)", symbol="w"
            ),
            "warmup_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR at step 0, as a fraction of η0", symbol="f"
            ),
            "cooldown_fraction": partial(
                FloatParam, low=0.0, high=1.0, help="Share of the run spent cooling down at the end", symbol="c"
            ),
            "shape": partial(
                ChoiceParam, choices=COOLDOWN_SHAPES, help="How the LR falls during the cooldown", symbol="s"
            ),
            "final_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR the cooldown heads for, as a fraction of η0", symbol=r"\varphi"
            ),
        },
        description=(
            "Warms up to η0 in 25 steps, holds it, then spends the last 20 % of the run cooling down "
            "towards 0 along 1 − √x (Hägele et al.'s best cooldown)."
        ),
        fn=wsd_lr,
        equivalents=(
            Equivalent(TORCH, "SequentialLR", _WSD_SEQUENTIAL, alias=False),
            Equivalent(OPTAX, "join_schedules", _WSD_JOIN, alias=False),
        ),
    ),
    Schedule(
        id="rex_lr",
        name="REX",
        family="budgeted",
        params={
            "beta": partial(
                FloatParam,
                low=0.0,
                high=1.0,
                help="0: linear decay; larger stays near η0 longer (REX: 1/2)",
                symbol=r"\beta",
            )
        },
        description="Decays to 0 at T along (1 − z)/(1/2 + (1 − z)/2): above the linear decay, steepest at the end.",
        fn=rex_lr,
    ),
)
