"""Check every step against SymPy: structurally first, then numerically at random points.

Never an unbounded simplify(). Steps too deep for sympy.diff (which recurses once per level) are
checked against a numerical derivative of the expression instead.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from chainrule_cli.calculus import steps as S

# Taller steps are not given to sympy.diff (its cost grows quadratically with depth): they are
# checked numerically against the rule that combines their sub-steps' (checked) results.
DIFF_HEIGHT = 30
# Sums and products with more terms than this (a sum of 5,000 terms) are checked the same way:
# sympy.diff of the whole would differentiate every term again, which their own steps have
# checked.
WIDE = 50
_DPS = 30
_TOLERANCE = sympy.Float("1e-12")
# Sample boxes for random points: inside (−1, 1), beyond ±1, and around; several domains.
_BOXES = ((0.15, 0.85), (1.2, 2.8), (-0.85, -0.15), (-2.8, -1.2), (0.05, 5.0))
_NEEDED = 2  # agreeing points needed


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    failures: tuple[S.Step, ...]


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
    h = sympy.Float("1e-12", _DPS)
    x = sympy.Float(point[var], _DPS)
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


def _close(a, b) -> bool:
    """Equal to 9 digits, relatively; numbers beyond a double (a product of 300 factors at
    x = 2 is 10⁶⁰⁰) are compared as SymPy numbers, not converted."""
    try:
        a, b = complex(a), complex(b)
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
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


def _astronomical(value: sympy.Basic) -> bool:
    floats = [value] if value.is_Float else value.atoms(sympy.Float)
    return any(f._mpf_[1] and f._mpf_[2] + f._mpf_[3] > MAX_BITS for f in floats)


class Evaluator:
    """Numeric values of sub-expressions at one point, each shared node evaluated once."""

    def __init__(self, point: dict, draw=None, dps: int = _DPS) -> None:
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
            if _astronomical(value):
                return None  # x^x^x^x at 2.5: the next power would hold the interpreter
            memo[node] = value
        value = memo[expr]
        return value if value.is_number else None


def _combined(step: S.Step, ev: Evaluator):
    """The value the step's rule gives from its sub-steps' values, independently of SymPy's
    symbolic assembly; None where the rule has no numeric form here."""
    subs = step.substeps
    if isinstance(step, S.ChainStep):
        outer, inner = subs
        inner_value = ev(step.inner)
        if inner_value is None:
            return None
        outer_value = ev.at(outer.var, inner_value)(outer.result)
        inner_slope = ev(inner.result)
        if outer_value is None or inner_slope is None:
            return None
        return outer_value * inner_slope
    if isinstance(step, S.SumStep):
        values = [ev(s.result) for s in subs]
        return None if None in values else sympy.Add(*values)
    if isinstance(step, S.ConstantMultipleStep):
        c, d = ev(step.constant), ev(subs[0].result)
        return None if c is None or d is None else c * d
    if isinstance(step, S.ProductStep):
        fs = [ev(f) for f in step.factors]
        ds = [ev(s.result) for s in subs]
        if None in fs or None in ds:
            return None
        return sympy.Add(*(sympy.Mul(*fs[:i], ds[i], *fs[i + 1 :]) for i in range(len(fs))))
    if isinstance(step, S.QuotientStep):
        n, d = ev(step.numerator), ev(step.denominator)
        dn, dd = ev(subs[0].result), ev(subs[1].result)
        if None in (n, d, dn, dd):
            return None
        return (dn * d - n * dd) / d**2
    if isinstance(step, S.GeneralPowerStep):
        f, g, y = ev(step.base), ev(step.exponent), ev(step.expr)
        dg, df = ev(subs[0].result), ev(subs[1].result)
        if None in (f, g, y, dg, df):
            return None
        return y * (dg * sympy.log(f) + g * df / f)
    return None


def _covers(step: S.Step) -> bool:
    """Do a sum's or a product's sub-steps differentiate exactly its terms or factors? (A
    dropped term would otherwise pass: the result would be the sum of the others.)"""
    parts = [s.expr for s in step.substeps]
    if isinstance(step, S.SumStep):
        return Counter(step.expr.args) == Counter(parts)
    if isinstance(step, S.ProductStep):
        return list(step.factors) == parts and Counter(step.expr.args) == Counter(parts)
    return True


def composed_correctly(step: S.Step, evaluators: list[Evaluator]) -> bool:
    """A tall or wide step: its result agrees, at shared random points, with its rule applied
    to its sub-steps' results (which are themselves checked), and those sub-steps are of the
    step's own terms or factors, every one of them."""
    if not _covers(step):
        return False
    agree = 0
    for ev in evaluators:
        want = _combined(step, ev)
        got = ev(step.result)
        if want is None or got is None:
            continue
        if _close(got, want):
            agree += 1
            if agree >= _NEEDED:
                return True
        else:
            return False
    return False


def same_derivative(
    step: S.Step, rng: random.Random, height: int, evaluators: list[Evaluator]
) -> bool:
    """Is step.result the order-th derivative of step.expr? Raise nothing, decide or say no."""
    expr, var, result = step.expr, step.var, step.result
    expected = None
    wide = len(step.substeps) > WIDE and isinstance(step, S.SumStep | S.ProductStep)
    if height <= DIFF_HEIGHT and not wide:
        expected = sympy.diff(expr, var, step.order)
        if expected == result:
            return True
        expected = concretize(expected)
        result = concretize(result)
    else:
        return composed_correctly(step, evaluators)
    symbols = sorted(expr.free_symbols | result.free_symbols | {var}, key=str)
    concrete = concretize(expr)
    # SymPy left a derivative it cannot carry out (sign(acosh x): acosh x is not known to be
    # real): compared with the slope of the expression itself instead
    numeric = step.order == 1 and expected.has(sympy.Derivative)
    agree = 0
    for attempt in range(4 * len(_BOXES)):
        lo, hi = _BOXES[attempt % len(_BOXES)]
        point = {
            s: sympy.Rational(round(rng.uniform(lo, hi), 6)).limit_denominator(10**6)
            for s in symbols
        }
        here = numeric_value(concrete, point)
        real_pass = attempt < 2 * len(_BOXES)
        if here is None or (real_pass and abs(here.imag) > 1e-12):
            # outside the function's real domain textbook formulas need not hold; the second
            # half of the attempts accepts complex points, for functions never real (asec(sin x))
            continue
        got = numeric_value(result, point)
        if got is None:
            continue
        want = (
            central_difference(concrete, var, point) if numeric else numeric_value(expected, point)
        )
        if want is None:
            continue
        if _close(got, want):
            agree += 1
            if agree >= _NEEDED:
                return True
        elif abs(got.imag) < 1e-12 and abs(want.imag) < 1e-12:
            return False  # two real values that differ: wrong
        # complex values that differ: a branch cut, try elsewhere
    return False


def verify(root: S.Step, heights: dict | None = None, seed: int = 20261127) -> Verdict:
    """Check every distinct step of the tree; a RepeatStep is checked through its original."""
    rng = random.Random(seed)
    heights = heights or {}
    seen: set = set()
    failures = []
    # shared points for tall steps, so that each shared sub-expression is evaluated once
    evaluators = [
        Evaluator({}, lambda lo=lo, hi=hi: sympy.Rational(round(rng.uniform(lo, hi), 6)))
        for lo, hi in _BOXES
    ]
    for step in root.walk():
        if isinstance(step, S.RepeatStep):
            if step.result != step.original.result:
                failures.append(step)
            continue
        key = (step.expr, step.var, step.order, step.result)
        if key in seen:
            continue
        seen.add(key)
        if isinstance(step, S.ImplicitStep):
            # holds on the curve only: checked against the implicit function theorem
            if not implicit_holds(step):
                failures.append(step)
            continue
        height = heights.get(step.expr, 0)
        if not same_derivative(step, rng, height, evaluators):
            failures.append(step)
    return Verdict(ok=not failures, failures=tuple(failures))


def implicit_holds(step: S.ImplicitStep) -> bool:
    """The solved derivative is the implicit function theorem's, and the form simplified
    with the equation equals it on the curve (exactly: its numerator is a multiple of F)."""
    from chainrule_cli.calculus.implicit import same_on_curve

    if not (agrees(step.plain_result, step.expected()) and agrees(step.solved, step.result)):
        return False
    if step.on_curve is None:
        return True
    f = step.lhs - step.rhs
    return same_on_curve(step.plain_result, step.on_curve, f, step.var, step.dependent)


def agrees(a: sympy.Expr, b: sympy.Expr, seed: int = 20261127) -> bool:
    """Are two expressions equal (numerically, at random real points)? For forms shown beside a
    checked result, such as dy/du = y(1 − y): never shown unless this says yes."""
    if a == b:
        return True
    rng = random.Random(seed)
    a, b = concretize(a), concretize(b)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    agree = 0
    for attempt in range(3 * len(_BOXES)):
        lo, hi = _BOXES[attempt % len(_BOXES)]
        point = {s: sympy.Rational(round(rng.uniform(lo, hi), 6)) for s in symbols}
        got, want = numeric_value(a, point), numeric_value(b, point)
        if got is None or want is None or abs(got.imag) > 1e-12 or abs(want.imag) > 1e-12:
            continue
        if not _close(got, want):
            return False
        agree += 1
        if agree >= _NEEDED:
            return True
    return False
