"""Implicit differentiation: an equation F(x, y) = G(x, y) with y = y(x), differentiated on both
sides by the chain rule (d/dx y² = 2y·y'), then solved for y' (and again for y'', …)."""

from __future__ import annotations

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.stepper import Stepper
from chainrule_cli.calculus.verify import verify
from chainrule_cli.errors import UnsupportedError


def dependent_function(dependent: sympy.Symbol, var: sympy.Symbol) -> sympy.Expr:
    """y(x): the dependent variable as the unknown function the steps differentiate."""
    return sympy.Function(dependent.name, real=True)(var)


def shortest(*forms: sympy.Expr) -> sympy.Expr:
    """The form with the fewest operations (the first of equals: the one as it comes)."""
    return min(forms, key=sympy.count_ops)


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """A solved y' as a textbook prints it: one cancelled fraction, factored if shorter."""
    if sympy.count_ops(expr) > 200:
        return expr
    try:
        return shortest(sympy.cancel(expr), sympy.factor(expr), expr)
    except (TypeError, ValueError, NotImplementedError, sympy.PolynomialError):
        return expr


def first_order(stepper: Stepper, lhs, rhs, var, dependent) -> S.ImplicitStep:
    y = dependent_function(dependent, var)
    dy = sympy.Derivative(y, var)
    left = stepper.step(lhs.xreplace({dependent: y}), var)
    right = stepper.step(rhs.xreplace({dependent: y}), var)
    difference = left.result - right.result
    coefficient = sympy.expand(sympy.diff(difference, dy))
    rest = sympy.expand(difference.xreplace({dy: 0}))
    if coefficient.has(dy) or coefficient == 0:
        raise UnsupportedError(
            f"the equation does not determine d{dependent}/d{var} (the derivative of both sides"
            f" has no term in {dependent}')"
        )
    solved = -rest / coefficient
    return S.ImplicitStep(
        expr=y, var=var, result=tidy(solved), substeps=(left, right), lhs=lhs, rhs=rhs,
        dependent=dependent, as_function=y, left=left.result, right=right.result, rest=rest,
        coefficient=coefficient, solved=solved,
    )  # fmt: skip


def derive_implicit(
    lhs: sympy.Expr,
    rhs: sympy.Expr,
    var: sympy.Symbol,
    dependent: sympy.Symbol,
    order: int = 1,
    detail: str = "full",
) -> S.Derivation:
    """The derivation of dⁿy/dxⁿ from lhs = rhs, y = y(x); every step verified, the solved
    derivative checked against −F_x/F_y (and its derivatives along the curve)."""
    if order < 1:
        raise ValueError("order must be at least 1")
    y = dependent_function(dependent, var)
    stepper = Stepper(sympy.Tuple(lhs.xreplace({dependent: y}), rhs.xreplace({dependent: y})),
                      detail)  # fmt: skip
    step = first_order(stepper, lhs, rhs, var, dependent)
    first = step.result  # y' through x and y(x)
    dy = sympy.Derivative(y, var)
    for n in range(2, order + 1):
        again = stepper.step(step.result, var)
        substituted = again.result.xreplace({dy: first})
        step = S.ImplicitStep(
            expr=y, var=var, result=tidy(substituted), substeps=(step, again), order=n,
            lhs=lhs, rhs=rhs, dependent=dependent, as_function=y, solved=substituted,
            differentiated=again.result,
        )  # fmt: skip
    reduced = with_the_equation(step.plain_result, lhs - rhs, var, dependent)
    if reduced is not None:
        step = step.replace(on_curve=reduced)
    verdict = verify(step, stepper.heights)
    result = reduced if reduced is not None else step.plain_result
    return S.Derivation(
        expr=lhs - rhs, var=var, order=order, root=step, result=result,
        verified=verdict.ok, failures=verdict.failures, detail=detail, equation=(lhs, rhs),
        dependent=dependent,
    )  # fmt: skip


def with_the_equation(expr, f, var, dependent) -> sympy.Expr | None:
    """expr with its numerator reduced modulo F (F = 0 on the curve), when F is a polynomial
    and that makes it shorter: −(x² + y²)/y³ is −25/y³ on x² + y² = 25. Else None."""
    if not f.is_polynomial(var, dependent) or sympy.count_ops(expr) > 200:
        return None
    numer, denom = sympy.fraction(sympy.together(expr))
    if not numer.is_polynomial(var, dependent):
        return None
    try:
        _, remainder = sympy.reduced(sympy.expand(numer), [sympy.expand(f)], dependent, var)
    except (sympy.PolynomialError, ValueError, TypeError):
        return None
    reduced = tidy(sympy.factor(remainder) / denom)
    return reduced if sympy.count_ops(reduced) < sympy.count_ops(expr) else None


def same_on_curve(a, b, f, var, dependent) -> bool:
    """Is a − b zero wherever F = 0, by exact division of its numerator by F?"""
    numer, _ = sympy.fraction(sympy.together(a - b))
    _, remainder = sympy.reduced(sympy.expand(numer), [sympy.expand(f)], dependent, var)
    return remainder == 0
