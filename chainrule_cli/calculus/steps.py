"""The step model: one immutable class per rule of differentiation; its docstring is the rule.

Every step keeps the invariant diff(step.expr, step.var, step.order) == step.result.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import sympy


def _repr(value: Any) -> str:
    """repr(value); SymPy's repr of a 1,000-deep expression recurses past Python's limit."""
    try:
        return repr(value)
    except RecursionError:
        return f"<{type(value).__name__} too deep to print>"


class Record:
    """An immutable value built from keywords, compared and hashed by its fields.

    Fields are the class's annotations, inherited ones first; a field's default is the class
    attribute of the same name. This replaces frozen dataclasses, which generate six functions
    per class from generated source and made importing the classes here (27 of them then) cost
    ~35 ms of every run (measured with python -X importtime); a Record class costs nothing to
    define.
    """

    fields: ClassVar[tuple[str, ...]] = ()
    uncompared: ClassVar[frozenset[str]] = frozenset()  # fields left out of ==, hash and repr

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [
            name
            for name, kind in cls.__dict__.get("__annotations__", {}).items()
            if not str(kind).startswith("ClassVar")
        ]
        cls.fields = cls.fields + tuple(n for n in own if n not in cls.fields)

    def __init__(self, **values: Any) -> None:
        cls = type(self)
        unknown = values.keys() - set(cls.fields)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        for name in cls.fields:
            if name in values:
                value = values[name]
            elif hasattr(cls, name):
                value = getattr(cls, name)
            else:
                raise TypeError(f"{cls.__name__} needs {name}")
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; use .replace()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _key(self) -> tuple:
        return tuple(getattr(self, n) for n in self.fields if n not in self.uncompared)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self._key()))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{n}={_repr(getattr(self, n))}" for n in self.fields if n not in self.uncompared
        )
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes: Any):
        """A copy with some fields changed."""
        values = {n: getattr(self, n) for n in self.fields}
        values.update(changes)
        return type(self)(**values)


class Form(Record):
    """One line of a step worked out on its expression: the rule's formula instantiated
    ((x²)'·sin x + x²·(sin x)', with unevaluated Derivatives), or the middle form with the
    sub-results put in (2x·sin x + x²·cos x). Built unevaluated, in the formula's order; each
    equals the step's result (`.expr.doit()`)."""

    expr: sympy.Expr
    why: str  # "formula" | "middle" | "put_back": a catalog key (why.formula, …)
    # names the form still uses, with what they stand for: the chain rule's product is first
    # written through its intermediate (5u⁴·6x, u = 3x² + 1), then with u put back
    where: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()

    def value(self) -> sympy.Expr:
        """What the form says, evaluated and in the step's own variables: the step's result."""
        expr = _put_back(self.expr, dict(self.where)) if self.where else self.expr
        return expr.doit()


def _put_back(expr: sympy.Expr, names: dict) -> sympy.Expr:
    """expr with the names replaced by what they stand for; f'(u) at u = x² stays a
    derivative at a point (Subs), where a plain replacement would differentiate by x²."""
    if expr.has(sympy.Derivative, sympy.Subs):
        return expr.subs(names)
    # evaluated: e^(−u) at u = wx + b is e^(−wx − b); unevaluated, −1·(wx + b) would print
    # without its brackets in MathML (e^(−wx+b), a different number)
    return expr.xreplace(names)


class Times(sympy.Function):
    """a·b as a teacher writes the chain rule's product, each factor whole:
    dy/du · du/dx = 1/(u² + 1)·2x (a Mul would print 2x/(u² + 1)). Only in worked forms;
    doit() is the product."""

    def doit(self, deep: bool = True, **hints):
        return sympy.Mul(*(a.doit(deep=deep, **hints) if deep else a for a in self.args))

    def _sympystr(self, printer) -> str:
        from sympy.printing.precedence import PRECEDENCE

        return "*".join(printer.parenthesize(a, PRECEDENCE["Mul"]) for a in self.args)


def _d(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    return sympy.Derivative(expr, var)


def _sum(*terms: sympy.Expr) -> sympy.Expr:
    return sympy.Add(*terms, evaluate=False)


def _product(*factors: sympy.Expr) -> sympy.Expr:
    return sympy.Mul(*factors, evaluate=False)


# The names a rule gives its parts, as a textbook writes the formula: f, g, h, …
PART_NAMES = ("f", "g", "h", "k", "p", "q", "r", "s")


class Step(Record):
    """d/dx expr = result."""

    rule = "step"
    expr: sympy.Expr
    var: sympy.Symbol
    result: sympy.Expr
    substeps: tuple[Step, ...] = ()
    order: int = 1

    def parts(self, order: tuple | None = None) -> tuple[tuple[str, sympy.Expr], ...]:
        """The rule's parts named as its formula names them: (("f", x²), ("g", sin x)); `order`
        as for worked()."""
        return ()

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        """The rule's formula on this expression, then with the sub-results put in: what a
        teacher writes between the rule and the result. Empty where the rule is one fact.
        `order`: the terms or factors in the order the student typed them, if known."""
        return ()

    def walk(self) -> Iterator[Step]:
        """Every step of the tree in pre-order (the numbering people read), without recursion."""
        stack: list[Step] = [self]
        while stack:
            step = stack.pop()
            yield step
            stack.extend(reversed(step.substeps))


class ConstantStep(Step):
    """d/dx c = 0, for any c that does not depend on x."""

    rule = "constant"


class VariableStep(Step):
    """d/dx x = 1."""

    rule = "variable"


class ConstantMultipleStep(Step):
    """d/dx (c·f) = c·f'."""

    rule = "constant_multiple"
    constant: sympy.Expr
    other: sympy.Expr

    @staticmethod
    def combine(constant, derivative):
        """The rule on its parts, symbols (the stepper) or numbers (the verifier) alike."""
        return constant * derivative

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        if len(self.substeps) != 1 or self.other == self.var:
            return ()  # folded (--detail brief), or c·x: c·x' = c·1 = c says nothing
        (sub,) = self.substeps
        return (
            Form(expr=_product(self.constant, _d(self.other, self.var)), why="formula"),
            Form(expr=_product(self.constant, sub.result), why="middle"),
        )


class SumStep(Step):
    """d/dx (f + g + …) = f' + g' + …."""

    rule = "sum"

    @staticmethod
    def combine(*derivatives):
        return sympy.Add(*derivatives)

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        by_term = {s.expr: s for s in self.substeps}
        if len(by_term) != len(self.substeps) or len(by_term) != len(self.expr.args):
            return ()  # folded (--detail brief)
        terms = order if order is not None else self.expr.as_ordered_terms()
        ordered = [by_term[t] for t in terms if t in by_term]
        if len(ordered) != len(self.substeps):
            ordered = list(self.substeps)  # the terms as printed: x^2 + 1, not 1 + x^2
        return (
            Form(expr=_sum(*(_d(s.expr, self.var) for s in ordered)), why="formula"),
            Form(expr=_sum(*(s.result for s in ordered)), why="middle"),
        )


class ProductStep(Step):
    """d/dx (f·g·h…) = f'·g·h… + f·g'·h… + f·g·h'… (one term per factor)."""

    rule = "product"
    factors: tuple[sympy.Expr, ...]

    @staticmethod
    def combine(factors, derivatives):
        """One term per factor: the others, then that factor's derivative."""
        return sympy.Add(*(
            sympy.Mul(*factors[:i], *factors[i + 1 :], d) for i, d in enumerate(derivatives)
        ))  # fmt: skip

    def parts(self, order: tuple | None = None) -> tuple[tuple[str, sympy.Expr], ...]:
        if len(self.factors) > len(PART_NAMES):
            return ()
        factors = self.factors
        if order is not None and sorted(order, key=str) == sorted(factors, key=str):
            factors = tuple(order)
        return tuple(zip(PART_NAMES, factors, strict=False))

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        if len(self.substeps) != len(self.factors):
            return ()
        factors, subs = self.factors, self.substeps
        if order is not None and sorted(order, key=str) == sorted(factors, key=str):
            by_factor = dict(zip(factors, subs, strict=True))
            factors, subs = tuple(order), tuple(by_factor[f] for f in order)

        def terms(derivatives):
            return _sum(*(
                _product(*(derivatives[i] if j == i else f for j, f in enumerate(factors)))
                for i in range(len(factors))
            ))  # fmt: skip

        formula = terms([_d(f, self.var) for f in factors])
        return (
            Form(expr=formula, why="formula"),
            Form(expr=terms([s.result for s in subs]), why="middle"),
        )


class QuotientStep(Step):
    """d/dx (f/g) = (f'·g − f·g') / g²."""

    rule = "quotient"
    numerator: sympy.Expr
    denominator: sympy.Expr

    @staticmethod
    def combine(f, g, df, dg):
        return (df * g - f * dg) / g**2

    def parts(self, order: tuple | None = None) -> tuple[tuple[str, sympy.Expr], ...]:
        return (("f", self.numerator), ("g", self.denominator))

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        f, g = self.numerator, self.denominator

        def quotient(df, dg, ones=True):
            # the middle form drops a factor 1: (2x·(x − 1) − (x² + 1))/(x − 1)²
            left = g if df == 1 and not ones else _product(df, g)
            right = _product(-1, f) if dg == 1 and not ones else _product(-1, f, dg)
            top = _sum(left, right)
            return _product(top, sympy.Pow(sympy.Pow(g, 2, evaluate=False), -1, evaluate=False))

        if len(self.substeps) != 2:
            return ()
        dn, dd = self.substeps
        return (
            Form(expr=quotient(_d(f, self.var), _d(g, self.var)), why="formula"),
            Form(expr=quotient(dn.result, dd.result, ones=False), why="middle"),
        )


class PowerStep(Step):
    """d/dx xⁿ = n·xⁿ⁻¹, for a constant n (roots: n = 1/2, 1/3, …; 1/x: n = −1)."""

    rule = "power"
    base: sympy.Expr
    exponent: sympy.Expr

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        n = self.exponent
        if not n.is_Rational or n in (0, 1):
            return ()
        # √u = u^(1/2): (1/2)·u^(1/2 − 1), the power rule seen to apply to a root too
        lowered = sympy.Pow(self.base, sympy.Add(n, -1, evaluate=False), evaluate=False)
        return (Form(expr=_product(n, lowered), why="formula"),)


class ExponentialStep(Step):
    """d/dx eˣ = eˣ;  d/dx aˣ = aˣ·ln a."""

    rule = "exponential"
    base: sympy.Expr


class LogarithmStep(Step):
    """d/dx ln x = 1/x."""

    rule = "logarithm"


class TrigStep(Step):
    """sin' = cos, cos' = −sin, tan' = sec², cot' = −csc², sec' = sec·tan, csc' = −csc·cot."""

    rule = "trig"
    function: str


class InverseTrigStep(Step):
    """asin' = 1/√(1−x²), acos' = −1/√(1−x²), atan' = 1/(1+x²), acot' = −1/(1+x²),
    asec' = 1/(|x|·√(x²−1)), acsc' = −1/(|x|·√(x²−1))."""

    rule = "inverse_trig"
    function: str


class HyperbolicStep(Step):
    """sinh' = cosh, cosh' = sinh, tanh' = sech², coth' = −csch², sech' = −sech·tanh,
    csch' = −csch·coth."""

    rule = "hyperbolic"
    function: str


class InverseHyperbolicStep(Step):
    """asinh' = 1/√(x²+1), acosh' = 1/√(x²−1), atanh' = acoth' = 1/(1−x²),
    asech' = −1/(x·√(1−x²)), acsch' = −1/(|x|·√(1+x²))."""

    rule = "inverse_hyperbolic"
    function: str


class AbsStep(Step):
    """d/dx |x| = sign(x), for x ≠ 0 (|x| has no derivative at 0)."""

    rule = "abs"


class PiecewiseStep(Step):
    """Differentiate each piece: max(f, g)' = f'·H(f − g) + g'·H(g − f), H' = δ, and
    (piecewise f_i on c_i)' = piecewise f_i' on c_i. At a tie or a boundary the derivative may
    not exist; H(0) = 1/2 there (SymPy's convention: the mean of the one-sided slopes)."""

    rule = "piecewise"
    function: str


class SpecialStep(Step):
    """A special function's own derivative: erf'(x) = 2/√π·e^(−x²), σ'(x) = σ(x)(1 − σ(x)), …."""

    rule = "special"
    function: str


class GeneralPowerStep(Step):
    """d/dx f^g = f^g·(g'·ln f + g·f'/f), by logarithmic differentiation (ln y = g·ln f)."""

    rule = "general_power"
    base: sympy.Expr
    exponent: sympy.Expr

    @staticmethod
    def combine(power, f, g, df, dg):
        """f^g·(g'·ln f + g·f'/f), with power = f^g."""
        return power * (dg * sympy.log(f) + g * df / f)

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        f, g, x = self.base, self.exponent, self.var

        def logarithmic(dg, df):
            over = _product(df, sympy.Pow(f, -1, evaluate=False))
            return _product(self.expr, _sum(_product(dg, sympy.log(f)), _product(g, over)))

        if len(self.substeps) != 2:
            return ()
        d_exp, d_base = self.substeps
        return (
            Form(expr=logarithmic(_d(g, x), _d(f, x)), why="formula"),
            Form(expr=logarithmic(d_exp.result, d_base.result), why="middle"),
        )


class FunctionStep(Step):
    """d/dx f(x) = f'(x), for an unknown function f."""

    rule = "function"
    function: str


class ChainStep(Step):
    """dy/dx = dy/du · du/dx, with u the inner function: (f∘g)' = f'(g(x))·g'(x).

    substeps = (outer: d/du of `outer`, inner: d/dx of `inner`).
    """

    rule = "chain"
    intermediate: sympy.Symbol
    inner: sympy.Expr
    outer: sympy.Expr

    @staticmethod
    def combine(outer_at_inner, inner_derivative):
        """dy/du at u = g(x), times du/dx."""
        return outer_at_inner * inner_derivative

    def worked(self, order: tuple | None = None) -> tuple[Form, ...]:
        """dy/du · du/dx with the two derivatives put in (5u⁴·6x), then u put back
        (5(3x² + 1)⁴·6x): the product a teacher writes before tidying it."""
        if len(self.substeps) != 2:
            return ()
        outer, inner = (s.result for s in self.substeps)
        u = self.intermediate
        back = _put_back(outer, {u: self.inner})
        forms = []
        if outer.has(u):
            forms.append(Form(expr=Times(outer, inner), why="middle", where=((u, self.inner),)))
        forms.append(Form(expr=Times(back, inner), why="put_back" if forms else "middle"))
        return tuple(forms)


class Path(Record):
    """One path z → a₁ → … → x through the named intermediates: its term of the chain rule is
    the product ∂z/∂a₁ · ∂a₁/∂a₂ · … · ∂aₖ/∂x of the factors' results."""

    via: tuple[sympy.Symbol, ...]  # the intermediates on the way (none: z depends on x itself)
    factors: tuple[Step, ...]
    product: sympy.Expr


class MultivariableChainStep(Step):
    """d/dx F(a₁, …, aₙ) = Σ ∂F/∂aᵢ · daᵢ/dx: one term per argument that depends on x.

    With named intermediates (--let u=…): dz/dx = Σ over the paths z → … → x of the product of
    the partial derivatives along the path; `expr` is z with the intermediates substituted,
    `written` is z as given, `substeps` are the distinct factors.
    """

    rule = "multivariable_chain"
    partials: tuple[sympy.Expr, ...]
    written: sympy.Expr | None = None
    lets: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    paths: tuple[Path, ...] = ()


class RewriteStep(Step):
    """Write the expression in another, equal form and differentiate that: f = g ⇒ f' = g'."""

    rule = "rewrite"
    rewritten: sympy.Expr
    why: str


class RepeatStep(Step):
    """The same derivative was already worked out: see that step."""

    rule = "repeat"
    uncompared = frozenset({"original"})
    original: Step


class ImplicitStep(Step):
    """F(x, y) = G(x, y) with y = y(x): d/dx F = d/dx G, each side by the chain rule
    (d/dx y² = 2y·y'), then solve the result, A + B·y' = 0, for y' = −A/B.

    `expr` is y(x) itself and `result` holds on the curve only: it equals −F_x/F_y
    (F = lhs − rhs), which is how it is checked. Order 1: substeps = (left side, right side);
    `left` and `right` are their derivatives, `rest` and `coefficient` are A and B. Order n > 1:
    substeps = (the step of order n − 1, d/dx of its result); `differentiated` is that
    derivative, in which y' is then replaced by the first derivative (`substituted`).
    """

    rule = "implicit"
    lhs: sympy.Expr  # the sides as written, y a plain variable
    rhs: sympy.Expr
    dependent: sympy.Symbol
    as_function: sympy.Expr  # y(x): how the steps write y
    left: sympy.Expr | None = None
    right: sympy.Expr | None = None
    rest: sympy.Expr | None = None
    coefficient: sympy.Expr | None = None
    solved: sympy.Expr | None = None  # −A/B as it comes, or the substituted form
    differentiated: sympy.Expr | None = None
    # the result made shorter with the equation itself (x² + y² → 25): equal on the curve
    on_curve: sympy.Expr | None = None

    def expected(self) -> sympy.Expr:
        """dⁿy/dxⁿ by the implicit function theorem, y a plain variable: y' = −F_x/F_y and
        y⁽ᵏ⁺¹⁾ = ∂y⁽ᵏ⁾/∂x + ∂y⁽ᵏ⁾/∂y · y'. What the step is checked against."""
        f, x, y = self.lhs - self.rhs, self.var, self.dependent
        first = -sympy.diff(f, x) / sympy.diff(f, y)
        current = first
        for _ in range(self.order - 1):
            current = sympy.diff(current, x) + sympy.diff(current, y) * first
        return current

    @property
    def plain_result(self) -> sympy.Expr:
        """The result with y(x) written y."""
        return self.result.xreplace({self.as_function: self.dependent})


class HigherOrderStep(Step):
    """dⁿy/dxⁿ = d/dx (dⁿ⁻¹y/dxⁿ⁻¹): one derivation per order, each on the last result."""

    rule = "higher_order"


STEP_CLASSES: tuple[type[Step], ...] = (
    ConstantStep, VariableStep, ConstantMultipleStep, SumStep, ProductStep, QuotientStep,
    PowerStep, ExponentialStep, LogarithmStep, TrigStep, InverseTrigStep, HyperbolicStep,
    InverseHyperbolicStep, AbsStep, PiecewiseStep, SpecialStep, GeneralPowerStep, FunctionStep,
    ChainStep, MultivariableChainStep, RewriteStep, RepeatStep, HigherOrderStep, ImplicitStep,
)  # fmt: skip


class Rewrite(Record):
    """One simplification applied to the final result."""

    before: sympy.Expr
    after: sympy.Expr
    why: str  # a key: `factor_terms` or `one_fraction` (the catalog has the sentence)


class InTermsOf(Record):
    """The derivative written through the function's own value: σ' = y(1 − y) with y = σ."""

    name: sympy.Symbol
    result: sympy.Expr


class Derivation(Record):
    """A worked derivative: the step tree, the rewrites after it and the final answer."""

    uncompared = frozenset({"typed"})

    expr: sympy.Expr
    var: sympy.Symbol
    order: int
    root: Step
    result: sympy.Expr  # the final answer, after `simplify`
    simplify: tuple[Rewrite, ...] = ()
    in_terms_of: InTermsOf | None = None
    verified: bool = False
    failures: tuple[Step, ...] = ()
    detail: str = "full"
    # as the student wrote it: y = …, f(x) = … (the value's name and declared variables)
    value: str | None = None
    arguments: tuple[sympy.Symbol, ...] = ()
    # implicit differentiation: the equation's sides and the variable that depends on var
    equation: tuple[sympy.Expr, sympy.Expr] | None = None
    dependent: sympy.Symbol | None = None
    # what the reader is told beside the steps: "absent" (VAR does not occur, so the
    # derivative is 0)
    notes: tuple[str, ...] = ()
    # sub-expressions as the student typed them ({b + w·x: w·x + b}), for the printers
    typed: dict | None = None

    @property
    def steps(self) -> list[Step]:
        return list(self.root.walk())


class Gradient(Record):
    """∇y = (∂y/∂x₁, …, ∂y/∂xₙ): one verified derivation per variable."""

    expr: sympy.Expr
    vars: tuple[sympy.Symbol, ...]
    partials: tuple[Derivation, ...]

    @property
    def vector(self) -> tuple[sympy.Expr, ...]:
        return tuple(d.result for d in self.partials)

    @property
    def verified(self) -> bool:
        return all(d.verified for d in self.partials)


class MatrixFactor(Record):
    """One factor of the Jacobian chain rule: ∂(of)/∂(wrt), each entry a derivation (None for
    the rows of a variable passed straight through, whose entries are 1 and 0)."""

    of: tuple[sympy.Expr, ...]
    wrt: tuple[sympy.Symbol, ...]
    matrix: sympy.Matrix
    entries: tuple[tuple[Derivation | None, ...], ...]


class Jacobian(Record):
    """J_f(x), one derivation per entry; with intermediates u also J_f(u) · J_u(x) = J_f(x)."""

    outputs: tuple[sympy.Expr, ...]  # in the original variables
    written: tuple[sympy.Expr, ...]  # as given (through the intermediates, if any)
    wrt: tuple[sympy.Symbol, ...]
    lets: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    entries: tuple[tuple[Derivation, ...], ...]
    factors: tuple[MatrixFactor, ...] = ()  # outermost first
    product_agrees: bool = True

    @property
    def matrix(self) -> sympy.Matrix:
        return sympy.Matrix([[d.result for d in row] for row in self.entries])

    @property
    def verified(self) -> bool:
        entries_ok = all(d.verified for row in self.entries for d in row)
        factors_ok = all(
            d is None or d.verified for f in self.factors for row in f.entries for d in row
        )
        return entries_ok and factors_ok and self.product_agrees
