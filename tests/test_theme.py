"""The figures carry plotly_white's look as plain layout values, not as a template to validate per figure."""

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import analysis
import figures
from engine.scene import Scene
from engine.simulate import run
from figures import theme
from figures.claims import ClaimInfo, EvidenceLine, claim_plot
from figures.sweeps import basins_figure, hparam_figure, lr_search_figure

WHITE = pio.templates["plotly_white"].layout


@pytest.fixture(scope="module")
def drawn():
    scene = Scene.build({"surface": {"id": "rosenbrock"}, "steps": 60, "lr": 1e-3})
    result = run(scene, inspect=True)
    grid = figures.surface_grid("rosenbrock", {}, ((-2.0, 2.0), (-1.0, 3.0)), resolution=30)
    sweep = Scene.build(
        {"surface": {"id": "himmelblau"}, "optimizers": [{"id": "momentum"}], "steps": 30, "lr": 1e-3}
    ).replace(schedules=[{"id": "constant_lr"}, {"id": "cosine_lr"}])
    basins = analysis.basins(sweep, resolution=6)
    hmap = analysis.hparam_map(sweep, "lr", "optimizers.0.params.momentum", resolution=4)
    claim = ClaimInfo(
        [EvidenceLine("run", np.linspace(2.0, 0.1, 31))],
        False,
        np.geomspace(0.1, 10, 3),
        [("holds", "holds", "does not hold")],
        1.0,
        "C0: holds",
    )
    return {
        "lr_search": lr_search_figure(analysis.lr_search(sweep, candidates=6, steps=20)),
        "basins": basins_figure(basins, "outcome"),
        "basins_steps": basins_figure(basins, "steps"),
        "hparams": hparam_figure(hmap, "final_loss"),
        "hparams_outcome": hparam_figure(hmap, "outcome"),
        "claim": claim_plot(claim),
        "3d": figures.surface_figure(result, grid),
        "contour": figures.contour_figure(result, grid),
        "lr": figures.lr_figure(result),
        "loss": figures.loss_figure(result),
        "playback": figures.playback_figure(result, grid),
        "effective": figures.effective_lr_figure(result),
        "internals": figures.internals_figure(result, 0),
    }


def test_merge_is_deep_and_copies():
    base = {"a": {"b": 1, "c": [1]}, "d": 2}
    out = theme.merge(base, {"a": {"b": 5}, "e": 3})
    assert out == {"a": {"b": 5, "c": [1]}, "d": 2, "e": 3}
    out["a"]["c"].append(2)
    assert base["a"]["c"] == [1]


def test_layout_puts_the_template_look_under_the_figure_s_own_values():
    layout = theme.layout(xaxis={"title": {"text": "x"}, "gridcolor": "red"}, yaxis2={"type": "log"}, scene={})
    assert layout["template"] == "none"
    assert layout["paper_bgcolor"] == WHITE.paper_bgcolor == "white"
    assert layout["xaxis"]["gridcolor"] == "red" and layout["xaxis"]["title"] == {"text": "x", "standoff": 15}
    assert layout["yaxis2"]["gridcolor"] == WHITE.yaxis.gridcolor and layout["yaxis2"]["type"] == "log"
    assert layout["scene"]["xaxis"]["backgroundcolor"] == WHITE.scene.xaxis.backgroundcolor


PATH_FIGURES = ["3d", "contour", "lr", "loss", "playback", "effective", "internals"]
SWEEP_FIGURES = ["lr_search", "basins", "basins_steps", "hparams", "hparams_outcome", "claim"]


@pytest.mark.parametrize("name", PATH_FIGURES + SWEEP_FIGURES)
def test_every_figure_looks_like_plotly_white_without_carrying_it(drawn, name):
    fig: go.Figure = drawn[name]
    assert fig.layout.template == pio.templates["none"]
    assert fig.layout.paper_bgcolor == "white" and fig.layout.plot_bgcolor == "white"
    cartesian = name != "3d"  # a figure without one still lists an empty default axis
    for axis in fig.select_xaxes() if cartesian else ():
        assert axis.gridcolor == WHITE.xaxis.gridcolor and axis.zerolinecolor == WHITE.xaxis.zerolinecolor
    for axis in fig.select_yaxes() if cartesian else ():
        assert axis.gridcolor == WHITE.yaxis.gridcolor
    for scene in fig.select_scenes() if name in ("3d", "playback") else ():
        assert scene.xaxis.backgroundcolor == WHITE.scene.xaxis.backgroundcolor
        assert scene.zaxis.gridcolor == WHITE.scene.zaxis.gridcolor
    # No template payload: the JSON holds the figure, not defaults for every Plotly trace type.
    assert "histogram2dcontour" not in fig.to_json()
    if fig.layout.coloraxis.colorscale:  # a shared colour scale has the template's colour bar
        assert fig.layout.coloraxis.colorbar.outlinewidth == WHITE.coloraxis.colorbar.outlinewidth


def test_contour_colour_bar_has_the_template_s_style(drawn):
    contour = drawn["contour"].data[0]
    assert contour.colorbar.outlinewidth == WHITE.coloraxis.colorbar.outlinewidth
