"""Words the page shows: a hyperparameter in words, the maps' metrics, registry entries grouped by family.

Pure (no Streamlit): the page's pickers use these, and so do the figures' axis titles, so that a
setting is named the same on a picker and on the map drawn from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import optimizers as optimizer_registry
import schedules as schedule_registry
from analysis.hparams import parse_path
from common.registry import equivalent_names
from engine.scene import Scene

LR_NAME = "η0 (base learning rate)"

# What a hyperparameter map can show (``figures.sweeps.hparam_figure``'s ``metric``), in words.
METRICS = {
    "final_loss": "final loss",
    "distance": "log10 final distance to the target",
    "success": "reached the global minimum",
    "steps": "steps to converge",
    "outcome": "where it ends",
}

_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
}
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(.))")


def symbol_text(latex: str) -> str:
    """A spec's LaTeX symbol as Plotly text: ``\\eta_{\\min}`` → ``η<sub>min</sub>``, ``\\mu`` → ``μ``."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m[1], m[1]), latex)

    def script(match: re.Match) -> str:
        tag = "sub" if match[1] == "_" else "sup"
        return f"<{tag}>{match[2] if match[2] is not None else match[3]}</{tag}>"

    return _SCRIPT.sub(script, text)


def setting_parts(scene: Scene, path: str) -> tuple[str, str]:
    """A hyperparameter path (see :mod:`analysis.hparams`) as ``(name, owner)`` in words.

    ``name`` is the parameter with its symbol (``momentum μ``; ``η0 (base learning rate)`` for an LR);
    ``owner`` the optimizer or schedule it belongs to, numbered from 1 and named as on the page
    (``optimizer 1 (SGD + momentum)``), or ``""`` for ``lr``, which is every schedule's.
    Raises :class:`engine.scene.SceneError` if ``path`` names nothing in ``scene``.
    """
    parsed = parse_path(scene, path)
    if parsed.kind == "lr":
        return LR_NAME, ""
    if parsed.kind in ("schedule_lr", "schedule"):
        entry = schedule_registry.SCHEDULES[scene.schedules[parsed.index].id]
        owner = f"schedule {parsed.index + 1} ({entry.name})"
    else:
        spec = scene.optimizers[parsed.index]
        entry = optimizer_registry.OPTIMIZERS[spec.id]
        name = entry.name
        if parsed.kind == "inner":
            name = f"{optimizer_registry.OPTIMIZERS[spec.inner.id].name} in {entry.name}"
        owner = f"optimizer {parsed.index + 1} ({name})"
    if parsed.kind == "schedule_lr":
        return LR_NAME, owner
    words = parsed.name.replace("_", " ")
    symbol = symbol_text(getattr(parsed.spec, "symbol", "") or "")
    plain = re.sub(r"</?su[bp]>", "", symbol)
    return (f"{words} {symbol}" if symbol and plain != words else words), owner


def setting_label(scene: Scene, path: str) -> str:
    """A hyperparameter path in words, e.g. ``optimizers.0.params.momentum`` →
    ``momentum μ — optimizer 1 (SGD + momentum)`` and ``lr`` → ``η0 (base learning rate)``."""
    name, owner = setting_parts(scene, path)
    return f"{name} — {owner}" if owner else name


# --- Registry entries grouped by family -------------------------------------------------------------------

FAMILY_SEPARATOR = " · "
EQUIVALENTS_SEPARATOR = " — "  # before the names of an entry's equivalents in other libraries


def family_name(family: str, names: Mapping[str, str] | None = None) -> str:
    """A family id in words: from ``names`` (a registry's ``FAMILIES``), else the id with spaces for
    underscores and a capital first letter."""
    if names and family in names:
        return names[family]
    text = family.replace("_", " ")
    return text[:1].upper() + text[1:]


def grouped_choices(
    registry: Mapping[str, Any], families: Sequence[str] | Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """A registry's ids for a picker, grouped by family, and the label of each: ``(ids, {id: label})``.

    Entries with a ``family`` come family by family (in the order of ``families``, a registry's
    ``FAMILIES``: ids, or ids mapped to readable names; then any other family in order of first
    appearance), in registry order within a family, labelled ``Family · Name``; a picker's search
    then finds a family by typing its name. An entry with equivalents in other libraries adds their
    names (``Cyclical · SGDR (equal periods) — CosineAnnealingWarmRestarts, sgdr_schedule, ...``; not
    compositions like ``SequentialLR``, which name no schedule), so that typing torch's, optax's or
    Keras's name finds it too. A registry without families keeps its order and its names.
    """
    if not all(hasattr(entry, "family") for entry in registry.values()):
        return list(registry), {entry_id: entry.name for entry_id, entry in registry.items()}
    names = families if isinstance(families, Mapping) else None
    order = list(dict.fromkeys([*(families or ()), *(entry.family for entry in registry.values())]))
    ids = sorted(registry, key=lambda entry_id: order.index(registry[entry_id].family))  # stable: registry order
    labels = {}
    for entry_id in ids:
        entry = registry[entry_id]
        label = f"{family_name(entry.family, names)}{FAMILY_SEPARATOR}{entry.name}"
        # names the entry's own name already holds ("SGD" in "SGD + momentum") would only repeat it
        also = [name for name in equivalent_names(entry, registry) if name.casefold() not in entry.name.casefold()]
        labels[entry_id] = f"{label}{EQUIVALENTS_SEPARATOR}{', '.join(also)}" if also else label
    return ids, labels
