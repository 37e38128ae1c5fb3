"""The benchmark command runs and reports what issue #5 asks for; its baselines compute what the engine computes.

No timing is asserted: throughputs depend on the machine and on what else runs on it.
"""

import argparse
import json
import math

import numpy as np
import pytest

import bench
from bench import baselines, cases
from engine.simulate import run_batch

STEPS = 64  # one step bucket for every test here, so the compiled programs are shared
BATCH = 16

KEYS = (
    "adam_record_msps",
    "adam_norecord_msps",
    "sgdm_record_msps",
    "sgdm_norecord_msps",
    "numpy_ratio",
    "loop_ratio",
    "rerun_ms",
    "recompiles_on_slider",
    "devices",
)


def _parse(argv):
    parser = argparse.ArgumentParser()
    bench.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_quick_bench_prints_one_json_object_with_the_issue_keys(capsys):
    args = _parse(
        ["bench", "--quick", "--json", "--batch", str(BATCH), "--small-batch", str(BATCH), "--steps", str(STEPS),
         "--repeat", "1", "--loop-trajectories", "1", "--loop-steps", "20", "--devices", "1"]
    )  # fmt: skip
    assert args.handler is bench.main
    assert args.handler(args) == 0
    report = json.loads(capsys.readouterr().out)
    for key in KEYS:
        assert key in report, key
    for key in KEYS[:-2]:
        assert math.isfinite(report[key]) and report[key] > 0, (key, report[key])
    assert report["recompiles_on_slider"] == 0
    assert report["devices"] >= 1
    assert report["settings"]["quick"] is True and report["settings"]["steps"] == STEPS
    assert {row["case"] for row in report["cases"]} == {"adam_record", "adam_norecord", "sgdm_record", "sgdm_norecord"}
    for row in report["cases"]:
        assert row["batch"] == BATCH and row["msps"] > 0 and row["numpy_msps"] > 0
    text = bench.format_table(report)
    assert "numpy_ratio" in text and "loop_ratio" in text and "extrapolated" in text
    # the tasks' budget (issue 13), smaller with --quick: no fresh process
    assert report["task_steps"] == 200 and "task_fresh_s" not in report
    for key in ("task_batch_s", "task_batch_first_s", "task_slice_s", "task_slice_first_s"):
        assert math.isfinite(report[key]) and report[key] > 0, (key, report[key])
    assert 0.5 < report["task_cosine_min_accuracy"] <= 1.0
    assert "task: digits MLP" in text and "41 x 41 slice" in text


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="--steps"):
        bench.main(_parse(["bench", "--steps", "0"]))


@pytest.mark.parametrize("optimizer", ["adam", "sgdm"])
def test_baselines_follow_the_engine(optimizer):
    scene = cases.rosenbrock_scene(optimizer, STEPS)
    batch = cases.rosenbrock_batch(scene, BATCH)
    engine = run_batch(scene, batch, record=True)
    positions = np.concatenate([engine["x"], engine["final_x"][:, None]], axis=1)  # [B, T + 1, 2]

    numpy = baselines.numpy_run(optimizer, batch.origins, STEPS, record=True)
    np.testing.assert_allclose(numpy["x"].transpose(2, 0, 1), positions, atol=1e-4, rtol=0)
    np.testing.assert_allclose(numpy["final_x"], engine["final_x"], atol=1e-4, rtol=0)
    # Loss and gradient in Rosenbrock's canyon magnify float32 rounding: a looser check that they are the same curves.
    np.testing.assert_allclose(numpy["loss"].T[:, :STEPS], engine["loss"], rtol=1e-2, atol=1e-3)
    np.testing.assert_allclose(numpy["grad_norm"].T[:, :STEPS], engine["grad_norm"], rtol=1e-2, atol=1e-3)
    unrecorded = baselines.numpy_run(optimizer, batch.origins, STEPS, record=False)
    np.testing.assert_array_equal(unrecorded["final_x"], numpy["final_x"])

    for row in range(2):
        path = baselines.loop_run(optimizer, batch.origins[row], STEPS, use_torch=False)
        np.testing.assert_allclose(path, positions[row], atol=1e-4, rtol=0)
        if baselines.torch_available():
            path = baselines.loop_run(optimizer, batch.origins[row], STEPS, use_torch=True)
            np.testing.assert_allclose(path, positions[row], atol=1e-4, rtol=0)


def test_baselines_reject_unknown_optimizers():
    with pytest.raises(ValueError, match="optimizer"):
        baselines.numpy_run("lion", baselines.starts(2), 3)
    with pytest.raises(ValueError, match="optimizer"):
        baselines.loop_run("lion", baselines.starts(1)[0], 3)


def test_quick_bench_skips_the_browser_and_says_so():
    report = bench.collect(
        batch=BATCH, small_batch=BATCH, steps=STEPS, repeat=1, loop_trajectories=1, loop_steps=10, quick=True
    )
    assert "cold_start_s" not in report and "not asked for" in report["page_feel_skipped"]
    assert "the page in Chromium: skipped" in bench.format_table(report)


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_page_feel_times_the_page_and_the_bare_page_the_same_way():
    from bench import browser

    if not browser.chromium_available():
        pytest.skip(f"needs Debian's Chromium at {browser.CHROMIUM}")
    report = browser.compare_page_feel(repeat=1, without_cache=False, without_sidebar=False)
    runs = report["page_feel_runs"]
    assert set(runs) == {"page", "bare"}
    for name, prefix in (("page", ""), ("bare", "_bare")):
        assert len(runs[name]["cold"]) == 1 and len(runs[name]["edit"]) == 2 and len(runs[name]["visit"]) == 1
        assert report[f"cold_start{prefix}_s"] == min(runs[name]["cold"]) > 0
        assert report[f"edit{prefix}_s"] == min(runs[name]["edit"]) > 0
        assert report[f"first_visit{prefix}_s"] == min(runs[name]["visit"]) > 0
    assert report["edit_ratio"] == pytest.approx(report["edit_s"] / report["edit_bare_s"])
    assert report["cold_start_ratio"] == pytest.approx(report["cold_start_s"] / report["cold_start_bare_s"])
    assert "cold_start_nocache_s" not in report
    line = bench._cold_line(report)
    assert f"ratio {report['edit_ratio']:.2f}" in line and f"ratio {report['cold_start_ratio']:.2f}" in line


def test_the_page_without_its_sidebar_draws_the_same_charts(tmp_path):
    """The bench's bound (``bench.browser.page_without_sidebar``): the page's main area as it is, from the values
    presets put in Session State, with only the base-LR box in the sidebar."""
    from streamlit.testing.v1 import AppTest

    from bench import browser

    page = AppTest.from_file(str(browser.page_without_sidebar(tmp_path)), default_timeout=120).run()
    full = AppTest.from_file(str(browser.APP), default_timeout=120).run()
    assert not page.exception and not full.exception
    assert [box.label for box in page.sidebar.number_input] == [browser.PAGE_LR_LABEL]
    assert len(full.sidebar.number_input) > 5
    charts = lambda app: [chart.proto.spec for chart in app.get("plotly_chart")]  # noqa: E731
    assert len(charts(page)) == 3 and charts(page) == charts(full)  # the contour, the LR and the loss
    assert len(page.get("bidi_component")) == len(full.get("bidi_component")) >= 1  # the live 3-D view
    page.sidebar.number_input[0].set_value(0.3).run()
    assert not page.exception and '"lr": 0.3' in page.session_state["last_scene"]


# --- Every optimizer (issue 12) ---------------------------------------------------------------------------------


def test_the_catalog_is_every_optimizer_times_five_schedules_in_few_programs():
    import optimizers

    scene, batch = cases.catalog_batch(steps=STEPS)
    assert batch.size == len(optimizers.OPTIMIZERS) * 5 and scene.steps == STEPS
    assert [spec.id for spec in batch.optimizers] == list(optimizers.OPTIMIZERS)
    small = cases.time_catalog(["sgd", "adam", "lion"], steps=STEPS, repeat=1)
    assert small["trajectories"] == 15 and small["programs"] == 1 and small["compilations"] <= 1
    assert small["first_s"] > 0 and small["best_s"] > 0


def test_the_cold_catalog_compiles_in_a_fresh_process_without_the_cache():
    report = cases.cold_catalog(["sgd", "adam"], steps=STEPS, devices=1, timeout=600)
    assert report["compilations"] == 1 and report["programs"] == 1 and report["trajectories"] == 10
    assert report["first_s"] > 0 and report["first_cpu_s"] > 0 and report["import_s"] > 0


def test_the_arena_case_and_the_catalog_lines():
    fight = cases.time_arena(candidates=4, steps=STEPS, repeat=1, optimizer_ids=["sgd", "adam"])
    assert fight["trajectories"] == 8 and fight["optimizers"] == 2 and fight["best_s"] > 0
    report = {
        "catalog_optimizers": 52,
        "catalog_trajectories": 260,
        "catalog_programs": 2,
        "catalog_cold_import_s": 4.0,
        "catalog_cold_first_s": 25.0,
        "catalog_cold_first_cpu_s": 20.0,
        "catalog_first_s": 1.0,
        "catalog_warm_s": 0.5,
        "arena_trajectories": 5200,
        "arena_first_s": 20.0,
        "arena_warm_s": 2.0,
        "catalog_load_average": [1.0, 2.0],
    }
    lines = bench._catalog_lines(report)
    assert "first run in a fresh process with no compilation cache 25.0 s (target 30; 20.0 s of CPU time" in lines[0]
    assert "warm 0.50 s (target 1)" in lines[0] and "arena (52 optimizers × 100 η0 × 200 steps" in lines[1]
    assert "load average 1.0 before, 2.0 after" in lines[1]
    assert bench._catalog_lines({"catalog_skipped": "--quick: x"}) == ["every optimizer: skipped, --quick: x"]
