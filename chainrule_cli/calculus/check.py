"""Is this answer a derivative of that expression? And if not, which classic mistake gives it?

Equivalence is decided soundly: a cheap symbolic test first (the difference is 0 after
expansion or over one denominator), then the two are evaluated at points chosen to be simple
(x = 1, 2, 1/2, …, then random ones) with 30 significant digits, disagreements confirmed at
60. "correct" needs several agreeing points and no disagreeing one; "incorrect" comes with a
point where both are real and differ; anything else is "undecided", never a guess. Points
where only one of the two is defined are remembered: two forms that agree wherever both are
defined are correct, with the domain stated.

A wrong answer is compared with the derivative each classic mistake would produce, at each
place in the expression where that mistake can be made (the forgotten inner derivative of
the chain rule, a sign, the power rule, the quotient rule's order, a constant factor, a term
of the product rule, the derivatives of a product multiplied).
"""

from __future__ import annotations

import itertools
import math
import random

import mpmath
import sympy
from sympy.core.function import AppliedUndef

from chainrule_cli.calculus.derive import on_a_switch
from chainrule_cli.calculus.numeric import (
    ANSWER_DPS,
    BOXES,
    CONFIRM_DPS,
    Evaluator,
    concretize,
)
from chainrule_cli.calculus.steps import Record

# When several mistakes explain an answer, the most specific is named.
PRIORITY = (
    "quotient_rule_order",
    "quotient_rule_sign",
    "quotient_rule_denominator",
    "quotient_of_derivatives",
    "log_missing_inner",
    "exp_missing_inner",
    "exponential_missing_log",
    "chain_rule_missing_inner",
    "chain_rule_twice",
    "sign",
    "product_rule_missing_term",
    "product_of_derivatives",
    "power_rule",
    "constant_factor",
)
# Named on the whole answer when no classic mistake explains it: an antiderivative (x^4/4 for
# x^3), the derivative of another order (6x for x^3; the function itself is order 0).
WHOLE = ("integrated", "wrong_order", "other_variable")
# What makes an answer wrong whatever its value: the question restated (Derivative(x^3, x)),
# the answer written in another variable (3X^2, 3t^2 for x), a constant of integration (+ C).
DEFINITE = ("restated", "wrong_variable", "constant_of_integration")
KINDS = PRIORITY + WHOLE + DEFINITE
OTHER_ORDERS = 2  # orders above the asked one that an answer is compared with
MAX_WHOLE_OPS = 300  # the whole-answer mistakes are looked for up to this size of expression
NEEDED = 8  # agreeing random points for "correct" (one per box), after every simple point
EXACT_OPS = 80  # expressions up to this size are substituted exactly before evaluating
HUGE = mpmath.mpf(10) ** 40  # a value beyond this is taken for a pole evaluated at a float
MAX_EXPAND_POWER = 12
# 0 is tried too: where one of two forms is not defined, the domain is worth a sentence
_SIMPLE = [sympy.Integer(v) for v in (1, 2, 3, -1, -2, 0)] + [
    sympy.Rational(p, q) for p, q in ((1, 2), (3, 2), (-1, 2), (5, 2), (1, 3), (7, 4), (-3, 2))
]
# When too few of those points are real for both sides (ln(x − 100) lives beyond 100), the
# search goes outward, both signs, each box log-uniform: out to FARTHEST.
FARTHEST = 10**6
_OUTWARD = tuple(
    box
    for lo, hi in ((60, 300), (300, 3_000), (3_000, 30_000), (30_000, FARTHEST))
    for box in ((lo, hi), (-hi, -lo))
)
OUTWARD_TRIES = 12  # random points per outward box
MAX_CANDIDATES = 300


class Counterexample(Record):
    """A point where the answer and the derivative are both real and differ."""

    point: dict
    answer: sympy.Expr
    expected: sympy.Expr


class Mistake(Record):
    """The classic mistake that turns the derivative into the answer, and where it was made:
    at `where` (a sub-expression), the derivative `should` be `correct`, not `wrong`. For a
    whole-answer mistake (KINDS beyond PRIORITY) `where` is the expression differentiated."""

    kind: str
    where: sympy.Expr
    wrong: sympy.Expr  # the derivative of `where` with the mistake
    correct: sympy.Expr  # its right derivative
    order: int | None = None  # wrong_order: the order the answer is the derivative of
    names: tuple[tuple[sympy.Symbol, sympy.Symbol], ...] = ()  # wrong_variable: (used, meant)


class Comparison(Record):
    """How two expressions compare as functions of their variables."""

    verdict: str  # "correct" | "incorrect" | "undecided"
    method: str  # "symbolic" | "numeric" | "curve" | "curve_points" | "none"
    agreeing: int = 0
    counterexample: Counterexample | None = None
    only_expected: dict | None = None  # a point where only the derivative is defined
    only_answer: dict | None = None  # a point where only the answer is defined


def _evaluate(expr: sympy.Expr, point: dict, dps: int = ANSWER_DPS) -> complex | None:
    """The value at a point as a complex float, None where it is not a finite number."""
    value = _number(expr, point, dps, real=False)
    return None if value is None else complex(value)


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)


def _real(value: complex | None) -> float | None:
    if value is None or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return None
    return value.real


def _number(expr: sympy.Expr, point: dict, dps: int, real: bool = True):
    """The value at a point as an mpmath number of dps digits; None at a singularity, where it
    is not a real number (real=True), or where it cannot be evaluated.

    Substituted exactly first while the expression is small, so that a pole is a pole (zoo)
    and terms that cancel give an exact 0, not a huge or a precision-less number."""
    try:
        exact = expr
        general_power = any(p.exp.free_symbols for p in expr.atoms(sympy.Pow))
        if sympy.count_ops(expr) <= EXACT_OPS and not general_power:  # 3^3^3^3 exactly: never
            exact = expr.xreplace(point) if not expr.has(sympy.Subs) else expr.subs(point)
            if exact.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                return None
        if exact.free_symbols:
            # each shared sub-tree once, and no astronomical power
            value = Evaluator(point, dps=dps)(exact)
            if value is None:
                return None
        else:
            value = exact.evalf(dps)
        if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return None
        re_part, im_part = value.as_real_imag()
        with mpmath.workdps(dps):
            x = mpmath.mpf(sympy.Float(re_part, dps)._mpf_)
            y = mpmath.mpf(sympy.Float(im_part, dps)._mpf_)
            if not mpmath.isfinite(x) or not mpmath.isfinite(y) or abs(x) > HUGE:
                return None  # beyond this, a pole evaluated at a float
            if real and y != 0:
                # relative to the value, down to a floor: 10⁻⁴⁴ − 1.7·10⁻⁴⁴i is not real
                scale = max(abs(x), mpmath.mpf(10) ** (-(dps // 2)))
                if abs(y) > mpmath.mpf(10) ** (8 - dps) * scale:
                    return None
                # A tiny imaginary part is rounding only if it shrinks with more digits: far
                # out, asec((−8)^x) is π/2 + 10⁻¹⁰⁴i, complex at any precision.
                again = _number(expr, point, 2 * dps, real=False) if dps <= CONFIRM_DPS else 0
                if again is None or abs(mpmath.im(again)) > abs(y) * mpmath.mpf(10) ** (-dps // 2):
                    return None
            if real:
                return x
            return mpmath.mpc(x, y)
    except Exception:  # noqa: BLE001 - SymPy's evaluation can fail in many ways: no value here
        return None


def points(symbols: list[sympy.Symbol], seed: int = 20261127, simple: bool = True):
    """Simple points first (every variable the same simple number; then, with several
    variables, simple numbers that differ), then random rationals in several boxes, each
    variable its own; endless. simple=False: the random ones only."""
    rng = random.Random(seed)
    if simple:
        for value in _SIMPLE:
            yield dict.fromkeys(symbols, value)
        if len(symbols) > 1:
            for _ in range(2 * len(_SIMPLE)):
                values = (
                    rng.sample(_SIMPLE, len(symbols))
                    if len(symbols) <= len(_SIMPLE)
                    else [_SIMPLE[rng.randrange(len(_SIMPLE))] for _ in symbols]
                )
                yield dict(zip(symbols, values, strict=True))
    for attempt in itertools.count():
        lo, hi = BOXES[attempt % len(BOXES)]
        yield {s: sympy.Rational(f"{rng.uniform(lo, hi):.3f}") for s in symbols}


def outward_points(symbols: list[sympy.Symbol], seed: int = 20261130):
    """Points ever farther from 0, both signs (OUTWARD_TRIES in each box), each variable its
    own value; then points where the variables differ in sign and size."""
    rng = random.Random(seed)

    def far(lo: float, hi: float) -> sympy.Rational:
        sign = 1 if lo > 0 else -1
        magnitude = math.exp(rng.uniform(math.log(abs(lo)), math.log(abs(hi))))
        return sympy.Rational(f"{sign * magnitude:.3f}")

    for lo, hi in _OUTWARD:
        for _ in range(OUTWARD_TRIES):
            yield {s: far(lo, hi) for s in symbols}
    if len(symbols) > 1:
        boxes = BOXES + _OUTWARD
        for _ in range(OUTWARD_TRIES * len(_OUTWARD)):
            yield {s: far(*boxes[rng.randrange(len(boxes))]) for s in symbols}


def _large_power(expr: sympy.Expr) -> bool:
    """A power with a big integer exponent: expand() would multiply it out."""
    return any(p.exp.is_Integer and abs(p.exp) > MAX_EXPAND_POWER for p in expr.atoms(sympy.Pow))


def symbolically_equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """A cheap, bounded symbolic test: never an unbounded simplify(), never expand() of a large
    power ((x + 1)^300): then the numeric test decides, in milliseconds."""
    if a == b:
        return True
    difference = a - b
    if difference == 0:
        return True
    if sympy.count_ops(difference) > 200 or _large_power(difference):
        return False
    for rewrite in (sympy.expand, sympy.cancel, lambda e: sympy.expand(sympy.expand_trig(e))):
        try:
            if rewrite(difference) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
    return False


def compare(
    expected: sympy.Expr, answer: sympy.Expr, function: sympy.Expr | None = None, tries: int = 80
) -> Comparison:
    """correct / incorrect (with a counterexample) / undecided, as described above. Points
    where `function` (the expression differentiated) is not a real number are skipped: there is
    nothing to differentiate there."""
    if symbolically_equal(expected, answer):
        return Comparison(verdict="correct", method="symbolic")
    a, b = concretize(expected), concretize(answer)
    f = concretize(function) if function is not None else None
    symbols = sorted(a.free_symbols | b.free_symbols | (f.free_symbols if f else set()), key=str)
    if not symbols:
        symbols = [sympy.Symbol("x", real=True)]
    simple_count = len(_SIMPLE) + (2 * len(_SIMPLE) if len(symbols) > 1 else 0)
    agreeing = 0  # at random points, each variable its own value
    only_expected = only_answer = None
    near = itertools.islice(points(symbols), simple_count + tries)
    # farther out only while too few points agree: each far point is worked out only then
    farther = itertools.takewhile(lambda _: agreeing < NEEDED, outward_points(symbols))
    for index, point in enumerate(itertools.chain(near, farther)):
        if f is not None and _number(f, point, ANSWER_DPS) is None:
            continue
        want, got = _number(a, point, ANSWER_DPS), _number(b, point, ANSWER_DPS)
        if want is None and got is None:
            continue
        if got is None:
            only_expected = only_expected or point
            continue
        if want is None:
            only_answer = only_answer or point
            continue
        if on_a_switch(expected, point) or on_a_switch(answer, point):
            continue  # a kink (relu, |x| at 0): no derivative there, whatever value is given
        if _differ(a, b, point, want, got):
            return _incorrect(expected, answer, point, agreeing)
        if index >= simple_count:
            agreeing += 1
            if agreeing >= NEEDED:
                break
    if agreeing >= NEEDED:
        return Comparison(verdict="correct", method="numeric", agreeing=agreeing,
                          only_expected=only_expected, only_answer=only_answer)  # fmt: skip
    return Comparison(verdict="undecided", method="none", agreeing=agreeing,
                      only_expected=only_expected, only_answer=only_answer)  # fmt: skip


def _relative(x, y) -> float:
    """|x − y| / max(|x|, |y|) for mpmath numbers (0 when both are 0)."""
    scale = max(abs(x), abs(y))
    return 0.0 if scale == 0 else float(abs(x - y) / scale)


def _differ(a: sympy.Expr, b: sympy.Expr, point: dict, want, got) -> bool:
    """Do two real values at a point differ, or only by rounding? Relative, so that small
    values count as much as large ones. Equal to 40 digits at 50 is equal; otherwise both are
    worked out again at 100 digits: rounding shrinks with the precision (by far more than
    10⁴⁰), a real difference does not. The shrinking is measured on the difference itself,
    not relative: two values that are 0 up to rounding (5/x − 5x·x^(−2) at 50 digits) stay
    apart relatively at any precision, while their difference shrinks."""
    first = _relative(want, got)
    if first < 1e-40:
        return False
    again_a, again_b = _number(a, point, CONFIRM_DPS), _number(b, point, CONFIRM_DPS)
    if again_a is None or again_b is None:
        return first > 1e-9
    second = _relative(again_a, again_b)
    return not (second < 1e-90 or abs(again_a - again_b) < abs(want - got) * 1e-40)


def _incorrect(expected, answer, point, agreeing) -> Comparison:
    shown = (_exact_or_float(answer, point), _exact_or_float(expected, point))
    for dps in (30, 60, CONFIRM_DPS):  # values that differ past 15 digits: more digits
        if not _look_alike(*shown):
            break
        shown = (_exact_or_float(answer, point, dps), _exact_or_float(expected, point, dps))
    example = Counterexample(point=point, answer=shown[0], expected=shown[1])
    return Comparison(verdict="incorrect", method="numeric", agreeing=agreeing,
                      counterexample=example)  # fmt: skip


def _look_alike(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Two values whose 15 digits are the same (e + 10⁻²⁵ and e)."""
    try:
        return a != b and str(sympy.N(a, 15)) == str(sympy.N(b, 15))
    except (TypeError, ValueError):
        return False


def _exact_or_float(expr: sympy.Expr, point: dict, dps: int = 15) -> sympy.Expr:
    """The value at a point, exact when it is short (1/4), else dps digits."""
    if expr.atoms(AppliedUndef) or expr.has(sympy.Derivative, sympy.Subs):
        return concretize(expr).evalf(dps, subs=point)
    exact = expr.xreplace(point) if not expr.has(sympy.Subs) else expr.subs(point)
    if exact.is_Rational or (exact.is_number and sympy.count_ops(exact) <= 6):
        return exact
    return exact.evalf(dps)


# ---- the classic mistakes ----------------------------------------------------------------------


def mistakes(expr: sympy.Expr, var: sympy.Symbol) -> list[Mistake]:
    """Every (kind, place) of a classic mistake, with the whole derivative it produces
    (in `Mistake.wrong` of the place; `derivative_with` gives the whole)."""
    out: list[Mistake] = []
    seen: set = set()
    for node in sympy.preorder_traversal(expr):
        if node in seen or not isinstance(node, sympy.Expr) or not node.has(var):
            continue
        seen.add(node)
        for kind, wrong in _wrong_derivatives(node, var):
            correct = sympy.diff(node, var)
            if wrong != correct:
                out.append(Mistake(kind=kind, where=node, wrong=wrong, correct=correct))
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def _wrong_derivatives(node: sympy.Expr, x: sympy.Symbol):
    """(kind, the derivative of node with that mistake), for the mistakes node allows."""
    d = lambda e: sympy.diff(e, x)  # noqa: E731
    if isinstance(node, sympy.Pow):
        base, n = node.args
        if not n.has(x):
            inner = d(base)
            if base != x:
                yield "chain_rule_missing_inner", n * base ** (n - 1)
                yield "chain_rule_twice", n * base ** (n - 1) * inner**2
            yield "power_rule", n * base**n * inner  # the exponent not lowered
            yield "power_rule", base ** (n - 1) * inner  # the exponent not brought down
            # raised instead of lowered: x^3 -> 3x^4, x^(2/3) -> (2/3)x^(5/3), x^-2 -> -2x^-1
            yield "power_rule", n * base ** (n + 1) * inner
        elif not base.has(x):  # a^u: treated as a power
            yield "power_rule", n * base ** (n - 1) * d(n)
            yield "exponential_missing_log", node * d(n)  # (a^x)' = a^x, without ln a
            if n != x:
                yield "chain_rule_missing_inner", node * sympy.log(base)
                yield "chain_rule_twice", node * sympy.log(base) * d(n) ** 2
        else:  # f^g: the power rule or the exponential rule alone
            yield "power_rule", n * base ** (n - 1) * d(base)
            yield "power_rule", node * sympy.log(base) * d(n)
        return
    if isinstance(node, sympy.Mul):
        coefficient, rest = node.as_independent(x, as_Add=False)
        factors = sympy.Mul.make_args(rest)
        if coefficient != 1 and rest != 1:
            yield "constant_factor", d(rest)  # the constant factor dropped
        numerator, denominator = sympy.fraction(rest)
        if denominator.has(x) and denominator != 1:
            f, g = numerator, denominator
            yield "quotient_rule_order", coefficient * (f * d(g) - d(f) * g) / g**2
            yield "quotient_rule_sign", coefficient * (d(f) * g + f * d(g)) / g**2
            yield "quotient_rule_denominator", coefficient * (d(f) * g - f * d(g)) / g  # not g²
            if d(g) != 0:
                yield "quotient_of_derivatives", coefficient * d(f) / d(g)  # (f/g)' as f'/g'
        varying = [f for f in factors if f.has(x)]
        if len(varying) >= 2:
            for i in range(len(varying)):
                terms = [
                    d(varying[k]) * sympy.Mul(*(f for j, f in enumerate(varying) if j != k))
                    for k in range(len(varying))
                    if k != i
                ]
                yield "product_rule_missing_term", coefficient * sympy.Add(*terms)
            yield "product_of_derivatives", coefficient * sympy.Mul(*(d(f) for f in varying))
        return
    if isinstance(node, sympy.Function) and len(node.args) == 1:
        (inner,) = node.args
        try:
            t = sympy.Dummy("t", real=True)
            outer_derivative = sympy.diff(node.func(t), t).subs(t, inner)
        except (TypeError, ValueError, NotImplementedError):
            return
        if inner != x:
            missing = {sympy.log: "log_missing_inner", sympy.exp: "exp_missing_inner"}
            yield missing.get(node.func, "chain_rule_missing_inner"), outer_derivative
            yield "chain_rule_twice", outer_derivative * d(inner) ** 2
        yield "sign", -outer_derivative * d(inner)
        return


def derivative_with(expr: sympy.Expr, var: sympy.Symbol, mistake: Mistake) -> sympy.Expr:
    """d expr/d var, worked out right except at `mistake.where`, where the mistake is made
    (every occurrence of that sub-expression)."""
    if expr == mistake.where:
        return mistake.wrong
    if not expr.has(mistake.where):
        return sympy.diff(expr, var)
    d = lambda e: derivative_with(e, var, mistake)  # noqa: E731
    if isinstance(expr, sympy.Add):
        return sympy.Add(*(d(a) for a in expr.args))
    if isinstance(expr, sympy.Mul):
        args = expr.args
        return sympy.Add(
            *(d(a) * sympy.Mul(*(b for j, b in enumerate(args) if j != i))
              for i, a in enumerate(args))
        )  # fmt: skip
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.args
        if not exponent.has(var):
            return exponent * base ** (exponent - 1) * d(base)
        return expr * (d(exponent) * sympy.log(base) + exponent * d(base) / base)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        t = sympy.Dummy("t", real=True)
        outer = sympy.diff(expr.func(t), t).subs(t, expr.args[0])
        return outer * d(expr.args[0])
    return sympy.diff(expr, var)


def likely_mistake(
    expr: sympy.Expr,
    var: sympy.Symbol,
    expected: sympy.Expr,
    answer: sympy.Expr,
    function: sympy.Expr | None = None,
    order: int = 1,
) -> Mistake | None:
    """The classic mistake whose derivative equals the answer, if any. Where several explain
    it (x/(x+1) with the quotient rule's terms swapped is also the derivative's negative),
    the most specific is named, in the order of PRIORITY; then (given the `function` whose
    order-th derivative is asked for) the whole-answer mistakes, WHOLE; a constant factor of
    the whole comes last."""
    found: list[Mistake] = []
    if _same(-expected, answer):
        found.append(Mistake(kind="sign", where=expr, wrong=-expected, correct=expected))
    for mistake in mistakes(expr, var):
        if any(PRIORITY.index(f.kind) <= PRIORITY.index(mistake.kind) for f in found):
            continue  # a more specific explanation is already known
        if _same(derivative_with(expr, var, mistake), answer):
            found.append(mistake)
            if mistake.kind == PRIORITY[0]:
                break
    if found:
        return min(found, key=lambda m: PRIORITY.index(m.kind))
    if function is not None:
        whole = whole_answer_mistake(function, var, order, expected, answer)
        if whole is not None:
            return whole.replace(where=expr)
    ratio = _constant_ratio(expected, answer)
    if ratio is not None:
        return Mistake(kind="constant_factor", where=expr, wrong=answer, correct=expected)
    return None


def whole_answer_mistake(
    function: sympy.Expr, var: sympy.Symbol, order: int, expected: sympy.Expr, answer: sympy.Expr
) -> Mistake | None:
    """An antiderivative of the function handed in for its derivative ("integrated"), or the
    derivative of another order ("wrong_order": 0 is the function itself, then 1, 2, … up
    to OTHER_ORDERS above the asked one), the lowest order first."""
    if sympy.count_ops(function) > MAX_WHOLE_OPS or sympy.count_ops(answer) > MAX_WHOLE_OPS:
        return None
    try:
        # (a function that is its own derivative, e^x, has its antiderivatives for wrong forms)
        if (
            not answer.has(sympy.Derivative, sympy.Subs)
            and _same(sympy.diff(answer, var), function)
            and not _same(expected, function)
        ):
            return Mistake(kind="integrated", where=function, wrong=answer, correct=expected)
        for k in range(order + OTHER_ORDERS + 1):
            if k == order:
                continue
            other = sympy.diff(function, var, k)
            if _same(other, answer) and not _same(other, expected):  # e^x: every order alike
                return Mistake(kind="wrong_order", where=function, wrong=answer,
                               correct=expected, order=k)  # fmt: skip
        for by in sorted(function.free_symbols - {var}, key=str):  # x·y by y, for x
            other = sympy.diff(function, by, order)
            if _same(other, answer) and not _same(other, expected):
                return Mistake(kind="other_variable", where=function, wrong=answer,
                               correct=expected, names=((by, var),))  # fmt: skip
    except (TypeError, ValueError, NotImplementedError):
        return None
    return None


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Numeric equality at random points, two in each box, each variable its own value (a
    candidate mistake is only named when it explains the answer everywhere it was tried, and
    at two points at least where the values are not 0)."""
    if a == b:
        return True
    try:
        a, b = concretize(a), concretize(b)
    except (ValueError, TypeError, NotImplementedError):
        return False
    symbols = sorted(a.free_symbols | b.free_symbols, key=str) or [sympy.Symbol("x")]
    agreed = informative = 0
    for point in itertools.islice(points(symbols, seed=7, simple=False), 2 * len(BOXES)):
        x, y = _real(_evaluate(a, point)), _real(_evaluate(b, point))
        if x is None or y is None:
            continue
        if not _close(x, y, 1e-12):
            return False
        agreed += 1
        informative += abs(x) > 1e-12
    return agreed >= 6 and informative >= 2


def _constant_ratio(expected: sympy.Expr, answer: sympy.Expr) -> sympy.Expr | None:
    """c when answer = c·expected for a constant c other than 0 and ±1."""
    a, b = concretize(expected), concretize(answer)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str) or [sympy.Symbol("x")]
    ratios = []
    for point in itertools.islice(points(symbols, seed=11, simple=False), 30):
        x, y = _real(_evaluate(a, point)), _real(_evaluate(b, point))
        if x is None or y is None or abs(x) < 1e-9:
            continue
        ratios.append(y / x)
        if len(ratios) >= 4:
            break
    if len(ratios) < 4 or any(not _close(r, ratios[0], 1e-10) for r in ratios):
        return None
    c = ratios[0]
    if abs(c) < 1e-12 or _close(abs(c), 1.0, 1e-10):
        return None
    return sympy.nsimplify(c, rational=False, tolerance=1e-10)


class Term(Record):
    """One side of an '=' in a chained answer: a derivative's name (its order) or an
    expression (as written, through the --let names)."""

    expr: sympy.Expr | None  # None for a derivative's name
    order: int | None = None  # a derivative's name: its order
    text: str = ""  # as typed


class Link(Record):
    """One '=' of a chained answer (the index-th, from 1) and how its two sides compare."""

    index: int
    left: Term
    right: Term
    comparison: Comparison


class Branches(Record):
    """An implicit answer right on one part of the curve only: where sign·var > 0 (y > 0 on
    the upper half of x² + y² = 25), not where sign·var < 0; a point of each."""

    var: sympy.Symbol
    sign: int
    holds_at: dict
    fails_at: dict


class Check(Record):
    """The verdict on one answer: the verified derivation of the expected derivative, how the
    answer compares with it, and (when it is wrong) the likely mistake; for a chained answer
    (A = B = C) each '=' compared; a constant of integration it adds; for an implicit answer
    right on one branch of the curve, which."""

    expr: sympy.Expr
    var: sympy.Symbol
    order: int
    answer: sympy.Expr  # as written (through the --let names, if any)
    answer_full: sympy.Expr  # in the original variables
    lets: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    expected: object  # the Derivation of the derivative
    comparison: Comparison  # of the answer (without a constant of integration) and the derivative
    mistake: Mistake | None = None
    constant: sympy.Symbol | None = None  # a constant of integration the answer adds (+ C)
    terms: tuple[Term, ...] = ()  # a chained answer's sides, in order; () for one answer
    links: tuple[Link, ...] = ()  # a chained answer's '=', in order
    branches: Branches | None = None

    @property
    def verdict(self) -> str:
        """correct only if the answer is the derivative, every '=' of a chain holds and nothing
        makes it wrong whatever its value (DEFINITE); incorrect if anything is wrong."""
        if self.constant is not None or (self.mistake and self.mistake.kind in DEFINITE):
            return "incorrect"
        verdicts = {self.comparison.verdict, *(link.comparison.verdict for link in self.links)}
        for verdict in ("incorrect", "undecided"):
            if verdict in verdicts:
                return verdict
        return "correct"

    @property
    def correct(self) -> bool | None:
        return {"correct": True, "incorrect": False}.get(self.verdict)

    @property
    def graded_link(self) -> int | None:
        """The '=' of a chain that the answer's own comparison decides, if one does."""
        return graded_link(self.terms, self.order)


def graded_link(terms: tuple[Term, ...], order: int) -> int | None:
    """The '=' between the name of the derivative asked for and the answer, the chain's first
    expression (f'(x) = A = B: the first): `comparison` decides it."""
    first = next((i for i, t in enumerate(terms) if t.order is None), None)
    if first and terms[first - 1].order == order:
        return first
    return None


def _named_otherwise(terms, order: int) -> bool:
    """A chain that names the answer's order, another than the one asked (f'(x) = f''(x) = 0:
    0 is said to be f''): no mistake to guess, the '=' say what is wrong."""
    first = next((i for i, t in enumerate(terms) if t.order is None), None)
    return bool(first) and terms[first - 1].order not in (None, order)


def check_answer(
    expr, var, order, answer, lets, derivation, *, terms=(), derivatives=None, constant=None,
    renames=(), restated=None,
) -> Check:  # fmt: skip
    """Compare the answer with the derivation's result; find the likely mistake if wrong.

    terms: a chained answer's sides (Term), the answer among them; derivatives: the value of
    each order its names name ({1: 3x², 2: 6x}); constant: a constant of integration the
    answer adds (left out of the comparison); renames: {used: meant} for an answer written in
    another variable (compared as meant); restated: the derivative still to take in it."""
    from chainrule_cli.calculus.paths import order_intermediates, substitute

    named = dict(lets)
    dependent = derivation.dependent

    def full(e: sympy.Expr) -> sympy.Expr:
        return substitute(e, named, order_intermediates(named)) if named else e

    def compared(e: sympy.Expr) -> sympy.Expr:
        """As compared: without the constant of integration, in the variables meant."""
        if constant is not None:
            e = e.xreplace({constant: 0})
        return full(e.xreplace(dict(renames)) if renames else e)

    def comparing(a: sympy.Expr, b: sympy.Expr) -> Comparison:
        if dependent is not None:  # implicit: equal on the curve is enough
            return compare_on_curve(a, b, expr, var, dependent)
        return compare(a, b, expr)

    answer_full = full(answer)
    given = compared(answer)
    comparison = comparing(derivation.result, given)
    if constant is not None and comparison.counterexample is not None:
        # the answer's value with its constant: C + 3, not 3
        example = comparison.counterexample
        added = full(answer) - full(answer.xreplace({constant: 0}))
        comparison = comparison.replace(
            counterexample=example.replace(answer=example.answer + added)
        )
    base = sympy.diff(expr, var, order - 1) if order > 1 else expr
    mistake = None
    if restated is not None:
        mistake = Mistake(kind="restated", where=restated, wrong=answer, correct=derivation.result)
    elif renames:
        mistake = Mistake(kind="wrong_variable", where=base, wrong=answer,
                          correct=derivation.result, names=tuple(renames))  # fmt: skip
    elif (
        comparison.verdict == "incorrect"
        and dependent is None
        and not _named_otherwise(terms, order)
    ):
        mistake = likely_mistake(base, var, derivation.result, given, function=expr, order=order)
    elif constant is not None and comparison.verdict == "correct":
        mistake = Mistake(kind="constant_of_integration", where=base, wrong=answer,
                          correct=derivation.result)  # fmt: skip
    branches = None
    if comparison.verdict == "incorrect" and dependent is not None:
        branches = branches_on_curve(derivation.result, given, expr, var, dependent)
    links = []
    values = dict(derivatives or {})
    values[order] = derivation.result
    graded = graded_link(tuple(terms), order)
    for index, (left, right) in enumerate(itertools.pairwise(terms), start=1):
        if index == graded:
            found = comparison  # the name of the derivative asked for = the answer: done above
        else:
            sides = [values[t.order] if t.order is not None else compared(t.expr)
                     for t in (left, right)]  # fmt: skip
            found = comparing(*sides)
        links.append(Link(index=index, left=left, right=right, comparison=found))
    return Check(expr=expr, var=var, order=order, answer=answer, answer_full=answer_full,
                 lets=tuple(named.items()), expected=derivation, comparison=comparison,
                 mistake=mistake, constant=constant, terms=tuple(terms), links=tuple(links),
                 branches=branches)  # fmt: skip


# ---- what an answer has that a derivative does not ----------------------------------------


def restated_part(
    answer: sympy.Expr, dependent: sympy.Symbol | None = None, order: int = 1
) -> sympy.Expr | None:
    """A derivative still to take in the answer (Derivative(x³, x), Subs(Derivative(u³, u),
    u, x)): the question restated. A derivative of an unknown function (y', f'(x)) is not,
    except, in an implicit problem, y's own derivative of the order asked or higher (y' for
    y': the answer is what is asked)."""
    for node in sympy.preorder_traversal(answer):
        if not isinstance(node, sympy.Derivative):
            continue
        if not node.expr.atoms(AppliedUndef):
            return node
        inner = node.expr
        if (
            dependent is not None
            and isinstance(inner, AppliedUndef)
            and inner.func.__name__ == dependent.name
            and node.derivative_count >= order
        ):
            return node
    return None


def branches_on_curve(
    expected: sympy.Expr, answer: sympy.Expr, f: sympy.Expr, var: sympy.Symbol,
    dependent: sympy.Symbol,
) -> Branches | None:  # fmt: skip
    """Where on the curve a wrong implicit answer holds, when that is where one variable has
    one sign (−x/√(25 − x²) on x² + y² = 25: where y > 0): the points of the curve tried, the
    answer equal at two or more and different at one or more, split by the sign of y (or x).
    Points where both are 0 say nothing (x = 0 on the circle)."""
    a, b = concretize(expected), concretize(answer)
    holds, fails = [], []
    tiny = mpmath.mpf(10) ** -30
    for point in curve_points(f, var, dependent):
        want, got = _number(a, point, ANSWER_DPS), _number(b, point, ANSWER_DPS)
        if want is None or got is None or (abs(want) < tiny and abs(got) < tiny):
            continue
        (holds if _relative(want, got) <= 1e-30 else fails).append(point)
    if len(holds) < 2 or not fails:
        return None
    for symbol_ in (dependent, var):
        held = {sympy.sign(p[symbol_]) for p in holds}
        failed = {sympy.sign(p[symbol_]) for p in fails}
        if len(held) == 1 and len(failed) == 1 and held != failed and 0 not in held | failed:
            shown = [{s: v if v.is_Rational else sympy.Float(v, 15) for s, v in p.items()}
                     for p in (holds[0], fails[0])]  # fmt: skip
            return Branches(var=symbol_, sign=int(held.pop()), holds_at=shown[0],
                            fails_at=shown[1])  # fmt: skip
    return None


def curve_points(f: sympy.Expr, var: sympy.Symbol, dependent: sympy.Symbol, count: int = 24):
    """Points (x, y) on the curve F(x, y) = 0, exact x and y to 50 digits: for each x tried
    (simple values, then random ones), the real roots y of F(x, y) = 0 (a polynomial's roots,
    else Newton's method from several starts)."""
    found = 0
    polynomial = f.is_polynomial(dependent)
    for point in itertools.islice(points([var]), len(_SIMPLE) + 6 * count):
        x0 = point[var]
        at_x = f.xreplace({var: x0})
        roots: list = []
        try:
            if polynomial:
                poly = sympy.Poly(at_x, dependent)
                if poly.degree() < 1:
                    continue
                roots = [r for r in poly.nroots(n=50) if r.is_real]
            else:
                g = sympy.lambdify(dependent, at_x, modules="mpmath")
                with mpmath.workdps(50):
                    for start in (0.5, -0.5, 1.5, -1.5, 3.0, -3.0):
                        try:
                            r = mpmath.findroot(g, start)
                        except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                            continue
                        if abs(mpmath.im(r)) < 1e-30 and abs(g(mpmath.re(r))) < 1e-30:
                            roots.append(sympy.Float(mpmath.re(r), 50))
        except Exception:  # noqa: BLE001 - no root found here: try the next x
            continue
        for root in roots[:2]:
            yield {var: x0, dependent: sympy.Float(root, 50)}
            found += 1
        if found >= count:
            return


def compare_on_curve(
    expected: sympy.Expr, answer: sympy.Expr, f: sympy.Expr, var: sympy.Symbol,
    dependent: sympy.Symbol,
) -> Comparison:  # fmt: skip
    """correct / incorrect / undecided for an implicit derivative, which need only hold on
    the curve F = 0 (−25/y³ and −(x² + y²)/y³ on x² + y² = 25): equal everywhere, or equal
    modulo F (a polynomial), or at points of the curve."""
    from chainrule_cli.calculus.implicit import same_on_curve

    if symbolically_equal(expected, answer):
        return Comparison(verdict="correct", method="symbolic")
    if f.is_polynomial(var, dependent) and answer.is_rational_function(var, dependent):
        try:
            if same_on_curve(expected, answer, f, var, dependent):
                return Comparison(verdict="correct", method="curve")
        except (sympy.PolynomialError, ValueError, TypeError):
            pass
    a, b = concretize(expected), concretize(answer)
    agreeing = 0
    for point in curve_points(f, var, dependent):
        want, got = _number(a, point, ANSWER_DPS), _number(b, point, ANSWER_DPS)
        if want is None or got is None:
            continue
        if _relative(want, got) > 1e-30:
            found = _incorrect(expected, answer, point, agreeing)
            shown = {s: v if v.is_Rational else sympy.Float(v, 15) for s, v in point.items()}
            example = found.counterexample.replace(point=shown)
            return found.replace(counterexample=example)
        agreeing += 1
        if agreeing >= NEEDED:
            return Comparison(verdict="correct", method="curve_points", agreeing=agreeing)
    return Comparison(verdict="undecided", method="none", agreeing=agreeing)
