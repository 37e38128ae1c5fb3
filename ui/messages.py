"""Validation messages in the sidebar's words, placed next to the input that caused them (no Streamlit).

The Scene names a problem by its field (``schedules.0: formula: column 6: '(' is never closed``); a
person knows the sidebar's sections ("Schedule 1"). :func:`place` says which section a message
belongs to and how to title it; :func:`markdown` makes a message safe to show as Markdown, with
every piece of echoed input as code (``__import__`` would otherwise render as a bold "import").
"""

from __future__ import annotations

import re
from typing import NamedTuple

STALE_NOTE = "The charts still show the last valid experiment."

# Section keys the sidebar reserves a message slot for, and their titles.
GENERAL = "run"  # the run settings, and problems of the whole experiment (budgets)
_FIELDS = {
    "surface": ("surface", "Surface"),
    "task": ("surface", "Task"),  # a task scene shows its task where a surface scene shows its surface
    "seeds": ("surface", "Seeds"),
    "starts": ("starts", "Start points"),
    "perturbations": ("perturbations", "Start perturbations"),
    "lr": (GENERAL, "Base LR η0"),
    "steps": (GENERAL, "Steps T"),
    "clip": (GENERAL, "Clip norm"),
    "noise": (GENERAL, "Gradient noise"),
    "tolerance": (GENERAL, "Convergence tolerance"),
    "dtype": (GENERAL, "Precision"),
    "scene": (GENERAL, "This experiment"),
}
_SLOTS = {"optimizers": ("opt", "Optimizer"), "schedules": ("sched", "Schedule")}
_PATH = re.compile(r"^(?P<field>[a-z_]+)(?:\.(?P<index>\d+))?(?:\.[\w.]+)?: (?P<detail>.*)$", re.S)
_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|~$])")


class Placement(NamedTuple):
    """Where a message goes: the sidebar section's key (``"sched.0"``, ``"surface"``, ``"run"``), and the
    text in the sidebar's words."""

    section: str
    title: str
    detail: str


def place(message: str) -> Placement:
    """The section and words of a Scene error message (the first field it names decides)."""
    match = _PATH.match(message)
    if match is None:
        return Placement(GENERAL, _FIELDS["scene"][1], message)
    field, index, detail = match["field"], match["index"], match["detail"]
    if field in _SLOTS and index is not None:
        prefix, word = _SLOTS[field]
        return Placement(f"{prefix}.{index}", f"{word} {int(index) + 1}", detail)
    section, title = _FIELDS.get(field, (GENERAL, _FIELDS["scene"][1]))
    return Placement(section, title, detail)


def markdown(text: str) -> str:
    """``text`` as Markdown that shows exactly what it says: quoted input becomes inline code, and every
    other character Markdown would read as formatting is escaped."""
    pieces, last = [], 0
    for match in _QUOTED.finditer(text):
        pieces.append(_MARKDOWN_SPECIALS.sub(r"\\\1", text[last : match.start()]))
        pieces.append(_code(match[1] if match[1] is not None else match[2]))
        last = match.end()
    pieces.append(_MARKDOWN_SPECIALS.sub(r"\\\1", text[last:]))
    return "".join(pieces)


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else "`''`"


def sidebar_message(placement: Placement) -> str:
    """The message shown under the section: its title, what is wrong, and what the charts show meanwhile."""
    return f"**{placement.title}:** {markdown(placement.detail)}  \n{STALE_NOTE}"


def banner(placement: Placement) -> str:
    """The line above the charts, where a person looking at them sees that they are out of date."""
    return f"{STALE_NOTE} Fix **{placement.title}** in the sidebar: {markdown(placement.detail)}"
