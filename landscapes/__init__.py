"""2-D surfaces as pure JAX functions with their metadata: windows, start points and known critical points.

``SURFACES`` is the registry (id → :class:`Surface`); ``make_fn`` binds parameters; ``critical_points`` gives
the minimizers, saddles and target for given parameters.
"""

from landscapes.base import Point, Points, Surface, critical_points, default_params
from landscapes.registry import SURFACES, get_surface, make_fn

__all__ = [
    "SURFACES",
    "Point",
    "Points",
    "Surface",
    "critical_points",
    "default_params",
    "get_surface",
    "make_fn",
]
