"""The registry of surfaces: ``SURFACES[id]`` is a :class:`~landscapes.base.Surface`.

The entries live beside their functions, one module per group: the paper's (:mod:`landscapes.paper`), the
reference pipeline's others (:mod:`landscapes.pipeline`), the classics and the user's formula
(:mod:`landscapes.classics`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from common.params import ParamError, validate_params
from landscapes import classics, paper, pipeline
from landscapes.base import Surface, default_params

if TYPE_CHECKING:
    import jax

# In the order the page and `cli.py list surfaces` have always listed them.
SURFACES: dict[str, Surface] = {entry.id: entry for entry in (*paper.ENTRIES, *pipeline.ENTRIES, *classics.ENTRIES)}


def get_surface(surface_id: str) -> Surface:
    """The surface registered as ``surface_id``; an unknown id raises ``ParamError`` listing the known ones."""
    try:
        return SURFACES[surface_id]
    except KeyError:
        raise ParamError(f"unknown surface {surface_id!r}; known: {', '.join(SURFACES)}") from None


def make_fn(surface_id: str, params: Mapping[str, Any] | None = None) -> Callable[[jax.Array], jax.Array]:
    """``f(xy)`` for the surface ``surface_id`` with ``params`` validated and the others at their defaults."""
    surface = get_surface(surface_id)
    checked = validate_params(surface.params, dict(params or {}), where=f"surface {surface_id}")
    return functools.partial(surface.fn, **(default_params(surface) | checked))
