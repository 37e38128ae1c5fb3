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

# The LR search's options (``analysis.lrsearch``'s objectives and modes) in words, for its pickers.
OBJECTIVE_NAMES = {
    "distance2": "final distance² to the minimum (the reference's)",
    "final_loss": "final loss",
    "steps_to_tol": "steps to converge at a minimum",
}
MODE_NAMES = {
    "shared": "one for all: the constant's best (as the paper)",
    "per_schedule": "each schedule its own best",
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


def setting_parts(scene: Scene, path: str, *, html: bool = True) -> tuple[str, str]:
    """A hyperparameter path (see :mod:`analysis.hparams`) as ``(name, owner)`` in words.

    ``html``: the symbol as Plotly text (``η<sub>min</sub>``, for a figure's axis), or plain (``ηₘᵢₙ``, for a
    picker, which shows HTML as it is).

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
    latex = getattr(parsed.spec, "symbol", "") or ""
    symbol = symbol_text(latex) if html else plain_symbol(latex)
    bare = re.sub(r"</?su[bp]>", "", symbol_text(latex))
    return (f"{words} {symbol}" if symbol and bare != words else words), owner


def setting_label(scene: Scene, path: str) -> str:
    """A hyperparameter path in plain words for a picker, e.g. ``optimizers.0.params.momentum`` →
    ``momentum μ — optimizer 1 (SGD + momentum)``, ``schedules.0.params.eta_min`` → ``eta min ηₘᵢₙ — schedule 1
    (Cosine annealing)`` and ``lr`` → ``η0 (base learning rate)``."""
    name, owner = setting_parts(scene, path, html=False)
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


# --- Names of runs: what people picked, short and rounded ------------------------------------------------------

MINUS = "\u2212"  # a typographic minus: "−0.98" rather than "-0.98"
MAX_FORMULA_CHARS = 28  # a formula in a run's name is cut here (the whole one is in the tooltip and the exports)
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUPERSCRIPTS = dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ", strict=True))


def plain_symbol(latex: str) -> str:
    """A spec's LaTeX symbol as plain text for pickers and legends (no HTML): ``\\eta_{\\min}`` → ``ηₘᵢₙ``,
    ``\\sigma_0^2`` → ``σ₀²``; a script Unicode has no small letters for stays readable: ``\\eta_{end}`` → ``η_end``."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m[1], m[1]), latex)

    def script(match: re.Match) -> str:
        body = match[2] if match[2] is not None else match[3]
        table = _SUBSCRIPTS if match[1] == "_" else _SUPERSCRIPTS
        if all(ch in table for ch in body):
            return "".join(table[ch] for ch in body)
        return f"{match[1]}{body}"

    return _SCRIPT.sub(script, text)


def number_text(value: float, digits: int = 3) -> str:
    """A number for people: ``digits`` significant digits, scientific notation only for very large or small
    values, a typographic minus (``-0.983051`` → ``−0.983``, ``2e-18`` → ``2×10⁻¹⁸``)."""
    value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return ("" if value > 0 else MINUS) + "∞"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = "".join(_SUPERSCRIPTS[ch] for ch in str(int(exponent)))
        text = f"{mantissa}×10{power}" if mantissa not in ("1", "-1") else f"{mantissa[:-1]}10{power}"
    return text.replace("-", MINUS)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "/".join(_value_text(v) for v in value)
    return str(value)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _settings_text(entry: Any, params: Mapping[str, Any], names: set[str]) -> list[str]:
    """``symbol=value`` for the parameters in ``params`` and those in ``names`` (at their defaults), in the
    entry's order; a formula is shown as it is, shortened."""
    parts = []
    for name, spec in entry.params.items():
        if name not in params and name not in names:
            continue
        value = params.get(name, getattr(spec, "default", None))
        if value is None:
            continue
        if isinstance(value, str) and getattr(spec, "variables", None) is not None:  # a formula
            parts.append(_shorten(value, MAX_FORMULA_CHARS))
            continue
        symbol = plain_symbol(getattr(spec, "symbol", "") or "") or name.replace("_", " ")
        parts.append(f"{symbol}={_value_text(value)}")
    return parts


def _sibling_names(specs: Sequence[Any]) -> list[set[str]]:
    """For each spec, the parameters set on any spec with the same id (named on all of them, so that two
    momentum optimizers read "μ=0.5" and "μ=0.9", not "μ=0.5" and nothing)."""
    named: dict[str, set[str]] = {}
    for spec in specs:
        named.setdefault(spec.id, set()).update(spec.params)
    return [named[spec.id] for spec in specs]


def optimizer_names(specs: Sequence[Any]) -> list[str]:
    """Each optimizer as people picked it: ``SGD``, ``SGD + momentum (μ=0.5)``, ``Lookahead (Yogi; k=10)``."""
    out = []
    for spec, names in zip(specs, _sibling_names(specs), strict=True):
        entry = optimizer_registry.OPTIMIZERS[spec.id]
        settings = _settings_text(entry, spec.params, names)
        name = entry.name
        if spec.inner is not None:
            inner = optimizer_registry.OPTIMIZERS[spec.inner.id]
            inner_settings = _settings_text(inner, spec.inner.params, set())
            inner_name = inner.name + (f" ({', '.join(inner_settings)})" if inner_settings else "")
            settings = [inner_name, *settings]
            name += f" ({'; '.join([settings[0], ', '.join(settings[1:])]) if len(settings) > 1 else settings[0]})"
            out.append(name)
            continue
        out.append(name + (f" ({', '.join(settings)})" if settings else ""))
    return out


def schedule_names(specs: Sequence[Any]) -> list[str]:
    """Each schedule as people picked it: ``Cosine cycles (no restart)``, ``Constant (η0=0.5)``,
    ``Step decay (γ=0.9) + linear warm-up``, ``Your formula (lr * (1 - 2*k/T))``."""
    out = []
    for spec, names in zip(specs, _sibling_names(specs), strict=True):
        entry = schedule_registry.SCHEDULES[spec.id]
        settings = _settings_text(entry, spec.params, names)
        if spec.lr is not None:
            settings.append(f"η0={number_text(spec.lr)}")
        name = entry.name + (f" ({', '.join(settings)})" if settings else "")
        if spec.warmup is not None:
            name += f" + {spec.warmup.kind} warm-up"
        out.append(name)
    return out


def point_names(points: Sequence[Sequence[float]], digits: int = 2) -> list[str]:
    """Points as ``(−0.98, −0.56)``: ``digits`` significant digits, more where two points would read the same."""
    unique = {(float(x), float(y)) for x, y in points}
    for precision in range(digits, 10):
        texts = [f"({number_text(x, precision)}, {number_text(y, precision)})" for x, y in points]
        if len(set(texts)) == len(unique):
            return texts
    return texts
