"""The computational graph: an expression broken into primitive operations, each with its local
derivatives, and the backward pass that multiplies them into the gradient (backpropagation).

    y = 1/(1 + e^(−x))   →   u = −x,  v = e^u,  w = v + 1,  y = 1/w
    ȳ = 1,  w̄ = ȳ·(−1/w²),  v̄ = w̄·1,  ū = v̄·e^u,  x̄ = ū·(−1) = e^u/w²

A node's gradient n̄ = ∂y/∂n is the sum over its uses c of c̄·∂c/∂n. Every node is one
sub-expression: a sub-expression met twice is one node used twice.

Conventions where a derivative does not exist (stated in the output, and tested): at a tie of
its two inputs, max and min split the gradient equally (SymPy's H(0) = 1/2, as JAX and
PyTorch's `maximum` do); relu is its own gate with relu'(0) = 0 (as torch.relu and
jax.nn.relu); |x| and sign pass sign(0) = 0; a piecewise function
takes the piece that holds. A max of several arguments is a chain of two-input max gates (a
three-way tie gives 1/4, 1/4, 1/2).
"""

from __future__ import annotations

import random
import re

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.parameters import evaluate

from chainrule_cli.calculus.derive import SIMPLIFY_MAX_OPS, derive, on_a_switch
from chainrule_cli.calculus.numeric import (
    STEP_DPS,
    Evaluator,
    astronomical,
    central_difference,
    numeric_value,
)
from chainrule_cli.calculus.stepper import EVAL_HEIGHT, INTERMEDIATE_NAMES, expression_heights
from chainrule_cli.calculus.steps import Record
from chainrule_cli.calculus.verify import agrees
from chainrule_cli.walk import bottom_up

# The output's name, as in `diff` (y = …), unless the expression uses it.
OUTPUT_NAMES = ("y", "Y", "F", "G", "out")
# Adjoints are written out through the node names while they stay this small (in operations).
EXPANDED_OPS = 40
# Each intermediate's gradient is checked against SymPy (a derivative of the graph cut at the
# node) in graphs up to this many nodes; beyond, the inputs' gradients are checked.
CHECK_EVERY_NODE = 60

_OPS = {
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.Abs: "abs",
}


class Node(Record):
    """name = expr: one primitive operation on the nodes named in `inputs` (an input node, a
    variable, has op "input" and no inputs). `local` holds ∂name/∂input for each input,
    written through the names; `full` is the node's value in the original variables."""

    name: sympy.Symbol
    op: str
    expr: sympy.Expr
    inputs: tuple[sympy.Symbol, ...]
    local: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    full: sympy.Expr
    uses: tuple[sympy.Symbol, ...] = ()

    def local_of(self, name: sympy.Symbol) -> sympy.Expr:
        return dict(self.local)[name]


class Adjoint(Record):
    """n̄ = ∂y/∂n = Σ over the uses c of n: c̄ · ∂c/∂n (ȳ = 1 for the output y).

    `terms` are the (c, ∂c/∂n) pairs; `written` is n̄ through the node names when that is
    short enough to show (else None); `full` is n̄ in the original variables."""

    node: sympy.Symbol
    terms: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    written: sympy.Expr | None
    full: sympy.Expr


class Graph(Record):
    """An expression as a staged computation with its backward pass."""

    expr: sympy.Expr
    output: sympy.Symbol
    nodes: tuple[Node, ...]  # in the order of the forward pass: inputs first
    wrt: tuple[sympy.Symbol, ...]
    backward: tuple[Adjoint, ...]  # in the order of the backward pass: the output first
    derivatives: tuple[sympy.Expr, ...]  # ∂y/∂(each of wrt), in the original variables
    in_terms_of: tuple[sympy.Expr | None, ...] = ()  # the same through y, where that is shorter
    verified: bool = False
    failures: tuple[sympy.Symbol, ...] = ()  # nodes whose gradient disagreed with SymPy
    uncompared = frozenset({"nodes", "backward"})

    def node(self, name: sympy.Symbol) -> Node:
        return self._by_name()[name]

    def adjoint(self, name: sympy.Symbol) -> Adjoint | None:
        return {a.node: a for a in self.backward}.get(name)

    def _by_name(self) -> dict[sympy.Symbol, Node]:
        return {n.name: n for n in self.nodes}

    @property
    def inputs(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.op == "input")

    @property
    def operations(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.op != "input")


class GraphValues(Record):
    """The graph at a point: each node's value, each edge's local derivative and each node's
    gradient (None where it does not exist: an infinite local derivative), and the nodes
    where a convention decided (a tie of max/min, |x| or sign at 0)."""

    point: dict
    values: dict  # name -> sympy Float
    locals: dict  # (node, input) -> sympy Float or None
    grads: dict  # name -> sympy Float or None (None also for nodes off every path)
    conventions: tuple[sympy.Symbol, ...] = ()
    agrees: bool = True  # the inputs' gradients equal SymPy's derivative at the point

    def decimal(self, name: sympy.Symbol, grad: bool = False) -> float | None:
        value = (self.grads if grad else self.values).get(name)
        return None if value is None else float(value)


# ---- building ----------------------------------------------------------------------------------


class _Builder:
    """Splits an expression into primitive nodes, one per distinct sub-expression."""

    def __init__(self, expr: sympy.Expr) -> None:
        self.expr = expr
        self.memo: dict[sympy.Expr, sympy.Symbol] = {}
        self.pending: list[tuple[sympy.Expr, str, list[sympy.Symbol], sympy.Expr]] = []
        self.inputs: list[sympy.Symbol] = []
        self.variable: dict[sympy.Basic, bool] = {}

    def varies(self, expr: sympy.Basic) -> bool:
        """Does expr contain a variable? Once per sub-expression, without recursion."""
        return bottom_up(
            expr, self.variable, lambda node, below: isinstance(node, sympy.Symbol) or any(below)
        )

    def visit(self, expr: sympy.Expr) -> sympy.Expr:
        """The node standing for expr (a placeholder symbol until named), or expr itself
        when it is a constant."""
        if not self.varies(expr):
            return expr
        known = self.memo.get(expr)
        if known is not None:
            return known
        if isinstance(expr, sympy.Symbol):
            self.inputs.append(expr)
            self.memo[expr] = expr
            self.pending.append((expr, "input", [], expr))
            return expr
        op, operands, build = split(expr, self.varies)
        names = [self.visit(o) for o in operands]
        placeholder = sympy.Dummy(f"n{len(self.pending)}", real=True)
        self.memo[expr] = placeholder
        inputs = list(dict.fromkeys(n for n in names if isinstance(n, sympy.Symbol)))
        self.pending.append((expr, op, inputs, build(*names)))
        return placeholder


def split(expr: sympy.Expr, varies=lambda e: bool(e.free_symbols)):
    """(op, operands, build): the primitive at the top of expr, the sub-expressions it takes
    (each with a variable in it) and how it combines them (build(*nodes) = the node's formula)."""
    if isinstance(expr, sympy.Add):
        return _split_add(varies, expr)
    if isinstance(expr, sympy.Mul):
        return _split_mul(varies, expr)
    if isinstance(expr, sympy.Pow):
        return _split_pow(varies, expr)
    if isinstance(expr, sympy.Max | sympy.Min):
        return _split_extremum(varies, expr)
    if isinstance(expr, sympy.Function) and not isinstance(expr, sympy.Piecewise):
        func, args = expr.func, expr.args
        operands = [a for a in args if varies(a)]
        op = _OPS.get(func) or (str(func) if isinstance(expr, AppliedUndef) else func.__name__)
        op = op if isinstance(expr, AppliedUndef) else op.lower()

        def build(*names):
            given = iter(names)
            return func(*(next(given) if varies(a) else a for a in args))

        return op, operands, build
    # Piecewise, Derivative, Subs, …: one opaque node over the variables it uses
    variables = sorted(expr.free_symbols, key=str)
    return type(expr).__name__.lower(), variables, lambda *names: expr


def _negative(term: sympy.Expr) -> bool:
    return term.as_coeff_Mul()[0].is_negative is True


def _split_add(varies, expr: sympy.Add):
    constant = sympy.Add(*(t for t in expr.args if not varies(t)))
    terms = [t for t in expr.args if varies(t)]
    negated = [t for t in terms if _negative(t)]
    positive = [t for t in terms if not _negative(t)]
    if not positive and len(expr.args) >= 2 and not constant.is_positive:
        return "neg", [-expr], lambda n: -n  # −a − b − c = −(a + b + c)
    if len(positive) == 1 and len(negated) == 1 and constant == 0:
        return "sub", [positive[0], -negated[0]], lambda a, b: a - b
    if not positive and len(negated) == 1:
        return "sub", [-negated[0]], lambda b: constant - b
    return "add", terms, lambda *names: constant + sympy.Add(*names)


def _split_mul(varies, expr: sympy.Mul):
    constant = sympy.Mul(*(f for f in expr.args if not varies(f)))
    factors = [f for f in expr.args if varies(f)]
    if constant == -1:
        return "neg", [-expr], lambda n: -n
    numerator, denominator = [], []
    for f in factors:
        if isinstance(f, sympy.Pow) and f.exp.is_number and f.exp.is_negative:
            denominator.append(f.base ** (-f.exp))
        else:
            numerator.append(f)
    if not denominator:
        return "mul", factors, lambda *names: constant * sympy.Mul(*names)
    bottom = sympy.Mul(*denominator)
    if not numerator:
        op = "reciprocal" if constant == 1 else "div"
        return op, [bottom], lambda d: constant / d
    top = sympy.Mul(*numerator)
    return "div", [top, bottom], lambda n, d: constant * n / d


def _split_pow(varies, expr: sympy.Pow):
    base, exponent = expr.args
    if not varies(exponent):
        op = {-1: "reciprocal", sympy.Rational(1, 2): "sqrt"}.get(exponent, "pow")
        if exponent == -1:
            return op, [base], lambda b: 1 / b
        return op, [base], lambda b: b**exponent
    if not varies(base):
        return "pow", [exponent], lambda e: base**e
    if base == exponent:
        return "pow", [base], lambda b: b**b
    return "pow", [base, exponent], lambda b, e: b**e


def _split_extremum(varies, expr):
    func = type(expr)
    args = list(expr.args)
    if len(args) > 2:  # a chain of two-input gates: max(a, b, c) = max(max(a, b), c)
        first, last = func(*args[:-1]), args[-1]
        operands = [a for a in (first, last) if varies(a)]
        return "max" if func is sympy.Max else "min", operands, _two(varies, func, first, last)
    a, b = args
    op = "max" if func is sympy.Max else "min"
    if func is sympy.Max and (a == 0 or b == 0):
        op = "relu"
    operands = [x for x in (a, b) if varies(x)]
    return op, operands, _two(varies, func, a, b)


def _two(varies, func, a, b):
    def build(*names):
        given = iter(names)
        left = next(given) if varies(a) else a
        right = next(given) if varies(b) else b
        return func(left, right, evaluate=False)

    return build


def _names(count: int, taken: set[str]) -> list[str]:
    """Letters a teacher uses (u, v, w, …) when they suffice, else u_1, u_2, …; never the
    letter of an indexed variable (no w beside w0 and w1), never a name printed like a
    variable's (u_1 and u1 both print u₁)."""
    letters = {re.sub(r"_?\d+$", "", n).split("_")[0] for n in taken}
    letters = [n for n in INTERMEDIATE_NAMES if n not in taken | letters]
    if count <= len(letters):
        return letters[:count]
    printed = {n.replace("_", "") for n in taken}
    out, i = [], 1
    while len(out) < count:
        if f"u{i}" not in printed:
            out.append(f"u_{i}")
        i += 1
    return out


def _local(formula: sympy.Expr, name: sympy.Symbol) -> sympy.Expr:
    """∂formula/∂name. A product's factor that appears once: the other factors (sympy.diff
    would differentiate all n of them, for each of the n inputs)."""
    if isinstance(formula, sympy.Mul) and formula.args.count(name) == 1:
        others = [a for a in formula.args if a != name]
        if not any(a.has(name) for a in others):
            return sympy.Mul(*others)
    return sympy.diff(formula, name)


def build_graph(expr: sympy.Expr, wrt: tuple[sympy.Symbol, ...] | None = None) -> Graph:
    """The graph of expr, its backward pass toward `wrt` (every variable by default) and
    the check of every gradient against SymPy."""
    builder = _Builder(expr)
    top = builder.visit(expr)
    taken = {str(s) for s in expr.free_symbols} | {str(f.func) for f in expr.atoms(AppliedUndef)}
    operations = [p for p in builder.pending if p[1] != "input"]
    printed = {n.replace("_", "") for n in taken}
    output_name = next(n for n in OUTPUT_NAMES if n not in taken and n not in printed)
    fresh = iter(_names(max(len(operations) - 1, 0), taken | {output_name}))
    rename: dict[sympy.Symbol, sympy.Symbol] = {}
    for full, op, _, _ in builder.pending:
        if op == "input":
            continue
        placeholder = builder.memo[full]
        last = placeholder == top
        rename[placeholder] = sympy.Symbol(output_name if last else next(fresh), real=True)
    nodes: list[Node] = []
    uses: dict[sympy.Symbol, list[sympy.Symbol]] = {}
    for full, op, inputs, formula in builder.pending:
        if op == "input":
            name, formula, named_inputs = full, full, ()
        else:
            name = rename[builder.memo[full]]
            named_inputs = tuple(rename.get(i, i) for i in inputs)
            formula = formula.xreplace(rename)
        for i in named_inputs:
            uses.setdefault(i, []).append(name)
        local = tuple((i, _local(formula, i)) for i in named_inputs)
        nodes.append(Node(name=name, op=op, expr=formula, inputs=named_inputs, local=local,
                          full=full))  # fmt: skip
    if not nodes:  # a constant: one node holding it
        name = sympy.Symbol(output_name, real=True)
        nodes.append(Node(name=name, op="const", expr=expr, inputs=(), local=(), full=expr))
    nodes = [n.replace(uses=tuple(uses.get(n.name, ()))) for n in nodes]
    # the forward pass: the inputs by name, then the operations in an order that computes
    # each node after its inputs
    nodes.sort(key=lambda n: (n.op != "input", str(n.name) if n.op == "input" else ""))
    output = nodes[-1].name if nodes[-1].op != "input" else top
    variables = tuple(wrt) if wrt else tuple(sorted(expr.free_symbols, key=str))
    backward = _backward(nodes, output, variables)
    derivatives = tuple(
        next((a.full for a in backward if a.node == v), sympy.Integer(0)) for v in variables
    )
    graph = Graph(expr=expr, output=output, nodes=tuple(nodes), wrt=variables,
                  backward=tuple(backward), derivatives=derivatives)  # fmt: skip
    failures = _check(graph)
    return graph.replace(verified=not failures, failures=failures)


def _backward(nodes: list[Node], output: sympy.Symbol, wrt) -> list[Adjoint]:
    """The adjoints of the nodes on a path from a variable of `wrt` to the output, output first."""
    by_name = {n.name: n for n in nodes}
    wanted = set(wrt)
    on_path: set[sympy.Symbol] = set()
    for node in nodes:  # forward order: a node is on a path when one of its inputs is
        if node.name in wanted or any(i in on_path for i in node.inputs):
            on_path.add(node.name)
    if output not in on_path:
        return []
    full_of = {n.name: n.full for n in nodes}
    # past this height SymPy's automatic evaluation (sorting factors by comparing deep trees)
    # costs quadratically; the products are then built flat and unevaluated
    tall = expression_heights(nodes[-1].full)[nodes[-1].full] >= EVAL_HEIGHT
    adjoints: dict[sympy.Symbol, Adjoint] = {}
    order = []
    inputs = [n for n in nodes if n.op == "input"]
    for node in [*reversed(nodes[len(inputs) :]), *inputs]:
        if node.name not in on_path:
            continue
        if node.name == output:
            one = sympy.Integer(1)
            adjoints[node.name] = Adjoint(node=node.name, terms=(), written=one, full=one)
            order.append(adjoints[node.name])
            continue
        terms = tuple((c, by_name[c].local_of(node.name)) for c in node.uses if c in adjoints)
        writtens = [adjoints[c].written for c, _ in terms]
        written = None
        if None not in writtens:
            written = sympy.Add(*(w * local for w, (_, local) in zip(writtens, terms, strict=True)))
            if sympy.count_ops(written) > EXPANDED_OPS:
                written = None
        full = _total(
            [(adjoints[c].full, _in_variables(local, full_of, tall)) for c, local in terms],
            tall,
        )
        adjoints[node.name] = Adjoint(node=node.name, terms=terms, written=written, full=full)
        order.append(adjoints[node.name])
    return order


def _total(products: list[tuple[sympy.Expr, sympy.Expr]], tall: bool) -> sympy.Expr:
    """Σ upstream · local, built without SymPy's evaluation when the expression is tall."""
    if not tall:
        return sympy.Add(*(a * b for a, b in products))
    terms = []
    for upstream, local in products:
        if upstream == 1 or local == 1:
            terms.append(local if upstream == 1 else upstream)
            continue
        factors = [*sympy.Mul.make_args(upstream), *sympy.Mul.make_args(local)]
        terms.append(sympy.Mul(*factors, evaluate=False))
    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def _in_variables(expr: sympy.Expr, full_of: dict, tall: bool = False) -> sympy.Expr:
    """A formula through node names, written in the original variables (f'(u) at u = g(x) is
    SymPy's Subs form, as sympy.diff writes it)."""
    if expr.has(sympy.Derivative):
        return expr.subs({k: v for k, v in full_of.items() if k in expr.free_symbols})
    if tall:
        with evaluate(False):
            return expr.xreplace(full_of)
    return expr.xreplace(full_of)


def _check(graph: Graph) -> tuple[sympy.Symbol, ...]:
    """The nodes whose gradient disagrees with SymPy. An input's gradient must equal
    sympy.diff(expr, input); in small graphs so must every intermediate's, as the derivative
    of the output with the graph cut at the node (the node made a free variable)."""
    failures = []
    by_name = {n.name: n for n in graph.nodes}
    small = len(graph.nodes) <= CHECK_EVERY_NODE
    for adjoint in graph.backward:
        node = by_name[adjoint.node]
        if node.op == "input":
            expected = _derivative(graph.expr, node.name)
            if expected is None:
                ok = _slope_agrees(graph.expr, node.name, adjoint.full)
            else:
                ok = expected == adjoint.full or agrees(expected, adjoint.full)
        elif small and node.name != graph.output:
            cut = sympy.Dummy(str(node.name), real=True)
            output = _cut(graph, node.name, cut)
            expected = _in_variables(sympy.diff(output, cut), {cut: node.full})
            ok = expected == adjoint.full or agrees(expected, adjoint.full)
        else:
            ok = True
        if not ok:
            failures.append(adjoint.node)
    return tuple(failures)


def _derivative(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr | None:
    """sympy.diff where it is cheap (SymPy's diff recurses once per level of nesting)."""
    from chainrule_cli.calculus.verify import DIFF_HEIGHT

    if expression_heights(expr)[expr] > DIFF_HEIGHT:
        return None
    return sympy.diff(expr, var)


def _cut(graph: Graph, name: sympy.Symbol, cut: sympy.Symbol) -> sympy.Expr:
    """The output as a function of the node `name` made free (and of the variables)."""
    value: dict[sympy.Symbol, sympy.Expr] = {}
    downstream = {name}
    for node in graph.nodes:
        if node.name == name:
            value[node.name] = cut
        elif any(i in downstream for i in node.inputs):
            downstream.add(node.name)
            value[node.name] = node.expr.xreplace({i: value[i] for i in node.inputs})
        else:
            value[node.name] = node.full
    return value[graph.output]


def _slope_agrees(expr: sympy.Expr, var: sympy.Symbol, derivative: sympy.Expr) -> bool:
    """A derivative too deep for sympy.diff, against a central difference at random points
    (30 digits, h = 10⁻¹²: both errors far below the tolerance)."""
    rng = random.Random(20261127)
    symbols = sorted(expr.free_symbols, key=str)
    agreed = 0
    for _ in range(8):
        point = {s: sympy.Float(rng.uniform(0.1, 0.9), STEP_DPS) for s in symbols}
        got = numeric_value(derivative, point)
        estimate = central_difference(expr, var, point)
        if got is None or estimate is None:
            continue
        if abs(got.imag) > 1e-9 or abs(estimate.imag) > 1e-9:
            continue
        if abs(got - estimate) > 1e-8 * max(1.0, abs(got)):
            return False
        agreed += 1
        if agreed >= 2:
            return True
    return False


# ---- at a point --------------------------------------------------------------------------------


def values_at(graph: Graph, point: dict[sympy.Symbol, sympy.Expr]) -> GraphValues:
    """The forward pass (every node's value) and the backward pass (every gradient) at a point;
    a value that is not a finite real number is an UndefinedError naming the node.

    Values are exact while they stay short (sin(π) is 0, not 10⁻³¹: a tie or a zero is seen as
    one), and 30-digit numbers past that; a gradient that does not exist (an infinite local
    derivative, or a derivative SymPy cannot evaluate there) is None."""
    from chainrule_cli.errors import UndefinedError

    values: dict[sympy.Symbol, sympy.Expr] = {}
    for node in graph.nodes:
        if node.op == "input":
            given = point[node.name]
            # 0.1 as typed means one tenth, not the double nearest it: 0.1 + 0.9 is 1, a tie
            value = _settle(sympy.Rational(str(given)) if given.is_Float else given)
        else:
            value = _at(node.expr, {i: values[i] for i in node.inputs})
        if value is None or node.expr.atoms(AppliedUndef):
            shown = ", ".join(f"{i} = {_short(values[i])}" for i in node.inputs)
            what = (
                "has no value: it is an unknown function"
                if node.expr.atoms(AppliedUndef)
                else "is not a real number that can be computed at this point"
            )
            raise UndefinedError(
                f"{node.name} = {node.expr} {what}" + (f" ({shown})" if shown else "")
            )
        values[node.name] = value
    locals_: dict = {}
    conventions = []
    for node in graph.nodes:
        at = {i: values[i] for i in node.inputs}
        for i, local in node.local:
            locals_[(node.name, i)] = None if local.has(sympy.Derivative) else _at(local, at)
            if on_a_switch(local, at):
                conventions.append(node.name)
    grads: dict = {n.name: None for n in graph.nodes}
    for adjoint in graph.backward:
        if adjoint.node == graph.output:
            grads[adjoint.node] = sympy.Integer(1)
            continue
        total = sympy.Integer(0)
        for c, _ in adjoint.terms:
            upstream, local = grads[c], locals_[(c, adjoint.node)]
            if upstream is None or local is None:
                total = None
                break
            total = _settle(total + upstream * local)
        grads[adjoint.node] = total
    for var in graph.wrt:
        if var not in grads:  # a variable the expression does not use
            grads[var] = sympy.Integer(0)
    agreed = _agrees_at(graph, point, grads, bool(conventions))
    return GraphValues(point=point, values=values, locals=locals_, grads=grads,
                       conventions=tuple(dict.fromkeys(conventions)), agrees=agreed)  # fmt: skip


EXACT_OPS = 30  # exact values longer than this are carried as 30-digit numbers
BIG_EXPONENT = 1_000  # x^(10^40) at x = 1/2 is not worked out exactly (2^(10^40) digits)


def _at(formula: sympy.Expr, values: dict) -> sympy.Expr | None:
    """A formula at the nodes' values: exactly, unless a power with a big exponent would make
    the exact number astronomically long; then in 30-digit arithmetic."""
    big = any(
        p.exp.is_number and abs(p.exp.evalf(5)) > BIG_EXPONENT for p in formula.atoms(sympy.Pow)
    )
    if not big:
        return _settle(formula.xreplace(values))
    numeric = {k: sympy.Float(v.evalf(STEP_DPS), STEP_DPS) for k, v in values.items()}
    try:
        value = formula.evalf(STEP_DPS, subs=numeric)
    except (ValueError, TypeError, ArithmeticError):
        return None
    return value if _finite_real(value) else None


def _settle(value: sympy.Expr) -> sympy.Expr | None:
    """A value as carried through the passes: exact while short, else 30 digits; None when
    it is not a finite real number (or cannot be evaluated)."""
    if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    if value.has(sympy.DiracDelta, sympy.Derivative, sympy.Subs):
        return None
    if not value.is_Float and sympy.count_ops(value) <= EXACT_OPS:
        if value.is_extended_real is False:
            return None
        if value.is_Rational or value.is_extended_real:
            return value
    number = value.evalf(STEP_DPS)
    return number if _finite_real(number) else None


def _agrees_at(graph: Graph, point: dict, grads: dict, conventions: bool) -> bool:
    """The inputs' gradients against the symbolic derivatives at the point (where a convention
    decided, the derivative does not exist and there is nothing to compare)."""
    if conventions:
        return True
    for var, derivative in zip(graph.wrt, graph.derivatives, strict=True):
        got = grads.get(var)
        if derivative.has(sympy.Derivative, sympy.Subs) or derivative.atoms(AppliedUndef):
            continue  # no number to compare with
        numeric = {k: sympy.Float(v.evalf(STEP_DPS), STEP_DPS) for k, v in point.items()}
        want = Evaluator(numeric)(derivative) if derivative.free_symbols else derivative
        if want is None or got is None:
            continue
        want = want.evalf(STEP_DPS)
        real, imag = want.as_real_imag()
        if abs(imag) > 1e-12 * max(1, abs(real)):
            continue
        if abs(got.evalf(STEP_DPS) - real) > 1e-9 * max(1, abs(real)):
            return False
    return True


def _finite_real(value: sympy.Expr) -> bool:
    """A finite real number (however large: e^1000 is one)."""
    if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return False
    if value.has(sympy.DiracDelta, sympy.Derivative, sympy.Subs):
        return False
    if astronomical(value, both_ways=True):
        return False  # 2^(±10^40): no number anyone can use, and printing it would fail
    try:
        real, imag = value.as_real_imag()
        real, imag = sympy.Float(real, STEP_DPS), sympy.Float(imag, STEP_DPS)
    except (TypeError, ValueError):
        return False
    if not real.is_finite:
        return False
    return abs(imag) <= sympy.Float("1e-25") * max(sympy.Integer(1), abs(real))


def _short(value: sympy.Expr) -> str:
    return str(value) if value.is_Rational else str(value.evalf(6))


# `diff` works out a whole derivation per variable to find the form through y: for a few.
THROUGH_OUTPUT_VARS = 6


def through_output(built) -> tuple:
    """Each derivative written through the output's own value (σ' = y(1 − y)), where `diff`
    finds such a form (small expressions only: it works the derivation out)."""

    expr = built.expr
    too_much = len(built.wrt) > THROUGH_OUTPUT_VARS or sympy.count_ops(expr) > SIMPLIFY_MAX_OPS
    if expr.is_Atom or expr.atoms(AppliedUndef) or too_much:
        return tuple(None for _ in built.wrt)
    forms = []
    for variable, derivative in zip(built.wrt, built.derivatives, strict=True):
        form = None
        if derivative != 0:
            worked = derive(expr, variable, 1, "brief")
            if worked.verified and worked.in_terms_of is not None:
                found = worked.in_terms_of
                form = found.result.xreplace({found.name: built.output})
        forms.append(form)
    return tuple(forms)
