"""Methods that use curvature: a quasi-Newton direction with a line search, a diagonal Hessian estimate.

Factories as in :mod:`optimizers.sgd`. Both spend gradient evaluations beyond one per step (the
line search's trial points, Hessian-vector products); the engine counts them (``grad_evals``), so
that they can be compared with first-order methods per evaluation as well as per step.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import ChoiceParam, FloatParam, IntParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, OPTAX_CONTRIB, TORCH, Optimizer

if TYPE_CHECKING:
    import jax.numpy as jnp
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    jnp = lazy_module("jax.numpy")
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")

MEMORY_SIZE = 10  # optax's default; torch's history_size is 100 (on a 2-D surface, past 2 pairs matter little)


def _linesearch_evaluations(old, new) -> jnp.ndarray:
    """A zoom line search evaluates value and gradient ``num_linesearch_steps`` times; the last is the new point's,
    which the next step uses (the engine's one per step), and the start point's is spent once, at the first step."""
    (lbfgs_state, _), _ = old
    _, search_state = new
    first = (lbfgs_state.count == 0).astype(jnp.int32)
    return search_state.info.num_linesearch_steps - 1 + first


def lbfgs(
    learning_rate: optax.ScalarOrSchedule,
    *,
    linesearch: str = "zoom",
    max_linesearch_steps: ArrayLike = 20,
    first_step: str = "l1",
) -> optax.GradientTransformation:
    r"""L-BFGS (:func:`optax.lbfgs`: memory 10, a zoom line search from a unit step), the LR scaling the direction.

    .. math::
        \theta_{t+1} = \theta_t - \alpha_t\, \eta_t\, H_t g_t, \qquad
        H_t \approx \nabla^2 f(\theta_t)^{-1} \text{ from the last 10 pairs } (\theta_{s+1} - \theta_s, g_{s+1} - g_s)

    with ``α_t`` from the line search (strong Wolfe conditions, starting at 1) or ``α_t = 1``
    (``linesearch = "none"``: ``torch.optim.LBFGS``'s default, which has no line search either).
    ``η = 1`` is the textbook method. The line search is optax's by default: without one (torch's
    default) unit steps overshoot on curved valleys such as Rosenbrock's. The first direction (no
    curvature pairs yet) is ``g / max(1, ‖g‖₁)`` as in torch (``first_step = "l1"``), or ``g / max(1, ‖g‖₂)`` as in
    :func:`optax.scale_by_lbfgs` (``"l2"``); every later step is the same in both. With
    ``linesearch = "none"`` and ``first_step = "l1"`` this is ``torch.optim.LBFGS(max_iter=1,
    history_size=10)``, one L-BFGS iteration per step; torch's own ``"strong_wolfe"`` search
    (cubic interpolation, up to 25 evaluations) is not optax's zoom, which picks other step
    lengths. Where a pair has ``⟨s, y⟩ ≤ 0`` (negative curvature along the step) optax keeps it
    with a negative weight; torch skips pairs with ``⟨s, y⟩ ≤ 10⁻¹⁰``, so the two part on
    nonconvex surfaces after such a step. Each line-search trial costs one gradient evaluation
    (counted).

    References:
        Liu & Nocedal, On the limited memory BFGS method for large scale optimization, Math. Programming 1989;
        Nocedal & Wright, Numerical Optimization, 2006, Algorithms 3.5, 3.6, 7.4; torch.optim.LBFGS
    """
    if linesearch not in ("zoom", "none"):
        raise ValueError(f"linesearch must be 'zoom' or 'none', got {linesearch=}")
    if first_step not in ("l1", "l2"):
        raise ValueError(f"first_step must be 'l1' or 'l2', got {first_step=}")
    scaling = optax.scale_by_lbfgs(memory_size=MEMORY_SIZE)
    if first_step == "l1":
        scaling = transforms.lbfgs_first_step_l1(scaling)
    direction = optax.chain(scaling, optax.scale_by_learning_rate(learning_rate))
    if linesearch == "none":
        return direction
    search = optax.scale_by_zoom_linesearch(max_linesearch_steps=max_linesearch_steps, initial_guess_strategy="one")
    return transforms.count_evaluations(optax.chain(direction, search), _linesearch_evaluations)


def sophia(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.965,
    b2: ArrayLike = 0.99,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 1e-4,
    gamma: ArrayLike = 0.01,
    clip_threshold: ArrayLike = 1.0,
    update_interval: ArrayLike = 10,
) -> optax.GradientTransformation:
    r"""Sophia-H (:func:`optax.contrib.sophia`, its defaults): momentum over a clipped diagonal-Hessian estimate.

    .. math::
        \begin{aligned} h_t &= \beta_2 h_{t-k} + (1 - \beta_2)\, u \odot (\nabla^2 f(\theta_t)\, u),
        \quad u \sim \mathrm{Rademacher} \quad (\text{every } k \text{ steps}) \\
        \theta_{t+1} &= \theta_t
        - \eta_t \left(\operatorname{clip}\left(\frac{\hat m_t}{\max(\gamma h_t, \epsilon)}, \rho\right)
        + \lambda \theta_t\right) \end{aligned}

    Hutchinson's estimate needs the objective (the engine passes the surface as ``obj_fn``; it
    sees no gradient noise) and costs one Hessian-vector product every ``k`` steps, counted as one
    gradient evaluation. Where the curvature is negative or tiny, ``max(γh, ε)`` makes the step
    the clip ``ρ``: a sign step. The authors' SophiaG (``sophia_opt``) takes a Gauss-Newton
    estimate, which needs labels (no such thing on a surface); fed the same estimate, its step
    is this one with ``ρ·bs = γ`` except that it does not bias-correct ``m`` (optax divides by
    ``1 − β₁ᵗ``): the two agree at ``β₁ = 0`` and part where the steps are not clipped.

    References:
        Liu et al., Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training,
        ICLR 2024; levanter's Sophia-H
    """
    tx = optax.contrib.sophia(
        learning_rate,
        b1=b1,
        b2=b2,
        eps=eps,
        weight_decay=weight_decay,
        gamma=gamma,
        clip_threshold=clip_threshold,
        update_interval=update_interval,
    )
    return transforms.count_evaluations(tx, _SophiaCount(update_interval))


class _SophiaCount:
    """One Hessian-vector product (counted as one gradient evaluation) on the steps that refresh the estimate.

    Reads Sophia's step counter from its state (the first link of the chain) and the refresh period.
    """

    def __init__(self, interval) -> None:
        self.interval = interval

    def __call__(self, old, new) -> jnp.ndarray:
        del new
        count = old[0].count
        return (count % jnp.asarray(self.interval).astype(count.dtype) == 0).astype(jnp.int32)


ENTRIES = (
    Optimizer(
        id="lbfgs",
        name="L-BFGS",
        family="second_order",
        params={
            "linesearch": partial(
                ChoiceParam,
                choices=("zoom", "none"),
                help="zoom: a strong-Wolfe line search from a unit step (optax); none: the unit step (torch's default)."
                " Every trial point costs a gradient evaluation.",
            ),
            "max_linesearch_steps": partial(
                IntParam, low=1, high=100, help="Trial points per line search, at most.", symbol=""
            ),
            "first_step": partial(
                ChoiceParam,
                choices=("l1", "l2"),
                help="The first direction, before any curvature is known: g/max(1, ‖g‖₁) (torch) or g/max(1, ‖g‖₂) "
                "(optax).",
            ),
        },
        description="Quasi-Newton: a Hessian inverse from the last 10 steps, with a line search (counts evaluations).",
        factory=lbfgs,
        extra_args=("value", "grad", "value_fn"),
        equivalents=(
            Equivalent(
                TORCH,
                "LBFGS",
                "lr = η, max_iter = 1 (one iteration a step), history_size = 10, line_search_fn = None "
                "(linesearch = none)",
                params={"max_iter": None, "history_size": None, "line_search_fn": None},
                defaults={"linesearch": "none"},
            ),
            Equivalent(
                OPTAX,
                "lbfgs",
                "learning_rate = η, memory_size = 10, the zoom line search, first step g/max(1, ‖g‖_2)",
                params={"memory_size": None},
                defaults={"first_step": "l2"},
            ),
        ),
    ),
    Optimizer(
        id="sophia",
        name="Sophia",
        family="second_order",
        params={
            "b1": partial(FloatParam, low=0.0, high=0.9999, help="Decay of the momentum.", symbol=r"\beta_1"),
            "b2": partial(
                FloatParam, low=0.0, high=0.9999, help="Decay of the Hessian estimate (per refresh).", symbol=r"\beta_2"
            ),
            "eps": partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Floor of γh.", symbol=r"\epsilon"),
            "weight_decay": partial(FloatParam, low=0.0, high=1.0, help="Decoupled weight decay.", symbol=r"\lambda"),
            "gamma": partial(
                FloatParam, low=1e-6, high=10.0, log=True, help="Scales the Hessian estimate.", symbol=r"\gamma"
            ),
            "clip_threshold": partial(
                FloatParam,
                low=1e-6,
                high=100.0,
                log=True,
                help="ρ: the largest step per coordinate, in units of η.",
                symbol=r"\rho",
            ),
            "update_interval": partial(
                IntParam, low=1, high=1000, help="k: steps between two Hessian estimates.", symbol="k"
            ),
        },
        description="Momentum over a diagonal Hessian estimate, clipped: Newton-like where curved, sign steps else.",
        factory=sophia,
        extra_args=("obj_fn",),
        equivalents=(
            Equivalent(
                OPTAX_CONTRIB,
                "sophia",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ, gamma = γ, clip_threshold = ρ, "
                "update_interval = k",
            ),
            Equivalent(
                "sophia_opt",
                "SophiaG",
                "lr = η, betas = (β_1, β_2), rho·bs = γ, weight_decay = λ, fed the same Hessian estimate; equal at "
                "β_1 = 0 (SophiaG does not bias-correct m)",
                params={"rho": None, "betas": None},
            ),
        ),
    ),
)
