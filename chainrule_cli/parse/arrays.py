"""Text with --shape -> the array tree of chainrule_cli.arrays: `norm(sigmoid(W*x + b) - t)^2`.

The same tokens as the scalar grammar (plain text or LaTeX), read by a small precedence parser
whose products keep their order (W·x is not x·W). Names with a shape are arrays, other names are
scalars; `x^T`, `x'`, `xᵀ`, `transpose(x)`, `x^\\top` are transposes; `A^-1` and `inv(A)` the
inverse; `*`, `@`, `·` and juxtaposition (`W x`, `Wx` when W and x have shapes) the matrix
product, or scaling when one side is a scalar; `⊙` and `hadamard(a, b)` the entrywise product;
every scalar function applies entry by entry. `norm(u)^2`, `log(det(X))` and `log(softmax(z))`
are read as one primitive each (their derivatives are simpler and stabler whole).
"""

from __future__ import annotations

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.errors import LimitError, ParseError
from chainrule_cli.parse.lexer import END, NAME, NUM, OP, SUP, Token, is_prime
from chainrule_cli.parse.names import FUNCTIONS, UNICODE_GREEK

# Functions of arrays: name -> (arguments, builder)
_ARRAY_FUNCTIONS = {
    "sum": 1, "mean": 1, "norm": 1, "trace": 1, "tr": 1, "Tr": 1, "det": 1, "inv": 1,
    "diag": 1, "softmax": 1, "logsumexp": 1, "dot": 2, "hadamard": 2, "transpose": 1,
}  # fmt: skip
_UNARY_NAMES = {"tr": "trace", "Tr": "trace"}
_ELEMENTWISE_NAMES = {"ReLU": "relu", "Sigmoid": "sigmoid"}
# Scalar functions of one argument that make sense entry by entry
_NOT_ELEMENTWISE = frozenset({"Eq", "Ne", "And", "Or", "Not", "Max", "max", "Min", "min",
                              "root", "atan2", "log2", "log10"})  # fmt: skip
_GREEK_NAMES = frozenset(UNICODE_GREEK.values())
MAX_TOKENS_DEPTH = 400


def parse_array(
    text: str, tokens: list[Token], shapes: dict[str, A.Shape], max_depth: int = MAX_TOKENS_DEPTH
) -> tuple[A.Node, tuple[str, ...]]:
    """The array tree of the tokens, and the notes on how names were read ('Wx read as W·x')."""
    parser = _ArrayParser(tokens, text, shapes, max_depth)
    node = parser.parse()
    return node, tuple(parser.notes)


class _ArrayParser:
    def __init__(self, tokens, text, shapes, max_depth):
        self.tokens = tokens
        self.text = text
        self.shapes = shapes
        self.pos = 0
        self.depth = 0
        self.max_depth = max_depth
        self.notes: list[str] = []
        self.norms = 0  # ‖…‖ open: a ‖ closes rather than starts a factor

    # ---- tokens ---------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != END:
            self.pos += 1
        return tok

    def is_op(self, *values: str) -> bool:
        return self.tok.kind == OP and self.tok.value in values

    def error(self, message: str, col: int) -> ParseError:
        return ParseError(message, column=col, text=self.text)

    def unexpected(self) -> ParseError:
        tok = self.tok
        if tok.kind == END:
            return self.error("unexpected end of input, expected an expression", tok.col)
        return self.error(f"unexpected {tok.describe()}", tok.col)

    def expect(self, closer: str, opener: Token) -> None:
        if self.is_op(closer):
            self.advance()
            return
        if self.tok.kind == END:
            raise self.error(f"'{opener.value}' is never closed (expected '{closer}')", opener.col)
        raise self.error(f"expected '{closer}' but found {self.tok.describe()}", self.tok.col)

    def enter(self, col: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise LimitError(
                f"nesting deeper than {self.max_depth} levels", column=col, text=self.text
            )

    # ---- grammar --------------------------------------------------------------------------
    def parse(self) -> A.Node:
        node = self.sum()
        if self.tok.kind != END:
            if self.is_op("="):
                raise self.error(
                    "with --shape, give the expression alone (not a definition or an equation)",
                    self.tok.col,
                )
            raise self.unexpected()
        return node

    def sum(self) -> A.Node:
        first = self.tok
        if self.is_op("+"):
            self.advance()
        node = self.term()
        del first
        while self.is_op("+", "-"):
            op = self.advance()
            right = self.term()
            node = A.add(node, right, col=op.col) if op.value == "+" else A.sub(
                node, right, col=op.col)  # fmt: skip
        return node

    def starts_factor(self) -> bool:
        tok = self.tok
        if tok.kind in (NAME, NUM):
            return True
        if tok.kind == OP and tok.value == "‖":
            return self.norms == 0
        return tok.kind == OP and tok.value in ("(", "{", "\\frac", "sqrt", "\\sqrt")

    def term(self) -> A.Node:
        node = self.unary()
        while True:
            if self.is_op("*", "@", "/", "⊙"):
                op = self.advance()
                right = self.unary()
                node = self.combine(node, op, right)
            elif self.starts_factor():
                col = self.tok.col
                right = self.power()
                node = A.product(node, right, col=col)
            else:
                return node

    def combine(self, left: A.Node, op: Token, right: A.Node) -> A.Node:
        if op.value == "⊙":
            return A.hadamard(left, right, col=op.col)
        if op.value == "/":
            if not right.shape.scalar and not (right.shape == left.shape):
                raise self.error(
                    f"cannot divide by {A.describe(right)}: division is entry by entry "
                    "(by a scalar or an array of the same shape); for an inverse write inv(...)",
                    op.col,
                )
            return A.divide(left, right, col=op.col)
        return A.product(left, right, col=op.col)

    def unary(self) -> A.Node:
        if self.is_op("-"):
            op = self.advance()
            self.enter(op.col)
            operand = self.unary()
            self.depth -= 1
            return A.neg(operand, col=op.col)
        if self.is_op("+"):
            self.advance()
            return self.unary()
        return self.power()

    def power(self) -> A.Node:
        start = self.tok
        base = self.postfix()
        if self.tok.kind == SUP:
            sup = self.advance()
            return self.raise_to(base, sup.value, sup, start)
        if self.is_op("^"):
            op = self.advance()
            if self.tok.kind == NAME and self.tok.value == "T" or self.is_op("⊤"):
                self.advance()
                return self.postfix_more(A.transpose(base, col=op.col))
            if self.is_op("{"):
                brace = self.advance()
                if self.tok.kind == NAME and self.tok.value == "T" or self.is_op("⊤"):
                    self.advance()
                    self.expect("}", brace)
                    return self.postfix_more(A.transpose(base, col=op.col))
                exponent = self.sum()
                self.expect("}", brace)
            elif self.is_op("-"):
                minus = self.advance()
                inner = self.postfix()
                exponent = A.neg(inner, col=minus.col)
            else:
                exponent = self.postfix()
            if not isinstance(exponent, A.Const):
                raise self.error(
                    "an exponent here must be a number (or T for a transpose)", op.col + 1
                )
            return self.raise_to(base, exponent.value, op, start)
        return base

    def postfix_more(self, node: A.Node) -> A.Node:
        while self.tok.kind == OP and is_prime(self.tok):
            tok = self.advance()
            for _ in tok.value:
                node = A.transpose(node, col=tok.col)
        return node

    def raise_to(self, base: A.Node, k, op: Token, start: Token) -> A.Node:
        if isinstance(k, str):
            if k == "T":
                return A.transpose(base, col=op.col)
            k = _number(k)
        if base.shape.scalar:
            return A.power(base, k, col=op.col)
        if k == -1 and base.shape.square:
            return A.unary("inv", base, col=op.col)
        if k == -1:
            raise self.error(f"an inverse needs a square matrix; {A.describe(base)}", op.col)
        what = _span(self.text, start.col, op.col)
        if k == 2 and base.shape.vector:
            raise self.error(
                f"{what}^2 of a vector: write norm({what})^2 or dot({what}, {what}) for the "
                f"squared length, or hadamard({what}, {what}) entry by entry",
                op.col,
            )
        raise self.error(
            f"a power of {A.describe(base)}: write it entry by entry with hadamard, or as a "
            "product of matrices",
            op.col,
        )

    def postfix(self) -> A.Node:
        node = self.primary()
        return self.postfix_more(node)

    def primary(self) -> A.Node:  # noqa: C901 - one branch per kind of primary
        tok = self.tok
        if tok.kind == NUM:
            self.advance()
            return A.Const(_number(tok.value))
        if tok.kind == NAME:
            return self.name()
        if tok.kind == OP:
            if tok.value in ("(", "{", "["):
                self.advance()
                self.enter(tok.col)
                inner = self.sum()
                self.depth -= 1
                self.expect({"(": ")", "{": "}", "[": "]"}[tok.value], tok)
                return inner
            if tok.value == "‖":
                self.advance()
                self.norms += 1
                inner = self.sum()
                self.norms -= 1
                self.expect("‖", tok)
                return A.unary("norm", inner, col=tok.col)
            if tok.value == "|":
                self.advance()
                inner = self.sum()
                self.expect("|", tok)
                if not inner.shape.scalar:
                    raise self.error(
                        f"|…| of {A.describe(inner)}: write norm(…) or ‖…‖ for its length, "
                        "or abs(…) entry by entry",
                        tok.col,
                    )
                return A.apply(sympy.Abs(A.S), inner, "abs", col=tok.col)
            if tok.value == "\\frac":
                self.advance()
                top = self.braced()
                below = self.braced()
                return self.combine(top, Token(OP, "/", tok.col), below)
            if tok.value in ("sqrt", "\\sqrt"):
                self.advance()
                arg = self.braced() if self.is_op("{") else self.power()
                return self.elementwise("sqrt", arg, tok)
        raise self.unexpected()

    def braced(self) -> A.Node:
        if not self.is_op("{"):
            raise self.error(f"expected '{{' but found {self.tok.describe()}", self.tok.col)
        brace = self.advance()
        inner = self.sum()
        self.expect("}", brace)
        return inner

    def name(self) -> A.Node:
        tok = self.advance()
        name = tok.value
        if name in self.shapes:
            return A.Var(name, self.shapes[name], col=tok.col)
        fn = _ELEMENTWISE_NAMES.get(name, name)
        if fn in _ARRAY_FUNCTIONS or (fn in FUNCTIONS and fn not in _NOT_ELEMENTWISE):
            return self.call(fn, tok)
        if name in ("pi", "π"):
            return A.Const(sympy.pi)
        if name == "e":
            return A.Const(sympy.E)
        split = self.split(name)
        if split is not None:
            parts = [A.Var(p, self.shapes[p], col=tok.col) if p in self.shapes else
                     A.Var(p, A.SCALAR, col=tok.col) for p in split]  # fmt: skip
            node = parts[0]
            for p in parts[1:]:
                node = A.product(node, p, col=tok.col)
            self.notes.append(f"{name} read as {'·'.join(split)}")
            return node
        if self.is_op("("):
            raise self.error(
                f"unknown function {name!r} (with --shape: a name with a shape is an array; "
                f"{name}(…) is not a function chainrule knows)",
                tok.col,
            )
        return A.Var(name, A.SCALAR, col=tok.col)

    def split(self, name: str) -> list[str] | None:
        """Wx, Ax, xTAx? — a name made wholly of names with a shape (at least two; each piece
        one declared name), read as their product. None if it is not."""
        if len(name) < 2:
            return None
        shaped = sorted(self.shapes, key=len, reverse=True)
        out: list[str] = []
        i = 0
        while i < len(name):
            for s in shaped:
                if name.startswith(s, i):
                    out.append(s)
                    i += len(s)
                    break
            else:
                return None
        return out if len(out) >= 2 else None

    def call(self, fn: str, tok: Token) -> A.Node:
        if self.is_op("("):
            opener = self.advance()
            self.enter(opener.col)
            args = [self.sum()]
            while self.is_op(","):
                self.advance()
                args.append(self.sum())
            self.depth -= 1
            self.expect(")", opener)
        elif self.starts_factor():  # log det X, tanh z, tr X: a function without brackets
            args = [self.power()]
        else:
            raise self.error(f"{fn} needs an argument", tok.col)
        want = _ARRAY_FUNCTIONS.get(fn, 1)
        if fn == "log" and len(args) == 2:
            raise self.error("log with a base is not read entry by entry; write log(u)/log(b)",
                             tok.col)  # fmt: skip
        if len(args) != want:
            raise self.error(
                f"{fn} takes {want} argument{'s' if want > 1 else ''}, not {len(args)}", tok.col
            )
        if fn == "dot":
            return A.Dot(args[0], args[1], col=tok.col)
        if fn == "hadamard":
            return A.Hadamard(args[0], args[1], col=tok.col)
        if fn == "transpose":
            return A.transpose(args[0], col=tok.col)
        if fn in _ARRAY_FUNCTIONS:
            op = _UNARY_NAMES.get(fn, fn)
            return A.unary(op, args[0], col=tok.col)
        return self.elementwise(fn, args[0], tok)

    def elementwise(self, fn: str, arg: A.Node, tok: Token) -> A.Node:
        if fn in ("log", "ln"):
            if isinstance(arg, A.Unary) and arg.op == "det":
                return A.unary("logdet", arg.a, col=tok.col)
            if isinstance(arg, A.Unary) and arg.op == "softmax":
                return A.unary("logsoftmax", arg.a, col=tok.col)
        spec = FUNCTIONS[fn]
        formula = spec.build(A.S)
        return A.apply(formula, arg, spec.name if spec.name != "ln" else "log", col=tok.col)


def _number(text: str) -> sympy.Expr:
    """A number token as an exact SymPy number, built from its digits (never sympify)."""
    text = text.replace("−", "-")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if "e" in text.lower():
        mantissa, _, exp = text.lower().partition("e")
        return sign * _number(mantissa) * sympy.Integer(10) ** int(exp)
    whole, _, frac = text.partition(".")
    value = sympy.Integer(int(whole or "0"))
    if frac:
        value += sympy.Rational(int(frac), 10 ** len(frac))
    return sign * value


def _span(text: str, start: int, stop: int) -> str:
    return text[start - 1 : stop - 1].strip()
