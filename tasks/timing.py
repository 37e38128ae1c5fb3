"""Times the tasks against the issue's budget and prints what it measures (no assertions: a shared machine's
timings are not a test).

The budget (issue 13): the digits MLP (64-32-10) with SGD + momentum 0.9, the paper's five schedules × 3 seeds ×
2,000 mini-batch steps, ≤ 5 s warm and ≤ 15 s for the first run in a fresh process; a 41 × 41 slice of the
training loss ≤ 1 s warm.

Usage: ``python -m tasks.timing [--repeat N] [--no-fresh]``. The fresh-process runs start a new Python that
imports, loads the data, compiles and trains once: first without a persistent compilation cache, then twice
with an empty temporary one (the second finds the programs on disk).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PAPER_SCHEDULES = ("constant_lr", "step_lr", "cosine_lr", "cosineclr_lr", "lwarmcosine_lr")
SEEDS = (0, 1, 2)
STEPS = 2000

_FRESH = """
import time
start = time.perf_counter()
import sys
if sys.argv[1]:
    import jax
    jax.config.update("jax_compilation_cache_dir", sys.argv[1])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
from tasks import timing
imported = time.perf_counter()
timing.paper_batch()
print(f"{imported - start:.2f} {time.perf_counter() - start:.2f}")
"""


def paper_batch():
    """The budget's batch: digits MLP, momentum 0.9, the paper's five schedules × 3 seeds × 2,000 steps."""
    import tasks

    lr = tasks.TASKS["digits_mlp"].lr
    tables = tasks.lr_tables([(key, {}) for key in PAPER_SCHEDULES], lr, STEPS)
    return tasks.train(
        "digits_mlp", None, [("momentum", {"momentum": 0.9})], tables, SEEDS, schedule_labels=PAPER_SCHEDULES
    )


def _timed(function, repeat: int) -> tuple[float, list[float], object]:
    start = time.perf_counter()
    value = function()
    first = time.perf_counter() - start
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        warm.append(time.perf_counter() - start)
    return first, warm, value


def _fresh(cache_dir: str) -> tuple[float, float]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _FRESH, cache_dir], capture_output=True, text=True, check=True, cwd=root, env=env
    )
    total = time.perf_counter() - start
    imported = float(out.stdout.split()[-2])
    return imported, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm repetitions (the median is reported)")
    parser.add_argument("--no-fresh", action="store_true", help="skip the fresh-process runs")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (shared: timings are noisy)")
    if not args.no_fresh:
        imported, total = _fresh("")
        print(f"fresh process, no compilation cache: {total:.1f} s to the first result (imports {imported:.1f} s)")
        with tempfile.TemporaryDirectory() as cache:
            _, cold = _fresh(cache)
            _, cached = _fresh(cache)
        print(f"fresh process with a persistent cache: {cold:.1f} s empty, {cached:.1f} s filled")

    import jax

    import tasks
    from tasks import trainer

    first, warm, result = _timed(paper_batch, args.repeat)
    print(
        f"digits MLP, momentum, 5 schedules × 3 seeds × {STEPS} steps ({result.num_runs} runs): first call "
        f"{first:.2f} s, warm median {statistics.median(warm):.2f} s (min {min(warm):.2f}); "
        f"programs compiled: {trainer.trace_count()}; backend {jax.default_backend()}"
    )
    accuracy = result.test_accuracy[:, -1].reshape(len(PAPER_SCHEDULES), len(SEEDS))
    for name, row in zip(PAPER_SCHEDULES, accuracy, strict=True):
        print(f"  {name:>15}: test accuracy {', '.join(f'{a:.3f}' for a in row)}")

    problem, center = result.problem, result.final_weights(2 * len(SEEDS))  # cosine_lr, seed 0
    directions = tasks.filter_normalized_directions(problem.model, center)
    first, warm, _ = _timed(lambda: tasks.loss_slice(problem, center, directions), args.repeat)
    print(f"41 × 41 slice, full training set: first {first:.2f} s, warm median {statistics.median(warm):.3f} s")
    first, warm, pca = _timed(lambda: tasks.pca_directions(result.weights, reference=2 * len(SEEDS)), args.repeat)
    ratios = ", ".join(f"{r:.2f}" for r in pca.explained_variance_ratio)
    print(f"PCA of {result.num_runs} paths: first {first:.2f} s, warm {statistics.median(warm):.3f} s ({ratios})")
    start_weights = result.initial_weights(2 * len(SEEDS))
    first, warm, _ = _timed(lambda: tasks.interpolate(problem, start_weights, center), args.repeat)
    print(f"interpolation (82 points, train and test): first {first:.2f} s, warm {statistics.median(warm):.3f} s")


if __name__ == "__main__":
    main()
