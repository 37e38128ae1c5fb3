"""Matrix-aware optimizers: updates shaped by a weight matrix as a whole, not coordinate by coordinate.

They mean something on a network (:mod:`tasks`), whose weight matrices are 2-D leaves of the parameters; on a
2-D surface the point is one vector, which they treat as a vector (Muon hands it to AdamW). Factories as in
:mod:`optimizers.sgd`: the learning rate first, hyperparameters as keywords (numbers may be traced), optax
imported when a factory first runs.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import FloatParam
from common.registry import lazy_module
from optimizers._base import Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike
else:
    optax = lazy_module("optax")
    contrib = lazy_module("optax.contrib")

NS_STEPS = 5  # Newton–Schulz iterations: optax's default; fixed, as optax unrolls the loop (a compile-time count)


def muon(
    learning_rate: optax.ScalarOrSchedule,
    *,
    beta: ArrayLike = 0.95,
    weight_decay: ArrayLike = 0.0,
    adam_b1: ArrayLike = 0.9,
    adam_b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
) -> optax.GradientTransformation:
    r"""Muon, as :func:`optax.contrib.muon`: the momentum of each weight matrix, orthogonalised.

    .. math::
        \begin{aligned} M_t &= \beta M_{t-1} + (1 - \beta)\, G_t, \quad
        B_t = \beta \hat M_t + (1 - \beta)\, G_t \\
        O_t &= \operatorname{NS}_5\!\left(B_t / \lVert B_t \rVert_F\right) \approx U V^\top
        \ \text{for}\ B_t = U \Sigma V^\top \\
        W_{t+1} &= W_t - \eta_t \left(\sqrt{\max(1, n_\text{out} / n_\text{in})}\; O_t + \lambda W_t\right)
        \end{aligned}

    ``M̂``: the bias-corrected momentum, ``B``: its Nesterov look-ahead (optax's default, fixed here: optax
    decides it while building the program, and every hyperparameter here may be a traced number). ``NS₅``:
    five Newton–Schulz iterations (optax's coefficients) that push every singular value of the normalised
    momentum towards 1, so each step moves every direction of the matrix equally; ``n_in × n_out`` is the
    matrix's shape (rows are inputs, as :mod:`tasks.models` stores them). The parameters that are not matrices
    (biases; a surface's point) follow AdamW with ``adam_b1``, ``adam_b2``, ``eps`` and the same LR, as in optax.

    References:
        Jordan et al., Muon: An optimizer for hidden layers in neural networks, 2024
        <https://kellerjordan.github.io/posts/muon/>; Bernstein & Newhouse, Old Optimizer, New Norm: An
        Anthology, 2024 <https://arxiv.org/abs/2409.20325>; optax.contrib.muon
    """
    return contrib.muon(
        learning_rate,
        ns_steps=NS_STEPS,
        beta=beta,
        eps=eps,
        weight_decay=weight_decay,
        nesterov=True,
        adam_b1=adam_b1,
        adam_b2=adam_b2,
    )


ENTRIES = (
    Optimizer(
        id="muon",
        name="Muon",
        family="matrix",
        params={
            "beta": partial(FloatParam, low=0.0, high=0.999, help="Decay of the momentum.", symbol=r"\beta"),
            "weight_decay": partial(
                FloatParam, low=0.0, high=1.0, help="Decoupled decay of the weight matrices.", symbol=r"\lambda"
            ),
            "adam_b1": partial(
                FloatParam, low=0.0, high=0.9999, help="AdamW's β₁ for the biases (and a surface's point).", symbol=""
            ),
            "adam_b2": partial(FloatParam, low=0.0, high=0.99999, help="AdamW's β₂ for the biases.", symbol=""),
            "eps": partial(
                FloatParam, low=1e-12, high=1e-1, log=True, help="Guards the normalisations.", symbol=r"\epsilon"
            ),
        },
        description=(
            "Orthogonalises each weight matrix's momentum, so every direction of the matrix moves equally; "
            "biases and a surface's point follow AdamW."
        ),
        factory=muon,
    ),
)
