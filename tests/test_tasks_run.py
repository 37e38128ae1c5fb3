"""A task scene trained (tasks.run_scene), Muon on a network, the task exports, and the command line for tasks."""

import csv
import io
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import cli
import schedules
from engine import simulate
from engine.scene import Scene, SceneError
from tasks import export, models, registry
from tasks.run import run_scene
from tasks.trainer import DIVERGED, RUNNING, batch_indices

SMALL = {"id": "digits_mlp", "params": {"hidden": 8}}


@pytest.fixture(scope="module")
def trained():
    scene = Scene.build(
        {
            "task": SMALL,
            "seeds": [3, 5],
            "optimizers": [{"id": "momentum", "params": {"momentum": 0.5}}, {"id": "momentum"}],
            "schedules": [{"id": "cosine_lr"}, {"id": "step_lr", "lr": 0.02, "warmup": {"kind": "linear", "steps": 5}}],
            "lr": 0.05,
            "steps": 60,
        }
    )
    return scene, run_scene(scene)


def test_runs_are_the_scene_s_optimizers_by_schedules_by_seeds(trained):
    scene, result = trained
    assert result.scene is scene and result.num_runs == scene.num_runs == 8
    assert [run.name for run in result.runs[:3]] == [
        "cosine_lr · momentum[momentum=0.5] · seed 3",
        "cosine_lr · momentum[momentum=0.5] · seed 5",
        "step_lr[lr=0.02,warmup=linear] · momentum[momentum=0.5] · seed 3",
    ]
    assert result.runs[-1].optimizer == "momentum[momentum=0.9]"  # siblings name the parameter they differ in
    for run in result.runs:
        spec = scene.schedules[run.schedule_index]
        np.testing.assert_array_equal(result.lr[run.index], schedules.entry_table(spec, scene.steps, base_lr=scene.lr))
        initial = models.flatten(models.init(result.model, run.seed))
        np.testing.assert_allclose(result.initial_weights(run.index), initial, rtol=1e-6)
    assert len(result.record_steps) == 61 and np.all(result.status == RUNNING)  # every step when T <= 100


def test_clipping_and_precision_come_from_the_scene(trained):
    scene, result = trained
    clipped = run_scene(scene.replace(clip=0.01, dtype="float64", seeds=[3], schedules=[scene.schedules[0]]))
    assert clipped.train_loss.dtype == np.float64
    # a tiny clip norm slows the first steps down: the loss after 10 steps is higher than unclipped
    assert np.all(clipped.train_loss[:, 10] > result.train_loss[[0, 4], 10])


def test_surface_scenes_and_task_scenes_go_to_their_own_engine(trained):
    scene, _ = trained
    with pytest.raises(ValueError, match="run_scene trains a task"):
        run_scene(Scene.build({}))
    with pytest.raises(SceneError, match="this scene trains the task digits_mlp"):
        simulate.run(scene)


def test_muon_on_a_network_is_optax_s_muon_step_by_step():
    scene = Scene.build(
        {"task": SMALL, "optimizers": [{"id": "muon", "params": {"beta": 0.9}}], "lr": 0.02, "steps": 20}
    )
    result = run_scene(scene)
    problem = registry.problem("digits_mlp", SMALL["params"])
    params = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), models.init(problem.model, 0))
    tx = optax.contrib.muon(0.02, beta=0.9)
    state = tx.init(params)
    x, y = jnp.asarray(problem.data.x_train, jnp.float32), jnp.asarray(problem.data.y_train)
    batches = batch_indices(0, len(y), problem.batch_size, scene.steps)
    for k in range(scene.steps):
        grads = jax.grad(lambda p, b=batches[k]: models.loss_and_accuracy(problem.model, p, x[b], y[b])[0])(params)
        updates, state = tx.update(grads, state, params)
        params = optax.apply_updates(params, updates)
    np.testing.assert_allclose(result.final_weights(0), models.flatten(params), atol=2e-5)
    # Muon moves a weight matrix by an orthogonalised step: the first step of the 64 x 8 matrix has singular values
    # near 1 (times the LR), whatever the gradient's own spread.
    first = models.unflatten(problem.model, result.weights[0, 1] - result.weights[0, 0])[0].w / 0.02
    singular = np.linalg.svd(np.asarray(first), compute_uv=False)
    assert 0.5 < singular.min() and singular.max() < 1.5, singular


def test_csv_has_one_row_per_run_per_recorded_step(trained):
    _, result = trained
    rows = list(csv.DictReader(io.StringIO(export.csv_text(result))))
    assert tuple(rows[0]) == export.CSV_COLUMNS == (
        "run", "optimizer", "schedule", "seed", "step", "lr", "train_loss", "test_loss", "train_acc", "test_acc",
        "status",
    )  # fmt: skip
    assert len(rows) == result.num_runs * len(result.record_steps)
    first_run = [row for row in rows if row["run"] == "2"]
    assert [int(row["step"]) for row in first_run] == result.record_steps.tolist()
    assert first_run[-1]["lr"] == "" and float(first_run[7]["lr"]) == pytest.approx(result.lr[2, 7])
    assert first_run[0]["schedule"] == '"step_lr[lr=0.02,warmup=linear]"'.strip('"') and first_run[0]["seed"] == "3"
    assert float(first_run[-1]["test_acc"]) == pytest.approx(result.test_accuracy[2, -1])
    assert {row["status"] for row in rows} == {"running"}


def test_a_diverged_run_is_a_status_and_the_exports_stay_finite():
    scene = Scene.build(
        {
            "task": SMALL,
            "optimizers": [{"id": "sgd"}],
            "schedules": [{"id": "constant_lr"}, {"id": "constant_lr", "lr": 80.0}],
            "lr": 0.05,
            "steps": 40,
        }
    )
    result = run_scene(scene)
    assert result.status.tolist() == [RUNNING, DIVERGED]
    at = int(result.status_step[1])
    rows = [row for row in csv.DictReader(io.StringIO(export.csv_text(result))) if row["run"] == "1"]
    assert [row["status"] for row in rows] == ["diverged" if int(row["step"]) >= at else "running" for row in rows]
    data = json.loads(export.json_text(result))  # allow_nan=False: it would raise on a NaN
    assert data["runs"][1]["status"] == "diverged" and data["runs"][1]["status_step"] == at
    assert Scene.build(data["scene"]) == scene and data["record_steps"] == result.record_steps.tolist()
    assert len(data["runs"][0]["lr"]) == scene.steps and len(data["runs"][0]["test_accuracy"]) == 41


# --- the command line ------------------------------------------------------------------------------------------


def test_list_tasks(capsys):
    assert cli.main(["list", "tasks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(registry.TASKS)
    assert "hidden=32" in lines[0] and "batch_size=32" in lines[0]


def test_run_task_writes_the_csv(tmp_path, capsys):
    out = tmp_path / "runs.csv"
    args = ["run", "--task", "digits_mlp:hidden=8", "--optimizer", "momentum", "--schedule", "cosine_lr",
            "--schedule", "constant_lr", "--seeds", "0,1", "--steps", "30", "-o", str(out)]  # fmt: skip
    assert cli.main(args) == 0
    assert "wrote 4 runs × 31 recorded steps" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 * 31 and {row["seed"] for row in rows} == {"0", "1"}
    assert cli.main([*args[:-2], "--seed", "7", "-o", str(out)]) == 2  # --seed and --seeds together
    assert cli.main(["run", "--task", "digits_mlp:hidden=8", "--seed", "7", "--steps", "5", "-o", str(out)]) == 0
    assert {row["seed"] for row in csv.DictReader(out.open())} == {"7"}


def test_task_flags_turn_a_surface_scene_into_a_task_scene(tmp_path):
    out = tmp_path / "scene.json"
    assert cli.main(["scene", "--preset", "fig5-rosenbrock", "--task", "moons_mlp", "-o", str(out)]) == 0
    scene = Scene.from_json(out.read_text())
    task = registry.TASKS["moons_mlp"]
    assert scene.task.id == "moons_mlp" and (scene.lr, scene.steps, scene.clip) == (task.lr, task.steps, None)
    assert [spec.id for spec in scene.schedules] == [
        "constant_lr",
        "step_lr",
        "cosine_lr",
        "cosineclr_lr",
        "lwarmcosine_lr",
    ]
    back = tmp_path / "back.json"
    assert cli.main(["scene", "--scene", str(out), "--surface", "peaks_ref", "--lr", "0.01", "-o", str(back)]) == 0
    surface = Scene.from_json(back.read_text())
    assert surface.task is None and surface.surface.id == "peaks_ref" and surface.lr == 0.01


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["run", "--task", "digits_mlp", "--start", "1,2"], "--start: a task scene has no start points"),
        (["run", "--task", "digits_mlp", "--noise", "0.1"], "--noise: a task scene has no gradient noise"),
        (["run", "--task", "nope"], "unknown task 'nope'"),
        (["run", "--task", "digits_mlp", "--surface", "peaks"], "--task and --surface both"),
        (["run", "--seeds", "1,2"], "--seeds: only a task scene has seeds"),
        (["run", "--task", "digits_mlp", "--seeds", "a"], "--seeds: expected integers"),
        (["run", "--task", "digits_mlp:lr=3"], "a task takes only its parameters, not lr"),
        (["run", "--task", "digits_mlp", "--schedule", "baseloss_lr"], "baseloss_lr follows the run's loss"),
        (["render", "--view", "curves", "-o", "x.png"], "--view curves draws a task"),
        (["render", "--task", "digits_mlp", "--view", "basins", "-o", "x.png"], "--view basins draws a surface"),
        (
            ["render", "--task", "digits_mlp", "--view", "curves", "--run", "3", "-o", "x.png"],
            "--run: the scene has runs 0 … 0",
        ),
        (
            ["render", "--task", "digits_mlp", "--steps", "5", "--view", "landscape", "--grid", "500", "-o", "x.html"],
            "resolution must be in 5 … 101",
        ),
        (["lrsearch", "--task", "digits_mlp"], "this part runs on a 2-D surface"),
    ],
)
def test_bad_task_arguments_exit_2_with_one_line(args, hint, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert hint in err and len(err.strip().splitlines()) == 1, err


def test_render_every_task_view(tmp_path):
    base = ["render", "--task", "digits_logreg", "--optimizer", "momentum", "--schedule", "cosine_lr",
            "--schedule", "constant_lr", "--steps", "40", "--grid", "11"]  # fmt: skip
    from figures.views import TASK_VIEWS

    for view in TASK_VIEWS:
        out = tmp_path / f"{view}.html"
        assert cli.main([*base, "--view", view, "--run", "1", "-o", str(out)]) == 0, view
        assert "plotly" in out.read_text()[:5000].lower()
    assert cli.main([*base, "--view", "interpolation", "--other", "1", "-o", str(tmp_path / "i.html")]) == 0
    assert cli.main([*base, "--view", "landscape", "--directions", "random", "-o", str(tmp_path / "l.png")]) == 0
    assert Path(tmp_path / "l.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main([*base, "--view", "playback", "-o", str(tmp_path / "p.gif")]) == 0
    assert Path(tmp_path / "p.gif").read_bytes()[:6] == b"GIF89a"


def test_the_digits_mlp_with_momentum_and_cosine_reaches_95_percent_with_a_scene_s_defaults():
    scene = Scene.build(
        {
            "task": {"id": "digits_mlp"},
            "seeds": [0, 1, 2],
            "optimizers": [{"id": "momentum"}],
            "schedules": [{"id": "cosine_lr"}],
        }
    )
    assert (scene.lr, scene.steps, scene.clip) == (0.05, 2000, None)  # the task's defaults
    result = run_scene(scene)
    assert np.all(result.test_accuracy[:, -1] >= 0.95), result.test_accuracy[:, -1]
