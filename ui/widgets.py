"""Controls built from parameter specs: adding an entry to a registry adds its widgets here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from common.params import (
    BoolParam,
    ChoiceParam,
    FloatListParam,
    FloatParam,
    FormulaParam,
    IntParam,
    StepsListParam,
    StepsParam,
)
from ui.labels import grouped_choices


def _label(name: str, spec: Any) -> str:
    symbol = getattr(spec, "symbol", "")
    return f"{name} (${symbol}$)" if symbol else name


# Six significant digits, in plain or scientific notation as the value needs: 100 (not 1.000e+2),
# 0.5 (not 5.000e-1), 0.99999, 1e-08.
NUMBER_FORMAT = "%.6g"


def _float_format(spec: FloatParam) -> str:
    del spec  # one format fits every range: %g picks the notation by the value
    return NUMBER_FORMAT


def param_widget(container: Any, name: str, spec: Any, key: str, total_steps: int) -> Any:
    """One widget for one parameter; its value lives in ``st.session_state[key]``."""
    label, help_text = _label(name, spec), spec.help or None
    if key not in st.session_state:
        st.session_state[key] = None if isinstance(spec, StepsParam) else _initial(spec)
    if isinstance(spec, FloatParam):
        step = None if spec.log else (spec.high - spec.low) / 1000
        return container.number_input(
            label,
            min_value=spec.low,
            max_value=spec.high,
            step=step,
            format=_float_format(spec),
            key=key,
            help=help_text,
        )
    if isinstance(spec, IntParam):
        return container.number_input(label, min_value=spec.low, max_value=spec.high, step=1, key=key, help=help_text)
    if isinstance(spec, StepsParam):
        auto = spec.default_steps(total_steps)
        return container.number_input(
            label,
            min_value=spec.low,
            max_value=spec.high,
            step=1,
            key=key,
            placeholder=f"auto: {auto} ({spec.fraction:g}·T)",
            help=(help_text or "") + " Empty: scales with T.",
        )
    if isinstance(spec, StepsListParam):
        auto = "/".join(str(s) for s in spec.default_steps(total_steps))
        return container.text_input(
            label, key=key, placeholder=f"auto: {auto}", help=(help_text or "") + " Steps separated by '/'."
        )
    if isinstance(spec, FloatListParam):
        return container.text_input(label, key=key, help=(help_text or "") + " Numbers separated by '/'.")
    if isinstance(spec, BoolParam):
        return container.checkbox(label, key=key, help=help_text)
    if isinstance(spec, ChoiceParam):
        return container.selectbox(label, spec.choices, key=key, help=help_text)
    if isinstance(spec, FormulaParam):
        return formula_input(container, name, spec, key)
    raise TypeError(f"no widget for {type(spec).__name__}")


def formula_input(container: Any, name: str, spec: FormulaParam, key: str) -> str:
    """A formula box as wide as its container, a few lines high, so that a long formula stays readable."""
    if key not in st.session_state:
        st.session_state[key] = spec.default
    return container.text_area(
        f"{name.capitalize()} in {', '.join(spec.variables)}",
        key=key,
        height=68,
        max_chars=spec.max_len,
        help=(spec.help or "") + " Press Ctrl+Enter (⌘+Enter) or click outside the box to apply.",
    )


def _initial(spec: Any) -> Any:
    if isinstance(spec, FloatListParam):
        return "/".join(f"{v:g}" for v in spec.default)
    if isinstance(spec, StepsListParam):
        return ""
    return spec.default


def param_widgets(
    container: Any, specs: Mapping[str, Any], key: Callable[[str], str], total_steps: int, columns: int = 2
) -> None:
    """All of an entry's parameters, laid out in columns."""
    if not specs:
        container.caption("No parameters.")
        return
    cols = container.columns(columns)
    for index, (name, spec) in enumerate(specs.items()):
        param_widget(cols[index % columns], name, spec, key(name), total_steps)


def registry_select(
    container: Any,
    label: str,
    registry: Mapping[str, Any],
    key: str,
    *,
    families: Sequence[str] | Mapping[str, str] | None = None,
    **options: Any,
) -> str:
    """A picker of one registry entry; its value (``st.session_state[key]``) is the entry's id.

    Entries that have a ``family`` are grouped by it (``ui.labels.grouped_choices``): Streamlit's
    selectbox has no option groups, so each label carries its family (``Cyclical · SGDR (equal
    periods)``), the list runs family by family, and typing a family's name filters to it.
    """
    ids, labels = grouped_choices(registry, families)
    return container.selectbox(label, ids, format_func=labels.__getitem__, key=key, **options)
