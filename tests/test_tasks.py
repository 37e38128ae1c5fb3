"""The task registry, its data and its networks: contract tests over every entry, then the data and model details."""

from __future__ import annotations

import math
import socket

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import tasks
from common.params import ParamError
from tasks import data, models
from tasks.models import Dense, Model

EXPECTED_IDS = ["digits_mlp", "digits_logreg", "moons_mlp"]


def test_registry_ids_and_metadata():
    assert list(tasks.TASKS) == EXPECTED_IDS
    for task_id, task in tasks.TASKS.items():
        assert task.id == task_id
        assert task.name and task.description and task.reference
        assert task.lr > 0 and task.steps >= 1
        for name, spec in task.params.items():
            spec.validate(spec.default)  # every default is allowed by its own spec
            assert spec.help, f"{task_id}.{name} has no help"


@pytest.mark.parametrize("task_id", EXPECTED_IDS)
def test_problem_shapes_agree_with_the_network(task_id):
    problem = tasks.problem(task_id)
    x_train, y_train, x_test, y_test, classes = problem.data
    assert x_train.shape[1] == x_test.shape[1] == problem.model.sizes[0]
    assert classes == problem.model.sizes[-1]
    assert x_train.shape[0] == y_train.shape[0] and x_test.shape[0] == y_test.shape[0]
    assert set(np.unique(y_train)) == set(range(classes)) == set(np.unique(y_test))
    assert problem.batch_size <= len(y_train)
    assert not x_train.flags.writeable  # cached and shared: nobody may change it
    # Standardised with the train split's statistics: mean 0, and std 1 except on constant features.
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-12)
    std = x_train.std(axis=0)
    assert np.all(np.isclose(std, 1.0) | np.isclose(std, 0.0))
    assert tasks.problem(task_id) is problem  # cached per process


def test_digits_split_is_stratified_seeded_and_deterministic():
    full_counts = np.bincount(data._digits_images()[1])
    ds = data.digits(0.25, 0)
    assert len(ds.y_train) + len(ds.y_test) == 1797 and len(ds.y_test) == math.ceil(0.25 * 1797)
    # stratified: each class's share of the test set is its share of the whole set, to one example
    expected = full_counts * len(ds.y_test) / full_counts.sum()
    assert np.all(np.abs(np.bincount(ds.y_test) - expected) <= 1)
    data.digits.cache_clear()
    again = data.digits(0.25, 0)
    assert again is not ds
    for a, b in zip(ds, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = data.digits(0.25, 1)
    assert not np.array_equal(other.y_test, ds.y_test)


def test_moons_are_seeded_and_sized():
    ds = data.moons(n_samples=400, noise=0.1, data_seed=3, test_fraction=0.25, split_seed=0)
    assert ds.x_train.shape == (300, 2) and ds.x_test.shape == (100, 2)
    data.moons.cache_clear()
    again = data.moons(n_samples=400, noise=0.1, data_seed=3, test_fraction=0.25, split_seed=0)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    assert not np.array_equal(data.moons(400, 0.1, 4, 0.25, 0).x_train, ds.x_train)


def test_digits_load_without_a_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the digits must come from the files inside the scikit-learn wheel")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    data._digits_images.cache_clear()
    data.digits.cache_clear()
    assert data.digits().x_train.shape == (1347, 64)


def test_problem_rejects_bad_parameters_with_the_field_named():
    with pytest.raises(ParamError, match=r"task digits_mlp\.hidden"):
        tasks.problem("digits_mlp", {"hidden": 0})
    with pytest.raises(ParamError, match=r"unknown parameter 'width'.*allowed: hidden"):
        tasks.problem("digits_mlp", {"width": 8})
    with pytest.raises(ParamError, match=r"digits_mlp\.batch_size: must be at most the 898 training examples"):
        tasks.problem("digits_mlp", {"batch_size": 1024, "test_fraction": 0.5})
    with pytest.raises(ValueError, match="unknown task 'mnist'; known: digits_mlp"):
        tasks.problem("mnist")


def test_models_of_the_tasks():
    assert tasks.problem("digits_mlp").model == Model((64, 32, 10), "relu")
    assert tasks.problem("digits_mlp").model.num_params == 64 * 32 + 32 + 32 * 10 + 10 == 2410
    assert tasks.problem("digits_mlp", {"hidden": 8, "depth": 3}).model.sizes == (64, 8, 8, 8, 10)
    assert tasks.problem("digits_logreg").model.sizes == (64, 10)
    assert tasks.problem("moons_mlp").model == Model((2, 16, 16, 2), "tanh")


def test_flatten_round_trip_and_masks():
    model = Model((5, 4, 3), "tanh")
    params = models.init(model, 0)
    vector = np.asarray(models.flatten(params))
    assert vector.shape == (model.num_params,)
    for a, b in zip(jax.tree.leaves(models.unflatten(model, vector)), jax.tree.leaves(params), strict=True):
        np.testing.assert_array_equal(a, np.float32(b))  # JAX without x64 works in float32
    batched = np.stack([vector, 2 * vector])
    assert models.unflatten(model, batched)[1].w.shape == (2, 4, 3)
    mask = models.weight_mask(model)
    assert mask.sum() == 5 * 4 + 4 * 3 and (~mask).sum() == 4 + 3
    np.testing.assert_array_equal(vector[~mask], 0.0)  # biases start at zero
    with pytest.raises(ValueError, match="expected 39 parameters"):
        models.unflatten(model, vector[:-1])


def test_init_is_seeded_and_scaled_as_he_and_glorot():
    model = Model((400, 300, 200), "relu")
    a, b = models.init(model, 7), models.init(model, 7)
    np.testing.assert_array_equal(a[0].w, b[0].w)
    assert not np.array_equal(models.init(model, 8)[0].w, a[0].w)
    assert np.std(a[0].w) == pytest.approx(math.sqrt(2 / 400), rel=0.02)  # He before the ReLU
    assert np.std(a[1].w) == pytest.approx(math.sqrt(2 / 500), rel=0.02)  # Glorot at the output
    tanh = models.init(Model((400, 300, 200), "tanh"), 7)
    assert np.std(tanh[0].w) == pytest.approx(math.sqrt(2 / 700), rel=0.02)


def test_loss_is_the_cross_entropy_plus_the_weight_penalty():
    model = Model((3, 2), "relu")
    params = (Dense(jnp.array([[1.0, 0.0], [0.0, 2.0], [0.5, -1.0]]), jnp.array([0.1, -0.2])),)
    x = jnp.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    y = jnp.array([0, 0])
    logits = np.asarray(x @ params[0].w + params[0].b)
    expected_ce = np.mean([np.log(np.exp(row).sum()) - row[0] for row in logits])
    penalty = 0.5 * 0.1 * (1 + 4 + 0.25 + 1)
    loss, accuracy = models.loss_and_accuracy(model, params, x, y, 0.1)
    assert float(loss) == pytest.approx(expected_ce + penalty, rel=1e-6)
    assert float(accuracy) == 0.5  # row 0 predicts class 0, row 1 class 1


@pytest.mark.parametrize(("sizes", "activation", "l2"), [((6, 5, 4, 3), "tanh", 0.01), ((6, 3), "relu", 0.1)])
def test_plane_objective_equals_the_loss_at_the_combined_weights(sizes, activation, l2):
    model = Model(sizes, activation)
    rng = np.random.default_rng(0)
    center = rng.normal(size=model.num_params)
    directions = rng.normal(size=(2, model.num_params))
    x, y = rng.normal(size=(20, sizes[0])), rng.integers(0, sizes[-1], 20)
    with jax.enable_x64(True):
        at = models.plane_objective(model, jnp.asarray(center), jnp.asarray(directions), x, y, l2)
        for c in ([0.0, 0.0], [0.3, -1.7], [2.0, 0.5]):
            weights = center + c[0] * directions[0] + c[1] * directions[1]
            expected = models.loss_and_accuracy(model, models.unflatten(model, weights), x, y, l2)
            got = at(jnp.asarray(c))
            np.testing.assert_allclose([float(g) for g in got], [float(e) for e in expected], rtol=1e-12)
