"""The one numeric engine: values of expressions at points, the precisions, the sample boxes
and the size guards, for the verifier (verify.py), the answer checker (check.py), the graph's
forward and backward values (graph.py) and a derivative's value at a point (derive.py)."""

from __future__ import annotations

import math

import sympy
from sympy.core.function import AppliedUndef

# Digits: a step is checked at STEP_DPS (and the graph's values worked out); a student's answer
# is compared at ANSWER_DPS and a difference confirmed at CONFIRM_DPS (check.py).
STEP_DPS = 30
ANSWER_DPS, CONFIRM_DPS = 50, 100
# a value's decimal beside its exact form (derive.py): a float's 17 significant digits
DECIMAL_DPS = 17
# Sample boxes for random points: inside (−1, 1), beyond ±1, and around; several domains (the
# verifier's); then far enough out to reach a relu's kink at 5 or a max with 10 (the checker's).
NEAR_BOXES = ((0.15, 0.85), (1.2, 2.8), (-0.85, -0.15), (-2.8, -1.2), (0.05, 5.0))
BOXES = (*NEAR_BOXES, (3.0, 12.0), (-12.0, -3.0), (10.0, 60.0))


def _concrete_function(name: str, nargs: int) -> sympy.Lambda:
    """A smooth stand-in for an unknown function f, so both sides can be evaluated."""
    ts = sympy.symbols(f"_t0:{nargs}", real=True)
    k = 1 + sympy.Rational(sum(map(ord, name)) % 5, 3)  # exact: no 15-digit float in it
    total = sum((i + 1) * t for i, t in enumerate(ts))
    return sympy.Lambda(ts, sympy.sin(k * total) + total**2 / 3 + total / 7)


def _at_a_point(expr: sympy.Expr) -> sympy.Expr:
    """d f(g(x))/d g(x) written as SymPy's Subs(d f(t)/dt, t, g(x)): a derivative by an
    expression cannot be carried out once f is concrete; by a symbol at a point it can."""
    swaps = {}
    for d in expr.atoms(sympy.Derivative):
        if all(v.is_Symbol for v in d.variables):
            continue
        points = {v: sympy.Dummy("t", real=True) for v in d.variables if not v.is_Symbol}
        inner = sympy.Derivative(d.expr.xreplace(points), *[points.get(v, v) for v in d.variables])
        swaps[d] = sympy.Subs(inner, list(points.values()), list(points.keys()))
    return expr.xreplace(swaps) if swaps else expr


def concretize(expr: sympy.Expr) -> sympy.Expr:
    """Replace unknown functions by concrete ones and carry out the derivatives they were in."""
    if not expr.atoms(AppliedUndef) and not expr.has(sympy.Derivative, sympy.Subs):
        return expr
    expr = _at_a_point(expr)
    replaced = expr.replace(
        lambda n: isinstance(n, AppliedUndef),
        lambda n: _concrete_function(str(n.func), len(n.args))(*n.args),
    )
    return replaced.doit()


def numeric_value(expr: sympy.Expr, point: dict) -> complex | None:
    """The value at a point, each distinct sub-expression evaluated once: evalf(subs=…) walks
    the tree, and a derivative's tree repeats its inner expressions (a 40-deep mix of
    functions would take exponential time)."""
    try:
        v = Evaluator(point)(expr)
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError, RecursionError):
        return None
    if v is None or not v.is_number or v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    try:
        value = complex(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(abs(value)) else None


def central_difference(expr: sympy.Expr, var: sympy.Symbol, point: dict) -> complex | None:
    """d expr/d var at the point, numerically: (f(x + h) − f(x − h))/2h at 30 digits with
    h = 10⁻¹², so that both the truncation and the rounding error are far below 10⁻⁹."""
    h = sympy.Float("1e-12", STEP_DPS)
    x = sympy.Float(point[var], STEP_DPS)
    try:
        up = Evaluator({**point, var: x + h})(expr)
        down = Evaluator({**point, var: x - h})(expr)
        return (
            numeric_value((up - down) / (2 * h), {})
            if up is not None and down is not None
            else None
        )
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError):
        return None


def close(a, b) -> bool:
    """Equal to 9 digits, relatively; numbers beyond a double (a product of 300 factors at
    x = 2 is 10⁶⁰⁰) are compared as SymPy numbers, not converted."""
    try:
        x, y = complex(a), complex(b)
        if math.isfinite(abs(x)) and math.isfinite(abs(y)):
            return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
        raise OverflowError  # SymPy's Float past a double converts to inf, without an error
    except OverflowError:
        import mpmath

        try:
            x, y = (mpmath.mpf(v._mpf_) if isinstance(v, sympy.Float) else mpmath.mpmathify(v)
                    for v in (a, b))  # fmt: skip
        except (AttributeError, TypeError, ValueError):
            return False  # a complex number beyond a double: left to the other points
        return bool(abs(x - y) <= mpmath.mpf("1e-9") * max(1, abs(x), abs(y)))


# A value past 2^MAX_BITS is not used: raising a number to it (a power tower) is one C-level
# big-number computation that holds the interpreter for minutes, past any --timeout.
MAX_BITS = 4_000


def astronomical(value: sympy.Basic, both_ways: bool = False) -> bool:
    """A number past 2^MAX_BITS in it (both_ways: or below 2^−MAX_BITS)."""
    floats = [value] if value.is_Float else value.atoms(sympy.Float)
    if both_ways:
        return any(f._mpf_[1] and abs(f._mpf_[2] + f._mpf_[3]) > MAX_BITS for f in floats)
    return any(f._mpf_[1] and f._mpf_[2] + f._mpf_[3] > MAX_BITS for f in floats)


class Evaluator:
    """Numeric values of sub-expressions at one point, each shared node evaluated once."""

    def __init__(self, point: dict, draw=None, dps: int = STEP_DPS) -> None:
        self.dps = dps
        self.memo: dict[sympy.Basic, sympy.Basic] = {
            k: sympy.Float(v, dps) if v.is_Number else v.evalf(dps) for k, v in point.items()
        }
        self.draw = draw  # gives a value to a symbol met for the first time

    def at(self, symbol: sympy.Symbol, value: sympy.Basic) -> Evaluator:
        """A fresh evaluator at the same point, with `symbol` (an intermediate u) set to value."""
        child = Evaluator({}, self.draw, self.dps)
        child.memo = {k: v for k, v in self.memo.items() if k.is_Symbol}
        child.memo[symbol] = value
        return child

    def __call__(self, expr: sympy.Basic) -> sympy.Basic | None:
        stack = [(expr, False)]
        memo = self.memo
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if node.is_Number or node.is_NumberSymbol or node is sympy.I:
                memo[node] = node.evalf(self.dps)
                continue
            if not node.args:
                if self.draw is None or not node.is_Symbol:
                    return None  # a symbol without a value
                memo[node] = sympy.Float(self.draw(), self.dps)
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in memo)
                continue
            try:
                value = node.func(*(memo[a] for a in node.args)).evalf(self.dps)
            except (
                ValueError, TypeError, ZeroDivisionError, ArithmeticError, KeyError, AttributeError
            ):  # fmt: skip
                return None  # Derivative(…, (x, 1)) and the like have no number
            if astronomical(value):
                return None  # x^x^x^x at 2.5: the next power would hold the interpreter
            memo[node] = value
        value = memo[expr]
        return value if value.is_number else None
