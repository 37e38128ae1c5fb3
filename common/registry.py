"""What the three registries (surfaces, schedules, optimizers) share: every fact of an entry stated once.

An entry pairs a function with what the page shows about it. The function is the one source of what it
states anyway, as in optax: its **signature** holds the parameters' defaults, its **docstring** the formula
(the first ``.. math::`` block) and the references (the ``References:`` section). The entry adds the rest:
its id, name and one-line description, and for each parameter a spec without a default, written
``partial(FloatParam, low=..., high=..., help=..., symbol=...)``; :func:`specs_with_defaults` completes it
from the signature. A spec states a default itself only where its entry differs from its function (two
entries sharing one function); a default stated twice is refused, and so is a parameter that the function
and the specs do not both name.

An entry may also name its **equivalents** in other libraries (:class:`Equivalent`: torch, optax, Keras,
...), each with how its arguments map to the entry's parameters. The command line accepts those names
(:func:`resolve_name`: ``--schedule CosineAnnealingWarmRestarts`` is ``sgdres_lr``), and the page's pickers
show them, so that a person finds an entry by any of its names.

The registries are read without JAX (validating a Scene must not import it), so the modules that hold
entries refer to JAX and optax through :func:`lazy_module`, which imports them on first use.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import inspect
import types
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, NamedTuple

from common.params import ParamError, ParamSpec, StepsListParam, StepsParam

__all__ = [
    "Equivalent",
    "Resolved",
    "check_equivalents",
    "docstring_formula",
    "docstring_references",
    "equivalent_names",
    "lazy_module",
    "resolve_name",
    "specs_with_defaults",
]

# A spec whose default is the function's: the spec class with every field but ``default``.
SpecWithoutDefault = functools.partial

_SCALES_WITH_T = (StepsParam, StepsListParam)  # no fixed default: unset, they scale with the run length


class _LazyModule:
    """Stands for a module until an attribute is read, then imports it (once) and reads from it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """``name``, imported when one of its attributes is first read (``jnp = lazy_module("jax.numpy")``).

    Functions that use ``jnp.exp`` or ``optax.chain`` then import JAX when they first run, not when the
    registry that lists them is imported.
    """
    return _LazyModule(name)


def specs_with_defaults(
    fn: Callable[..., Any], specs: Mapping[str, ParamSpec | SpecWithoutDefault], *, skip: Collection[str], where: str
) -> dict[str, ParamSpec]:
    """The specs of ``fn``'s parameters, each default taken from ``fn``'s signature.

    Args:
        fn: the entry's function.
        specs: by parameter name, in the order the page lists them: a spec without its default
            (``partial(FloatParam, low=0.0, high=1.0, help=...)``), a step count (``StepsParam``,
            ``StepsListParam``: ``fn`` gives it no default), or a complete spec whose default differs
            from ``fn``'s (an entry that shares ``fn`` with another but not its default).
        skip: ``fn``'s parameters that are not the entry's (the point, the step, the learning rate, ...).
        where: the entry, for error messages.

    Raises:
        ValueError: if the specs and ``fn``'s keywords differ, or a default is missing or stated twice.
    """
    signature = inspect.signature(fn)
    keywords = {name: p for name, p in signature.parameters.items() if name not in skip}
    if set(keywords) != set(specs):
        raise ValueError(
            f"{where}: the specs ({', '.join(specs) or 'none'}) must name {fn.__name__}'s parameters "
            f"({', '.join(keywords) or 'none'})"
        )
    complete: dict[str, ParamSpec] = {}
    for name, spec in specs.items():
        default = keywords[name].default
        has_default = default is not inspect.Parameter.empty
        if isinstance(spec, functools.partial):
            if not has_default:
                raise ValueError(f"{where}.{name}: the spec leaves its default to {fn.__name__}(), which gives none")
            complete[name] = spec(default=default)
        elif isinstance(spec, _SCALES_WITH_T):
            if has_default:
                raise ValueError(f"{where}.{name} scales with the run length: {fn.__name__}() must not default it")
            complete[name] = spec
        elif not has_default:
            raise ValueError(f"{where}.{name}: give the default in {fn.__name__}()'s signature, not in the spec")
        elif spec.default == default:
            raise ValueError(
                f"{where}.{name}: the default {default!r} is stated twice; write the spec without it "
                f"(partial({type(spec).__name__}, ...)) so that {fn.__name__}()'s signature gives it"
            )
        else:
            complete[name] = spec
    return complete


def _indented_block(lines: list[str], start: int) -> list[str]:
    """The lines indented under ``lines[start]``, stripped, up to the first blank or dedented line."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    block: list[str] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if block:
                break
            continue  # a blank line may separate a directive from its content
        if len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line.strip())
    return block


def _docstring_block(fn: Callable[..., Any], header: str) -> str:
    lines = (inspect.getdoc(fn) or "").splitlines()
    for i, line in enumerate(lines):
        if line.strip() == header:
            return " ".join(_indented_block(lines, i))
    return ""


def docstring_formula(fn: Callable[..., Any]) -> str:
    """The first ``.. math::`` block of ``fn``'s docstring, its lines joined by spaces; empty if there is none.

    This is the formula the page shows. The registries' contract tests require one of every entry.
    """
    return _docstring_block(fn, ".. math::")


def docstring_references(fn: Callable[..., Any]) -> str:
    """The ``References:`` section of ``fn``'s docstring, its lines joined by spaces; empty if there is none."""
    return _docstring_block(fn, "References:")


# --- Equivalents in other libraries ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Equivalent:
    """The same entry in another library, and how to call it there to get the same numbers.

    ``Equivalent("torch.optim.lr_scheduler", "CosineAnnealingWarmRestarts", "T_0 = P, T_mult = m, eta_min =
    η_min", params={"T_0": "period", "T_mult": "t_mult"})`` says that torch's scheduler, called with those
    arguments (written in the entry's symbols, η0 the base LR and T the run length), gives the entry's
    values; the tests check each such claim against the library. The command line accepts the library's
    name in place of the entry's id (:func:`resolve_name`) and these fields say how:

    - ``params``: the library's argument -> the entry's parameter (or ``"lr"``, the base LR η0) where the
      value carries over unchanged. An argument named like one of the entry's parameters carries over
      under that name unless mapped here; map it to None where it means something else.
    - ``defaults``: the entry's parameters that the library's own defaults set differently (torch's
      ``StepLR`` multiplies by 0.1, the paper's ``step_lr`` by 0.95): the name brings them along.
    - ``select``: the library's arguments whose values choose this entry among several answering to the
      same name (``CyclicLR(mode="triangular2")`` is ``triangular2_lr``).
    - ``alias``: whether the name alone (no ``select``) picks this entry. False where another entry
      answers to it first, or where the name is a composition (``SequentialLR``) several entries use.
    """

    module: str  # the library's module, e.g. "torch.optim.lr_scheduler", "optax", "keras.optimizers.schedules"
    name: str  # the name in that module, e.g. "CosineAnnealingWarmRestarts"
    mapping: str  # the library's arguments in the entry's symbols, one line
    params: Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    select: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    alias: bool = True

    def __post_init__(self) -> None:
        if not self.module or not self.name or "." in self.name:
            raise ValueError(f"an equivalent needs a module and a plain name, got {self.module=}, {self.name=}")
        if not self.mapping.strip() or "\n" in self.mapping:
            raise ValueError(f"{self.qualified}: the mapping must be one non-empty line")
        clash = set(self.params) & set(self.select)
        if clash:
            raise ValueError(f"{self.qualified}: {sorted(clash)} both select the entry and carry a value")
        for field in ("params", "defaults", "select"):
            object.__setattr__(self, field, types.MappingProxyType(dict(getattr(self, field))))

    @property
    def library(self) -> str:
        """The top-level package: ``torch``, ``optax``, ``keras``, ``torch_optimizer``."""
        return self.module.split(".")[0]

    @property
    def qualified(self) -> str:
        """``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``."""
        return f"{self.module}.{self.name}"

    def names(self) -> tuple[str, ...]:
        """Every spelling that means this equivalent: the bare name, each dotted tail of the qualified name
        (``lr_scheduler.StepLR``), the package and the name (``torch.StepLR``) and, for Keras, ``tf.keras...``."""
        parts = self.qualified.split(".")
        spellings = [".".join(parts[i:]) for i in range(len(parts) - 1, -1, -1)]
        spellings.append(f"{parts[0]}.{self.name}")
        if self.library == "keras":
            spellings.append(f"tf.{self.qualified}")
        return tuple(dict.fromkeys(spellings))

    def accepts(self, own_params: Collection[str], extra: Collection[str] = ()) -> set[str]:
        """The argument names this equivalent takes on the command line, given the entry's own parameters."""
        blocked = {name for name, target in self.params.items() if target is None}
        carried = {name for name, target in self.params.items() if target is not None}
        return (carried | set(self.select) | set(own_params) | set(extra)) - blocked


def check_equivalents(
    equivalents: Iterable[Equivalent], params: Mapping[str, ParamSpec], *, where: str, targets: Collection[str] = ()
) -> tuple[Equivalent, ...]:
    """``equivalents`` as a tuple, after checking that each maps onto the entry's parameters.

    Args:
        equivalents: the entry's equivalents.
        params: the entry's complete specs (with their defaults).
        where: the entry, for error messages.
        targets: names besides the parameters that an argument may carry over to (``"lr"`` for schedules).

    Raises:
        ValueError: if a mapped argument or a default names no parameter, a default is out of its range,
            or the same library name appears twice on one entry.
    """
    equivalents = tuple(equivalents)
    seen: set[str] = set()
    for eq in equivalents:
        label = f"{where}: {eq.qualified}"
        if not isinstance(eq, Equivalent):
            raise ValueError(f"{where}: equivalents must be Equivalent records, got {eq!r}")
        if eq.qualified in seen:
            raise ValueError(f"{label} is listed twice; one record per library name")
        seen.add(eq.qualified)
        for name, target in eq.params.items():
            if target is not None and target not in params and target not in targets:
                raise ValueError(f"{label}: {name} maps to {target!r}, which is none of {', '.join(params) or 'none'}")
        for name, value in eq.defaults.items():
            if name not in params:
                raise ValueError(f"{label}: a default for {name!r}, which is none of {', '.join(params) or 'none'}")
            try:
                params[name].validate(value)
            except ParamError as error:
                raise ValueError(f"{label}: default {name}={value!r}: {error}") from None
    return equivalents


def equivalent_names(entry: Any, registry: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The library names of an entry's equivalents, bare, in the order it lists them, each once (in any case).

    With ``registry``, names that no entry of it takes as its own (``alias``) are left out: compositions
    such as torch's ``SequentialLR`` or optax's ``join_schedules``, which build many schedules and name none.
    """
    own = None
    if registry is not None:
        own = {eq.qualified for other in registry.values() for eq in getattr(other, "equivalents", ()) if eq.alias}
    names: dict[str, str] = {}  # case-folded -> the first spelling: torch's "SGD" and optax's "sgd" are one
    for eq in getattr(entry, "equivalents", ()):
        if own is None or eq.qualified in own:
            names.setdefault(eq.name.casefold(), eq.name)
    return tuple(names.values())


class Resolved(NamedTuple):
    """What a name given for an entry stands for."""

    id: str  # the entry's id
    params: dict[str, Any]  # the entry's parameters (the given ones translated, then the equivalent's defaults)
    lr: Any  # the base LR an argument carried over to ("lr"), else None
    via: Equivalent | None  # the equivalent the name matched; None for an id


def _index(registry: Mapping[str, Any]) -> dict[str, list[tuple[str, Equivalent]]]:
    """Case-folded spelling -> the (entry id, equivalent) pairs answering to it."""
    index: dict[str, list[tuple[str, Equivalent]]] = {}
    for entry_id, entry in registry.items():
        for eq in getattr(entry, "equivalents", ()):
            for spelling in eq.names():
                index.setdefault(spelling.casefold(), []).append((entry_id, eq))
    return index


def _close_matches(registry: Mapping[str, Any], text: str, index: Mapping[str, list]) -> list[str]:
    """Up to six known spellings near ``text``, each with the entry it picks where that is not itself."""
    spellings: dict[str, str] = {entry_id.casefold(): entry_id for entry_id in registry}
    for entry in registry.values():
        for eq in getattr(entry, "equivalents", ()):
            for spelling in (eq.name, eq.qualified):
                spellings.setdefault(spelling.casefold(), spelling)
    near = difflib.get_close_matches(text.casefold(), list(spellings), n=6, cutoff=0.6)
    out = []
    for folded in near:
        spelling = spellings[folded]
        picks = sorted({entry_id for entry_id, eq in index.get(folded, ()) if eq.alias})
        out.append(f"{spelling} ({picks[0]})" if spelling not in registry and len(picks) == 1 else spelling)
    return out


def resolve_name(registry: Mapping[str, Any], text: str, given: Mapping[str, Any], *, kind: str) -> Resolved:
    """The entry that an id or a library's name stands for, with the given arguments in its own terms.

    An id is itself (``given`` passes through unchanged). A library name (any spelling of
    :meth:`Equivalent.names`, in any case) picks, among the entries that list it: the one whose ``select``
    the given arguments match (the most specific), else the ``alias`` (which may leave its ``select``
    unstated: ``CyclicLR`` alone is triangular), else the only one that takes every given argument.
    Its arguments then carry over as the equivalent's ``params`` say, and its ``defaults`` fill what
    was not given.

    Args:
        registry: id -> entry (entries may have ``equivalents``).
        text: the id or name as typed.
        given: the arguments as typed (the library's names or the entry's).
        kind: ``"schedule"``, ``"optimizer"``, for messages.

    Raises:
        ValueError: the name is unknown (the message lists close matches), several entries answer to it
            (it lists them), or an argument has no counterpart (it says what the library's call maps to).
    """
    if text in registry:
        return Resolved(text, dict(given), None, None)
    index = _index(registry)
    claims = index.get(text.casefold(), [])
    exact = [(entry_id, eq) for entry_id, eq in claims if text in eq.names()]
    claims = exact or claims  # "SGD" is torch's, "sgd" optax's: the spelling typed says whose arguments
    if not claims:
        near = _close_matches(registry, text, index)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(
            f"unknown {kind} {text!r}{hint} (`python cli.py list {kind}s --verbose` lists every id and name)"
        )

    def viable(claim: tuple[str, Equivalent]) -> bool:
        """The given arguments do not contradict its ``select`` (which the alias may leave unstated)."""
        eq = claim[1]
        return all(given[k] == v if k in given else eq.alias for k, v in eq.select.items())

    selected = [c for c in claims if viable(c)]
    if not selected:
        choices = "; ".join(
            f"{', '.join(f'{k}={v!r}' for k, v in eq.select.items())} ({entry_id})" for entry_id, eq in claims
        )
        raise ValueError(f"{text}: these arguments pick none of our {kind}s; the choices: {choices}")

    def takes_all(claim: tuple[str, Equivalent]) -> bool:
        entry_id, eq = claim
        return set(given) <= eq.accepts(registry[entry_id].params, ("lr",) if "lr" in eq.params.values() else ())

    ranked = sorted(selected, key=lambda c: (-len(c[1].select), not c[1].alias))  # specific first, then the alias
    accepting: list[tuple[str, Equivalent]] = []  # one claim per entry, the best ranked, in rank order
    for claim in ranked:
        if takes_all(claim) and all(claim[0] != entry_id for entry_id, _ in accepting):
            accepting.append(claim)
    specific = [c for c in accepting if c[1].select]
    if specific:
        pick = specific[0]
    elif any(c[1].alias for c in accepting):
        pick = next(c for c in accepting if c[1].alias)
    elif len(accepting) == 1:
        pick = accepting[0]
    elif accepting:
        options = "; ".join(f"{entry_id} ({eq.mapping})" for entry_id, eq in accepting)
        raise ValueError(f"several {kind}s are a {text}; give one's id: {options}")
    else:
        entry_id, eq = next((c for c in ranked if c[1].alias), ranked[0])
        unknown = sorted(set(given) - eq.accepts(registry[entry_id].params, ("lr",)))
        own = ", ".join(registry[entry_id].params) or "none"
        raise ValueError(
            f"{eq.qualified} is our {entry_id} with {eq.mapping}; {', '.join(unknown)} has no counterpart to "
            f"carry over as is: give {entry_id}'s own parameters ({own})"
        )
    entry_id, eq = pick
    params: dict[str, Any] = {}
    lr = None
    for name, value in given.items():
        if name in eq.select:
            continue
        target = eq.params.get(name, name)
        if target == "lr":
            lr = value
        else:
            params[target] = value
    for name, value in eq.defaults.items():
        params.setdefault(name, value)
    return Resolved(entry_id, params, lr, eq)
