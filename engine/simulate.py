"""Runs a Scene: every trajectory of the batch in one compiled ``lax.scan`` per optimizer kind.

The batch is starts × perturbations × optimizers × schedules. Trajectories whose optimizer
has the same id and the same non-numeric settings form a group; a group is one call of a
``jax.jit``-compiled function that scans over time with the whole group inside
(``vmap``), so time-major outputs ``[T, B]`` come out of the scan without transposes.

Everything a person moves with a slider (LR, momentum, start points, schedule parameters,
the number of steps within a size bucket) is data, not part of the compiled program: the
LR of every step is a precomputed ``[T, S]`` table indexed per trajectory, numeric
hyperparameters are per-trajectory arrays, and batch and step counts are padded to
buckets. ``trace_count()`` counts compilations so that tests can prove it.

Conventions follow the paper's reference pipeline: the gradient (plus optional isotropic
noise) is clipped to the scene's global norm before the step, and step ``k`` uses the
schedule's value at ``k``. A trajectory that leaves the finite numbers or goes farther
than ``DIVERGENCE_FACTOR`` window half-diagonals from the window is frozen where it was
and marked diverged, so no NaN or overflow ever reaches the outputs.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import landscapes
import optimizers
import schedules
from common.params import FloatParam, IntParam, StepsParam, resolve_params
from engine.scene import OptimizerSpec, Scene, ScheduleSpec

RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
DIVERGENCE_FACTOR = 100.0
_PLATEAU_KEYS = ("factor", "patience", "threshold", "cooldown", "min_lr")
_TORCH_PLATEAU_EPS = 1e-8  # torch's ReduceLROnPlateau ignores LR changes smaller than this

_traces = [0]


def trace_count() -> int:
    """How many times a simulation function has been traced (compiled) in this process."""
    return _traces[0]


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
class Result:
    """Numpy arrays of a whole run; row ``i`` of every array is ``runs[i]``.

    Positions, loss and gradient norm have ``T + 1`` entries (step 0 is the start); the LR
    has ``T``: ``lr[i, k]`` is the LR used to go from step ``k`` to ``k + 1``.
    """

    scene: Scene
    runs: tuple[RunLabel, ...]
    positions: np.ndarray  # [B, T + 1, 2]
    loss: np.ndarray  # [B, T + 1]
    grad_norm: np.ndarray  # [B, T + 1], of the true gradient (before noise and clipping)
    lr: np.ndarray  # [B, T]
    status: np.ndarray  # [B] int8: RUNNING, CONVERGED or DIVERGED
    status_step: np.ndarray  # [B] int: the step the status began (-1 while running)
    internals: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)  # name -> [B, T + 1, 2]

    @property
    def num_runs(self) -> int:
        return len(self.runs)

    def status_name(self, run: int) -> str:
        return STATUS_NAMES[int(self.status[run])]

    def status_at(self, run: int, step: int) -> str:
        """The run's status as it stood at ``step``."""
        code = int(self.status[run])
        if code != RUNNING and step >= int(self.status_step[run]):
            return STATUS_NAMES[code]
        return STATUS_NAMES[RUNNING]


class _GroupConfig(NamedTuple):
    """What is compiled into a simulation function (everything else is data)."""

    surface_id: str
    surface_static: tuple[tuple[str, Any], ...]
    optimizer_id: str
    optimizer_static: tuple[tuple[str, Any], ...]
    inner_id: str | None
    inner_static: tuple[tuple[str, Any], ...]
    record: bool
    inspect: bool
    noise: bool
    plateau: bool


def _is_traced(spec: Any) -> bool:
    return isinstance(spec, (FloatParam, IntParam, StepsParam))


def _split(specs: Mapping[str, Any], values: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """Splits resolved parameters into numbers (traced) and settings that shape the program (static)."""
    numbers = {k: v for k, v in values.items() if _is_traced(specs[k])}
    static = tuple(sorted((k, _hashable(v)) for k, v in values.items() if not _is_traced(specs[k])))
    return numbers, static


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _make_optimizer(config: _GroupConfig, learning_rate: Any, hyper: Mapping, inner_hyper: Mapping, bias_mask: Any):
    spec = optimizers.OPTIMIZERS[config.optimizer_id]
    if config.inner_id is not None:
        inner_spec = optimizers.OPTIMIZERS[config.inner_id]
        extra = {"bias_mask": bias_mask} if inner_spec.needs_bias_mask else {}
        inner = inner_spec.factory(learning_rate, **dict(config.inner_static), **inner_hyper, **extra)
        return spec.factory(inner, **dict(config.optimizer_static), **hyper)
    extra = {"bias_mask": bias_mask} if spec.needs_bias_mask else {}
    return spec.factory(learning_rate, **dict(config.optimizer_static), **hyper, **extra)


@functools.partial(jax.jit, static_argnames=("config",))
def _simulate(config: _GroupConfig, inputs: dict[str, Any]) -> dict[str, jax.Array]:
    _traces[0] += 1
    surface = landscapes.SURFACES[config.surface_id]
    surface_params = {**dict(config.surface_static), **inputs["surface_params"]}
    value_and_grad = jax.vmap(jax.value_and_grad(lambda xy: surface.fn(xy, **surface_params)))

    x0 = inputs["x0"]  # [B, 2]
    dtype = x0.dtype
    lr_table = inputs["lr_table"]  # [Tb, S]
    num_steps = inputs["num_steps"]  # () int32: steps actually wanted (≤ Tb)
    sched = inputs["schedule_index"]  # [B] int32
    hyper, inner_hyper = inputs["hyper"], inputs["inner_hyper"]  # name -> [B]
    bias_mask = inputs["bias_mask"]  # [2] bool
    center, radius = inputs["center"], inputs["radius"]

    def per_trajectory(fn):
        return jax.vmap(fn)

    def opt_for(lr_b, hyper_b, inner_b):
        return _make_optimizer(config, lambda count: lr_b, hyper_b, inner_b, bias_mask)

    zero_lr = jnp.zeros(x0.shape[:1], dtype)
    state0 = per_trajectory(lambda x, lr, h, ih: opt_for(lr, h, ih).init(x))(x0, zero_lr, hyper, inner_hyper)

    def safe_eval(x):
        loss, grad = value_and_grad(x)
        return loss.astype(dtype), grad.astype(dtype)

    loss0, grad0 = safe_eval(x0)
    ok0 = jnp.isfinite(loss0) & jnp.all(jnp.isfinite(grad0), axis=-1)
    status0 = jnp.where(ok0, RUNNING, DIVERGED).astype(jnp.int8)
    loss0 = jnp.where(ok0, loss0, 0.0)
    grad0 = jnp.where(ok0[:, None], grad0, 0.0)
    batch = x0.shape[0]
    plateau0 = {
        "lr": lr_table[0, sched],
        "best": jnp.full((batch,), jnp.inf, dtype),
        "bad": jnp.zeros((batch,), jnp.int32),
        "cooldown": jnp.zeros((batch,), jnp.int32),
    }
    carry0 = {
        "x": x0,
        "loss": loss0,
        "grad": grad0,
        "state": state0,
        "status": status0,
        "status_step": jnp.where(ok0, -1, 0).astype(jnp.int32),
        "last_moving": jnp.full((batch,), -1, jnp.int32),  # last step whose gradient norm exceeded the tolerance
        "plateau": plateau0,
    }

    def body(carry, k):
        x, loss, grad, state = carry["x"], carry["loss"], carry["grad"], carry["state"]
        active = (k < num_steps) & (carry["status"] != DIVERGED)
        grad_norm = jnp.linalg.norm(grad, axis=-1)
        last_moving = jnp.where((k < num_steps) & (grad_norm > inputs["tolerance"]), k, carry["last_moving"])

        used = grad
        if config.noise:
            keys = jax.vmap(jax.random.fold_in, (0, None))(inputs["keys"], k)
            noise = jax.vmap(lambda key: jax.random.normal(key, (2,), dtype))(keys)
            used = used + inputs["noise_sigma"][:, None] * noise
        used_norm = jnp.linalg.norm(used, axis=-1, keepdims=True)
        used = used * jnp.minimum(1.0, inputs["clip"][:, None] / jnp.maximum(used_norm, jnp.finfo(dtype).tiny))

        lr = lr_table[k, sched]
        plateau = carry["plateau"]
        if config.plateau:
            lr = jnp.where(inputs["plateau_on"], plateau["lr"], lr)

        updates, new_state = per_trajectory(lambda g, s, p, lr_b, h, ih: opt_for(lr_b, h, ih).update(g, s, p))(
            used, state, x, lr, hyper, inner_hyper
        )
        x_new = (x + updates).astype(dtype)
        new_loss, new_grad = safe_eval(x_new)
        finite = (
            jnp.all(jnp.isfinite(x_new), axis=-1) & jnp.isfinite(new_loss) & jnp.all(jnp.isfinite(new_grad), axis=-1)
        )
        inside = jnp.linalg.norm(x_new - center, axis=-1) <= radius
        diverges = active & ~(finite & inside)
        moves = active & ~diverges

        def keep(new, old):
            mask = moves.reshape(moves.shape + (1,) * (new.ndim - 1))
            return jnp.where(mask, new, old)

        if config.plateau:
            p = _plateau_step(plateau, loss, inputs["plateau"])
            plateau = jax.tree.map(keep, p, plateau)

        carry = {
            "x": keep(x_new, x),
            "loss": keep(new_loss, loss),
            "grad": keep(new_grad, grad),
            "state": jax.tree.map(keep, new_state, state),
            "status": jnp.where(diverges, DIVERGED, carry["status"]).astype(jnp.int8),
            "status_step": jnp.where(diverges, k + 1, carry["status_step"]),
            "last_moving": last_moving,
            "plateau": plateau,
        }
        out = {}
        if config.record:
            out = {"x": x, "loss": loss, "grad_norm": grad_norm, "lr": lr}
            if config.inspect:
                out["internals"] = optimizers.inspect(state)
        return carry, out

    steps = jnp.arange(lr_table.shape[0], dtype=jnp.int32)
    final, recorded = jax.lax.scan(body, carry0, steps)

    final_norm = jnp.linalg.norm(final["grad"], axis=-1)
    last_moving = jnp.where(final_norm > inputs["tolerance"], num_steps, final["last_moving"])
    diverged = final["status"] == DIVERGED
    converged = ~diverged & (last_moving < num_steps)
    status = jnp.where(converged, CONVERGED, final["status"]).astype(jnp.int8)
    status_step = jnp.where(converged, last_moving + 1, final["status_step"])
    outputs = {
        "final_x": final["x"],
        "final_loss": final["loss"],
        "final_grad_norm": final_norm,
        "status": status,
        "status_step": status_step,
    }
    if config.record:
        outputs.update(recorded)
        if config.inspect:
            outputs["final_internals"] = optimizers.inspect(final["state"])
    return outputs


def _plateau_step(plateau: dict, loss: jax.Array, params: dict) -> dict:
    """torch's ReduceLROnPlateau(mode="min", threshold_mode="rel").step(loss), per trajectory."""
    better = loss < plateau["best"] * (1.0 - params["threshold"])
    best = jnp.where(better, loss, plateau["best"])
    bad = jnp.where(better, 0, plateau["bad"] + 1)
    in_cooldown = plateau["cooldown"] > 0
    cooldown = jnp.where(in_cooldown, plateau["cooldown"] - 1, plateau["cooldown"])
    bad = jnp.where(in_cooldown, 0, bad)
    reduce = bad > params["patience"]
    reduced = jnp.maximum(plateau["lr"] * params["factor"], params["min_lr"])
    lr = jnp.where(reduce & (plateau["lr"] - reduced > _TORCH_PLATEAU_EPS), reduced, plateau["lr"])
    cooldown = jnp.where(reduce, params["cooldown"], cooldown)
    bad = jnp.where(reduce, 0, bad)
    return {"lr": lr, "best": best, "bad": bad, "cooldown": cooldown}


# --- Building the batch on the host ------------------------------------------------------------------


def schedule_table(scene: Scene, spec: ScheduleSpec, steps: int | None = None) -> np.ndarray:
    """The LR of steps ``0 … T−1`` of one of the scene's schedules, float64."""
    steps = scene.steps if steps is None else steps
    warmup = None
    if spec.warmup is not None:
        default_steps = max(1, math.floor(0.1 * steps))
        warmup = schedules.Warmup(
            kind=spec.warmup.kind,
            steps=min(spec.warmup.steps or default_steps, steps),
            start_factor=spec.warmup.start_factor,
        )
    lr = scene.lr if spec.lr is None else spec.lr
    return np.asarray(schedules.table(spec.id, spec.params, lr, steps, warmup), dtype=np.float64)


def _labels(scene: Scene) -> list[RunLabel]:
    runs = []
    for si, start in enumerate(scene.starts):
        for pi, perturbation in enumerate(scene.perturbations):
            for oi, optimizer in enumerate(scene.optimizers):
                for ki, schedule in enumerate(scene.schedules):
                    runs.append(
                        RunLabel(
                            index=len(runs),
                            start_index=si,
                            perturbation_index=pi,
                            optimizer_index=oi,
                            schedule_index=ki,
                            start=(float(start[0]), float(start[1])),
                            perturbation=(float(perturbation[0]), float(perturbation[1])),
                            optimizer=optimizer.label,
                            schedule=schedule.label,
                        )
                    )
    return runs


def _group_key(spec: OptimizerSpec, steps: int) -> tuple:
    opt = optimizers.OPTIMIZERS[spec.id]
    _, static = _split(opt.params, resolve_params(opt.params, spec.params, steps))
    inner_key: tuple = (None, ())
    if spec.inner is not None:
        inner = optimizers.OPTIMIZERS[spec.inner.id]
        _, inner_static = _split(inner.params, resolve_params(inner.params, spec.inner.params, steps))
        inner_key = (spec.inner.id, inner_static)
    return (spec.id, static, *inner_key)


def _hyper_arrays(specs: Mapping[str, Any], rows: list[Mapping[str, Any]], dtype: Any) -> dict[str, np.ndarray]:
    arrays = {}
    for name, spec in specs.items():
        if not _is_traced(spec):
            continue
        kind = np.int32 if isinstance(spec, IntParam) else dtype
        arrays[name] = np.asarray([row[name] for row in rows], dtype=kind)
    return arrays


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


def scene_batch(scene: Scene, runs: list[RunLabel] | None = None) -> Batch:
    """The batch of a Scene: starts × perturbations × optimizers × schedules."""
    runs = _labels(scene) if runs is None else runs
    table = np.stack([schedule_table(scene, spec) for spec in scene.schedules], axis=1)
    return Batch(
        origins=np.array([label.origin for label in runs], np.float64).reshape(-1, 2),
        optimizer_index=np.array([label.optimizer_index for label in runs], np.int64),
        schedule_index=np.array([label.schedule_index for label in runs], np.int64),
        optimizers=tuple(scene.optimizers),
        lr_table=table,
        row_schedules=tuple(scene.schedules),
    )


def run(scene: Scene, *, record: bool = True, inspect: bool = False) -> Result:
    """Runs every trajectory of ``scene``; one compiled call per optimizer group."""
    runs = _labels(scene)
    outputs = run_batch(scene, scene_batch(scene, runs), record=record, inspect=inspect)
    size = len(runs)
    positions = loss = grad_norm = lr = np.zeros((size, 0))
    internals: dict[str, np.ndarray] = {}
    if record:
        positions = np.concatenate([outputs["x"], outputs["final_x"][:, None]], axis=1)
        loss = np.concatenate([outputs["loss"], outputs["final_loss"][:, None]], axis=1)
        grad_norm = np.concatenate([outputs["grad_norm"], outputs["final_grad_norm"][:, None]], axis=1)
        lr = outputs["lr"]
        for name in list(outputs):
            if name.startswith("internals."):
                sub = name.removeprefix("internals.")
                internals[sub] = np.concatenate([outputs[name], outputs[f"final_internals.{sub}"][:, None]], axis=1)
    return Result(
        scene=scene,
        runs=tuple(runs),
        positions=positions,
        loss=loss,
        grad_norm=grad_norm,
        lr=lr,
        status=outputs["status"].astype(np.int8),
        status_step=outputs["status_step"].astype(np.int64),
        internals=internals,
    )


def run_batch(scene: Scene, batch: Batch, *, record: bool = True, inspect: bool = False) -> dict[str, np.ndarray]:
    """Runs a batch on the scene's surface; returns batch-major numpy arrays.

    Always: ``final_x [B, 2]``, ``final_loss``, ``final_grad_norm``, ``status``, ``status_step``.
    With ``record``: ``x [B, T, 2]``, ``loss``, ``grad_norm``, ``lr`` (``[B, T]``, step ``k`` before
    its update) and, with ``inspect``, ``internals.NAME [B, T, 2]`` and ``final_internals.NAME``.
    """
    steps = scene.steps
    if batch.lr_table.shape[0] != steps:
        raise ValueError(f"the LR table must have one row per step ({steps}), got {batch.lr_table.shape[0]}")
    dtype = np.float64 if scene.dtype == "float64" else np.float32
    surface = landscapes.SURFACES[scene.surface.id]
    surface_values = resolve_params(surface.params, scene.surface.params, steps)
    surface_numbers, surface_static = _split(surface.params, surface_values)
    (xmin, xmax), (ymin, ymax) = surface.window
    geometry = {
        "center": np.array([(xmin + xmax) / 2, (ymin + ymax) / 2], dtype),
        "radius": np.asarray(DIVERGENCE_FACTOR * 0.5 * math.hypot(xmax - xmin, ymax - ymin), dtype),
        "surface_params": {k: np.asarray(v, dtype) for k, v in surface_numbers.items()},
        "bias_mask": np.array(surface.bias_coords, bool),
    }
    tables = np.zeros((bucket_steps(steps), bucket_batch(batch.lr_table.shape[1])), dtype)
    tables[:steps, : batch.lr_table.shape[1]] = batch.lr_table

    groups: dict[tuple, list[int]] = {}
    keys = [_group_key(spec, steps) for spec in batch.optimizers]
    for row, index in enumerate(batch.optimizer_index):
        groups.setdefault(keys[index], []).append(row)

    outputs: dict[str, np.ndarray] = {}
    with jax.enable_x64(scene.dtype == "float64"):
        for key, members in groups.items():
            rows = np.array(members)
            group_out = _run_group(scene, batch, key, rows, tables, geometry, surface_static, dtype, record, inspect)
            for name, value in group_out.items():
                target = outputs.setdefault(name, np.zeros((batch.size, *value.shape[1:]), value.dtype))
                target[rows] = value
    return outputs


def _run_group(
    scene: Scene,
    batch: Batch,
    key: tuple,
    rows: np.ndarray,
    tables: np.ndarray,
    geometry: dict[str, Any],
    surface_static: tuple,
    dtype: Any,
    record: bool,
    inspect: bool,
) -> dict[str, np.ndarray]:
    steps = scene.steps
    optimizer_id, optimizer_static, inner_id, inner_static = key
    opt = optimizers.OPTIMIZERS[optimizer_id]
    inner = optimizers.OPTIMIZERS[inner_id] if inner_id is not None else None

    n = len(rows)
    padded = bucket_batch(n)
    order = np.concatenate([rows, np.full(padded - n, rows[0])])  # padding repeats the first trajectory
    resolved = {}
    for index in set(batch.optimizer_index[order].tolist()):
        spec = batch.optimizers[index]
        resolved[index] = (
            resolve_params(opt.params, spec.params, steps),
            resolve_params(inner.params, spec.inner.params, steps) if inner else {},
        )
    hyper_rows = [resolved[i][0] for i in batch.optimizer_index[order]]
    inner_rows = [resolved[i][1] for i in batch.optimizer_index[order]]
    schedule_index = batch.schedule_index[order].astype(np.int32)
    needs_loss = [schedules.SCHEDULES[spec.id].needs_loss for spec in batch.row_schedules]
    plateau = any(needs_loss[i] for i in set(schedule_index.tolist()))
    noise = scene.noise.sigma > 0

    inputs: dict[str, Any] = {
        **geometry,
        "x0": batch.origins[order].astype(dtype),
        "lr_table": tables,
        "num_steps": np.int32(steps),
        "schedule_index": schedule_index,
        "hyper": _hyper_arrays(opt.params, hyper_rows, dtype),
        "inner_hyper": _hyper_arrays(inner.params, inner_rows, dtype) if inner else {},
        "tolerance": np.asarray(scene.tolerance, dtype),
        "clip": np.full(padded, np.inf if scene.clip is None else scene.clip, dtype),
    }
    if noise:
        ids = np.arange(batch.size) if batch.ids is None else batch.ids
        base = jax.random.key(scene.noise.seed)
        inputs["keys"] = jax.vmap(jax.random.fold_in, (None, 0))(base, ids[order].astype(np.int32))
        inputs["noise_sigma"] = np.full(padded, scene.noise.sigma, dtype)
    if plateau:
        defaults = resolve_params(schedules.SCHEDULES["baseloss_lr"].params, {}, steps)
        settings = [
            resolve_params(schedules.SCHEDULES[spec.id].params, spec.params, steps) if loss_aware else defaults
            for spec, loss_aware in zip(batch.row_schedules, needs_loss, strict=True)
        ]
        inputs["plateau_on"] = np.array(needs_loss)[schedule_index]
        inputs["plateau"] = {
            name: np.array(
                [settings[i][name] for i in schedule_index],
                np.int32 if name in ("patience", "cooldown") else dtype,
            )
            for name in _PLATEAU_KEYS
        }
    config = _GroupConfig(
        surface_id=scene.surface.id,
        surface_static=surface_static,
        optimizer_id=optimizer_id,
        optimizer_static=optimizer_static,
        inner_id=inner_id,
        inner_static=inner_static,
        record=record,
        inspect=inspect and record,
        noise=noise,
        plateau=plateau,
    )
    out = jax.device_get(_simulate(config, inputs))
    result: dict[str, np.ndarray] = {}
    for name, value in out.items():
        if isinstance(value, dict):
            for sub, array in value.items():
                result[f"{name}.{sub}"] = _batch_major(name, array, steps, n)
        else:
            result[name] = _batch_major(name, value, steps, n)
    return result


def _batch_major(name: str, value: np.ndarray, steps: int, n: int) -> np.ndarray:
    """Recorded outputs are time-major ``[Tb, B, ...]``; finals are ``[B, ...]``. Both become ``[n, ...]``."""
    value = np.asarray(value)
    if name.startswith("final") or name in ("status", "status_step"):
        return value[:n]
    return np.moveaxis(value[:steps, :n], 0, 1)
