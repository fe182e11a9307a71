"""The step model: one immutable class per rule of differentiation; its docstring is the rule.

Every step keeps the invariant diff(step.expr, step.var, step.order) == step.result.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """d/dx expr = result."""

    rule = "step"
    expr: sympy.Expr
    var: sympy.Symbol
    result: sympy.Expr
    substeps: tuple[Step, ...] = ()
    order: int = 1

    def walk(self) -> Iterator[Step]:
        """Every step of the tree in pre-order (the numbering people read), without recursion."""
        stack: list[Step] = [self]
        while stack:
            step = stack.pop()
            yield step
            stack.extend(reversed(step.substeps))


@dataclass(frozen=True, slots=True, kw_only=True)
class ConstantStep(Step):
    """d/dx c = 0, for any c that does not depend on x."""

    rule = "constant"


@dataclass(frozen=True, slots=True, kw_only=True)
class VariableStep(Step):
    """d/dx x = 1."""

    rule = "variable"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConstantMultipleStep(Step):
    """d/dx (c·f) = c·f'."""

    rule = "constant_multiple"
    constant: sympy.Expr
    other: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class SumStep(Step):
    """d/dx (f + g + …) = f' + g' + …."""

    rule = "sum"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductStep(Step):
    """d/dx (f·g·h…) = f'·g·h… + f·g'·h… + f·g·h'… (one term per factor)."""

    rule = "product"
    factors: tuple[sympy.Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotientStep(Step):
    """d/dx (f/g) = (f'·g − f·g') / g²."""

    rule = "quotient"
    numerator: sympy.Expr
    denominator: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class PowerStep(Step):
    """d/dx xⁿ = n·xⁿ⁻¹, for a constant n (roots: n = 1/2, 1/3, …; 1/x: n = −1)."""

    rule = "power"
    base: sympy.Expr
    exponent: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class ExponentialStep(Step):
    """d/dx eˣ = eˣ;  d/dx aˣ = aˣ·ln a."""

    rule = "exponential"
    base: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class LogarithmStep(Step):
    """d/dx ln x = 1/x."""

    rule = "logarithm"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrigStep(Step):
    """sin' = cos, cos' = −sin, tan' = sec², cot' = −csc², sec' = sec·tan, csc' = −csc·cot."""

    rule = "trig"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InverseTrigStep(Step):
    """asin' = 1/√(1−x²), acos' = −1/√(1−x²), atan' = 1/(1+x²), acot' = −1/(1+x²),
    asec' = 1/(|x|·√(x²−1)), acsc' = −1/(|x|·√(x²−1))."""

    rule = "inverse_trig"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HyperbolicStep(Step):
    """sinh' = cosh, cosh' = sinh, tanh' = sech², coth' = −csch², sech' = −sech·tanh,
    csch' = −csch·coth."""

    rule = "hyperbolic"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InverseHyperbolicStep(Step):
    """asinh' = 1/√(x²+1), acosh' = 1/√(x²−1), atanh' = acoth' = 1/(1−x²),
    asech' = −1/(x·√(1−x²)), acsch' = −1/(|x|·√(1+x²))."""

    rule = "inverse_hyperbolic"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AbsStep(Step):
    """d/dx |x| = sign(x), for x ≠ 0 (|x| has no derivative at 0)."""

    rule = "abs"


@dataclass(frozen=True, slots=True, kw_only=True)
class PiecewiseStep(Step):
    """Differentiate each piece: max(f, g)' = f'·H(f − g) + g'·H(g − f), H' = δ, and
    (piecewise f_i on c_i)' = piecewise f_i' on c_i. At a tie or a boundary the derivative may
    not exist; H(0) = 1/2 there (SymPy's convention: the mean of the one-sided slopes)."""

    rule = "piecewise"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecialStep(Step):
    """A special function's own derivative: erf'(x) = 2/√π·e^(−x²), σ'(x) = σ(x)(1 − σ(x)), …."""

    rule = "special"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralPowerStep(Step):
    """d/dx f^g = f^g·(g'·ln f + g·f'/f), by logarithmic differentiation (ln y = g·ln f)."""

    rule = "general_power"
    base: sympy.Expr
    exponent: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionStep(Step):
    """d/dx f(x) = f'(x), for an unknown function f."""

    rule = "function"
    function: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainStep(Step):
    """dy/dx = dy/du · du/dx, with u the inner function: (f∘g)' = f'(g(x))·g'(x).

    substeps = (outer: d/du of `outer`, inner: d/dx of `inner`).
    """

    rule = "chain"
    intermediate: sympy.Symbol
    inner: sympy.Expr
    outer: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class MultivariableChainStep(Step):
    """d/dx F(a₁, …, aₙ) = Σ ∂F/∂aᵢ · daᵢ/dx: one term per argument that depends on x."""

    rule = "multivariable_chain"
    partials: tuple[sympy.Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RewriteStep(Step):
    """Write the expression in another, equal form and differentiate that: f = g ⇒ f' = g'."""

    rule = "rewrite"
    rewritten: sympy.Expr
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatStep(Step):
    """The same derivative was already worked out: see that step."""

    rule = "repeat"
    original: Step = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class HigherOrderStep(Step):
    """dⁿy/dxⁿ = d/dx (dⁿ⁻¹y/dxⁿ⁻¹): one derivation per order, each on the last result."""

    rule = "higher_order"


STEP_CLASSES: tuple[type[Step], ...] = (
    ConstantStep, VariableStep, ConstantMultipleStep, SumStep, ProductStep, QuotientStep,
    PowerStep, ExponentialStep, LogarithmStep, TrigStep, InverseTrigStep, HyperbolicStep,
    InverseHyperbolicStep, AbsStep, PiecewiseStep, SpecialStep, GeneralPowerStep, FunctionStep,
    ChainStep, MultivariableChainStep, RewriteStep, RepeatStep, HigherOrderStep,
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Rewrite:
    """One simplification applied to the final result."""

    before: sympy.Expr
    after: sympy.Expr
    why: str  # a key: `factor_terms` or `one_fraction` (the catalog has the sentence)


@dataclass(frozen=True, slots=True, kw_only=True)
class InTermsOf:
    """The derivative written through the function's own value: σ' = y(1 − y) with y = σ."""

    name: sympy.Symbol
    result: sympy.Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Derivation:
    """A worked derivative: the step tree, the rewrites after it and the final answer."""

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

    @property
    def steps(self) -> list[Step]:
        return list(self.root.walk())
