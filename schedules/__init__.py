"""Learning-rate schedules as pure numpy functions of the step, with their parameter specs.

``SCHEDULES`` maps a URL-safe id to a :class:`Schedule`: the 35 schedules of the reference
pipeline of Liu & Zhang 2023 (plus ``htd_lr`` from the survey's Table 3), the TensorFlow-style
decay functions of seed 003, a user formula (``lambda_lr``), the power schedule of seed 004, the
schedules of torch.optim.lr_scheduler and optax that those do not cover (``onecycle_lr``,
``linearfactor_lr``, ``constantfactor_lr``, ``lwarmexp_lr``, ``piecewise_interpolate``) and the
budget-aware schedules of 2022–2024 (``wsd_lr``, ``rex_lr``). Each entry names its equivalents in
torch, optax and Keras (``Schedule.equivalents``).
:func:`table` turns one of them into the LR of every step of a run, optionally after a
:class:`Warmup` prefix; :func:`entry_table` does it for a schedule as a scene states it (its own
η0 or the base one, its warm-up settings).

Example:
  >>> import numpy as np
  >>> from schedules import table
  >>> table("step_lr", {}, 0.1, 500)[[0, 4, 5]]
  array([0.1  , 0.1  , 0.095])
  >>> table("cosine_lr", {}, np.array([[1e-3], [1e-2]]), 500).shape
  (2, 500)

References:
  Liu & Zhang, Research advances in deep neural networks learning rate strategies, Control and
  Decision 38(9), 2023, Section 3 (Tables 2–5) and Section 4.1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from common.params import ChoiceParam, FloatParam, ParamSpec, StepsParam, resolve_params
from schedules import adaptive, budgeted, cyclical, piecewise, smooth, tensorflow, warmup
from schedules._base import FAMILIES, Schedule
from schedules.piecewise import plateau_reference

__all__ = [
    "FAMILIES",
    "SCHEDULES",
    "WARMUP_PARAMS",
    "Schedule",
    "ScheduleEntry",
    "Warmup",
    "WarmupEntry",
    "entry_table",
    "plateau_reference",
    "table",
]

SCHEDULES: dict[str, Schedule] = {
    entry.id: entry
    for entry in (
        *piecewise.ENTRIES,
        *smooth.ENTRIES,
        *cyclical.ENTRIES,
        *warmup.ENTRIES,
        *tensorflow.ENTRIES,
        *adaptive.ENTRIES,
        *budgeted.ENTRIES,
    )
}

WARMUP_KINDS = ("constant", "linear")

WARMUP_PARAMS: dict[str, ParamSpec] = {
    "kind": ChoiceParam("linear", WARMUP_KINDS, help="Hold a low LR (constant) or ramp up to η0 (linear)"),
    "steps": StepsParam(fraction=0.1, help="Length of the warm-up (10 % of the run by default)", symbol="w"),
    "start_factor": FloatParam(0.1, 0.0, 1.0, help="LR at the warm-up's first step, as a fraction of η0", symbol="f"),
}


@dataclasses.dataclass(frozen=True)
class Warmup:
    r"""A warm-up prefix for any schedule.

    .. math::
        \eta_k = \begin{cases}
            \eta_0 f, & k < w \text{ (constant)} \\
            \eta_0 \left(f + (1 - f) \frac{k}{w}\right), & k < w \text{ (linear)} \\
            \text{schedule}(k - w; \; T - w), & k \ge w
        \end{cases}

    From step ``w`` on, the schedule runs as if it had started at step 0 in a run of ``T − w``
    steps (like ``optax.join_schedules``): its step-count parameters scale with ``T − w``.
    """

    kind: str
    steps: int
    start_factor: float

    def __post_init__(self) -> None:
        if self.kind not in WARMUP_KINDS:
            raise ValueError(f"kind must be one of {', '.join(WARMUP_KINDS)}, got {self.kind=}")
        if self.steps < 0:
            raise ValueError(f"steps must be >= 0, got {self.steps=}")

    @classmethod
    def from_params(cls, values: Mapping[str, Any], total_steps: int) -> Warmup:
        """The warm-up that the (validated) widget values ask for in a run of ``total_steps``."""
        resolved = resolve_params(WARMUP_PARAMS, values, total_steps)
        return cls(
            kind=resolved["kind"], steps=min(resolved["steps"], total_steps), start_factor=resolved["start_factor"]
        )

    def factors(self, k: ArrayLike) -> np.ndarray:
        """The multiplier of η0 at warm-up steps ``k`` (``0 ≤ k < steps``)."""
        steps = np.asarray(k, dtype=np.float64)
        if self.kind == "constant":
            return np.full_like(steps, self.start_factor)
        return self.start_factor + (1.0 - self.start_factor) * steps / self.steps


def table(
    schedule_id: str,
    params: Mapping[str, Any],
    lr: ArrayLike,
    total_steps: int,
    warmup: Warmup | None = None,
) -> np.ndarray:
    """The LR of steps ``0 … T − 1`` of a schedule, float64.

    Validates nothing (the Scene did): ``params`` holds the values the user set; the others take
    their defaults, and unset step counts scale with the run length.

    Args:
      schedule_id: a key of :data:`SCHEDULES`.
      params: the user's parameter values (a subset of the schedule's ``params``).
      lr: the base LR η0, a float or an array of shape ``(N, 1)`` (any shape broadcasting
        against ``(T,)``) for ``N`` candidate base LRs at once.
      total_steps: the run length ``T``.
      warmup: an optional warm-up prefix.

    Returns:
      An array of shape ``(T,)`` for a float ``lr``, ``(N, T)`` for ``lr`` of shape ``(N, 1)``.
    """
    entry = SCHEDULES[schedule_id]
    if np.ndim(lr):
        lr = np.asarray(lr, dtype=np.float64)
    else:
        lr = float(lr)
    out = np.empty(np.broadcast_shapes(np.shape(lr), (total_steps,)), dtype=np.float64)
    head = 0 if warmup is None else min(warmup.steps, total_steps)
    if head:
        out[..., :head] = lr * warmup.factors(np.arange(head))
    rest = total_steps - head
    if rest > 0:
        values = resolve_params(entry.params, params, rest)
        out[..., head:] = entry.fn(np.arange(rest, dtype=np.int64), rest, lr, **values)
    return out


class WarmupEntry(Protocol):
    """A warm-up as a scene states it (``engine.scene.WarmupSpec`` is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def steps(self) -> int | None: ...  # None: the default share of the run (``WARMUP_PARAMS``)

    @property
    def start_factor(self) -> float: ...


class ScheduleEntry(Protocol):
    """A schedule as a scene states it (``engine.scene.ScheduleSpec`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def params(self) -> Mapping[str, Any]: ...

    @property
    def lr(self) -> float | None: ...  # its own η0; None: the base LR

    @property
    def warmup(self) -> WarmupEntry | None: ...


def entry_table(
    entry: ScheduleEntry, total_steps: int, *, base_lr: ArrayLike | None = None, lr: ArrayLike | None = None
) -> np.ndarray:
    """The LR of steps ``0 … T − 1`` of a schedule entry, its warm-up included, float64.

    Args:
      entry: the schedule's id, parameters, own η0 and warm-up (validated already).
      total_steps: the run length ``T``; a warm-up without ``steps`` lasts its default share of it.
      base_lr: η0 when the entry has no ``lr`` of its own (the scene's ``lr``).
      lr: η0 whatever the entry says: a float, or ``(N, 1)`` for ``N`` candidates (LR searches).

    Returns:
      ``(T,)``, or ``(N, T)`` for ``lr`` of shape ``(N, 1)``.
    """
    if lr is None:
        lr = base_lr if entry.lr is None else entry.lr
    if lr is None:
        raise ValueError(f"{entry.id}: the entry has no lr of its own, so a base LR is needed; got {base_lr=}")
    warmup = None
    if entry.warmup is not None:
        settings = {"kind": entry.warmup.kind, "steps": entry.warmup.steps, "start_factor": entry.warmup.start_factor}
        warmup = Warmup.from_params(settings, total_steps)
    return table(entry.id, entry.params, lr, total_steps, warmup)
