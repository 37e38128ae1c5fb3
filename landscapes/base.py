"""What a surface is: its function and the metadata beside it (BoTorch-style: bounds and known optima)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax

from common.params import ParamSpec

Point = tuple[float, float]


class Points(NamedTuple):
    """The known special points of a surface for given parameter values."""

    minimizers: tuple[Point, ...]  # global minimizers; empty when there is none (unbounded, or an infimum)
    min_value: float | None  # the global minimum, or the infimum when it is not attained; None if unbounded
    local_minimizers: tuple[Point, ...]  # local, non-global minimizers
    saddles: tuple[Point, ...]
    target: Point | None  # the point distances are measured to (the reference's "known minimum")


@dataclasses.dataclass(frozen=True, eq=False)  # entries are singletons compared by identity; params is a dict
class Surface:
    """A 2-D surface f(x, y) with its default view and its known critical points.

    ``fn(xy, **params)`` takes a point of shape ``(2,)`` and returns a scalar; it is pure ``jax.numpy``, so it
    can be jitted, vmapped and differentiated, and float parameters may be traced arrays.
    """

    id: str
    name: str
    params: Mapping[str, ParamSpec]
    latex: str
    reference: str
    description: str  # one line: what a student should notice
    fn: Callable[..., jax.Array]
    window: tuple[Point, Point]  # ((xmin, xmax), (ymin, ymax))
    starts: tuple[Point, ...]  # default start points, the paper's first
    minimizers: tuple[Point, ...]
    min_value: float | None
    local_minimizers: tuple[Point, ...] = ()
    saddles: tuple[Point, ...] = ()
    target: Point | None = None  # default: the first minimizer
    log_z: bool = False  # a log scale shows the z values best
    figure: str | None = None  # the figure of Liu & Zhang 2023 this surface belongs to
    bias_coords: tuple[bool, bool] = (False, False)  # which coordinates are a neuron's bias (AdaMix)
    points: Callable[[Mapping[str, Any]], Points] | None = None  # special points for given parameters


def default_params(surface: Surface) -> dict[str, Any]:
    """Every parameter of ``surface`` at its default value."""
    return {name: spec.default for name, spec in surface.params.items()}


def critical_points(surface: Surface, params: Mapping[str, Any] | None = None) -> Points:
    """The known special points of ``surface`` for ``params`` (unset parameters take their defaults)."""
    values = default_params(surface) | dict(params or {})
    if surface.points is not None:
        return surface.points(values)
    target = surface.target
    if target is None and surface.minimizers:
        target = surface.minimizers[0]
    return Points(surface.minimizers, surface.min_value, surface.local_minimizers, surface.saddles, target)
