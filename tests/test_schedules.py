"""Schedules: registry contract, closed forms, the reference's quirks, optax, warm-up and plateau.

Each schedule is checked three ways under its defaults for T = 500: hand-computed values at
its boundary steps, an independent whole-run expression written differently from the
implementation (or a step-by-step replay of the reference's stateful semantics), and, where
optax has the same schedule, optax itself in float64.
"""

from __future__ import annotations

import inspect
import math
import re

import hypothesis
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import schedules
from common.params import ParamError, StepsListParam, StepsParam, resolve_params
from schedules import SCHEDULES, WARMUP_PARAMS, Schedule, Warmup, plateau_reference, table

T = 500  # the reference's run length
LR = 0.01

# Every id of CATALOG.md's "Schedules" section: the registry offers each (and may offer more).
EXPECTED_IDS = (
    # survey Table 2
    "constant_lr",
    "step_lr",
    "multistep_lr",
    "linear_lr",
    "baseloss_lr",
    # Table 3
    "polychen_lr",
    "polybottou_lr",
    "expoloffe_lr",
    "exporaffel_lr",
    "inversetime_lr",
    "linearcosine_lr",
    "linearcosinenoise_lr",
    "cosine_lr",
    "cosinepower_lr",
    "htd_lr",
    # Table 4
    "triangular_lr",
    "triangular2_lr",
    "triangularexp_lr",
    "cosineclr_lr",
    "sgdres_lr",
    "sgdrnes_lr",
    "sgdrd_lr",
    "triangle_lr",
    "sine_lr",
    "sine2_lr",
    "sineexp_lr",
    "ssgdr_lr",
    "ssgdrd_lr",
    # Table 5
    "cwarmmultistep_lr",
    "lwarmmultistep_lr",
    "lwarminversesr_lr",
    "lwarmslanted_tr_lr",
    "lwarmlong_trap_lr",
    "lwarm1cycle_lr",
    "lwarmcosine_lr",
    "lwarmpoly_lr",
    # TensorFlow-style (seed 003)
    "piecewise_constant",
    "exponential_decay",
    "natural_exp_decay",
    "polynomial_decay",
    "cosine_decay",
    "linear_cosine_decay",
    "noisy_linear_cosine_decay",
    "lambda_lr",
    # seed 004
    "power_lr",
)

ALL_IDS = sorted(SCHEDULES)
# lambda_lr needs the formula language (common/formula.py), which may not exist yet.
NEEDS_FORMULA = {"lambda_lr"}
# Schedules that legitimately reach 0 under their defaults.
REACHES_ZERO = {
    "lwarmlong_trap_lr",  # LR 0 at step 0, as in the reference
    "noisy_linear_cosine_decay",  # its noise pushes TensorFlow's value below 0; clipped at 0
}


def _skip_without_formula(schedule_id: str) -> None:
    if schedule_id in NEEDS_FORMULA:
        pytest.importorskip("common.formula")


def _run(schedule_id: str, lr=LR, total_steps: int = T, params=None, warmup=None) -> np.ndarray:
    return table(schedule_id, params or {}, lr, total_steps, warmup)


# --- Registry contract --------------------------------------------------------------------------------------------


def test_every_catalog_id_is_present():
    missing = sorted(set(EXPECTED_IDS) - set(SCHEDULES))
    assert not missing, f"CATALOG.md's schedules {missing} are not in the registry"


def test_registry_is_a_plain_dict():
    assert type(SCHEDULES) is dict
    assert all(isinstance(entry, Schedule) for entry in SCHEDULES.values())


# The contract every schedule keeps (text from the docstring, specs matching the signature, balanced LaTeX) is
# checked in tests/test_registries.py; what follows is particular to schedules.


@pytest.mark.parametrize("schedule_id", ALL_IDS)
def test_entry_metadata(schedule_id):
    entry = SCHEDULES[schedule_id]
    assert re.search(r"(19|20)\d\d", entry.reference), f"{schedule_id}: the reference names no year"
    for name, spec in entry.params.items():
        assert len(spec.help) <= 100, f"{schedule_id}.{name}: help should be one short line"


@pytest.mark.parametrize("schedule_id", [key for key, entry in SCHEDULES.items() if entry.needs_loss])
def test_a_loss_based_schedule_takes_the_engines_plateau_settings(schedule_id):
    # the engine lowers the LR during the run by plateau_reference's rule, read from the entry's parameters
    rule = inspect.signature(plateau_reference).parameters
    settings = {name for name, p in rule.items() if name not in ("losses", "lr") and p.default is p.empty}
    assert set(SCHEDULES[schedule_id].params) == settings
    np.testing.assert_array_equal(_run(schedule_id), np.full(T, LR))  # its table: η0, until the run lowers it


def test_params_are_read_only():
    with pytest.raises(TypeError):
        SCHEDULES["step_lr"].params["gamma"] = None  # type: ignore[index]


def test_schedule_rejects_unknown_family_and_reserved_names():
    constant_lr = schedules.piecewise.constant_lr
    with pytest.raises(ValueError, match="family"):
        Schedule(id="x", name="x", family="magic", params={}, description="x", fn=constant_lr)
    with pytest.raises(ValueError, match="lr"):
        Schedule(id="x", name="x", family="smooth", params={"lr": StepsParam(0.1)}, description="x", fn=constant_lr)


# --- Step-count parameters: reference values at T = 500, scaling with T ------------------------------------------

# (schedule, parameter) -> the reference's value for T = 500 (lr_schedulers/config.py, or the catalog).
REFERENCE_STEPS = {
    ("step_lr", "step_size"): 5,
    ("multistep_lr", "milestones"): (100, 300, 400),
    ("linear_lr", "decay_steps"): 400,
    ("baseloss_lr", "patience"): 10,
    ("baseloss_lr", "cooldown"): 4,
    ("exporaffel_lr", "flat_steps"): 50,
    ("triangular_lr", "half_cycle"): 50,
    ("triangular2_lr", "half_cycle"): 50,
    ("triangularexp_lr", "half_cycle"): 50,
    ("cosineclr_lr", "half_period"): 50,
    ("sgdres_lr", "period"): 100,
    ("sgdrnes_lr", "period"): 50,
    ("sgdrd_lr", "period"): 100,
    ("triangle_lr", "milestones"): (100, 200, 400),
    ("triangle_lr", "cycle_len"): 20,
    ("sine_lr", "step_size"): 20,
    ("sine2_lr", "step_size"): 20,
    ("sineexp_lr", "step_size"): 20,
    ("ssgdr_lr", "period"): 100,
    ("ssgdrd_lr", "period"): 100,
    ("cwarmmultistep_lr", "warmup_steps"): 30,
    ("cwarmmultistep_lr", "milestones"): (100, 250, 450),
    ("lwarmmultistep_lr", "warmup_steps"): 150,
    ("lwarmmultistep_lr", "milestones"): (150, 300, 400),
    ("lwarminversesr_lr", "warmup_steps"): 50,
    ("lwarmslanted_tr_lr", "cut"): 50,
    ("lwarmlong_trap_lr", "warmup_steps"): 100,
    ("lwarmlong_trap_lr", "decay_start"): 100,
    ("lwarm1cycle_lr", "step_len"): 225,
    ("lwarmcosine_lr", "warmup_steps"): 100,
    ("lwarmpoly_lr", "warmup_steps"): 100,
    ("piecewise_constant", "boundaries"): (100, 300),
    ("exponential_decay", "decay_steps"): 100,
    ("natural_exp_decay", "decay_steps"): 100,
    ("polynomial_decay", "decay_steps"): 500,
    ("cosine_decay", "decay_steps"): 500,
    ("linear_cosine_decay", "decay_steps"): 500,
    ("noisy_linear_cosine_decay", "decay_steps"): 500,
    ("power_lr", "horizon"): 500,
    # Added with torch's and optax's schedules and the budget-aware ones: their own defaults at T = 500.
    ("linearfactor_lr", "total_iters"): 50,
    ("constantfactor_lr", "total_iters"): 50,
    ("lwarmexp_lr", "warmup_steps"): 50,
    ("lwarmexp_lr", "decay_steps"): 100,
    ("piecewise_interpolate", "boundaries"): (50, 450),
    ("wsd_lr", "warmup_steps"): 25,
}

STEP_PARAMS = sorted(
    (schedule_id, name)
    for schedule_id, entry in SCHEDULES.items()
    for name, spec in entry.params.items()
    if isinstance(spec, (StepsParam, StepsListParam))
)


def test_every_step_count_is_a_steps_param_with_a_reference_value():
    assert sorted(REFERENCE_STEPS) == STEP_PARAMS


@pytest.mark.parametrize(("schedule_id", "name"), STEP_PARAMS)
def test_step_counts_give_the_reference_value_at_500_and_scale_with_t(schedule_id, name):
    spec = SCHEDULES[schedule_id].params[name]
    expected = REFERENCE_STEPS[(schedule_id, name)]
    assert spec.resolve(None, T) == expected
    doubled = tuple(2 * v for v in expected) if isinstance(expected, tuple) else 2 * expected
    assert spec.resolve(None, 2 * T) == doubled
    chosen = 7 if isinstance(spec, StepsParam) else (7, 70)
    assert spec.resolve(chosen, 2 * T) == chosen  # a value the user set stays in steps


def test_step_lr_period_scales_with_t_unless_set():
    values = _run("step_lr", total_steps=1000)
    assert values[9] == LR and values[10] == pytest.approx(0.95 * LR, rel=1e-15)  # step size 10 at T = 1000
    values = _run("step_lr", total_steps=1000, params={"step_size": 5})
    assert values[4] == LR and values[5] == pytest.approx(0.95 * LR, rel=1e-15)


def test_milestones_and_cosine_period_scale_with_t():
    values = _run("multistep_lr", total_steps=1000)
    assert values[199] == LR and values[200] == pytest.approx(0.1 * LR)
    assert values[599] == pytest.approx(0.1 * LR) and values[600] == pytest.approx(0.01 * LR)
    values = _run("cosineclr_lr", total_steps=1000)
    assert np.argmin(values[:150]) == 100  # half period 100 at T = 1000
    values = _run("multistep_lr", total_steps=1000, params={"milestones": (100, 300, 400)})
    assert values[99] == LR and values[100] == pytest.approx(0.1 * LR)


# --- Hand-computed values at the boundary steps (T = 500, η0 = 0.01) -------------------------------------------------

cos, sin, exp, sqrt, pi = math.cos, math.sin, math.exp, math.sqrt, math.pi

BOUNDARIES = {
    "constant_lr": [(0, 0.01), (1, 0.01), (499, 0.01)],
    "step_lr": [(0, 0.01), (4, 0.01), (5, 0.0095), (9, 0.0095), (10, 0.01 * 0.95**2), (499, 0.01 * 0.95**99)],
    "multistep_lr": [(99, 0.01), (100, 1e-3), (101, 1e-3), (299, 1e-3), (300, 1e-4), (399, 1e-4), (400, 1e-5)],
    "linear_lr": [(0, 0.01), (1, 0.01 - 0.0099 / 400), (399, 1e-4 + 0.0099 / 400), (400, 1e-4), (499, 1e-4)],
    "baseloss_lr": [(0, 0.01), (499, 0.01)],
    "polychen_lr": [(0, 0.01), (1, 0.01 * 0.998**0.9 + 1e-8), (499, 0.01 * 0.002**0.9 + 1e-8)],
    "polybottou_lr": [(0, 0.01), (1, 0.01 / 1.05**2), (20, 0.01 / 4)],  # 5·η0·20 = 1
    "expoloffe_lr": [(0, 0.01), (100, 0.01 * exp(-0.9)), (499, 0.01 * exp(-0.009 * 499))],
    "exporaffel_lr": [(0, 0.01), (49, 0.01), (50, 0.01), (51, 0.01 * exp(1 / sqrt(51) - 1 / sqrt(50)))],
    "inversetime_lr": [(0, 0.01), (50, 0.005), (499, 0.01 / 10.98)],
    "linearcosine_lr": [
        (0, 0.01),
        (1, 0.01 * 0.998 * (1 + cos(pi / 500))),
        (250, 0.005),
        (499, 0.01 * 0.002 * (1 + cos(0.998 * pi))),
    ],
    "linearcosinenoise_lr": [(0, 0.01)],
    "cosine_lr": [(0, 0.01), (250, 1e-7 + (0.01 - 1e-7) / 2), (499, 1e-7 + (0.01 - 1e-7) * (1 + cos(0.998 * pi)) / 2)],
    "cosinepower_lr": [
        (0, 0.01),
        (250, 1e-7 + (0.01 - 1e-7) * (20**1.5 - 20) / 380),
        (499, 1e-7 + (0.01 - 1e-7) * (20 ** (1 + (1 + cos(0.998 * pi)) / 2) - 20) / 380),
    ],
    "htd_lr": [
        (0, 0.01 * (1 - math.tanh(-6)) / 2),
        (250, 0.01 * (1 - math.tanh(-1.5)) / 2),
        (499, 0.01 * (1 - math.tanh(-6 + 9 * 0.998)) / 2),
    ],
    "triangular_lr": [(0, 1e-4), (25, 1e-4 + 0.0999 / 2), (50, 0.1), (99, 1e-4 + 0.0999 / 50), (100, 1e-4), (150, 0.1)],
    "triangular2_lr": [(0, 1e-4), (50, 0.1), (100, 1e-4), (150, 1e-4 + 0.0999 / 2), (250, 1e-4 + 0.0999 / 4)],
    "triangularexp_lr": [(0, 1e-4), (50, 1e-4 + 0.0999 * 0.995**50), (100, 1e-4)],
    "cosineclr_lr": [(0, 0.01), (25, 1e-7 + (0.01 - 1e-7) / 2), (50, 1e-7), (100, 0.01), (150, 1e-7), (200, 0.01)],
    "sgdres_lr": [
        (0, 0.01),
        (50, 0.005),
        (99, 0.005 * (1 + cos(0.99 * pi))),
        (100, 0.01),
        (200, 0.01),
        (499, 0.005 * (1 + cos(0.99 * pi))),
    ],
    "sgdrnes_lr": [
        (0, 0.01),
        (25, 0.005),
        (49, 0.005 * (1 + cos(0.98 * pi))),
        (50, 0.01),
        (100, 0.005),
        (149, 0.005 * (1 + cos(0.99 * pi))),
        (150, 0.01),
        (250, 0.005),
        (350, 0.01),
    ],
    "sgdrd_lr": [
        (0, 0.01),
        (50, 0.005),
        (100, 0.008),
        (150, 0.004),
        (200, 0.0064),
        (499, 0.005 * (1 + cos(0.99 * pi)) * 0.8**4),
    ],
    # The reference's saw-tooth: η0 twice, then teeth 20·m, 19·m, …, m; m halves at 100, 200, 400.
    "triangle_lr": [
        (0, 0.01),
        (1, 0.01),
        (2, 0.2),
        (3, 0.19),
        (21, 0.01),
        (22, 0.2),
        (99, 0.03),
        (100, 0.01),
        (101, 0.005),
        (102, 0.1),
        (199, 0.015),
        (200, 0.005),
        (201, 0.0025),
        (399, 0.0075),
        (400, 0.0025),
        (401, 0.00125),
        (499, 0.00375),  # m = η0/8, tooth position (499 − 2) mod 20 = 17 -> 3·m
    ],
    "sine_lr": [(0, 0.01), (1, 0.01 * sin(pi / 40) + 1e-6), (20, 0.01 + 1e-6), (40, 1e-6), (60, 0.01 + 1e-6)],
    "sine2_lr": [(0, 0.01), (20, 0.01 + 1e-6), (40, 1e-6), (60, 0.005 + 1e-6), (100, 0.0025 + 1e-6)],
    "sineexp_lr": [(0, 0.01), (20, 0.01 * 0.98**20 + 1e-6), (60, 0.01 * 0.98**60 + 1e-6)],
    "ssgdr_lr": [(0, 0.01), (49, 0.01), (50, 0.01), (75, 0.01 * cos(pi / 4)), (99, 0.01 * cos(0.49 * pi)), (100, 0.01)],
    "ssgdrd_lr": [
        (0, 0.01),
        (99, 0.01 * cos(0.49 * pi)),
        (100, 0.005),
        (150, 0.005),
        (200, 0.0025),
        (499, 0.01 / 16 * cos(0.49 * pi)),
    ],
    # Milestone 100 is never applied: 0.01·η0 to step 30, η0 to 249, then ×0.1 at 250 and 450.
    "cwarmmultistep_lr": [
        (0, 1e-4),
        (30, 1e-4),
        (31, 0.01),
        (99, 0.01),
        (100, 0.01),
        (101, 0.01),
        (249, 0.01),
        (250, 1e-3),
        (449, 1e-3),
        (450, 1e-4),
        (499, 1e-4),
    ],
    # Milestone 150 is never applied: the warm-up ends at 150 with η0.
    "lwarmmultistep_lr": [
        (0, 0.005),
        (75, 0.0075),
        (149, 0.01 * (0.5 + 0.5 * 149 / 150)),
        (150, 0.01),
        (151, 0.01),
        (299, 0.01),
        (300, 1e-3),
        (399, 1e-3),
        (400, 1e-4),
        (499, 1e-4),
    ],
    "lwarminversesr_lr": [
        (0, 0.01),
        (1, 0.01 * 10 / sqrt(512) / 50**1.5),
        (50, 0.01 * 0.0625),
        (51, 0.01 * 10 / sqrt(512) / sqrt(51)),
        (499, 0.01 * 10 / sqrt(512) / sqrt(499)),
    ],
    "lwarmslanted_tr_lr": [
        (0, 0.001),
        (49, 0.01 * (1 + 9 * 49 / 50) / 10),
        (50, 0.01),
        (51, 0.01 * (1 + 9 * 449 / 450) / 10),
        (275, 0.0055),
        (499, 0.01 * (1 + 9 / 450) / 10),
    ],
    "lwarmlong_trap_lr": [(0, 0.0), (1, 1e-4), (99, 0.0099), (100, 0.01), (101, 0.01 * 399 / 400), (499, 0.01 / 400)],
    "lwarm1cycle_lr": [
        (0, 0.001),
        (1, 0.001 + 0.009 / 225),
        (225, 0.01),
        (226, 0.01 - 0.009 / 225),
        (449, 0.001 + 0.009 / 225),
        (450, 0.001),
        (499, 0.001 - 0.0009 * 49 / 50),
    ],
    "lwarmcosine_lr": [
        (0, 0.01 / 3),
        (50, 0.01 * 2 / 3),
        (99, 0.01 * (1 / 3 + 2 / 3 * 0.99)),
        (100, 0.01),
        (101, 1e-7 + (0.01 - 1e-7) * (1 + cos(pi / 400)) / 2),
        (300, 1e-7 + (0.01 - 1e-7) / 2),
    ],
    "lwarmpoly_lr": [
        (0, 0.0025),
        (100, 0.01),
        (101, 1e-7 + (0.01 - 1e-7) * (399 / 400) ** 0.7),
        (300, 1e-7 + (0.01 - 1e-7) * 0.5**0.7),
        (499, 1e-7 + (0.01 - 1e-7) * (1 / 400) ** 0.7),
    ],
    "piecewise_constant": [(0, 0.01), (100, 0.01), (101, 0.005), (300, 0.005), (301, 0.001), (499, 0.001)],
    "exponential_decay": [(0, 0.01), (100, 0.005), (150, 0.01 * 0.5**1.5), (200, 0.0025)],
    "natural_exp_decay": [(0, 0.01), (100, 0.01 * exp(-0.5)), (200, 0.01 * exp(-1))],
    "polynomial_decay": [(0, 0.01), (250, (0.01 - 1e-4) / 2 + 1e-4), (499, (0.01 - 1e-4) / 500 + 1e-4)],
    "cosine_decay": [(0, 0.01), (250, 0.005), (499, 0.005 * (1 + cos(0.998 * pi)))],
    "linear_cosine_decay": [
        (0, 0.01 * 1.001),
        (250, 0.01 * (0.5 * 0.5 + 0.001)),
        (499, 0.01 * (0.002 * (1 + cos(0.998 * pi)) / 2 + 0.001)),
    ],
    "noisy_linear_cosine_decay": [],
    "lambda_lr": [(0, 0.01), (100, 0.005), (200, 0.0025)],
    "power_lr": [(0, 0.01), (250, 0.01 * 1.5**-0.75), (499, 0.01 * (1 + 499 / 500) ** -0.75)],
    # torch's LinearLR and ConstantLR (factors 1/3, 50 steps), optax's warm-up exponential and interpolation
    "linearfactor_lr": [(0, 0.01 / 3), (25, 0.01 * 2 / 3), (49, 0.01 * (1 / 3 + 2 / 3 * 49 / 50)), (50, 0.01)],
    "constantfactor_lr": [(0, 0.01 / 3), (49, 0.01 / 3), (50, 0.01), (499, 0.01)],
    "lwarmexp_lr": [(0, 0.001), (25, 0.0055), (50, 0.01), (51, 0.01 * 0.5**0.01), (150, 0.005), (250, 0.0025)],
    "piecewise_interpolate": [(0, 0.001), (25, 0.0055), (50, 0.01), (250, 0.00505), (450, 1e-4), (499, 1e-4)],
    # torch's OneCycleLR: η0/25 at 0, the peak η0 at pT − 1 = 149, η0/25e4 at the last step; cosine phases
    "onecycle_lr": [(0, 4e-4), (149, 0.01), (324, (0.01 + 4e-8) / 2), (499, 4e-8)],
    # WSD: warm-up 0.01·η0 → η0 over 25 steps, flat to step 399, 1 − √x cooldown over the last 100 steps
    "wsd_lr": [(0, 1e-4), (24, 0.01 * (0.01 + 0.99 * 24 / 25)), (25, 0.01), (400, 0.01), (425, 0.005)],
    "rex_lr": [(0, 0.01), (250, 0.01 * 2 / 3), (499, 0.01 * 0.002 / 0.501)],
}


def test_every_schedule_has_boundary_values():
    assert sorted(BOUNDARIES) == ALL_IDS


@pytest.mark.parametrize("schedule_id", ALL_IDS)
def test_boundary_values(schedule_id):
    _skip_without_formula(schedule_id)
    values = _run(schedule_id)
    for k, expected in BOUNDARIES[schedule_id]:
        assert values[k] == pytest.approx(expected, rel=1e-9, abs=1e-18), f"{schedule_id} at k={k}"


# --- Whole runs against independent closed forms (T = 500, defaults) ---------------------------------------------


def _sgdr_by_steps(total: int, lr: float, period: int, mult: int) -> np.ndarray:
    """torch's CosineAnnealingWarmRestarts stepped one update at a time (T_cur and T_i as integers)."""
    values, since, length = [], 0, period
    for _ in range(total):
        values.append(lr * (1 + math.cos(math.pi * since / length)) / 2)
        since += 1
        if since >= length:
            since, length = since - length, length * mult
    return np.array(values)


def _triangle_by_steps(total: int, lr: float, milestones=(100, 200, 400), gamma=2.0, cycle_len=20) -> np.ndarray:
    """The reference's stateful triangle scheduler, replayed step by step (its rules, written anew)."""
    values, floor, current, stepping, repeated, position = [lr], lr, 0, True, False, 0
    for k in range(1, total):
        if stepping and k > 1 and k % milestones[current] == 0:
            floor = floor / gamma
            if current < len(milestones) - 1:
                current += 1
            else:
                stepping = False
        if not repeated:  # step 1 repeats the floor once, unrounded
            values.append(floor)
            repeated = True
            continue
        if position >= cycle_len:
            position = 0
        values.append(round(floor * cycle_len - position * floor, 5))
        position += 1
    return np.array(values)


def _chained(total: int, warm_until: int, warm_value, plain_until: int, milestones, gamma, lr) -> np.ndarray:
    """torch's chainable multi-step form: past the plain phase, multiply the last LR at each milestone hit."""
    values = []
    for k in range(total):
        if k <= warm_until:
            values.append(warm_value(k))
        elif k <= plain_until:
            values.append(lr)
        else:
            values.append(values[-1] * gamma ** list(milestones).count(k))
    return np.array(values)


def _noise(total: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(total)


def _closed_forms(k: np.ndarray, n: int, lr: float) -> dict:
    """Independent whole-run expressions (cos² for (1 + cos)/2, np.interp for ramps, loops for stateful ones)."""
    half_cos2 = np.cos(np.pi * k / (2 * n)) ** 2  # ½(1 + cos(πk/T))
    sine = np.abs(np.sin(np.pi * k / 40))
    ssgdr = np.where(k % 100 < 50, lr, lr * np.sin(np.pi * (100 - k % 100) / 100))
    cycle = np.floor(1 + k / 100)
    x = 1 + k / 100 - cycle
    tri = np.where(x <= 0.5, x / 0.5, (x - 1) / -0.5)  # torch CyclicLR's scale
    noise = _noise(n)
    return {
        "constant_lr": np.full(n, lr),
        "step_lr": lr * 0.95 ** np.floor(k / 5),
        "multistep_lr": lr * 0.1 ** sum((k >= m).astype(float) for m in (100, 300, 400)),
        "linear_lr": np.where(k < 400, (1 - k / 400) * lr + (k / 400) * 1e-4, 1e-4),
        "baseloss_lr": np.full(n, lr),
        "polychen_lr": np.where(k == 0, lr, lr * (1 - k / n) ** 0.9 + 1e-8),
        "polybottou_lr": lr / (1 + 5 * lr * k) ** 2,
        "expoloffe_lr": lr * np.exp(-0.009 * k),
        "exporaffel_lr": np.where(k < 50, lr, lr * np.exp(np.maximum(k, 1) ** -0.5 - 50**-0.5)),
        "inversetime_lr": lr * (1 + 2 * lr * k) ** -1,
        "linearcosine_lr": np.where(k == 0, lr, lr * (1 - k / n) * 2 * half_cos2),
        "linearcosinenoise_lr": np.where(
            k == 0, lr, lr * (1 - k / n + noise * (1 + k) ** -0.55 / 20) * 2 * half_cos2 + 1e-4
        ),
        "cosine_lr": 1e-7 + (lr - 1e-7) * half_cos2,
        "cosinepower_lr": np.where(k == 0, lr, 1e-7 + (lr - 1e-7) * (20 * 20**half_cos2 - 20) / 380),
        "htd_lr": lr / (1 + np.exp(2 * (-6 + 9 * k / n))),  # ½(1 − tanh x) = 1 / (1 + e^{2x})
        "triangular_lr": 1e-4 + 0.0999 * tri,
        "triangular2_lr": 1e-4 + 0.0999 * tri / 2 ** (cycle - 1),
        "triangularexp_lr": 1e-4 + 0.0999 * tri * 0.995**k,
        "cosineclr_lr": 1e-7 + (lr - 1e-7) * np.cos(np.pi * k / 100) ** 2,
        "sgdres_lr": _sgdr_by_steps(n, lr, 100, 1),
        "sgdrnes_lr": _sgdr_by_steps(n, lr, 50, 2),
        "sgdrd_lr": lr * np.cos(np.pi * (k % 100) / 200) ** 2 * 0.8 ** np.floor(k / 100),
        "triangle_lr": _triangle_by_steps(n, lr),
        "sine_lr": np.where(k == 0, lr, lr * sine + 1e-6),
        "sine2_lr": np.where(k == 0, lr, lr * sine / 2 ** np.floor(k / 40) + 1e-6),
        "sineexp_lr": np.where(k == 0, lr, lr * 0.98**k * sine + 1e-6),
        "ssgdr_lr": ssgdr,
        "ssgdrd_lr": ssgdr * 0.5 ** np.floor(k / 100),
        "cwarmmultistep_lr": _chained(n, 30, lambda k: lr * 0.01, 100, (100, 250, 450), 0.1, lr),
        "lwarmmultistep_lr": _chained(n, 150, lambda k: lr * (0.5 + 0.5 * k / 150), 150, (150, 300, 400), 0.1, lr),
        "lwarminversesr_lr": np.where(
            k == 0, lr, lr * 10 / np.sqrt(512) * np.minimum(np.maximum(k, 1) ** -0.5, k / 50**1.5)
        ),
        "lwarmslanted_tr_lr": np.where(k < 50, lr * (1 + 9 * k / 50) / 10, lr * (1 + 9 * (500 - k) / 450) / 10),
        "lwarmlong_trap_lr": np.interp(k, [0, 100, 500], [0, lr, 0]),
        "lwarm1cycle_lr": np.interp(k, [0, 225, 450, 500], [lr / 10, lr, lr / 10, lr / 100]),
        "lwarmcosine_lr": np.where(
            k <= 100, np.interp(k, [0, 100], [lr / 3, lr]), 1e-7 + (lr - 1e-7) * np.cos(np.pi * (k - 100) / 800) ** 2
        ),
        "lwarmpoly_lr": np.where(
            k <= 100, np.interp(k, [0, 100], [lr / 4, lr]), 1e-7 + (lr - 1e-7) * ((500 - k) / 400) ** 0.7
        ),
        "piecewise_constant": lr * np.select([k <= 100, k <= 300], [1.0, 0.5], 0.1),
        "exponential_decay": lr * 2 ** (-k / 100),
        "natural_exp_decay": lr * np.exp(-k / 200),
        "polynomial_decay": (lr - 1e-4) * (1 - k / 500) + 1e-4,
        "cosine_decay": lr * half_cos2,
        "linear_cosine_decay": lr * ((1 - k / n) * half_cos2 + 1e-3),
        "noisy_linear_cosine_decay": np.maximum(0.0, lr * ((1 - k / n + noise * (1 + k) ** -0.275) * half_cos2 + 1e-3)),
        "lambda_lr": lr * 0.5 ** (k / 100),
        "power_lr": lr * (1 + k / 500) ** -0.75,
        "linearfactor_lr": np.interp(k, [0, 50], [lr / 3, lr]),
        "constantfactor_lr": np.where(k < 50, lr / 3, lr),
        "lwarmexp_lr": np.where(k <= 50, np.interp(k, [0, 50], [lr / 10, lr]), lr * 2 ** (-(k - 50) / 100)),
        "piecewise_interpolate": lr * np.interp(k, [0, 50, 450], [0.1, 1.0, 0.01]),
        "onecycle_lr": np.where(  # (1 − cos πx)/2 = sin²(πx/2)
            k <= 149,
            lr / 25 + (lr - lr / 25) * np.sin(np.pi * k / 298) ** 2,
            lr - (lr - lr / 25e4) * np.sin(np.pi * (k - 149) / 700) ** 2,
        ),
        "wsd_lr": np.select(
            [k < 25, k < 400], [lr * (0.01 + 0.99 * k / 25), lr], lr * (1 - np.sqrt(np.maximum(k - 400, 0) / 100))
        ),
        "rex_lr": lr * (1 - k / n) / (1 - k / (2 * n)),
    }


def test_every_schedule_has_a_closed_form():
    assert sorted(_closed_forms(np.arange(T, dtype=float), T, LR)) == ALL_IDS


@pytest.mark.parametrize("lr", [LR, 0.3])
@pytest.mark.parametrize("schedule_id", ALL_IDS)
def test_whole_run_matches_closed_form(schedule_id, lr):
    _skip_without_formula(schedule_id)
    expected = _closed_forms(np.arange(T, dtype=float), T, lr)[schedule_id]
    np.testing.assert_allclose(_run(schedule_id, lr=lr), expected, rtol=1e-9, atol=1e-16)


# --- The reference's quirks, pinned explicitly ----------------------------------------------------------------------


def test_linearcosine_is_lr_at_step_0_then_about_twice_lr():
    values = _run("linearcosine_lr")
    assert values[0] == LR
    assert values[1] == pytest.approx(2 * LR, rel=3e-3)
    assert values[1] > 1.99 * LR


def test_cosineclr_never_restarts():
    values = _run("cosineclr_lr")
    assert values[100] == pytest.approx(LR, rel=1e-12) and values[200] == pytest.approx(LR, rel=1e-12)
    assert values[50] == pytest.approx(1e-7, rel=1e-9) and values[150] == pytest.approx(1e-7, rel=1e-9)
    # Smooth: no step changes the LR by more than the cosine's steepest slope allows.
    assert np.max(np.abs(np.diff(values))) <= LR * np.pi / 100 + 1e-15
    assert np.argmax(values[1:150]) + 1 == 100  # it climbs back instead of jumping


def test_lwarmlong_trap_has_an_empty_flat_top_and_starts_at_zero():
    values = _run("lwarmlong_trap_lr")
    assert values[0] == 0.0
    assert values[100] == pytest.approx(LR, rel=1e-15)
    assert values[99] < values[100] and values[101] < values[100]
    assert np.count_nonzero(np.isclose(values, LR, rtol=1e-12)) == 1  # the top is a single step


def test_triangle_rounds_to_five_decimals():
    lr = 1.234567e-3
    values = _run("triangle_lr", lr=lr)
    assert values[1] == lr  # step 1: the floor itself, unrounded
    assert values[2] == round(20 * lr, 5) == 0.02469
    assert values[21] == round(lr, 5) == 0.00123
    np.testing.assert_array_equal(values[2:], np.round(values[2:], 5))
    # Rounded exactly like Python's round() on the reference's m·L − c·m, ties included.
    np.testing.assert_array_equal(values, _triangle_by_steps(T, lr))
    assert _run("triangle_lr", lr=1e-7)[2:].max() == 0.0  # 20·1e-7 rounds to 0


@pytest.mark.parametrize("lr", [1.5625e-4, 2.5e-5, 3.125e-6, 7.8125e-7, 0.0123456789])
def test_triangle_rounding_ties_follow_python(lr):
    np.testing.assert_array_equal(_run("triangle_lr", lr=lr), _triangle_by_steps(T, lr))


def test_cwarmmultistep_never_applies_its_first_milestone():
    values = _run("cwarmmultistep_lr")
    assert values[99] == values[100] == values[101] == values[249] == LR
    assert values[250] == pytest.approx(0.1 * LR)


def test_lwarmmultistep_never_applies_the_milestone_inside_the_warmup():
    values = _run("lwarmmultistep_lr")
    assert values[150] == pytest.approx(LR) and values[151] == pytest.approx(LR) and values[299] == pytest.approx(LR)
    assert values[300] == pytest.approx(0.1 * LR)


def test_sine_is_lr_at_step_0():
    values = _run("sine_lr")
    assert values[0] == LR
    assert values[1] == pytest.approx(LR * math.sin(math.pi / 40) + 1e-6)
    assert values[40] == pytest.approx(1e-6, rel=1e-9)


def test_step_lr_drops_between_4_and_5():
    values = _run("step_lr")
    assert values[4] == LR
    assert values[5] == pytest.approx(0.95 * LR, rel=1e-15)


def test_triangular_ignores_the_base_lr():
    np.testing.assert_array_equal(_run("triangular_lr", lr=1e-3), _run("triangular_lr", lr=0.5))


def test_lwarminversesr_is_lr_at_step_0_then_far_below():
    values = _run("lwarminversesr_lr")
    assert values[0] == LR
    assert values[1:].max() == pytest.approx(0.0625 * LR) and np.argmax(values[1:]) + 1 == 50


def test_noise_is_seeded_and_per_step():
    first = _run("linearcosinenoise_lr")
    np.testing.assert_array_equal(first, _run("linearcosinenoise_lr"))
    other = _run("linearcosinenoise_lr", params={"seed": 1})
    assert not np.allclose(first[1:], other[1:])
    # A step's noise does not depend on which other steps are evaluated.
    entry = SCHEDULES["noisy_linear_cosine_decay"]
    values = resolve_params(entry.params, {}, T)
    some = entry.fn(np.array([3, 400, 7], dtype=np.int64), T, LR, **values)
    np.testing.assert_array_equal(some, _run("noisy_linear_cosine_decay")[[3, 400, 7]])


def test_noisy_tensorflow_decay_can_be_negative_without_the_clip():
    raw = _run("noisy_linear_cosine_decay", params={"nonnegative": False})
    assert raw.min() < 0  # TensorFlow's own values go below 0 with its default variance
    np.testing.assert_array_equal(_run("noisy_linear_cosine_decay"), np.maximum(raw, 0.0))


def test_polynomial_decay_cycle_restarts_with_a_longer_horizon():
    values = _run("polynomial_decay", params={"decay_steps": 100, "cycle": True})
    assert values[0] == LR and values[100] == pytest.approx(1e-4)
    assert values[101] == pytest.approx((LR - 1e-4) * (1 - 101 / 200) + 1e-4)
    held = _run("polynomial_decay", params={"decay_steps": 100})
    assert np.all(held[100:] == pytest.approx(1e-4))


def test_piecewise_constant_needs_one_more_value_than_boundaries():
    with pytest.raises(ParamError, match="values needs len"):
        _run("piecewise_constant", params={"boundaries": (10, 20), "values": (1.0, 0.5)})


def test_lwarmslanted_stays_positive_where_the_reference_formula_would_not():
    # The reference's fall over cut·(ratio − 1) steps turns negative for T = 15 (cut 1); T − cut does not.
    assert _run("lwarmslanted_tr_lr", total_steps=15).min() > 0


# --- optax, in float64 ------------------------------------------------------------------------------------------------


@pytest.fixture
def x64():
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


def _optax_values(schedule, total: int = T) -> np.ndarray:
    values = np.asarray(jax.vmap(schedule)(jnp.arange(total)))
    assert values.dtype == np.float64
    return values


OPTAX_CASES = [
    ("constant_lr", {}, lambda lr: optax.constant_schedule(lr)),
    ("step_lr", {}, lambda lr: optax.exponential_decay(lr, 5, 0.95, staircase=True)),
    ("multistep_lr", {}, lambda lr: optax.piecewise_constant_schedule(lr, {100: 0.1, 300: 0.1, 400: 0.1})),
    ("linear_lr", {}, lambda lr: optax.linear_schedule(lr, 1e-4, 400)),
    ("cosine_lr", {}, lambda lr: optax.cosine_decay_schedule(lr, T, alpha=1e-7 / lr)),
    ("sgdres_lr", {}, lambda lr: optax.sgdr_schedule([_sgdr_cycle(lr, 100)] * 5)),
    ("sgdrnes_lr", {}, lambda lr: optax.sgdr_schedule([_sgdr_cycle(lr, 50 * 2**i) for i in range(4)])),
    (
        "lwarm1cycle_lr",
        {},
        lambda lr: optax.linear_onecycle_schedule(
            T, lr, pct_start=0.45, pct_final=0.9, div_factor=10.0, final_div_factor=10.0
        ),
    ),
    ("lwarmcosine_lr", {}, lambda lr: optax.warmup_cosine_decay_schedule(lr / 3, lr, 100, T, end_value=1e-7)),
    (
        "lwarmpoly_lr",
        {},
        lambda lr: optax.join_schedules(
            [optax.linear_schedule(lr / 4, lr, 100), optax.polynomial_schedule(lr, 1e-7, 0.7, 400)], [100]
        ),
    ),
    (
        "piecewise_constant",
        {},  # TensorFlow keeps the earlier value at a boundary step; optax switches there: shift by one.
        lambda lr: optax.piecewise_constant_schedule(lr, {101: 0.5, 301: 0.2}),
    ),
    ("exponential_decay", {}, lambda lr: optax.exponential_decay(lr, 100, 0.5)),
    ("exponential_decay", {"staircase": True}, lambda lr: optax.exponential_decay(lr, 100, 0.5, staircase=True)),
    (
        "exponential_decay",
        {"decay_steps": 30, "decay_rate": 0.7, "staircase": True},
        lambda lr: optax.exponential_decay(lr, 30, 0.7, staircase=True),
    ),
    ("natural_exp_decay", {}, lambda lr: optax.exponential_decay(lr, 100, math.exp(-0.5))),
    (
        "natural_exp_decay",
        {"staircase": True},
        lambda lr: optax.exponential_decay(lr, 100, math.exp(-0.5), staircase=True),
    ),
    ("polynomial_decay", {}, lambda lr: optax.polynomial_schedule(lr, 1e-4, 1.0, T)),
    (
        "polynomial_decay",
        {"decay_steps": 200, "power": 2.0, "end_lr": 1e-3},
        lambda lr: optax.polynomial_schedule(lr, 1e-3, 2.0, 200),
    ),
    ("cosine_decay", {}, lambda lr: optax.cosine_decay_schedule(lr, T)),
    ("cosine_decay", {"decay_steps": 300, "alpha": 0.1}, lambda lr: optax.cosine_decay_schedule(lr, 300, alpha=0.1)),
]


def _sgdr_cycle(lr: float, steps: int) -> dict:
    return {"init_value": lr, "peak_value": lr, "decay_steps": steps, "warmup_steps": 0, "end_value": 0.0}


@pytest.mark.parametrize(("schedule_id", "params", "make"), OPTAX_CASES, ids=[f"{c[0]}-{c[1]}" for c in OPTAX_CASES])
@pytest.mark.parametrize("lr", [1e-3, 0.05])
def test_matches_optax(x64, schedule_id, params, make, lr):
    np.testing.assert_allclose(_run(schedule_id, lr=lr, params=params), _optax_values(make(lr)), rtol=1e-12, atol=0)


def test_warmup_prefix_matches_optax_join(x64):
    warm = Warmup(kind="linear", steps=50, start_factor=0.1)
    expected = optax.join_schedules(
        [optax.linear_schedule(0.1 * LR, LR, 50), optax.cosine_decay_schedule(LR, T - 50, alpha=1e-7 / LR)], [50]
    )
    np.testing.assert_allclose(_run("cosine_lr", warmup=warm), _optax_values(expected), rtol=1e-12, atol=0)


# --- Shapes, broadcasting and robustness --------------------------------------------------------------------------


@pytest.mark.parametrize("schedule_id", ALL_IDS)
def test_array_lr_broadcasts_like_stacked_scalar_calls(schedule_id):
    _skip_without_formula(schedule_id)
    lrs = np.array([[1e-3], [1e-2]])
    batched = table(schedule_id, {}, lrs, T)
    assert batched.shape == (2, T) and batched.dtype == np.float64
    stacked = np.stack([table(schedule_id, {}, 1e-3, T), table(schedule_id, {}, 1e-2, T)])
    np.testing.assert_allclose(batched, stacked, rtol=1e-14, atol=0)


@pytest.mark.parametrize("schedule_id", ALL_IDS)
def test_array_lr_broadcasts_through_a_warmup(schedule_id):
    _skip_without_formula(schedule_id)
    lrs = np.array([[1e-3], [1e-2], [0.2]])
    warm = Warmup(kind="linear", steps=20, start_factor=0.5)
    batched = table(schedule_id, {}, lrs, 100, warm)
    stacked = np.stack([table(schedule_id, {}, float(lr), 100, warm) for lr in lrs[:, 0]])
    np.testing.assert_allclose(batched, stacked, rtol=1e-14, atol=0)


@pytest.mark.parametrize("total_steps", [10, 100, 500, 3000])
@pytest.mark.parametrize("schedule_id", ALL_IDS)
def test_finite_and_positive_for_any_run_length(schedule_id, total_steps):
    _skip_without_formula(schedule_id)
    for lr in (1e-3, 0.1):
        values = _run(schedule_id, lr=lr, total_steps=total_steps)
        assert values.shape == (total_steps,) and values.dtype == np.float64
        assert np.all(np.isfinite(values)), schedule_id
        if schedule_id in REACHES_ZERO:
            assert values.min() >= 0.0, schedule_id
        else:
            assert values.min() > 0.0, f"{schedule_id} at T={total_steps}: min {values.min()} at {values.argmin()}"


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(
    schedule_id=st.sampled_from(sorted(set(ALL_IDS) - NEEDS_FORMULA)),
    total_steps=st.integers(1, 4000),
    lr=st.floats(1e-6, 10.0),
)
def test_any_run_length_gives_finite_values(schedule_id, total_steps, lr):
    values = _run(schedule_id, lr=lr, total_steps=total_steps)
    assert values.shape == (total_steps,)
    assert np.all(np.isfinite(values))


def test_table_returns_a_fresh_writable_array():
    values = _run("constant_lr")
    values[0] = 1.0
    assert _run("constant_lr")[0] == LR


# --- Warm-up prefix -----------------------------------------------------------------------------------------------


def test_constant_warmup_then_schedule_restarts_at_its_step_0():
    warm = Warmup(kind="constant", steps=3, start_factor=0.5)
    values = table("step_lr", {"step_size": 2}, 0.1, 10, warm)
    # k = 0..2: 0.5·η0; then step_lr from its own step 0: η0, η0, 0.95η0, 0.95η0, 0.95²η0, …
    expected = [0.05, 0.05, 0.05, 0.1, 0.1, 0.095, 0.095, 0.09025, 0.09025, 0.0857375]
    np.testing.assert_allclose(values, expected, rtol=1e-14)


def test_linear_warmup_ramps_from_the_start_factor():
    warm = Warmup(kind="linear", steps=4, start_factor=0.2)
    values = table("constant_lr", {}, 0.1, 8, warm)
    # η0·(0.2 + 0.8·k/4): 0.02, 0.04, 0.06, 0.08, then η0 from step 4 on.
    np.testing.assert_allclose(values, [0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1, 0.1], rtol=1e-14)


def test_after_a_warmup_the_schedule_sees_the_remaining_run_length():
    warm = Warmup(kind="linear", steps=100, start_factor=0.0)
    values = table("multistep_lr", {}, LR, 600, warm)
    # multistep's milestones scale with T − w = 500: 100, 300, 400 after the warm-up's 100 steps.
    assert values[0] == 0.0 and values[50] == pytest.approx(0.5 * LR)
    assert values[199] == LR and values[200] == pytest.approx(0.1 * LR)
    assert values[399] == pytest.approx(0.1 * LR) and values[400] == pytest.approx(0.01 * LR)


def test_a_warmup_longer_than_the_run_covers_it_all():
    values = table("cosine_lr", {}, 0.1, 5, Warmup(kind="linear", steps=10, start_factor=0.0))
    np.testing.assert_allclose(values, [0.0, 0.01, 0.02, 0.03, 0.04], atol=1e-17)


def test_warmup_from_params_uses_the_widget_specs():
    assert set(WARMUP_PARAMS) == {"kind", "steps", "start_factor"}
    assert Warmup.from_params({}, 500) == Warmup(kind="linear", steps=50, start_factor=0.1)
    assert Warmup.from_params({"kind": "constant", "steps": 7}, 500) == Warmup("constant", 7, 0.1)
    assert Warmup.from_params({"steps": 700}, 500).steps == 500


def test_warmup_rejects_bad_values():
    with pytest.raises(ValueError, match="kind"):
        Warmup(kind="cosine", steps=3, start_factor=0.1)
    with pytest.raises(ValueError, match="steps"):
        Warmup(kind="linear", steps=-1, start_factor=0.1)


# --- Reduce-on-plateau reference ------------------------------------------------------------------------------------


def test_plateau_reference_hand_trace():
    losses = [10, 9, 8.5, 8.2, 8.0, 7.0] + [7.0] * 16
    got = plateau_reference(losses, 1.0, factor=0.5, patience=2, threshold=0.1, cooldown=1, min_lr=0.2)
    # Improvement needs loss < 0.9·best. "loss j" is seen after update j and sets the LR of update j + 1.
    # loss 0 = 10: best 10.             loss 1 = 9: not < 9.0 -> bad 1.   loss 2 = 8.5: best 8.5, bad 0.
    # loss 3 = 8.2: bad 1.             loss 4 = 8.0: bad 2 (not > 2).   loss 5 = 7.0: best 7, bad 0.
    # loss 6, 7: bad 1, 2.             loss 8: bad 3 > 2 -> lr 0.5 from k = 9, cooldown 1.
    # loss 9: cooldown 1 -> 0, bad 0.  loss 10, 11: bad 1, 2.          loss 12: bad 3 -> lr 0.25 from k = 13.
    # loss 13: cooldown.               loss 14, 15, 16: bad 3 -> max(0.125, 0.2) = 0.2 from k = 17.
    # loss 17: cooldown.               loss 20: bad 3 -> max(0.1, 0.2) = 0.2: no change (not > eps).
    expected = [1.0] * 9 + [0.5] * 4 + [0.25] * 4 + [0.2] * 5
    np.testing.assert_array_equal(got, expected)


def test_plateau_reference_with_the_reference_defaults():
    defaults = resolve_params(SCHEDULES["baseloss_lr"].params, {}, T)
    assert defaults == {"factor": 0.7, "patience": 10, "threshold": 1e-4, "cooldown": 4, "min_lr": 1e-4}
    got = plateau_reference(np.ones(40), 1.0, **defaults)
    # k = 0..11: 1 (losses 1..11 are bad 1..11; the 11th exceeds patience 10)
    # k = 12: no improvement for 11 steps -> lr 0.7; cooldown 4 swallows losses 12..15
    # k = 27: bad again for 11 steps (losses 16..26) -> lr 0.49
    expected = np.select([np.arange(40) < 12, np.arange(40) < 27], [1.0, 0.7], 0.49)
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_plateau_reference_floor_and_broadcasting():
    defaults = resolve_params(SCHEDULES["baseloss_lr"].params, {}, T)
    got = plateau_reference(np.ones(200), np.array([[1e-3], [5e-5]]), **defaults)
    assert got.shape == (2, 200)
    assert got[0, -1] == 1e-4  # 1e-3 · 0.7^k reaches the floor 1e-4 and stays
    np.testing.assert_array_equal(got[1], 5e-5)  # already below the floor: max(0.7·η, 1e-4) > η, no change
    single = plateau_reference(np.ones(200), 1e-3, **defaults)
    np.testing.assert_array_equal(got[0], single)


def test_plateau_reference_keeps_torchs_rule_for_negative_losses():
    # For a negative best, best·(1 − threshold) lies above best: a constant negative loss always "improves".
    defaults = resolve_params(SCHEDULES["baseloss_lr"].params, {}, T)
    np.testing.assert_array_equal(plateau_reference(-np.ones(50), 1.0, **defaults), 1.0)
    # A NaN loss never improves, not even the first one: bad steps 1..11 after losses 0..10 -> 0.7 from k = 11.
    got = plateau_reference(np.full(20, np.nan), 1.0, **defaults)
    assert got[10] == 1.0 and got[11] == 0.7


def test_baseloss_table_is_the_base_lr():
    np.testing.assert_array_equal(_run("baseloss_lr"), LR)


# --- lambda_lr ----------------------------------------------------------------------------------------------------


def test_lambda_lr_default_and_custom_formula():
    pytest.importorskip("common.formula")
    np.testing.assert_allclose(_run("lambda_lr"), LR * 0.5 ** (np.arange(T) / 100), rtol=1e-12)
    custom = _run("lambda_lr", params={"formula": "lr / (1 + k)"}, total_steps=10)
    np.testing.assert_allclose(custom, LR / (1 + np.arange(10)), rtol=1e-12)
    constant = table("lambda_lr", {"formula": "0.02"}, np.array([[1.0], [2.0]]), 5)
    np.testing.assert_array_equal(constant, np.full((2, 5), 0.02))
