"""The stepper: walk an expression node by node and build the step a textbook writes for each.

Rules are methods named after SymPy classes (`_Pow`, `_TrigonometricFunction`, …), found by walking
the class's MRO, as SymPy's printers do; a class with no rule is an error, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.parameters import evaluate

from chainrule_cli.calculus import steps as S
from chainrule_cli.errors import UnsupportedError
from chainrule_cli.functions import sigmoid
from chainrule_cli.parse.names import EVAL_HEIGHT
from chainrule_cli.walk import bottom_up

# Names for intermediates, in the order a teacher picks them.
INTERMEDIATE_NAMES = ("u", "v", "w", "p", "q", "r", "s", "t", "z")

_TRIG = {
    "sin": lambda u: sympy.cos(u),
    "cos": lambda u: -sympy.sin(u),
    "tan": lambda u: sympy.sec(u) ** 2,
    "cot": lambda u: -(sympy.csc(u) ** 2),
    "sec": lambda u: sympy.sec(u) * sympy.tan(u),
    "csc": lambda u: -sympy.csc(u) * sympy.cot(u),
}
_INVERSE_TRIG = {
    "asin": lambda u: 1 / sympy.sqrt(1 - u**2),
    "acos": lambda u: -1 / sympy.sqrt(1 - u**2),
    "atan": lambda u: 1 / (1 + u**2),
    "acot": lambda u: -1 / (1 + u**2),
    "asec": lambda u: 1 / (sympy.Abs(u) * sympy.sqrt(u**2 - 1)),
    "acsc": lambda u: -1 / (sympy.Abs(u) * sympy.sqrt(u**2 - 1)),
}
_HYPERBOLIC = {
    "sinh": lambda u: sympy.cosh(u),
    "cosh": lambda u: sympy.sinh(u),
    "tanh": lambda u: sympy.sech(u) ** 2,
    "coth": lambda u: -(sympy.csch(u) ** 2),
    "sech": lambda u: -sympy.sech(u) * sympy.tanh(u),
    "csch": lambda u: -sympy.csch(u) * sympy.coth(u),
}
_INVERSE_HYPERBOLIC = {
    "asinh": lambda u: 1 / sympy.sqrt(u**2 + 1),
    "acosh": lambda u: 1 / sympy.sqrt(u**2 - 1),
    "atanh": lambda u: 1 / (1 - u**2),
    "acoth": lambda u: 1 / (1 - u**2),
    "asech": lambda u: -1 / (u * sympy.sqrt(1 - u**2)),
    "acsch": lambda u: -1 / (sympy.Abs(u) * sympy.sqrt(1 + u**2)),
}


def _name_sequence():
    yield from INTERMEDIATE_NAMES
    n = 1
    while True:
        yield f"u_{n}"
        n += 1


class Stepper:
    """Builds the step tree of one derivation. One instance per derivation (it holds the memo)."""

    def __init__(self, expr: sympy.Expr, detail: str = "full") -> None:
        if detail not in ("full", "normal", "brief"):
            raise ValueError("detail must be 'full', 'normal' or 'brief'")
        self.detail = detail
        self.memo: dict[tuple[sympy.Expr, sympy.Symbol], S.Step] = {}
        self.taken = {str(s) for s in expr.free_symbols} | {
            str(f.func) for f in expr.atoms(AppliedUndef)
        }
        self.names = _name_sequence()
        self.heights = expression_heights(expr)

    # ---- helpers ---------------------------------------------------------------------------
    def fresh(self) -> sympy.Symbol:
        """A name not used by the expression or by any other level of this derivation."""
        for name in self.names:
            if name not in self.taken:
                self.taken.add(name)
                return sympy.Symbol(name, real=True)
        raise AssertionError("unreachable: the name sequence is infinite")

    def tall(self, expr: sympy.Expr) -> bool:
        return self.heights.get(expr, 0) >= EVAL_HEIGHT

    def build(self, make: Callable[[], sympy.Expr], *parts: sympy.Expr) -> sympy.Expr:
        """Build a result, without SymPy's automatic evaluation when a part is very deep."""
        if any(self.tall(p) for p in parts):
            with evaluate(False):
                return make()
        return make()

    # ---- the dispatcher --------------------------------------------------------------------
    def step(self, expr: sympy.Expr, var: sympy.Symbol) -> S.Step:
        if not expr.has(var):
            return S.ConstantStep(expr=expr, var=var, result=sympy.S.Zero)
        if expr == var:
            return S.VariableStep(expr=expr, var=var, result=sympy.S.One)
        key = (expr, var)
        done = self.memo.get(key)
        if done is not None:
            return S.RepeatStep(expr=expr, var=var, result=done.result, original=done)
        # A function the user declared (--function log) is an unknown function, whatever its
        # name: its class is named log too, so the search starts above the name, at AppliedUndef
        # (the cut SymPy's printers make).
        classes = type(expr).__mro__
        if isinstance(expr, AppliedUndef):
            classes = classes[classes.index(AppliedUndef) :]
        for cls in classes:
            rule = getattr(self, f"_{cls.__name__}", None)
            if rule is not None:
                break
        else:
            raise UnsupportedError(f"no differentiation rule for {type(expr).__name__}: {expr}")
        result = rule(expr, var)
        self.memo[key] = result
        return result

    # ---- composition -----------------------------------------------------------------------
    def chain(
        self,
        expr: sympy.Expr,
        var: sympy.Symbol,
        inner: sympy.Expr,
        outer_of: Callable[[sympy.Symbol], sympy.Expr],
    ) -> S.Step:
        """y = F(inner): let u = inner, then dy/dx = dy/du · du/dx."""
        u = self.fresh()
        outer_expr = outer_of(u)
        outer = self.step(outer_expr, u)
        inner_step = self.step(inner, var)
        if self.detail == "brief" and not inner_step.result.has(var) and inner_step.substeps:
            # d(3x + 1)/dx = 3 needs no working in brief mode
            inner_step = inner_step.replace(substeps=())
        if outer.result.has(sympy.Derivative):
            # f'(u) at u = g(x): SymPy's Subs keeps Derivative(f(u), u) meaningful
            back = outer.result.subs(u, inner)
        else:
            back = self.build(lambda: outer.result.xreplace({u: inner}), inner)
        result = self.build(lambda: S.ChainStep.combine(back, inner_step.result), inner)
        return S.ChainStep(
            expr=expr,
            var=var,
            result=result,
            substeps=(outer, inner_step),
            intermediate=u,
            inner=inner,
            outer=outer_expr,
        )

    def unary(self, expr: sympy.Expr, var: sympy.Symbol, primitive) -> S.Step:
        arg = expr.args[0]
        if arg == var:
            return primitive(expr, var)
        func = expr.func
        return self.chain(expr, var, arg, lambda u: func(u))

    def by_arguments(self, expr: sympy.Expr, var: sympy.Symbol, primitive, rule_cls=None):
        """F(a₁, …, aₙ): the chain rule through the one argument that depends on x, or a sum
        over the arguments when several do."""
        args = expr.args
        moving = [i for i, a in enumerate(args) if a.has(var)]
        if len(moving) == 1:
            i = moving[0]
            if args[i] == var:
                return primitive(expr, var, i)
            func = expr.func

            def outer(u, i=i):
                return func(*args[:i], u, *args[i + 1 :])

            return self.chain(expr, var, args[i], outer)
        subs = tuple(self.step(args[i], var) for i in moving)
        partials = tuple(expr.fdiff(i + 1) for i in moving)
        result = sympy.Add(*(p * s.result for p, s in zip(partials, subs, strict=True)))
        cls = rule_cls or S.MultivariableChainStep
        if cls is S.MultivariableChainStep:
            return cls(expr=expr, var=var, result=result, substeps=subs, partials=partials)
        return cls(expr=expr, var=var, result=result, substeps=subs, function=_fname(expr))

    # ---- rules -----------------------------------------------------------------------------
    def _Add(self, expr, var):
        subs = tuple(self.step(term, var) for term in expr.args)
        result = self.build(lambda: S.SumStep.combine(*(s.result for s in subs)), *expr.args)
        return S.SumStep(expr=expr, var=var, result=result, substeps=subs)

    def _Mul(self, expr, var):
        const = [f for f in expr.args if not f.has(var)]
        moving = [f for f in expr.args if f.has(var)]
        if const:
            c = sympy.Mul(*const)
            rest = sympy.Mul(*moving)
            sub = self.step(rest, var)
            result = self.build(lambda: S.ConstantMultipleStep.combine(c, sub.result), rest)
            return S.ConstantMultipleStep(
                expr=expr, var=var, result=result, substeps=(sub,), constant=c, other=rest
            )
        numer = [f for f in moving if not _is_reciprocal(f)]
        denom = [sympy.Pow(f.base, -f.exp) for f in moving if _is_reciprocal(f)]
        if numer and denom:
            n, d = sympy.Mul(*numer), sympy.Mul(*denom)
            dn, dd = self.step(n, var), self.step(d, var)
            result = self.build(lambda: S.QuotientStep.combine(n, d, dn.result, dd.result), n, d)
            if not self.tall(expr):
                result = _numerator_expanded(n, d, dn.result, dd.result, var) or result
            return S.QuotientStep(
                expr=expr, var=var, result=result, substeps=(dn, dd), numerator=n, denominator=d
            )
        factors = tuple(moving)
        subs = tuple(self.step(f, var) for f in factors)
        result = self.build(
            lambda: S.ProductStep.combine(factors, [s.result for s in subs]), *factors
        )
        return S.ProductStep(expr=expr, var=var, result=result, substeps=subs, factors=factors)

    def _Pow(self, expr, var):
        base, exponent = expr.args
        if not exponent.has(var):
            arg = _sigmoid_argument(expr)
            if arg is not None:
                return self.sigmoid_rewrite(expr, var, arg)
            if base == var:
                result = self.build(lambda: exponent * base ** (exponent - 1), base)
                return S.PowerStep(expr=expr, var=var, result=result, base=base, exponent=exponent)
            return self.chain(expr, var, base, lambda u: u**exponent)
        if not base.has(var):
            if base.is_zero:
                raise UnsupportedError(
                    f"{expr} is 0 for positive exponents and undefined "
                    "otherwise; it has no derivative to work out"
                )
            if exponent == var:
                return S.ExponentialStep(
                    expr=expr, var=var, result=expr * sympy.log(base), base=base
                )
            return self.chain(expr, var, exponent, lambda u: base**u)
        d_exp, d_base = self.step(exponent, var), self.step(base, var)
        result = self.build(
            lambda: S.GeneralPowerStep.combine(expr, base, exponent, d_base.result, d_exp.result),
            base,
            exponent,
        )
        return S.GeneralPowerStep(
            expr=expr,
            var=var,
            result=result,
            substeps=(d_exp, d_base),
            base=base,
            exponent=exponent,
        )

    def sigmoid_rewrite(self, expr, var, arg):
        """1/(1 + e^(−u)) is σ(u): the article's dy/du = y(1 − y)."""
        if arg != var:
            return self.chain(expr, var, arg, lambda u: 1 / (1 + sympy.exp(-u)))
        inner = self.step(sigmoid(var), var)
        result = expr * (1 - expr)
        return S.RewriteStep(
            expr=expr,
            var=var,
            result=result,
            substeps=(inner,),
            rewritten=sigmoid(var),
            why="sigmoid",
        )

    def _exp(self, expr, var):
        def primitive(e, v):
            return S.ExponentialStep(expr=e, var=v, result=e, base=sympy.E)

        return self.unary(expr, var, primitive)

    def _log(self, expr, var):
        def primitive(e, v):
            return S.LogarithmStep(expr=e, var=v, result=1 / v)

        return self.unary(expr, var, primitive)

    def _table(self, expr, var, table, cls):
        name = _fname(expr)
        formula = table[name]

        def primitive(e, v):
            return cls(expr=e, var=v, result=formula(v), function=name)

        return self.unary(expr, var, primitive)

    def _TrigonometricFunction(self, expr, var):
        return self._table(expr, var, _TRIG, S.TrigStep)

    def _InverseTrigonometricFunction(self, expr, var):
        if len(expr.args) != 1:
            return self._Function(expr, var)
        return self._table(expr, var, _INVERSE_TRIG, S.InverseTrigStep)

    def _HyperbolicFunction(self, expr, var):
        return self._table(expr, var, _HYPERBOLIC, S.HyperbolicStep)

    def _InverseHyperbolicFunction(self, expr, var):
        return self._table(expr, var, _INVERSE_HYPERBOLIC, S.InverseHyperbolicStep)

    def _Abs(self, expr, var):
        def primitive(e, v):
            return S.AbsStep(expr=e, var=v, result=sympy.sign(v))

        return self.unary(expr, var, primitive)

    def _piecewise_primitive(self, expr, var, i):
        return S.PiecewiseStep(expr=expr, var=var, result=expr.fdiff(i + 1), function=_fname(expr))

    def _MinMaxBase(self, expr, var):
        return self.by_arguments(expr, var, self._piecewise_primitive, S.PiecewiseStep)

    def _sign(self, expr, var):
        # sign(u) = 2H(u) − 1, so sign'(u) = 2δ(u) (SymPy's fdiff leaves sign' unevaluated)
        def primitive(e, v):
            return S.PiecewiseStep(expr=e, var=v, result=2 * sympy.DiracDelta(v), function="sign")

        return self.unary(expr, var, primitive)

    def _Heaviside(self, expr, var):
        return self.by_arguments(expr, var, self._piecewise_primitive, S.PiecewiseStep)

    def _Piecewise(self, expr, var):
        pieces = [(e, c) for e, c in expr.args]
        subs = tuple(self.step(e, var) for e, _ in pieces)
        result = sympy.Piecewise(*((s.result, c) for s, (_, c) in zip(subs, pieces, strict=True)))
        return S.PiecewiseStep(
            expr=expr, var=var, result=result, substeps=subs, function="Piecewise"
        )

    def _sigmoid(self, expr, var):
        def primitive(e, v):
            return S.SpecialStep(expr=e, var=v, result=e * (1 - e), function="sigmoid")

        return self.unary(expr, var, primitive)

    def _special_primitive(self, expr, var, i):
        return S.SpecialStep(expr=expr, var=var, result=expr.fdiff(i + 1), function=_fname(expr))

    def _AppliedUndef(self, expr, var):
        def primitive(e, v, i):
            return S.FunctionStep(expr=e, var=v, result=sympy.diff(e, v), function=_fname(e))

        return self.by_arguments(expr, var, primitive)

    def _Derivative(self, expr, var):
        # d/dx f'(x) = f''(x): the unknown function's next derivative
        return S.FunctionStep(
            expr=expr, var=var, result=sympy.diff(expr, var), function=_fname(expr.expr)
        )

    _Subs = _Derivative

    def _Function(self, expr, var):
        # erf, gamma, sign, Bessel functions, …: their own derivative, through SymPy's fdiff
        return self.by_arguments(expr, var, self._special_primitive)


def _fname(expr) -> str:
    return str(expr.func) if isinstance(expr, AppliedUndef) else type(expr).__name__


def _is_reciprocal(factor: sympy.Expr) -> bool:
    return factor.is_Pow and factor.exp.is_number and factor.exp.is_negative


def _sigmoid_argument(expr: sympy.Expr) -> sympy.Expr | None:
    """u when expr is 1/(1 + e^(−u)), else None."""
    base, exponent = expr.args
    if exponent != -1 or not base.is_Add or len(base.args) != 2:
        return None
    one, other = sorted(base.args, key=lambda a: not a.is_Number)
    if one != 1 or not isinstance(other, sympy.exp):
        return None
    return -other.args[0]


def expression_heights(expr: sympy.Expr) -> dict[sympy.Expr, int]:
    """Height of every sub-expression, computed once without recursion."""
    heights: dict[sympy.Expr, int] = {}
    bottom_up(expr, heights, lambda node, below: 1 + max(below, default=0))
    return heights


def _numerator_expanded(n, d, dn, dd, var) -> sympy.Expr | None:
    """(f'g − fg')/g² with a polynomial numerator expanded, as a textbook prints the quotient
    rule's answer: (x² − 2x − 1)/(x − 1)², not (−x² + 2x·(x − 1) − 1)/(x − 1)²; None when the
    numerator is not a small polynomial in var."""
    top = dn * d - n * dd
    if sympy.count_ops(top) > 40 or any(  # (x + 1)^2000 would be expanded, for seconds
        p.exp.is_Integer and abs(p.exp) > 6 for p in top.atoms(sympy.Pow)
    ):
        return None
    if not top.is_polynomial(var):
        return None
    expanded = sympy.expand(top)
    if len(sympy.Add.make_args(expanded)) > 6:
        return None
    return expanded / d**2
