"""Hostile input at every entry point, the budgets, and numbers that overflow.

Every entry point ends in the one validator, ``engine.scene``: scene data (widgets, presets, flags), scene files
(the page's upload and ``--scene``), links (``?s=``) and the command line. Each hostile case below must be
refused with a ``SceneError`` (exit code 2 and one ``error:`` line on the command line, a warning or error on the
page) whose message names the field and what is allowed, is at most ``MAX_MESSAGE_CHARS`` long whatever the
input, and never crashes the process. The page keeps the user's last valid scene and keeps drawing.

Extreme but valid scenes (LR 100, no clipping, starts at ±1e6, surfaces that overflow) must end as statuses:
finite positions, losses, LRs and gradient norms, and a JSON export without NaN.
"""

from __future__ import annotations

import base64
import json
import math
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import cli
import presets
from engine import export
from engine.scene import (
    MAX_JSON_DEPTH,
    MAX_MESSAGE_CHARS,
    MAX_OUTPUT_BYTES,
    MAX_PAGE_TRAJECTORIES,
    MAX_SCENE_BYTES,
    MAX_TRAJECTORIES,
    Scene,
    SceneError,
)
from engine.simulate import run
from engine.urlstate import MAX_QUERY_CHARS, scene_from_query, scene_to_query

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
FAST = 1.0  # seconds: a refusal does no work


def _starts(n: int) -> list[list[float]]:
    return [[0.01 * i, 0.0] for i in range(n)]


def _deep_optimizer(depth: int) -> dict:
    entry: dict = {"id": "sgd"}
    for _ in range(depth):
        entry = {"id": "lookahead", "inner": entry}
    return entry


def _refused(call, *args) -> str:
    began = time.perf_counter()
    with pytest.raises(SceneError) as caught:
        call(*args)
    assert time.perf_counter() - began < FAST + 5, "a refusal must not do the work"
    message = str(caught.value)
    assert message and "\n" not in message, message
    assert len(message) <= MAX_MESSAGE_CHARS + 100, f"{len(message)} characters: {message[:200]}…"  # + a prefix
    assert "Traceback" not in message
    return message


# --------------------------------------------------------------------------------------------------------------
# Scene data: widgets, presets and flags all arrive as a dict
# --------------------------------------------------------------------------------------------------------------

HOSTILE_SCENES = [
    # (data, the field the message starts with, what it says)
    ({"lr": float("nan")}, "lr", "finite"),
    ({"lr": float("inf")}, "lr", "finite"),
    ({"lr": -1}, "lr", "greater than 0"),
    ({"lr": 1e9}, "lr", "less than or equal to 100"),
    ({"lr": "0.1"}, "lr", "must be a number"),
    ({"lr": True}, "lr", "must be a number"),
    ({"lr": None}, "lr", "valid number"),
    ({"lr": [0.1]}, "lr", "valid number"),
    ({"lr": 10**400}, "lr", "valid number"),
    ({"steps": 0}, "steps", "greater than or equal to 1"),
    ({"steps": 10**12}, "steps", "less than or equal to 20000"),
    ({"steps": 2.5}, "steps", "valid integer"),
    ({"steps": "500"}, "steps", "must be a number"),
    ({"steps": False}, "steps", "must be a number"),
    ({"clip": -1}, "clip", "greater than 0"),
    ({"clip": float("nan")}, "clip", "finite"),
    ({"tolerance": 0}, "tolerance", "greater than 0"),
    ({"dtype": "float16"}, "dtype", "'float32' or 'float64'"),
    ({"version": 0}, "version", "re-export the scene"),
    ({"version": 2}, "version", "this app reads scene version 1"),
    ({"version": "1"}, "version", "must be a number"),
    ({"version": True}, "version", "must be a number"),
    ({"extra": 1}, "extra", "unknown field"),
    ({"__class__": 1}, "__class__", "unknown field"),
    ({"surface": "rosenbrock"}, "surface", "valid dictionary"),
    ({"surface": {"id": "nope"}}, "surface", "unknown surface 'nope'; allowed: rosenbrock"),
    ({"surface": {"id": 5}}, "surface.id", "valid string"),
    ({"surface": {"id": ["rosenbrock"]}}, "surface.id", "valid string"),
    ({"surface": {"id": "x" * 1_000_000}}, "surface", "unknown surface 'xxx"),
    ({"surface": {"id": "rosenbrock", "extra": 1}}, "surface.extra", "unknown field"),
    ({"surface": {"id": "rosenbrock", "params": [1, 2]}}, "surface.params", "valid dictionary"),
    ({"surface": {"id": "rosenbrock", "params": {"zzz": 1}}}, "surface", "unknown parameter 'zzz'; allowed: a, b"),
    ({"surface": {"id": "rosenbrock", "params": {"b": float("nan")}}}, "surface", "b: must be a finite number"),
    ({"surface": {"id": "rosenbrock", "params": {"b": "x" * 100_000}}}, "surface", "b: must be a number"),
    ({"surface": {"id": "rosenbrock", "params": {"b": 10**400}}}, "surface", "b: the number is too large"),
    ({"surface": {"id": "rosenbrock", "params": {"b": {"a": [{}] * 1000}}}}, "surface", "b: must be a number"),
    (
        {"surface": {"id": "custom", "params": {"formula": "__import__('os').system('touch /tmp/lrl-pwned')"}}},
        "surface",
        "formula: column 1: calls are only allowed to",
    ),
    ({"surface": {"id": "custom", "params": {"formula": "x.__class__"}}}, "surface", "attribute access"),
    ({"surface": {"id": "custom", "params": {"formula": "(" * 60 + "x" + ")" * 60}}}, "surface", "nesting"),
    ({"surface": {"id": "custom", "params": {"formula": "x" * 100_000}}}, "surface", "too long"),
    ({"surface": {"id": "custom", "params": {"formula": 5}}}, "surface", "must be a formula"),
    ({"schedules": []}, "schedules", "at least 1 item"),
    ({"schedules": [{"id": "constant_lr"}] * 65}, "schedules", "at most 64 items"),
    ({"schedules": [{"id": "nope"}]}, "schedules.0", "unknown schedule 'nope'"),
    ({"schedules": [{"id": "step_lr", "params": {"gamma": 10**400}}]}, "schedules.0", "gamma: the number is too large"),
    ({"schedules": [{"id": "step_lr", "params": {"gamma": [0.5]}}]}, "schedules.0", "gamma: must be a number"),
    ({"schedules": [{"id": "multistep_lr", "params": {"milestones": [1] * 10_000}}]}, "schedules.0", "at most"),
    ({"schedules": [{"id": "constant_lr", "lr": float("inf")}]}, "schedules.0.lr", "finite"),
    ({"schedules": [{"id": "constant_lr", "warmup": {"steps": 0}}]}, "schedules.0.warmup.steps", "greater than"),
    ({"schedules": [{"id": "constant_lr", "warmup": {"kind": "exec"}}]}, "schedules.0.warmup.kind", "'constant'"),
    (
        {"schedules": [{"id": "lambda_lr", "params": {"formula": "lr * ().__class__"}}]},
        "schedules.0",
        "attribute access",
    ),
    (
        {"schedules": [{"id": "lambda_lr", "params": {"formula": "lr * exp(k)"}}], "steps": 2000, "dtype": "float64"},
        "schedules.0.params.formula",
        "gives the learning rate inf at step k=",
    ),
    (
        {"schedules": [{"id": "lambda_lr", "params": {"formula": "lr * sqrt(-1)"}}]},
        "schedules.0.params.formula",
        "gives the learning rate nan at step k=0",
    ),
    (
        {"schedules": [{"id": "lambda_lr", "params": {"formula": "1e300"}}], "dtype": "float32"},
        "schedules.0.params.formula",
        "finite float32 number",
    ),
    ({"optimizers": []}, "optimizers", "at least 1 item"),
    ({"optimizers": [{"id": "nope"}]}, "optimizers.0", "unknown optimizer 'nope'"),
    ({"optimizers": [{"id": "adam", "params": {"b1": 2}}]}, "optimizers.0", "b1: must be in"),
    ({"optimizers": [{"id": "sgd", "inner": {"id": "adam"}}]}, "optimizers.0", "only a wrapping optimizer"),
    ({"optimizers": [_deep_optimizer(2)]}, "optimizers.0", "cannot wrap another lookahead"),
    ({"optimizers": [_deep_optimizer(2000)]}, "optimizers.0.inner", ""),
    ({"starts": [[float("nan"), 0]]}, "starts", "finite numbers within ±1e+06"),
    ({"starts": [[1e300, 0]]}, "starts", "finite numbers within ±1e+06"),
    ({"starts": [[1, 2, 3]]}, "starts.0", "at most 2 items"),
    ({"starts": [["a", 0]]}, "starts", "must be a number"),
    ({"starts": "x"}, "starts", "valid list"),
    ({"starts": _starts(65)}, "starts", "at most 64 items"),
    ({"perturbations": []}, "perturbations", "at least 1 item"),
    ({"perturbations": [[0, float("-inf")]]}, "perturbations", "finite"),
    ({"noise": {"sigma": float("inf")}}, "noise.sigma", "finite"),
    ({"noise": {"seed": -1}}, "noise.seed", "greater than or equal to 0"),
    ({"noise": {"seed": 2**63}}, "noise.seed", "less than or equal to"),
    # Budgets, refused before any work with a way to get under them
    (
        {"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 64, "perturbations": [[0, 0], [0, 1e-3]]},
        "scene",
        f"over the limit of {MAX_TRAJECTORIES}; use fewer starts",
    ),
    (
        {"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 16, "steps": 20_000},
        "scene",
        "recorded trajectory-steps; use at most 3906 steps",
    ),
    (
        {"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 64, "steps": 900},
        "scene",
        "(CSV/JSON of every step), over the limit of 256 MB; use at most",
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "hint"), HOSTILE_SCENES, ids=[f"{i}-{c[1]}" for i, c in enumerate(HOSTILE_SCENES)]
)
def test_hostile_scene_data_is_refused_naming_the_field(data, field, hint):
    message = _refused(Scene.build, data)
    assert message.startswith(f"{field}: ") or message.startswith(f"{field}."), message
    assert hint in message, message
    assert not Path("/tmp/lrl-pwned").exists()


@pytest.mark.parametrize("data", [None, [], "{}", 5, 1.5, b"{}", Scene])
def test_a_scene_must_be_an_object(data):
    assert "a scene must be a JSON object" in _refused(Scene.build, data)


def test_missing_fields_take_their_defaults():
    assert Scene.build({}) == Scene.build({"version": 1})
    assert Scene.build({"optimizers": [{}], "schedules": [{}]}).optimizers[0].id == "sgd"


def test_output_estimate_bounds_the_real_exports():
    """The size the output budget is checked against is never below what the exports write."""
    for data in (
        {"steps": 1, "dtype": "float64"},
        {"steps": 300, "dtype": "float32", "lr": 0.0123, "clip": None},
        {
            "steps": 120,
            "dtype": "float64",
            "starts": [[-1.234567, 2.345678], [0.1, -0.3]],
            "optimizers": [{"id": "momentum", "params": {"momentum": 0.55}}, {"id": "sgd"}],
            "schedules": [{"id": "step_lr", "params": {"gamma": 0.9, "step_size": 7}}],
            "noise": {"sigma": 0.3, "seed": 3},
        },
    ):
        scene = Scene.build(data)
        result = run(scene)
        estimate = scene.estimated_output_bytes()
        assert len(export.csv_text(result).encode()) <= estimate
        assert len(export.json_text(result).encode()) <= estimate
    assert MAX_OUTPUT_BYTES >= 100_000_000


# --------------------------------------------------------------------------------------------------------------
# Scene files: the page's upload (Scene.from_json of the uploaded bytes) and --scene
# --------------------------------------------------------------------------------------------------------------

HOSTILE_FILES = [
    (b"", "not valid JSON"),
    (b"{", "not valid JSON"),
    (b"\x00" * 100, "not valid JSON"),
    (b"[]", "a scene must be a JSON object"),
    (b'"scene"', "a scene must be a JSON object"),
    (b"null", "a scene must be a JSON object"),
    (b" " * (MAX_SCENE_BYTES + 1), "at most 1,000,000 bytes"),
    (b'{"starts": [' + b"[0,0]," * 1_000_000 + b"[0,0]]}", "at most 1,000,000 bytes"),  # 6 MB
    (b"[" * 200_000 + b"]" * 200_000, "nest at most"),
    (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "nest at most"),
    (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), f"nest at most {MAX_JSON_DEPTH}"),
    (b'{"lr": NaN}', "must not contain NaN"),
    (b'{"lr": Infinity}', "must not contain Infinity"),
    (b'{"starts": [[-Infinity, 0]]}', "must not contain -Infinity"),
    (b'{"lr": 1e999}', "lr: Input should be a finite number"),
    (b'{"lr": 1' + b"0" * 5000 + b"}", "too many digits"),
    (
        b'{"schedules": [{"id": "step_lr", "params": {"gamma": 1' + b"0" * 400 + b"}}]}",
        "gamma: the number is too large",
    ),
    (b"\xff\xfe{\x00}\x00", "UTF-8"),
    ("{}".encode("utf-16"), "UTF-8"),
    (b'{"version": 0}', "version: this app reads scene version 1, got 0; re-export the scene"),
    (b'{"lr": "1e-3"}', "lr: must be a number"),
    (b'{"lr": 0.1, "lr": NaN}', "must not contain NaN"),
    (b'{"surface": {"id": "' + b"a" * 900_000 + b'"}}', "unknown surface"),
    (b'{"surface": {"id": "custom", "params": {"formula": "open(\'/etc/passwd\')"}}}', "unknown function 'open'"),
    (b'{"optimizers": [{"id": "lookahead", "inner": ' * 9 + b"{}" + b"}]" * 9 + b"}", "nest at most"),
]


@pytest.mark.parametrize(("content", "hint"), HOSTILE_FILES, ids=[f"{i}" for i in range(len(HOSTILE_FILES))])
def test_hostile_scene_files_are_refused(content, hint):
    assert hint in _refused(Scene.from_json, content)
    assert hint in _refused(Scene.from_json, bytearray(content))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert hint in _refused(Scene.from_json, text)


@pytest.mark.parametrize("content", [None, 5, ["{}"], {"lr": 1}])
def test_a_scene_file_must_be_text(content):
    assert "must be text or bytes" in _refused(Scene.from_json, content)


# --------------------------------------------------------------------------------------------------------------
# Links: ?s=...
# --------------------------------------------------------------------------------------------------------------


def _link(data: bytes, tag: str = "v1") -> str:
    return f"{tag}." + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def _json_link(value) -> str:
    return _link(json.dumps(value).encode())


HOSTILE_LINKS = [
    ("", "empty"),
    ("v1.", "cut off"),
    ("v1.not-a-scene", "damaged"),
    ("v0.eNqrrgUAAXUA-Q", "format 'v0'"),
    ("https://example.com/?s=v1.abc", "not a scene link"),
    ("v1.ä", "not part of its alphabet"),
    ("v1.abc%20def", "not part of its alphabet"),
    ("v1." + "A" * (MAX_QUERY_CHARS + 1), "too long"),
    ("v1." + "A" * 50_000_000, "too long"),
    (_link(b" " * 50_000_000), "unpacks to more than"),
    (_link(b"[" * 100 + b"]" * 100), "nest at most"),
    (_link(b'{"lr": NaN}'), "must not contain NaN"),
    (_link(b'{"lr": 1' + b"0" * 5000 + b"}"), "too many digits"),
    (_link(b"\xff\xfe"), "not UTF-8"),
    (_json_link({"surface": {"id": "nope"}}), "not valid: surface: unknown surface 'nope'"),
    (_json_link({"lr": "0.1"}), "lr: must be a number"),
    (_json_link({"version": 0}), "scene version 1, got 0"),
    (_json_link({"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 64}), "over the limit of 256 MB"),
    (
        _json_link(
            {"surface": {"id": "custom", "params": {"formula": "__import__('os').system('touch /tmp/lrl-pwned')"}}}
        ),
        "calls are only allowed to",
    ),
]


@pytest.mark.parametrize(("link", "hint"), HOSTILE_LINKS, ids=[f"{i}" for i in range(len(HOSTILE_LINKS))])
def test_hostile_links_are_refused(link, hint):
    assert hint in _refused(scene_from_query, link)
    assert not Path("/tmp/lrl-pwned").exists()


# --------------------------------------------------------------------------------------------------------------
# The command line: exit code 2 and one line starting "error:"
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_files(tmp_path):
    files = {
        "big": b'{"starts": [' + b"[0,0]," * 400_000 + b"[0,0]]}",  # 2.4 MB
        "deep": b"[" * 5000 + b"]" * 5000,
        "nan": b'{"lr": NaN}',
        "old": b'{"version": 0}',
        "binary": bytes(range(256)) * 10,
        "formula": b'{"surface": {"id": "custom", "params": {"formula": "x.__class__.__bases__"}}}',
        "budget": json.dumps({"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 64}).encode(),
    }
    for name, content in files.items():
        (tmp_path / f"{name}.json").write_bytes(content)
    (tmp_path / "dir.json").mkdir()
    return tmp_path


HOSTILE_ARGV = [
    (["run", "--lr", "nan"], "lr: Input should be a finite number"),
    (["run", "--lr", "inf"], "lr: Input should be a finite number"),
    (["run", "--lr", "1e999"], "lr: Input should be a finite number"),
    (["run", "--lr", "-1"], "lr: Input should be greater than 0"),
    (["run", "--lr", "0x10"], "invalid float value"),
    (["run", "--steps", "99999999999999999999999"], "steps: Input should be less than or equal to 20000"),
    (["run", "--steps", "1e3"], "invalid int value"),
    (["run", "--start", "nan,0"], "starts: coordinates must be finite"),
    (["run", "--start", "1e400,0"], "starts: coordinates must be finite"),
    (["run", "--start", "1,2,3"], "expected two numbers X,Y"),
    (["run", "--perturb", "inf,0"], "perturbations: coordinates must be finite"),
    (["run", "--schedule", "step_lr:gamma=1" + "0" * 400], "gamma: the number is too large"),
    (["run", "--schedule", "step_lr:" + ",".join(f"p{i}=1" for i in range(5000))], "unknown parameter 'p0'"),
    (["run", "--schedule", "multistep_lr:milestones=" + "/".join(["1"] * 10_000)], "at most 32 entries"),
    (["run", "--schedule", "lambda_lr:formula=lr*(k"], "never closed"),
    (["run", "--schedule", "lambda_lr:formula=lr*exp(k)", "--steps", "5000", "--dtype", "float64"], "rate inf"),
    (["run", "--surface", "custom:formula=__import__('os').system('touch /tmp/lrl-pwned')"], "calls are only allowed"),
    (["run", "--surface", "custom:formula=x.__class__"], "attribute access"),
    (["run", "--surface", "x" * 100_000], "unknown surface"),
    (["run", "--optimizer", "lookahead:inner=lookahead"], "cannot wrap another lookahead"),
    (["run", "--optimizer", "nope"], "unknown optimizer 'nope'"),
    (["run", "--optimizer", "adam:b1=nan"], "b1: must be a finite number"),
    (["run", "--dtype", "float16"], "invalid choice"),
    (["run", "--clip", "nan"], "clip: Input should be a finite number"),
    (["run", "--clip", "-1"], "clip: Input should be greater than 0"),
    (["run", "--noise", "inf"], "noise.sigma: Input should be a finite number"),
    (["run", "--seed", "-1"], "noise.seed: Input should be greater than or equal to 0"),
    (["run", "--tolerance", "0"], "tolerance: Input should be greater than 0"),
    (["run"] + [a for i in range(64) for a in ("--start", f"{i / 100},0")] + ["--schedule", "constant_lr"] * 64,
     "over the limit of 256 MB"),
    (["run", "--scene", "{tmp}/big.json"], "at most 1,000,000 bytes"),
    (["run", "--scene", "{tmp}/deep.json"], "nest at most"),
    (["run", "--scene", "{tmp}/nan.json"], "must not contain NaN"),
    (["run", "--scene", "{tmp}/old.json"], "re-export the scene"),
    (["run", "--scene", "{tmp}/binary.json"], "UTF-8"),
    (["run", "--scene", "{tmp}/formula.json"], "attribute access"),
    (["run", "--scene", "{tmp}/budget.json"], "over the limit of 256 MB"),
    (["run", "--scene", "{tmp}/dir.json"], "no such file"),
    (["run", "--scene", "{tmp}/missing.json"], "no such file"),
    (["run", "--scene", "/dev/zero"], "no such file"),
    (["scene", "--scene", "{tmp}/nan.json", "-o", "{tmp}/out.json"], "must not contain NaN"),
    (["scene", "-o", "{tmp}/no/such/dir/out.json"], "cannot write"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "hint"), HOSTILE_ARGV, ids=[f"{i}" for i in range(len(HOSTILE_ARGV))])
def test_hostile_command_lines_exit_2_with_one_line(argv, hint, hostile_files, capsys):
    argv = [a.replace("{tmp}", str(hostile_files)) for a in argv]
    began = time.perf_counter()
    assert cli.main(argv) == 2
    assert time.perf_counter() - began < 30
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err[:500]
    assert hint in captured.err, captured.err[:500]
    assert not Path("/tmp/lrl-pwned").exists()
    assert not (hostile_files / "out.json").exists()


# --------------------------------------------------------------------------------------------------------------
# Numbers: overflow, NaN and divergence are statuses, never a NaN in the results or the JSON
# --------------------------------------------------------------------------------------------------------------

HUGE_STARTS = [[1e6, -1e6], [-1e6, 1e6], [0.0, 0.0], [3.0, -2.0]]
EXTREME_SCENES = [
    pytest.param(
        {"starts": HUGE_STARTS, "lr": 100, "clip": None, "dtype": "float64",
         "optimizers": [{"id": "sgd"}, {"id": "adam"}, {"id": "lookahead", "inner": {"id": "yogi"}}]},
        id="float64-lr100-noclip-starts1e6",
    ),
    pytest.param(
        {"surface": {"id": "custom", "params": {"formula": "exp(x*y) + 1e30*x**8"}}, "starts": [[3, 3], [-5, 7]],
         "lr": 100, "clip": None, "dtype": "float64", "optimizers": [{"id": "sgd"}, {"id": "adam"}], "steps": 50},
        id="float64-overflowing-surface",
    ),
    pytest.param(
        {"surface": {"id": "peaks"}, "starts": [[1, 1], [-2, 0.5]], "lr": 100, "clip": None, "dtype": "float32",
         "noise": {"sigma": 1000, "seed": 1}, "optimizers": [{"id": "sgd"}, {"id": "momentum"}], "steps": 50},
        id="float32-noise1000-lr100",
    ),
    pytest.param(
        {"starts": HUGE_STARTS, "lr": 100, "clip": None, "dtype": "float32",
         "optimizers": [{"id": "sgd"}, {"id": "adam"}]},
        id="float32-lr100-noclip-starts1e6",  # |g| > 1.8e19 is finite but |g|² is not: the norm uses hypot
    ),
    pytest.param(
        {"surface": {"id": "custom", "params": {"formula": "10**(x*y)"}}, "starts": [[3, 3], [1e-30, 1e-30]],
         "lr": 100, "clip": None, "dtype": "float32", "optimizers": [{"id": "sgd"}], "steps": 50},
        id="float32-overflowing-surface",
    ),
    pytest.param(
        {"surface": {"id": "custom", "params": {"formula": "3e38*x + 3e38*y"}}, "starts": [[0.5, 0.5]],
         "dtype": "float32", "steps": 5},
        id="float32-gradient-norm-beyond-the-largest-float",  # gx, gy finite, hypot(gx, gy) = 4.2e38 is not
    ),
]  # fmt: skip


def assert_finite_result(result) -> None:
    for name in ("positions", "loss", "lr", "grad_norm"):
        values = getattr(result, name)
        assert np.isfinite(values).all(), f"{name} holds {values[~np.isfinite(values)][:5]}"
    for values in result.internals.values():
        assert np.isfinite(values).all()
    text = export.json_text(result)  # allow_nan=False: raises on NaN or inf
    assert json.loads(text)["runs"]
    csv = export.csv_text(result)
    assert "nan" not in csv.lower() and "inf" not in csv.lower()


@pytest.mark.parametrize("data", EXTREME_SCENES)
def test_extreme_scenes_end_as_statuses_with_finite_numbers(data):
    result = run(Scene.build({"steps": 100, **data}))
    assert_finite_result(result)
    assert {result.status_name(i) for i in range(result.num_runs)} <= {"running", "converged", "diverged"}


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_surface_and_optimizer_at_lr_100_without_clipping(dtype):
    import landscapes
    import optimizers

    every_optimizer = [{"id": o} for o in optimizers.OPTIMIZERS]
    limits = Scene.model_fields["optimizers"].metadata
    most = next(m.max_length for m in limits if hasattr(m, "max_length"))  # a scene's limit: the catalog in groups
    groups = [every_optimizer[k : k + most] for k in range(0, len(every_optimizer), most)]
    failures = []
    for surface in landscapes.SURFACES:
        for group in groups:
            scene = Scene.build(
                {"surface": {"id": surface}, "starts": HUGE_STARTS, "optimizers": group, "lr": 100,
                 "clip": None, "steps": 30, "dtype": dtype, "noise": {"sigma": 10.0}}
            )  # fmt: skip
            try:
                assert_finite_result(run(scene))
            except (AssertionError, ValueError) as error:
                failures.append(f"{surface}, {group[0]['id']}…: {error}")
    assert not failures, failures


# --------------------------------------------------------------------------------------------------------------
# The page: a hostile link warns, the default scene is shown, the page keeps serving
# --------------------------------------------------------------------------------------------------------------

PAGE_TIMEOUT = 240
page = pytest.mark.xdist_group("app")


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=PAGE_TIMEOUT)


def _shown(at: AppTest) -> Scene:
    return Scene.from_json(at.session_state["last_scene"])


def _assert_serving(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) >= 3, "the page draws its charts"
    assert any(e.proto.id.endswith("chart_3d") for e in at.get("bidi_component")), "and the live 3-D view"


PAGE_LINKS = [
    ("v1.not-a-scene", "damaged"),
    ("v1." + "A" * (MAX_QUERY_CHARS + 1), "too long"),
    (_link(b" " * 50_000_000), "unpacks to more than"),
    (_link(b"[" * 100 + b"]" * 100), "nest at most"),
    (_json_link({"lr": "NaN"}), "lr: must be a number"),
    (_json_link({"surface": {"id": "custom", "params": {"formula": "().__class__.__bases__"}}}), "attribute"),
    (_json_link({"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 64}), "over the limit"),
]


@page
@pytest.mark.parametrize(("link", "hint"), PAGE_LINKS, ids=[f"{i}" for i in range(len(PAGE_LINKS))])
def test_a_hostile_link_warns_and_the_page_shows_the_default(link, hint):
    at = _app()
    at.query_params["s"] = link
    at.run()
    _assert_serving(at)
    warnings = [w.value for w in at.warning]
    assert any("could not be opened" in w and hint in w for w in warnings), warnings
    assert all(len(w) < MAX_MESSAGE_CHARS + 200 for w in warnings)
    assert _shown(at) == presets.PRESETS[presets.DEFAULT_PRESET].build()
    assert scene_from_query(at.query_params["s"]) == _shown(at), "the URL now holds the scene shown"


def _checks_the_page_budget(function: str) -> bool:
    """Whether app.py's ``function`` calls Scene.check_page_budget (read from the source, not run)."""
    source = APP.read_text(encoding="utf-8")
    start = source.find(f"def {function}(")
    end = source.find("\ndef ", start + 1)
    return start >= 0 and "check_page_budget" in source[start:end]


@page
@pytest.mark.xfail(
    not _checks_the_page_budget("init_state"),
    strict=True,
    reason="app.py checks the page budget of the widgets' scene only: a link loads its scene unchecked, and "
    "current_scene falls back to it as the last valid scene (see the hardening report for the diff)",
)
def test_a_link_over_the_page_budget_is_refused_before_drawing():
    scene = Scene.build({"starts": _starts(64), "schedules": [{"id": "constant_lr"}] * 5, "steps": 10})
    assert scene.num_trajectories > MAX_PAGE_TRAJECTORIES
    at = _app()
    at.query_params["s"] = scene_to_query(scene)
    at.run()
    _assert_serving(at)
    assert any(f"limit of {MAX_PAGE_TRAJECTORIES}" in w.value for w in [*at.warning, *at.error])
    assert _shown(at).num_trajectories <= MAX_PAGE_TRAJECTORIES


@page
def test_bad_settings_keep_the_last_valid_scene_and_the_page_keeps_serving():
    mine = presets.PRESETS["fig3-saddle"].build().replace(lr=0.0123, steps=222)
    at = _app()
    at.query_params["s"] = scene_to_query(mine)
    at.run()
    _assert_serving(at)
    assert _shown(at) == mine

    def edit_starts(points):
        at.session_state["starts"] = points
        at.session_state["editor_version"] = at.session_state["editor_version"] + 1
        at.run()

    for bad, field in [
        ([[1e300, 0.0]], "Start points"),  # the sidebar's words, not the field path
        (_starts(64), "trajectory-steps"),  # 64 starts × 5 schedules × 20,000 steps
    ]:
        if field == "trajectory-steps":
            at.number_input(key="steps").set_value(20_000)
        edit_starts(bad)
        _assert_serving(at)
        assert at.error and field in at.error[0].value and "last valid experiment" in at.error[0].value
        assert _shown(at) == mine, "the last valid scene is kept"
        if field == "trajectory-steps":
            at.number_input(key="steps").set_value(mine.steps)
    edit_starts([list(p) for p in mine.starts])
    at.number_input(key="lr").set_value(0.0456).run()
    _assert_serving(at)
    assert not at.error
    assert _shown(at) == mine.replace(lr=0.0456), "it keeps serving: a good edit goes through"
    assert scene_from_query(at.query_params["s"]) == mine.replace(lr=0.0456)
    assert math.isclose(at.number_input(key="lr").value, 0.0456)


@pytest.mark.parametrize(("slope", "diverged"), [(2e38, False), (3e38, True)])
def test_a_gradient_counts_as_diverged_within_a_factor_sqrt2_of_overflow(slope, diverged):
    # The divergence test compares max(|gx|, |gy|) with the largest float / √2 (2.4e38 in float32): cheaper
    # than ‖g‖ on every step, and no kept gradient can have an infinite norm.
    scene = Scene.build(
        {"surface": {"id": "custom", "params": {"formula": f"{slope:g}*x"}}, "starts": [[0.5, 0.5]], "lr": 1e-45,
         "dtype": "float32", "steps": 3, "clip": None}
    )  # fmt: skip
    result = run(scene)
    assert (result.status_name(0) == "diverged") is diverged
    assert_finite_result(result)
