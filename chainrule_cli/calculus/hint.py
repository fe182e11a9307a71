"""The next rule to apply, and where, without the answer: what a tutor says before the working.

A hint comes from the verified derivation's first step (the rule chainrule itself applies
first), at three levels: 1 the rule and the sub-expression it applies to, 2 the rule
instantiated (its parts named, its formula), 3 the rule applied, the parts' derivatives still
to take ((x²)'·sin x + x²·(sin x)'). A student may pick the rule (`rule=`): it is applied if it
applies to the expression, else the hint says why not ("there is no quotient"). Every applied
form is checked: it equals the derivative once its derivatives are taken.
"""

from __future__ import annotations

import sympy

from chainrule_cli.calculus import steps as S

# The rules a student may pick (`chainrule hint --rule NAME`): those whose use is a choice.
PICKABLE = ("sum", "product", "quotient", "chain", "power", "constant_multiple", "general_power")


class Hint(S.Record):
    """The rule to apply to `where` (the expression, or the first derivative still to take),
    and at level 2 and 3 what it is made of."""

    expr: sympy.Expr
    var: sympy.Symbol
    rule: str  # a rule name of the derivation JSON
    where: sympy.Expr
    level: int
    applies: bool = True  # False: the student's rule does not apply (`why_not` says why)
    picked: bool = False  # the student chose the rule
    why_not: str | None = None  # a catalog key: hint.not.<rule>
    # what the rule is made of, at every level (level 1 says it in words, 2 and 3 name them)
    parts: tuple[tuple[str, sympy.Expr], ...] = ()  # f = x², g = sin x
    lets: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()  # the chain rule's u = x²
    outer: sympy.Expr | None = None  # y as a function of u
    applied: S.Form | None = None  # level 3: the rule applied, its derivatives still to take
    step: S.Step | None = None  # the derivation's step for the rule, when it is chainrule's own
    verified: bool = True
    # a student's working (2x sin x + x²·(sin x)′): the hint is for its first derivative still
    # to take, d/dvar expr; `within` is the whole working, `pending` that derivative as typed
    within: sympy.Expr | None = None
    pending: sympy.Expr | None = None


def _d(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    return sympy.Derivative(expr, var)


def moving_factors(expr: sympy.Expr, var: sympy.Symbol) -> list[sympy.Expr]:
    """The factors of a product that depend on var (x², sin x; a denominator as a power)."""
    if not expr.is_Mul:
        return []
    return [f for f in expr.args if f.has(var)]


def first_step(expr: sympy.Expr, var: sympy.Symbol) -> tuple[S.Step, bool]:
    """The derivation's first step, and whether the derivation is verified."""
    from chainrule_cli.calculus.derive import derive

    d = derive(expr, var, 1, "normal")
    return d.root, d.verified


def hint(
    expr: sympy.Expr, var: sympy.Symbol, level: int = 1, rule: str | None = None,
    step: S.Step | None = None, verified: bool = True,
) -> Hint:  # fmt: skip
    """The hint for d/dvar expr at `level` (1, 2 or 3), with the student's `rule` if picked;
    `step` is the verified derivation's first step, if it is at hand."""
    if level not in (1, 2, 3):
        raise ValueError("level must be 1, 2 or 3")
    if step is None:
        step, verified = first_step(expr, var)
    if rule is None or rule == step.rule:
        return _own(step, expr, var, level, verified, picked=rule is not None)
    if rule not in PICKABLE:
        raise ValueError(f"unknown rule {rule!r}: expected one of {', '.join(PICKABLE)}")
    return _picked(expr, var, level, rule)


def _own(step: S.Step, expr, var, level: int, verified: bool, picked: bool) -> Hint:
    """The hint of chainrule's own first step."""
    lets, outer = (), None
    if isinstance(step, S.ChainStep):
        lets, outer = ((step.intermediate, step.inner),), step.outer
    applied = None
    if level == 3:
        applied = _applied_form(step)
    return Hint(expr=expr, var=var, rule=step.rule, where=step.expr, level=level, picked=picked,
                parts=step.parts(), lets=lets, outer=outer, applied=applied, step=step,
                verified=verified and _checks(applied, expr, var))  # fmt: skip


def _applied_form(step: S.Step) -> S.Form | None:
    """The rule applied, its parts' derivatives not yet taken: the formula on this expression;
    for the chain rule dy/du · du/dx as (outer)'·(inner)'; a rule that is one fact (sin' =
    cos, the power rule) is its result."""
    if isinstance(step, S.ChainStep):
        u, x = step.intermediate, step.var
        return S.Form(expr=S.Times(_d(step.outer, u), _d(step.inner, x)), why="formula",
                      where=((u, step.inner),))  # fmt: skip
    forms = [f for f in step.worked() if f.why == "formula"]
    if forms and not isinstance(step, S.PowerStep):
        return forms[0]
    if step.substeps and not isinstance(step, S.PowerStep):
        return None  # implicit, several variables, higher order: no one line that is not the answer
    return S.Form(expr=step.result, why="middle")


def _checks(form: S.Form | None, expr: sympy.Expr, var: sympy.Symbol) -> bool:
    """Whether an applied form equals the derivative once its derivatives are taken."""
    from chainrule_cli.calculus.verify import agrees

    if form is None:
        return True
    return agrees(_taken(form), sympy.diff(expr, var))


def _taken(form: S.Form) -> sympy.Expr:
    """The form with its derivatives taken (the chain rule's d/du at u = inner)."""
    expr = form.expr
    if form.where:
        (u, inner), *_ = form.where
        expr = expr.doit().subs(u, inner)
    return expr.doit()


def _picked(expr, var, level: int, rule: str) -> Hint:
    """The student's rule: applied where it applies (the product rule on (x² + 1)/(x − 1) as
    (x² + 1)·(x − 1)⁻¹), else why not."""
    base = {"expr": expr, "var": var, "rule": rule, "where": expr, "level": level,
            "picked": True}  # fmt: skip
    built = _build(expr, var, rule)
    if isinstance(built, str):
        return Hint(**base, applies=False, why_not=built)
    parts, form, lets, outer = built
    applied = form if level == 3 else None
    return Hint(**base, parts=parts, lets=lets, outer=outer, applied=applied,
                verified=_checks(applied, expr, var))  # fmt: skip


def _build(expr, var, rule: str):
    """(parts, applied form, lets, outer) of a rule on expr, or the catalog key saying why it
    does not apply."""
    names = S.PART_NAMES
    if rule == "sum":
        if not expr.is_Add:
            return "hint.not.sum"
        terms = expr.as_ordered_terms()
        form = sympy.Add(*(_d(t, var) for t in terms), evaluate=False)
        return (), S.Form(expr=form, why="formula"), (), None
    if rule == "product":
        factors = moving_factors(expr, var)
        if len(factors) < 2 or len(factors) > len(names):
            return "hint.not.product"
        # the numerator's factors first, then the denominator's: (x² + 1)·(x − 1)⁻¹
        factors.sort(key=lambda f: bool(f.is_Pow and f.exp.is_negative))
        constant = sympy.Mul(*(f for f in expr.args if not f.has(var)))
        lead = [] if constant == 1 else [constant]
        terms = [
            sympy.Mul(
                *lead, *(_d(f, var) if j == i else f for j, f in enumerate(factors)), evaluate=False
            )  # fmt: skip
            for i in range(len(factors))
        ]
        parts = tuple(zip(names, factors, strict=False))
        return parts, S.Form(expr=sympy.Add(*terms, evaluate=False), why="formula"), (), None
    if rule == "quotient":
        top, bottom = sympy.fraction(sympy.together(expr))
        if not bottom.has(var):
            return "hint.not.quotient"
        quotient = sympy.Mul(
            sympy.Add(sympy.Mul(_d(top, var), bottom, evaluate=False),
                      sympy.Mul(-1, top, _d(bottom, var), evaluate=False), evaluate=False),
            sympy.Pow(bottom**2, -1, evaluate=False), evaluate=False,
        )  # fmt: skip
        return (("f", top), ("g", bottom)), S.Form(expr=quotient, why="formula"), (), None
    if rule == "chain":
        inner = _inner(expr, var)
        if inner is None:
            return "hint.not.chain"
        u = _fresh(expr)
        outer = expr.xreplace({inner: u})
        form = S.Form(expr=S.Times(_d(outer, u), _d(inner, var)), why="formula",
                      where=((u, inner),))  # fmt: skip
        return (), form, ((u, inner),), outer
    if rule == "power":
        if not (expr.is_Pow and expr.base == var and not expr.exp.has(var)):
            return "hint.not.power"
        n = expr.exp
        lowered = sympy.Pow(var, sympy.Add(n, -1, evaluate=False), evaluate=False)
        return (), S.Form(expr=sympy.Mul(n, lowered, evaluate=False), why="formula"), (), None
    if rule == "constant_multiple":
        coeff, other = expr.as_independent(var, as_Add=False)
        if not expr.is_Mul or coeff == 1 or not other.has(var):
            return "hint.not.constant_multiple"
        form = sympy.Mul(coeff, _d(other, var), evaluate=False)
        return (("c", coeff), ("f", other)), S.Form(expr=form, why="formula"), (), None
    # general_power: x in both the base and the exponent
    if not (expr.is_Pow and expr.base.has(var) and expr.exp.has(var)):
        return "hint.not.general_power"
    f, g = expr.base, expr.exp
    with sympy.core.parameters.evaluate(False):  # f^g·(g'·ln f + g·f'/f), as built
        form = expr * (_d(g, var) * sympy.log(f) + g * _d(f, var) * f**-1)
    return (("f", f), ("g", g)), S.Form(expr=form, why="formula"), (), None


def _inner(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr | None:
    """The inner function of a composition (x² in sin x², 3x² + 1 in (3x² + 1)⁵), or None
    when the function is applied to var itself."""
    if expr.is_Pow:
        base, exponent = expr.args
        if not exponent.has(var) and base.has(var) and base != var:
            return base
        if not base.has(var) and exponent.has(var) and exponent != var:
            return exponent
        return None
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        (arg,) = expr.args
        return arg if arg.has(var) and arg != var else None
    return None


def _fresh(expr: sympy.Expr) -> sympy.Symbol:
    taken = {str(s) for s in expr.free_symbols}
    return next(sympy.Symbol(n, real=True) for n in ("u", "v", "w", "p", "q") if n not in taken)
