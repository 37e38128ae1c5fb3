"""Contract tests for every surface (in the style of BoTorch's synthetic test-function tests).

Each test below runs once per registry entry: the stated optimum is attained and is a stationary point with
the right curvature, it beats random points of the window, the function and its gradient are finite on the
window in float32 and float64, jax.grad agrees with finite differences, and fn is jit- and vmap-able (also
over traced float parameters). The paper's windows, starts and targets are pinned; the contract every entry
keeps (text from the docstring, specs matching the signature) is checked in tests/test_registries.py.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from common.formula import FormulaError
from common.params import FloatParam, FormulaParam, ParamError
from landscapes import SURFACES, Surface, critical_points, default_params, make_fn
from landscapes import classics as surface_functions

ALL_IDS = list(SURFACES)

# The reference pipeline's settings (PAPER.md table; Vis-FuncNet utils/config.py): figure, window, first start,
# the "known minimum" it measures distances to.
PAPER_SURFACES = {
    "rosenbrock": ("Fig. 5", ((-2.0, 2.0), (-1.0, 3.0)), (-2.0, 2.5), (1.0, 1.0)),
    "peaks_ref": ("Fig. 6", ((-2.0, 2.0), (-3.0, 3.0)), (0.57, 0.8), (0.2, -1.62)),
    "saddle": ("Fig. 3", ((-5.0, 5.0), (-5.0, 5.0)), (-4.0, 0.0), (0.0, 4.0)),
    "saddle2": ("Fig. 3", ((-2.0, 2.0), (-1.0, 1.0)), (2.0, 0.1), (1.0, -1.0)),
    "cross_sectional": ("Fig. 7", ((-7.0, 7.0), (-7.0, 7.0)), (-6.0, 4.0), (0.02, -0.43)),
    "sigmoid": ("Fig. 7", ((-21.0, 21.0), (-4.0, 4.0)), (6.5, 0.0), (-9.0, 0.0)),
}

# Optima as the literature states them, to the digits it states them.
LITERATURE_OPTIMA = {
    "rosenbrock": ((1.0, 1.0), 0.0, 1e-12),
    "beale": ((3.0, 0.5), 0.0, 1e-12),
    "goldstein_price": ((0.0, -1.0), 3.0, 1e-9),
    "mccormick": ((-0.54719, -1.54719), -1.9133, 1e-4),
    "three_hump_camel": ((0.0, 0.0), 0.0, 1e-12),
    "six_hump_camel": ((0.0898, -0.7126), -1.0316, 1e-4),
    "mishra_bird": ((-3.1302468, -1.5821422), -106.7645367, 1e-6),
    "rastrigin": ((0.0, 0.0), 0.0, 1e-12),
    "ackley": ((0.0, 0.0), 0.0, 1e-12),
    "himmelblau": ((3.0, 2.0), 0.0, 1e-12),
    "booth": ((1.0, 3.0), 0.0, 1e-12),
    "peaks": ((0.2283, -1.6255), -6.5511, 1e-4),
}

# Minimizers where f has a kink: the gradient is not defined there, so instead of ∇f ≈ 0 we check that no
# direction descends (f(x* + h·d) ≥ f(x*)), and skip the Hessian.
KINKS = {"ackley": "√(x² + y²) has a cone-shaped tip at the origin"}

# Saddles whose Hessian is zero (higher order): the Hessian test cannot see them; the sign test below does.
DEGENERATE_SADDLES = {"monkey_saddle": "x³ − 3xy² has a zero Hessian at the origin"}

# Non-default parameters checked against their closed-form special points.
PARAMETER_CASES = [
    ("rosenbrock", {"a": -0.5, "b": 10.0}),
    ("rosenbrock", {"a": 1.5, "b": 500.0}),
    ("rastrigin", {"amplitude": 3.0}),
    ("rastrigin", {"amplitude": 0.5}),
    ("rastrigin", {"amplitude": 0.0}),  # a plain bowl: no local minima
    ("quadratic", {"condition": 100.0, "angle": -45.0}),
]

# Surfaces with a minimum value (attained or an infimum); the others are unbounded below or unknown (custom).
BOUNDED_IDS = [i for i in ALL_IDS if critical_points(SURFACES[i]).min_value is not None]
WITH_FLOAT_PARAMS = [i for i in ALL_IDS if any(isinstance(p, FloatParam) for p in SURFACES[i].params.values())]

_ANGLES = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
CIRCLE = np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], 1)  # 16 unit directions


@pytest.fixture
def x64():
    """Float64 for the duration of one test, then whatever it was before."""
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


@pytest.fixture
def x32():
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", False)
    yield
    jax.config.update("jax_enable_x64", previous)


def _fn(surface: Surface, params=None):
    values = default_params(surface) | dict(params or {})
    return lambda xy: surface.fn(xy, **values)


def _window_grid(surface: Surface, n: int, dtype) -> jax.Array:
    (x0, x1), (y0, y1) = surface.window
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return jnp.asarray(np.stack([xs.ravel(), ys.ravel()], 1), dtype=dtype)


def _random_window_points(surface: Surface, count: int, seed: int) -> np.ndarray:
    (x0, x1), (y0, y1) = surface.window
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, count), rng.uniform(y0, y1, count)], 1)


def _in_window(point, window) -> bool:
    (x0, x1), (y0, y1) = window
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


class _Compiled:
    """f, its gradient, Hessian and batched form, each jitted once (per-point eager calls are slow)."""

    def __init__(self, f):
        self.value = jax.jit(f)
        self.grad = jax.jit(jax.grad(f))
        self.hessian = jax.jit(jax.hessian(f))
        self.batch = jax.jit(jax.vmap(f))

    def at(self, point) -> float:
        return float(self.value(jnp.asarray(point, dtype=jnp.float64)))

    def around(self, point, directions: np.ndarray, radius: float) -> np.ndarray:
        """f at point + radius·d for each direction d, minus f(point)."""
        return np.asarray(self.batch(jnp.asarray(np.asarray(point) + radius * directions))) - self.at(point)


def _check_stationary(f: _Compiled, point, what: str) -> np.ndarray:
    """∇f ≈ 0 at point, relative to the curvature there (coordinates are accurate to ~1e-13); the Hessian."""
    xy = jnp.asarray(point, dtype=jnp.float64)
    gradient = np.asarray(f.grad(xy))
    hessian = np.asarray(f.hessian(xy))
    scale = 1.0 + np.linalg.norm(hessian, 2)
    assert np.linalg.norm(gradient) <= 1e-8 * scale, f"{what} {point}: gradient {gradient} is not ≈ 0"
    return np.linalg.eigvalsh(hessian)


def _check_optimality(surface_id: str, fn, points) -> None:
    f = _Compiled(fn)
    for point in points.minimizers:
        assert f.at(point) == pytest.approx(points.min_value, abs=1e-9 * (1 + abs(points.min_value)))
        if surface_id in KINKS:
            assert np.all(f.around(point, CIRCLE, 1e-6) >= 0), f"kinked minimizer {point}: some direction descends"
            continue
        eigenvalues = _check_stationary(f, point, "minimizer")
        assert eigenvalues.min() >= -1e-8 * (1 + abs(eigenvalues).max()), f"minimizer {point}: Hessian not PSD"
    for point in points.local_minimizers:
        eigenvalues = _check_stationary(f, point, "local minimizer")
        assert eigenvalues.min() > 0, f"local minimizer {point}: Hessian {eigenvalues} not positive definite"
        assert np.all(f.around(point, CIRCLE[::2], 1e-3) > 0), f"local minimizer {point} loses to a neighbour"
        if points.min_value is not None:
            assert f.at(point) >= points.min_value
    for point in points.saddles:
        eigenvalues = _check_stationary(f, point, "saddle")
        if surface_id not in DEGENERATE_SADDLES:
            assert eigenvalues.min() < 0 < eigenvalues.max(), f"saddle {point}: Hessian {eigenvalues} not indefinite"
            continue
        # Zero Hessian: f must still go both up and down on a small circle around the point.
        around = f.around(point, CIRCLE, 1e-3)
        assert around.min() < 0 < around.max(), f"saddle {point}: f does not go both up and down around it"


# --------------------------------------------------------------------------------------------------------------
# The contract, per surface
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface_id", ALL_IDS)
def test_stated_points_are_what_they_claim(surface_id, x64):
    surface = SURFACES[surface_id]
    _check_optimality(surface_id, _fn(surface), critical_points(surface, {}))


@pytest.mark.parametrize(("surface_id", "params"), PARAMETER_CASES)
def test_stated_points_follow_the_parameters(surface_id, params, x64):
    surface = SURFACES[surface_id]
    points = critical_points(surface, params)
    _check_optimality(surface_id, _fn(surface, params), points)
    if surface_id == "rosenbrock":
        assert points.minimizers == ((params["a"], params["a"] ** 2),)
        assert points.target == points.minimizers[0]


@pytest.mark.parametrize("surface_id", BOUNDED_IDS)
def test_global_minimum_beats_random_points(surface_id, x64):
    surface = SURFACES[surface_id]
    points = critical_points(surface, {})
    f = _fn(surface)
    values = np.asarray(jax.vmap(f)(jnp.asarray(_random_window_points(surface, 1000, seed=0))))
    assert np.all(values >= points.min_value - 1e-12 * (1 + abs(points.min_value)))
    for point in points.minimizers:
        assert float(f(jnp.asarray(point))) <= values.min()


@pytest.mark.parametrize("surface_id", ALL_IDS)
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_finite_on_window_grid(surface_id, precision):
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", precision == "float64")
    try:
        surface = SURFACES[surface_id]
        f = _fn(surface)
        grid = _window_grid(surface, 101, jnp.dtype(precision))
        values = jax.jit(jax.vmap(f))(grid)
        gradients = jax.jit(jax.vmap(jax.grad(f)))(grid)
        assert values.dtype == jnp.dtype(precision) and values.shape == (101 * 101,)
        assert bool(jnp.all(jnp.isfinite(values))), f"{surface_id}: non-finite values on the window grid"
        assert bool(jnp.all(jnp.isfinite(gradients))), f"{surface_id}: non-finite gradients on the window grid"
    finally:
        jax.config.update("jax_enable_x64", previous)


@pytest.mark.parametrize("surface_id", ALL_IDS)
def test_gradient_matches_central_differences(surface_id, x64):
    surface = SURFACES[surface_id]
    f = jax.jit(_fn(surface))
    gradient = jax.jit(jax.grad(_fn(surface)))
    step = 1e-6
    for point in _random_window_points(surface, 20, seed=1):
        exact = np.asarray(gradient(jnp.asarray(point)))
        approx = np.array(
            [
                (float(f(jnp.asarray(point + step * unit))) - float(f(jnp.asarray(point - step * unit)))) / (2 * step)
                for unit in np.eye(2)
            ]
        )
        scale = np.linalg.norm(exact) + 1e-9 * (1 + abs(float(f(jnp.asarray(point))))) / step
        assert np.linalg.norm(exact - approx) <= 1e-5 * scale + 1e-9, f"{surface_id} at {point}: {exact} vs {approx}"


@pytest.mark.parametrize("surface_id", ALL_IDS)
def test_jit_and_vmap(surface_id):
    surface = SURFACES[surface_id]
    f = _fn(surface)
    starts = jnp.asarray(surface.starts, dtype=jnp.float32)
    one_by_one = np.array([float(f(start)) for start in starts])
    # float32: jit may fuse and reorder operations, so allow a few ulps of the terms' size
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(f))(starts)), one_by_one, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(float(jax.jit(f)(starts[0])), one_by_one[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("surface_id", WITH_FLOAT_PARAMS)
def test_float_parameters_can_be_traced(surface_id):
    """The engine vmaps over float parameters: fn must take them as traced arrays, without Python branching."""
    surface = SURFACES[surface_id]
    floats = {name: spec for name, spec in surface.params.items() if isinstance(spec, FloatParam)}
    start = jnp.asarray(surface.starts[0], dtype=jnp.float32)
    for name, spec in floats.items():
        values = np.linspace(spec.low, spec.high, 3)
        others = {k: v for k, v in default_params(surface).items() if k != name}
        traced = jax.jit(jax.vmap(lambda value, name=name, others=others: surface.fn(start, **others, **{name: value})))
        expected = [float(surface.fn(start, **others, **{name: float(value)})) for value in values]
        np.testing.assert_allclose(np.asarray(traced(jnp.asarray(values, dtype=jnp.float32))), expected, rtol=1e-5)


def test_rosenbrock_vmaps_over_b_and_points_together():
    fn = SURFACES["rosenbrock"].fn
    points = jnp.array([[-2.0, 2.5], [0.0, 0.0], [1.0, 1.0]])
    bs = jnp.array([1.0, 100.0, 1000.0])
    values = jax.jit(jax.vmap(lambda xy, b: fn(xy, a=1.0, b=b)))(points, bs)
    np.testing.assert_allclose(np.asarray(values), [9.0 + 1.0 * 1.5**2, 1.0, 0.0], rtol=1e-6)
    gradient_in_b = jax.grad(lambda b: fn(points[0], a=1.0, b=b))(100.0)
    assert float(gradient_in_b) == pytest.approx(1.5**2)


# --------------------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface_id", sorted(LITERATURE_OPTIMA))
def test_literature_optima(surface_id, x64):
    point, value, tolerance = LITERATURE_OPTIMA[surface_id]
    surface = SURFACES[surface_id]
    assert float(_fn(surface)(jnp.asarray(point))) == pytest.approx(value, abs=tolerance * (1 + abs(value)))
    nearest = min(critical_points(surface).minimizers, key=lambda m: math.dist(m, point))
    assert math.dist(nearest, point) < 1e-3 + 1e-4 * math.hypot(*point)


def _gaussian_trenches(x: float, y: float) -> float:
    """noisy_hill_a written out: minus four normal densities (the reference's comments)."""
    return -sum(
        math.exp(-((x - mx) ** 2 + (y - my) ** 2) / (2 * s * s)) / (2 * math.pi * s * s)
        for mx, my, s in [(-0.5, -0.8, 0.35), (1.0, -0.5, 0.2), (-1.0, 0.5, 0.2), (-0.5, -0.8, 0.2)]
    )


# A value of every surface worked out by hand (surfaces in LITERATURE_OPTIMA may be left out).
VALUES_BY_HAND = [
    ("rosenbrock", (-2.0, 2.5), 9.0 + 100.0 * 1.5**2),
    ("peaks", (0.0, 0.0), (3.0 - 1.0 / 3.0) / math.e),
    ("peaks_ref", (0.0, 0.0), 0.36 / math.e - 1.0 / (3.0 * math.e)),
    ("saddle", (-4.0, 0.0), 16.0),
    ("saddle2", (2.0, 0.1), 8.0 - 6.0 - 0.02),
    ("cross_sectional", (0.0, 0.0), 0.5 * (4 * 0.0 + 0.4**2 + 0.2**2)),
    ("sigmoid", (0.0, 3.0), 0.5),
    ("saddle_sigmoid", (0.0, 0.0), 0.5),
    ("quartic_bowl", (4.5, -4.5), 2 * 0.45**4),
    ("monkey_saddle", (1.0, 1.0), -2.0),
    ("noisy_hill_b", (0.0, 0.0), -1.0),
    ("townsend", (0.0, 0.0), -1.0),
    ("three_hump_camel", (1.0, 1.0), 2.0 - 1.05 + 1.0 / 6.0 + 2.0),
    ("custom", (1.0, 2.0), 0.2 + 4.0 + 0.5 * math.sin(3.0)),
    ("noisy_hill_a", (0.3, -0.2), _gaussian_trenches(0.3, -0.2)),
    ("quadratic", (1.0, 0.0), 0.5 * (math.cos(math.pi / 6) ** 2 + math.sin(math.pi / 6) ** 2 / 10.0)),  # κ 10, 30°
]


def test_every_surface_has_a_value_checked_by_hand():
    checked = {row[0] for row in VALUES_BY_HAND} | set(LITERATURE_OPTIMA)
    missing = sorted(set(SURFACES) - checked)
    assert not missing, (
        f"add a hand-computed value of {missing} to VALUES_BY_HAND (or its optimum to LITERATURE_OPTIMA)"
    )


@pytest.mark.parametrize(("surface_id", "point", "value"), VALUES_BY_HAND)
def test_values_by_hand(surface_id, point, value, x64):
    assert float(_fn(SURFACES[surface_id])(jnp.asarray(point))) == pytest.approx(value, rel=1e-12, abs=1e-14)


def test_quadratic_has_the_stated_condition_number_and_angle(x64):
    f = make_fn("quadratic", {"condition": 50.0, "angle": 60.0})
    hessian = np.asarray(jax.hessian(f)(jnp.zeros(2)))
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    np.testing.assert_allclose(eigenvalues, [1 / 50.0, 1.0], rtol=1e-12)
    steep = eigenvectors[:, 1]
    assert abs(steep @ np.array([math.cos(math.pi / 3), math.sin(math.pi / 3)])) == pytest.approx(1.0)


def test_saddle2_targets_are_not_critical_points(x64):
    """The reference measures saddle2 against (1, −1), a downhill point: not a minimum (none exists)."""
    f = _fn(SURFACES["saddle2"])
    assert np.asarray(jax.grad(f)(jnp.array([1.0, -1.0]))) == pytest.approx([0.0, 4.0])
    eigenvalues = np.linalg.eigvalsh(np.asarray(jax.hessian(f)(jnp.array([-1.0, 0.0]))))
    assert np.all(eigenvalues < 0)  # (−1, 0) is a local maximum, not a saddle


# --------------------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface_id", ALL_IDS)
def test_window_holds_the_starts_and_the_special_points(surface_id):
    surface = SURFACES[surface_id]
    (x0, x1), (y0, y1) = surface.window
    assert x0 < x1 and y0 < y1
    assert surface.starts, f"{surface_id} has no start point"
    for start in surface.starts:
        assert _in_window(start, surface.window), f"{surface_id}: start {start} outside the window"
    points = critical_points(surface, {})
    for point in (*points.minimizers, *points.local_minimizers, *points.saddles):
        assert _in_window(point, surface.window), f"{surface_id}: special point {point} outside the window"
    if points.target is not None:
        assert _in_window(points.target, surface.window)
    if points.minimizers:
        assert points.min_value is not None


def test_the_neuron_surface_has_its_bias_on_y():
    assert SURFACES["cross_sectional"].bias_coords == (False, True)  # σ(w·x + y): x the weight, y the bias


@pytest.mark.parametrize("surface_id", sorted(PAPER_SURFACES))
def test_paper_surfaces_match_the_reference(surface_id):
    figure, window, start, target = PAPER_SURFACES[surface_id]
    surface = SURFACES[surface_id]
    assert surface.figure == figure
    assert surface.window == window
    assert surface.starts[0] == start
    assert critical_points(surface, {}).target == target


def test_only_the_paper_surfaces_have_figures():
    assert {s.id for s in SURFACES.values() if s.figure} == set(PAPER_SURFACES)


def test_paper_alternative_starts():
    assert SURFACES["peaks_ref"].starts == ((0.57, 0.8), (0.4, 1.0), (-0.4, 0.4), (0.57, 0.0))
    assert (-3.0, 0.0) in SURFACES["saddle"].starts  # the paper's text
    assert (2.0, 0.0) in SURFACES["saddle2"].starts  # the paper's text


@pytest.mark.parametrize("surface_id", [i for i in ALL_IDS if SURFACES[i].log_z])
def test_a_log_scale_hint_needs_a_surface_bounded_below(surface_id, x64):
    # the page draws log₁₀(f − f_min + 10⁻³): f must have a minimum, and f − f_min must span decades
    surface = SURFACES[surface_id]
    points = critical_points(surface)
    assert points.min_value is not None and points.minimizers
    values = np.asarray(jax.vmap(_fn(surface))(_window_grid(surface, 101, jnp.float64))) - points.min_value
    assert values.min() >= -1e-9 and values.max() > 1e2


def test_sigmoid_has_an_infimum_but_no_minimizer():
    points = critical_points(SURFACES["sigmoid"], {})
    assert points.minimizers == () and points.min_value == 0.0 and points.target == (-9.0, 0.0)


# --------------------------------------------------------------------------------------------------------------
# make_fn and the custom surface
# --------------------------------------------------------------------------------------------------------------


def test_make_fn_binds_and_validates_params():
    f = make_fn("rosenbrock", {"b": 10.0})
    assert float(f(jnp.array([0.0, 1.0]))) == pytest.approx(1.0 + 10.0)
    with pytest.raises(ParamError, match="surface rosenbrock: unknown parameter 'c'"):
        make_fn("rosenbrock", {"c": 1.0})
    with pytest.raises(ParamError, match=r"surface rosenbrock\.b: must be in"):
        make_fn("rosenbrock", {"b": -1.0})
    with pytest.raises(ParamError, match="unknown surface 'nope'"):
        make_fn("nope")


def test_custom_surface_evaluates_the_formula():
    f = make_fn("custom", {"formula": "(1 - x)^2 + 3*(y - x^2)^2"})
    xy = jnp.array([0.5, -1.0])
    assert float(jax.jit(f)(xy)) == pytest.approx(0.25 + 3.0 * 1.25**2, rel=1e-6)
    np.testing.assert_allclose(np.asarray(jax.grad(f)(xy)), [-1.0 + 3 * 2 * (-1.25) * (-1.0), 6 * (-1.25)], rtol=1e-6)
    batch = jnp.array([[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(np.asarray(jax.vmap(f)(batch)), [1.0, 0.0], atol=1e-6)


def test_custom_surface_rejects_bad_formulas():
    assert isinstance(SURFACES["custom"].params["formula"], FormulaParam)
    with pytest.raises(FormulaError, match="column 1: unknown name 'z'"):
        surface_functions.custom(jnp.zeros(2), formula="z + 1")
    with pytest.raises(ParamError, match=r"surface custom\.formula: column 1: unknown name 'z'"):
        make_fn("custom", {"formula": "z + 1"})
    with pytest.raises(ParamError, match=r"surface custom\.formula: column 5"):
        make_fn("custom", {"formula": "x + __import__('os')"})


def test_custom_formula_is_parsed_once():
    surface_functions.parse_custom.cache_clear()
    f = make_fn("custom", {"formula": "x*y + 7"})
    for xy in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
        f(jnp.array(xy))
    info = surface_functions.parse_custom.cache_info()
    assert info.misses <= 2 and info.hits >= 2  # validation parses once more, uncached


def test_critical_points_of_custom_are_empty():
    points = critical_points(SURFACES["custom"], {"formula": "x**2 + y**2"})
    assert points == (((), None, (), (), None))
