"""Device placement: the mesh a large group is split over, its sharded inputs, and copying shards to numpy.

A group is sharded along its batch axis over every device of the default backend when each
device gets at least ``SHARD_MIN_PER_DEVICE`` rows (``NamedSharding`` over a one-axis ``Mesh``);
on a CPU host, ``engine.configure(cpu_devices=0)`` before JAX starts makes one device per core.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

SHARD_MIN_PER_DEVICE = 256  # a group is split over the devices only if each gets at least this many rows
# The inputs with one row per trajectory (split over the mesh); every other input is replicated.
BATCH_INPUTS = ("x0", "schedule_index", "hyper", "inner_hyper", "keys", "plateau_on", "plateau")


def round_up(value: int, multiple: int) -> int:
    """``value`` rounded up to a multiple of ``multiple`` (a batch that splits evenly over the mesh)."""
    return -(-value // multiple) * multiple


def batch_mesh(padded: int) -> Mesh | None:
    """A one-axis mesh over all devices when a group of ``padded`` rows is worth splitting, else None."""
    devices = jax.devices()
    if len(devices) < 2 or padded < len(devices) * SHARD_MIN_PER_DEVICE:
        return None
    return _mesh(tuple(devices))


@functools.lru_cache(maxsize=4)
def _mesh(devices: tuple) -> Mesh:
    return Mesh(np.array(devices), ("batch",))


def shard(inputs: dict[str, Any], mesh: Mesh) -> dict[str, Any]:
    """Places every ``[B, ...]`` input split along its batch axis over the mesh, and the rest replicated."""
    split, whole = NamedSharding(mesh, PartitionSpec("batch")), NamedSharding(mesh, PartitionSpec())

    def place(name: str, value: Any) -> Any:
        def put(leaf: Any) -> Any:
            return jax.device_put(leaf, split if name in BATCH_INPUTS and np.ndim(leaf) >= 1 else whole)

        return jax.tree.map(put, value)

    return {name: place(name, value) for name, value in inputs.items()}


_copier: list[concurrent.futures.ThreadPoolExecutor] = []


def _shards(array: jax.Array) -> list[Any]:
    return list(array.addressable_shards) if not array.sharding.is_fully_replicated else []


def to_numpy(array: jax.Array) -> np.ndarray:
    """A device array as numpy: no copy from one CPU device; shards copied in parallel into one array."""
    shards = _shards(array)
    if len(shards) <= 1:
        return np.asarray(array)
    out = np.empty(array.shape, array.dtype)
    if not _copier:
        _copier.append(concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2))

    def copy(one: Any) -> None:
        out[one.index] = np.asarray(one.data)

    list(_copier[0].map(copy, shards))
    return out


def copy_rows(target: np.ndarray, value: jax.Array, first: int, take: int, n: int) -> None:
    """``target[first : first + take, ..., :n] = value[:take, ..., :n]``, shard by shard (batch axis last)."""
    shards = _shards(value)
    if len(shards) <= 1 or value.ndim == 1:
        target[first : first + take] = np.asarray(value)[:take, ..., :n] if value.ndim > 1 else np.asarray(value)[:take]
        return
    for one in shards:
        columns = one.index[-1]
        low, high = columns.start or 0, min(columns.stop if columns.stop is not None else n, n)
        if low < high:
            target[first : first + take, ..., low:high] = np.asarray(one.data)[:take, ..., : high - low]
