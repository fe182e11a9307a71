"""Vectors and matrices: shapes, and the array expression tree that parse/ builds and calculus/
differentiates (`W*x + b` with W 3×2 is Add(MatMul(W, x), b), each node knowing its shape).

A shape is (rows, cols); a size is a number or a letter (a symbolic size). A scalar is 1×1, a
vector `n` is n×1 (a column, as a course writes it), a row is 1×n. Building a node checks its
operands' shapes and raises ShapeError with the column of the operator ("W is 3×2, so W·x needs
x of size 2; x is 3"). The tree is immutable and holds no SymPy matrices: its size never depends
on the sizes of the arrays, so a derivation costs the same at 3×2 as at 3000×2000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from chainrule_cli.errors import ChainruleError

Size = int | str


class ShapeError(ChainruleError):
    """Operands whose shapes do not fit (bad input: exit 2)."""

    kind = "parse"


@dataclass(frozen=True, slots=True)
class Shape:
    rows: Size = 1
    cols: Size = 1

    @property
    def scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1

    @property
    def column(self) -> bool:
        return self.cols == 1 and self.rows != 1

    @property
    def row(self) -> bool:
        return self.rows == 1 and self.cols != 1

    @property
    def vector(self) -> bool:
        return self.column or self.row

    @property
    def matrix(self) -> bool:
        return self.rows != 1 and self.cols != 1

    @property
    def square(self) -> bool:
        return self.rows == self.cols

    @property
    def length(self) -> Size:
        """A vector's number of entries."""
        return self.cols if self.row else self.rows

    @property
    def t(self) -> Shape:
        return Shape(self.cols, self.rows)

    def text(self) -> str:
        """As a course writes it: scalar, n (a column), 1×n, m×n."""
        if self.scalar:
            return "scalar"
        if self.column:
            return str(self.rows)
        return f"{self.rows}×{self.cols}"

    def a(self) -> str:
        """'a 3×2 matrix' or 'an m×n matrix', 'an 8×8 matrix': the article as the size is said."""
        said = self.text()
        lead = re.match(r"\d+", said)
        if lead:
            vowel = lead.group().startswith("8") or lead.group() in ("11", "18")
        else:
            vowel = said[:1] in set("aefhilmnorsxAEFHILMNORSX")
        return f"{'an' if vowel else 'a'} {said}"

    def spec(self) -> str:
        """As --shape takes it: 1, n, 1xn, mxn."""
        if self.scalar:
            return "1"
        if self.column:
            return str(self.rows)
        return f"{self.rows}x{self.cols}"

    def sizes(self) -> tuple[Size, Size]:
        return (self.rows, self.cols)

    def count(self) -> sympy.Expr:
        """The number of entries, a SymPy number or product of size letters."""
        return size_expr(self.rows) * size_expr(self.cols)


SCALAR = Shape(1, 1)
VECTOR_NAME = Shape("n", 1)  # the shape a name is printed with when its own is not at hand
_SIZE = re.compile(r"[1-9][0-9]*|[A-Za-z][A-Za-z0-9_]*")
MAX_SIZE = 10**9


def size_expr(size: Size) -> sympy.Expr:
    return sympy.Integer(size) if isinstance(size, int) else sympy.Symbol(size, positive=True)


def parse_shape(spec: str) -> Shape:
    """'n' → n×1, '3' → 3×1, 'mxn' / '3x2' / '3×2' / '3,2' → a matrix, '1xn' → a row, '1' → a
    scalar.
    Raises ValueError with the reason."""
    text = spec.strip().replace("×", "x").replace("*", "x").replace(",", "x").replace(" ", "")
    # "mxn", "3x2": split at the x between two sizes
    parts = _split_sizes(text) if "x" in text[1:-1] else [text]
    if not parts or len(parts) > 2 or not all(_SIZE.fullmatch(p) for p in parts):
        raise ValueError(
            f"a shape is n (a column vector), mxn (a matrix) or 1xn (a row), not {spec!r}"
        )
    sizes: list[Size] = [int(p) if p.isdigit() else p for p in parts]
    for s in sizes:
        if isinstance(s, int) and s > MAX_SIZE:
            raise ValueError(f"a size of {s} is over the limit of {MAX_SIZE:,}")
    return Shape(sizes[0], sizes[1] if len(sizes) == 2 else 1)


def _split_sizes(text: str) -> list[str]:
    for i, ch in enumerate(text):
        if ch == "x" and 0 < i < len(text) - 1:
            left, right = text[:i], text[i + 1 :]
            if _SIZE.fullmatch(left) and _SIZE.fullmatch(right):
                return [left, right]
    return [text]


# ---- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """An array expression. `shape` is computed when the node is built; `col` is the 1-based
    column of its operator in the input (0 when the node was built by chainrule)."""

    shape: Shape = field(init=False, compare=False)
    col: int = field(default=0, kw_only=True, compare=False, repr=False)

    @property
    def args(self) -> tuple[Node, ...]:
        return ()

    def rebuild(self, args: tuple[Node, ...]) -> Node:
        return self

    def _set(self, shape: Shape) -> None:
        object.__setattr__(self, "shape", shape)


@dataclass(frozen=True, slots=True)
class Var(Node):
    """A named input (or a name the derivation introduces: z, a, δ_z)."""

    name: str = ""
    declared: Shape = SCALAR

    def __post_init__(self):
        self._set(self.declared)


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A scalar number (2, 1/2, π) or a product of size letters (1/(mn) for a mean)."""

    value: sympy.Expr = sympy.S.One

    def __post_init__(self):
        self._set(SCALAR)


@dataclass(frozen=True, slots=True)
class Ones(Node):
    """𝟏, the array of ones of a shape (δ·𝟏 is the gradient of a sum)."""

    of: Shape = SCALAR

    def __post_init__(self):
        self._set(self.of)


@dataclass(frozen=True, slots=True)
class Identity(Node):
    """I, the n×n identity (the gradient of a trace)."""

    n: Size = 1

    def __post_init__(self):
        self._set(Shape(self.n, self.n))


def _fits(a: Shape, b: Shape) -> bool:
    return a == b or a.scalar or b.scalar


def _joint(a: Shape, b: Shape) -> Shape:
    return b if a.scalar else a


def _shape_error(message: str, col: int) -> ShapeError:
    return ShapeError(message, column=col or None)


def describe(node: Node) -> str:
    """'W is 3×2' — a node in a shape message, by its name or its text."""
    what = node.name if isinstance(node, Var) else text(node)
    return f"{what} is {node.shape.text()}"


@dataclass(frozen=True, slots=True)
class Add(Node):
    """A sum of terms of one shape (a scalar term is added to every entry)."""

    terms: tuple[Node, ...] = ()

    def __post_init__(self):
        shape = self.terms[0].shape
        for t in self.terms[1:]:
            if not _fits(shape, t.shape):
                raise _shape_error(
                    f"cannot add: {describe(self.terms[0])} and {describe(t)}", t.col or self.col
                )
            shape = _joint(shape, t.shape)
        self._set(shape)

    @property
    def args(self):
        return self.terms

    def rebuild(self, args):
        return Add(tuple(args), col=self.col)


@dataclass(frozen=True, slots=True)
class Neg(Node):
    a: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        self._set(self.a.shape)

    @property
    def args(self):
        return (self.a,)

    def rebuild(self, args):
        return Neg(args[0], col=self.col)


@dataclass(frozen=True, slots=True)
class Scale(Node):
    """c·A with c a scalar."""

    c: Node = None  # type: ignore[assignment]
    a: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        self._set(self.a.shape)

    @property
    def args(self):
        return (self.c, self.a)

    def rebuild(self, args):
        return Scale(args[0], args[1], col=self.col)


@dataclass(frozen=True, slots=True)
class MatMul(Node):
    """The matrix product A·B (inner sizes equal)."""

    a: Node = None  # type: ignore[assignment]
    b: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        sa, sb = self.a.shape, self.b.shape
        if sa.cols != sb.rows:
            raise _shape_error(_product_mismatch(self.a, self.b), self.col)
        self._set(Shape(sa.rows, sb.cols))

    @property
    def args(self):
        return (self.a, self.b)

    def rebuild(self, args):
        return product(args[0], args[1], col=self.col)


def _product_mismatch(a: Node, b: Node) -> str:
    sa, sb = a.shape, b.shape
    an = a.name if isinstance(a, Var) else f"({text(a)})"
    bn = b.name if isinstance(b, Var) else f"({text(b)})"
    need = f"{sa.cols} rows" if sb.matrix else f"size {sa.cols}"
    hint = ""
    if sa.column and sb.column and sa.rows == sb.rows:
        hint = (
            f"; for the inner product write dot({an}, {bn}) or {an}^T*{bn}, for the product"
            f" entry by entry hadamard({an}, {bn})"
        )
    elif sa.rows == sb.rows and sa.matrix:
        hint = f"; {an}^T*{bn} fits"
    return f"{an} is {sa.text()}, so {an}·{bn} needs {bn} of {need}; {bn} is {sb.text()}{hint}"


@dataclass(frozen=True, slots=True)
class Hadamard(Node):
    """a ⊙ b, entry by entry (same shapes)."""

    a: Node = None  # type: ignore[assignment]
    b: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        if not _fits(self.a.shape, self.b.shape):
            raise _shape_error(
                f"a ⊙ b needs two arrays of one shape: {describe(self.a)}, {describe(self.b)}",
                self.col,
            )
        self._set(_joint(self.a.shape, self.b.shape))

    @property
    def args(self):
        return (self.a, self.b)

    def rebuild(self, args):
        return Hadamard(args[0], args[1], col=self.col)


@dataclass(frozen=True, slots=True)
class Divide(Node):
    """a / b entry by entry (b a scalar or of a's shape)."""

    a: Node = None  # type: ignore[assignment]
    b: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        if not _fits(self.a.shape, self.b.shape):
            raise _shape_error(
                f"a / b divides entry by entry: {describe(self.a)}, {describe(self.b)}", self.col
            )
        self._set(_joint(self.a.shape, self.b.shape))

    @property
    def args(self):
        return (self.a, self.b)

    def rebuild(self, args):
        return Divide(args[0], args[1], col=self.col)


@dataclass(frozen=True, slots=True)
class Power(Node):
    """u^k entry by entry, k a number (a scalar u^k, or the square a ⊙ a written a^2 inside
    chainrule's own formulas)."""

    a: Node = None  # type: ignore[assignment]
    k: sympy.Expr = sympy.S.One

    def __post_init__(self):
        self._set(self.a.shape)

    @property
    def args(self):
        return (self.a,)

    def rebuild(self, args):
        return Power(args[0], self.k, col=self.col)


@dataclass(frozen=True, slots=True)
class Transpose(Node):
    a: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        self._set(self.a.shape.t)

    @property
    def args(self):
        return (self.a,)

    def rebuild(self, args):
        return transpose(args[0])


S = sympy.Symbol("s", real=True)  # the argument of an elementwise function's formula


@dataclass(frozen=True, slots=True)
class Apply(Node):
    """A scalar function applied to every entry: `formula` is a SymPy expression in S
    (sigmoid(s), 1 − s², cos(s)); `name` the function's name when formula is name(s)."""

    formula: sympy.Expr = S
    a: Node = None  # type: ignore[assignment]
    name: str = ""

    def __post_init__(self):
        self._set(self.a.shape)

    @property
    def args(self):
        return (self.a,)

    def rebuild(self, args):
        return Apply(self.formula, args[0], self.name, col=self.col)


# The reductions and matrix functions of one argument, with what they need and give.
#   name: (needs, gives) — needs: "any", "vector", "square"; gives: "scalar", "same", "diag"
UNARY = {
    "sum": ("any", "scalar"),
    "mean": ("any", "scalar"),
    "norm": ("any", "scalar"),  # the 2-norm of a vector, the Frobenius norm of a matrix
    "sqnorm": ("any", "scalar"),  # norm(u)^2, read as one primitive
    "trace": ("square", "scalar"),
    "det": ("square", "scalar"),
    "logdet": ("square", "scalar"),  # log(det(X)), read as one primitive
    "inv": ("square", "same"),
    "softmax": ("vector", "same"),
    "logsoftmax": ("vector", "same"),  # log(softmax(z)), read as one primitive
    "logsumexp": ("vector", "scalar"),
    "diag": ("any", "diag"),  # a vector's diagonal matrix; a square matrix's diagonal
}


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str = "sum"
    a: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        needs, gives = UNARY[self.op]
        sa = self.a.shape
        shown = {"inv": "an inverse", "det": "det", "logdet": "log det", "trace": "trace"}
        if needs == "square" and not (sa.square and not sa.scalar):
            raise _shape_error(
                f"{shown.get(self.op, self.op)} needs a square matrix; {describe(self.a)}",
                self.col,
            )
        if needs == "vector" and not (sa.vector or sa.scalar):
            raise _shape_error(f"{self.op} needs a vector; {describe(self.a)}", self.col)
        if gives == "scalar":
            shape = SCALAR
        elif gives == "same":
            shape = sa
        elif sa.vector:
            shape = Shape(sa.length, sa.length)
        elif sa.square:
            shape = Shape(sa.rows, 1)
        else:
            raise _shape_error(
                f"diag needs a vector or a square matrix; {describe(self.a)}", self.col
            )
        self._set(shape)

    @property
    def args(self):
        return (self.a,)

    def rebuild(self, args):
        return Unary(self.op, args[0], col=self.col)


@dataclass(frozen=True, slots=True)
class Dot(Node):
    """The inner product of two vectors of one length (aᵀb)."""

    a: Node = None  # type: ignore[assignment]
    b: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        sa, sb = self.a.shape, self.b.shape
        if not (sa == sb or (sa.vector and sb.vector and sa.length == sb.length)):
            raise _shape_error(
                f"dot needs two vectors of one length: {describe(self.a)}, {describe(self.b)}",
                self.col,
            )
        self._set(SCALAR)

    @property
    def args(self):
        return (self.a, self.b)

    def rebuild(self, args):
        return Dot(args[0], args[1], col=self.col)


@dataclass(frozen=True, slots=True)
class Quadratic(Node):
    """xᵀAx, a quadratic form (x a vector, A square): read as one primitive."""

    x: Node = None  # type: ignore[assignment]
    m: Node = None  # type: ignore[assignment]

    def __post_init__(self):
        self._set(SCALAR)

    @property
    def args(self):
        return (self.x, self.m)

    def rebuild(self, args):
        return Quadratic(args[0], args[1], col=self.col)


# ---- building, with the small simplifications a course makes without saying -------------------


def is_const(node: Node, value=None) -> bool:
    return isinstance(node, Const) and (value is None or node.value == value)


def product(a: Node, b: Node, *, col: int = 0) -> Node:
    """a·b as written: a scalar times an array scales it, otherwise the matrix product."""
    if a.shape.scalar and b.shape.scalar:
        return scale(a, b, col=col)
    if a.shape.scalar:
        return scale(a, b, col=col)
    if b.shape.scalar:
        return scale(b, a, col=col)
    if isinstance(a, Identity):
        return b
    if isinstance(b, Identity):
        return a
    if isinstance(b, Scale) and isinstance(b.c, Const):  # A(cB) = c·AB
        return scale(b.c, product(a, b.a), col=col)
    if isinstance(a, Scale) and isinstance(a.c, Const):
        return scale(a.c, product(a.a, b), col=col)
    if isinstance(b, Neg):
        return neg(product(a, b.a), col=col)
    if isinstance(a, Neg):
        return neg(product(a.a, b), col=col)
    if (isinstance(a, MatMul) and isinstance(a.a, Transpose) and a.a.a == b
            and b.shape.column and a.b.shape.square):  # fmt: skip
        return Quadratic(b, a.b, col=col)
    return MatMul(a, b, col=col)


def scale(c: Node, a: Node, *, col: int = 0) -> Node:
    """c·a (c a scalar); 1·a is a, numbers are multiplied out, −1·a is −a."""
    if is_const(c, 1):
        return a
    if is_const(c, 0) or is_const(a, 0):
        return zero(a.shape)
    if is_const(c, -1):
        return neg(a)
    if isinstance(c, Const) and isinstance(a, Const):
        return Const(c.value * a.value)
    if isinstance(c, Const) and isinstance(a, Scale) and isinstance(a.c, Const):
        return scale(Const(c.value * a.c.value), a.a)
    if isinstance(c, Const) and isinstance(a, Neg):
        return scale(Const(-c.value), a.a)
    if isinstance(c, Neg):
        return neg(scale(c.a, a))
    if isinstance(c, Scale) and isinstance(c.c, Const) and not a.shape.scalar:
        return scale(c.c, scale(c.a, a))  # (2tr(X))·I is 2·tr(X)·I
    if a.shape.scalar and not c.shape.scalar:
        return Scale(a, c, col=col)
    if isinstance(a, Const) and not isinstance(c, Const):
        return scale(a, c, col=col)
    return Scale(c, a, col=col)


def zero(shape: Shape) -> Node:
    return Const(sympy.S.Zero) if shape.scalar else Scale(Const(sympy.S.Zero), Ones(shape))


def is_zero(node: Node) -> bool:
    return is_const(node, 0) or (isinstance(node, Scale) and is_const(node.c, 0))


def neg(a: Node, *, col: int = 0) -> Node:
    if isinstance(a, Neg):
        return a.a
    if isinstance(a, Const):
        return Const(-a.value)
    if isinstance(a, Scale) and isinstance(a.c, Const):
        return scale(Const(-a.c.value), a.a)
    return Neg(a, col=col)


def _split_coefficient(t: Node) -> tuple[sympy.Expr, Node]:
    """2Xᵀ → (2, Xᵀ), −u → (−1, u), u → (1, u): the number a term is of its core."""
    if isinstance(t, Neg):
        c, core = _split_coefficient(t.a)
        return -c, core
    if isinstance(t, Scale) and isinstance(t.c, Const) and not isinstance(t.a, Const):
        c, core = _split_coefficient(t.a)
        return t.c.value * c, core
    return sympy.S.One, t


def _like_terms(flat: list[Node]) -> list[Node]:
    """Xᵀ + Xᵀ is 2Xᵀ, λI + λI is 2λI, 3 + (−3) is nothing: equal cores are added up, in the
    order they first appear (the sum a course writes)."""
    numbers = [t.value for t in flat if isinstance(t, Const)]
    cores: dict[Node, sympy.Expr] = {}
    for t in flat:
        if isinstance(t, Const):
            continue
        c, core = _split_coefficient(t)
        cores[core] = cores.get(core, sympy.S.Zero) + c
    if len(cores) + min(len(numbers), 1) == len(flat):
        return flat  # nothing to add up: the terms as they were built
    out: list[Node] = []
    for core, c in cores.items():
        if c == 0:
            continue
        out.append(core if c == 1 else neg(core) if c == -1 else scale(Const(c), core))
    total = sympy.Add(*numbers)
    if numbers and total != 0:
        out.append(Const(total))
    return out


def add(*terms: Node, col: int = 0, like: bool = True) -> Node:
    """The sum, flattened, zeros left out and (like=True) like terms added up; the parser keeps
    what was typed (like=False: x + x is read as x + x)."""
    flat: list[Node] = []
    for t in terms:
        if isinstance(t, Add):
            flat.extend(t.terms)
        elif not is_zero(t):
            flat.append(t)
    if like:
        flat = _like_terms(flat)
    if not flat:
        return zero(terms[0].shape) if terms else Const(sympy.S.Zero)
    if len(flat) == 1:
        shape = terms[0].shape
        for t in terms[1:]:
            shape = _joint(shape, t.shape)
        return flat[0] if flat[0].shape == shape else Add(tuple(flat), col=col)
    return Add(tuple(flat), col=col)


def sub(a: Node, b: Node, *, col: int = 0, like: bool = True) -> Node:
    return add(a, neg(b), col=col, like=like)


def hadamard(a: Node, b: Node, *, col: int = 0) -> Node:
    if isinstance(a, Ones) and b.shape == a.shape:
        return b
    if isinstance(b, Ones) and a.shape == b.shape:
        return a
    if a.shape.scalar or b.shape.scalar:
        return product(a, b, col=col)
    if isinstance(a, Scale) and a.c.shape.scalar and isinstance(a.a, Ones):
        return scale(a.c, b)
    return Hadamard(a, b, col=col)


def transpose(a: Node, *, col: int = 0) -> Node:
    if a.shape.scalar:
        return a
    if isinstance(a, Transpose):
        return a.a
    if isinstance(a, (Identity,)) or (isinstance(a, Unary) and a.op == "diag" and a.shape.matrix):
        return a
    if isinstance(a, Ones):
        return Ones(a.shape.t)
    if isinstance(a, Scale):
        return scale(a.c, transpose(a.a))
    if isinstance(a, MatMul):  # (AB)ᵀ = BᵀAᵀ
        return product(transpose(a.b), transpose(a.a))
    if isinstance(a, Add):
        return add(*(transpose(t) for t in a.terms))
    if isinstance(a, Neg):
        return neg(transpose(a.a))
    return Transpose(a, col=col)


def divide(a: Node, b: Node, *, col: int = 0) -> Node:
    if is_const(b, 1):
        return a
    if isinstance(b, Const) and a.shape.scalar is False:
        return scale(Const(1 / b.value), a)
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value / b.value)
    return Divide(a, b, col=col)


def apply(formula: sympy.Expr, a: Node, name: str = "", *, col: int = 0) -> Node:
    if isinstance(a, Const):
        return Const(formula.xreplace({S: a.value}))
    return Apply(formula, a, name, col=col)


def power(a: Node, k, *, col: int = 0) -> Node:
    k = sympy.sympify(k)  # trusted: k is a SymPy number chainrule holds, never user text
    if k == 1:
        return a
    if isinstance(a, Const):
        return Const(a.value**k)
    if isinstance(a, Unary) and a.op == "norm" and k == 2:
        return Unary("sqnorm", a.a, col=col)
    return Power(a, k, col=col)


def unary(op: str, a: Node, *, col: int = 0) -> Node:
    if op in ("sum", "mean") and isinstance(a, Neg):
        return neg(unary(op, a.a), col=col)
    if op in ("sum", "mean", "trace") and a.shape.scalar:
        return a
    return Unary(op, a, col=col)


def substitute(node: Node, mapping: dict[str, Node]) -> Node:
    """node with the named Vars replaced (a name's forward formula put back)."""
    if isinstance(node, Var):
        return mapping.get(node.name, node)
    if not node.args:
        return node
    new = tuple(substitute(a, mapping) for a in node.args)
    if all(n is o for n, o in zip(new, node.args, strict=True)):
        return node
    return _rebuilt(node, new)


def _rebuilt(node: Node, args: tuple[Node, ...]) -> Node:
    """node over new args, through the simplifying builders."""
    match node:
        case Add():
            return add(*args)
        case Neg():
            return neg(args[0])
        case Scale():
            return scale(args[0], args[1])
        case MatMul():
            return product(args[0], args[1])
        case Hadamard():
            return hadamard(args[0], args[1])
        case Divide():
            return divide(args[0], args[1])
        case Power():
            return power(args[0], node.k)
        case Transpose():
            return transpose(args[0])
        case Apply():
            return apply(node.formula, args[0], node.name)
        case _:
            return node.rebuild(args)


def names_in(node: Node) -> set[str]:
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Var):
            out.add(n.name)
        stack.extend(n.args)
    return out


def size_letters(node: Node) -> set[str]:
    """The letter sizes of every shape in the tree (and in Const size products)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        for s in n.shape.sizes():
            if isinstance(s, str):
                out.add(s)
        if isinstance(n, Const):
            out.update(str(f) for f in n.value.free_symbols)
        if isinstance(n, Ones):
            out.update(s for s in n.of.sizes() if isinstance(s, str))
        stack.extend(n.args)
    return out


def height(node: Node) -> int:
    best, stack = 0, [(node, 1)]
    while stack:
        n, h = stack.pop()
        best = max(best, h)
        stack.extend((a, h + 1) for a in n.args)
    return best


def replace_node(node: Node, target: Node, by: Node) -> Node:
    """node with every occurrence of the subtree `target` (an equal subtree) replaced."""
    if node == target:
        return by
    if not node.args:
        return node
    new = tuple(replace_node(a, target, by) for a in node.args)
    if all(n is o for n, o in zip(new, node.args, strict=True)):
        return node
    return node.rebuild(new)


# ---- printing: text (as a course writes it), LaTeX, and the input language ---------------------

_PREC_ADD, _PREC_NEG, _PREC_MUL, _PREC_POW, _PREC_ATOM = 10, 15, 20, 30, 40


def _prec(node: Node) -> int:
    match node:
        case Add():
            return _PREC_ADD
        case Neg():
            return _PREC_NEG
        case Scale() | MatMul() | Hadamard() | Divide():
            return _PREC_MUL
        case Power() | Transpose():
            return _PREC_POW
        case Const():
            v = node.value
            if v.is_Integer and v >= 0 or v.is_Symbol:
                return _PREC_ATOM
            if v.is_Rational or v.is_Mul or v.is_Pow:
                return _PREC_MUL
            return _PREC_ADD if v.is_Add or v.could_extract_minus_sign() else _PREC_ATOM
        case _:
            return _PREC_ATOM


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class Printer:
    """One printer, three styles: 'text' (xᵀ, ⊙, ‖r‖², 𝟏), 'latex', 'code' (the input language,
    which chainrule reads back with the same --shape)."""

    def __init__(self, style: str = "text", names: dict[str, str] | None = None):
        self.style = style
        self.names = names or {}

    def __call__(self, node: Node) -> str:
        return self.p(node)

    def wrap(self, node: Node, above: int) -> str:
        s = self.p(node)
        if _prec(node) <= above:
            return self.paren(s)
        return s

    def factor(self, node: Node, above: int) -> str:
        """An operand of a product: a ⊙ b and a/b are bracketed there, (a ⊙ b)xᵀ."""
        if isinstance(node, (Hadamard, Divide)) and self.style != "latex":
            return self.paren(self.p(node))
        if isinstance(node, Hadamard):
            return self.paren(self.p(node))
        return self.wrap(node, above)

    def paren(self, s: str) -> str:
        return rf"\left({s}\right)" if self.style == "latex" else f"({s})"

    def name(self, name: str, shape: Shape) -> str:
        if name in self.names:
            return self.names[name]
        if self.style == "code":
            return name
        m = re.fullmatch(r"([A-Za-z]+?)_?([0-9]+)", name)
        delta = re.fullmatch(r"δ_(.+)", name)
        jacobian = re.fullmatch(r"∂(.+)/∂(.+)", name)
        if jacobian:  # a Jacobian's name, ∂z/∂x
            top, bottom = (self.name(part, VECTOR_NAME) for part in jacobian.groups())
            if self.style == "latex":
                return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
            return f"∂{top}/∂{bottom}"
        if self.style == "latex":
            if delta:
                return rf"\delta_{{{self.name(delta.group(1), shape)}}}"
            base, index = (m.group(1), m.group(2)) if m else (name, "")
            base = _latex_name(base)
            if not shape.scalar:
                base = rf"\mathbf{{{base}}}"
            return f"{base}_{{{index}}}" if index else base
        if delta:
            return "δ_" + self.name(delta.group(1), shape)
        greek = _greek_letter(m.group(1) if m else name)
        if greek and m:
            return greek + m.group(2).translate(_SUB)  # lambda_1 is λ₁
        if greek:
            return greek  # lambda is λ
        if m and len(m.group(1)) <= 2:
            return m.group(1) + m.group(2).translate(_SUB)
        return name

    def number(self, value: sympy.Expr) -> str:
        if self.style == "latex":
            return sympy.latex(value)
        return str(value) if self.style == "code" else _pretty_number(value)

    def p(self, node: Node) -> str:  # noqa: C901 - one case per node kind
        st = self.style
        match node:
            case Var():
                return self.name(node.name, node.shape)
            case Const():
                return self.number(node.value)
            case Ones():
                if st == "code":
                    return f"ones({node.of.spec()})"
                row = node.of.row  # 𝟏ᵀ, the row of ones (𝟏 is a column, as a course writes)
                if st == "latex":
                    return r"\mathbf{1}^\top" if row else r"\mathbf{1}"
                return "𝟏ᵀ" if row else "𝟏"
            case Identity():
                if st == "code":
                    return f"eye({node.n})"
                return "I"
            case Add():
                out = self.wrap(node.terms[0], _PREC_ADD - 1)
                for t in node.terms[1:]:
                    if isinstance(t, Neg):
                        out += " - " if st != "text" else " − "
                        out += self.wrap(t.a, _PREC_ADD)
                    elif isinstance(t, Const) and t.value.could_extract_minus_sign():
                        out += (" − " if st == "text" else " - ") + self.number(-t.value)
                    elif isinstance(t, Scale) and is_const(t.c) and t.c.value < 0:
                        out += (" − " if st == "text" else " - ") + self.p(
                            scale(Const(-t.c.value), t.a)
                        )
                    else:
                        out += " + " + self.wrap(t, _PREC_ADD)
                return out
            case Neg():
                sign = "−" if st == "text" else "-"
                return sign + self.wrap(node.a, _PREC_NEG)
            case Scale():
                c = self.factor(node.c, _PREC_MUL - 1 if isinstance(node.c, Const) else _PREC_MUL)
                if st == "text" and isinstance(node.c, Const) and "/" in c:
                    c = self.paren(c)  # (1/2)b, not 1/2b
                a = self.factor(node.a, _PREC_MUL - 1 if isinstance(node.c, Const) else _PREC_MUL)
                if st == "code":
                    return f"{c}*{a}"
                if st == "latex":
                    return f"{c} {a}" if not _starts_digit(a) else rf"{c} \cdot {a}"
                return f"{c}{a}" if isinstance(node.c, Const) and not _starts_digit(a) else (
                    f"{c}·{a}")  # fmt: skip
            case MatMul():
                a = self.factor(node.a, _PREC_MUL - 1)
                # the product is associative: A(BC) is ABC
                b = self.factor(node.b, _PREC_MUL - 1 if isinstance(node.b, MatMul) else _PREC_MUL)
                if st == "code":
                    return f"{a}*{b}"
                if st == "latex":
                    return f"{a} {b}"
                if "∂" in b and isinstance(node.b, Var):
                    return f"{a} {b}"
                if "δ" in a and isinstance(node.a, Var) or not _joinable(a, b):
                    return f"{a} {b}" if _joinable(a, b) else f"{a}·{b}"
                return f"{a}{b}"
            case Hadamard():
                op = {"latex": r" \odot ", "code": None, "text": " ⊙ "}[st]
                if op is None:
                    return f"hadamard({self.p(node.a)}, {self.p(node.b)})"
                right = self.p(node.b) if isinstance(node.b, Hadamard) else self.wrap(
                    node.b, _PREC_MUL)  # fmt: skip
                return self.wrap(node.a, _PREC_MUL - 1) + op + right
            case Divide():
                if st == "latex":
                    return rf"\frac{{{self.p(node.a)}}}{{{self.p(node.b)}}}"
                return self.wrap(node.a, _PREC_MUL - 1) + "/" + self.wrap(node.b, _PREC_MUL)
            case Power():
                base = self.wrap(node.a, _PREC_POW)
                k = node.k
                if st == "latex":
                    return f"{base}^{{{sympy.latex(k)}}}"
                if st == "text" and k.is_Integer and 0 <= k < 10:
                    return base + "⁰¹²³⁴⁵⁶⁷⁸⁹"[int(k)]
                exp = str(k) if k.is_Integer and k >= 0 else f"({k})"
                return f"{base}^{exp}"
            case Transpose() if isinstance(node.a, Unary) and node.a.op == "inv":
                base = self.wrap(node.a.a, _PREC_POW)
                return {"latex": base + r"^{-\top}", "code": f"inv({self.p(node.a.a)})^T",
                        "text": base + "⁻ᵀ"}[st]  # fmt: skip
            case Transpose():
                base = self.wrap(node.a, _PREC_POW)
                return {"latex": base + r"^\top", "code": base + "^T", "text": base + "ᵀ"}[st]
            case Apply():
                return self.applied(node)
            case Unary():
                return self.unary(node)
            case Quadratic():
                x, m = self.wrap(node.x, _PREC_POW), self.wrap(node.m, _PREC_MUL)
                if st == "code":
                    return f"{x}^T*{m}*{x}"
                if st == "latex":
                    return rf"{x}^\top {m} {x}"
                return f"{x}ᵀ{m}{x}"
            case Dot():
                a, b = self.p(node.a), self.p(node.b)
                if st == "code":
                    return f"dot({a}, {b})"
                left = self.wrap(node.a, _PREC_POW)
                tee = r"^\top" if st == "latex" else "ᵀ"
                if node.a.shape.row:
                    tee = ""
                right = self.wrap(node.b, _PREC_MUL)
                if st == "latex" or not isinstance(node.b, Var):
                    return f"{left}{tee} {right}"
                return f"{left}{tee}{right}"
        raise TypeError(f"cannot print {type(node).__name__}")

    def applied(self, node: Apply) -> str:
        st = self.style
        f = node.formula
        if node.name:
            fname = node.name
            arg = self.p(node.a)
            if st == "latex":
                shown = {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}"}.get(fname)
                if shown is None:
                    shown = f"\\{fname}" if fname in _LATEX_FUNCS else rf"\operatorname{{{fname}}}"
                return rf"{shown}\left({arg}\right)"
            if st == "text":
                fname = {"sigmoid": "σ", "relu": "ReLU", "Heaviside": "step"}.get(fname, fname)
            return f"{fname}({arg})"
        # a formula in s, the argument put in
        if st == "latex":
            return sympy.latex(f, symbol_names={S: self.wrap(node.a, _PREC_POW)})
        bare = isinstance(node.a, Var) or (isinstance(f, sympy.Function) and f.args == (S,))
        arg = self.p(node.a) if bare else self.wrap(node.a, _PREC_POW)
        shown = sympy.Symbol(arg)
        expr = f.xreplace({S: shown})
        if st == "code":
            return f"({sympy.sstr(expr)})"
        return _plain(expr)

    def unary(self, node: Unary) -> str:
        st, op, a = self.style, node.op, self.p(node.a)
        if st == "code":
            code = {"sqnorm": "norm({})^2", "logdet": "log(det({}))",
                    "logsoftmax": "log(softmax({}))"}.get(op, op + "({})")  # fmt: skip
            return code.format(a)
        if st == "latex":
            forms = {
                "norm": r"\left\lVert {} \right\rVert",
                "sqnorm": r"\left\lVert {} \right\rVert^{{2}}",
                "trace": r"\operatorname{{tr}}\left({}\right)",
                "det": r"\det\left({}\right)",
                "logdet": r"\log\det\left({}\right)",
                "inv": "{}^{{-1}}",
                "sum": r"\textstyle\sum\left({}\right)",
                "mean": r"\operatorname{{mean}}\left({}\right)",
                "softmax": r"\operatorname{{softmax}}\left({}\right)",
                "logsoftmax": r"\log\operatorname{{softmax}}\left({}\right)",
                "logsumexp": r"\operatorname{{logsumexp}}\left({}\right)",
                "diag": r"\operatorname{{diag}}\left({}\right)",
            }
            inner = self.wrap(node.a, _PREC_POW) if op == "inv" else a
            return forms[op].format(inner)
        forms = {
            "norm": "‖{}‖",
            "sqnorm": "‖{}‖²",
            "trace": "tr({})",
            "logdet": "log det({})",
            "inv": "{}⁻¹",
            "sum": "sum({})",
            "logsoftmax": "log softmax({})",
        }
        inner = self.wrap(node.a, _PREC_POW) if op == "inv" else a
        return forms.get(op, op + "({})").format(inner)


_LATEX_FUNCS = frozenset("sin cos tan sinh cosh tanh exp log ln det".split())
_GREEK_LATEX = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau"
    " upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()
)


def _greek_letter(name: str) -> str:
    """'lambda' → 'λ', 'Sigma' → 'Σ'; '' for a name that is not a Greek letter's."""
    from chainrule_cli.parse.names import UNICODE_GREEK

    if name not in _GREEK_LATEX and name not in ("omicron", "Upsilon"):
        return ""
    for letter, spelt in UNICODE_GREEK.items():
        if spelt == name:
            return letter
    return ""


def _latex_name(name: str) -> str:
    if name in _GREEK_LATEX:
        return "\\" + name
    if len(name) > 1 and "_" not in name:
        return rf"\mathrm{{{name}}}"
    if "_" in name:
        base, _, index = name.partition("_")
        return f"{_latex_name(base)}_{{{index}}}"
    return name


def _plain(expr: sympy.Expr) -> str:
    """A scalar formula as text: 1 − a², step(z)."""
    expr = expr.replace(
        lambda e: isinstance(e, sympy.Heaviside), lambda e: sympy.Function("step")(e.args[0])
    )
    out = sympy.sstr(expr)
    for old, new in (("**2", "²"), ("**3", "³"), ("**", "^"), ("*", "·"), ("-", "−")):
        out = out.replace(old, new)
    return out


def _starts_digit(s: str) -> bool:
    return bool(s) and (s[0].isdigit() or s[0] in "−-")


def _joinable(a: str, b: str) -> bool:
    """Wx, Wᵀδ, δxᵀ: a product of names needs no dot; (…)(…) neither."""
    return not (a[-1:].isdigit() and b[:1].isdigit())


def _pretty_number(value: sympy.Expr) -> str:
    if value.is_Rational and not value.is_Integer:
        p, q = value.p, value.q
        return f"{'−' if p < 0 else ''}{abs(p)}/{q}"
    return str(value).replace("-", "−").replace("*", "")


def text(node: Node) -> str:
    return Printer("text")(node)


def latex(node: Node) -> str:
    return Printer("latex")(node)


def code(node: Node) -> str:
    return Printer("code")(node)
