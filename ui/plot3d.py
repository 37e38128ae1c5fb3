"""A Plotly chart that stays mounted across reruns and updates in place: the page's live 3-D view.

``st.plotly_chart`` gives an element a new identity whenever its figure changes, so every edit
unmounts the chart and draws it anew: for a 3-D chart that means a new WebGL context and its
shaders compiled again, about 2 s of a person's wait in a browser without a GPU (docs/SPEED.md).
This element keeps one plot and hands each new figure to ``Plotly.react``, which updates the
traces in the existing scene; ``uirevision`` keeps the camera a person has turned.

The camera a person leaves the view at comes back as the element's ``camera`` state (sent when a
drag ends), so that exports and links can reuse it.

It draws with the Plotly that Streamlit's own charts load (``window.Plotly``), so the page parses
the 4.7 MB library once. Another Plotly chart on the same tab makes Streamlit load it; the element
waits for it and says so if it never comes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

if TYPE_CHECKING:
    import plotly.graph_objects as go

WAIT_FOR_PLOTLY_MS = 30_000  # then the element says what is missing instead of waiting forever

_JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const newHost = () => {
    const div = document.createElement("div");
    div.className = "lr-plot";
    div.style.width = "100%";
    parentElement.appendChild(div);
    return div;
  };
  let host = parentElement.querySelector("div.lr-plot") || newHost();
  const figure = JSON.parse(data.figure);
  host.style.height = (figure.layout.height || 600) + "px";
  const started = performance.now();
  const draw = () => {
    const Plotly = window.Plotly;
    if (!Plotly) {
      if (performance.now() - started > __WAIT_MS__) {
        host.textContent = "The 3-D view could not load Plotly; reload the page.";
      } else {
        setTimeout(draw, 50);
      }
      return;
    }
    // WebGL drawn at the screen's own pixel ratio: Plotly's default (2) renders a 1x screen's 3-D view at four
    // times its pixels, which a browser without a GPU pays for on every redraw.
    const plotGlPixelRatio = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
    const config = {
      displaylogo: false, responsive: true, plotGlPixelRatio, modeBarButtonsToRemove: ["sendDataToCloud"],
    };
    const watch = () => {
      if (host.__lrWatched) return;
      host.__lrWatched = true;
      // A drag reports "scene.camera"; Plotly.relayout calls may report "scene.camera.eye" and the like.
      host.on("plotly_relayout", (change) => {
        if (!Object.keys(change).some((name) => name.startsWith("scene.camera"))) return;
        const camera = host.layout && host.layout.scene && host.layout.scene.camera;
        if (camera) setStateValue("camera", JSON.parse(JSON.stringify(camera)));
      });
    };
    const fail = (error) => {
      host.textContent = "The 3-D view could not draw this figure (" + (error && error.message || error) + ").";
      host.__lrBroken = true;  // the next figure gets a new element: nothing of this one's state survives
    };
    const attempt = (fresh) => {
      try {
        if (fresh) {
          try { Plotly.purge(host); } catch (ignored) {}
          host.remove();
          host = newHost();
        }
        return Promise.resolve(Plotly.react(host, figure.data, figure.layout, config)).then(watch);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    attempt(Boolean(host.__lrBroken)).catch(() => attempt(true).catch(fail));
  };
  draw();
}
""".replace("__WAIT_MS__", str(WAIT_FOR_PLOTLY_MS))

_component: list[Callable[..., Any]] = []


def _mount() -> Callable[..., Any]:
    if not _component:  # registered once per process: registering again would replace it for every session
        _component.append(st.components.v2.component("lr_landscapes_plot3d", js=_JS, isolate_styles=False))
    return _component[0]


def _finite_arrays(value: Any) -> Any:
    """``value`` with every encoded float array's infinities made gaps (NaN) and magnitudes kept within
    float32 (WebGL's precision): one value Plotly's 3-D scene cannot place breaks every 3-D chart of the page
    until it is reloaded. The figures clip what they draw already (and say so); this is the last guard."""
    if isinstance(value, dict):
        if {"dtype", "bdata"} <= value.keys() and str(value["dtype"]).startswith("f"):
            array = np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).astype(np.float64)
            limit = float(np.finfo(np.float32).max) / 1e3
            if np.all(np.isfinite(array) & (np.abs(array) <= limit)):
                return value
            array = np.where(np.isfinite(array) & (np.abs(array) <= limit), array, np.nan)
            return {**value, "dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
        return {key: _finite_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_arrays(item) for item in value]
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.where(np.isfinite(value), value, np.nan)
    return value


def figure_text(figure: go.Figure | dict, revision: str) -> str:
    """The figure as the element's JSON (arrays base64-encoded, as Plotly writes them), with its
    ``uirevision`` set to ``revision``."""
    import plotly.io as pio

    spec = figure if isinstance(figure, dict) else figure.to_plotly_json()
    spec = {"data": _finite_arrays(spec.get("data", [])), "layout": {**spec.get("layout", {}), "uirevision": revision}}
    return pio.to_json(spec, validate=False)


@st.fragment
def _live(text: str, height: int, key: str, on_camera: Callable[[], None] | None) -> None:
    # A fragment: the camera a person sets reruns this element only, not the page.
    _mount()(data={"figure": text}, key=key, height=height, on_camera_change=on_camera or (lambda: None))


def plotly_live(
    container: Any,
    figure: go.Figure | dict,
    *,
    key: str,
    revision: str = "view",
    camera_eye: tuple[float, float, float] | None = None,
    on_camera: Callable[[], None] | None = None,
) -> None:
    """Draws ``figure`` in ``container`` and updates it in place on later runs.

    ``revision`` is Plotly's ``uirevision``: while it stays the same, a person's camera, zoom and
    hidden traces survive new data; a new value (another surface) resets the view to the
    figure's, or to ``camera_eye`` (a link's). The camera a person left the view at is
    ``camera(key)``; ``on_camera`` is called when they move it.
    """
    spec = figure if isinstance(figure, dict) else figure.to_plotly_json()
    layout = spec.get("layout", {})
    if camera_eye is not None:
        scene = dict(layout.get("scene", {}))
        scene["camera"] = {**scene.get("camera", {}), "eye": dict(zip("xyz", camera_eye, strict=True))}
        layout = {**layout, "scene": scene}
    height = int(layout.get("height") or 600)
    with container:
        _live(figure_text({"data": spec.get("data", []), "layout": layout}, revision), height, key, on_camera)


def camera(key: str) -> dict | None:
    """The camera (``{"eye": …, "center": …, "up": …}``) a person left the live view ``key`` at, if any."""
    state = st.session_state.get(key)
    value = state.get("camera") if hasattr(state, "get") else None
    return value if isinstance(value, dict) else None


# --- Loading Plotly early ---------------------------------------------------------------------------------

_PRELOAD_JS = """
export default function (component) {
  const { data } = component;
  if (window.Plotly || window.__lrPlotlyRequested || !data.chunk) return;
  window.__lrPlotlyRequested = true;
  const index = document.querySelector('script[type="module"][src*="static/js/index."]');
  if (index) import(new URL(data.chunk, index.src).href).catch(() => {});
}
"""
_preload: list[Callable[..., Any]] = []


def _plotly_chunk() -> str | None:
    """The file name of the script Streamlit's charts load Plotly from, or None if it cannot be told."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def preload_plotly() -> None:
    """Has the browser load Plotly now, while the server still imports JAX and runs the batch.

    Streamlit loads its Plotly script (4.7 MB) only when the first chart arrives; started early, the
    two overlap instead of following each other (about 1.5 s of a first visit here). Loads exactly
    the script Streamlit's own charts use, so nothing is parsed twice; does nothing where that
    script cannot be found.
    """
    chunk = _plotly_chunk()
    if chunk is None:
        return
    if not _preload:
        _preload.append(st.components.v2.component("lr_landscapes_preload", js=_PRELOAD_JS))
    _preload[0](data={"chunk": chunk}, key="preload_plotly", height=0)
