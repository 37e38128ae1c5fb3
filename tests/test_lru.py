"""The one LRU cache: bounded, least recently used dropped first, computed outside its lock."""

import threading

import pytest

from common.lru import LRU


def test_keeps_at_most_size_entries_dropping_the_least_recently_used():
    cache: LRU[str] = LRU(2)
    computed = []

    def compute(key: str):
        return lambda: computed.append(key) or key.upper()

    assert cache.get("a", compute("a")) == "A"
    assert cache.get("b", compute("b")) == "B"
    assert cache.get("a", compute("a")) == "A"  # kept: not computed again, and now the most recent
    assert cache.get("c", compute("c")) == "C"  # drops b, the least recently used
    assert computed == ["a", "b", "c"]
    assert "a" in cache and "b" not in cache and len(cache) == 2
    cache.get("b", compute("b"))
    assert computed == ["a", "b", "c", "b"]
    cache.clear()
    assert len(cache) == 0


def test_a_failed_computation_keeps_nothing():
    cache: LRU[int] = LRU(4)
    with pytest.raises(ZeroDivisionError):
        cache.get("x", lambda: 1 // 0)
    assert "x" not in cache
    assert cache.get("x", lambda: 7) == 7


def test_a_long_computation_does_not_block_other_keys():
    cache: LRU[str] = LRU(4)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        assert release.wait(10)
        return "slow"

    worker = threading.Thread(target=cache.get, args=("slow", slow))
    worker.start()
    assert started.wait(10)
    assert cache.get("fast", lambda: "fast") == "fast"  # answered while "slow" is still being computed
    release.set()
    worker.join(10)
    assert cache.get("slow", lambda: "again") == "slow"


def test_size_must_be_positive():
    with pytest.raises(ValueError, match="at least one"):
        LRU(0)
