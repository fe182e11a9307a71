"""What the command line and the API read besides an expression: a variable's name, named
intermediates (--let u=…, put in in the order they depend on each other), a list of outputs
([f1, f2, …]) and a point (--at x=1/2,w=2). Every value is parsed by the parser, never
evaluated."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy

from chainrule_cli.errors import ParseError
from chainrule_cli.parse import MAX_DEPTH, MAX_DIGITS, MAX_LENGTH, parse


@dataclass(frozen=True)
class ReadOptions:
    """How user text is read: the input language, the declared functions and the limits. One
    value, made once per call of the api and handed to every reader."""

    input: str = "auto"
    functions: tuple[str, ...] = ()
    max_length: int = MAX_LENGTH
    max_depth: int = MAX_DEPTH
    max_digits: int = MAX_DIGITS
    # a student's working: (sin x)' and d/dx (sin x) inside an expression are derivatives
    # still to take (unevaluated Derivative objects), not refused
    unworked: bool = False

    def keywords(self) -> dict:
        """As parse(), read() and the api's functions take them."""
        return {
            "input": self.input, "functions": self.functions, "max_length": self.max_length,
            "max_depth": self.max_depth, "max_digits": self.max_digits,
            "unworked": self.unworked,
        }  # fmt: skip

    def parse(self, text: str) -> sympy.Basic:
        return parse(text, **self.keywords())


def variable_named(name: str) -> sympy.Symbol:
    """The symbol a name stands for, read by the parser (α and alpha are one variable); a
    constant (pi, e, I) or anything else is a ParseError."""
    from chainrule_cli.errors import LimitError, ParseError

    text = name.strip()
    try:
        value = parse(text, input="text") if text else None
    except (ParseError, LimitError):
        value = None
    if not isinstance(value, sympy.Symbol):
        raise ParseError(f"'{name}' is not a variable name")
    return value


def parse_lets(
    lets: Mapping[str, object] | Iterable[str], how: ReadOptions | None = None
) -> dict[sympy.Symbol, sympy.Expr]:
    """Named intermediates, {u: x^2*y}, from {"u": "x^2*y"} or ["u=x^2*y"]; parsed safely."""
    from chainrule_cli.errors import ParseError

    items = list(lets.items()) if isinstance(lets, Mapping) else []
    if not isinstance(lets, Mapping):
        for item in lets:
            name, sep, value = str(item).partition("=")
            if not sep or not name.strip() or not value.strip():
                raise ParseError(f"'{item}' is not NAME=EXPR")
            items.append((name.strip(), value.strip()))
    named: dict[sympy.Symbol, sympy.Expr] = {}
    for name, value in items:
        symbol = variable_named(name)
        if symbol in named:
            raise ParseError(f"the intermediate {name} is named twice")
        if isinstance(value, str):
            value = (how or ReadOptions()).parse(value)
        if not isinstance(value, sympy.Expr):
            raise TypeError(f"the value of {name} must be text or a SymPy expression")
        if symbol in value.free_symbols:
            raise ParseError(f"the intermediate {name} is defined through itself")
        named[symbol] = value
    return named


def parse_outputs(text: str, how: ReadOptions | None = None) -> list[sympy.Expr]:
    """ "[f1, f2, …]" (or one expression) as a list; an error's column counts in the whole text."""
    from chainrule_cli.errors import ChainruleError, LimitError, ParseError

    how = how or ReadOptions()
    max_length = how.max_length
    if len(text) > max_length:
        raise LimitError(
            f"input is {len(text)} characters long; the limit is {max_length}",
            column=max_length + 1,
            text=text,
        )
    stripped = text.strip()
    if stripped == "[]":
        raise ParseError("the list is empty", column=text.index("[") + 2, text=text)
    if not (stripped.startswith("[") and stripped.endswith("]")):
        return [how.parse(text)]
    start = text.index("[") + 1
    inner = text[start : text.rindex("]")]
    pieces, depth, begin = [], 0, 0
    for i, char in enumerate(inner):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append((begin, inner[begin:i]))
            begin = i + 1
    pieces.append((begin, inner[begin:]))
    outputs = []
    for offset, piece in pieces:
        if not piece.strip():
            raise ParseError("an empty entry in the list", column=start + offset + 1, text=text)
        try:
            outputs.append(how.parse(piece))
        except ChainruleError as exc:
            if exc.column is not None:
                exc.column += start + offset
            exc.text = text
            raise
    return outputs


class TypedDecimal(sympy.Rational):
    """A decimal as the user typed it at a point: exactly p/q (0.6 is 3/5, so nothing computed
    from it is rounded: y = √(1 − x²) at 0.6 is 4/5, not 0.800000000000000), printed as typed.
    Arithmetic gives plain Rationals: only the given value itself prints as 0.6."""

    __slots__ = ("text",)

    def __new__(cls, text: str):
        text = text.replace("−", "-")
        exact = sympy.Rational(text)
        if exact.q == 1:  # 2.0, 0.0: the integer itself (SymPy's 0 is a singleton it knows)
            return exact
        obj = sympy.Expr.__new__(cls)
        obj.p, obj.q = exact.p, exact.q
        obj.text = text.replace("−", "-").lstrip("+")
        return obj

    def __getnewargs__(self):
        return (self.text,)

    def __hash__(self) -> int:
        return hash(sympy.Rational(self.p, self.q))  # equal to p/q, so hashed as p/q

    def _hashable_content(self):
        return (self.p, self.q)

    # str() and JSON print p/q (exact: it reads back as the same number); the printers for
    # people print the decimal as typed (printing.UnicodePrinter._print_TypedDecimal)

    def _latex(self, printer) -> str:
        return self.text

    def _mathml_presentation(self, printer):
        if self.text.startswith("-"):
            row = printer.dom.createElement("mrow")
            minus = printer.dom.createElement("mo")
            minus.appendChild(printer.dom.createTextNode("−"))
            row.appendChild(minus)
            row.appendChild(TypedDecimal(self.text[1:])._mathml_presentation(printer))
            return row
        number = printer.dom.createElement("mn")
        number.appendChild(printer.dom.createTextNode(self.text))
        return number


DECIMAL = re.compile(r"[-+−]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")


def parse_point(assignments: Mapping[str, object] | Iterable[str]) -> dict:
    """{'x': '1/2'} or ['x=1/2', 'w=2'] as {x: 1/2, w: 2}; values are parsed, never evaluated.

    Each value must be a finite real number of reasonable size: variables are real, and a
    tower such as 10^10^10 would have to be computed (and cannot be stopped once started).
    """
    from chainrule_cli.errors import LimitError, ParseError
    from chainrule_cli.parse.lexer import NAME, tokenize
    from chainrule_cli.parse.names import CONSTANTS, FUNCTIONS, log2_size

    pairs: list[tuple[str, object]] = []
    if isinstance(assignments, Mapping):
        pairs = list(assignments.items())
    else:
        for item in assignments:
            for part in str(item).split(","):
                name, sep, value = part.partition("=")
                if not sep or not name.strip() or not value.strip():
                    raise ParseError(f"'{part}' is not NAME=VALUE")
                pairs.append((name.strip(), value.strip()))
    point = {}
    for name, value in pairs:
        variable = variable_named(name)
        if variable in point:
            raise ParseError(f"{name} is given twice")
        if isinstance(value, str):
            names = [
                t.value
                for t in tokenize(value)
                if t.kind == NAME and t.value not in CONSTANTS and t.value not in FUNCTIONS
            ]
            if names:  # 0x10 is 0·x10 = 0: a number, but not the one meant
                raise ParseError(f"the value of {name} must be a number; '{value}' has {names[0]}")
            if DECIMAL.fullmatch(value) and len(value) <= 40:
                value = TypedDecimal(value)  # 0.6 is 3/5 exactly, printed 0.6
            else:
                value = parse(value, input="text")
        elif isinstance(value, bool) or not isinstance(value, int | float | sympy.Basic):
            raise TypeError(f"the value of {name} must be text, a number or a SymPy expression")
        elif isinstance(value, int):
            value = sympy.Integer(value)
        elif isinstance(value, float):
            value = sympy.Float(value)
        if not value.is_number:
            raise ParseError(f"the value of {name} must be a number, not {value}")
        if any((log2_size(p) or 0) > 1000 for p in value.atoms(sympy.Pow) | {value}):
            raise LimitError(f"the value of {name} is too large to compute with")
        if value.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or value.is_extended_real is False:
            raise ParseError(
                f"the value of {name} must be a finite real number (variables are real)"
            )
        size = value.evalf(15)
        if not size.is_Number or not math.isfinite(float(abs(size))) or abs(size) > 1e100:
            raise LimitError(f"the value of {name} is too large to compute with")
        point[variable] = value
    return point


def order_intermediates(lets: dict[sympy.Symbol, sympy.Expr]) -> list[sympy.Symbol]:
    """The intermediates, each after those it depends on; a cycle is an error."""
    done: list[sympy.Symbol] = []
    state: dict[sympy.Symbol, str] = {}
    for start in lets:
        stack = [(start, False)]
        while stack:
            name, leaving = stack.pop()
            if leaving:
                state[name] = "done"
                done.append(name)
                continue
            if state.get(name) == "done":
                continue
            if state.get(name) == "open":
                raise ParseError(f"the intermediates depend on each other in a cycle ({name})")
            state[name] = "open"
            stack.append((name, True))
            for needed in sorted(lets[name].free_symbols & set(lets), key=str):
                if state.get(needed) == "open":
                    raise ParseError(
                        f"the intermediates depend on each other in a cycle ({needed})"
                    )
                if state.get(needed) != "done":
                    stack.append((needed, False))
    return done


def substitute(expr: sympy.Expr, lets: dict, order: list) -> sympy.Expr:
    """expr in the original variables: each intermediate replaced by its definition."""
    for name in reversed(order):
        if expr.has(sympy.Derivative, sympy.Subs):
            expr = expr.subs(name, lets[name])  # f'(u) at u = x²: Subs keeps it meaningful
        else:
            expr = expr.xreplace({name: lets[name]})
    return expr


def parse_array_point(assignments: Iterable[str], shapes: Mapping[str, object]) -> dict:
    """--at W=[[1,2],[3,4],[5,6]],x=[1/2,-1],c=2 as {name: SymPy Matrix} (a scalar is 1×1, a
    list a column vector, a list of lists a matrix by rows, [[1,2,3]] a row). Each entry is read
    as --at reads a number (1/2, -3, 0.25, pi); nothing is evaluated."""
    from chainrule_cli.errors import ParseError
    from chainrule_cli.parse.names import spelt

    point: dict = {}
    for item in assignments:
        for part in _top_level(str(item), ","):
            name, sep, value = part.partition("=")
            name, value = spelt(name.strip()), value.strip()
            if not sep or not name or not value:
                raise ParseError(f"'{part}' is not NAME=VALUE")
            if name in point:
                raise ParseError(f"{name} is given twice")
            rows = _nested(value, name)
            point[name] = sympy.Matrix(rows)
    return point


def _top_level(text: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _nested(value: str, name: str) -> list[list]:
    """The rows of a value: a number, [a, b] (a column), [[a, b], [c, d]] (rows)."""
    from chainrule_cli.errors import ParseError

    def entry(text: str):
        value = parse_point([f"{name}={text.strip()}"])[variable_named(name)]
        if isinstance(value, sympy.Float) and re.fullmatch(r"[-+]?[0-9]*\.?[0-9]+", text.strip()):
            return sympy.Rational(text.strip())  # a decimal as typed is exact: 0.5 is 1/2
        return value

    value = value.strip()
    if not value.startswith("["):
        return [[entry(value)]]
    if not value.endswith("]") or value.count("[") != value.count("]"):
        raise ParseError(f"--at {name}: brackets do not match in {value!r}")
    inner = value[1:-1].strip()
    items = _top_level(inner, ",")
    if not items:
        raise ParseError(f"--at {name}: an empty list")
    if all(i.strip().startswith("[") for i in items):
        rows = []
        for item in items:
            item = item.strip()
            if not item.endswith("]") or "[" in item[1:-1]:
                raise ParseError(f"--at {name}: a matrix is a list of rows of numbers")
            rows.append([entry(e) for e in _top_level(item[1:-1], ",")])
        if len({len(r) for r in rows}) != 1:
            raise ParseError(f"--at {name}: the rows have different lengths")
        return rows
    if any(i.strip().startswith("[") for i in items):
        raise ParseError(f"--at {name}: mixes numbers and lists")
    return [[entry(e)] for e in items]
