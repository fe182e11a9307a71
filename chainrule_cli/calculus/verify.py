"""Check every step against SymPy: structurally first, then numerically at random points.

Never an unbounded simplify(). Steps too deep for sympy.diff (which recurses once per level) are
checked against a numerical derivative of the expression instead.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.numeric import (
    NEAR_BOXES,
    Evaluator,
    central_difference,
    close,
    concretize,
    numeric_value,
)

# Taller steps are not given to sympy.diff (its cost grows quadratically with depth): they are
# checked numerically against the rule that combines their sub-steps' (checked) results.
DIFF_HEIGHT = 30
# Sums and products with more terms than this (a sum of 5,000 terms) are checked the same way:
# sympy.diff of the whole would differentiate every term again, which their own steps have
# checked.
WIDE = 50
_NEEDED = 2  # agreeing points needed


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    failures: tuple[S.Step, ...]


def _combined(step: S.Step, ev: Evaluator):
    """The value the step's rule (its class's `combine`, the one the stepper builds with) gives
    from the values of its parts and of its sub-steps' results, independently of SymPy's
    symbolic assembly; None where the rule has no numeric form here."""
    subs = step.substeps
    if isinstance(step, S.ChainStep):
        outer, inner = subs
        inner_value = ev(step.inner)
        if inner_value is None:
            return None
        values = [ev.at(outer.var, inner_value)(outer.result), ev(inner.result)]
    elif isinstance(step, S.SumStep):
        values = [ev(s.result) for s in subs]
    elif isinstance(step, S.ConstantMultipleStep):
        values = [ev(step.constant), ev(subs[0].result)]
    elif isinstance(step, S.ProductStep):
        fs, ds = [ev(f) for f in step.factors], [ev(s.result) for s in subs]
        if None in fs or None in ds:
            return None
        return step.combine(fs, ds)
    elif isinstance(step, S.QuotientStep):
        values = [ev(step.numerator), ev(step.denominator), *(ev(s.result) for s in subs)]
    elif isinstance(step, S.GeneralPowerStep):
        d_exp, d_base = subs
        parts = (step.expr, step.base, step.exponent, d_base.result, d_exp.result)
        values = [ev(e) for e in parts]
    else:
        return None
    return None if None in values else step.combine(*values)


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
        if close(got, want):
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
    for attempt in range(4 * len(NEAR_BOXES)):
        lo, hi = NEAR_BOXES[attempt % len(NEAR_BOXES)]
        point = {
            s: sympy.Rational(round(rng.uniform(lo, hi), 6)).limit_denominator(10**6)
            for s in symbols
        }
        here = numeric_value(concrete, point)
        real_pass = attempt < 2 * len(NEAR_BOXES)
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
        if close(got, want):
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
        for lo, hi in NEAR_BOXES
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
    for attempt in range(3 * len(NEAR_BOXES)):
        lo, hi = NEAR_BOXES[attempt % len(NEAR_BOXES)]
        point = {s: sympy.Rational(round(rng.uniform(lo, hi), 6)) for s in symbols}
        got, want = numeric_value(a, point), numeric_value(b, point)
        if got is None or want is None or abs(got.imag) > 1e-12 or abs(want.imag) > 1e-12:
            continue
        if not close(got, want):
            return False
        agree += 1
        if agree >= _NEEDED:
            return True
    return False
