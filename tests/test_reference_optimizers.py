"""Our optimizers against torch.optim and the authors' own packages, in float64.

Every case of scripts/record_reference_optimizers.py runs a reference (``torch.optim.AdamW``,
``prodigyopt.Prodigy``, ...) 50 steps from a fixed start on a rotated quadratic and on Rosenbrock's
function; tests/data/reference_optimizers.json keeps its points after a few steps. Here our optimizer,
built by :func:`optimizers.make` from the registry with the case's parameters, runs the same steps and
must reach the same points: always against the recording, and against the reference itself where it is
importable. Where optax's version of an algorithm differs from the authors', a test below shows the two
disagree in the way the entry's docstring says, and agree where they should.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optimizers

ROOT = Path(__file__).resolve().parent.parent
RECORDED = json.loads((ROOT / "tests" / "data" / "reference_optimizers.json").read_text(encoding="utf-8"))
CASES = RECORDED["cases"]


def _recorder():
    """scripts/record_reference_optimizers.py as a module (it imports the references only when run)."""
    path = ROOT / "scripts" / "record_reference_optimizers.py"
    spec = importlib.util.spec_from_file_location("record_reference_optimizers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDER = _recorder()


@pytest.fixture
def x64():
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


def _extras(fn, params, needs: tuple[str, ...], min_value: float) -> dict[str, Any]:
    """What an update needs besides the gradient, as the engine passes it (no noise, no clipping)."""
    available = {
        "value": lambda: fn(params),
        "grad": lambda: jax.grad(fn)(params),
        "value_fn": lambda: fn,
        "obj_fn": lambda: fn,
        "grad_fn": lambda: lambda p, i: jax.grad(fn)(p),
    }
    return {name: available[name]() for name in needs}


def our_path(
    optimizer_id: str,
    lr: float,
    params: dict[str, Any],
    problem: str,
    *,
    inner: dict[str, Any] | None = None,
    steps: int = 50,
) -> np.ndarray:
    """``[steps + 1, 2]``: the start and the point after each step, as the page draws it (the returned point)."""
    fn, start = RECORDER.PROBLEMS[problem]
    inner_id = inner["id"] if inner else None
    tx = optimizers.make(
        optimizer_id,
        lr,
        params,
        total_steps=steps,
        inner_id=inner_id,
        inner_hyper=inner.get("params") if inner else None,
        min_value=0.0,
    )
    needs = optimizers.extra_args(optimizer_id, inner_id)

    @jax.jit
    def path(x0):
        def step(carry, _):
            x, state = carry
            updates, state = tx.update(jax.grad(fn)(x), state, x, **_extras(fn, x, needs, 0.0))
            x = optax.apply_updates(x, updates)
            return (x, state), optimizers.returned_point(state, x)

        _, points = jax.lax.scan(step, (x0, tx.init(x0)), None, length=steps)
        return jnp.concatenate([x0[None], points])

    return np.asarray(path(jnp.asarray(start, jnp.float64)))


def _case_id(case: dict[str, Any]) -> str:
    return RECORDER._label(case)


AGREEING = [case for case in CASES if "differs" not in case]
DIFFERING = {case["differs"]: case for case in CASES if "differs" in case}


def _compared_steps(case: dict[str, Any]) -> list[str]:
    return [k for k in case["points"] if int(k) <= case.get("agree_until", _steps(case))]


def _steps(case: dict[str, Any]) -> int:
    return case.get("steps", RECORDER.STEPS)


def _deviation(case: dict[str, Any], path: np.ndarray) -> float:
    return max(float(np.abs(path[int(k)] - np.asarray(case["points"][k])).max()) for k in _compared_steps(case))


# --- the recording --------------------------------------------------------------------------------------------------


def test_the_recorded_file_is_the_script_s():
    """The JSON holds exactly the cases the script defines (rerun the script after changing them)."""
    recorded = [{k: v for k, v in case.items() if k != "points"} for case in CASES]
    assert recorded == json.loads(json.dumps(RECORDER.CASES))
    for case in CASES:
        assert sorted(map(int, case["points"])) == sorted({*RECORDER.RECORD_AT, _steps(case)})
    assert RECORDED["steps"] == RECORDER.STEPS


# Equivalents whose agreement another test shows: the eleven first entries' (tests/test_optimizers.py's TORCH_CASES)
# and the names that stand for a composition.
ELSEWHERE = {"sgd", "momentum", "nesterov", "adam", "yogi", "lookahead", "adagrad", "rmsprop", "adadelta"}


def test_every_reference_equivalent_has_a_recorded_case():
    """Each torch or authors'-package name an optimizer claims is run against that library (agreeing or differing)."""
    claimed = {
        (entry_id, eq.module, eq.name)
        for entry_id, entry in optimizers.OPTIMIZERS.items()
        for eq in entry.equivalents
        if eq.library not in ("optax", "keras") and entry_id not in ELSEWHERE
    }
    recorded = {(case["id"], case["reference"]["module"], case["reference"]["name"]) for case in CASES}
    assert claimed - recorded == set(), "record a case for each (scripts/record_reference_optimizers.py)"
    not_equivalents = {
        ("sgd", "torch.optim", "ASGD"),  # with λ = 0 it is plain SGD; no entry names it (it averages aside)
        ("adan", "adan_pytorch", "Adan"),  # recorded to show how it differs (it leaves out the first gradient)
    }
    assert recorded - claimed == not_equivalents


@pytest.mark.parametrize("case", AGREEING, ids=_case_id)
def test_matches_the_reference_as_recorded(x64, case):
    path = our_path(
        case["id"], case["lr"], case["params"], case["problem"], inner=case.get("inner"), steps=_steps(case)
    )
    assert float(np.abs(path[-1] - path[0]).max()) > 0.05  # it moved
    np.testing.assert_allclose(
        np.stack([path[int(k)] for k in _compared_steps(case)]),
        np.stack([case["points"][k] for k in _compared_steps(case)]),
        rtol=0,
        atol=case.get("atol", 1e-12),
    )


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_the_recording_is_what_the_reference_gives_now(case):
    torch = pytest.importorskip("torch")
    pytest.importorskip(case["reference"]["module"])
    torch.set_default_dtype(torch.float64)
    live = RECORDER.reference_points(torch, case)
    for k, point in case["points"].items():
        np.testing.assert_allclose(live[k], point, rtol=1e-13, atol=1e-15)


def test_the_recorded_libraries_name_what_the_equivalents_say():
    libraries = RECORDED["libraries"]
    for entry_id, entry in optimizers.OPTIMIZERS.items():
        for eq in entry.equivalents:
            if eq.module in libraries:
                assert eq.name in libraries[eq.module]["names"], f"{entry_id}: {eq.qualified} is not in its package"


# --- where optax's version is not the authors': each difference as the entry's docstring states it --------------------


def _differing(prefix: str) -> list[dict[str, Any]]:
    return [case for key, case in DIFFERING.items() if key.startswith(prefix)]


def _first_step(case: dict[str, Any]) -> np.ndarray:
    return np.asarray(case["points"]["1"]) - np.asarray(RECORDER.PROBLEMS[case["problem"]][1])


@pytest.mark.parametrize("case", _differing("radam:"), ids=_case_id)
def test_radam_epsilon_before_or_after_the_bias_correction(x64, case):
    # torch: √(1 − β₂ᵗ)/(√v + ε); optax: 1/(√(v/(1 − β₂ᵗ)) + ε). The same while ρ_t < 5 (momentum steps, no ε),
    # apart once the rectified steps begin (t = 6 at β₂ = 0.999); equal at ε = 0 (the recorded case above).
    path = our_path(case["id"], case["lr"], case["params"], case["problem"])
    early = np.stack([case["points"][k] for k in ("1", "2", "3", "5")])
    np.testing.assert_allclose(path[[1, 2, 3, 5]], early, rtol=0, atol=1e-14)
    assert np.abs(path[50] - np.asarray(case["points"]["50"])).max() > 1e-6


@pytest.mark.parametrize("case", _differing("lamb:"), ids=_case_id)
def test_lamb_debias_scales_the_step_length_after_the_trust_ratio(x64, case):
    # torch-optimizer's debias=True multiplies the trust-ratio step η‖θ‖u/‖u‖ by √(1 − β₂ᵗ)/(1 − β₁ᵗ): the first step
    # keeps ours' direction and is √0.001/0.1 = 0.316 times as long
    ours = our_path(case["id"], case["lr"], case["params"], case["problem"], steps=1)
    theirs = _first_step(case)
    mine = ours[1] - ours[0]
    np.testing.assert_allclose(theirs, mine * np.sqrt(1 - 0.999) / (1 - 0.9), rtol=1e-12)


@pytest.mark.parametrize("case", _differing("sophia:"), ids=_case_id)
def test_sophia_bias_corrects_the_momentum_sophiag_does_not(x64, case):
    # same Hessian, same clip: optax's m̂ = m/(1 − β₁ᵗ) is larger than SophiaG's m, so its unclipped steps are longer
    # (γ = 1 lets them be unclipped); the first step is a clipped sign step in both (h = 0 before the first estimate);
    # at β₁ = 0 the two agree (the recorded case above)
    path = our_path(case["id"], case["lr"], case["params"], case["problem"])
    np.testing.assert_allclose(path[1], case["points"]["1"], rtol=0, atol=1e-15)
    assert np.abs(path[50] - np.asarray(case["points"]["50"])).max() > 1e-4


@pytest.mark.parametrize("case", _differing("mechanize:"), ids=_case_id)
def test_mechanize_is_close_to_mechanic_pytorch_not_equal(x64, case):
    # mechanic-pytorch starts each of its six scales s_i at 0 and its m_i at 1e-6; its first scales are then
    # β_i·1e-6·s_init/(6ε) = β_i·1e-6/6 at its defaults, optax's s_init/6 = 1e-6/6 each: the first step is Σβ_i/6 of
    # ours. After that optax's tuner floors m at |h| + ε and clips h in the reward, which mechanic-pytorch does not.
    path = our_path(case["id"], case["lr"], case["params"], case["problem"], inner=case.get("inner"))
    betas = 1 - 0.1 ** np.arange(1, 7)
    np.testing.assert_allclose(_first_step(case), (path[1] - path[0]) * betas.sum() / 6, rtol=1e-6)
    assert np.abs(path[25] - np.asarray(case["points"]["25"])).max() > 1e-6


def test_prodigy_at_lr_1_climbs_out_of_rosenbrock_s_valley_as_prodigyopt_does(x64):
    """Not a bug of ours: prodigyopt's own d grows past the valley's width, and the loss rises (recorded, float64)."""
    (case,) = [c for c in CASES if c["id"] == "prodigy" and c["problem"] == "rosenbrock_far"]
    fn, start = RECORDER.PROBLEMS[case["problem"]]
    theirs = {int(k): float(fn(point)) for k, point in case["points"].items()}
    assert theirs[50] < 0.5 * float(fn(start)) and theirs[100] > 5 * theirs[50]  # down from 12.5, then up ~20 times
    tx = optimizers.make("prodigy", 1.0)
    x = jnp.asarray(start, jnp.float64)
    state = tx.init(x)
    estimates = []
    for _ in range(100):
        updates, state = tx.update(jax.grad(fn)(x), state, x)
        x = x + updates
        estimates.append(float(optimizers.inspect(state)["lr_estimate"]))
    np.testing.assert_allclose(x, case["points"]["100"], atol=1e-9)
    assert np.all(np.diff(estimates) >= 0) and estimates[-1] > 0.1  # d only grows, to ~0.27 here


@pytest.mark.parametrize("case", _differing("adan:"), ids=_case_id)
def test_adan_pytorch_leaves_out_the_first_gradient(x64, case):
    # lucidrains' adan-pytorch 0.1.0 updates no average at its first step (so it does not move) and starts them
    # from the second gradient; ours (the authors', pytorch_optimizer's) moves at once
    np.testing.assert_array_equal(_first_step(case), [0.0, 0.0])
    path = our_path(case["id"], case["lr"], case["params"], case["problem"], steps=1)
    assert np.abs(path[1] - path[0]).min() > 1e-4


def test_adan_differs_from_optax_s_only_through_the_gradient_difference(x64):
    # optax's Adan weights g_t − g_{t−1} by 1 − β₂ = 0.08, the authors' by β₂ = 0.92: where the gradient is constant
    # (a linear loss) the two agree, up to optax's 1e-8 under the root; on a quadratic they do not
    fn = lambda p: 0.7 * p[0] - 1.3 * p[1]  # noqa: E731
    ours, theirs = optimizers.make("adan", 0.05), optax.adan(0.05)
    x = y = jnp.zeros(2, jnp.float64)
    ours_state, theirs_state = ours.init(x), theirs.init(y)
    for _ in range(20):
        step, ours_state = ours.update(jax.grad(fn)(x), ours_state, x)
        x = x + step
        step, theirs_state = theirs.update(jax.grad(fn)(y), theirs_state, y)
        y = y + step
    np.testing.assert_allclose(x, y, rtol=1e-7)
    assert np.abs(our_path("adan", 0.05, {}, "quadratic") - _optax_path(optax.adan(0.05), "quadratic")).max() > 1e-3


@pytest.mark.parametrize("case", _differing("momo:") + _differing("momo_adam:"), ids=_case_id)
def test_momo_weight_decay_divides_theta_only_in_optax(x64, case):
    # the same step τd in both; optax: θ/(1 + ηλ) − τd, the authors: (θ − τd)/(1 + ηλ). At the first step, then:
    # (1 + ηλ)·theirs − θ₀ = −τd = ours − θ₀/(1 + ηλ)
    shrink = 1 + case["lr"] * case["params"]["weight_decay"]
    _, start = RECORDER.PROBLEMS[case["problem"]]
    x0 = np.asarray(start)
    ours = our_path(case["id"], case["lr"], case["params"], case["problem"], steps=1)[1]
    np.testing.assert_allclose(shrink * np.asarray(case["points"]["1"]) - x0, ours - x0 / shrink, rtol=1e-12)
    assert np.abs(ours - np.asarray(case["points"]["1"])).max() > 1e-6


@pytest.mark.parametrize("case", _differing("lbfgs:"), ids=_case_id)
def test_lbfgs_line_searches_pick_different_steps_along_the_same_first_direction(x64, case):
    # both search along −g/max(1, ‖g‖₁) first and both end where the strong Wolfe conditions hold, at other lengths
    fn, start = RECORDER.PROBLEMS[case["problem"]]
    ours = our_path(case["id"], case["lr"], case["params"], case["problem"], steps=1)[1] - np.asarray(start)
    theirs = _first_step(case)
    cosine = ours @ theirs / np.linalg.norm(ours) / np.linalg.norm(theirs)
    np.testing.assert_allclose(cosine, 1.0, rtol=1e-12)
    assert abs(np.linalg.norm(ours) / np.linalg.norm(theirs) - 1) > 1e-3
    f0 = float(fn(jnp.asarray(start)))
    assert float(fn(jnp.asarray(start) + ours)) < f0 and float(fn(jnp.asarray(start) + theirs)) < f0


def test_lbfgs_parts_from_torch_where_a_pair_has_negative_curvature():
    (case,) = [c for c in CASES if c["id"] == "lbfgs" and c["problem"] == "rosenbrock" and "agree_until" in c]
    assert case["agree_until"] == 10  # agreed up to here (test_matches_the_reference_as_recorded)
    jax.config.update("jax_enable_x64", True)
    try:
        path = our_path(case["id"], case["lr"], case["params"], case["problem"])
    finally:
        jax.config.update("jax_enable_x64", False)
    fn, _ = RECORDER.PROBLEMS["rosenbrock"]
    grads = np.asarray(jax.vmap(jax.grad(fn))(jnp.asarray(path)))
    curvature = np.einsum("ki,ki->k", np.diff(path, axis=0), np.diff(grads, axis=0))  # ⟨s_k, y_k⟩
    assert curvature[10] < 0 and np.all(curvature[:10] > 1e-10)  # step 11's pair: optax keeps it, torch drops it
    assert np.abs(path[25] - np.asarray(case["points"]["25"])).max() > 1e-3


# --- differences against optax itself (no reference needed) ----------------------------------------------------------


def _optax_path(tx: optax.GradientTransformation, problem: str, steps: int = 50) -> np.ndarray:
    fn, start = RECORDER.PROBLEMS[problem]

    @jax.jit
    def path(x0):
        def step(carry, _):
            x, state = carry
            updates, state = tx.update(jax.grad(fn)(x), state, x)
            x = optax.apply_updates(x, updates)
            return (x, state), x

        _, points = jax.lax.scan(step, (x0, tx.init(x0)), None, length=steps)
        return jnp.concatenate([x0[None], points])

    return np.asarray(path(jnp.asarray(start, jnp.float64)))


@pytest.mark.parametrize(
    ("optimizer_id", "theirs", "same", "different"),
    [
        # prodigyopt and dadaptation leave Adam's bias correction out by default; optax always corrects
        ("prodigy", lambda lr: optax.contrib.prodigy(lr), {"bias_correction": True}, {}),
        ("dadapt_adamw", lambda lr: optax.contrib.dadapt_adamw(lr), {"bias_correction": True}, {}),
        # adabelief-pytorch rectifies by default; optax (the paper's Algorithm 1) does not
        ("adabelief", lambda lr: optax.adabelief(lr), {"rectify": False}, {}),
        # torch's NAdam has Dozat's momentum schedule; optax's has none (ψ → ∞)
        ("nadam", lambda lr: optax.nadam(lr), {"momentum_decay": 1e6}, {}),
        ("nadamw", lambda lr: optax.nadamw(lr, weight_decay=0.01), {"momentum_decay": 1e6}, {}),
        # torch's L-BFGS scales the first step by the L1 norm, optax by the L2 norm
        ("lbfgs", lambda lr: optax.chain(optax.scale_by_lbfgs(), optax.scale(-lr)), {"first_step": "l2"}, {}),
        # torch keeps the maximum of the raw v, optax of the bias-corrected v̂
        ("amsgrad", lambda lr: optax.amsgrad(lr), None, {}),
    ],
)
@pytest.mark.parametrize("problem", ["quadratic", "rosenbrock"])
def test_optax_s_variant_is_a_setting_of_ours(x64, optimizer_id, theirs, same, different, problem):
    lr = {"prodigy": 1.0, "dadapt_adamw": 1.0, "lbfgs": 1.0}.get(optimizer_id, RECORDER._SLOW[problem])
    params = {"linesearch": "none"} if optimizer_id == "lbfgs" else {}
    optax_path = _optax_path(theirs(lr), problem)
    default = our_path(optimizer_id, lr, {**params, **different}, problem)
    assert np.abs(default - optax_path).max() > 1e-4, "our default is the authors' (torch's), not optax's"
    if same is not None:
        np.testing.assert_allclose(our_path(optimizer_id, lr, {**params, **same}, problem), optax_path, atol=1e-12)


@pytest.mark.parametrize("optimizer_id", ["prodigy", "dadapt_adamw"])
def test_without_bias_correction_the_first_step_is_longer_by_1_over_c1(x64, optimizer_id):
    # c₁ = √(1 − β₂)/(1 − β₁) = √0.001/0.1: the authors' first step is 1/c₁ ≈ 3.16 times optax's, same direction
    authors = our_path(optimizer_id, 1.0, {}, "quadratic", steps=1)
    optax_like = our_path(optimizer_id, 1.0, {"bias_correction": True}, "quadratic", steps=1)
    np.testing.assert_allclose(authors[1] - authors[0], (optax_like[1] - optax_like[0]) * 0.1 / np.sqrt(0.001))


def test_rectified_adabelief_starts_with_momentum_steps_of_the_gradient_s_size(x64):
    fn, start = RECORDER.PROBLEMS["quadratic"]
    path = our_path("adabelief", 0.05, {}, "quadratic", steps=1)
    np.testing.assert_allclose(path[1], np.asarray(start) - 0.05 * np.asarray(jax.grad(fn)(jnp.asarray(start))))


def test_lbfgs_first_step_l1_against_l2(x64):
    fn, start = RECORDER.PROBLEMS["rosenbrock"]
    g = np.asarray(jax.grad(fn)(jnp.asarray(start)))
    for first_step, norm in (("l1", np.abs(g).sum()), ("l2", np.linalg.norm(g))):
        path = our_path("lbfgs", 1.0, {"linesearch": "none", "first_step": first_step}, "rosenbrock", steps=1)
        np.testing.assert_allclose(path[1], np.asarray(start) - g / max(1.0, norm), rtol=1e-14)


def test_acprop_as_optax_has_it_hand_trace(x64):
    # optax.contrib.acprop divides the raw gradient by the previous belief (the paper's Algorithm 2 divides m_t):
    # on x² from 1 with η = ¼, β₁ = ½, β₂ = ¾, ε = ε' = 0:
    # t=1: g=2, the first step is plain: x = 1 − ¼·2 = 0.5;                m=1,   s=¼·(2−0)²=1
    # t=2: g=1, ŝ = s₁/(1 − ¾) = 4: x = 0.5 − ¼·1/2 = 0.375;              m=1,   s=¾·1+¼·(1−1)²=0.75
    # t=3: g=0.75, ŝ = s₂/(1 − ¾²) = 12/7: x = 0.375 − ¼·0.75/√(12/7)
    tx = optimizers.make("acprop", 0.25, {"b1": 0.5, "b2": 0.75, "eps": 0.0, "eps_root": 0.0})
    x = jnp.array([1.0])
    points = []
    state = tx.init(x)
    for _ in range(3):
        updates, state = tx.update(2 * x, state, x)
        x = x + updates
        points.append(float(x[0]))
    np.testing.assert_allclose(points, [0.5, 0.375, 0.375 - 0.25 * 0.75 / np.sqrt(12 / 7)], rtol=1e-14)


# --- optax's names: each optax equivalent, called with optax's own defaults, against ours under the mapped ones ------

# Whose optax equivalent is not the same numbers, and how (the entry's docstring and the Equivalent's mapping say so).
NOT_OPTAX_S_NUMBERS = {
    "amsgrad": "optax keeps the maximum of the bias-corrected v̂, torch of the raw v",
    "adan": "optax weights the gradient difference by 1 − β₂, the authors by β₂",
    "rprop": "optax applies each step one update late: its first update is 0",
}


def _optax_call(entry_id: str, eq, lr: float):
    """optax's function as a person would call it by that name: its own defaults, the learning rate, for a wrapper
    plain SGD inside (as ours gets)."""
    fn = getattr(importlib.import_module(eq.module), eq.name)
    if entry_id == "mechanize":
        return fn(optax.sgd(lr))
    if entry_id == "sam":
        adversary = optax.chain(optax.contrib.normalize(), optax.sgd(0.05))
        return fn(optax.sgd(lr), adversary, sync_period=2, opaque_mode=True)
    if entry_id == "polyak_sgd":
        return fn(max_learning_rate=lr)
    if entry_id == "noisy_sgd":
        return fn(lr, key=jax.random.key(0))  # our seed 0
    return fn(lr)


OPTAX_EQUIVALENTS = [
    (entry_id, eq)
    for entry_id, entry in optimizers.OPTIMIZERS.items()
    for eq in entry.equivalents
    if eq.library == "optax" and entry_id not in ELSEWHERE and entry_id != "lookahead"
]


@pytest.mark.parametrize(("entry_id", "eq"), OPTAX_EQUIVALENTS, ids=lambda value: getattr(value, "qualified", value))
def test_optax_s_name_gives_optax_s_numbers(x64, entry_id, eq):
    from common.registry import resolve_name

    resolved = resolve_name(optimizers.OPTIMIZERS, eq.qualified, dict(eq.select), kind="optimizer")
    assert resolved.id == entry_id
    lr = {"lr_free": 1.0, "second_order": 1.0}.get(optimizers.OPTIMIZERS[entry_id].family, 0.05)
    lr = {"polyak_sgd": 0.5, "mechanize": 1.0, "lars": 20.0}.get(entry_id, lr)
    inner = {"id": "sgd"} if optimizers.OPTIMIZERS[entry_id].wraps else None
    ours = our_path(entry_id, lr, resolved.params, "quadratic", inner=inner)
    fn, start = RECORDER.PROBLEMS["quadratic"]
    tx = optax.with_extra_args_support(_optax_call(entry_id, eq, lr))
    needs = optimizers.extra_args(entry_id, inner["id"] if inner else None)

    @jax.jit
    def theirs(x0):
        def step(carry, _):
            x, state = carry
            updates, state = tx.update(jax.grad(fn)(x), state, x, **_extras(fn, x, needs, 0.0))
            x = optax.apply_updates(x, updates)
            return (x, state), optimizers.returned_point(state, x)

        _, points = jax.lax.scan(step, (x0, tx.init(x0)), None, length=50)
        return jnp.concatenate([x0[None], points])

    path = np.asarray(theirs(jnp.asarray(start, jnp.float64)))
    assert np.abs(ours[-1] - ours[0]).max() > 1e-3  # it moved
    if entry_id in NOT_OPTAX_S_NUMBERS:
        assert np.abs(ours - path).max() > 1e-6, f"{entry_id} now agrees with optax: say so"
        if entry_id == "rprop":
            np.testing.assert_array_equal(path[1], path[0])
    else:
        np.testing.assert_allclose(ours, path, rtol=0, atol=1e-12)


def test_adafactor_is_optax_s_while_the_lr_is_below_torch_s_relative_step_cap(x64):
    # torch's (and ours') step is min(η, 1/√t)·RMS(θ)·...; optax's is η·RMS(θ)·...: the same while η ≤ 1/√t
    for lr, same in ((0.05, True), (0.5, False)):  # 1/√50 ≈ 0.14
        ours = our_path("adafactor", lr, {}, "quadratic")
        theirs = _optax_path(optax.adafactor(lr), "quadratic")
        assert np.allclose(ours, theirs, rtol=0, atol=1e-12) == same
