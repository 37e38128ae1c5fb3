"""Sweeps and checks on top of the engine: the reference's LR search in one batch, basins of attraction,
hyperparameter maps, and Section 4.1's claims (C1–C14 of Liu & Zhang 2023) checked live.

Data only (NamedTuples of numpy arrays): :mod:`figures.sweeps` and :mod:`figures.claims` draw them; nothing
here imports Plotly or Streamlit. Every sweep enforces its own budget before any work (:class:`BudgetError`)
and reports progress through an optional ``progress(fraction, text)`` callback.
"""

from analysis.basins import Basins, basins, cell_of, start_at
from analysis.batching import BudgetError
from analysis.claims import CLAIMS, Claim, Verdict, check, check_all, claims_table
from analysis.hparams import HParamMap, apply_setting, hparam_map, setting_at
from analysis.lrsearch import LRSearch, apply, lr_search

__all__ = [
    "CLAIMS",
    "Basins",
    "BudgetError",
    "Claim",
    "HParamMap",
    "LRSearch",
    "Verdict",
    "apply",
    "apply_setting",
    "basins",
    "cell_of",
    "check",
    "check_all",
    "claims_table",
    "hparam_map",
    "lr_search",
    "setting_at",
    "start_at",
]
