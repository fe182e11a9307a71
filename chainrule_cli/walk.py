"""One walk over an expression's tree, children first, without recursion: each shared sub-tree
once. A deep chain's derivative shares its sub-trees (cos(sin(sin x))·cos(sin x)·cos x): as a
tree it is quadratic in the depth, as a graph linear. Beneath every layer (parse uses it too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy


def bottom_up(
    expr: sympy.Basic, memo: dict, combine: Callable[[sympy.Basic, list[Any]], Any]
) -> Any:
    """memo[expr], after setting memo[node] = combine(node, [memo[a] for a in node.args]) for
    expr and each of its sub-expressions not in memo yet, children first. Each shared sub-tree
    is visited once, and a 1,000-deep expression needs no deep Python stack. A memo kept
    between calls (or seeded with answers) is used as it is."""
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        if ready or not node.args:
            memo[node] = combine(node, [memo[a] for a in node.args])
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in memo)
    return memo[expr]


def replaced(expr: sympy.Basic, mapping: dict) -> sympy.Basic:
    """expr.xreplace(mapping), each shared sub-tree once."""

    def combine(node: sympy.Basic, args: list) -> sympy.Basic:
        if node in mapping:
            return mapping[node]
        # (the memo may answer with an equal sub-tree met elsewhere: unchanged all the same)
        if all(a is b or a == b for a, b in zip(args, node.args, strict=True)):
            return node
        return node.func(*args)

    return bottom_up(expr, {}, combine)


def contains(expr: sympy.Basic, test: Callable[[sympy.Basic], bool]) -> bool:
    """Whether expr or a sub-expression passes test, each shared sub-tree once."""
    return bottom_up(expr, {}, lambda node, args: any(args) or test(node))


class Sizes:
    """Tree size of expressions (what printing costs), or their height, memoised, without
    recursion."""

    def __init__(self, height: bool = False) -> None:
        self.memo: dict[sympy.Basic, int] = {}
        self.height = height

    def __call__(self, expr: sympy.Basic) -> int:
        def combine(node, parts: list[int]) -> int:
            return 1 + (max(parts, default=0) if self.height else sum(parts))

        return bottom_up(expr, self.memo, combine)
