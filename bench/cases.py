"""The engine's side of the benchmark: timed ``run_batch`` cases, the warm rerun and the slider check."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from bench.baselines import DEFAULT, Hyper, starts

ENGINE_OPTIMIZERS = {"adam": {"id": "adam"}, "sgdm": {"id": "momentum", "params": {"momentum": 0.9}}}


def rosenbrock_scene(optimizer: str, steps: int, h: Hyper = DEFAULT):
    """The benchmark's scene: Rosenbrock, one optimizer, constant LR, float32, clipping as ``h``."""
    from engine.scene import Scene

    return Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "optimizers": [ENGINE_OPTIMIZERS[optimizer]],
            "schedules": [{"id": "constant_lr"}],
            "lr": h.lr,
            "steps": steps,
            "clip": h.clip,
            "dtype": "float32",
        }
    )


def rosenbrock_batch(scene: Any, batch: int):
    """``batch`` trajectories of ``scene``'s only optimizer and schedule, from ``baselines.starts``."""
    from engine.simulate import Batch, scene_batch

    base = scene_batch(scene)
    return Batch(
        origins=starts(batch),
        optimizer_index=np.zeros(batch, np.int64),
        schedule_index=np.zeros(batch, np.int64),
        optimizers=base.optimizers,
        lr_table=base.lr_table,
        row_schedules=base.row_schedules,
    )


def time_engine(optimizer: str, batch: int, steps: int, *, record: Any = True, repeat: int = 3) -> dict[str, float]:
    """Times ``run_batch``: the first call (compiling, or loading from the persistent cache) and the best
    of ``repeat`` warm calls, in seconds of wall time, with the process's CPU time of that call."""
    from engine.simulate import run_batch

    scene = rosenbrock_scene(optimizer, steps)
    work = rosenbrock_batch(scene, batch)
    began = time.perf_counter()
    run_batch(scene, work, record=record)
    first = time.perf_counter() - began
    best, cpu = math.inf, math.inf
    for _ in range(max(1, repeat)):
        began, began_cpu = time.perf_counter(), time.process_time()
        out = run_batch(scene, work, record=record)
        elapsed = time.perf_counter() - began
        if elapsed < best:
            best, cpu = elapsed, time.process_time() - began_cpu
        del out
    return {"first_s": first, "best_s": best, "cpu_s": cpu}


def default_scene_rerun(repeat: int = 3) -> dict[str, float]:
    """Warm rerun of the default scene, as the page does it after a slider move: the engine, the
    surface grid, the four figures of the open tab (Paths; hidden tabs are not drawn, nor the contour's
    click grid unless starts are being picked) and their
    serialisation to the JSON Streamlit sends (``plotly.io.to_json(figure.to_dict())``, as
    ``st.plotly_chart`` does). Each rerun uses a new LR, so nothing is reused but compiled programs.
    Returns the best rerun split into engine, grid, figures and serialisation, and the first (cold)
    run, in milliseconds."""
    import plotly.io as pio

    import figures
    import landscapes
    from engine.scene import Scene
    from engine.simulate import run

    base = Scene.build({})
    surface = landscapes.SURFACES[base.surface.id]

    def once(scene: Any) -> dict[str, float]:
        began = time.perf_counter()
        result = run(scene)
        ran = time.perf_counter()
        grid = figures.surface_grid(scene.surface.id, dict(scene.surface.params), surface.window)
        gridded = time.perf_counter()
        drawn = [
            figures.surface_figure(result, grid, log_z=surface.log_z),
            figures.contour_figure(result, grid, log_z=surface.log_z),
            figures.lr_figure(result),
            figures.loss_figure(result),
        ]
        built = time.perf_counter()
        for figure in drawn:
            pio.to_json(figure.to_dict(), validate=False)
        done = time.perf_counter()
        return {
            "rerun_ms": (done - began) * 1e3,
            "engine_ms": (ran - began) * 1e3,
            "grid_ms": (gridded - ran) * 1e3,
            "figures_ms": (built - gridded) * 1e3,
            "serialize_ms": (done - built) * 1e3,
        }

    cold = once(base)["rerun_ms"]
    warm = [once(base.replace(lr=base.lr * (1.1 + 0.1 * i))) for i in range(max(1, repeat))]
    return {**min(warm, key=lambda times: times["rerun_ms"]), "cold_ms": cold}


def slider_recompiles() -> dict[str, Any]:
    """Compilations caused by moving the sliders (LR, momentum, start point, a schedule parameter)
    after a first run; the answer must be 0 (``engine.simulate.trace_count``)."""
    from engine.scene import Scene
    from engine.simulate import run, trace_count

    base = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "optimizers": [{"id": "momentum", "params": {"momentum": 0.9}}],
            "schedules": [{"id": "step_lr", "params": {"gamma": 0.5}}],
            "lr": 0.001,
            "steps": 500,
        }
    )
    run(base)
    before = trace_count()
    moves = {
        "lr": {"lr": 0.002},
        "momentum": {"optimizers": [{"id": "momentum", "params": {"momentum": 0.5}}]},
        "start": {"starts": [[-1.5, 2.0]]},
        "schedule parameter": {"schedules": [{"id": "step_lr", "params": {"gamma": 0.3}}]},
    }
    per_move = {}
    for name, change in moves.items():
        start = trace_count()
        run(base.replace(**change))
        per_move[name] = trace_count() - start
    return {"recompiles_on_slider": trace_count() - before, "per_move": per_move}


# --- Every optimizer (issue 12): the catalog's first run, its warm rerun, and the arena --------------------------

CATALOG_START = (-2.0, 2.5)  # the paper's Fig. 5 start


def catalog_batch(optimizer_ids: list[str] | None = None, steps: int = 500) -> tuple[Any, Any]:
    """Every optimizer (or ``optimizer_ids``) at its defaults × the paper's five schedules, on Rosenbrock from
    (−2, 2.5), clipped to norm 1, float32: the scene (its settings) and the batch (one row per pair)."""
    from analysis.arena import default_optimizers
    from engine.scene import OptimizerSpec, Scene
    from engine.simulate import Batch, schedule_table
    from presets import FIVE_SCHEDULES

    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "starts": [list(CATALOG_START)],
            "schedules": [{"id": schedule} for schedule in FIVE_SCHEDULES],
            "steps": steps,
            "clip": 1.0,
            "dtype": "float32",
        }
    )
    specs = default_optimizers() if optimizer_ids is None else tuple(OptimizerSpec(id=i) for i in optimizer_ids)
    table = np.stack([schedule_table(scene, spec) for spec in scene.schedules], axis=1)
    opt, sched = np.meshgrid(np.arange(len(specs)), np.arange(len(scene.schedules)), indexing="ij")
    batch = Batch(
        origins=np.tile(np.array([CATALOG_START]), (opt.size, 1)),
        optimizer_index=opt.ravel(),
        schedule_index=sched.ravel(),
        optimizers=specs,
        lr_table=table,
        row_schedules=tuple(scene.schedules),
    )
    return scene, batch


def time_catalog(optimizer_ids: list[str] | None = None, steps: int = 500, repeat: int = 3) -> dict[str, Any]:
    """The catalog run (every step recorded, as ``run`` records): first call and best warm call, in this process."""
    from engine.batch import groups
    from engine.simulate import run_batch, trace_count

    scene, batch = catalog_batch(optimizer_ids, steps)
    compiled = trace_count()
    began, began_cpu = time.perf_counter(), time.process_time()
    run_batch(scene, batch, record=True)
    first, first_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    best = math.inf
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        run_batch(scene, batch, record=True)
        best = min(best, time.perf_counter() - began)
    return {
        "first_s": first,
        "first_cpu_s": first_cpu,  # CPU time of the process (all threads): what a quiet machine would need at most
        "best_s": best,
        "trajectories": batch.size,
        "optimizers": len(batch.optimizers),
        "programs": len(groups(batch, steps)),
        "compilations": trace_count() - compiled,
    }


_COLD_CHILD = """
import json, sys, time
began = time.perf_counter()
import engine
engine.configure(cpu_devices=int(sys.argv[3]) or None)
from bench.cases import time_catalog
imported = time.perf_counter() - began
ids = None if sys.argv[1] == "all" else sys.argv[1].split(",")
report = time_catalog(ids, int(sys.argv[2]), repeat=1)
print(json.dumps({**report, "import_s": imported}))
"""


def cold_catalog(
    optimizer_ids: list[str] | None = None, steps: int = 500, devices: int = 0, timeout: float = 1800
) -> dict[str, Any]:
    """The catalog's first run on a fresh machine: a new process with the compilation cache off
    (``LR_LANDSCAPES_JAX_CACHE=off``), so every program compiles. ``devices``: CPU devices (0: one per core).
    Returns the first run (``first_s``: compiling and running), the warm rerun and the import time."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "LR_LANDSCAPES_JAX_CACHE": "off", "PYTHONPATH": str(root)}
    ids = "all" if optimizer_ids is None else ",".join(optimizer_ids)
    child = subprocess.run(
        [sys.executable, "-c", _COLD_CHILD, ids, str(steps), str(devices)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if child.returncode != 0:
        raise RuntimeError(f"the cold catalog run failed: {child.stderr[-2000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def time_arena(
    candidates: int = 100, steps: int = 200, repeat: int = 2, optimizer_ids: list[str] | None = None
) -> dict[str, Any]:
    """The arena: every optimizer (or ``optimizer_ids``) × ``candidates`` η0 × ``steps`` steps on Rosenbrock from
    (−2, 2.5) with cosine_lr: the first call (compiling, or loading the cache) and the best warm call."""
    from analysis.arena import arena
    from engine.scene import Scene

    specs = None if optimizer_ids is None else [{"id": key} for key in optimizer_ids]

    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "starts": [list(CATALOG_START)],
            "schedules": [{"id": "cosine_lr"}],
            "steps": steps,
            "clip": 1.0,
        }
    )
    began = time.perf_counter()
    result = arena(scene, specs, candidates=candidates)
    first = time.perf_counter() - began
    best = math.inf
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        arena(scene, specs, candidates=candidates)
        best = min(best, time.perf_counter() - began)
    return {
        "first_s": first,
        "best_s": best,
        "trajectories": result.trajectories,
        "optimizers": len(result.optimizers),
        "compilations": result.compilations,
    }


# --- Tasks (issue 13): a network trained on data ----------------------------------------------------------------

TASK_SEEDS = (0, 1, 2)
TASK_STEPS = 2000
_FRESH_TASK = """
import time
began = time.perf_counter()
import engine
engine.configure()
from bench.cases import task_scene
from tasks.run import run_scene
run_scene(task_scene({steps}))
print(time.perf_counter() - began)
"""


def task_scene(steps: int = TASK_STEPS):
    """The budget's scene: the digits MLP (64-32-10) with SGD + momentum 0.9 and its default η0, the paper's five
    schedules × 3 seeds × ``steps`` mini-batch steps."""
    from engine.scene import Scene
    from presets import FIVE_SCHEDULES

    return Scene.build(
        {
            "task": {"id": "digits_mlp"},
            "seeds": list(TASK_SEEDS),
            "optimizers": [{"id": "momentum", "params": {"momentum": 0.9}}],
            "schedules": [{"id": schedule} for schedule in FIVE_SCHEDULES],
            "steps": steps,
        }
    )


def time_task_batch(steps: int = TASK_STEPS, repeat: int = 3) -> dict[str, float]:
    """The budget's batch in this process: the first call (compiling, or loading the persistent cache) and the
    best of ``repeat`` warm calls, in seconds; and the lowest final test accuracy of the cosine_lr runs."""
    from tasks.run import run_scene

    scene = task_scene(steps)
    began = time.perf_counter()
    result = run_scene(scene)
    first = time.perf_counter() - began
    best = math.inf
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        result = run_scene(scene)
        best = min(best, time.perf_counter() - began)
    cosine = [run.index for run in result.runs if run.schedule == "cosine_lr"]
    return {"first_s": first, "best_s": best, "cosine_min_accuracy": float(result.test_accuracy[cosine, -1].min())}


def time_task_fresh(steps: int = TASK_STEPS) -> dict[str, float]:
    """A new Python from its start to the budget's batch trained in it (imports, data, compiling or the persistent
    compilation cache, training), as a first command-line run or page request pays it: the wall time, and the CPU
    time of the process (user + system, all threads), which a loaded machine stretches less."""
    import os
    import resource
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _FRESH_TASK.format(steps=steps)], check=True, capture_output=True, cwd=root, env=env
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu}


def time_task_slice(resolution: int = 41, repeat: int = 3) -> dict[str, float]:
    """A ``resolution²`` slice of the training loss on the whole training set, along two filter-normalised
    directions around trained weights: the first call and the best warm call, in seconds."""
    from tasks import landscape
    from tasks.run import run_scene

    result = run_scene(task_scene(200))
    center = result.final_weights(0)
    directions = landscape.filter_normalized_directions(result.problem.model, center)
    grid = landscape.grid(-1.0, 1.0, resolution)
    began = time.perf_counter()
    landscape.loss_slice(result.problem, center, directions, grid, grid)
    first = time.perf_counter() - began
    best = math.inf
    for k in range(max(1, repeat)):
        began = time.perf_counter()
        landscape.loss_slice(result.problem, center, directions * (1.0 + 0.01 * (k + 1)), grid, grid)
        best = min(best, time.perf_counter() - began)
    return {"first_s": first, "best_s": best}
