"""Adam and kin: a momentum divided by a running root-mean-square of the gradient, bias-corrected.

Factories as in :mod:`optimizers.sgd`: the learning rate first, hyperparameters as keywords (any
may be traced), optax imported when a factory first runs.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from common.params import BoolParam, FloatParam
from common.registry import Equivalent, lazy_module
from optimizers._base import OPTAX, OPTAX_CONTRIB, TORCH, TORCH_OPTIMIZER, Optimizer

if TYPE_CHECKING:
    import optax
    from jax.typing import ArrayLike

    from optimizers import transforms
else:
    optax = lazy_module("optax")
    transforms = lazy_module("optimizers.transforms")


def adam(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.999, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""Adam, bias-corrected, ``ε`` outside the root, as ``torch.optim.Adam`` and :func:`optax.adam`.

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
        \end{aligned}

    ``β^t`` is kept as a running product (:func:`~optimizers.transforms.scale_by_adam_powers`), which
    is faster than optax's power when ``β`` differs across a batch.

    References:
        Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015; torch.optim.Adam
    """
    return optax.chain(transforms.scale_by_adam_powers(b1, b2, eps), optax.scale_by_learning_rate(learning_rate))


def yogi(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-3,
    initial_m: ArrayLike = 1e-6,
    initial_v: ArrayLike = 1e-6,
    bias_correction: ArrayLike = True,
) -> optax.GradientTransformation:
    r"""Yogi as torch-optimizer has it (the reference's): :func:`~optimizers.transforms.scale_by_yogi_ref`.

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= v_{t-1} - (1 - \beta_2)\, \operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2 \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
        \end{aligned}

    with ``m_0``, ``v_0`` the starting moments (torch-optimizer: 1e-6 each) and the bias correction
    switchable.

    References:
        Zaheer et al., Adaptive Methods for Nonconvex Optimization, NeurIPS 2018; torch-optimizer's Yogi
        (used by the reference)
    """
    return optax.chain(
        transforms.scale_by_yogi_ref(
            b1, b2, eps, initial_m=initial_m, initial_v=initial_v, bias_correction=bias_correction
        ),
        optax.scale_by_learning_rate(learning_rate),
    )


def adamw(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 0.01,
) -> optax.GradientTransformation:
    r"""AdamW as ``torch.optim.AdamW`` (torch's weight decay 0.01; :func:`optax.adamw`'s is 1e-4).

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\, \theta_t\right)

    with Adam's bias-corrected moments ``m̂``, ``v̂``; the decay is decoupled from the gradient and
    scaled by the learning rate, as in torch and optax.

    References:
        Loshchilov & Hutter, Decoupled Weight Decay Regularization, ICLR 2019; torch.optim.AdamW
    """
    return optax.chain(
        transforms.scale_by_adam_powers(b1, b2, eps),
        optax.add_decayed_weights(weight_decay),
        optax.scale_by_learning_rate(learning_rate),
    )


def adamax(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.999, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""AdaMax (:func:`optax.adamax`, the same as ``torch.optim.Adamax`` and its defaults).

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{1 - \beta_1^t}\, \frac{m_t}{u_t} \end{aligned}

    References:
        Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015, Section 7.1; torch.optim.Adamax
    """
    return optax.adamax(learning_rate, b1=b1, b2=b2, eps=eps)


def adamaxw(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 1e-4,
) -> optax.GradientTransformation:
    r"""AdaMax with decoupled weight decay (:func:`optax.adamaxw` and its defaults: torch has no AdaMaxW).

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \left(\frac{m_t}{(1 - \beta_1^t)\, u_t} + \lambda\, \theta_t\right),
        \quad u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)

    References:
        Loshchilov & Hutter, Decoupled Weight Decay Regularization, ICLR 2019; optax.adamaxw
    """
    return optax.adamaxw(learning_rate, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay)


def amsgrad(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.999, eps: ArrayLike = 1e-8
) -> optax.GradientTransformation:
    r"""AMSGrad as ``torch.optim.Adam(amsgrad=True)``: :func:`~optimizers.transforms.scale_by_amsgrad_torch`.

    .. math::
        \theta_{t+1} = \theta_t - \eta_t\,
        \frac{m_t / (1 - \beta_1^t)}{\sqrt{\max_{s \le t} v_s / (1 - \beta_2^t)} + \epsilon}

    torch keeps the maximum of the raw second moment and bias-corrects it afterwards;
    :func:`optax.amsgrad` keeps the maximum of the bias-corrected one, which is larger in the
    first steps (their paths differ early on).

    References:
        Reddi et al., On the Convergence of Adam and Beyond, ICLR 2018; torch.optim.Adam(amsgrad=True)
    """
    return optax.chain(transforms.scale_by_amsgrad_torch(b1, b2, eps), optax.scale_by_learning_rate(learning_rate))


def nadam(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    momentum_decay: ArrayLike = 4e-3,
) -> optax.GradientTransformation:
    r"""NAdam as ``torch.optim.NAdam``, with Dozat's momentum schedule (:func:`optax.nadam` has none).

    .. math::
        \begin{aligned} \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right) \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{\sqrt{\hat v_t} + \epsilon}
        \left(\frac{(1 - \mu_t)\, g_t}{1 - \prod_{i \le t} \mu_i}
        + \frac{\mu_{t+1}\, m_t}{1 - \prod_{i \le t+1} \mu_i}\right)
        \end{aligned}

    ``ψ`` (``momentum_decay``) large makes every ``μ_t = β₁``: that is :func:`optax.nadam`.
    :func:`~optimizers.transforms.scale_by_nadam_torch`.

    References:
        Dozat, Incorporating Nesterov Momentum into Adam, ICLR 2016 workshop; torch.optim.NAdam
    """
    return optax.chain(
        transforms.scale_by_nadam_torch(b1, b2, eps, momentum_decay), optax.scale_by_learning_rate(learning_rate)
    )


def nadamw(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    momentum_decay: ArrayLike = 4e-3,
    weight_decay: ArrayLike = 0.01,
) -> optax.GradientTransformation:
    r"""NAdamW: ``torch.optim.NAdam(decoupled_weight_decay=True)``, weight decay 0.01 as torch's AdamW.

    .. math::
        \theta_{t+1} = \theta_t (1 - \eta_t \lambda) - \frac{\eta_t}{\sqrt{\hat v_t} + \epsilon}
        \left(\frac{(1 - \mu_t)\, g_t}{1 - \prod_{i \le t} \mu_i}
        + \frac{\mu_{t+1}\, m_t}{1 - \prod_{i \le t+1} \mu_i}\right)

    torch's NAdam defaults its weight decay to 0 either way, which would make this NAdam; optax's
    :func:`optax.nadamw` uses 1e-4 and no momentum schedule.

    References:
        Dozat, Incorporating Nesterov Momentum into Adam, ICLR 2016 workshop; Loshchilov & Hutter, Decoupled
        Weight Decay Regularization, ICLR 2019; torch.optim.NAdam(decoupled_weight_decay=True)
    """
    return optax.chain(
        transforms.scale_by_nadam_torch(b1, b2, eps, momentum_decay),
        optax.add_decayed_weights(weight_decay),
        optax.scale_by_learning_rate(learning_rate),
    )


def radam(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
    threshold: ArrayLike = 5.0,
) -> optax.GradientTransformation:
    r"""RAdam (:func:`optax.radam`, torch's defaults; ``torch.optim.RAdam`` fixes the threshold at 5).

    .. math::
        \begin{aligned} \rho_t &= \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t}, \quad
        \rho_\infty = \frac{2}{1 - \beta_2} - 1, \quad
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
        \theta_{t+1} &= \theta_t - \eta_t
        \begin{cases} r_t\, \hat m_t / (\sqrt{\hat v_t} + \epsilon) & \rho_t \ge \rho_{\min} \\
        \hat m_t & \text{otherwise} \end{cases} \end{aligned}

    torch adds ``ε`` to ``√v`` before the bias correction (``√(1 − β₂ᵗ)/(√v + ε)``), optax after
    it; with ``ε = 0`` the two agree exactly, with 1e-8 to about 1e-7 relative.

    References:
        Liu et al., On the Variance of the Adaptive Learning Rate and Beyond, ICLR 2020; torch.optim.RAdam
    """
    return optax.radam(learning_rate, b1=b1, b2=b2, eps=eps, threshold=threshold)


def adabelief(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-16,
    eps_root: ArrayLike = 1e-16,
    rectify: ArrayLike = True,
) -> optax.GradientTransformation:
    r"""AdaBelief as the authors' ``adabelief_pytorch.AdaBelief`` (0.2.1, its defaults): Adam whose second moment is
    the variance of ``g`` around ``m``, rectified as RAdam.

    .. math::
        \begin{aligned} s_t &= \beta_2 s_{t-1} + (1 - \beta_2)(g_t - m_t)^2 + \epsilon' \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{\hat m_t}{\sqrt{s_t / (1 - \beta_2^t)} + \epsilon}
        \quad (\text{rectified: } r_t \sqrt{1 - \beta_2^t}\, \hat m_t / (\sqrt{s_t} + \epsilon)
        \text{, or } \hat m_t \text{ while } \rho_t < 5) \end{aligned}

    torch has no AdaBelief, so the defaults are the authors' package's: ``rectify=True`` adds
    RAdam's rectification (:func:`~optimizers.transforms.scale_by_belief_ref`): the first five steps
    are plain momentum steps ``η m̂``, as long as the gradient is large, then the adaptive step
    times RAdam's ``r_t``. :func:`optax.adabelief` (and the paper's Algorithm 1) is
    ``rectify=False``. The package's single ``eps`` is both ``ε`` and ``ε'`` here.

    References:
        Zhuang et al., AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients, NeurIPS 2020;
        adabelief-pytorch 0.2.1
    """
    return optax.chain(
        transforms.scale_by_belief_ref(b1, b2, eps, eps_root, rectify=rectify),
        optax.scale_by_learning_rate(learning_rate),
    )


def adan(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.98,
    b2: ArrayLike = 0.92,
    b3: ArrayLike = 0.99,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""Adan as the authors' code computes it (their defaults, written as ``β = 1 − β_{\text{paper}}``).

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        d_t = \beta_2 d_{t-1} + (1 - \beta_2)(g_t - g_{t-1}) \\
        n_t &= \beta_3 n_{t-1} + (1 - \beta_3)\left(g_t + \beta_2 (g_t - g_{t-1})\right)^2 \\
        \theta_{t+1} &= \theta_t - \eta_t \left(\frac{\hat m_t + \beta_2 \hat d_t}{\sqrt{\hat n_t} + \epsilon}
        + \lambda \theta_t\right) \end{aligned}

    torch has no Adan, so this is the authors' (sail-sg/Adan, the paper's Algorithm 1; checked
    against ``pytorch_optimizer.Adan``): :func:`~optimizers.transforms.scale_by_adan_ref`.
    :func:`optax.adan` (0.2.8) weights the gradient difference by ``1 − β₂ = 0.08`` where the
    authors weight it by ``β₂ = 0.92`` (it mixes the paper's ``β`` with its own decay convention),
    and adds ``10⁻⁸`` under the root: its Nesterov correction is 11.5 times weaker. The weight
    decay is decoupled (``θ(1 − ηλ)``); the authors' default is the proximal ``θ/(1 + ηλ)``,
    the same to first order. lucidrains' ``adan-pytorch`` (0.1.0) leaves out the first gradient
    (it does not move at the first step) and is not this algorithm's reference.

    References:
        Xie et al., Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing Deep Models, TPAMI 2024
    """
    return optax.chain(
        transforms.scale_by_adan_ref(b1, b2, b3, eps),
        optax.add_decayed_weights(weight_decay),
        optax.scale_by_learning_rate(learning_rate),
    )


def ademamix(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    b3: ArrayLike = 0.9999,
    alpha: ArrayLike = 5.0,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""AdEMAMix (:func:`optax.contrib.ademamix`): Adam with a second, much slower momentum added in.

    .. math::
        \begin{aligned} m^{(1)}_t &= \beta_1 m^{(1)}_{t-1} + (1 - \beta_1) g_t, \quad
        m^{(2)}_t = \beta_3 m^{(2)}_{t-1} + (1 - \beta_3) g_t \\
        \theta_{t+1} &= \theta_t - \eta_t \left(\frac{\hat m^{(1)}_t + \alpha\, m^{(2)}_t}{\sqrt{\hat v_t} + \epsilon}
        + \lambda \theta_t\right) \end{aligned}

    The slow EMA is not bias-corrected. No warm-up of ``α`` and ``β₃`` (the paper's, for long
    runs): set them to the run's scale instead.

    References:
        Pagliardini et al., The AdEMAMix Optimizer: Better, Faster, Older, ICLR 2025
    """
    return optax.contrib.ademamix(learning_rate, b1=b1, b2=b2, b3=b3, alpha=alpha, eps=eps, weight_decay=weight_decay)


def simplified_ademamix(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.99,
    b2: ArrayLike = 0.95,
    alpha: ArrayLike = 0.0,
    eps: ArrayLike = 1e-8,
    weight_decay: ArrayLike = 0.0,
) -> optax.GradientTransformation:
    r"""Simplified AdEMAMix (:func:`optax.contrib.simplified_ademamix`): one slow, undamped momentum plus ``α g``.

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + g_t \\
        \theta_{t+1} &= \theta_t
        - \eta_t \left(\frac{\alpha\, g_t + m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda \theta_t\right)
        \end{aligned}

    References:
        Morwani et al., Connections between Schedule-Free Optimizers, AdEMAMix, and Accelerated SGD Variants, 2025
    """
    return optax.contrib.simplified_ademamix(
        learning_rate, b1=b1, b2=b2, alpha=alpha, eps=eps, weight_decay=weight_decay
    )


def adopt(
    learning_rate: optax.ScalarOrSchedule, *, b1: ArrayLike = 0.9, b2: ArrayLike = 0.9999, eps: ArrayLike = 1e-6
) -> optax.GradientTransformation:
    r"""ADOPT (:func:`optax.contrib.adopt`, the authors' defaults): normalise by the previous ``v``, then average.

    .. math::
        \begin{aligned} m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\,
        \operatorname{clip}\left(\frac{g_t}{\max(\sqrt{v_{t-1}}, \epsilon)}, t^{1/4}\right) \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \quad v_0 = g_0^2, \quad
        \theta_{t+1} = \theta_t - \eta_t\, m_t \end{aligned}

    The first update only sets ``v_0``: the point stays where it is.

    References:
        Taniguchi et al., ADOPT: Modified Adam Can Converge with Any β2 with the Optimal Rate, NeurIPS 2024
    """
    return optax.contrib.adopt(learning_rate, b1=b1, b2=b2, eps=eps)


def acprop(
    learning_rate: optax.ScalarOrSchedule,
    *,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-16,
    eps_root: ArrayLike = 1e-16,
) -> optax.GradientTransformation:
    r"""ACProp as :func:`optax.contrib.acprop` has it: the gradient over the *previous* belief ``s_{t-1}``.

    .. math::
        \begin{aligned} s_t &= \beta_2 s_{t-1} + (1 - \beta_2)(g_t - m_{t-1})^2 + \epsilon' \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{g_t}{\sqrt{s_{t-1} / (1 - \beta_2^{t-1})} + \epsilon}
        \quad (\text{the first step: } \theta_1 = \theta_0 - \eta_0 g_0) \end{aligned}

    optax 0.2.8 divides the raw gradient (the paper's Algorithm 2 divides the momentum ``m_t``)
    and centres the belief on ``m_{t−1}``; its ``m`` is kept but unused.

    References:
        Zhuang et al., Momentum Centering and Asynchronous Update for Adaptive Gradient Methods, NeurIPS 2021
    """
    return optax.contrib.acprop(learning_rate, b1=b1, b2=b2, eps=eps, eps_root=eps_root)


def optimistic_adam(
    learning_rate: optax.ScalarOrSchedule,
    *,
    alpha: ArrayLike = 1.0,
    beta: ArrayLike = 1.0,
    b1: ArrayLike = 0.9,
    b2: ArrayLike = 0.999,
    eps: ArrayLike = 1e-8,
) -> optax.GradientTransformation:
    r"""Optimistic Adam (:func:`optax.optimistic_adam_v2`, which takes a schedule; Nesterov's Adam direction as optax).

    .. math::
        \theta_{t+1} = \theta_t - \eta_t \left((\alpha + \beta)\, u_t - \beta\, u_{t-1}\right), \quad
        u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    ``α = β = 1`` is Daskalakis et al.'s ``2u_t − u_{t−1}``.

    References:
        Daskalakis et al., Training GANs with Optimism, ICLR 2018
    """
    return optax.optimistic_adam_v2(learning_rate, alpha=alpha, beta=beta, b1=b1, b2=b2, eps=eps)


_BETA1 = partial(
    FloatParam, low=0.0, high=0.9999, help="Decay of the first moment (gradient average).", symbol=r"\beta_1"
)
_BETA2 = partial(FloatParam, low=0.0, high=0.99999, help="Decay of the second moment.", symbol=r"\beta_2")
_EPS_HELP = "Added to √v̂ (outside the root)."
_EPS = partial(FloatParam, low=1e-16, high=1e-1, log=True, help=_EPS_HELP, symbol=r"\epsilon")
_DECAY = partial(
    FloatParam,
    low=0.0,
    high=1.0,
    help="Decoupled weight decay: each step also shrinks θ by η·λ·θ (towards the origin of the surface).",
    symbol=r"\lambda",
)
_BELIEF_EPS_ROOT = partial(
    FloatParam,
    low=0.0,
    high=1e-2,
    help="Added to the belief s at every step (and kept in it), as the authors' code does.",
    symbol=r"\epsilon'",
)

ENTRIES = (
    Optimizer(
        id="adam",
        name="Adam",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": partial(FloatParam, low=1e-12, high=1e-1, log=True, help=_EPS_HELP, symbol=r"\epsilon"),
        },
        description="Momentum divided by a running root-mean-square of the gradient, bias-corrected.",
        factory=adam,
        equivalents=(
            Equivalent(TORCH, "Adam", "lr = η, betas = (β_1, β_2), eps = ε"),
            Equivalent(OPTAX, "adam", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε"),
        ),
    ),
    Optimizer(
        id="yogi",
        name="Yogi",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": partial(FloatParam, low=1e-12, high=1.0, log=True, help=_EPS_HELP, symbol=r"\epsilon"),
            "initial_m": partial(
                FloatParam,
                low=0.0,
                high=1e-2,
                help=(
                    "Starting first moment. The reference (torch-optimizer) starts it at 1e-6, most other "
                    "implementations at 0; a nonzero start lets Yogi leave a line where the gradient is exactly 0 "
                    "(y = 0 on x² − y²)."
                ),
                symbol="m_0",
            ),
            "initial_v": partial(
                FloatParam, low=0.0, high=1e-2, help="Starting second moment (the reference: 1e-6).", symbol="v_0"
            ),
            "bias_correction": partial(
                BoolParam, help="Divide the moments by 1 − βᵗ (torch-optimizer does, even with m₀ ≠ 0).", symbol=""
            ),
        },
        description="Adam whose second moment moves additively, by the sign of v − g², so it grows slowly.",
        factory=yogi,
        equivalents=(
            Equivalent(
                TORCH_OPTIMIZER,
                "Yogi",
                "lr = η, betas = (β_1, β_2), eps = ε, initial_accumulator = m_0 = v_0 (torch-optimizer's 1e-6)",
            ),
            Equivalent(
                OPTAX,
                "yogi",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε; both moments start at 1e-6 (m_0 = v_0 = 1e-6, "
                "bias-corrected)",
            ),
        ),
    ),
    Optimizer(
        id="adamw",
        name="AdamW",
        family="adam",
        params={"b1": _BETA1, "b2": _BETA2, "eps": _EPS, "weight_decay": _DECAY},
        description="Adam whose weight decay shrinks the point directly instead of entering the gradient.",
        factory=adamw,
        equivalents=(
            Equivalent(TORCH, "AdamW", "lr = η, betas = (β_1, β_2), eps = ε, weight_decay = λ"),
            Equivalent(
                OPTAX,
                "adamw",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ (optax's default 1e-4)",
                defaults={"weight_decay": 1e-4},
            ),
        ),
    ),
    Optimizer(
        id="adamax",
        name="AdaMax",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": partial(
                FloatParam, low=0.0, high=0.99999, help="Decay of the running maximum of |g|.", symbol=r"\beta_2"
            ),
            "eps": partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Added to |g|.", symbol=r"\epsilon"),
        },
        description="Adam with the running maximum of |g| (the ∞-norm) in place of the root-mean-square.",
        factory=adamax,
        equivalents=(
            Equivalent(TORCH, "Adamax", "lr = η, betas = (β_1, β_2), eps = ε"),
            Equivalent(OPTAX, "adamax", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε"),
        ),
    ),
    Optimizer(
        id="adamaxw",
        name="AdaMaxW",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": partial(
                FloatParam, low=0.0, high=0.99999, help="Decay of the running maximum of |g|.", symbol=r"\beta_2"
            ),
            "eps": partial(FloatParam, low=1e-16, high=1e-1, log=True, help="Added to |g|.", symbol=r"\epsilon"),
            "weight_decay": _DECAY,
        },
        description="AdaMax with decoupled weight decay.",
        factory=adamaxw,
        equivalents=(Equivalent(OPTAX, "adamaxw", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ"),),
    ),
    Optimizer(
        id="amsgrad",
        name="AMSGrad",
        family="adam",
        params={"b1": _BETA1, "b2": _BETA2, "eps": _EPS},
        description="Adam whose denominator never shrinks: the largest second moment so far (torch's form).",
        factory=amsgrad,
        equivalents=(
            Equivalent(
                TORCH,
                "Adam",
                "lr = η, betas = (β_1, β_2), eps = ε, amsgrad = True",
                select={"amsgrad": True},
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "amsgrad",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε; optax keeps the maximum of the bias-corrected v "
                "(longer first steps differ)",
            ),
        ),
    ),
    Optimizer(
        id="nadam",
        name="NAdam",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
            "momentum_decay": partial(
                FloatParam,
                low=1e-4,
                high=1e6,
                log=True,
                help="ψ: how fast the momentum μ_t grows from β₁/2 to β₁ (torch 0.004; large: optax's NAdam).",
                symbol=r"\psi",
            ),
        },
        description="Adam with a Nesterov look-ahead and a slowly growing momentum (torch's form).",
        factory=nadam,
        equivalents=(
            Equivalent(TORCH, "NAdam", "lr = η, betas = (β_1, β_2), eps = ε, momentum_decay = ψ"),
            Equivalent(
                OPTAX,
                "nadam",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε; no momentum schedule (ψ = 1e6: every μ_t = β_1)",
                defaults={"momentum_decay": 1e6},
            ),
        ),
    ),
    Optimizer(
        id="nadamw",
        name="NAdamW",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
            "momentum_decay": partial(
                FloatParam,
                low=1e-4,
                high=1e6,
                log=True,
                help="ψ: how fast the momentum μ_t grows from β₁/2 to β₁ (torch 0.004; large: optax's NAdamW).",
                symbol=r"\psi",
            ),
            "weight_decay": _DECAY,
        },
        description="NAdam with decoupled weight decay.",
        factory=nadamw,
        equivalents=(
            Equivalent(
                TORCH,
                "NAdam",
                "lr = η, betas = (β_1, β_2), eps = ε, momentum_decay = ψ, weight_decay = λ (torch's default 0), "
                "decoupled_weight_decay = True",
                select={"decoupled_weight_decay": True},
                defaults={"weight_decay": 0.0},
                alias=False,
            ),
            Equivalent(
                OPTAX,
                "nadamw",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, weight_decay = λ (optax's 1e-4); no momentum schedule "
                "(ψ = 1e6)",
                defaults={"momentum_decay": 1e6, "weight_decay": 1e-4},
            ),
        ),
    ),
    Optimizer(
        id="radam",
        name="RAdam",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
            "threshold": partial(
                FloatParam,
                low=2.0,
                high=100.0,
                help="ρ_min: below it (the first steps) RAdam takes plain momentum steps (torch: 5).",
                symbol=r"\rho_{\min}",
            ),
        },
        description="Adam that takes plain momentum steps until the variance of v̂ is small enough, then rectifies.",
        factory=radam,
        equivalents=(
            Equivalent(
                TORCH,
                "RAdam",
                "lr = η, betas = (β_1, β_2), eps = ε (torch adds it before the bias correction: equal at ε = 0), "
                "ρ_min = 5",
            ),
            Equivalent(OPTAX, "radam", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, threshold = ρ_min"),
        ),
    ),
    Optimizer(
        id="adabelief",
        name="AdaBelief",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": partial(
                FloatParam, low=0.0, high=0.99999, help="Decay of the belief s (variance around m).", symbol=r"\beta_2"
            ),
            "eps": _EPS,
            "eps_root": _BELIEF_EPS_ROOT,
            "rectify": partial(
                BoolParam,
                help=(
                    "RAdam's rectification (the authors' package: on): momentum steps η·m̂ of the gradient's own size "
                    "for the first 5 steps, then the adaptive step scaled by r_t. Off: the paper's Algorithm 1 and "
                    "optax's adabelief."
                ),
            ),
        },
        description="Adam whose step shrinks where the gradient departs from its average, not where it is large.",
        factory=adabelief,
        equivalents=(
            Equivalent(
                "adabelief_pytorch",
                "AdaBelief",
                "lr = η, betas = (β_1, β_2), eps = ε = ε', rectify = rectify (weight_decay = 0)",
            ),
            Equivalent(
                OPTAX,
                "adabelief",
                "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, eps_root = ε', not rectified",
                defaults={"rectify": False},
            ),
        ),
    ),
    Optimizer(
        id="adan",
        name="Adan",
        family="adam",
        params={
            "b1": partial(FloatParam, low=0.0, high=0.9999, help="Decay of the gradient average m.", symbol=r"\beta_1"),
            "b2": partial(
                FloatParam, low=0.0, high=0.9999, help="Decay of the gradient-difference average d.", symbol=r"\beta_2"
            ),
            "b3": partial(FloatParam, low=0.0, high=0.99999, help="Decay of the second moment n.", symbol=r"\beta_3"),
            "eps": _EPS,
            "weight_decay": _DECAY,
        },
        description="Adam with a Nesterov estimate from the change of the gradient between steps.",
        factory=adan,
        equivalents=(
            Equivalent(
                "pytorch_optimizer",
                "Adan",
                "lr = η, betas = (β_1, β_2, β_3), eps = ε, weight_decay = λ, weight_decouple = True",
                params={"weight_decouple": None, "betas": None},
            ),
            Equivalent(
                OPTAX,
                "adan",
                "learning_rate = η, b1 = β_1, b2 = β_2, b3 = β_3, eps = ε, weight_decay = λ; optax weights the "
                "gradient difference by 1 − β_2, the authors by β_2",
            ),
        ),
    ),
    Optimizer(
        id="ademamix",
        name="AdEMAMix",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "b3": partial(
                FloatParam,
                low=0.0,
                high=0.999999,
                help="Decay of the slow momentum (0.9999: it remembers ~10,000 steps).",
                symbol=r"\beta_3",
            ),
            "alpha": partial(FloatParam, low=0.0, high=50.0, help="Weight of the slow momentum.", symbol=r"\alpha"),
            "eps": _EPS,
            "weight_decay": _DECAY,
        },
        description="Adam plus a second, very slow momentum that keeps old gradients in play.",
        factory=ademamix,
        equivalents=(
            Equivalent(
                "pytorch_optimizer",
                "AdEMAMix",
                "lr = η, betas = (β_1, β_2, β_3), alpha = α, eps = ε, weight_decay = λ (no warm-up of α, β_3)",
                params={"betas": None},
            ),
            Equivalent(
                OPTAX_CONTRIB,
                "ademamix",
                "learning_rate = η, b1 = β_1, b2 = β_2, b3 = β_3, alpha = α, eps = ε, weight_decay = λ",
            ),
        ),
    ),
    Optimizer(
        id="simplified_ademamix",
        name="Simplified AdEMAMix",
        family="adam",
        params={
            "b1": partial(
                FloatParam, low=0.0, high=0.9999, help="Decay of the undamped momentum sum m.", symbol=r"\beta_1"
            ),
            "b2": _BETA2,
            "alpha": partial(FloatParam, low=0.0, high=100.0, help="Weight of the current gradient.", symbol=r"\alpha"),
            "eps": _EPS,
            "weight_decay": _DECAY,
        },
        description="One slow momentum sum plus α times the gradient, over Adam's denominator.",
        factory=simplified_ademamix,
        equivalents=(
            Equivalent(
                OPTAX_CONTRIB,
                "simplified_ademamix",
                "learning_rate = η, b1 = β_1, b2 = β_2, alpha = α, eps = ε, weight_decay = λ",
            ),
        ),
    ),
    Optimizer(
        id="adopt",
        name="ADOPT",
        family="adam",
        params={
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": partial(
                FloatParam,
                low=1e-16,
                high=1e-1,
                log=True,
                help="Floor of √v (a maximum, not a sum).",
                symbol=r"\epsilon",
            ),
        },
        description="Adam reordered: normalise by the previous second moment, clip, then average; stays put at step 0.",
        factory=adopt,
        equivalents=(
            Equivalent("pytorch_optimizer", "ADOPT", "lr = η, betas = (β_1, β_2), eps = ε"),
            Equivalent(OPTAX_CONTRIB, "adopt", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε (use_clipping = True)"),
        ),
    ),
    Optimizer(
        id="acprop",
        name="ACProp",
        family="adam",
        params={
            "b1": partial(
                FloatParam,
                low=0.0,
                high=0.9999,
                help="Decay of the average m the belief is centred on.",
                symbol=r"\beta_1",
            ),
            "b2": partial(FloatParam, low=0.0, high=0.99999, help="Decay of the belief s.", symbol=r"\beta_2"),
            "eps": _EPS,
            "eps_root": _BELIEF_EPS_ROOT,
        },
        description="AdaBelief's belief, but the step uses the previous one (asynchronous), as optax has it.",
        factory=acprop,
        equivalents=(
            Equivalent(OPTAX_CONTRIB, "acprop", "learning_rate = η, b1 = β_1, b2 = β_2, eps = ε, eps_root = ε'"),
        ),
    ),
    Optimizer(
        id="optimistic_adam",
        name="Optimistic Adam",
        family="adam",
        params={
            "alpha": partial(FloatParam, low=0.0, high=10.0, help="Weight of the current Adam step.", symbol=r"\alpha"),
            "beta": partial(
                FloatParam,
                low=0.0,
                high=10.0,
                help="Optimism: weight of the correction by the last step.",
                symbol=r"\beta",
            ),
            "b1": _BETA1,
            "b2": _BETA2,
            "eps": _EPS,
        },
        description="Adam that extrapolates: twice the current step minus the previous one (for min-max games).",
        factory=optimistic_adam,
        equivalents=(
            Equivalent(
                OPTAX, "optimistic_adam_v2", "learning_rate = η, alpha = α, beta = β, b1 = β_1, b2 = β_2, eps = ε"
            ),
        ),
    ),
)
