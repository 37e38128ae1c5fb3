"""The batched trainer: against a plain per-run optax loop, shared mini-batches, compilation, divergence, accuracy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optimizers
import schedules
import tasks
from engine.scene import Scene, SceneError
from tasks import catalog, models, trainer
from tasks.trainer import DIVERGED, RUNNING, OptimizerChoice

SMALL = {"hidden": 8}  # digits MLP 64-8-10: quick to train, still a real network


def reference_run(task_id, task_params, choice: OptimizerChoice, table, seed, record_steps):
    """One run the plain way: a Python loop over steps, one optax update per step, the LR read by the
    optimizer's own step count from the same table."""
    problem = tasks.problem(task_id, task_params)
    model, ds = problem.model, problem.data
    params = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), models.init(model, seed))
    table = jnp.asarray(table, jnp.float32)
    tx = catalog.build_optimizer(choice.id, lambda count: table[count], dict(choice.hyper))
    state = tx.init(params)
    x, y = jnp.asarray(ds.x_train, jnp.float32), jnp.asarray(ds.y_train)
    indices = tasks.batch_indices(seed, len(ds.y_train), problem.batch_size, len(table))

    @jax.jit
    def step(params, state, batch):
        def objective(p):
            return models.loss_and_accuracy(model, p, x[batch], y[batch], problem.l2)

        (loss, _), grads = jax.value_and_grad(objective, has_aux=True)(params)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    losses, snapshots = [], {0: np.asarray(models.flatten(params))}
    for k in range(len(table)):
        params, state, loss = step(params, state, indices[k])
        losses.append(float(loss))
        if k + 1 in record_steps:
            snapshots[k + 1] = np.asarray(models.flatten(params))
    return np.array(losses), np.stack([snapshots[int(s)] for s in record_steps])


@pytest.fixture(scope="module")
def small_batch():
    steps = 60
    choices = (
        OptimizerChoice("sgd"),
        OptimizerChoice("momentum", {"momentum": 0.8}),
        OptimizerChoice("adam", {"b1": 0.85}),
        OptimizerChoice("momentum", {"momentum": 0.5}),  # same kind as the second: the same program
    )
    tables = np.stack([catalog.lr_table("cosine_lr", {}, 0.05, steps), catalog.lr_table("step_lr", {}, 0.02, steps)])
    result = tasks.train(
        "digits_mlp", SMALL, choices, tables, seeds=(3, 11), records=6, schedule_labels=("cos", "step")
    )
    return result, choices, tables


def test_runs_are_optimizers_by_schedules_by_seeds(small_batch):
    result, choices, tables = small_batch
    assert result.num_runs == len(choices) * 2 * 2
    run = result.runs[7]  # optimizer 1, schedule 1, seed 1
    assert (run.optimizer_index, run.schedule_index, run.seed_index, run.seed) == (1, 1, 1, 11)
    assert run.optimizer == "momentum[momentum=0.8]" and run.schedule == "step"
    np.testing.assert_array_equal(result.lr[7], tables[1])
    np.testing.assert_array_equal(result.record_steps, [0, 10, 20, 30, 40, 50, 60])
    assert result.weights.shape == (16, 7, result.model.num_params)
    assert result.batch_loss.shape == result.lr.shape == (16, 60)
    assert np.all(result.status == RUNNING) and np.all(result.status_step == -1)
    np.testing.assert_array_equal(result.grad_evals, np.broadcast_to(result.record_steps, (16, 7)))


@pytest.mark.parametrize("run_index", [0, 5, 7, 10, 13])
def test_trainer_agrees_with_a_plain_optax_loop(small_batch, run_index):
    result, choices, tables = small_batch
    run = result.runs[run_index]
    losses, snapshots = reference_run(
        "digits_mlp", SMALL, choices[run.optimizer_index], tables[run.schedule_index], run.seed, result.record_steps
    )
    np.testing.assert_allclose(result.batch_loss[run_index], losses, rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(result.weights[run_index], snapshots, rtol=2e-4, atol=2e-5)


def test_recorded_metrics_are_those_of_the_recorded_weights(small_batch):
    result, _, _ = small_batch
    problem = result.problem
    for run in (0, 9):
        for split in ("train", "test"):
            loss, accuracy = tasks.loss_at(problem, result.weights[run], split=split)
            np.testing.assert_allclose(getattr(result, f"{split}_loss")[run], loss, rtol=1e-5)
            np.testing.assert_allclose(getattr(result, f"{split}_accuracy")[run], accuracy, atol=1e-6)
    initial = np.float32(models.flatten(models.init(result.model, 11)))
    np.testing.assert_array_equal(result.initial_weights(1), initial)  # seed 11, untouched at step 0


def test_a_seed_draws_the_same_batches_for_every_optimizer_and_schedule():
    # With LR 0 nothing moves, so the loss of step k is the initial weights' loss on batch k: it must be the
    # same for every optimizer and schedule of a seed, equal to that seed's batch table, and differ between seeds.
    steps = 40
    tables = np.zeros((2, steps))
    choices = [OptimizerChoice("sgd"), OptimizerChoice("adam"), OptimizerChoice("rmsprop")]
    result = tasks.train("digits_mlp", SMALL, choices, tables, seeds=(0, 5), records=4)
    problem = result.problem
    by_seed = {0: [], 5: []}
    for run in result.runs:
        by_seed[run.seed].append(result.batch_loss[run.index])
    for seed, losses in by_seed.items():
        assert len(losses) == 6
        for other in losses[1:]:
            np.testing.assert_array_equal(other, losses[0])
        indices = tasks.batch_indices(seed, len(problem.data.y_train), problem.batch_size, steps)
        weights = np.float32(models.flatten(models.init(problem.model, seed)))
        x, y = problem.data.x_train.astype(np.float32), problem.data.y_train
        expected = [
            float(models.loss_and_accuracy(problem.model, models.unflatten(problem.model, weights), x[i], y[i])[0])
            for i in indices
        ]
        np.testing.assert_allclose(losses[0], expected, rtol=1e-5)
    assert not np.allclose(by_seed[0][0], by_seed[5][0])


def test_batch_indices_are_epochs_of_permutations_and_prefix_stable():
    table = tasks.batch_indices(4, 10, 3, 9)  # 3 batches per epoch, one example of each epoch left out
    for epoch in table.reshape(3, 9):
        assert len(set(epoch.tolist())) == 9 and set(epoch.tolist()) <= set(range(10))
    np.testing.assert_array_equal(tasks.batch_indices(4, 10, 3, 4), table[:4])
    assert not np.array_equal(tasks.batch_indices(5, 10, 3, 9), table)
    with pytest.raises(ValueError, match="batch_size <= num_examples"):
        tasks.batch_indices(0, 10, 11, 1)


def test_moving_numbers_does_not_recompile():
    def run(lr, momentum, seeds, steps, l2, clip):
        tables = np.stack([catalog.lr_table(s, {}, lr, steps) for s in ("cosine_lr", "constant_lr")])
        choices = [OptimizerChoice("momentum", {"momentum": momentum}), OptimizerChoice("momentum", {"momentum": 0.3})]
        return tasks.train("digits_mlp", {"hidden": 8, "l2": l2}, choices, tables, seeds, records=10, clip=clip)

    first = run(0.05, 0.9, (0, 1), 100, 0.0, 1.0)
    before = trainer.trace_count()
    second = run(0.01, 0.5, (7, 8), 110, 1e-3, 5.0)  # 100 and 110 steps share a bucket (112); 10 records each
    assert trainer.trace_count() == before
    assert second.steps == 110 and second.record_steps[-1] == 110
    assert not np.allclose(first.train_loss[:, -1], second.train_loss[:, -1])


def test_divergence_freezes_and_marks_the_run_without_nans():
    steps = 50
    tables = np.stack([np.full(steps, 1e-3), np.full(steps, 1e4)])
    result = tasks.train("digits_mlp", SMALL, ["sgd"], tables, seeds=(0,), records=50)
    assert result.status.tolist() == [RUNNING, DIVERGED]
    assert result.status_name(1) == "diverged"
    at = int(result.status_step[1])
    assert 1 <= at <= steps
    for name in ("batch_loss", "train_loss", "test_loss", "train_accuracy", "weights"):
        assert np.all(np.isfinite(getattr(result, name))), name
    frozen = result.weights[1, at - 1 :]  # records are every step here: weights after step at − 1 on
    np.testing.assert_array_equal(frozen, np.broadcast_to(frozen[0], frozen.shape))
    assert result.grad_evals[1, -1] == at - 1 and result.grad_evals[0, -1] == steps


def test_digits_mlp_with_momentum_and_cosine_reaches_95_percent():
    task = tasks.TASKS["digits_mlp"]
    table = catalog.lr_table("cosine_lr", {}, task.lr, task.steps)
    result = tasks.train("digits_mlp", None, [("momentum", {"momentum": 0.9})], table, seeds=(0, 1, 2), records=10)
    assert np.all(result.status == RUNNING)
    assert np.all(result.test_accuracy[:, -1] >= 0.95), result.test_accuracy[:, -1]


def check_optimizers_train_a_task(choices):
    table = catalog.lr_table("constant_lr", {}, 0.01, 25)
    result = tasks.train("moons_mlp", {"hidden": 4, "depth": 1}, choices, table, seeds=(0,), records=1)
    assert np.all(result.status == RUNNING), [run.optimizer for run in result.runs if result.status[run.index]]
    assert np.all(np.isfinite(result.weights))
    moved = np.abs(result.weights[:, -1] - result.weights[:, 0]).max(axis=1)
    assert np.all(moved > 0), [run.optimizer for run, m in zip(result.runs, moved, strict=True) if m == 0]


def test_wrapping_and_bias_aware_optimizers_train_a_task():
    # Lookahead wraps another optimizer's state; AdaMix reads the bias mask of the network's pytree.
    check_optimizers_train_a_task([OptimizerChoice("lookahead", {"k": 3}, "momentum"), OptimizerChoice("adamix")])


@pytest.mark.slow  # one program per optimizer kind: a dozen compilations
def test_every_catalog_optimizer_trains_a_task():
    # Those that need the objective itself (a line search, SAM's second gradient, the loss value) are refused
    # on a task: test_an_optimizer_that_needs_the_objective_is_refused_on_a_task.
    check_optimizers_train_a_task(
        [
            OptimizerChoice(key, inner_id="sgd" if entry.wraps else None)
            for key, entry in optimizers.OPTIMIZERS.items()
            if not entry.extra_args
        ]
    )


CONSTANT = {"id": "constant_lr"}


@pytest.mark.parametrize("optimizer_id", [key for key, entry in optimizers.OPTIMIZERS.items() if entry.extra_args])
def test_an_optimizer_that_needs_the_objective_is_refused_on_a_task(optimizer_id):
    needs = ", ".join(optimizers.OPTIMIZERS[optimizer_id].extra_args)
    with pytest.raises(ValueError, match=f"{optimizer_id} needs {needs} of the objective itself"):
        tasks.train("moons_mlp", {"hidden": 4, "depth": 1}, [optimizer_id], np.full((1, 5), 0.1), seeds=(0,))
    with pytest.raises(SceneError, match=rf"optimizers\.0: {optimizer_id} needs {needs}.*choose another optimizer"):
        Scene.build(
            {"task": {"id": "moons_mlp"}, "optimizers": [{"id": optimizer_id}], "schedules": [{"id": "constant_lr"}]}
        )
    inside = {"id": "lookahead", "inner": {"id": optimizer_id}}
    if not optimizers.OPTIMIZERS[optimizer_id].wraps and optimizers.OPTIMIZERS["lookahead"].passes_extra_args:
        with pytest.raises(SceneError, match=f"{optimizer_id} needs {needs}"):
            Scene.build({"task": {"id": "moons_mlp"}, "optimizers": [inside], "schedules": [{"id": "constant_lr"}]})


def test_every_table_schedule_trains_a_task_and_a_plateau_one_is_refused():
    ids = [key for key, entry in schedules.SCHEDULES.items() if not entry.needs_loss]
    tables = np.stack([catalog.lr_table(key, {}, 0.05, 30) for key in ids])
    result = tasks.train("moons_mlp", {"hidden": 4, "depth": 1}, ["momentum"], tables, seeds=(0,), records=1)
    assert np.all(result.status == RUNNING)
    assert [run.schedule for run in result.runs] == [f"schedule {i}" for i in range(len(ids))]
    plateau = next(key for key, entry in schedules.SCHEDULES.items() if entry.needs_loss)
    with pytest.raises(ValueError, match=f"{plateau} follows the run's loss"):
        catalog.lr_table(plateau, {}, 0.05, 30)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizers": ["newton"]}, "unknown optimizer 'newton'"),
        ({"optimizers": [("sgd", {"momentum": 0.9})]}, "sgd: unknown parameter"),
        ({"optimizers": ["lookahead"]}, "lookahead wraps another optimizer"),
        ({"optimizers": [("sgd", {}, "adam", None)]}, "sgd wraps nothing"),
        ({"lr_tables": np.full((1, 5), np.nan)}, "finite learning rates"),
        ({"lr_tables": np.zeros((0, 5))}, r"lr_tables must be \[schedules, steps\]"),
        ({"seeds": (1, 1)}, "seeds must be distinct"),
        ({"records": 0}, "records must be in"),
        ({"clip": -1.0}, "clip must be a positive number"),
        ({"schedule_labels": ("a", "b")}, "one schedule label per table"),
    ],
)
def test_bad_arguments_say_what_to_change(kwargs, message):
    arguments = {"optimizers": ["sgd"], "lr_tables": np.full((1, 5), 0.1), "seeds": (0,)} | kwargs
    with pytest.raises(ValueError, match=message):
        tasks.train("digits_mlp", SMALL, **arguments)


def test_weights_beyond_the_budget_are_refused_up_front():
    tables = np.full((64, 10), 0.1)
    with pytest.raises(ValueError, match=r"recording the weights would take \d+ MB"):
        tasks.train("digits_mlp", {"hidden": 256, "depth": 4}, ["sgd"], tables, seeds=range(8), records=500)
