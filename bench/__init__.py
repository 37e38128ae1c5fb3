"""``python cli.py bench``: the engine's throughput against NumPy and a per-trajectory loop (issue #5).

Cases: SGD-momentum and Adam on Rosenbrock in float32, recording every step (``record=True``)
and recording nothing (``record=False``, as sweeps run), for a small and a large batch. In the
same run: the NumPy loop vectorised over the batch (``bench.baselines.numpy_run``) and a
per-trajectory Python loop (``torch.optim`` if importable, else NumPy), timed on a few
trajectories and extrapolated per trajectory-step. Also the warm rerun of the default scene
(engine and figures) and the number of compilations that moving the sliders causes. And the tasks' budget
(issue 13): the digits MLP with the paper's five schedules × 3 seeds × 2,000 mini-batch steps, warm and as the
first run of a fresh process, a 41 × 41 slice of its training loss, and the test accuracy of its cosine runs
(``--quick``: 200 steps, no fresh process).

Also, for issue 12: every optimizer × the paper's five schedules (its first run in a new process with the
compilation cache off, and warm) and the arena of every optimizer (``--quick`` skips them: they take minutes).

Throughputs are millions of trajectory-steps per second (Msteps/s) of wall time, best of
``--repeat`` warm runs; the first call (compiling or loading the persistent compilation
cache) is reported separately. The machine's load average is reported with them: on a
shared machine other processes take cores away.

Hooks for the command line: ``add_parser(subparsers)`` registers the subcommand and
``main(args)`` runs it; ``collect(...)`` returns the JSON object without printing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from typing import Any

__all__ = ["QUICK", "STANDARD", "add_parser", "collect", "format_table", "main"]

# (large batch, small batch, steps, repeat, loop trajectories, loop steps)
STANDARD = {"batch": 4096, "small_batch": 64, "steps": 5000, "repeat": 3, "loop_trajectories": 4, "loop_steps": 2000}
QUICK = {"batch": 1024, "small_batch": 16, "steps": 1000, "repeat": 2, "loop_trajectories": 2, "loop_steps": 300}
_LABELS = {"adam": "Adam", "sgdm": "SGD-momentum"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Registers ``bench`` on an ``argparse`` subparsers object; the handler is ``main``."""
    parser = subparsers.add_parser(
        "bench", help="measure the engine's throughput against NumPy and a per-trajectory loop"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes; finishes in well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--batch", type=int, metavar="N", help="trajectories of the large cases (default 4096)")
    parser.add_argument("--small-batch", type=int, metavar="N", help="trajectories of the small cases (default 64)")
    parser.add_argument("--steps", type=int, metavar="T", help="steps of every case (default 5000)")
    parser.add_argument("--repeat", type=int, metavar="R", help="warm runs per case; the best counts (default 3)")
    parser.add_argument("--loop-trajectories", type=int, metavar="N", help="trajectories the loop is timed on")
    parser.add_argument("--loop-steps", type=int, metavar="T", help="steps the loop is timed on")
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="skip the cold start in Chromium (always skipped with --quick; needs chromium and playwright)",
    )
    parser.add_argument(
        "--devices",
        type=int,
        metavar="N",
        help="CPU devices to split large batches over (default: one per core; 1 turns sharding off)",
    )
    parser.set_defaults(handler=main)
    return parser


def _settings(args: argparse.Namespace) -> dict[str, int]:
    settings = dict(QUICK if getattr(args, "quick", False) else STANDARD)
    for name in settings:
        value = getattr(args, name, None)
        if value is not None:
            if value < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
            settings[name] = value
    return settings


def main(args: argparse.Namespace) -> int:
    """Runs the benchmark and prints the table, or the JSON object with ``--json``. Returns 0."""
    settings = _settings(args)
    import engine

    # The compilation cache, and one CPU device per core (or --devices) before JAX starts; a no-op once it has.
    engine.configure(cpu_devices=getattr(args, "devices", None) or 0)
    quick = bool(getattr(args, "quick", False))
    browser = not quick and not getattr(args, "no_browser", False)
    report = collect(**settings, quick=quick, browser=browser)
    if getattr(args, "json", False):
        print(json.dumps(report))
    else:
        print(format_table(report))
    return 0


def _msps(batch: int, steps: int, seconds: float) -> float:
    return batch * steps / seconds / 1e6 if seconds > 0 else math.inf


def collect(
    *,
    batch: int,
    small_batch: int,
    steps: int,
    repeat: int,
    loop_trajectories: int,
    loop_steps: int,
    quick: bool = False,
    browser: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """Runs every case and baseline; returns the report (see the module docstring)."""
    import jax

    from bench import baselines, cases
    from engine.jaxconfig import compilation_cache_dir, enable_compilation_cache

    def note(text: str) -> None:
        if progress is not None:
            progress(text)

    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    numpy_rates: dict[tuple[str, bool, int], float] = {}
    for size in dict.fromkeys((small_batch, batch)):
        for optimizer in ("sgdm", "adam"):
            for record in (True, False):
                note(f"numpy {optimizer} record={record} batch={size}")
                seconds = baselines.time_numpy(optimizer, size, steps, record=record, repeat=min(repeat, 2))
                numpy_rates[optimizer, record, size] = _msps(size, steps, seconds)
    for size in dict.fromkeys((small_batch, batch)):
        for optimizer in ("sgdm", "adam"):
            for record in (True, False):
                note(f"engine {optimizer} record={record} batch={size}")
                timing = cases.time_engine(optimizer, size, steps, record=record, repeat=repeat)
                rate = _msps(size, steps, timing["best_s"])
                numpy_rate = numpy_rates[optimizer, record, size]
                rows.append(
                    {
                        "case": f"{optimizer}_{'record' if record else 'norecord'}"
                        + ("_small" if size != batch else ""),
                        "optimizer": optimizer,
                        "record": record,
                        "batch": size,
                        "steps": steps,
                        "msps": rate,
                        "numpy_msps": numpy_rate,
                        "ratio_vs_numpy": rate / numpy_rate,
                        "cpu_msps": _msps(size, steps, timing["cpu_s"]),  # per CPU-second, all threads
                        **timing,
                    }
                )
    note("per-trajectory loop")
    use_torch = baselines.torch_available()
    loop_seconds = baselines.time_loop("adam", loop_trajectories, loop_steps, use_torch=use_torch)
    loop_rate = _msps(loop_trajectories, loop_steps, loop_seconds)
    note("default scene rerun")
    rerun = cases.default_scene_rerun(repeat=repeat)
    note("slider recompiles")
    sliders = cases.slider_recompiles()
    note("sweeps: basins, hyperparameter map, LR search")
    sweeps = _time_sweeps(quick)
    note("tasks: the digits MLP's budget")
    task = _time_tasks(quick, repeat)
    catalog: dict[str, Any] = {"catalog_skipped": "--quick: the runs of every optimizer take minutes to compile"}
    if not quick:
        note("every optimizer: the first run in a fresh process with no compilation cache, the warm rerun, the arena")
        catalog = _time_catalog(len(jax.devices()))
    cold: dict[str, Any] = {"page_feel_skipped": "not asked for (--quick or --no-browser)"}
    if browser:
        note("in Chromium: cold start, an edit and a first visit, the page against a bare page with the same charts")
        from bench.browser import compare_page_feel

        cold = compare_page_feel(repeat=2)

    by_case = {row["case"]: row for row in rows}
    devices = jax.devices()
    report: dict[str, Any] = {
        "adam_record_msps": by_case["adam_record"]["msps"],
        "adam_norecord_msps": by_case["adam_norecord"]["msps"],
        "sgdm_record_msps": by_case["sgdm_record"]["msps"],
        "sgdm_norecord_msps": by_case["sgdm_norecord"]["msps"],
        "numpy_adam_record_msps": numpy_rates["adam", True, batch],
        "numpy_sgdm_record_msps": numpy_rates["sgdm", True, batch],
        "numpy_ratio": by_case["adam_record"]["msps"] / numpy_rates["adam", True, batch],
        "loop_msps": loop_rate,
        "loop_backend": "torch" if use_torch else "numpy",
        "loop_ratio": by_case["adam_record"]["msps"] / loop_rate,
        "loop_note": (
            f"per-trajectory loop ({'torch.optim' if use_torch else 'NumPy on a (2,) vector'}, Adam) timed on "
            f"{loop_trajectories} trajectories x {loop_steps} steps; its rate per trajectory-step is "
            "extrapolated to the batch (a loop has no batch effect)"
        ),
        "rerun_ms": rerun["rerun_ms"],
        "rerun_engine_ms": rerun["engine_ms"],
        "rerun_grid_ms": rerun["grid_ms"],
        "rerun_figures_ms": rerun["figures_ms"],
        "rerun_serialize_ms": rerun["serialize_ms"],
        "rerun_cold_ms": rerun["cold_ms"],
        **sweeps,
        **task,
        **catalog,
        **cold,
        "recompiles_on_slider": sliders["recompiles_on_slider"],
        "recompiles_per_move": sliders["per_move"],
        "devices": len(devices),
        "platform": devices[0].platform,
        "device_kind": devices[0].device_kind,
        "cases": rows,
        "settings": {
            "batch": batch,
            "small_batch": small_batch,
            "steps": steps,
            "repeat": repeat,
            "loop_trajectories": loop_trajectories,
            "loop_steps": loop_steps,
            "quick": quick,
            "dtype": "float32",
            "surface": "rosenbrock",
        },
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average_before": list(load_before),
            "load_average_after": list(os.getloadavg()),
            "python": platform.python_version(),
            "jax": jax.__version__,
            "compilation_cache": str(enable_compilation_cache() or compilation_cache_dir() or "off"),
        },
    }
    return report


def _time_sweeps(quick: bool) -> dict[str, Any]:
    """Wall time of the page's sweeps on their presets: first call (compiling) and best warm call."""
    import time

    import analysis
    from presets import PRESETS

    basin_size, hparam_size = (64, 16) if quick else (256, 64)
    peaks = PRESETS["fig6b-peaks-momentum"].build()
    canyon = PRESETS["fig5-rosenbrock"].build()
    jobs = {
        f"basins_{basin_size}": lambda: analysis.basins(peaks, resolution=basin_size, pairs=[(0, 0)]),
        f"hparams_{hparam_size}": lambda: analysis.hparam_map(
            peaks.replace(schedules=[peaks.schedules[0]]), "lr", "optimizers.0.params.momentum",
            resolution=hparam_size,
        ),
        "fig5_lrsearch": lambda: analysis.lr_search(canyon, candidates=200, steps=200, mode="shared"),
    }  # fmt: skip
    timings: dict[str, Any] = {}
    for name, job in jobs.items():
        start = time.perf_counter()
        job()
        first = time.perf_counter() - start
        start = time.perf_counter()
        job()
        timings[f"{name}_s"] = time.perf_counter() - start
        timings[f"{name}_first_s"] = first
    return timings


def _time_tasks(quick: bool, repeat: int) -> dict[str, Any]:
    """The tasks' budget (issue 13), measured; ``quick`` trains 200 steps and skips the fresh process."""
    from bench import cases

    steps = 200 if quick else cases.TASK_STEPS
    batch = cases.time_task_batch(steps, repeat)
    report: dict[str, Any] = {
        "task_steps": steps,
        "task_batch_s": batch["best_s"],
        "task_batch_first_s": batch["first_s"],
        "task_cosine_min_accuracy": batch["cosine_min_accuracy"],
    }
    slice_ = cases.time_task_slice(41, repeat)
    report["task_slice_s"], report["task_slice_first_s"] = slice_["best_s"], slice_["first_s"]
    if not quick:
        fresh = cases.time_task_fresh(steps)
        report["task_fresh_s"], report["task_fresh_cpu_s"] = fresh["wall_s"], fresh["cpu_s"]
    return report


def _task_lines(report: dict[str, Any]) -> list[str]:
    if "task_batch_s" not in report:
        return []
    fresh = report.get("task_fresh_s")
    return [
        f"task: digits MLP, momentum, 5 schedules x 3 seeds x {report['task_steps']} steps: warm "
        f"{report['task_batch_s']:.2f} s (target 5), first call {report['task_batch_first_s']:.2f} s, fresh process "
        + (
            f"{fresh:.1f} s (target 15; CPU time {report['task_fresh_cpu_s']:.1f} s)"
            if fresh is not None
            else "skipped (--quick)"
        )
        + f"; cosine_lr's lowest test accuracy {report['task_cosine_min_accuracy']:.1%} (target 95 %)",
        f"task: 41 x 41 slice of the training loss (full training set): warm {report['task_slice_s']:.3f} s "
        f"(target 1), first {report['task_slice_first_s']:.2f} s",
    ]


# Issue 12's budget: every optimizer × 5 schedules × 500 steps on Rosenbrock, first run on a fresh machine and warm;
# the arena with every optimizer × 100 η0 × 200 steps, warm.
CATALOG_TARGETS = {"catalog_cold_first_s": 30.0, "catalog_warm_s": 1.0, "arena_warm_s": 10.0}


def _time_catalog(devices: int) -> dict[str, Any]:
    """Every optimizer: cold (a new process, no compilation cache), warm, and the arena; with the load around them."""
    from bench import cases

    load_before = os.getloadavg()[0]
    cold = cases.cold_catalog(steps=500, devices=devices)
    warm = cases.time_catalog(steps=500, repeat=3)
    fight = cases.time_arena(candidates=100, steps=200, repeat=2)
    return {
        "catalog_optimizers": warm["optimizers"],
        "catalog_trajectories": warm["trajectories"],
        "catalog_programs": warm["programs"],
        "catalog_cold_import_s": cold["import_s"],
        "catalog_cold_first_s": cold["first_s"],
        "catalog_cold_first_cpu_s": cold["first_cpu_s"],
        "catalog_first_s": warm["first_s"],
        "catalog_warm_s": warm["best_s"],
        "arena_trajectories": fight["trajectories"],
        "arena_first_s": fight["first_s"],
        "arena_warm_s": fight["best_s"],
        "catalog_load_average": [load_before, os.getloadavg()[0]],
    }


def _catalog_lines(report: dict[str, Any]) -> list[str]:
    if "catalog_cold_first_s" not in report:
        return [f"every optimizer: skipped, {report.get('catalog_skipped', 'not run')}"]
    count = report["catalog_optimizers"]
    low, high = report["catalog_load_average"]
    return [
        f"every optimizer ({count} × 5 schedules × 500 steps, Rosenbrock, every step recorded; "
        f"{report['catalog_programs']} compiled programs): first run in a fresh process with no compilation cache "
        f"{report['catalog_cold_first_s']:.1f} s (target {CATALOG_TARGETS['catalog_cold_first_s']:.0f}; "
        f"{report['catalog_cold_first_cpu_s']:.1f} s of CPU time; importing {report['catalog_cold_import_s']:.1f} s "
        f"before it), warm {report['catalog_warm_s']:.2f} s (target {CATALOG_TARGETS['catalog_warm_s']:.0f})",
        f"arena ({count} optimizers × 100 η0 × 200 steps, {report['arena_trajectories']:,} runs): warm "
        f"{report['arena_warm_s']:.2f} s (target {CATALOG_TARGETS['arena_warm_s']:.0f}), first call "
        f"{report['arena_first_s']:.1f} s; load average {low:.1f} before, {high:.1f} after",
    ]


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table with the headline numbers under it."""
    width = 46
    lines = [f"{'case':<{width}}{'batch':>7}{'steps':>7}{'Msteps/s':>11}{'vs NumPy':>10}{'first call':>12}"]
    for row in report["cases"]:
        lines.append(
            f"{'engine, ' + _what(row):<{width}}{row['batch']:>7}{row['steps']:>7}{row['msps']:>11.1f}"
            f"{row['ratio_vs_numpy']:>9.1f}x{row['first_s']:>11.2f}s"
        )
    seen = set()
    for row in report["cases"]:
        key = (row["optimizer"], row["record"], row["batch"])
        if key not in seen:
            seen.add(key)
            lines.append(
                f"{'NumPy, ' + _what(row):<{width}}{row['batch']:>7}{row['steps']:>7}{row['numpy_msps']:>11.1f}"
                f"{1.0:>9.1f}x"
            )
    settings = report["settings"]
    loop = f"loop ({report['loop_backend']}), Adam, every step recorded"
    lines.append(
        f"{loop:<{width}}{1:>7}{settings['loop_steps']:>7}"
        f"{report['loop_msps']:>11.4f}{report['loop_msps'] / report['numpy_adam_record_msps']:>9.4f}x"
    )
    machine = report["machine"]
    lines += [
        "",
        f"numpy_ratio (engine / NumPy, Adam, every step recorded, batch {settings['batch']}): "
        f"{report['numpy_ratio']:.1f}",
        f"loop_ratio (engine / per-trajectory loop, Adam): {report['loop_ratio']:,.0f}",
        f"  {report['loop_note']}",
        f"rerun_ms (warm rerun of the default scene): {report['rerun_ms']:.1f} = engine "
        f"{report['rerun_engine_ms']:.1f} + grid {report['rerun_grid_ms']:.1f} + figures "
        f"{report['rerun_figures_ms']:.1f} + JSON {report['rerun_serialize_ms']:.1f} "
        f"(cold, compiling or loading the cache: {report['rerun_cold_ms']:.0f})",
        "sweeps (warm / first call): "
        + ", ".join(
            f"{k.removesuffix('_s')} {report[k]:.2f} s / {report[k.removesuffix('_s') + '_first_s']:.2f} s"
            for k in report
            if k.endswith("_s") and not k.endswith("first_s") and (k.startswith(("basins", "hparams", "fig5")))
        ),
        *_task_lines(report),
        *_catalog_lines(report),
        _cold_line(report),
        f"recompiles_on_slider: {report['recompiles_on_slider']} {report['recompiles_per_move']}",
        f"devices: {report['devices']} x {report['platform']} ({report['device_kind']}); "
        f"{machine['cpu_count']} cores, load average {machine['load_average_before'][0]:.1f} before, "
        f"{machine['load_average_after'][0]:.1f} after; compilation cache {machine['compilation_cache']}",
    ]
    return "\n".join(lines)


def _cold_line(report: dict[str, Any]) -> str:
    if "cold_start_s" not in report:
        return f"the page in Chromium: skipped, {report.get('page_feel_skipped', 'not run')}"
    lines = [
        "the page in Chromium against a bare page drawing the same charts (best of 2, each started cold):",
        f"  cold start to all four charts: {report['cold_start_s']:.1f} s vs {report['cold_start_bare_s']:.1f} s, "
        f"ratio {report['cold_start_ratio']:.2f}"
        + (
            f" (page without the compilation cache: {report['cold_start_nocache_s']:.1f} s)"
            if "cold_start_nocache_s" in report
            else ""
        ),
        f"  cold start to the end of the first script run (the server's share): {report['cold_start_script_s']:.1f} s "
        f"vs {report['cold_start_script_bare_s']:.1f} s",
        f"  new base LR, Enter, until the page stops changing: {report['edit_s']:.2f} s vs "
        f"{report['edit_bare_s']:.2f} s, ratio {report['edit_ratio']:.2f}",
        f"  first visit to a running server, to all four charts: {report['first_visit_s']:.1f} s vs "
        f"{report['first_visit_bare_s']:.1f} s, ratio {report['first_visit_ratio']:.2f}",
    ]
    if "first_visit_no_sidebar_s" in report:
        lines.append(
            f"  the same page without its sidebar (a bound on what a lighter one could gain): first visit "
            f"{report['first_visit_no_sidebar_s']:.1f} s, ratio {report['first_visit_no_sidebar_ratio']:.2f}; "
            f"cold start {report['cold_start_no_sidebar_s']:.1f} s"
        )
    return "\n".join(lines)


def _what(row: dict[str, Any]) -> str:
    return f"{_LABELS[row['optimizer']]}, {'every step' if row['record'] else 'nothing'} recorded"


def _standalone(argv: list[str] | None = None) -> int:
    """``python -m bench``: the same command without cli.py."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)
