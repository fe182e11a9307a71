"""One walk over an expression's tree, children first, without recursion."""

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
