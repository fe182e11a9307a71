"""The matrix chain rule, one line per primitive: its vector-Jacobian product (the style of
autograd's numpy_vjps.py). For y = f(a, b, …) and δ = ∂L/∂y (of y's shape), each VJP gives
∂L/∂a, ∂L/∂b, … (of their shapes), written through y's forward value where a course does
(σ′ = a ⊙ (1 − a)). `out` is the node's value as the derivation names it; `args` are its
operands, named likewise. A VJP returns None for an operand that is a constant.

Every line is verified entry by entry in calculus/expand.py: never trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.functions import sigmoid


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # the JSON `rule` of the step
    formula: tuple[str, ...]  # per operand, as a course writes it
    vjp: Callable  # (g, node, args, out) -> tuple of the operands' ∂L/∂


def _sum_to(g: A.Node, shape: A.Shape) -> A.Node:
    """g added up to a scalar operand's shape (a scalar broadcast over an array)."""
    if shape.scalar and not g.shape.scalar:
        return A.unary("sum", g)
    return g


def _ones_like(g: A.Node, shape: A.Shape) -> A.Node:
    """g (a scalar) spread over an array of the shape: g·𝟏."""
    if shape.scalar:
        return g
    return A.scale(g, A.Ones(shape))


def _matmul(g, node, args, out):
    a, b = args
    return (A.product(g, A.transpose(b)), A.product(A.transpose(a), g))


def _scale(g, node, args, out):
    c, a = args
    inner = A.Dot(g, a) if a.shape.vector else A.unary("sum", A.hadamard(g, a))
    if a.shape.scalar:
        inner = A.product(g, a)
    return (inner, A.scale(c, g))


def _hadamard(g, node, args, out):
    a, b = args
    return (_sum_to(A.hadamard(g, b), a.shape), _sum_to(A.hadamard(g, a), b.shape))


def _divide(g, node, args, out):
    a, b = args
    da = _sum_to(A.divide(g, b), a.shape)
    db = _sum_to(A.neg(A.divide(A.hadamard(g, a), A.power(b, 2))), b.shape)
    return (da, db)


def _power(g, node, args, out):
    (a,) = args
    k = node.k
    return (A.hadamard(g, A.scale(A.Const(k), A.power(a, k - 1))),)


# f′ through f's own value y (the article's σ′ = σ(1 − σ)), as a formula in S = y
THROUGH_VALUE = {
    "sigmoid": A.S * (1 - A.S),
    "tanh": 1 - A.S**2,
    "exp": A.S,
    "sqrt": 1 / (2 * A.S),
}


def derivative_formula(node: A.Apply) -> tuple[sympy.Expr, bool]:
    """f′ as a formula in S, and whether S stands for f's value (True) or its argument."""
    if node.name in THROUGH_VALUE and node.formula == _named(node.name):
        return THROUGH_VALUE[node.name], True
    return sympy.diff(node.formula, A.S), False


def _named(name: str) -> sympy.Expr:
    from chainrule_cli.parse.names import FUNCTIONS

    return FUNCTIONS[name].build(A.S) if name != "sigmoid" else sigmoid(A.S)


def _apply(g, node, args, out):
    (a,) = args
    if node.formula == sympy.log(A.S):  # δ ⊙ (1/z), written δ / z
        return (A.divide(g, a),)
    if node.name == "softplus":  # softplus′ = σ
        return (A.hadamard(g, A.apply(sigmoid(A.S), a, "sigmoid")),)
    formula, through_value = derivative_formula(node)
    slope = _formula_of(formula, out if through_value else a)
    return (A.hadamard(g, slope),)


def _formula_of(formula: sympy.Expr, arg: A.Node) -> A.Node:
    """The formula in S applied entry by entry to arg, as array nodes where it is a polynomial in
    S that reads better so (a ⊙ (1 − a), 1 − a ⊙ a, a), else one elementwise function."""
    built = _polynomial(sympy.expand(formula) if formula.is_polynomial(A.S) else None, arg)
    if formula == A.S * (1 - A.S):
        return A.hadamard(arg, A.sub(A.Const(sympy.S.One), arg))
    if built is not None:
        return built
    if formula == 1 / (2 * A.S):
        return A.divide(A.Const(sympy.S.One), A.scale(A.Const(sympy.Integer(2)), arg))
    return A.apply(formula, arg)


def _polynomial(poly, arg: A.Node) -> A.Node | None:
    if poly is None:
        return None
    if poly == A.S:
        return arg
    if poly == 1 - A.S**2:
        return A.sub(A.Const(sympy.S.One), A.hadamard(arg, arg))
    return None


def _quadratic(g, node, args, out):
    x, m = args
    # s = xᵀAx: δ_x = δ(A + Aᵀ)x, δ_A = δ xxᵀ
    return (A.scale(g, A.product(A.add(m, A.transpose(m)), x)),
            A.scale(g, A.product(x, A.transpose(x))))  # fmt: skip


def _transpose(g, node, args, out):
    return (A.transpose(g),)


def _add(g, node, args, out):
    return tuple(_sum_to(g, t.shape) for t in args)


def _neg(g, node, args, out):
    return (A.neg(g),)


def _dot(g, node, args, out):
    a, b = args
    return (A.scale(g, _like(b, a.shape)), A.scale(g, _like(a, b.shape)))


def _like(v: A.Node, shape: A.Shape) -> A.Node:
    """v as a vector of the shape (a row where a row is needed)."""
    return v if v.shape == shape else A.transpose(v)


def _unary(op: str):
    def vjp(g, node, args, out):
        (a,) = args
        return (UNARY_VJPS[op](g, a, out),)

    return vjp


UNARY_VJPS: dict[str, Callable] = {
    # sum(a) = 𝟏ᵀa:                 ∂/∂a = δ·𝟏
    "sum": lambda g, a, out: _ones_like(g, a.shape),
    # mean(a) = sum(a)/N:           ∂/∂a = δ/N·𝟏
    "mean": lambda g, a, out: _ones_like(A.scale(A.Const(1 / a.shape.count()), g), a.shape),
    # ‖a‖ = √(aᵀa):                  ∂/∂a = δ·a/‖a‖
    "norm": lambda g, a, out: A.scale(g, A.divide(a, out)),
    # ‖a‖²:                          ∂/∂a = 2δ·a
    "sqnorm": lambda g, a, out: A.scale(A.scale(A.Const(sympy.Integer(2)), g), a),
    # tr(X):                         ∂/∂X = δ·I
    "trace": lambda g, a, out: A.scale(g, A.Identity(a.shape.rows)),
    # det(X):                        ∂/∂X = δ·det(X)·X⁻ᵀ
    "det": lambda g, a, out: A.scale(A.product(g, out), A.transpose(A.unary("inv", a))),
    # log det(X):                    ∂/∂X = δ·X⁻ᵀ
    "logdet": lambda g, a, out: A.scale(g, A.transpose(A.unary("inv", a))),
    # Y = X⁻¹:                       ∂/∂X = −Yᵀ δ Yᵀ
    "inv": lambda g, a, out: A.neg(A.product(A.product(A.transpose(out), g), A.transpose(out))),
    # p = softmax(z):                ∂/∂z = p ⊙ (δ − (pᵀδ)𝟏)
    "softmax": lambda g, a, out: A.hadamard(
        out, A.sub(g, _ones_like(A.Dot(_like(out, g.shape), g), g.shape))
    ),
    # log softmax(z) = z − logsumexp(z)·𝟏:   ∂/∂z = δ − softmax(z)·(𝟏ᵀδ)
    "logsoftmax": lambda g, a, out: (
        A.sub(A.scale(A.unary("sum", g.a), A.unary("softmax", a)), g.a)
        if isinstance(g, A.Neg)  # δ = −t (a cross-entropy): softmax(z)·(𝟏ᵀt) − t
        else A.sub(g, A.scale(A.unary("sum", g), A.unary("softmax", a)))
    ),
    # logsumexp(z):                  ∂/∂z = δ·softmax(z)
    "logsumexp": lambda g, a, out: A.scale(g, A.unary("softmax", a)),
    # diag(v) (a matrix) ↔ diag(X) (a vector): each gives the other of δ
    "diag": lambda g, a, out: A.unary("diag", g) if a.shape.vector else A.unary("diag", g),
}

UNARY_FORMULAS = {
    "sum": "s = sum(a) = 𝟏ᵀa: δ_a = δ 𝟏",
    "mean": "s = mean(a) = 𝟏ᵀa/N: δ_a = δ 𝟏/N",
    "norm": "s = ‖a‖: δ_a = δ a/‖a‖",
    "sqnorm": "s = ‖a‖²: δ_a = 2δ a",
    "trace": "s = tr(X): δ_X = δ I",
    "det": "s = det(X): δ_X = δ det(X) X⁻ᵀ",
    "logdet": "s = log det(X): δ_X = δ X⁻ᵀ",
    "inv": "Y = X⁻¹, dY = −Y dX Y: δ_X = −Yᵀ δ Yᵀ",
    "softmax": "p = softmax(z), J = diag(p) − ppᵀ: δ_z = p ⊙ (δ − (pᵀδ)𝟏)",
    "logsoftmax": "q = log softmax(z): δ_z = δ − softmax(z)(𝟏ᵀδ)",
    "logsumexp": "s = logsumexp(z): δ_z = δ softmax(z)",
    "diag": "Y = diag(v): δ_v = diag(δ)",
}

UNARY_RULES = {
    "sum": "reduce_sum", "mean": "mean", "norm": "norm", "sqnorm": "squared_norm", "trace": "trace",
    "det": "determinant", "logdet": "log_det", "inv": "inverse", "softmax": "softmax",
    "logsoftmax": "log_softmax", "logsumexp": "logsumexp", "diag": "diag",
}  # fmt: skip

# The table: one primitive a line, its rule, its formula per operand, its VJP.
VJPS: dict[type, Rule] = {
    A.MatMul: Rule("linear_map", ("Y = AB: δ_A = δ Bᵀ", "Y = AB: δ_B = Aᵀ δ"), _matmul),
    A.Add: Rule("sum", ("Y = A + B: δ_A = δ_B = δ",), _add),
    A.Neg: Rule("constant_multiple", ("Y = −A: δ_A = −δ",), _neg),
    A.Scale: Rule("scaling", ("Y = cA: δ_c = ⟨δ, A⟩", "Y = cA: δ_A = c δ"), _scale),
    A.Hadamard: Rule("hadamard", ("Y = A ⊙ B: δ_A = δ ⊙ B", "Y = A ⊙ B: δ_B = δ ⊙ A"), _hadamard),
    A.Divide: Rule("quotient", ("Y = A / B: δ_A = δ / B", "Y = A / B: δ_B = −δ ⊙ A / B²"), _divide),
    A.Power: Rule("power", ("y = aᵏ: δ_a = δ k aᵏ⁻¹",), _power),
    A.Transpose: Rule("transpose", ("Y = Aᵀ: δ_A = δᵀ",), _transpose),
    A.Apply: Rule("elementwise", ("a = f(z): δ_z = δ_a ⊙ f′(z)",), _apply),
    A.Quadratic: Rule(
        "quadratic_form", ("s = xᵀAx: δ_x = δ (A + Aᵀ)x", "s = xᵀAx: δ_A = δ xxᵀ"), _quadratic
    ),  # fmt: skip
    A.Dot: Rule("dot", ("s = aᵀb: δ_a = δ b", "s = aᵀb: δ_b = δ a"), _dot),
}


def rule_of(node: A.Node) -> Rule:
    if isinstance(node, A.Unary):
        return Rule(UNARY_RULES[node.op], (UNARY_FORMULAS[node.op],), _unary(node.op))
    return VJPS[type(node)]


def vjp(node: A.Node, g: A.Node, args: tuple[A.Node, ...], out: A.Node) -> tuple:
    return rule_of(node).vjp(g, node, args, out)


# ---- local Jacobians: the chain rule for a vector of vectors ---------------------------------
#
# For y = f(a, b, …) a vector (or scalar) of vectors, ∂y/∂a is a matrix: rows y's entries,
# columns a's (a scalar is one entry). The Jacobian of a composition is the product of these
# along the way (J_{f∘g} = J_f J_g); None where the answer is no matrix (a matrix operand).


@dataclass(frozen=True, slots=True)
class Local:
    formula: tuple[str, ...]  # per operand, as a course writes it
    jacobian: Callable  # (node, i, args, out) -> the matrix ∂node/∂args[i], or None


def _as_row(v: A.Node) -> A.Node:
    """A gradient of a's shape as the Jacobian row 1×len(a)."""
    return A.transpose(v) if v.shape.column and not v.shape.scalar else v


def _as_column(v: A.Node) -> A.Node:
    return A.transpose(v) if v.shape.row and not v.shape.scalar else v


def _eye(node: A.Node) -> A.Node:
    return A.Identity(node.shape.length) if not node.shape.scalar else A.Const(sympy.S.One)


def _j_matmul(node, i, args, out):
    a, b = args
    if i == 1:
        return a if b.shape.vector and not a.shape.scalar else None  # y = Ab: A
    return A.transpose(b) if a.shape.row else None  # y = aB (a row): Bᵀ


def _j_add(node, i, args, out):
    arg = args[i]
    if arg.shape.scalar and not node.shape.scalar:
        return A.Ones(A.Shape(node.shape.length, 1))  # a scalar added to every entry: 𝟏
    return _eye(node)


def _j_scale(node, i, args, out):
    c, a = args
    return _as_column(a) if i == 0 else A.scale(c, _eye(node))


def _j_hadamard(node, i, args, out):
    return A.unary("diag", args[1 - i])


def _j_divide(node, i, args, out):
    a, b = args
    one = A.Const(sympy.S.One)
    if i == 0:
        inv = A.divide(one, b)
        if b.shape.scalar:  # a vector over a scalar: (1/b)I
            return A.scale(inv, _eye(node))
        return A.unary("diag", inv) if not a.shape.scalar else _as_column(inv)
    slope = A.divide(a, A.power(b, 2))
    return A.neg(A.unary("diag", slope) if not b.shape.scalar else _as_column(slope))


def _j_power(node, i, args, out):
    (a,) = args
    return A.unary("diag", A.scale(A.Const(node.k), A.power(a, node.k - 1)))


def _j_apply(node, i, args, out):
    (a,) = args
    if node.formula == sympy.log(A.S):
        slope = A.divide(A.Const(sympy.S.One), a)
    else:
        slope = _apply(A.Ones(a.shape), node, args, out)[0]
    return A.unary("diag", slope)


def _j_unary(node, i, args, out):
    (a,) = args
    if node.op == "softmax":  # diag(p) − ppᵀ
        return A.sub(A.unary("diag", out), A.product(_as_column(out), _as_row(out)))
    if node.op == "logsoftmax":  # I − 𝟏 softmax(z)ᵀ
        ones = A.Ones(A.Shape(a.shape.length, 1))
        return A.sub(_eye(node), A.product(ones, _as_row(A.unary("softmax", a))))
    if not node.shape.scalar or not (a.shape.vector or a.shape.scalar):
        return None  # diag, inv: a matrix on one side
    return _through_gradient(node, i, args, out)


def _through_gradient(node, i, args, out):
    """A scalar's Jacobian: its gradient (the VJP of δ = 1) as a row."""
    if args[i].shape.matrix:
        return None
    share = rule_of(node).vjp(A.Const(sympy.S.One), node, args, out)[i]
    return _as_row(share)


_SCALAR_OF_VECTOR = ("s = f(a): ∂s/∂a = (∇ₐs)ᵀ, a row",)

# One primitive a line: its local Jacobian per operand.
JACOBIANS: dict[type, Local] = {
    A.MatMul: Local(("y = aB (a row): ∂y/∂a = Bᵀ", "y = Ab: ∂y/∂b = A"), _j_matmul),
    A.Add: Local(("y = a + b: ∂y/∂a = I (a scalar a: 𝟏)",), _j_add),
    A.Neg: Local(("y = −a: ∂y/∂a = −I",), lambda node, i, args, out: A.neg(_eye(node))),
    A.Scale: Local(("y = ca: ∂y/∂c = a", "y = ca: ∂y/∂a = cI"), _j_scale),
    A.Hadamard: Local(("y = a ⊙ b: ∂y/∂a = diag(b)", "y = a ⊙ b: ∂y/∂b = diag(a)"), _j_hadamard),
    A.Divide: Local(("y = a / b: ∂y/∂a = diag(1/b)", "y = a / b: ∂y/∂b = −diag(a/b²)"), _j_divide),
    A.Power: Local(("y = aᵏ: ∂y/∂a = diag(k aᵏ⁻¹)",), _j_power),
    A.Transpose: Local(("y = aᵀ: ∂y/∂a = I",), lambda node, i, args, out: _eye(node)),
    A.Apply: Local(("a = f(z): ∂a/∂z = diag(f′(z))",), _j_apply),
    A.Dot: Local(("s = aᵀb: ∂s/∂a = bᵀ", "s = aᵀb: ∂s/∂b = aᵀ"), _through_gradient),
    A.Quadratic: Local(("s = xᵀAx: ∂s/∂x = xᵀ(A + Aᵀ)",), _through_gradient),
}

UNARY_JACOBIAN_FORMULAS = {
    "softmax": "p = softmax(z): ∂p/∂z = diag(p) − ppᵀ",
    "logsoftmax": "q = log softmax(z): ∂q/∂z = I − 𝟏 softmax(z)ᵀ",
}


def local_of(node: A.Node) -> Local:
    if isinstance(node, A.Unary):
        formula = UNARY_JACOBIAN_FORMULAS.get(node.op)
        if formula is None:
            formula = UNARY_FORMULAS[node.op].split(":")[0] + ": ∂s/∂a = (∇ₐs)ᵀ, a row"
        return Local((formula,), _j_unary)
    return JACOBIANS[type(node)]
