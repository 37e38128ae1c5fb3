"""What the three registries (surfaces, schedules, optimizers) share: every fact of an entry stated once.

An entry pairs a function with what the page shows about it. The function is the one source of what it
states anyway, as in optax: its **signature** holds the parameters' defaults, its **docstring** the formula
(the first ``.. math::`` block) and the references (the ``References:`` section). The entry adds the rest:
its id, name and one-line description, and for each parameter a spec without a default, written
``partial(FloatParam, low=..., high=..., help=..., symbol=...)``; :func:`specs_with_defaults` completes it
from the signature. A spec states a default itself only where its entry differs from its function (two
entries sharing one function); a default stated twice is refused, and so is a parameter that the function
and the specs do not both name.

The registries are read without JAX (validating a Scene must not import it), so the modules that hold
entries refer to JAX and optax through :func:`lazy_module`, which imports them on first use.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any

from common.params import ParamSpec, StepsListParam, StepsParam

__all__ = ["docstring_formula", "docstring_references", "lazy_module", "specs_with_defaults"]

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
