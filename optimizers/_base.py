"""The ``Optimizer`` record and the families the registry groups its entries by."""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from common.params import ParamSpec
from common.registry import docstring_formula, docstring_references, specs_with_defaults

if TYPE_CHECKING:
    import optax

# The families, in the order the page groups them, with the names it shows. One module per family
# (optimizers/<family>.py) holds its entries.
# Family id -> the short name the page's pickers show ("Adam family · Yogi").
FAMILIES = {
    "sgd": "SGD and momentum",
    "adagrad": "Adaptive step",
    "adam": "Adam family",
    "wrapper": "Wrapper",
    "matrix": "Matrix-aware",
}

# The factory's first parameter: the learning rate, or the optimizer it wraps.
LEARNING_RATE, INNER = "learning_rate", "inner"
BIAS_MASK = "bias_mask"  # a bool pytree shaped like the params, for optimizers that treat biases apart


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """One registry entry: what the page shows and how to build the transformation.

    ``factory(learning_rate, **hyper)`` (or ``factory(inner, **hyper)`` for a wrapper) returns an
    :class:`optax.GradientTransformation`. It is the one source of what it states (see
    :mod:`common.registry`): its keyword defaults are the hyperparameters' defaults, its docstring's
    ``.. math::`` block is ``latex`` and its ``References:`` section ``reference``; whether it wraps
    another optimizer (its first parameter is ``inner``) and whether it takes a ``bias_mask`` are read
    from its signature. ``params`` adds ranges, help and symbols, in the order the page lists them.
    """

    id: str
    name: str
    family: str
    params: Mapping[str, ParamSpec]  # hyperparameters; names are the factory's keywords
    description: str  # one line
    factory: Callable[..., optax.GradientTransformation]
    latex: str = dataclasses.field(init=False)  # the update rule, KaTeX-renderable
    reference: str = dataclasses.field(init=False)
    wraps: bool = dataclasses.field(init=False)  # factory(inner, **hyper) instead of factory(learning_rate, **hyper)
    needs_bias_mask: bool = dataclasses.field(init=False)  # factory also takes bias_mask=

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {self.family=}")
        parameters = list(inspect.signature(self.factory).parameters)
        if not parameters or parameters[0] not in (LEARNING_RATE, INNER):
            raise ValueError(
                f"optimizer {self.id}: the factory's first parameter must be {LEARNING_RATE} or {INNER}, "
                f"got {parameters[:1]}"
            )
        skip = (parameters[0], BIAS_MASK)
        params = specs_with_defaults(self.factory, self.params, skip=skip, where=f"optimizer {self.id}")
        object.__setattr__(self, "params", types.MappingProxyType(params))
        object.__setattr__(self, "latex", docstring_formula(self.factory))
        object.__setattr__(self, "reference", docstring_references(self.factory))
        object.__setattr__(self, "wraps", parameters[0] == INNER)
        object.__setattr__(self, "needs_bias_mask", BIAS_MASK in parameters)
