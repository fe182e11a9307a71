"""A layer's derivation as code: `--format numpy`, a NumPy module whose function returns the value
and every gradient; `--format jax`, a JAX module whose `jax.custom_vjp` function has the
derivation's backward pass as its VJP.

    def layer(*, W, x, b, t):
        ...
        z = W @ x + b                 # z = Wx + b            the forward pass, one line a name
        a = _sigmoid(z)               # a = σ(z)
        L = np.sum((a - t)**2)        # L = ‖a − t‖²
        d_a = 2 * (a - t)             # δ_a = 2(a − t)        the backward pass, one line a step
        d_z = d_a * a * (1 - a)       # δ_z = δ_a ⊙ a ⊙ (1 − a)
        d_W = np.outer(d_z, x)        # ∂L/∂W = δ_z xᵀ
        ...
        return float(L), {"W": d_W, "x": d_x, "b": d_b, "t": d_t}

A vector is a 1-D array (as NumPy and PyTorch write it), a matrix 2-D, a scalar a float: the
printer reads each node's shape, so δ xᵀ is np.outer(δ, x), aᵀb is np.dot(a, b), a vector's
transpose is the vector itself and a matrix's is `.T`; a letter size (m, n) is taken from the
inputs' shapes at run time, so one function serves every size.

The lines are the derivation's own (its formula is the comment beside each), except where its
formula overflows or takes log(0) in floating point; there the code computes the same numbers
stably, and says so in a comment:

    σ(z)                     through e^(−|z|) only (never e^1000)
    softmax, logsumexp       shifted by max(z); log softmax(z) = z − logsumexp(z)
    softplus(z)              np.logaddexp(0, z)
    log σ(z), log(1 − σ(z))  −logaddexp(0, −z), −logaddexp(0, z): never log(0). In the backward
                             pass the log is differentiated whole, δ_z = δ ⊙ (1 − σ(z)) or
                             −δ ⊙ σ(z): the steps through δ_σ = δ/σ (e^1000 where σ underflows)
                             are not computed.
    log(1 + e^z)             softplus, with δ_z = δ ⊙ σ(z)
    log(sum(e^z))            logsumexp, with δ_z = δ exp(z − L)
    softmax(z) (backward)    exp(q) when the forward pass has q = log softmax(z), exp(z − s)
                             when it has s = logsumexp(z): one exp, no second normalisation

A value the forward pass computes inside a line and the backward pass needs again (the log
softmax of a cross-entropy) is given a name of its own in the forward pass and reused. Like the
other renderers this computes no derivative: the backward formulas are the derivation's, and
the few written here (the whole log's) are the ones listed above.
"""

from __future__ import annotations

import json
import keyword
import textwrap
import unicodedata
from dataclasses import dataclass, field

import sympy
from sympy.printing.str import StrPrinter

from chainrule_cli import arrays as A
from chainrule_cli.errors import UnsupportedError
from chainrule_cli.functions import relu, sigmoid, softplus
from chainrule_cli.render.python import RESERVED, check_name

# Names the emitted code reads besides the inputs and its own locals.
_MODULES = frozenset({"np", "numpy", "jax", "jnp"})
_LOG = sympy.log(A.S)
_EXP = sympy.exp(A.S)
_SIGMOID = sigmoid(A.S)
_SOFTPLUS = softplus(A.S)
_RELU = relu(A.S)

# Python's operator precedences, as the printer needs them
_ADD, _MUL, _NEG, _POW, _ATOM = 10, 20, 30, 40, 100


# ---- the plan: the forward and backward lines, as the code computes them ----------------------


@dataclass
class _Line:
    """One assignment: `name = expr` (expr through the derivation's names), the derivation's
    formula as its comment, and a note written on the line above it."""

    name: str
    expr: A.Node
    comment: str
    note: str = ""


@dataclass
class _Step:
    """A backward step of the derivation: its terms (the use they come by, the share), as the
    code will compute it."""

    name: str  # δ_z, or an input's name for its gradient
    of: str
    gradient: bool
    terms: list[tuple[str, A.Node]]
    expr: A.Node
    comment: str
    changed: bool = False
    skipped: bool = False
    note: str = ""
    because: dict[str, str] = field(default_factory=dict)  # the whole logs that changed it


@dataclass
class _Plan:
    inputs: list[A.Var]  # every input, in the order the expression first uses them
    wrt: list[str]  # the inputs with a gradient, in that order
    output: str
    forward: list[_Line]
    backward: list[_Step]


def _text(node: A.Node) -> str:
    return A.text(node)


def _label(step_name: str, gradient: bool, output: str) -> str:
    if gradient:
        return f"∂{output}/∂{A.Printer('text').name(step_name, A.SCALAR)}"
    return A.Printer("text").name(step_name, A.SCALAR)


def _preorder_inputs(root: A.Node) -> list[A.Var]:
    """The input Vars, each once, in the order they are written (left to right)."""
    seen: dict[str, A.Var] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, A.Var):
            seen.setdefault(node.name, node)
        stack.extend(reversed(node.args))
    return list(seen.values())


def plan(layers) -> _Plan:
    """What the code computes, from the derivation (see the module's docstring)."""
    if layers.kind != "gradient":
        raise UnsupportedError("--format numpy and --format jax need a scalar's gradient")
    written = _preorder_inputs(layers.root)
    given = list(layers.shapes)  # the order of --shape, then the order they are written in
    inputs = sorted(written, key=lambda v: given.index(v.name) if v.name in given else len(given))
    known = {v.name for v in inputs}
    for name in layers.wrt:
        if name not in known:
            shape = A.parse_shape(layers.shapes.get(name, "1"))
            inputs.append(A.Var(name, shape))
    wrt = [v.name for v in inputs if v.name in layers.wrt]
    output = layers.output
    forward = [_Line(f.name, f.expr, f"{_label(f.name, False, output)} = {_text(f.expr)}")
               for f in layers.forward]  # fmt: skip
    steps = [
        _Step(b.name, b.of, b.gradient, [(t.via, t.expr) for t in b.terms], b.expr,
              f"{_label(b.name, b.gradient, output)} = {_text(b.expr)}")
        for b in layers.backward
    ]  # fmt: skip
    if not any(f.name == output for f in forward):  # the expression is an input itself
        forward.append(_Line(output, layers.root, f"{output} = {_text(layers.root)}"))
    result = _Plan(inputs, wrt, output, forward, steps)
    _stable_logs(result)
    _reuse(result, taken={v.name for v in inputs} | {f.name for f in forward})
    _live(result)
    return result


# ---- log σ, log(1 − σ), log(1 + e^z), log(sum(e^z)): computed whole ------------------------


@dataclass(frozen=True)
class _Whole:
    """log(v) computed from z: the stable node, z, ∂ log(v)/∂z as a node, what it stands for."""

    node: A.Node
    z: A.Node
    slope: A.Node
    stands_for: str


def _is(node: A.Node, formula: sympy.Expr) -> bool:
    return isinstance(node, A.Apply) and node.formula == formula


def _one_plus(node: A.Node) -> A.Node | None:
    """t when node is 1 + t, else None."""
    if isinstance(node, A.Add) and len(node.terms) == 2:
        first, second = node.terms
        if A.is_const(first, 1):
            return second
        if A.is_const(second, 1):
            return first
    return None


def _whole_log(line: _Line, defs: dict[str, A.Node]) -> _Whole | None:
    """The stable form of a forward line log(v), when v is σ(z), 1 − σ(z), 1 + e^z or
    sum(e^z) (through the forward names); else None."""
    expr = line.expr
    if not _is(expr, _LOG):
        return None

    def value(node: A.Node) -> A.Node:  # a forward name's formula; any other node itself
        return defs.get(node.name, node) if isinstance(node, A.Var) else node

    v = value(expr.a)
    if _is(v, _SIGMOID):
        slope = A.sub(A.Const(sympy.S.One), expr.a)  # (log σ(z))′ = 1 − σ(z)
        return _Whole(A.Apply(sympy.log(_SIGMOID), v.a, "log_sigmoid"), v.a, slope, "log σ")
    rest = _one_plus(v)
    if rest is None:
        if isinstance(v, A.Unary) and v.op == "sum" and _is(value(v.a), _EXP):
            z = value(v.a).a
            if z.shape.vector:  # (log Σ e^z)′ = softmax(z) = exp(z − L)
                slope = A.apply(_EXP, A.sub(z, A.Var(line.name, A.SCALAR)), "exp")
                return _Whole(A.Unary("logsumexp", z), z, slope, "logsumexp")
        return None
    shown = value(rest)
    if isinstance(shown, A.Neg) and _is(value(shown.a), _SIGMOID):
        z = value(shown.a).a  # log(1 − σ(z)) = log σ(−z), its ′ = −σ(z)
        slope = rest if isinstance(rest, A.Var) else A.neg(shown.a)
        return _Whole(A.Apply(sympy.log(_SIGMOID), A.neg(z), "log_sigmoid"), z, slope,
                      "log(1 − σ)")  # fmt: skip
    if _is(shown, _EXP):  # log(1 + e^z) = softplus(z), its ′ = σ(z)
        z = shown.a
        slope = A.Apply(_SIGMOID, z, "sigmoid")
        return _Whole(A.Apply(_SOFTPLUS, z, "softplus"), z, slope, "softplus")
    return None


def _push(z: A.Node, share: A.Node) -> list[tuple[str, A.Node]] | None:
    """z's share passed down to the names under it: through −z and zᵀ (the only nodes a
    derivation writes inside σ(…) or e^(…) without naming them); None for any other."""
    if isinstance(z, A.Var):
        return [(z.name, share)]
    if isinstance(z, A.Neg):
        return _push(z.a, A.neg(share))
    if isinstance(z, A.Transpose):
        return _push(z.a, A.transpose(share))
    return None


def _deltas(node: A.Node) -> set[str]:
    return {n for n in A.names_in(node) if n.startswith("δ_")}


def _stable_logs(p: _Plan) -> None:
    """Each forward log(v) with a stable form is computed so; in the backward pass its share
    goes straight to z (the steps in between dropped when nothing else needs them)."""
    defs = {line.name: line.expr for line in p.forward}
    by_of = {s.of: s for s in p.backward}
    for line in p.forward:
        whole = _whole_log(line, defs)
        if whole is None:
            continue
        line.expr = whole.node
        line.comment = f"{line.comment} = {_stands(whole)}, stably"
        if not any(via == line.name for s in p.backward for via, _ in s.terms):
            continue  # no gradient flows through it
        g = (
            A.Const(sympy.S.One)
            if line.name == p.output
            else A.Var(f"δ_{line.name}", line.expr.shape)
        )
        if isinstance(whole.slope, A.Neg):  # −δ ⊙ σ(z)
            share = A.neg(A.hadamard(g, whole.slope.a))
        else:
            share = A.hadamard(g, whole.slope)
        direct = _push(whole.z, share)
        if direct is None:
            continue
        for s in p.backward:
            kept = [(via, e) for via, e in s.terms if via != line.name]
            if len(kept) != len(s.terms):
                s.terms, s.changed = kept, True
                s.because[line.name] = _stands(whole)
        for target, e in direct:
            step = by_of.get(target)
            if step is not None:  # else z's target does not lead to a gradient asked for
                step.terms.append((line.name, e))
                step.changed = True
                step.because[line.name] = _stands(whole)
    _drop_empty(p)


def _stands(whole: _Whole) -> str:
    z = _text(whole.z)
    z = z if isinstance(whole.z, A.Var) else f"({z})"
    return {
        "log σ": f"log σ({z})",
        "log(1 − σ)": f"log(1 − σ({z}))",
        "softplus": f"softplus({z})",
        "logsumexp": f"logsumexp({z})",
    }[whole.stands_for]


def _drop_empty(p: _Plan) -> None:
    """Steps left without terms are not computed; nor are the terms that read them."""
    dropped: dict[str, _Step] = {}
    for s in p.backward:
        if dropped:
            kept = []
            for via, e in s.terms:
                reads = [dropped[d] for d in _deltas(e) if d in dropped]
                if not reads:
                    kept.append((via, e))
                for d in reads:
                    s.because.update(d.because)
            if len(kept) != len(s.terms):
                s.terms, s.changed = kept, True
        if not s.changed:
            continue
        logs = list(dict.fromkeys(s.because.values()))
        whole = f"{', '.join(logs)} {'is' if len(logs) == 1 else 'are'} differentiated whole"
        if not s.terms and not s.gradient:
            s.skipped = True
            dropped[s.name] = s
            s.note = f"{s.comment}: not computed ({whole})"
            continue
        s.note = f"{s.comment} in the derivation; here {whole}:"
        s.expr = A.add(*(e for _, e in s.terms)) if s.terms else A.zero(s.expr.shape)
        s.comment = f"{_label(s.name, s.gradient, p.output)} = {_text(s.expr)}"


# ---- values the backward pass reads again -----------------------------------------------------

_TEMP_NAMES = {"logsoftmax": "q", "softmax": "p", "logsumexp": "s", "inv": "X_inv"}


def _subtrees(node: A.Node):
    """Every subtree, operands before their uses."""
    out, stack = [], [(node, False)]
    while stack:
        n, done = stack.pop()
        if done:
            out.append(n)
            continue
        stack.append((n, True))
        stack.extend((a, False) for a in reversed(n.args))
    return out


def _costly(node: A.Node) -> bool:
    return isinstance(node, (A.Unary, A.Apply)) and not _deltas(node)


def _reuse(p: _Plan, taken: set[str]) -> None:
    """A costly value the backward pass needs that a forward line computes inside itself gets a
    name of its own there; the backward pass reads the forward names (softmax(z) as exp(q))."""
    live = [s for s in p.backward if not s.skipped]
    wanted: set[A.Node] = set()
    for s in live:
        for n in _subtrees(s.expr):
            if _costly(n):
                wanted.add(n)
                if isinstance(n, A.Unary) and n.op == "softmax":
                    wanted.add(A.Unary("logsoftmax", n.a))
                    wanted.add(A.Unary("logsumexp", n.a))
    used = set(taken) | {s.name for s in p.backward}
    defined: dict[A.Node, str] = {}
    forward: list[_Line] = []
    for line in p.forward:
        for sub in _subtrees(line.expr)[:-1]:
            if sub in wanted and sub not in defined:
                base = _TEMP_NAMES.get(sub.op, "u") if isinstance(sub, A.Unary) else "a"
                name = next(c for c in [base, *(f"{base}{i}" for i in range(1, 10_000))]
                            if c not in used)  # fmt: skip
                used.add(name)
                shown = _label(name, False, p.output)
                note = f"{shown}: named here, the backward pass reads it"
                forward.append(_Line(name, sub, f"{shown} = {_text(sub)}", note=note))
                defined[sub] = name
                line.expr = A.replace_node(line.expr, sub, A.Var(name, sub.shape))
        forward.append(line)
        defined.setdefault(line.expr, line.name)
    p.forward = forward

    def read(node: A.Node) -> tuple[A.Node, list[str]]:
        if node in defined and not isinstance(node, A.Var):
            return A.Var(defined[node], node.shape), []
        if isinstance(node, A.Unary) and node.op == "softmax":
            q = defined.get(A.Unary("logsoftmax", node.a))
            s = defined.get(A.Unary("logsumexp", node.a))
            z = _text(node.a)
            if q is not None:
                return A.Apply(_EXP, A.Var(q, node.shape), "exp"), [f"softmax({z}) = exp({q})"]
            if s is not None:
                arg = A.sub(node.a, A.Var(s, A.SCALAR))
                return A.Apply(_EXP, arg, "exp"), [f"softmax({z}) = exp({z} − {s})"]
        if not node.args:
            return node, []
        notes: list[str] = []
        args = []
        for a in node.args:
            new, said = read(a)
            args.append(new)
            notes += said
        if all(n is o for n, o in zip(args, node.args, strict=True)):
            return node, notes
        return node.rebuild(tuple(args)), notes

    for s in live:
        s.expr, said = read(s.expr)
        if said:
            s.note = "; ".join([*([s.note] if s.note else []), *dict.fromkeys(said)])


def _live(p: _Plan) -> None:
    """Only the forward lines the value or the backward pass reads are computed."""
    needed = {p.output}
    for s in p.backward:
        if not s.skipped:
            needed |= A.names_in(s.expr)
    kept = []
    for line in reversed(p.forward):
        if line.name in needed:
            needed |= A.names_in(line.expr)
            kept.append(line)
    p.forward = kept[::-1]


# ---- printing ---------------------------------------------------------------------------------


class _Formula(StrPrinter):
    """A scalar SymPy formula (an elementwise function's, a constant's) as NumPy or JAX code;
    `missing` collects what the library cannot compute."""

    FUNCTIONS = {
        "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan",
        "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asin": "arcsin", "acos": "arccos",
        "atan": "arctan", "asinh": "arcsinh", "acosh": "arccosh", "atanh": "arctanh",
        "sign": "sign", "floor": "floor", "ceiling": "ceil", "Abs": "abs", "cbrt": "cbrt",
    }  # fmt: skip
    RECIPROCAL = {"cot": "tan", "sec": "cos", "csc": "sin", "coth": "tanh", "sech": "cosh",
                  "csch": "sinh"}  # fmt: skip

    def __init__(self, code: _Code, names: dict[sympy.Symbol, str]):
        super().__init__({"order": "none"})
        self.code_ = code
        self.names = names
        self.missing: list[sympy.Basic] = []

    @property
    def lib(self) -> str:
        return self.code_.lib

    def _print_Symbol(self, expr):
        if expr in self.names:
            return self.names[expr]
        if expr.name in self.code_.size_names:  # a size letter (1/n of a mean)
            return self.code_.size(expr.name)
        self.missing.append(expr)
        return expr.name

    def _print_Function(self, expr):
        name = type(expr).__name__
        args = ", ".join(self._print(a) for a in expr.args)
        if name in self.FUNCTIONS:
            return f"{self.lib}.{self.FUNCTIONS[name]}({args})"
        if name in self.RECIPROCAL:
            return f"(1/{self.lib}.{self.RECIPROCAL[name]}({args}))"
        if name == "relu":
            return f"{self.lib}.maximum({args}, 0.0)"
        if name == "sigmoid":
            return self.code_.sigmoid(args)
        self.missing.append(expr)
        return f"{name}({args})"

    def _print_Heaviside(self, expr):
        at_zero = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        return f"{self.lib}.heaviside({self._print(expr.args[0])}, {float(at_zero)!r})"

    def _print_Max(self, expr):
        return self._lattice("maximum", expr.args)

    def _print_Min(self, expr):
        return self._lattice("minimum", expr.args)

    def _lattice(self, op: str, args) -> str:
        out = self._print(args[0])
        for a in args[1:]:
            out = f"{self.lib}.{op}({out}, {self._print(a)})"
        return out

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sympy.S.Half:
            return f"{self.lib}.sqrt({self._print(expr.base)})"
        if expr.exp == -sympy.S.Half:
            return f"1/{self.lib}.sqrt({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)

    def _print_Pi(self, expr):
        return f"{self.lib}.pi"

    def _print_Exp1(self, expr):
        return f"{self.lib}.e"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_ImaginaryUnit(self, expr):
        self.missing.append(expr)
        return "1j"

    def _print_Infinity(self, expr):
        return f"{self.lib}.inf"

    def _print_NaN(self, expr):
        return f"{self.lib}.nan"

    def emptyPrinter(self, expr):  # noqa: N802 - SymPy's hook
        self.missing.append(expr)
        return str(expr)


def _formula_prec(expr: sympy.Expr) -> int:
    if expr.is_Add:
        return _ADD
    if expr.is_Number or expr.is_Mul:
        if expr.could_extract_minus_sign():
            return _NEG
        if expr.is_Integer or expr.is_Float:
            return _ATOM
        return _MUL
    if expr.is_Pow:
        return _MUL if expr.exp.is_negative else _POW
    return _ATOM


class _Code:
    """The nodes of the derivation as NumPy (lib "np") or JAX (lib "jnp") expressions,
    shape-aware: a vector is 1-D, a scalar a float."""

    def __init__(self, lib: str, local: dict[str, str], helpers: dict[str, str], fmt: str):
        self.lib = lib
        self.jax = lib == "jnp"
        self.local = local
        self.helpers = helpers
        self.fmt = fmt
        self.used: set[str] = set()  # the helpers the code calls
        self.size_names: dict[str, str] = {}  # size letter -> its local
        self.sizes_used: set[str] = set()

    # sizes and shapes
    def size(self, s) -> str:
        if isinstance(s, int):
            return str(s)
        self.sizes_used.add(s)
        return self.size_names[s]

    def shape(self, shape: A.Shape) -> str:
        if shape.vector:
            return self.size(shape.length)
        return f"({self.size(shape.rows)}, {self.size(shape.cols)})"

    def helper(self, kind: str) -> str:
        self.used.add(kind)
        return self.helpers[kind]

    def sigmoid(self, arg: str) -> str:
        return f"jax.nn.sigmoid({arg})" if self.jax else f"{self.helper('sigmoid')}({arg})"

    def __call__(self, node: A.Node) -> str:
        return self.p(node)[0]

    def wrap(self, node: A.Node, least: int) -> str:
        text, prec = self.p(node)
        return f"({text})" if prec < least else text

    def formula(self, expr: sympy.Expr, names: dict[sympy.Symbol, str], what: str) -> str:
        printer = _Formula(self, names)
        text = printer.doprint(expr)
        if printer.missing:
            culprit = min(printer.missing, key=sympy.default_sort_key)
            missing = type(culprit).__name__ if isinstance(culprit, sympy.Function) else culprit
            library = "jax.numpy" if self.jax else "NumPy"
            raise UnsupportedError(
                f"--format {self.fmt} cannot compute {what}: {library} has no {missing}"
            )
        return text

    def number(self, value: sympy.Expr) -> tuple[str, int]:
        if value.is_Integer:
            return str(int(value)), _NEG if value < 0 else _ATOM
        if value.is_Rational:
            text = f"{value.p}/{value.q}"
            return (f"-{-value.p}/{value.q}", _NEG) if value < 0 else (text, _MUL)
        return self.formula(value, {}, str(value)), _formula_prec(value)

    def p(self, node: A.Node) -> tuple[str, int]:  # noqa: C901 - one case per node kind
        np_ = self.lib
        match node:
            case A.Var():
                return self.local[node.name], _ATOM
            case A.Const():
                return self.number(node.value)
            case A.Ones():
                if node.of.scalar:
                    return "1.0", _ATOM
                return f"{np_}.ones({self.shape(node.of)})", _ATOM
            case A.Identity():
                if node.shape.scalar:
                    return "1.0", _ATOM
                return f"{np_}.eye({self.size(node.n)})", _ATOM
            case A.Add():
                return self.add(node), _ADD
            case A.Neg():
                return "-" + self.wrap(node.a, _NEG + 1), _NEG
            case A.Scale():
                return self.scale(node)
            case A.MatMul():
                return self.matmul(node)
            case A.Hadamard():
                right = self.p(node.b)[0] if isinstance(node.b, A.Hadamard) else self.wrap(
                    node.b, _MUL + 1)  # fmt: skip
                return f"{self.wrap(node.a, _MUL)} * {right}", _MUL
            case A.Divide():
                return f"{self.wrap(node.a, _MUL)} / {self.wrap(node.b, _MUL + 1)}", _MUL
            case A.Power():
                return self.power(node)
            case A.Transpose():
                if not node.shape.matrix:  # a vector's transpose is the vector (1-D)
                    return self.p(node.a)
                return f"{self.wrap(node.a, _ATOM)}.T", _ATOM
            case A.Apply():
                return self.apply(node)
            case A.Unary():
                return self.unary(node)
            case A.Dot():
                a, b = self(node.a), self(node.b)
                if node.a.shape.scalar:
                    return f"{self.wrap(node.a, _MUL)} * {self.wrap(node.b, _MUL + 1)}", _MUL
                if node.a.shape.matrix:
                    return (
                        f"{np_}.sum({self.wrap(node.a, _MUL)} * {self.wrap(node.b, _MUL + 1)})",
                        _ATOM,
                    )
                return f"{np_}.dot({a}, {b})", _ATOM
            case A.Quadratic():
                x = self.wrap(node.x, _MUL)
                return f"{x} @ {self.wrap(node.m, _MUL + 1)} @ {self.wrap(node.x, _MUL + 1)}", _MUL
        raise UnsupportedError(f"--format {self.fmt} cannot compute a {type(node).__name__}")

    def add(self, node: A.Add) -> str:
        out = self.wrap(node.terms[0], _ADD)
        for t in node.terms[1:]:
            if isinstance(t, A.Neg):
                out += " - " + self.wrap(t.a, _ADD + 1)
            elif isinstance(t, A.Const) and t.value.could_extract_minus_sign():
                out += " - " + self.wrap(A.Const(-t.value), _ADD + 1)
            elif (
                isinstance(t, A.Scale) and A.is_const(t.c) and t.c.value.could_extract_minus_sign()
            ):
                out += " - " + self.wrap(A.scale(A.Const(-t.c.value), t.a), _ADD + 1)
            else:
                out += " + " + self.wrap(t, _ADD)
        return out

    def scale(self, node: A.Scale) -> tuple[str, int]:
        c, a = node.c, node.a
        if isinstance(a, A.Ones) and not a.shape.scalar:
            if A.is_const(c, 0):
                return f"{self.lib}.zeros({self.shape(a.of)})", _ATOM
            return f"{self.lib}.full({self.shape(a.of)}, {self(c)})", _ATOM
        return f"{self.wrap(c, _MUL)} * {self.wrap(a, _MUL + 1)}", _MUL

    def matmul(self, node: A.MatMul) -> tuple[str, int]:
        sa, sb = node.a.shape, node.b.shape
        if sa.column and sb.row:  # δ xᵀ: an outer product of two 1-D arrays
            return f"{self.lib}.outer({self(node.a)}, {self(node.b)})", _ATOM
        if sa.row and sb.column:  # aᵀb: a number
            return f"{self.lib}.dot({self(node.a)}, {self(node.b)})", _ATOM
        return f"{self.wrap(node.a, _MUL)} @ {self.wrap(node.b, _MUL + 1)}", _MUL

    def power(self, node: A.Power) -> tuple[str, int]:
        k = node.k
        if k == sympy.S.Half:
            return f"{self.lib}.sqrt({self(node.a)})", _ATOM
        base = self.wrap(node.a, _POW + 1)
        if k.is_Integer and k >= 0:
            return f"{base}**{int(k)}", _POW
        exponent, _ = self.number(k)
        return f"{base}**({exponent})", _POW

    def apply(self, node: A.Apply) -> tuple[str, int]:
        arg = node.a
        if node.name == "log_sigmoid":  # log σ(u), never log(0)
            if self.jax:
                return f"jax.nn.log_sigmoid({self(arg)})", _ATOM
            minus = self(arg.a) if isinstance(arg, A.Neg) else "-" + self.wrap(arg, _NEG + 1)
            return f"-{self.lib}.logaddexp(0.0, {minus})", _NEG
        if node.formula == _SIGMOID:
            return self.sigmoid(self(arg)), _ATOM
        if node.formula == _SOFTPLUS:
            if self.jax:
                return f"jax.nn.softplus({self(arg)})", _ATOM
            return f"{self.lib}.logaddexp(0.0, {self(arg)})", _ATOM
        if node.formula == _RELU:
            return f"{self.lib}.maximum({self(arg)}, 0.0)", _ATOM
        f = node.formula
        called = isinstance(f, sympy.Function | sympy.Heaviside) and A.S in f.args
        inner = self(arg) if called else self.wrap(arg, _ATOM)
        what = _text(node)
        symbol = sympy.Symbol("_arg_")
        text = self.formula(node.formula.xreplace({A.S: symbol}), {symbol: inner}, what)
        return text, _formula_prec(node.formula)

    def unary(self, node: A.Unary) -> tuple[str, int]:
        np_, op, a = self.lib, node.op, self(node.a)
        simple = {"sum": "sum", "mean": "mean", "trace": "trace", "diag": "diag",
                  "norm": "linalg.norm", "det": "linalg.det", "inv": "linalg.inv"}  # fmt: skip
        if op in simple:
            return f"{np_}.{simple[op]}({a})", _ATOM
        if op == "sqnorm":
            return f"{np_}.sum({self.wrap(node.a, _POW + 1)}**2)", _ATOM
        if op == "logdet":
            return f"{self.helper('logdet')}({a})", _ATOM
        if self.jax:
            function = {"softmax": "softmax", "logsoftmax": "log_softmax",
                        "logsumexp": "logsumexp"}[op]  # fmt: skip
            return f"jax.nn.{function}({a})", _ATOM
        kind = {"softmax": "softmax", "logsoftmax": "log_softmax", "logsumexp": "logsumexp"}[op]
        if kind == "log_softmax":
            self.used.add("logsumexp")
        return f"{self.helper(kind)}({a})", _ATOM


# ---- the modules ------------------------------------------------------------------------------

_NUMPY_HELPERS = {
    "sigmoid": '''\
def {sigmoid}(z):
    """1/(1 + exp(-z)) entry by entry, through exp(-|z|): it never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))''',
    "logsumexp": '''\
def {logsumexp}(z):
    """log(sum(exp(z))), shifted by max(z) so that exp never overflows."""
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))''',
    "softmax": '''\
def {softmax}(z):
    """exp(z)/sum(exp(z)), shifted by max(z) so that exp never overflows."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)''',
    "log_softmax": '''\
def {log_softmax}(z):
    """log(softmax(z)) = z - logsumexp(z): never log(0)."""
    return z - {logsumexp}(z)''',
    "logdet": '''\
def {logdet}(X):
    """log(det(X)) through the LU factors (det(X) itself under- or overflows): nan where
    det(X) < 0, as log of a negative number."""
    sign, value = np.linalg.slogdet(X)
    return value if sign >= 0 else np.nan''',
    "array": '''\
def {array}(value, name, shape, sizes):
    """value as a float64 array of the shape; a letter size is given by the first array that
    has it (sizes keeps them)."""
    a = np.asarray(value, dtype=np.float64)
    known = [f"{{s}} = {{sizes[s]}}" for s in dict.fromkeys(shape) if s in sizes]
    if a.ndim == len(shape):
        for s, k in zip(shape, a.shape):
            if isinstance(s, str):
                sizes.setdefault(s, k)
        if all(sizes.get(s, s) == k for s, k in zip(shape, a.shape)):
            return a
    wanted = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    where = f" with {{', '.join(known)}}" if known else ""
    raise ValueError(f"{{name}} must have shape {{wanted}}{{where}}; it has shape {{a.shape}}")''',
}

_JAX_HELPERS = {
    "logdet": '''\
def {logdet}(X):
    """log(det(X)) through the LU factors (det(X) itself under- or overflows): nan where
    det(X) < 0, as log of a negative number."""
    sign, value = jnp.linalg.slogdet(X)
    return jnp.where(sign < 0, jnp.nan, value)''',
}


def _identifier(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    if not text.isidentifier():
        text = "_" + "".join(c if (c.isalnum() or c == "_") and c.isascii() else "_" for c in text)
    return text


class _Fresh:
    def __init__(self, taken) -> None:
        self.taken = set(taken)

    def __call__(self, wanted: str) -> str:
        name = _identifier(wanted)
        while name in self.taken or keyword.iskeyword(name):
            name += "_"
        self.taken.add(name)
        return name


@dataclass
class _Names:
    local: dict[str, str]  # the derivation's names (inputs, forward, δ, gradients) -> locals
    helpers: dict[str, str]
    sizes: dict[str, str]  # size letter -> local
    extra: dict[str, str]  # the code's own locals: sizes dict, residuals, cotangent
    letters: list[str]  # the size letters, in the order the inputs give them


def _names(p: _Plan, function: str, fmt: str, helper_kinds) -> _Names:
    for v in p.inputs:
        if not v.name.isidentifier() or keyword.iskeyword(v.name) or _identifier(v.name) != v.name:
            raise UnsupportedError(f"--format {fmt} needs inputs named as Python names: {v.name!r}")
        if v.name in RESERVED or v.name in _MODULES:
            raise UnsupportedError(
                f"--format {fmt}: an input named {v.name} would hide Python's or the code's own "
                f"{v.name}; rename it"
            )
    fresh = _Fresh(RESERVED | _MODULES | {function, *(v.name for v in p.inputs)})
    local = {v.name: v.name for v in p.inputs}
    for line in p.forward:
        local[line.name] = fresh(line.name)
    for s in p.backward:
        local[s.name if not s.gradient else f"∂{s.name}"] = fresh(f"d_{local.get(s.of, s.of)}")
    letters: list[str] = []
    for v in p.inputs:
        for s in v.shape.sizes():
            if isinstance(s, str) and s not in letters:
                letters.append(s)
    extra = {k: fresh(k) for k in ("sizes", "residuals", "g")}
    sizes = {s: fresh(s) for s in letters}
    helpers = {k: fresh(f"_{k}") for k in helper_kinds}
    return _Names(local, helpers, sizes, extra, letters)


def _gradient_local(names: _Names, v: str) -> str:
    return names.local[f"∂{v}"]


def _spec(shape: A.Shape) -> tuple:
    if shape.scalar:
        return ()
    if shape.vector:
        return (shape.length,)
    return (shape.rows, shape.cols)


def _tuple_text(sizes: tuple) -> str:
    inner = ", ".join(map(str, sizes))
    return f"({inner},)" if len(sizes) == 1 else f"({inner})"


def _literal(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _doc_lines(paragraphs: list[str]) -> list[str]:
    """A docstring: the first paragraph its summary, each wrapped to fit the line."""
    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        if i:
            lines.append("")
        lines += textwrap.wrap(_docstring(paragraph), 92, break_on_hyphens=False,
                               break_long_words=False)  # fmt: skip
    lines[0] = '"""' + lines[0]
    return [*lines, '"""']


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _width(*blocks: list[tuple[str, str]]) -> int:
    """The column of the comments: after the longest line of code, up to a limit."""
    return min(max((len(c) for b in blocks for c, _ in b if not c.startswith("#")), default=0), 44)


def _pad(lines: list[tuple[str, str]], width: int | None = None, indent: str = "    ") -> list[str]:
    """code  # comment, the comments of a block in one column."""
    width = _width(lines) if width is None else width
    out = []
    for code, comment in lines:
        if code.startswith("#"):
            out.append(indent + code)
        elif comment:
            out.append(f"{indent}{code.ljust(width)}  # {comment}")
        else:
            out.append(indent + code)
    return out


def _body(p: _Plan, code: _Code, names: _Names) -> tuple[list, list]:
    """The forward and backward lines, (code, comment) each; notes as comment lines."""
    loc = names.local
    inputs = {v.name for v in p.inputs}
    forward: list[tuple[str, str]] = []
    for line in p.forward:
        if line.note:
            forward.append((f"# {line.note}", ""))
        forward.append((f"{loc[line.name]} = {code(line.expr)}", line.comment))
    backward: list[tuple[str, str]] = []
    for s in p.backward:
        if s.note:
            backward.append((f"# {s.note}", ""))
        if s.skipped:
            continue
        target = _gradient_local(names, s.of) if s.gradient else loc[s.name]
        text = code(s.expr)
        if s.gradient and isinstance(s.expr, A.Var) and s.expr.name in inputs:
            text = f"{code.lib}.copy({text})"  # never the input array itself
        backward.append((f"{target} = {text}", s.comment))
    return forward, backward


def _title(p: _Plan, layers) -> str:
    shown = _text(layers.root)
    if len(shown) > 200:
        return f"Value and gradient of {p.output}, the expression in the header."
    return f"Value and gradient of {p.output} = {shown}."


def _inputs_text(p: _Plan, letters: list[str]) -> str:
    parts = []
    for v in p.inputs:
        spec = _spec(v.shape)
        parts.append(f"{v.name} a float" if not spec else f"{v.name} {_tuple_text(spec)}")
    tail = (
        f", for any size{'s' if len(letters) > 1 else ''} {', '.join(letters)}" if letters else ""
    )
    return ", ".join(parts) + tail


def _gradients_text(p: _Plan) -> str:
    return ", ".join(f'"{v}": ∂{p.output}/∂{v}' for v in p.wrt)


def _header(text: str | None, layers, what: str) -> list[str]:
    origin = _one_line(text) if text is not None else A.code(layers.root)
    return [f"# Generated by chainrule from the expression {origin}.", f"# {what}"]


def _helper_lines(kinds, names: _Names, table) -> list[str]:
    order = [k for k in table if k in kinds]
    out: list[str] = []
    for k in order:
        out += [*table[k].format(**names.helpers).split("\n"), "", ""]
    return out


def layers_numpy(result, options) -> str:
    """`--format numpy`: a module whose NAME(*, inputs) returns (value, {input: gradient})."""
    check_name(options.name)
    layers = result.layers
    p = plan(layers)
    names = _names(p, options.name, "numpy", _NUMPY_HELPERS)
    code = _Code("np", names.local, names.helpers, "numpy")
    code.size_names = names.sizes
    forward, backward = _body(p, code, names)
    loc = names.local

    # the inputs: float64 arrays of their shapes (a scalar a float), the letters' sizes read
    setup: list[str] = []
    sizes = names.extra["sizes"]
    any_letters = bool(names.letters)
    if any_letters:
        setup.append(f"{sizes} = {{}}")
    for v in p.inputs:
        spec = _spec(v.shape)
        if not spec:
            setup.append(f"{v.name} = float({v.name})")
            continue
        shape = "(" + ", ".join(_literal(s) for s in spec) + ("," if len(spec) == 1 else "") + ")"
        setup.append(f"{v.name} = {code.helper('array')}({v.name}, {_literal(v.name)}, {shape}, "
                     f"{sizes if any_letters else '{}'})")  # fmt: skip
    used = [s for s in names.letters if s in code.sizes_used]
    if used:
        setup.append(f"{', '.join(names.sizes[s] for s in used)} = "
                     f"{', '.join(f'{sizes}[{_literal(s)}]' for s in used)}")  # fmt: skip

    value = loc[p.output]
    grads = []
    for v in p.wrt:
        local = f"∂{v}"
        if local in loc:
            g = loc[local]
            scalar = next(x for x in p.inputs if x.name == v).shape.scalar
            grads.append(f'"{v}": {"float(" + g + ")" if scalar else g}')
        else:  # the expression does not depend on it
            shape = next(x for x in p.inputs if x.name == v).shape
            zero = "0.0" if shape.scalar else f"np.zeros_like({v})"
            grads.append(f'"{v}": {zero}')
    doc = _doc_lines([
        _title(p, layers),
        f"Inputs: {_inputs_text(p, names.letters)} (NumPy arrays; a vector is 1-D).",
        f"Returns ({p.output}, {{{_gradients_text(p)}}}): a float and arrays of the inputs' "
        "shapes.",
    ])  # fmt: skip
    body = [*("    " + d if d else "" for d in doc)]
    body += ["    " + s for s in setup]
    width = _width(forward, backward)
    body += ["    # forward pass", *_pad(forward, width)]
    if backward:
        body.append(f"    # backward pass: d_n = ∂{p.output}/∂n (δ_n), of n's shape")
        body += _pad(backward, width)
    body.append(f"    return float({value}), {{{', '.join(grads)}}}")

    params = ", ".join(v.name for v in p.inputs)
    lines = [
        *_header(
            options.text,
            layers,
            "NumPy: the forward pass, then the backward pass, one line per step of the derivation.",
        ),  # fmt: skip
        "",
        "import numpy as np",
        "",
        "",
        *_helper_lines(code.used, names, _NUMPY_HELPERS),
        f"def {options.name}(*, {params}):" if params else f"def {options.name}():",
        *body,
    ]
    return "\n".join(lines) + "\n"


def layers_jax(result, options) -> str:
    """`--format jax`: a module with a jax.custom_vjp NAME(inputs) whose VJP is the
    derivation's backward pass, and a __main__ that checks it with jax.test_util.check_grads."""
    check_name(options.name)
    layers = result.layers
    p = plan(layers)
    name = options.name
    names = _names(p, name, "jax", _JAX_HELPERS)
    fresh = _Fresh(set(names.local.values()) | set(names.helpers.values()) | RESERVED | _MODULES
                   | {name, *names.extra.values(), *names.sizes.values()})  # fmt: skip
    fwd_name, bwd_name = fresh(f"_{name}_fwd"), fresh(f"_{name}_bwd")
    loc = names.local
    g, residuals = names.extra["g"], names.extra["residuals"]

    # the forward pass, then the backward pass, each binding the sizes it reads
    fcode = _Code("jnp", loc, names.helpers, "jax")
    fcode.size_names = names.sizes
    bcode = _Code("jnp", loc, names.helpers, "jax")
    bcode.size_names = names.sizes
    forward, _ = _body(_Plan(p.inputs, p.wrt, p.output, p.forward, []), fcode, names)
    _, backward = _body(_Plan(p.inputs, p.wrt, p.output, [], p.backward), bcode, names)

    def size_lines(used: set[str]) -> list[str]:
        out = []
        for s in names.letters:
            if s not in used:
                continue
            v, axis = next((v, i) for v in p.inputs for i, t in enumerate(_spec(v.shape)) if t == s)
            out.append(f"{names.sizes[s]} = {v.name}.shape[{axis}]")
        return out

    # the residuals: what the backward pass reads (and the inputs whose sizes it reads, and
    # those whose cotangent is a zero of their shape)
    reads: set[str] = set()
    for s in p.backward:
        if not s.skipped:
            reads |= A.names_in(s.expr)
    for s in bcode.sizes_used:
        reads.add(next(v.name for v in p.inputs if s in v.shape.sizes()))
    cotangents = []
    for v in p.inputs:
        if v.name in p.wrt and f"∂{v.name}" in loc:
            cotangents.append(f"{g} * {_gradient_local(names, v.name)}")
        else:
            reads.add(v.name)
            cotangents.append(f"jnp.zeros_like({v.name})")
    order = [v.name for v in p.inputs] + [line.name for line in p.forward]
    saved = [n for n in order if n in reads]
    saved_text = ", ".join(loc[n] for n in saved) + ("," if len(saved) == 1 else "")

    params = ", ".join(v.name for v in p.inputs)
    not_wrt = [v.name for v in p.inputs if v.name not in p.wrt]
    constant = ""
    if not_wrt:
        are = "is" if len(not_wrt) == 1 else "are"
        constant = (f" {', '.join(not_wrt)} {are} held constant (a zero cotangent, as "
                    "jax.lax.stop_gradient gives).")  # fmt: skip
    doc = _doc_lines([
        _title(p, layers).replace("Value and gradient of", "The value of"),
        f"Inputs: {_inputs_text(p, names.letters)} (a vector is 1-D). Its VJP (jax.grad, "
        f"jax.vjp) is the derivation's backward pass.{constant}",
    ])  # fmt: skip
    lines = [
        *_header(
            options.text,
            layers,
            "JAX: a custom_vjp function whose backward pass is the "
            "derivation's, one line per step.",
        ),  # fmt: skip
        "",
        "import jax",
        "import jax.numpy as jnp",
        "",
        "",
        *_helper_lines(fcode.used | bcode.used, names, _JAX_HELPERS),
        "@jax.custom_vjp",
        f"def {name}({params}):",
        *("    " + d if d else "" for d in doc),
        f"    return {fwd_name}({params})[0]",
        "",
        "",
        f"def {fwd_name}({params}):",
        f'    """The forward pass: {p.output}, and the values the backward pass reads."""',
        *("    " + s for s in size_lines(fcode.sizes_used)),
        *_pad(forward),
        f"    return {loc[p.output]}, ({saved_text})",
        "",
        "",
        f"def {bwd_name}({residuals}, {g}):",
        f'    """The backward pass from δ_{p.output} = 1, its gradients times the cotangent '
        f'{g}."""',
        f"    {saved_text} = {residuals}" if saved else f"    del {residuals}",
        *("    " + s for s in size_lines(bcode.sizes_used)),
        *_pad(backward),
        f"    return ({', '.join(cotangents)}{',' if len(cotangents) == 1 else ''})",
        "",
        "",
        f"{name}.defvjp({fwd_name}, {bwd_name})",
        "",
        "",
        *_main(p, name, names),
    ]
    return "\n".join(line for line in lines if line is not None) + "\n"


def _main(p: _Plan, name: str, names: _Names) -> list[str]:
    """`python file.py`: random inputs of the shapes (the letters given sizes 3, 2, 4, …),
    the VJP checked against finite differences by jax.test_util.check_grads."""
    concrete = dict(zip(names.letters, [3, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12], strict=False))
    for i, s in enumerate(names.letters[len(concrete) :]):
        concrete[s] = 13 + i
    positive = _positive_inputs(p)
    out = [
        'if __name__ == "__main__":',
        "    import numpy as np",
        "    from jax.test_util import check_grads",
        "",
        '    jax.config.update("jax_enable_x64", True)',
        "    rng = np.random.default_rng(0)",
    ]
    for v in p.inputs:
        spec = tuple(concrete.get(s, s) for s in _spec(v.shape))
        if not spec:
            draw = "float(rng.uniform(0.5, 1.5))" if v.name in positive else "float(rng.normal())"
        elif len(spec) == 2 and spec[0] == spec[1]:  # a square matrix: well away from singular
            draw = f"jnp.eye({spec[0]}) + 0.1 * jnp.asarray(rng.normal(size={_tuple_text(spec)}))"
        elif v.name in positive:
            draw = f"jnp.asarray(rng.uniform(0.5, 1.5, size={_tuple_text(spec)}))"
        else:
            draw = f"jnp.asarray(rng.normal(size={_tuple_text(spec)}))"
        out.append(f"    {v.name} = {draw}")
    points = ", ".join(p.wrt) + ("," if len(p.wrt) == 1 else "")
    if len(p.wrt) == len(p.inputs):
        out.append(f'    check_grads({name}, ({points}), order=1, modes=["rev"])')
    else:
        args = ", ".join(v.name for v in p.inputs)
        out.append(f"    check_grads(lambda {', '.join(p.wrt)}: {name}({args}), ({points}), "
                   'order=1, modes=["rev"])')  # fmt: skip
    out.append('    print("OK")')
    return out


def _positive_inputs(p: _Plan) -> set[str]:
    """Inputs read by log, sqrt or a fractional power directly: drawn positive."""
    out: set[str] = set()
    for line in p.forward:
        for n in _subtrees(line.expr):
            arg = n.args[0] if n.args else None
            domain = (isinstance(n, A.Apply) and n.formula in (_LOG, sympy.sqrt(A.S))) or (
                isinstance(n, A.Power) and not n.k.is_Integer
            )
            if domain and isinstance(arg, A.Var):
                out.add(arg.name)
    return out
