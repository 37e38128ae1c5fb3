"""Every equivalent an entry names is the same thing in its library, and every such name works here.

Schedules: each torch equivalent against torch's own LRs, stepped as a training loop steps them
(recorded in tests/data/torch_schedules.json by scripts/record_torch_schedules.py, compared always;
recomputed live when torch is importable); each optax equivalent against optax itself, in float64;
each Keras equivalent against the formula Keras documents (TensorFlow and Keras are not installed).
A coverage test per library keeps the tables and the registry's claims in step.

Names: every equivalent names something its library has; each spelling picks one entry; the command
line and the page's pickers accept them (``--schedule OneCycleLR``, ``--optimizer torch.optim.SGD``).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import cli
import optimizers
import schedules
from common.params import resolve_params
from common.registry import Equivalent, resolve_name
from engine.scene import Scene
from schedules import SCHEDULES, plateau_reference, table
from schedules._base import KERAS, OPTAX, OPTAX_CONTRIB, TORCH
from ui.labels import grouped_choices

ROOT = Path(__file__).resolve().parent.parent
RECORDED = json.loads((ROOT / "tests" / "data" / "torch_schedules.json").read_text(encoding="utf-8"))
TORCH_CASES = RECORDED["cases"]
T = 500
LR = 0.01

REGISTRIES = {"schedule": SCHEDULES, "optimizer": optimizers.OPTIMIZERS}


def _equivalents(registry: dict[str, Any], module: str | None = None) -> list[tuple[str, Equivalent]]:
    return [
        (entry_id, eq)
        for entry_id, entry in registry.items()
        for eq in entry.equivalents
        if module is None or eq.module == module
    ]


def _recorder():
    """scripts/record_torch_schedules.py as a module (it imports torch only when run)."""
    spec = importlib.util.spec_from_file_location("record_torch_schedules", ROOT / "scripts/record_torch_schedules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ours(case: dict[str, Any], params: dict[str, Any] | None = None, lr: float | None = None) -> np.ndarray:
    """Our LRs for a recorded case (the plateau rule replayed on the case's losses for a loss-based one)."""
    entry = SCHEDULES[case["id"]]
    params = case["params"] if params is None else params
    lr = case["lr"] if lr is None else lr
    if entry.needs_loss:
        values = resolve_params(entry.params, params, case["steps"])
        return plateau_reference(np.asarray(case["losses"]), lr, **values)
    return table(case["id"], params, lr, case["steps"])


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['id']}-{case['equivalent']}-{json.dumps(case['params'], sort_keys=True)}"


# --- torch ----------------------------------------------------------------------------------------------------


def test_the_recorded_file_is_the_script_s():
    """The JSON holds exactly the cases the script defines (rerun the script after changing them)."""
    recorded = [{k: v for k, v in case.items() if k != "values"} for case in TORCH_CASES]
    assert recorded == json.loads(json.dumps(_recorder().CASES))
    assert all(len(case["values"]) == case["steps"] for case in TORCH_CASES)


def test_every_torch_equivalent_has_a_recorded_case():
    claimed = {(entry_id, eq.name) for entry_id, eq in _equivalents(SCHEDULES, TORCH)}
    recorded = {(case["id"], case["equivalent"]) for case in TORCH_CASES}
    assert claimed - recorded == set(), "record a case for each (scripts/record_torch_schedules.py)"
    assert recorded - claimed == set(), "a recorded case for an equivalent no entry names"


@pytest.mark.parametrize("case", TORCH_CASES, ids=_case_id)
def test_matches_torch_as_recorded(case):
    expected = np.asarray(case["values"])
    expected[1:] += case.get("plus_after_0", 0.0)  # polychen_lr: the reference adds 1e-8 after step 0
    np.testing.assert_allclose(_ours(case), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("case", TORCH_CASES, ids=_case_id)
def test_the_recording_is_what_torch_gives_now(case):
    torch = pytest.importorskip("torch")
    live = _recorder().torch_lrs(torch, case)
    np.testing.assert_allclose(live, case["values"], rtol=1e-13, atol=0)


def _lr_free(case: dict[str, Any]) -> dict[str, Any]:
    """The torch arguments a person would type after the name: without those that are not about the LR
    (cycle_momentum) or that the run length sets (total_steps, and T_max when it is the whole run)."""
    kwargs = dict(case["torch"].get("kwargs", {}))
    kwargs.pop("cycle_momentum", None)
    for name in ("total_steps", "T_max"):
        if kwargs.get(name) == case["steps"]:
            del kwargs[name]
    return kwargs


TYPED_CASES = [
    case for case in TORCH_CASES if "schedulers" not in case["torch"] and "lr_lambda" not in case["torch"]["kwargs"]
]


@pytest.mark.parametrize("case", TYPED_CASES, ids=_case_id)
def test_torch_s_call_typed_on_the_command_line_gives_torch_s_lrs(case):
    """``--schedule StepLR:step_size=30`` gives what ``StepLR(opt, step_size=30)`` gives, whichever entry it picks."""
    name, given = case["equivalent"], _lr_free(case)
    eq = next(eq for eq in SCHEDULES[case["id"]].equivalents if eq.module == TORCH and eq.name == name)
    try:
        resolved = resolve_name(SCHEDULES, name, given, kind="schedule")
    except ValueError as error:
        # only a name that stands for another entry may refuse this entry's arguments, and it says why
        assert not (eq.alias or eq.select), error
        assert "has no counterpart" in str(error) or "give one's id" in str(error)
        return
    ours = _ours({**case, "id": resolved.id}, resolved.params, resolved.lr)
    np.testing.assert_allclose(ours, case["values"], rtol=1e-12, atol=0)


def test_every_torch_name_exists_in_torch():
    names = RECORDED["names"]
    for registry in REGISTRIES.values():
        for entry_id, eq in _equivalents(registry):
            if eq.library == "torch":
                assert eq.name in names[eq.module], f"{entry_id}: torch {RECORDED['torch']} has no {eq.qualified}"


# --- optax ----------------------------------------------------------------------------------------------------


@pytest.fixture
def x64():
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


class OptaxCase(NamedTuple):
    schedule_id: str
    name: str  # the optax function the entry's Equivalent names
    params: dict[str, Any]  # ours
    make: Callable[[float, int], Callable]  # (η0, T) -> the optax schedule, arguments as the Equivalent maps them


def _sgdr(peaks: list[float], lengths: list[int], end: float = 0.0) -> Callable:
    cycles = [
        {"init_value": peak, "peak_value": peak, "decay_steps": length, "warmup_steps": 0, "end_value": end}
        for peak, length in zip(peaks, lengths, strict=True)
    ]
    return optax.sgdr_schedule(cycles)


def _onecycle_pcts(p: float, n: int) -> tuple[float, float]:
    """optax's pct_start and pct_final for torch's phase ends p·T − 1 and 2p·T − 2 over T − 1 steps."""
    start, final = (p * n - 1) / (n - 1), (2 * p * n - 2) / (n - 1)
    assert int(start * (n - 1)) == p * n - 1 and int(final * (n - 1)) == 2 * p * n - 2  # whole steps here
    return start, final


OPTAX_CASES = [
    OptaxCase("constant_lr", "constant_schedule", {}, lambda lr, n: optax.constant_schedule(lr)),
    OptaxCase("step_lr", "exponential_decay", {}, lambda lr, n: optax.exponential_decay(lr, 5, 0.95, staircase=True)),
    OptaxCase(
        "multistep_lr",
        "piecewise_constant_schedule",
        {},
        lambda lr, n: optax.piecewise_constant_schedule(lr, {100: 0.1, 300: 0.1, 400: 0.1}),
    ),
    OptaxCase(  # a milestone listed twice: its scale squared
        "multistep_lr",
        "piecewise_constant_schedule",
        {"milestones": (50, 50, 120), "gamma": 0.5},
        lambda lr, n: optax.piecewise_constant_schedule(lr, {50: 0.25, 120: 0.5}),
    ),
    OptaxCase("linear_lr", "linear_schedule", {}, lambda lr, n: optax.linear_schedule(lr, 1e-4, 400)),
    OptaxCase(
        "piecewise_interpolate",
        "piecewise_interpolate_schedule",
        {},
        lambda lr, n: optax.piecewise_interpolate_schedule("linear", 0.1 * lr, {50: 10.0, 450: 0.01}),
    ),
    OptaxCase(
        "piecewise_interpolate",
        "piecewise_interpolate_schedule",
        {"boundaries": (30, 200, 320), "values": (1.0, 0.5, 2.0, 0.1), "interpolate_type": "cosine"},
        lambda lr, n: optax.piecewise_interpolate_schedule("cosine", lr, {30: 0.5, 200: 4.0, 320: 0.05}),
    ),
    OptaxCase("expoloffe_lr", "exponential_decay", {}, lambda lr, n: optax.exponential_decay(lr, 1, math.exp(-0.009))),
    OptaxCase("cosine_lr", "cosine_decay_schedule", {}, lambda lr, n: optax.cosine_decay_schedule(lr, n, 1e-7 / lr)),
    OptaxCase("sgdres_lr", "sgdr_schedule", {}, lambda lr, n: _sgdr([lr] * 5, [100] * 5)),
    OptaxCase(
        "sgdres_lr",
        "sgdr_schedule",
        {"period": 40, "t_mult": 3, "eta_min": 1e-4},
        lambda lr, n: _sgdr([lr] * 4, [40, 120, 360, 1080], end=1e-4),
    ),
    OptaxCase("sgdrnes_lr", "sgdr_schedule", {}, lambda lr, n: _sgdr([lr] * 4, [50, 100, 200, 400])),
    OptaxCase("sgdrd_lr", "sgdr_schedule", {}, lambda lr, n: _sgdr([lr * 0.8**i for i in range(5)], [100] * 5)),
    OptaxCase(
        "lwarmmultistep_lr",
        "join_schedules",
        {},
        lambda lr, n: optax.join_schedules(
            [optax.linear_schedule(0.5 * lr, lr, 150), optax.piecewise_constant_schedule(lr, {150: 0.1, 250: 0.1})],
            [150],
        ),
    ),
    OptaxCase(
        "lwarmslanted_tr_lr",
        "piecewise_interpolate_schedule",
        {},
        lambda lr, n: optax.piecewise_interpolate_schedule("linear", lr / 10, {50: 10.0, n: 0.1}),
    ),
    OptaxCase(
        "lwarmlong_trap_lr",
        "join_schedules",
        {},
        lambda lr, n: optax.join_schedules(
            [optax.linear_schedule(0.0, lr, 100), optax.linear_schedule(lr, 0.0, 400)], [100]
        ),
    ),
    OptaxCase(
        "lwarmlong_trap_lr",  # a flat top: u < d
        "join_schedules",
        {"warmup_steps": 60, "decay_start": 300},
        lambda lr, n: optax.join_schedules(
            [optax.linear_schedule(0.0, lr, 60), optax.linear_schedule(lr, 0.0, 200)], [300]
        ),
    ),
    OptaxCase(
        "lwarm1cycle_lr",
        "linear_onecycle_schedule",
        {},
        lambda lr, n: optax.linear_onecycle_schedule(n, lr, 0.45, 0.9, 10.0, 10.0),
    ),
    OptaxCase(
        "lwarm1cycle_lr",
        "piecewise_interpolate_schedule",
        {},
        lambda lr, n: optax.piecewise_interpolate_schedule("linear", lr / 10, {225: 10.0, 450: 0.1, n: 0.1}),
    ),
    OptaxCase(
        "lwarmcosine_lr",
        "warmup_cosine_decay_schedule",
        {},
        lambda lr, n: optax.warmup_cosine_decay_schedule(lr / 3, lr, 100, n, end_value=1e-7),
    ),
    OptaxCase(
        "lwarmpoly_lr",
        "join_schedules",
        {},
        lambda lr, n: optax.join_schedules(
            [optax.linear_schedule(lr / 4, lr, 100), optax.polynomial_schedule(lr, 1e-7, 0.7, 400)], [100]
        ),
    ),
    OptaxCase(
        "linearfactor_lr", "warmup_constant_schedule", {}, lambda lr, n: optax.warmup_constant_schedule(lr / 3, lr, 50)
    ),
    OptaxCase(
        "linearfactor_lr",
        "linear_schedule",
        {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 300},
        lambda lr, n: optax.linear_schedule(lr, 0.1 * lr, 300),
    ),
    OptaxCase(
        "constantfactor_lr",
        "piecewise_constant_schedule",
        {},
        lambda lr, n: optax.piecewise_constant_schedule(lr / 3, {50: 3.0}),
    ),
    OptaxCase(
        "lwarmexp_lr",
        "warmup_exponential_decay_schedule",
        {},
        lambda lr, n: optax.warmup_exponential_decay_schedule(0.1 * lr, lr, 50, 100, 0.5),
    ),
    OptaxCase(
        "lwarmexp_lr",
        "warmup_exponential_decay_schedule",
        {"staircase": True, "decay_steps": 30, "decay_rate": 0.8},
        lambda lr, n: optax.warmup_exponential_decay_schedule(0.1 * lr, lr, 50, 30, 0.8, staircase=True),
    ),
    OptaxCase(
        "onecycle_lr",
        "cosine_onecycle_schedule",
        {},
        lambda lr, n: optax.cosine_onecycle_schedule(n - 1, lr, _onecycle_pcts(0.3, n)[0], 25.0, 1e4),
    ),
    OptaxCase(
        "onecycle_lr",
        "linear_onecycle_schedule",
        {"anneal": "linear", "three_phase": True, "pct_start": 0.25, "div_factor": 10.0},
        lambda lr, n: optax.linear_onecycle_schedule(n - 1, lr, *_onecycle_pcts(0.25, n), 10.0, 1e4),
    ),
    OptaxCase(
        "piecewise_constant",
        "piecewise_constant_schedule",
        {},
        lambda lr, n: optax.piecewise_constant_schedule(lr, {101: 0.5, 301: 0.2}),
    ),
    OptaxCase(
        "exponential_decay",
        "exponential_decay",
        {"staircase": True, "decay_steps": 30, "decay_rate": 0.7},
        lambda lr, n: optax.exponential_decay(lr, 30, 0.7, staircase=True),
    ),
    OptaxCase(
        "natural_exp_decay", "exponential_decay", {}, lambda lr, n: optax.exponential_decay(lr, 100, math.exp(-0.5))
    ),
    OptaxCase(
        "polynomial_decay",
        "polynomial_schedule",
        {"decay_steps": 200, "power": 2.0, "end_lr": 1e-3},
        lambda lr, n: optax.polynomial_schedule(lr, 1e-3, 2.0, 200),
    ),
    OptaxCase(
        "cosine_decay",
        "cosine_decay_schedule",
        {"decay_steps": 300, "alpha": 0.1},
        lambda lr, n: optax.cosine_decay_schedule(lr, 300, alpha=0.1),
    ),
    OptaxCase(
        "wsd_lr",
        "join_schedules",
        {"shape": "linear"},
        lambda lr, n: optax.join_schedules(
            [
                optax.linear_schedule(0.01 * lr, lr, 25),
                optax.constant_schedule(lr),
                optax.linear_schedule(lr, 0.0, 100),
            ],
            [25, 400],
        ),
    ),
    OptaxCase(
        "wsd_lr",
        "join_schedules",
        {"shape": "cosine", "final_factor": 0.1, "cooldown_fraction": 0.3},
        lambda lr, n: optax.join_schedules(
            [
                optax.linear_schedule(0.01 * lr, lr, 25),
                optax.constant_schedule(lr),
                optax.cosine_decay_schedule(lr, 150, alpha=0.1),
            ],
            [25, 350],
        ),
    ),
]


def test_every_optax_equivalent_has_a_case():
    claimed = {(entry_id, eq.name) for entry_id, eq in _equivalents(SCHEDULES, OPTAX)}
    cases = {(case.schedule_id, case.name) for case in OPTAX_CASES}
    assert claimed == cases
    # optax.contrib's plateau rule is a transformation, not a function of the step: its own test below
    assert _equivalents(SCHEDULES, OPTAX_CONTRIB) == [
        ("baseloss_lr", next(eq for eq in SCHEDULES["baseloss_lr"].equivalents if eq.module == OPTAX_CONTRIB))
    ]


def _optax_values(schedule: Callable, total: int) -> np.ndarray:
    values = np.asarray(jax.vmap(lambda count: jnp.asarray(schedule(count), jnp.float64))(jnp.arange(total)))
    return np.broadcast_to(values, (total,))


@pytest.mark.parametrize("case", OPTAX_CASES, ids=lambda c: f"{c.schedule_id}-{c.name}-{c.params}")
@pytest.mark.parametrize("lr", [1e-3, 0.05])
def test_matches_optax(x64, case, lr):
    ours = table(case.schedule_id, case.params, lr, T)
    np.testing.assert_allclose(ours, _optax_values(case.make(lr, T), T), rtol=1e-12, atol=1e-300)


def test_optax_reduce_on_plateau_is_ours_one_update_earlier(x64):
    """optax's factor for update k has seen the loss of update k; ours (torch's) only those before it."""
    losses = np.asarray(_recorder()._losses(300))
    lr, settings = 0.02, {"factor": 0.5, "patience": 6, "threshold": 1e-3, "cooldown": 3, "min_lr": 1e-3}
    ours = plateau_reference(losses, lr, **settings)
    transform = optax.contrib.reduce_on_plateau(
        factor=0.5, patience=7, rtol=1e-3, cooldown=3, min_scale=settings["min_lr"] / lr
    )
    state = transform.init(jnp.zeros(1))
    scales = []
    for loss in losses:
        _, state = transform.update(jnp.ones(1), state, value=jnp.asarray(loss))
        scales.append(float(state.scale))
    assert len(set(np.round(ours, 12))) >= 4  # the losses make it reduce several times, down to the floor
    np.testing.assert_allclose(lr * np.asarray(scales[:-1]), ours[1:], rtol=1e-12)


def test_every_optax_name_exists_in_optax():
    for registry in REGISTRIES.values():
        for entry_id, eq in _equivalents(registry):
            if eq.library == "optax":
                assert hasattr(importlib.import_module(eq.module), eq.name), f"{entry_id}: no {eq.qualified}"


# --- Keras: the formulas its documentation gives (keras.io/api/optimizers/learning_rate_schedules) -------------


def _keras_exponential(k, initial, decay_steps, decay_rate, staircase=False):
    p = k / decay_steps
    return initial * decay_rate ** (np.floor(p) if staircase else p)


def _keras_piecewise(k, boundaries, values):
    # values[0] for k <= b[0], values[1] for b[0] < k <= b[1], ..., values[-1] for k > b[-1]
    return np.asarray(values)[np.searchsorted(boundaries, k, side="left")]


def _keras_polynomial(k, initial, decay_steps, end, power=1.0, cycle=False):
    if cycle:
        decay_steps = decay_steps * np.where(k == 0, 1.0, np.ceil(k / decay_steps))
    else:
        k = np.minimum(k, decay_steps)
    return (initial - end) * (1 - k / decay_steps) ** power + end


def _keras_inverse_time(k, initial, decay_steps, decay_rate):
    return initial / (1 + decay_rate * k / decay_steps)


def _keras_cosine(k, initial, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    k = np.minimum(k, decay_steps + warmup_steps)
    if warmup_target is None:
        return initial * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * k / decay_steps)) + alpha)
    warm = initial + (warmup_target - initial) * k / warmup_steps
    after = k - warmup_steps
    decayed = warmup_target * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * after / decay_steps)) + alpha)
    return np.where(k < warmup_steps, warm, decayed)


def _keras_restarts(k, initial, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    fraction = k / first_decay_steps
    if t_mul == 1.0:
        restart = np.floor(fraction)
        fraction = fraction - restart
    else:
        restart = np.floor(np.log(1 - fraction * (1 - t_mul)) / np.log(t_mul))
        done = (1 - t_mul**restart) / (1 - t_mul)
        fraction = (fraction - done) / t_mul**restart
    cosine = 0.5 * m_mul**restart * (1 + np.cos(np.pi * fraction))
    return initial * ((1 - alpha) * cosine + alpha)


class KerasCase(NamedTuple):
    schedule_id: str
    name: str
    params: dict[str, Any]
    formula: Callable[[np.ndarray, float, int], np.ndarray]  # (k, η0, T) -> Keras's LR, arguments as mapped


KERAS_CASES = [
    KerasCase("step_lr", "ExponentialDecay", {}, lambda k, lr, n: _keras_exponential(k, lr, 5, 0.95, True)),
    KerasCase(
        "multistep_lr",
        "PiecewiseConstantDecay",
        {},
        lambda k, lr, n: _keras_piecewise(k, [99, 299, 399], [lr, lr * 0.1, lr * 0.01, lr * 0.001]),
    ),
    KerasCase("linear_lr", "PolynomialDecay", {}, lambda k, lr, n: _keras_polynomial(k, lr, 400, 1e-4)),
    KerasCase("expoloffe_lr", "ExponentialDecay", {}, lambda k, lr, n: _keras_exponential(k, lr, 1, math.exp(-0.009))),
    KerasCase("inversetime_lr", "InverseTimeDecay", {}, lambda k, lr, n: _keras_inverse_time(k, lr, 1, 2.0 * lr)),
    KerasCase("cosine_lr", "CosineDecay", {}, lambda k, lr, n: _keras_cosine(k, lr, n, alpha=1e-7 / lr)),
    KerasCase("sgdres_lr", "CosineDecayRestarts", {}, lambda k, lr, n: _keras_restarts(k, lr, 100, t_mul=1.0)),
    KerasCase(
        "sgdres_lr",
        "CosineDecayRestarts",
        {"t_mult": 3, "period": 40, "eta_min": 1e-4},
        lambda k, lr, n: _keras_restarts(k, lr, 40, t_mul=3.0, alpha=1e-4 / lr),
    ),
    KerasCase("sgdrnes_lr", "CosineDecayRestarts", {}, lambda k, lr, n: _keras_restarts(k, lr, 50, t_mul=2.0)),
    KerasCase(
        "sgdrd_lr", "CosineDecayRestarts", {}, lambda k, lr, n: _keras_restarts(k, lr, 100, t_mul=1.0, m_mul=0.8)
    ),
    KerasCase(
        "lwarmcosine_lr",
        "CosineDecay",
        {},
        lambda k, lr, n: _keras_cosine(k, lr / 3, n - 100, alpha=1e-7 / lr, warmup_target=lr, warmup_steps=100),
    ),
    KerasCase(
        "linearfactor_lr", "PolynomialDecay", {}, lambda k, lr, n: _keras_polynomial(k, lr / 3, 50, lr, power=1.0)
    ),
    KerasCase(
        "constantfactor_lr", "PiecewiseConstantDecay", {}, lambda k, lr, n: _keras_piecewise(k, [49], [lr / 3, lr])
    ),
    KerasCase(
        "piecewise_constant",
        "PiecewiseConstantDecay",
        {},
        lambda k, lr, n: _keras_piecewise(k, [100, 300], [lr, 0.5 * lr, 0.1 * lr]),
    ),
    KerasCase(
        "exponential_decay",
        "ExponentialDecay",
        {"staircase": True},
        lambda k, lr, n: _keras_exponential(k, lr, 100, 0.5, True),
    ),
    KerasCase(
        "natural_exp_decay", "ExponentialDecay", {}, lambda k, lr, n: _keras_exponential(k, lr, 100, math.exp(-0.5))
    ),
    KerasCase(
        "polynomial_decay",
        "PolynomialDecay",
        {"decay_steps": 120, "power": 2.0, "cycle": True},
        lambda k, lr, n: _keras_polynomial(k, lr, 120, 1e-4, power=2.0, cycle=True),
    ),
    KerasCase(
        "cosine_decay",
        "CosineDecay",
        {"decay_steps": 300, "alpha": 0.1},
        lambda k, lr, n: _keras_cosine(k, lr, 300, alpha=0.1),
    ),
]


def test_every_keras_equivalent_has_a_case():
    claimed = {(entry_id, eq.name) for entry_id, eq in _equivalents(SCHEDULES, KERAS)}
    assert claimed == {(case.schedule_id, case.name) for case in KERAS_CASES}


@pytest.mark.parametrize("case", KERAS_CASES, ids=lambda c: f"{c.schedule_id}-{c.name}-{c.params}")
@pytest.mark.parametrize("lr", [1e-3, 0.05])
def test_matches_keras_documented_formula(case, lr):
    k = np.arange(T, dtype=np.float64)
    expected = np.broadcast_to(case.formula(k, lr, T), (T,))
    np.testing.assert_allclose(table(case.schedule_id, case.params, lr, T), expected, rtol=1e-12, atol=1e-300)


# The names of the libraries not installed here, from their documentation.
DOCUMENTED = {
    KERAS: {
        "CosineDecay",
        "CosineDecayRestarts",
        "ExponentialDecay",
        "InverseTimeDecay",
        "PiecewiseConstantDecay",
        "PolynomialDecay",
    },
    "keras.optimizers": {
        "SGD",
        "RMSprop",
        "Adam",
        "AdamW",
        "Adadelta",
        "Adagrad",
        "Adamax",
        "Adafactor",
        "Nadam",
        "Ftrl",
        "Lion",
        "Lamb",
    },
    "torch_optimizer": {
        "AccSGD",
        "AdaBelief",
        "AdaBound",
        "AdaMod",
        "Adafactor",
        "Adahessian",
        "AdamP",
        "AggMo",
        "Apollo",
        "DiffGrad",
        "Lamb",
        "Lookahead",
        "MADGRAD",
        "NovoGrad",
        "PID",
        "QHAdam",
        "QHM",
        "RAdam",
        "Ranger",
        "RangerQH",
        "RangerVA",
        "SGDP",
        "SGDW",
        "SWATS",
        "Shampoo",
        "Yogi",
    },
}


def test_every_other_name_is_documented():
    # the optimizers' authors' packages: the names scripts/record_reference_optimizers.py found in them
    packages = json.loads((ROOT / "tests" / "data" / "reference_optimizers.json").read_text(encoding="utf-8"))
    recorded = {module: set(found["names"]) for module, found in packages["libraries"].items()}
    for registry in REGISTRIES.values():
        for entry_id, eq in _equivalents(registry):
            if eq.library not in ("torch", "optax"):
                names = DOCUMENTED[eq.module] if eq.module in DOCUMENTED else recorded[eq.module]
                assert eq.name in names, f"{entry_id}: {eq.qualified} is not in its documentation"


# --- Names: unambiguous, and accepted where a person types or picks one --------------------------------------


@pytest.mark.parametrize("kind", REGISTRIES)
def test_each_spelling_picks_one_entry_and_never_another_entry_s_id(kind):
    registry = REGISTRIES[kind]
    picks: dict[str, set[str]] = {}
    for entry_id, eq in _equivalents(registry):
        if eq.alias:
            for spelling in eq.names():
                picks.setdefault(spelling.casefold(), set()).add(entry_id)
    ambiguous = {spelling: ids for spelling, ids in picks.items() if len(ids) > 1}
    assert not ambiguous, f"these names pick several entries: {ambiguous}"
    for entry_id in registry:
        assert picks.get(entry_id.casefold(), {entry_id}) == {entry_id}, f"a name shadows the id {entry_id}"


@pytest.mark.parametrize(
    ("kind", "entry_id", "eq"), [(k, i, e) for k, r in REGISTRIES.items() for i, e in _equivalents(r)]
)
def test_every_name_gives_a_valid_scene(kind, entry_id, eq):
    """The name with its select (or alone, for the alias) resolves, and the library's defaults pass the Scene."""
    try:
        resolved = resolve_name(REGISTRIES[kind], eq.qualified, dict(eq.select), kind=kind)
    except ValueError as error:  # a composition several entries are: it lists them, this one included
        assert not eq.alias and entry_id in str(error), error
        return
    if eq.alias or eq.select:
        assert resolved.id == entry_id
    spec = {"id": resolved.id, "params": resolved.params}
    if kind == "schedule":
        Scene.build({"schedules": [spec]})
    else:
        wraps = REGISTRIES[kind][resolved.id].wraps
        Scene.build({"optimizers": [{**spec, "inner": {"id": "sgd"}} if wraps else spec]})


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        ("CosineAnnealingWarmRestarts", {"T_0": 50, "T_mult": 2}, ("sgdres_lr", {"period": 50, "t_mult": 2}, None)),
        ("torch.optim.lr_scheduler.OneCycleLR", {"max_lr": 0.1}, ("onecycle_lr", {}, 0.1)),
        ("OneCycleLR", {"anneal_strategy": "linear"}, ("onecycle_lr", {"anneal": "linear"}, None)),
        (
            "optax.warmup_cosine_decay_schedule",
            {"warmup_steps": 20},
            ("lwarmcosine_lr", {"warmup_steps": 20, "eta_min": 0.0}, None),
        ),
        ("optax.linear_onecycle_schedule", {}, ("onecycle_lr", {"anneal": "linear", "three_phase": True}, None)),
        ("StepLR", {"step_size": 30}, ("step_lr", {"step_size": 30, "gamma": 0.1}, None)),  # torch's default γ
        ("stepLR", {}, ("step_lr", {"gamma": 0.1}, None)),  # any case
        ("CyclicLR", {"base_lr": 1e-3}, ("triangular_lr", {"min_lr": 1e-3}, None)),
        ("CyclicLR", {"mode": "triangular2"}, ("triangular2_lr", {}, None)),
        (
            "lr_scheduler.ExponentialLR",
            {"gamma": 0.99},
            ("exponential_decay", {"decay_rate": 0.99, "decay_steps": 1}, None),
        ),
        ("keras.optimizers.schedules.CosineDecay", {"alpha": 0.1}, ("cosine_decay", {"alpha": 0.1}, None)),
        ("tf.keras.optimizers.schedules.PolynomialDecay", {}, ("polynomial_decay", {}, None)),
        (
            "ReduceLROnPlateau",
            {"mode": "min", "patience": 5},
            ("baseloss_lr", {"patience": 5, "factor": 0.1, "cooldown": 0, "min_lr": 0.0}, None),
        ),
        ("CosineAnnealingLR", {"half_period": 40}, ("cosineclr_lr", {"half_period": 40}, None)),
        ("step_lr", {"gamma": 0.5}, ("step_lr", {"gamma": 0.5}, None)),  # an id is itself
    ],
)
def test_schedule_names_resolve(text, given, expected):
    resolved = resolve_name(SCHEDULES, text, given, kind="schedule")
    assert (resolved.id, resolved.params, resolved.lr) == expected


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        ("torch.optim.SGD", {}, ("sgd", {})),
        ("SGD", {"momentum": 0.8}, ("momentum", {"momentum": 0.8})),
        ("SGD", {"momentum": 0.8, "nesterov": True}, ("nesterov", {"momentum": 0.8})),
        ("optax.sgd", {"momentum": 0.8, "nesterov": True}, ("nesterov", {"momentum": 0.8})),
        ("Adam", {"eps": 1e-6}, ("adam", {"eps": 1e-6})),
        ("torch.optim.RMSprop", {"alpha": 0.9}, ("rmsprop", {"rho": 0.9})),
        ("optax.rmsprop", {"decay": 0.9}, ("rmsprop", {"rho": 0.9})),
        ("Adagrad", {}, ("adagrad", {"initial_accumulator": 0.0})),  # torch's accumulator starts at 0
        ("torch_optimizer.Yogi", {}, ("yogi", {})),
        ("optax.lookahead", {"sync_period": 6}, ("lookahead", {"k": 6, "first_step_sync": False})),
    ],
)
def test_optimizer_names_resolve(text, given, expected):
    resolved = resolve_name(optimizers.OPTIMIZERS, text, given, kind="optimizer")
    assert (resolved.id, resolved.params) == expected


@pytest.mark.parametrize(
    ("kind", "text", "given", "message"),
    [
        ("schedule", "CosineAnealingLR", {}, "did you mean CosineAnnealingLR (cosine_lr)"),
        ("schedule", "onecycle", {}, "did you mean OneCycleLR (onecycle_lr), onecycle_lr?"),
        ("schedule", "qwertyuiop", {}, "unknown schedule 'qwertyuiop' (`python cli.py list schedules --verbose`"),
        ("schedule", "SequentialLR", {}, "several schedules are a SequentialLR; give one's id: lwarmcosine_lr"),
        ("schedule", "CyclicLR", {"mode": "sine"}, "the choices: mode='triangular' (triangular_lr)"),
        ("schedule", "OneCycleLR", {"total_steps": 100}, "total_steps has no counterpart"),
        ("schedule", "optax.contrib.reduce_on_plateau", {"patience": 3}, "patience = p + 1"),  # not carried as is
        ("optimizer", "torch.optim.Adam", {"betas": [0.9, 0.99]}, "give adam's own parameters (b1, b2, eps)"),
        ("optimizer", "Adamm", {}, "did you mean adam"),
    ],
)
def test_bad_names_say_what_to_type(kind, text, given, message):
    with pytest.raises(ValueError) as error:
        resolve_name(REGISTRIES[kind], text, given, kind=kind)
    assert message in str(error.value)


def test_the_command_line_takes_library_names(capsys):
    args = [
        "scene",
        "--schedule",
        "CosineAnnealingWarmRestarts:T_0=50,T_mult=2",
        "--schedule",
        "OneCycleLR:max_lr=0.05,anneal_strategy=linear",
        "--schedule",
        "optax.warmup_cosine_decay_schedule",
        "--optimizer",
        "torch.optim.SGD:momentum=0.9",
        "--optimizer",
        "lookahead:inner=torch_optimizer.Yogi,k=4",
    ]
    assert cli.main(args) == 0
    scene = Scene.from_json(capsys.readouterr().out)
    assert [(s.id, s.params, s.lr) for s in scene.schedules] == [
        ("sgdres_lr", {"period": 50, "t_mult": 2}, None),
        ("onecycle_lr", {"anneal": "linear"}, 0.05),
        ("lwarmcosine_lr", {"eta_min": 0.0}, None),
    ]
    assert [(o.id, o.params) for o in scene.optimizers] == [("momentum", {}), ("lookahead", {"k": 4})]
    assert scene.optimizers[1].inner.id == "yogi"


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--schedule", "CosineAnealingLR"], "--schedule: unknown schedule 'CosineAnealingLR'; did you mean"),
        (["--schedule", "OneCycleLR:max_lr=0.1,lr=0.2"], "max_lr= and lr= both give the base LR"),
        (["--optimizer", "torch.optim.Adam:betas=0.9/0.99"], "--optimizer: torch.optim.Adam is our adam"),
    ],
)
def test_the_command_line_refuses_bad_names_in_one_line(args, hint, capsys):
    assert cli.main(["scene", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and hint in err, err


def test_list_verbose_shows_each_equivalent_after_the_usual_line(capsys):
    assert cli.main(["list", "schedules", "--verbose"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if not line.startswith(" ")]
    assert [row.split("\t")[0] for row in rows] == list(SCHEDULES)  # the default listing's rows, in order
    start = lines.index(next(row for row in rows if row.startswith("sgdres_lr\t")))
    block = lines[start + 1 : start + 5]
    assert block[0] == "    symbols: P = period, m = t_mult, η_min = eta_min, η0 = the base LR, T = the run length"
    assert block[1] == "    torch.optim.lr_scheduler.CosineAnnealingWarmRestarts: T_0 = P, T_mult = m, eta_min = η_min"
    assert block[3].endswith("(the name alone: sgdrnes_lr)")
    assert cli.main(["list", "optimizers", "-v"]) == 0
    out = capsys.readouterr().out
    assert "    torch.optim.SGD: lr = η, momentum = μ, nesterov = True (picked by nesterov=True)" in out


def test_the_pickers_find_an_entry_by_any_of_its_names():
    for registry, families in ((SCHEDULES, schedules.FAMILIES), (optimizers.OPTIMIZERS, optimizers.FAMILIES)):
        _, labels = grouped_choices(registry, families)
        own = {eq.qualified for _, eq in _equivalents(registry) if eq.alias}  # compositions name no entry
        for entry_id, entry in registry.items():
            for eq in entry.equivalents:
                if eq.qualified in own:  # in any case: "AdaGrad" finds torch's Adagrad
                    assert eq.name.casefold() in labels[entry_id].casefold(), f"{entry_id}'s label lacks {eq.name}"
            assert labels[entry_id].startswith(f"{families[entry.family]} · {entry.name}")
            assert len(labels[entry_id]) <= 110, f"{entry_id}'s label is too long to read: {labels[entry_id]}"
    _, labels = grouped_choices(SCHEDULES, schedules.FAMILIES)
    assert (
        labels["sgdres_lr"]
        == "Cyclical · SGDR (equal periods) — CosineAnnealingWarmRestarts, sgdr_schedule, CosineDecayRestarts"
    )
    assert labels["rex_lr"] == "Budget-aware · REX"  # no equivalent, no suffix
    _, labels = grouped_choices(optimizers.OPTIMIZERS, optimizers.FAMILIES)
    assert labels["sgd"] == "SGD and momentum · SGD"  # torch's SGD, optax's sgd, Keras's SGD: the name already
    assert labels["adagrad"] == "Adaptive step · AdaGrad"
    assert labels["yogi"] == "Adam family · Yogi"
    _, labels = grouped_choices(SCHEDULES, schedules.FAMILIES)
    assert labels["wsd_lr"] == "Budget-aware · Warm-up-stable-decay (WSD)"  # SequentialLR builds it, does not name it
    assert "SequentialLR" not in labels["lwarmcosine_lr"] and "CosineDecay" in labels["lwarmcosine_lr"]
