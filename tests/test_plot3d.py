"""The live 3-D view's figure text: what reaches Plotly's WebGL scene is always placeable."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go

from ui.plot3d import figure_text


def _array(encoded: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded["bdata"]), encoded["dtype"])


def test_infinities_and_float32_overflow_become_gaps_and_finite_values_stay():
    z = np.array([[1.0, np.inf], [-np.inf, 3e300]], dtype=np.float64)
    fig = go.Figure(go.Surface(z=z), layout={"height": 500})
    spec = json.loads(figure_text(fig, revision="r"))
    shown = _array(spec["data"][0]["z"])
    assert shown[0] == 1.0 and np.isnan(shown[1:]).all()
    assert spec["layout"]["uirevision"] == "r" and spec["layout"]["height"] == 500


def test_a_finite_figure_passes_unchanged():
    fig = go.Figure(go.Scatter3d(x=[0.0, 1.0], y=[2.0, 3.0], z=np.array([4.0, 5.0])))
    before = fig.to_plotly_json()["data"][0]["z"]
    spec = json.loads(figure_text(fig, revision="r"))
    assert spec["data"][0]["z"] == json.loads(json.dumps(before))
