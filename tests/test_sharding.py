"""Splitting a group's batch over devices changes no number; neither does sharing a step counter.

A subprocess forces two host devices (``XLA_FLAGS`` must be set before JAX starts) and lets
every group shard; this process runs the same scenes without sharding. The results must agree.
"""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import engine.devices as devices
import engine.jaxconfig as jaxconfig
import engine.simulate as simulate
import optimizers
from engine.scene import Scene

ROOT = Path(__file__).resolve().parents[1]

SCENE = {
    "surface": {"id": "peaks_ref"},
    "starts": [[0.57, 0.8], [-0.4, 0.4], [0.1, -0.3]],
    "perturbations": [[0, 0], [0, 0.01]],
    "optimizers": [
        {"id": "momentum", "params": {"momentum": 0.9}},  # two entries, one group: hyperparameters per trajectory
        {"id": "momentum", "params": {"momentum": 0.5}},
        {"id": "adam"},  # one entry: shared hyperparameters and step counter
    ],
    "schedules": [
        {"id": "constant_lr"},
        {"id": "baseloss_lr", "params": {"patience": 5}},
    ],  # plateau: LR per trajectory
    "lr": 0.05,
    "steps": 100,
    "clip": 1.0,
    "noise": {"sigma": 0.1, "seed": 1},
    "dtype": "float64",  # the two programs may round differently; float64 keeps that far below the tolerance
}
SWEEP = {"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "adam"}], "lr": 0.01, "steps": 70, "dtype": "float64"}

# Runs in the subprocess: the same two runs, every group sharded, arrays saved to argv[1].
CHILD = """
import json, sys
import jax
import numpy as np
sys.path.insert(0, sys.argv[4])
import engine
import engine.devices as devices
import engine.simulate as simulate
from engine.scene import Scene
from test_sharding import arrays

engine.configure()
devices.SHARD_MIN_PER_DEVICE = 1
simulate.SEGMENT_BYTES, simulate.SEGMENT_MIN_TOTAL = 1, 0  # sharded segments too
assert len(jax.devices()) == 2, jax.devices()
assert devices.batch_mesh(8) is not None
scene, sweep = (Scene.build(json.loads(text)) for text in sys.argv[2:4])
np.savez(sys.argv[1], **arrays(scene, sweep))
"""


def arrays(scene: Scene, sweep: Scene) -> dict[str, np.ndarray]:
    """What both processes compare: a recorded, inspected run and an unrecorded sweep batch."""
    result = simulate.run(scene, inspect=True)
    out = {
        "positions": result.positions,
        "loss": result.loss,
        "grad_norm": result.grad_norm,
        "lr": result.lr,
        "status": result.status,
        "status_step": result.status_step,
        **{f"internals.{name}": value for name, value in result.internals.items()},
    }
    base = simulate.scene_batch(sweep)
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 8), np.linspace(-1, 3, 5)), axis=-1).reshape(-1, 2)
    batch = simulate.Batch(
        origins=grid,
        optimizer_index=np.zeros(len(grid), np.int64),
        schedule_index=np.zeros(len(grid), np.int64),
        optimizers=base.optimizers,
        lr_table=base.lr_table,
        row_schedules=base.row_schedules,
    )
    for name, value in simulate.run_batch(sweep, batch, record=False).items():
        out[f"sweep.{name}"] = value
    return out


def test_two_host_devices_give_the_single_device_results(tmp_path, monkeypatch):
    scene, sweep = Scene.build(SCENE), Scene.build(SWEEP)
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2", "PYTHONPATH": str(ROOT)}
    env.pop("JAX_PLATFORMS", None)
    saved = tmp_path / "sharded.npz"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(saved), scene.to_json(), sweep.to_json(), str(ROOT / "tests")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-3000:]

    monkeypatch.setattr(devices, "SHARD_MIN_PER_DEVICE", 10**9)  # this process: never shard
    alone = arrays(scene, sweep)
    sharded = dict(np.load(saved))
    assert set(sharded) == set(alone)
    assert alone["positions"].shape == (36, 101, 2) and alone["sweep.final_x"].shape == (40, 2)
    for name, value in alone.items():
        if np.issubdtype(value.dtype, np.integer):
            np.testing.assert_array_equal(sharded[name], value, err_msg=name)
        else:
            np.testing.assert_allclose(sharded[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


def test_batch_mesh_needs_several_devices_and_enough_rows(monkeypatch):
    monkeypatch.setattr(devices, "SHARD_MIN_PER_DEVICE", 4)
    if len(jax.devices()) < 2:
        assert devices.batch_mesh(1 << 20) is None
    else:
        assert devices.batch_mesh(2) is None
        assert devices.batch_mesh(4 * len(jax.devices())).size == len(jax.devices())


@pytest.mark.parametrize("record", [True, False, ("x", "loss")])
def test_record_names(record):
    names = simulate.record_names(record)
    assert set(names) <= set(simulate.RECORDABLE)
    assert names == {True: simulate.RECORDABLE, False: ()}.get(record, ("x", "loss"))


def test_record_rejects_unknown_names():
    with pytest.raises(ValueError, match="record"):
        simulate.record_names(("x", "velocity"))


def test_compilation_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(jaxconfig.CACHE_ENV, str(tmp_path / "jax"))
    assert jaxconfig.compilation_cache_dir() == tmp_path / "jax"
    for off in ("", "off", "0"):
        monkeypatch.setenv(jaxconfig.CACHE_ENV, off)
        assert jaxconfig.compilation_cache_dir() is None
    monkeypatch.delenv(jaxconfig.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jaxconfig.compilation_cache_dir() == tmp_path / "lr-landscapes" / "jax"
    assert jaxconfig.enable_compilation_cache() is None or jax.config.jax_compilation_cache_dir  # never raises


# --- What the engine shares across a group is per-trajectory-safe -------------------------------------------


class _CountState(NamedTuple):
    count: jax.Array  # named like optax's step counters, but counts per trajectory: steps with a positive gx


def _count_positive(learning_rate):
    def init(params):
        return _CountState(count=jnp.zeros([], jnp.int32))

    def update(grads, state, params=None):
        count = state.count + (grads[0] > 0).astype(jnp.int32)
        scale = learning_rate(0) / (1.0 + count)
        return jax.tree.map(lambda g: -scale * g, grads), _CountState(count=count)

    return optax.GradientTransformation(init, update)


def test_a_counter_that_depends_on_the_trajectory_is_not_shared(monkeypatch):
    registry = dict(optimizers.OPTIMIZERS)
    registry["count_positive"] = dataclasses.replace(registry["sgd"], id="count_positive", factory=_count_positive)
    monkeypatch.setattr(optimizers, "OPTIMIZERS", registry)
    scene = Scene.build(
        {"surface": {"id": "quadratic"}, "starts": [[-4, 2], [4, -2], [1, 1]], "optimizers": [{"id": "count_positive"}],
         "lr": 0.1, "steps": 30, "dtype": "float64"}
    )  # fmt: skip
    batched = simulate.run(scene)
    for i, start in enumerate(scene.starts):
        alone = simulate.run(scene.replace(starts=[list(start)]))
        np.testing.assert_allclose(batched.positions[i], alone.positions[0], rtol=1e-12, atol=1e-12)
    assert not np.allclose(batched.positions[0, -1], batched.positions[1, -1] * -1)  # the counts did differ


def test_a_long_recording_in_segments_equals_one_program(monkeypatch):
    scene = Scene.build(SCENE)
    whole = simulate.run(scene, inspect=True)
    monkeypatch.setattr(simulate, "SEGMENT_BYTES", 1)  # the shortest segments: 16 steps
    monkeypatch.setattr(simulate, "SEGMENT_MIN_TOTAL", 0)
    before = simulate.trace_count()
    parts = simulate.run(scene, inspect=True)
    assert simulate.trace_count() > before  # the segment programs did run
    for name in ("positions", "loss", "grad_norm", "lr", "status", "status_step"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name), err_msg=name)
    assert set(parts.internals) == set(whole.internals)
    for name, value in whole.internals.items():
        np.testing.assert_array_equal(parts.internals[name], value, err_msg=name)
    sweep = simulate.run(Scene.build(SWEEP), record=simulate.PATHS)  # one schedule: one LR per step
    assert sweep.positions.shape == (1, 71, 2) and sweep.loss.shape == (1, 71) and sweep.lr.shape == (1, 0)
