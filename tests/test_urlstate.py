"""The Scene in a URL: exact round trips, short links, and hostile links refused with a clear SceneError."""

import base64
import json
import time
import urllib.parse
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.scene import MAX_SCENE_BYTES, Scene, SceneError
from engine.urlstate import FORMAT_TAG, MAX_QUERY_CHARS, scene_from_query, scene_to_query
from presets import PRESETS

EVERY_FIELD = {
    "version": 1,
    "surface": {"id": "rosenbrock", "params": {"a": 1.5, "b": 50.0}},
    "starts": [[-2, 2.5], [1.5, -0.5]],
    "perturbations": [[0, 0], [0, 0.01], [-1e-3, 0]],
    "optimizers": [
        {"id": "momentum", "params": {"momentum": 0.5, "dampening": 0.1}},
        {"id": "lookahead", "params": {"k": 3, "alpha": 0.8}, "inner": {"id": "yogi", "params": {"initial_m": 0.0}}},
        {"id": "lookahead"},  # its inner optimizer is filled in (sgd)
        {"id": "adadec", "params": {"decay_steps": 40}},
    ],
    "schedules": [
        {"id": "step_lr", "params": {"gamma": 0.9, "step_size": 7}},
        {"id": "cosine_lr", "lr": 0.01, "warmup": {"kind": "constant", "steps": 12, "start_factor": 0.3}},
        {"id": "multistep_lr", "params": {"milestones": [10, 20, 25]}},
        {"id": "lambda_lr", "params": {"formula": "lr * 0.5 ** (k / 10)"}, "warmup": {}},
    ],
    "lr": 0.002,
    "steps": 300,
    "clip": None,
    "noise": {"sigma": 0.1, "seed": 7},
    "tolerance": 1e-6,
    "dtype": "float64",
}


def _link(payload: bytes, tag: str = FORMAT_TAG) -> str:
    return f"{tag}.{base64.urlsafe_b64encode(payload).decode('ascii').rstrip('=')}"


def _packed(obj) -> str:
    return _link(zlib.compress(json.dumps(obj).encode()))


def _refused(text, *fragments: str) -> str:
    with pytest.raises(SceneError) as caught:
        scene_from_query(text)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- Round trips -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_round_trip_is_exact_for_every_preset(preset_id):
    scene = PRESETS[preset_id].build()
    query = scene_to_query(scene)
    again = scene_from_query(query)
    assert again == scene
    assert again.to_dict() == scene.to_dict()
    assert again.to_json() == scene.to_json()
    assert len(query) < 400


def test_round_trip_is_exact_for_a_scene_using_every_field():
    scene = Scene.build(json.loads(json.dumps(EVERY_FIELD)))
    default = Scene.build({})
    for field in Scene.model_fields:
        if field != "version":
            assert getattr(scene, field) != getattr(default, field), f"{field} is at its default"
    query = scene_to_query(scene)
    again = scene_from_query(query)
    assert again == scene
    assert again.to_dict() == scene.to_dict()
    assert again.optimizers[2].inner is not None and again.optimizers[2].inner.id == "sgd"


def test_round_trip_keeps_floats_bit_exact():
    scene = Scene.build({"lr": 0.1 + 0.2, "starts": [[1 / 3, -2 / 7]], "perturbations": [[5e-324, 1e-300]]})
    again = scene_from_query(scene_to_query(scene))
    assert again.lr == 0.1 + 0.2
    assert again.starts == [(1 / 3, -2 / 7)]
    assert again.perturbations == [(5e-324, 1e-300)]


def test_default_and_fig5_links_are_short_and_url_safe():
    for scene in (Scene.build({}), PRESETS["fig5-rosenbrock"].build()):
        query = scene_to_query(scene)
        assert query.startswith("v1.")
        assert urllib.parse.quote(query, safe="") == query  # nothing to escape in a URL
        assert len(query) < 200
    assert len(scene_to_query(Scene.build({}))) < 60


def test_defaults_are_left_out_but_the_surface_start_is_kept_when_it_differs():
    scene = Scene.build({"surface": {"id": "saddle"}, "starts": [[-3, 0]]})
    packed = scene_to_query(scene).removeprefix("v1.")
    data = json.loads(zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))))
    assert data == {"version": 1, "surface": {"id": "saddle"}, "starts": [[-3.0, 0.0]]}
    assert scene_from_query(scene_to_query(scene)) == scene


def test_padding_and_surrounding_whitespace_are_tolerated():
    scene = PRESETS["fig6a-peaks-sgd"].build()
    query = scene_to_query(scene)
    padded = query + "=" * (-len(query.removeprefix("v1.")) % 4)
    assert scene_from_query(f"  {padded}\n") == scene
    assert scene_from_query(query.encode("ascii")) == scene


# --- Hostile links ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("hello", "must start with 'v1.'"),
        ("v1.!!!", "'!'"),
        ("v1.abc def", "' '"),
        ("v1.", "nothing follows"),
        ("v1.====", "nothing follows"),
        ("v2.eNqrVipLLSrOzM9TsjKsBQAiNgSu", "format 'v2'"),
        ("v0.abcd", "format 'v0'"),
        ("scene.abcd", "must start with 'v1.'"),
        ("v1.a", "base64url"),
        ("v1.abcd", "not zlib-compressed"),
        ("v1.eNqrVipLLSrOzM9T", "cut off"),  # a valid link, truncated
        ("é" * 10, "must start"),
        (None, "must be text"),
        (42, "must be text"),
        (b"\xff\xfe", "ASCII"),
    ],
)
def test_garbage_is_refused_with_a_helpful_message(text, fragment):
    _refused(text, fragment)


def test_too_long_text_is_refused_unread():
    _refused("v1." + "A" * MAX_QUERY_CHARS, "too long")


def test_a_zip_bomb_is_stopped_while_decompressing():
    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    payload = b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()  # 100 MiB of zeros
    link = _link(payload)
    assert len(link) < MAX_QUERY_CHARS
    started = time.perf_counter()
    _refused(link, f"more than {MAX_SCENE_BYTES:,} bytes")
    assert time.perf_counter() - started < 2.0


def test_exactly_the_limit_is_judged_as_json_not_as_a_bomb():
    text = json.dumps({"lr": 0.5}) + " " * (MAX_SCENE_BYTES - 11)
    assert len(text) == MAX_SCENE_BYTES
    assert scene_from_query(_link(zlib.compress(text.encode()))).lr == 0.5


def test_deep_json_is_refused_before_parsing():
    _refused(_link(zlib.compress(b"[" * 100_000 + b"]" * 100_000)), "nest at most")
    nested: object = 1
    for _ in range(25):
        nested = [nested]
    _refused(_packed({"surface": {"params": {"a": nested}}}), "nest")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_constants_are_refused(constant):
    _refused(_link(zlib.compress(f'{{"lr": {constant}}}'.encode())), constant)


def test_overflowing_numbers_are_refused():
    _refused(_link(zlib.compress(b'{"lr": 1e999}')), "lr")
    _refused(_link(zlib.compress(b'{"starts": [[1e999, 0]]}')), "starts", "finite")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (zlib.compress(b"not json at all"), "not valid JSON"),
        (zlib.compress(b"[1, 2, 3]"), "JSON object"),
        (zlib.compress(b'"a string"'), "JSON object"),
        (zlib.compress(b"\xff\xfe\xfd"), "UTF-8"),
        (zlib.compress(b"{}") + b"trailing", "extra data"),
        (zlib.compress(b"{}")[:-3], "cut off"),
        (b"\x00\x01\x02\x03", "not zlib-compressed"),
    ],
)
def test_damaged_contents_are_refused(payload, fragment):
    _refused(_link(payload), fragment)


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ({"surface": {"id": "nope"}}, ("not valid", "surface", "unknown surface 'nope'")),
        ({"lr": -1}, ("lr", "greater than 0")),
        ({"colour": "red"}, ("colour", "unknown field")),
        ({"version": 7}, ("version", "re-export")),
        ({"schedules": [{"id": "step_lr", "params": {"gamma": 5}}]}, ("schedules.0", "gamma")),
        ({"starts": [[0, 0]] * 65}, ("starts",)),
    ],
)
def test_scenes_the_validator_rejects_are_refused_with_its_message(data, fragments):
    _refused(_packed(data), *fragments)


# --- Properties ------------------------------------------------------------------------------------------------

_BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)
_SCENE_KEYS = st.sampled_from(
    [
        *("version", "surface", "starts", "perturbations", "optimizers", "schedules", "lr", "steps", "clip"),
        *("noise", "tolerance", "dtype", "id", "params", "inner", "warmup", "kind"),
    ]
)
_SCENE_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 600) | st.floats(-10, 10) | st.sampled_from(["sgd", "yogi", "saddle"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_SCENE_KEYS, children, max_size=5),
    max_leaves=25,
)


def _only_scene_error(text) -> None:
    try:
        scene = scene_from_query(text)
    except SceneError as error:
        assert str(error)
    else:
        assert isinstance(scene, Scene)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_raises_nothing_but_scene_error(text):
    _only_scene_error(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_BASE64URL + "=.", max_size=200))
def test_arbitrary_base64_after_the_tag_raises_nothing_but_scene_error(payload):
    _only_scene_error(f"{FORMAT_TAG}.{payload}")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_compressed_bytes_raise_nothing_but_scene_error(data):
    _only_scene_error(_link(zlib.compress(data)))
    _only_scene_error(_link(data))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_JSON, _SCENE_LIKE))
def test_arbitrary_json_in_a_valid_envelope_raises_nothing_but_scene_error(value):
    _only_scene_error(_packed(value))
