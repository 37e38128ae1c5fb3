"""Tests of the safe formula language: values, gradients, rendering, and rejection of hostile input."""

from __future__ import annotations

import builtins
import dataclasses
import math
import pickle
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.formula import FUNCTION_NAMES, MAX_LEN, FormulaError, parse
from common.params import FormulaParam, ParamError

XY = ("x", "y")
X = np.array([0.3, 0.9, 1.7, 2.5])
Y = np.array([0.6, 1.1, 1.9, 2.8])

VALUES = [
    ("x + y", lambda x, y: x + y),
    ("x - y - 1", lambda x, y: x - y - 1),
    ("2*x*y", lambda x, y: 2 * x * y),
    ("x / y / 2", lambda x, y: x / y / 2),
    ("x**2 + 3*y**2", lambda x, y: x**2 + 3 * y**2),
    ("x^2 + 3*y^2", lambda x, y: x**2 + 3 * y**2),
    ("-x**2", lambda x, y: -(x**2)),
    ("(-x)**2", lambda x, y: x**2),
    ("x**y**0.5", lambda x, y: x ** (y**0.5)),
    ("2**-x", lambda x, y: 2.0 ** (-x)),
    ("+x - -y", lambda x, y: x + y),
    ("1e-3*x + 2.5E2", lambda x, y: 1e-3 * x + 250.0),
    ("pi*x + e", lambda x, y: np.pi * x + np.e),
    ("sin(x) + cos(y) + tan(x/4)", lambda x, y: np.sin(x) + np.cos(y) + np.tan(x / 4)),
    ("exp(-x) * log(y) + log10(y) + log2(x)", lambda x, y: np.exp(-x) * np.log(y) + np.log10(y) + np.log2(x)),
    ("sqrt(x) + abs(x - y)", lambda x, y: np.sqrt(x) + np.abs(x - y)),
    ("tanh(x) + sinh(y) - cosh(x)", lambda x, y: np.tanh(x) + np.sinh(y) - np.cosh(x)),
    (
        "arctan(x) + atan(y) + arcsin(x/3) + arccos(y/3)",
        lambda x, y: 2 * 0 + np.arctan(x) + np.arctan(y) + np.arcsin(x / 3) + np.arccos(y / 3),
    ),
    (
        "asin(x/3) + acos(y/3) + atan2(y, x) + arctan2(x, y)",
        lambda x, y: np.arcsin(x / 3) + np.arccos(y / 3) + np.arctan2(y, x) + np.arctan2(x, y),
    ),
    ("sigmoid(x - y)", lambda x, y: 1 / (1 + np.exp(-(x - y)))),
    ("floor(3*x) + ceil(y) + sign(x - 1)", lambda x, y: np.floor(3 * x) + np.ceil(y) + np.sign(x - 1)),
    (
        "min(x, y) + max(x, 1) + minimum(y, 2) + maximum(x, y)",
        lambda x, y: np.minimum(x, y) + np.maximum(x, 1) + np.minimum(y, 2) + np.maximum(x, y),
    ),
    ("where(x > 1, x, -y)", lambda x, y: np.where(x > 1, x, -y)),
    ("where(x, 1, 2)", lambda x, y: np.ones_like(x)),
    ("mod(10*x, 3) + mod(-x, 1)", lambda x, y: np.mod(10 * x, 3) + np.mod(-x, 1)),
    ("clip(x, 0.5, 2)", lambda x, y: np.clip(x, 0.5, 2)),
    ("(x < y) + 2*(x >= 1) + (x == x) - (x != y)", lambda x, y: (x < y) + 2.0 * (x >= 1) + 1.0 - (x != y)),
    ("0.5 < x <= 2", lambda x, y: ((0.5 < x) & (x <= 2)).astype(float)),
    ("(x > 1) * (y <= 2)", lambda x, y: (x > 1) * (y <= 2.0)),
    ("  x\n  + y\t", lambda x, y: x + y),
    ("((((x))))", lambda x, y: x),
    ("1_000 * x", lambda x, y: 1000 * x),
    ("(1 - x)^2 + 100*(y - x^2)^2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
]


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_values_match_numpy(text, expected):
    formula = parse(text, XY)
    result = formula.evaluate(np, x=X, y=Y)
    assert result.shape == X.shape and result.dtype == np.float64
    np.testing.assert_allclose(result, expected(X, Y), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_jax_values_match_numpy(text, expected):
    formula = parse(text, XY)
    evaluate = jax.jit(lambda x, y: formula.evaluate(jnp, x=x, y=y))
    result = evaluate(jnp.asarray(X, dtype=jnp.float32), jnp.asarray(Y, dtype=jnp.float32))
    assert result.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(result), expected(X, Y), rtol=2e-5, atol=2e-5)


GRADIENTS = [
    ("x**3", lambda x, y: (3 * x**2, 0.0)),
    (
        "sin(x) * y^2 + exp(-x*y)",
        lambda x, y: (np.cos(x) * y**2 - y * np.exp(-x * y), 2 * y * np.sin(x) - x * np.exp(-x * y)),
    ),
    ("sigmoid(2*x - y)", lambda x, y: (2 * _dsigmoid(2 * x - y), -_dsigmoid(2 * x - y))),
    ("x**y", lambda x, y: (y * x ** (y - 1), np.log(x) * x**y)),
    ("sqrt(x*x + y*y)", lambda x, y: (x / np.hypot(x, y), y / np.hypot(x, y))),
    ("where(x > y, x*y, x/y)", lambda x, y: (y, x) if x > y else (1 / y, -x / y**2)),
    ("log(1 + x^2) - tanh(y)", lambda x, y: (2 * x / (1 + x**2), -(1 - np.tanh(y) ** 2))),
]


def _dsigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)


@pytest.mark.parametrize(("text", "gradient"), GRADIENTS)
def test_jax_grad_matches_analytic_gradient(text, gradient):
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    try:
        formula = parse(text, XY)
        grad = jax.jit(jax.grad(lambda xy: formula.evaluate(jnp, x=xy[0], y=xy[1])))
        for x, y in [(0.7, 1.3), (1.9, 0.4), (2.2, 2.9)]:
            np.testing.assert_allclose(np.asarray(grad(jnp.array([x, y]))), gradient(x, y), rtol=1e-12, atol=1e-14)
    finally:
        jax.config.update("jax_enable_x64", previous)


def test_sigmoid_gradient_is_finite_far_out():
    grad = jax.grad(lambda x: parse("sigmoid(x)", ("x",)).evaluate(jnp, x=x))
    assert float(grad(-200.0)) == 0.0 and float(grad(200.0)) == 0.0
    assert float(grad(0.0)) == pytest.approx(0.25)


def test_vmap_and_dtypes():
    formula = parse("x*y + 1", XY)
    batch = jax.vmap(lambda x: formula.evaluate(jnp, x=x, y=2.0))(jnp.arange(3.0))
    np.testing.assert_allclose(np.asarray(batch), [1.0, 3.0, 5.0])
    assert formula.evaluate(np, x=np.float32(1), y=np.float32(2)).dtype == np.float32
    assert formula.evaluate(np, x=1, y=2).dtype == np.float64  # integers count as the default float
    assert float(formula.evaluate(np, x=1, y=2)) == 3.0


def test_constant_formulas_broadcast_to_the_input_shape():
    assert parse("2", XY).evaluate(np, x=np.zeros((3, 4)), y=0.0).shape == (3, 4)
    assert parse("x", XY).evaluate(np, x=np.zeros(5), y=np.zeros((2, 1))).shape == (2, 5)
    assert float(parse("pi", ()).evaluate(np)) == pytest.approx(math.pi)


def test_schedule_variables():
    formula = parse("lr * 0.5 * (1 + cos(pi * k / T))", ("k", "T", "lr"))
    k = jnp.arange(0, 501, 250)  # integer steps
    np.testing.assert_allclose(np.asarray(formula.evaluate(jnp, k=k, T=500, lr=0.1)), [0.1, 0.05, 0.0], atol=1e-7)


def test_huge_exponents_give_inf_quickly():
    for text in ("9**9**9", "9**9**9**9", "9^9^9^9^9^9", "x**1e308", "(10**400)*x", "1" + "0" * 400 + "*x"):
        started = time.perf_counter()
        value = parse(text, ("x",)).evaluate(np, x=2.0)
        assert time.perf_counter() - started < 1.0
        assert math.isinf(float(value)), text
    assert math.isinf(float(jax.jit(lambda x: parse("9**9**9**9", ("x",)).evaluate(jnp, x=x))(1.0)))


def test_division_by_zero_and_domain_errors_are_values_not_exceptions():
    values = parse("1/x + log(x - 1) + sqrt(-x) + mod(x, 0)", ("x",)).evaluate(np, x=np.array([0.0, 2.0]))
    assert values.shape == (2,) and not np.any(np.isfinite(values))


def test_caret_is_power_and_the_user_is_told():
    formula = parse("x^2", ("x",))
    assert float(formula.evaluate(np, x=3.0)) == 9.0
    assert formula.notes == ("'^' was read as '**' (power)",)
    assert parse("x**2", ("x",)).notes == ()


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("x^2 + 3*y**2", r"x^{2} + 3 \, y^{2}"),
        ("-x**2", r"-x^{2}"),
        ("(-x)**2", r"\left(-x\right)^{2}"),
        ("(x + y)**2", r"\left(x + y\right)^{2}"),
        ("x - (y + pi)", r"x - \left(y + \pi\right)"),
        ("x/y/2", r"\frac{\frac{x}{y}}{2}"),
        ("x * -y", r"x \cdot \left(-y\right)"),
        ("sqrt(x) + abs(y) + exp(x)", r"\sqrt{x} + \left|y\right| + \exp\left(x\right)"),
        ("log(x) + log10(y)", r"\ln\left(x\right) + \log_{10}\left(y\right)"),
        ("1.5e-10 * x", r"1.5 \cdot 10^{-10} \, x"),
        ("(x < 1) * 2", r"\left[x < 1\right] \cdot 2"),
        ("x <= y", r"x \le y"),
        ("where(x > 0, x, -x)", r"\begin{cases} x & \text{if } x > 0 \\ -x & \text{otherwise} \end{cases}"),
        ("max(x, y)", r"\max\left(x, y\right)"),
        ("floor(x)", r"\left\lfloor x \right\rfloor"),
        ("sigmoid(x)", r"\sigma\left(x\right)"),
    ],
)
def test_latex(text, latex):
    assert parse(text, XY).latex() == latex


def test_latex_symbols_for_long_names():
    formula = parse("lr * k / T", ("k", "T", "lr"))
    assert formula.latex() == r"\frac{\mathrm{lr} \cdot k}{T}"
    assert formula.latex({"lr": r"\eta_0"}) == r"\frac{\eta_0 \cdot k}{T}"


def test_formula_is_frozen_hashable_and_compares_by_text():
    a, b = parse("x + y", XY), parse("x + y", XY)
    assert a == b and hash(a) == hash(b) and a != parse("y + x", XY)
    assert a.text == "x + y" and a.variables == XY
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.text = "x"  # type: ignore[misc]


def test_evaluate_needs_exactly_the_variables():
    formula = parse("x + y", XY)
    with pytest.raises(TypeError, match="needs values"):
        formula.evaluate(np, x=1.0)
    with pytest.raises(TypeError, match="needs values"):
        formula.evaluate(np, x=1.0, y=2.0, z=3.0)


@pytest.mark.parametrize("variables", [("x", "x"), ("pi",), ("sin",), ("1x",), ("ｘ",), "xy"])
def test_bad_variable_declarations(variables):
    with pytest.raises((ValueError, TypeError)):
        parse("1", variables)


def test_formula_error_is_a_param_error_and_pickles():
    with pytest.raises(FormulaError) as caught:
        parse("x + foo", XY)
    error = caught.value
    assert isinstance(error, ParamError) and isinstance(error, ValueError)
    assert error.column == 5 and str(error) == "column 5: unknown name 'foo'; allowed: x, y, pi, e"
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.column == 5


def test_formula_param_validates_through_the_parser():
    spec = FormulaParam("x**2 + y**2", variables=XY)
    assert spec.validate("sin(x) * y") == "sin(x) * y"
    with pytest.raises(FormulaError, match="column 1: attribute access"):
        spec.validate("x.real")


def test_eval_and_exec_are_never_used(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must not be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    formula = parse("where(x > 0, sin(x)^2, clip(y, -1, 1))", XY)
    assert float(formula.evaluate(np, x=1.0, y=0.0)) == pytest.approx(math.sin(1.0) ** 2)
    formula.latex()


# --------------------------------------------------------------------------------------------------------------
# Hostile input: every one is a FormulaError that names the column
# --------------------------------------------------------------------------------------------------------------

HOSTILE = [
    ("__import__('os')", 1, "unknown function '__import__'; calls are only allowed to: sin, cos"),
    ("__import__('os').system('ls')", 1, "calls are only allowed to"),
    ("().__class__", 1, "attribute access is not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", 1, "calls are only allowed to"),
    ("x.real", 1, "attribute access is not allowed"),
    ("sin.__globals__", 1, "attribute access is not allowed"),
    ("[x]", 1, "lists [...] are not allowed"),
    ("x[0]", 1, "indexing with [...] is not allowed"),
    ("{x}", 1, "sets {...} are not allowed"),
    ("{}", 1, "dictionaries {...} are not allowed"),
    ("lambda: 1", 1, "lambda is not allowed"),
    ("x if y else 1", 1, "use where(condition, a, b)"),
    ('"a"', 1, "strings are not allowed"),
    ("x + 'a'", 5, "strings are not allowed"),
    ("b'x'", 1, "bytes are not allowed"),
    ("f'{x}'", 1, "f-strings are not allowed"),
    ("f(x)=1", 5, "'=' is not allowed"),
    ("x = 1", 3, "'=' is not allowed"),
    ("(y := 1)", 2, "':=' is not allowed"),
    ("[c for c in x]", 1, "comprehensions are not allowed"),
    ("sin(x for x in y)", 4, "comprehensions are not allowed"),
    ("sin(x=1)", 6, "'=' is not allowed"),
    ("sin(*y)", 5, "'*' unpacking is not allowed"),
    ("foo + 1", 1, "unknown name 'foo'; allowed: x, y, pi, e"),
    ("x + __builtins__", 5, "unknown name '__builtins__'"),
    ("globals()", 1, "unknown function 'globals'"),
    ("x(1)", 1, "unknown function 'x'"),
    ("(x)(1)", 2, "unknown function 'x'"),
    ("(1)(x)", 2, "calls are only allowed to"),
    ("sin", 1, "'sin' is a function"),
    ("sin(x, y)", 1, "sin() takes 1 argument, got 2"),
    ("clip(x)", 1, "clip() takes 3 arguments, got 1"),
    ("where(x, y)", 1, "where() takes 3 arguments, got 2"),
    ("x // 2", 3, "use floor(a / b)"),
    ("x % 2", 3, "use mod(a, b)"),
    ("x @ y", 3, "'@' is not allowed"),
    ("x & y", 3, "bitwise"),
    ("x << 2", 3, "'<<' is not allowed"),
    ("x and y", 1, "'and' / 'or' are not allowed"),
    ("not x", 1, "'not' is not allowed"),
    ("~x", 1, "'~' is not allowed"),
    ("x is y", 3, "'is' and 'in' are not allowed"),
    ("x in y", 3, "'is' and 'in' are not allowed"),
    ("1j", 2, "a number is directly followed by 'j'"),
    ("2x + 1", 2, "put an operator between them"),
    ("1if x else 2", 2, "a number is directly followed by 'if'"),
    ("True", 1, "True is not allowed"),
    ("None", 1, "None is not allowed"),
    ("...", 1, "Ellipsis is not allowed"),
    ("x, y", 1, "tuples"),
    ("yield x", 1, "'yield' is not allowed"),
    ("await x", 1, "'await' is not allowed"),
    ("x; import os", 2, "';' is not allowed"),
    ("x # comment", 3, "comments ('#') are not allowed"),
    ("x + \\\n y", 5, "backslashes are not allowed"),
    ("", 1, "formula is empty"),
    ("   ", 1, "formula is empty"),
    ("x +", 3, "syntax error"),
    ("1 2", 1, "syntax error"),
    ("x <> y", 3, "syntax error"),
    (")(", 1, "unmatched ')'"),
    ("(x", 1, "'(' is never closed"),
    ("(x]", 3, "']' does not match '('"),
    ("x\x00", 2, "control character"),
    ("\x00", 1, "control character"),
    ("x\x1b[31m", 2, "control character"),
    ("ｘ + 1", 1, "U+FF58"),  # fullwidth x: Python would normalise it to a plain x
    ("х + 1", 1, "U+0445"),  # Cyrillic small ha
    ("sіn(x)", 2, "U+0456"),  # Ukrainian i inside "sin"
    ("x − 1", 3, "U+2212"),  # minus sign
    ("𝐱", 1, "U+1D431"),  # mathematical bold x
    ("x\u200b", 2, "U+200B"),  # zero-width space
    ("-" * 300 + "x", 202, "nested too deeply"),
    ("x" * 501, 501, "formula is too long (501 characters; at most 500)"),
    ("(" * 10_000 + "x" + ")" * 10_000, 501, "formula is too long"),
    ("x" * 1_000_000, 501, "formula is too long"),
    ("(" * 51 + "x" + ")" * 51, 51, "nesting is too deep"),
]


@pytest.mark.parametrize(("text", "column", "reason"), HOSTILE, ids=[repr(t[0])[:40] for t in HOSTILE])
def test_hostile_input_is_rejected_with_a_column(text, column, reason):
    started = time.perf_counter()
    with pytest.raises(FormulaError) as caught:
        parse(text, XY)
    assert time.perf_counter() - started < 1.0
    error = caught.value
    assert error.column == column, str(error)
    assert str(error).startswith(f"column {column}: ")
    assert reason in error.reason


@pytest.mark.parametrize("text", [5, None, b"x", ["x"], 1.5])
def test_non_text_is_rejected(text):
    with pytest.raises(FormulaError, match="column 1: a formula must be text"):
        parse(text, XY)  # type: ignore[arg-type]


def test_deep_nesting_is_caught_before_parsing():
    # With the length limit lifted, 10 000 nested parentheses must still fail fast, not blow the stack.
    text = "(" * 10_000 + "x" + ")" * 10_000
    with pytest.raises(FormulaError, match="column 51: nesting is too deep"):
        parse(text, XY, max_len=100_000)
    with pytest.raises(FormulaError, match="column 204: nesting is too deep"):  # the 51st '(' of "sin("
        parse("sin(" * 10_000 + "x" + ")" * 10_000, XY, max_len=100_000)
    parse("(" * 50 + "x" + ")" * 50, XY)  # 50 levels are fine


def test_long_flat_input_with_a_raised_limit_fails_cleanly():
    with pytest.raises(FormulaError):
        parse("-" * 200_000 + "x", XY, max_len=300_000)
    with pytest.raises(FormulaError):
        parse("x+" * 100_000 + "x", XY, max_len=300_000)


def test_max_len_is_inclusive():
    text = "x" + " " * (MAX_LEN - 1)
    assert parse(text, XY).text == text
    assert parse("x + y", XY, max_len=5).text == "x + y"
    with pytest.raises(FormulaError, match="column 5: formula is too long"):
        parse("x + y", XY, max_len=4)


# --------------------------------------------------------------------------------------------------------------
# Property tests: parse() returns a Formula or raises FormulaError, nothing else, and fast
# --------------------------------------------------------------------------------------------------------------

TOKENS = [
    "x", "y", "pi", "e", "0", "1", "2.5", "1e-3", "9", "1e308", "_", "__class__", "foo",
    "+", "-", "*", "/", "**", "^", "%", "//", "@", "&", "|", "~", "<", "<=", ">", ">=", "==", "!=", "=", ":=",
    "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "'", '"', "#", "\\", "\n", " ", "\x00", "ｘ",
    "if", "else", "lambda", "not", "and", "or", "for", "in", "is", "yield", "await", "import",
    *[f"{name}(" for name in FUNCTION_NAMES],
]  # fmt: skip


def _check_total(text: str) -> None:
    try:
        formula = parse(text, XY)
    except FormulaError as error:
        assert error.column >= 1 and str(error).startswith(f"column {error.column}: ")
        return
    values = formula.evaluate(np, x=np.array([0.5, -1.5]), y=np.array([2.0, 0.0]))
    assert values.shape == (2,) and values.dtype == np.float64
    assert isinstance(formula.latex(), str)


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=600))
def test_any_text_parses_or_fails_cleanly(text):
    _check_total(text)


@settings(max_examples=300, deadline=1000)
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_token_soup_parses_or_fails_cleanly(text):
    _check_total(text)


_ATOMS = st.sampled_from(["x", "y", "pi", "e", "0", "1", "2.5", "1e-3", "9", "1e308"])


def _compound(children):
    unary = st.sampled_from([n for n in FUNCTION_NAMES if n not in ("minimum", "min", "maximum", "max")])
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^", "<", ">=", "!="]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["-", "+"]), children).map(lambda t: f"{t[0]}{t[1]}"),
        st.tuples(unary.filter(lambda n: len(_arity(n)) == 1), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["min", "max", "mod", "atan2"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(st.sampled_from(["where", "clip"]), children, children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]}, {t[3]})"
        ),
    )


def _arity(name: str) -> tuple[None, ...]:
    from common.formula import FUNCTIONS

    return (None,) * FUNCTIONS[name].arity


VALID = st.recursive(_ATOMS, _compound, max_leaves=25)


@settings(max_examples=300, deadline=1000)
@given(VALID)
def test_grammatical_formulas_parse_and_evaluate(text):
    if len(text) > MAX_LEN or text.count("(") > 50:
        with pytest.raises(FormulaError):
            parse(text, XY)
        return
    formula = parse(text, XY)
    values = formula.evaluate(np, x=np.array([0.5, -1.5]), y=np.array([2.0, 0.0]))
    assert values.shape == (2,)
    assert isinstance(formula.latex(), str)
