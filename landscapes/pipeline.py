"""The reference pipeline's other surfaces ("Vis-FuncNet", ``utils/functions.py``), in the usual literature forms.

Forms as in Jamil & Yang, "A literature survey of benchmark functions for global optimization problems",
2013, and Surjanovic & Bingham, Virtual Library of Simulation Experiments. Points marked "computed" were
found numerically; :mod:`landscapes` says how and to what accuracy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from common.params import FloatParam
from common.registry import lazy_module
from landscapes.base import Points, Surface, coordinates

if TYPE_CHECKING:
    import jax
    import jax.numpy as jnp
else:
    jax = lazy_module("jax")
    jnp = lazy_module("jax.numpy")

_SQRT3 = math.sqrt(3.0)


def rastrigin(xy: jax.Array, *, amplitude: float = 10.0) -> jax.Array:
    r"""Rastrigin's rippled bowl (A = 10 in the reference).

    .. math::
        2A + x^2 - A\cos(2\pi x) + y^2 - A\cos(2\pi y)

    References:
        L. A. Rastrigin, Systems of Extremal Control, 1974 (the 2-D form, A = 10)
    """
    x, y = coordinates(xy)
    return 2.0 * amplitude + x**2 - amplitude * jnp.cos(2.0 * jnp.pi * x) + y**2 - amplitude * jnp.cos(2.0 * jnp.pi * y)


def beale(xy: jax.Array) -> jax.Array:
    r"""Beale's function.

    .. math::
        \begin{gathered}(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 \\
        + (2.625 - x + xy^3)^2\end{gathered}

    References:
        E. M. L. Beale, On an iterative method for finding a local minimum of a function of more than one variable,
        Tech. Rep. 25, Statistical Techniques Research Group, Princeton University, 1958
    """
    x, y = coordinates(xy)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def mishra_bird(xy: jax.Array) -> jax.Array:
    r"""Mishra's bird.

    .. math::
        \begin{gathered}\sin(y)\, e^{(1 - \cos x)^2} + \cos(x)\, e^{(1 - \sin y)^2} \\
        + (x - y)^2\end{gathered}

    References:
        S. K. Mishra, Some new test functions for global optimization and performance of repulsive particle swarm
        method, MPRA Paper 2718, 2006
    """
    x, y = coordinates(xy)
    return jnp.sin(y) * jnp.exp((1.0 - jnp.cos(x)) ** 2) + jnp.cos(x) * jnp.exp((1.0 - jnp.sin(y)) ** 2) + (x - y) ** 2


def townsend(xy: jax.Array) -> jax.Array:
    r"""Townsend (modified), without its constraint.

    .. math::
        -\cos^2\!\big((x - 0.1)\,y\big) - x \sin(3x + y)

    References:
        A. Townsend, Constrained optimization in Chebfun, chebfun.org, 2014 (the modified Townsend function);
        used without its constraint, as in the reference pipeline
    """
    x, y = coordinates(xy)
    return -(jnp.cos((x - 0.1) * y) ** 2) - x * jnp.sin(3.0 * x + y)


def goldstein_price(xy: jax.Array) -> jax.Array:
    r"""Goldstein–Price.

    .. math::
        \small\begin{gathered}\big[1 + (x + y + 1)^2 \\
        \cdot (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\big] \\
        \times \big[30 + (2x - 3y)^2 \\
        \cdot (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\big]\end{gathered}

    References:
        A. A. Goldstein & J. F. Price, On descent from local minima, Mathematics of Computation 25(115), 1971
    """
    x, y = coordinates(xy)
    first = 1.0 + (x + y + 1.0) ** 2 * (19.0 - 14.0 * x + 3.0 * x**2 - 14.0 * y + 6.0 * x * y + 3.0 * y**2)
    second = 30.0 + (2.0 * x - 3.0 * y) ** 2 * (18.0 - 32.0 * x + 12.0 * x**2 + 48.0 * y - 36.0 * x * y + 27.0 * y**2)
    return first * second


def mccormick(xy: jax.Array) -> jax.Array:
    r"""McCormick.

    .. math::
        \sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1

    References:
        G. P. McCormick, Computability of global solutions to factorable nonconvex programs,
        Mathematical Programming 10, 1976; test-function form as in Jamil & Yang 2013
    """
    x, y = coordinates(xy)
    return jnp.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1.0


def three_hump_camel(xy: jax.Array) -> jax.Array:
    r"""Three-hump camel.

    .. math::
        2x^2 - 1.05x^4 + \frac{x^6}{6} + xy + y^2

    References:
        L. C. W. Dixon & G. P. Szegő (eds.), Towards Global Optimisation 2, North-Holland, 1978; Jamil & Yang 2013
    """
    x, y = coordinates(xy)
    return 2.0 * x**2 - 1.05 * x**4 + x**6 / 6.0 + x * y + y**2


def _gaussian(x: jax.Array, y: jax.Array, mean_x: float, mean_y: float, sigma: float) -> jax.Array:
    """An isotropic 2-D normal density with mean (mean_x, mean_y) and standard deviation sigma."""
    exponent = -((x - mean_x) ** 2 + (y - mean_y) ** 2) / (2.0 * sigma**2)
    return jnp.exp(exponent) / (2.0 * math.pi * sigma**2)


# (mean_x, mean_y, sigma) of the Gaussian trenches: a wide shallow one and a steep one at (−0.5, −0.8), plus two
# steep ones at (1, −0.5) and (−1, 0.5).
GAUSSIAN_TRENCHES = ((-0.5, -0.8, 0.35), (1.0, -0.5, 0.2), (-1.0, 0.5, 0.2), (-0.5, -0.8, 0.2))


def noisy_hill_a(xy: jax.Array) -> jax.Array:
    r"""Gaussian trenches: minus a sum of four normal densities (the reference's first "noisy hill").

    .. math::
        \small\begin{gathered}
        -\sum_{i=1}^{4} \frac{1}{2\pi\sigma_i^2} e^{-\frac{(x - \mu_i)^2 + (y - \nu_i)^2}{2\sigma_i^2}} \\
        (\mu, \nu, \sigma)_i \in \{(-0.5, -0.8, 0.35), \\
        (1, -0.5, 0.2), (-1, 0.5, 0.2), \\
        (-0.5, -0.8, 0.2)\}\end{gathered}

    The reference defines this one first and then redefines ``noisy_hill`` (its second form below) under the
    same name, and its inner density ignores its arguments; this is the form its comments describe.

    References:
        The reference pipeline's first noisy_hill (Vis-FuncNet, utils/functions.py),
        as its comments describe it: its code redefines the name and its density ignores its arguments
    """
    x, y = coordinates(xy)
    total = jnp.zeros_like(x)
    for mean_x, mean_y, sigma in GAUSSIAN_TRENCHES:
        total = total - _gaussian(x, y, mean_x, mean_y, sigma)
    return total


def noisy_hill_b(xy: jax.Array) -> jax.Array:
    r"""Wavy hill (the reference's second "noisy hill").

    .. math::
        -\sin(x^2)\cos(3y^2)\, e^{-(xy)^2} - e^{-(x+y)^2}

    References:
        The reference pipeline's second noisy_hill (Vis-FuncNet, utils/functions.py)
    """
    x, y = coordinates(xy)
    return -jnp.sin(x * x) * jnp.cos(3.0 * y * y) * jnp.exp(-((x * y) ** 2)) - jnp.exp(-((x + y) ** 2))


def saddle_sigmoid(xy: jax.Array) -> jax.Array:
    r"""A saddle at the origin flattened by a sigmoid (the reference's ``sigmoid1``).

    .. math::
        \sigma\!\left(xy + (10^{-4}x)^2 + (10^{-4}y)^2\right)

    References:
        The reference pipeline's sigmoid1 (Vis-FuncNet, utils/functions.py)
    """
    x, y = coordinates(xy)
    return jax.nn.sigmoid(x * y + (1e-4 * x) ** 2 + (1e-4 * y) ** 2)


def quartic_bowl(xy: jax.Array) -> jax.Array:
    r"""A bowl whose bottom is extremely flat (the reference's ``squre``).

    .. math::
        (0.1x)^4 + (0.1y)^4

    References:
        The reference pipeline's squre (Vis-FuncNet, utils/functions.py)
    """
    x, y = coordinates(xy)
    return (0.1 * x) ** 4 + (0.1 * y) ** 4


def _rastrigin_points(params: Mapping[str, Any]) -> Points:
    # The four nearest local minima sit at (±r, 0), (0, ±r), where r solves r + πA·sin(2πr) = 0 near 1
    # (r = 0.99496 for A = 10); none exist when A is so small that the bumps do not make a dip there.
    amplitude = float(params["amplitude"])
    r, found = 1.0, False
    for _ in range(50):
        slope = 1.0 + 2 * math.pi**2 * amplitude * math.cos(2 * math.pi * r)  # f''/2
        if slope <= 0.0:
            break  # not inside a dip: no local minimum near 1
        r -= (r + math.pi * amplitude * math.sin(2 * math.pi * r)) / slope  # f'/2 over f''/2
        if not 0.5 < r < 1.5:
            break
        found = abs(r + math.pi * amplitude * math.sin(2 * math.pi * r)) < 1e-12
        if found:
            break
    is_minimum = found and 1.0 + 2 * math.pi**2 * amplitude * math.cos(2 * math.pi * r) > 0
    local = ((r, 0.0), (-r, 0.0), (0.0, r), (0.0, -r)) if is_minimum else ()
    return Points(((0.0, 0.0),), 0.0, local, (), (0.0, 0.0))


ENTRIES = (
    Surface(
        id="rastrigin",
        name="Rastrigin",
        params={"amplitude": partial(FloatParam, low=0.0, high=20.0, help="height of the ripples", symbol="A")},
        description="A bowl covered in regular ripples: a local minimum near every integer point.",
        fn=rastrigin,
        window=((-5.12, 5.12), (-5.12, 5.12)),
        starts=((-4.5, 4.0),),
        points=_rastrigin_points,
    ),
    Surface(
        id="beale",
        name="Beale",
        params={},
        description="Flat valleys that fan out from the minimum at (3, 0.5) between very steep corners.",
        fn=beale,
        window=((-4.5, 4.5), (-4.5, 4.5)),
        starts=((1.0, 2.5),),
        points=Points(
            minimizers=((3.0, 0.5),),
            min_value=0.0,
            saddles=((0.0, 1.0), (0.10053793732415833, -2.6445135850231254)),  # (0, 1) exactly; the other computed
        ),
        log_z=True,
    ),
    Surface(
        id="mishra_bird",
        name="Mishra's bird",
        params={},
        description=(
            "Deep, steep pits between high ridges; used here without the literature's disc constraint "
            "(its optimum (−3.1302, −1.5821) is also the lowest point of this window)."
        ),
        fn=mishra_bird,
        window=((-10.0, 0.0), (-6.5, 0.0)),
        starts=((-7.5, -4.0),),
        points=Points(
            # Computed (see landscapes/__init__.py); literature: f(-3.1302468, -1.5821422) = -106.7645367.
            minimizers=((-3.1302468034546562, -1.5821421769300335),),
            min_value=-106.7645367492647,
            local_minimizers=((-9.367560379811968, -1.6280139077523077), (-5.37766660833261, -5.617907679231666)),
            saddles=(
                (-4.660474561402388, -6.3350997261618875),
                (-4.764321307934983, -3.8386409508047605),
                (-7.156933336759516, -6.231252979629293),
                (-2.0194268112343, -5.829037547196333),
                (-8.200546874792611, -2.7950274127716654),
                (-7.425292677548519, -0.669825983322531),
            ),
        ),
    ),
    Surface(
        id="townsend",
        name="Townsend (unconstrained)",
        params={},
        description=(
            "Wavy and unbounded below as |x| grows; without the literature's heart-shaped constraint its optimum "
            "(2.0053, 1.1945) is not a critical point, so progress is measured to the lowest pit of the window."
        ),
        fn=townsend,
        window=((-2.25, 2.25), (-2.5, 1.75)),
        starts=((0.5, 1.5),),
        points=Points(
            minimizers=(),  # −x·sin(3x + y) is unbounded below, so there is no global minimizer
            min_value=None,
            # Computed (see landscapes/__init__.py): every local minimum of the window, lowest first.
            local_minimizers=(
                (-2.2435689553473765, -1.3036851716944824),
                (2.200280200474242, 1.4473350704311339),
                (1.3983669401943561, -2.4796711353432572),
                (0.7525257715879755, -0.32352015471923096),
                (-0.7271882021125594, 0.21105332973585775),
            ),
            saddles=(
                (0.0, 0.0),
                (-1.9079041213310057, -2.4139528283585188),
                (1.084850526815393, -1.481914497435421),
                (-1.0319441854911184, 1.2953398711794268),
                (0.03195872531070788, -2.429867134132011),
                (1.615440362019834, 0.07277146156499731),
                (-1.6204498120168223, -0.05608078149584457),
                (-2.0843092757029877, 1.4096785942030712),
                (2.120040646552391, -1.5227321112915482),
            ),
            target=(-2.2435689553473765, -1.3036851716944824),  # the lowest point of the window, f = −3.19972
        ),
    ),
    Surface(
        id="goldstein_price",
        name="Goldstein–Price",
        params={},
        description="Values from 3 to a million: a flat central basin with three shallower pits beside the global one.",
        fn=goldstein_price,
        window=((-2.5, 2.0), (-2.0, 2.0)),
        starts=((-2.35, 1.6),),
        points=Points(
            minimizers=((0.0, -1.0),),
            min_value=3.0,
            # Found numerically (see landscapes/__init__.py), then recognised as exact: f = 30, 84, 840 there.
            local_minimizers=((-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)),
            saddles=((-0.4, -0.6), (1.2, -0.2), (1.4, 0.6), (0.6, 0.4)),
        ),
        log_z=True,
    ),
    Surface(
        id="mccormick",
        name="McCormick",
        params={},
        description="A tilted trough with a gentle wave along it: a global and a local minimum on the trough floor.",
        fn=mccormick,
        window=((-1.5, 4.0), (-3.0, 4.0)),
        starts=((3.5, 3.5), (-1.0, 3.0)),
        points=Points(
            # ∇f = 0 ⇔ x − y = 1 and cos(x + y) = −½; with s = x + y: minima at s = −2π/3 + 2πk, saddles at s = 2π/3
            # + 2πk, and f = sin s + s/2. Literature: f(−0.54719, −1.54719) = −1.9133.
            minimizers=((0.5 - math.pi / 3, -0.5 - math.pi / 3),),
            min_value=-_SQRT3 / 2 - math.pi / 3,
            local_minimizers=((0.5 + 2 * math.pi / 3, -0.5 + 2 * math.pi / 3),),
            saddles=((0.5 + math.pi / 3, -0.5 + math.pi / 3),),
        ),
    ),
    Surface(
        id="three_hump_camel",
        name="Three-hump camel",
        params={},
        description="A global minimum at the origin flanked by two shallow local minima on a tilted ridge.",
        fn=three_hump_camel,
        window=((-3.0, 3.0), (-4.0, 4.0)),
        starts=((0.0, 3.8),),
        points=Points(
            minimizers=((0.0, 0.0),),
            min_value=0.0,
            # ∇f = 0 ⇔ y = −x/2 and x⁴ − 4.2x² + 3.5 = 0, i.e. x² = 2.1 ± √0.91 (+: minima, −: saddles).
            local_minimizers=(
                (math.sqrt(2.1 + math.sqrt(0.91)), -math.sqrt(2.1 + math.sqrt(0.91)) / 2),
                (-math.sqrt(2.1 + math.sqrt(0.91)), math.sqrt(2.1 + math.sqrt(0.91)) / 2),
            ),
            saddles=(
                (math.sqrt(2.1 - math.sqrt(0.91)), -math.sqrt(2.1 - math.sqrt(0.91)) / 2),
                (-math.sqrt(2.1 - math.sqrt(0.91)), math.sqrt(2.1 - math.sqrt(0.91)) / 2),
            ),
        ),
    ),
    Surface(
        id="noisy_hill_a",
        name="Gaussian trenches",
        params={},
        description="Three steep round pits in a plane that is flat to 1e-10 elsewhere: gradients vanish far away.",
        fn=noisy_hill_a,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        starts=((0.2, -0.3),),
        points=Points(
            # Computed (see landscapes/__init__.py): the far pits pull each minimum ~1e-5 off its centre.
            minimizers=((-0.5000000000130155, -0.7999999999654079),),
            min_value=-5.278097602655116,
            local_minimizers=((-0.9999805837604074, 0.49994951777705926), (0.9999886225942584, -0.5000022754811483)),
            saddles=((-0.785000266811825, -0.05899930628925495), (0.3720473509007996, -0.625590529819839)),
        ),
    ),
    Surface(
        id="noisy_hill_b",
        name="Wavy hill",
        params={},
        description="Ripples along the axes and a trough along y = −x: many local minima, two global ones.",
        fn=noisy_hill_b,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        starts=((1.5, 1.0),),
        points=Points(
            # Computed (see landscapes/__init__.py); f(x, y) = f(−x, −y), so every point comes with its mirror image.
            # The global minima are also the lowest points of [−8, 8]² (4001² grid).
            minimizers=((0.9679635565762498, -0.3217492155446388), (-0.9679635565762498, 0.3217492155446388)),
            min_value=-1.35491947234735,
            local_minimizers=(
                (1.2603925674261947, -1.347788941176847),
                (-1.2603925674261947, 1.347788941176847),
                (1.8082742198332478, -1.8082523649105215),
                (-1.8082742198332478, 1.8082523649105215),
                (0.6403904253223995, 1.4269777749229953),
                (-0.6403904253223995, -1.4269777749229953),
                (1.8480639390490559, 1.6804030627760551),
                (-1.8480639390490559, -1.6804030627760551),
            ),
            saddles=(  # the main ones; the window holds more
                (0.0, 0.0),
                (1.0781203346949466, -0.9367640476962715),
                (-1.0781203346949466, 0.9367640476962715),
                (0.22498512231193105, 1.353160356732515),
                (-0.22498512231193105, -1.353160356732515),
                (1.7757645174086911, 0.7268868265287591),
                (-1.7757645174086911, -0.7268868265287591),
            ),
        ),
    ),
    Surface(
        id="saddle_sigmoid",
        name="Saddle sigmoid",
        params={},
        description=(
            "The saddle xy squashed by a sigmoid: flat plateaus at 0 and 1 and a saddle at the origin; "
            "0 is only approached (no minimizer)."
        ),
        fn=saddle_sigmoid,
        window=((-4.0, 4.0), (-4.0, 4.0)),
        starts=((2.0, 1.5), (-3.0, 0.0)),
        points=Points(
            minimizers=(),
            min_value=0.0,  # the infimum, approached as xy → −∞
            saddles=((0.0, 0.0),),
        ),
    ),
    Surface(
        id="quartic_bowl",
        name="Quartic bowl",
        params={},
        description="A bowl with an extremely flat bottom: the gradient shrinks like the distance cubed.",
        fn=quartic_bowl,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((4.5, -4.5),),
        points=Points(
            minimizers=((0.0, 0.0),),
            min_value=0.0,
        ),
    ),
)
