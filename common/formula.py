"""A small, safe formula language for user-typed surfaces f(x, y) and schedules in k, T, lr.

The text is never given to ``eval``, ``exec`` or ``compile``. ``ast.parse(..., mode="eval")`` serves only as a
parser; the tree is then walked with a strict whitelist and turned into a tree of our own nodes, which
:meth:`Formula.evaluate` computes with an array namespace (``numpy`` or ``jax.numpy``) and
:meth:`Formula.latex` renders for display.

The language:

- numbers (``2``, ``0.5``, ``1e-3``), the declared variables, the constants ``pi`` and ``e``;
- ``+ - * / **``, unary ``+``/``-`` and parentheses; ``^`` is read as ``**`` (power), as in most calculators;
- comparisons ``< <= > >= == !=`` giving 1.0 where true and 0.0 where false (chains like ``0 < x < 1`` work);
- calls of the functions in :data:`FUNCTIONS`, e.g. ``sin(x)``, ``max(x, 0)``, ``where(x > 0, x, -x)``,
  ``clip(x, -1, 1)``, ``mod(k, 50)``.

Everything else (attributes, indexing, strings, lambdas, keyword arguments, ...) is rejected with a
:class:`FormulaError` whose message says what is wrong and at which 1-based column of the text.

Evaluation is elementwise array math in the floating dtype of the inputs: constants are never folded in
Python, so ``9**9**9`` gives ``inf`` instead of hanging. With ``jax.numpy`` the result is traceable and
differentiable.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from common.errors import ParamError

MAX_LEN = 500
MAX_NESTING = 50  # parentheses/brackets inside one another, checked on the raw text before parsing
MAX_TREE_DEPTH = 200  # operations inside one another (e.g. a sum of 200 terms), protects the recursion

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}


class FormulaError(ParamError):
    """A formula is not allowed; the message starts with the 1-based column and says what is wrong."""

    def __init__(self, reason: str, column: int) -> None:
        super().__init__(f"column {column}: {reason}")
        self.reason = reason
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.column))


# ----------------------------------------------------------------------------------------------------------
# The formula tree
# ----------------------------------------------------------------------------------------------------------


class Number(NamedTuple):
    value: float


class Variable(NamedTuple):
    name: str


class Constant(NamedTuple):
    name: str


class Unary(NamedTuple):
    op: str  # "-" or "+"
    operand: Node


class Binary(NamedTuple):
    op: str  # "+", "-", "*", "/", "**"
    left: Node
    right: Node


class Compare(NamedTuple):
    ops: tuple[str, ...]  # "<", "<=", ">", ">=", "==", "!="
    operands: tuple[Node, ...]  # one more than ops


class Call(NamedTuple):
    name: str
    args: tuple[Node, ...]


Node = Number | Variable | Constant | Unary | Binary | Compare | Call


# ----------------------------------------------------------------------------------------------------------
# Functions
# ----------------------------------------------------------------------------------------------------------


def _paren(text: str) -> str:
    return rf"\left({text}\right)"


def _named(command: str) -> Callable[[list[str]], str]:
    return lambda args: command + _paren(", ".join(args))


def _sigmoid(xp: Any, z: Any) -> Any:
    # 1/(1 + e^(−z)) in the form ½(1 + tanh(z/2)): equal in exact arithmetic, and neither the value nor the
    # gradient overflows for large |z| (the plain form's gradient is inf/inf = NaN far on the left).
    return 0.5 * (xp.tanh(0.5 * z) + 1.0)


def _clip(xp: Any, a: Any, low: Any, high: Any) -> Any:
    return xp.minimum(xp.maximum(a, low), high)


def _where(xp: Any, condition: Any, a: Any, b: Any) -> Any:
    return xp.where(condition != 0, a, b)


def _cases(condition: str, a: str, b: str) -> str:
    return rf"\begin{{cases}} {a} & \text{{if }} {condition} \\ {b} & \text{{otherwise}} \end{{cases}}"


def _numpy_function(name: str) -> Callable[..., Any]:
    return lambda xp, *args: getattr(xp, name)(*args)


@dataclasses.dataclass(frozen=True)
class _Function:
    arity: int
    apply: Callable[..., Any]  # apply(xp, *args)
    latex: Callable[[list[str]], str]


def _unary(numpy_name: str, latex_command: str) -> _Function:
    return _Function(1, _numpy_function(numpy_name), _named(latex_command))


FUNCTIONS: dict[str, _Function] = {
    "sin": _unary("sin", r"\sin"),
    "cos": _unary("cos", r"\cos"),
    "tan": _unary("tan", r"\tan"),
    "exp": _unary("exp", r"\exp"),
    "log": _unary("log", r"\ln"),
    "log10": _unary("log10", r"\log_{10}"),
    "log2": _unary("log2", r"\log_{2}"),
    "sqrt": _Function(1, _numpy_function("sqrt"), lambda a: rf"\sqrt{{{a[0]}}}"),
    "abs": _Function(1, _numpy_function("abs"), lambda a: rf"\left|{a[0]}\right|"),
    "tanh": _unary("tanh", r"\tanh"),
    "sinh": _unary("sinh", r"\sinh"),
    "cosh": _unary("cosh", r"\cosh"),
    "arctan": _unary("arctan", r"\arctan"),
    "atan": _unary("arctan", r"\arctan"),
    "arcsin": _unary("arcsin", r"\arcsin"),
    "asin": _unary("arcsin", r"\arcsin"),
    "arccos": _unary("arccos", r"\arccos"),
    "acos": _unary("arccos", r"\arccos"),
    "arctan2": _Function(2, _numpy_function("arctan2"), _named(r"\operatorname{atan2}")),
    "atan2": _Function(2, _numpy_function("arctan2"), _named(r"\operatorname{atan2}")),
    "sigmoid": _Function(1, _sigmoid, _named(r"\sigma")),
    "floor": _Function(1, _numpy_function("floor"), lambda a: rf"\left\lfloor {a[0]} \right\rfloor"),
    "ceil": _Function(1, _numpy_function("ceil"), lambda a: rf"\left\lceil {a[0]} \right\rceil"),
    "sign": _unary("sign", r"\operatorname{sign}"),
    "minimum": _Function(2, _numpy_function("minimum"), _named(r"\min")),
    "min": _Function(2, _numpy_function("minimum"), _named(r"\min")),
    "maximum": _Function(2, _numpy_function("maximum"), _named(r"\max")),
    "max": _Function(2, _numpy_function("maximum"), _named(r"\max")),
    "mod": _Function(2, _numpy_function("mod"), lambda a: _paren(rf"{a[0]} \bmod {a[1]}")),
    "clip": _Function(3, _clip, _named(r"\operatorname{clip}")),
    "where": _Function(3, _where, lambda a: _cases(*a)),
}

FUNCTION_NAMES = tuple(FUNCTIONS)

_ALLOWED_CALLS = ", ".join(FUNCTION_NAMES)

SYNTAX_HELP = (
    "Numbers, the variables, pi and e; + - * / and ** for powers (^ is read as **); parentheses; "
    "comparisons < <= > >= == != give 1 where true and 0 elsewhere; functions: " + _ALLOWED_CALLS + "."
)

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_REJECTED_OPERATORS = {
    ast.FloorDiv: "'//' is not allowed; use floor(a / b)",
    ast.Mod: "'%' is not allowed; use mod(a, b)",
    ast.MatMult: "'@' is not allowed",
    ast.BitAnd: "bitwise '&' is not allowed",
    ast.BitOr: "bitwise '|' is not allowed",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
    ast.BitXor: "bitwise xor is not allowed",
}
_REJECTED_NODES = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "indexing with [...] is not allowed",
    ast.Slice: "slices are not allowed",
    ast.List: "lists [...] are not allowed",
    ast.Tuple: "tuples (a comma outside a function call) are not allowed",
    ast.Set: "sets {...} are not allowed",
    ast.Dict: "dictionaries {...} are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.IfExp: "'a if condition else b' is not allowed; use where(condition, a, b)",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed; use where(...), min(...) or max(...)",
}

_FORBIDDEN_CHARACTERS = {
    "\\": "backslashes are not allowed",
    "#": "comments ('#') are not allowed",
    ";": "';' is not allowed",
    "$": "'$' is not allowed",
    "?": "'?' is not allowed",
    "`": "'`' is not allowed",
}
_ASSIGNMENT = re.compile(r"(?<![<>=!:])=(?!=)")
# Names and numbers as Python's tokenizer reads them (greedy, left to right), and any other single character.
_EXPONENT = r"(?:[eE][+-]?\d[\d_]*)?"
_TOKENS = re.compile(rf"[A-Za-z_]\w*|\d[\d_]*(?:\.[\d_]*)?{_EXPONENT}|\.\d[\d_]*{_EXPONENT}|.", re.S)
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}


# ----------------------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------------------


def _check_characters(text: str) -> None:
    for index, char in enumerate(text):
        code = ord(char)
        if char in "\t\n\r":
            continue
        if code < 32 or code == 127:
            raise FormulaError(f"control character {char!r} is not allowed", index + 1)
        if code > 127:
            raise FormulaError(
                f"character {char!r} (U+{code:04X}) is not allowed; use plain ASCII letters, digits and operators",
                index + 1,
            )
        if char in _FORBIDDEN_CHARACTERS:
            raise FormulaError(_FORBIDDEN_CHARACTERS[char], index + 1)
    match = _ASSIGNMENT.search(text)
    if match:
        raise FormulaError(
            "'=' is not allowed: type only the expression (e.g. 'x**2 + y**2'); use '==' to compare",
            match.start() + 1,
        )


def _check_number_then_name(text: str) -> None:
    """'2x' or '1e-3x': Python's tokenizer only warns about some of these, so say plainly what is wrong."""
    previous_was_number = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if previous_was_number and (token[0].isalpha() or token[0] == "_"):
            raise FormulaError(
                f"a number is directly followed by {token!r}; put an operator between them (e.g. 2*x)",
                match.start() + 1,
            )
        previous_was_number = token[0].isdigit() or (token[0] == "." and len(token) > 1)


def _check_brackets(text: str) -> None:
    """Matching and nesting depth of brackets, on the raw text, so that the parser never recurses deeply."""
    open_at: list[tuple[str, int]] = []
    for index, char in enumerate(text):
        if char in _OPENERS:
            open_at.append((char, index))
            if len(open_at) > MAX_NESTING:
                raise FormulaError(f"nesting is too deep (more than {MAX_NESTING} levels of brackets)", index + 1)
        elif char in _CLOSERS:
            if not open_at:
                raise FormulaError(f"unmatched {char!r}", index + 1)
            opener, opened = open_at.pop()
            if _CLOSERS[char] != opener:
                raise FormulaError(f"{char!r} does not match {opener!r} at column {opened + 1}", index + 1)
    if open_at:
        opener, opened = open_at[-1]
        raise FormulaError(f"{opener!r} is never closed", opened + 1)


class _Converter:
    """Walks Python's AST with a whitelist and builds the formula tree."""

    def __init__(self, source: str, origin: list[int], variables: tuple[str, ...]) -> None:
        self.source = source  # the text given to ast.parse
        self.origin = origin  # origin[i]: 0-based index in the user's text of source[i]
        self.variables = variables
        self.allowed_names = ", ".join((*variables, *CONSTANTS))

    def column(self, offset: int | None) -> int:
        if offset is None:
            return 1
        offset = min(max(offset, 0), len(self.origin) - 1)
        return self.origin[offset] + 1

    def fail(self, reason: str, node: ast.AST) -> FormulaError:
        return FormulaError(reason, self.column(getattr(node, "col_offset", None)))

    def operator_column(self, left: ast.AST, right: ast.AST) -> int:
        """The column of the operator between two operands (the AST keeps no position for operators)."""
        start = getattr(left, "end_col_offset", None)
        stop = getattr(right, "col_offset", None)
        if start is None or stop is None:
            return self.column(start)
        for offset in range(start, min(stop, len(self.source))):
            if not self.source[offset].isspace() and self.source[offset] != ")":
                return self.column(offset)
        return self.column(start)

    def convert(self, node: ast.AST, depth: int) -> Node:
        if depth > MAX_TREE_DEPTH:
            raise self.fail(f"formula is nested too deeply (more than {MAX_TREE_DEPTH} operations)", node)
        depth += 1
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub | ast.UAdd):
                return Unary("-" if isinstance(node.op, ast.USub) else "+", self.convert(node.operand, depth))
            what = "'not'" if isinstance(node.op, ast.Not) else "'~'"
            raise self.fail(f"{what} is not allowed", node)
        if isinstance(node, ast.BinOp):
            op = _OPERATORS.get(type(node.op))
            if op is None:
                reason = _REJECTED_OPERATORS.get(type(node.op), "this operator is not allowed")
                raise FormulaError(reason, self.operator_column(node.left, node.right))
            return Binary(op, self.convert(node.left, depth), self.convert(node.right, depth))
        if isinstance(node, ast.Compare):
            ops = []
            previous = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                symbol = _COMPARISONS.get(type(op))
                if symbol is None:
                    raise FormulaError("'is' and 'in' are not allowed", self.operator_column(previous, right))
                ops.append(symbol)
                previous = right
            operands = (node.left, *node.comparators)
            return Compare(tuple(ops), tuple(self.convert(operand, depth) for operand in operands))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        reason = _REJECTED_NODES.get(type(node), f"{type(node).__name__} is not allowed")
        raise self.fail(reason, node)

    def constant(self, node: ast.Constant) -> Number:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.fail(f"{value!r} is not allowed", node)
        if isinstance(value, str):
            raise self.fail("strings are not allowed", node)
        if isinstance(value, bytes):
            raise self.fail("bytes are not allowed", node)
        if isinstance(value, complex):
            raise self.fail("complex numbers (like 1j) are not allowed", node)
        if isinstance(value, int):
            try:
                return Number(float(value))
            except OverflowError:
                return Number(math.inf)
        if isinstance(value, float):
            return Number(value)
        raise self.fail(f"{type(value).__name__} literals are not allowed", node)

    def name(self, node: ast.Name) -> Variable | Constant:
        if node.id in self.variables:
            return Variable(node.id)
        if node.id in CONSTANTS:
            return Constant(node.id)
        if node.id in FUNCTIONS:
            raise self.fail(f"{node.id!r} is a function: call it, e.g. {node.id}(x)", node)
        raise self.fail(f"unknown name {node.id!r}; allowed: {self.allowed_names}", node)

    def call(self, node: ast.Call, depth: int) -> Call:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            what = f"unknown function {func.id!r}; " if isinstance(func, ast.Name) else ""
            raise self.fail(f"{what}calls are only allowed to: {_ALLOWED_CALLS}", func)
        if node.keywords:
            raise self.fail("keyword arguments are not allowed", node.keywords[0])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail("'*' unpacking is not allowed", arg)
        arity = FUNCTIONS[func.id].arity
        if len(node.args) != arity:
            plural = "" if arity == 1 else "s"
            raise self.fail(f"{func.id}() takes {arity} argument{plural}, got {len(node.args)}", node)
        return Call(func.id, tuple(self.convert(arg, depth) for arg in node.args))


def _check_variables(variables: Sequence[str]) -> tuple[str, ...]:
    if isinstance(variables, str):
        raise TypeError(f"variables must be a sequence of names, got the string {variables!r}")
    names = tuple(variables)
    for name in names:
        if not (isinstance(name, str) and name.isascii() and name.isidentifier()):
            raise ValueError(f"a variable must be an ASCII identifier, got {name!r}")
        if name in CONSTANTS or name in FUNCTIONS:
            raise ValueError(f"a variable may not be named like a constant or function, got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"variables must be distinct, got {names}")
    return names


def parse(text: str, variables: Sequence[str], max_len: int = MAX_LEN) -> Formula:
    """Parses ``text`` as a formula in ``variables``; raises :class:`FormulaError` with the column if not allowed.

    Example: ``parse("x^2 + 3*y**2", ("x", "y")).evaluate(numpy, x=1.0, y=2.0)`` is 13.0.
    """
    names = _check_variables(variables)
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}", 1)
    if len(text) > max_len:
        raise FormulaError(f"formula is too long ({len(text)} characters; at most {max_len})", max_len + 1)
    if not text.strip():
        raise FormulaError("formula is empty", 1)
    _check_characters(text)
    _check_number_then_name(text)
    _check_brackets(text)

    # '^' becomes '**' (power), whitespace becomes plain spaces (one line, same length), and the whole is put
    # in parentheses so that leading spaces parse; origin maps every parsed character back to the user's text.
    pieces = ["("]
    origin = [0]
    notes = []
    for index, char in enumerate(text):
        if char == "^":
            pieces.append("**")
            origin.extend((index, index))
        else:
            pieces.append(" " if char in "\t\n\r" else char)
            origin.append(index)
    pieces.append(")")
    origin.extend((len(text) - 1, len(text) - 1))  # the closing parenthesis, and one past the end
    if "^" in text:
        notes.append("'^' was read as '**' (power)")
    source = "".join(pieces)

    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        offset = None if error.offset is None else error.offset - 1
        reason = error.msg if error.msg else "invalid syntax"
        column = 1 if offset is None else origin[min(max(offset, 0), len(origin) - 1)] + 1
        raise FormulaError(f"syntax error: {reason}", column) from None
    except (RecursionError, MemoryError):
        raise FormulaError("formula is too complex to parse", 1) from None
    except (ValueError, OverflowError, Warning) as error:
        raise FormulaError(f"cannot be parsed: {error}", 1) from None

    root = _Converter(source, origin, names).convert(tree.body, depth=0)
    return Formula(text=text, variables=names, notes=tuple(notes), root=root)


# ----------------------------------------------------------------------------------------------------------
# Evaluation and rendering
# ----------------------------------------------------------------------------------------------------------

_SMALL_INTEGER_POWER = 64  # x**n with a literal integer |n| <= 64 uses repeated multiplication (exact, fast)


class _Evaluator:
    def __init__(self, xp: Any, dtype: Any, values: Mapping[str, Any]) -> None:
        self.xp = xp
        self.dtype = dtype
        self.values = values

    def number(self, value: float) -> Any:
        return self.xp.asarray(value, dtype=self.dtype)

    def __call__(self, node: Node) -> Any:
        xp = self.xp
        if isinstance(node, Number):
            return self.number(node.value)
        if isinstance(node, Variable):
            return self.values[node.name]
        if isinstance(node, Constant):
            return self.number(CONSTANTS[node.name])
        if isinstance(node, Unary):
            operand = self(node.operand)
            return -operand if node.op == "-" else operand
        if isinstance(node, Binary):
            left = self(node.left)
            if node.op == "**":
                exponent = _literal_integer(node.right)
                if exponent is not None:
                    return left**exponent
                return xp.power(left, self(node.right))
            right = self(node.right)
            if node.op == "+":
                return left + right
            if node.op == "-":
                return left - right
            if node.op == "*":
                return left * right
            return left / right
        if isinstance(node, Compare):
            operands = [self(operand) for operand in node.operands]
            result = None
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                truth = _compare(op, left, right)
                result = truth if result is None else result & truth
            return xp.asarray(result).astype(self.dtype)
        if isinstance(node, Call):
            return FUNCTIONS[node.name].apply(xp, *(self(arg) for arg in node.args))
        raise TypeError(f"not a formula node: {node!r}")


def _literal_integer(node: Node) -> int | None:
    sign = 1
    if isinstance(node, Unary):
        sign = -1 if node.op == "-" else 1
        node = node.operand
    if isinstance(node, Number) and node.value.is_integer() and abs(node.value) <= _SMALL_INTEGER_POWER:
        return sign * int(node.value)
    return None


def _compare(op: str, left: Any, right: Any) -> Any:
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "==":
        return left == right
    return left != right


# LaTeX precedence levels: a child is put in parentheses when its level is too low for its place.
_COMPARE, _ADD, _MUL, _UNARY, _POW, _ATOM = range(6)
_LATEX_COMPARISONS = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "==": "=", "!=": r"\ne"}
_LATEX_CONSTANTS = {"pi": r"\pi", "e": "e"}


def _latex_number(value: float) -> str:
    if math.isinf(value):
        return r"\infty"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = rf"10^{{{int(exponent)}}}"
        return power if mantissa == "1.0" else rf"{mantissa} \cdot {power}"
    return text


class _Renderer:
    def __init__(self, symbols: Mapping[str, str]) -> None:
        self.symbols = symbols

    def wrap(self, node: Node, minimum: int) -> str:
        text, level = self(node)
        if level >= minimum:
            return text
        if isinstance(node, Compare):
            return rf"\left[{text}\right]"  # Iverson bracket: 1 where true, 0 elsewhere
        return _paren(text)

    def __call__(self, node: Node) -> tuple[str, int]:
        if isinstance(node, Number):
            text = _latex_number(node.value)
            return text, (_MUL if r"\cdot" in text else _ATOM)
        if isinstance(node, Variable):
            if node.name in self.symbols:
                return self.symbols[node.name], _ATOM
            if len(node.name) == 1:
                return node.name, _ATOM
            escaped = node.name.replace("_", r"\_")
            return rf"\mathrm{{{escaped}}}", _ATOM
        if isinstance(node, Constant):
            return _LATEX_CONSTANTS[node.name], _ATOM
        if isinstance(node, Unary):
            operand, level = self(node.operand)
            if level <= _ADD or isinstance(node.operand, Unary):
                operand = _paren(operand)
            return (f"-{operand}" if node.op == "-" else operand), (_UNARY if node.op == "-" else level)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Compare):
            parts = [self.wrap(node.operands[0], _ADD)]
            for op, operand in zip(node.ops, node.operands[1:], strict=True):
                parts.append(f"{_LATEX_COMPARISONS[op]} {self.wrap(operand, _ADD)}")
            return " ".join(parts), _COMPARE
        return self.call(node)

    def binary(self, node: Binary) -> tuple[str, int]:
        if node.op in "+-":
            left = self.wrap(node.left, _ADD)
            right = self.wrap(node.right, _MUL) if not isinstance(node.right, Unary) else _paren(self(node.right)[0])
            return f"{left} {node.op} {right}", _ADD
        if node.op == "*":
            left = self.wrap(node.left, _MUL)
            right = self.wrap(node.right, _POW) if isinstance(node.right, Unary) else self.wrap(node.right, _MUL + 1)
            joiner = r" \, " if isinstance(node.left, Number) and not right[:1].isdigit() else r" \cdot "
            return f"{left}{joiner}{right}", _MUL
        if node.op == "/":
            return rf"\frac{{{self(node.left)[0]}}}{{{self(node.right)[0]}}}", _MUL
        base = self.wrap(node.left, _ATOM)
        return f"{base}^{{{self(node.right)[0]}}}", _POW

    def call(self, node: Call) -> tuple[str, int]:
        function = FUNCTIONS[node.name]
        if node.name == "where":
            condition, level = self(node.args[0])
            if not isinstance(node.args[0], Compare):
                condition = (condition if level > _COMPARE else _paren(condition)) + r" \ne 0"
            a, b = self(node.args[1])[0], self(node.args[2])[0]
            return function.latex([condition, a, b]), _MUL
        return function.latex([self(arg)[0] for arg in node.args]), _ATOM


@dataclasses.dataclass(frozen=True)
class Formula:
    """A parsed formula: evaluate it with an array namespace, render it as LaTeX.

    Attributes:
        text: the text as the user typed it.
        variables: the names it may use, in order.
        root: the parsed tree (built by :func:`parse`, not by hand).
        notes: remarks for the user about how the text was read (e.g. ``^`` as power).
    """

    text: str
    variables: tuple[str, ...]
    root: Node = dataclasses.field(repr=False, compare=False)
    notes: tuple[str, ...] = ()

    def evaluate(self, xp: Any, **values: Any) -> Any:
        """The formula's value, elementwise over the broadcast shape of ``values``.

        ``xp`` is ``numpy`` or ``jax.numpy``; every variable must be given. The result has the floating
        dtype of the inputs (integer inputs count as the namespace's default float); with ``jax.numpy`` it
        is traceable (jit, vmap, grad).
        """
        missing = [name for name in self.variables if name not in values]
        unknown = [name for name in values if name not in self.variables]
        if missing or unknown:
            raise TypeError(f"formula {self.text!r} needs values for {list(self.variables)}, got {list(values)}")
        arrays = {name: xp.asarray(values[name]) for name in self.variables}
        default_float = xp.asarray(0.0).dtype
        floats = [a.dtype for a in arrays.values() if xp.issubdtype(a.dtype, xp.floating)]
        dtype = xp.result_type(*floats) if floats else default_float
        arrays = {name: a.astype(dtype) for name, a in arrays.items()}
        shape = tuple(np.broadcast_shapes(*(a.shape for a in arrays.values()))) if arrays else ()
        with np.errstate(all="ignore"):
            result = xp.asarray(_Evaluator(xp, dtype, arrays)(self.root)).astype(dtype)
        if result.shape != shape:
            result = xp.broadcast_to(result, shape)
        return result

    def latex(self, symbols: Mapping[str, str] | None = None) -> str:
        r"""A LaTeX rendering for display (e.g. ``st.latex``); ``symbols`` maps variable names to LaTeX
        (e.g. ``{"lr": r"\eta_0"}``)."""
        return _Renderer(symbols or {})(self.root)[0]
