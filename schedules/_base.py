"""The ``Schedule`` record and the numpy helpers every schedule module shares."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from common.params import ParamSpec
from common.registry import Equivalent, check_equivalents, docstring_formula, docstring_references, specs_with_defaults

# The families, in the order the page groups them, with the names it shows.
# Family id -> the short name the page's pickers show ("Cyclical · SGDR"). The survey's tables: piecewise
# (Table 2), smooth decay (Table 3), cyclical and restarts (Table 4), warm-up (Table 5); then the TensorFlow
# decay functions of seed 003 and the power decay of AdaDec.
FAMILIES = {
    "piecewise": "Piecewise",
    "smooth": "Smooth decay",
    "cyclical": "Cyclical",
    "warmup": "Warm-up",
    "tensorflow": "TensorFlow-style",
    "adaptive": "Adaptive",
    "budgeted": "Budget-aware",  # schedules shaped by the step budget: warm-up-stable-decay, REX
}

# The modules that the schedules' equivalents live in (``Schedule.equivalents``).
TORCH = "torch.optim.lr_scheduler"
OPTAX = "optax"
OPTAX_CONTRIB = "optax.contrib"
KERAS = "keras.optimizers.schedules"

# The first arguments of every schedule function; its keyword-only arguments are its parameters.
POSITIONAL = ("k", "total_steps", "lr")


@dataclasses.dataclass(frozen=True)
class Schedule:
    """One learning-rate schedule: its parameters, the function that computes it and what the page says of it.

    ``fn(k, total_steps, lr, **params)`` returns the LR of the steps ``k`` (an int64 array of
    0-based step indices: the LR used for the k-th update) of a run of ``total_steps`` steps
    starting from the base LR ``lr`` (a float, or an array that broadcasts against ``k``, such
    as ``(N, 1)`` for ``N`` candidate base LRs). The result is float64 with the broadcast shape.

    ``fn`` is the one source of what it states (see :mod:`common.registry`): its keyword defaults are the
    parameters' defaults, its docstring's ``.. math::`` block is ``latex`` and its ``References:`` section
    is ``reference``. ``params`` adds ranges, help and symbols, in the order the page lists them.
    ``equivalents`` names the same schedule in torch, optax and Keras, with how their arguments map
    (:class:`common.registry.Equivalent`); tests/test_schedule_equivalents.py checks each against its library.
    """

    id: str
    name: str
    family: str
    params: Mapping[str, ParamSpec]
    description: str  # one line
    fn: Callable[..., np.ndarray]
    needs_loss: bool = False  # the LR depends on the run's own loss (the engine applies it step by step)
    equivalents: tuple[Equivalent, ...] = ()  # the same schedule in torch, optax, Keras
    latex: str = dataclasses.field(init=False)
    reference: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {self.family=}")
        clash = set(self.params) & set(POSITIONAL)
        if clash:
            raise ValueError(f"parameter names may not be {', '.join(sorted(clash))}, got {sorted(self.params)=}")
        params = specs_with_defaults(self.fn, self.params, skip=POSITIONAL, where=f"schedule {self.id}")
        object.__setattr__(self, "params", types.MappingProxyType(params))
        where = f"schedule {self.id}"
        object.__setattr__(
            self, "equivalents", check_equivalents(self.equivalents, params, where=where, targets=("lr",))
        )
        object.__setattr__(self, "latex", docstring_formula(self.fn))
        object.__setattr__(self, "reference", docstring_references(self.fn))


def as_steps(k: ArrayLike) -> np.ndarray:
    """The step indices as float64, for the formulas."""
    return np.asarray(k, dtype=np.float64)


def out_shape(k: ArrayLike, lr: ArrayLike) -> tuple[int, ...]:
    return np.broadcast_shapes(np.shape(k), np.shape(lr))


def full(values: ArrayLike, k: ArrayLike, lr: ArrayLike) -> np.ndarray:
    """``values`` as a fresh float64 array of the shape that ``k`` and ``lr`` broadcast to."""
    return np.array(np.broadcast_to(np.asarray(values, dtype=np.float64), out_shape(k, lr)))


def at_start_is_lr(k: ArrayLike, lr: ArrayLike, values: ArrayLike) -> np.ndarray:
    """``values``, except exactly ``lr`` at ``k = 0``.

    Many reference schedules special-case ``last_epoch == 0`` and return the base LR there,
    whatever their formula gives.
    """
    return full(np.where(np.asarray(k) == 0, lr, values), k, lr)


def safe_divisor(value: float) -> float:
    """``value``, or 1 where it is 0 or negative: for branches that ``np.where`` evaluates but discards."""
    return value if value > 0 else 1.0


def gaussian_noise(seed: int, k: ArrayLike) -> np.ndarray:
    """Standard normal draws, one per step: the same ``(seed, k)`` always gives the same value.

    The ``n``-th draw of ``np.random.default_rng(seed)`` belongs to step ``n``, so a step's noise
    does not depend on which other steps are evaluated.
    """
    k = np.asarray(k, dtype=np.int64)
    count = int(k.max()) + 1 if k.size else 0
    draws = np.random.default_rng(seed).standard_normal(count)
    return draws[k]
