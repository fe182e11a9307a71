"""Jacobian matrices and their chain rule: J_f(x) = J_f(u) · J_u(x) (article §3.2)."""

from __future__ import annotations

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.derive import derive
from chainrule_cli.calculus.paths import order_intermediates, substitute
from chainrule_cli.calculus.verify import agrees


def jacobian(
    written: list[sympy.Expr],
    wrt: list[sympy.Symbol],
    lets: dict[sympy.Symbol, sympy.Expr],
    detail: str = "full",
) -> S.Jacobian:
    """Every entry ∂fᵢ/∂xⱼ derived and verified; with intermediates, the two factors too and a
    check that their product is the Jacobian of the substituted function."""
    order = order_intermediates(lets) if lets else []
    outputs = [substitute(f, lets, order) for f in written]
    entries = tuple(tuple(derive(f, x, 1, detail) for x in wrt) for f in outputs)
    if not lets:
        return S.Jacobian(
            outputs=tuple(outputs), written=tuple(written), wrt=tuple(wrt), lets=(),
            entries=entries,
        )  # fmt: skip
    # the inner variables: the intermediates the outputs use, then variables they use directly
    used = set().union(*(f.free_symbols for f in written))
    if not any(n in used for n in order):
        # intermediates the functions never use: there is no chain to show
        return S.Jacobian(
            outputs=tuple(outputs), written=tuple(written), wrt=tuple(wrt),
            lets=tuple((n, lets[n]) for n in order), entries=entries,
        )  # fmt: skip
    inner = [n for n in order if n in used] + [x for x in wrt if x in used]
    outer_entries = tuple(tuple(derive(f, u, 1, detail) for u in inner) for f in written)
    inner_entries = tuple(
        tuple(
            derive(substitute(lets[u], lets, order), x, 1, detail) if u in lets else None
            for x in wrt
        )
        for u in inner
    )
    outer = sympy.Matrix([[d.result for d in row] for row in outer_entries])
    inner_matrix = sympy.Matrix(
        [
            [
                d.result if d is not None else sympy.Integer(int(u == x))
                for d, x in zip(row, wrt, strict=True)
            ]
            for row, u in zip(inner_entries, inner, strict=True)
        ]
    )
    at_x = outer.applyfunc(lambda e: substitute(e, lets, order))
    product = at_x * inner_matrix
    direct = sympy.Matrix([[d.result for d in row] for row in entries])
    same = all(
        agrees(product[i, j], direct[i, j]) for i in range(direct.rows) for j in range(direct.cols)
    )
    factors = (
        S.MatrixFactor(of=tuple(written), wrt=tuple(inner), matrix=outer, entries=outer_entries),
        S.MatrixFactor(of=tuple(inner), wrt=tuple(wrt), matrix=inner_matrix, entries=inner_entries),
    )
    return S.Jacobian(
        outputs=tuple(outputs), written=tuple(written), wrt=tuple(wrt),
        lets=tuple((n, lets[n]) for n in order), entries=entries, factors=factors,
        product_agrees=same,
    )  # fmt: skip
