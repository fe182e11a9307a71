"""Text -> SymPy: `parse("1/(1+exp(-(w*x+b)))")`. User text never reaches eval or sympify."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import sympy

from chainrule_cli.errors import LimitError, ParseError
from chainrule_cli.parse.lexer import tokenize, tokenize_latex
from chainrule_cli.parse.names import DEFAULT_UNKNOWN_FUNCTIONS, MAX_DIGITS
from chainrule_cli.parse.parser import Parser, recursion_room, symbol
from chainrule_cli.parse.reading import Reader, Reading, expression_only

__all__ = [
    "DEFAULT_UNKNOWN_FUNCTIONS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "ParseError",
    "Reading",
    "parse",
    "parse_any",
    "read",
    "symbol",
]

MAX_LENGTH = 10_000
MAX_DEPTH = 2_000
# Python frames per nesting level in the parser, with room for SymPy underneath.
_FRAMES_PER_LEVEL = 12


def tokens_of(text: str, input: str, max_length: int) -> list:  # noqa: A002
    """The tokens of text, plain or LaTeX (auto: LaTeX when there is a backslash), within the
    length limit; never empty."""
    if not isinstance(text, str):
        raise TypeError("parse() takes a string")
    if len(text) > max_length:
        raise LimitError(
            f"input is {len(text)} characters long; the limit is {max_length}",
            column=max_length + 1,
            text=text,
        )
    if input not in ("auto", "text", "latex"):
        raise ValueError(f"input must be auto, text or latex, not {input!r}")
    dollars = text.strip().startswith("$") and text.strip().endswith("$")  # $x^2$, as typeset
    latex = input == "latex" or (input == "auto" and ("\\" in text or dollars))
    tokens = tokenize_latex(text) if latex else tokenize(text)
    if len(tokens) == 1:
        raise ParseError("empty input, expected an expression", column=1, text=text)
    return tokens


def parse_any(
    text: str,
    *,
    input: str = "auto",  # noqa: A002 - mirrors the --input option
    functions: Iterable[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    prime_variable: sympy.Symbol | None = None,
    unworked: bool = False,
) -> sympy.Basic:
    """Parse text to any SymPy object (expressions, tuples, conditions).

    `prime_variable` is the variable of y' (dy/dv, as `Derivative(y(v), v)`); without it y'
    alone is an error (f'(x), with its argument, needs none).
    """
    tokens = tokens_of(text, input, max_length)
    unknown = frozenset(DEFAULT_UNKNOWN_FUNCTIONS) | frozenset(functions)
    parser = Parser(
        tokens, text, functions=unknown, max_depth=max_depth, max_digits=max_digits,
        prime_variable=prime_variable, unworked=unworked,
    )  # fmt: skip
    with recursion_room(max_depth * _FRAMES_PER_LEVEL + 2_000):
        return parser.parse()


def parse(
    text: str,
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    prime_variable: sympy.Symbol | None = None,
    unworked: bool = False,
) -> sympy.Expr:
    """Parse one expression. Raises ParseError (with a 1-based column) or LimitError.

    `input` is "text", "latex" or "auto" (LaTeX when the text has a backslash);
    `functions` names more unknown functions besides f, g and h; `prime_variable` is the
    variable of y' (see parse_any).
    """
    result = parse_any(
        text, input=input, functions=functions, max_length=max_length, max_depth=max_depth,
        max_digits=max_digits, prime_variable=prime_variable, unworked=unworked,
    )  # fmt: skip
    return expression_only(result, text, 1)


def read(
    text: str,
    *,
    input: str = "auto",  # noqa: A002
    functions: Iterable[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
    prime_variable: sympy.Symbol | None = None,
    unworked: bool = False,
) -> Reading:
    """Read a line as a calculus student means it: `d/dx …`, `y = …`, `f(x) = …`,
    `dy/dx = …`, `f'(x) = …`, an equation, or a plain expression (a `Reading`)."""
    tokens = tokens_of(text, input, max_length)
    unknown = frozenset(DEFAULT_UNKNOWN_FUNCTIONS) | frozenset(functions)

    typed: dict = {}

    def parse_tokens(part):
        parser = Parser(part, text, functions=unknown, max_depth=max_depth,
                        max_digits=max_digits, prime_variable=prime_variable,
                        unworked=unworked)  # fmt: skip
        value = parser.parse()
        typed.update(parser.typed)
        pending.extend(parser.pending)
        return value

    pending: list = []
    with recursion_room(max_depth * _FRAMES_PER_LEVEL + 2_000):
        reading = Reader(tokens, text, parse_tokens, unworked=unworked).read()
    return dataclasses.replace(reading, typed=typed, pending=tuple(pending))
