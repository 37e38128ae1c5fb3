"""A task scene's widget values, and back: pure dict work, no Streamlit (the task's part of :mod:`ui.state`).

The keys (the sidebar's contract; :func:`ui.tasks.task_controls` draws the widgets):

- ``task``: the task's id, or None for a scene on a surface. A scene with a task has no surface, start points,
  perturbations, gradient noise or tolerance: their widgets are ignored while ``task`` is set.
- ``task.<task id>.<parameter>``: the task's parameters (as ``surface.<surface id>.<parameter>``), so that
  switching tasks and back keeps what the person typed.
- ``seeds``: the seeds as text, ``"0, 1, 2"`` (each draws the initial weights and the mini-batches).

The optimizers, schedules, ``lr``, ``steps``, ``clip_on``/``clip`` and ``dtype`` are the surfaces' own keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.scene import SURFACE_FIELDS, Scene
from tasks.registry import TASKS


def task_key(task_id: str, name: str) -> str:
    return f"task.{task_id}.{name}"


def seeds_text(seeds: list[int]) -> str:
    return ", ".join(str(seed) for seed in seeds)


def parse_seeds(text: Any) -> Any:
    """``"0, 1, 2"`` → ``[0, 1, 2]``; text that is not a list of integers is passed on for the Scene to refuse
    with a message naming the field."""
    if isinstance(text, (list, tuple)):
        return list(text)
    parts = [part.strip() for part in str(text or "").replace(";", ",").split(",") if part.strip()]
    try:
        return [int(part) for part in parts]
    except ValueError:
        return parts


def task_to_widgets(scene: Scene) -> dict[str, Any]:
    """The widget values of a scene's task part (``task`` None for a surface scene)."""
    if scene.task is None:
        return {"task": None}
    task = TASKS[scene.task.id]
    values: dict[str, Any] = {"task": scene.task.id, "seeds": seeds_text(scene.seeds)}
    for name, spec in task.params.items():
        values[task_key(task.id, name)] = scene.task.params.get(name, spec.default)
    return values


def with_task(values: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Scene data from the widgets: ``data`` (the surfaces' part) as a task scene when ``task`` is set."""
    task_id = values.get("task")
    if not task_id:
        return data
    params: dict[str, Any] = {}
    task = TASKS.get(task_id)
    for name, spec in (task.params if task is not None else {}).items():
        value = values.get(task_key(task_id, name))
        if value is not None and value != spec.default:
            params[name] = value
    out = {key: value for key, value in data.items() if key not in SURFACE_FIELDS}
    return {**out, "task": {"id": task_id, "params": params}, "seeds": parse_seeds(values.get("seeds", "0"))}
