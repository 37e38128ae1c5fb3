"""Parameter specs: what a surface, schedule or optimizer accepts, declared beside its code.

Modelled on ``optuna.distributions``: each spec validates itself when built and validates
a value given to it, with a message that names the value and what is allowed. The page
builds its widgets from these specs and the Scene validates every entry point with them.

A value that measures steps (a period, a warm-up length, a milestone) is declared as a
fraction of the run length ``T``: left unset it scales with ``T``; set, it is in steps.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from common import formula
from common.errors import ParamError

__all__ = [
    "BoolParam",
    "ChoiceParam",
    "FloatListParam",
    "FloatParam",
    "FormulaParam",
    "IntParam",
    "ParamError",
    "ParamSpec",
    "StepsListParam",
    "StepsParam",
    "resolve_params",
    "validate_params",
]


def _check_finite(value: float, what: str) -> None:
    if not math.isfinite(value):
        raise ParamError(f"{what} must be a finite number, got {value!r}")


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(f"must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ParamError(f"must be a finite number, got {value!r}")
    return value


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ParamError(f"must be an integer, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ParamError(f"must be an integer, got {value!r}")
    return value


@dataclasses.dataclass(frozen=True)
class FloatParam:
    """A real number in ``[low, high]``; ``log`` asks for a log-scale widget (then ``low > 0``)."""

    default: float
    low: float
    high: float
    log: bool = False
    help: str = ""
    symbol: str = ""  # LaTeX symbol used in the formula, e.g. r"\gamma"

    def __post_init__(self) -> None:
        for what in ("default", "low", "high"):
            _check_finite(getattr(self, what), what)
        if not self.low <= self.default <= self.high:
            raise ParamError(f"need low <= default <= high, got {self.low=}, {self.default=}, {self.high=}")
        if self.log and self.low <= 0:
            raise ParamError(f"a log-scale parameter needs low > 0, got {self.low=}")

    def validate(self, value: Any) -> float:
        value = _as_float(value)
        if not self.low <= value <= self.high:
            raise ParamError(f"must be in [{self.low:g}, {self.high:g}], got {value:g}")
        return value

    def resolve(self, value: float | None, total_steps: int) -> float:
        del total_steps
        return self.default if value is None else value


@dataclasses.dataclass(frozen=True)
class IntParam:
    """An integer in ``[low, high]``."""

    default: int
    low: int
    high: int
    help: str = ""
    symbol: str = ""

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ParamError(f"need low <= default <= high, got {self.low=}, {self.default=}, {self.high=}")

    def validate(self, value: Any) -> int:
        value = _as_int(value)
        if not self.low <= value <= self.high:
            raise ParamError(f"must be an integer in [{self.low}, {self.high}], got {value}")
        return value

    def resolve(self, value: int | None, total_steps: int) -> int:
        del total_steps
        return self.default if value is None else value


@dataclasses.dataclass(frozen=True)
class StepsParam:
    """A number of steps (a period, a warm-up length, a milestone).

    Unset, it is ``max(1, floor(fraction * T))`` so that it scales with the run length
    ``T`` (``fraction`` is chosen so that ``T = 500`` gives the reference's value); set by
    the user, it is that many steps, whatever ``T``.
    """

    fraction: float
    low: int = 1
    high: int = 1_000_000
    help: str = ""
    symbol: str = ""

    def __post_init__(self) -> None:
        _check_finite(self.fraction, "fraction")
        if self.fraction < 0:
            raise ParamError(f"fraction must be >= 0, got {self.fraction=}")
        if not 0 <= self.low <= self.high:
            raise ParamError(f"need 0 <= low <= high, got {self.low=}, {self.high=}")

    @property
    def default(self) -> None:
        return None

    def default_steps(self, total_steps: int) -> int:
        return max(self.low, math.floor(self.fraction * total_steps + 1e-9))

    def validate(self, value: Any) -> int | None:
        if value is None:
            return None
        value = _as_int(value)
        if not self.low <= value <= self.high:
            raise ParamError(f"must be a number of steps in [{self.low}, {self.high}], got {value}")
        return value

    def resolve(self, value: int | None, total_steps: int) -> int:
        return self.default_steps(total_steps) if value is None else value


@dataclasses.dataclass(frozen=True)
class StepsListParam:
    """Several step positions (milestones, boundaries), sorted; unset they scale with ``T``."""

    fractions: tuple[float, ...]
    max_len: int = 32
    help: str = ""
    symbol: str = ""

    @property
    def default(self) -> None:
        return None

    def default_steps(self, total_steps: int) -> tuple[int, ...]:
        return tuple(math.floor(f * total_steps + 1e-9) for f in self.fractions)

    def validate(self, value: Any) -> tuple[int, ...] | None:
        if value is None:
            return None
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise ParamError(f"must be a list of step numbers, got {value!r}")
        if len(value) > self.max_len:
            raise ParamError(f"must have at most {self.max_len} entries, got {len(value)}")
        steps = tuple(_as_int(v) for v in value)
        if any(s < 0 for s in steps) or list(steps) != sorted(steps):
            raise ParamError(f"must be non-negative step numbers in increasing order, got {list(steps)}")
        return steps

    def resolve(self, value: tuple[int, ...] | None, total_steps: int) -> tuple[int, ...]:
        return self.default_steps(total_steps) if value is None else tuple(value)


@dataclasses.dataclass(frozen=True)
class FloatListParam:
    """Several real numbers in ``[low, high]`` (e.g. the values of a piecewise-constant LR)."""

    default: tuple[float, ...]
    low: float
    high: float
    max_len: int = 33
    help: str = ""
    symbol: str = ""

    def validate(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise ParamError(f"must be a list of numbers, got {value!r}")
        if len(value) > self.max_len:
            raise ParamError(f"must have at most {self.max_len} entries, got {len(value)}")
        numbers = tuple(_as_float(v) for v in value)
        for v in numbers:
            if not self.low <= v <= self.high:
                raise ParamError(f"entries must be in [{self.low:g}, {self.high:g}], got {v:g}")
        return numbers

    def resolve(self, value: tuple[float, ...] | None, total_steps: int) -> tuple[float, ...]:
        del total_steps
        return self.default if value is None else tuple(value)


@dataclasses.dataclass(frozen=True)
class BoolParam:
    default: bool
    help: str = ""
    symbol: str = ""

    def validate(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(f"must be true or false, got {value!r}")
        return value

    def resolve(self, value: bool | None, total_steps: int) -> bool:
        del total_steps
        return self.default if value is None else value


@dataclasses.dataclass(frozen=True)
class ChoiceParam:
    default: str
    choices: tuple[str, ...]
    help: str = ""
    symbol: str = ""

    def __post_init__(self) -> None:
        if self.default not in self.choices:
            raise ParamError(f"default must be one of the choices, got {self.default=}, {self.choices=}")

    def validate(self, value: Any) -> str:
        if value not in self.choices:
            raise ParamError(f"must be one of {', '.join(self.choices)}, got {value!r}")
        return value

    def resolve(self, value: str | None, total_steps: int) -> str:
        del total_steps
        return self.default if value is None else value


@dataclasses.dataclass(frozen=True)
class FormulaParam:
    """A user formula in the safe formula language (``common.formula``) over ``variables``."""

    default: str
    variables: tuple[str, ...]
    max_len: int = 500
    help: str = ""
    symbol: str = ""

    def validate(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ParamError(f"must be a formula (a string), got {value!r}")
        formula.parse(value, variables=self.variables, max_len=self.max_len)  # raises FormulaError
        return value

    def resolve(self, value: str | None, total_steps: int) -> str:
        del total_steps
        return self.default if value is None else value


ParamSpec = (
    FloatParam | IntParam | StepsParam | StepsListParam | FloatListParam | BoolParam | ChoiceParam | FormulaParam
)


def validate_params(specs: Mapping[str, ParamSpec], values: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Validates ``values`` against ``specs``; unknown names and bad values raise ``ParamError``.

    The message starts with ``where.name`` so that a person knows which field to change.
    Unset parameters are left out (they take their default, or scale with ``T``).
    """
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in specs:
            allowed = ", ".join(specs) or "none"
            raise ParamError(f"{where}: unknown parameter {name!r}; allowed: {allowed}")
        try:
            checked[name] = specs[name].validate(value)
        except ParamError as error:
            raise ParamError(f"{where}.{name}: {error}") from None
    return checked


def resolve_params(specs: Mapping[str, ParamSpec], values: Mapping[str, Any], total_steps: int) -> dict[str, Any]:
    """Every parameter's concrete value for a run of ``total_steps`` steps."""
    return {name: spec.resolve(values.get(name), total_steps) for name, spec in specs.items()}
