"""Cyclical schedules (survey Table 4): triangular CLR, cosine cycles, SGDR, triangle, sine, SSGDR.

References:
  Liu & Zhang, Research advances in deep neural networks learning rate strategies, Control and
  Decision 38(9), 2023, Table 4; defaults from ``YunDuanFei/Vis-FuncNet`` (``lr_schedulers/``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from common.params import FloatParam, IntParam, StepsListParam, StepsParam
from common.registry import Equivalent
from schedules._base import KERAS, OPTAX, TORCH, Schedule, as_steps, at_start_is_lr, full

SINE_EPS = 1e-6  # the reference adds it (absolute) to the sine schedules
TRIANGLE_DECIMALS = 5  # the reference rounds triangle_lr's values to 5 decimals


def _triangle_wave(k: ArrayLike, half_cycle: int) -> tuple[np.ndarray, np.ndarray]:
    """Smith's triangle in [0, 1] (0 at the cycle's start, 1 at its middle) and the 1-based cycle number."""
    steps = as_steps(k)
    cycle = np.floor(1.0 + steps / (2 * half_cycle))
    x = np.abs(steps / half_cycle - 2.0 * cycle + 1.0)
    return np.maximum(0.0, 1.0 - x), cycle


def triangular_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, min_lr: float = 1e-4, max_lr: float = 0.1, half_cycle: int
) -> np.ndarray:
    r"""Smith's triangular cyclical LR between two absolute bounds (the base LR is not used).

    .. math::
        c = \left\lfloor 1 + \frac{k}{2s} \right\rfloor, \quad x = \left| \frac{k}{s} - 2c + 1 \right|, \quad
        \eta_k = \eta_{lo} + (\eta_{hi} - \eta_{lo}) \max(0, 1 - x)

    It starts at :math:`\eta_{lo}` at ``k = 0`` and peaks at :math:`\eta_{hi}` at ``k = s``, as
    ``torch.optim.lr_scheduler.CyclicLR(mode="triangular")``, which overrides the optimizer's LR.

    References:
      Smith, Cyclical learning rates for training neural networks, WACV 2017, https://arxiv.org/abs/1506.01186
    """
    del total_steps
    wave, _ = _triangle_wave(k, half_cycle)
    return full(min_lr + (max_lr - min_lr) * wave, k, lr)


def triangular2_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, min_lr: float = 1e-4, max_lr: float = 0.1, half_cycle: int
) -> np.ndarray:
    r"""Triangular cyclical LR whose amplitude halves every cycle (absolute bounds).

    .. math::
        c = \left\lfloor 1 + \frac{k}{2s} \right\rfloor, \quad x = \left| \frac{k}{s} - 2c + 1 \right|, \quad
        \eta_k = \eta_{lo} + (\eta_{hi} - \eta_{lo}) \max(0, 1 - x) \, 2^{-(c - 1)}

    References:
      Smith, Cyclical learning rates for training neural networks, WACV 2017, https://arxiv.org/abs/1506.01186
    """
    del total_steps
    wave, cycle = _triangle_wave(k, half_cycle)
    return full(min_lr + (max_lr - min_lr) * wave * 0.5 ** (cycle - 1.0), k, lr)


def triangularexp_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    min_lr: float = 1e-4,
    max_lr: float = 0.1,
    half_cycle: int,
    gamma: float = 0.995,
) -> np.ndarray:
    r"""Triangular cyclical LR whose amplitude shrinks by ``gamma`` every step ("exp_range").

    .. math::
        c = \left\lfloor 1 + \frac{k}{2s} \right\rfloor, \quad x = \left| \frac{k}{s} - 2c + 1 \right|, \quad
        \eta_k = \eta_{lo} + (\eta_{hi} - \eta_{lo}) \max(0, 1 - x) \, \gamma^{k}

    References:
      Smith, Cyclical learning rates for training neural networks, WACV 2017, https://arxiv.org/abs/1506.01186
    """
    del total_steps
    wave, _ = _triangle_wave(k, half_cycle)
    return full(min_lr + (max_lr - min_lr) * wave * gamma ** as_steps(k), k, lr)


def cosineclr_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, half_period: int, eta_min: float = 1e-7
) -> np.ndarray:
    r"""Cosine annealing over ``half_period`` steps that is never restarted, so it oscillates.

    .. math::
        \eta_k = \eta_{\min} + \tfrac{1}{2} (\eta_0 - \eta_{\min}) \left(1 + \cos\frac{\pi k}{s}\right)

    The reference runs ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=50)`` for 500 steps:
    past ``T_max`` the cosine continues, so the LR reaches :math:`\eta_{\min}` at ``k = 50`` and
    climbs back to :math:`\eta_0` at ``k = 100``, smoothly, with period :math:`2s`.

    References:
      Loshchilov & Hutter, SGDR: stochastic gradient descent with warm restarts, ICLR 2017,
      https://arxiv.org/abs/1608.03983 (run as torch's CosineAnnealingLR(T_max=50) past T_max;
      code spelling cosineclc_lr)
    """
    del total_steps
    return full(eta_min + 0.5 * (lr - eta_min) * (1.0 + np.cos(np.pi * as_steps(k) / half_period)), k, lr)


def _restart_starts(period: int, t_mult: int, last_step: int) -> tuple[np.ndarray, np.ndarray]:
    """First step and length of every SGDR cycle that starts at or before ``last_step``."""
    starts, lengths = [0], [period]
    while starts[-1] + lengths[-1] <= last_step:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * t_mult)
    return np.asarray(starts, dtype=np.int64), np.asarray(lengths, dtype=np.int64)


def sgdr_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, period: int, t_mult: int = 1, eta_min: float = 0.0
) -> np.ndarray:
    r"""SGDR: cosine annealing with warm restarts, each cycle ``t_mult`` times longer than the last.

    .. math::
        \eta_k = \eta_{\min} + \tfrac{1}{2} (\eta_0 - \eta_{\min})
        \left(1 + \cos\left(\pi \frac{T_{cur}}{T_i}\right)\right), \quad T_i = P \, m^i

    where :math:`T_{cur}` counts the steps since the last restart (integer arithmetic, as
    ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``).

    References:
      Loshchilov & Hutter, SGDR: stochastic gradient descent with warm restarts, ICLR 2017,
      https://arxiv.org/abs/1608.03983
    """
    del total_steps
    step = np.asarray(k, dtype=np.int64)
    if t_mult == 1:
        since, length = step % period, np.full_like(step, period)
    else:
        starts, lengths = _restart_starts(period, t_mult, int(step.max()) if step.size else 0)
        cycle = np.searchsorted(starts, step, side="right") - 1
        since, length = step - starts[cycle], lengths[cycle]
    ratio = since.astype(np.float64) / length.astype(np.float64)
    return full(eta_min + 0.5 * (lr - eta_min) * (1.0 + np.cos(np.pi * ratio)), k, lr)


def sgdrd_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, period: int, decay: float = 0.8) -> np.ndarray:
    r"""SGDR with equal periods and a peak that decays by ``decay`` at each restart.

    .. math::
        \eta_k = \frac{\eta_0}{2} \left(1 + \cos\frac{\pi (k \bmod P)}{P}\right) \alpha^{\lfloor k / P \rfloor}

    References:
      Loshchilov & Hutter, SGDR: stochastic gradient descent with warm restarts, ICLR 2017,
      https://arxiv.org/abs/1608.03983
    """
    del total_steps
    step = np.asarray(k, dtype=np.int64)
    phase = (step % period).astype(np.float64) / period
    restarts = (step // period).astype(np.float64)
    return full(0.5 * lr * (1.0 + np.cos(np.pi * phase)) * decay**restarts, k, lr)


def _python_round(values: np.ndarray, decimals: int) -> np.ndarray:
    """Python's ``round(x, decimals)`` elementwise: the exact binary value rounded half to even."""
    scale = 10.0**decimals
    scaled = values * scale
    out = np.rint(scaled) / scale
    # Where x·10^d lies within rounding error of a tie, np.rint may round the wrong way: ask Python.
    margin = np.maximum(1e-6, 4.0 * np.spacing(np.abs(scaled)))
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) <= margin
    for index in zip(*np.nonzero(near_tie), strict=True):
        out[index] = round(float(values[index]), decimals)
    return out


def triangle_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, milestones: tuple[int, ...], gamma: float = 2.0, cycle_len: int
) -> np.ndarray:
    r"""A falling saw-tooth whose floor is divided by ``gamma`` at each milestone.

    .. math::
        \eta_k = \begin{cases} \eta_0, & k \in \{0, 1\} \\
        \operatorname{round}_5\left(m_k L - ((k - 2) \bmod L) \, m_k\right), & k \ge 2 \end{cases} \quad
        m_k = \eta_0 \, \gamma^{-\#\{i \,:\, t_i \le k\}}

    So each tooth falls from :math:`L m_k` to :math:`m_k` over :math:`L` steps; the teeth start at
    ``k = 2`` and keep their phase across milestones. As in the reference, each value is rounded
    to 5 decimals (so a small η0 gives coarse steps, and values under 5e-6 become 0) and
    :math:`m_k` is obtained by dividing by :math:`\gamma` once per milestone passed. The reference
    fires a milestone at its first multiple after the previous one; for increasing milestones
    ≥ 2 (the defaults) that is the milestone itself.

    References:
      Mehta et al., ESPNetv2: a light-weight, power efficient, and general purpose convolutional neural network,
      CVPR 2019, https://arxiv.org/abs/1811.11431
    """
    del total_steps
    step = np.asarray(k, dtype=np.int64)
    shape = np.broadcast_shapes(step.shape, np.shape(lr))
    passed = np.searchsorted(np.asarray(milestones, dtype=np.int64), step, side="right")
    floor = np.array(np.broadcast_to(np.asarray(lr, dtype=np.float64), shape))
    for i in range(len(milestones)):
        floor = np.where(passed > i, floor / gamma, floor)
    position = ((step - 2) % cycle_len).astype(np.float64)
    tooth = _python_round(floor * cycle_len - position * floor, TRIANGLE_DECIMALS)
    return full(np.where(step < 2, lr, tooth), k, lr)


def _sine(k: ArrayLike, step_size: int) -> np.ndarray:
    return np.abs(np.sin(np.pi * as_steps(k) / (2 * step_size)))


def sine_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, step_size: int) -> np.ndarray:
    r"""Rectified sine cycles (SIN).

    .. math::
        \eta_k = \begin{cases} \eta_0, & k = 0 \\
        \eta_0 \left|\sin\frac{\pi k}{2 s}\right| + 10^{-6}, & k \ge 1 \end{cases}

    It touches the absolute floor 1e-6 every :math:`2s` steps.

    References:
      Wu et al., Demystifying learning rate policies for high accuracy training of deep neural networks,
      IEEE Big Data 2019, https://arxiv.org/abs/1908.06477
    """
    del total_steps
    return at_start_is_lr(k, lr, lr * _sine(k, step_size) + SINE_EPS)


def sine2_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, step_size: int) -> np.ndarray:
    r"""Rectified sine cycles whose amplitude halves every cycle (SIN2).

    .. math::
        \eta_k = \eta_0 \, 2^{-\lfloor k / (2s) \rfloor} \left|\sin\frac{\pi k}{2 s}\right| + 10^{-6}

    and :math:`\eta_0` at ``k = 0``.

    References:
      Wu et al., Demystifying learning rate policies for high accuracy training of deep neural networks,
      IEEE Big Data 2019, https://arxiv.org/abs/1908.06477
    """
    del total_steps
    halvings = np.floor(as_steps(k) / (2 * step_size))
    return at_start_is_lr(k, lr, lr * 0.5**halvings * _sine(k, step_size) + SINE_EPS)


def sineexp_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, step_size: int, gamma: float = 0.98) -> np.ndarray:
    r"""Rectified sine cycles whose amplitude shrinks by ``gamma`` every step (SINEXP).

    .. math::
        \eta_k = \eta_0 \, \gamma^{k} \left|\sin\frac{\pi k}{2 s}\right| + 10^{-6}

    and :math:`\eta_0` at ``k = 0``.

    References:
      Wu et al., Demystifying learning rate policies for high accuracy training of deep neural networks,
      IEEE Big Data 2019, https://arxiv.org/abs/1908.06477
    """
    del total_steps
    return at_start_is_lr(k, lr, lr * gamma ** as_steps(k) * _sine(k, step_size) + SINE_EPS)


def _ssgdr(k: ArrayLike, lr: ArrayLike, period: int, decay: float) -> np.ndarray:
    step = np.asarray(k, dtype=np.int64)
    within = (step % period).astype(np.float64)
    peak = lr * decay ** (step // period).astype(np.float64)
    falling = np.cos(np.pi * (within - 0.5 * period) / period)
    return full(np.where(within < 0.5 * period, peak, peak * falling), k, lr)


def ssgdr_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, period: int) -> np.ndarray:
    r"""Step-SGDR: flat for the first half of each period, then a quarter cosine.

    .. math::
        i = k \bmod P, \quad \eta_k = \begin{cases} \eta_0, & i < P/2 \\
        \eta_0 \cos\frac{\pi (i - P/2)}{P}, & i \ge P/2 \end{cases}

    The quarter cosine ends near :math:`0.03 \eta_0` before the restart.

    References:
      Yang et al., Diversity encouraging ensemble of convolutional networks for high performance action recognition,
      ICIP 2017
    """
    del total_steps
    return _ssgdr(k, lr, period, 1.0)


def ssgdrd_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, period: int, decay: float = 0.5) -> np.ndarray:
    r"""Step-SGDR whose peak is multiplied by ``decay`` at each restart.

    .. math::
        i = k \bmod P, \quad \eta_k = \alpha^{\lfloor k / P \rfloor} \begin{cases} \eta_0, & i < P/2 \\
        \eta_0 \cos\frac{\pi (i - P/2)}{P}, & i \ge P/2 \end{cases}

    References:
      Yang et al., Diversity encouraging ensemble of convolutional networks for high performance action recognition,
      ICIP 2017
    """
    del total_steps
    return _ssgdr(k, lr, period, decay)


# Smith's bounds, which three schedules share (the reference's 1e-4 and 0.1 are the functions' defaults).
_CLR_PARAMS = {
    "min_lr": partial(
        FloatParam, low=1e-8, high=10.0, log=True, help="Absolute LR at the bottom of a cycle", symbol=r"\eta_{lo}"
    ),
    "max_lr": partial(
        FloatParam, low=1e-8, high=10.0, log=True, help="Absolute LR at the top of a cycle", symbol=r"\eta_{hi}"
    ),
    "half_cycle": StepsParam(fraction=0.1, help="Steps from bottom to top (50 for T = 500)", symbol="s"),
}

ENTRIES = (
    Schedule(
        id="triangular_lr",
        name="Triangular CLR",
        family="cyclical",
        params=_CLR_PARAMS,
        description=(
            "Climbs linearly from 1e-4 to 0.1 in 50 steps and back, again and again; the bounds are absolute, "
            "so η0 has no effect (as in the reference)."
        ),
        fn=triangular_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "CyclicLR",
                'base_lr = η_lo, max_lr = η_hi, step_size_up = s, mode = "triangular"',
                params={"base_lr": "min_lr", "step_size_up": "half_cycle"},
                select={"mode": "triangular"},
            ),
        ),
    ),
    Schedule(
        id="triangular2_lr",
        name="Triangular2 CLR",
        family="cyclical",
        params=_CLR_PARAMS,
        description=(
            "Triangular cycles between the absolute 1e-4 and 0.1 whose height halves every cycle; η0 has no effect."
        ),
        fn=triangular2_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "CyclicLR",
                'base_lr = η_lo, max_lr = η_hi, step_size_up = s, mode = "triangular2"',
                params={"base_lr": "min_lr", "step_size_up": "half_cycle"},
                select={"mode": "triangular2"},
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="triangularexp_lr",
        name="Exp-range CLR",
        family="cyclical",
        params={
            **_CLR_PARAMS,
            "gamma": partial(
                FloatParam, low=0.0, high=1.0, help="Factor on the cycle height per step", symbol=r"\gamma"
            ),
        },
        description=(
            "Triangular cycles between the absolute 1e-4 and 0.1 whose height shrinks by 0.995 per step; "
            "η0 has no effect."
        ),
        fn=triangularexp_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "CyclicLR",
                'base_lr = η_lo, max_lr = η_hi, step_size_up = s, mode = "exp_range", gamma = γ (torch\'s default γ: '
                "1)",
                params={"base_lr": "min_lr", "step_size_up": "half_cycle"},
                select={"mode": "exp_range"},
                defaults={"gamma": 1.0},
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="cosineclr_lr",
        name="Cosine cycles (no restart)",
        family="cyclical",
        params={
            "half_period": StepsParam(fraction=0.1, help="Steps from η0 down to η_min (50 for T = 500)", symbol="s"),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR at the bottom of a cycle", symbol=r"\eta_{\min}"
            ),
        },
        description=(
            "Cosine annealing with T_max = 50 that is never restarted: it reaches η_min at step 50 and rises "
            "smoothly back to η0 at step 100 (period 100)."
        ),
        fn=cosineclr_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "CosineAnnealingLR",
                "T_max = s, eta_min = η_min, stepped past T_max (torch's recursive form keeps the cosine going)",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="sgdres_lr",
        name="SGDR (equal periods)",
        family="cyclical",
        params={
            "period": StepsParam(fraction=0.2, help="Steps between restarts (100 for T = 500)", symbol="P"),
            "t_mult": partial(
                IntParam, low=1, high=10, help="Each period is this many times longer than the last", symbol="m"
            ),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR at the end of a period", symbol=r"\eta_{\min}"
            ),
        },
        description="Cosine from η0 towards 0, restarted at η0 every 100 steps.",
        fn=sgdr_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "CosineAnnealingWarmRestarts",
                "T_0 = P, T_mult = m, eta_min = η_min",
                params={"T_0": "period", "T_mult": "t_mult"},
            ),
            Equivalent(
                OPTAX,
                "sgdr_schedule",
                "cosine_kwargs = [dict(init_value=η0, peak_value=η0, warmup_steps=0, decay_steps=P·m^i, "
                "end_value=η_min) for each cycle i]",
            ),
            Equivalent(
                KERAS,
                "CosineDecayRestarts",
                "initial_learning_rate = η0, first_decay_steps = P, t_mul = m, m_mul = 1, alpha = η_min/η0",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="sgdrnes_lr",
        name="SGDR (growing periods)",
        family="cyclical",
        params={
            "period": StepsParam(fraction=0.1, help="Length of the first period (50 for T = 500)", symbol="P"),
            # sgdr_lr's own default is 1 (equal periods, sgdres_lr); this entry doubles every period
            "t_mult": IntParam(2, 1, 10, help="Each period is this many times longer than the last", symbol="m"),
            "eta_min": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR at the end of a period", symbol=r"\eta_{\min}"
            ),
        },
        description="Cosine warm restarts with periods 50, 100, 200, …: restarts at steps 50, 150 and 350.",
        fn=sgdr_lr,
        equivalents=(
            Equivalent(TORCH, "CosineAnnealingWarmRestarts", "T_0 = P, T_mult = m, eta_min = η_min", alias=False),
            Equivalent(
                OPTAX,
                "sgdr_schedule",
                "cosine_kwargs = [dict(init_value=η0, peak_value=η0, warmup_steps=0, decay_steps=P·m^i, "
                "end_value=η_min) for each cycle i]",
                alias=False,
            ),
            Equivalent(
                KERAS,
                "CosineDecayRestarts",
                "initial_learning_rate = η0, first_decay_steps = P, t_mul = m, m_mul = 1, alpha = η_min/η0",
                params={"first_decay_steps": "period", "t_mul": "t_mult"},
            ),
        ),
    ),
    Schedule(
        id="sgdrd_lr",
        name="SGDR with decay",
        family="cyclical",
        params={
            "period": StepsParam(fraction=0.2, help="Steps between restarts (T/5)", symbol="P"),
            "decay": partial(
                FloatParam, low=0.0, high=1.0, help="Factor on the peak at each restart", symbol=r"\alpha"
            ),
        },
        description="Cosine warm restarts every T/5 steps, each restart peaking 0.8 times lower than the last.",
        fn=sgdrd_lr,
        equivalents=(
            Equivalent(
                OPTAX,
                "sgdr_schedule",
                "cosine_kwargs = [dict(init_value=η0·α^i, peak_value=η0·α^i, warmup_steps=0, decay_steps=P, "
                "end_value=0) "
                "for each cycle i]",
                alias=False,
            ),
            Equivalent(
                KERAS,
                "CosineDecayRestarts",
                "initial_learning_rate = η0, first_decay_steps = P, t_mul = 1, m_mul = α, alpha = 0",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="triangle_lr",
        name="Triangle (saw-tooth)",
        family="cyclical",
        params={
            "milestones": StepsListParam(
                fractions=(0.2, 0.4, 0.8),
                help="Steps at which the tooth height is divided (100, 200, 400)",
                symbol="t_i",
            ),
            "gamma": partial(
                FloatParam, low=1.0, high=100.0, help="Divisor of the tooth height at each milestone", symbol=r"\gamma"
            ),
            "cycle_len": StepsParam(fraction=0.04, help="Length of one tooth (20 for T = 500)", symbol="L"),
        },
        description=(
            "η0 at steps 0 and 1, then teeth falling from 20·m to m every 20 steps, m = η0 halved at 100, 200 "
            "and 400; values rounded to 5 decimals as in the reference (a tiny η0 rounds to 0)."
        ),
        fn=triangle_lr,
    ),
    Schedule(
        id="sine_lr",
        name="Sine (SIN)",
        family="cyclical",
        params={"step_size": StepsParam(fraction=0.04, help="Steps from 0 to the top of a hump (20)", symbol="s")},
        description="Humps |sin(πk/40)|·η0 + 1e-6 of 40 steps; η0 at step 0, then back near 1e-6 at 40, 80, …",
        fn=sine_lr,
    ),
    Schedule(
        id="sine2_lr",
        name="Sine, halving (SIN2)",
        family="cyclical",
        params={"step_size": StepsParam(fraction=0.04, help="Steps from 0 to the top of a hump (20)", symbol="s")},
        description="sine_lr whose humps halve in height every 40 steps; η0 at step 0.",
        fn=sine2_lr,
    ),
    Schedule(
        id="sineexp_lr",
        name="Sine, exponential (SINEXP)",
        family="cyclical",
        params={
            "step_size": StepsParam(fraction=0.04, help="Steps from 0 to the top of a hump (20)", symbol="s"),
            "gamma": partial(
                FloatParam, low=0.0, high=1.0, help="Factor on the hump height per step", symbol=r"\gamma"
            ),
        },
        description="sine_lr whose humps shrink by 0.98 per step (almost gone after 200 steps); η0 at step 0.",
        fn=sineexp_lr,
    ),
    Schedule(
        id="ssgdr_lr",
        name="Step-SGDR",
        family="cyclical",
        params={"period": StepsParam(fraction=0.2, help="Steps between restarts (100 for T = 500)", symbol="P")},
        description=(
            "η0 for the first half of every 100 steps, then a quarter cosine down to ≈ 0.03·η0, then a restart."
        ),
        fn=ssgdr_lr,
    ),
    Schedule(
        id="ssgdrd_lr",
        name="Step-SGDR with decay",
        family="cyclical",
        params={
            "period": StepsParam(fraction=0.2, help="Steps between restarts (100 for T = 500)", symbol="P"),
            "decay": partial(
                FloatParam, low=0.0, high=1.0, help="Factor on the peak at each restart", symbol=r"\alpha"
            ),
        },
        description="ssgdr_lr whose peak halves at every restart (every 100 steps).",
        fn=ssgdrd_lr,
    ),
)
