"""A small, bounded, thread-safe cache of computed values: the least recently used entry goes first.

One helper for every memo of the project (compiled surface functions, the claims' η0 sweeps, the page's
sweeps shared by every session). ``functools.lru_cache`` keys on every argument; these caches key on
what identifies the work (a Scene's JSON, not a progress callback) and are held where their owner
decides (the page keeps its cache in ``st.cache_resource``, so that it outlives a script run).
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    """At most ``size`` values by key; :meth:`get` computes a missing one and keeps it.

    The value is computed outside the lock, so a long computation never blocks other threads' look-ups;
    two threads asking for the same missing key at once both compute it, and the later one is kept.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"an LRU cache holds at least one entry, got {size=}")
        self.size = size
        self._entries: collections.OrderedDict[Hashable, V] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value kept for ``key``, or ``compute()`` (kept, dropping the least recently used beyond ``size``)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
