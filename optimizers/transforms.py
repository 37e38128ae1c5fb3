"""Gradient transformations that optax lacks, or has with other conventions, written in optax's style.

Every hyperparameter may be a traced scalar: the engine ``jax.vmap``s one trajectory per
set of hyperparameters, so nothing here branches in Python on a hyperparameter's value.
Flags (``bias_correction``, ``first_step_sync``) are read with ``jnp.where`` for the same
reason and may be given as Python bools or as traced 0/1 scalars.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

__all__ = [
    "AdaDecState",
    "AdaMixState",
    "DampenAfterFirstState",
    "LookaheadState",
    "ScaleByAdamPowersState",
    "ScaleByYogiRefState",
    "dampen_after_first",
    "lookahead",
    "scale_by_adadec",
    "scale_by_adam_powers",
    "scale_by_adamix",
    "scale_by_yogi_ref",
]


def _as_flag(value: jax.typing.ArrayLike) -> jax.Array:
    """A Python bool, a bool array or a 0/1 number, as a boolean scalar that may be traced."""
    return jnp.asarray(value) != 0


def _power_decay(count: jax.Array, power: jax.typing.ArrayLike, decay_steps: jax.typing.ArrayLike) -> jax.Array:
    """The power schedule's factor ``(1 + t/R)^(−q)`` at the 0-based step ``t = count``."""
    t = jnp.asarray(count, dtype=jnp.result_type(float))
    return (1.0 + t / decay_steps) ** (-jnp.asarray(power))


class DampenAfterFirstState(NamedTuple):
    """State of :func:`dampen_after_first`."""

    count: jax.Array  # shape=(), int32: updates seen so far


def dampen_after_first(dampening: jax.typing.ArrayLike) -> optax.GradientTransformation:
    r"""Scales every update but the first by ``1 − dampening`` (torch's momentum dampening).

    Chained before :func:`optax.trace` it gives ``torch.optim.SGD``'s dampened momentum
    buffer, which starts at the first gradient undamped:

    .. math::
        v_1 = g_1, \qquad v_t = \mu v_{t-1} + (1 - d)\, g_t \quad (t \ge 2).

    Args:
        dampening: ``d``, in ``[0, 1]``; 0 leaves the updates untouched.

    Returns:
        An :class:`optax.GradientTransformation`.

    References:
        PyTorch, `torch.optim.SGD <https://pytorch.org/docs/stable/generated/torch.optim.SGD.html>`_
    """

    def init_fn(params):
        del params
        return DampenAfterFirstState(count=jnp.zeros([], jnp.int32))

    def update_fn(updates, state, params=None):
        del params
        scale = jnp.where(state.count == 0, 1.0, 1.0 - jnp.asarray(dampening))
        updates = jax.tree.map(lambda g: (scale * g).astype(g.dtype), updates)
        return updates, DampenAfterFirstState(count=optax.safe_increment(state.count))

    return optax.GradientTransformation(init_fn, update_fn)


def _powers(decay: jax.typing.ArrayLike, like: jax.Array) -> jax.Array:
    """``β^0 = 1``, the start of a running power ``β^t``, in the moments' dtype."""
    return jnp.ones_like(jnp.asarray(decay), dtype=like.dtype)


class ScaleByAdamPowersState(NamedTuple):
    """State of :func:`scale_by_adam_powers`."""

    count: jax.Array  # shape=(), int32: updates seen so far
    mu: optax.Updates  # shape=params: first moment m
    nu: optax.Updates  # shape=params: second moment v
    b1_power: jax.Array  # shape=(), β₁^t after t updates
    b2_power: jax.Array  # shape=(), β₂^t after t updates


def scale_by_adam_powers(
    b1: jax.typing.ArrayLike = 0.9, b2: jax.typing.ArrayLike = 0.999, eps: jax.typing.ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""Adam's rescaling, :func:`optax.scale_by_adam` (``eps_root = 0``), with ``β^t`` kept as a running product.

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \quad
        u_t = \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}.

    optax computes ``β^t`` as a power of the step count at every step. When ``β`` differs between
    the trajectories of a batch (a map over ``β₁``), that is an ``exp``/``log`` per trajectory per
    step, which made such a batch 2.5× slower on a CPU than one sharing ``β``; here each step
    multiplies ``β^{t-1}`` by ``β``. The product agrees with the power to a few ulp per step
    (float64: 1e-12 over 5,000 steps, checked against optax in the tests).

    Args:
        b1: ``β_1``, decay of the first moment.
        b2: ``β_2``, decay of the second moment.
        eps: ``ε``, added to ``\sqrt{\hat v}`` (outside the root, like torch).

    Returns:
        An :class:`optax.GradientTransformation`.

    References:
        Kingma & Ba, `Adam: A Method for Stochastic Optimization <https://arxiv.org/abs/1412.6980>`_, 2015
    """

    def init_fn(params):
        mu = optax.tree.zeros_like(params)
        like = jax.tree.leaves(mu)[0]
        return ScaleByAdamPowersState(
            count=jnp.zeros([], jnp.int32),
            mu=mu,
            nu=optax.tree.zeros_like(params),
            b1_power=_powers(b1, like),
            b2_power=_powers(b2, like),
        )

    def update_fn(updates, state, params=None):
        del params
        # optax's order of operations (optax.tree.update_moment), so float32 rounds the same way
        mu = jax.tree.map(lambda g, m: ((1 - b1) * g + b1 * m).astype(m.dtype), updates, state.mu)
        nu = jax.tree.map(lambda g, v: ((1 - b2) * (g**2) + b2 * v).astype(v.dtype), updates, state.nu)
        b1_power = (state.b1_power * b1).astype(state.b1_power.dtype)
        b2_power = (state.b2_power * b2).astype(state.b2_power.dtype)
        correction1, correction2 = 1 - b1_power, 1 - b2_power
        updates = jax.tree.map(
            lambda g, m, v: ((m / correction1) / (jnp.sqrt(v / correction2) + eps)).astype(g.dtype), updates, mu, nu
        )
        count = optax.safe_increment(state.count)
        return updates, ScaleByAdamPowersState(count=count, mu=mu, nu=nu, b1_power=b1_power, b2_power=b2_power)

    return optax.GradientTransformation(init_fn, update_fn)


class ScaleByYogiRefState(NamedTuple):
    """State of :func:`scale_by_yogi_ref`."""

    count: jax.Array  # shape=(), int32: updates seen so far
    mu: optax.Updates  # shape=params: first moment m
    nu: optax.Updates  # shape=params: second moment v
    b1_power: jax.Array  # shape=(), β₁^t after t updates (a running product, as in scale_by_adam_powers)
    b2_power: jax.Array  # shape=(), β₂^t after t updates


def scale_by_yogi_ref(
    b1: jax.typing.ArrayLike = 0.9,
    b2: jax.typing.ArrayLike = 0.999,
    eps: jax.typing.ArrayLike = 1e-3,
    *,
    initial_m: jax.typing.ArrayLike = 1e-6,
    initial_v: jax.typing.ArrayLike = 1e-6,
    bias_correction: jax.typing.ArrayLike = True,
) -> optax.GradientTransformation:
    r"""Rescales updates by Yogi, as torch-optimizer's ``Yogi`` does (the reference pipeline's).

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = v_{t-1} - (1 - \beta_2)\,\operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2,

        \hat m_t = m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t), \qquad
        u_t = \hat m_t / (\sqrt{\hat v_t} + \epsilon),

    with ``m_0 = initial_m``, ``v_0 = initial_v``, ``t`` counted from 1, ``g_t`` the incoming
    update and ``u_t`` the outgoing one (to be scaled by ``−η``). Without bias correction
    ``\hat m = m`` and ``\hat v = v``.

    torch-optimizer starts *both* moments at ``initial_accumulator = 1e-6`` and still divides
    by ``1 − β^t``. A nonzero ``m_0`` matters where a coordinate's gradient is exactly 0 (a
    start level with the saddle of ``x² − y²``): then ``m`` stays ``β_1^t m_0 ≠ 0`` and Yogi
    moves off the ridge line, which it never does from ``m_0 = 0``. optax's
    :func:`optax.scale_by_yogi` (0.2.8) is this transformation with ``m_0 = v_0`` and bias
    correction on; it cannot start the two moments at different values.

    Args:
        b1: ``β_1``, decay of the first moment.
        b2: ``β_2``, rate of the sign-controlled second-moment update.
        eps: ``ε``, added to ``\sqrt{\hat v}`` (outside the root, like torch).
        initial_m: ``m_0``, the first moment's starting value.
        initial_v: ``v_0``, the second moment's starting value.
        bias_correction: divide by ``1 − β^t`` (True in torch-optimizer).

    Returns:
        An :class:`optax.GradientTransformation`.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = scale_by_yogi_ref(initial_m=0.0, initial_v=0.0)
        >>> updates, state = tx.update(jnp.array([2.0]), tx.init(jnp.array([1.0])))
        >>> bool(jnp.allclose(updates, 2.0 / (2.0 + 1e-3)))  # m̂ = g, v̂ = g² at t = 1
        True

    References:
        Zaheer et al., `Adaptive Methods for Nonconvex Optimization
        <https://papers.nips.cc/paper/8186-adaptive-methods-for-nonconvex-optimization>`_, 2018;
        torch-optimizer, `Yogi <https://github.com/jettify/pytorch-optimizer>`_
    """

    def init_fn(params):
        mu = optax.tree.full_like(params, initial_m)
        like = jax.tree.leaves(mu)[0]
        return ScaleByYogiRefState(
            count=jnp.zeros([], jnp.int32),
            mu=mu,
            nu=optax.tree.full_like(params, initial_v),
            b1_power=_powers(b1, like),
            b2_power=_powers(b2, like),
        )

    def update_fn(updates, state, params=None):
        del params
        mu = jax.tree.map(lambda g, m: (b1 * m + (1 - b1) * g).astype(m.dtype), updates, state.mu)
        nu = jax.tree.map(
            lambda g, v: (v - (1 - b2) * jnp.sign(v - g * g) * (g * g)).astype(v.dtype), updates, state.nu
        )
        count = optax.safe_increment(state.count)
        b1_power = (state.b1_power * b1).astype(state.b1_power.dtype)
        b2_power = (state.b2_power * b2).astype(state.b2_power.dtype)
        correct = _as_flag(bias_correction)
        correction1 = jnp.where(correct, 1 - b1_power, 1.0)
        correction2 = jnp.where(correct, 1 - b2_power, 1.0)
        updates = jax.tree.map(
            lambda g, m, v: ((m / correction1) / (jnp.sqrt(v / correction2) + eps)).astype(g.dtype), updates, mu, nu
        )
        return updates, ScaleByYogiRefState(count=count, mu=mu, nu=nu, b1_power=b1_power, b2_power=b2_power)

    return optax.GradientTransformation(init_fn, update_fn)


class AdaDecState(NamedTuple):
    """State of :func:`scale_by_adadec`."""

    count: jax.Array  # shape=(), int32: updates seen so far
    previous_sq_grad: optax.Updates  # shape=params: g_{t−1}², 0 before the first update


def scale_by_adadec(
    decay_steps: jax.typing.ArrayLike,
    *,
    offset: jax.typing.ArrayLike = 1.0,
    xi: jax.typing.ArrayLike = 0.999,
    power: jax.typing.ArrayLike = 0.75,
) -> optax.GradientTransformation:
    r"""Rescales updates by AdaDec (seed 004, He & Li 2016, eq. 13–15, after Senior et al. 2013).

    .. math::
        u_t = \frac{(1 + t/R)^{-q}}{\sqrt{K + G_t}}\, g_t, \qquad G_t = \xi g_{t-1}^2 + g_t^2,

    with ``t = 0, 1, …`` the 0-based step, ``g_t`` the incoming update, ``g_{-1} = 0`` and ``u_t``
    the outgoing update (to be scaled by ``−η``, so that ``η(1 + t/R)^{-q}`` is eq. 15's
    power schedule ``p(t)``). ``G_t`` holds the current and *only the previous* squared
    gradient, not an accumulated sum: the seed's eq. 14 writes ``ξ g(t−1)² + g(t)²`` and
    its text says the denominator "is determined only by the previous and the current
    gradient, and has nothing to do with earlier ones". A zero denominator (``K = 0`` and
    ``g = 0``) gives a zero update.

    Args:
        decay_steps: ``R``, the power schedule's time scale (the seed: the number of steps).
        offset: ``K``, the constant under the root (the seed: 1).
        xi: ``ξ``, the weight of the previous squared gradient (the seed: 0.999).
        power: ``q``, the power schedule's exponent (the seed: 0.75).

    Returns:
        An :class:`optax.GradientTransformation`.

    References:
        He & Li, `A combinatory form learning rate scheduling for deep learning model
        <https://doi.org/10.16383/j.aas.2016.c150681>`_, Acta Automatica Sinica, 2016;
        Senior et al., `An empirical study of learning rates in deep neural networks for speech
        recognition <https://doi.org/10.1109/ICASSP.2013.6638963>`_, 2013
    """

    def init_fn(params):
        return AdaDecState(count=jnp.zeros([], jnp.int32), previous_sq_grad=optax.tree.zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        decay = _power_decay(state.count, power, decay_steps)

        def scale(g, previous):
            denominator = offset + xi * previous + g * g
            safe = jnp.where(denominator > 0, denominator, 1.0)
            return jnp.where(denominator > 0, decay * g / jnp.sqrt(safe), 0.0).astype(g.dtype)

        new_updates = jax.tree.map(scale, updates, state.previous_sq_grad)
        previous_sq_grad = jax.tree.map(lambda g, p: (g * g).astype(p.dtype), updates, state.previous_sq_grad)
        return new_updates, AdaDecState(count=optax.safe_increment(state.count), previous_sq_grad=previous_sq_grad)

    return optax.GradientTransformation(init_fn, update_fn)


class AdaMixState(NamedTuple):
    """State of :func:`scale_by_adamix`."""

    count: jax.Array  # shape=(), int32: updates seen so far
    lr_factor: optax.Updates  # shape=params: the factor the next update uses (α_t/α_0, or the bias decay)


def scale_by_adamix(
    decay_steps: jax.typing.ArrayLike,
    *,
    bias_mask: optax.Params | None = None,
    offset: jax.typing.ArrayLike = 1.0,
    power: jax.typing.ArrayLike = 0.75,
) -> optax.GradientTransformation:
    r"""Rescales updates by AdaMix (seed 004, He & Li 2016, eq. 16–18).

    Weight coordinates (``bias_mask`` False) and bias coordinates (True) get different rates:

    .. math::
        u_t = a_t\, g_t, \qquad
        a_{t+1} = \frac{a_t}{\sqrt{K + g_t^2}} \text{ (weights)}, \qquad
        a_t = (1 + t/R)^{-q} \text{ (biases)}, \qquad a_0 = 1,

    with ``t = 0, 1, …`` the 0-based step, ``g_t`` the incoming update and ``u_t`` the
    outgoing one (to be scaled by ``−η``, so that ``η a_t`` is the seed's ``α_{ij}`` for
    weights and ``β_i``, ``γ_j`` for biases). The seed defines ``α(t) = α(t−1)/\sqrt{K + g(t)^2}``
    as the rate of the *next* round, computed from the current gradient: the current
    update uses the rate built from earlier gradients only, and the first update is a
    plain gradient step. Because every factor is ``≤ 1/\sqrt{K}``, the weight rate
    freezes once ``Σ g²`` is large (it decays like ``e^{-Σ g²/2}`` for small gradients): the
    method was designed for the small gradients of an autoencoder's weights.

    Args:
        decay_steps: ``R``, the bias power decay's time scale (the seed: the number of steps).
        bias_mask: a bool pytree shaped like the params, True where a coordinate is a bias;
            None treats every coordinate as a weight.
        offset: ``K``, the constant under the root (the seed: 1).
        power: ``q``, the bias power decay's exponent (the seed: 0.75).

    Returns:
        An :class:`optax.GradientTransformation`.

    References:
        He & Li, `A combinatory form learning rate scheduling for deep learning model
        <https://doi.org/10.16383/j.aas.2016.c150681>`_, Acta Automatica Sinica, 2016
    """

    def masks_like(params):
        if bias_mask is None:
            return jax.tree.map(lambda p: jnp.zeros(jnp.shape(p), bool), params)
        return jax.tree.map(lambda p, m: jnp.broadcast_to(_as_flag(m), jnp.shape(p)), params, bias_mask)

    def init_fn(params):
        return AdaMixState(count=jnp.zeros([], jnp.int32), lr_factor=optax.tree.ones_like(params))

    def update_fn(updates, state, params=None):
        del params
        count = optax.safe_increment(state.count)
        next_bias_factor = _power_decay(count, power, decay_steps)

        def next_factor(g, factor, is_bias):
            weight_factor = factor / jnp.sqrt(offset + g * g)
            return jnp.where(is_bias, next_bias_factor, weight_factor).astype(factor.dtype)

        new_updates = jax.tree.map(lambda g, a: (a * g).astype(g.dtype), updates, state.lr_factor)
        lr_factor = jax.tree.map(next_factor, updates, state.lr_factor, masks_like(updates))
        return new_updates, AdaMixState(count=count, lr_factor=lr_factor)

    return optax.GradientTransformation(init_fn, update_fn)


class LookaheadState(NamedTuple):
    """State of :func:`lookahead`."""

    count: jax.Array  # shape=(), int32: fast (inner) steps taken so far
    slow: optax.Params  # shape=params: the slow weights φ
    inner_state: optax.OptState  # the inner optimizer's state


def lookahead(
    inner: optax.GradientTransformation,
    k: jax.typing.ArrayLike = 5,
    alpha: jax.typing.ArrayLike = 0.5,
    *,
    first_step_sync: jax.typing.ArrayLike = True,
) -> optax.GradientTransformation:
    r"""Lookahead around any inner optimizer, with the slow weights kept in the state.

    The params are the fast weights ``θ`` (where gradients are taken, and the plotted path).
    After every ``k``-th inner step the slow weights ``φ`` move towards them and the fast
    weights are reset:

    .. math::
        \theta \leftarrow \theta + \mathrm{inner}(g), \qquad
        \text{at a sync: } \phi \leftarrow \phi + \alpha(\theta - \phi), \quad \theta \leftarrow \phi.

    ``first_step_sync`` picks when syncs happen. True (torch-optimizer's ``Lookahead``, used
    by the reference): syncs after inner steps 1, k+1, 2k+1, …, the one after step 1 only
    setting ``φ`` to the fast weights (torch-optimizer creates the slow weights lazily
    there), so the first fast phase is one step longer. False (the paper's algorithm and
    :func:`optax.lookahead`): ``φ`` starts at the start point, syncs after steps k, 2k, ….
    The inner optimizer's state is never reset. Unlike :func:`optax.lookahead`, the params
    stay a plain pytree and ``k`` may be traced (it is rounded, and at least 1).

    Args:
        inner: the fast optimizer.
        k: the sync period, in inner steps.
        alpha: ``α``, the slow step size; 1 recovers the inner optimizer.
        first_step_sync: torch-optimizer's sync phase (see above).

    Returns:
        An :class:`optax.GradientTransformation`; its ``update`` needs ``params``.

    References:
        Zhang et al., `Lookahead Optimizer: k steps forward, 1 step back
        <https://arxiv.org/abs/1907.08610>`_, 2019;
        torch-optimizer, `Lookahead <https://github.com/jettify/pytorch-optimizer>`_
    """

    def init_fn(params):
        return LookaheadState(
            count=jnp.zeros([], jnp.int32),
            slow=jax.tree.map(jnp.asarray, params),
            inner_state=inner.init(params),
        )

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError("lookahead needs the params (the fast weights) in update()")
        inner_updates, inner_state = inner.update(updates, state.inner_state, params)
        count = optax.safe_increment(state.count)
        period = jnp.maximum(jnp.round(jnp.asarray(k)), 1).astype(jnp.int32)
        torch_phase = _as_flag(first_step_sync)
        sync = jnp.where(torch_phase, (count - 1) % period == 0, count % period == 0)
        # torch-optimizer's first sync only creates the slow weights: a step of size 1.
        step_size = jnp.where(torch_phase & (count == 1), 1.0, jnp.asarray(alpha))

        # optax.lookahead's merged form: the fast weights land on the new slow ones at a sync.
        difference = jax.tree.map(lambda p, u, s: p + u - s, params, inner_updates, state.slow)
        slow = jax.tree.map(lambda s, d: jnp.where(sync, s + step_size * d, s).astype(s.dtype), state.slow, difference)
        new_updates = jax.tree.map(
            lambda u, d: jnp.where(sync, u - (1 - step_size) * d, u).astype(u.dtype), inner_updates, difference
        )
        return new_updates, LookaheadState(count=count, slow=slow, inner_state=inner_state)

    return optax.GradientTransformation(init_fn, update_fn)
