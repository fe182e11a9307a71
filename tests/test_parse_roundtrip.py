"""JSON output is input: whatever SymPy prints parses back to the same tree. So does the text
format (the one-line Unicode that the terminal shows)."""

from __future__ import annotations

import re

import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import expressions

from chainrule_cli.errors import ChainruleError
from chainrule_cli.functions import sigmoid
from chainrule_cli.parse import parse
from chainrule_cli.render.printing import unicode

X = sp.Symbol("x", real=True)
F, G = sp.Function("f"), sp.Function("g")


@given(expressions())
def test_str_round_trip(expr):
    text = str(expr)
    parsed = parse(text)
    if expr.has(sp.Float):
        # str() prints 15 digits of a 53-bit float: the text, not the bits, must round-trip
        assert str(parsed) == text
    else:
        assert parsed == expr, f"{text!r} parsed as {parsed!r}"


@given(expressions(max_leaves=6))
def test_latex_output_is_accepted_and_means_the_same(expr):
    # LaTeX from SymPy's printer reads back (single-letter names; multi-letter names are
    # ambiguous in LaTeX, where wx is w·x); checked by value at a point, since LaTeX drops
    # the structure SymPy keeps (log bases, for example).
    single = expr.xreplace({s: sp.Symbol("x", real=True) for s in expr.free_symbols})
    if single.atoms(sp.core.function.AppliedUndef) or single.has(
        sp.Heaviside, sp.sign, sp.zoo, sp.oo, -sp.oo, sp.nan
    ):
        return
    text = sp.latex(single)
    try:
        parsed = parse(text, input="latex")
    except ChainruleError as exc:
        raise AssertionError(f"{text!r}: {exc}") from None
    x = sp.Symbol("x", real=True)
    for point in (sp.Rational(3, 7), sp.Rational(13, 10)):
        try:
            a = sp.N(single.subs(x, point))
            c = sp.N(parsed.subs(x, point))
        except (TypeError, ValueError, ZeroDivisionError):
            continue  # Max(x, asec(3/7)): not defined there; log(erf(7)) ≈ 0 at this precision
        if a.is_finite and a.is_real and abs(a) < 1e300:
            assert abs(complex(a) - complex(c)) <= 1e-9 * max(1, abs(complex(a))), text


@given(st.text(max_size=40))
def test_random_text_never_crashes(text):
    try:
        parse(text)
    except ChainruleError:
        pass


def _rebuilt(expr):
    """expr as SymPy builds it from its parts. diff leaves products such as 2·(a + b)
    unevaluated, and the text 2(a + b) cannot say that: read, it is what SymPy's Mul makes of
    2 and a + b, 2a + 2b."""
    return expr.func(*map(_rebuilt, expr.args)) if expr.args else expr


def _as_read(expr):
    """The text format prints x_1 and x1 alike as x₁ (SymPy's pretty_symbol), and x₁ reads
    back as x_1 (as LaTeX's x_{1} does): w0 comes back as w_0."""
    return expr.xreplace(
        {s: sp.Symbol(re.sub(r"_?([0-9]+)$", r"_\1", s.name), real=True) for s in expr.free_symbols}
    )


def _derivative(expr):
    return sp.diff(expr, X)


@given(
    st.one_of(
        expressions(),
        # derivatives bring f'(x), f'(g(x)), f'(2x) (a Subs), f''(…), σ(x)·(1 − σ(x)), δ(x)…
        expressions(max_leaves=8).map(_derivative).filter(lambda e: not e.has(sp.zoo, sp.nan)),
    )
)
@example(sp.Derivative(F(X), X))
@example(sp.Derivative(F(X), (X, 2)))
@example(sp.Derivative(F(X), (X, 5)))
@example(sp.diff(F(G(X)), X, 2))
@example(sp.diff(F(2 * X), X, 2))
@example(sp.diff(F(sp.sin(X)), X))
@example(sp.diff(F(X**2), X, 3))
@example(sp.diff(sigmoid(X), X))
@example(sp.DiracDelta(X, 1) + sp.gamma(X))
@example(sp.log(X, 2) + sp.sin(X) ** 2 + sp.asin(X))
@example(sp.Float("1.5e-7") * X - sp.Float("2.5e20"))
@example(sp.Symbol("x_1", real=True) * sp.Symbol("w0", real=True) + sp.Symbol("alpha", real=True))
def test_text_format_round_trip(expr):
    if expr.has(sp.I, sp.Heaviside):
        # Not read back, deliberately: the text format prints the imaginary unit as i and the
        # Heaviside step as H(x), as textbooks do; in the input language i is a variable's
        # name (the constant is I) and H(x) is the product H·x (a one-letter name before "("
        # multiplies, as in a(b + c)).
        return
    if expr.has(sp.re, sp.im):
        # d|u|/dx for a u not known to be real (asin(x)) has re(u) and im(u), which are not in
        # the input language (neither in SymPy's str, that is in JSON)
        return
    text = unicode(expr)
    try:
        parsed = parse(text)
    except ChainruleError as exc:
        raise AssertionError(f"{text!r}: {exc}") from None
    expected = _as_read(_rebuilt(expr))
    if expr.has(sp.Float):
        # 15 digits of a 53-bit float: the text, not the bits, must round-trip
        assert parsed == expected or unicode(parsed) == text, f"{text!r} parsed as {parsed!r}"
    else:
        assert parsed == expected, f"{text!r} parsed as {parsed!r}"
