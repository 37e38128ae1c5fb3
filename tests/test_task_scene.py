"""A Scene that trains a task: the field, its defaults, its budgets, links, widgets, and surface scenes unchanged."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.scene import (
    MAX_PAGE_TASK_RUNS,
    MAX_SEEDS,
    MAX_TASK_RUNS,
    MAX_TASK_WORK,
    SURFACE_FIELDS,
    Scene,
    SceneError,
    TaskScene,
)
from engine.urlstate import _compact, scene_from_query, scene_to_query
from presets import PRESETS
from tasks import base, registry
from ui import state as ui_state
from ui import task_state

ROOT = Path(__file__).resolve().parent.parent
MOMENTUM = {"id": "momentum", "params": {"momentum": 0.5}}
EVERY_TASK_FIELD = {
    "task": {"id": "moons_mlp", "params": {"hidden": 8, "activation": "relu", "noise": 0.3}},
    "seeds": [4, 2, 9],
    "optimizers": [MOMENTUM, {"id": "lookahead", "inner": {"id": "adam"}}, {"id": "muon"}],
    "schedules": [{"id": "step_lr", "params": {"gamma": 0.9}}, {"id": "cosine_lr", "lr": 0.01, "warmup": {}}],
    "lr": 0.02,
    "steps": 300,
    "clip": 2.0,
    "dtype": "float64",
}


def test_a_task_scene_takes_the_task_s_defaults_and_no_surface():
    scene = Scene.build({"task": {"id": "digits_mlp"}})
    task = registry.TASKS["digits_mlp"]
    assert isinstance(scene, TaskScene) and isinstance(scene, Scene)
    assert (scene.lr, scene.steps, scene.clip, scene.seeds) == (task.lr, task.steps, None, [0])
    assert scene.num_runs == 1 and scene.num_trajectories == 0
    assert scene.task.num_params == 2410 and scene.task.label == "digits_mlp"
    data = scene.to_dict()
    assert list(data)[:3] == ["version", "task", "seeds"]
    assert not set(SURFACE_FIELDS) & set(data)
    assert Scene.build({}).task is None  # a surface scene answers too


def test_json_round_trip_is_exact_for_every_task_field():
    scene = Scene.build(json.loads(json.dumps(EVERY_TASK_FIELD)))
    assert scene.num_runs == 3 * 2 * 3
    assert scene.task.params == {"hidden": 8, "activation": "relu", "noise": 0.3}
    assert scene.task.label == "moons_mlp[activation=relu,hidden=8,noise=0.3]"
    again = Scene.from_json(scene.to_json())
    assert again == scene and again.to_json() == scene.to_json()
    assert scene.replace(lr=0.05).lr == 0.05 and scene.replace(lr=0.05).task == scene.task


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ({"task": {"id": "nope"}}, "task: unknown task 'nope'; allowed: digits_mlp"),
        ({"task": {"id": "digits_mlp", "params": {"width": 3}}}, "task: unknown parameter 'width'"),
        ({"task": {"id": "digits_mlp", "params": {"hidden": 1000}}}, "task: hidden: must be an integer in [2, 256]"),
        (
            {"task": {"id": "moons_mlp", "params": {"n_samples": 100, "batch_size": 100}}},
            "batch_size: must be at most the 75 training examples",
        ),
        ({"task": {"id": "digits_mlp"}, "surface": {"id": "peaks"}}, "has no surface; remove it"),
        ({"task": {"id": "digits_mlp"}, "starts": [[0, 0]], "noise": {}}, "has no starts, noise; remove them"),
        ({"seeds": [1]}, "only a scene that trains a task has seeds"),
        ({"task": {"id": "digits_mlp"}, "seeds": [1, 1]}, "seeds: must be distinct"),
        ({"task": {"id": "digits_mlp"}, "seeds": [-1]}, "seeds: must be integers in [0, 2**31)"),
        ({"task": {"id": "digits_mlp"}, "seeds": ["1"]}, "seeds: must be a number"),
        ({"task": {"id": "digits_mlp"}, "seeds": []}, "seeds: List should have at least 1 item"),
        ({"task": {"id": "digits_mlp"}, "seeds": list(range(MAX_SEEDS + 1))}, "seeds: List should have at most"),
        ({"task": {"id": "digits_mlp"}, "schedules": [{"id": "baseloss_lr"}]}, "schedules.0: baseloss_lr follows"),
    ],
)
def test_bad_task_scenes_name_the_field(data, hint):
    with pytest.raises(SceneError) as error:
        Scene.build(data)
    assert hint in str(error.value), str(error.value)


def test_the_batch_size_is_checked_against_the_split_without_loading_data():
    for task_id, params in (
        ("digits_mlp", {}),
        ("digits_mlp", {"test_fraction": 0.37}),
        ("moons_mlp", {"n_samples": 333}),
    ):
        values = registry.resolve(task_id, params)
        assert base.train_size(registry.TASKS[task_id], values) == len(registry.problem(task_id, params).data.y_train)
    largest = base.train_size(registry.TASKS["digits_mlp"], registry.resolve("digits_mlp", {"test_fraction": 0.5}))
    Scene.build({"task": {"id": "digits_mlp", "params": {"test_fraction": 0.5, "batch_size": largest}}})
    with pytest.raises(SceneError, match=f"at most the {largest} training examples"):
        Scene.build({"task": {"id": "digits_mlp", "params": {"test_fraction": 0.5, "batch_size": largest + 1}}})


def test_budgets_are_enforced_before_any_work():
    many = [{"id": "step_lr", "params": {"gamma": 0.5 + 0.01 * p}} for p in range(16)]  # 16 distinct schedules
    with pytest.raises(SceneError, match=f"over the limit of {MAX_TASK_RUNS}"):
        Scene.build(
            {"task": {"id": "moons_mlp"}, "optimizers": [MOMENTUM] * 2, "schedules": many, "seeds": list(range(9))}
        )
    big = {"id": "digits_mlp", "params": {"hidden": 256, "depth": 4, "batch_size": 512}}
    with pytest.raises(SceneError, match=r"multiply-adds, over the limit of 3e\+11; use at most \d+ steps"):
        Scene.build({"task": big, "steps": 20_000})
    scene = Scene.build({"task": big, "steps": 10})
    assert scene.task_work() <= MAX_TASK_WORK
    wide = {"id": "digits_mlp", "params": {"hidden": 256, "depth": 4}}
    with pytest.raises(SceneError, match="even one step is over it"):
        Scene.build({"task": wide, "seeds": list(range(16)), "steps": 1})
    with pytest.raises(
        SceneError, match=r"recording the weights of 40 runs \(19,210 each, at 101 steps\) takes 621 MB"
    ):
        Scene.build(
            {
                "task": {"id": "digits_mlp", "params": {"hidden": 256}},
                "schedules": many[:5],
                "seeds": list(range(8)),
                "steps": 100,
                "dtype": "float64",
            }
        )
    page = Scene.build({"task": {"id": "moons_mlp"}, "schedules": many, "seeds": list(range(5))})
    assert page.num_runs == 80 > MAX_PAGE_TASK_RUNS
    with pytest.raises(SceneError, match="over the page's limit of 64 runs"):
        page.check_page_budget()
    assert Scene.build({"task": {"id": "digits_mlp"}, "seeds": [0, 1, 2]}).check_page_budget()


def test_validating_a_task_scene_imports_neither_jax_nor_scikit_learn(tmp_path):
    path = tmp_path / "scene.json"
    path.write_text(Scene.build(EVERY_TASK_FIELD).to_json())
    code = (
        "import sys; from engine.scene import Scene; "
        f"s = Scene.from_json(open({str(path)!r}).read()); s.check_page_budget(); s.task_work(); "
        "print('jax' in sys.modules, 'sklearn' in sys.modules, 'optax' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_links_round_trip_task_scenes_and_leave_out_the_task_s_defaults():
    scene = Scene.build(EVERY_TASK_FIELD)
    assert scene_from_query(scene_to_query(scene)) == scene
    plain = Scene.build({"task": {"id": "digits_mlp"}, "seeds": [0, 1]})
    assert _compact(plain.to_dict()) == {"version": 1, "task": {"id": "digits_mlp"}, "seeds": [0, 1]}
    assert scene_from_query(scene_to_query(plain)) == plain
    with pytest.raises(SceneError, match="has no surface"):
        Scene.from_json(json.dumps({**plain.to_dict(), "surface": {"id": "peaks"}}))


def test_a_surface_scene_s_json_is_what_it_was():
    # Written by the code before tasks existed (git show 00ae0fd): the default scene, byte for byte.
    assert Scene.build({}).to_json(indent=None) == (
        '{"version": 1, "surface": {"id": "rosenbrock", "params": {}}, "starts": [[-2.0, 2.5]], "perturbations": '
        '[[0.0, 0.0]], "optimizers": [{"id": "sgd", "params": {}, "inner": null}], "schedules": [{"id": '
        '"constant_lr", "params": {}, "lr": null, "warmup": null}], "lr": 0.001, "steps": 500, "clip": 1.0, '
        '"noise": {"sigma": 0.0, "seed": 0}, "tolerance": 0.0001, "dtype": "float32"}'
    )
    assert "task" not in Scene.build({}).to_dict() and "seeds" not in Scene.build({}).to_dict()


@pytest.mark.parametrize("preset_id", [key for key, preset in PRESETS.items() if "task" in preset.scene])
def test_widgets_round_trip_a_task_scene(preset_id):
    scene = PRESETS[preset_id].build()
    values = ui_state.scene_to_widgets(scene)
    assert values["task"] == scene.task.id and values["seeds"] == task_state.seeds_text(scene.seeds)
    assert Scene.build(ui_state.widgets_to_data(values)) == scene


def test_widgets_switch_between_a_task_and_the_surface():
    task = Scene.build(EVERY_TASK_FIELD)
    values = ui_state.scene_to_widgets(task)
    assert Scene.build(ui_state.widgets_to_data(values)) == task
    values["task.moons_mlp.hidden"] = 12
    values["seeds"] = "1;2"
    edited = Scene.build(ui_state.widgets_to_data(values))
    assert edited.task.params["hidden"] == 12 and edited.seeds == [1, 2]
    values["seeds"] = "1, x"
    with pytest.raises(SceneError, match="seeds"):
        Scene.build(ui_state.widgets_to_data(values))
    surface = ui_state.scene_to_widgets(PRESETS["fig5-rosenbrock"].build())
    assert surface["task"] is None
    assert Scene.build(ui_state.widgets_to_data({**values, **surface})) == PRESETS["fig5-rosenbrock"].build()
