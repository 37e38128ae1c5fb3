"""The compiled program of one group: a ``lax.scan`` over time with every trajectory of the group inside.

:func:`whole` runs a group in one program; :func:`begin`, :func:`segment` and :func:`finish` run
it in segments. All four trace :func:`_setup`, which assembles the scan from small builders: the
surface's value and gradient, the vmapped optimizer, the first carry, the step body and the
final statuses. What is compiled in is :class:`GroupConfig`; everything else is data (see
docs/SPEED.md, "The engine's design"). :func:`trace_count` counts compilations.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import landscapes
import optimizers
from optimizers import transforms

RUNNING, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("running", "converged", "diverged")
RECORDABLE = ("x", "loss", "grad_norm", "lr")  # what the program can record at every step
PLATEAU_KEYS = ("factor", "patience", "threshold", "cooldown", "min_lr")
_TORCH_PLATEAU_EPS = 1e-8  # torch's ReduceLROnPlateau ignores LR changes smaller than this

_traces = [0]


def trace_count() -> int:
    """How many times a simulation function has been traced (compiled) in this process."""
    return _traces[0]


class PartConfig(NamedTuple):
    """One optimizer kind of a merged group: its rows are a contiguous block of ``size`` rows of the batch."""

    optimizer_id: str
    optimizer_static: tuple[tuple[str, Any], ...]
    inner_id: str | None
    inner_static: tuple[tuple[str, Any], ...]
    shared_hyper: bool  # one optimizer entry in the part: its hyperparameters are scalars
    size: int  # rows of the batch, padding included


class GroupConfig(NamedTuple):
    """What is compiled into a simulation function (everything else is data).

    A group runs one optimizer kind (``optimizer_id`` and its static settings), or, with ``parts``, several
    kinds in one program: each kind steps its own contiguous block of rows, and everything else (the surface,
    clipping, statuses, recording) is shared. ``inputs["hyper"]`` is then a tuple with one dict per part.
    """

    surface_id: str
    surface_static: tuple[tuple[str, Any], ...]
    optimizer_id: str
    optimizer_static: tuple[tuple[str, Any], ...]
    inner_id: str | None
    inner_static: tuple[tuple[str, Any], ...]
    record: tuple[str, ...]  # names from RECORDABLE
    inspect: bool
    noise: bool
    plateau: bool
    shared_hyper: bool = False  # one optimizer entry: hyperparameters are scalars, not [B]
    one_schedule: bool = False  # one LR column and no plateau: the LR of a step is a scalar
    parts: tuple[PartConfig, ...] = ()  # several kinds in one program (the fields above then describe none)


# --- The jitted entry points ---------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnames=("config",))
def whole(config: GroupConfig, inputs: dict[str, Any]) -> dict[str, jax.Array]:
    """A whole group in one program: outputs, and recordings time-major (x ``[Tb + 1, 2, B]``, loss
    ``[Tb + 1, B]``, lr ``[Tb + 1(, B)]``, internals ``{NAME: [Tb + 1, 2, B]}``)."""
    _traces[0] += 1
    carry0, body, finish_ = _setup(config, inputs)
    # Tb + 1 iterations: row k of a recording is the state before step k, so rows 0 … T hold
    # the whole path, the final point included (nothing moves once k ≥ num_steps).
    final, recorded = jax.lax.scan(body, carry0, jnp.arange(inputs["lr_table"].shape[0], dtype=jnp.int32))
    return {**finish_(final), **recorded}


@functools.partial(jax.jit, static_argnames=("config",))
def begin(config: GroupConfig, inputs: dict[str, Any]) -> dict[str, Any]:
    """The first carry of a group run in segments."""
    _traces[0] += 1
    return _setup(config, inputs)[0]


@functools.partial(jax.jit, static_argnames=("config", "length"))
def segment(config: GroupConfig, inputs: dict[str, Any], carry: dict[str, Any], first: jax.Array, length: int):
    """Steps ``first … first + length − 1``: the new carry and their recordings (time-major)."""
    _traces[0] += 1
    body = _setup(config, inputs)[1]
    return jax.lax.scan(body, carry, first + jnp.arange(length, dtype=jnp.int32))


@functools.partial(jax.jit, static_argnames=("config",))
def finish(config: GroupConfig, inputs: dict[str, Any], carry: dict[str, Any]) -> dict[str, jax.Array]:
    """Final points and statuses from the last carry of a group run in segments."""
    _traces[0] += 1
    return _setup(config, inputs)[2](carry)


# --- Builders, called while tracing --------------------------------------------------------------------


class _Stepper(NamedTuple):
    """The group's optimizer, vmapped: ``init(params)`` and ``update(grads, state, params, lr, extra)``.

    ``extra`` holds the per-trajectory values the optimizer needs besides the gradient (``value``: the loss,
    ``grad``: the true gradient), as ``extra_args`` names them; the functions it needs (a line search's
    ``value_fn``, SAM's ``grad_fn``, Sophia's ``obj_fn``) are built inside from the surface.
    """

    init: Callable
    update: Callable
    state_axes: Any  # per state leaf: 0 (per trajectory) or None (one step counter for the group)
    extra_args: tuple[str, ...]  # names from optimizers.EXTRA_ARGS
    counts_evaluations: bool  # the state counts gradient evaluations beyond one per step (some rows, at least)
    returns_other_point: bool  # a schedule-free method: the point it returns is not the one it steps
    evaluations: Callable  # state -> [B] extra gradient evaluations so far (0 where the optimizer spends none)
    counted: Callable  # () -> [B] bool: the rows whose optimizer counts its evaluations
    shown: Callable  # (state, params) -> the point each row returns (params, or a schedule-free average)
    internals: Callable  # (state, params) -> {name: (a, b)}: what Inside the optimizer shows
    freeze: Callable  # (new state, state, on, moves) -> the new state where a row moved, else the old one


def _setup(config: GroupConfig, inputs: dict[str, Any]) -> tuple[dict[str, Any], Callable, Callable]:
    """The scan of a group: its first carry, its step ``body(carry, k) -> (carry, recorded)`` and
    ``finish(carry) -> outputs`` (final points and statuses)."""
    evaluate, point_fn = _surface_value_and_grad(config, inputs)
    mask = inputs["bias_mask"]  # [2] bool
    bias_mask = (mask[0], mask[1])
    x0 = inputs["x0"]  # [B, 2]
    params0 = (x0[:, 0], x0[:, 1])
    stepper = _vmapped_optimizer(config, inputs, bias_mask, params0, point_fn)
    carry0 = _first_carry(config, inputs, evaluate, stepper, params0)
    return carry0, _step_body(config, inputs, evaluate, stepper), _finisher(inputs, evaluate, stepper)


def _surface_value_and_grad(config: GroupConfig, inputs: dict[str, Any]) -> tuple[Callable, Callable]:
    """``evaluate(x, y) -> (loss, gx, gy)`` over ``[B]`` vectors, in the group's dtype, and ``point_fn((x, y))``:
    the surface at one point (scalars), for the optimizers that evaluate it themselves (inside the vmap)."""
    surface = landscapes.SURFACES[config.surface_id]
    surface_params = {**dict(config.surface_static), **inputs["surface_params"]}
    dtype = inputs["x0"].dtype

    def surface_fn(x, y):
        return surface.fn(jnp.stack([x, y]), **surface_params)

    def point_value_and_grad(x, y):
        # Forward mode, one tangent per coordinate: the reverse mode's cotangent of the stacked
        # point is a padded [B, 2] array that XLA materialises on every step.
        one = jnp.ones_like(x)
        loss, gx = jax.jvp(lambda x: surface_fn(x, y), (x,), (one,))
        _, gy = jax.jvp(lambda y: surface_fn(x, y), (y,), (one,))
        return loss, (gx, gy)

    value_and_grad = jax.vmap(point_value_and_grad)

    def evaluate(x, y):
        loss, (gx, gy) = value_and_grad(x, y)
        return loss.astype(dtype), gx.astype(dtype), gy.astype(dtype)

    def point_fn(params):
        return surface_fn(params[0], params[1]).astype(dtype)

    return evaluate, point_fn


def _is_counter(path: tuple) -> bool:
    """A state leaf that counts steps (optax's ``count`` fields): one scalar serves the whole group."""
    return bool(path) and isinstance(path[-1], jax.tree_util.GetAttrKey) and path[-1].name == "count"


def _group_parts(config: GroupConfig) -> tuple[PartConfig, ...]:
    """The group's kinds: its ``parts``, or the one kind the config names (size -1: every row)."""
    if config.parts:
        return config.parts
    kind = PartConfig(
        config.optimizer_id, config.optimizer_static, config.inner_id, config.inner_static, config.shared_hyper, -1
    )
    return (kind,)


def _vmapped_optimizer(
    config: GroupConfig, inputs: dict[str, Any], bias_mask: Any, params: Any, point_fn: Callable
) -> _Stepper:
    """The optimizer's ``init`` and ``update`` vmapped over the group, and the batch axes of its state.

    Params are ``(x, y)``, each ``[B]``. A merged group (``config.parts``) steps each part's block of rows
    with its own optimizer and joins the updates; its state is the tuple of the parts' states.
    """
    parts = _group_parts(config)
    lr_axis = None if config.one_schedule and not config.plateau else 0
    if not config.parts:
        hyper, inner_hyper = inputs["hyper"], inputs["inner_hyper"]
        return _part_stepper(config, parts[0], inputs, hyper, inner_hyper, lr_axis, bias_mask, params, point_fn)
    bounds = np.cumsum([0, *(part.size for part in parts)])
    blocks = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
    steppers = [
        _part_stepper(config, part, inputs, h, ih, lr_axis, bias_mask, _rows(params, block), point_fn)
        for part, h, ih, block in zip(parts, inputs["hyper"], inputs["inner_hyper"], blocks, strict=True)
    ]
    names = tuple(name for name in optimizers.EXTRA_ARGS if any(name in s.extra_args for s in steppers))

    def join(pieces: list[Any]) -> Any:
        return jax.tree.map(lambda *leaves: jnp.concatenate(leaves), *pieces)

    def init(p):
        return tuple(s.init(_rows(p, block)) for s, block in zip(steppers, blocks, strict=True))

    def update(g, state, p, lr_b, extra):
        moves, states = [], []
        for s, block, part_state in zip(steppers, blocks, state, strict=True):
            lr_part = lr_b if lr_axis is None else lr_b[block]
            wanted = {name: _rows(value, block) for name, value in extra.items() if name in s.extra_args}
            move, new_state = s.update(_rows(g, block), part_state, _rows(p, block), lr_part, wanted)
            moves.append(move)
            states.append(new_state)
        return join(moves), tuple(states)

    def evaluations(state):
        return jnp.concatenate([s.evaluations(part_state) for s, part_state in zip(steppers, state, strict=True)])

    def counted():
        return jnp.concatenate([s.counted() for s in steppers])

    def each(state):  # (stepper, its state, its rows) per part
        return zip(steppers, state, blocks, strict=True)

    def shown(state, p):
        return join([s.shown(part_state, _rows(p, block)) for s, part_state, block in each(state)])

    def internals(state, p):
        found = [(s.internals(part_state, _rows(p, block)), block) for s, part_state, block in each(state)]
        names_found = list(dict.fromkeys(name for part, _ in found for name in part))
        # A part without an internal shows zeros there, as separate groups' outputs are joined (engine.simulate).
        zeros = [jax.tree.map(jnp.zeros_like, _rows(p, block)) for _, block in found]
        return {
            name: join([part.get(name, zero) for (part, _), zero in zip(found, zeros, strict=True)])
            for name in names_found
        }

    def freeze(new_state, state, on, moves):
        return tuple(
            s.freeze(new_part, part_state, on, moves[block])
            for new_part, (s, part_state, block) in zip(new_state, each(state), strict=True)
        )

    return _Stepper(
        init=init,
        update=update,
        freeze=freeze,
        state_axes=tuple(s.state_axes for s in steppers),
        extra_args=names,
        counts_evaluations=any(s.counts_evaluations for s in steppers),
        returns_other_point=any(s.returns_other_point for s in steppers),
        evaluations=evaluations,
        counted=counted,
        shown=shown,
        internals=internals,
    )


def _freeze(axes: Any, new_state: Any, state: Any, on: jax.Array, moves: jax.Array) -> Any:
    """The new state where a row moved (``moves``, ``[n]``), else the old; a shared counter moves with ``on``."""

    def keep(axis, new, old):
        if new is None:
            return new
        if axis is None:
            return jnp.where(on, new, old)
        return jnp.where(moves.reshape(moves.shape + (1,) * (jnp.ndim(new) - 1)), new, old)

    return jax.tree.map(keep, axes, new_state, state, is_leaf=lambda node: node is None)


def _rows(tree: Any, block: slice) -> Any:
    """The rows ``block`` of every ``[B, ...]`` leaf of ``tree``."""
    return jax.tree.map(lambda leaf: leaf[block], tree)


def _part_stepper(
    config: GroupConfig,
    part: PartConfig,
    inputs: dict[str, Any],
    hyper: dict[str, Any],
    inner_hyper: dict[str, Any],
    lr_axis: int | None,
    bias_mask: Any,
    params: Any,
    point_fn: Callable,
) -> _Stepper:
    """One optimizer kind vmapped over its rows (``params``: ``(x, y)``, each ``[n]``).

    Step counters are shared (axis None) when the optimizer allows it (vmap checks that a counter
    depends on nothing per trajectory); otherwise every state leaf is per trajectory.
    """
    hyper_axis = None if part.shared_hyper else 0  # hyper: name -> [n], or scalars with shared_hyper
    dtype = inputs["x0"].dtype
    rows = params[0].shape[0]
    lr = jnp.zeros((), dtype) if lr_axis is None else jnp.zeros((rows,), dtype)  # init ignores it
    names = optimizers.extra_args(part.optimizer_id, part.inner_id)
    min_value = inputs.get("min_value")  # () the surface's f*, for the optimizers that step by the loss gap

    def make(lr_b, h, ih):
        return optimizers.make(
            part.optimizer_id,
            lambda count: lr_b,
            {**dict(part.optimizer_static), **h},
            inner_id=part.inner_id,
            inner_hyper=None if part.inner_id is None else {**dict(part.inner_static), **ih},
            bias_mask=bias_mask,
            min_value=min_value,
        )

    def clipped_grad_fn(p, i):
        # SAM's ascent gradient, clipped to the scene's norm like the engine's own (it gets no noise)
        del i
        gx, gy = jax.grad(point_fn)(p)
        scale = jnp.minimum(1.0, inputs["clip"] / jnp.maximum(jnp.hypot(gx, gy), jnp.finfo(dtype).tiny))
        return (gx * scale, gy * scale)

    functions = {"value_fn": point_fn, "obj_fn": point_fn, "grad_fn": clipped_grad_fn}

    def init(p, lr_b, h, ih):
        return make(lr_b, h, ih).init(p)

    def update(g, s, p, lr_b, h, ih, extra):
        kwargs = {name: functions[name] if name in functions else extra[name] for name in names}
        return make(lr_b, h, ih).update(g, s, p, **kwargs)

    in_axes = (0, lr_axis, hyper_axis, hyper_axis)
    extra0 = {name: params[0] if name == "value" else params for name in names if name not in functions}

    def build(shared: bool) -> _Stepper:
        batched = jax.eval_shape(jax.vmap(init, in_axes=in_axes), params, lr, hyper, inner_hyper)
        axes = jax.tree_util.tree_map_with_path(lambda path, _: None if shared and _is_counter(path) else 0, batched)
        vinit = jax.vmap(init, in_axes=in_axes, out_axes=axes)
        vupdate = jax.vmap(update, in_axes=(0, axes, 0, lr_axis, hyper_axis, hyper_axis, 0), out_axes=(0, axes))
        state = jax.eval_shape(vinit, params, lr, hyper, inner_hyper)
        # raises if a counter is per trajectory
        jax.eval_shape(vupdate, params, state, params, lr, hyper, inner_hyper, extra0)
        counts = transforms.extra_evaluations(state) is not None

        def evaluations(s):
            return transforms.extra_evaluations(s) if counts else jnp.zeros((rows,), jnp.int32)

        def internals(s, p):
            return {name: tuple(value) for name, value in optimizers.inspect(s, p).items()}

        return _Stepper(
            init=lambda p: vinit(p, lr, hyper, inner_hyper),
            update=lambda g, s, p, lr_b, extra: vupdate(g, s, p, lr_b, hyper, inner_hyper, extra),
            state_axes=axes,
            extra_args=names,
            counts_evaluations=counts,
            returns_other_point=optimizers.has_returned_point(state),
            evaluations=evaluations,
            counted=lambda: jnp.full((rows,), counts),
            shown=optimizers.returned_point,
            internals=internals,
            freeze=lambda new_state, s, on, moves: _freeze(axes, new_state, s, on, moves),
        )

    try:
        return build(shared=True)
    except ValueError:
        return build(shared=False)


def _norm_limit(dtype: Any) -> jax.Array:
    """max(|gx|, |gy|) ≤ this keeps the norm finite (‖g‖ ≤ √2·max): the divergence test of every step.

    A quarter cheaper than computing ‖g‖ (jnp.hypot) there. Only a gradient within a factor √2 of
    overflowing counts as divergence when its norm would not yet have overflowed.
    """
    return jnp.asarray(jnp.finfo(dtype).max / np.sqrt(2.0), dtype)


def _lr_at(config: GroupConfig, inputs: dict[str, Any], k: Any) -> jax.Array:
    """The scheduled LR of step ``k``: a scalar with ``one_schedule``, else ``[B]``."""
    lr_table = inputs["lr_table"]  # [Tb + 1, S], or [Tb + 1] with one_schedule
    return lr_table[k] if config.one_schedule else lr_table[k, inputs["schedule_index"]]


def _first_carry(
    config: GroupConfig, inputs: dict[str, Any], evaluate: Callable, stepper: _Stepper, params0: Any
) -> dict[str, Any]:
    """The carry before step 0: start points, their loss and gradient, the optimizer's state, statuses."""
    dtype = inputs["x0"].dtype
    batch = inputs["x0"].shape[0]
    state0 = stepper.init(params0)
    loss0, gx0, gy0 = evaluate(*params0)
    norm_limit = _norm_limit(dtype)
    ok0 = jnp.isfinite(loss0) & (jnp.maximum(jnp.abs(gx0), jnp.abs(gy0)) <= norm_limit)
    carry0 = {
        "x": params0[0],
        "y": params0[1],
        "loss": jnp.where(ok0, loss0, 0.0),
        "gx": jnp.where(ok0, gx0, 0.0),
        "gy": jnp.where(ok0, gy0, 0.0),
        "state": state0,
        "status_step": jnp.where(ok0, -1, 0).astype(jnp.int32),  # -1 while running, else the step it diverged
        "last_moving": jnp.full((batch,), -1, jnp.int32),  # last step whose gradient norm exceeded the tolerance
    }
    if stepper.counts_evaluations:
        carry0["evals"] = jnp.zeros((batch,), jnp.int32)  # gradient evaluations spent so far
        # ... and when the trajectory last moved (its gradient norm above the tolerance): a converged run's count
        carry0["evals_moving"] = jnp.zeros((batch,), jnp.int32)
    if config.plateau:
        carry0["plateau"] = {
            "lr": jnp.broadcast_to(_lr_at(config, inputs, 0), (batch,)).astype(dtype),
            "best": jnp.full((batch,), jnp.inf, dtype),
            "bad": jnp.zeros((batch,), jnp.int32),
            "cooldown": jnp.zeros((batch,), jnp.int32),
        }
    return carry0


def _step_body(config: GroupConfig, inputs: dict[str, Any], evaluate: Callable, stepper: _Stepper) -> Callable:
    """``body(carry, k) -> (carry, recorded)``: one optimizer step of every trajectory, and what it records."""
    dtype = inputs["x0"].dtype
    batch = inputs["x0"].shape[0]
    num_steps = inputs["num_steps"]  # () int32: steps actually wanted (≤ Tb)
    center, radius = inputs["center"], inputs["radius"]
    tolerance = inputs["tolerance"]
    norm_limit = _norm_limit(dtype)
    # On a CPU the surface evaluation goes in a lax.cond, whose outputs XLA materialises once
    # instead of recomputing them in every fused consumer. A GPU fuses multiple outputs itself.
    materialize = jax.default_backend() == "cpu"
    radius2 = radius * radius
    no = jnp.zeros((batch,), bool)

    def evaluate_moved(operands):
        x_new, y_new, active = operands
        new_loss, gx_new, gy_new = evaluate(x_new, y_new)
        finite = jnp.isfinite(new_loss) & (jnp.maximum(jnp.abs(gx_new), jnp.abs(gy_new)) <= norm_limit)
        inside = (x_new - center[0]) ** 2 + (y_new - center[1]) ** 2 <= radius2  # False for inf and NaN too
        return new_loss, gx_new, gy_new, active & finite & inside

    def body(carry, k):
        x, y, loss, gx, gy, state = (carry[name] for name in ("x", "y", "loss", "gx", "gy", "state"))
        on = k < num_steps
        active = on & (carry["status_step"] < 0)
        grad_norm = jnp.hypot(gx, gy)  # no overflow where |g|² would
        last_moving = jnp.where(on & (grad_norm > tolerance), k, carry["last_moving"])
        ux, uy = _noisy_clipped_gradient(config, inputs, gx, gy, grad_norm, k)

        lr = _lr_at(config, inputs, k)
        if config.plateau:
            lr = jnp.where(inputs["plateau_on"], carry["plateau"]["lr"], lr)

        extra = {}
        if "value" in stepper.extra_args:
            extra["value"] = loss
        if "grad" in stepper.extra_args:
            extra["grad"] = (gx, gy)
        (dx, dy), new_state = stepper.update((ux, uy), state, (x, y), lr, extra)
        x_new, y_new = (x + dx).astype(dtype), (y + dy).astype(dtype)

        if materialize:  # the padded steps (k ≥ num_steps) skip the evaluation too
            new_loss, gx_new, gy_new, moves = jax.lax.cond(
                on, evaluate_moved, lambda _: (loss, gx, gy, no), (x_new, y_new, active)
            )
        else:
            new_loss, gx_new, gy_new, moves = evaluate_moved((x_new, y_new, active))
        diverges = active & ~moves

        def keep(new, old):
            return jnp.where(moves.reshape(moves.shape + (1,) * (jnp.ndim(new) - 1)), new, old)

        if config.inspect or stepper.returns_other_point:  # internals and a returned point freeze with the run
            new_state = stepper.freeze(new_state, state, on, moves)
        # Otherwise a stopped trajectory's optimizer state is never read again: no need to freeze it.
        new_carry = {
            "x": keep(x_new, x),
            "y": keep(y_new, y),
            "loss": keep(new_loss, loss),
            "gx": keep(gx_new, gx),
            "gy": keep(gy_new, gy),
            "state": new_state,
            "status_step": jnp.where(diverges, k + 1, carry["status_step"]),
            "last_moving": last_moving,
        }
        if stepper.counts_evaluations:
            spent = stepper.evaluations(new_state) - stepper.evaluations(state)
            new_carry["evals"] = jnp.where(active, carry["evals"] + 1 + spent, carry["evals"])
            moving = on & (grad_norm > tolerance)  # as last_moving: the steps before the run converged
            new_carry["evals_moving"] = jnp.where(moving, new_carry["evals"], carry["evals_moving"])
        if config.plateau:
            plateau = _plateau_step(carry["plateau"], loss, inputs["plateau"])
            new_carry["plateau"] = jax.tree.map(keep, plateau, carry["plateau"])
        recorded = _recorded(config, x, y, loss, grad_norm, lr, state, stepper)
        if stepper.returns_other_point and ("x" in config.record or "loss" in config.record):
            shown_x, shown_y = stepper.shown(state, (x, y))
            if "x" in config.record:
                recorded["x"] = jnp.stack([shown_x, shown_y])
            if "loss" in config.record:
                recorded["loss"] = jnp.where(carry["status_step"] < 0, evaluate(shown_x, shown_y)[0], loss)
        if stepper.counts_evaluations and config.record:
            recorded["grad_evals"] = carry["evals"]
        return new_carry, recorded

    return body


def _noisy_clipped_gradient(
    config: GroupConfig, inputs: dict[str, Any], gx: jax.Array, gy: jax.Array, grad_norm: jax.Array, k: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """The gradient the optimizer sees: plus isotropic noise (with ``config.noise``), clipped to the global norm."""
    dtype = inputs["x0"].dtype
    ux, uy, used_norm = gx, gy, grad_norm
    if config.noise:
        keys = jax.vmap(jax.random.fold_in, (0, None))(inputs["keys"], k)
        noise = jax.vmap(lambda key: jax.random.normal(key, (2,), dtype))(keys)
        ux = ux + inputs["noise_sigma"] * noise[:, 0]
        uy = uy + inputs["noise_sigma"] * noise[:, 1]
        used_norm = jnp.hypot(ux, uy)
    scale = jnp.minimum(1.0, inputs["clip"] / jnp.maximum(used_norm, jnp.finfo(dtype).tiny))
    return ux * scale, uy * scale


def _recorded(config: GroupConfig, x, y, loss, grad_norm, lr, state, stepper: _Stepper) -> dict[str, Any]:
    """What one step records: the state before the step, as ``config.record`` and ``config.inspect`` ask."""
    out: dict[str, Any] = {}
    if "x" in config.record:
        out["x"] = jnp.stack([x, y])  # [2, B]
    if "loss" in config.record:
        out["loss"] = loss
    if "grad_norm" in config.record:
        out["grad_norm"] = grad_norm
    if "lr" in config.record:
        out["lr"] = lr
    if config.inspect:
        out["internals"] = {name: jnp.stack(value) for name, value in stepper.internals(state, (x, y)).items()}
    return out


def _finisher(
    inputs: dict[str, Any], evaluate: Callable, stepper: _Stepper
) -> Callable[[dict[str, Any]], dict[str, jax.Array]]:
    """``finish(carry) -> outputs``: final points, loss, gradient norm, statuses and the step each began, and the
    gradient evaluations spent. A schedule-free method's final point is the one it returns (its average)."""
    num_steps, tolerance = inputs["num_steps"], inputs["tolerance"]

    def finish_(final: dict[str, Any]) -> dict[str, jax.Array]:
        final_norm = jnp.hypot(final["gx"], final["gy"])
        last_moving = jnp.where(final_norm > tolerance, num_steps, final["last_moving"])
        diverged = final["status_step"] >= 0
        converged = ~diverged & (last_moving < num_steps)
        status = jnp.where(converged, CONVERGED, jnp.where(diverged, DIVERGED, RUNNING)).astype(jnp.int8)
        final_x, final_y, final_loss = final["x"], final["y"], final["loss"]
        if stepper.returns_other_point:
            final_x, final_y = stepper.shown(final["state"], (final_x, final_y))
            final_loss = jnp.where(diverged, final_loss, evaluate(final_x, final_y)[0])
        # One per step taken where the optimizer does not count its own: a diverged trajectory stopped at its status
        # step, a converged one at the step it arrived. The engine keeps stepping a converged trajectory in place,
        # evaluations a run stopped by its gradient norm would not spend (a line search goes on spending several per
        # step): a count kept by the optimizer stops there too.
        grad_evals = jnp.where(
            diverged,
            jnp.minimum(final["status_step"], num_steps),
            jnp.where(converged, last_moving + 1, num_steps),
        )
        counted = jnp.zeros(grad_evals.shape, bool)
        if stepper.counts_evaluations:
            counted = stepper.counted()
            grad_evals = jnp.where(counted, jnp.where(converged, final["evals_moving"], final["evals"]), grad_evals)
        return {
            "final_x": jnp.stack([final_x, final_y], axis=-1),
            "final_loss": final_loss,
            "final_grad_evals": grad_evals.astype(jnp.int32),
            "counts_evals": counted,
            "final_grad_norm": final_norm,
            "status": status,
            "status_step": jnp.where(converged, last_moving + 1, final["status_step"]),
        }

    return finish_


def _plateau_step(plateau: dict, loss: jax.Array, params: dict) -> dict:
    """torch's ReduceLROnPlateau(mode="min", threshold_mode="rel").step(loss), per trajectory."""
    better = loss < plateau["best"] * (1.0 - params["threshold"])
    best = jnp.where(better, loss, plateau["best"])
    bad = jnp.where(better, 0, plateau["bad"] + 1)
    in_cooldown = plateau["cooldown"] > 0
    cooldown = jnp.where(in_cooldown, plateau["cooldown"] - 1, plateau["cooldown"])
    bad = jnp.where(in_cooldown, 0, bad)
    reduce = bad > params["patience"]
    reduced = jnp.maximum(plateau["lr"] * params["factor"], params["min_lr"])
    lr = jnp.where(reduce & (plateau["lr"] - reduced > _TORCH_PLATEAU_EPS), reduced, plateau["lr"])
    cooldown = jnp.where(reduce, params["cooldown"], cooldown)
    bad = jnp.where(reduce, 0, bad)
    return {"lr": lr, "best": best, "bad": bad, "cooldown": cooldown}
