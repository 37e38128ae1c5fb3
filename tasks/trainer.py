"""Trains every optimizer × schedule × seed of a task at once: one compiled program per optimizer kind.

The runs are optimizers × schedules × seeds. Runs whose optimizer has the same id and the same non-numeric
settings form a group; a group is one call of a ``jax.jit``-compiled function that holds every run of the
group in a ``jax.vmap`` and steps them together, with the loop over steps inside XLA.

- **Same data for a seed.** A seed fixes the initial weights (:func:`tasks.models.init`) and the order of
  the mini-batches (:func:`batch_indices`: a fresh permutation of the training set every epoch, the last
  incomplete batch dropped). Every run of that seed, whatever its optimizer and schedule, starts from the
  same weights and sees the same batches in the same order.
- **Numbers are data.** The LR of every step comes from a precomputed ``[T, S]`` table indexed per run;
  numeric hyperparameters (momentum, β, ε, k …), the initial weights, the mini-batch tables, the weight
  decay and the clipping norm are arrays; the step count is padded to a bucket and the number of records
  too, so changing any of them reuses the compiled program (``trace_count()`` counts compilations).
- **Step ``k``** uses the LR ``table[k]`` and the gradient of the mini-batch ``k`` at the weights before the
  step (optionally clipped to a global norm), as ``torch.optim`` with a per-step scheduler would.
- **Records.** The mini-batch loss and accuracy of every step (of the weights before the step: the values
  whose gradient made it); at ``records + 1`` evenly spaced steps (0 and T included) the loss and accuracy on
  the whole training and test sets and the flattened weights (for the landscape's PCA directions).
- **Divergence.** Before a step is accepted, the new weights' loss and gradient on the next mini-batch must
  be finite and the loss at most ``DIVERGENCE_FACTOR`` × max(1, the initial weights' loss on the first
  mini-batch); otherwise the run is frozen at its last accepted weights and marked diverged from that step on.
  A full-set metric that is not finite at a record (not seen in practice) keeps the previous record's value
  and marks the run diverged. No NaN or overflow reaches the outputs.

Speed (``python -m tasks.timing``): the whole training and test sets go through one forward pass per record;
the initial weights are drawn by numpy (compiling JAX's random-number generator took as long as the rest of
the program); the loop over steps starts at ``k = −1``, which only evaluates the initial weights, so the
program holds one copy of the gradient computation.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from numpy.typing import ArrayLike

from tasks import catalog, models, registry
from tasks.base import MAX_WEIGHT_BYTES, gradient_only_refusal
from tasks.models import Model

# The engine's status codes (engine.simulate), so that tables and figures can treat both alike.
RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
DIVERGENCE_FACTOR = 1000.0
MAX_RECORDS = 500

_traces = [0]


def trace_count() -> int:
    """How many times a training program has been traced (compiled) in this process."""
    return _traces[0]


_NO_HYPER: Mapping[str, Any] = types.MappingProxyType({})


class OptimizerChoice(NamedTuple):
    """One optimizer of a batch: a catalog id and the hyperparameters set (the others take their defaults)."""

    id: str
    hyper: Mapping[str, Any] = _NO_HYPER
    inner_id: str | None = None  # the optimizer Lookahead wraps
    inner_hyper: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        name = self.id if self.inner_id is None else f"{self.id}({self.inner_id})"
        values = [f"{key}={_show(value)}" for key, value in self.hyper.items()]
        values += [f"inner.{key}={_show(value)}" for key, value in (self.inner_hyper or {}).items()]
        return name + (f"[{','.join(values)}]" if values else "")


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclasses.dataclass(frozen=True)
class TrainRun:
    """Where one run of the batch comes from."""

    index: int
    optimizer_index: int
    schedule_index: int
    seed_index: int
    seed: int
    optimizer: str  # labels
    schedule: str

    @property
    def name(self) -> str:
        return f"{self.schedule} · {self.optimizer} · seed {self.seed}"


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """Numpy arrays of a whole batch; row ``i`` of every array is ``runs[i]``.

    ``lr[i, k]``, ``batch_loss[i, k]`` and ``batch_accuracy[i, k]`` belong to step ``k`` (``0 … T − 1``): its
    LR, and the loss and accuracy of its mini-batch at the weights before it. The other arrays are recorded at
    ``record_steps`` (``R`` steps from 0 to T): the weights after that many steps and their loss and accuracy
    on the whole training and test sets.
    """

    problem: registry.Problem
    optimizers: tuple[OptimizerChoice, ...]
    runs: tuple[TrainRun, ...]
    steps: int
    record_steps: np.ndarray  # [R] int64, increasing, from 0 to T
    lr: np.ndarray  # [B, T] float64
    batch_loss: np.ndarray  # [B, T]
    batch_accuracy: np.ndarray  # [B, T]
    train_loss: np.ndarray  # [B, R]
    train_accuracy: np.ndarray  # [B, R]
    test_loss: np.ndarray  # [B, R]
    test_accuracy: np.ndarray  # [B, R]
    grad_evals: np.ndarray  # [B, R] int64: mini-batch gradients used by the updates up to that record
    weights: np.ndarray  # [B, R, P] flattened (tasks.models.flatten); [B, 0, P] when not recorded
    status: np.ndarray  # [B] int8: RUNNING or DIVERGED
    status_step: np.ndarray  # [B] int64: the step the run diverged at (its weights are those of step − 1); −1
    scene: Any = None  # the Scene it was trained from (tasks.run_scene), or None for a direct call of train()

    @property
    def model(self) -> Model:
        return self.problem.model

    @property
    def num_runs(self) -> int:
        return len(self.runs)

    def status_name(self, run: int) -> str:
        return STATUS_NAMES[int(self.status[run])]

    def initial_weights(self, run: int) -> np.ndarray:
        """``[P]`` the run's weights before training."""
        self._need_weights()
        return self.weights[run, 0]

    def final_weights(self, run: int) -> np.ndarray:
        """``[P]`` the run's weights after the last step (the frozen ones if it diverged)."""
        self._need_weights()
        return self.weights[run, -1]

    def _need_weights(self) -> None:
        if self.weights.shape[1] == 0:
            raise ValueError("this batch was trained without recording the weights (record_weights=False)")


def batch_indices(seed: int, num_examples: int, batch_size: int, num_batches: int) -> np.ndarray:
    """``[num_batches, batch_size]`` int32: the examples of each mini-batch of a seed.

    Epoch after epoch, a fresh permutation of the ``num_examples`` training examples (numpy's PCG64 from the
    second child of ``SeedSequence(seed)``; the initial weights use the first) is cut into
    ``⌊num_examples / batch_size⌋`` batches; the rest of the epoch is dropped. The first ``n`` batches are the
    same whatever ``num_batches``.
    """
    if not 1 <= batch_size <= num_examples:
        raise ValueError(f"need 1 <= batch_size <= num_examples, got {batch_size=}, {num_examples=}")
    per_epoch = num_examples // batch_size
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    epochs = [
        rng.permutation(num_examples)[: per_epoch * batch_size] for _ in range(math.ceil(num_batches / per_epoch))
    ]
    order = np.concatenate(epochs) if epochs else np.zeros(0, np.int64)
    return order[: num_batches * batch_size].reshape(num_batches, batch_size).astype(np.int32)


def record_steps_for(steps: int, records: int) -> np.ndarray:
    """The steps at which weights and full-set metrics are recorded: ``records + 1`` evenly spaced from 0 to
    ``steps`` (every step when ``steps <= records``)."""
    return np.unique(np.round(np.linspace(0, steps, min(records, steps) + 1)).astype(np.int64))


def bucket_steps(steps: int) -> int:
    """Pads a step count to 64·2^n·{1, 1.25, 1.5, 1.75}: at most 25 % wasted, few programs."""
    if steps <= 64:
        return 64
    power = 2 ** math.floor(math.log2(steps))
    return next(int(power * f) for f in (1.0, 1.25, 1.5, 1.75, 2.0) if steps <= power * f)


def bucket_size(size: int) -> int:
    """Pads a count to a power of two."""
    return 1 << max(0, (size - 1).bit_length())


class _GroupConfig(NamedTuple):
    """What is compiled into a training program (everything else is data)."""

    model: Model
    optimizer_id: str
    optimizer_settings: tuple[tuple[str, Any], ...]
    inner_id: str | None
    inner_settings: tuple[tuple[str, Any], ...]
    clip: bool
    record_weights: bool


def _where(flag: jax.Array, new: Any, old: Any) -> Any:
    """``new`` where ``flag`` (``[B]``), else ``old``, leaf by leaf (leaves with a leading ``[B]`` axis)."""

    def pick(a, b):
        return jnp.where(flag.reshape(flag.shape + (1,) * (jnp.ndim(a) - 1)), a, b)

    return jax.tree.map(pick, new, old)


@functools.partial(jax.jit, static_argnames=("config",))
def _train_group(config: _GroupConfig, inputs: dict[str, Any]) -> dict[str, jax.Array]:
    """One group in one program; per-step records ``[Tb, B]``, the others ``[Rb, B(, P)]``."""
    _traces[0] += 1
    model = config.model
    x_train, y_train = inputs["x_train"], inputs["y_train"]
    x_test, y_test = inputs["x_test"], inputs["y_test"]
    dtype = x_train.dtype
    l2 = inputs["l2"]
    schedule_index, seed_index = inputs["schedule_index"], inputs["seed_index"]
    lr_table, batches = inputs["lr_table"], inputs["batches"]  # [Tb, S], [K, Tb + 1, b]
    hyper, inner_hyper = inputs["hyper"], inputs["inner_hyper"]  # name -> [B]
    mask = models.bias_mask(model)
    num_runs = schedule_index.shape[0]
    num_weights = model.num_params if config.record_weights else 0

    def transformation(lr, h, ih):
        return catalog.build_optimizer(
            config.optimizer_id,
            lambda count: lr,  # the table gives this step's LR; the optimizer's own count plays no part
            {**dict(config.optimizer_settings), **h},
            inner_id=config.inner_id,
            inner_hyper=None if config.inner_id is None else {**dict(config.inner_settings), **ih},
            bias_mask=mask,
        )

    def init_one(params, h, ih):
        return transformation(jnp.zeros((), dtype), h, ih).init(params)

    def update_one(grads, state, params, lr, h, ih):
        return transformation(lr, h, ih).update(grads, state, params)

    def batch_value_and_grad(params, indices):
        x, y = x_train[indices], y_train[indices]

        def objective(p):
            return models.loss_and_accuracy(model, p, x, y, l2)

        (loss, accuracy), grads = jax.value_and_grad(objective, has_aux=True)(params)
        return loss, accuracy, grads, optax.tree.norm(grads)

    num_train = x_train.shape[0]
    x_all = jnp.concatenate([x_train, x_test])  # one forward pass serves both sets
    y_all = jnp.concatenate([y_train, y_test])

    def full_metrics(params):
        losses, correct = models.per_example(model, params, x_all, y_all)
        penalty = models.weight_penalty(params, l2)
        train, test = slice(0, num_train), slice(num_train, None)
        return (
            jnp.mean(losses[train]) + penalty,
            jnp.mean(correct[train]),
            jnp.mean(losses[test]) + penalty,
            jnp.mean(correct[test]),
        )

    params0 = inputs["params0"]
    state0 = jax.vmap(init_one)(params0, hyper, inner_hyper)
    zero = jnp.zeros((num_runs,), dtype)
    tb = lr_table.shape[0]
    # The loop starts at k = −1, which only evaluates the initial weights on batch 0 (the update is discarded):
    # one copy of the gradient computation in the program instead of two, which shortens compiling.
    carry0 = {
        "k": jnp.full((), -1, jnp.int32),
        "params": params0,
        "state": state0,
        "loss": zero,
        "accuracy": zero,
        "grads": jax.tree.map(jnp.zeros_like, params0),
        "norm": zero,
        "limit": jnp.full((num_runs,), jnp.inf, dtype),
        "status_step": jnp.full((num_runs,), -1, jnp.int32),
        "batch_loss": jnp.zeros((tb, num_runs), dtype),
        "batch_accuracy": jnp.zeros((tb, num_runs), dtype),
        "last": (zero, zero, zero, zero),  # the last recorded full-set metrics, for the never-NaN guard
    }

    def step(k, carry):
        first = k < 0
        active = carry["status_step"] < 0
        grads = carry["grads"]
        if config.clip:
            scale = jnp.minimum(1.0, inputs["clip"] / jnp.maximum(carry["norm"], jnp.finfo(dtype).tiny))
            grads = jax.tree.map(lambda g: g * _expand(scale, g), grads)
        row = jnp.maximum(k, 0)
        lr = lr_table[row, schedule_index]
        updates, state = jax.vmap(update_one)(grads, carry["state"], carry["params"], lr, hyper, inner_hyper)
        params = jax.tree.map(lambda p, u: jnp.where(first, p, p + u), carry["params"], updates)
        state = jax.tree.map(lambda new, old: jnp.where(first, old, new), state, carry["state"])
        loss, accuracy, new_grads, norm = jax.vmap(batch_value_and_grad)(params, batches[seed_index, k + 1])
        limit = jnp.where(first, DIVERGENCE_FACTOR * jnp.maximum(jnp.nan_to_num(loss, nan=1.0), 1.0), carry["limit"])
        ok = jnp.isfinite(loss) & (loss <= limit) & jnp.isfinite(norm)
        move = active & ok
        return {
            **carry,
            "params": _where(move, params, carry["params"]),
            "state": _where(move, state, carry["state"]),
            "loss": jnp.where(move, loss, carry["loss"]),
            "accuracy": jnp.where(move, accuracy, carry["accuracy"]),
            "grads": _where(move, new_grads, carry["grads"]),
            "norm": jnp.where(move, norm, carry["norm"]),
            "limit": limit,
            "status_step": jnp.where(active & ~ok, k + 1, carry["status_step"]),
            # k = −1 writes row 0, which step 0 overwrites
            "batch_loss": carry["batch_loss"].at[row].set(carry["loss"]),
            "batch_accuracy": carry["batch_accuracy"].at[row].set(carry["accuracy"]),
        }

    def segment(carry, xs):
        slot, end = xs
        carry = jax.lax.fori_loop(carry["k"], end, step, carry)
        carry["k"] = end

        def record(params):
            metrics = jax.vmap(full_metrics)(params)
            weights = jax.vmap(models.flatten)(params) if config.record_weights else jnp.zeros((num_runs, 0), dtype)
            return metrics, weights

        def skip(params):
            del params
            return (zero, zero, zero, zero), jnp.zeros((num_runs, num_weights), dtype)

        metrics, weights = jax.lax.cond(slot < inputs["num_records"], record, skip, carry["params"])
        finite = functools.reduce(jnp.logical_and, [jnp.isfinite(m) for m in metrics])
        metrics = tuple(jnp.where(finite, m, last) for m, last in zip(metrics, carry["last"], strict=True))
        running = carry["status_step"] < 0
        carry["status_step"] = jnp.where(running & ~finite, end, carry["status_step"])
        carry["last"] = metrics
        return carry, (*metrics, weights)

    slots = jnp.arange(inputs["record_ends"].shape[0], dtype=jnp.int32)
    final, (train_loss, train_acc, test_loss, test_acc, weights) = jax.lax.scan(
        segment, carry0, (slots, inputs["record_ends"])
    )
    return {
        "batch_loss": final["batch_loss"],
        "batch_accuracy": final["batch_accuracy"],
        "train_loss": train_loss,
        "train_accuracy": train_acc,
        "test_loss": test_loss,
        "test_accuracy": test_acc,
        "weights": weights,
        "status_step": final["status_step"],
    }


def _expand(flag: jax.Array, like: jax.Array) -> jax.Array:
    return flag.reshape(flag.shape + (1,) * (jnp.ndim(like) - 1))


def _as_choice(entry: Any) -> OptimizerChoice:
    if isinstance(entry, OptimizerChoice):
        return entry
    if isinstance(entry, str):
        return OptimizerChoice(entry)
    return OptimizerChoice(*entry)


def _group_key(choice: OptimizerChoice, steps: int) -> tuple:
    _, settings = catalog.split_hyper(choice.id, choice.hyper, steps)
    for entry_id in filter(None, (choice.id, choice.inner_id)):
        refusal = gradient_only_refusal(entry_id)
        if refusal:
            raise ValueError(refusal)
    if catalog.wraps(choice.id):
        if choice.inner_id is None or catalog.wraps(choice.inner_id):
            raise ValueError(f"{choice.id} wraps another optimizer; give inner_id (not a wrapping one)")
        _, inner_settings = catalog.split_hyper(choice.inner_id, choice.inner_hyper, steps)
        return (choice.id, settings, choice.inner_id, inner_settings)
    if choice.inner_id is not None or choice.inner_hyper is not None:
        raise ValueError(f"{choice.id} wraps nothing; got inner_id={choice.inner_id!r}")
    return (choice.id, settings, None, ())


def _hyper_arrays(optimizer_id: str | None, rows: list[Mapping[str, Any]], steps: int, dtype: Any) -> dict:
    if optimizer_id is None:
        return {}
    resolved = [catalog.split_hyper(optimizer_id, row, steps)[0] for row in rows]
    return {
        name: np.asarray(
            [values[name] for values in resolved], np.int32 if catalog.is_integer(optimizer_id, name) else dtype
        )
        for name in resolved[0]
    }


def train(
    task_id: str,
    task_params: Mapping[str, Any] | None,
    optimizers: Sequence[OptimizerChoice | tuple | str],
    lr_tables: ArrayLike,
    seeds: Sequence[int] = (0,),
    *,
    schedule_labels: Sequence[str] | None = None,
    optimizer_labels: Sequence[str] | None = None,
    records: int = 100,
    record_weights: bool = True,
    clip: float | None = None,
    dtype: str = "float32",
) -> TrainResult:
    """Trains every optimizer × schedule × seed on a task; one compiled program per optimizer kind.

    Args:
        task_id, task_params: a key of :data:`tasks.TASKS` and the parameters set (validated here).
        optimizers: :class:`OptimizerChoice` entries, or plain ``(id, hyper)`` / ``(id, hyper, inner_id,
            inner_hyper)`` tuples, or ids.
        lr_tables: ``[S, T]`` (or ``[T]`` for one schedule): the LR of every step of each schedule, e.g. from
            :func:`tasks.catalog.lr_table`. ``T`` is the number of steps.
        seeds: the seeds (initial weights and mini-batch order).
        schedule_labels: a name per table (default ``schedule 0``, …).
        optimizer_labels: a name per optimizer (default :attr:`OptimizerChoice.label`).
        records: how many evenly spaced steps (besides step 0) record the weights and full-set metrics.
        record_weights: False skips recording the weights (only the metrics are needed).
        clip: clip each mini-batch gradient to this global norm before the step (None: no clipping).
        dtype: ``float32`` or ``float64``.

    Returns:
        A :class:`TrainResult`, runs ordered optimizer by optimizer, then schedule, then seed.
    """
    problem = registry.problem(task_id, task_params)
    tables = np.asarray(lr_tables, dtype=np.float64)
    if tables.ndim == 1:
        tables = tables[None]
    if tables.ndim != 2 or tables.shape[0] == 0 or tables.shape[1] == 0:
        raise ValueError(f"lr_tables must be [schedules, steps] with at least one of each, got shape {tables.shape}")
    if not np.all(np.isfinite(tables)) or np.any(tables < 0):
        raise ValueError("lr_tables must hold finite learning rates >= 0")
    num_schedules, steps = tables.shape
    labels = tuple(f"schedule {i}" for i in range(num_schedules)) if schedule_labels is None else tuple(schedule_labels)
    if len(labels) != num_schedules:
        raise ValueError(f"need one schedule label per table ({num_schedules}), got {len(labels)}")
    choices = tuple(_as_choice(entry) for entry in optimizers)
    names = tuple(choice.label for choice in choices) if optimizer_labels is None else tuple(optimizer_labels)
    if len(names) != len(choices):
        raise ValueError(f"need one optimizer label per optimizer ({len(choices)}), got {len(names)}")
    seeds = tuple(int(seed) for seed in seeds)
    if not choices or not seeds:
        raise ValueError("need at least one optimizer and one seed")
    if len(set(seeds)) != len(seeds) or any(not 0 <= seed < 2**31 for seed in seeds):
        raise ValueError(f"seeds must be distinct integers in [0, 2**31), got {list(seeds)}")
    if not 1 <= records <= MAX_RECORDS:
        raise ValueError(f"records must be in [1, {MAX_RECORDS}], got {records}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    if clip is not None and not (math.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    float_type = np.float64 if dtype == "float64" else np.float32
    record_steps = record_steps_for(steps, records)
    model = problem.model
    num_runs = len(choices) * num_schedules * len(seeds)
    weight_bytes = num_runs * len(record_steps) * model.num_params * np.dtype(float_type).itemsize
    if record_weights and weight_bytes > MAX_WEIGHT_BYTES:
        raise ValueError(
            f"recording the weights would take {weight_bytes / 2**20:.0f} MB (limit {MAX_WEIGHT_BYTES >> 20} MB): "
            "ask for fewer records, runs or a smaller network, or record_weights=False"
        )

    runs = tuple(
        TrainRun(
            index=(o * num_schedules + s) * len(seeds) + k,
            optimizer_index=o,
            schedule_index=s,
            seed_index=k,
            seed=seed,
            optimizer=names[o],
            schedule=labels[s],
        )
        for o in range(len(choices))
        for s in range(num_schedules)
        for k, seed in enumerate(seeds)
    )
    groups: dict[tuple, list[int]] = {}
    keys = [_group_key(choice, steps) for choice in choices]
    for run in runs:
        groups.setdefault(keys[run.optimizer_index], []).append(run.index)

    padded_steps = bucket_steps(steps)
    padded_records = bucket_size(len(record_steps))
    data = problem.data
    batches = np.stack([batch_indices(seed, len(data.y_train), problem.batch_size, padded_steps + 1) for seed in seeds])
    table = np.zeros((padded_steps, bucket_size(num_schedules)), float_type)
    table[:steps, :num_schedules] = tables.T
    record_ends = np.full(padded_records, steps, np.int32)
    record_ends[: len(record_steps)] = record_steps
    shared = {
        "x_train": data.x_train.astype(float_type),
        "y_train": data.y_train,
        "x_test": data.x_test.astype(float_type),
        "y_test": data.y_test,
        "l2": np.asarray(problem.l2, float_type),
        "batches": batches,
        "lr_table": table,
        "record_ends": record_ends,
        "num_records": np.int32(len(record_steps)),
        "clip": np.asarray(np.inf if clip is None else clip, float_type),
    }

    inits = [models.init(model, seed) for seed in seeds]
    pending = []
    with jax.enable_x64(dtype == "float64"):
        for key, members in groups.items():
            optimizer_id, settings, inner_id, inner_settings = key
            rows = np.array(members)
            order = np.concatenate([rows, np.full(bucket_size(len(rows)) - len(rows), rows[0])])
            group_runs = [runs[i] for i in order]
            group_choices = [choices[run.optimizer_index] for run in group_runs]
            inputs = {
                **shared,
                "params0": jax.tree.map(
                    lambda *leaves: np.stack(leaves).astype(float_type), *[inits[run.seed_index] for run in group_runs]
                ),
                "seed_index": np.array([run.seed_index for run in group_runs], np.int32),
                "schedule_index": np.array([run.schedule_index for run in group_runs], np.int32),
                "hyper": _hyper_arrays(optimizer_id, [c.hyper for c in group_choices], steps, float_type),
                "inner_hyper": _hyper_arrays(inner_id, [c.inner_hyper for c in group_choices], steps, float_type),
            }
            config = _GroupConfig(
                model, optimizer_id, settings, inner_id, inner_settings, clip is not None, record_weights
            )
            pending.append((rows, _train_group(config, inputs)))  # dispatched; the next group starts meanwhile

    size, num_records = len(runs), len(record_steps)
    out: dict[str, np.ndarray] = {}
    for rows, result in pending:
        n = len(rows)
        for name, value in result.items():
            value = np.asarray(value)
            if name == "status_step":
                piece = value[:n]
            elif name == "weights":
                piece = value[:num_records, :n].transpose(1, 0, 2)
            elif name.startswith("batch_"):
                piece = value[:steps, :n].T
            else:
                piece = value[:num_records, :n].T
            target = out.setdefault(name, np.zeros((size, *piece.shape[1:]), piece.dtype))
            target[rows] = piece
    status_step = out["status_step"].astype(np.int64)
    diverged = status_step >= 0
    stop = np.where(diverged, np.maximum(status_step - 1, 0), steps)
    return TrainResult(
        problem=problem,
        optimizers=choices,
        runs=runs,
        steps=steps,
        record_steps=record_steps,
        lr=tables[[run.schedule_index for run in runs]],
        batch_loss=out["batch_loss"],
        batch_accuracy=out["batch_accuracy"],
        train_loss=out["train_loss"],
        train_accuracy=out["train_accuracy"],
        test_loss=out["test_loss"],
        test_accuracy=out["test_accuracy"],
        grad_evals=np.minimum(record_steps[None, :], stop[:, None]),
        weights=out["weights"],
        status=np.where(diverged, DIVERGED, RUNNING).astype(np.int8),
        status_step=status_step,
    )
