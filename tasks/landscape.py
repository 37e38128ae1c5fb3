"""A network's loss landscape as data: PCA directions of weight paths, filter-normalised random directions, 2-D
slices of the training loss along two directions, and 1-D interpolations between two weight vectors.

Every function returns a NamedTuple of numpy arrays and draws nothing; weights are flattened vectors ``[P]``
(:func:`tasks.models.flatten`), as :class:`~tasks.trainer.TrainResult` records them.

References:
    Li, Xu, Taylor, Studer & Goldstein, Visualizing the Loss Landscape of Neural Nets, NeurIPS 2018
    <https://arxiv.org/abs/1712.09913> (Section 4: filter normalisation; Section 7: PCA directions of the
    optimisation path). Goodfellow, Vinyals & Saxe, Qualitatively characterizing neural network optimization
    problems, ICLR 2015 <https://arxiv.org/abs/1412.6544> (the loss along the line from the initial to the final
    weights).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import numpy as np
from numpy.typing import ArrayLike

from tasks import models
from tasks.models import Model
from tasks.registry import Problem

SPLITS = ("train", "test")
GRID_CHUNK = 64  # grid points evaluated at once: bounds the memory of the activations (64 × N × H floats)


class PCADirections(NamedTuple):
    """The first two principal directions of weight paths, and every path projected on them."""

    origin: np.ndarray  # [P] the reference run's final weights: (0, 0) of the plane
    directions: np.ndarray  # [2, P] orthonormal
    explained_variance_ratio: np.ndarray  # [2] share of the fitted paths' variance along each direction
    coords: np.ndarray  # [B, R, 2] every run's recorded weights, (w − origin)·directions
    fitted_runs: tuple[int, ...]  # the runs whose paths the directions were fitted to
    reference_run: int


def pca_directions(
    weights: ArrayLike, runs: Sequence[int] | None = None, reference: int | None = None
) -> PCADirections:
    r"""The PCA plane of the weight paths of ``runs``, centred on the final weights of ``reference``.

    Following Li et al. 2018, Section 7: the matrix whose rows are ``w_{r,i} − w_ref`` for every recorded
    weight vector ``i`` of every fitted run ``r`` is analysed by PCA (scikit-learn's, mean-centred, randomized
    SVD with a fixed seed); its first two components are the directions, and their explained variance ratios
    say how much of the paths' movement the plane shows. Every run's path (fitted or not) is projected as
    ``c = (w − w_ref)·d``, so the reference run ends at (0, 0). Each direction's sign is chosen so that the
    reference run's first recorded point (its initial weights) has a coordinate ≥ 0.

    Args:
        weights: ``[B, R, P]`` recorded weights (:attr:`TrainResult.weights`).
        runs: the runs to fit the directions to (default: all).
        reference: the run whose final weights are the origin (default: the first of ``runs``).
    """
    from sklearn.decomposition import PCA  # imported here: a second's import for a page that never asks

    weights = np.asarray(weights, np.float64)
    if weights.ndim != 3 or weights.shape[1] == 0:
        raise ValueError(f"weights must be [runs, records, parameters] with records, got shape {weights.shape}")
    fitted = tuple(range(weights.shape[0])) if runs is None else tuple(int(r) for r in runs)
    if not fitted or any(not 0 <= r < weights.shape[0] for r in fitted):
        raise ValueError(f"runs must be run indices in [0, {weights.shape[0]}), got {list(fitted)}")
    reference = fitted[0] if reference is None else int(reference)
    if not 0 <= reference < weights.shape[0]:
        raise ValueError(f"reference must be a run index in [0, {weights.shape[0]}), got {reference}")
    origin = weights[reference, -1]
    rows = (weights[list(fitted)] - origin).reshape(-1, weights.shape[-1])
    if min(rows.shape) < 3:
        raise ValueError(f"need at least 3 recorded weight vectors to fit two directions, got {rows.shape[0]}")
    pca = PCA(n_components=2, svd_solver="randomized", random_state=0).fit(rows)
    directions = pca.components_.copy()
    coords = (weights - origin) @ directions.T
    flip = np.where(coords[reference, 0] < 0, -1.0, 1.0)
    directions *= flip[:, None]
    coords *= flip
    return PCADirections(origin, directions, pca.explained_variance_ratio_.copy(), coords, fitted, reference)


def filter_normalized_directions(model: Model, weights: ArrayLike, seed: int = 0, count: int = 2) -> np.ndarray:
    r"""``count`` random directions ``[count, P]`` scaled filter by filter to the weights (Li et al. 2018, §4).

    A direction ``d`` is drawn from a standard Gaussian of the weights' shape; each of its filters — the
    column ``j`` of a layer's weight matrix, the weights into unit ``j`` (a row of the ``[out, in]`` matrix
    of PyTorch, as in the paper's code) — is rescaled to the norm of the same filter of the weights,

    .. math:: d_{l,j} \leftarrow \frac{d_{l,j}}{\lVert d_{l,j} \rVert} \lVert \theta_{l,j} \rVert ,

    and the biases' entries are set to zero (the paper's choice, "biasbn" off). The scale then matches the
    network's own, so slices of different networks (or of the same one after training) compare.
    """
    weights = np.asarray(weights, np.float64)
    rng = np.random.default_rng(seed)
    layers = models.unflatten(model, weights)
    directions = []
    for _ in range(count):
        scaled = []
        for layer in layers:
            d = rng.standard_normal(layer.w.shape)
            norms = np.linalg.norm(d, axis=0)
            d *= np.linalg.norm(layer.w, axis=0) / np.where(norms > 0, norms, 1.0)
            scaled.append(models.Dense(d, np.zeros(layer.b.shape)))
        directions.append(np.concatenate([leaf.reshape(-1) for layer in scaled for leaf in layer]))
    return np.stack(directions)


class LandscapeSlice(NamedTuple):
    """The loss and accuracy on a grid of the plane ``center + x·d₀ + y·d₁``."""

    x: np.ndarray  # [nx] coefficients along directions[0]
    y: np.ndarray  # [ny] coefficients along directions[1]
    loss: np.ndarray  # [ny, nx]: loss[i, j] at (x[j], y[i]), as Plotly's z
    accuracy: np.ndarray  # [ny, nx]
    center: np.ndarray  # [P]
    directions: np.ndarray  # [2, P]
    split: str  # the examples: train or test
    overflow: int  # grid points whose loss was not finite (shown as the slice's largest finite loss)


class Interpolation(NamedTuple):
    """The loss and accuracy along the line ``start + α·(end − start)`` (α = 0: start, α = 1: end)."""

    alpha: np.ndarray  # [A]
    train_loss: np.ndarray  # [A]
    train_accuracy: np.ndarray  # [A]
    test_loss: np.ndarray  # [A]
    test_accuracy: np.ndarray  # [A]


def grid(low: float, high: float, resolution: int = 41) -> np.ndarray:
    """``resolution`` evenly spaced coefficients from ``low`` to ``high``; 0 exactly when it lies on the grid."""
    if not resolution >= 2 or not high > low:
        raise ValueError(f"need resolution >= 2 and high > low, got {resolution=}, {low=}, {high=}")
    values = np.linspace(low, high, resolution)
    step = (high - low) / (resolution - 1)
    values[np.isclose(values, 0.0, rtol=0.0, atol=1e-9 * step)] = 0.0
    return values


def path_window(coords: ArrayLike, margin: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window ``((xmin, xmax), (ymin, ymax))`` around projected paths ``[..., 2]`` and the origin, widened
    by ``margin`` of its size on every side (Li et al.'s PCA plots frame the paths this way)."""
    points = np.concatenate([np.asarray(coords, np.float64).reshape(-1, 2), np.zeros((1, 2))])
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-12)
    low, high = low - margin * span, high + margin * span
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def _split(problem: Problem, split: str) -> tuple[np.ndarray, np.ndarray]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    data = problem.data
    return (data.x_train, data.y_train) if split == "train" else (data.x_test, data.y_test)


@functools.partial(jax.jit, static_argnames=("model",))
def _plane(model: Model, center, directions, coeffs, x, y, l2):
    """Loss and accuracy at ``center + coeffs[g]·directions`` for every row ``g`` of ``coeffs``."""
    at = models.plane_objective(model, center, directions, x, y, l2)
    return jax.lax.map(lambda c: at(c), coeffs, batch_size=GRID_CHUNK)


def plane_values(
    problem: Problem,
    center: ArrayLike,
    directions: ArrayLike,
    coeffs: ArrayLike,
    *,
    split: str = "train",
    dtype: str = "float32",
) -> tuple[np.ndarray, np.ndarray]:
    """Loss and accuracy ``[G]`` on a split at ``center + Σ_i coeffs[g, i]·directions[i]`` for ``G`` points."""
    float_type = np.float64 if dtype == "float64" else np.float32
    x, y = _split(problem, split)
    center = np.asarray(center, float_type)
    directions = np.atleast_2d(np.asarray(directions, float_type))
    coeffs = np.asarray(coeffs, float_type).reshape(-1, directions.shape[0])
    if center.shape != (problem.model.num_params,) or directions.shape[1] != center.shape[0]:
        raise ValueError(
            f"center must be [{problem.model.num_params}] and directions [k, {problem.model.num_params}], "
            f"got {center.shape} and {directions.shape}"
        )
    with jax.enable_x64(dtype == "float64"):
        loss, accuracy = _plane(
            problem.model, center, directions, coeffs, x.astype(float_type), y, np.asarray(problem.l2, float_type)
        )
    return np.asarray(loss), np.asarray(accuracy)


def loss_slice(
    problem: Problem,
    center: ArrayLike,
    directions: ArrayLike,
    x: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    split: str = "train",
    dtype: str = "float32",
) -> LandscapeSlice:
    """The loss and accuracy of ``problem`` on the grid ``x × y`` of the plane through ``center``.

    Args:
        center: ``[P]`` the weights at (0, 0), e.g. a run's final weights.
        directions: ``[2, P]``, from :func:`pca_directions` or :func:`filter_normalized_directions`.
        x, y: the coefficients along each direction (default: 41 from −1 to 1, Li et al.'s range for
            filter-normalised directions; for PCA directions, a :func:`grid` over :func:`path_window`).
        split: evaluate on the whole training set (default) or the test set.
    """
    directions = np.asarray(directions)
    if directions.ndim != 2 or directions.shape[0] != 2:
        raise ValueError(f"a slice needs two directions [2, P], got shape {directions.shape}")
    x = grid(-1.0, 1.0) if x is None else np.asarray(x, np.float64)
    y = grid(-1.0, 1.0) if y is None else np.asarray(y, np.float64)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    coeffs = np.stack([xx.ravel(), yy.ravel()], axis=1)
    loss, accuracy = plane_values(problem, center, directions, coeffs, split=split, dtype=dtype)
    finite = np.isfinite(loss)
    overflow = int(loss.size - finite.sum())
    if overflow:
        loss = np.where(finite, loss, loss[finite].max() if finite.any() else 0.0)
    shape = (len(y), len(x))
    return LandscapeSlice(
        x, y, loss.reshape(shape), accuracy.reshape(shape), np.asarray(center), directions, split, overflow
    )


def interpolation_alphas(low: float = -0.5, high: float = 1.5, resolution: int = 81) -> np.ndarray:
    """α from ``low`` to ``high``, with 0 and 1 included exactly (Goodfellow et al. plot about this range)."""
    return np.union1d(np.linspace(low, high, resolution), [0.0, 1.0])


def interpolate(
    problem: Problem, start: ArrayLike, end: ArrayLike, alpha: ArrayLike | None = None, *, dtype: str = "float32"
) -> Interpolation:
    """Train and test loss and accuracy along ``θ(α) = start + α·(end − start)`` (Goodfellow et al. 2015).

    From a run's initial to its final weights, the curve shows whether training crossed a barrier; between two
    runs' final weights, whether their minima are connected by a straight valley.
    """
    alpha = interpolation_alphas() if alpha is None else np.asarray(alpha, np.float64).reshape(-1)
    start = np.asarray(start, np.float64)
    direction = (np.asarray(end, np.float64) - start)[None]
    values: dict[str, Any] = {}
    for split in SPLITS:
        loss, accuracy = plane_values(problem, start, direction, alpha[:, None], split=split, dtype=dtype)
        values[f"{split}_loss"], values[f"{split}_accuracy"] = loss, accuracy
    return Interpolation(alpha=alpha, **values)


@functools.partial(jax.jit, static_argnames=("model",))
def _at_weights(model: Model, weights, x, y, l2):
    def one(vector):
        return models.loss_and_accuracy(model, models.unflatten(model, vector), x, y, l2)

    return jax.lax.map(one, weights, batch_size=GRID_CHUNK)


def loss_at(
    problem: Problem, weights: ArrayLike, *, split: str = "train", dtype: str = "float32"
) -> tuple[np.ndarray, np.ndarray]:
    """Loss and accuracy ``[n]`` on a split of ``n`` flattened weight vectors ``[n, P]`` (or one, ``[P]``)."""
    float_type = np.float64 if dtype == "float64" else np.float32
    x, y = _split(problem, split)
    weights = np.atleast_2d(np.asarray(weights, float_type))
    if weights.ndim != 2 or weights.shape[1] != problem.model.num_params:
        raise ValueError(f"weights must be [n, {problem.model.num_params}], got shape {weights.shape}")
    with jax.enable_x64(dtype == "float64"):
        l2 = np.asarray(problem.l2, float_type)
        loss, accuracy = _at_weights(problem.model, weights, x.astype(float_type), y, l2)
    return np.asarray(loss), np.asarray(accuracy)


class Sharpness(NamedTuple):
    """How fast the loss rises around a point, along filter-normalised random directions."""

    radius: float  # in filter-normalised units (1: each filter moved by its own norm)
    center_loss: float
    mean_rise: float  # the mean over directions and both signs of loss(w ± r·d) − loss(w)
    rises: np.ndarray  # [2 × count]: +r along each direction, then −r


def sharpness(
    problem: Problem,
    weights: ArrayLike,
    radius: float = 1.0,
    *,
    count: int = 8,
    seed: int = 0,
    split: str = "train",
    dtype: str = "float32",
) -> Sharpness:
    r"""The mean rise of the loss at distance ``radius`` along ``count`` filter-normalised random directions.

    .. math:: S_r = \frac{1}{2n} \sum_{i=1}^{n} \sum_{\pm} L(\theta \pm r\, d_i) - L(\theta)

    Filter normalisation (Li et al. 2018, §4) makes the number comparable between minima of different weight
    scales, which a plain norm is not (a ReLU network's loss is unchanged when a layer is scaled up and the next
    down); it is the quantity their 1-D and 2-D plots of sharp and flat minima show, one number instead of a plot.
    """
    if not radius > 0 or count < 1:
        raise ValueError(f"need radius > 0 and count >= 1, got {radius=}, {count=}")
    weights = np.asarray(weights, np.float64)
    directions = filter_normalized_directions(problem.model, weights, seed=seed, count=count)
    steps = radius * np.concatenate([np.eye(count), -np.eye(count)])
    loss, _ = plane_values(problem, weights, directions, steps, split=split, dtype=dtype)
    center, _ = loss_at(problem, weights, split=split, dtype=dtype)
    rises = np.asarray(loss, np.float64) - float(center[0])
    return Sharpness(float(radius), float(center[0]), float(np.mean(rises)), rises)
