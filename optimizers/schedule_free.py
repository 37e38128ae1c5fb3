"""Schedule-free methods: gradients are taken at one sequence, the point returned is an average of another.

Factories as in :mod:`optimizers.sgd`. The engine steps the gradient point ``y`` and draws the point
the method would return, ``x`` (:func:`optax.contrib.schedule_free_eval_params`), as the path;
``y`` and the base sequence ``z`` are in "Inside the optimizer". A warm-up is the scene's schedule's
(a constant schedule with warm-up is the authors' setting); there is no decay to choose.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX_CONTRIB, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike
else:
    optax = lazy_module("optax")


def schedule_free_sgd(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    weight_decay: ArrayLike = 0.0,
    weight_lr_power: ArrayLike = 2.0,
) -> optax.GradientTransformation:
    r"""Schedule-free SGD (:func:`optax.contrib.schedule_free_sgd`, the authors' ``SGDScheduleFree`` defaults).

    .. math::
        \begin{aligned} y_t &= (1 - \beta) z_t + \beta x_t, \quad z_{t+1} = z_t - \eta_t \nabla f(y_t) \\
        x_{t+1} &= (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}, \quad
        c_{t+1} = \frac{\eta_{\max,t}^{p}}{\sum_{s \le t} \eta_{\max,s}^{p}} \end{aligned}

    The gradient is taken at ``y``; ``x`` (the path drawn) is a weighted average of the ``z``
    iterates, weights growing with the largest LR so far to the power ``p`` (so a warm-up counts
    less). ``β`` interpolates between plain averaging (0) and primal averaging (1).

    References:
        Defazio et al., The Road Less Scheduled, NeurIPS 2024; schedulefree 1.4.1 (SGDScheduleFree)
    """
    return optax.contrib.schedule_free_sgd(
        learning_rate, b1=b1, weight_decay=weight_decay, weight_lr_power=weight_lr_power
    )


def schedule_free_adamw(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 0.0,
    weight_lr_power: ArrayLike = 2.0,
) -> optax.GradientTransformation:
    r"""Schedule-free AdamW (:func:`optax.contrib.schedule_free_adamw`, the authors' ``AdamWScheduleFree`` defaults).

    .. math::
        \begin{aligned} y_t &= (1 - \beta_1) z_t + \beta_1 x_t, \quad
        z_{t+1} = z_t - \eta_t \left(\frac{\nabla f(y_t)}{\sqrt{\hat v_t} + \epsilon} + \lambda y_t\right) \\
        x_{t+1} &= (1 - c_{t+1}) x_t + c_{t+1} z_{t+1} \end{aligned}

    with ``v`` the bias-corrected second moment of ``∇f(y)`` and ``c`` as in schedule-free SGD.
    The reference applies a warm-up as ``(k + 1)/W`` to both the step and the averaging weight;
    optax's own ``warmup_steps`` reads its schedule at two different counts (0-based for the step,
    1-based for the weight), so the warm-up comes from the scene's schedule here.

    References:
        Defazio et al., The Road Less Scheduled, NeurIPS 2024; schedulefree 1.4.1 (AdamWScheduleFree)
    """
    return optax.contrib.schedule_free_adamw(
        learning_rate, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay, weight_lr_power=weight_lr_power
    )


_B1 = partial(
    FloatParam,
    low=1e-3,
    high=0.9999,
    help="β: where the gradient is taken, between z (0) and the average x (1); must be > 0.",
    symbol=r"\beta_1",
)
_POWER = partial(
    FloatParam,
    low=0.0,
    high=10.0,
    help="p: the averaging weight of a step grows as (largest LR so far)^p.",
    symbol="p",
)
_DECAY = partial(FloatParam, low=0.0, high=1.0, help="Weight decay, taken at y.", symbol=r"\lambda")

ENTRIES = (
    Optimizer(
        id="schedule_free_sgd",
        name="Schedule-free SGD",
        family="schedule_free",
        params={"b1": _B1, "weight_decay": _DECAY, "weight_lr_power": _POWER},
        description="SGD whose returned point (drawn) averages the iterates; no decay schedule needed.",
        factory=schedule_free_sgd,
        equivalents=(
            Equivalent(
                "schedulefree",
                "SGDScheduleFree",
                "lr = η, momentum = β_1, weight_decay = λ, weight_lr_power = p (warmup_steps = 0: the scene's schedule "
                "warms up)",
                params={"momentum": "b1", "warmup_steps": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "schedule_free_sgd",
                "learning_rate = η, b1 = β_1, weight_decay = λ, weight_lr_power = p (warmup_steps: the scene's "
                "schedule)",
                params={"warmup_steps": None},
            ),
        ),
    ),
    Optimizer(
        id="schedule_free_adamw",
        name="Schedule-free AdamW",
        family="schedule_free",
        params={
            "b1": _B1,
            "b2": partial(FloatParam, low=0.0, high=0.99999, help="Decay of the second moment.", symbol=r"\beta_2"),
            "eps": partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Added to √v̂.", symbol=r"\epsilon"),
            "weight_decay": _DECAY,
            "weight_lr_power": _POWER,
        },
        description="AdamW without momentum whose returned point (drawn) averages the iterates; no decay needed.",
        factory=schedule_free_adamw,
        equivalents=(
            Equivalent(
                "schedulefree",
                "AdamWScheduleFree",
                "lr = η, betas = (β_1, β_2), eps = ε, weight_decay = λ, weight_lr_power = p (warmup_steps = 0, r = 0)",
                params={"warmup_steps": None, "r": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "schedule_free_adamw",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ, weight_lr_power = p (warmup_steps: "
                "the scene's schedule)",
                params={"warmup_steps": None},
            ),
        ),
    ),
)
