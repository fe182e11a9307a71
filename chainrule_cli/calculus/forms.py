"""The final form of a derivative: the one a textbook prints, reached by named rewrites.

The steps of a derivation end in whatever the rules built: w·(1 − 1/(1 + e⁻ᵘ))/(1 + e⁻ᵘ),
−sin(x)/cos(x), sign(x)/|x|. `final_forms` finds the rewrites of that result toward what a
textbook prints (w·e⁻ᵘ/(1 + e⁻ᵘ)², −tan(x), 1/x), each a `(why, after)` pair whose `why` is a
catalog key (`WHY` below gives the sentences of the new ones); derive.simplify_result records
them as Rewrite steps, each checked equal to the form before it.

Forms
    ``auto``        the candidate a textbook prefers, by the measure below;
    ``factored``    numerator and denominator factored (sympy.factor);
    ``expanded``    one fraction, the numerator and each factor of the denominator multiplied
                    out (sympy.expand);
    ``as-derived``  the result exactly as the steps built it, no rewrite.
    All but ``as-derived`` first write sign(u)/|u| as 1/u (see below).

Candidates (``auto``)
    From the result as derived, every rewrite below is tried; then again on the `BEAM` best
    forms found, for `DEPTH` rounds in all (a small beam search). The rewrites:
    collect common factors (sympy.factor_terms), multiply out (sympy.expand), put over a common
    denominator (sympy.together), the same with the numerator multiplied out ("one_fraction")
    or factored ("factor", sympy.factor), a trigonometric identity (double angle and
    Pythagorean, with fu's TR rules — never sympy.trigsimp, see below), sin/cos written tan
    (cos/sin cot, 1/cos sec, 1/sin csc, and the hyperbolic ones), combine powers and
    exponentials (sympy.powsimp: e^x·e^(e^x) = e^(x + e^x)), combine logarithms
    (sympy.logcombine, never forced), and sign(u)/|u| written 1/u (equal for u ≠ 0, where
    d/dx ln|x| is defined). The algebraic rewrites work on the fraction's polynomials only
    (see Masked): never inside a function's argument (exp(−b − w·x) is not split into
    e^(−b)·e^(−w·x)) nor in a root's base ((x³ − 1)^(3/2) keeps its base).

The measure (lower first), compared as the tuple `measure` returns
    1. `cost`: SymPy's count_ops (each +, −, ·, /, power and function counts one; a negative
       exponent counts as a division), plus what a textbook never prints:
       +2 for each fraction inside another fraction's numerator or denominator
          (w·(1 − 1/a)/a; a fraction in an exponent or a function's argument is not nested),
       +2 for each sign(u), an artefact of d|u|/du,
       +2 for each argument written with both sin/cos and tan/cot/sec/csc (sin(x)·sec(x)³)
          or with both tan and cot,
       +1 when the whole result is a negative fractional power (x^(−3/2) rather than a
          fraction);
    2. the number of terms of the sum that carry a denominator: one fraction wins a tie
       with a sum of fractions;
    3. the number of rewrites: the form as derived wins any remaining tie.
    So a single fraction with a factored numerator and denominator usually wins:
    3x(x² + 1)²(3x³ − x − 4)/(2(x³ − 1)^(3/2)) (16 operations) over the degree-7 numerator
    (23); x(x·cos x + 2 sin x) (6) over x² cos x + 2x sin x (7); sin x·cos x gives cos 2x (2
    operations, cos²x − sin²x has 5); −sin(x)/cos(x) gives −tan(x).

Time bound
    No unbounded simplification anywhere. Results with more than `MAX_OPS` operations are left
    as derived (as are tall ones, unknown functions and piecewise results: derive.py);
    the algebraic rewrites are tried on forms of at most `ALGEBRA_MAX_OPS` operations that
    contain a sum (fractions: also a denominator), multiplying out and factoring only where
    that gives at most `EXPANDED_MAX_TERMS` terms; the trigonometric identity only on the
    result itself, at most `TRIG_MAX_OPS` operations, when two circular functions of one
    argument (or sinh and cosh) or a squared one occur. A rewrite that raises is skipped. On
    the textbook corpus this costs about as much again as building and verifying the steps
    (benchmarks/final_form.py).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable

import sympy
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction

FORMS = ("auto", "factored", "expanded", "as-derived")

# The sentences of the new `why` keys (render/messages.py, "why.<key>"): (English, Chinese).
WHY = {
    "factor": ("factor", "因式分解"),
    "common_denominator": ("put over a common denominator", "通分"),
    "expand": ("multiply out", "展开"),
    "trig_identity": ("use a trigonometric identity", "利用三角恒等式"),
    "trig_quotients": (
        "write sin/cos as tan, cos/sin as cot, 1/cos as sec, 1/sin as csc",
        "把 sin/cos 写成 tan，cos/sin 写成 cot，1/cos 写成 sec，1/sin 写成 csc",
    ),
    "combine_powers": ("combine powers of the same base", "合并同底数的幂"),
    "combine_logs": ("combine the logarithms", "合并对数"),
    "sign_over_abs": ("sign(u)/|u| = 1/u for u ≠ 0", "当 u ≠ 0 时 sign(u)/|u| = 1/u"),
}

MAX_OPS = 120  # larger results are left as derived
ALGEBRA_MAX_OPS = 80  # factor, cancel, expand, together, factor_terms
TRIG_MAX_OPS = 40  # trigsimp
DEPTH = 2  # rewrites in a row
BEAM = 2  # forms kept after each round

_ERRORS = (TypeError, ValueError, NotImplementedError, AttributeError, RecursionError)


# --- the measure -------------------------------------------------------------------------------


def _denominator(factor: sympy.Basic) -> bool:
    """Is this factor of a product written under a fraction bar?"""
    return bool(factor.is_Pow and factor.exp.is_number and factor.exp.is_negative)


def _fraction_parts(expr: sympy.Basic) -> tuple[list, list]:
    """A product's (or power's) factors above and below the bar, as SymPy prints them."""
    factors = expr.args if expr.is_Mul else (expr,)
    above, below = [], []
    for f in factors:
        if _denominator(f):
            below.append(f.base)
        elif not (f.is_Rational and f.q != 1):
            above.append(f)
    return above, below


def _nested_fractions(expr: sympy.Basic, inside: bool = False) -> int:
    """Fractions written inside another fraction's numerator or denominator. A function's
    argument and an exponent are written apart: a fraction there is not nested."""
    if expr.is_Atom:
        return 0
    if expr.is_Mul or (expr.is_Pow and _denominator(expr)):
        above, below = _fraction_parts(expr)
        if below:
            count = 1 if inside else 0
            return count + sum(_nested_fractions(p, True) for p in above + below)
    if expr.is_Add or expr.is_Mul:
        return sum(_nested_fractions(a, inside) for a in expr.args)
    if expr.is_Pow:
        return _nested_fractions(expr.base, inside) + _nested_fractions(expr.exp)
    return sum(_nested_fractions(a) for a in expr.args)


_CIRCULAR = (sympy.sin, sympy.cos)
_NAMED = (sympy.tan, sympy.cot, sympy.sec, sympy.csc)


def _mixed_names(expr: sympy.Basic) -> int:
    """Arguments written both with sin/cos and with tan, cot, sec or csc (sin(x)·sec(x)³), or
    with both tan and cot: a textbook writes one family."""
    kinds: dict[tuple, set] = {}
    for f in expr.atoms(*_CIRCULAR, *_NAMED):
        kinds.setdefault(f.args, set()).add(type(f))
    return sum(
        1
        for k in kinds.values()
        if (k & set(_CIRCULAR) and k & set(_NAMED)) or {sympy.tan, sympy.cot} <= k
    )


def cost(expr: sympy.Basic, ops: int | None = None) -> int:
    """Operations a reader reads, with penalties for forms a textbook never prints."""
    odd_power = _denominator(expr) and not expr.exp.is_Integer  # x**(-3/2) printed alone
    return (
        (int(sympy.count_ops(expr)) if ops is None else ops)
        + 2 * _nested_fractions(expr)
        + 2 * len(expr.atoms(sympy.sign))
        + 2 * _mixed_names(expr)
        + int(odd_power)
    )


def _fraction_terms(expr: sympy.Basic) -> int:
    """How many terms of the top-level sum carry a denominator (0 or 1: one fraction)."""
    terms = expr.args if expr.is_Add else (expr,)
    return sum(1 for t in terms if _fraction_parts(t)[1])


def measure(expr: sympy.Basic, rewrites: int = 0, ops: int | None = None) -> tuple:
    """The key a textbook's preference sorts by (lower first): see the module docstring."""
    return (cost(expr, ops), _fraction_terms(expr), rewrites)


# --- the algebra, on the rational structure only -----------------------------------------------


class Masked:
    """The expression with every function application and every root replaced by a symbol, so
    that the algebra (together, factor, expand, …) works on the fraction's polynomials and
    never inside a function's argument or a root's base: exp(−b − w·x) is not split into
    e^(−b)·e^(−w·x), and (x³ − 1)^(3/2) keeps its base unfactored."""

    def __init__(self, expr: sympy.Expr) -> None:
        self.names: dict[sympy.Expr, sympy.Dummy] = {}
        self.expr = self._mask(expr)

    def _name(self, part: sympy.Expr) -> sympy.Dummy:
        if part not in self.names:
            self.names[part] = sympy.Dummy(f"m{len(self.names)}")
        return self.names[part]

    def _mask(self, expr: sympy.Expr) -> sympy.Expr:
        if expr.is_Atom:
            return expr
        if expr.is_Add or expr.is_Mul:
            return expr.func(*(self._mask(a) for a in expr.args))
        if expr.is_Pow and expr.exp.is_Integer:
            return self._mask(expr.base) ** expr.exp
        if expr.is_Pow and expr.exp.is_Rational:
            # b^(p/q) = (b^(1/q))^p: one name for each root, so √u·u^(3/2) cancels
            return self._name(expr.base ** sympy.Rational(1, expr.exp.q)) ** expr.exp.p
        return self._name(expr)

    def back(self, expr: sympy.Expr) -> sympy.Expr:
        return expr.xreplace({name: part for part, name in self.names.items()})

    @property
    def has_sum(self) -> bool:
        return bool(self.expr.atoms(sympy.Add))

    @property
    def has_fraction(self) -> bool:
        return any(_denominator(p) for p in self.expr.atoms(sympy.Pow))


def _one_fraction(expr: sympy.Expr) -> sympy.Expr:
    """Over a common denominator, the numerator expanded and its common factors collected."""
    numer, denom = sympy.fraction(sympy.together(expr))
    if denom == 1:
        return expr
    return sympy.factor_terms(sympy.expand(numer)) / denom


def _expanded(expr: sympy.Expr) -> sympy.Expr:
    """One fraction, the numerator multiplied out and each factor of the denominator (a root
    stays a factor: 2(x³ − 1)^(3/2), not 2x³√(x³ − 1) − 2√(x³ − 1)); a sum if nothing is
    below."""
    numer, denom = sympy.fraction(sympy.together(expr))
    if denom == 1:
        return sympy.expand(expr)
    return sympy.expand(numer) / sympy.Mul(*(sympy.expand(f) for f in sympy.Mul.make_args(denom)))


def _algebra(rewrite: Callable[[sympy.Expr], sympy.Expr]) -> Callable[[sympy.Expr], sympy.Expr]:
    def apply(expr: sympy.Expr) -> sympy.Expr:
        m = Masked(expr)
        return m.back(rewrite(m.expr))

    return apply


one_fraction = _algebra(_one_fraction)


def expanded(expr: sympy.Expr) -> sympy.Expr:
    """_expanded on the rational structure, again if a root squared came back as a sum
    (√(x³ − 1)² = x³ − 1)."""
    once = _algebra(_expanded)(expr)
    return _algebra(_expanded)(once)


factored = _algebra(sympy.factor)
cancelled = _algebra(sympy.cancel)


EXPANDED_MAX_TERMS = 40  # multiply out (and factor) only below this many terms


def _terms(expr: sympy.Expr) -> int:
    """How many terms multiplying out would give, at most (a root or a function is one)."""
    if expr.is_Add:
        return sum(_terms(a) for a in expr.args)
    if expr.is_Mul:
        return math.prod(_terms(a) for a in expr.args)
    if expr.is_Pow and expr.exp.is_Integer:
        k, n = _terms(expr.base), abs(int(expr.exp))
        return math.comb(n + k - 1, k - 1) if k > 1 else 1
    return 1


def _expandable(expr: sympy.Expr) -> bool:
    """Is multiplying out (or factoring, which multiplies out first) cheap: at most
    EXPANDED_MAX_TERMS terms? (x + y)^99 would give a hundred, (a + b + c + d + e + x)^6 462."""
    try:
        return _terms(expr) <= EXPANDED_MAX_TERMS
    except (OverflowError, ValueError):
        return False


def rational_forms(
    expr: sympy.Expr, masked: Masked | None = None, light: bool = False
) -> list[tuple[str, sympy.Expr]]:
    """The algebraic rewrites of one form, on its rational structure (see Masked), the common
    denominator worked out once for all of them: collect common factors (factor_terms),
    multiply out (expand), put over a common denominator (together), and then the numerator
    expanded (one_fraction) or factored (factor). `light`: the first two only."""
    m = masked or Masked(expr)
    if not m.has_sum:
        return []
    forms = [("factor_terms", sympy.factor_terms(m.expr))]
    expandable = _expandable(m.expr)
    if expandable:
        forms.append(("expand", sympy.expand(m.expr)))
    if light:
        pass
    elif m.has_fraction:
        together = sympy.together(m.expr)
        numer, denom = sympy.fraction(together)
        forms.append(("common_denominator", together))
        if denom != 1 and _expandable(numer):
            forms.append(("one_fraction", sympy.factor_terms(sympy.expand(numer)) / denom))
            forms.append(("factor", sympy.factor(numer) / denom))
    elif expandable:
        forms.append(("factor", sympy.factor(m.expr)))
    return [(why, fewer_minus_signs(m.back(after))) for why, after in forms]


def fewer_minus_signs(expr: sympy.Expr) -> sympy.Expr:
    """−3x·(−3x³ + x + 4) written 3x·(3x³ − x − 4): a negative coefficient taken into a sum
    that is a factor and is printed starting with a minus sign."""
    coeff, rest = expr.as_coeff_Mul()
    if not (coeff.is_Number and coeff.is_negative):
        return expr
    factors = list(sympy.Mul.make_args(rest))
    for i, f in enumerate(factors):
        if f.is_Add and f.as_ordered_terms()[0].as_coeff_Mul()[0].is_negative:
            factors[i] = -f
            return sympy.Mul(-coeff, *factors)
    return expr


# --- trigonometry ------------------------------------------------------------------------------

_TRIG = (TrigonometricFunction, HyperbolicFunction)
_FU = importlib.import_module("sympy.simplify.fu")  # its TR rules: cheap, one identity each


def _identity_may_apply(expr: sympy.Basic) -> bool:
    """Could a trigonometric identity shorten this: a product of two circular functions of one
    argument (sin u·cos u) or of sinh u and cosh u, or a circular function squared (sin²u)?"""
    for p in expr.atoms(sympy.Pow):
        if isinstance(p.base, TrigonometricFunction) and p.exp.is_Integer and abs(p.exp) > 1:
            return True
    for product in expr.atoms(sympy.Mul):
        bases = [f.as_base_exp()[0] for f in product.args]
        arguments = [f.args for f in bases if isinstance(f, _PAIRED)]
        if len(arguments) != len(set(arguments)):
            return True
    return False


_PAIRED = (TrigonometricFunction, sympy.sinh, sympy.cosh)


def _hyperbolic_double(product: sympy.Expr) -> sympy.Expr:
    """2·sinh(u)·cosh(u) = sinh(2u), in one product (fu's rules know only sin and cos)."""
    powers = product.as_powers_dict()
    for base, n in powers.items():
        if isinstance(base, sympy.sinh) and n == 1 and powers.get(sympy.cosh(*base.args)) == 1:
            u = base.args[0]
            return product / (base * sympy.cosh(u)) * sympy.sinh(2 * u) / 2
    return product


def trig_identity(expr: sympy.Expr) -> sympy.Expr:
    """A cheap trigonometric simplification (never sympy.trigsimp, whose cost grows fast): tan,
    cot, sec, csc written with sin and cos, then the best of the double-angle identities
    (2·sin u·cos u = sin 2u, cos²u − sin²u = cos 2u: fu's TR8; 2·sinh u·cosh u = sinh 2u) and
    the Pythagorean one both ways (sin²u = 1 − cos²u: TR5, TR6), each multiplied out or, if a
    fraction, cancelled, the quotients named again (tan, cot, sec, csc)."""
    plain = _FU.TR1(_FU.TR2(expr))
    found = []
    fraction = Masked(plain).has_fraction  # products to sums (TR8) does not help a fraction
    for rule in (_FU.TR5, _FU.TR6) if fraction else (_FU.TR8, _FU.TR5, _FU.TR6):
        form = rule(plain)
        m = Masked(form)
        if m.has_sum and _expandable(m.expr):
            form = m.back(sympy.cancel(m.expr) if m.has_fraction else sympy.expand(m.expr))
        found.append(trig_quotients(form.replace(lambda e: e.is_Mul, _hyperbolic_double)))
    return min(found, key=measure)


# numerator, denominator, quotient: sin/cos = tan, cos/sin = cot, and the hyperbolic ones
_QUOTIENTS = (
    (sympy.sin, sympy.cos, sympy.tan),
    (sympy.cos, sympy.sin, sympy.cot),
    (sympy.sinh, sympy.cosh, sympy.tanh),
    (sympy.cosh, sympy.sinh, sympy.coth),
)
_RECIPROCALS = {
    sympy.cos: sympy.sec,
    sympy.sin: sympy.csc,
    sympy.cosh: sympy.sech,
    sympy.sinh: sympy.csch,
}


def _quotients_in(product: sympy.Expr) -> sympy.Expr:
    """sin(u)^n·cos(u)^(−n) written tan(u)^n (and the like), then 1/cos(u)^n written
    sec(u)^n (and the like), in one product."""
    powers = dict(product.as_powers_dict())
    changed = False
    for top, bottom, quotient in _QUOTIENTS:
        for base in [b for b in powers if isinstance(b, top)]:
            u = base.args[0]
            n, m = powers.get(top(u), 0), powers.get(bottom(u), 0)
            if not (n > 0 and m < 0):
                continue
            k = min(n, -m)
            powers[top(u)], powers[bottom(u)] = n - k, m + k
            powers[quotient(u)] = powers.get(quotient(u), 0) + k
            changed = True
    for base, n in list(powers.items()):
        if type(base) in _RECIPROCALS and n.is_negative:
            powers[base] = 0
            other = _RECIPROCALS[type(base)](*base.args)
            powers[other] = powers.get(other, 0) - n
            changed = True
    if not changed:
        return product
    return sympy.Mul(*(b**e for b, e in powers.items()))


def trig_quotients(expr: sympy.Expr) -> sympy.Expr:
    """The light trigonometric rewrite: sin/cos → tan, cos/sin → cot, 1/cos → sec, 1/sin →
    csc (and the hyperbolic ones) in every product."""
    if expr.is_Atom:
        return expr
    if expr.is_Mul or (expr.is_Pow and _denominator(expr)):
        factors = []
        for f in sympy.Mul.make_args(expr):
            if f.is_Pow:
                factors.append(trig_quotients(f.base) ** trig_quotients(f.exp))
            else:
                factors.append(trig_quotients(f))
        return _quotients_in(sympy.Mul(*factors))
    return expr.func(*(trig_quotients(a) for a in expr.args))


# --- the other rewrites ------------------------------------------------------------------------


def sign_over_abs(expr: sympy.Expr) -> sympy.Expr:
    """sign(u) written u/|u| (equal for u ≠ 0), kept only where that leaves neither sign(u)
    nor |u|: sign(x)/|x| = x/|x|² = 1/x."""
    swaps = {}
    for s in expr.atoms(sympy.sign):
        u = s.args[0]
        trial = expr.xreplace({s: u / sympy.Abs(u)})
        if not trial.has(sympy.Abs(u)) and not trial.has(s):
            swaps[s] = u / sympy.Abs(u)
    return expr.xreplace(swaps) if swaps else expr


# --- the search --------------------------------------------------------------------------------

Path = tuple[tuple[str, sympy.Expr], ...]


class Candidate:
    """One form reached from the result, the rewrites that lead to it and its measure."""

    def __init__(self, expr: sympy.Expr, path: Path, ops: int | None = None) -> None:
        self.expr, self.path = expr, path
        self.ops = int(sympy.count_ops(expr)) if ops is None else ops
        self._masked: Masked | None = None
        self._key: tuple | None = None

    @property
    def masked(self) -> Masked:
        if self._masked is None:
            self._masked = Masked(self.expr)
        return self._masked

    @property
    def key(self) -> tuple:
        if self._key is None:
            self._key = measure(self.expr, len(self.path), self.ops)
        return self._key

    def has(self, why: str) -> bool:
        return any(w == why for w, _ in self.path)


_ALGEBRA = {"factor_terms", "expand", "common_denominator", "one_fraction", "factor"}


def _moves(c: Candidate) -> list[tuple[str, sympy.Expr]]:
    """The rewrites tried on one candidate, each behind the cheap guard that keeps the search
    within its time bound."""
    moves: list[tuple[str, sympy.Expr]] = []
    if c.expr.has(sympy.sign):
        moves.append(("sign_over_abs", sign_over_abs(c.expr)))
    if c.ops <= ALGEBRA_MAX_OPS:
        # after an algebraic rewrite, only the light ones: together or factor again is no news
        light = bool(c.path) and c.path[-1][0] in _ALGEBRA
        moves.extend(rational_forms(c.expr, c.masked, light))
    elif c.ops <= MAX_OPS and not c.path:
        # larger: the two light rewrites a result of this size always had
        moves.append(("factor_terms", sympy.factor_terms(c.expr)))
        moves.append(("one_fraction", one_fraction(c.expr)))
    if c.expr.atoms(*_TRIG):
        moves.append(("trig_quotients", trig_quotients(c.expr)))
        if c.ops <= TRIG_MAX_OPS and not c.path and _identity_may_apply(c.expr):
            moves.append(("trig_identity", trig_identity(c.expr)))
    if c.ops <= ALGEBRA_MAX_OPS and len(c.expr.atoms(sympy.exp)) > 1:
        moves.append(("combine_powers", sympy.powsimp(c.expr)))
    if c.ops <= ALGEBRA_MAX_OPS and len(c.expr.atoms(sympy.log)) > 1:
        moves.append(("combine_logs", sympy.logcombine(c.expr)))
    return moves


def _guarded_moves(c: Candidate) -> list[tuple[str, sympy.Expr]]:
    try:
        return _moves(c)
    except _ERRORS:
        return []  # a rewrite that raises is skipped (with those tried beside it)


def _auto(result: sympy.Expr, ops: int | None = None) -> list[Path]:
    """The paths found from the result (the empty one among them), best by the measure first."""
    seen = {result: Candidate(result, (), ops)}
    frontier = [seen[result]]
    for _ in range(DEPTH):
        grown = []
        for candidate in frontier:
            for why, after in _guarded_moves(candidate):
                if after in seen or after.has(sympy.nan, sympy.zoo):
                    continue
                reached = Candidate(after, (*candidate.path, (why, after)))
                seen[after] = reached
                if reached.ops <= MAX_OPS:
                    grown.append(reached)
        frontier = sorted(grown, key=lambda c: c.key)[:BEAM]
    found = [c for c in seen.values() if c.ops <= MAX_OPS]
    return [c.path for c in sorted(found, key=lambda c: c.key)]


def _step(why: str, expr: sympy.Expr, after: sympy.Expr) -> Path:
    return () if after == expr else ((why, after),)


def final_forms(result: sympy.Expr, form: str = "auto", ops: int | None = None) -> list[Path]:
    """The candidate paths of rewrites from `result` toward `form`, best first. The caller takes
    the first whose every step checks; the empty path (the result as derived) is among them."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}: expected one of {', '.join(FORMS)}")
    if form == "as-derived" or (ops if ops is not None else sympy.count_ops(result)) > MAX_OPS:
        return [()]
    if form == "auto":
        return _auto(result, ops)
    try:
        plain = sign_over_abs(result)
        path = _step("sign_over_abs", result, plain)
        if not _expandable(Masked(plain).expr):
            pass  # too many terms: left as it is
        elif form == "expanded":
            path += _step("expand", plain, expanded(plain))
        else:
            path += _step("factor", plain, factored(plain))
    except _ERRORS:
        return [()]
    return [path, ()]
