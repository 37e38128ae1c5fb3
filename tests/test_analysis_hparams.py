"""Hyperparameter maps: one batch over a grid of two hyperparameters, each cell loadable into the scene."""

import numpy as np
import pytest

from analysis import BudgetError, apply_setting, hparam_map, setting_at
from analysis.hparams import parse_path
from engine.scene import Scene, SceneError
from engine.simulate import run
from figures.sweeps import hparam_figure
from ui.labels import setting_label, symbol_text

PEAKS = {
    "surface": {"id": "peaks_ref"},
    "starts": [[0.57, 0.8]],
    "optimizers": [{"id": "momentum", "params": {"momentum": 0.9}}],
    "schedules": [{"id": "constant_lr"}, {"id": "step_lr"}, {"id": "cosine_lr", "lr": 0.3}],
    "lr": 0.045,
    "steps": 200,
}
LRS = np.geomspace(0.005, 0.3, 8)
MOMENTA = np.linspace(0.0, 0.95, 6)


@pytest.fixture(scope="module")
def lr_momentum():
    scene = Scene.build(PEAKS)
    return scene, hparam_map(scene, "lr", "optimizers.0.params.momentum", LRS, MOMENTA)


def test_map_shapes_axes_and_panels(lr_momentum):
    _, hmap = lr_momentum
    assert hmap.pairs == ((0, 0), (0, 1), (0, 2))
    for name in ("final_loss", "distance", "success", "steps", "outcome"):
        assert getattr(hmap, name).shape == (3, 6, 8), name
    assert hmap.x_log and not hmap.y_log
    assert hmap.success.dtype == bool
    assert hmap.success.any() and not hmap.success.all()  # the η0 × momentum plane holds both outcomes
    # without momentum nothing escapes the local minimum (C6), whatever η0 and schedule
    assert not hmap.success[:, 0, :].any()


def test_every_cell_is_the_run_it_loads(lr_momentum):
    scene, hmap = lr_momentum
    for panel, i, j in ((0, 5, 7), (1, 2, 3), (2, 4, 0)):
        setting = setting_at(hmap, i, j)
        assert setting == {"lr": float(LRS[j]), "optimizers.0.params.momentum": float(MOMENTA[i])}
        loaded = apply_setting(scene, setting)
        assert loaded.lr == LRS[j] and loaded.optimizers[0].params["momentum"] == MOMENTA[i]
        assert all(spec.lr is None for spec in loaded.schedules)  # "lr" is every schedule's η0, as in the map
        alone = run(loaded.replace(schedules=[loaded.schedules[panel].model_dump(exclude_none=True)]))
        assert hmap.final_loss[panel, i, j] == pytest.approx(float(alone.loss[0, -1]), rel=1e-4, abs=1e-6)


def test_schedule_and_inner_parameters():
    scene = Scene.build({**PEAKS, "optimizers": [{"id": "lookahead", "inner": {"id": "yogi"}}]})
    gammas = [0.5, 0.8, 0.95, 0.99]
    hmap = hparam_map(scene, "schedules.1.params.gamma", "optimizers.0.inner.params.initial_m", gammas, [0.0, 1e-4])
    assert hmap.pairs == ((0, 1),)  # narrowed to the schedule the axis belongs to
    assert hmap.final_loss.shape == (1, 2, 4)
    setting = setting_at(hmap, 1, 2)
    loaded = apply_setting(scene, setting)
    assert loaded.schedules[1].params.get("gamma", 0.95) == 0.95  # 0.95 is step_lr's default: scenes leave it out
    assert loaded.optimizers[0].inner.params == {"initial_m": 1e-4}
    alone = run(loaded.replace(schedules=[loaded.schedules[1].model_dump(exclude_none=True)]))
    assert hmap.final_loss[0, 1, 2] == pytest.approx(float(alone.loss[0, -1]), rel=1e-4, abs=1e-6)
    assert setting_at(hmap, 0, 0) == {"schedules.1.params.gamma": 0.5, "optimizers.0.inner.params.initial_m": 0.0}


def test_default_axes_span_the_specs():
    scene = Scene.build({**PEAKS, "schedules": [{"id": "constant_lr"}], "steps": 50})
    hmap = hparam_map(scene, resolution=4)
    np.testing.assert_allclose(hmap.x_values, np.geomspace(np.exp(-8), np.exp(-1), 4))
    np.testing.assert_allclose(hmap.y_values, np.linspace(0.0, 0.999, 4))


def test_bad_paths_and_budgets():
    scene = Scene.build(PEAKS)
    with pytest.raises(SceneError, match="unknown hyperparameter path"):
        parse_path(scene, "optimizers.momentum")
    with pytest.raises(SceneError, match=r"no parameter 'beta'.*allowed: momentum, dampening"):
        parse_path(scene, "optimizers.0.params.beta")
    with pytest.raises(SceneError, match="has 3 schedule"):
        parse_path(scene, "schedules.7.lr")
    with pytest.raises(SceneError, match="wraps no inner"):
        parse_path(scene, "optimizers.0.inner.params.b1")
    with pytest.raises(SceneError, match="must be in"):
        hparam_map(scene, "lr", "optimizers.0.params.momentum", [0.1], [0.5, 1.5])
    with pytest.raises(BudgetError, match="at most 256 values"):
        hparam_map(scene, "lr", "optimizers.0.params.momentum", np.geomspace(1e-3, 1, 300), [0.5])
    four = scene.replace(steps=2000, schedules=[{"id": "constant_lr"}] * 4)
    with pytest.raises(BudgetError, match="coarser grid"):  # 4 × 65,536 × 2,000 trajectory-steps: over the cap
        hparam_map(four, resolution=256)
    with pytest.raises(SceneError, match="must differ"):
        hparam_map(scene, "lr", "lr", [0.1], [0.2])


def test_figure_panels_share_one_scale_and_are_clickable(lr_momentum):
    _, hmap = lr_momentum
    fig = hparam_figure(hmap, "final_loss")
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 3 and {t.coloraxis for t in heatmaps} == {"coloraxis"}
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "linear"
    click = next(t for t in fig.data if t.name == "cells 1")
    i, j = click.customdata[10]
    assert (click.x[10], click.y[10]) == (LRS[j], MOMENTA[i])
    for metric in ("success", "steps", "outcome", "distance"):
        assert len([t for t in hparam_figure(hmap, metric).data if t.type == "heatmap"]) == 3
    with pytest.raises(ValueError, match="metric"):
        hparam_figure(hmap, "accuracy")


def test_figure_labels_read_as_words(lr_momentum):
    _, hmap = lr_momentum
    fig = hparam_figure(hmap, "final_loss")
    title = fig.layout.title.text
    assert title == "Final loss over η0 × momentum μ<br><sup>Peaks (the paper's variant) · 200 steps</sup>"
    assert fig.layout.yaxis.title.text == "momentum μ<br>optimizer 1 (SGD + momentum)"
    # three panels: one x title centred under them all instead of one per narrow panel
    assert all(axis.title.text is None for axis in fig.select_xaxes())
    (x_title,) = [a for a in fig.layout.annotations if a.name == "x title"]
    assert x_title.text == "η0 (base learning rate)" and x_title.x == pytest.approx(0.5)
    heatmap = next(t for t in fig.data if t.type == "heatmap")
    assert heatmap.hovertemplate.startswith("η0 %{x:.4g}<br>momentum μ %{y:.4g}<br>")
    shown = fig.to_json()
    assert "optimizers.0" not in shown and "params." not in shown and "peaks_ref" not in shown
    assert not [a for a in fig.layout.annotations if a.name == "no convergence"]


def test_setting_labels():
    scene = Scene.build(PEAKS)
    assert setting_label(scene, "lr") == "η0 (base learning rate)"
    assert setting_label(scene, "optimizers.0.params.momentum") == "momentum μ — optimizer 1 (SGD + momentum)"
    assert setting_label(scene, "optimizers.0.params.dampening") == "dampening d — optimizer 1 (SGD + momentum)"
    assert setting_label(scene, "schedules.1.params.gamma") == "gamma γ — schedule 2 (Step decay)"
    assert setting_label(scene, "schedules.2.lr") == "η0 (base learning rate) — schedule 3 (Cosine annealing)"
    assert setting_label(scene, "schedules.2.params.eta_min") == (
        "eta min ηₘᵢₙ — schedule 3 (Cosine annealing)"  # a picker shows HTML as it is: no <sub>
    )
    wrapped = Scene.build({**PEAKS, "optimizers": [{"id": "sgd"}, {"id": "lookahead", "inner": {"id": "yogi"}}]})
    assert setting_label(wrapped, "optimizers.1.params.k") == "k — optimizer 2 (Lookahead)"  # no "k k"
    assert setting_label(wrapped, "optimizers.1.inner.params.b1") == "b1 β₁ — optimizer 2 (Yogi in Lookahead)"
    assert setting_label(wrapped, "optimizers.1.inner.params.initial_m") == (
        "initial m m₀ — optimizer 2 (Yogi in Lookahead)"
    )
    with pytest.raises(SceneError, match="unknown hyperparameter path"):
        setting_label(scene, "momentum")
    assert symbol_text(r"\sigma_0^2") == "σ<sub>0</sub><sup>2</sup>" and symbol_text(r"\eta_{hi}") == "η<sub>hi</sub>"


def test_one_panel_map_titles_its_axes_and_says_when_nothing_converged():
    scene = Scene.build({**PEAKS, "optimizers": [{"id": "lookahead", "inner": {"id": "yogi"}}], "steps": 3})
    hmap = hparam_map(scene, "schedules.1.params.gamma", "optimizers.0.inner.params.b1", [0.5, 0.9], [0.8, 0.9])
    assert hmap.pairs == ((0, 1),) and not np.isfinite(hmap.steps).any()
    fig = hparam_figure(hmap, "steps")
    assert fig.layout.xaxis.title.text == "gamma γ<br>schedule 2 (Step decay)"
    assert fig.layout.yaxis.title.text == "b1 β<sub>1</sub><br>optimizer 1 (Yogi in Lookahead)"
    assert fig.layout.title.text.startswith("Steps to converge over gamma γ × b1 β<sub>1</sub><br>")
    notes = [a.text for a in fig.layout.annotations if a.name == "no convergence"]
    assert notes == ["No run converged<br>within 3 steps"]
