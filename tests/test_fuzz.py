"""Fuzzing the formula language (``common.formula``): no code runs, nothing hangs, every rejection is clean.

Four kinds of generated input, each checked the same way:

- ``text``: any Unicode text (control characters, other scripts, lone surrogates);
- ``ascii``: printable ASCII, where Python's own syntax lives;
- ``soup``: tokens of Python and of the language glued together, hostile ones included (``__import__``,
  attribute chains, dunder names, ``9**9**9``, ``1e999999``, brackets nested past the limit, ...);
- ``grammar``: formulas of the language itself, built from its grammar, which must parse and then
  evaluate, in numpy and compiled by ``jax.jit``, without a Python exception.

For each text, :func:`parse` either returns a :class:`Formula` or raises :class:`FormulaError` whose message
starts with a column inside the text and fits on one line; any other exception fails the test. While parsing,
``eval``, ``exec``, ``__import__``, ``open`` and ``breakpoint`` raise, and ``compile`` is allowed only to build
an AST (``ast.PyCF_ONLY_AST``, what ``ast.parse`` asks for), never bytecode; while evaluating, ``eval``, ``exec``
and bytecode compilation raise too, and no module may be imported that was not loaded before. Every check
runs under a wall-clock alarm, so a hang fails instead of stalling the suite.

The default run tries a few thousand inputs in seconds; ``pytest -m slow tests/test_fuzz.py`` tries 100,000.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import signal
import string
import sys
import time
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.formula import CONSTANTS, FUNCTION_NAMES, FUNCTIONS, MAX_LEN, MAX_NESTING, Formula, FormulaError, parse

XY = ("x", "y")
SCHEDULE_VARIABLES = ("k", "T", "lr")
# Inputs that exercise every corner of float arithmetic: signed zeros, the largest and smallest numbers, inf, nan.
X = np.array([0.5, -1.5, 0.0, -0.0, 2.0, 1e30, -1e30, 3e38, 1e-45, np.inf, -np.inf, np.nan])
Y = np.array([2.0, 0.0, -0.0, 1.0, -3.0, 7.0, 1e-30, -3e38, 5e-324, 1.0, np.nan, np.inf])
CHECK_SECONDS = 10  # one parse + evaluation; on a loaded 2-core machine a normal one takes milliseconds
JIT_CHUNK = 100  # formulas compiled together by one jax.jit (one compilation instead of a hundred)
SUPPRESSED = list(HealthCheck)


class CodeRan(BaseException):
    """Raised by the patched builtins. A BaseException, so that no ``except Exception`` in the way can hide it."""


# --------------------------------------------------------------------------------------------------------------
# Guards: no code runs, nothing hangs
# --------------------------------------------------------------------------------------------------------------

_ATTEMPTS: list[str] = []  # every blocked attempt, in case something swallowed the CodeRan
_REAL = {name: getattr(builtins, name) for name in ("eval", "exec", "compile", "__import__", "open", "breakpoint")}


def _blocked(name: str):
    def blocked(*args, **kwargs):
        _ATTEMPTS.append(f"{name}{args[:1]!r}")
        raise CodeRan(f"{name} was called with {args[:1]!r}")

    return blocked


def _ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
    if not flags & ast.PyCF_ONLY_AST:
        _ATTEMPTS.append(f"compile(flags={flags})")
        raise CodeRan(f"compile was asked for bytecode (flags={flags}) of {source!r:.80}")
    return _REAL["compile"](source, filename, mode, flags, *args, **kwargs)


def _known_modules_only(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0 or name not in sys.modules:
        _ATTEMPTS.append(f"import {name}")
        raise CodeRan(f"an import of {name!r} was attempted")
    return _REAL["__import__"](name, globals, locals, fromlist, level)


@contextlib.contextmanager
def no_code_runs(*, imports: bool) -> Iterator[None]:
    """``eval``/``exec``/bytecode ``compile``/``open``/``breakpoint`` raise; ``__import__`` raises (``imports=False``)
    or allows only modules already loaded (``imports=True``)."""
    patched = {
        "eval": _blocked("eval"),
        "exec": _blocked("exec"),
        "open": _blocked("open"),
        "breakpoint": _blocked("breakpoint"),
        "compile": _ast_only_compile,
        "__import__": _known_modules_only if imports else _blocked("__import__"),
    }
    for name, value in patched.items():
        setattr(builtins, name, value)
    try:
        yield
    finally:
        for name, value in _REAL.items():
            setattr(builtins, name, value)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raises TimeoutError in the main thread after ``seconds`` of wall time."""

    def alarm(signum, frame):
        raise TimeoutError(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------------------------------------------
# The check every generated text goes through
# --------------------------------------------------------------------------------------------------------------


def assert_clean_rejection(error: FormulaError, text: str) -> None:
    message = str(error)
    assert isinstance(error.column, int) and 1 <= error.column <= max(len(text), 1) + 1, (text, message)
    assert message.startswith(f"column {error.column}: "), message
    assert error.reason and "\n" not in message and len(message) <= 1000, message
    assert "Traceback" not in message


def check_text(text: str, variables: tuple[str, ...] = XY) -> Formula | None:
    """Parses and (when it parses) evaluates ``text`` under the guards; the Formula, or None if rejected."""
    with time_limit(CHECK_SECONDS):
        try:
            with no_code_runs(imports=False):
                formula = parse(text, variables)
        except FormulaError as error:
            assert_clean_rejection(error, text)
            return None
        values = dict(zip(variables, (X, Y, X), strict=False))
        with no_code_runs(imports=True):
            result = formula.evaluate(np, **values)
            as_float32 = formula.evaluate(np, **{name: v.astype(np.float32) for name, v in values.items()})
            latex = formula.latex()
    assert result.shape == X.shape and result.dtype == np.float64, (text, result)
    assert as_float32.shape == X.shape and as_float32.dtype == np.float32, (text, as_float32)
    assert isinstance(latex, str) and latex
    return formula


@functools.cache
def _warm_jax() -> None:
    """One unguarded compilation that uses every function and operator: JAX imports its lowering modules lazily
    (Python's import machinery runs ``exec``), and that is JAX's code, not the formula's."""
    calls = [f"{name}({', '.join(['x'] * function.arity)})" for name, function in FUNCTIONS.items()]
    text = " + ".join(calls) + " + x**y + x^2 + x/y - x*y + (x < y) + (x <= y < 1) + (x != y) + pi + e"
    formula = parse(text, XY, max_len=10_000)
    jax.block_until_ready(jax.jit(lambda a, b: formula.evaluate(jnp, x=a, y=b))(X.astype(np.float32), Y))


def check_jit(formulas: list[Formula]) -> None:
    """Every formula compiled by ``jax.jit`` (in chunks: one compilation each) gives float32 arrays of X's shape."""
    _warm_jax()
    x, y = X.astype(np.float32), Y.astype(np.float32)
    for first in range(0, len(formulas), JIT_CHUNK):
        chunk = formulas[first : first + JIT_CHUNK]
        try:
            outputs = _jit_chunk(chunk, x, y)
        except Exception:  # find the formula that failed, and say which
            for formula in chunk:
                try:
                    _jit_chunk([formula], x, y)
                except Exception as error:
                    raise AssertionError(f"jax.jit failed on {formula.text!r}: {error!r}") from error
            raise
        for formula, output in zip(chunk, outputs, strict=True):
            assert output.shape == X.shape and output.dtype == np.float32, (formula.text, output)


def _jit_chunk(chunk: list[Formula], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    def evaluate(a, b):
        return [f.evaluate(jnp, **{"x": a, "y": b}) for f in chunk]

    # eval/exec/bytecode compile stay blocked while JAX traces and compiles; JAX may import its own modules.
    patched = {"eval": _blocked("eval"), "exec": _blocked("exec"), "compile": _ast_only_compile}
    for name, value in patched.items():
        setattr(builtins, name, value)
    try:
        with time_limit(CHECK_SECONDS * 12):
            return [np.asarray(v) for v in jax.block_until_ready(jax.jit(evaluate)(x, y))]
    finally:
        for name in patched:
            setattr(builtins, name, _REAL[name])


# --------------------------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------------------------

HOSTILE_TOKENS = [
    "__import__", "__import__('os')", "__import__('os').system('true')", "__import__('lrl_canary')",
    ".__class__", ".__bases__", "[0]", ".__subclasses__()", ".__globals__", ".__builtins__", ".__dict__",
    "__builtins__", "__class__", "__loader__", "__spec__", "getattr", "setattr", "open", "exec", "eval", "compile",
    "globals()", "locals()", "vars()", "breakpoint()", "help()", "input()", "print", "type", "object",
    "().__class__.__base__.__subclasses__()", "x.real", "x.imag", "sin.__call__", "np", "numpy", "jax", "os", "sys",
    "9**9**9", "**9**9**9", "1e999999", "-1e999999", "9" * 300, "1" + "0" * 400, "0x1F", "0b101", "0o17", "1_000",
    "1j", "1e", ".5", "5.", "1e-400", "(" * 60, ")" * 60, "[" * 60, "-" * 250, "+" * 250, "~", "not ", " and ", " or ",
    "lambda x: x", " if x else ", " for x in y", ":=", "...", "*", "**", "@", "%", "//", "<<", ">>", "|", "&", "^",
    "'", '"', "'''", 'f"{x}"', "b'x'", "r'x'", "\\", "\\x41", "\\N{DIGIT ONE}", "#", ";", "\n", "\r\n", "\t", "\x00",
    "\x0c", "\u202e", "\u200b", "ｘ", "𝐱", "х", "−", "×", "÷", "²", "√", "π", "∞", "\ud800",
]  # fmt: skip
LANGUAGE_TOKENS = [
    "x", "y", "pi", "e", "0", "1", "2.5", "1e-3", "1e308", "-", "+", "*", "/", "**", "^", "(", ")", ",", " ",
    "<", "<=", ">", ">=", "==", "!=", *[f"{name}(" for name in FUNCTION_NAMES],
]  # fmt: skip

_SOUP = st.lists(st.sampled_from(HOSTILE_TOKENS + LANGUAGE_TOKENS), max_size=60).map("".join)


def _extremes() -> st.SearchStrategy[str]:
    """Long, deep and huge inputs near and past every limit."""
    n = st.integers(min_value=1, max_value=700)
    return st.one_of(
        n.map(lambda k: "(" * k + "x" + ")" * k),
        n.map(lambda k: "sin(" * k + "x" + ")" * k),
        n.map(lambda k: "-" * k + "x"),
        n.map(lambda k: "x" + "**x" * k),
        n.map(lambda k: "x+" * k + "y"),
        n.map(lambda k: "9" * k),
        n.map(lambda k: "x" * k),
        n.map(lambda k: "(x" + ", x" * k + ")"),
        n.map(lambda k: "x" + ".real" * k),
        n.map(lambda k: "9" + "**9" * k),
        st.integers(min_value=MAX_NESTING - 2, max_value=MAX_NESTING + 2).map(lambda k: "(" * k + "x" + ")" * k),
        st.integers(min_value=MAX_LEN - 2, max_value=MAX_LEN + 2).map(lambda k: "x" + " " * (k - 1)),
    )


_NUMBERS = st.one_of(
    st.sampled_from(["0", "1", "2", "2.5", "0.5", "1e-3", "9", "64", "65", "1e308", "1e-308", "1e400", "9" * 40]),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=0, max_value=10**30).map(str),
)


def _grammar(variables: tuple[str, ...]) -> st.SearchStrategy[str]:
    atoms = st.one_of(st.sampled_from([*variables, *CONSTANTS]), _NUMBERS)
    unary_functions = [name for name, f in FUNCTIONS.items() if f.arity == 1]
    binary_functions = [name for name, f in FUNCTIONS.items() if f.arity == 2]
    ternary_functions = [name for name, f in FUNCTIONS.items() if f.arity == 3]
    operators = ["+", "-", "*", "/", "**", "^", "<", "<=", ">", ">=", "==", "!="]

    def compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(children, st.sampled_from(operators), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(children, st.sampled_from(operators), children).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
            st.tuples(st.sampled_from(["-", "+", "--"]), children).map("".join),
            st.tuples(st.sampled_from(unary_functions), children).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(binary_functions), children, children).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(st.sampled_from(ternary_functions), children, children, children).map(
                lambda t: f"{t[0]}({t[1]},{t[2]},{t[3]})"
            ),
            st.tuples(children, children, children).map(lambda t: f"{t[0]} < {t[1]} <= {t[2]}"),
        )

    return st.recursive(atoms, compound, max_leaves=30)


GRAMMAR = _grammar(XY)
STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "text": st.text(max_size=600),
    "ascii": st.text(alphabet=string.printable, max_size=200),
    "soup": st.one_of(_SOUP, _extremes()),
    "grammar": GRAMMAR,
}


def fuzz(kind: str, examples: int) -> dict[str, float]:
    """Runs ``examples`` generated inputs of one kind; returns counts and the time it took."""
    counts = {"accepted": 0, "rejected": 0}
    accepted: list[Formula] = []
    began = time.perf_counter()

    @settings(max_examples=examples, deadline=None, suppress_health_check=SUPPRESSED, database=None)
    @given(STRATEGIES[kind])
    def one(text: str) -> None:
        formula = check_text(text)
        counts["accepted" if formula is not None else "rejected"] += 1
        if formula is not None and len(accepted) < 50_000:
            accepted.append(formula)

    one()
    check_jit(accepted)
    assert not _ATTEMPTS, _ATTEMPTS
    if kind == "grammar":  # the grammar's formulas parse unless they are over a documented limit
        assert counts["accepted"] >= 0.8 * (counts["accepted"] + counts["rejected"]), counts
    return {**counts, "seconds": time.perf_counter() - began}


# --------------------------------------------------------------------------------------------------------------
# The default run: a few thousand inputs
# --------------------------------------------------------------------------------------------------------------

DEFAULT_SPLIT = {"text": 400, "ascii": 400, "soup": 600, "grammar": 600}  # 2,000 inputs, about 20 s here


@pytest.mark.parametrize("kind", list(DEFAULT_SPLIT))
def test_fuzz_parse_is_total_and_runs_no_code(kind):
    stats = fuzz(kind, DEFAULT_SPLIT[kind])
    assert stats["accepted"] + stats["rejected"] >= DEFAULT_SPLIT[kind] * 0.9, stats


def test_the_guards_catch_code_that_runs():
    """The guards themselves work: a real eval, import or bytecode compile inside them is caught."""
    with pytest.raises(CodeRan), no_code_runs(imports=False):
        eval("1 + 1")
    with pytest.raises(CodeRan), no_code_runs(imports=False):
        __import__("os")
    with pytest.raises(CodeRan), no_code_runs(imports=True):
        __import__("lrl_canary_module_that_is_not_loaded")
    with pytest.raises(CodeRan), no_code_runs(imports=True):
        compile("1", "<s>", "eval")
    with no_code_runs(imports=False):
        ast.parse("x + 1", mode="eval")  # an AST only: allowed
    _ATTEMPTS.clear()
    with pytest.raises(TimeoutError), time_limit(0.2):
        while True:
            pass


BAD_ATOMS = [
    ("__import__('os')", "unknown function '__import__'"),
    ("__import__('os').system('true')", "calls are only allowed to"),
    ("().__class__", "attribute access"),
    ("x.real", "attribute access"),
    ("sin.__globals__", "attribute access"),
    ("foo", "unknown name 'foo'"),
    ("__builtins__", "unknown name '__builtins__'"),
    ("globals()", "unknown function 'globals'"),
    ("[1]", "lists"),
    ("{}", "dictionaries"),
    ("'s'", "strings"),
    ("b'x'", "bytes"),
    ("x[0]", "indexing"),
    ("sin(x=1)", "'=' is not allowed"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=SUPPRESSED)
@given(GRAMMAR.filter(lambda t: len(t) < 300 and t.count("(") < MAX_NESTING - 2), st.sampled_from(BAD_ATOMS))
def test_a_hostile_term_after_a_valid_formula_is_reported_at_its_own_column(valid, bad):
    """``<valid> + <hostile>``: the error points into the hostile term, not at the start of the text."""
    atom, reason = bad
    text = f"{valid} + {atom}"
    with pytest.raises(FormulaError) as caught, no_code_runs(imports=False), time_limit(CHECK_SECONDS):
        parse(text, XY)
    error = caught.value
    assert len(valid) + 4 <= error.column <= len(text), (text, str(error))
    assert reason in error.reason, (text, str(error))


@settings(max_examples=200, deadline=None, suppress_health_check=SUPPRESSED)
@given(_grammar(SCHEDULE_VARIABLES))
def test_schedule_formulas_in_k_T_lr_are_total_too(text):
    check_text(text, SCHEDULE_VARIABLES)


# --------------------------------------------------------------------------------------------------------------
# The long run: 100,000 inputs (pytest -m slow tests/test_fuzz.py)
# --------------------------------------------------------------------------------------------------------------

SLOW_SPLIT = {"text": 25_000, "ascii": 15_000, "soup": 30_000, "grammar": 30_000}  # 100,000 in all


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(SLOW_SPLIT))
def test_fuzz_100k_parse_is_total_and_runs_no_code(kind):
    stats = fuzz(kind, SLOW_SPLIT[kind])
    print(f"\n{kind}: {stats}")
    assert stats["accepted"] + stats["rejected"] >= SLOW_SPLIT[kind] * 0.9, stats
