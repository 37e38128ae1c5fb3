"""The ``Optimizer`` record and the families the registry groups its entries by."""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from common.params import ParamSpec
from common.registry import Equivalent, check_equivalents, docstring_formula, docstring_references, specs_with_defaults

if TYPE_CHECKING:
    import optax

# The families, in the order the page groups them, with the names it shows. One module per family
# (optimizers/<family>.py) holds its entries.
# Family id -> the short name the page's pickers show ("Adam family · Yogi").
FAMILIES = {
    "sgd": "SGD and momentum",
    "adagrad": "Adaptive step",
    "adam": "Adam family",
    "sign": "Sign steps",
    "layerwise": "Layer-wise",
    "lr_free": "Learning-rate-free",
    "schedule_free": "Schedule-free",
    "second_order": "Curvature",
    "wrapper": "Wrapper",
    "matrix": "Matrix-aware",
}

# The modules that the optimizers' equivalents live in (``Optimizer.equivalents``).
TORCH = "torch.optim"
TORCH_OPTIMIZER = "torch_optimizer"
OPTAX = "optax"
OPTAX_CONTRIB = "optax.contrib"
KERAS = "keras.optimizers"

# The factory's first parameter: the learning rate, or the optimizer it wraps.
LEARNING_RATE, INNER = "learning_rate", "inner"
BIAS_MASK = "bias_mask"  # a bool pytree shaped like the params, for optimizers that treat biases apart
MIN_VALUE = "min_value"  # the surface's minimum value f*, for optimizers that step by the loss gap f − f*

# What an update may need besides the gradient (optax's extra-args convention,
# ``update(grads, state, params, **extra_args)``), and what the engine passes for each:
EXTRA_ARGS = {
    "value": "the loss f(θ) at the current point",
    "grad": "the true gradient ∇f(θ) (before noise and clipping)",
    "value_fn": "θ ↦ f(θ), for a line search",
    "grad_fn": "(θ, i) ↦ the gradient at θ, clipped as the scene clips, for SAM's ascent step",
    "obj_fn": "θ ↦ f(θ), for a Hessian-vector product",
}


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """One registry entry: what the page shows and how to build the transformation.

    ``factory(learning_rate, **hyper)`` (or ``factory(inner, **hyper)`` for a wrapper) returns an
    :class:`optax.GradientTransformation`. It is the one source of what it states (see
    :mod:`common.registry`): its keyword defaults are the hyperparameters' defaults, its docstring's
    ``.. math::`` block is ``latex`` and its ``References:`` section ``reference``; whether it wraps
    another optimizer (its first parameter is ``inner``) and whether it takes a ``bias_mask`` are read
    from its signature, and so is whether it takes ``min_value`` (the surface's minimum value, which
    the engine passes). ``params`` adds ranges, help and symbols, in the order the page lists them.
    ``extra_args`` names what its ``update`` needs besides the gradient (:data:`EXTRA_ARGS`); a
    wrapper that does not hand them to its inner optimizer says so with ``passes_extra_args``.
    ``equivalents`` names the same optimizer in torch, optax, Keras, ..., with how their arguments map
    (:class:`common.registry.Equivalent`); the command line and the pickers accept those names.
    """

    id: str
    name: str
    family: str
    params: Mapping[str, ParamSpec]  # hyperparameters; names are the factory's keywords
    description: str  # one line
    factory: Callable[..., optax.GradientTransformation]
    extra_args: tuple[str, ...] = ()  # what update() needs besides the gradient, names from EXTRA_ARGS
    passes_extra_args: bool = True  # a wrapper: whether its inner optimizer gets the extra arguments too
    equivalents: tuple[Equivalent, ...] = ()  # the same optimizer in torch, optax, Keras, ...
    latex: str = dataclasses.field(init=False)  # the update rule, KaTeX-renderable
    reference: str = dataclasses.field(init=False)
    wraps: bool = dataclasses.field(init=False)  # factory(inner, **hyper) instead of factory(learning_rate, **hyper)
    needs_bias_mask: bool = dataclasses.field(init=False)  # factory also takes bias_mask=
    needs_min_value: bool = dataclasses.field(init=False)  # factory also takes min_value= (the surface's f*)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {self.family=}")
        parameters = list(inspect.signature(self.factory).parameters)
        if not parameters or parameters[0] not in (LEARNING_RATE, INNER):
            raise ValueError(
                f"optimizer {self.id}: the factory's first parameter must be {LEARNING_RATE} or {INNER}, "
                f"got {parameters[:1]}"
            )
        unknown = sorted(set(self.extra_args) - set(EXTRA_ARGS))
        if unknown:
            raise ValueError(f"optimizer {self.id}: extra_args must be among {', '.join(EXTRA_ARGS)}, got {unknown}")
        skip = (parameters[0], BIAS_MASK, MIN_VALUE)
        params = specs_with_defaults(self.factory, self.params, skip=skip, where=f"optimizer {self.id}")
        object.__setattr__(self, "params", types.MappingProxyType(params))
        where = f"optimizer {self.id}"
        object.__setattr__(self, "equivalents", check_equivalents(self.equivalents, params, where=where))
        object.__setattr__(self, "latex", docstring_formula(self.factory))
        object.__setattr__(self, "reference", docstring_references(self.factory))
        object.__setattr__(self, "wraps", parameters[0] == INNER)
        object.__setattr__(self, "needs_bias_mask", BIAS_MASK in parameters)
        object.__setattr__(self, "needs_min_value", MIN_VALUE in parameters)
