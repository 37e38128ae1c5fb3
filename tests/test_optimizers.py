"""Tests of the optimizer registry: conventions against optax and torch, hand traces, descent, batching."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optimizers
from optimizers import OPTIMIZERS, make, transforms

ALL_IDS = tuple(OPTIMIZERS)
PLAIN_IDS = tuple(key for key, entry in OPTIMIZERS.items() if not entry.wraps)
WRAPPER_IDS = tuple(key for key, entry in OPTIMIZERS.items() if entry.wraps)


@pytest.fixture
def x64():
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


# --- problems ---------------------------------------------------------------------------------------------------------


class Problem(NamedTuple):
    name: str
    loss: Callable[[jax.Array], jax.Array]


_ANGLE = 0.5
_ROTATION = np.array([[math.cos(_ANGLE), -math.sin(_ANGLE)], [math.sin(_ANGLE), math.cos(_ANGLE)]])
_ROTATED_HESSIAN = _ROTATION @ np.diag([1.0, 10.0]) @ _ROTATION.T
_ROTATED_SHIFT = np.array([0.3, -0.7])

ROTATED_QUADRATIC = Problem(
    "rotated quadratic ½pᵀAp + bᵀp, A with eigenvalues 1 and 10 rotated by 0.5 rad",
    lambda p: 0.5 * p @ jnp.asarray(_ROTATED_HESSIAN, p.dtype) @ p + jnp.asarray(_ROTATED_SHIFT, p.dtype) @ p,
)
BOWL = Problem("bowl ½(x² + 10y²)", lambda p: 0.5 * (p[0] ** 2 + 10.0 * p[1] ** 2))
SADDLE = Problem("saddle x² − y²", lambda p: p[0] ** 2 - p[1] ** 2)
SQUARE = Problem("x² (summed over coordinates)", lambda p: jnp.sum(p**2))


def extras(problem: Problem, params: jax.Array, needs: tuple[str, ...]) -> dict[str, Any]:
    """What an update needs besides the gradient (optax's extra arguments), as the engine passes them."""
    available = {
        "value": lambda: problem.loss(params),
        "grad": lambda: jax.grad(problem.loss)(params),
        "value_fn": lambda: problem.loss,
        "obj_fn": lambda: problem.loss,
        "grad_fn": lambda: lambda p, i: jax.grad(problem.loss)(p),
    }
    return {name: available[name]() for name in needs}


def run(
    tx: optax.GradientTransformation, problem: Problem, start, steps: int, needs: tuple[str, ...] = ()
) -> jax.Array:
    """The path ``[steps + 1, *params]`` (start included) of ``tx`` on ``problem``, jitted; ``needs``: the extra
    arguments its update takes (:func:`optimizers.extra_args`)."""

    @jax.jit
    def path(start):
        def step(carry, _):
            params, state = carry
            updates, state = tx.update(jax.grad(problem.loss)(params), state, params, **extras(problem, params, needs))
            params = optax.apply_updates(params, updates)
            return (params, state), params

        _, params = jax.lax.scan(step, (start, tx.init(start)), None, length=steps)
        return jnp.concatenate([start[None], params])

    return path(jnp.asarray(start))


# --- the registry -----------------------------------------------------------------------------------------------------


# One inner optimizer per family, and the ones that need more than the gradient (the loss, a line search, a Hessian
# estimate): every wrapper around each, in the default run; around every plain optimizer in the slow one.
SAMPLE_INNER_IDS = (
    "sgd",
    "adam",
    "adagrad",
    "lion",
    "lamb",
    "prodigy",
    "polyak_sgd",
    "schedule_free_adamw",
    "lbfgs",
    "sophia",
    "muon",
)


@pytest.mark.parametrize("wrapper_id", WRAPPER_IDS)
@pytest.mark.parametrize("inner_id", SAMPLE_INNER_IDS)
def test_a_wrapper_runs_a_plain_optimizer_of_each_family_inside(x64, wrapper_id, inner_id):
    assert {OPTIMIZERS[key].family for key in SAMPLE_INNER_IDS} == set(optimizers.FAMILIES) - {"wrapper"}
    _check_wrapper_around(wrapper_id, inner_id)


@pytest.mark.slow
@pytest.mark.parametrize("wrapper_id", WRAPPER_IDS)
@pytest.mark.parametrize("inner_id", PLAIN_IDS)
def test_a_wrapper_runs_any_plain_optimizer_inside(x64, wrapper_id, inner_id):
    _check_wrapper_around(wrapper_id, inner_id)


def _check_wrapper_around(wrapper_id: str, inner_id: str) -> None:
    needs = optimizers.extra_args(wrapper_id, inner_id)
    if not OPTIMIZERS[wrapper_id].passes_extra_args and OPTIMIZERS[inner_id].extra_args:
        with pytest.raises(ValueError, match=f"{wrapper_id} cannot wrap {inner_id}"):
            make(wrapper_id, 0.05, {}, total_steps=30, inner_id=inner_id)
        return
    lr = 1.0 if OPTIMIZERS[inner_id].family in ("lr_free", "second_order") or wrapper_id == "mechanize" else 0.05
    path = run(make(wrapper_id, lr, {}, total_steps=30, inner_id=inner_id), BOWL, [3.0, -2.0], 30, needs)
    assert bool(jnp.all(jnp.isfinite(path)))
    assert float(BOWL.loss(path[-1])) <= float(BOWL.loss(path[0]))


@pytest.mark.parametrize("optimizer_id", [key for key in ALL_IDS if OPTIMIZERS[key].needs_bias_mask])
def test_a_bias_mask_changes_only_the_masked_coordinate(x64, optimizer_id):
    # on a separable loss each coordinate moves on its own: marking y a bias changes y's path, not x's
    plain = run(make(optimizer_id, 0.1, {}, total_steps=20), SQUARE, [3.0, -2.0], 20)
    mask = jnp.array([False, True])
    masked = run(make(optimizer_id, 0.1, {}, total_steps=20, bias_mask=mask), SQUARE, [3.0, -2.0], 20)
    np.testing.assert_array_equal(masked[:, 0], plain[:, 0])
    assert not np.allclose(masked[:, 1], plain[:, 1])


# --- against optax, float64 -------------------------------------------------------------------------------------------


class OptaxCase(NamedTuple):
    label: str  # the optimizer id, then an optional comment after a comma
    learning_rate: float
    hyper: Mapping[str, Any]
    reference: optax.GradientTransformation


OPTAX_CASES = [
    OptaxCase("sgd", 0.05, {}, optax.sgd(0.05)),
    OptaxCase("momentum", 0.05, {"momentum": 0.8}, optax.sgd(0.05, momentum=0.8)),
    OptaxCase("nesterov", 0.05, {"momentum": 0.8}, optax.sgd(0.05, momentum=0.8, nesterov=True)),
    OptaxCase("adam", 0.1, {"b1": 0.8, "b2": 0.99, "eps": 1e-7}, optax.adam(0.1, b1=0.8, b2=0.99, eps=1e-7)),
    OptaxCase(
        "adagrad", 0.5, {"initial_accumulator": 0.3}, optax.adagrad(0.5, initial_accumulator_value=0.3, eps=1e-10)
    ),
    OptaxCase("rmsprop", 0.01, {"rho": 0.95}, optax.rmsprop(0.01, decay=0.95, eps=1e-8, eps_in_sqrt=False)),
    OptaxCase("adadelta", 3.0, {"rho": 0.8}, optax.adadelta(3.0, rho=0.8, eps=1e-6)),
    # optax 0.2.8's Yogi bias-corrects and starts both moments at 1e-6, like torch-optimizer's
    OptaxCase("yogi", 0.1, {}, optax.yogi(0.1)),
    # on a point (a vector) Muon is optax's AdamW; tests/test_tasks_run.py checks its matrices on a network
    OptaxCase("muon", 0.1, {"beta": 0.9, "adam_b1": 0.8}, optax.contrib.muon(0.1, beta=0.9, adam_b1=0.8)),
    OptaxCase(
        "yogi, m0 = v0 = 1e-3",
        0.1,
        {"initial_m": 1e-3, "initial_v": 1e-3, "b1": 0.8},
        optax.chain(optax.scale_by_yogi(b1=0.8, initial_accumulator_value=1e-3), optax.scale_by_learning_rate(0.1)),
    ),
]


@pytest.mark.parametrize("case", OPTAX_CASES, ids=lambda case: case.label)
def test_matches_optax_in_float64(x64, case):
    ours = run(make(case.label.split(",")[0], case.learning_rate, case.hyper), ROTATED_QUADRATIC, [1.0, -2.0], 50)
    theirs = run(case.reference, ROTATED_QUADRATIC, [1.0, -2.0], 50)
    assert ours.dtype == jnp.float64
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert float(jnp.abs(ours[-1] - ours[0]).max()) > 0.1  # it moved


@pytest.mark.parametrize(("sync_period", "slow_step_size"), [(5, 0.5), (3, 0.8), (1, 0.3)])
def test_lookahead_matches_optax_lookahead(x64, sync_period, slow_step_size):
    inner = optax.adam(0.1)
    ours = run(
        transforms.lookahead(inner, sync_period, slow_step_size, first_step_sync=False),
        ROTATED_QUADRATIC,
        [1.0, -2.0],
        30,
    )
    reference = optax.lookahead(inner, sync_period=sync_period, slow_step_size=slow_step_size)
    params = optax.LookaheadParams.init_synced(jnp.array([1.0, -2.0]))
    state = reference.init(params)
    fast_path = [params.fast]
    for _ in range(30):
        updates, state = reference.update(jax.grad(ROTATED_QUADRATIC.loss)(params.fast), state, params)
        params = optax.apply_updates(params, updates)
        fast_path.append(params.fast)
    np.testing.assert_allclose(ours, jnp.stack(fast_path), rtol=0, atol=1e-12)


# --- against torch.optim and torch-optimizer (points recorded once, torch 2.13.0, torch-optimizer 0.3.0) --------------


class TorchCase(NamedTuple):
    label: str
    build: Callable[[], optax.GradientTransformation]
    problem: Problem
    start: tuple[float, float]
    after_10: tuple[float, float]  # recorded torch points after 10 and 50 steps, float64
    after_50: tuple[float, float]


TORCH_CASES = [
    TorchCase(  # torch.optim.SGD(lr=0.05, momentum=0.8, dampening=0.3): the first gradient is not damped
        "momentum+dampening",
        lambda: make("momentum", 0.05, {"momentum": 0.8, "dampening": 0.3}),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.3764869057196084, -0.5801483669731107),
        (0.03144468582018806, 0.09314340204355262),
    ),
    TorchCase(  # torch.optim.SGD(lr=0.05, momentum=0.8, nesterov=True)
        "nesterov",
        lambda: make("nesterov", 0.05, {"momentum": 0.8}),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.02185264453240808, 0.11783358592969168),
        (0.027270408755921724, 0.10128696702873809),
    ),
    TorchCase(  # torch.optim.Adam(lr=0.1, betas=(0.8, 0.99))
        "adam",
        lambda: make("adam", 0.1, {"b1": 0.8, "b2": 0.99}),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.057558195631472645, -1.0510641947799924),
        (-0.3286418808026449, -0.12213389975732877),
    ),
    TorchCase(  # torch.optim.Adagrad(lr=0.5, initial_accumulator_value=1.0, eps=0.0): the seed's K = 1
        "adagrad",
        lambda: make("adagrad", 0.5, {"eps": 0.0}),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (-0.44890587083647776, -0.4074537338930946),
        (-0.1978116490194125, -0.03326757012265706),
    ),
    TorchCase(  # torch.optim.RMSprop(lr=0.01): alpha 0.99, eps 1e-8 outside the root
        "rmsprop",
        lambda: make("rmsprop", 0.01),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.5271539845341504, -1.5240600985893404),
        (-0.07281884005227378, -0.8967694585520333),
    ),
    TorchCase(  # torch.optim.Adadelta(lr=1.0): rho 0.9, eps 1e-6
        "adadelta",
        lambda: make("adadelta", 1.0),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.9664668754295725, -1.9664491523997631),
        (0.8213223307198638, -1.8206527971793722),
    ),
    TorchCase(  # torch_optimizer.Yogi(lr=0.1): both moments start at 1e-6
        "yogi",
        lambda: make("yogi", 0.1),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.035822858591024964, -1.0315228427094645),
        (-0.31485296716556593, -0.14538306676056834),
    ),
    TorchCase(
        "yogi on the saddle from y = 0",
        lambda: make("yogi", 0.1),
        SADDLE,
        (-3.0, 0.0),
        (-2.015564517345615, -0.36311728486030426),
        (0.16173563671677435, -5.381947910187272),
    ),
    TorchCase(  # torch_optimizer.Lookahead(torch_optimizer.Yogi(lr=0.1)): k 5, alpha 0.5
        "lookahead(yogi) on the saddle",
        lambda: make("lookahead", 0.1, inner_id="yogi"),
        SADDLE,
        (-3.0, 0.0),
        (-2.25925305081615, -0.3243518018104567),
        (-0.7176811601727536, -2.9604135104845186),
    ),
    TorchCase(  # torch_optimizer.Lookahead(torch.optim.SGD(lr=0.05, momentum=0.5), k=4, alpha=0.3)
        "lookahead(momentum)",
        lambda: make("lookahead", 0.05, {"k": 4, "alpha": 0.3}, inner_id="momentum", inner_hyper={"momentum": 0.5}),
        ROTATED_QUADRATIC,
        (1.0, -2.0),
        (0.024430795339600086, -0.11622730088539705),
        (-0.0023475924701274963, 0.0827683184805557),
    ),
]


@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda case: case.label)
def test_matches_recorded_torch_points(x64, case):
    path = run(case.build(), case.problem, case.start, 50)
    np.testing.assert_allclose(path[10], case.after_10, rtol=0, atol=1e-12)
    np.testing.assert_allclose(path[50], case.after_50, rtol=0, atol=1e-12)


# --- hand traces, where optax lacks the algorithm ---------------------------------------------------------------------


def test_yogi_hand_trace(x64):
    tx = make("yogi", 0.25, {"b1": 0.5, "b2": 0.75, "eps": 0.0, "initial_m": 0.0, "initial_v": 0.0})
    path = run(tx, SQUARE, [1.0], 3)
    # t=1: g=2,    m=1,       v=0+¼·4=1 (v<g²: grows),          m̂=2,      v̂=4,         x: 1 -> 1-¼·2/2 = 0.75
    # t=2: g=1.5,  m=1.25,    v=1+¼·2.25=1.5625,                 m̂=5/3,    v̂=25/7,      x: 0.75 -> 0.75-√7/12
    # t=3: g=1.059, m=1.1545, v=1.5625-¼·1.1216=1.2821 (v>g²: shrinks), m̂=1.3195, v̂=2.2177, x -> 0.308016
    expected = [1.0, 0.75, 0.75 - math.sqrt(7) / 12, 0.3080163574401217]
    np.testing.assert_allclose(path[:, 0], expected, rtol=0, atol=1e-14)


def test_yogi_without_bias_correction(x64):
    tx = make("yogi", 0.25, {"b1": 0.5, "b2": 0.75, "eps": 0.0, "initial_m": 0.0, "bias_correction": False})
    path = run(tx, SQUARE, [1.0], 1)
    # t=1: g=2, m=1 (not divided by 1-β1), v=1e-6+¼·4=1.000001 (not divided by 1-β2), x: 1 -> 1 - ¼·1/√1.000001
    np.testing.assert_allclose(path[1, 0], 1 - 0.25 / math.sqrt(1.000001), rtol=0, atol=1e-14)


def test_adadec_hand_trace(x64):
    tx = make("adadec", 0.5, {"offset": 1.0, "xi": 0.5, "power": 1.0, "decay_steps": 2})
    path = run(tx, SQUARE, [1.0], 3)
    # p(t) = (1 + t/2)^-1 = 1, 2/3, 1/2; G_t = ½ g_{t-1}² + g_t² (the previous gradient only, g_{-1} = 0)
    # t=0: g=2,      G=0+4=4,             x: 1 -> 1 - ½·1·2/√5 = 0.552786
    # t=1: g=1.10557, G=½·4+1.22229=3.22229, x -> 0.552786 - ½·⅔·1.10557/√4.22229 = 0.373440
    # t=2: g=0.74688, G=½·1.22229+0.55783=1.16898, x -> 0.373440 - ½·½·0.74688/√2.16898 = 0.246656
    expected = [1.0, 1 - 1 / math.sqrt(5), 0.3734402779937934, 0.2466564762430544]
    np.testing.assert_allclose(path[:, 0], expected, rtol=0, atol=1e-14)


def test_adamix_hand_trace(x64):
    tx = make("adamix", 0.25, {"offset": 1.0, "power": 1.0, "decay_steps": 1}, bias_mask=jnp.array([False, True]))
    path = run(tx, SQUARE, [1.0, 1.0], 3)
    # x is a weight: a_0 = 1, a_{t+1} = a_t/√(1 + g_t²); y is a bias: a_t = (1 + t)^-1. Step: -¼·a_t·g_t.
    # t=0: g=(2, 2),        a=(1, 1),        (x, y): (1, 1) -> (0.5, 0.5)
    # t=1: g=(1, 1),        a=(1/√5, 1/2),   -> (0.5 - ¼/√5, 0.375) = (0.388197, 0.375)
    # t=2: g=(0.77639, 0.75), a=(1/√10, 1/3), -> (0.388197 - ¼·0.77639/√10, 0.3125) = (0.326817, 0.3125)
    expected = [[1.0, 1.0], [0.5, 0.5], [0.5 - 0.25 / math.sqrt(5), 0.375], [0.32681732915046474, 0.3125]]
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize(
    ("first_step_sync", "expected"),
    [
        # the paper / optax: φ = 1; x: 1 -> 0.5 -> 0.25, sync φ = 1 + ½(0.25 - 1) = 0.625 -> 0.3125 -> 0.15625,
        # sync φ = 0.625 + ½(0.15625 - 0.625) = 0.390625
        (False, [1.0, 0.5, 0.625, 0.3125, 0.390625, 0.1953125]),
        # torch-optimizer: x: 1 -> 0.5 (sync: φ := 0.5) -> 0.25 -> 0.125, sync φ = 0.5 + ½(0.125 - 0.5) = 0.3125
        # -> 0.15625 -> 0.078125, sync φ = 0.3125 + ½(0.078125 - 0.3125) = 0.1953125
        (True, [1.0, 0.5, 0.25, 0.3125, 0.15625, 0.1953125]),
    ],
)
def test_lookahead_hand_trace(x64, first_step_sync, expected):
    # inner SGD with η = ¼ on x² halves x each fast step; k = 2, α = ½
    tx = make("lookahead", 0.25, {"k": 2, "alpha": 0.5, "first_step_sync": first_step_sync}, inner_id="sgd")
    path = run(tx, SQUARE, [1.0], 5)
    np.testing.assert_allclose(path[:, 0], expected, rtol=0, atol=0)


def test_adagrad_is_the_seeds_equation_12(x64):
    # one step: η g / √(K + g²) with K = 1 (eps 1e-10 inside the root is invisible here)
    path = run(make("adagrad", 0.5), SQUARE, [1.0], 1)
    np.testing.assert_allclose(path[1, 0], 1 - 0.5 * 2 / math.sqrt(5), rtol=0, atol=1e-9)


# --- the saddle: why Yogi's initial first moment matters --------------------------------------------------------------


@pytest.mark.parametrize("wrap", [False, True], ids=["yogi", "lookahead(yogi)"])
def test_yogi_leaves_the_saddle_line_only_with_a_nonzero_initial_m(x64, wrap):
    def build(initial_m):
        hyper = {"initial_m": initial_m}
        if wrap:
            return make("lookahead", 0.1, inner_id="yogi", inner_hyper=hyper)
        return make("yogi", 0.1, hyper)

    stuck = run(build(0.0), SADDLE, [-3.0, 0.0], 100)
    assert np.all(np.asarray(stuck[:, 1]) == 0.0)  # the y-gradient of x² − y² at y = 0 is exactly 0
    escaped = run(build(1e-6), SADDLE, [-3.0, 0.0], 100)
    assert abs(float(escaped[-1, 1])) > 1.0


def test_adamix_weight_rate_freezes_under_large_gradients():
    # a documented property, not a bug: each step multiplies the weight rate by 1/√(1 + g²)
    tx = make("adamix", 0.1, {}, total_steps=100)
    params = jnp.array([3.0, -2.0])
    state = tx.init(params)
    for _ in range(5):
        _, state = tx.update(jax.grad(BOWL.loss)(params), state, params)
    # x: (1/√(1 + 3²))⁵ ≈ 3e-3 (g stays 3: the params are held still); y: (1/√(1 + 20²))⁵ ≈ 3e-7
    assert float(optimizers.inspect(state)["lr_factor"].max()) < 1e-2


# --- every optimizer descends -----------------------------------------------------------------------------------------


class DescentCase(NamedTuple):
    label: str
    optimizer_id: str
    learning_rate: float
    inner_id: str | None = None
    start: tuple[float, float] = (3.0, -2.0)
    steps: int = 200
    ratio: float = 1e-2  # final loss / initial loss must be below this
    monotone: bool = False


DESCENT_CASES = [
    DescentCase("sgd", "sgd", 0.1, monotone=True),
    DescentCase("momentum", "momentum", 0.02),
    DescentCase("nesterov", "nesterov", 0.02),
    DescentCase("adam", "adam", 0.1),
    DescentCase("yogi", "yogi", 0.1),
    DescentCase("adagrad", "adagrad", 1.0, monotone=True),
    DescentCase("rmsprop", "rmsprop", 0.03),
    # optax.adadelta(learning_rate=None) climbs; Zeiler's η = 1 is slow from far but goes down every step
    DescentCase("adadelta", "adadelta", 10.0),
    DescentCase("adadelta, η = 1", "adadelta", 1.0, ratio=0.5, monotone=True),
    DescentCase("adadec", "adadec", 0.1),
    DescentCase("muon", "muon", 0.1),
    # AdaMix's weight rate freezes where Σg² ≫ 1 (see its docstring): start where gradients are small
    DescentCase("adamix", "adamix", 0.1, start=(0.3, -0.2)),
    DescentCase("lookahead(yogi)", "lookahead", 0.1, inner_id="yogi"),
    DescentCase("lookahead(sgd)", "lookahead", 0.1, inner_id="sgd"),
]


def test_descent_cases_cover_the_hand_tuned_optimizers():
    # every optimizer, the newer ones included, descends through the engine in tests/test_registries.py
    assert {case.optimizer_id for case in DESCENT_CASES} <= set(ALL_IDS)
    assert {case.optimizer_id for case in DESCENT_CASES} >= set(ALL_IDS[:11])


@pytest.mark.parametrize("case", DESCENT_CASES, ids=lambda case: case.label)
def test_descends_on_a_bowl(case):
    tx = make(case.optimizer_id, case.learning_rate, {}, total_steps=case.steps, inner_id=case.inner_id)
    path = run(tx, BOWL, case.start, case.steps)
    losses = np.asarray(jax.vmap(BOWL.loss)(path))
    assert np.all(np.isfinite(losses))
    assert losses[-1] < case.ratio * losses[0]
    if case.monotone:
        assert np.all(np.diff(losses) <= 1e-12 * losses[0])


# --- batching over traced hyperparameters -----------------------------------------------------------------------------


class BatchCase(NamedTuple):
    optimizer_id: str
    hyper: Mapping[str, list[float]]  # 4 values per name
    other_values: Mapping[str, list[float]]  # a second call's values, same shapes
    inner_id: str | None = None


BATCH_CASES = [
    BatchCase("momentum", {"momentum": [0.0, 0.5, 0.9, 0.95]}, {"momentum": [0.1, 0.2, 0.3, 0.4]}),
    BatchCase("adam", {"b1": [0.0, 0.5, 0.9, 0.99]}, {"b1": [0.1, 0.2, 0.3, 0.4]}),
    BatchCase(
        "yogi",
        {"initial_m": [0.0, 1e-6, 1e-4, 0.0], "bias_correction": [1.0, 1.0, 0.0, 0.0]},
        {"initial_m": [1e-5, 0.0, 0.0, 1e-3], "bias_correction": [0.0, 1.0, 0.0, 1.0]},
    ),
    BatchCase(
        "lookahead",
        {"k": [1.0, 2.0, 5.0, 7.0], "first_step_sync": [1.0, 0.0, 1.0, 0.0]},
        {"k": [3.0, 3.0, 4.0, 10.0], "first_step_sync": [0.0, 1.0, 1.0, 0.0]},
        inner_id="yogi",
    ),
    BatchCase("adadec", {"decay_steps": [10.0, 50.0, 100.0, 1e4]}, {"decay_steps": [1.0, 2.0, 3.0, 4.0]}),
    BatchCase("adamix", {"power": [0.1, 0.5, 0.75, 2.0]}, {"power": [0.3, 0.3, 0.3, 0.3]}),
]


@pytest.mark.parametrize("case", BATCH_CASES, ids=lambda case: case.optimizer_id)
def test_vmap_over_traced_hyperparameters(case):
    traces = []
    table = jnp.linspace(0.1, 0.01, 30, dtype=jnp.float32)
    bias_mask = jnp.array([False, True])  # the engine passes the surface's mask; only AdaMix reads it

    def trajectory(hyper):
        traces.append(1)  # runs once per compilation, never per call
        lr = lambda count: table[count]  # noqa: E731
        tx = make(case.optimizer_id, lr, hyper, total_steps=30, inner_id=case.inner_id, bias_mask=bias_mask)
        return run_traced(tx, ROTATED_QUADRATIC, jnp.array([1.0, -2.0], jnp.float32), 30)

    batched = jax.jit(jax.vmap(trajectory))
    hyper = {name: jnp.asarray(values, jnp.float32) for name, values in case.hyper.items()}
    paths = batched(hyper)
    assert paths.shape == (4, 31, 2) and paths.dtype == jnp.float32
    for i in range(4):
        single = jax.jit(trajectory)({name: values[i] for name, values in hyper.items()})
        np.testing.assert_allclose(paths[i], single, rtol=1e-5, atol=1e-6)
    assert not np.allclose(paths[0], paths[-1])  # the values made a difference

    compiled_before = len(traces)
    other = {name: jnp.asarray(values, jnp.float32) for name, values in case.other_values.items()}
    other_paths = batched(other)
    assert len(traces) == compiled_before, "new hyperparameter values recompiled"
    assert batched._cache_size() == 1
    assert not np.allclose(other_paths, paths)


def run_traced(
    tx: optax.GradientTransformation, problem: Problem, start: jax.Array, steps: int, needs: tuple[str, ...] = ()
) -> jax.Array:
    """Like :func:`run`, inside a caller's trace (no jit of its own)."""

    def step(carry, _):
        params, state = carry
        updates, state = tx.update(jax.grad(problem.loss)(params), state, params, **extras(problem, params, needs))
        params = optax.apply_updates(params, updates)
        return (params, state), params

    _, params = jax.lax.scan(step, (start, tx.init(start)), None, length=steps)
    return jnp.concatenate([start[None], params])


@pytest.mark.parametrize("optimizer_id", ALL_IDS)
def test_float32_state_stays_float32_under_x64(x64, optimizer_id):
    # the engine may enable x64 and still run float32 trajectories: the scan carry must keep its dtype
    entry = OPTIMIZERS[optimizer_id]
    hyper = {
        name: jnp.asarray(spec.default if spec.default is not None else 100, jnp.float32)
        for name, spec in entry.params.items()
        if _traced(spec)
    }
    table = jnp.full((20,), 0.05, jnp.float32)
    inner_id = "adamix" if entry.wraps else None
    tx = make(optimizer_id, lambda count: table[count], hyper, total_steps=20, inner_id=inner_id)
    needs = optimizers.extra_args(optimizer_id, inner_id)
    path = run(tx, ROTATED_QUADRATIC, jnp.array([1.0, -2.0], jnp.float32), 20, needs)
    assert path.dtype == jnp.float32
    state = tx.init(jnp.zeros(2, jnp.float32))
    for name, value in optimizers.inspect(state).items():
        assert value.dtype == jnp.float32, name


# --- the learning-rate schedule is called with the 0-based step -------------------------------------------------------


# Whose step is not proportional to the LR on a linear loss, and why (the test below holds for all others).
NOT_LINEAR_IN_LR = {
    "adamw": "the weight decay λθ depends on the point reached",
    "adamaxw": "the weight decay λθ depends on the point reached",
    "nadamw": "the weight decay λθ depends on the point reached",
    "sophia": "the weight decay λθ depends on the point reached",
    "lamb": "trust ratio ‖θ‖/‖u‖ depends on the point reached",
    "lars": "trust ratio depends on the point reached",
    "fromage": "relative step and the shrink by √(1 + η²)",
    "adafactor": "step relative to RMS(θ), and min(η, 1/√t)",
    "prodigy": "the LR enters its estimate of d",
    "dadapt_adamw": "the LR enters its estimate of d",
    "dog": "the step is the distance travelled",
    "dowg": "the step is the distance travelled",
    "cocob": "scale-free: the LR scales the gradient, which COCOB ignores",
    "polyak_sgd": "the LR is a cap on the Polyak step",
    "momo": "the LR is a cap on the Polyak step",
    "momo_adam": "the LR is a cap on the Polyak step",
    "schedule_free_sgd": "the LR also weights the average",
    "schedule_free_adamw": "the LR also weights the average",
    "lbfgs": "the line search picks the step",
    "madgrad": "dual averaging weights the gradients by η√t",
}


def _traced(spec: Any) -> bool:
    from engine.batch import _is_traced

    return _is_traced(spec)


@pytest.mark.parametrize("optimizer_id", [key for key in PLAIN_IDS if key not in NOT_LINEAR_IN_LR])
def test_kth_update_uses_table_k(x64, optimizer_id):
    # on a linear loss the gradient is constant, so the LR-free part of every update is the same with any LR:
    # the k-th update with lr = table[k] must be table[k] times the k-th update with lr = 1
    table = jnp.array([0.5, 0.25, 2.0, 1.5, 0.125, 3.0, 0.75, 1.25])
    linear = Problem("linear", lambda p: 0.7 * p[0] - 1.3 * p[1])
    needs = optimizers.extra_args(optimizer_id)
    scheduled = run(make(optimizer_id, lambda count: table[count], {}, total_steps=8), linear, [0.0, 0.0], 8, needs)
    unit = run(make(optimizer_id, 1.0, {}, total_steps=8), linear, [0.0, 0.0], 8, needs)
    np.testing.assert_allclose(jnp.diff(scheduled, axis=0), table[:, None] * jnp.diff(unit, axis=0), rtol=1e-12)


def test_lookahead_passes_the_schedule_to_its_inner_optimizer(x64):
    table = jnp.array([0.5, 0.25, 2.0, 1.5, 0.125, 3.0])
    linear = Problem("linear", lambda p: 0.7 * p[0] - 1.3 * p[1])
    tx = make("lookahead", lambda count: table[count], {"k": 100, "first_step_sync": False}, inner_id="sgd")
    path = run(tx, linear, [0.0, 0.0], 6)
    np.testing.assert_allclose(jnp.diff(path, axis=0), -table[:, None] * jnp.array([0.7, -1.3]), rtol=1e-14)


# --- make and inspect -------------------------------------------------------------------------------------------------


def test_make_fills_defaults_and_resolves_steps(x64):
    made = run(make("adadec", 0.1, {"xi": 0.5}, total_steps=40), BOWL, [3.0, -2.0], 40)
    direct = run(OPTIMIZERS["adadec"].factory(0.1, xi=0.5, decay_steps=40), BOWL, [3.0, -2.0], 40)
    np.testing.assert_array_equal(made, direct)
    other_r = run(OPTIMIZERS["adadec"].factory(0.1, xi=0.5, decay_steps=10), BOWL, [3.0, -2.0], 40)
    assert not np.allclose(made, other_r)


def test_make_rejects_what_it_cannot_build():
    with pytest.raises(ValueError, match="decay_steps"):
        make("adadec", 0.1, {})
    with pytest.raises(ValueError, match="unknown parameter"):
        make("adam", 0.1, {"beta1": 0.9})
    with pytest.raises(ValueError, match="unknown optimizer"):
        make("no_such_optimizer", 0.1, {})
    with pytest.raises(ValueError, match="wraps another optimizer"):
        make("lookahead", 0.1, {})
    with pytest.raises(ValueError, match="wraps another optimizer"):
        make("lookahead", 0.1, {}, inner_id="lookahead")
    with pytest.raises(ValueError, match="wraps nothing"):
        make("adam", 0.1, {}, inner_id="sgd")


INSPECT_KEYS = {
    "sgd": set(),
    "momentum": {"first_moment"},
    "nesterov": {"first_moment"},
    "adam": {"first_moment", "second_moment"},
    "yogi": {"first_moment", "second_moment"},
    "lookahead": {"slow_weights", "first_moment", "second_moment"},  # around Yogi
    "adagrad": {"second_moment"},
    "rmsprop": {"second_moment"},
    "adadelta": {"second_moment", "mean_squared_update"},
    "adadec": {"previous_squared_gradient"},
    "adamix": {"lr_factor"},
    "noisy_sgd": set(),
    "optimistic_gradient_descent": set(),
    "adamw": {"first_moment", "second_moment"},
    "adamax": {"first_moment", "second_moment"},
    "adamaxw": {"first_moment", "second_moment"},
    "amsgrad": {"first_moment", "second_moment"},
    "nadam": {"first_moment", "second_moment"},
    "nadamw": {"first_moment", "second_moment"},
    "radam": {"first_moment", "second_moment"},
    "adabelief": {"first_moment", "second_moment"},
    "adan": {"first_moment", "gradient_difference", "second_moment"},
    "ademamix": {"first_moment", "second_moment", "slow_moment"},
    "simplified_ademamix": {"first_moment", "second_moment"},
    "adopt": {"first_moment", "second_moment"},
    "acprop": {"first_moment", "second_moment"},
    "optimistic_adam": {"first_moment", "second_moment"},
    "sam": {"first_moment", "second_moment"},  # around Yogi
    "madgrad": {"gradient_sum", "second_moment"},
    "sign_sgd": set(),
    "signum": {"first_moment"},
    "lion": {"first_moment"},
    "rprop": {"step_size_factor"},
    "lamb": {"first_moment", "second_moment"},
    "lars": {"first_moment"},
    "fromage": set(),
    "adafactor": {"second_moment"},
    "sm3": {"first_moment", "second_moment"},
    "novograd": {"first_moment", "second_moment"},
    "prodigy": {"first_moment", "lr_estimate", "second_moment"},
    "dadapt_adamw": {"first_moment", "lr_estimate", "second_moment"},
    "dog": {"lr_estimate"},
    "dowg": {"lr_estimate"},
    "cocob": {"lr_estimate"},
    "mechanize": {"first_moment", "lr_estimate", "second_moment"},  # around Yogi
    "polyak_sgd": set(),
    "momo": {"first_moment", "loss_lower_bound"},
    "momo_adam": {"first_moment", "loss_lower_bound", "second_moment"},
    "schedule_free_sgd": {"gradient_point", "schedule_free_z"},
    "schedule_free_adamw": {"gradient_point", "schedule_free_z"},
    "lbfgs": set(),
    "sophia": {"first_moment", "hessian_estimate"},
    "muon": {"first_moment", "second_moment"},  # a surface's point is a vector: AdamW's moments
}


@pytest.mark.parametrize("optimizer_id", ALL_IDS)
def test_inspect_names_the_internals(optimizer_id):
    inner_id = "yogi" if OPTIMIZERS[optimizer_id].wraps else None
    tx = make(optimizer_id, 0.1, {}, total_steps=10, inner_id=inner_id)
    params = (jnp.asarray(3.0), jnp.asarray(-2.0))  # the engine's form: one leaf per coordinate
    state = tx.init(params)
    needs = optimizers.extra_args(optimizer_id, inner_id)
    pair = Problem("bowl on a pair", lambda p: BOWL.loss(jnp.stack(p)))
    _, state = tx.update(jax.grad(pair.loss)(params), state, params, **extras(pair, params, needs))
    internals = optimizers.inspect(state, params)
    assert optimizer_id in INSPECT_KEYS, f"say in INSPECT_KEYS which internals {optimizer_id} shows"
    assert set(internals) == INSPECT_KEYS[optimizer_id]
    for value in internals.values():
        assert isinstance(value, tuple) and [jnp.shape(v) for v in value] == [(), ()]


def test_inspect_values():
    gradient = jax.grad(BOWL.loss)(jnp.array([3.0, -2.0]))  # (3, -20)
    tx = make("adam", 0.1, {"b1": 0.8, "b2": 0.9})
    _, state = tx.update(gradient, tx.init(jnp.zeros(2)))
    internals = optimizers.inspect(state)
    np.testing.assert_allclose(internals["first_moment"], 0.2 * gradient, rtol=1e-6)
    np.testing.assert_allclose(internals["second_moment"], 0.1 * gradient**2, rtol=1e-6)

    # lookahead: the slow weights after the torch-phase first step are the fast weights
    tx = make("lookahead", 0.25, {"k": 2}, inner_id="sgd")
    params = jnp.array([1.0, 1.0])
    updates, state = tx.update(jax.grad(SQUARE.loss)(params), tx.init(params), params)
    np.testing.assert_allclose(optimizers.inspect(state)["slow_weights"], params + updates)


def test_inspect_works_on_a_batched_state():
    def init(b1):
        return make("adam", 0.1, {"b1": b1}).init(jnp.zeros(2))

    internals = optimizers.inspect(jax.vmap(init)(jnp.array([0.1, 0.2, 0.3])))
    assert internals["first_moment"].shape == (3, 2)


@pytest.mark.parametrize("optimizer_id", [key for key in ALL_IDS if OPTIMIZERS[key].params])
def test_every_hyperparameter_may_be_traced(x64, optimizer_id):
    # each default as a traced scalar, two identical trajectories: the same path as the concrete defaults
    entry = OPTIMIZERS[optimizer_id]
    inner_id = "yogi" if entry.wraps else None
    needs = optimizers.extra_args(optimizer_id, inner_id)
    defaults = {
        name: float(spec.default if spec.default is not None else 25)
        for name, spec in entry.params.items()
        if _traced(spec) or optimizer_id == "yogi"  # settings (choices, flags) are compiled in; Yogi's flag is data
    }

    def trajectory(hyper):
        tx = make(optimizer_id, 0.05, hyper, total_steps=25, inner_id=inner_id)
        return run_traced(tx, ROTATED_QUADRATIC, jnp.array([1.0, -2.0]), 25, needs)

    batched = jax.jit(jax.vmap(trajectory))({name: jnp.full((2,), value) for name, value in defaults.items()})
    concrete_tx = make(optimizer_id, 0.05, {}, total_steps=25, inner_id=inner_id)
    concrete = run(concrete_tx, ROTATED_QUADRATIC, [1.0, -2.0], 25, needs)
    np.testing.assert_allclose(batched, jnp.stack([concrete, concrete]), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("dtype", "rtol"), [(jnp.float64, 1e-12), (jnp.float32, 2e-5)])
def test_running_powers_match_optax_powers_over_5000_steps(x64, dtype, rtol):
    # The same gradients into both (no feedback): only β^t as a product versus as a power differs.
    gradients = jax.random.normal(jax.random.key(0), (5000, 2), dtype) * jnp.logspace(-3, 2, 5000, dtype=dtype)[:, None]
    b1, b2, eps = 0.8, 0.995, 1e-8

    def outputs(tx):
        def step(state, g):
            update, state = tx.update(g, state)
            return state, update

        return jax.lax.scan(step, tx.init(jnp.zeros(2, dtype)), gradients)[1]

    ours = outputs(transforms.scale_by_adam_powers(b1, b2, eps))
    theirs = outputs(optax.scale_by_adam(b1, b2, eps))
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)
    if dtype != jnp.float64:
        return  # Yogi's moments are written in torch-optimizer's order, which float32 rounds differently
    yogi_ours = outputs(transforms.scale_by_yogi_ref(b1, b2, 1e-3, initial_m=1e-3, initial_v=1e-3))
    yogi_theirs = outputs(optax.scale_by_yogi(b1=b1, b2=b2, eps=1e-3, initial_accumulator_value=1e-3))
    np.testing.assert_allclose(yogi_ours, yogi_theirs, rtol=rtol, atol=0)
