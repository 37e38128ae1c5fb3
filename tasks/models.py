r"""Fully connected networks as pure JAX functions of a pytree of weight matrices.

The parameters of a network are a tuple of :class:`Dense` layers, each a weight matrix ``w`` of shape
``[fan_in, fan_out]`` and a bias ``b`` of shape ``[fan_out]``: a pytree whose 2-D leaves are the weight
matrices, so that a matrix-aware optimizer (Muon, which orthogonalises each 2-D update) sees matrices, and so
that a "filter" in the sense of Li et al. 2018 (the weights into one unit) is a column of ``w``. Logistic
regression is the network with no hidden layer.

The objective is the mean cross-entropy of the softmax plus ``λ/2·‖W‖²`` over the weight matrices (biases are
not decayed):

.. math::
    L(\theta) = \frac{1}{n} \sum_{i=1}^{n} -\log \operatorname{softmax}(f_\theta(x_i))_{y_i}
    + \frac{\lambda}{2} \sum_l \lVert W_l \rVert_F^2 .
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from common.registry import lazy_module

# JAX and optax load on first use: the registry (tasks.registry) reads a network's shape and size without them,
# so that validating a Scene that names a task does not import JAX.
jax = lazy_module("jax")
jnp = lazy_module("jax.numpy")
optax = lazy_module("optax")

ACTIVATIONS = ("relu", "tanh")


class Dense(NamedTuple):
    """One fully connected layer."""

    w: Any  # [fan_in, fan_out]; column j holds the weights into unit j (one filter)
    b: Any  # [fan_out]


Params = tuple[Dense, ...]


class Model(NamedTuple):
    """The shape of a network (hashable: it is part of a compiled program's key)."""

    sizes: tuple[int, ...]  # (inputs, hidden …, classes); two entries: logistic regression
    activation: str = "relu"  # of the hidden layers: relu or tanh

    @property
    def num_params(self) -> int:
        return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @property
    def shapes(self) -> tuple[tuple[tuple[int, int], tuple[int]], ...]:
        """``((w shape, b shape), …)`` per layer."""
        return tuple(((a, b), (b,)) for a, b in zip(self.sizes[:-1], self.sizes[1:], strict=True))


def check_model(model: Model) -> None:
    if len(model.sizes) < 2 or any(int(size) < 1 for size in model.sizes):
        raise ValueError(f"a network needs at least an input and an output size, all >= 1, got {model.sizes=}")
    if model.activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {model.activation=}")


def _activate(model: Model, z: jax.Array) -> jax.Array:
    return jax.nn.relu(z) if model.activation == "relu" else jnp.tanh(z)


def init(model: Model, seed: int) -> Params:
    """Initial weights of ``seed`` (numpy, float64): He normal, ``N(0, 2/fan_in)``, before a ReLU; Glorot normal,
    ``N(0, 2/(fan_in + fan_out))``, before a tanh and for the output layer; biases zero.

    Drawn by numpy's PCG64 from the first child of ``SeedSequence(seed)`` (the mini-batch order uses the second):
    the same seed gives the same weights on every backend, and no random-number program has to be compiled.

    References:
        He et al., Delving Deep into Rectifiers, ICCV 2015; Glorot & Bengio, Understanding the difficulty of
        training deep feedforward neural networks, AISTATS 2010.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    layers = []
    last = len(model.sizes) - 2
    for index, (w_shape, b_shape) in enumerate(model.shapes):
        fan_in, fan_out = w_shape
        he = index < last and model.activation == "relu"
        std = math.sqrt(2.0 / fan_in) if he else math.sqrt(2.0 / (fan_in + fan_out))
        layers.append(Dense(rng.normal(0.0, std, w_shape), np.zeros(b_shape)))
    return tuple(layers)


def logits(model: Model, params: Params, x: jax.Array) -> jax.Array:
    """The network's output ``[n, classes]`` for inputs ``x`` ``[n, inputs]``."""
    h = x
    for index, layer in enumerate(params):
        h = h @ layer.w + layer.b
        if index < len(params) - 1:
            h = _activate(model, h)
    return h


def weight_penalty(params: Params, l2: Any) -> jax.Array:
    """``λ/2·Σ‖W‖²`` over the weight matrices."""
    return 0.5 * l2 * sum(jnp.sum(layer.w * layer.w) for layer in params)


def loss_and_accuracy(model: Model, params: Params, x: jax.Array, y: jax.Array, l2: Any = 0.0):
    """The objective (mean cross-entropy + weight penalty) and the accuracy on ``(x, y)``."""
    out = logits(model, params, x)
    return _loss_from_logits(out, y) + weight_penalty(params, l2), _accuracy(out, y)


def per_example(model: Model, params: Params, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The cross-entropy ``[n]`` (no weight penalty) and whether the class is right (``[n]``, 0 or 1)."""
    out = logits(model, params, x)
    return optax.softmax_cross_entropy_with_integer_labels(out, y), (jnp.argmax(out, axis=-1) == y).astype(out.dtype)


def _loss_from_logits(out: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(out, y))


def _accuracy(out: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((jnp.argmax(out, axis=-1) == y).astype(out.dtype))


def flatten(params: Params) -> jax.Array:
    """The parameters as one vector ``[P]``: layer by layer, ``w`` (row-major) then ``b``."""
    return jnp.concatenate([leaf.reshape(-1) for layer in params for leaf in layer])


def unflatten(model: Model, vector: Any) -> Params:
    """The inverse of :func:`flatten`; ``vector`` may be numpy or JAX, with leading batch axes ``[..., P]``."""
    if vector.shape[-1] != model.num_params:
        raise ValueError(f"expected {model.num_params} parameters in the last axis, got shape {vector.shape}")
    lead = vector.shape[:-1]
    layers, start = [], 0
    for w_shape, b_shape in model.shapes:
        w_size, b_size = w_shape[0] * w_shape[1], b_shape[0]
        w = vector[..., start : start + w_size].reshape(*lead, *w_shape)
        b = vector[..., start + w_size : start + w_size + b_size].reshape(*lead, *b_shape)
        layers.append(Dense(w, b))
        start += w_size + b_size
    return tuple(layers)


def weight_mask(model: Model) -> np.ndarray:
    """``[P]`` bool: True where a flattened coordinate belongs to a weight matrix, False for a bias."""
    parts = []
    for w_shape, b_shape in model.shapes:
        parts += [np.ones(w_shape[0] * w_shape[1], bool), np.zeros(b_shape[0], bool)]
    return np.concatenate(parts)


def bias_mask(model: Model) -> Params:
    """A bool pytree shaped like the parameters, True on the biases (AdaMix treats them apart)."""
    return tuple(Dense(jnp.zeros(w, bool), jnp.ones(b, bool)) for w, b in model.shapes)


def plane_objective(
    model: Model,
    center: jax.Array,
    directions: jax.Array,
    x: jax.Array,
    y: jax.Array,
    l2: Any = 0.0,
):
    """``f(c) = (loss, accuracy)`` at the weights ``center + Σ_i c_i·directions[i]`` on ``(x, y)``.

    Equal to :func:`loss_and_accuracy` at those weights, but cheaper over many ``c``: the first layer is linear
    in its weights, so ``x·W(c) = x·W_0 + Σ_i c_i·x·D_i`` is computed once for the ``k + 1`` matrices and each
    point only combines them, which removes the largest product of a wide-input network (64 × 32 for the
    digits MLP) from the per-point work. The weight penalty is a quadratic form in ``(1, c)``.

    Args:
        center: ``[P]`` flattened weights.
        directions: ``[k, P]`` flattened directions.
        x, y: the inputs ``[n, inputs]`` and labels ``[n]``.

    Returns:
        A function of ``c`` ``[k]`` returning two scalars.
    """
    basis = jnp.concatenate([center[None], directions])  # [k + 1, P]
    layers = unflatten(model, basis)  # each leaf with a leading [k + 1] axis
    first = jnp.einsum("nd,kdh->knh", x, layers[0].w)  # [k + 1, n, H]: x·W_0 and every x·D_i
    weights = basis * jnp.asarray(weight_mask(model), basis.dtype)
    gram = weights @ weights.T  # [k + 1, k + 1]: ‖W(c)‖² = (1, c)ᵀ G (1, c)

    def at(c: jax.Array):
        full = jnp.concatenate([jnp.ones((1,), c.dtype), c])
        h = jnp.einsum("k,knh->nh", full, first) + full @ layers[0].b
        for layer in layers[1:]:
            h = _activate(model, h)
            h = h @ jnp.einsum("k,kab->ab", full, layer.w) + full @ layer.b
        penalty = 0.5 * l2 * (full @ gram @ full)
        return _loss_from_logits(h, y) + penalty, _accuracy(h, y)

    return at


def make_model(sizes: Sequence[int], activation: str) -> Model:
    """A validated :class:`Model`."""
    model = Model(tuple(int(size) for size in sizes), activation)
    check_model(model)
    return model
