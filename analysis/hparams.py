"""Hyperparameter maps: final loss, success and speed over a grid of two hyperparameters.

A parameter is named by its path in the scene: ``lr`` (every schedule's η0), ``schedules.1.lr``,
``schedules.1.params.gamma``, ``optimizers.0.params.momentum``, ``optimizers.0.inner.params.b1``.
Each (x, y) cell of each (optimizer, schedule) panel is one trajectory from the scene's first start;
the whole map is one batch: LR columns come from one broadcast ``schedules.table`` call per schedule
variant, optimizer hyperparameters are per-trajectory data (one validated spec per distinct value).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

import optimizers as optimizer_registry
import schedules as schedule_registry
from analysis.batching import (
    MAX_RESOLUTION,
    BudgetError,
    Progress,
    base_lrs,
    check_sweep,
    lr_rows,
    notify,
    run_chunked,
)
from analysis.lrsearch import default_range
from analysis.outcomes import PLATEAU_GRAD, Landmarks, category_names, classify, landmarks, nearest
from common.params import FloatParam, IntParam, StepsParam
from engine.scene import OptimizerSpec, Scene, SceneError, ScheduleSpec
from engine.simulate import CONVERGED, Batch, trace_count

_PATH = re.compile(
    r"^(?:(?P<lr>lr)"
    r"|schedules\.(?P<s>\d+)\.(?:(?P<slr>lr)|params\.(?P<sp>\w+))"
    r"|optimizers\.(?P<o>\d+)\.(?:(?P<inner>inner\.)?params\.(?P<op>\w+)))$"
)
PATH_HELP = "lr, schedules.I.lr, schedules.I.params.NAME, optimizers.I.params.NAME or optimizers.I.inner.params.NAME"


class ParamPath(NamedTuple):
    """A parsed hyperparameter path."""

    text: str
    kind: str  # "lr", "schedule_lr", "schedule", "optimizer" or "inner"
    index: int | None  # the schedule or optimizer it belongs to
    name: str | None  # the parameter name
    spec: Any  # its ParamSpec (None for an LR)


def parse_path(scene: Scene, path: str) -> ParamPath:
    """Checks that ``path`` names a hyperparameter of ``scene``; raises SceneError otherwise."""
    match = _PATH.match(path.strip())
    if not match:
        raise SceneError(f"unknown hyperparameter path {path!r}; use {PATH_HELP}")
    if match["lr"]:
        return ParamPath(path, "lr", None, None, None)
    if match["s"] is not None:
        index = int(match["s"])
        if index >= len(scene.schedules):
            raise SceneError(f"{path}: the scene has {len(scene.schedules)} schedule(s), numbered from 0")
        if match["slr"]:
            return ParamPath(path, "schedule_lr", index, None, None)
        specs = schedule_registry.SCHEDULES[scene.schedules[index].id].params
        return ParamPath(path, "schedule", index, match["sp"], _param_spec(path, specs, match["sp"]))
    index = int(match["o"])
    if index >= len(scene.optimizers):
        raise SceneError(f"{path}: the scene has {len(scene.optimizers)} optimizer(s), numbered from 0")
    optimizer = scene.optimizers[index]
    if match["inner"]:
        if optimizer.inner is None:
            raise SceneError(f"{path}: optimizer {index} ({optimizer.id}) wraps no inner optimizer")
        specs = optimizer_registry.OPTIMIZERS[optimizer.inner.id].params
        return ParamPath(path, "inner", index, match["op"], _param_spec(path, specs, match["op"]))
    specs = optimizer_registry.OPTIMIZERS[optimizer.id].params
    return ParamPath(path, "optimizer", index, match["op"], _param_spec(path, specs, match["op"]))


def _param_spec(path: str, specs: Mapping[str, Any], name: str) -> Any:
    if name not in specs:
        raise SceneError(f"{path}: no parameter {name!r} here; allowed: {', '.join(specs) or 'none'}")
    return specs[name]


def default_values(scene: Scene, path: ParamPath, resolution: int = 64) -> tuple[np.ndarray, bool]:
    """A default axis for ``path``: ``(values, log)`` spanning its allowed range."""
    if path.kind in ("lr", "schedule_lr"):
        low, high = default_range(scene)
        return np.geomspace(low, high, resolution), True
    spec = path.spec
    if isinstance(spec, FloatParam):
        if spec.log:
            return np.geomspace(spec.low, spec.high, resolution), True
        return np.linspace(spec.low, spec.high, resolution), False
    if isinstance(spec, IntParam):
        return np.unique(np.linspace(spec.low, spec.high, resolution).round().astype(np.int64)), False
    if isinstance(spec, StepsParam):
        return np.unique(np.linspace(max(1, spec.low), scene.steps, resolution).round().astype(np.int64)), False
    raise SceneError(f"{path.text}: give the values to sweep (it is not a number with a range)")


class HParamMap(NamedTuple):
    """Maps over a grid of two hyperparameters; cell ``[i, j]`` has ``x = x_values[j]``, ``y = y_values[i]``."""

    scene: Scene
    x_param: str
    y_param: str
    x_values: np.ndarray  # [nx]
    y_values: np.ndarray  # [ny]
    x_log: bool
    y_log: bool
    pairs: tuple[tuple[int, int], ...]  # [P] (optimizer index, schedule index)
    labels: tuple[str, ...]  # [P]
    final_loss: np.ndarray  # [P, ny, nx]
    distance: np.ndarray  # [P, ny, nx] final distance to the target
    success: np.ndarray  # [P, ny, nx] bool: ended at a global minimizer (at the target if the surface has none)
    steps: np.ndarray  # [P, ny, nx] float: step at which the run converged; nan if it did not
    outcome: np.ndarray  # [P, ny, nx] int: as in basins
    marks: Landmarks
    categories: dict[int, str]
    seconds: float
    compilations: int


def setting_at(hmap: HParamMap, i: int, j: int) -> dict[str, Any]:
    """The changes that cell ``[i, j]`` stands for, ``{path: value}``: what a click loads."""
    if not (0 <= i < len(hmap.y_values) and 0 <= j < len(hmap.x_values)):
        raise IndexError(f"cell ({i}, {j}) is outside the {len(hmap.y_values)}×{len(hmap.x_values)} map")
    return {hmap.x_param: _plain(hmap.x_values[j]), hmap.y_param: _plain(hmap.y_values[i])}


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, (np.integer, int)) else float(value)


def apply_setting(scene: Scene, changes: Mapping[str, Any]) -> Scene:
    """The scene with ``{path: value}`` changes applied (validated; raises SceneError).

    Setting ``lr`` gives every schedule that η0: per-schedule ``lr`` overrides are removed, as in
    the map, where ``lr`` is every schedule's base LR.
    """
    data = scene.to_dict()
    for text, value in changes.items():
        path = parse_path(scene, text)
        if path.kind == "lr":
            data["lr"] = value
            for entry in data["schedules"]:
                entry["lr"] = None
        elif path.kind == "schedule_lr":
            data["schedules"][path.index]["lr"] = value
        elif path.kind == "schedule":
            data["schedules"][path.index]["params"][path.name] = value
        elif path.kind == "optimizer":
            data["optimizers"][path.index]["params"][path.name] = value
        else:
            data["optimizers"][path.index]["inner"]["params"][path.name] = value
    return Scene.build(data)


def _axis(
    scene: Scene, text: str, values: Sequence[float] | None, resolution: int
) -> tuple[ParamPath, np.ndarray, bool]:
    path = parse_path(scene, text)
    if values is None:
        array, log = default_values(scene, path, resolution)
    else:
        array = np.asarray(values)
        if array.ndim != 1 or len(array) < 1:
            raise SceneError(f"{text}: give a non-empty list of values")
        if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
            raise SceneError(f"{text}: values must be finite numbers")
        positive = bool(np.all(array > 0))
        log = positive and len(array) > 2 and np.allclose(np.diff(np.log(array)), np.log(array[1] / array[0]))
        if path.kind in ("lr", "schedule_lr") and not positive:
            raise SceneError(f"{text}: an LR must be positive")
    if isinstance(path.spec, (IntParam, StepsParam)):
        array = array.round().astype(np.int64)
    if len(array) > MAX_RESOLUTION:
        raise BudgetError(f"{text}: at most {MAX_RESOLUTION} values per axis, got {len(array)}")
    return path, array, bool(log)


def hparam_map(
    scene: Scene,
    x_param: str = "lr",
    y_param: str = "optimizers.0.params.momentum",
    x_values: Sequence[float] | None = None,
    y_values: Sequence[float] | None = None,
    *,
    resolution: int = 64,
    start: int = 0,
    radius: float | None = None,
    plateau_grad: float = PLATEAU_GRAD,
    progress: Progress | None = None,
) -> HParamMap:
    """Runs every (x, y) cell for each (optimizer, schedule) panel of ``scene`` in one batch.

    Panels are every optimizer × schedule, narrowed to the optimizer or schedule an axis belongs to.
    Default axis values span the parameter's range (``resolution`` values; an LR log-spaced over the
    reference's search range). Trajectories start from start point ``start`` (starts × perturbations,
    in the scene's order).
    """
    xp, xs, x_log = _axis(scene, x_param, x_values, resolution)
    yp, ys, y_log = _axis(scene, y_param, y_values, resolution)
    if xp.text == yp.text:
        raise SceneError(f"the two axes must differ, got {xp.text!r} twice")
    opt_indices = list(range(len(scene.optimizers)))
    sched_indices = list(range(len(scene.schedules)))
    for path in (xp, yp):
        if path.kind in ("optimizer", "inner"):
            if len(opt_indices) == 1 and opt_indices[0] != path.index:
                raise SceneError("both axes must belong to the same optimizer")
            opt_indices = [path.index]
        elif path.kind in ("schedule", "schedule_lr"):
            if len(sched_indices) == 1 and sched_indices[0] != path.index:
                raise SceneError("both axes must belong to the same schedule")
            sched_indices = [path.index]
    if {xp.kind, yp.kind} == {"lr", "schedule_lr"}:
        raise SceneError("lr and schedules.I.lr both set the same η0; sweep one of them")
    points = [(s[0] + p[0], s[1] + p[1]) for s in scene.starts for p in scene.perturbations]
    if not 0 <= start < len(points):
        raise SceneError(f"start must be in [0, {len(points) - 1}], got {start}")
    pairs = tuple((o, s) for o in opt_indices for s in sched_indices)
    nx, ny = len(xs), len(ys)
    cells = nx * ny
    check_sweep("hyperparameter map", cells, len(pairs), scene.steps)

    started, compiled = time.perf_counter(), trace_count()
    jj, ii = np.meshgrid(np.arange(nx), np.arange(ny))  # [ny, nx]
    jj, ii = jj.ravel(), ii.ravel()
    lrs0 = base_lrs(scene)
    specs: list[OptimizerSpec] = []
    spec_index: dict[str, int] = {}
    columns: list[np.ndarray] = []
    row_schedules: list[ScheduleSpec] = []
    optimizer_index = np.empty(len(pairs) * cells, np.int64)
    schedule_index = np.empty(len(pairs) * cells, np.int64)

    for k, (o, s) in enumerate(pairs):
        rows = slice(k * cells, (k + 1) * cells)
        # the optimizer of each cell: one validated spec per distinct setting
        opt_paths = [p for p in (xp, yp) if p.kind in ("optimizer", "inner")]
        keys = np.stack([jj if p is xp else ii for p in opt_paths], axis=1) if opt_paths else np.zeros((cells, 0), int)
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        local = []
        for key in unique:
            data = scene.optimizers[o].model_dump(mode="json", exclude_none=True)
            for p, index in zip(opt_paths, key, strict=True):
                value = _plain((xs if p is xp else ys)[index])
                target = data["inner"] if p.kind == "inner" else data
                target.setdefault("params", {})[p.name] = value
            local.append(_intern(_optimizer_spec(data, opt_paths), specs, spec_index))
        optimizer_index[rows] = np.asarray(local)[inverse.ravel()]
        # the LR column of each cell: one broadcast table call per schedule variant
        sched_paths = [p for p in (xp, yp) if p.kind == "schedule"]
        lr_path = next((p for p in (xp, yp) if p.kind in ("lr", "schedule_lr")), None)
        variant_keys = (
            np.stack([jj if p is xp else ii for p in sched_paths], axis=1) if sched_paths else np.zeros((cells, 0), int)
        )
        variants, variant_of = np.unique(variant_keys, axis=0, return_inverse=True)
        variant_of = variant_of.ravel()
        if lr_path is None:
            cell_lr = np.full(cells, lrs0[s])
        else:
            cell_lr = (xs[jj] if lr_path is xp else ys[ii]).astype(np.float64)
        column_of_cell = np.empty(cells, np.int64)
        for v, key in enumerate(variants):
            data = scene.schedules[s].model_dump(mode="json", exclude_none=True)
            for p, index in zip(sched_paths, key, strict=True):
                data.setdefault("params", {})[p.name] = _plain((xs if p is xp else ys)[index])
            spec = _schedule_spec(data, sched_paths)
            members = np.flatnonzero(variant_of == v)
            distinct, which = np.unique(cell_lr[members], return_inverse=True)
            column_of_cell[members] = len(columns) + which.ravel()
            columns.extend(lr_rows(scene, spec, distinct, scene.steps))
            row_schedules.extend([spec] * len(distinct))
        schedule_index[rows] = column_of_cell

    origin = np.array(points[start], np.float64)
    batch = Batch(
        origins=np.tile(origin, (len(pairs) * cells, 1)),
        optimizer_index=optimizer_index,
        schedule_index=schedule_index,
        optimizers=tuple(specs),
        lr_table=np.stack(columns, axis=1),
        row_schedules=tuple(row_schedules),
    )
    notify(progress, 0.0, f"hyperparameter map: {batch.size:,} runs")
    out = run_chunked(scene, batch, progress=progress, label="hyperparameter map")

    shape = (len(pairs), ny, nx)
    marks = landmarks(scene, radius)
    final_x = out["final_x"].astype(np.float64).reshape(*shape, 2)
    outcome = classify(
        final_x, out["final_grad_norm"].reshape(shape), out["status"].reshape(shape), marks, plateau_grad
    )
    if marks.num_global:
        success = (outcome >= 0) & (outcome < marks.num_global)
    else:
        _, gap = nearest(final_x, marks.target[None])
        success = gap <= marks.radius
    distance = np.linalg.norm(final_x - marks.target, axis=-1)
    converged = out["status"].reshape(shape) == CONVERGED
    labels = tuple(f"{scene.optimizers[o].label} · {scene.schedules[s].label}" for o, s in pairs)
    return HParamMap(
        scene=scene,
        x_param=xp.text,
        y_param=yp.text,
        x_values=xs,
        y_values=ys,
        x_log=x_log,
        y_log=y_log,
        pairs=pairs,
        labels=labels,
        final_loss=out["final_loss"].astype(np.float64).reshape(shape),
        distance=distance,
        success=success,
        steps=np.where(converged, out["status_step"].reshape(shape), np.nan).astype(np.float64),
        outcome=outcome,
        marks=marks,
        categories=category_names(marks),
        seconds=time.perf_counter() - started,
        compilations=trace_count() - compiled,
    )


def _intern(spec: OptimizerSpec, specs: list[OptimizerSpec], index: dict[str, int]) -> int:
    key = spec.model_dump_json()
    if key not in index:
        index[key] = len(specs)
        specs.append(spec)
    return index[key]


def _optimizer_spec(data: dict, paths: list[ParamPath]) -> OptimizerSpec:
    try:
        return OptimizerSpec.model_validate(data)
    except ValueError as error:
        where = ", ".join(p.text for p in paths) or "optimizer"
        raise SceneError(f"{where}: {_first_line(error)}") from None


def _schedule_spec(data: dict, paths: list[ParamPath]) -> ScheduleSpec:
    try:
        return ScheduleSpec.model_validate(data)
    except ValueError as error:
        where = ", ".join(p.text for p in paths) or "schedule"
        raise SceneError(f"{where}: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors(include_url=False)[0]
        return str(first["msg"]).removeprefix("Value error, ")
    return str(error).splitlines()[0]
