"""What a calculus student's line says, beyond the expression: `d/dx …` (the variable and the
order), `y = …` and `f(x) = …` (the value's name and the declared variables), `dy/dx = …` and
`f'(x) = …` (an answer that names its derivative), and equations in two variables (implicit
differentiation).

The structure is found on the tokens, before the grammar reads the expressions: a derivative
operator only at the start, one top-level `=`. Every expression inside is read by the same
Parser, with the columns of the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from chainrule_cli.errors import ParseError
from chainrule_cli.parse.lexer import END, NAME, NUM, OP, SUP, Token
from chainrule_cli.parse.names import CONSTANTS, FUNCTIONS
from chainrule_cli.parse.parser import symbol

_VARIABLE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_OPENERS = {"(": ")", "[": "]", "{": "}"}
# words a request starts with: "derivative of x^2" would be the product derivative·of·x²
_SAID = frozenset({"derivative", "differentiate", "find", "the", "diff", "compute"})
# constants a physicist names values with: E = ½mv² is Euler's number = ½mv² here
_NAMED_CONSTANTS = {"E": "Euler's number e", "e": "Euler's number e", "I": "the imaginary unit i",
                    "pi": "the number π", "Pi": "the number π"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Operator:
    """d^n/dx^n written before an expression (or a derivative's name, dy/dx, on a left side)."""

    var: str
    order: int
    value: str | None  # y in dy/dx; None for the bare operator d/dx
    col: int  # where it starts
    end: int  # index of the first token after it
    # \frac{d(x^3+1)}{dx}, d(x^3+1)/dx: the tokens [start, stop) of the expression written
    # in the numerator
    inner: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """A line of input as a student means it.

    kind: "expression" (plain), "operator" (d/dx EXPR), "definition" (y = EXPR, f(x) = EXPR),
    "equation" (an implicit equation lhs = rhs), "derivative" (dy/dx = EXPR, y' = EXPR,
    f'(x) = EXPR: a derivative named on the left, as in a student's answer).
    """

    text: str
    kind: str
    expr: sympy.Expr  # the expression; for an equation lhs - rhs
    var: sympy.Symbol | None = None  # given by an operator or a derivative's name
    order: int | None = None
    value: str | None = None  # the value's name: y, f
    arguments: tuple[sympy.Symbol, ...] = ()  # f(w, x): the declared variables
    lhs: sympy.Expr | None = None  # an equation's sides
    rhs: sympy.Expr | None = None
    # sub-expressions as typed where SymPy's order differs (w·x + b): for the printers
    typed: dict | None = None
    from_text: bool = True  # False for a SymPy expression given in Python: nothing was typed
    # a student's working (ReadOptions.unworked): the derivatives still to take, as typed
    pending: tuple[sympy.Derivative, ...] = ()

    @property
    def literal(self) -> bool:
        """Whether the input is just an expression (nothing read around it)."""
        return self.kind == "expression"


def _split_top_level(tokens: list[Token], text: str) -> list[int]:
    """Indices of the top-level '=' (or '==') tokens."""
    depth, bars, found = 0, 0, []
    for i, tok in enumerate(tokens):
        if tok.kind != OP:
            continue
        if tok.value in _OPENERS or tok.value in ("\\frac", "\\sqrt"):
            depth += tok.value in _OPENERS
        elif tok.value in (")", "]", "}"):
            depth -= 1
        elif tok.value == "|":
            bars ^= 1
        elif tok.value in ("=", "==") and depth == 0 and not bars:
            found.append(i)
    return found


def _order_after(tokens: list[Token], i: int) -> tuple[int, int]:
    """An order written after d or dx: ^2, ^{2}, ². Returns (order, next index)."""
    tok = tokens[i]
    if tok.kind == SUP and tok.value.isdigit():
        return int(tok.value), i + 1
    if tok.kind == OP and tok.value == "^":
        nxt = tokens[i + 1]
        if nxt.kind == NUM and nxt.value.isdigit():
            return int(nxt.value), i + 2
        if (
            nxt.kind == OP
            and nxt.value == "{"
            and tokens[i + 2].kind == NUM
            and tokens[i + 2].value.isdigit()
            and tokens[i + 3].kind == OP
            and tokens[i + 3].value == "}"
        ):
            return int(tokens[i + 2].value), i + 4
    return 1, i


def _is(tok: Token, kind: str, value: str | None = None) -> bool:
    return tok.kind == kind and (value is None or tok.value == value)


def _plain_name(name: str) -> bool:
    return (
        bool(_VARIABLE.fullmatch(name))
        and name not in FUNCTIONS
        and name not in CONSTANTS
        and not name.startswith("__")
    )


def _numerator(tokens: list[Token], i: int, stop: set[int]) -> tuple[int, str | None, int] | None:
    """d, d^2, dy, d^2y, d²y: (order, value name, next index), or None."""
    tok = tokens[i]
    if not _is(tok, NAME):
        return None
    if tok.value == "d":
        order, j = _order_after(tokens, i + 1)
        value = None
        if _is(tokens[j], NAME) and j not in stop and _plain_name(tokens[j].value):
            value, j = tokens[j].value, j + 1
        return order, value, j
    if tok.value.startswith("d") and len(tok.value) > 1 and _plain_name(tok.value[1:]):
        # dy (one name), only as a numerator: the caller checks that '/' and dx follow
        return 1, tok.value[1:], i + 1
    return None


def _denominator(tokens: list[Token], i: int) -> tuple[str, int, int] | None:
    """dx, d x, dx^2, dx²: (variable, order, next index), or None."""
    tok = tokens[i]
    if not _is(tok, NAME):
        return None
    if tok.value == "d" and _is(tokens[i + 1], NAME) and _plain_name(tokens[i + 1].value):
        var, j = tokens[i + 1].value, i + 2
    elif tok.value.startswith("d") and len(tok.value) > 1 and _plain_name(tok.value[1:]):
        var, j = tok.value[1:], i + 1
    else:
        return None
    order, j = _order_after(tokens, j)
    return var, order, j


def _closing(tokens: list[Token], i: int) -> int | None:
    """The index of the bracket that closes the one at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        tok = tokens[j]
        if tok.kind == OP and tok.value in _OPENERS:
            depth += 1
        elif tok.kind == OP and tok.value in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return None


# what may start the expression of \frac{d …}{dx}: not an operator (\frac{d+1}{dx} is a
# fraction)
_STARTS_INNER = frozenset({"(", "[", "{", "|", "\\frac", "\\sqrt", "sqrt"})


def _inner(tokens: list[Token], i: int, close: int) -> tuple[int, int] | None:
    """\\frac{d(x^3+1)}{dx}, \\frac{d x^2}{dx}, \\frac{d^2 \\sin x}{dx^2}: the range of the
    expression after d (and its order) in the numerator that closes at `close`, or None."""
    if not _is(tokens[i], NAME, "d"):
        return None
    _, j = _order_after(tokens, i + 1)
    first = tokens[j]
    if j >= close or not (first.kind in (NAME, NUM) or first.value in _STARTS_INNER):
        return None
    return j, close


def refuse_glued_variable(var: str, start: Token, text: str) -> None:
    """d/dxsin x: the variable xsin to the grammar, d/dx sin x to the student; a variable of
    several letters after d/d that is not a Greek letter's name is refused."""
    from chainrule_cli.parse.names import GREEK, GREEK_UPPER

    if len(var) > 1 and var.isascii() and var.isalpha() and var not in {*GREEK, *GREEK_UPPER}:
        raise ParseError(
            f"d/d{var}: the variable after d/d is one letter (or a Greek letter's name): write"
            f" d/d{var[0]} {var[1:]}…",
            column=start.col,
            text=text,
        )


def refuse_numbered_order(tokens: list[Token], i: int, text: str) -> None:
    """d2/dx2 (the order written without ^): refused with the fix, not read as names."""
    top, slash, bottom = tokens[i], tokens[i + 1], tokens[i + 2]
    m = re.fullmatch(r"d([0-9]+)", top.value) if top.kind == NAME else None
    if m is None or not _is(slash, OP, "/") or bottom.kind != NAME:
        return
    below = re.fullmatch(r"d([A-Za-z])([0-9]+)", bottom.value)
    if below is not None:
        n, v = m.group(1), below.group(1)
        raise ParseError(f"write d^{n}/d{v}^{n} for the derivative of order {n}",
                         column=top.col, text=text)  # fmt: skip


def operator_at(tokens: list[Token], i: int, text: str) -> Operator | None:
    """d/dx, d^2/dx^2, dy/dx, \\frac{d}{dx}, \\frac{d^2 y}{dx^2}, \\frac{d(x^3+1)}{dx},
    d(x^3+1)/dx starting at token i."""
    start = tokens[i]
    inner = None
    if i + 2 < len(tokens):
        refuse_numbered_order(tokens, i, text)
    if _is(start, OP, "\\frac") and _is(tokens[i + 1], OP, "{"):
        top = _numerator(tokens, i + 2, set())
        if top is None:
            return None
        order, value, j = top
        if not _is(tokens[j], OP, "}"):
            # \frac{d(x^3+x^2+1)}{dx}: the expression is in the numerator
            close = _closing(tokens, i + 1)
            inner = _inner(tokens, i + 2, close) if close is not None else None
            if inner is None:
                return None
            order, _ = _order_after(tokens, i + 3)
            value, j = None, close
        if not _is(tokens[j + 1], OP, "{"):
            return None
        bottom = _denominator(tokens, j + 2)
        if bottom is not None and _is(tokens[bottom[2]], NAME, "d"):
            # \frac{\partial^2 f}{\partial x \partial y}: not d²f/(dx·d·y)
            raise ParseError(
                "a mixed derivative (by two variables at once) is not read here: differentiate"
                " by one variable at a time, as in d/dx",
                column=start.col,
                text=text,
            )
        if bottom is None:
            return None
        var, var_order, k = bottom
        if not _is(tokens[k], OP, "}"):
            return None
        end = k + 1
    else:
        top = _numerator(tokens, i, set())
        if top is None:
            return None
        order, value, j = top
        if value is None and start.value == "d" and _is(tokens[j], OP, "("):
            # d(x^3+1)/dx, d^2(x^3)/dx^2
            close = _closing(tokens, j)
            if close is None:
                return None
            inner, j = (j + 1, close), close + 1
        if not _is(tokens[j], OP, "/"):
            return None
        bottom = _denominator(tokens, j + 1)
        if bottom is None:
            return None
        var, var_order, end = bottom
    if start.value != "d" and not _is(start, OP, "\\frac") and value is None:
        return None
    if order != var_order:
        raise ParseError(
            f"the orders differ: d^{order} above, d{var}^{var_order} below", column=start.col,
            text=text,
        )  # fmt: skip
    refuse_glued_variable(var, start, text)
    return Operator(var=var, order=order, value=value, col=start.col, end=end, inner=inner)


def primes_at(tokens: list[Token], i: int) -> tuple[int, int]:
    """The number of primes (', ″) from token i, and the index after them."""
    count = 0
    while tokens[i].kind == OP and set(tokens[i].value) <= {"'"} and tokens[i].value:
        count += len(tokens[i].value)
        i += 1
    return count, i


def expression_only(value: sympy.Basic, text: str, column: int) -> sympy.Expr:
    """value, when it is an expression: a list (1, 2) or a condition (x = 1) is refused."""
    if not isinstance(value, sympy.Expr) or isinstance(value, sympy.Tuple):
        what = "a list" if isinstance(value, sympy.Tuple) else "a condition"
        raise ParseError(f"expected an expression, found {what}", column=column, text=text)
    return value


def misplaced_operator(tokens: list[Token], start: int, text: str) -> None:
    """d/dx inside an expression (x + d/dx x^2) is refused: it would read as d·x/dx."""
    for i in range(start, len(tokens)):
        tok = tokens[i]
        if tok.value == "d" and tok.kind == NAME or _is(tok, OP, "\\frac"):
            found = operator_at(tokens, i, text)
            if found is not None and found.value is None:
                raise ParseError(
                    "a derivative operator such as d/dx goes at the start of the expression",
                    column=tok.col,
                    text=text,
                )


class Reader:
    """Finds the structure of a line on its tokens; `parse(tokens)` reads an expression."""

    def __init__(
        self, tokens: list[Token], text: str, parse_tokens, unworked: bool = False
    ) -> None:
        self.tokens = tokens
        self.text = text
        self.parse_tokens = parse_tokens
        # a student's working: d/dx (…) inside an expression is a derivative still to take
        self.unworked = unworked

    def misplaced_operator(self, start: int) -> None:
        if not self.unworked:
            misplaced_operator(self.tokens, start, self.text)

    def opening_operator(self) -> Operator | None:
        """The operator the line starts with; in a student's working not one in brackets with
        more after it (d/dx (x^2)·sin x + …), which the parser reads as a term."""
        op = operator_at(self.tokens, 0, self.text)
        if op is None or not self.unworked or op.value is not None:
            return op
        if op.inner is not None:
            return op if op.end >= len(self.tokens) - 1 else None
        first = self.tokens[op.end]
        if first.kind == OP and first.value in ("(", "["):
            close = self.closing(op.end)
            if close is None or close + 1 < len(self.tokens) - 1:
                return None
        return op

    def error(self, message: str, col: int) -> ParseError:
        return ParseError(message, column=col, text=self.text)

    def expression(self, start: int, stop: int) -> sympy.Expr:
        """The expression of tokens[start:stop]: never empty, never a list or a condition."""
        end_col = self.tokens[stop].col if stop < len(self.tokens) else len(self.text) + 1
        part = [*self.tokens[start:stop], Token(END, "", end_col)]
        if start >= stop:
            raise self.error("expected an expression here", end_col)
        return expression_only(self.parse_tokens(part), self.text, self.tokens[start].col)

    def read(self) -> Reading:
        tokens, text = self.tokens, self.text
        end = len(tokens) - 1  # the END token
        if _is(tokens[0], NAME) and tokens[0].value in _SAID and end > 1:
            raise self.error(
                f"'{tokens[0].value}' is a word, not part of an expression: write d/dx followed"
                " by the expression (d/dx x^2), or the expression alone",
                tokens[0].col,
            )
        equals = _split_top_level(tokens, text)
        if len(equals) > 1:
            raise self.error("only one '=' is allowed (an equation has two sides)",
                             tokens[equals[1]].col)  # fmt: skip
        if not equals:
            op = self.opening_operator()
            if op is None:
                self.misplaced_operator(0)
                return Reading(text, "expression", self.expression(0, end))
            if op.value is not None and op.end >= end:
                # dy/dx, \frac{dy}{dx} alone: a derivative's name, and nothing to differentiate
                d, dx = ("d", f"d{op.var}") if op.order == 1 else (
                    f"d^{op.order}", f"d{op.var}^{op.order}"
                )  # fmt: skip
                raise self.error(
                    f"{d}{op.value}/{dx} alone has nothing to differentiate: write {d}/{dx}"
                    f" followed by the expression (or {d}{op.value}/{dx} = … for an answer)",
                    op.col,
                )
            if op.value is not None:
                raise self.error(
                    f"d{op.value}/d{op.var} names a derivative; to differentiate, write"
                    f" d/d{op.var} followed by the expression",
                    op.col,
                )
            return self.operator(op, end)
        k = equals[0]
        if k == 0:
            raise self.error("expected an expression before '='", tokens[0].col)
        self.misplaced_operator(k + 1)
        return self.left_side(k, end)

    def operator(self, op: Operator, end: int) -> Reading:
        tokens = self.tokens
        if op.inner is not None:
            # \frac{d(x^3+1)}{dx}: the expression is inside; nothing may follow
            if op.end < end:
                written = self.text[op.col - 1 : tokens[op.end].col - 1].strip()
                raise self.error(
                    f"nothing may follow {written}: write d/d{op.var} (…) with everything to"
                    " differentiate in the brackets",
                    tokens[op.end].col,
                )
            start, stop = op.inner
            if start >= stop:
                raise self.error(f"d/d{op.var} needs an expression after it", op.col)
            expr = self.expression(start, stop)
            return Reading(self.text, "operator", expr, var=symbol(op.var), order=op.order)
        if op.end >= end:
            raise self.error(f"d/d{op.var} needs an expression after it", op.col)
        self.misplaced_operator(op.end)
        begin = op.end
        if _is(tokens[begin], NAME, "of") and begin + 1 < end:
            begin += 1  # d/dx of x^2, as it is said
        first = tokens[begin]
        if first.kind == OP and first.value in _OPENERS:
            close = self.closing(begin)
            after = tokens[close + 1] if close is not None else None
            if after is not None and after.kind == OP and after.value in ("+", "-", "*"):
                raise self.error(
                    f"d/d{op.var} applies to everything after it: put it all in one pair of"
                    f" brackets, d/d{op.var} (…), or move the other terms before the operator",
                    after.col,
                )
        start, stop = begin, end
        if _is(first, OP, "[") and self.closing(begin) == end - 1:
            start, stop = start + 1, stop - 1  # d/dx [x^2 + 1]: the brackets only group
        expr = self.expression(start, stop)
        return Reading(self.text, "operator", expr, var=symbol(op.var), order=op.order)

    def closing(self, i: int) -> int | None:
        """The index of the bracket that closes the one at i."""
        return _closing(self.tokens, i)

    def left_side(self, k: int, end: int) -> Reading:
        tokens, text = self.tokens, self.text
        first = tokens[0]
        self.refuse_constant_named(k)
        op = operator_at(tokens, 0, text)
        if op is not None:
            if op.end != k:
                raise self.error("expected '=' after the derivative's name", tokens[op.end].col)
            if op.inner is not None:
                written = self.text[op.col - 1 : tokens[k].col - 1].strip()
                raise self.error(
                    f"{written} is the derivative to take: write it alone, without '= …'",
                    tokens[k].col,
                )
            if op.value is None:
                raise self.error(
                    f"d/d{op.var} needs the expression after it, not '='", tokens[k].col
                )
            rhs = self.expression(k + 1, end)
            return Reading(text, "derivative", rhs, var=symbol(op.var), order=op.order,
                           value=op.value)  # fmt: skip
        if first.kind == NAME and _plain_name(first.value):
            primes, j = primes_at(tokens, 1)
            arguments: tuple[sympy.Symbol, ...] = ()
            if j < k and _is(tokens[j], OP, "("):
                arguments = self.arguments(j, k)
                if arguments is None:
                    return self.equation(k, end)
            elif j != k:
                return self.equation(k, end)
            rhs = self.expression(k + 1, end)
            if primes:
                if len(arguments) > 1:
                    raise self.error(
                        f"{first.value}' of several variables does not say which one: write"
                        f" d{first.value}/dx",
                        first.col,
                    )
                var = arguments[0] if arguments else None
                return Reading(text, "derivative", rhs, var=var, order=primes,
                               value=first.value, arguments=arguments)  # fmt: skip
            value = symbol(first.value)
            if not arguments and value in rhs.free_symbols:
                return self.equation(k, end)  # y = x·y + 1: y is defined implicitly
            if value in arguments:
                raise self.error(f"{first.value} cannot be a function of itself", first.col)
            return Reading(text, "definition", rhs, value=first.value, arguments=arguments)
        return self.equation(k, end)

    def refuse_constant_named(self, k: int) -> None:
        """E = ½mv², E(v) = …, I(t) = t²: a physicist's energy and current, but E is Euler's
        number and I the imaginary unit here, so the line would be an equation in the other
        names (E = ½mv² gave dm/dv = −2m/v): refused with the fix."""
        first = self.tokens[0]
        if first.kind != NAME or first.value not in _NAMED_CONSTANTS:
            return
        declared = _is(self.tokens[1], OP, "(") and self.arguments(1, k) is not None
        if k != 1 and not declared:
            return
        what = _NAMED_CONSTANTS[first.value]
        raise self.error(
            f"{first.value} is {what} here, so '{self.text[: self.tokens[k].col - 1].strip()} ="
            f" …' defines nothing: name the value otherwise, as {first.value}_1 = … or"
            f" {'K' if first.value == 'E' else 'J'} = …",
            first.col,
        )

    def arguments(self, j: int, k: int) -> tuple[sympy.Symbol, ...] | None:
        """f(x), f(w, x) on a left side: the declared variables (None if not such a list)."""
        tokens = self.tokens
        names: list[str] = []
        i = j + 1
        while i < k:
            tok = tokens[i]
            if tok.kind != NAME or not _plain_name(tok.value):
                return None
            names.append(tok.value)
            i += 1
            if _is(tokens[i], OP, ")"):
                break
            if not _is(tokens[i], OP, ","):
                return None
            i += 1
        if i + 1 != k or not names:
            return None
        if len(set(names)) != len(names):
            raise self.error("a variable is named twice", tokens[j].col)
        return tuple(symbol(n) for n in names)

    def equation(self, k: int, end: int) -> Reading:
        lhs = self.expression(0, k)
        rhs = self.expression(k + 1, end)
        if not (lhs - rhs).free_symbols:
            raise self.error(
                "this equation has no variable (there is nothing to differentiate)",
                self.tokens[k].col,
            )
        return Reading(self.text, "equation", lhs - rhs, lhs=lhs, rhs=rhs)
