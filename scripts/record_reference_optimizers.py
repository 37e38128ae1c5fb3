"""Record reference implementations' trajectories for our optimizers' equivalents (tests/data/).

Each case names one of our optimizers with its parameters, and the reference (``torch.optim``, or the
authors' package on the package index) that its ``Equivalent`` record or its docstring says gives the
same steps, with the arguments mapped, or that differs in the way its docstring says (``differs``). Where
the authors publish nothing on the package index, pytorch_optimizer (a maintained collection that follows
their code) stands in. The reference runs 50 steps in float64 from a fixed start on a rotated quadratic
and on Rosenbrock's function, one ``optimizer.step(closure)`` per step, and the points after a few steps
are stored. tests/test_reference_optimizers.py compares our optimizers with
the recorded points always, and with the references themselves when they are importable.

None of the references is a dependency of the project; run this in a throwaway environment:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install torch==2.13.0 numpy schedulefree==1.4.1 \
        prodigyopt==1.1.2 dadaptation==3.2 dog-optimizer==1.0.3 lion-pytorch==0.2.5 adabelief-pytorch==0.2.1 \
        madgrad==1.3 torch-optimizer==0.3.0 mechanic-pytorch==0.0.1 sophia-opt==0.2.2 adan-pytorch==0.1.0 \
        pytorch_optimizer==4.1.0 momo-opt==0.1.0
    /tmp/refenv/bin/python scripts/record_reference_optimizers.py

It imports nothing of the project, so that it runs there; the project's tests import it (for its cases and
problems) without the references.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "reference_optimizers.json"

STEPS = 50
RECORD_AT = (1, 2, 3, 5, 10, 25, 50)  # the steps whose points are stored (the start is the case's)

# --- problems: written with + and * only, so that the same function takes a torch tensor or a jax array ----------

_ANGLE = 0.5
_C, _S = math.cos(_ANGLE), math.sin(_ANGLE)
# A = R diag(1, 10) Rᵀ, R the rotation by 0.5 rad; b = (0.3, −0.7) (tests/test_optimizers.py's rotated quadratic)
_A = (
    (_C * _C + 10 * _S * _S, _C * _S - 10 * _S * _C),
    (_C * _S - 10 * _S * _C, _S * _S + 10 * _C * _C),
)
_B = (0.3, -0.7)


def quadratic(p: Any) -> Any:
    """½pᵀAp + bᵀp, A with eigenvalues 1 and 10 rotated by 0.5 rad."""
    x, y = p[0], p[1]
    return 0.5 * (_A[0][0] * x * x + 2 * _A[0][1] * x * y + _A[1][1] * y * y) + _B[0] * x + _B[1] * y


def rosenbrock(p: Any) -> Any:
    """(1 − x)² + 100 (y − x²)²."""
    x, y = p[0], p[1]
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)


def bowl(p: Any) -> Any:
    """½(x² + 10y²): axis-aligned, so that Hutchinson's estimate of the diagonal Hessian is exact."""
    x, y = p[0], p[1]
    return 0.5 * (x * x + 10 * y * y)


PROBLEMS: dict[str, tuple[Callable[[Any], Any], tuple[float, float]]] = {
    "quadratic": (quadratic, (1.0, -2.0)),
    "rosenbrock": (rosenbrock, (-1.2, 1.0)),
    "bowl": (bowl, (1.0, -2.0)),
    "rosenbrock_far": (rosenbrock, (-1.5, 2.0)),  # f = 12.5, across the valley from its floor
}
DIAGONAL_HESSIAN = {"bowl": (1.0, 10.0)}


def _ref(module: str, name: str, **kwargs: Any) -> dict[str, Any]:
    return {"module": module, "name": name, "kwargs": kwargs}


def _case(
    optimizer_id: str,
    lr: float | dict[str, float],
    reference: dict[str, Any],
    problems: tuple[str, ...] = ("quadratic", "rosenbrock"),
    *,
    params: dict[str, Any] | None = None,
    inner: dict[str, Any] | None = None,
    mode: str = "step",
    note: str = "",
    atol: float | None = None,
    agree_until: dict[str, int] | None = None,
    differs: str = "",
    steps: int = STEPS,
) -> list[dict[str, Any]]:
    """One case per problem: our ``optimizer_id`` at ``lr`` (or ``lr[problem]``) with ``params`` against
    ``reference``, whose ``lr`` is set to the same."""
    out = []
    for problem in problems:
        rate = lr[problem] if isinstance(lr, dict) else lr
        ref = {**reference, "kwargs": {**reference["kwargs"], "lr": rate}}
        if "base" in ref["kwargs"]:  # Mechanic: the base optimizer takes the LR
            base = ref["kwargs"]["base"]
            ref["kwargs"] = {**ref["kwargs"], "base": {**base, "kwargs": {**base["kwargs"], "lr": rate}}}
            del ref["kwargs"]["lr"]
        case = {"id": optimizer_id, "params": params or {}, "lr": rate, "problem": problem, "reference": ref}
        if inner is not None:
            case["inner"] = inner
        if mode != "step":
            case["mode"] = mode
        if note:
            case["note"] = note
        if atol is not None:
            case["atol"] = atol  # a documented float32 step inside optax: the agreement is to float32's precision
        if agree_until and problem in agree_until:
            case["agree_until"] = agree_until[problem]  # the last step compared; the note says why they part there
        if steps != STEPS:
            case["steps"] = steps
        if differs:
            case["differs"] = f"{differs} ({problem})"  # a documented difference: a test checks it is as stated
        out.append(case)
    return out


TORCH = "torch.optim"
_PO = "pytorch_optimizer"

# Learning rates are chosen so that each method moves visibly in 50 steps on both problems, and stays bounded.
_SGD = {"quadratic": 0.05, "rosenbrock": 1e-3}  # plain gradient steps: Rosenbrock's gradient is ~100 at the start
_SLOW = {"quadratic": 0.05, "rosenbrock": 2e-3}
_MOMO = {"quadratic": 1.0, "rosenbrock": 0.01}  # the LR caps the Polyak step
_MOMO_ADAM = {"quadratic": 0.1, "rosenbrock": 0.01}  # RAdam's first steps are momentum steps of the gradient's size
CASES: list[dict[str, Any]] = [
    # --- torch.optim ------------------------------------------------------------------------------------------------
    *_case("adamw", 0.05, _ref(TORCH, "AdamW")),
    *_case(
        "adamw",
        0.05,
        _ref(TORCH, "AdamW", betas=[0.8, 0.99], eps=1e-6, weight_decay=0.3),
        params={"b1": 0.8, "b2": 0.99, "eps": 1e-6, "weight_decay": 0.3},
    ),
    *_case("adamax", 0.05, _ref(TORCH, "Adamax")),
    *_case("amsgrad", 0.05, _ref(TORCH, "Adam", amsgrad=True)),
    *_case("nadam", 0.05, _ref(TORCH, "NAdam")),
    *_case("nadamw", 0.05, _ref(TORCH, "NAdam", weight_decay=0.01, decoupled_weight_decay=True)),
    *_case("radam", _SLOW, _ref(TORCH, "RAdam", eps=0.0), params={"eps": 0.0}),
    *_case(
        "radam",
        _SLOW,
        _ref(TORCH, "RAdam"),
        atol=1e-8,
        note="ε = 1e-8 is added to √v before the bias correction in torch, after it in optax: 1e-9 apart",
    ),
    *_case(
        "radam",
        _SLOW,
        _ref(TORCH, "RAdam", eps=0.1),
        params={"eps": 0.1},
        differs="radam: epsilon before the bias correction",
    ),
    *_case("rprop", 0.01, _ref(TORCH, "Rprop")),
    *_case(
        "adafactor",
        0.05,
        _ref(TORCH, "Adafactor"),
        atol=1e-5,
        note="optax computes the averaging weight t^-c in float32 (1e-8 relative, grown by Rosenbrock's curvature)",
    ),
    *_case(
        "lbfgs",
        1.0,
        _ref(TORCH, "LBFGS", max_iter=1, history_size=10, tolerance_grad=0.0, tolerance_change=0.0),
        params={"linesearch": "none"},
        note="max_iter = 1: one L-BFGS iteration per step, as ours; no tolerance stops. On Rosenbrock torch "
        "drops the pair of step 11, whose ⟨s, y⟩ < 0 (negative curvature), and optax keeps it",
        agree_until={"rosenbrock": 10},
    ),
    *_case(
        "lbfgs",
        1.0,
        _ref(TORCH, "LBFGS", max_iter=1, max_eval=25, history_size=10, line_search_fn="strong_wolfe"),
        problems=("quadratic",),
        atol=1e-8,
        note="both searches accept the unit steps here; torch stops once max |g| ≤ 1e-7",
    ),
    *_case(
        "lbfgs",
        1.0,
        _ref(TORCH, "LBFGS", max_iter=1, max_eval=25, history_size=10, line_search_fn="strong_wolfe"),
        problems=("rosenbrock",),
        differs="lbfgs: torch's strong-Wolfe search is not optax's zoom",
    ),
    *_case("sgd", _SGD, _ref(TORCH, "ASGD", lambd=0.0), note="ASGD with λ = 0 is SGD (it returns θ)"),
    # --- the authors' packages --------------------------------------------------------------------------------------
    *_case("schedule_free_sgd", _SGD, _ref("schedulefree", "SGDScheduleFree"), mode="schedule_free"),
    *_case("schedule_free_adamw", 0.05, _ref("schedulefree", "AdamWScheduleFree"), mode="schedule_free"),
    *_case("prodigy", 1.0, _ref("prodigyopt", "Prodigy")),
    *_case(
        "prodigy",
        1.0,
        _ref("prodigyopt", "Prodigy", use_bias_correction=True),
        params={"bias_correction": True},
    ),
    *_case(
        "prodigy",
        1.0,
        _ref("prodigyopt", "Prodigy"),
        problems=("rosenbrock_far",),
        steps=100,
        note="d grows past the valley's width and the steps bounce across it: the loss rises after step 50",
    ),
    *_case("dadapt_adamw", 1.0, _ref("dadaptation", "DAdaptAdam")),
    *_case(
        "dadapt_adamw",
        1.0,
        _ref("dadaptation", "DAdaptAdam", use_bias_correction=True),
        params={"bias_correction": True},
    ),
    *_case("dog", 1.0, _ref("dog", "DoG")),
    *_case("lion", 0.01, _ref("lion_pytorch", "Lion")),
    *_case("adabelief", _SLOW, _ref("adabelief_pytorch", "AdaBelief", print_change_log=False)),
    *_case(
        "adabelief",
        0.05,
        _ref("adabelief_pytorch", "AdaBelief", rectify=False, print_change_log=False),
        params={"rectify": False},
    ),
    *_case("adan", _SLOW, _ref("pytorch_optimizer", "Adan"), note="pytorch_optimizer's Adan follows the authors' code"),
    *_case(
        "adan",
        _SLOW,
        _ref("pytorch_optimizer", "Adan", weight_decay=0.1, weight_decouple=True),
        params={"weight_decay": 0.1},
    ),
    *_case(
        "adan",
        _SLOW,
        _ref("adan_pytorch", "Adan", betas=[0.02, 0.08, 0.01]),
        differs="adan: adan-pytorch leaves out the first gradient",
    ),
    *_case("momo", _MOMO, _ref("momo", "Momo"), note="lb = 0: the bound ours passes as f* − δ (min_value = 0)"),
    *_case("momo", _MOMO, _ref("momo", "Momo", use_fstar=True), params={"adapt_lower_bound": True}),
    *_case(
        "momo",
        _MOMO,
        _ref("momo", "Momo", weight_decay=0.1),
        params={"weight_decay": 0.1},
        differs="momo: weight decay divides theta only",
    ),
    *_case("momo_adam", _MOMO_ADAM, _ref("momo", "MomoAdam")),
    *_case(
        "momo_adam",
        _MOMO_ADAM,
        _ref("momo", "MomoAdam", weight_decay=0.1),
        params={"weight_decay": 0.1},
        differs="momo_adam: weight decay divides theta only",
    ),
    *_case(
        "sam",
        _SGD,
        _ref(_PO, "SAM", base=_ref(TORCH, "SGD")),
        inner={"id": "sgd"},
        mode="sam",
        atol=1e-7,
        note="pytorch_optimizer's SAM (the authors' is in JAX, not on the package index); ρ = 0.05; it takes the "
        "gradient's norm in float32",
    ),
    *_case(
        "sam",
        0.05,
        _ref(_PO, "SAM", base=_ref(TORCH, "Adam"), rho=0.2),
        params={"rho": 0.2},
        inner={"id": "adam"},
        mode="sam",
        atol=1e-7,
    ),
    # pytorch_optimizer (kozistr): not the authors', but a maintained collection that follows their code
    *_case("adopt", 0.05, _ref(_PO, "ADOPT")),
    *_case("ademamix", 0.05, _ref(_PO, "AdEMAMix")),
    *_case("fromage", 0.05, _ref(_PO, "Fromage")),
    *_case(
        "sm3",
        0.5,
        _ref(_PO, "SM3", eps=1e-8),
        params={"momentum": 0.0},
        note="optax's ε (1e-8, fixed); pytorch_optimizer's default is 1e-30",
    ),
    *_case("signum", 0.01, _ref(_PO, "SignSGD")),
    *_case("sign_sgd", 0.01, _ref(_PO, "SignSGD", momentum=0.0)),
    *_case(
        "lars",
        20.0,
        _ref(_PO, "LARS"),
        mode="matrix",
        note="a 1×2 matrix: pytorch_optimizer leaves vectors (biases) unscaled by the trust ratio",
    ),
    *_case(
        "madgrad",
        0.05,
        _ref("madgrad", "MADGRAD"),
        atol=1e-7,
        note="optax takes √(k + 1) of the int32 step count in float32 (1e-8 relative)",
    ),
    *_case(
        "lamb",
        0.05,
        _ref("torch_optimizer", "Lamb", eps=0.0),
        params={"eps": 0.0},
        note="ε = 0: the trust ratio then cancels Adam's bias correction; ‖θ‖ < 10 (torch-optimizer's clamp)",
    ),
    *_case(
        "lamb",
        0.05,
        _ref("torch_optimizer", "Lamb", eps=0.0, debias=True),
        params={"eps": 0.0},
        differs="lamb: debias scales the step length",
    ),
    *_case("novograd", 0.05, _ref("torch_optimizer", "NovoGrad", betas=[0.9, 0.25], eps=1e-6)),
    *_case(
        "novograd",
        0.05,
        _ref("torch_optimizer", "NovoGrad"),
        params={"b1": 0.95, "b2": 0.0, "eps": 1e-8},
        note="torch-optimizer's own defaults, which its Equivalent brings along",
    ),
    *_case(
        "mechanize",
        1.0,
        _ref("mechanic_pytorch", "mechanize", base=_ref(TORCH, "SGD")),
        inner={"id": "sgd"},
        differs="mechanize: mechanic-pytorch's own tuner",
    ),
    *_case(
        "sophia",
        0.05,
        _ref("sophia_opt", "SophiaG", betas=[0.0, 0.99], rho=0.01, weight_decay=1e-4),
        problems=("bowl",),
        params={"b1": 0.0, "update_interval": 1},
        mode="sophia",
        note="bs = 1, ρ = γ; SophiaG fed the exact diagonal Hessian, which ours' Hutchinson estimate is on an "
        "axis-aligned bowl; β₁ = 0, where optax's bias correction of m is none",
    ),
    *_case(
        "sophia",
        0.05,
        _ref("sophia_opt", "SophiaG", rho=1.0, weight_decay=1e-4),
        problems=("bowl",),
        params={"update_interval": 1, "gamma": 1.0},
        mode="sophia",
        differs="sophia: no bias correction of m in SophiaG",
    ),
]


def _label(case: dict[str, Any]) -> str:
    ref = case["reference"]
    kwargs = ",".join(f"{k}={v}" for k, v in sorted(ref["kwargs"].items()) if k not in ("lr", "base"))
    return f"{case['id']}-{ref['module']}.{ref['name']}({kwargs})-{case['problem']}"


def _build(torch: Any, reference: dict[str, Any], params: list[Any]) -> Any:
    module = importlib.import_module(reference["module"])
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in reference["kwargs"].items()}
    if "base" in kwargs:  # a wrapper of an inner optimizer's class, which takes the inner's arguments
        base = kwargs.pop("base")
        base_class = getattr(importlib.import_module(base["module"]), base["name"])
        base_kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in base["kwargs"].items()}
        if reference["name"] == "mechanize":  # mechanize(torch.optim.SGD)(params, lr=...)
            return getattr(module, reference["name"])(base_class)(params, **base_kwargs, **kwargs)
        # SAM(params, base_optimizer=torch.optim.SGD, rho=..., lr=...)
        return getattr(module, reference["name"])(params, base_optimizer=base_class, **base_kwargs, **kwargs)
    with contextlib.redirect_stdout(io.StringIO()):  # adabelief-pytorch prints its defaults
        return getattr(module, reference["name"])(params, **kwargs)


def reference_points(torch: Any, case: dict[str, Any]) -> dict[str, list[float]]:
    """The reference's points after the steps in RECORD_AT (the returned point, for a schedule-free method)."""
    fn, start = PROBLEMS[case["problem"]]
    mode = case.get("mode", "step")
    # "matrix": the point as a 1×2 matrix, for a reference that scales only matrices by their norm (LARS)
    param = torch.tensor([start] if mode == "matrix" else start, dtype=torch.float64, requires_grad=True)
    optimizer = _build(torch, case["reference"], [param])
    if mode == "matrix":
        vector = fn
        fn = lambda p: vector(p[0])  # noqa: E731
    if mode == "schedule_free":
        optimizer.train()

    def closure():
        optimizer.zero_grad()
        with torch.enable_grad():  # Mechanic calls it with gradients off
            loss = fn(param)
            loss.backward()
        return loss

    points = {}
    steps = case.get("steps", STEPS)
    for k in range(1, steps + 1):
        if mode == "sophia":
            # the authors' loop: the step, then (every k steps; here k = 1) a new Hessian estimate for the next ones.
            # update_hessian() averages grad² (Gauss-Newton-Bartlett); with grad = √h it averages the exact diagonal h,
            # which is also what Hutchinson's estimate gives on an axis-aligned bowl
            optimizer.step(closure, bs=1)
            with torch.no_grad():
                param.grad = torch.sqrt(torch.tensor(DIAGONAL_HESSIAN[case["problem"]], dtype=torch.float64))
            optimizer.update_hessian()
        elif mode == "sam":  # the gradient at the point first, then the ascent step and the inner step
            closure()
            optimizer.step(closure)
        else:
            optimizer.step(closure)
        if k in RECORD_AT or k == steps:
            if mode == "schedule_free":
                optimizer.eval()
                points[str(k)] = param.detach().tolist()
                optimizer.train()
            else:
                points[str(k)] = param.detach().reshape(-1).tolist()
    return points


def package_names(reference_modules: set[str]) -> dict[str, Any]:
    """The modules' versions and public class names, to check the equivalents' names against."""
    out: dict[str, Any] = {}
    for name in sorted(reference_modules):
        module = importlib.import_module(name)
        top = importlib.import_module(name.split(".")[0])
        version = getattr(top, "__version__", None)
        if version is None:
            from importlib import metadata

            dist = {"dog": "dog-optimizer", "lion_pytorch": "lion-pytorch", "adabelief_pytorch": "adabelief-pytorch"}
            dist |= {"mechanic_pytorch": "mechanic-pytorch", "sophia_opt": "sophia-opt", "madgrad": "madgrad"}
            dist |= {"schedulefree": "schedulefree", "prodigyopt": "prodigyopt", "dadaptation": "dadaptation"}
            dist |= {"adan_pytorch": "adan-pytorch", "pytorch_optimizer": "pytorch_optimizer", "momo": "momo-opt"}
            with contextlib.suppress(metadata.PackageNotFoundError):
                version = metadata.version(dist.get(name, name))
        top_name = name.split(".")[0]
        names = sorted(
            n
            for n in dir(module)
            if not n.startswith("_")
            and callable(getattr(module, n))
            and getattr(getattr(module, n), "__module__", "").split(".")[0] == top_name
        )
        out[name] = {"version": str(version), "names": names}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    import torch

    warnings.simplefilter("ignore")  # the packages' deprecation notes are not ours to act on
    torch.set_default_dtype(torch.float64)  # Mechanic keeps its own state in the default dtype
    recorded = [{**case, "points": reference_points(torch, case)} for case in CASES]
    modules = {case["reference"]["module"] for case in CASES} | {TORCH, "torch_optimizer"}
    data = {"libraries": package_names(modules), "steps": STEPS, "cases": recorded}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    compact = {"separators": (",", ":")}
    head = json.dumps({k: v for k, v in data.items() if k != "cases"}, **compact)[:-1]
    lines = ",\n".join(json.dumps(case, **compact) for case in recorded)  # one case per line: readable diffs
    args.output.write_text(f'{head},"cases":[\n{lines}\n]}}\n', encoding="utf-8")
    print(f"wrote {len(recorded)} cases to {args.output}")


if __name__ == "__main__":
    main()
