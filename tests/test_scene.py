"""The Scene: one validator for every entry point, with messages that name the field."""

import json

import pytest

from engine.scene import MAX_JSON_DEPTH, MAX_SCENE_BYTES, MAX_TRAJECTORIES, SCENE_VERSION, Scene, SceneError


def test_default_scene_is_valid_and_fills_the_surface_start():
    scene = Scene.build({})
    assert scene.version == SCENE_VERSION
    assert scene.surface.id == "rosenbrock"
    assert scene.starts == [(-2.0, 2.5)]  # the paper's Fig. 5 start
    assert scene.num_trajectories == 1


def test_json_round_trip_is_exact():
    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock", "params": {"b": 50.0}},
            "starts": [[-2, 2.5], [1.5, -0.5]],
            "perturbations": [[0, 0], [0, 0.01]],
            "optimizers": [
                {"id": "momentum", "params": {"momentum": 0.5}},
                {"id": "lookahead", "inner": {"id": "yogi"}},
            ],
            "schedules": [{"id": "step_lr", "params": {"gamma": 0.9}}, {"id": "cosine_lr", "lr": 0.01}],
            "lr": 0.002,
            "steps": 300,
            "clip": None,
            "noise": {"sigma": 0.1, "seed": 7},
            "dtype": "float64",
        }
    )
    again = Scene.from_json(scene.to_json())
    assert again == scene
    assert json.loads(again.to_json()) == json.loads(scene.to_json())
    assert scene.num_trajectories == 2 * 2 * 2 * 2


@pytest.mark.parametrize(
    ("data", "field", "hint"),
    [
        ({"surface": {"id": "nope"}}, "surface", "unknown surface 'nope'; allowed: rosenbrock"),
        ({"surface": {"id": "rosenbrock", "params": {"zz": 1}}}, "surface", "unknown parameter 'zz'"),
        ({"schedules": [{"id": "step_lr", "params": {"gamma": 5}}]}, "schedules.0", "gamma: must be in"),
        ({"schedules": [{"id": "warp_lr"}]}, "schedules.0", "unknown schedule 'warp_lr'"),
        ({"optimizers": [{"id": "adam", "params": {"b1": "x"}}]}, "optimizers.0", "must be a number"),
        ({"optimizers": [{"id": "sgd", "inner": {"id": "adam"}}]}, "optimizers.0", "only a wrapping optimizer"),
        ({"lr": -1}, "lr", "greater than 0"),
        ({"lr": float("nan")}, "lr", "finite"),
        ({"steps": 0}, "steps", "greater than or equal to 1"),
        ({"steps": 10**9}, "steps", "less than or equal to"),
        ({"starts": [[float("inf"), 0]]}, "starts", "finite"),
        ({"starts": [[1, 2, 3]]}, "starts.0", ""),
        ({"dtype": "float16"}, "dtype", "float32"),
        ({"version": 0}, "version", "re-export"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"clip": 0}, "clip", "greater than 0"),
        ({"noise": {"sigma": -1}}, "noise.sigma", "greater than or equal to 0"),
    ],
)
def test_bad_input_names_the_field(data, field, hint):
    with pytest.raises(SceneError) as error:
        Scene.build(data)
    message = str(error.value)
    assert message.startswith(field), message
    assert hint in message, message


def test_budget_is_enforced_before_any_work():
    starts = [[0.1 * i, 0.0] for i in range(64)]
    schedules = [{"id": "constant_lr"}] * 64
    with pytest.raises(SceneError, match=f"over the limit of {MAX_TRAJECTORIES}"):
        Scene.build({"starts": starts, "schedules": schedules, "perturbations": [[0, 0], [0, 1e-3]]})
    with pytest.raises(SceneError, match="recorded trajectory-steps; use at most"):
        Scene.build({"starts": starts, "schedules": [{"id": "constant_lr"}] * 16, "steps": 20000})


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("[]", "must be a JSON object"),
        ("{", "not valid JSON"),
        ('{"lr": NaN}', "must not contain NaN"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nest at most"),
        (" " * (MAX_SCENE_BYTES + 1), "at most"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_bad_files_are_rejected_cleanly(text, hint):
    with pytest.raises(SceneError, match=hint):
        Scene.from_json(text)


def test_lookahead_defaults_to_wrapping_sgd_and_labels_read_well():
    scene = Scene.build({"optimizers": [{"id": "lookahead"}, {"id": "momentum", "params": {"momentum": 0.5}}]})
    assert scene.optimizers[0].inner.id == "sgd"
    assert scene.optimizers[0].label == "lookahead(sgd)"
    assert scene.optimizers[1].label == "momentum[momentum=0.5]"


def test_replace_validates():
    scene = Scene.build({})
    assert scene.replace(lr=0.5).lr == 0.5
    with pytest.raises(SceneError, match="lr"):
        scene.replace(lr=0)
