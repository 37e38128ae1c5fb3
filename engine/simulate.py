"""Runs a Scene: every trajectory of the batch in one compiled ``lax.scan`` per optimizer kind.

The orchestration: build the batch and group it (``engine.batch``), run each group's program
(``engine.program``) on the devices (``engine.devices``), and gather the outputs into a
:class:`Result` of numpy arrays. Call ``engine.configure()`` once per process first (the
persistent compilation cache). Why the engine is built this way, and what it costs:
docs/SPEED.md ("The engine's design").

Conventions follow the paper's reference pipeline: the gradient (plus optional isotropic
noise) is clipped to the scene's global norm before the step, and step ``k`` uses the
schedule's value at ``k``. A trajectory that leaves the finite numbers or goes farther
than ``DIVERGENCE_FACTOR`` window half-diagonals from the window is frozen where it was
and marked diverged, so no NaN or overflow ever reaches the outputs.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Mapping
from typing import Any

import jax
import numpy as np

from engine import devices, program
from engine.batch import (
    DIVERGENCE_FACTOR,
    Batch,
    RunLabel,
    SceneInputs,
    bucket_batch,
    bucket_steps,
    group_program,
    groups,
    run_labels,
    scene_batch,
    scene_inputs,
    schedule_table,
)
from engine.program import CONVERGED, DIVERGED, RECORDABLE, RUNNING, STATUS_NAMES, GroupConfig, trace_count
from engine.scene import Scene

__all__ = [
    "CONVERGED",
    "DIVERGED",
    "DIVERGENCE_FACTOR",
    "PATHS",
    "RECORDABLE",
    "RUNNING",
    "STATUS_NAMES",
    "Batch",
    "Result",
    "RunLabel",
    "bucket_batch",
    "bucket_steps",
    "record_names",
    "run",
    "run_batch",
    "run_labels",
    "scene_batch",
    "schedule_table",
    "trace_count",
]

PATHS = ("x", "loss")  # enough for paths on a surface and loss curves: ``record=PATHS``
SEGMENT_BYTES = 4 << 20  # a long recorded run goes in segments whose recordings are about this size
SEGMENT_MIN_TOTAL = 64 << 20  # recordings up to this size come from one program (fewer programs to compile)
_FINALS = (
    "final_x",
    "final_loss",
    "final_grad_norm",
    "status",
    "status_step",
    "final_grad_evals",
    "counts_evals",
)


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


@dataclasses.dataclass(frozen=True)
class Result:
    """Numpy arrays of a whole run; row ``i`` of every array is ``runs[i]``.

    The recorded arrays are read-only, often transposed views of the engine's time-major buffers.

    Positions, loss and gradient norm have ``T + 1`` entries (step 0 is the start); the LR
    has ``T``: ``lr[i, k]`` is the LR used to go from step ``k`` to ``k + 1``. ``grad_evals[i, k]``
    counts the gradient evaluations spent to reach position ``k``: ``k`` for most optimizers (one
    per step), more for those that evaluate extra points (a line search, SAM's ascent step,
    Sophia's Hessian estimate); it stops at the status step of a run that diverged or converged.
    A schedule-free method's position and loss are those of the point it returns (its average),
    not of the point it takes gradients at.
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
    # The rows whose optimizer counted its evaluations, and their counts [len(rows), T + 1]; every other row
    # spent one per step (see grad_evals).
    counted_rows: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    counted_evals: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0), np.int64))

    @functools.cached_property
    def grad_evals(self) -> np.ndarray:
        """``[B, T + 1]`` cumulative gradient evaluations (``[B, 0]`` when nothing was recorded)."""
        size, points = self.loss.shape
        if points == 0:
            points = self.positions.shape[1]
        if points == 0:
            return np.zeros((size, 0), np.int64)
        steps = np.arange(points)
        # the count stops where a run diverged or converged (the engine steps a converged run on in place)
        stop = np.where(self.status != RUNNING, self.status_step, points)
        upto = np.minimum(steps[None, :], stop[:, None])
        evals = upto.copy()
        if len(self.counted_rows):
            evals[self.counted_rows] = np.take_along_axis(self.counted_evals[:, :points], upto[self.counted_rows], 1)
        return evals

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


def run(scene: Scene, *, record: bool | str | Collection[str] = True, inspect: bool = False) -> Result:
    """Runs every trajectory of ``scene``; one compiled call per optimizer group.

    ``record``: True records everything, False only the statuses and final points, a
    collection of names from ``RECORDABLE`` (e.g. ``PATHS``) only those; what is not
    recorded is an empty ``[B, 0]`` array in the Result. ``inspect`` also records the
    optimizer's internals (with any recording).
    """
    runs = run_labels(scene)
    names = record_names(record)
    raw = _run_time_major(scene, scene_batch(scene, runs), names, inspect)
    size, steps = len(runs), scene.steps
    empty = np.zeros((size, 0))
    internals = {
        name.removeprefix("internals."): value[: steps + 1].transpose(2, 0, 1)
        for name, value in raw.items()
        if name.startswith("internals.")
    }
    counted_rows = np.flatnonzero(raw["counts_evals"]) if "grad_evals" in raw else np.zeros(0, np.int64)
    counted = raw["grad_evals"][: steps + 1].T[counted_rows] if len(counted_rows) else np.zeros((0, 0), np.int64)
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
        counted_rows=counted_rows,
        counted_evals=counted.astype(np.int64),
    )


def run_batch(
    scene: Scene, batch: Batch, *, record: bool | str | Collection[str] = True, inspect: bool = False
) -> dict[str, np.ndarray]:
    """Runs a batch on the scene's surface; returns batch-major numpy arrays.

    Always: ``final_x [B, 2]``, ``final_loss``, ``final_grad_norm``, ``status``, ``status_step``,
    ``final_grad_evals`` (gradient evaluations spent) and ``counts_evals`` (whether the optimizer spends
    more than one per step; then ``grad_evals [B, T]`` is recorded with the rest).
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


def _run_time_major(scene: Scene, batch: Batch, names: tuple[str, ...], inspect: bool) -> dict[str, np.ndarray]:
    """Runs every group; finals batch-first ``[B, ...]``, recordings time-major ``[Tb + 1, ..., B]``."""
    shared = scene_inputs(scene, batch)
    inspect = inspect and bool(names)
    pieces = []
    with jax.enable_x64(scene.dtype == "float64"):
        for key, members in groups(batch, scene.steps).items():
            rows = np.array(members)
            pieces.append((rows, _run_group(scene, batch, shared, key, rows, names, inspect)))
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
    scene: Scene, batch: Batch, shared: SceneInputs, key: tuple, rows: np.ndarray, names: tuple[str, ...], inspect: bool
) -> dict[str, np.ndarray]:
    """One group's outputs: its program run whole or in segments, sharded when it is large."""
    n = len(rows)
    mesh = devices.batch_mesh(bucket_batch(n))
    padded = bucket_batch(n) if mesh is None else devices.round_up(bucket_batch(n), mesh.size)
    order = np.concatenate([rows, np.full(padded - n, rows[0])])  # padding repeats the first trajectory
    config, inputs = group_program(scene, batch, shared, key, order, names, inspect)
    if mesh is not None:
        inputs = devices.shard(inputs, mesh)
    length = _segment_length(config, padded, np.dtype(shared.dtype).itemsize, shared.tables.shape[0])
    if length is None:
        out = {name: devices.to_numpy(value) for name, value in _flat(program.whole(config, inputs)).items()}
        recorded = {
            name: value if value.ndim == 1 else value[..., :n] for name, value in out.items() if name not in _FINALS
        }
    else:
        out, recorded = _run_segments(config, inputs, length, scene.steps + 1, n)
    result = {name: out[name][:n] for name in _FINALS}
    for name, value in recorded.items():
        if name == "lr" and value.ndim == 1:  # one schedule: one LR per step for the whole group
            value = np.broadcast_to(value[:, None], (value.shape[0], n))
        result[name] = value
    return result


def _segment_length(config: GroupConfig, padded: int, itemsize: int, rows: int) -> int | None:
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
    config: GroupConfig, inputs: dict[str, Any], length: int, rows: int, n: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Runs a group in segments of ``length`` steps until ``rows`` recorded rows (T + 1) are done.

    The next segment is dispatched before the last one is copied out, so copying overlaps
    computing. Returns the final outputs and the recordings, time-major ``[rows, ..., n]``.
    """
    inputs = jax.device_put(inputs)  # once, not at every segment (sharded inputs are placed already)
    carry = program.begin(config, inputs)
    buffers: dict[str, np.ndarray] = {}

    def copy_out(first: int, recorded: dict[str, jax.Array]) -> None:
        take = min(length, rows - first)
        for name, value in _flat(recorded).items():
            if name not in buffers:
                shape = (rows,) if value.ndim == 1 else (rows, *value.shape[1:-1], n)
                buffers[name] = np.empty(shape, value.dtype)
            devices.copy_rows(buffers[name], value, first, take, n)

    pending = None
    for first in range(0, rows, length):
        carry, recorded = program.segment(config, inputs, carry, np.int32(first), length=length)
        if pending is not None:
            copy_out(*pending)
        pending = (first, recorded)
    copy_out(*pending)
    del pending
    out = {name: devices.to_numpy(value) for name, value in program.finish(config, inputs, carry).items()}
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
