"""Arrays entry by entry: the tree at concrete sizes as SymPy matrices of scalar symbols (or of
numbers, for --at), and the verification of every matrix-form step against scalar SymPy.

Verification never uses SymPy's matrix-expression diff (wrong or failing on log det and
σ(Wx + b)). Each size is drawn small (2, 3, 4, … distinct, so a transpose in the wrong place
shows), every input becomes a matrix of real symbols, the expression becomes one scalar SymPy
expression, and each step's claimed matrix — an intermediate δ or an input's gradient — is
compared, entry by entry and at random points, with the scalar derivative of that expression
(for a δ, with respect to the entries of a fresh variable put in place of its node).
"""

from __future__ import annotations

import random

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.calculus.layers import Layers, derive

# Entries compared at this many random points; the relative tolerance
POINTS = 2
TOLERANCE = 1e-8


KEPT_SIZE = 4  # a number size up to this is checked as it is (W 3×2 is checked at 3×2)


def small_sizes(node: A.Node) -> dict:
    """The sizes every step is checked at: a number up to KEPT_SIZE as it is; a letter (or a
    larger number) the smallest size from 2 up that differs from every other size met in the
    same operation (the node's own and its arguments' shapes): W (m×k) times X (k×n) is checked
    with m, k and n three different sizes, so a transposed or mis-contracted result cannot pass,
    while a deep net's h1, h2, h3, … alternate between a few small sizes instead of growing
    (a five-layer MLP is checked at sizes 2–4, not 2–7)."""
    neighbours: dict = {}
    order: list = []
    stack = [node]
    while stack:
        n = stack.pop()
        met: list = []
        for m in (n, *n.args):
            met += m.shape.sizes()
            if isinstance(m, A.Ones):
                met += m.of.sizes()
        met = [s for s in dict.fromkeys(met) if s != 1]
        for s in met:
            if s not in neighbours:
                neighbours[s] = set()
                order.append(s)
            neighbours[s].update(t for t in met if t != s)
        stack.extend(reversed(n.args))
    kept = {s for s in order if isinstance(s, int) and s <= KEPT_SIZE}
    mapping: dict = {s: s for s in kept}
    for s in order:
        if s in mapping:
            continue
        taken = {mapping[t] for t in neighbours[s] if t in mapping}
        taken |= {t for t in neighbours[s] if t in kept}
        size = 2
        while size in taken:
            size += 1
        mapping[s] = size
    return mapping


def resize(node: A.Node, sizes: dict) -> A.Node:
    """The tree with every shape's sizes replaced (the derivation is then made again at them)."""

    def shape(s: A.Shape) -> A.Shape:
        return A.Shape(sizes.get(s.rows, s.rows), sizes.get(s.cols, s.cols))

    letters = {A.size_expr(k): v for k, v in sizes.items() if isinstance(k, str)}

    def walk(n: A.Node) -> A.Node:
        match n:
            case A.Var():
                return A.Var(n.name, shape(n.declared))
            case A.Ones():
                return A.Ones(shape(n.of))
            case A.Identity():
                return A.Identity(sizes.get(n.n, n.n))
            case A.Const():
                return A.Const(n.value.xreplace(letters)) if letters else n
        if not n.args:
            return n
        return n.rebuild(tuple(walk(a) for a in n.args))

    return walk(node)


def resize_shape(shape: A.Shape, sizes: dict) -> A.Shape:
    """The shape with its sizes as verification drew them."""
    return A.Shape(*(sizes.get(d, d) for d in shape.sizes()))


def concrete(shape: A.Shape) -> tuple[int, int]:
    if not all(isinstance(s, int) for s in shape.sizes()):
        raise ValueError(f"shape {shape.text()} has a letter size")
    return shape.rows, shape.cols  # type: ignore[return-value]


def symbols_for(name: str, shape: A.Shape) -> sympy.Matrix:
    rows, cols = concrete(shape)
    if rows == cols == 1:
        return sympy.Matrix([[sympy.Symbol(name, real=True)]])
    return sympy.Matrix(
        rows, cols, lambda i, j: sympy.Symbol(f"{name}[{i},{j}]" if cols > 1 and rows > 1
                                              else f"{name}[{i + j}]", real=True)
    )  # fmt: skip


def expand(node: A.Node, env: dict[str, sympy.Matrix]) -> sympy.Matrix:
    """The node's value as a SymPy matrix (a scalar is 1×1), inputs from env."""
    memo: dict[A.Node, sympy.Matrix] = {}
    return _expand(node, env, memo)


def _expand(node, env, memo) -> sympy.Matrix:  # noqa: C901 - one case per node kind
    if node in memo:
        return memo[node]
    ex = [_expand(a, env, memo) for a in node.args]
    match node:
        case A.Var():
            value = env[node.name]
        case A.Const():
            value = sympy.Matrix([[node.value]])
        case A.Ones():
            value = sympy.ones(*concrete(node.of))
        case A.Identity():
            value = sympy.eye(concrete(node.shape)[0])
        case A.Add():
            value = ex[0]
            for t in ex[1:]:
                value = _broadcast(value, t, lambda a, b: a + b)
        case A.Neg():
            value = -ex[0]
        case A.Scale():
            value = ex[1] * ex[0][0, 0]
        case A.MatMul():
            value = ex[0] * ex[1]
        case A.Hadamard():
            value = _broadcast(ex[0], ex[1], lambda a, b: a * b)
        case A.Divide():
            value = _broadcast(ex[0], ex[1], lambda a, b: a / b)
        case A.Power():
            value = ex[0].applyfunc(lambda e: e**node.k)
        case A.Transpose():
            value = ex[0].T
        case A.Apply():
            value = ex[0].applyfunc(lambda e: node.formula.xreplace({A.S: e}))
        case A.Dot():
            value = sympy.Matrix([[sum(a * b for a, b in zip(ex[0], ex[1], strict=True))]])
        case A.Quadratic():
            value = ex[0].T * ex[1] * ex[0]
        case A.Unary():
            value = _unary(node.op, ex[0])
        case _:
            raise TypeError(type(node).__name__)
    memo[node] = value
    return value


def _broadcast(a: sympy.Matrix, b: sympy.Matrix, op) -> sympy.Matrix:
    if a.shape == (1, 1) and b.shape != (1, 1):
        return b.applyfunc(lambda e: op(a[0, 0], e))
    if b.shape == (1, 1) and a.shape != (1, 1):
        return a.applyfunc(lambda e: op(e, b[0, 0]))
    return sympy.Matrix(a.rows, a.cols, lambda i, j: op(a[i, j], b[i, j]))


def _unary(op: str, m: sympy.Matrix) -> sympy.Matrix:
    entries = list(m)
    if op == "sum":
        return sympy.Matrix([[sympy.Add(*entries)]])
    if op == "mean":
        return sympy.Matrix([[sympy.Add(*entries) / len(entries)]])
    if op == "norm":
        return sympy.Matrix([[sympy.sqrt(sympy.Add(*(e**2 for e in entries)))]])
    if op == "sqnorm":
        return sympy.Matrix([[sympy.Add(*(e**2 for e in entries))]])
    if op == "trace":
        return sympy.Matrix([[m.trace()]])
    if op == "det":
        return sympy.Matrix([[m.det(method="berkowitz")]])
    if op == "logdet":
        return sympy.Matrix([[sympy.log(m.det(method="berkowitz"))]])
    if op == "inv":
        try:
            return m.inv(method="ADJ")
        except sympy.matrices.exceptions.NonInvertibleMatrixError:
            # a singular matrix at a point: X⁻¹ (and all that uses it) is undefined there
            return sympy.Matrix(m.rows, m.cols, [sympy.nan] * (m.rows * m.cols))
    if op == "softmax":
        exps = [sympy.exp(e) for e in entries]
        total = sympy.Add(*exps)
        return sympy.Matrix(m.rows, m.cols, [e / total for e in exps])
    if op == "logsoftmax":
        lse = sympy.log(sympy.Add(*(sympy.exp(e) for e in entries)))
        return sympy.Matrix(m.rows, m.cols, [e - lse for e in entries])
    if op == "logsumexp":
        return sympy.Matrix([[sympy.log(sympy.Add(*(sympy.exp(e) for e in entries)))]])
    if op == "diag":
        if m.rows == 1 or m.cols == 1:
            return sympy.diag(*entries)
        return sympy.Matrix([m[i, i] for i in range(m.rows)])
    raise TypeError(op)


def inputs_of(node: A.Node) -> dict[str, A.Shape]:
    out: dict[str, A.Shape] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Var):
            out[n.name] = n.declared
        stack.extend(n.args)
    return out


def verify(layers: Layers, seed: int = 7) -> tuple[bool, dict, list[str]]:
    """Check every backward step entry by entry at small sizes. Returns (all agree, the sizes
    used, the names of the steps that disagree)."""
    sizes = small_sizes(layers.root)
    root = resize(layers.root, sizes)
    if layers.kind == "jacobian":
        from chainrule_cli.calculus.layer_jacobian import derive_jacobian

        small = derive_jacobian(root, layers.wrt)
    else:
        small = derive(root, layers.wrt)
    shown = [(b.name, b.rule) for b in layers.backward]
    if [(b.name, b.rule) for b in small.backward] != shown:  # the same steps at every size
        return False, sizes, ["the derivation at small sizes differs"]
    env = {name: symbols_for(name, shape) for name, shape in inputs_of(root).items()}
    loss = expand(root, env)[0, 0] if root.shape.scalar else None
    rng = random.Random(seed)
    symbols = sorted({s for m in env.values() for s in m}, key=str)
    points = [{s: sympy.Float(rng.choice((-1, 1)) * rng.uniform(0.3, 1.4), 30) for s in symbols}
              for _ in range(POINTS)]  # fmt: skip
    forward = {f.name: f.full for f in small.forward}
    bad: list[str] = []
    for step in small.backward:
        claimed = expand(step.full, env)
        if step.by:  # a Jacobian: rows the node's entries, columns the variable's
            node = root if step.gradient else forward[step.of]
            entries = sympy.Matrix(list(expand(node, env)))
            truth = entries.jacobian(list(env[step.by]))
            at = {}
        elif step.gradient:
            truth = env[step.of].applyfunc(lambda e: sympy.diff(loss, e))
            at = {}
        else:
            node = forward[step.of]
            star = A.Var("⋆", node.shape)
            cut = A.replace_node(root, node, star)
            stars = symbols_for("⋆", node.shape)
            cut_loss = expand(cut, {**env, "⋆": stars})[0, 0]
            truth = stars.applyfunc(lambda e, f=cut_loss: sympy.diff(f, e))
            at = dict(zip(stars, expand(node, env), strict=True))
        if claimed.shape != truth.shape or not _agree(claimed, truth, at, points):
            bad.append(step.name)
    return not bad, sizes, bad


def _agree(claimed: sympy.Matrix, truth: sympy.Matrix, at: dict, points: list[dict]) -> bool:
    for point in points:
        for c, t in zip(claimed, truth, strict=True):
            t = t.xreplace(at) if at else t
            cv = complex(sympy.N(c.xreplace(point), 20))
            tv = complex(sympy.N(t.xreplace(point), 20))
            if abs(cv - tv) > TOLERANCE * max(1.0, abs(tv)):
                return False
    return True


def bind_sizes(layers: Layers, point: dict[str, sympy.Matrix]) -> dict:
    """The letter sizes the values at a point give (W = [[1,2],[3,4],[5,6]] with W m×n: m = 3,
    n = 2); a value of another shape, or a letter given two sizes, is a ParseError."""
    from chainrule_cli.errors import ParseError

    shapes = inputs_of(layers.root)
    missing = sorted(set(shapes) - set(point))
    if missing:
        raise ParseError(f"--at needs a value for {', '.join(missing)} too")
    extra = sorted(set(point) - set(shapes))
    if extra:
        raise ParseError(f"{extra[0]} is not a variable of the expression")
    bound: dict = {}
    for name, shape in shapes.items():
        value = point[name]
        for want, got in zip(shape.sizes(), value.shape, strict=True):
            if isinstance(want, str):
                if bound.setdefault(want, got) != got:
                    raise ParseError(
                        f"--at {name}: the size {want} is {bound[want]} elsewhere, {got} here"
                    )
            elif want != got:
                raise ParseError(
                    f"--at {name}: {name} is {shape.text()}, the value given is "
                    f"{A.Shape(*value.shape).text()}"
                )
    return bound


def evaluate(layers: Layers, point: dict[str, sympy.Matrix]) -> dict:
    """The value and every forward and backward quantity at the point, exactly (SymPy matrices
    of numbers): {'value', 'forward': {name: M}, 'backward': {name: M}}."""
    bound = bind_sizes(layers, point)
    env = dict(point)

    def value(node: A.Node) -> sympy.Matrix:
        m = expand(resize(node, bound), env)
        return m.applyfunc(_tidy) if m.rows * m.cols <= TIDY_ENTRIES else m

    out = {"value": value(layers.root), "forward": {}, "backward": {}}
    for f in layers.forward:
        out["forward"][f.name] = value(f.full)
    for b in layers.backward:
        out["backward"][b.name] = value(b.full)
    return out


# An exact value at a point is written as one fraction while its matrix has at most this many
# entries and the entry at most TIDY_OPS operations (factor(together(·)) is then milliseconds).
TIDY_ENTRIES = 64
TIDY_OPS = 200
TIDY_DENOMINATOR = 100


def _tidy(e: sympy.Expr) -> sympy.Expr:
    """-3e⁴/(e + e³)² − e²/(e + e³)² + e/(e + e³) as −2e²/(1 + e²)²."""
    if e.is_Rational or sympy.count_ops(e) > TIDY_OPS:
        return e
    if any(r.q > TIDY_DENOMINATOR for r in e.atoms(sympy.Rational)):
        return e  # exp(p/q) with a large q would become a polynomial of degree q
    tidy = sympy.factor(sympy.together(e))
    return tidy if sympy.count_ops(tidy) <= sympy.count_ops(e) else e
