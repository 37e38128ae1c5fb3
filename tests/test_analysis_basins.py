"""Basins of attraction: a grid of starts in one batch, each cell classified by where it ends up."""

import numpy as np
import pytest

from analysis import BudgetError, basins, cell_of, start_at
from analysis.batching import MAX_SWEEP_STEPS, MAX_SWEEP_TRAJECTORY_STEPS
from analysis.outcomes import DIVERGED, MOVING, SADDLE, STALLED, classify, landmarks
from engine.scene import Scene, SceneError
from engine.simulate import CONVERGED, RUNNING, trace_count
from engine.simulate import DIVERGED as STATUS_DIVERGED
from figures.sweeps import basins_figure

HIMMELBLAU = {
    "surface": {"id": "himmelblau"},
    "optimizers": [{"id": "momentum", "params": {"momentum": 0.9}}],
    "schedules": [{"id": "constant_lr"}, {"id": "step_lr"}],
    "lr": 0.01,
    "steps": 300,
}


@pytest.fixture(scope="module")
def himmelblau():
    scene = Scene.build(HIMMELBLAU)
    return scene, basins(scene, resolution=32)


def test_himmelblau_every_minimizer_has_its_basin(himmelblau):
    scene, result = himmelblau
    assert result.outcome.shape == (2, 32, 32) and result.steps.shape == (2, 32, 32)
    assert result.pairs == ((0, 0), (0, 1))
    np.testing.assert_allclose(result.xs[[0, -1]], [-5 + 10 / 64, 5 - 10 / 64])
    constant = result.outcome[0]
    assert set(np.unique(constant).tolist()) == {0, 1, 2, 3}  # momentum 0.9 at η0 = 0.01 reaches all four
    # hand-picked cells: a start next to each minimizer ends in it
    for k, minimizer in enumerate(result.marks.minimizers):
        i, j = cell_of(result, *minimizer)
        assert constant[i, j] == k, (k, minimizer)
        x, y = start_at(result, i, j)
        assert abs(x - minimizer[0]) <= 10 / 64 and abs(y - minimizer[1]) <= 10 / 64
    assert result.categories[0] == "min (3, 2)"
    assert 0.15 < result.fractions(0)["min (3, 2)"] < 0.35
    converged = np.isfinite(result.steps[0])
    assert converged.mean() > 0.9 and np.all(result.steps[0][converged] <= scene.steps)


def test_a_cell_is_the_run_from_its_start(himmelblau):
    from engine.simulate import run

    scene, result = himmelblau
    for i, j in ((3, 5), (20, 28), (31, 0)):
        alone = run(scene.replace(starts=[list(start_at(result, i, j))], schedules=[{"id": "step_lr"}]))
        np.testing.assert_allclose(result.final_x[1, i, j], alone.positions[0, -1], rtol=1e-5, atol=1e-5)
        assert alone.status[0] == (CONVERGED if np.isfinite(result.steps[1, i, j]) else RUNNING)


def test_no_recompilation_when_the_lr_changes(himmelblau):
    scene, _ = himmelblau
    before = trace_count()
    again = basins(scene.replace(lr=0.004), resolution=32)
    assert trace_count() == before and again.compilations == 0
    assert not np.array_equal(again.steps, basins(scene, resolution=32).steps)


def test_classify_synthetic_finals():
    marks = landmarks(Scene.build(HIMMELBLAU))
    finals = np.array([[3.0, 2.0], [3.0, 2.05], [0.0867, 2.884], [0.0, 0.0], [-4.9, 4.9], [3.0, 2.0]])
    grad = np.array([0.0, 0.5, 0.0, 1e-4, 3.0, 0.0])
    status = np.array([CONVERGED, RUNNING, CONVERGED, CONVERGED, RUNNING, STATUS_DIVERGED])
    assert classify(finals, grad, status, marks).tolist() == [0, 0, SADDLE, STALLED, MOVING, DIVERGED]
    assert marks.radius == pytest.approx(0.01 * np.hypot(10, 10))


def test_budgets_and_pairs():
    scene = Scene.build(HIMMELBLAU)
    with pytest.raises(BudgetError, match="resolution"):
        basins(scene, resolution=512)
    with pytest.raises(BudgetError, match="fewer steps"):
        basins(scene.replace(steps=MAX_SWEEP_STEPS + 1), resolution=8)
    wide = scene.replace(steps=2000, schedules=[{"id": "constant_lr"}] * 4)
    assert 4 * 256 * 256 * 2000 > MAX_SWEEP_TRAJECTORY_STEPS
    with pytest.raises(BudgetError, match=r"at most 3 \(optimizer, schedule\) pairs"):
        basins(wide, resolution=256)
    with pytest.raises(SceneError, match="does not exist"):
        basins(scene, resolution=8, pairs=[(0, 5)])


def test_progress_and_figures(himmelblau):
    scene, result = himmelblau
    calls = []
    basins(scene, resolution=32, pairs=[(0, 1)], progress=lambda f, text: calls.append((f, text)))
    assert calls[-1][0] == 1.0 and "step_lr" in calls[-1][1]
    fig = basins_figure(result)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 2
    assert all(t.zmin == heatmaps[0].zmin and t.zmax == heatmaps[0].zmax for t in heatmaps)  # one colour scale
    legend = {t.name for t in fig.data if t.type == "scatter" and t.marker.symbol == "square"}
    assert legend == {result.categories[c] for c in np.unique(result.outcome).tolist()}
    assert legend >= {"min (3, 2)", "min (-2.81, 3.13)", "min (-3.78, -3.28)", "min (3.58, -1.85)"}
    clicks = [t for t in fig.data if t.name and t.name.startswith("cells")]
    assert len(clicks) == 2
    i, j = clicks[0].customdata[37]
    assert (clicks[0].x[37], clicks[0].y[37]) == start_at(result, int(i), int(j))
    steps = basins_figure(result, "steps")
    assert {t.coloraxis for t in steps.data if t.type == "heatmap"} == {"coloraxis"}
    assert steps.layout.paper_bgcolor == "white"
    # titles name the surface as the page does, not by its id
    for figure in (fig, steps):
        assert "Himmelblau · 300 steps · η0 = 0.01" in figure.layout.title.text
        assert "himmelblau" not in figure.layout.title.text
    assert not [a for a in steps.layout.annotations if "converged" in (a.text or "")]  # most starts converge
    assert steps.layout.coloraxis.showscale


def test_steps_map_says_when_no_start_converged(himmelblau):
    scene, _ = himmelblau
    never = basins(scene.replace(steps=3), resolution=8)
    assert not np.isfinite(never.steps).any()
    fig = basins_figure(never, "steps")
    notes = [a for a in fig.layout.annotations if a.name == "no convergence"]
    assert [a.text for a in notes] == ["No start converged<br>within 3 steps"] * 2  # one across each blank panel
    assert [(a.xref, a.yref) for a in notes] == [("x domain", "y domain"), ("x2 domain", "y2 domain")]
    assert fig.layout.coloraxis.showscale is False  # no scale for an empty map
    assert not [a for a in basins_figure(never, "outcome").layout.annotations if a.name == "no convergence"]
