"""From an expression to a verified Derivation: steps, simplification, the in-terms-of-y form."""

from __future__ import annotations

import math

import sympy
from sympy.core.function import AppliedUndef

from chainrule_cli.calculus import forms
from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.numeric import DECIMAL_DPS, STEP_DPS
from chainrule_cli.calculus.stepper import Stepper, expression_heights
from chainrule_cli.calculus.verify import agrees, verify
from chainrule_cli.walk import bottom_up, contains, replaced

# Results with more operations than this are left as the steps built them (no rewriting).
SIMPLIFY_MAX_OPS = 120
VALUE_NAMES = ("y", "Y", "F", "φ")


def derive(
    expr: sympy.Expr,
    var: sympy.Symbol,
    order: int = 1,
    detail: str = "full",
    value: str | None = None,
    form: str = "auto",
):
    """Build, simplify and verify the derivation of d^order(expr)/d var^order; `value` is the
    name the student gave the function's value (y, f), if any; `form` the final form
    (calculus/forms.py: "auto", "factored", "expanded", "as-derived")."""
    if order < 1:
        raise ValueError("order must be at least 1")
    if form not in forms.FORMS:
        raise ValueError(f"unknown form {form!r}: expected one of {', '.join(forms.FORMS)}")
    stepper = Stepper(expr, detail)
    if order == 1:
        root = stepper.step(expr, var)
    else:
        stages = []
        current = expr
        for _ in range(order):
            stage = stepper.step(current, var)
            stages.append(stage)
            current = tidy(stage.result)
            stepper.heights.update(expression_heights(current))
        root = S.HigherOrderStep(
            expr=expr, var=var, result=stages[-1].result, substeps=tuple(stages), order=order
        )
    taken = stepper.taken | {str(var)}
    in_terms_of = value_form(expr, root.result, taken, value) if order == 1 else None
    final, rewrites = simplify_result(root.result, tall=stepper.tall(expr), form=form)
    verdict = verify(root, stepper.heights)
    failures = verdict.failures
    if in_terms_of is not None and not agrees(
        in_terms_of.result.xreplace({in_terms_of.name: expr}), root.result
    ):
        failures = (*failures, root)  # the y-form must say what the checked result says
    return S.Derivation(
        expr=expr, var=var, order=order, root=root, result=final, simplify=rewrites,
        in_terms_of=in_terms_of, verified=not failures, failures=failures, detail=detail,
    )  # fmt: skip


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """The light clean-up between orders of a higher derivative (never an unbounded simplify)."""
    if sympy.count_ops(expr) > SIMPLIFY_MAX_OPS:
        return expr
    return sympy.factor_terms(expr)


def simplify_result(result: sympy.Expr, tall: bool = False, form: str = "auto"):
    """Rewrite toward the final form (calculus/forms.py: "auto" is what a textbook prints,
    "factored", "expanded", "as-derived"), within a size budget; record each rewrite, every one
    checked equal to the form before it."""
    if form not in forms.FORMS:
        raise ValueError(f"unknown form {form!r}: expected one of {', '.join(forms.FORMS)}")
    if form == "as-derived" or tall or result.atoms(AppliedUndef) or result.has(sympy.Piecewise):
        return result, ()
    ops = int(sympy.count_ops(result))
    if ops > SIMPLIFY_MAX_OPS:
        return result, ()
    checked: dict[tuple[sympy.Expr, sympy.Expr], bool] = {}
    for path in forms.final_forms(result, form, ops):
        rewrites: list[S.Rewrite] = []
        before = result
        for why, after in path:
            key = (before, after)
            if key not in checked:
                checked[key] = agrees(before, after)
            if not checked[key]:
                break
            rewrites.append(S.Rewrite(before=before, after=after, why=why))
            before = after
        else:
            return before, tuple(rewrites)
    return result, ()


def _one_fraction(expr: sympy.Expr) -> sympy.Expr:
    """Over a common denominator, the numerator expanded (function arguments left alone)."""
    return forms.one_fraction(expr)


def value_form(
    expr: sympy.Expr, result: sympy.Expr, taken: set[str], value: str | None = None
) -> S.InTermsOf | None:
    """dy/dx through y itself where the function's own value appears: σ' = y(1 − y)."""
    names = (value, *VALUE_NAMES) if value else VALUE_NAMES
    name = next(n for n in names if n not in taken)
    y = sympy.Symbol(name, real=True)
    replaced = through_value(expr, result, y)
    if replaced is None:
        return None
    replaced = sympy.factor_terms(replaced)
    if replaced.is_Add and replaced.free_symbols & expr.free_symbols:
        return None  # 3x²eˣ + y for x³eˣ: y beside the variables it was to replace says nothing
    return S.InTermsOf(name=y, result=replaced)


def through_value(expr: sympy.Expr, result: sympy.Expr, y: sympy.Symbol) -> sympy.Expr | None:
    """result with expr written y, when that shows y and leaves no trace of expr; else None."""
    if expr.is_Atom or expr.atoms(AppliedUndef):
        return None  # f(g(x)): "dy/dg(x)" is no derivative a reader can use
    # each shared sub-tree once: a deep chain's result is a tree quadratic in its depth
    through = replaced(result, {expr: y})
    if isinstance(expr, sympy.tanh):
        # tanh' is written sech² in the steps; through y it is 1 − y²
        u = expr.args[0]
        through = replaced(through, {sympy.sech(u) ** 2: 1 - y**2})
    if not contains(through, lambda e: e == y) or contains(
        through, lambda e: e == expr or isinstance(e, sympy.Derivative | sympy.Subs)
    ):
        return None
    symbols = bottom_up(through, {}, lambda e, inside: {e} if e.is_Symbol else set().union(*inside))
    if not symbols - {y} <= expr.free_symbols:
        return None
    return through


def value_at(result: sympy.Expr, point: dict[sympy.Symbol, sympy.Expr]):
    """The derivative at a point: exactly, and as a float when it is a real number (else None).

    Where the point sits on a switch of the result (the 0 of sign(u) from |u|, of H(u) from
    max/min, a boundary of a piecewise function) the derivative need not exist, whatever value
    SymPy's conventions (sign(0) = 0, H(0) = 1/2) would give: the exact value is then nan.
    """
    if on_a_switch(result, point):
        return sympy.nan, None
    exact = exactly_at(result, point)
    if exact.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return exact, None
    if sympy.count_ops(exact) <= SIMPLIFY_MAX_OPS:
        exact = sympy.factor_terms(exact)
    if exact.free_symbols or not exact.is_number:
        return exact, None
    value = exact.evalf(DECIMAL_DPS)
    if not value.is_number or value.has(sympy.zoo, sympy.nan):
        return exact, None
    real, imag = value.as_real_imag()
    if abs(imag) > 1e-15 * max(1, abs(real)):
        return exact, None
    decimal = float(real)
    return exact, decimal if math.isfinite(decimal) else None


def not_real_at(expr: sympy.Expr, point: dict) -> bool:
    """Is expr, at the point, a number that is not real (√(1 − x²) at x = 2)? Variables are
    real: such a value is no value of the function, however SymPy writes it (2√3·i/3)."""
    value = exactly_at(expr, point)
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    if value.is_extended_real is False:
        return True
    try:
        real, imag = value.evalf(STEP_DPS).as_real_imag()
        return abs(imag) > 1e-20 * max(1, abs(real))
    except (TypeError, ValueError, ArithmeticError):
        return False


def exactly_at(expr: sympy.Expr, point: dict) -> sympy.Expr:
    """expr at the point, exactly; nan where SymPy cannot even substitute (sinh(log 0 − 1)
    asks whether -oo is negative and compares with NaN)."""
    try:
        return expr.subs(point)
    except (TypeError, ValueError, ArithmeticError):
        return sympy.nan


_SWITCHES = (sympy.sign, sympy.Heaviside, sympy.DiracDelta)


def on_a_switch(result: sympy.Expr, point: dict) -> bool:
    """Is the point where sign/H/δ in the result switch, or on a piecewise boundary?"""
    where = [a.args[0] for a in result.atoms(*_SWITCHES)]
    for piecewise in result.atoms(sympy.Piecewise):
        for _, condition in piecewise.args:
            for relation in condition.atoms(sympy.core.relational.Relational):
                where.append(relation.lhs - relation.rhs)
    for argument in where:
        value = exactly_at(argument, point)
        if value.is_number and value.is_zero:
            return True
    return False


def typed_order(root: S.Step, typed: dict | None) -> dict | None:
    """`typed` (sub-expressions as the student typed them) with the result of each sum and
    product rule added in the order of its middle form: d/dx (√x + 1/x) is 1/(2√x) − 1/x²,
    and (x² sin x)' is 2x·sin x + x²·cos x, not SymPy's −1/x² + 1/(2√x) and
    x²·cos x + 2x·sin x. Only where each term of the middle form is one term of the result
    (nothing cancelled or merged); the printers print such a result in that order."""
    out = dict(typed or {})
    for step in root.walk():
        if isinstance(step, S.SpecialStep) and step.expr.func.__name__ == "sigmoid":
            # σ' = σ·(1 − σ) as its formula says, not SymPy's (1 − σ)·σ
            s = step.expr
            if step.result == s * (1 - s):
                out.setdefault(step.result, sympy.Mul(s, 1 - s, evaluate=False))
            continue
        if not isinstance(step, S.SumStep | S.ProductStep) or step.result in out:
            continue
        written = out.get(step.expr)
        forms = step.worked(written.args if written is not None else None)
        if not forms or not forms[-1].expr.is_Add:
            continue
        terms = [t.doit() for t in forms[-1].expr.args]
        terms = [t for t in terms if t != 0]
        if len(terms) < 2 or sorted(map(str, terms)) != sorted(
            map(str, sympy.Add.make_args(step.result))
        ):
            continue
        out[step.result] = sympy.Add(*terms, evaluate=False)
    return out or typed
