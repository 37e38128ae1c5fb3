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
