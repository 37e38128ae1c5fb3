"""Landscape data: PCA directions of weight paths, filter-normalised directions, slices and interpolations."""

from __future__ import annotations

import numpy as np
import pytest

import tasks
from tasks import catalog, landscape, models


@pytest.fixture(scope="module")
def trained():
    """Digits MLP 64-16-10, momentum, two schedules × two seeds, 300 steps."""
    steps = 300
    tables = np.stack([catalog.lr_table(key, {}, 0.05, steps) for key in ("cosine_lr", "constant_lr")])
    return tasks.train("digits_mlp", {"hidden": 16}, [("momentum", {"momentum": 0.9})], tables, (0, 1), records=30)


def test_pca_of_a_planar_path_reproduces_its_coordinates():
    # Paths that lie in a plane through the reference's final weights: the PCA plane is that plane, and the
    # projected coordinates rebuild every recorded weight vector exactly.
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.normal(size=(50, 2)))
    origin = rng.normal(size=50)
    coefficients = rng.normal(size=(3, 20, 2)) * [3.0, 1.0]
    coefficients[0, -1] = 0.0  # run 0 ends at the origin
    weights = origin + coefficients @ basis.T
    pca = tasks.pca_directions(weights, reference=0)
    np.testing.assert_allclose(pca.directions @ pca.directions.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(pca.origin + pca.coords @ pca.directions, weights, atol=1e-10)
    np.testing.assert_allclose(pca.explained_variance_ratio.sum(), 1.0, atol=1e-10)
    assert pca.explained_variance_ratio[0] >= pca.explained_variance_ratio[1]
    np.testing.assert_allclose(pca.coords[0, -1], 0.0, atol=1e-10)
    assert np.all(pca.coords[0, 0] >= 0)  # the sign convention: the reference starts in the first quadrant
    # the coordinates are those of the path in the PCA basis: the same distances between points
    distances = np.linalg.norm(weights[1, 1:] - weights[1, :-1], axis=1)
    np.testing.assert_allclose(np.linalg.norm(np.diff(pca.coords[1], axis=0), axis=1), distances, rtol=1e-10)


def test_pca_of_training_paths(trained):
    pca = tasks.pca_directions(trained.weights, runs=[0, 1], reference=1)
    assert pca.fitted_runs == (0, 1) and pca.reference_run == 1
    np.testing.assert_array_equal(pca.origin, trained.final_weights(1))
    np.testing.assert_allclose(pca.coords, (trained.weights - pca.origin) @ pca.directions.T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(pca.coords[1, -1], 0.0, atol=1e-6)
    ratios = pca.explained_variance_ratio
    assert 0 < ratios[1] <= ratios[0] <= 1 and ratios.sum() <= 1 + 1e-9
    assert pca.coords.shape == (4, len(trained.record_steps), 2)  # every run projected, fitted or not


def test_pca_rejects_what_it_cannot_fit():
    with pytest.raises(ValueError, match="at least 3 recorded weight vectors"):
        tasks.pca_directions(np.zeros((1, 2, 10)))
    with pytest.raises(ValueError, match=r"runs must be run indices in \[0, 2\)"):
        tasks.pca_directions(np.zeros((2, 5, 10)), runs=[2])


def test_filter_normalised_directions_match_the_filters_and_zero_the_biases(trained):
    model = trained.model
    weights = trained.final_weights(0)
    directions = tasks.filter_normalized_directions(model, weights, seed=3)
    assert directions.shape == (2, model.num_params)
    layers = models.unflatten(model, weights.astype(np.float64))
    for direction in directions:
        for layer, scaled in zip(layers, models.unflatten(model, direction), strict=True):
            np.testing.assert_allclose(np.linalg.norm(scaled.w, axis=0), np.linalg.norm(layer.w, axis=0), rtol=1e-12)
            np.testing.assert_array_equal(scaled.b, 0.0)
    assert not np.allclose(directions[0], directions[1])
    np.testing.assert_array_equal(tasks.filter_normalized_directions(model, weights, seed=3), directions)
    assert not np.allclose(tasks.filter_normalized_directions(model, weights, seed=4), directions)


def test_slice_centre_is_the_final_loss_and_points_are_the_plain_loss(trained):
    problem, center = trained.problem, trained.final_weights(2)
    directions = tasks.filter_normalized_directions(trained.model, center)
    x, y = tasks.grid(-1.0, 1.0, 21), tasks.grid(-0.5, 1.0, 7)
    assert x[10] == 0.0 and y[2] == 0.0
    plane = tasks.loss_slice(problem, center, directions, x, y)
    assert plane.loss.shape == plane.accuracy.shape == (7, 21) and plane.overflow == 0
    np.testing.assert_allclose(plane.loss[2, 10], trained.train_loss[2, -1], rtol=1e-5)
    np.testing.assert_allclose(plane.accuracy[2, 10], trained.train_accuracy[2, -1])
    for i, j in [(0, 0), (6, 20), (4, 3)]:
        weights = center + x[j] * directions[0] + y[i] * directions[1]
        loss, accuracy = tasks.loss_at(problem, weights)
        np.testing.assert_allclose(plane.loss[i, j], loss[0], rtol=1e-4)
        np.testing.assert_allclose(plane.accuracy[i, j], accuracy[0], atol=1e-6)
    assert plane.loss[2, 10] <= plane.loss.max()
    test_plane = tasks.loss_slice(problem, center, directions, x, y, split="test")
    np.testing.assert_allclose(test_plane.loss[2, 10], trained.test_loss[2, -1], rtol=1e-5)


def test_slice_with_weight_decay_and_two_hidden_layers():
    # The fast plane evaluation handles the penalty (a quadratic form) and layers after the first.
    problem = tasks.problem("moons_mlp", {"l2": 0.01, "n_samples": 200})
    rng = np.random.default_rng(1)
    center = rng.normal(size=problem.model.num_params)
    directions = rng.normal(size=(2, problem.model.num_params))
    plane = tasks.loss_slice(problem, center, directions, tasks.grid(-1, 1, 5), tasks.grid(-1, 1, 3), dtype="float64")
    expected, _ = tasks.loss_at(problem, center + 0.5 * directions[0] - 1.0 * directions[1], dtype="float64")
    np.testing.assert_allclose(plane.loss[0, 3], expected[0], rtol=1e-10)


def test_pca_slice_window_covers_the_paths(trained):
    pca = tasks.pca_directions(trained.weights, runs=[0], reference=0)
    (xmin, xmax), (ymin, ymax) = tasks.path_window(pca.coords[0])
    path = pca.coords[0]
    assert xmin < path[:, 0].min() and path[:, 0].max() < xmax and ymin < path[:, 1].min() and path[:, 1].max() < ymax
    plane = tasks.loss_slice(trained.problem, pca.origin, pca.directions, tasks.grid(xmin, xmax, 9), tasks.grid(-1, 1))
    assert np.all(np.isfinite(plane.loss))


def test_interpolation_endpoints_are_the_runs_losses(trained):
    problem = trained.problem
    line = tasks.interpolate(problem, trained.initial_weights(0), trained.final_weights(0))
    start, end = np.flatnonzero(line.alpha == 0.0)[0], np.flatnonzero(line.alpha == 1.0)[0]
    assert line.alpha[0] == -0.5 and line.alpha[-1] == 1.5
    for split in ("train", "test"):
        loss, accuracy = getattr(line, f"{split}_loss"), getattr(line, f"{split}_accuracy")
        recorded_loss, recorded_accuracy = getattr(trained, f"{split}_loss"), getattr(trained, f"{split}_accuracy")
        np.testing.assert_allclose(loss[[start, end]], recorded_loss[0, [0, -1]], rtol=1e-5)
        np.testing.assert_allclose(accuracy[[start, end]], recorded_accuracy[0, [0, -1]])
    between = tasks.interpolate(problem, trained.final_weights(0), trained.final_weights(3), alpha=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(between.train_loss[[0, 2]], trained.train_loss[[0, 3], -1], rtol=1e-5)


def test_logistic_regression_is_convex_along_the_line():
    # The convex task for contrast: the objective along any line is convex (second differences ≥ 0).
    steps = 200
    result = tasks.train("digits_logreg", None, ["momentum"], catalog.lr_table("cosine_lr", {}, 0.05, steps), (0,))
    line = tasks.interpolate(
        result.problem, result.initial_weights(0), result.final_weights(0), np.linspace(-1, 2, 61), dtype="float64"
    )
    assert np.all(np.diff(line.train_loss, 2) >= -1e-9)
    assert line.train_loss[40] < line.train_loss[20]  # α = 1 (trained) below α = 0 (initial)


def test_bad_landscape_inputs_say_what_to_change(trained):
    center = trained.final_weights(0)
    with pytest.raises(ValueError, match=r"a slice needs two directions \[2, P\]"):
        tasks.loss_slice(trained.problem, center, center[None])
    with pytest.raises(ValueError, match="split must be one of train, test"):
        tasks.loss_slice(trained.problem, center, np.stack([center, center]), split="validation")
    with pytest.raises(ValueError, match="center must be"):
        landscape.plane_values(trained.problem, center[:-1], center[None, :-1], [[0.0]])
    with pytest.raises(ValueError, match="need resolution >= 2 and high > low"):
        tasks.grid(1.0, -1.0)
