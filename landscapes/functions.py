"""The surfaces as pure JAX functions of a point ``xy`` of shape ``(2,)``.

Every function takes ``xy`` first and its parameters as keywords whose defaults match the parameter specs
in ``landscapes.registry``. They are written with ``jax.numpy`` only and without Python control flow on
values, so they can be jitted, vmapped and differentiated, and float parameters may be traced arrays.

The formulas of the paper's surfaces (Liu & Zhang 2023, Section 4.1) and of the reference pipeline's
extra surfaces follow its public code ("Vis-FuncNet", ``utils/functions.py``); the classics follow the
usual literature forms (Jamil & Yang, "A literature survey of benchmark functions for global
optimization problems", 2013; Surjanovic & Bingham, Virtual Library of Simulation Experiments).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from common import formula as formula_lang


def _split(xy: jax.Array) -> tuple[jax.Array, jax.Array]:
    return xy[0], xy[1]


# ----------------------------------------------------------------------------------------------------------
# The paper's surfaces (Liu & Zhang 2023, Figs. 3, 5, 6, 7)
# ----------------------------------------------------------------------------------------------------------


def rosenbrock(xy: jax.Array, a: float = 1.0, b: float = 100.0) -> jax.Array:
    """Rosenbrock's banana valley, (a − x)² + b(y − x²)²; minimum 0 at (a, a²)."""
    x, y = _split(xy)
    return (a - x) ** 2 + b * (y - x**2) ** 2


def peaks_ref(xy: jax.Array) -> jax.Array:
    """The reference pipeline's variant of MATLAB's ``peaks`` (the surface of the paper's Fig. 6).

    (0.6 − x)²·e^(−x² − (y+1)²) − 2(x/2.5 − (x/2)³ − y⁵)·e^(−x² − y²) − ⅓·e^(−(x+1)² − y²)
    """
    x, y = _split(xy)
    return (
        (0.6 - x) ** 2 * jnp.exp(-(x**2) - (y + 1.0) ** 2)
        - 2.0 * (x / 2.5 - (0.5 * x) ** 3 - y**5) * jnp.exp(-(x**2) - y**2)
        - jnp.exp(-((x + 1.0) ** 2) - y**2) / 3.0
    )


def peaks(xy: jax.Array) -> jax.Array:
    """MATLAB's ``peaks``: 3(1−x)²e^(−x²−(y+1)²) − 10(x/5 − x³ − y⁵)e^(−x²−y²) − ⅓e^(−(x+1)²−y²)."""
    x, y = _split(xy)
    return (
        3.0 * (1.0 - x) ** 2 * jnp.exp(-(x**2) - (y + 1.0) ** 2)
        - 10.0 * (x / 5.0 - x**3 - y**5) * jnp.exp(-(x**2) - y**2)
        - jnp.exp(-((x + 1.0) ** 2) - y**2) / 3.0
    )


def saddle(xy: jax.Array) -> jax.Array:
    """The hyperbolic paraboloid x² − y² (paper's Fig. 3, left)."""
    x, y = _split(xy)
    return x**2 - y**2


def saddle2(xy: jax.Array) -> jax.Array:
    """x³ − 3x − 2y² (paper's Fig. 3, right): a saddle at (1, 0) and a local maximum at (−1, 0)."""
    x, y = _split(xy)
    return x**3 - 3.0 * x - 2.0 * y**2


# One neuron y_hat = σ(w·x + y) (x is its weight, y its bias) fitted to six (w_i, b_i) pairs by squared error.
CROSS_SECTIONAL_W = (3.5, 0.35, 3.2, -2.0, 1.5, -0.5)
CROSS_SECTIONAL_B = (0.5, 0.5, 0.5, 0.5, 0.1, 0.3)


def cross_sectional(xy: jax.Array) -> jax.Array:
    """Σᵢ ½(σ(wᵢ·x + y) − bᵢ)²: plateaus and cliffs of a single sigmoid neuron's loss (paper's Fig. 7)."""
    x, y = _split(xy)
    total = jnp.zeros_like(x)
    for w, b in zip(CROSS_SECTIONAL_W, CROSS_SECTIONAL_B, strict=True):
        total = total + 0.5 * (jax.nn.sigmoid(w * x + y) - b) ** 2
    return total


def sigmoid(xy: jax.Array) -> jax.Array:
    """The 2-D sigmoid 1/(1 + e^(−x)), constant in y (paper's Fig. 7); evaluated in the overflow-free form."""
    return jax.nn.sigmoid(xy[0])


# ----------------------------------------------------------------------------------------------------------
# The reference pipeline's other surfaces
# ----------------------------------------------------------------------------------------------------------


def rastrigin(xy: jax.Array, amplitude: float = 10.0) -> jax.Array:
    """Rastrigin: 2A + x² − A·cos 2πx + y² − A·cos 2πy (A = 10 in the reference)."""
    x, y = _split(xy)
    return 2.0 * amplitude + x**2 - amplitude * jnp.cos(2.0 * jnp.pi * x) + y**2 - amplitude * jnp.cos(2.0 * jnp.pi * y)


def beale(xy: jax.Array) -> jax.Array:
    """Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²."""
    x, y = _split(xy)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def mishra_bird(xy: jax.Array) -> jax.Array:
    """Mishra's bird: sin(y)·e^((1 − cos x)²) + cos(x)·e^((1 − sin y)²) + (x − y)²."""
    x, y = _split(xy)
    return jnp.sin(y) * jnp.exp((1.0 - jnp.cos(x)) ** 2) + jnp.cos(x) * jnp.exp((1.0 - jnp.sin(y)) ** 2) + (x - y) ** 2


def townsend(xy: jax.Array) -> jax.Array:
    """Townsend (modified), without its constraint: −cos²((x − 0.1)·y) − x·sin(3x + y)."""
    x, y = _split(xy)
    return -(jnp.cos((x - 0.1) * y) ** 2) - x * jnp.sin(3.0 * x + y)


def goldstein_price(xy: jax.Array) -> jax.Array:
    """Goldstein–Price: [1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]·[30 + (2x−3y)²(18 − 32x + 12x² + 48y
    − 36xy + 27y²)]."""
    x, y = _split(xy)
    first = 1.0 + (x + y + 1.0) ** 2 * (19.0 - 14.0 * x + 3.0 * x**2 - 14.0 * y + 6.0 * x * y + 3.0 * y**2)
    second = 30.0 + (2.0 * x - 3.0 * y) ** 2 * (18.0 - 32.0 * x + 12.0 * x**2 + 48.0 * y - 36.0 * x * y + 27.0 * y**2)
    return first * second


def mccormick(xy: jax.Array) -> jax.Array:
    """McCormick: sin(x + y) + (x − y)² − 1.5x + 2.5y + 1."""
    x, y = _split(xy)
    return jnp.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1.0


def three_hump_camel(xy: jax.Array) -> jax.Array:
    """Three-hump camel: 2x² − 1.05x⁴ + x⁶/6 + xy + y²."""
    x, y = _split(xy)
    return 2.0 * x**2 - 1.05 * x**4 + x**6 / 6.0 + x * y + y**2


def _gaussian(x: jax.Array, y: jax.Array, mean_x: float, mean_y: float, sigma: float) -> jax.Array:
    """An isotropic 2-D normal density with mean (mean_x, mean_y) and standard deviation sigma."""
    exponent = -((x - mean_x) ** 2 + (y - mean_y) ** 2) / (2.0 * sigma**2)
    return jnp.exp(exponent) / (2.0 * math.pi * sigma**2)


# (mean_x, mean_y, sigma) of the Gaussian trenches: a wide shallow one and a steep one at (−0.5, −0.8), plus two
# steep ones at (1, −0.5) and (−1, 0.5).
GAUSSIAN_TRENCHES = ((-0.5, -0.8, 0.35), (1.0, -0.5, 0.2), (-1.0, 0.5, 0.2), (-0.5, -0.8, 0.2))


def noisy_hill_a(xy: jax.Array) -> jax.Array:
    """Gaussian trenches: minus a sum of four normal densities (the reference's first "noisy hill").

    The reference defines this one first and then redefines ``noisy_hill`` (its second form below) under the
    same name, and its inner density ignores its arguments; this is the form its comments describe.
    """
    x, y = _split(xy)
    total = jnp.zeros_like(x)
    for mean_x, mean_y, sigma in GAUSSIAN_TRENCHES:
        total = total - _gaussian(x, y, mean_x, mean_y, sigma)
    return total


def noisy_hill_b(xy: jax.Array) -> jax.Array:
    """Wavy hill: −sin(x²)·cos(3y²)·e^(−(xy)²) − e^(−(x+y)²) (the reference's second "noisy hill")."""
    x, y = _split(xy)
    return -jnp.sin(x * x) * jnp.cos(3.0 * y * y) * jnp.exp(-((x * y) ** 2)) - jnp.exp(-((x + y) ** 2))


def saddle_sigmoid(xy: jax.Array) -> jax.Array:
    """σ(xy + (10⁻⁴x)² + (10⁻⁴y)²): a saddle at the origin flattened by a sigmoid (the reference's ``sigmoid1``)."""
    x, y = _split(xy)
    return jax.nn.sigmoid(x * y + (1e-4 * x) ** 2 + (1e-4 * y) ** 2)


def quartic_bowl(xy: jax.Array) -> jax.Array:
    """(0.1x)⁴ + (0.1y)⁴: a bowl whose bottom is extremely flat (the reference's ``squre``)."""
    x, y = _split(xy)
    return (0.1 * x) ** 4 + (0.1 * y) ** 4


# ----------------------------------------------------------------------------------------------------------
# Classics
# ----------------------------------------------------------------------------------------------------------


def himmelblau(xy: jax.Array) -> jax.Array:
    """Himmelblau: (x² + y − 11)² + (x + y² − 7)²."""
    x, y = _split(xy)
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


def _norm_with_zero_subgradient(x: jax.Array, y: jax.Array) -> jax.Array:
    """√(x² + y²) whose derivative at the origin is 0 (a valid subgradient) instead of NaN."""
    squared = x**2 + y**2
    positive = squared > 0.0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, squared, 1.0)), 0.0)


def ackley(xy: jax.Array) -> jax.Array:
    """Ackley: −20·e^(−0.2·√(½(x² + y²))) − e^(½(cos 2πx + cos 2πy)) + e + 20; a kink at its minimum."""
    x, y = _split(xy)
    radius = _norm_with_zero_subgradient(x, y)
    return (
        -20.0 * jnp.exp(-0.2 * math.sqrt(0.5) * radius)
        - jnp.exp(0.5 * (jnp.cos(2.0 * jnp.pi * x) + jnp.cos(2.0 * jnp.pi * y)))
        + math.e
        + 20.0
    )


def booth(xy: jax.Array) -> jax.Array:
    """Booth: (x + 2y − 7)² + (2x + y − 5)²."""
    x, y = _split(xy)
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def six_hump_camel(xy: jax.Array) -> jax.Array:
    """Six-hump camel: (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²."""
    x, y = _split(xy)
    return (4.0 - 2.1 * x**2 + x**4 / 3.0) * x**2 + x * y + (-4.0 + 4.0 * y**2) * y**2


def monkey_saddle(xy: jax.Array) -> jax.Array:
    """The monkey saddle x³ − 3xy²: three valleys meet at a degenerate saddle (zero Hessian) at the origin."""
    x, y = _split(xy)
    return x**3 - 3.0 * x * y**2


def quadratic(xy: jax.Array, condition: float = 10.0, angle: float = 30.0) -> jax.Array:
    """½(u² + v²/κ) with (u, v) the point rotated by −``angle`` degrees: curvature 1 along the direction at
    ``angle`` from the x axis, 1/κ across it, so κ = ``condition`` is the Hessian's condition number."""
    x, y = _split(xy)
    theta = angle * (math.pi / 180.0)
    cos, sin = jnp.cos(theta), jnp.sin(theta)
    u = cos * x + sin * y
    v = -sin * x + cos * y
    return 0.5 * (u**2 + v**2 / condition)


# ----------------------------------------------------------------------------------------------------------
# A user formula
# ----------------------------------------------------------------------------------------------------------

CUSTOM_DEFAULT = "0.2*x**2 + y**2 + 0.5*sin(3*x)"
CUSTOM_VARIABLES = ("x", "y")


@functools.lru_cache(maxsize=256)
def parse_custom(text: str) -> formula_lang.Formula:
    """The parsed surface formula in x and y (parsing is pure, so the result is cached by its text)."""
    return formula_lang.parse(text, variables=CUSTOM_VARIABLES)


def custom(xy: jax.Array, formula: str = CUSTOM_DEFAULT) -> jax.Array:
    """A user formula f(x, y) in the safe formula language; the text is static (never traced)."""
    x, y = _split(xy)
    return parse_custom(formula).evaluate(jnp, x=x, y=y)
