"""Piecewise schedules (survey Table 2): constant, step, multi-step, linear and loss-based decay.

References:
  Liu & Zhang, Research advances in deep neural networks learning rate strategies, Control and
  Decision 38(9), 2023, Table 2; the reference pipeline ``YunDuanFei/Vis-FuncNet``
  (``lr_schedulers/``) fixes the defaults for ``T = 500``.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from common.params import ChoiceParam, FloatListParam, FloatParam, ParamError, StepsListParam, StepsParam
from common.registry import Equivalent
from schedules._base import KERAS, OPTAX, OPTAX_CONTRIB, TORCH, Schedule, as_steps, full

# torch.optim.lr_scheduler.ReduceLROnPlateau's default ``eps``: smaller reductions are skipped.
PLATEAU_EPS = 1e-8


def constant_lr(k: ArrayLike, total_steps: int, lr: ArrayLike) -> np.ndarray:
    r"""Constant learning rate.

    .. math::
        \eta_k = \eta_0

    References:
      Kuan & Hornik, Convergence of learning algorithms with constant learning rates,
      IEEE Transactions on Neural Networks 1991
    """
    del total_steps
    return full(lr, k, lr)


def step_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, step_size: int, gamma: float = 0.95) -> np.ndarray:
    r"""Step decay: multiply by ``gamma`` every ``step_size`` steps.

    .. math::
        \eta_k = \eta_0 \, \gamma^{\lfloor k / s \rfloor}

    where :math:`s` is ``step_size``. The first drop is at ``k = s`` (``k = s − 1`` still uses
    :math:`\eta_0`), as in ``torch.optim.lr_scheduler.StepLR``.

    References:
      Krizhevsky et al., ImageNet classification with deep convolutional neural networks, NeurIPS 2012
    """
    del total_steps
    drops = np.asarray(k, dtype=np.int64) // step_size
    return full(lr * np.power(gamma, drops.astype(np.float64)), k, lr)


def multistep_lr(
    k: ArrayLike, total_steps: int, lr: ArrayLike, *, milestones: tuple[int, ...], gamma: float = 0.1
) -> np.ndarray:
    r"""Multi-step decay: multiply by ``gamma`` at each milestone.

    .. math::
        \eta_k = \eta_0 \, \gamma^{\#\{i \,:\, m_i \le k\}}

    A milestone listed twice counts twice, as in ``torch.optim.lr_scheduler.MultiStepLR``.

    References:
      Han et al., Deep pyramidal residual networks, CVPR 2017
    """
    del total_steps
    passed = np.searchsorted(np.asarray(milestones, dtype=np.int64), np.asarray(k, dtype=np.int64), side="right")
    return full(lr * np.power(gamma, passed.astype(np.float64)), k, lr)


def linear_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, decay_steps: int, end_lr: float = 1e-4) -> np.ndarray:
    r"""Linear decay from the base LR to an absolute ``end_lr``, then constant.

    .. math::
        \eta_k = \begin{cases} \eta_0 + \frac{k}{t_1} (\eta_1 - \eta_0), & k < t_1 \\
        \eta_1, & k \ge t_1 \end{cases}

    where :math:`t_1` is ``decay_steps`` and :math:`\eta_1` is ``end_lr`` (absolute, not a
    multiple of :math:`\eta_0`).

    References:
      Li et al., Budgeted training: rethinking deep neural network training under resource constraints, ICLR 2020,
      https://arxiv.org/abs/1905.04753
    """
    del total_steps
    steps = as_steps(k)
    ramp = lr + (end_lr - lr) * (steps / decay_steps)
    return full(np.where(steps < decay_steps, ramp, end_lr), k, lr)


def baseloss_lr(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    factor: float = 0.7,
    patience: int,
    threshold: float = 1e-4,
    cooldown: int,
    min_lr: float = 1e-4,
) -> np.ndarray:
    r"""Reduce-on-plateau: its table is just the base LR; the engine lowers it during the run.

    .. math::
        \eta_{k+1} = \begin{cases} \max(\gamma \, \eta_k, \eta_{\min}),
        & \text{no relative improvement} > \delta \text{ for more than } p \text{ steps} \\
        \eta_k, & \text{otherwise} \end{cases}

    The rule needs the loss of the run itself, so the engine applies it step by step (see
    :func:`plateau_reference` for the exact semantics); before any loss is seen it is
    :math:`\eta_0`.

    References:
      He et al., Deep residual learning for image recognition, CVPR 2016; PyTorch ReduceLROnPlateau,
      https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    del total_steps, factor, patience, threshold, cooldown, min_lr
    return full(lr, k, lr)


def plateau_reference(
    losses: ArrayLike,
    lr: ArrayLike,
    factor: float,
    patience: int,
    threshold: float,
    cooldown: int,
    min_lr: float,
    eps: float = PLATEAU_EPS,
) -> np.ndarray:
    r"""The LR of each step under torch's ``ReduceLROnPlateau(mode="min", threshold_mode="rel")``.

    The reference calls ``optimizer.step()`` and then ``scheduler.step(loss)`` once per update,
    where ``loss`` is the loss at the point the update's gradient was taken. So ``losses[j]`` is
    the loss seen by update ``j``, and the LR used by update ``k`` depends on
    ``losses[0], …, losses[k − 1]`` only: ``result[..., 0]`` is ``lr``, and ``losses[..., -1]``
    changes nothing.

    After each update, with ``best`` starting at ``+inf``, ``bad = 0`` and ``cool = 0``:

    1. ``losses[j] < best · (1 − threshold)``: ``best ← losses[j]``, ``bad ← 0``; else ``bad += 1``.
       (For a negative ``best`` this bar lies *above* ``best``, as in torch.)
    2. if ``cool > 0``: ``cool −= 1`` and ``bad ← 0`` (bad steps during the cooldown do not count).
    3. if ``bad > patience``: ``new = max(factor · η, min_lr)``; the LR becomes ``new`` only if
       ``η − new > eps``; then ``cool ← cooldown`` and ``bad ← 0``.

    With a constant loss, the first reduction is used from step ``patience + 2`` on, and the
    next ones every ``patience + cooldown + 1`` steps after that. A NaN loss counts as no improvement.

    Args:
      losses: the loss of each step, shape ``(..., T)``.
      lr: the base LR, a float or an array broadcasting against ``losses`` (e.g. ``(N, 1)``).
      factor: the LR is multiplied by this on a plateau.
      patience: the number of steps without improvement that is still tolerated.
      threshold: the relative improvement over the best loss that counts as one.
      cooldown: steps after a reduction during which no bad step is counted.
      min_lr: the LR never goes below this (absolute).
      eps: reductions smaller than this are skipped (torch's default 1e-8).

    Returns:
      float64 LRs of shape ``broadcast(lr, losses)``: entry ``k`` is the LR of update ``k``.
    """
    losses = np.asarray(losses, dtype=np.float64)
    shape = np.broadcast_shapes(np.shape(lr), losses.shape)
    if not shape:
        raise ValueError(f"losses needs a step axis, got shape {losses.shape}")
    losses = np.broadcast_to(losses, shape)
    batch = shape[:-1]
    rate = np.array(np.broadcast_to(np.asarray(lr, dtype=np.float64), shape)[..., 0])
    best = np.full(batch, np.inf)
    bad = np.zeros(batch, dtype=np.int64)
    cool = np.zeros(batch, dtype=np.int64)
    out = np.empty(shape)
    for j in range(shape[-1]):
        out[..., j] = rate
        loss = losses[..., j]
        better = loss < best * (1.0 - threshold)
        best = np.where(better, loss, best)
        bad = np.where(better, 0, bad + 1)
        in_cooldown = cool > 0
        cool = np.where(in_cooldown, cool - 1, cool)
        bad = np.where(in_cooldown, 0, bad)
        reduce = bad > patience
        reduced = np.maximum(rate * factor, min_lr)
        rate = np.where(reduce & (rate - reduced > eps), reduced, rate)
        cool = np.where(reduce, cooldown, cool)
        bad = np.where(reduce, 0, bad)
    return out


INTERPOLATIONS = ("linear", "cosine")


def piecewise_interpolate(
    k: ArrayLike,
    total_steps: int,
    lr: ArrayLike,
    *,
    boundaries: tuple[int, ...],
    values: tuple[float, ...] = (0.1, 1.0, 0.01),
    interpolate_type: str = "linear",
) -> np.ndarray:
    r"""Straight or cosine segments through given multiples of η0 at given steps (optax's piecewise interpolation).

    .. math::
        \eta_k = \eta_0 \begin{cases} v_i + (v_{i+1} - v_i)\, x, & b_i \le k < b_{i+1} \text{ (linear)} \\
        v_{i+1} + \tfrac{1}{2} (v_i - v_{i+1}) (1 + \cos \pi x), & b_i \le k < b_{i+1} \text{ (cosine)} \\
        v_n, & k \ge b_n \end{cases} \quad x = \frac{k - b_i}{b_{i+1} - b_i}

    with :math:`b_0 = 0`: the LR passes through :math:`v_i \eta_0` at step :math:`b_i` and holds
    :math:`v_n \eta_0` after the last boundary. optax states the same curve by ``init_value`` and the
    ratios of successive values; ``values`` needs one entry more than ``boundaries``.

    Raises:
      ParamError: if ``len(values) != len(boundaries) + 1``.

    References:
      optax.piecewise_interpolate_schedule (DeepMind et al., The DeepMind JAX Ecosystem, 2020,
      http://github.com/google-deepmind); Smith & Topin, Super-convergence, 2019, https://arxiv.org/abs/1708.07120
    """
    del total_steps
    if len(values) != len(boundaries) + 1:
        raise ParamError(
            f"piecewise_interpolate: values needs len(boundaries) + 1 = {len(boundaries) + 1} entries, "
            f"got {len(values)}"
        )
    if interpolate_type not in INTERPOLATIONS:
        raise ParamError(f"interpolate_type must be one of {', '.join(INTERPOLATIONS)}, got {interpolate_type!r}")
    steps = as_steps(k)
    marks = (0, *boundaries)
    factor = np.where(steps >= marks[-1], values[-1], 0.0)
    for i in range(len(boundaries)):
        start, end, high, low = marks[i], marks[i + 1], values[i], values[i + 1]
        x = (steps - start) / max(end - start, 1)
        if interpolate_type == "linear":
            segment = high + (low - high) * x
        else:
            segment = low + 0.5 * (high - low) * (1.0 + np.cos(np.pi * x))
        factor = np.where((steps >= start) & (steps < end), segment, factor)
    return full(lr * factor, k, lr)


ENTRIES = (
    Schedule(
        id="constant_lr",
        name="Constant",
        family="piecewise",
        params={},
        description="The base LR η0 at every step: the baseline every other schedule is compared with.",
        fn=constant_lr,
        equivalents=(Equivalent(OPTAX, "constant_schedule", "value = η0", params={"value": "lr"}),),
    ),
    Schedule(
        id="step_lr",
        name="Step decay",
        family="piecewise",
        params={
            "step_size": StepsParam(fraction=0.01, help="Steps between two drops (5 for T = 500)", symbol="s"),
            "gamma": partial(FloatParam, low=0.0, high=1.0, help="Factor applied at each drop", symbol=r"\gamma"),
        },
        description="Multiplies the LR by γ = 0.95 every s = 5 steps: steps 0–4 use η0, step 5 uses 0.95·η0.",
        fn=step_lr,
        equivalents=(
            Equivalent(TORCH, "StepLR", "step_size = s, gamma = γ (torch's default γ: 0.1)", defaults={"gamma": 0.1}),
            Equivalent(
                OPTAX,
                "exponential_decay",
                "init_value = η0, transition_steps = s, decay_rate = γ, staircase = True",
                alias=False,
            ),
            Equivalent(
                KERAS,
                "ExponentialDecay",
                "initial_learning_rate = η0, decay_steps = s, decay_rate = γ, staircase = True",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="multistep_lr",
        name="Multi-step decay",
        family="piecewise",
        params={
            "milestones": StepsListParam(
                fractions=(0.2, 0.6, 0.8), help="Steps at which the LR drops (100, 300, 400 for T = 500)", symbol="m_i"
            ),
            "gamma": partial(FloatParam, low=0.0, high=1.0, help="Factor applied at each milestone", symbol=r"\gamma"),
        },
        description=(
            "Multiplies the LR by γ = 0.1 at steps 100, 300 and 400 (the milestone step already uses the lower LR)."
        ),
        fn=multistep_lr,
        equivalents=(
            Equivalent(TORCH, "MultiStepLR", "milestones = m_i, gamma = γ"),
            Equivalent(
                OPTAX,
                "piecewise_constant_schedule",
                "init_value = η0, boundaries_and_scales = {m_i: γ} (a milestone listed twice: γ²)",
                params={"init_value": "lr"},
            ),
            Equivalent(
                KERAS,
                "PiecewiseConstantDecay",
                "boundaries = [m_i − 1], values = [η0·γ^i] (a boundary step keeps the earlier value)",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="linear_lr",
        name="Linear decay",
        family="piecewise",
        params={
            "decay_steps": StepsParam(
                fraction=0.8, help="Steps to go from η0 down to η1 (400 for T = 500)", symbol="t_1"
            ),
            "end_lr": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute LR reached at the end of the decay", symbol=r"\eta_1"
            ),
        },
        description=(
            "Falls linearly from η0 to the absolute η1 = 1e-4 over the first 80 % of the run, then stays there."
        ),
        fn=linear_lr,
        equivalents=(
            Equivalent(TORCH, "LinearLR", "start_factor = 1, end_factor = η_1/η0, total_iters = t_1", alias=False),
            Equivalent(
                OPTAX,
                "linear_schedule",
                "init_value = η0, end_value = η_1, transition_steps = t_1",
                params={"init_value": "lr", "end_value": "end_lr", "transition_steps": "decay_steps"},
            ),
            Equivalent(
                KERAS,
                "PolynomialDecay",
                "initial_learning_rate = η0, decay_steps = t_1, end_learning_rate = η_1, power = 1",
                alias=False,
            ),
        ),
    ),
    Schedule(
        id="baseloss_lr",
        name="Reduce on plateau (loss-based)",
        family="piecewise",
        params={
            "factor": partial(
                FloatParam, low=0.0, high=0.999, help="Factor applied when the loss stalls", symbol=r"\gamma"
            ),
            "patience": StepsParam(
                fraction=0.02,
                low=0,
                help="Steps without improvement tolerated before a drop (10 for T = 500)",
                symbol="p",
            ),
            "threshold": partial(
                FloatParam,
                low=0.0,
                high=1.0,
                help="Relative loss decrease that counts as an improvement",
                symbol=r"\delta",
            ),
            "cooldown": StepsParam(
                fraction=0.008, low=0, help="Steps after a drop before stalls count again (4 for T = 500)", symbol="c"
            ),
            "min_lr": partial(
                FloatParam, low=0.0, high=10.0, help="Absolute floor the LR never goes below", symbol=r"\eta_{\min}"
            ),
        },
        description=(
            "Multiplies the LR by 0.7 when the loss has not improved by a relative 1e-4 for more than 10 steps "
            "(floor 1e-4, cooldown 4); it follows the run's own loss (the reference never passed it the loss)."
        ),
        fn=baseloss_lr,
        equivalents=(
            Equivalent(
                TORCH,
                "ReduceLROnPlateau",
                'mode = "min", factor = γ, patience = p, threshold = δ, threshold_mode = "rel", cooldown = c, '
                "min_lr = η_min, eps = 1e-8, step(loss) after each update (torch's defaults: γ 0.1, p 10, c 0, η_min "
                "0)",
                select={"mode": "min", "threshold_mode": "rel"},
                defaults={"factor": 0.1, "patience": 10, "cooldown": 0, "min_lr": 0.0},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "reduce_on_plateau",
                "factor = γ, patience = p + 1, rtol = δ, cooldown = c, min_scale = η_min/η0; it scales update k by "
                "a factor that has seen the loss of update k, so its scale at k is ours at k + 1 over η0 (no eps)",
                params={"rtol": "threshold", "patience": None},
                defaults={"factor": 0.1, "patience": 9, "cooldown": 0, "min_lr": 0.0},
            ),
        ),
        needs_loss=True,
    ),
    Schedule(
        id="piecewise_interpolate",
        name="Piecewise interpolation",
        family="piecewise",
        params={
            "boundaries": StepsListParam(
                fractions=(0.1, 0.9), help="Steps where the curve passes through the next value (50, 450)", symbol="b_i"
            ),
            "values": partial(
                FloatListParam,
                low=0.0,
                high=1e3,
                help="Multiples of η0 at step 0 and at each boundary (one more than the boundaries)",
                symbol="v_i",
            ),
            "interpolate_type": partial(ChoiceParam, choices=INTERPOLATIONS, help="Straight or half-cosine segments"),
        },
        description="Through 0.1·η0 at step 0, η0 at step 50 and 0.01·η0 at step 450, straight between, then flat.",
        fn=piecewise_interpolate,
        equivalents=(
            Equivalent(
                OPTAX,
                "piecewise_interpolate_schedule",
                "interpolate_type, init_value = v_0·η0, boundaries_and_scales = {b_i: v_i/v_(i−1)} "
                "(distinct boundaries, no zero value before the last)",
            ),
        ),
    ),
)
