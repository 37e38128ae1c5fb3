"""The contract every registry entry keeps, checked on each surface, schedule and optimizer.

One table per registry (``REGISTRIES``) says where its entries live and which of the function's
parameters are not the entry's; every check below loops over every entry. A throwaway entry of each
kind, built here and never added to the real registries, goes through the same checks and then
through a Scene and the engine, as a new entry would (README, "Adding a surface, a schedule or an
optimizer").
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import re
import subprocess
import sys
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import pytest

import landscapes
import optimizers
import schedules
from common.params import FloatParam, IntParam, StepsListParam, StepsParam
from common.registry import Equivalent, docstring_formula, docstring_references, resolve_name
from engine.scene import Scene, SceneError
from landscapes import Points, Surface
from optimizers import Optimizer
from schedules import Schedule
from schedules._base import full


class Registry(NamedTuple):
    package: Any  # landscapes, schedules or optimizers
    entries: dict[str, Any]
    function: str  # the entry's field holding its function
    not_params: tuple[str, ...]  # the function's parameters that are not the entry's
    families: dict[str, str] | None  # family id -> the name the page shows; None: not grouped


REGISTRIES = {
    "surface": Registry(landscapes, landscapes.SURFACES, "fn", ("xy",), None),
    "schedule": Registry(schedules, schedules.SCHEDULES, "fn", ("k", "total_steps", "lr"), schedules.FAMILIES),
    "optimizer": Registry(
        optimizers,
        optimizers.OPTIMIZERS,
        "factory",
        ("learning_rate", "inner", "bias_mask", "min_value"),
        optimizers.FAMILIES,
    ),
}
ALL_ENTRIES = [(kind, entry_id) for kind, registry in REGISTRIES.items() for entry_id in registry.entries]

_URL_SAFE = re.compile(r"[a-z][a-z0-9_]*")
_ENVIRONMENTS = ("cases", "aligned", "gathered")


def check_entry(kind: str, entry: Any, registry: Registry) -> None:
    """The contract of one entry; raises AssertionError naming the entry and what to change."""
    where = f"{kind} {entry.id}"
    fn = getattr(entry, registry.function)
    assert _URL_SAFE.fullmatch(entry.id), f"{where}: ids are lower-case letters, digits and _ (they go in links)"
    for field in ("name", "description"):
        text = getattr(entry, field)
        assert text.strip() and "\n" not in text, f"{where}: {field} must be one non-empty line"
    if registry.families is not None:
        assert entry.family in registry.families, f"{where}: family {entry.family!r} is not in FAMILIES"

    # The formula and the reference are the function's docstring's, and nowhere else.
    assert entry.latex, f"{where}: {fn.__name__}'s docstring needs a '.. math::' block (the formula the page shows)"
    assert entry.latex == docstring_formula(fn), f"{where}: latex must come from {fn.__name__}'s docstring"
    assert entry.reference, f"{where}: {fn.__name__}'s docstring needs a 'References:' section"
    assert entry.reference == docstring_references(fn), f"{where}: reference must come from the docstring"
    _check_latex(where, entry.latex)

    # The specs name the function's parameters; defaults are the signature's.
    keywords = {n: p for n, p in inspect.signature(fn).parameters.items() if n not in registry.not_params}
    assert set(entry.params) == set(keywords), (
        f"{where}: specs {sorted(entry.params)} vs {fn.__name__}{sorted(keywords)}"
    )
    for name, spec in entry.params.items():
        parameter = keywords[name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{where}.{name}: make it keyword-only (after *)"
        assert spec.help.strip(), f"{where}.{name} has no help"
        if isinstance(spec, (StepsParam, StepsListParam)):
            assert parameter.default is inspect.Parameter.empty, f"{where}.{name} scales with T: no default in fn"
            continue
        assert spec.validate(spec.default) == spec.default, f"{where}.{name}: the default is out of its range"
        assert type(spec.default) is type(spec.validate(spec.default)), f"{where}.{name}: default of the wrong type"
        if spec.default != parameter.default:  # an entry sharing its function with another may change a default
            sharing = [e for e in registry.entries.values() if getattr(e, registry.function) is fn and e is not entry]
            assert sharing, f"{where}.{name}: default {spec.default!r} differs from {fn.__name__}'s; move it there"


def _check_latex(where: str, latex: str) -> None:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, f"{where}: '}}' before its '{{' in {latex!r}"
    assert depth == 0, f"{where}: unbalanced braces in {latex!r}"
    assert len(re.findall(r"\\left\b", latex)) == len(re.findall(r"\\right\b", latex)), f"{where}: \\left vs \\right"
    opened = [env for env in _ENVIRONMENTS for _ in range(latex.count(rf"\begin{{{env}}}"))]
    closed = [env for env in _ENVIRONMENTS for _ in range(latex.count(rf"\end{{{env}}}"))]
    assert sorted(opened) == sorted(closed), f"{where}: unclosed environment in {latex!r}"
    assert "\\\\" not in latex or opened, f"{where}: a line break '\\\\' outside cases/aligned/gathered"
    for block in re.findall(r"\\begin\{cases\}(.*?)\\end\{cases\}", latex):
        assert all(row.count("&") == 1 for row in block.split("\\\\")), f"{where}: one '&' per cases row"


@pytest.mark.parametrize(("kind", "entry_id"), ALL_ENTRIES)
def test_every_entry_keeps_the_contract(kind, entry_id):
    registry = REGISTRIES[kind]
    entry = registry.entries[entry_id]
    assert entry.id == entry_id
    check_entry(kind, entry, registry)


@pytest.mark.parametrize("kind", REGISTRIES)
def test_every_entry_module_is_in_the_registry_once(kind):
    """Each module of the package that declares ENTRIES contributes all of them, and no id is taken twice."""
    registry = REGISTRIES[kind]
    declared = []
    for module_info in pkgutil.iter_modules(registry.package.__path__):
        module = importlib.import_module(f"{registry.package.__name__}.{module_info.name}")
        declared += list(getattr(module, "ENTRIES", ()))
    ids = [entry.id for entry in declared]
    assert len(ids) == len(set(ids)), f"ids taken twice: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert {id(e) for e in declared} == {id(e) for e in registry.entries.values()}, "an ENTRIES tuple is not wired in"


@pytest.mark.parametrize("kind", [kind for kind, registry in REGISTRIES.items() if registry.families])
def test_every_family_has_a_name_and_an_entry(kind):
    registry = REGISTRIES[kind]
    for family, name in registry.families.items():
        assert name.strip(), f"{kind} family {family} needs the name the page shows"
        assert any(entry.family == family for entry in registry.entries.values()), f"{kind} family {family} is empty"


def test_the_registries_load_without_jax():
    """Validating a Scene reads the registries; it must not pay for importing JAX (nor optax)."""
    code = "import sys, landscapes, optimizers, schedules; print(sorted({'jax', 'optax'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------------------------
# A throwaway entry of each kind, as a contributor would write it (README, "Adding ...")
# --------------------------------------------------------------------------------------------------------------


def tilted_bowl(xy, *, tilt: float = 0.5):
    r"""A round bowl tilted along x; minimum at (−t/2, 0).

    .. math::
        x^2 + y^2 + t\,x

    References:
        A throwaway surface of the registry contract test, 2025
    """
    return xy[0] ** 2 + xy[1] ** 2 + tilt * xy[0]


def _tilted_bowl_points(params) -> Points:
    tilt = float(params["tilt"])
    return Points(((-tilt / 2, 0.0),), -(tilt**2) / 4)


def halving_lr(k, total_steps, lr, *, every: int, factor: float = 0.5):
    r"""Multiplies the base LR by ``factor`` every ``every`` steps.

    .. math::
        \eta_k = \eta_0 \, f^{\lfloor k / s \rfloor}

    References:
        A throwaway schedule of the registry contract test, 2025
    """
    del total_steps
    return full(lr * factor ** (np.asarray(k) // every), k, lr)


def sign_descent(learning_rate, *, scale: float = 1.0):
    r"""A step of fixed length against the sign of each coordinate of the gradient.

    .. math::
        \theta_{t+1} = \theta_t - \eta_t\, c\, \operatorname{sign}(g_t)

    References:
        Bernstein et al., signSGD: Compressed Optimisation for Non-Convex Problems, ICML 2018
    """
    import optax

    return optax.chain(optax.scale_by_sign(), optax.scale(scale), optax.scale_by_learning_rate(learning_rate))


TOY_SURFACE = Surface(
    id="toy_bowl",
    name="Tilted bowl",
    params={"tilt": partial(FloatParam, low=-2.0, high=2.0, help="slope along x", symbol="t")},
    description="A bowl whose minimum moves with the tilt.",
    fn=tilted_bowl,
    window=((-3.0, 3.0), (-3.0, 3.0)),
    starts=((2.0, 1.0),),
    points=_tilted_bowl_points,
)
TOY_SCHEDULE = Schedule(
    id="toy_halving_lr",
    name="Halving",
    family="piecewise",
    params={
        "every": StepsParam(fraction=0.1, help="Steps between two halvings", symbol="s"),
        "factor": partial(FloatParam, low=0.0, high=1.0, help="Factor at each drop", symbol="f"),
    },
    description="Halves the LR every tenth of the run.",
    fn=halving_lr,
)
TOY_OPTIMIZER = Optimizer(
    id="toy_sign",
    name="Sign descent",
    family="sgd",
    params={"scale": partial(FloatParam, low=0.0, high=10.0, help="Step length per unit of LR", symbol="c")},
    description="Steps of fixed length against the gradient's signs.",
    factory=sign_descent,
)
TOYS = {"surface": TOY_SURFACE, "schedule": TOY_SCHEDULE, "optimizer": TOY_OPTIMIZER}


@pytest.fixture
def registered(monkeypatch):
    """The throwaway entries, registered for one test (the registries are restored afterwards)."""
    for kind, entry in TOYS.items():
        monkeypatch.setitem(REGISTRIES[kind].entries, entry.id, entry)
    return TOYS


@pytest.mark.parametrize("kind", TOYS)
def test_a_new_entry_keeps_the_contract(kind):
    check_entry(kind, TOYS[kind], REGISTRIES[kind])


def test_a_new_entry_takes_its_formula_and_reference_from_its_docstring():
    assert TOY_SURFACE.latex == r"x^2 + y^2 + t\,x"
    assert TOY_SCHEDULE.latex == r"\eta_k = \eta_0 \, f^{\lfloor k / s \rfloor}"
    assert TOY_OPTIMIZER.latex == r"\theta_{t+1} = \theta_t - \eta_t\, c\, \operatorname{sign}(g_t)"
    assert (
        TOY_OPTIMIZER.reference
        == "Bernstein et al., signSGD: Compressed Optimisation for Non-Convex Problems, ICML 2018"
    )


def test_a_new_entry_takes_its_defaults_from_its_function():
    assert TOY_SURFACE.params["tilt"].default == 0.5
    assert TOY_SCHEDULE.params["factor"].default == 0.5 and TOY_SCHEDULE.params["every"].default is None
    assert TOY_OPTIMIZER.params["scale"].default == 1.0
    assert not TOY_OPTIMIZER.wraps and not TOY_OPTIMIZER.needs_bias_mask


def test_an_entry_that_states_a_fact_twice_or_misses_one_is_refused():
    stated = FloatParam(1.0, 0.0, 10.0, help="Step length per unit of LR")
    with pytest.raises(ValueError, match=r"toy_sign\.scale: the default 1\.0 is stated twice"):
        Optimizer("toy_sign", "Sign", "sgd", {"scale": stated}, "Steps.", sign_descent)
    with pytest.raises(ValueError, match=r"must name sign_descent's parameters \(scale\)"):
        Optimizer("toy_sign", "Sign", "sgd", {}, "Steps.", sign_descent)
    with pytest.raises(ValueError, match=r"scale scales with the run length: sign_descent\(\) must not default it"):
        Optimizer("toy_sign", "Sign", "sgd", {"scale": StepsParam(0.1)}, "Steps.", sign_descent)
    with pytest.raises(ValueError, match=r"every: the spec leaves its default to halving_lr\(\), which gives none"):
        every = partial(IntParam, low=1, high=9, help="Steps between two halvings")
        Schedule("toy", "T", "piecewise", {"every": every, "factor": TOY_SCHEDULE.params["factor"]}, "T.", halving_lr)
    with pytest.raises(ValueError, match=r"family must be one of"):
        Optimizer("toy_sign", "Sign", "no_such_family", {"scale": stated}, "Steps.", sign_descent)


def test_a_new_entry_runs_through_a_scene_and_the_engine(registered):
    from engine.simulate import run

    data = {
        "surface": {"id": "toy_bowl", "params": {"tilt": 1.0}},
        "starts": [[2.0, 1.0]],
        "optimizers": [{"id": "toy_sign", "params": {"scale": 1.0}}],  # the default: left out of the Scene
        "schedules": [{"id": "toy_halving_lr", "params": {"factor": 0.9}}],
        "lr": 0.2,
        "steps": 20,
        "dtype": "float64",
    }
    scene = Scene.build(data)
    assert scene.optimizers[0].params == {} and scene.schedules[0].params == {"factor": 0.9}
    assert Scene.from_json(scene.to_json()) == scene
    with pytest.raises(SceneError, match=r"scale: must be in \[0, 10\]"):
        Scene.build({**data, "optimizers": [{"id": "toy_sign", "params": {"scale": 11}}]})

    result = run(scene)
    every = 2  # 10 % of 20 steps
    lr = 0.2 * 0.9 ** (np.arange(20) // every)
    np.testing.assert_allclose(result.lr[0], lr, rtol=1e-15)
    # each coordinate moves by η_k against the sign of ∇f = (2x + t, 2y), t = 1: by hand
    point, path = np.array([2.0, 1.0]), [np.array([2.0, 1.0])]
    for k in range(20):
        point = point - lr[k] * np.sign(np.array([2 * point[0] + 1.0, 2 * point[1]]))
        path.append(point)
    np.testing.assert_allclose(result.positions[0], np.array(path), rtol=0, atol=1e-12)
    minimizer = landscapes.critical_points(TOY_SURFACE, scene.surface.params).minimizers[0]
    assert math.dist(result.positions[0, -1], minimizer) < math.dist((2.0, 1.0), minimizer) / 4


# --------------------------------------------------------------------------------------------------------------
# Equivalents in other libraries (common.registry.Equivalent): checked when the entry is built
# --------------------------------------------------------------------------------------------------------------


def _toy_schedule(*equivalents: Equivalent) -> Schedule:
    return Schedule(
        "toy_halving_lr",
        "Halving",
        "piecewise",
        dict(TOY_SCHEDULE_SPECS),
        "Halves.",
        halving_lr,
        equivalents=equivalents,
    )


TOY_SCHEDULE_SPECS = {
    "every": StepsParam(fraction=0.1, help="Steps between two halvings", symbol="s"),
    "factor": partial(FloatParam, low=0.0, high=1.0, help="Factor at each drop", symbol="f"),
}


def test_an_entry_names_its_equivalents_and_their_names_resolve_to_it():
    step = Equivalent(
        "torch.optim.lr_scheduler",
        "StepLR",
        "step_size = s, gamma = f",
        params={"step_size": "every", "gamma": "factor"},
    )
    toy = _toy_schedule(step)
    assert toy.equivalents == (step,)
    assert step.names() == (
        "StepLR",
        "lr_scheduler.StepLR",
        "optim.lr_scheduler.StepLR",
        "torch.optim.lr_scheduler.StepLR",
        "torch.StepLR",
    )
    resolved = resolve_name({"toy_halving_lr": toy}, "torch.StepLR", {"step_size": 7, "gamma": 0.3}, kind="schedule")
    assert (resolved.id, resolved.params) == ("toy_halving_lr", {"every": 7, "factor": 0.3})
    assert TOY_OPTIMIZER.equivalents == ()  # optional: an entry without any keeps working


@pytest.mark.parametrize(
    ("equivalents", "message"),
    [
        ((Equivalent("optax", "x", "m", params={"a": "nope"}),), r"a maps to 'nope', which is none of every, factor"),
        ((Equivalent("optax", "x", "m", defaults={"factor": 2.0}),), r"default factor=2\.0: must be in \[0, 1\]"),
        ((Equivalent("optax", "x", "m", defaults={"nope": 1}),), r"a default for 'nope'"),
        ((Equivalent("optax", "x", "m"), Equivalent("optax", "x", "n")), r"optax\.x is listed twice"),
    ],
)
def test_an_equivalent_that_maps_onto_nothing_is_refused(equivalents, message):
    with pytest.raises(ValueError, match=message):
        _toy_schedule(*equivalents)


def test_an_equivalent_states_a_module_a_plain_name_and_a_one_line_mapping():
    with pytest.raises(ValueError, match="plain name"):
        Equivalent("torch", "optim.SGD", "lr = η")
    with pytest.raises(ValueError, match="one non-empty line"):
        Equivalent("torch.optim", "SGD", "")
    with pytest.raises(ValueError, match="both select the entry and carry a value"):
        Equivalent("torch.optim", "SGD", "m", params={"nesterov": "x"}, select={"nesterov": True})


# --------------------------------------------------------------------------------------------------------------
# Every registered optimizer, wrappers and extra-argument ones included, through a Scene and the engine
# --------------------------------------------------------------------------------------------------------------

# The LR each needs on the bowl below to descend in 60 steps: 1 for the learning-rate-free ones (their own
# estimate scales it), a cap for the Polyak-type ones.
_BOWL_LR = {"lr_free": 1.0, "second_order": 1.0}
_BOWL_LR_BY_ID = {
    "adadelta": 10.0,
    "lars": 20.0,
    "fromage": 0.1,
    "adafactor": 0.1,
    "rprop": 0.1,
    "sam": 0.1,
    "mechanize": 1.0,
}


@pytest.mark.parametrize("optimizer_id", list(optimizers.OPTIMIZERS))
def test_every_optimizer_descends_through_the_engine(optimizer_id):
    """The contract in the engine: each entry (a wrapper around SGD; the ones that need the loss, a line search's
    function or a Hessian estimate get them) runs a Scene on a bowl, stays finite and lowers the loss."""
    from engine.simulate import run

    entry = optimizers.OPTIMIZERS[optimizer_id]
    spec: dict[str, Any] = {"id": optimizer_id}
    if entry.wraps:
        spec["inner"] = {"id": "sgd"}
    lr = _BOWL_LR_BY_ID.get(optimizer_id, _BOWL_LR.get(entry.family, 0.1))
    scene = Scene.build(
        {
            "surface": {"id": "quadratic"},
            "starts": [[3.0, -2.0], [-1.0, 2.5]],
            "optimizers": [spec],
            "lr": lr,
            "steps": 60,
            "dtype": "float64",
        }
    )
    result = run(scene, inspect=True)
    assert np.all(np.isfinite(result.loss)) and np.all(np.isfinite(result.positions))
    assert np.all(result.loss[:, -1] < 0.9 * result.loss[:, 0]), f"{optimizer_id}: {result.loss[:, [0, -1]]}"
    assert result.grad_evals.shape == result.loss.shape
    from engine.simulate import CONVERGED

    ends = np.where(result.status == CONVERGED, result.status_step, scene.steps)
    moving = np.arange(scene.steps)[None, :] < ends[:, None]  # the steps before a run converged
    spent = np.diff(result.grad_evals, axis=1)
    assert np.all(spent[moving] >= 1), "at least one gradient evaluation per step"
    assert np.all(spent[~moving] == 0), "none once converged (the engine steps a converged run on in place)"
    for name, values in result.internals.items():
        assert values.shape == result.positions.shape, name


@pytest.mark.parametrize(
    "wrapper_id", [key for key, entry in optimizers.OPTIMIZERS.items() if entry.wraps and not entry.passes_extra_args]
)
def test_the_scene_refuses_a_wrapper_around_an_optimizer_it_cannot_feed(wrapper_id):
    """SAM passes its inner optimizer only gradients: one that needs the loss, a line search's function or a Hessian
    estimate is refused when the Scene is built (not later, in the engine), with what to choose instead."""
    needy = [key for key, entry in optimizers.OPTIMIZERS.items() if entry.extra_args and not entry.wraps]
    assert {"lbfgs", "polyak_sgd", "momo", "sophia"} <= set(needy)
    for inner_id in needy:
        with pytest.raises(SceneError) as error:
            Scene.build({"optimizers": [{"id": wrapper_id, "inner": {"id": inner_id}}]})
        message = str(error.value)
        assert f"{wrapper_id} cannot wrap {inner_id}: {inner_id} needs" in message
        assert "choose an inner optimizer that needs only the gradient" in message
    Scene.build({"optimizers": [{"id": wrapper_id, "inner": {"id": "adam"}}]})
