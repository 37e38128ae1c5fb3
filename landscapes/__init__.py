"""2-D surfaces as pure JAX functions with their metadata: windows, start points and known critical points.

``SURFACES`` is the registry (id → :class:`Surface`); ``make_fn`` binds parameters; ``critical_points`` gives
the minimizers, saddles and target for given parameters. Importing the package does not import JAX: the
functions load it when they first run.

Special points without a closed form (marked "computed" beside them) were found once, while writing the
entries, by Newton's method on the gradient in float64 (jax.hessian, steps capped at 0.5) started from a
40×40 to 80×80 grid over the window; the converged points (|∇f| < 1e-12) were deduplicated and classified by
the signs of the Hessian's eigenvalues, and the lowest minimum was compared with the minimum over a 2001×2001
grid of the window. The digits are those results, accurate to about 1e-13; tests/test_landscapes.py checks
that the gradient vanishes there and that the Hessian has the stated signs.
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
