"""The Jacobian of a vector of vectors, as the article's case 2 writes it: the chain rule is a
matrix product, J_{f∘g} = J_f · J_g, rows the outputs, columns the inputs (an m×n matrix).

    y = σ(Wx + b)
    forward:  z = Wx + b,  y = σ(z)
    chain:    ∂z/∂x = W,   ∂y/∂x = diag(σ′(z)) ∂z/∂x = diag(y ⊙ (1 − y)) W

Each node's Jacobian is the sum over its operands of (its local Jacobian, calculus/vjps.py's
JACOBIANS table) times (the operand's Jacobian): forward accumulation, in the order the forward
pass computes them. A matrix on the way would need a 3- or 4-index array and is refused with the
way to ask instead. calculus/expand.py verifies every step entry by entry at small sizes.
"""

from __future__ import annotations

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.calculus import vjps
from chainrule_cli.calculus.layers import (
    _TRIVIAL,
    Backward,
    Layers,
    Term,
    _main_index,
    _main_rule,
    depends_on,
    forward_pass,
)
from chainrule_cli.errors import UnsupportedError


def derive_jacobian(
    root: A.Node,
    wrt: tuple[str, ...],
    *,
    text: str = "",
    notes: tuple[str, ...] = (),
    shapes: dict | None = None,
) -> Layers:
    """The Jacobian of the vector (or scalar) `root` by each vector or scalar input of `wrt`,
    with one step per named node: its Jacobian through the names, and in the inputs."""
    if root.shape.matrix:
        raise UnsupportedError(
            f"the expression is {root.shape.a()} matrix: its derivative would be a 3- or "
            "4-index array; chainrule gives the gradient of a scalar (e.g. of trace(…), sum(…) or "
            "norm(…)^2) and the Jacobian of a vector"
        )
    fp = forward_pass(root, ("y", "f", "F", "g"))
    inputs = {n.name: n for n in fp.order if isinstance(n, A.Var)}
    steps: list[Backward] = []
    for x in wrt:
        var = inputs.get(x)
        if var is None:
            raise UnsupportedError(f"{x} does not occur in the expression")
        if var.shape.matrix:
            raise UnsupportedError(
                f"{x} is {var.shape.a()} matrix: the Jacobian of a vector by a matrix is a "
                f"3-index array; differentiate a scalar of {x} instead (e.g. dot(v, …)), whose "
                f"gradient has {x}'s shape"
            )
        steps.extend(_chain(fp, root, var, len(wrt) > 1))
    return Layers(
        root=root, output=fp.names[root], wrt=tuple(wrt), shapes=dict(shapes or {}),
        forward=fp.forward, backward=tuple(steps), notes=tuple(notes), text=text,
        kind="jacobian",
    )  # fmt: skip


def jacobian_name(of: str, x: str) -> str:
    return f"∂{of}/∂{x}"


def _chain(fp, root: A.Node, var: A.Var, several: bool) -> list[Backward]:
    x = var.name
    depends = depends_on(fp.order, {x})
    n = var.shape.length
    jac: dict[A.Node, A.Node] = {}  # each node's Jacobian by x, through the names
    terms: dict[A.Node, list[Term]] = {}
    full: dict[str, A.Node] = dict(fp.full_of)
    steps: list[Backward] = []
    for node in fp.order:
        if node not in depends:
            continue
        if isinstance(node, A.Var):
            jac[node] = A.Identity(n) if not var.shape.scalar else A.Const(sympy.S.One)
            continue
        if isinstance(node, _TRIVIAL):
            continue
        if node.shape.matrix:
            raise UnsupportedError(
                f"{A.Printer('text')(node)} is {node.shape.a()} matrix that depends on {x}: "
                "its Jacobian would be a 3-index array; chainrule chains Jacobians of vectors"
            )
        local = vjps.local_of(node)
        out = fp.display[node]
        args = tuple(fp.display[a] for a in node.args)
        parts: list[Term] = []
        for i, arg in enumerate(node.args):
            if arg not in depends:
                continue
            factor = local.jacobian(node, i, args, out)
            if factor is None:
                raise UnsupportedError(
                    f"∂({A.Printer('text')(out)})/∂({A.Printer('text')(args[i])}) would be a "
                    "3-index array; chainrule chains Jacobians of vectors"
                )
            rule = vjps.rule_of(node).name
            formula = _instance(node, i, local, out, args, factor)
            before = terms.get(arg, []) if arg not in fp.names else []
            rules = (*(before[0].rules if len(before) == 1 else ()), rule)
            formulas = (*(before[0].formulas if len(before) == 1 else ()), formula)
            via = fp.names.get(arg) or (arg.name if isinstance(arg, A.Var) else "")
            if len(before) == 1:
                via = before[0].via
            main = formulas[_main_index(rules)]
            parts.append(Term(via, rules, main, A.product(factor, jac[arg]), formulas))
        total = A.add(*(t.expr for t in parts))
        terms[node] = parts
        if node in fp.names:
            of = fp.names[node]
            result = node is root
            name = jacobian_name(of, x)
            whole = A.substitute(total, full)
            steps.append(Backward(name, x if result else of, _main_rule(parts), tuple(parts),
                                  total, whole, gradient=result, by=x))  # fmt: skip
            full[name] = whole
            jac[node] = A.Var(name, total.shape)
        else:
            jac[node] = total
    return steps


def _instance(node: A.Node, i: int, local, out: A.Node, args: tuple, factor: A.Node) -> str:
    """The local Jacobian's formula for operand i; an elementwise function's with its own f′
    (y = σ(z): ∂y/∂z = diag(σ′(z)), σ′(z) = y ⊙ (1 − y))."""
    p = A.Printer("text")
    if not isinstance(node, A.Apply) or not node.name:
        return f"∂{_operand(out, p)}/∂{_operand(args[i], p)} = {p(factor)}"
    f = p(A.Apply(node.formula, A.Var("·"), node.name)).replace("(·)", "")
    z, a = p(args[0]), p(out)
    return f"{a} = {f}({z}): ∂{a}/∂{z} = diag({f}′({z})), {f}′({z}) = {p(factor.a)}"


def _operand(node: A.Node, p: A.Printer) -> str:
    shown = p(node)
    return shown if isinstance(node, A.Var) else f"({shown})"
