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

import re

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
_LEFT_DIVISION = re.compile(r"(?<!\\)\\(?=\s|$)")  # a lone backslash before a space or the end


def parse_array(
    text: str, tokens: list[Token], shapes: dict[str, A.Shape], max_depth: int = MAX_TOKENS_DEPTH
) -> tuple[A.Node, tuple[str, ...]]:
    """The array tree of the tokens, and the notes on how names were read ('Wx read as W·x')."""
    left = _LEFT_DIVISION.search(text)
    if left is not None:  # A \ b: a LaTeX space to the lexer, a solve to a MATLAB user
        raise ParseError(
            "A \\ b (MATLAB's left division) is not read; write inv(A)*b",
            column=left.start() + 1,
            text=text,
        )
    parser = _ArrayParser(_double_bars(tokens), text, shapes, max_depth)
    node = parser.parse()
    return node, tuple(parser.notes)


def _double_bars(tokens: list[Token]) -> list[Token]:
    """||x|| typed in ASCII is the norm ‖x‖: two bars with nothing between are one ‖, except
    inside an open |…| (|a||b| is |a|·|b|)."""
    out: list[Token] = []
    open_abs = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == OP and tok.value == "|":
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            double = after is not None and after.kind == OP and after.value == "|"
            if double and after.col == tok.col + 1 and not open_abs:
                out.append(Token(OP, "‖", tok.col))
                i += 2
                continue
            open_abs = not open_abs
        out.append(tok)
        i += 1
    return out


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
        self.bars = 0  # |…| open: a | closes
        self.lone_i = 0  # the column of the first I read without a size (0: none)

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
        if self.tok.kind == END and _unsized(node):
            raise self.error(_NO_SIZE, self.lone_i)
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
            node, right = self.size_identity(node, right, "add", op.col)
            node = A.add(node, right, col=op.col, like=False) if op.value == "+" else A.sub(
                node, right, col=op.col, like=False)  # fmt: skip
        return node

    def size_identity(self, a: A.Node, b: A.Node, how: str, col: int) -> tuple[A.Node, A.Node]:
        """A + λI, Wᵀ(I − P), xᵀ I x: the I without --shape takes its size from what it meets
        (the other term of a sum, the inner size of a product); a scalar leaves it open."""
        if not self.lone_i:
            return a, b
        ua, ub = _unsized(a), _unsized(b)
        if ua == ub:
            return a, b
        other = b if ua else a
        if other.shape.scalar:
            return a, b
        if how == "product":
            n = other.shape.rows if ua else other.shape.cols
        elif other.shape.square:
            n = other.shape.rows
        else:
            raise self.error(
                f"I is a square matrix, so it cannot be added to {A.text(other)} "
                f"({A.describe(other)})",
                col,
            )
        return (_sized(a, n), b) if ua else (a, _sized(b, n))

    def starts_factor(self) -> bool:
        tok = self.tok
        if tok.kind in (NAME, NUM):
            return True
        if tok.kind == OP and tok.value == "‖":
            return self.norms == 0
        if tok.kind == OP and tok.value == "|":
            return self.bars == 0
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
                node, right = self.size_identity(node, right, "product", col)
                node = A.product(node, right, col=col)
            else:
                return node

    def combine(self, left: A.Node, op: Token, right: A.Node) -> A.Node:
        how = "product" if op.value in ("*", "@") else "add"  # ⊙ and / need one shape
        left, right = self.size_identity(left, right, how, op.col)
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
                return self.postfix_more(self.transposed(base, op.col))
            if self.is_op("{"):
                brace = self.advance()
                if self.tok.kind == NAME and self.tok.value == "T" or self.is_op("⊤"):
                    self.advance()
                    self.expect("}", brace)
                    return self.postfix_more(self.transposed(base, op.col))
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

    def transposed(self, node: A.Node, col: int) -> A.Node:
        """xᵀ; a number's or an unshaped name's transpose is refused (1^T x is not x, and b^T x
        with b given no shape is not the product of two scalars a student meant)."""
        if isinstance(node, A.Const):
            raise self.error(
                "a number has no transpose: for the row of ones write ones(n)^T (ones(n)^T*x"
                " is sum(x))",
                col,
            )
        if isinstance(node, A.Var) and node.shape.scalar:
            raise self.error(
                f"{node.name}^T: {node.name} has no shape, so it is a scalar; give it one with"
                f" --shape {node.name}=n",
                col,
            )
        return A.transpose(node, col=col)

    def postfix_more(self, node: A.Node) -> A.Node:
        while True:
            if self.tok.kind == OP and is_prime(self.tok):
                tok = self.advance()
                for _ in tok.value:
                    node = self.transposed(node, tok.col)
            elif self.tok.kind == NAME and self.tok.value.startswith("_") or self.is_op("_"):
                node = self.subscript(node)
            else:
                return node

    def subscript(self, node: A.Node) -> A.Node:
        """‖w‖_2 and ‖X‖_F are the norm chainrule reads (the 2-norm of a vector, the Frobenius
        norm of a matrix); any other subscript after a norm or a bracket is refused, never read
        as a name of its own (‖w‖_1 is not ‖w‖ times a scalar _1)."""
        tok = self.advance()
        sub = tok.value[1:]
        if not sub and self.is_op("{"):  # LaTeX ‖w‖_{2}
            self.advance()
            while self.tok.kind != END and not self.is_op("}"):
                sub += self.advance().value
            self.advance()
        elif not sub and self.tok.kind in (NAME, NUM) and self.tok.col == tok.col + 1:
            sub = self.advance().value  # ‖w‖_∞, \|w\|_2: the subscript is its own token
        sub = {"oo": "∞", "infty": "∞", "inf": "∞"}.get(sub, sub)
        if isinstance(node, A.Unary) and node.op == "norm":
            inner = node.a
            if sub == "2" and not inner.shape.matrix:
                return node
            if sub in ("F", "fro") and inner.shape.matrix:
                return node
            if sub == "2":
                raise self.error(
                    "‖X‖_2 of a matrix (its largest singular value) is not read; ‖X‖_F or "
                    "norm(X) is the Frobenius norm",
                    tok.col,
                )
            if sub in ("F", "fro"):
                return node  # of a vector, the Frobenius norm is the 2-norm
            if sub == "1":
                raise self.error(
                    "the 1-norm ‖…‖_1 is not read as a norm; write sum(abs(…))", tok.col
                )
            raise self.error(
                f"the norm ‖…‖_{sub} is not read; chainrule's norm is the 2-norm (‖w‖_2, norm(w))"
                " and, of a matrix, the Frobenius norm (‖X‖_F)",
                tok.col,
            )
        raise self.error(
            f"'_{sub}' is a subscript with nothing to name: write it on a name (x_1), and a norm"
            " as norm(…) or ‖…‖",
            tok.col,
        )

    def raise_to(self, base: A.Node, k, op: Token, start: Token) -> A.Node:
        if isinstance(k, str):
            if k == "T":
                return self.transposed(base, op.col)
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
                self.bars += 1
                inner = self.sum()
                self.bars -= 1
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
        if self.tok.value.startswith("_"):  # _2 w: a subscript of nothing
            return self.subscript(A.Const(sympy.Integer(0)))  # refused: nothing to name
        tok = self.advance()
        name = tok.value
        if name in self.shapes:
            return A.Var(name, self.shapes[name], col=tok.col)
        fn = _ELEMENTWISE_NAMES.get(name, name)
        if fn in _ARRAY_FUNCTIONS or (fn in FUNCTIONS and fn not in _NOT_ELEMENTWISE):
            return self.call(fn, tok)
        if name == "I":  # the identity, its size told by what it meets
            self.lone_i = self.lone_i or tok.col
            return A.Identity(_OPEN)
        if name in ("eye", "ones") and self.is_op("("):
            return self.made_array(name, tok)
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
            self.notes.append(f"{name} as {'·'.join(split)}")
            return node
        if self.is_op("("):
            raise self.error(
                f"unknown function {name!r} (with --shape: a name with a shape is an array; "
                f"{name}(…) is not a function chainrule knows)",
                tok.col,
            )
        return A.Var(name, A.SCALAR, col=tok.col)

    def made_array(self, name: str, tok: Token) -> A.Node:
        """eye(n), eye(3): the identity; ones(m), ones(1xn), ones(3x2): the array of ones (as
        the JSON's formulas write them). The size is a number or a size letter."""
        opener = self.advance()
        while self.tok.kind != END and not self.is_op(")"):
            self.advance()
        closer = self.tok
        self.expect(")", opener)
        spec = self.text[opener.col : closer.col - 1]
        try:
            shape = A.parse_shape(spec)
        except ValueError:
            shape = None
        named = [size for size in re.findall(r"[A-Za-z_]\w*", spec) if size in self.shapes]
        if shape is not None and named:
            raise self.error(
                f"{name}(…) takes a size, and {named[0]} is an array here (its --shape); write"
                f" the size itself ({name}(3), {name}(n))",
                tok.col,
            )
        if name == "eye":
            if shape is None or shape.cols != 1:
                raise self.error(f"eye takes one size (eye(3), eye(n)), not {spec.strip()!r}",
                                 tok.col)  # fmt: skip
            return A.Identity(shape.rows)
        if shape is None:
            raise self.error(
                f"ones takes a shape (ones(3), ones(n), ones(1xn), ones(mxn)), not "
                f"{spec.strip()!r}",
                tok.col,
            )
        return A.Ones(shape)

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
        if self.lone_i and any(_unsized(a) for a in args):
            raise self.error(_NO_SIZE, self.lone_i)
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
            return self.transposed(args[0], tok.col)
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


_OPEN = "I?"  # the size of an I not yet told by what it meets
_NO_SIZE = ("the size of I cannot be told from what it meets here: write eye(n) (or eye(3)), "
            "or give it a shape with --shape I=nxn")  # fmt: skip


def _unsized(node: A.Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Identity) and n.n == _OPEN:
            return True
        stack.extend(n.args)
    return False


def _sized(node: A.Node, n) -> A.Node:
    """The tree with its open I made n×n (and every node above it built again)."""
    if isinstance(node, A.Identity):
        return A.Identity(n) if node.n == _OPEN else node
    if not node.args:
        return node
    return node.rebuild(tuple(_sized(a, n) for a in node.args))


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
