"""Record torch.optim.lr_scheduler's LR sequences for our schedules' torch equivalents (tests/data/).

Each case names one of our schedules with its parameters, and the torch scheduler (or composition)
that its ``Equivalent`` record says gives the same LRs, with the arguments mapped. torch is stepped
as a training loop steps it: the LR of update ``k`` is the optimizer's LR after ``k`` calls to
``scheduler.step()`` (``step(loss)`` for ReduceLROnPlateau, with the loss of update ``k``), each
after ``optimizer.step()``. tests/test_schedule_equivalents.py compares our tables with the recorded
values always, and with torch itself when it is importable.

torch is not a dependency of the project; run this in a throwaway environment:

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python scripts/record_torch_schedules.py

It imports nothing of the project, so that it runs there.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_schedules.json"

T = 500  # the reference's run length
LR = 0.01

# LambdaLR and MultiplicativeLR take functions; a case names one of these.
LAMBDAS = {
    "half_every_100": lambda k: 0.5 ** (k / 100),  # lambda_lr's default formula at T = 500
    "exp_minus_0.009": lambda k: math.exp(-0.009),  # expoloffe_lr's default α, as a factor per step
}


def _losses(steps: int) -> list[float]:
    """A loss that falls, stalls, improves by less than the threshold, falls again and ends flat."""
    out = []
    for k in range(steps):
        if k < 40:
            out.append(1.0 / (1.0 + 0.2 * k) + 0.01 * math.sin(1.7 * k))
        elif k < 90:
            out.append(0.12 - 1e-6 * k)  # improves, but by less than a relative 1e-4
        elif k < 140:
            out.append(0.12 * 0.97 ** (k - 89))
        else:
            out.append(0.05)
    return out


def _sched(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"class": name, "kwargs": kwargs}


def _composite(name: str, schedulers: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    return {"class": name, "schedulers": schedulers, "kwargs": kwargs}


def _case(
    schedule_id: str,
    equivalent: str,
    torch: dict[str, Any],
    params: dict[str, Any] | None = None,
    *,
    lr: float = LR,
    steps: int = T,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": schedule_id,
        "equivalent": equivalent,
        "params": params or {},
        "lr": lr,
        "steps": steps,
        "torch": torch,
        **extra,
    }


# (our schedule and parameters) = (torch's scheduler and the arguments its Equivalent record maps them to)
CASES = [
    _case("step_lr", "StepLR", _sched("StepLR", step_size=5, gamma=0.95)),
    _case("step_lr", "StepLR", _sched("StepLR", step_size=30, gamma=0.1), {"step_size": 30, "gamma": 0.1}),
    _case("multistep_lr", "MultiStepLR", _sched("MultiStepLR", milestones=[100, 300, 400], gamma=0.1)),
    _case(
        "multistep_lr",
        "MultiStepLR",
        _sched("MultiStepLR", milestones=[50, 50, 120], gamma=0.5),
        {"milestones": [50, 50, 120], "gamma": 0.5},
    ),
    _case("linear_lr", "LinearLR", _sched("LinearLR", start_factor=1.0, end_factor=1e-4 / LR, total_iters=400)),
    _case(
        "baseloss_lr",
        "ReduceLROnPlateau",
        _sched("ReduceLROnPlateau", mode="min", factor=0.7, patience=10, threshold=1e-4, cooldown=4, min_lr=1e-4),
        losses=_losses(T),
    ),
    _case(  # torch's defaults, as the Equivalent's defaults bring them
        "baseloss_lr",
        "ReduceLROnPlateau",
        _sched("ReduceLROnPlateau"),
        {"factor": 0.1, "patience": 10, "cooldown": 0, "min_lr": 0.0},
        lr=1.0,
        losses=_losses(T),
    ),
    _case("polychen_lr", "PolynomialLR", _sched("PolynomialLR", total_iters=T, power=0.9), plus_after_0=1e-8),
    _case("expoloffe_lr", "ExponentialLR", _sched("ExponentialLR", gamma=math.exp(-0.009))),
    _case("expoloffe_lr", "MultiplicativeLR", _sched("MultiplicativeLR", lr_lambda="exp_minus_0.009")),
    _case("cosine_lr", "CosineAnnealingLR", _sched("CosineAnnealingLR", T_max=T, eta_min=1e-7)),
    _case("cosine_lr", "CosineAnnealingLR", _sched("CosineAnnealingLR", T_max=T), {"eta_min": 0.0}),
    _case(
        "triangular_lr",
        "CyclicLR",
        _sched("CyclicLR", base_lr=1e-4, max_lr=0.1, step_size_up=50, mode="triangular", cycle_momentum=False),
    ),
    _case(
        "triangular2_lr",
        "CyclicLR",
        _sched("CyclicLR", base_lr=1e-4, max_lr=0.1, step_size_up=50, mode="triangular2", cycle_momentum=False),
    ),
    _case(
        "triangularexp_lr",
        "CyclicLR",
        _sched(
            "CyclicLR",
            base_lr=1e-4,
            max_lr=0.1,
            step_size_up=50,
            mode="exp_range",
            gamma=0.995,
            cycle_momentum=False,
        ),
    ),
    _case("cosineclr_lr", "CosineAnnealingLR", _sched("CosineAnnealingLR", T_max=50, eta_min=1e-7)),
    _case("sgdres_lr", "CosineAnnealingWarmRestarts", _sched("CosineAnnealingWarmRestarts", T_0=100, T_mult=1)),
    _case("sgdrnes_lr", "CosineAnnealingWarmRestarts", _sched("CosineAnnealingWarmRestarts", T_0=50, T_mult=2)),
    _case(
        "sgdres_lr",
        "CosineAnnealingWarmRestarts",
        _sched("CosineAnnealingWarmRestarts", T_0=30, T_mult=3, eta_min=1e-3),
        {"period": 30, "t_mult": 3, "eta_min": 1e-3},
    ),
    _case(
        "cwarmmultistep_lr",
        "ChainedScheduler",
        _composite(
            "ChainedScheduler",
            [
                _sched("ConstantLR", factor=0.01, total_iters=31),
                _sched("MultiStepLR", milestones=[250, 450], gamma=0.1),
            ],
        ),
    ),
    _case(
        "lwarmmultistep_lr",
        "ChainedScheduler",
        _composite(
            "ChainedScheduler",
            [_sched("LinearLR", start_factor=0.5, total_iters=150), _sched("MultiStepLR", milestones=[300, 400])],
        ),
    ),
    _case(
        "lwarmcosine_lr",
        "SequentialLR",
        _composite(
            "SequentialLR",
            [
                _sched("LinearLR", start_factor=1 / 3, total_iters=100),
                _sched("CosineAnnealingLR", T_max=400, eta_min=1e-7),
            ],
            milestones=[100],
        ),
    ),
    _case(
        "exponential_decay",
        "ExponentialLR",
        _sched("ExponentialLR", gamma=0.99),
        {"decay_steps": 1, "decay_rate": 0.99},
    ),
    _case(
        "polynomial_decay",
        "PolynomialLR",
        _sched("PolynomialLR", total_iters=300, power=2.0),
        {"end_lr": 0.0, "decay_steps": 300, "power": 2.0},
    ),
    _case("cosine_decay", "CosineAnnealingLR", _sched("CosineAnnealingLR", T_max=T)),
    _case(
        "cosine_decay",
        "CosineAnnealingLR",
        _sched("CosineAnnealingLR", T_max=T, eta_min=0.1 * LR),
        {"alpha": 0.1},
    ),
    _case("lambda_lr", "LambdaLR", _sched("LambdaLR", lr_lambda="half_every_100")),
    _case("linearfactor_lr", "LinearLR", _sched("LinearLR", start_factor=1 / 3, end_factor=1.0, total_iters=50)),
    _case(
        "linearfactor_lr",
        "LinearLR",
        _sched("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=300),
        {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 300},
    ),
    _case("constantfactor_lr", "ConstantLR", _sched("ConstantLR", factor=1 / 3, total_iters=50)),
    _case(
        "lwarmexp_lr",
        "SequentialLR",
        _composite(
            "SequentialLR",
            [_sched("LinearLR", start_factor=0.1, total_iters=50), _sched("ExponentialLR", gamma=0.5 ** (1 / 100))],
            milestones=[50],
        ),
    ),
    _case("onecycle_lr", "OneCycleLR", _sched("OneCycleLR", max_lr=LR, total_steps=T, cycle_momentum=False)),
    _case(
        "onecycle_lr",
        "OneCycleLR",
        _sched(
            "OneCycleLR", max_lr=LR, total_steps=T, anneal_strategy="linear", three_phase=True, cycle_momentum=False
        ),
        {"anneal": "linear", "three_phase": True},
    ),
    _case(  # pT = 99.9: the phase ends are fractional steps
        "onecycle_lr",
        "OneCycleLR",
        _sched(
            "OneCycleLR",
            max_lr=0.05,
            total_steps=333,
            pct_start=0.3,
            div_factor=10.0,
            final_div_factor=100.0,
            three_phase=True,
            cycle_momentum=False,
        ),
        {"div_factor": 10.0, "final_div_factor": 100.0, "three_phase": True},
        lr=0.05,
        steps=333,
    ),
    _case(
        "wsd_lr",
        "SequentialLR",
        _composite(
            "SequentialLR",
            [
                _sched("LinearLR", start_factor=0.01, total_iters=25),
                _sched("ConstantLR", factor=1.0, total_iters=1),
                _sched("LinearLR", start_factor=1.0, end_factor=0.0, total_iters=100),
            ],
            milestones=[25, 400],
        ),
        {"shape": "linear"},
    ),
    _case(
        "wsd_lr",
        "SequentialLR",
        _composite(
            "SequentialLR",
            [
                _sched("LinearLR", start_factor=0.2, total_iters=40),
                _sched("ConstantLR", factor=1.0, total_iters=1),
                _sched("CosineAnnealingLR", T_max=150, eta_min=0.1 * LR),
            ],
            milestones=[40, 350],
        ),
        {"shape": "cosine", "warmup_steps": 40, "warmup_factor": 0.2, "cooldown_fraction": 0.3, "final_factor": 0.1},
    ),
]


def _build(torch: Any, optimizer: Any, spec: dict[str, Any]) -> Any:
    """The torch scheduler ``spec`` describes, on ``optimizer``."""
    schedulers = torch.optim.lr_scheduler
    kwargs = dict(spec.get("kwargs", {}))
    if "lr_lambda" in kwargs:
        kwargs["lr_lambda"] = LAMBDAS[kwargs["lr_lambda"]]
    cls = getattr(schedulers, spec["class"])
    if "schedulers" in spec:
        inner = [_build(torch, optimizer, s) for s in spec["schedulers"]]
        if spec["class"] == "ChainedScheduler":
            return cls(inner, optimizer=optimizer)
        return cls(optimizer, schedulers=inner, **kwargs)
    return cls(optimizer, **kwargs)


def torch_lrs(torch: Any, case: dict[str, Any]) -> list[float]:
    """The LR of each update under torch's scheduler, stepped as a training loop steps it (float64)."""
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=case["lr"])
    scheduler = _build(torch, optimizer, case["torch"])
    losses = case.get("losses")
    lrs = []
    for k in range(case["steps"]):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        param.grad = torch.ones_like(param)
        optimizer.step()
        if k == case["steps"] - 1:
            break  # OneCycleLR refuses a step past total_steps
        if losses is not None:
            scheduler.step(losses[k])
        else:
            scheduler.step()
    return lrs


def torch_names(torch: Any) -> dict[str, list[str]]:
    """The public names of torch.optim.lr_scheduler and torch.optim, to check the equivalents' names against."""
    modules = {"torch.optim.lr_scheduler": torch.optim.lr_scheduler, "torch.optim": torch.optim}
    return {
        name: sorted(n for n in module.__all__ if isinstance(getattr(module, n), type))
        for name, module in modules.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    import warnings

    import torch

    warnings.simplefilter("ignore")  # torch's deprecation notes about schedulers are not ours to act on
    torch.set_default_dtype(torch.float64)
    recorded = [{**case, "values": torch_lrs(torch, case)} for case in CASES]
    data = {"torch": torch.__version__, "names": torch_names(torch), "cases": recorded}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    compact = {"separators": (",", ":")}
    head = json.dumps({k: v for k, v in data.items() if k != "cases"}, **compact)[:-1]
    lines = ",\n".join(json.dumps(case, **compact) for case in recorded)  # one case per line: readable diffs
    args.output.write_text(f'{head},"cases":[\n{lines}\n]}}\n', encoding="utf-8")
    print(f"wrote {len(recorded)} cases (torch {torch.__version__}) to {args.output}")


if __name__ == "__main__":
    main()
