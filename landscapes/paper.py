"""The paper's surfaces (Liu & Zhang 2023, Section 4.1: Figs. 3, 5, 6, 7), with the reference pipeline's
windows, starts and targets.

Formulas follow the reference pipeline's public code ("Vis-FuncNet", ``utils/functions.py``). Points marked
"computed" were found numerically; :mod:`landscapes` says how and to what accuracy.
"""

from __future__ import annotations

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


def rosenbrock(xy: jax.Array, *, a: float = 1.0, b: float = 100.0) -> jax.Array:
    r"""Rosenbrock's banana valley; minimum 0 at (a, a²).

    .. math::
        (a - x)^2 + b\,(y - x^2)^2

    References:
        Liu & Zhang 2023, Fig. 5; H. H. Rosenbrock, An automatic method for finding the greatest or least value of a
        function, The Computer Journal 3(3), 1960
    """
    x, y = coordinates(xy)
    return (a - x) ** 2 + b * (y - x**2) ** 2


def peaks_ref(xy: jax.Array) -> jax.Array:
    r"""The reference pipeline's variant of MATLAB's ``peaks`` (the surface of the paper's Fig. 6).

    .. math::
        \begin{gathered}(0.6 - x)^2 e^{-x^2 - (y+1)^2} \\
        - 2\left(\frac{x}{2.5} - \left(\frac{x}{2}\right)^3 - y^5\right)e^{-x^2 - y^2} \\
        - \frac{1}{3} e^{-(x+1)^2 - y^2}\end{gathered}

    References:
        Liu & Zhang 2023, Fig. 6 (the reference pipeline's variant of MATLAB's peaks; The MathWorks, peaks function)
    """
    x, y = coordinates(xy)
    return (
        (0.6 - x) ** 2 * jnp.exp(-(x**2) - (y + 1.0) ** 2)
        - 2.0 * (x / 2.5 - (0.5 * x) ** 3 - y**5) * jnp.exp(-(x**2) - y**2)
        - jnp.exp(-((x + 1.0) ** 2) - y**2) / 3.0
    )


def peaks(xy: jax.Array) -> jax.Array:
    r"""MATLAB's ``peaks``: translated and scaled Gaussians.

    .. math::
        \begin{gathered}3(1 - x)^2 e^{-x^2 - (y+1)^2} \\
        - 10\left(\frac{x}{5} - x^3 - y^5\right) e^{-x^2 - y^2} \\
        - \frac{1}{3} e^{-(x+1)^2 - y^2}\end{gathered}

    References:
        The MathWorks, MATLAB peaks function (translated and scaled Gaussians)
    """
    x, y = coordinates(xy)
    return (
        3.0 * (1.0 - x) ** 2 * jnp.exp(-(x**2) - (y + 1.0) ** 2)
        - 10.0 * (x / 5.0 - x**3 - y**5) * jnp.exp(-(x**2) - y**2)
        - jnp.exp(-((x + 1.0) ** 2) - y**2) / 3.0
    )


def saddle(xy: jax.Array) -> jax.Array:
    r"""The hyperbolic paraboloid (paper's Fig. 3, left).

    .. math::
        x^2 - y^2

    References:
        Liu & Zhang 2023, Fig. 3; Dauphin et al., Identifying and attacking the saddle point problem in
        high-dimensional non-convex optimization, NeurIPS 2014
    """
    x, y = coordinates(xy)
    return x**2 - y**2


def saddle2(xy: jax.Array) -> jax.Array:
    r"""A saddle at (1, 0) and a local maximum at (−1, 0) (paper's Fig. 3, right).

    .. math::
        x^3 - 3x - 2y^2

    References:
        Liu & Zhang 2023, Fig. 3
    """
    x, y = coordinates(xy)
    return x**3 - 3.0 * x - 2.0 * y**2


# One neuron y_hat = σ(w·x + y) (x is its weight, y its bias) fitted to six (w_i, b_i) pairs by squared error.
CROSS_SECTIONAL_W = (3.5, 0.35, 3.2, -2.0, 1.5, -0.5)
CROSS_SECTIONAL_B = (0.5, 0.5, 0.5, 0.5, 0.1, 0.3)


def cross_sectional(xy: jax.Array) -> jax.Array:
    r"""Plateaus and cliffs of a single sigmoid neuron's loss (paper's Fig. 7): x is its weight, y its bias.

    .. math::
        \sum_{i=1}^{6} \tfrac{1}{2}\left(\sigma(w_i x + y) - b_i\right)^2

    References:
        Liu & Zhang 2023, Fig. 7 (the reference pipeline's cross_sectional); w = (3.5, 0.35, 3.2, −2, 1.5, −0.5),
        b = (0.5, 0.5, 0.5, 0.5, 0.1, 0.3)
    """
    x, y = coordinates(xy)
    total = jnp.zeros_like(x)
    for w, b in zip(CROSS_SECTIONAL_W, CROSS_SECTIONAL_B, strict=True):
        total = total + 0.5 * (jax.nn.sigmoid(w * x + y) - b) ** 2
    return total


def sigmoid(xy: jax.Array) -> jax.Array:
    r"""The 2-D sigmoid, constant in y (paper's Fig. 7); evaluated in the overflow-free form.

    .. math::
        \frac{1}{1 + e^{-x}}

    References:
        Liu & Zhang 2023, Fig. 7 (the logistic function, constant in y)
    """
    return jax.nn.sigmoid(xy[0])


def _rosenbrock_points(params: Mapping[str, Any]) -> Points:
    a = float(params["a"])
    return Points(((a, a * a),), 0.0, (), (), (a, a * a))


ENTRIES = (
    Surface(
        id="rosenbrock",
        name="Rosenbrock",
        params={
            "a": partial(FloatParam, low=-2.0, high=2.0, help="the minimum sits at (a, a²)", symbol="a"),
            "b": partial(FloatParam, low=1.0, high=1000.0, log=True, help="steepness of the canyon walls", symbol="b"),
        },
        description="A narrow curved canyon: finding it is easy, following its flat floor to (a, a²) is slow.",
        fn=rosenbrock,
        window=((-2.0, 2.0), (-1.0, 3.0)),
        starts=((-2.0, 2.5),),
        log_z=True,
        figure="Fig. 5",
        points=_rosenbrock_points,
    ),
    Surface(
        id="peaks_ref",
        name="Peaks (the paper's variant)",
        params={},
        description=(
            "Two local minima and a deeper global one: whether momentum carries a path over the ridge "
            "depends on the start and the schedule."
        ),
        fn=peaks_ref,
        window=((-2.0, 2.0), (-3.0, 3.0)),
        starts=((0.57, 0.8), (0.4, 1.0), (-0.4, 0.4), (0.57, 0.0)),
        points=Points(
            # Computed (see landscapes/__init__.py); the reference's "known minimum" (0.2, -1.62) is 0.028 off in y.
            minimizers=((0.19996774156831573, -1.5924155863889708),),
            min_value=-1.4683907565726448,
            local_minimizers=((0.566037368194762, 0.0009483492990791264), (-1.6292724485509427, 0.3715595764759944)),
            saddles=(
                (0.5639986012821309, -0.4607160283894962),
                (-0.49578170237626656, 0.4916924561631),
                (1.9376060717460812, 0.5771270454319017),
            ),
            target=(0.2, -1.62),
        ),
        figure="Fig. 6",
    ),
    Surface(
        id="peaks",
        name="Peaks (MATLAB)",
        params={},
        description="Three peaks and three pits of different depths: a path ends in whichever pit it falls into.",
        fn=peaks,
        window=((-3.0, 3.0), (-3.0, 3.0)),
        starts=((0.57, 0.8), (-2.0, 1.5)),
        points=Points(
            # Computed (see landscapes/__init__.py).
            minimizers=((0.22827892055636914, -1.6255349574999964),),
            min_value=-6.5511333328358345,
            local_minimizers=((-1.3473962443682108, 0.20451886609700518), (0.2964455538468321, 0.32019624766683435)),
            saddles=(
                (0.4163233216785081, -0.3941450984024246),
                (-0.2659375568372457, 0.4667399937262694),
                (1.0982728343350927, 0.8544609795247524),
            ),
        ),
    ),
    Surface(
        id="saddle",
        name="Saddle x² − y²",
        params={},
        description=(
            "A saddle at the origin, unbounded below along y: a path started exactly on y = 0 has no y-gradient "
            "and can only slide into the saddle."
        ),
        fn=saddle,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((-4.0, 0.0), (-3.0, 0.0)),  # the reference's start, then the paper text's
        points=Points(
            minimizers=(),
            min_value=None,
            saddles=((0.0, 0.0),),
            target=(0.0, 4.0),  # not a minimum: the reference measures progress to this downhill point
        ),
        figure="Fig. 3",
    ),
    Surface(
        id="saddle2",
        name="Saddle x³ − 3x − 2y²",
        params={},
        description=(
            "A saddle at (1, 0) and a local maximum at (−1, 0); no minimum (unbounded below), so "
            "escaping means sliding off along ±y."
        ),
        fn=saddle2,
        window=((-2.0, 2.0), (-1.0, 1.0)),
        starts=((2.0, 0.1), (2.0, 0.0)),  # the reference's start, then the paper text's
        points=Points(
            minimizers=(),
            min_value=None,
            saddles=((1.0, 0.0),),  # ∇f = (3x² − 3, −4y); the other critical point, (−1, 0), is a local maximum
            target=(1.0, -1.0),  # not a critical point (∇f = (0, 4) there): the reference's downhill point
        ),
        figure="Fig. 3",
    ),
    Surface(
        id="cross_sectional",
        name="Cliffs (one sigmoid neuron)",
        params={},
        description=(
            "The loss of one sigmoid neuron (x its weight, y its bias): wide plateaus where it saturates, "
            "cliffs between them, and one narrow minimum."
        ),
        fn=cross_sectional,
        window=((-7.0, 7.0), (-7.0, 7.0)),
        starts=((-6.0, 4.0),),
        points=Points(
            # Computed (see landscapes/__init__.py); the reference rounds it to (0.02, -0.43).
            minimizers=((0.020340633923752318, -0.4262668065180133),),
            min_value=0.06974393370518013,
            target=(0.02, -0.43),
        ),
        figure="Fig. 7",
        bias_coords=(False, True),
    ),
    Surface(
        id="sigmoid",
        name="2-D sigmoid",
        params={},
        description=(
            "A plateau on both sides of one slope; no minimizer: 0 is only approached as x → −∞, so "
            "progress is measured to (−9, 0)."
        ),
        fn=sigmoid,
        window=((-21.0, 21.0), (-4.0, 4.0)),
        starts=((6.5, 0.0),),
        points=Points(
            minimizers=(),
            min_value=0.0,  # the infimum, not attained
            target=(-9.0, 0.0),
        ),
        figure="Fig. 7",
    ),
)
