"""The power schedule of AdaDec and AdaMix (seed 004), usable on its own.

References:
  He & Li, A combinatory form learning rate scheduling for deep learning model, Acta Automatica
  Sinica 42(6), 2016, eq. 15; Senior et al., An empirical study of learning rates in deep
  neural networks for speech recognition, ICASSP 2013.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from common.params import FloatParam, StepsParam
from schedules._base import Schedule, as_steps, full


def power_lr(k: ArrayLike, total_steps: int, lr: ArrayLike, *, horizon: int, power: float = 0.75) -> np.ndarray:
    r"""Power decay: AdaDec's numerator, and AdaMix's bias learning rate.

    .. math::
        \eta_k = \eta_0 \left(1 + \frac{k}{R}\right)^{-q}

    where :math:`R` is the maximum number of iterations (``T`` by default) and :math:`q = 0.75`.

    References:
      He & Li, A combinatory form learning rate scheduling for deep learning model, Acta Automatica Sinica 2016,
      doi:10.16383/j.aas.2016.c150681
    """
    del total_steps
    return full(lr * (1.0 + as_steps(k) / horizon) ** (-power), k, lr)


ENTRIES = (
    Schedule(
        id="power_lr",
        name="Power (AdaDec numerator)",
        family="adaptive",
        params={
            "horizon": StepsParam(
                fraction=1.0, help="Steps R over which the LR falls by 2^q (the run length)", symbol="R"
            ),
            "power": partial(FloatParam, low=0.0, high=10.0, help="Exponent q of the decay", symbol="q"),
        },
        description="η0(1 + k/T)^(−0.75): a gentle decay to ≈ 0.6·η0 at the end of the run (seed 004, eq. 15).",
        fn=power_lr,
    ),
)
