"""The tangent and the normal line to a curve at a point: y = f(x) or an equation F(x, y) = G.

The slope is the derivative at the point, from the verified derivation; the lines are written
in point-slope form, then as y = m·x + c. A slope that does not exist (a vertical tangent: the
circle at (5, 0), ∛x at 0) gives the vertical line x = a, and a horizontal tangent a vertical
normal.
"""

from __future__ import annotations

import sympy

from chainrule_cli.calculus.derive import exactly_at
from chainrule_cli.calculus.steps import Record


class Tangent(Record):
    """The tangent and the normal at `point` ({x: a, y: b}); `slope` is None where the tangent
    is vertical. A line that is vertical is None, and `vertical`/`normal_vertical` hold its
    x = a."""

    derivation: object  # the Derivation of the slope
    point: dict  # x = a (and y = b), the point on the curve
    height: sympy.Expr  # f(a) (or b)
    slope: sympy.Expr | None
    tangent: sympy.Expr | None  # m·(x − a) + b, expanded
    normal: sympy.Expr | None
    vertical: sympy.Expr | None = None  # a, when the tangent is the line x = a
    normal_vertical: sympy.Expr | None = None  # a, when the normal is the line x = a
    uncompared = frozenset({"derivation"})


def _finite(value: sympy.Expr) -> bool:
    return value.is_number and not value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def tangent_at(derivation, point: dict, slope_value: sympy.Expr) -> Tangent:
    """The lines at the point, given the derivative's value there (nan or zoo: none)."""
    x = derivation.var
    a = point[x]
    if derivation.dependent is not None:
        height = point[derivation.dependent]
    else:
        height = exactly_at(derivation.expr, point)
    if not _finite(slope_value):  # dy/dx = −x/y at (5, 0): the tangent is vertical
        return Tangent(
            derivation=derivation, point=point, height=height, slope=None, tangent=None,
            normal=sympy.expand(height + 0 * x), vertical=a,
        )  # fmt: skip
    m = slope_value
    tangent = sympy.expand(m * (x - a) + height)
    if m == 0:
        return Tangent(
            derivation=derivation, point=point, height=height, slope=m, tangent=tangent,
            normal=None, normal_vertical=a,
        )  # fmt: skip
    normal = sympy.expand(-(x - a) / m + height)
    return Tangent(
        derivation=derivation, point=point, height=height, slope=m, tangent=tangent,
        normal=normal,
    )  # fmt: skip
