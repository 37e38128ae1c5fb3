"""Runs a Scene: every trajectory of the batch in one compiled ``lax.scan`` per optimizer kind.

The batch is starts × perturbations × optimizers × schedules. Trajectories whose optimizer
has the same id and the same non-numeric settings form a group; a group is one call of a
``jax.jit``-compiled function that scans over time with the whole group inside, so
time-major outputs ``[T, B]`` come out of the scan without transposes.

Everything a person moves with a slider (LR, momentum, start points, schedule parameters,
the number of steps within a size bucket) is data, not part of the compiled program: the
LR of every step is a precomputed ``[T, S]`` table indexed per trajectory, numeric
hyperparameters are arrays, and batch and step counts are padded to buckets.
``trace_count()`` counts compilations so that tests can prove it.

Conventions follow the paper's reference pipeline: the gradient (plus optional isotropic
noise) is clipped to the scene's global norm before the step, and step ``k`` uses the
schedule's value at ``k``. A trajectory that leaves the finite numbers or goes farther
than ``DIVERGENCE_FACTOR`` window half-diagonals from the window is frozen where it was
and marked diverged, so no NaN or overflow ever reaches the outputs.

Speed (issue #5; ``python cli.py bench`` measures it):

- Structure of arrays. A trajectory's params are the pytree ``(x, y)`` of two scalars, so
  the vmapped optimizer and surface work on ``[B]`` vectors, never on ``[B, 2]`` rows.
- What is the same for the whole group is not per trajectory. A group built from one
  optimizer entry passes its hyperparameters as scalars; a group with one LR column reads
  one scalar LR per step; optimizer step counters (state fields named ``count``) are one
  scalar for the group, since every trajectory of a group steps in lockstep. Adam's
  ``β^t`` is then a scalar power per step instead of a vector power (a ``pow`` costs about
  20 ns per element on a CPU). These are structural choices (how many entries, not their
  values), so moving a slider never changes them.
- On a CPU, XLA fuses every output of the step separately and recomputes the shared work
  in each (no multi-output fusion there). The surface evaluation and the divergence test
  sit in a ``lax.cond`` (which also skips the padded steps), whose outputs are
  materialised once. The surface's gradient comes from forward mode (one tangent per
  coordinate), which leaves no ``[B, 2]`` cotangent to materialise; a stopped trajectory's
  optimizer state is frozen only when its internals are recorded (nothing reads it else).
- Recording writes positions, loss, gradient norm and LR time-major and the host hands
  out transposed views, not copies; ``record`` may name only what a view needs. A long
  recording runs in segments of a few MB that the host copies into the result as they
  come: one program writing a whole recording into fresh memory spends more time in page
  faults than in computing it.
- The batch axis is sharded over every device of the default backend when the group is
  large (``NamedSharding`` over a one-axis ``Mesh``); on a CPU host, ``use_cpu_cores()``
  before JAX starts makes one device per core.
- A persistent compilation cache (``LR_LANDSCAPES_JAX_CACHE``, default
  ``~/.cache/lr-landscapes/jax``; ``off`` disables it) makes a restarted process skip
  compiling.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import math
import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

import landscapes
import optimizers
import schedules
from common.params import FloatParam, IntParam, StepsParam, resolve_params
from engine.scene import OptimizerSpec, Scene, ScheduleSpec, sibling_labels

RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
DIVERGENCE_FACTOR = 100.0
_PLATEAU_KEYS = ("factor", "patience", "threshold", "cooldown", "min_lr")
_TORCH_PLATEAU_EPS = 1e-8  # torch's ReduceLROnPlateau ignores LR changes smaller than this

_traces = [0]


def trace_count() -> int:
    """How many times a simulation function has been traced (compiled) in this process."""
    return _traces[0]


RECORDABLE = ("x", "loss", "grad_norm", "lr")  # what ``record=True`` records at every step
PATHS = ("x", "loss")  # enough for paths on a surface and loss curves: ``record=PATHS``
SHARD_MIN_PER_DEVICE = 256  # a group is split over the devices only if each gets at least this many rows
CACHE_ENV = "LR_LANDSCAPES_JAX_CACHE"


def record_names(record: bool | str | Collection[str]) -> tuple[str, ...]:
    """``record`` as the tuple of recorded outputs: True is all of ``RECORDABLE``, False none."""
    if record is True:
        return RECORDABLE
    if record is False or record is None:
        return ()
    wanted = {record} if isinstance(record, str) else set(record)
    unknown = sorted(wanted - set(RECORDABLE))
    if unknown:
        raise ValueError(f"record: unknown output(s) {', '.join(unknown)}; allowed: {', '.join(RECORDABLE)}")
    return tuple(name for name in RECORDABLE if name in wanted)


def compilation_cache_dir() -> Path | None:
    """Where compiled programs persist: ``$LR_LANDSCAPES_JAX_CACHE``, else ``~/.cache/lr-landscapes/jax``.

    ``off``, ``0``, ``none`` or an empty value turn the cache off.
    """
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "0", "off", "none", "false") else Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lr-landscapes" / "jax"


def enable_compilation_cache() -> Path | None:
    """Turns on JAX's persistent compilation cache (see ``compilation_cache_dir``); never raises.

    Leaves a cache directory that the process already configured alone. Returns the directory
    in use, or None when there is none (turned off, not writable, or JAX refused).
    """
    try:
        configured = jax.config.jax_compilation_cache_dir
        if configured:
            return Path(configured)
        directory = compilation_cache_dir()
        if directory is None:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK | os.X_OK):
            return None
        jax.config.update("jax_compilation_cache_dir", str(directory))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
        return directory
    except Exception:  # a read-only home, an old JAX: run without the cache
        return None


def use_cpu_cores(count: int | None = None) -> int:
    """Asks JAX for one CPU device per core (``count``, default all), so that large groups shard over them.

    Works only before JAX starts its backends (the first computation); afterwards, and on a
    GPU or TPU host, it changes nothing. Returns the number of devices of the default backend.
    """
    count = count or os.cpu_count() or 1
    if count > 1:
        try:
            jax.config.update("jax_num_cpu_devices", count)
        except Exception:  # backends already started: keep what there is
            pass
    return len(jax.devices())


enable_compilation_cache()


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

    The recorded arrays are read-only, often transposed views of the engine's time-major buffers.

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
    record: tuple[str, ...]  # names from RECORDABLE
    inspect: bool
    noise: bool
    plateau: bool
    shared_hyper: bool = False  # one optimizer entry: hyperparameters are scalars, not [B]
    one_schedule: bool = False  # one LR column and no plateau: the LR of a step is a scalar


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


def _is_counter(path: tuple) -> bool:
    """A state leaf that counts steps (optax's ``count`` fields): one scalar serves the whole group."""
    return bool(path) and isinstance(path[-1], jax.tree_util.GetAttrKey) and path[-1].name == "count"


def _vmapped_optimizer(config, bias_mask, params, lr, lr_axis, hyper, inner_hyper):
    """The optimizer's ``init`` and ``update`` vmapped over the group, and the batch axes of its state.

    Params are ``(x, y)``, each ``[B]``. Step counters are shared (axis None) when the optimizer
    allows it (vmap checks that a counter depends on nothing per trajectory); otherwise every
    state leaf is per trajectory.
    """
    hyper_axis = None if config.shared_hyper else 0

    def init(p, lr_b, h, ih):
        return _make_optimizer(config, lambda count: lr_b, h, ih, bias_mask).init(p)

    def update(g, s, p, lr_b, h, ih):
        return _make_optimizer(config, lambda count: lr_b, h, ih, bias_mask).update(g, s, p)

    in_axes = (0, lr_axis, hyper_axis, hyper_axis)

    def build(shared: bool):
        batched = jax.eval_shape(jax.vmap(init, in_axes=in_axes), params, lr, hyper, inner_hyper)
        axes = jax.tree_util.tree_map_with_path(lambda path, _: None if shared and _is_counter(path) else 0, batched)
        vinit = jax.vmap(init, in_axes=in_axes, out_axes=axes)
        vupdate = jax.vmap(update, in_axes=(0, axes, 0, lr_axis, hyper_axis, hyper_axis), out_axes=(0, axes))
        state = jax.eval_shape(vinit, params, lr, hyper, inner_hyper)
        jax.eval_shape(vupdate, params, state, params, lr, hyper, inner_hyper)  # raises if a counter is per trajectory
        return vinit, vupdate, axes

    try:
        return build(shared=True)
    except ValueError:
        return build(shared=False)


def _setup(config: _GroupConfig, inputs: dict[str, Any]) -> tuple[dict[str, Any], Callable, Callable]:
    """The scan of a group: its first carry, its step ``body(carry, k) -> (carry, recorded)`` and
    ``finish(carry) -> outputs`` (final points and statuses). Called while tracing."""
    surface = landscapes.SURFACES[config.surface_id]
    surface_params = {**dict(config.surface_static), **inputs["surface_params"]}

    def surface_fn(x, y):
        return surface.fn(jnp.stack([x, y]), **surface_params)

    def point_value_and_grad(x, y):
        # Forward mode, one tangent per coordinate: the reverse mode's cotangent of the stacked
        # point is a padded [B, 2] array that XLA materialises on every step.
        one = jnp.ones_like(x)
        loss, gx = jax.jvp(lambda x: surface_fn(x, y), (x,), (one,))
        _, gy = jax.jvp(lambda y: surface_fn(x, y), (y,), (one,))
        return loss, (gx, gy)

    value_and_grad = jax.vmap(point_value_and_grad)

    x0 = inputs["x0"]  # [B, 2]
    dtype = x0.dtype
    batch = x0.shape[0]
    lr_table = inputs["lr_table"]  # [Tb + 1, S], or [Tb + 1] with one_schedule
    num_steps = inputs["num_steps"]  # () int32: steps actually wanted (≤ Tb)
    sched = inputs["schedule_index"]  # [B] int32
    hyper, inner_hyper = inputs["hyper"], inputs["inner_hyper"]  # name -> [B], or scalars with shared_hyper
    mask = inputs["bias_mask"]  # [2] bool
    bias_mask = (mask[0], mask[1])
    center, radius = inputs["center"], inputs["radius"]
    tolerance, clip = inputs["tolerance"], inputs["clip"]
    # On a CPU the surface evaluation goes in a lax.cond, whose outputs XLA materialises once
    # instead of recomputing them in every fused consumer. A GPU fuses multiple outputs itself.
    materialize = jax.default_backend() == "cpu"

    def lr_at(k):
        return lr_table[k] if config.one_schedule else lr_table[k, sched]

    lr_axis = None if config.one_schedule and not config.plateau else 0
    params0 = (x0[:, 0], x0[:, 1])
    lr0 = jnp.zeros((), dtype) if lr_axis is None else jnp.zeros((batch,), dtype)
    vinit, vupdate, state_axes = _vmapped_optimizer(config, bias_mask, params0, lr0, lr_axis, hyper, inner_hyper)
    state0 = vinit(params0, lr0, hyper, inner_hyper)

    def evaluate(x, y):
        loss, (gx, gy) = value_and_grad(x, y)
        return loss.astype(dtype), gx.astype(dtype), gy.astype(dtype)

    loss0, gx0, gy0 = evaluate(*params0)
    # max(|gx|, |gy|) ≤ this keeps the norm finite (‖g‖ ≤ √2·max): the divergence test of every step, a
    # quarter cheaper than computing ‖g‖ (jnp.hypot) there. Only a gradient within a factor √2 of
    # overflowing counts as divergence when its norm would not yet have overflowed.
    norm_limit = jnp.asarray(jnp.finfo(dtype).max / np.sqrt(2.0), dtype)
    ok0 = jnp.isfinite(loss0) & (jnp.maximum(jnp.abs(gx0), jnp.abs(gy0)) <= norm_limit)
    carry0 = {
        "x": params0[0],
        "y": params0[1],
        "loss": jnp.where(ok0, loss0, 0.0),
        "gx": jnp.where(ok0, gx0, 0.0),
        "gy": jnp.where(ok0, gy0, 0.0),
        "state": state0,
        "status_step": jnp.where(ok0, -1, 0).astype(jnp.int32),  # -1 while running, else the step it diverged
        "last_moving": jnp.full((batch,), -1, jnp.int32),  # last step whose gradient norm exceeded the tolerance
    }
    if config.plateau:
        table0 = lr_table[0] if config.one_schedule else lr_table[0, sched]
        carry0["plateau"] = {
            "lr": jnp.broadcast_to(table0, (batch,)).astype(dtype),
            "best": jnp.full((batch,), jnp.inf, dtype),
            "bad": jnp.zeros((batch,), jnp.int32),
            "cooldown": jnp.zeros((batch,), jnp.int32),
        }
    radius2 = radius * radius
    no = jnp.zeros((batch,), bool)

    def body(carry, k):
        x, y, loss, gx, gy, state = (carry[name] for name in ("x", "y", "loss", "gx", "gy", "state"))
        on = k < num_steps
        active = on & (carry["status_step"] < 0)
        grad_norm = jnp.hypot(gx, gy)  # no overflow where |g|² would
        last_moving = jnp.where(on & (grad_norm > tolerance), k, carry["last_moving"])

        ux, uy, used_norm = gx, gy, grad_norm
        if config.noise:
            keys = jax.vmap(jax.random.fold_in, (0, None))(inputs["keys"], k)
            noise = jax.vmap(lambda key: jax.random.normal(key, (2,), dtype))(keys)
            ux = ux + inputs["noise_sigma"] * noise[:, 0]
            uy = uy + inputs["noise_sigma"] * noise[:, 1]
            used_norm = jnp.hypot(ux, uy)
        scale = jnp.minimum(1.0, clip / jnp.maximum(used_norm, jnp.finfo(dtype).tiny))
        ux, uy = ux * scale, uy * scale

        lr = lr_at(k)
        if config.plateau:
            lr = jnp.where(inputs["plateau_on"], carry["plateau"]["lr"], lr)

        (dx, dy), new_state = vupdate((ux, uy), state, (x, y), lr, hyper, inner_hyper)
        x_new, y_new = (x + dx).astype(dtype), (y + dy).astype(dtype)

        def step(operands):
            x_new, y_new, active = operands
            new_loss, gx_new, gy_new = evaluate(x_new, y_new)
            finite = jnp.isfinite(new_loss) & (jnp.maximum(jnp.abs(gx_new), jnp.abs(gy_new)) <= norm_limit)
            inside = (x_new - center[0]) ** 2 + (y_new - center[1]) ** 2 <= radius2  # False for inf and NaN too
            return new_loss, gx_new, gy_new, active & finite & inside

        if materialize:  # the padded steps (k ≥ num_steps) skip the evaluation too
            new_loss, gx_new, gy_new, moves = jax.lax.cond(
                on, step, lambda _: (loss, gx, gy, no), (x_new, y_new, active)
            )
        else:
            new_loss, gx_new, gy_new, moves = step((x_new, y_new, active))
        diverges = active & ~moves

        def keep(new, old):
            return jnp.where(moves, new, old)

        if config.inspect:  # the recorded internals freeze with the trajectory
            new_state = jax.tree.map(
                lambda axis, new, old: jnp.where(on, new, old) if axis is None else keep(new, old),
                state_axes,
                new_state,
                state,
                is_leaf=lambda node: node is None,
            )
        # Otherwise a stopped trajectory's optimizer state is never read again: no need to freeze it.
        new_carry = {
            "x": keep(x_new, x),
            "y": keep(y_new, y),
            "loss": keep(new_loss, loss),
            "gx": keep(gx_new, gx),
            "gy": keep(gy_new, gy),
            "state": new_state,
            "status_step": jnp.where(diverges, k + 1, carry["status_step"]),
            "last_moving": last_moving,
        }
        if config.plateau:
            plateau = _plateau_step(carry["plateau"], loss, inputs["plateau"])
            new_carry["plateau"] = jax.tree.map(keep, plateau, carry["plateau"])

        out: dict[str, Any] = {}
        if "x" in config.record:
            out["x"] = jnp.stack([x, y])  # [2, B]
        if "loss" in config.record:
            out["loss"] = loss
        if "grad_norm" in config.record:
            out["grad_norm"] = grad_norm
        if "lr" in config.record:
            out["lr"] = lr
        if config.inspect:
            out["internals"] = {name: jnp.stack(value) for name, value in optimizers.inspect(state).items()}
        return new_carry, out

    def finish(final: dict[str, Any]) -> dict[str, jax.Array]:
        final_norm = jnp.hypot(final["gx"], final["gy"])
        last_moving = jnp.where(final_norm > tolerance, num_steps, final["last_moving"])
        diverged = final["status_step"] >= 0
        converged = ~diverged & (last_moving < num_steps)
        status = jnp.where(converged, CONVERGED, jnp.where(diverged, DIVERGED, RUNNING)).astype(jnp.int8)
        return {
            "final_x": jnp.stack([final["x"], final["y"]], axis=-1),
            "final_loss": final["loss"],
            "final_grad_norm": final_norm,
            "status": status,
            "status_step": jnp.where(converged, last_moving + 1, final["status_step"]),
        }

    return carry0, body, finish


@functools.partial(jax.jit, static_argnames=("config",))
def _simulate(config: _GroupConfig, inputs: dict[str, Any]) -> dict[str, jax.Array]:
    """A whole group in one program: outputs, and recordings time-major (x ``[Tb + 1, 2, B]``, loss
    ``[Tb + 1, B]``, lr ``[Tb + 1(, B)]``, internals ``{NAME: [Tb + 1, 2, B]}``)."""
    _traces[0] += 1
    carry0, body, finish = _setup(config, inputs)
    # Tb + 1 iterations: row k of a recording is the state before step k, so rows 0 … T hold
    # the whole path, the final point included (nothing moves once k ≥ num_steps).
    final, recorded = jax.lax.scan(body, carry0, jnp.arange(inputs["lr_table"].shape[0], dtype=jnp.int32))
    return {**finish(final), **recorded}


@functools.partial(jax.jit, static_argnames=("config",))
def _begin(config: _GroupConfig, inputs: dict[str, Any]) -> dict[str, Any]:
    """The first carry of a group run in segments."""
    _traces[0] += 1
    return _setup(config, inputs)[0]


@functools.partial(jax.jit, static_argnames=("config", "length"))
def _segment(config: _GroupConfig, inputs: dict[str, Any], carry: dict[str, Any], first: jax.Array, length: int):
    """Steps ``first … first + length − 1``: the new carry and their recordings (time-major)."""
    _traces[0] += 1
    body = _setup(config, inputs)[1]
    return jax.lax.scan(body, carry, first + jnp.arange(length, dtype=jnp.int32))


@functools.partial(jax.jit, static_argnames=("config",))
def _finish(config: _GroupConfig, inputs: dict[str, Any], carry: dict[str, Any]) -> dict[str, jax.Array]:
    """Final points and statuses from the last carry of a group run in segments."""
    _traces[0] += 1
    return _setup(config, inputs)[2](carry)


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


def run(scene: Scene, *, record: bool | str | Collection[str] = True, inspect: bool = False) -> Result:
    """Runs every trajectory of ``scene``; one compiled call per optimizer group.

    ``record``: True records everything, False only the statuses and final points, a
    collection of names from ``RECORDABLE`` (e.g. ``PATHS``) only those; what is not
    recorded is an empty ``[B, 0]`` array in the Result. ``inspect`` also records the
    optimizer's internals (with any recording).
    """
    runs = _labels(scene)
    names = record_names(record)
    raw = _run_time_major(scene, scene_batch(scene, runs), names, inspect)
    size, steps = len(runs), scene.steps
    empty = np.zeros((size, 0))
    internals = {
        name.removeprefix("internals."): value[: steps + 1].transpose(2, 0, 1)
        for name, value in raw.items()
        if name.startswith("internals.")
    }
    return Result(
        scene=scene,
        runs=tuple(runs),
        # Row k of a time-major recording is the state before step k; row T is the final one.
        positions=raw["x"][: steps + 1].transpose(2, 0, 1) if "x" in raw else empty,
        loss=raw["loss"][: steps + 1].T if "loss" in raw else empty,
        grad_norm=raw["grad_norm"][: steps + 1].T if "grad_norm" in raw else empty,
        lr=raw["lr"][:steps].T if "lr" in raw else empty,
        status=raw["status"].astype(np.int8),
        status_step=raw["status_step"].astype(np.int64),
        internals=internals,
    )


def run_batch(
    scene: Scene, batch: Batch, *, record: bool | str | Collection[str] = True, inspect: bool = False
) -> dict[str, np.ndarray]:
    """Runs a batch on the scene's surface; returns batch-major numpy arrays.

    Always: ``final_x [B, 2]``, ``final_loss``, ``final_grad_norm``, ``status``, ``status_step``.
    With ``record``: ``x [B, T, 2]``, ``loss``, ``grad_norm``, ``lr`` (``[B, T]``, step ``k`` before
    its update), or the ones ``record`` names (see ``run``); with ``inspect`` also
    ``internals.NAME [B, T, 2]`` and ``final_internals.NAME``. Recorded arrays are read-only
    transposed views of time-major buffers (no copy).
    """
    steps = scene.steps
    raw = _run_time_major(scene, batch, record_names(record), inspect)
    outputs: dict[str, np.ndarray] = {}
    for name, value in raw.items():
        if name in _FINALS:
            outputs[name] = value
        elif name.startswith("internals."):
            outputs[name] = value[:steps].transpose(2, 0, 1)
            outputs[f"final_{name}"] = value[steps].T
        elif name == "x":
            outputs[name] = value[:steps].transpose(2, 0, 1)
        else:
            outputs[name] = value[:steps].T
    return outputs


_FINALS = ("final_x", "final_loss", "final_grad_norm", "status", "status_step")


def _run_time_major(scene: Scene, batch: Batch, names: tuple[str, ...], inspect: bool) -> dict[str, np.ndarray]:
    """Runs every group; finals batch-first ``[B, ...]``, recordings time-major ``[Tb + 1, ..., B]``."""
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
    # One more row than the step bucket: the scan records the state before every step and after the last.
    tables = np.zeros((bucket_steps(steps) + 1, bucket_batch(batch.lr_table.shape[1])), dtype)
    tables[:steps, : batch.lr_table.shape[1]] = batch.lr_table

    groups: dict[tuple, list[int]] = {}
    keys = [_group_key(spec, steps) for spec in batch.optimizers]
    for row, index in enumerate(batch.optimizer_index):
        groups.setdefault(keys[index], []).append(row)

    inspect = inspect and bool(names)
    pieces = []
    with jax.enable_x64(scene.dtype == "float64"):
        for key, members in groups.items():
            rows = np.array(members)
            out = _run_group(scene, batch, key, rows, tables, geometry, surface_static, dtype, names, inspect)
            pieces.append((rows, out))
    if len(pieces) == 1 and np.array_equal(pieces[0][0], np.arange(batch.size)):
        return pieces[0][1]  # one group in batch order: the group's own arrays, no copy
    outputs: dict[str, np.ndarray] = {}
    for rows, out in pieces:
        for name, value in out.items():
            if name in _FINALS:
                target = outputs.setdefault(name, np.zeros((batch.size, *value.shape[1:]), value.dtype))
                target[rows] = value
            else:
                target = outputs.setdefault(name, np.zeros((*value.shape[:-1], batch.size), value.dtype))
                target[..., rows] = value
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
    names: tuple[str, ...],
    inspect: bool,
) -> dict[str, np.ndarray]:
    steps = scene.steps
    optimizer_id, optimizer_static, inner_id, inner_static = key
    opt = optimizers.OPTIMIZERS[optimizer_id]
    inner = optimizers.OPTIMIZERS[inner_id] if inner_id is not None else None

    n = len(rows)
    mesh = _batch_mesh(bucket_batch(n))
    padded = bucket_batch(n) if mesh is None else _round_up(bucket_batch(n), mesh.size)
    order = np.concatenate([rows, np.full(padded - n, rows[0])])  # padding repeats the first trajectory
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
    schedule_index = batch.schedule_index[order].astype(np.int32)
    columns = set(schedule_index.tolist())
    needs_loss = [schedules.SCHEDULES[spec.id].needs_loss for spec in batch.row_schedules]
    plateau = any(needs_loss[i] for i in columns)
    one_schedule = len(columns) == 1 and not plateau
    noise = scene.noise.sigma > 0

    inputs: dict[str, Any] = {
        **geometry,
        "x0": batch.origins[order].astype(dtype),
        "lr_table": tables[:, schedule_index[0]] if one_schedule else tables,
        "num_steps": np.int32(steps),
        "schedule_index": schedule_index,
        "hyper": hyper,
        "inner_hyper": inner_hyper,
        "tolerance": np.asarray(scene.tolerance, dtype),
        "clip": np.asarray(np.inf if scene.clip is None else scene.clip, dtype),
    }
    if noise:
        ids = np.arange(batch.size) if batch.ids is None else batch.ids
        base = jax.random.key(scene.noise.seed)
        inputs["keys"] = jax.vmap(jax.random.fold_in, (None, 0))(base, ids[order].astype(np.int32))
        inputs["noise_sigma"] = np.asarray(scene.noise.sigma, dtype)
    if plateau:
        defaults = resolve_params(schedules.SCHEDULES["baseloss_lr"].params, {}, steps)
        settings = [
            resolve_params(schedules.SCHEDULES[spec.id].params, spec.params, steps) if loss_aware else defaults
            for spec, loss_aware in zip(batch.row_schedules, needs_loss, strict=True)
        ]
        inputs["plateau_on"] = np.array(needs_loss)[schedule_index]
        inputs["plateau"] = {
            name: np.array(
                [setting[name] for setting in settings], np.int32 if name in ("patience", "cooldown") else dtype
            )[schedule_index]
            for name in _PLATEAU_KEYS
        }
    if mesh is not None:
        inputs = _shard(inputs, mesh)
    config = _GroupConfig(
        surface_id=scene.surface.id,
        surface_static=surface_static,
        optimizer_id=optimizer_id,
        optimizer_static=optimizer_static,
        inner_id=inner_id,
        inner_static=inner_static,
        record=names,
        inspect=inspect,
        noise=noise,
        plateau=plateau,
        shared_hyper=shared_hyper,
        one_schedule=one_schedule,
    )
    length = _segment_length(config, padded, np.dtype(dtype).itemsize, tables.shape[0])
    if length is None:
        out = {name: _to_numpy(value) for name, value in _flat(_simulate(config, inputs)).items()}
        recorded = {
            name: value if value.ndim == 1 else value[..., :n] for name, value in out.items() if name not in _FINALS
        }
    else:
        out, recorded = _run_segments(config, inputs, length, steps + 1, n)
    result = {name: out[name][:n] for name in _FINALS}
    for name, value in recorded.items():
        if name == "lr" and value.ndim == 1:  # one schedule: one LR per step for the whole group
            value = np.broadcast_to(value[:, None], (value.shape[0], n))
        result[name] = value
    return result


SEGMENT_BYTES = 4 << 20  # a long recorded run goes in segments whose recordings are about this size
SEGMENT_MIN_TOTAL = 64 << 20  # recordings up to this size come from one program (fewer programs to compile)


def _segment_length(config: _GroupConfig, padded: int, itemsize: int, rows: int) -> int | None:
    """Steps per segment for a recorded run, or None to run the group as one program.

    One program writes its whole recording into freshly allocated memory, and the page
    faults of that memory cost more than computing it. Segments of a few MB are reused by
    the allocator and stay in cache; the host copies them into the result as they come.
    """
    names = config.record
    per_trajectory = 2 * ("x" in names) + ("loss" in names) + ("grad_norm" in names) + 4 * config.inspect
    per_trajectory += "lr" in names and not config.one_schedule
    per_step = padded * itemsize * per_trajectory
    if per_step * rows <= SEGMENT_MIN_TOTAL:
        return None
    length = 1 << max(4, (SEGMENT_BYTES // per_step).bit_length() - 1)
    return None if length >= rows else length


def _run_segments(
    config: _GroupConfig, inputs: dict[str, Any], length: int, rows: int, n: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Runs a group in segments of ``length`` steps until ``rows`` recorded rows (T + 1) are done.

    The next segment is dispatched before the last one is copied out, so copying overlaps
    computing. Returns the final outputs and the recordings, time-major ``[rows, ..., n]``.
    """
    inputs = jax.device_put(inputs)  # once, not at every segment (sharded inputs are placed already)
    carry = _begin(config, inputs)
    buffers: dict[str, np.ndarray] = {}

    def copy_out(first: int, recorded: dict[str, jax.Array]) -> None:
        take = min(length, rows - first)
        for name, value in _flat(recorded).items():
            if name not in buffers:
                shape = (rows,) if value.ndim == 1 else (rows, *value.shape[1:-1], n)
                buffers[name] = np.empty(shape, value.dtype)
            _copy_rows(buffers[name], value, first, take, n)

    pending = None
    for first in range(0, rows, length):
        carry, recorded = _segment(config, inputs, carry, np.int32(first), length=length)
        if pending is not None:
            copy_out(*pending)
        pending = (first, recorded)
    copy_out(*pending)
    del pending
    out = {name: _to_numpy(value) for name, value in _finish(config, inputs, carry).items()}
    return out, buffers


def _flat(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """``{"internals": {"first_moment": a}}`` → ``{"internals.first_moment": a}``."""
    flat = {}
    for name, value in outputs.items():
        if isinstance(value, Mapping):
            flat.update({f"{name}.{sub}": array for sub, array in value.items()})
        else:
            flat[name] = value
    return flat


# --- Devices -------------------------------------------------------------------------------------------

_BATCH_INPUTS = ("x0", "schedule_index", "hyper", "inner_hyper", "keys", "plateau_on", "plateau")


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _batch_mesh(padded: int) -> Mesh | None:
    """A one-axis mesh over all devices when a group of ``padded`` rows is worth splitting, else None."""
    devices = jax.devices()
    if len(devices) < 2 or padded < len(devices) * SHARD_MIN_PER_DEVICE:
        return None
    return _mesh(tuple(devices))


@functools.lru_cache(maxsize=4)
def _mesh(devices: tuple) -> Mesh:
    return Mesh(np.array(devices), ("batch",))


def _shard(inputs: dict[str, Any], mesh: Mesh) -> dict[str, Any]:
    """Places every ``[B, ...]`` input split along its batch axis over the mesh, and the rest replicated."""
    split, whole = NamedSharding(mesh, PartitionSpec("batch")), NamedSharding(mesh, PartitionSpec())

    def place(name: str, value: Any) -> Any:
        def put(leaf: Any) -> Any:
            return jax.device_put(leaf, split if name in _BATCH_INPUTS and np.ndim(leaf) >= 1 else whole)

        return jax.tree.map(put, value)

    return {name: place(name, value) for name, value in inputs.items()}


_copier: list[concurrent.futures.ThreadPoolExecutor] = []


def _shards(array: jax.Array) -> list[Any]:
    return list(array.addressable_shards) if not array.sharding.is_fully_replicated else []


def _to_numpy(array: jax.Array) -> np.ndarray:
    """A device array as numpy: no copy from one CPU device; shards copied in parallel into one array."""
    shards = _shards(array)
    if len(shards) <= 1:
        return np.asarray(array)
    out = np.empty(array.shape, array.dtype)
    if not _copier:
        _copier.append(concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2))

    def copy(shard: Any) -> None:
        out[shard.index] = np.asarray(shard.data)

    list(_copier[0].map(copy, shards))
    return out


def _copy_rows(target: np.ndarray, value: jax.Array, first: int, take: int, n: int) -> None:
    """``target[first : first + take, ..., :n] = value[:take, ..., :n]``, shard by shard (batch axis last)."""
    shards = _shards(value)
    if len(shards) <= 1 or value.ndim == 1:
        target[first : first + take] = np.asarray(value)[:take, ..., :n] if value.ndim > 1 else np.asarray(value)[:take]
        return
    for shard in shards:
        columns = shard.index[-1]
        low, high = columns.start or 0, min(columns.stop if columns.stop is not None else n, n)
        if low < high:
            target[first : first + take, ..., low:high] = np.asarray(shard.data)[:take, ..., : high - low]
