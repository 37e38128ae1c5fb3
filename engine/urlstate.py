"""The Scene in a URL: a short, URL-safe text that holds a whole experiment.

Format: ``v1.`` followed by the base64url (no padding) of the zlib-compressed compact JSON of the scene,
with the fields that are at their defaults left out (the decoder fills them back in, and the encoder checks
that it gets exactly the same scene, falling back to the full JSON if not). Reading a link is the same
validation as every other entry point, behind limits for hostile input: the text's length, its alphabet,
the decompressed size (at most ``MAX_SCENE_BYTES``, stopped while decompressing, so a zip bomb costs
nothing), the JSON's nesting depth and non-finite numbers. Every failure is a ``SceneError`` whose message
says what is wrong with the link.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any

from engine.scene import MAX_SCENE_BYTES, Scene, SceneError

FORMAT_TAG = "v1"
MAX_QUERY_CHARS = 200_000  # far beyond what browsers keep in a URL; anything longer is refused unread
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]+")
_TAG = re.compile(r"[vV][0-9]{1,6}")


def scene_to_query(scene: Scene) -> str:
    """The scene as a URL-safe text, e.g. ``v1.eNqrVsrJT0...``; ``scene_from_query`` gives it back exactly."""
    full = scene.to_dict()
    data = _compact(full)
    try:
        if Scene.build(_copy(data)) != scene:
            data = full
    except SceneError:
        data = full
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return f"{FORMAT_TAG}.{base64.urlsafe_b64encode(packed).decode('ascii').rstrip('=')}"


def scene_from_query(text: Any) -> Scene:
    """The Scene a ``scene_to_query`` text holds; anything else raises ``SceneError`` saying what is wrong."""
    if isinstance(text, (str, bytes)) and len(text) > 2 * MAX_QUERY_CHARS:  # refused before any copy is made
        raise SceneError(f"the scene link is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})")
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise SceneError("not a scene link: it must be plain ASCII text") from None
    if not isinstance(text, str):
        raise SceneError(f"a scene link must be text, got {type(text).__name__}")
    text = text.strip()
    if not text:
        raise SceneError(f"the scene link is empty; it should look like '{FORMAT_TAG}.' followed by letters")
    if len(text) > MAX_QUERY_CHARS:
        raise SceneError(f"the scene link is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})")
    tag, dot, payload = text.partition(".")
    if not dot:
        raise SceneError(f"not a scene link: it must start with '{FORMAT_TAG}.'")
    if tag != FORMAT_TAG:
        if _TAG.fullmatch(tag):
            raise SceneError(
                f"this scene link has format '{tag}', but this app reads '{FORMAT_TAG}' links; "
                "open it with the app that made it, or re-share the scene"
            )
        raise SceneError(f"not a scene link: it must start with '{FORMAT_TAG}.', got {tag[:20]!r}")
    payload = payload.rstrip("=")  # base64 padding is optional
    if not payload:
        raise SceneError(f"the scene link is cut off: nothing follows '{FORMAT_TAG}.'")
    if not _PAYLOAD.fullmatch(payload):
        bad = next(char for char in payload if not _PAYLOAD.fullmatch(char))
        raise SceneError(
            f"the scene link contains {bad!r}, which is not part of its alphabet (A–Z, a–z, 0–9, '-', '_'); "
            "was it copied completely?"
        )
    raw = _unbase64(payload)
    data = _inflate(raw)
    try:
        json_text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SceneError("the scene link is damaged: its contents are not UTF-8 text") from None
    try:
        return Scene.from_json(json_text)
    except SceneError as error:
        raise SceneError(f"the scene in the link is not valid: {error}") from None


def _unbase64(payload: str) -> bytes:
    if len(payload) % 4 == 1:
        raise SceneError("the scene link is damaged: its length is impossible for base64url (was it cut off?)")
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError) as error:
        raise SceneError(f"the scene link is damaged: not valid base64url ({error})") from None


def _inflate(raw: bytes) -> bytes:
    """Decompresses at most ``MAX_SCENE_BYTES`` (plus one, to notice more) and refuses anything larger."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, MAX_SCENE_BYTES + 1)
    except zlib.error as error:
        raise SceneError(f"the scene link is damaged: its data is not zlib-compressed ({error})") from None
    if len(data) > MAX_SCENE_BYTES or inflater.unconsumed_tail:
        raise SceneError(f"the scene link unpacks to more than {MAX_SCENE_BYTES:,} bytes, more than any scene; refused")
    if not inflater.eof:
        raise SceneError("the scene link is cut off: its compressed data ends early (was it copied completely?)")
    if inflater.unused_data:
        raise SceneError("the scene link is damaged: extra data follows the compressed scene")
    return data


# --- Leaving out defaults ------------------------------------------------------------------------------------


def _copy(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _drop(entry: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not (k in defaults and v == defaults[k])}


def _optimizer(entry: dict[str, Any]) -> dict[str, Any]:
    out = _drop(entry, {"params": {}, "inner": None})
    if isinstance(out.get("inner"), dict):
        out["inner"] = _optimizer(out["inner"])
    return out


def _compact(full: dict[str, Any]) -> dict[str, Any]:
    """``full`` (a ``Scene.to_dict()``) without the values the Scene would fill in by itself."""
    if full.get("task") is not None:
        return _compact_task(full)
    try:
        reference = Scene.build({"surface": _copy(full["surface"])}).to_dict()
    except SceneError:
        return full
    # The default start depends on the surface, so the other defaults are those of a scene on this surface.
    out: dict[str, Any] = {"version": full["version"], "surface": full["surface"]}
    for key, value in full.items():
        if key in out or value == reference.get(key, object()):
            continue
        out[key] = value
    if out["surface"] == Scene.build({}).to_dict()["surface"]:
        del out["surface"]
    if "surface" in out:
        out["surface"] = _drop(out["surface"], {"params": {}})
    if "optimizers" in out:
        out["optimizers"] = [_optimizer(entry) for entry in out["optimizers"]]
    if "schedules" in out:
        out["schedules"] = [_drop(entry, {"params": {}, "lr": None, "warmup": None}) for entry in out["schedules"]]
    return out


def _compact_task(full: dict[str, Any]) -> dict[str, Any]:
    """A task scene without what the Scene fills in: the defaults of a scene on the same task (its own η0 and
    steps)."""
    try:
        reference = Scene.build({"task": _copy(full["task"])}).to_dict()
    except SceneError:
        return full
    out: dict[str, Any] = {"version": full["version"], "task": _drop(full["task"], {"params": {}})}
    for key, value in full.items():
        if key not in out and value != reference.get(key, object()):
            out[key] = value
    if "optimizers" in out:
        out["optimizers"] = [_optimizer(entry) for entry in out["optimizers"]]
    if "schedules" in out:
        out["schedules"] = [_drop(entry, {"params": {}, "lr": None, "warmup": None}) for entry in out["schedules"]]
    return out


__all__ = ["FORMAT_TAG", "MAX_QUERY_CHARS", "scene_from_query", "scene_to_query"]
