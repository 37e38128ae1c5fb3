"""Figures of a trained task: data exact, figures checked by a few attributes; every task view draws."""

import numpy as np
import pytest

from engine.scene import Scene
from figures import tasks as figures_tasks
from figures.theme import PALETTE
from figures.views import TASK_VIEWS, TaskViewOptions
from tasks import landscape
from tasks.run import run_scene


@pytest.fixture(scope="module")
def result():
    scene = Scene.build(
        {
            "task": {"id": "digits_mlp", "params": {"hidden": 8}},
            "seeds": [0, 1],
            "optimizers": [{"id": "momentum"}],
            "schedules": [{"id": "cosine_lr"}, {"id": "constant_lr"}],
            "lr": 0.05,
            "steps": 80,
        }
    )
    return run_scene(scene)


def test_labels_colours_and_dashes(result):
    # runs: cosine seed 0, cosine seed 1, constant seed 0, constant seed 1; the optimizer is shared
    assert figures_tasks.task_labels(result) == [
        "Cosine annealing · seed 0", "Cosine annealing · seed 1", "Constant · seed 0", "Constant · seed 1",
    ]  # fmt: skip
    assert figures_tasks.shared_task_label(result) == "SGD + momentum"
    assert figures_tasks.run_colors(result) == [PALETTE[0], PALETTE[0], PALETTE[1], PALETTE[1]]
    assert figures_tasks.run_dashes(result) == ["solid", "dash", "solid", "dash"]


def test_curves_data_and_figure(result):
    data = figures_tasks.curves_data(result)
    np.testing.assert_array_equal(data.x[3], result.record_steps)
    np.testing.assert_array_equal(data.test_accuracy, result.test_accuracy)
    by_evals = figures_tasks.curves_data(result, "grad_evals")
    np.testing.assert_array_equal(by_evals.x, result.grad_evals)
    assert by_evals.x_title == "gradient evaluations"
    fig = figures_tasks.curves_figure(result)
    assert len(fig.data) == 4 * result.num_runs
    assert sum(trace.showlegend for trace in fig.data) == result.num_runs
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis3.type == "linear"
    assert fig.layout.yaxis3.tickformat == ".0%"
    lr = figures_tasks.task_lr_figure(result)
    assert [trace.name for trace in lr.data] == ["Cosine annealing", "Constant"]  # the seeds share an LR
    with pytest.raises(ValueError, match="x must be one of steps, grad_evals"):
        figures_tasks.curves_data(result, "epochs")


def test_pca_landscape_is_fitted_to_the_chosen_run_s_seed(result):
    view = figures_tasks.landscape_data(result, 3, resolution=9)  # constant_lr, seed 1
    assert view.path_runs == (3, 1)  # the chosen run first, then the other run of its seed
    pca = landscape.pca_directions(result.weights, (3, 1), reference=3)
    np.testing.assert_allclose(view.explained, pca.explained_variance_ratio)
    np.testing.assert_allclose(view.paths, pca.coords[[3, 1]])
    np.testing.assert_allclose(view.paths[0, -1], 0.0, atol=1e-9)  # the chosen run ends at the centre
    assert view.axis_titles[0].startswith(f"PCA direction 1 ({view.explained[0]:.1%}")
    (x0, x1), (y0, y1) = landscape.path_window(pca.coords[[3, 1]])
    assert (view.slice.x[0], view.slice.x[-1], view.slice.y[0], view.slice.y[-1]) == pytest.approx((x0, x1, y0, y1))
    np.testing.assert_allclose(view.path_loss, result.train_loss[[3, 1]])
    every = figures_tasks.landscape_data(result, 0, fit="all", resolution=5)
    assert set(every.path_runs) == {0, 1, 2, 3} and every.path_runs[0] == 0


def test_random_landscape_is_centred_on_the_final_weights(result):
    view = figures_tasks.landscape_data(result, 0, directions="random", resolution=11)
    assert view.path_runs == () and view.paths.shape == (0, len(result.record_steps), 2)
    assert np.isnan(view.explained).all() and view.fit == ""
    np.testing.assert_array_equal(view.slice.x, landscape.grid(-1.0, 1.0, 11))
    assert view.slice.loss[5, 5] == pytest.approx(result.train_loss[0, -1], rel=1e-4)
    assert view.slice.loss.min() == pytest.approx(view.slice.loss[5, 5], rel=0.05)  # trained: a valley around it
    fig = figures_tasks.landscape_contour(view)
    assert [trace.type for trace in fig.data] == ["contour", "scatter"]  # the centre's star
    surface = figures_tasks.landscape_surface(view)
    assert surface.data[0].type == "surface" and surface.layout.scene.zaxis.title.text == "log₁₀ loss"


def test_interpolation_ends_at_the_runs_losses(result):
    view = figures_tasks.interpolation_data(result, 2)
    line = view.line
    at = {float(a): i for i, a in enumerate(line.alpha)}
    start, _ = landscape.loss_at(result.problem, result.initial_weights(2))
    assert line.train_loss[at[0.0]] == pytest.approx(start[0], rel=1e-5)
    assert line.train_loss[at[1.0]] == pytest.approx(result.train_loss[2, -1], rel=1e-4)
    assert line.test_accuracy[at[1.0]] == pytest.approx(result.test_accuracy[2, -1])
    between = figures_tasks.interpolation_data(result, 0, 2)
    assert between.line.train_loss[at[0.0]] == pytest.approx(result.train_loss[0, -1], rel=1e-4)
    assert between.line.train_loss[at[1.0]] == pytest.approx(result.train_loss[2, -1], rel=1e-4)
    assert "between the final weights of Cosine annealing · seed 0 and Constant · seed 0" in between.title
    fig = figures_tasks.interpolation_figure(view)
    assert len(fig.data) == 4 and fig.layout.yaxis.type == "log" and len(fig.layout.shapes) == 4
    with pytest.raises(ValueError, match="other must be a different run"):
        figures_tasks.interpolation_data(result, 1, 1)


def test_playback_moves_one_marker_per_path(result):
    view = figures_tasks.landscape_data(result, 0, resolution=5)
    fig = figures_tasks.playback_figure(view)
    assert len(fig.frames) == len(result.record_steps)
    assert [frame.name for frame in fig.frames[:3]] == ["0", "1", "2"]
    markers = list(fig.frames[-1].traces)
    assert len(markers) == len(view.path_runs) and markers[-1] == len(fig.data) - 1
    assert fig.frames[-1].data[0].x[0] == pytest.approx(view.paths[0, -1, 0])
    with pytest.raises(ValueError, match="PCA plane"):
        figures_tasks.playback_figure(figures_tasks.landscape_data(result, 0, directions="random", resolution=5))


def test_every_task_view_draws_and_bad_options_say_what_to_change(result):
    for view_id, view in TASK_VIEWS.items():
        fig = view.draw(result, TaskViewOptions(run=1, resolution=7))
        assert fig.layout.title.text, view_id
        assert bool(fig.frames) == view.animated
    for options, message in (
        (TaskViewOptions(run=4), r"run must be a run index in 0 … 3, got 4"),
        (TaskViewOptions(directions="hessian"), "directions must be one of pca, random"),
        (TaskViewOptions(fit="half"), "fit must be one of seed, all"),
        (TaskViewOptions(resolution=500), "resolution must be in 5 … 101"),
    ):
        with pytest.raises(ValueError, match=message):
            TASK_VIEWS["contour"].draw(result, options)


def test_sharpness_grows_with_the_radius_from_the_centre_loss(result):
    weights = result.final_weights(0)
    near = landscape.sharpness(result.problem, weights, 1e-3)
    far = landscape.sharpness(result.problem, weights, 0.5)
    assert near.center_loss == pytest.approx(result.train_loss[0, -1], rel=1e-4)
    assert abs(near.mean_rise) < 1e-3 < far.mean_rise
    assert far.rises.shape == (16,)
    # at a minimum the rise is about quadratic in the radius: a quarter of it at half the radius
    half = landscape.sharpness(result.problem, weights, 0.25)
    assert 0.1 < half.mean_rise / far.mean_rise < 0.5
    with pytest.raises(ValueError, match="radius > 0"):
        landscape.sharpness(result.problem, weights, 0.0)
