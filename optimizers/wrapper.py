"""Optimizers that wrap another: ``factory(inner, **hyper)``, the learning rate being the inner one's.

optax and the transformations are imported when a factory first runs, so that the registry is read
without JAX.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import BoolParam, FloatParam, IntParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, OPTAX_CONTRIB, TORCH_OPTIMIZER, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def lookahead(
    inner: optax.GradientTransformation, *, k: ArrayLike = 5, alpha: ArrayLike = 0.5, first_step_sync: ArrayLike = True
) -> optax.GradientTransformation:
    r"""Lookahead around ``inner`` (:func:`~optimizers.transforms.lookahead`, torch-optimizer's sync phase by default).

    .. math::
        \begin{aligned} \theta &\leftarrow \theta + \mathrm{inner}(g) \quad \text{(every step)} \\
        \phi &\leftarrow \phi + \alpha\, (\theta - \phi),\ \ \theta \leftarrow \phi
        \quad \text{(every } k \text{ steps)} \end{aligned}

    References:
        Zhang et al., Lookahead Optimizer: k steps forward, 1 step back, NeurIPS 2019; torch-optimizer's
        Lookahead (used by the reference)
    """
    return transforms.lookahead(inner, k, alpha, first_step_sync=first_step_sync)


def sam(inner: optax.GradientTransformation, *, rho: ArrayLike = 0.05) -> optax.GradientTransformation:
    r"""SAM around ``inner`` (:func:`optax.contrib.sam`, opaque, one ascent step): the gradient at a worse point nearby.

    .. math::
        \epsilon_t = \rho\, \frac{g_t}{\|g_t\|}, \qquad
        \theta_{t+1} = \theta_t + \mathrm{inner}\left(\nabla f(\theta_t + \epsilon_t)\right)

    Every step costs two gradient evaluations (counted). The ascent gradient is clipped as the
    scene clips but gets no noise. The path shows only θ; the ascent points are not steps.
    ``ρ = 0.05`` is the paper's. The authors' code is in JAX and not on the package index;
    ``pytorch_optimizer.SAM`` (``adaptive=False``) takes the same steps, to its float32 gradient
    norm (1e-9 apart in float64).

    References:
        Foret et al., Sharpness-Aware Minimization for Efficiently Improving Generalization, ICLR 2021
    """
    ascent = optax.chain(optax.contrib.normalize(), optax.sgd(rho))
    tx = optax.contrib.sam(inner, ascent, sync_period=2, opaque_mode=True)
    return transforms.count_evaluations(tx, lambda old, new: 1)


ENTRIES = (
    Optimizer(
        id="lookahead",
        name="Lookahead",
        family="wrapper",
        params={
            "k": partial(
                IntParam, low=1, high=100, help="Fast steps between two syncs of the slow weights.", symbol="k"
            ),
            "alpha": partial(
                FloatParam, low=0.0, high=1.0, help="Slow step size; 1 recovers the inner optimizer.", symbol=r"\alpha"
            ),
            "first_step_sync": partial(
                BoolParam,
                help=(
                    "torch-optimizer's phase (the reference's): the slow weights are taken after the first fast "
                    "step and syncs follow steps 1, k+1, 2k+1, …. Off: the paper's and optax's, syncs after "
                    "steps k, 2k, … from the start point."
                ),
            ),
        },
        description="Wraps another optimizer: k fast steps, then the slow weights move part-way towards them.",
        factory=lookahead,
        equivalents=(
            Equivalent(
                TORCH_OPTIMIZER,
                "Lookahead",
                "optimizer = the inner one, k = k, alpha = α (first_step_sync on)",
            ),
            Equivalent(
                OPTAX,
                "lookahead",
                "fast_optimizer = the inner one, sync_period = k, slow_step_size = α, with first_step_sync off "
                "(and optax's slow/fast parameter pair)",
                params={"sync_period": "k", "slow_step_size": "alpha"},
                defaults={"first_step_sync": False},
            ),
        ),
    ),
    Optimizer(
        id="sam",
        name="SAM",
        family="wrapper",
        params={
            "rho": partial(
                FloatParam,
                low=0.0,
                high=10.0,
                help="ρ: how far uphill (along g/‖g‖) the gradient is taken; in the surface's units.",
                symbol=r"\rho",
            ),
        },
        description="Wraps another optimizer and feeds it the gradient at a point ρ uphill: prefers flat minima.",
        factory=sam,
        extra_args=("grad_fn",),
        passes_extra_args=False,
        equivalents=(
            Equivalent(
                "pytorch_optimizer",
                "SAM",
                "base_optimizer = the inner one's class (with its arguments), rho = ρ, adaptive = False",
                params={"base_optimizer": None, "adaptive": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "sam",
                "optimizer = the inner one, adv_optimizer = chain(normalize(), sgd(ρ)), sync_period = 2, "
                "opaque_mode = True",
                params={"adv_optimizer": None, "sync_period": None, "opaque_mode": None},
            ),
        ),
    ),
)
