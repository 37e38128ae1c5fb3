"""The engine: batched runs equal single runs, nothing recompiles on a slider, divergence is a status."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import schedules
from common.params import resolve_params
from engine.scene import Scene
from engine.simulate import CONVERGED, DIVERGED, RUNNING, bucket_batch, bucket_steps, run, schedule_table, trace_count

ROOT = Path(__file__).resolve().parents[1]

MIXED = {
    "surface": {"id": "peaks_ref"},
    "starts": [[0.57, 0.8], [-0.4, 0.4]],
    "perturbations": [[0, 0], [0, 0.01]],
    "optimizers": [
        {"id": "sgd"},
        {"id": "momentum", "params": {"momentum": 0.9}},
        {"id": "momentum", "params": {"momentum": 0.5}},
        {"id": "adam"},
        {"id": "lookahead", "inner": {"id": "yogi"}},
    ],
    "schedules": [{"id": "constant_lr"}, {"id": "step_lr"}, {"id": "cosineclr_lr"}],
    "lr": 0.05,
    "steps": 120,
    "clip": 1.0,
}


def test_buckets():
    assert [bucket_steps(n) for n in (1, 64, 65, 128, 129, 500, 512, 513, 700)] == [
        64,
        64,
        80,
        128,
        160,
        512,
        512,
        640,
        768,
    ]
    assert [bucket_batch(n) for n in (1, 8, 9, 100)] == [8, 8, 16, 128]


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 2e-4)])
def test_batched_run_equals_one_at_a_time(dtype, tol):
    scene = Scene.build({**MIXED, "dtype": dtype})
    batched = run(scene)
    assert batched.positions.shape == (scene.num_trajectories, 121, 2)
    assert batched.positions.dtype == np.dtype(dtype)
    for label in batched.runs[::7]:  # every 7th run: all optimizer groups and schedules are hit
        single = Scene.build(
            {
                **MIXED,
                "dtype": dtype,
                "starts": [list(label.start)],
                "perturbations": [list(label.perturbation)],
                "optimizers": [MIXED["optimizers"][label.optimizer_index]],
                "schedules": [MIXED["schedules"][label.schedule_index]],
            }
        )
        alone = run(single)
        np.testing.assert_allclose(alone.positions[0], batched.positions[label.index], rtol=tol, atol=tol)
        np.testing.assert_allclose(alone.lr[0], batched.lr[label.index], rtol=1e-7)
        assert alone.status[0] == batched.status[label.index]


def test_no_recompilation_when_numbers_change():
    base = Scene.build({**MIXED, "steps": 500})
    run(base)
    compiled = trace_count()
    changed = [
        {"lr": 0.01},
        {"optimizers": [{"id": "sgd"}, {"id": "momentum", "params": {"momentum": 0.3}},
                        {"id": "momentum", "params": {"momentum": 0.99}}, {"id": "adam", "params": {"b1": 0.8}},
                        {"id": "lookahead", "params": {"k": 3, "alpha": 0.7}, "inner": {"id": "yogi"}}]},
        {"starts": [[0.1, 0.2], [-1.0, 1.0]]},
        {"schedules": [{"id": "constant_lr"}, {"id": "step_lr", "params": {"gamma": 0.5}},
                       {"id": "cosineclr_lr", "lr": 0.2}]},
        {"steps": 480},  # same bucket as 500
    ]  # fmt: skip
    for change in changed:
        run(Scene.build({**base.to_dict(), **change}))
    assert trace_count() == compiled


def test_reference_conventions_clip_then_step_with_the_lr_of_step_k():
    scene = Scene.build(
        {"surface": {"id": "rosenbrock"}, "starts": [[-2, 2.5]], "schedules": [{"id": "step_lr"}, {"id": "cosine_lr"}],
         "lr": 0.001, "steps": 500, "clip": 1.0, "dtype": "float64"}
    )  # fmt: skip
    result = run(scene)
    for i, spec in enumerate(scene.schedules):
        np.testing.assert_allclose(result.lr[i], schedule_table(scene, spec), rtol=1e-15)
    # first step by hand: f = (1-x)^2 + 100(y-x^2)^2 at (-2, 2.5); |g| >> 1 so the step is lr * g/|g|
    x, y = -2.0, 2.5
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    expected = np.array([x, y]) - 0.001 * g / np.linalg.norm(g)
    np.testing.assert_allclose(result.positions[0, 1], expected, rtol=1e-12)
    np.testing.assert_allclose(result.loss[0, 0], (1 - x) ** 2 + 100 * (y - x * x) ** 2)


def test_divergence_is_a_status_and_outputs_stay_finite():
    scene = Scene.build(
        {"surface": {"id": "rosenbrock"}, "starts": [[-2, 2.5], [1.0, 1.0]], "lr": 5.0, "clip": None, "steps": 100}
    )
    result = run(scene)
    assert result.status[0] == DIVERGED
    step = int(result.status_step[0])
    assert 0 < step <= 100
    for array in (result.positions, result.loss, result.grad_norm, result.lr):
        assert np.all(np.isfinite(array))
    # frozen where it was once it diverged
    assert np.all(result.positions[0, step:] == result.positions[0, step - 1])
    assert result.status_at(0, step - 1) == "running" and result.status_at(0, step) == "diverged"
    # the second run starts at the minimizer: gradient zero, converged from step 0
    assert result.status[1] == CONVERGED and result.status_step[1] == 0


def test_convergence_status_and_step():
    scene = Scene.build(
        {"surface": {"id": "booth"}, "starts": [[0, 0]], "optimizers": [{"id": "momentum"}], "lr": 0.02,
         "steps": 400, "clip": None, "tolerance": 1e-4, "dtype": "float64"}
    )  # fmt: skip
    result = run(scene)
    assert result.status[0] == CONVERGED
    step = int(result.status_step[0])
    assert np.all(result.grad_norm[0, step:] <= 1e-4)
    assert result.grad_norm[0, step - 1] > 1e-4
    slow = run(scene.replace(lr=1e-5))
    assert slow.status[0] == RUNNING and slow.status_step[0] == -1


def test_gradient_noise_is_seeded():
    scene = Scene.build({"surface": {"id": "saddle"}, "starts": [[-4, 0]], "lr": 0.01, "steps": 80,
                         "noise": {"sigma": 0.5, "seed": 3}})  # fmt: skip
    first, again = run(scene), run(scene)
    np.testing.assert_array_equal(first.positions, again.positions)
    other = run(scene.replace(noise={"sigma": 0.5, "seed": 4}))
    assert not np.allclose(first.positions, other.positions)
    quiet = run(scene.replace(noise={"sigma": 0.0, "seed": 3}))
    assert np.all(quiet.positions[0, :, 1] == 0.0)  # on x^2 - y^2 from y = 0 nothing pushes y off the line
    assert np.any(first.positions[0, :, 1] != 0.0)


def test_reduce_on_plateau_matches_the_reference_replay():
    scene = Scene.build(
        {"surface": {"id": "sigmoid"}, "starts": [[6.5, 0]], "optimizers": [{"id": "momentum"}],
         "schedules": [{"id": "baseloss_lr", "params": {"patience": 5}}, {"id": "constant_lr"}],
         "lr": 0.5, "steps": 300, "dtype": "float64"}
    )  # fmt: skip
    result = run(scene)
    settings = resolve_params(schedules.SCHEDULES["baseloss_lr"].params, {"patience": 5}, 300)
    assert settings["patience"] == 5 and settings["cooldown"] == 2  # cooldown scales with T (4 at T = 500)
    expected = schedules.plateau_reference(result.loss[0, :-1], 0.5, **settings)
    np.testing.assert_allclose(result.lr[0], expected, rtol=1e-12)
    assert result.lr[0, -1] < 0.5  # it did reduce on this plateau
    np.testing.assert_allclose(result.lr[1], 0.5)


def test_inspect_records_optimizer_internals():
    scene = Scene.build({"optimizers": [{"id": "adam"}, {"id": "sgd"}], "steps": 50})
    result = run(scene, inspect=True)
    assert result.internals, "adam has moments to show"
    for name, values in result.internals.items():
        assert values.shape == (2, 51, 2), name
        assert np.all(np.isfinite(values))


def test_schedule_entries_become_their_lr_tables():
    scene = Scene.build(
        {"schedules": [{"id": "step_lr", "params": {"gamma": 0.5}}, {"id": "step_lr", "lr": 0.3},
                       {"id": "step_lr", "warmup": {}}, {"id": "step_lr", "warmup": {"kind": "constant", "steps": 7}}],
         "lr": 0.1, "steps": 300}
    )  # fmt: skip
    plain, own, warm, short = scene.schedules
    np.testing.assert_array_equal(schedule_table(scene, plain), schedules.table("step_lr", {"gamma": 0.5}, 0.1, 300))
    np.testing.assert_array_equal(schedule_table(scene, own), schedules.table("step_lr", {}, 0.3, 300))
    lrs = np.array([[1e-3], [1e-2]])  # candidates replace the entry's own η0 (an LR search)
    candidates = schedules.entry_table(own, 300, base_lr=0.1, lr=lrs)
    np.testing.assert_array_equal(candidates, schedules.table("step_lr", {}, lrs, 300))
    with pytest.raises(ValueError, match="base LR"):
        schedules.entry_table(plain, 300)
    # A warm-up without steps lasts the widgets' default share of the run (10 % of T), from 0.1 η0.
    default = schedules.Warmup.from_params({}, 300)
    assert (default.kind, default.steps, default.start_factor) == ("linear", 30, 0.1)
    assert warm.warmup.start_factor == schedules.WARMUP_PARAMS["start_factor"].default
    np.testing.assert_array_equal(schedule_table(scene, warm), schedules.table("step_lr", {}, 0.1, 300, default))
    values = schedule_table(scene, short)
    np.testing.assert_allclose(values[:7], 0.01, rtol=1e-15)
    np.testing.assert_array_equal(values[7:], schedules.table("step_lr", {}, 0.1, 293))


def test_importing_the_engine_configures_nothing_and_validation_needs_no_engine(tmp_path):
    code = """
import sys
import jax
import engine.simulate
from engine.scene import Scene

assert not jax.config.jax_compilation_cache_dir, "configured at import"
Scene.build({"schedules": [{"id": "lambda_lr"}], "steps": 50})  # a formula schedule: its LR table is checked
import engine
assert engine.configure() == engine.jaxconfig.compilation_cache_dir()
assert jax.config.jax_compilation_cache_dir == sys.argv[1]
"""
    cache = tmp_path / "jax"
    env = {**os.environ, "LR_LANDSCAPES_JAX_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", code, str(cache)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert child.returncode == 0, child.stderr[-2000:]
    assert cache.is_dir()
    validate = "import sys; from engine.scene import Scene; Scene.build({'schedules': [{'id': 'lambda_lr'}]}); "
    validate += "print(sorted(m for m in sys.modules if m.startswith('engine')))"
    child = subprocess.run([sys.executable, "-c", validate], cwd=ROOT, env=env, capture_output=True, text=True)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "['engine', 'engine.jaxconfig', 'engine.scene']"


def test_gradient_evaluations_are_counted_per_trajectory():
    """One per step for plain optimizers, two for SAM, more for a line search; in one batch, the CSV's last column."""
    from engine.export import CSV_COLUMNS, csv_text

    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "starts": [[-1.5, 2.0]],
            "optimizers": [{"id": "sgd"}, {"id": "sam", "inner": {"id": "sgd"}}, {"id": "lbfgs"}],
            "lr": 1e-3,
            "steps": 30,
            "dtype": "float64",
        }
    )
    result = run(scene)
    steps = np.arange(31)
    np.testing.assert_array_equal(result.grad_evals[0], steps)
    np.testing.assert_array_equal(result.grad_evals[1], 2 * steps)
    lbfgs = result.grad_evals[2]
    assert lbfgs[0] == 0 and np.all(np.diff(lbfgs) >= 1) and lbfgs[-1] > 30  # trial points cost evaluations
    assert CSV_COLUMNS[-1] == "grad_evals"
    last_row = csv_text(result).strip().splitlines()[-1]
    assert last_row.endswith(f",{lbfgs[-1]}")


EXTRA_ARGS_SCENE = {
    "surface": {"id": "rosenbrock"},
    "starts": [[-1.5, 2.0], [0.5, -0.5]],
    "optimizers": [
        {"id": "polyak_sgd"},  # the loss value and the surface's f*
        {"id": "momo", "params": {"beta": 0.8}},
        {"id": "lbfgs"},  # value, gradient and a line search's function; counts evaluations
        {"id": "sam", "inner": {"id": "adam"}},  # its ascent gradient; counts evaluations
        {"id": "sophia", "params": {"update_interval": 5}},  # a Hessian-vector product; counts evaluations
        {"id": "schedule_free_adamw"},  # draws the point it returns
        {"id": "prodigy", "params": {"d_coef": 0.5}},
    ],
    "schedules": [{"id": "constant_lr"}, {"id": "cosineclr_lr"}],
    "lr": 1e-3,
    "steps": 200,
}


def test_no_recompilation_when_numbers_change_for_extra_arguments_and_evaluation_counts():
    """The engine's paths for optimizers that need more than the gradient, or count their evaluations, compile once:
    new learning rates, hyperparameters, starts and step counts (same bucket) are data."""
    base = Scene.build(EXTRA_ARGS_SCENE)
    first = run(base)
    assert first.grad_evals[:, -1].max() > 200  # a line search, SAM and Sophia spent more than one per step
    compiled = trace_count()
    changed = [
        {"lr": 0.01},
        {"starts": [[0.1, 0.2], [-1.0, 1.0]]},
        {"steps": 210},  # same bucket as 200
        {"optimizers": [
            {"id": "polyak_sgd", "params": {"eps": 1e-3, "lower_bound_gap": 0.5}},
            {"id": "momo", "params": {"beta": 0.5, "weight_decay": 0.1}},
            {"id": "lbfgs", "params": {"max_linesearch_steps": 5}},
            {"id": "sam", "params": {"rho": 0.2}, "inner": {"id": "adam", "params": {"b1": 0.5}}},
            {"id": "sophia", "params": {"update_interval": 2, "gamma": 0.1}},
            {"id": "schedule_free_adamw", "params": {"b1": 0.5, "weight_lr_power": 1.0}},
            {"id": "prodigy", "params": {"d_coef": 2.0, "d0": 1e-4}},
        ]},
        {"schedules": [{"id": "constant_lr", "lr": 0.02}, {"id": "step_lr", "params": {"gamma": 0.5}}]},
    ]  # fmt: skip
    for change in changed:
        result = run(Scene.build({**base.to_dict(), **change}))
        assert result.loss.shape != first.loss.shape or not np.array_equal(result.loss, first.loss)
    assert trace_count() == compiled


def test_gradient_evaluations_stop_where_a_run_converges():
    """The engine steps a converged trajectory on in place; a line search there would go on spending evaluations that
    a run stopped by its gradient norm never spends. The count stops at the convergence step, for a plain optimizer
    and a counting one alike, and the loss figure against evaluations ends each converged curve there."""
    from engine.simulate import run_batch, run_labels, scene_batch
    from figures.paths import loss_figure

    scene = Scene.build(
        {
            "surface": {"id": "quadratic"},
            "starts": [[3.0, -2.0]],
            "optimizers": [{"id": "sgd"}, {"id": "lbfgs"}],
            "lr": 1.0,
            "steps": 200,
            "dtype": "float64",
        }
    )
    result = run(scene)
    assert np.all(result.status == CONVERGED)
    for i, stop in enumerate(result.status_step):
        counts = result.grad_evals[i]
        assert np.all(np.diff(counts[: stop + 1]) >= 1) and np.all(counts[stop:] == counts[stop])
    assert result.grad_evals[0, -1] == result.status_step[0]  # SGD: one per step until it converged
    lbfgs_stop = result.status_step[1]
    assert lbfgs_stop < 30 and result.grad_evals[1, -1] > lbfgs_stop  # its line search spent more, but only until then
    finals = run_batch(scene, scene_batch(scene, run_labels(scene)), record=False)["final_grad_evals"]
    np.testing.assert_array_equal(finals, result.grad_evals[:, -1])
    figure = loss_figure(result, x_axis="gradient evaluations")
    for i, trace in enumerate(figure.data):
        drawn = ~np.isnan(np.asarray(trace.y, float))
        at_end = np.asarray(trace.x) == result.grad_evals[i, -1]
        assert np.sum(drawn & at_end) == 1  # the curve ends at its convergence point, no vertical line after it
    assert figure.layout.xaxis.range[1] == result.grad_evals[:, -1].max()


MERGED_KINDS = [
    {"id": "sgd"},
    {"id": "adam"},
    {"id": "lbfgs"},  # extra arguments and counted evaluations
    {"id": "schedule_free_adamw"},  # a returned point that is not the stepped one
    {"id": "polyak_sgd"},  # the surface's f*
    {"id": "sam", "inner": {"id": "momentum"}},
    {"id": "prodigy"},
]


def test_several_kinds_compile_into_one_program_and_give_each_kind_alone_s_numbers():
    """A merged group (engine.batch.groups) steps each kind on its own rows: nothing changes but the program count."""
    from engine.batch import MERGED, groups, scene_batch

    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "starts": [[-1.5, 2.0], [0.5, -0.5]],
            "optimizers": MERGED_KINDS,
            "schedules": [{"id": "constant_lr"}, {"id": "cosine_lr"}],
            "lr": 1e-2,
            "steps": 25,
            "dtype": "float64",
        }
    )
    found = groups(scene_batch(scene), scene.steps)
    assert [key[0] for key in found] == [MERGED] and len(next(iter(found))[1]) == len(MERGED_KINDS)
    # The same kinds in another order make the same program.
    reordered = scene.replace(optimizers=MERGED_KINDS[::-1])
    assert list(groups(scene_batch(reordered), scene.steps)) == list(found)

    before = trace_count()
    merged = run(scene, inspect=True)
    assert trace_count() - before == 1
    for index, spec in enumerate(MERGED_KINDS):
        alone = run(scene.replace(optimizers=[spec]), inspect=True)
        rows = [label.index for label in merged.runs if label.optimizer_index == index]
        # A line search magnifies the last bits of a differently fused program (its zoom accepts or rejects a
        # trial on a comparison): by step 23 of this canyon, 1e-16 has grown to 3e-5. A looser check there.
        tol = 1e-4 if spec["id"] == "lbfgs" else 1e-10
        np.testing.assert_allclose(merged.positions[rows], alone.positions, rtol=tol, atol=tol, err_msg=spec["id"])
        np.testing.assert_allclose(merged.loss[rows], alone.loss, rtol=tol, atol=tol)
        np.testing.assert_array_equal(merged.status[rows], alone.status)
        np.testing.assert_array_equal(merged.grad_evals[rows], alone.grad_evals)
        for name, value in merged.internals.items():
            if name in alone.internals:
                np.testing.assert_allclose(value[rows], alone.internals[name], rtol=tol, atol=tol)
            else:  # an internal of another kind: zeros here, as when separate groups' outputs are joined
                assert not np.any(value[rows]), (spec["id"], name)
