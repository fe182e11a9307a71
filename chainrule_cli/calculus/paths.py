"""The many-variable chain rule with named intermediates: dz/dx as a sum over the paths of the
dependency graph z → u → … → x, one product of partial derivatives per path (article §3.1)."""

from __future__ import annotations

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.derive import simplify_result
from chainrule_cli.calculus.stepper import Stepper
from chainrule_cli.calculus.verify import verify
from chainrule_cli.errors import LimitError, ParseError
from chainrule_cli.parse.inputs import order_intermediates, substitute  # noqa: F401 - here too

MAX_PATHS = 1_000


def derive_paths(
    written: sympy.Expr, var: sympy.Symbol, lets: dict[sympy.Symbol, sympy.Expr], detail="full"
) -> S.Derivation:
    """dz/dx = Σ over paths of Π ∂(parent)/∂(child), every factor worked out step by step."""
    if var in lets:
        raise ParseError(f"{var} is the variable; it cannot also be an intermediate")
    order = order_intermediates(lets)
    expr = substitute(written, lets, order)
    definition = {**lets}
    top = sympy.Dummy("z")
    definition[top] = written
    stepper = Stepper(expr, detail)
    stepper.taken |= {str(n) for n in lets} | {str(s) for s in written.free_symbols}
    for value in lets.values():
        stepper.taken |= {str(s) for s in value.free_symbols}

    def children(node):
        return sorted((s for s in definition[node].free_symbols if s in lets or s == var), key=str)

    factor_of: dict[tuple, S.Step] = {}
    paths: list[S.Path] = []
    stack: list[list[sympy.Symbol]] = [[top]]
    while stack:
        path = stack.pop()
        node = path[-1]
        below = children(node) if node != var else []
        if node == var or not below:
            # a path ends at x; or at an intermediate that does not depend on x, where its
            # last factor, ∂u/∂x = 0, shows the path contributing 0
            ends = [*path] if node == var else [*path, var]
            factors = []
            for parent, child in zip(ends, ends[1:], strict=False):
                key = (parent, child)
                if key not in factor_of:
                    factor_of[key] = stepper.step(definition[parent], child)
                factors.append(factor_of[key])
            product = sympy.Mul(*(f.result for f in factors))
            via = tuple(ends[1:-1])
            paths.append(S.Path(via=via, factors=tuple(factors), product=product))
            if len(paths) > MAX_PATHS:
                raise LimitError(f"more than {MAX_PATHS} paths lead from the expression to {var}")
            continue
        stack.extend([*path, child] for child in reversed(below))
    named_total = sympy.Add(*(p.product for p in paths))
    result = substitute(named_total, lets, order)
    root = S.MultivariableChainStep(
        expr=expr,
        var=var,
        result=result,
        substeps=tuple(factor_of.values()),
        partials=tuple(p.product for p in paths),
        written=written,
        lets=tuple((n, lets[n]) for n in order),
        paths=tuple(paths),
    )
    final, rewrites = simplify_result(result)
    verdict = verify(root, stepper.heights)
    return S.Derivation(
        expr=expr, var=var, order=1, root=root, result=final, simplify=rewrites,
        in_terms_of=None, verified=verdict.ok, failures=verdict.failures, detail=detail,
    )  # fmt: skip
