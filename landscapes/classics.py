"""Classic test functions, and a surface of the user's own formula.

Forms as in Jamil & Yang, "A literature survey of benchmark functions for global optimization problems",
2013, and Surjanovic & Bingham, Virtual Library of Simulation Experiments. Points marked "computed" were
found numerically; :mod:`landscapes` says how and to what accuracy.
"""

from __future__ import annotations

import functools
import math
from functools import partial
from typing import TYPE_CHECKING

from common import formula as formula_lang
from common.params import FloatParam, FormulaParam
from common.registry import lazy_module
from landscapes.base import Points, Surface, coordinates

if TYPE_CHECKING:
    import jax
    import jax.numpy as jnp
else:
    jnp = lazy_module("jax.numpy")


def himmelblau(xy: jax.Array) -> jax.Array:
    r"""Himmelblau's function.

    .. math::
        (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    References:
        D. M. Himmelblau, Applied Nonlinear Programming, McGraw-Hill, 1972
    """
    x, y = coordinates(xy)
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


def _norm_with_zero_subgradient(x: jax.Array, y: jax.Array) -> jax.Array:
    """√(x² + y²) whose derivative at the origin is 0 (a valid subgradient) instead of NaN."""
    squared = x**2 + y**2
    positive = squared > 0.0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, squared, 1.0)), 0.0)


def ackley(xy: jax.Array) -> jax.Array:
    r"""Ackley's function; a kink at its minimum.

    .. math::
        \begin{gathered}-20\exp\left(-0.2\sqrt{\tfrac{1}{2}(x^2 + y^2)}\right) \\
        - \exp\left(\tfrac{1}{2}(\cos 2\pi x + \cos 2\pi y)\right) + e + 20\end{gathered}

    References:
        D. H. Ackley, A Connectionist Machine for Genetic Hillclimbing, Kluwer, 1987
    """
    x, y = coordinates(xy)
    radius = _norm_with_zero_subgradient(x, y)
    return (
        -20.0 * jnp.exp(-0.2 * math.sqrt(0.5) * radius)
        - jnp.exp(0.5 * (jnp.cos(2.0 * jnp.pi * x) + jnp.cos(2.0 * jnp.pi * y)))
        + math.e
        + 20.0
    )


def booth(xy: jax.Array) -> jax.Array:
    r"""Booth's function.

    .. math::
        (x + 2y - 7)^2 + (2x + y - 5)^2

    References:
        Jamil & Yang, A literature survey of benchmark functions for global optimization problems, 2013
    """
    x, y = coordinates(xy)
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def six_hump_camel(xy: jax.Array) -> jax.Array:
    r"""Six-hump camel.

    .. math::
        \begin{gathered}\left(4 - 2.1x^2 + \frac{x^4}{3}\right)x^2 \\
        + xy + (-4 + 4y^2)y^2\end{gathered}

    References:
        L. C. W. Dixon & G. P. Szegő, The global optimization problem: an introduction,
        in Towards Global Optimisation 2, North-Holland, 1978
    """
    x, y = coordinates(xy)
    return (4.0 - 2.1 * x**2 + x**4 / 3.0) * x**2 + x * y + (-4.0 + 4.0 * y**2) * y**2


def monkey_saddle(xy: jax.Array) -> jax.Array:
    r"""The monkey saddle: three valleys meet at a degenerate saddle (zero Hessian) at the origin.

    .. math::
        x^3 - 3xy^2

    References:
        The monkey saddle; D. Hilbert & S. Cohn-Vossen, Geometry and the Imagination, 1932
    """
    x, y = coordinates(xy)
    return x**3 - 3.0 * x * y**2


def quadratic(xy: jax.Array, *, condition: float = 10.0, angle: float = 30.0) -> jax.Array:
    r"""An ill-conditioned quadratic.

    .. math::
        \begin{gathered}\tfrac{1}{2}\left(u^2 + \frac{v^2}{\kappa}\right) \\
        u = x\cos\theta + y\sin\theta \\
        v = -x\sin\theta + y\cos\theta\end{gathered}

    (u, v) is the point rotated by −``angle`` degrees: curvature 1 along the direction at ``angle`` from the x
    axis, 1/κ across it, so κ = ``condition`` is the Hessian's condition number.

    References:
        J. Nocedal & S. J. Wright, Numerical Optimization, 2nd ed., Springer, 2006, §3.3
    """
    x, y = coordinates(xy)
    theta = angle * (math.pi / 180.0)
    cos, sin = jnp.cos(theta), jnp.sin(theta)
    u = cos * x + sin * y
    v = -sin * x + cos * y
    return 0.5 * (u**2 + v**2 / condition)


CUSTOM_DEFAULT = "0.2*x**2 + y**2 + 0.5*sin(3*x)"


CUSTOM_VARIABLES = ("x", "y")


@functools.lru_cache(maxsize=256)
def parse_custom(text: str) -> formula_lang.Formula:
    """The parsed surface formula in x and y (parsing is pure, so the result is cached by its text)."""
    return formula_lang.parse(text, variables=CUSTOM_VARIABLES)


def custom(xy: jax.Array, *, formula: str = CUSTOM_DEFAULT) -> jax.Array:
    r"""A user formula f(x, y) in the safe formula language; the text is static (never traced).

    .. math::
        f(x, y)

    References:
        User-defined, in the safe formula language of common.formula
    """
    x, y = coordinates(xy)
    return parse_custom(formula).evaluate(jnp, x=x, y=y)


ENTRIES = (
    Surface(
        id="himmelblau",
        name="Himmelblau",
        params={},
        description="Four equally deep minima: which one a path reaches depends only on where it starts.",
        fn=himmelblau,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((0.0, 0.0),),
        points=Points(
            # (3, 2) exactly; the others computed (see landscapes/__init__.py). The local maximum is
            # (−0.2708445906673476, −0.9230385564799813).
            minimizers=(
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.2831859912861696),
                (3.5844283403304917, -1.8481265269644036),
            ),
            min_value=0.0,
            saddles=(
                (3.3851541836070207, 0.0738518798377493),
                (0.08667750455539634, 2.8842547011747763),
                (-3.0730257507643897, -0.08135304428796751),
                (-0.12796134673068005, -1.9537149802445766),
            ),
        ),
        log_z=True,
    ),
    Surface(
        id="ackley",
        name="Ackley",
        params={},
        description="An egg-crate of local minima on a funnel whose tip at the origin is a kink, not a smooth pit.",
        fn=ackley,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((3.5, -4.0),),
        points=Points(
            minimizers=((0.0, 0.0),),
            min_value=0.0,
        ),
    ),
    Surface(
        id="booth",
        name="Booth",
        params={},
        description="A plain quadratic bowl, moderately elongated (condition number 9): the easy baseline.",
        fn=booth,
        window=((-10.0, 10.0), (-10.0, 10.0)),
        starts=((-8.0, 8.0),),
        points=Points(
            minimizers=((1.0, 3.0),),
            min_value=0.0,
        ),
        log_z=True,
    ),
    Surface(
        id="six_hump_camel",
        name="Six-hump camel",
        params={},
        description="Six minima, two of them global and mirror images; a saddle between them at the origin.",
        fn=six_hump_camel,
        window=((-2.0, 2.0), (-1.0, 1.0)),
        starts=((-1.9, 0.9),),
        points=Points(
            # Computed (see landscapes/__init__.py); literature: f(±0.0898, ∓0.7126) = −1.0316.
            minimizers=((0.08984201310031806, -0.7126564030207396), (-0.08984201310031806, 0.7126564030207396)),
            min_value=-1.0316284534898774,
            local_minimizers=(
                (1.7036067149699807, -0.7960835686726251),
                (-1.7036067149699807, 0.7960835686726251),
                (1.6071047529201974, 0.5686514548841314),
                (-1.6071047529201974, -0.5686514548841314),
            ),
            saddles=(
                (0.0, 0.0),
                (1.1092053368047865, -0.7682680925095399),
                (-1.1092053368047865, 0.7682680925095399),
                (1.638067984189779, 0.22867406904439413),
                (-1.638067984189779, -0.22867406904439413),
                (1.296070267167109, 0.6050843880386585),
                (-1.296070267167109, -0.6050843880386585),
            ),
        ),
    ),
    Surface(
        id="monkey_saddle",
        name="Monkey saddle",
        params={},
        description=(
            "Three valleys meet at a degenerate saddle (zero gradient and zero Hessian): near it every "
            "gradient method crawls."
        ),
        fn=monkey_saddle,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        starts=((1.5, 0.0), (1.5, 0.1)),
        points=Points(
            minimizers=(),
            min_value=None,
            saddles=((0.0, 0.0),),
        ),
    ),
    Surface(
        id="quadratic",
        name="Ill-conditioned quadratic",
        params={
            "condition": partial(
                FloatParam,
                low=1.0,
                high=1000.0,
                log=True,
                help="ratio of the largest to the smallest curvature",
                symbol=r"\kappa",
            ),
            "angle": partial(
                FloatParam,
                low=-90.0,
                high=90.0,
                help="direction of the steep axis, in degrees from the x axis",
                symbol=r"\theta",
            ),
        },
        description=(
            "An elongated bowl: the larger κ, the more gradient descent zig-zags; rotating it defeats "
            "per-coordinate step sizes."
        ),
        fn=quadratic,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((-4.5, 2.0),),
        points=Points(
            minimizers=((0.0, 0.0),),
            min_value=0.0,
        ),
    ),
    Surface(
        id="custom",
        name="Your formula",
        params={
            "formula": partial(
                FormulaParam,
                variables=CUSTOM_VARIABLES,
                help="f(x, y) with + - * / ** (or ^), pi, e, sin, exp, log, sqrt, where(cond, a, b), ...",
                symbol="f",
            )
        },
        description="Type any f(x, y); its minima are not known in advance.",
        fn=custom,
        window=((-3.0, 3.0), (-3.0, 3.0)),
        starts=((2.5, 2.0),),
        points=Points(
            minimizers=(),
            min_value=None,
        ),
    ),
)
