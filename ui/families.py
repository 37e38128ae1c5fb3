"""The sidebar's "Add family": every optimizer (or schedule) of one family in one step.

:func:`family_adder` draws a family picker and a button under a section's "Add …" button; the click adds
every entry of the family that the page does not show yet, in new slots, or, when they do not fit (the
page's slots, ``ui.state.MAX_SLOTS``, and its trajectories, ``engine.scene.MAX_PAGE_TRAJECTORIES``), adds
nothing and says why. :func:`plan` is the decision, with no Streamlit: it reads the widget values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

import streamlit as st

import optimizers
import schedules
from engine.scene import MAX_OPTIMIZERS, MAX_PAGE_TRAJECTORIES, MAX_SCHEDULES
from ui import state as ui_state

Kind = Literal["opt", "sched"]
_WORDS = {"opt": ("optimizer", "optimizers"), "sched": ("schedule", "schedules")}


def _registry(kind: Kind) -> tuple[Mapping[str, Any], Mapping[str, str]]:
    if kind == "opt":
        return optimizers.OPTIMIZERS, optimizers.FAMILIES
    return schedules.SCHEDULES, schedules.FAMILIES


def members(kind: Kind, family: str) -> list[str]:
    """The ids of the family's entries, in the registry's order."""
    registry, _ = _registry(kind)
    return [key for key, entry in registry.items() if entry.family == family]


class Plan(NamedTuple):
    """What "Add family" does: the ids it adds (empty: nothing), and the words that say so."""

    add: list[str]
    message: str
    ok: bool  # False: the family does not fit, ``message`` says why and what to do


def plan(kind: Kind, family: str, values: Mapping[str, Any]) -> Plan:
    """The entries of ``family`` to add to the page's slots described by the widget ``values``, or why none.

    Entries the page already shows are not added twice. Everything is added or nothing: a family is added
    when its new entries fit in the free slots (at most ``MAX_SLOTS`` per section and the Scene's own cap)
    and the page's trajectories (starts × perturbations × optimizers × schedules) stay within its limit.
    """
    _, families = _registry(kind)
    if family not in families:
        raise ValueError(f"unknown {_WORDS[kind][0]} family {family!r}; known: {', '.join(families)}")
    singular, plural = _WORDS[kind]
    count = int(values.get(f"n_{kind}", 1) or 1)
    shown = [values.get(f"{kind}.{slot}.id") for slot in range(count)]
    entries = members(kind, family)
    new = [key for key in entries if key not in shown]
    name = families[family]
    if not new:
        return Plan([], f"Every {singular} of {name} is on the page already.", True)
    limit = min(ui_state.MAX_SLOTS, MAX_OPTIMIZERS if kind == "opt" else MAX_SCHEDULES)
    free = limit - count
    if len(new) > free:
        arena = " The Arena tab runs whole families at once." if kind == "opt" else ""
        return Plan(
            [],
            f"{name} has {len(new)} {plural} not on the page; the page holds {limit} {plural} and {max(free, 0)} "
            f"slot{'s are' if free != 1 else ' is'} free. Remove {len(new) - max(free, 0)} first, or add them one "
            f"by one.{arena}",
            False,
        )
    starts = max(1, len(values.get("starts") or []))
    perturbations = max(1, len(values.get("perturbations") or []))
    other = int(values.get("n_sched" if kind == "opt" else "n_opt", 1) or 1)
    runs = starts * perturbations * other * (count + len(new))
    if runs > MAX_PAGE_TRAJECTORIES:
        return Plan(
            [],
            f"Adding {name} would make {runs} trajectories ({starts} start point(s) × {perturbations} "
            f"perturbation(s) × optimizers × schedules), over the page's limit of {MAX_PAGE_TRAJECTORIES}; use "
            f"fewer start points, perturbations or {_WORDS['sched' if kind == 'opt' else 'opt'][1]} first.",
            False,
        )
    already = [key for key in entries if key in shown]
    note = f" ({', '.join(already)} {'was' if len(already) == 1 else 'were'} there already)" if already else ""
    return Plan(new, f"Added {len(new)} {plural if len(new) > 1 else singular} of {name}{note}.", True)


def _add_family(kind: Kind) -> None:
    """The button's callback: fills new slots with the family's entries, or leaves a message saying why not."""
    family = st.session_state.get(f"family.{kind}")
    if family is None:
        return
    decision = plan(kind, family, st.session_state)
    count = int(st.session_state.get(f"n_{kind}", 1) or 1)
    for offset, entry_id in enumerate(decision.add):
        st.session_state[f"{kind}.{count + offset}.id"] = entry_id
    st.session_state[f"n_{kind}"] = count + len(decision.add)
    st.session_state[f"family_message.{kind}"] = (decision.ok, decision.message)


def family_adder(container: Any, kind: Kind) -> None:
    """A family picker and an "Add family" button, in one row, and the last click's message under them."""
    _, families = _registry(kind)
    sizes = {family: len(members(kind, family)) for family in families}
    left, right = container.columns([3, 2], vertical_alignment="bottom")
    left.selectbox(
        f"Add a whole {_WORDS[kind][0]} family",
        [family for family in families if sizes[family]],
        format_func=lambda family: f"{families[family]} ({sizes[family]})",
        key=f"family.{kind}",
        label_visibility="collapsed",
        help=f"Every {_WORDS[kind][0]} of the family, each at its defaults, in new slots.",
    )
    right.button("Add family", key=f"add_family.{kind}", on_click=_add_family, args=(kind,), width="stretch")
    message = st.session_state.pop(f"family_message.{kind}", None)
    if message is not None:
        ok, text = message
        (container.caption if ok else container.warning)(text)
