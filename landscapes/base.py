"""What a surface is: its function and the metadata beside it (BoTorch-style: bounds and known optima)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from common.params import ParamSpec
from common.registry import docstring_formula, docstring_references, specs_with_defaults

if TYPE_CHECKING:
    import jax

Point = tuple[float, float]
POSITIONAL = ("xy",)  # the first argument of every surface function; its keyword-only arguments are its parameters


class Points(NamedTuple):
    """The known special points of a surface for given parameter values."""

    minimizers: tuple[Point, ...]  # global minimizers; empty when there is none (unbounded, or an infimum)
    min_value: float | None  # the global minimum, or the infimum when it is not attained; None if unbounded
    local_minimizers: tuple[Point, ...] = ()  # local, non-global minimizers
    saddles: tuple[Point, ...] = ()
    target: Point | None = None  # distances are measured to it (the reference's "known minimum"); None: the first
    # minimizer, if there is one


@dataclasses.dataclass(frozen=True, eq=False)  # entries are singletons compared by identity; params is a dict
class Surface:
    """A 2-D surface f(x, y) with its default view and its known critical points.

    ``fn(xy, **params)`` takes a point of shape ``(2,)`` and returns a scalar; it is pure ``jax.numpy``, so it
    can be jitted, vmapped and differentiated, and float parameters may be traced arrays. ``fn`` is the one
    source of what it states (see :mod:`common.registry`): its keyword defaults are the parameters' defaults,
    its docstring's ``.. math::`` block is ``latex`` and its ``References:`` section ``reference``.
    """

    id: str
    name: str
    params: Mapping[str, ParamSpec]  # ranges, help and symbols, in the order the page lists them
    description: str  # one line: what a student should notice
    fn: Callable[..., jax.Array]
    window: tuple[Point, Point]  # ((xmin, xmax), (ymin, ymax))
    starts: tuple[Point, ...]  # default start points, the paper's first
    # The known special points: fixed, or a function of the parameter values (every one given) when they move.
    points: Points | Callable[[Mapping[str, Any]], Points]
    log_z: bool = False  # a log scale shows the z values best
    figure: str | None = None  # the figure of Liu & Zhang 2023 this surface belongs to
    bias_coords: tuple[bool, bool] = (False, False)  # which coordinates are a neuron's bias (AdaMix)
    latex: str = dataclasses.field(init=False)
    reference: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        params = specs_with_defaults(self.fn, self.params, skip=POSITIONAL, where=f"surface {self.id}")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "latex", docstring_formula(self.fn))
        object.__setattr__(self, "reference", docstring_references(self.fn))


def coordinates(xy: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``x, y`` of a point of shape ``(2,)``."""
    return xy[0], xy[1]


def default_params(surface: Surface) -> dict[str, Any]:
    """Every parameter of ``surface`` at its default value."""
    return {name: spec.default for name, spec in surface.params.items()}


def critical_points(surface: Surface, params: Mapping[str, Any] | None = None) -> Points:
    """The known special points of ``surface`` for ``params`` (unset parameters take their defaults)."""
    points = surface.points
    if callable(points):
        points = points(default_params(surface) | dict(params or {}))
    if points.target is None and points.minimizers:
        points = points._replace(target=points.minimizers[0])
    return points
