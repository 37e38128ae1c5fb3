"""How a person looks at a scene, in the link beside the scene itself (no Streamlit).

The Scene (``?s=…``) says what runs; these parameters say how it is shown: the open tab, the
log scales, the loss view and the 3-D camera. Only what differs from the page's defaults is
written, so a plain link stays short. Reading is forgiving: an unknown value is dropped (the
page then shows its default) and never stops the scene from opening.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

# Query parameter names (short: the link is pasted into slides and chats).
TAB, LOG_Z, LOSS, LOG_Y, CAMERA = "tab", "logz", "loss", "logy", "cam"
NAMES = (TAB, LOG_Z, LOSS, LOG_Y, CAMERA)
LOSS_VIEWS = {"loss": "loss", "distance": "distance to minimizer"}  # link value -> the radio's option
CAMERA_LIMIT = 100.0  # a camera eye farther than this (in Plotly's scene units) is not a view anyone set
_NUMBER = re.compile(r"^-?\d{1,3}(?:\.\d{1,4})?$")


class View(NamedTuple):
    """The view settings a link can carry; None: the page's default."""

    tab: str | None = None  # the tab's slug, e.g. "playback"
    log_z: bool | None = None
    loss: str | None = None  # a value of LOSS_VIEWS
    log_y: bool | None = None
    camera_eye: tuple[float, float, float] | None = None


def slug(tab_name: str) -> str:
    """``"Inside the optimizer"`` -> ``"inside-the-optimizer"``."""
    return re.sub(r"[^a-z0-9]+", "-", tab_name.lower()).strip("-")


def _flag(text: str | None) -> bool | None:
    return {"1": True, "0": False}.get(text or "")


def read(query: Mapping[str, str], tab_names: Sequence[str]) -> View:
    """The view a link asks for, from its query parameters; whatever is not understood is left out."""
    tabs = {slug(name): name for name in tab_names}
    camera = None
    parts = (query.get(CAMERA) or "").split(",")
    if len(parts) == 3 and all(_NUMBER.match(part) for part in parts):
        eye = tuple(float(part) for part in parts)
        if 0 < math.hypot(*eye) <= CAMERA_LIMIT:
            camera = eye
    return View(
        tab=tabs.get(query.get(TAB) or ""),
        log_z=_flag(query.get(LOG_Z)),
        loss=LOSS_VIEWS.get(query.get(LOSS) or ""),
        log_y=_flag(query.get(LOG_Y)),
        camera_eye=camera,  # type: ignore[arg-type]
    )


def write(view: View, defaults: View) -> dict[str, str]:
    """The query parameters of ``view``: those that differ from ``defaults`` (the page's own view)."""
    out: dict[str, str] = {}
    if view.tab is not None and view.tab != defaults.tab:
        out[TAB] = slug(view.tab)
    if view.log_z is not None and view.log_z != defaults.log_z:
        out[LOG_Z] = "1" if view.log_z else "0"
    if view.loss is not None and view.loss != defaults.loss:
        out[LOSS] = next(key for key, value in LOSS_VIEWS.items() if value == view.loss)
    if view.log_y is not None and view.log_y != defaults.log_y:
        out[LOG_Y] = "1" if view.log_y else "0"
    if view.camera_eye is not None:
        out[CAMERA] = ",".join(f"{value:.2f}".rstrip("0").rstrip(".") or "0" for value in view.camera_eye)
    return out


def camera_eye(camera: Any) -> tuple[float, float, float] | None:
    """The eye of a Plotly scene camera (``{"eye": {"x": …, "y": …, "z": …}, …}``), rounded to what a link
    keeps, or None if it is not one."""
    eye = camera.get("eye") if isinstance(camera, Mapping) else None
    try:
        point = tuple(round(float(eye[axis]), 2) for axis in "xyz")  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return None
    return point if all(math.isfinite(v) for v in point) and 0 < math.hypot(*point) <= CAMERA_LIMIT else None
