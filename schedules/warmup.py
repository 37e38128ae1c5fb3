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

from common.params import BoolParam, ChoiceParam, FloatParam, IntParam, StepsListParam, StepsParam
from common.registry import Equivalent
from schedules._base import KERAS, OPTAX, TORCH, Schedule, as_steps, at_start_is_lr, full, safe_divisor


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


def linearfactor_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    start_factor: float = 1 / 3,
    end_factor: float = 1.0,
    total_iters: int,
) -> np.ndarray:
    r"""torch's LinearLR: the base LR times a factor moving linearly from ``start_factor`` to ``end_factor``.

    .. math::
        \eta_k = \eta_0 \left(s + (e - s) \frac{\min(k, N)}{N}\right)

    With its defaults it is a warm-up from η0/3 to η0 (torch's factors; torch's ``total_iters`` is 5
    steps, here 10 % of the run); ``end_factor < start_factor`` makes it a linear decay to a fraction
    of η0, held afterwards.

    References:
      PyTorch LinearLR (Paszke et al., NeurIPS 2019),
      https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html; Goyal et al.,
      Accurate, large minibatch SGD: training ImageNet in 1 hour, 2017, https://arxiv.org/abs/1706.02677
    """
    del total_steps
    progress = np.minimum(as_steps(k), float(total_iters)) / max(total_iters, 1)
    return full(lr * (start_factor + (end_factor - start_factor) * progress), k, lr)


def constantfactor_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, factor: float = 1 / 3, total_iters: int
) -> np.ndarray:
    r"""torch's ConstantLR: a constant fraction of the base LR for the first ``N`` steps, then the base LR.

    .. math::
        \eta_k = \begin{cases} \eta_0 f, & k < N \\ \eta_0, & k \ge N \end{cases}

    torch's factor (1/3); its ``total_iters`` is 5 steps, here 10 % of the run.

    References:
      PyTorch ConstantLR (Paszke et al., NeurIPS 2019),
      https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html; He et al.,
      Deep residual learning for image recognition, CVPR 2016 (a constant warm-up at a tenth of the LR)
    """
    del total_steps
    return full(np.where(np.asarray(k) < total_iters, lr * factor, lr), k, lr)


def lwarmexp_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    warmup_steps: int,
    warmup_factor: float = 0.1,
    decay_steps: int,
    decay_rate: float = 0.5,
    staircase: bool = False,
) -> np.ndarray:
    r"""Linear warm-up, then exponential decay by ``decay_rate`` every ``decay_steps`` (optax's warm-up exponential).

    .. math::
        \eta_k = \eta_0 \begin{cases} f + (1 - f) \frac{k}{w}, & k \le w \\
        r^{(k - w) / D} \quad \left(\text{staircase: } r^{\lfloor (k - w) / D \rfloor}\right), & k > w \end{cases}

    References:
      optax.warmup_exponential_decay_schedule (DeepMind et al., The DeepMind JAX Ecosystem, 2020,
      http://github.com/google-deepmind); Goyal et al., Accurate, large minibatch SGD: training ImageNet in
      1 hour, 2017, https://arxiv.org/abs/1706.02677
    """
    del total_steps
    steps = as_steps(k)
    ramp = lr * _linear_ramp(steps, max(warmup_steps, 1), warmup_factor)
    periods = (steps - warmup_steps) / decay_steps
    decay = lr * np.power(decay_rate, np.floor(periods) if staircase else periods)
    return full(np.where(steps <= warmup_steps, ramp, decay), k, lr)


ONECYCLE_ANNEALS = ("cos", "linear")


def _anneal(start: ArrayLike, end: ArrayLike, pct: np.ndarray, anneal: str) -> np.ndarray:
    """torch's ``_annealing_cos`` / ``_annealing_linear``: from ``start`` at pct 0 to ``end`` at pct 1."""
    if anneal == "cos":
        return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1.0)
    if anneal == "linear":
        return (end - start) * pct + start
    raise ValueError(f"anneal must be one of {', '.join(ONECYCLE_ANNEALS)}, got {anneal=}")


def onecycle_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal: str = "cos",
    three_phase: bool = False,
) -> np.ndarray:
    r"""torch's OneCycleLR: up from η0/d to η0 (the peak), then down to η0/(d·d_f) at the last step.

    .. math::
        \eta_k = \begin{cases} a\!\left(\frac{\eta_0}{d}, \eta_0, \frac{k}{e_1}\right), & k \le e_1 \\
        a\!\left(\eta_0, \frac{\eta_0}{d d_f}, \frac{k - e_1}{T - 1 - e_1}\right), & k > e_1 \end{cases}
        \quad e_1 = pT - 1

    where :math:`a(u, v, x)` goes from :math:`u` to :math:`v` as :math:`x` goes from 0 to 1, along half a
    cosine (``anneal = cos``: :math:`v + \tfrac{1}{2}(u - v)(1 + \cos \pi x)`) or a line. With
    ``three_phase`` it falls back to η0/d at :math:`e_2 = 2pT - 2` first and only then to the end, as
    in Smith & Topin. η0 plays torch's ``max_lr``; the phase ends are torch's, as floats.

    References:
      Smith & Topin, Super-convergence: very fast training of neural networks using large learning rates, 2019,
      https://arxiv.org/abs/1708.07120; PyTorch OneCycleLR,
      https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
    """
    steps = as_steps(k)
    initial = lr / div_factor
    minimum = initial / final_div_factor
    end_up = pct_start * total_steps - 1.0
    if three_phase:
        phases = [(end_up, initial, lr), (2.0 * pct_start * total_steps - 2.0, lr, initial)]
    else:
        phases = [(end_up, initial, lr)]
    phases.append((total_steps - 1.0, initial if three_phase else lr, minimum))
    out = np.zeros(np.broadcast_shapes(steps.shape, np.shape(lr)))
    done = np.zeros(steps.shape, dtype=bool)
    start = 0.0
    for i, (end, high, low) in enumerate(phases):
        here = ~done & ((steps <= end) | (i == len(phases) - 1))
        # torch divides by the phase's length; a phase of length 0 (a tiny run) counts as finished
        pct = np.clip((steps - start) / (end - start), 0.0, 1.0) if end > start else np.ones_like(steps)
        out = np.where(here, _anneal(high, low, pct, anneal), out)
        done |= here
        start = end
    return full(out, k, lr)


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
        equivalents=(
            Equivalent(
                TORCH,
                "ChainedScheduler",
                "schedulers = [ConstantLR(factor=f, total_iters=w + 1), MultiStepLR(milestones=[m_i > m_0], gamma=γ)] "
                "(those milestones after w)",
                alias=False,
            ),
        ),
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
        equivalents=(
            Equivalent(
                TORCH,
                "ChainedScheduler",
                "schedulers = [LinearLR(start_factor=f, total_iters=w), MultiStepLR(milestones=[m_i > w], gamma=γ)]",
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "join_schedules",
                "[linear_schedule(f·η0, η0, w), piecewise_constant_schedule(η0, {m_i − w: γ for m_i > w})], "
                "boundaries [w]",
                alias=False,
            ),
        ),
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
        equivalents=(
            Equivalent(
                OPTAX,
                "piecewise_interpolate_schedule",
                '"linear", init_value = η0/r, boundaries_and_scales = {c: r, T: 1/r}',
                alias=False,
            ),
        ),
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
        equivalents=(
            Equivalent(
                OPTAX,
                "join_schedules",
                "[linear_schedule(0, η0, u), linear_schedule(η0, 0, T − d)], boundaries [d] (for u ≤ d)",
                alias=False,
            ),
        ),
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
        equivalents=(
            Equivalent(
                OPTAX,
                "linear_onecycle_schedule",
                "transition_steps = T, peak_value = η0, pct_start = s/T, pct_final = 2s/T, div_factor = d, "
                "final_div_factor = d",
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "piecewise_interpolate_schedule",
                '"linear", init_value = η0/d, boundaries_and_scales = {s: d, 2s: 1/d, T: 1/d}',
                alias=False,
            ),
        ),
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
        equivalents=(
            Equivalent(
                TORCH,
                "SequentialLR",
                "schedulers = [LinearLR(start_factor=f, total_iters=w), CosineAnnealingLR(T_max=T − w, "
                "eta_min=η_min)], "
                "milestones = [w]",
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "warmup_cosine_decay_schedule",
                "init_value = f·η0, peak_value = η0, warmup_steps = w, decay_steps = T, end_value = η_min "
                "(optax's default end_value: 0)",
                params={"peak_value": "lr", "end_value": "eta_min"},
                defaults={"eta_min": 0.0},
            ),
            Equivalent(
                KERAS,
                "CosineDecay",
                "initial_learning_rate = f·η0, warmup_target = η0, warmup_steps = w, decay_steps = T − w, alpha = "
                "η_min/η0",
                alias=False,
            ),
        ),
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
        equivalents=(
            Equivalent(
                OPTAX,
                "join_schedules",
                "[linear_schedule(f·η0, η0, w), polynomial_schedule(η0, η_min, p, T − w)], boundaries [w]",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="linearfactor_lr",
        name="Linear factor ramp",
        family="warmup",
        params={
            "start_factor": partial(FloatParam, low=0.0, high=1.0, help="Factor on η0 at step 0", symbol="s"),
            "end_factor": partial(FloatParam, low=0.0, high=1.0, help="Factor on η0 from step N on", symbol="e"),
            "total_iters": StepsParam(
                fraction=0.1, help="Steps from the start factor to the end factor (50 for T = 500)", symbol="N"
            ),
        },
        description="torch's LinearLR: η0/3 rising linearly to η0 at step 50, then η0 (a decay when e < s).",
        fn=linearfactor_lr,
        equivalents=(
            Equivalent(TORCH, "LinearLR", "start_factor = s, end_factor = e, total_iters = N"),
            Equivalent(
                OPTAX,
                "warmup_constant_schedule",
                "init_value = s·η0, peak_value = η0, warmup_steps = N (e = 1)",
                params={"peak_value": "lr", "warmup_steps": "total_iters"},
            ),
            Equivalent(
                OPTAX, "linear_schedule", "init_value = s·η0, end_value = e·η0, transition_steps = N", alias=False
            ),
            Equivalent(
                KERAS,
                "PolynomialDecay",
                "initial_learning_rate = s·η0, decay_steps = N, end_learning_rate = e·η0, power = 1",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="constantfactor_lr",
        name="Constant factor, then η0",
        family="warmup",
        params={
            "factor": partial(FloatParam, low=0.0, high=1.0, help="Factor on η0 during the first N steps", symbol="f"),
            "total_iters": StepsParam(fraction=0.1, help="Steps at the reduced LR (50 for T = 500)", symbol="N"),
        },
        description="torch's ConstantLR: η0/3 for the first 50 steps, then η0.",
        fn=constantfactor_lr,
        equivalents=(
            Equivalent(TORCH, "ConstantLR", "factor = f, total_iters = N"),
            Equivalent(
                OPTAX, "piecewise_constant_schedule", "init_value = f·η0, boundaries_and_scales = {N: 1/f}", alias=False
            ),
            Equivalent(KERAS, "PiecewiseConstantDecay", "boundaries = [N − 1], values = [f·η0, η0]", alias=False),
        ),
    ),
    Schedule(
        id="lwarmexp_lr",
        name="Linear warm-up + exponential",
        family="warmup",
        params={
            "warmup_steps": StepsParam(fraction=0.1, help="Last step of the warm-up (50 for T = 500)", symbol="w"),
            "warmup_factor": partial(
                FloatParam, low=0.0, high=1.0, help="LR at step 0, as a fraction of η0", symbol="f"
            ),
            "decay_steps": StepsParam(fraction=0.2, help="Steps per decay period D (100 for T = 500)", symbol="D"),
            "decay_rate": partial(FloatParam, low=0.0, high=100.0, help="Factor per decay period", symbol="r"),
            "staircase": partial(BoolParam, help="Decay in whole periods (a staircase) instead of smoothly"),
        },
        description="Rises linearly from η0/10 to η0 at step 50, then halves every 100 steps (as optax's).",
        fn=lwarmexp_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "SequentialLR",
                "schedulers = [LinearLR(start_factor=f, total_iters=w), ExponentialLR(gamma=r^(1/D))], milestones = "
                "[w] "
                "(staircase = False)",
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "warmup_exponential_decay_schedule",
                "init_value = f·η0, peak_value = η0, warmup_steps = w, transition_steps = D, decay_rate = r, staircase",
                params={"peak_value": "lr", "transition_steps": "decay_steps"},
            ),
        ),
    ),
    Schedule(
        id="onecycle_lr",
        name="One cycle (torch's form)",
        family="warmup",
        params={
            "pct_start": partial(
                FloatParam, low=0.0, high=1.0, help="Share of the run spent climbing to the peak η0", symbol="p"
            ),
            "div_factor": partial(FloatParam, low=1.0, high=1e6, log=True, help="The start is η0 / d", symbol="d"),
            "final_div_factor": partial(
                FloatParam, low=1.0, high=1e8, log=True, help="The end is η0 / (d·d_f)", symbol="d_f"
            ),
            "anneal": partial(
                ChoiceParam,
                choices=ONECYCLE_ANNEALS,
                help="Half-cosine or straight-line phases (torch's anneal_strategy)",
            ),
            "three_phase": partial(
                BoolParam, help="Fall back to η0/d symmetrically before the final decay (Smith & Topin's form)"
            ),
        },
        description="torch's OneCycleLR: η0/25 up to the peak η0 at 30 % of the run, then a half cosine to η0/25e4.",
        fn=onecycle_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "OneCycleLR",
                "max_lr = η0, total_steps = T, pct_start = p, anneal_strategy = anneal, div_factor = d, "
                "final_div_factor = d_f, three_phase",
                params={"max_lr": "lr", "anneal_strategy": "anneal"},
            ),
            Equivalent(
                OPTAX,
                "cosine_onecycle_schedule",
                "transition_steps = T − 1, peak_value = η0, pct_start = (pT − 1)/(T − 1), div_factor = d, "
                "final_div_factor = d_f (anneal = cos; optax rounds the peak down to a whole step: exact where pT is "
                "one)",
                params={"peak_value": "lr", "pct_start": None},
                defaults={"anneal": "cos", "three_phase": False},
            ),
            Equivalent(
                OPTAX,
                "linear_onecycle_schedule",
                "transition_steps = T − 1, peak_value = η0, pct_start = (pT − 1)/(T − 1), pct_final = (2pT − 2)/(T − "
                "1), "
                "div_factor = d, final_div_factor = d_f (anneal = linear, three_phase; exact where pT is a whole step)",
                params={"peak_value": "lr", "pct_start": None},
                defaults={"anneal": "linear", "three_phase": True},
            ),
        ),
    ),
)
