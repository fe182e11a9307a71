"""Hypothesis strategies: random expression trees over the functions chainrule knows."""

from __future__ import annotations

import sympy as sp
from hypothesis import strategies as st

from chainrule_cli.functions import sigmoid

SYMBOLS = [sp.Symbol(n, real=True) for n in ("x", "y", "w", "b", "alpha", "x_1", "w0")]

UNARY = [
    sp.sin,
    sp.cos,
    sp.tan,
    sp.cot,
    sp.sec,
    sp.csc,
    sp.asin,
    sp.acos,
    sp.atan,
    sp.acot,
    sp.asec,
    sp.acsc,
    sp.sinh,
    sp.cosh,
    sp.tanh,
    sp.coth,
    sp.sech,
    sp.csch,
    sp.asinh,
    sp.acosh,
    sp.atanh,
    sp.acoth,
    sp.asech,
    sp.acsch,
    sp.exp,
    sp.log,
    sp.sqrt,
    sp.Abs,
    sp.erf,
    sigmoid,
    sp.sign,
    sp.gamma,
    sp.Heaviside,
    sp.Function("f"),
    sp.Function("g"),
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / b,
    lambda a, b: a**b,
    sp.Max,
    sp.Min,
    lambda a, b: sp.log(a, b),
]

leaves = st.one_of(
    st.sampled_from(SYMBOLS),
    st.integers(min_value=-20, max_value=20).map(sp.Integer),
    st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda pq: sp.Rational(*pq)),
    st.sampled_from([sp.pi, sp.E, sp.Rational(1, 2), sp.Float("0.25")]),
)


def _apply(fn, *args):
    """fn(*args), or None where SymPy refuses; numbers past 1000 are not combined any further:
    (9/7)^(20^20) or gamma(20^5^5) would be computed digit by digit, for hours."""
    for a in args:
        a = sp.Integer(a) if isinstance(a, int) else a  # noqa: PLW2901
        try:
            too_big = a.is_Number and (abs(a) > 1000 or a.is_Rational and a.q > 1000)
        except TypeError:  # nan
            too_big = True
        if too_big:
            return None
    try:
        return fn(*args)
    except (TypeError, ValueError, ZeroDivisionError):
        return None  # e.g. Max(zoo, 1): not comparable


def _defined(e) -> bool:
    """1/0, 0/0 and sin(oo) are not in the input language: the parser refuses them."""
    return e is not None and not e.has(sp.zoo, sp.nan, sp.AccumBounds)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children).map(lambda fa: _apply(*fa)),
        st.tuples(st.sampled_from(BINARY), children, children).map(lambda fab: _apply(*fab)),
        st.tuples(children, st.integers(-4, 5)).map(lambda ek: _apply(sp.Pow, *ek)),
    ).filter(_defined)


def expressions(max_leaves: int = 12):
    return st.recursive(leaves, _extend, max_leaves=max_leaves)
