"""Building the batch on the host: which trajectories run, grouped by program, with their inputs as arrays.

A Scene becomes a :class:`Batch` (starts × perturbations × optimizers × schedules, labelled by
:class:`RunLabel`); sweeps build their own batches. Trajectories whose optimizer has the same id
and the same non-numeric settings form a group (:func:`groups`), and :func:`group_program` turns a
group into the compiled program's :class:`~engine.program.GroupConfig` and its inputs: the LR of
every step from a ``[T, S]`` table, hyperparameters as arrays, batch and step counts padded to
buckets, so that moving a slider changes data, not the program.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

import landscapes
import optimizers
import schedules
from common.params import FloatParam, IntParam, StepsParam, resolve_params
from engine.program import PLATEAU_KEYS, GroupConfig, PartConfig
from engine.scene import OptimizerSpec, Scene, SceneError, ScheduleSpec, sibling_labels

# A trajectory farther than this many window half-diagonals from the window's centre is marked diverged.
DIVERGENCE_FACTOR = 100.0


def bucket_steps(steps: int) -> int:
    """Pads a step count to 64·2^n·{1, 1.25, 1.5, 1.75}: at most 25 % wasted, few programs."""
    if steps <= 64:
        return 64
    power = 2 ** math.floor(math.log2(steps))
    for fraction in (1.0, 1.25, 1.5, 1.75, 2.0):
        if steps <= power * fraction:
            return int(power * fraction)
    raise AssertionError("unreachable")


def bucket_batch(size: int) -> int:
    """Pads a batch to a power of two, at least 8."""
    return max(8, 1 << (size - 1).bit_length())


@dataclasses.dataclass(frozen=True)
class RunLabel:
    """Where one trajectory of the batch comes from."""

    index: int
    start_index: int
    perturbation_index: int
    optimizer_index: int
    schedule_index: int
    start: tuple[float, float]  # the start point before perturbation
    perturbation: tuple[float, float]
    optimizer: str  # human labels, e.g. "momentum[momentum=0.5]"
    schedule: str

    @property
    def origin(self) -> tuple[float, float]:
        """The point the trajectory actually starts from (start + perturbation)."""
        return (self.start[0] + self.perturbation[0], self.start[1] + self.perturbation[1])

    @property
    def name(self) -> str:
        parts = [self.schedule, self.optimizer, f"start ({self.origin[0]:g}, {self.origin[1]:g})"]
        return " · ".join(parts)


@dataclasses.dataclass(frozen=True)
class Batch:
    """Trajectories to run on one scene's surface with its settings (steps, clip, noise, dtype).

    ``run`` builds one from a Scene's labels; sweeps (basins of attraction, hyperparameter
    maps, LR search) build their own with thousands of rows.
    """

    origins: np.ndarray  # [B, 2] start points
    optimizer_index: np.ndarray  # [B] int, into ``optimizers``
    schedule_index: np.ndarray  # [B] int, into the columns of ``lr_table``
    optimizers: tuple[OptimizerSpec, ...]
    lr_table: np.ndarray  # [T, S] float64: the LR of every step of every schedule row
    row_schedules: tuple[ScheduleSpec, ...]  # [S] the schedule each column came from (reduce-on-plateau settings)
    ids: np.ndarray | None = None  # [B] identities for the gradient noise; default 0 … B−1

    @property
    def size(self) -> int:
        return int(self.origins.shape[0])


def run_labels(scene: Scene) -> list[RunLabel]:
    """The scene's trajectories in the engine's order: starts, then perturbations, optimizers, schedules."""
    optimizer_labels = sibling_labels(scene.optimizers)
    schedule_labels = sibling_labels(scene.schedules)
    runs = []
    for si, start in enumerate(scene.starts):
        for pi, perturbation in enumerate(scene.perturbations):
            for oi in range(len(scene.optimizers)):
                for ki in range(len(scene.schedules)):
                    runs.append(
                        RunLabel(
                            index=len(runs),
                            start_index=si,
                            perturbation_index=pi,
                            optimizer_index=oi,
                            schedule_index=ki,
                            start=(float(start[0]), float(start[1])),
                            perturbation=(float(perturbation[0]), float(perturbation[1])),
                            optimizer=optimizer_labels[oi],
                            schedule=schedule_labels[ki],
                        )
                    )
    return runs


def schedule_table(scene: Scene, spec: ScheduleSpec) -> np.ndarray:
    """The LR of steps ``0 … T−1`` of one of the scene's schedules, float64."""
    return schedules.entry_table(spec, scene.steps, base_lr=scene.lr)


def scene_batch(scene: Scene, runs: list[RunLabel] | None = None) -> Batch:
    """The batch of a Scene: starts × perturbations × optimizers × schedules."""
    _need_surface(scene)
    runs = run_labels(scene) if runs is None else runs
    table = np.stack([schedule_table(scene, spec) for spec in scene.schedules], axis=1)
    return Batch(
        origins=np.array([label.origin for label in runs], np.float64).reshape(-1, 2),
        optimizer_index=np.array([label.optimizer_index for label in runs], np.int64),
        schedule_index=np.array([label.schedule_index for label in runs], np.int64),
        optimizers=tuple(scene.optimizers),
        lr_table=table,
        row_schedules=tuple(scene.schedules),
    )


# --- Groups and their inputs ---------------------------------------------------------------------------


def _is_traced(spec: Any) -> bool:
    return isinstance(spec, (FloatParam, IntParam, StepsParam))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def split_params(
    specs: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """Splits resolved parameters into numbers (traced) and settings that shape the program (static)."""
    numbers = {k: v for k, v in values.items() if _is_traced(specs[k])}
    static = tuple(sorted((k, _hashable(v)) for k, v in values.items() if not _is_traced(specs[k])))
    return numbers, static


def _group_key(spec: OptimizerSpec, steps: int) -> tuple:
    opt = optimizers.OPTIMIZERS[spec.id]
    _, static = split_params(opt.params, resolve_params(opt.params, spec.params, steps))
    inner_key: tuple = (None, ())
    if spec.inner is not None:
        inner = optimizers.OPTIMIZERS[spec.inner.id]
        _, inner_static = split_params(inner.params, resolve_params(inner.params, spec.inner.params, steps))
        inner_key = (spec.inner.id, inner_static)
    return (spec.id, static, *inner_key)


def groups(batch: Batch, steps: int) -> dict[tuple, list[int]]:
    """The batch's rows by program: each key is one compiled program, each list its rows in the program's order.

    Rows of the same kind (optimizer id and static settings, the inner optimizer's too) run together. Several
    kinds share one program (a merged group, key ``(MERGED, ((kind, size), ...))``): each kind steps its own
    block of rows, padded to a bucket by repeating its first row, and the surface, clipping, statuses and
    recording are compiled once for all of them. Compiling costs about the same for a program whatever its
    optimizer, so fifty kinds in a few programs compile several times faster than in fifty. A group that
    would be split over the devices (``engine.devices``) stays a kind of its own.
    """
    kinds: dict[tuple, list[int]] = {}
    keys = [_group_key(spec, steps) for spec in batch.optimizers]
    for row, index in enumerate(batch.optimizer_index):
        kinds.setdefault(keys[index], []).append(row)
    if len(kinds) < 2:
        return kinds
    found: dict[tuple, list[int]] = {}
    pack: list[tuple[tuple, list[int]]] = []
    # A canonical order: the same kinds make the same program whatever the order the scene lists them in.
    for key, rows in sorted(kinds.items(), key=lambda item: repr(item[0])):
        if _sharded(bucket_batch(len(rows))):
            found[key] = rows
            continue
        if pack and (len(pack) == MAX_PARTS or _sharded(_merged_size([*pack, (key, rows)]))):
            found.update(_merged(pack))
            pack = []
        pack.append((key, rows))
    found.update(_merged(pack))
    return found


MERGED = "merged"  # the first item of a merged group's key
MAX_PARTS = 64  # optimizer kinds in one merged program


def _sharded(padded: int) -> bool:
    from engine import devices

    return devices.batch_mesh(padded) is not None


def _part_sizes(pack: list[tuple[tuple, list[int]]]) -> list[int]:
    """Each kind's rows padded to a bucket, the last one padded further so that the total is a bucket too."""
    sizes = [bucket_batch(len(rows)) for _, rows in pack]
    sizes[-1] += bucket_batch(sum(sizes)) - sum(sizes)
    return sizes


def _merged_size(pack: list[tuple[tuple, list[int]]]) -> int:
    return sum(_part_sizes(pack))


def _merged(pack: list[tuple[tuple, list[int]]]) -> dict[tuple, list[int]]:
    """One group of the kinds in ``pack``; a pack of one kind is that kind's own group."""
    if len(pack) <= 1:
        return dict(pack)
    sizes = _part_sizes(pack)
    rows = [row for (_, part), size in zip(pack, sizes, strict=True) for row in part + [part[0]] * (size - len(part))]
    return {(MERGED, tuple((key, size) for (key, _), size in zip(pack, sizes, strict=True))): rows}


def _hyper_arrays(specs: Mapping[str, Any], rows: list[Mapping[str, Any]], dtype: Any) -> dict[str, np.ndarray]:
    arrays = {}
    for name, spec in specs.items():
        if not _is_traced(spec):
            continue
        kind = np.int32 if isinstance(spec, IntParam) else dtype
        arrays[name] = np.asarray([row[name] for row in rows], dtype=kind)
    return arrays


@dataclasses.dataclass(frozen=True)
class SceneInputs:
    """What every group of one run shares: the dtype, the padded LR tables, the surface's numbers and window."""

    dtype: Any
    tables: np.ndarray  # [Tb + 1, Sb]: the batch's LR table padded to the step and column buckets
    geometry: dict[str, Any]  # inputs of every group: window centre and divergence radius, surface numbers
    surface_static: tuple[tuple[str, Any], ...]  # the surface's settings that shape the program


def _need_surface(scene: Scene) -> None:
    if scene.task is not None:  # a network on data: tasks.run_scene trains it
        raise SceneError(
            f"this scene trains the task {scene.task.id}, and this part runs on a 2-D surface (the paths, the LR "
            "search, basins and hyperparameter maps); give a surface, or train it with python cli.py run --task"
        )


def scene_inputs(scene: Scene, batch: Batch) -> SceneInputs:
    """The inputs every group of ``batch`` shares, in the scene's dtype."""
    _need_surface(scene)
    steps = scene.steps
    if batch.lr_table.shape[0] != steps:
        raise ValueError(f"the LR table must have one row per step ({steps}), got {batch.lr_table.shape[0]}")
    dtype = np.float64 if scene.dtype == "float64" else np.float32
    surface = landscapes.SURFACES[scene.surface.id]
    surface_values = resolve_params(surface.params, scene.surface.params, steps)
    surface_numbers, surface_static = split_params(surface.params, surface_values)
    (xmin, xmax), (ymin, ymax) = surface.window
    geometry = {
        "center": np.array([(xmin + xmax) / 2, (ymin + ymax) / 2], dtype),
        "radius": np.asarray(DIVERGENCE_FACTOR * 0.5 * math.hypot(xmax - xmin, ymax - ymin), dtype),
        "surface_params": {k: np.asarray(v, dtype) for k, v in surface_numbers.items()},
        "bias_mask": np.array(surface.bias_coords, bool),
    }
    # One more row than the step bucket: the scan records the state before every step and after the last.
    tables = np.zeros((bucket_steps(steps) + 1, bucket_batch(batch.lr_table.shape[1])), dtype)
    tables[:steps, : batch.lr_table.shape[1]] = batch.lr_table
    return SceneInputs(dtype=dtype, tables=tables, geometry=geometry, surface_static=surface_static)


def _kind_hyper(
    batch: Batch, key: tuple, order: np.ndarray, steps: int, dtype: Any
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The hyperparameter inputs of one kind's rows ``order``: ``[n]`` arrays, or scalars when one entry has them."""
    optimizer_id, _, inner_id, _ = key
    opt = optimizers.OPTIMIZERS[optimizer_id]
    inner = optimizers.OPTIMIZERS[inner_id] if inner_id is not None else None
    entries, entry_of_row = np.unique(batch.optimizer_index[order], return_inverse=True)
    resolved = [resolve_params(opt.params, batch.optimizers[i].params, steps) for i in entries]
    inner_resolved = (
        [resolve_params(inner.params, batch.optimizers[i].inner.params, steps) for i in entries] if inner else []
    )
    hyper = _hyper_arrays(opt.params, resolved, dtype)
    inner_hyper = _hyper_arrays(inner.params, inner_resolved, dtype) if inner else {}
    # One optimizer entry in the group: its hyperparameters are scalars (a structural choice, not a value).
    shared_hyper = len(entries) == 1
    if shared_hyper:
        hyper = {name: value[0] for name, value in hyper.items()}
        inner_hyper = {name: value[0] for name, value in inner_hyper.items()}
    else:
        hyper = {name: value[entry_of_row] for name, value in hyper.items()}
        inner_hyper = {name: value[entry_of_row] for name, value in inner_hyper.items()}
    return hyper, inner_hyper, shared_hyper


def group_program(
    scene: Scene,
    batch: Batch,
    shared: SceneInputs,
    key: tuple,
    order: np.ndarray,
    record: tuple[str, ...],
    inspect: bool,
) -> tuple[GroupConfig, dict[str, Any]]:
    """The program of one group and its inputs; ``order`` lists the group's batch rows, padding included."""
    steps, dtype, tables = scene.steps, shared.dtype, shared.tables
    parts: tuple[PartConfig, ...] = ()
    if key[0] == MERGED:
        sizes = [size for _, size in key[1]]
        if len(order) != sum(sizes):
            raise ValueError(f"a merged group lays out {sum(sizes)} rows, got {len(order)}")
        bounds = np.cumsum([0, *sizes])
        hypers = [
            _kind_hyper(batch, kind, order[a:b], steps, dtype)
            for (kind, _), a, b in zip(key[1], bounds[:-1], bounds[1:], strict=True)
        ]
        parts = tuple(
            PartConfig(kind[0], kind[1], kind[2], kind[3], shared_kind, size)
            for (kind, size), (_, _, shared_kind) in zip(key[1], hypers, strict=True)
        )
        hyper: Any = tuple(h for h, _, _ in hypers)
        inner_hyper: Any = tuple(ih for _, ih, _ in hypers)
        kinds = [kind for kind, _ in key[1]]
        optimizer_id, optimizer_static, inner_id, inner_static, shared_hyper = MERGED, (), None, (), False
    else:
        hyper, inner_hyper, shared_hyper = _kind_hyper(batch, key, order, steps, dtype)
        kinds = [key]
        optimizer_id, optimizer_static, inner_id, inner_static = key
    schedule_index = batch.schedule_index[order].astype(np.int32)
    columns = set(schedule_index.tolist())
    needs_loss = [schedules.SCHEDULES[spec.id].needs_loss for spec in batch.row_schedules]
    plateau = any(needs_loss[i] for i in columns)
    one_schedule = len(columns) == 1 and not plateau
    noise = scene.noise.sigma > 0

    inputs: dict[str, Any] = {
        **shared.geometry,
        "x0": batch.origins[order].astype(dtype),
        "lr_table": tables[:, schedule_index[0]] if one_schedule else tables,
        "num_steps": np.int32(steps),
        "schedule_index": schedule_index,
        "hyper": hyper,
        "inner_hyper": inner_hyper,
        "tolerance": np.asarray(scene.tolerance, dtype),
        "clip": np.asarray(np.inf if scene.clip is None else scene.clip, dtype),
    }
    if any(optimizers.needs_min_value(kind[0], kind[2]) for kind in kinds):
        inputs["min_value"] = np.asarray(surface_min_value(scene), dtype)
    if noise:
        ids = np.arange(batch.size) if batch.ids is None else batch.ids
        base = jax.random.key(scene.noise.seed)
        inputs["keys"] = jax.vmap(jax.random.fold_in, (None, 0))(base, ids[order].astype(np.int32))
        inputs["noise_sigma"] = np.asarray(scene.noise.sigma, dtype)
    if plateau:
        inputs["plateau_on"] = np.array(needs_loss)[schedule_index]
        inputs["plateau"] = _plateau_inputs(batch, needs_loss, schedule_index, steps, dtype)
    config = GroupConfig(
        surface_id=scene.surface.id,
        surface_static=shared.surface_static,
        optimizer_id=optimizer_id,
        optimizer_static=optimizer_static,
        inner_id=inner_id,
        inner_static=inner_static,
        record=record,
        inspect=inspect,
        noise=noise,
        plateau=plateau,
        shared_hyper=shared_hyper,
        one_schedule=one_schedule,
        parts=parts,
    )
    return config, inputs


_MIN_VALUE_GRID = 401  # points per side of the window grid whose lowest value stands in for an unknown f*


def surface_min_value(scene: Scene) -> float:
    """The scene's surface's minimum value f* (for Polyak-type steps); where none is known (an unbounded
    surface, a formula), the lowest value on a 401 × 401 grid over its window, the part the page shows."""
    surface = landscapes.SURFACES[scene.surface.id]
    params = resolve_params(surface.params, scene.surface.params, scene.steps)
    known = landscapes.critical_points(surface, params).min_value
    if known is not None:
        return float(known)
    import jax.numpy as jnp

    (xmin, xmax), (ymin, ymax) = surface.window
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, _MIN_VALUE_GRID), np.linspace(ymin, ymax, _MIN_VALUE_GRID))
    points = jnp.asarray(np.stack([xs.ravel(), ys.ravel()], axis=1))
    values = np.asarray(jax.jit(jax.vmap(lambda xy: surface.fn(xy, **params)))(points))
    return float(np.nanmin(np.where(np.isfinite(values), values, np.nan)))


def _plateau_inputs(
    batch: Batch, needs_loss: list[bool], schedule_index: np.ndarray, steps: int, dtype: Any
) -> dict[str, np.ndarray]:
    """Each row's reduce-on-plateau settings (the defaults where its schedule does not watch the loss)."""
    defaults = resolve_params(schedules.SCHEDULES["baseloss_lr"].params, {}, steps)
    settings = [
        resolve_params(schedules.SCHEDULES[spec.id].params, spec.params, steps) if loss_aware else defaults
        for spec, loss_aware in zip(batch.row_schedules, needs_loss, strict=True)
    ]
    return {
        name: np.array(
            [setting[name] for setting in settings], np.int32 if name in ("patience", "cooldown") else dtype
        )[schedule_index]
        for name in PLATEAU_KEYS
    }
