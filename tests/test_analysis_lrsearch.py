"""The LR search: the reference's recipe (200 candidates × 200-step runs, squared distance to the known minimum,
log-uniform ranges) done as one batch, and the same numbers as running each candidate on its own."""

import math

import numpy as np
import plotly.io as pio
import pytest

import schedules
from analysis import BudgetError, apply, lr_search
from analysis.batching import MAX_CANDIDATES, lr_rows, results_over_factors, scale_lrs
from analysis.lrsearch import ADAPTIVE_RANGE, SGD_RANGE, at_edge, default_range
from engine.scene import Scene, SceneError
from engine.simulate import run
from figures.sweeps import lr_search_figure
from presets import FIVE_SCHEDULES

FIG5 = {
    "surface": {"id": "rosenbrock"},
    "starts": [[-2.0, 2.5]],
    "optimizers": [{"id": "sgd"}],
    "schedules": [{"id": s} for s in FIVE_SCHEDULES],
    "lr": 0.001,
    "steps": 500,
    "clip": 1.0,
}


@pytest.fixture(scope="module")
def fig5():
    scene = Scene.build(FIG5)
    return scene, lr_search(scene), lr_search(scene, mode="per_schedule")


def test_fig5_follows_the_reference_recipe(fig5):
    _, shared, _ = fig5
    assert shared.objective_name == "distance2" and shared.steps == 200
    assert shared.candidates.shape == (200,)
    np.testing.assert_allclose(shared.candidates[[0, -1]], [math.exp(-8), math.exp(-1)])
    assert np.allclose(np.diff(np.log(shared.candidates)), np.log(shared.candidates[1] / shared.candidates[0]))
    assert shared.objective.shape == (5, 200)
    assert shared.trajectories == 5 * 200 and shared.trajectory_steps == 5 * 200 * 200
    assert shared.calls == 1  # one run_batch for all 1,000 runs
    # a chosen η0 per schedule; shared mode gives every schedule constant_lr's best
    assert shared.chosen.shape == (5,) and np.all(np.isfinite(shared.chosen))
    assert shared.reference == 0 and np.all(shared.chosen == shared.best[0])
    # SGD on the canyon wants the largest η0 of the range (the reference's e^-1; the presets use 0.37)
    assert shared.chosen[0] == pytest.approx(math.exp(-1), rel=1e-12)
    assert shared.objective[0].min() == pytest.approx(1.3315, abs=2e-3)


def test_a_choice_at_the_edge_of_the_range_is_flagged(fig5):
    # Fig. 5: every schedule gets e^-1, the top of the range: the best may lie beyond it.
    scene, shared, _ = fig5
    assert at_edge(shared) == ["high"] * 5
    wider = lr_search(scene, candidates=20, low=1e-3, high=3.0)
    assert "high" not in at_edge(wider)  # with room above, the best is inside
    low = lr_search(scene, candidates=10, low=1e-6, high=1e-5)  # far too small: the best is the largest tried
    assert at_edge(low) == ["high"] * 5


def test_the_curves_minimum_is_the_chosen_eta(fig5):
    _, shared, per = fig5
    for k in range(5):
        curve = per.objective[k]
        assert per.chosen[k] == per.best[k] == shared.best[k]
        assert curve[np.argmin(curve)] == pytest.approx(curve[np.flatnonzero(per.candidates == per.chosen[k])[0]])
        assert per.candidates[np.argmin(curve)] == per.chosen[k]


def test_a_candidate_scores_what_its_own_run_scores(fig5):
    scene, shared, _ = fig5
    target = np.array([1.0, 1.0])
    for n in (0, 120, 199):
        lr = float(shared.candidates[n])
        # constant_lr has no period: a 200-step scene is exactly the search run
        alone = run(scene.replace(lr=lr, steps=200, schedules=[{"id": "constant_lr"}]))
        assert shared.objective[0, n] == pytest.approx(np.sum((alone.positions[0, -1] - target) ** 2), rel=1e-4)
        # cosine_lr: the search run is the first 200 steps of the 500-step schedule (the reference's fixed periods)
        full = run(scene.replace(lr=lr, schedules=[{"id": "cosine_lr"}]))
        assert shared.objective[2, n] == pytest.approx(np.sum((full.positions[0, 200] - target) ** 2), rel=1e-4)


def test_apply_shared_and_per_schedule(fig5):
    scene, shared, per = fig5
    with_overrides = scene.replace(schedules=[{"id": s, "lr": 0.01} for s in FIVE_SCHEDULES])
    tuned = apply(with_overrides, shared)
    assert tuned.lr == shared.chosen[0]
    assert all(spec.lr is None for spec in tuned.schedules)  # one η0 for all
    tuned = apply(scene, per._replace(chosen=np.array([0.1, 0.2, 0.3, 0.2, 0.1])))
    assert [spec.lr for spec in tuned.schedules] == [0.1, 0.2, 0.3, 0.2, 0.1]
    with pytest.raises(SceneError, match="search again"):
        apply(scene.replace(schedules=[{"id": "constant_lr"}]), shared)
    with pytest.raises(SceneError, match="widen"):
        apply(scene, shared._replace(chosen=np.full(5, np.nan)))


def test_ranges_objectives_and_divergence():
    assert default_range(Scene.build(FIG5)) == SGD_RANGE
    yogi = Scene.build({**FIG5, "optimizers": [{"id": "lookahead", "inner": {"id": "yogi"}}]})
    assert default_range(yogi) == ADAPTIVE_RANGE
    scene = Scene.build(
        {"surface": {"id": "quadratic"}, "starts": [[-4.0, 3.0]], "clip": None, "schedules": [{"id": "constant_lr"}]}
    )
    calls = []
    search = lr_search(scene, 16, 1e-3, 50.0, "final_loss", steps=100, progress=lambda f, t: calls.append((f, t)))
    assert calls and calls[-1][0] == 1.0
    assert np.isinf(search.objective[0, -1])  # η0 = 50 without clipping diverges: it scores inf, never NaN
    assert search.chosen[0] < 50.0
    steps = lr_search(scene, 16, 1e-3, 1.0, "steps_to_tol", steps=100)
    assert steps.objective.max() <= 101 and steps.objective[0, -1] < steps.objective[0, 0]


def test_budgets_and_bad_arguments():
    scene = Scene.build(FIG5)
    with pytest.raises(BudgetError, match="candidates"):
        lr_search(scene, candidates=MAX_CANDIDATES + 1)
    with pytest.raises(BudgetError, match="fewer steps"):
        lr_search(scene, steps=5000)
    with pytest.raises(SceneError, match="objective"):
        lr_search(scene, objective="accuracy")
    with pytest.raises(SceneError, match="low < high"):
        lr_search(scene, low=0.1, high=0.01)


def test_lr_rows_broadcasts_and_results_over_factors_equal_single_runs():
    scene = Scene.build({**FIG5, "steps": 120, "schedules": [{"id": "step_lr"}, {"id": "cosine_lr", "lr": 0.05}]})
    rows = lr_rows(scene, scene.schedules[1], np.array([0.1, 0.2]), 50)
    assert rows.shape == (2, 50)
    for row, lr in zip(rows, [0.1, 0.2], strict=True):  # the 120-step schedule, cut to its first 50 steps
        np.testing.assert_allclose(row, schedules.table("cosine_lr", {}, lr, 120)[:50], rtol=1e-15)
    results = results_over_factors(scene, [0.5, 2.0])
    for factor, result in zip([0.5, 2.0], results, strict=True):
        alone = run(scale_lrs(scene, factor))
        assert result.scene == alone.scene
        np.testing.assert_allclose(result.positions, alone.positions, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(result.lr, alone.lr, rtol=1e-7)


def test_sensitivity_figure(fig5):
    _, shared, _ = fig5
    fig = lr_search_figure(shared)
    assert fig.layout.template == pio.templates["none"]  # the look comes from figures.theme
    assert fig.layout.xaxis.gridcolor == pio.templates["plotly_white"].layout.xaxis.gridcolor
    assert fig.layout.xaxis.type == "log"
    lines = [t for t in fig.data if t.mode == "lines"]
    stars = [t for t in fig.data if t.mode == "markers"]
    assert len(lines) == 5 and len(stars) == 5
    assert all(t.x[0] == pytest.approx(shared.chosen[0]) for t in stars)
