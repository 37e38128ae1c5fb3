"""A Scene as the page's widget values, and back: pure dict work, no Streamlit.

Widget keys are stable and carry the entry's id where values belong to one entry
(``surface.rosenbrock.b``, ``opt.0.momentum.momentum``), so switching the surface or an
optimizer and back keeps what the person typed. Presets, links and uploaded files load
by writing these values; the page builds its Scene from them and validates it once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pydantic

import landscapes
import optimizers
import schedules
from common.params import FloatListParam, FormulaParam, StepsListParam, StepsParam
from engine.scene import Scene
from ui import task_state

MAX_SLOTS = 12  # optimizers or schedules on the page (the Scene allows more; files keep them)


def number_range(model: type[pydantic.BaseModel], name: str, *, floor: float | None = None) -> tuple[Any, Any]:
    """``(min_value, max_value)`` for a number widget of the field ``name`` of a Scene model: the model's own
    bounds, so that a widget never offers what validation refuses, nor refuses what it accepts.

    Where the model's lower bound is open (``> 0``), the widget needs a smallest value: ``floor``, inside it.
    """
    low = high = None
    open_low = False
    for rule in model.model_fields[name].metadata:  # annotated-types bounds: Ge, Gt, Le (pydantic's Field)
        if getattr(rule, "ge", None) is not None:
            low = rule.ge
        elif getattr(rule, "gt", None) is not None:
            low, open_low = rule.gt, True
        elif getattr(rule, "le", None) is not None:
            high = rule.le
    if low is None or high is None:
        raise ValueError(f"{model.__name__}.{name} has no lower or upper bound for a number widget to show")
    if open_low:
        if floor is None or not floor > low:
            raise ValueError(f"{model.__name__}.{name} must be > {low}: give the widget a floor above it, got {floor=}")
        low = floor
    elif floor is not None:
        raise ValueError(f"{model.__name__}.{name} includes its lower bound {low}; it needs no floor, got {floor=}")
    return low, high


def surface_key(surface_id: str, name: str) -> str:
    return f"surface.{surface_id}.{name}"


def optimizer_key(slot: int, optimizer_id: str, name: str, inner: bool = False) -> str:
    return f"opt.{slot}.{'inner.' if inner else ''}{optimizer_id}.{name}"


def schedule_key(slot: int, schedule_id: str, name: str) -> str:
    return f"sched.{slot}.{schedule_id}.{name}"


def to_widget(spec: Any, value: Any) -> Any:
    """A Scene parameter value as its widget shows it (lists as ``100/300/400``, unset as None)."""
    if isinstance(spec, (StepsListParam, FloatListParam)):
        if value is None:
            return ""
        return "/".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if value is None and not isinstance(spec, StepsParam):
        return spec.default
    return value


def from_widget(spec: Any, value: Any) -> Any:
    """A widget's value as Scene data; ``None`` means "leave unset" (default, or scaled with T)."""
    if isinstance(spec, (StepsListParam, FloatListParam)):
        text = (value or "").strip()
        if not text:
            return None
        parts = [p.strip() for p in text.replace(",", "/").split("/") if p.strip()]
        numbers: list[Any] = []
        for part in parts:
            try:
                number = float(part)
            except ValueError:
                return text  # the Scene rejects it with a message naming the field
            numbers.append(int(number) if isinstance(spec, StepsListParam) and number.is_integer() else number)
        return numbers
    if isinstance(spec, StepsParam):
        return None if value is None else int(value)
    if isinstance(spec, FormulaParam):
        return value
    if value is None:
        return None
    default = getattr(spec, "default", None)
    if isinstance(default, float) and isinstance(value, (int, float)) and math.isclose(value, default, rel_tol=1e-12):
        return None
    if value == default:
        return None
    return value


def _params_to_widgets(specs: Mapping[str, Any], params: Mapping[str, Any], key: Any) -> dict[str, Any]:
    return {key(name): to_widget(spec, params.get(name)) for name, spec in specs.items()}


def _params_from_widgets(specs: Mapping[str, Any], values: Mapping[str, Any], key: Any) -> dict[str, Any]:
    params = {}
    for name, spec in specs.items():
        if key(name) in values:
            value = from_widget(spec, values[key(name)])
            if value is not None:
                params[name] = value
    return params


def scene_to_widgets(scene: Scene) -> dict[str, Any]:
    """Every widget value that shows ``scene``."""
    values: dict[str, Any] = {}
    surface = landscapes.SURFACES[scene.surface.id]
    values["surface"] = scene.surface.id
    values.update(_params_to_widgets(surface.params, scene.surface.params, lambda n: surface_key(surface.id, n)))
    values["starts"] = [list(map(float, p)) for p in scene.starts]
    values["perturbations"] = [list(map(float, p)) for p in scene.perturbations]
    values["n_opt"] = min(len(scene.optimizers), MAX_SLOTS)
    for slot, spec in enumerate(scene.optimizers[:MAX_SLOTS]):
        entry = optimizers.OPTIMIZERS[spec.id]
        values[f"opt.{slot}.id"] = spec.id
        values.update(
            _params_to_widgets(entry.params, spec.params, lambda n, s=slot, i=spec.id: optimizer_key(s, i, n))
        )
        if spec.inner is not None:
            inner = optimizers.OPTIMIZERS[spec.inner.id]
            values[f"opt.{slot}.inner"] = spec.inner.id
            values.update(
                _params_to_widgets(
                    inner.params, spec.inner.params, lambda n, s=slot, i=spec.inner.id: optimizer_key(s, i, n, True)
                )
            )
    values["n_sched"] = min(len(scene.schedules), MAX_SLOTS)
    for slot, spec in enumerate(scene.schedules[:MAX_SLOTS]):
        entry = schedules.SCHEDULES[spec.id]
        values[f"sched.{slot}.id"] = spec.id
        values.update(_params_to_widgets(entry.params, spec.params, lambda n, s=slot, i=spec.id: schedule_key(s, i, n)))
        values[f"sched.{slot}.lr"] = spec.lr
        values[f"sched.{slot}.warmup"] = "none" if spec.warmup is None else spec.warmup.kind
        values[f"sched.{slot}.warmup_steps"] = None if spec.warmup is None else spec.warmup.steps
        values[f"sched.{slot}.warmup_factor"] = 0.1 if spec.warmup is None else spec.warmup.start_factor
    values["lr"] = scene.lr
    values["steps"] = scene.steps
    values["clip_on"] = scene.clip is not None
    values["clip"] = 1.0 if scene.clip is None else scene.clip
    values["noise_sigma"] = scene.noise.sigma
    values["noise_seed"] = scene.noise.seed
    values["tolerance"] = scene.tolerance
    values["dtype"] = scene.dtype
    values.update(task_state.task_to_widgets(scene))  # a network instead of the surface (ui/task_state.py)
    return values


def widgets_to_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """Scene data from widget values (validate it with ``Scene.build``)."""
    surface_id = values.get("surface", "rosenbrock")
    surface = landscapes.SURFACES.get(surface_id)
    data: dict[str, Any] = {
        "surface": {
            "id": surface_id,
            "params": _params_from_widgets(surface.params, values, lambda n: surface_key(surface_id, n))
            if surface
            else {},
        },
        "starts": values.get("starts", []),
        "perturbations": values.get("perturbations") or [[0.0, 0.0]],
        "optimizers": [],
        "schedules": [],
        "lr": values.get("lr", 1e-3),
        "steps": values.get("steps", 500),
        "clip": values.get("clip") if values.get("clip_on", True) else None,
        "noise": {"sigma": values.get("noise_sigma", 0.0), "seed": values.get("noise_seed", 0)},
        "tolerance": values.get("tolerance", 1e-4),
        "dtype": values.get("dtype", "float32"),
    }
    for slot in range(values.get("n_opt", 1)):
        optimizer_id = values.get(f"opt.{slot}.id", "sgd")
        entry = optimizers.OPTIMIZERS.get(optimizer_id)
        spec: dict[str, Any] = {"id": optimizer_id, "params": {}}
        if entry is not None:
            spec["params"] = _params_from_widgets(
                entry.params, values, lambda n, s=slot, i=optimizer_id: optimizer_key(s, i, n)
            )
            if entry.wraps:
                inner_id = values.get(f"opt.{slot}.inner", "sgd")
                inner = optimizers.OPTIMIZERS.get(inner_id)
                spec["inner"] = {
                    "id": inner_id,
                    "params": _params_from_widgets(
                        inner.params, values, lambda n, s=slot, i=inner_id: optimizer_key(s, i, n, True)
                    )
                    if inner
                    else {},
                }
        data["optimizers"].append(spec)
    for slot in range(values.get("n_sched", 1)):
        schedule_id = values.get(f"sched.{slot}.id", "constant_lr")
        entry = schedules.SCHEDULES.get(schedule_id)
        sched: dict[str, Any] = {"id": schedule_id, "params": {}}
        if entry is not None:
            sched["params"] = _params_from_widgets(
                entry.params, values, lambda n, s=slot, i=schedule_id: schedule_key(s, i, n)
            )
        if values.get(f"sched.{slot}.lr") is not None:
            sched["lr"] = values[f"sched.{slot}.lr"]
        warmup = values.get(f"sched.{slot}.warmup", "none")
        if warmup != "none":
            sched["warmup"] = {
                "kind": warmup,
                "steps": values.get(f"sched.{slot}.warmup_steps"),
                "start_factor": values.get(f"sched.{slot}.warmup_factor", 0.1),
            }
        data["schedules"].append(sched)
    return task_state.with_task(values, data)
