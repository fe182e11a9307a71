"""The Python API the command line is a thin shell over."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sympy

from chainrule_cli.parse import MAX_DEPTH, MAX_LENGTH, parse


@dataclass(frozen=True, slots=True)
class Parsed:
    """An expression read from user text, with what a person or a script needs to know of it."""

    input: str
    expr: sympy.Expr

    @property
    def free_symbols(self) -> list[str]:
        return sorted(s.name for s in self.expr.free_symbols)

    @property
    def functions(self) -> list[str]:
        return sorted({str(f.func) for f in self.expr.atoms(sympy.core.function.AppliedUndef)})

    def to_json(self) -> dict:
        return {
            "schema": "chainrule.parse/1",
            "ok": True,
            "input": self.input,
            "expr": str(self.expr),
            "latex": sympy.latex(self.expr),
            "srepr": sympy.srepr(self.expr),
            "free_symbols": self.free_symbols,
            "unknown_functions": self.functions,
        }


def parse_expression(
    text: str,
    *,
    input: str = "auto",  # noqa: A002 - mirrors the --input option
    functions: Iterable[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> Parsed:
    """Parse user text (plain or LaTeX) into a SymPy expression; raises ParseError/LimitError."""
    expr = parse(text, input=input, functions=functions, max_length=max_length, max_depth=max_depth)
    return Parsed(text, expr)
