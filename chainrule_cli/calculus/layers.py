"""The chain rule in matrix form: a layer's forward names and its backward pass, as a course
writes backprop.

    L = ‖σ(Wx + b) − t‖²
    forward:   z = Wx + b,  a = σ(z),  L = ‖a − t‖²
    backward:  δ_a = 2(a − t),  δ_z = δ_a ⊙ a ⊙ (1 − a),
               ∂L/∂W = δ_z xᵀ,  ∂L/∂b = δ_z,  ∂L/∂x = Wᵀδ_z

Each step is one line of the table in calculus/vjps.py applied to this expression. The steps
are built on the tree, never on arrays: the derivation costs the same at 3×2 as at 3000×2000.
calculus/expand.py verifies every step entry by entry at small sizes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.calculus import vjps
from chainrule_cli.errors import UnsupportedError


@dataclass(frozen=True, slots=True)
class Forward:
    """A forward name: `name = expr` (expr through earlier names), `full` in the inputs."""

    name: str
    expr: A.Node
    full: A.Node
    rule: str  # the primitive: linear_map, elementwise, softmax, …


@dataclass(frozen=True, slots=True)
class Term:
    """One path's share of a backward quantity: from the use `via` (a name or the output),
    through the rules on the way, the formula of the rule that applies."""

    via: str
    rules: tuple[str, ...]
    formula: str  # the formula of the rule that matters on the way (see _main_rule)
    expr: A.Node
    formulas: tuple[str, ...] = ()  # each rule's, in order


@dataclass(frozen=True, slots=True)
class Backward:
    """δ_name = ∂L/∂name (of name's shape): the sum of its terms, one per use."""

    name: str  # the quantity: δ_z for a forward name, the input's name for a gradient
    of: str  # the forward name or input
    rule: str
    terms: tuple[Term, ...]
    expr: A.Node  # through names
    full: A.Node  # in the inputs alone
    gradient: bool  # an input's gradient (a result), not an intermediate δ
    by: str = ""  # a Jacobian step's variable (∂z/∂x: x)

    @property
    def shape(self) -> A.Shape:
        return self.expr.shape


@dataclass(frozen=True, slots=True)
class Layers:
    """The derivation of a scalar of arrays: forward names, backward steps, results."""

    root: A.Node
    output: str
    wrt: tuple[str, ...]
    shapes: dict
    forward: tuple[Forward, ...]
    backward: tuple[Backward, ...]
    notes: tuple[str, ...] = ()
    text: str = ""
    verified: bool | None = None
    checked_at: dict = field(default_factory=dict)  # the sizes the steps were verified at
    kind: str = "gradient"  # or "jacobian": a vector's Jacobians (calculus/layer_jacobian.py)

    def result(self, name: str) -> Backward:
        return next(b for b in self.backward if b.gradient and b.of == name)

    def with_(self, **changes) -> Layers:
        from dataclasses import replace

        return replace(self, **changes)


_TRIVIAL = (A.Var, A.Const, A.Ones, A.Identity)
# The name a course gives a node, by what it computes
_BASE_NAMES = {
    "affine": "z",
    "elementwise": "a",
    "softmax": "p",
    "logsoftmax": "q",
}
_SPARE = ("u", "v", "h", "s", "g", "k", "m", "c")


def derive(
    root: A.Node,
    wrt: tuple[str, ...],
    *,
    text: str = "",
    notes: tuple[str, ...] = (),
    shapes: dict | None = None,
) -> Layers:
    """The matrix-form derivation of the scalar `root` with respect to the inputs `wrt`."""
    if not root.shape.scalar:
        raise UnsupportedError(
            f"the expression is {_a_shape(root.shape)}, not a scalar: backpropagation needs a "
            "scalar (a loss); the derivative of a vector is its Jacobian (chainrule jacobian)"
        )
    fp = forward_pass(root)
    depends = depends_on(fp.order, set(wrt))
    if root not in depends:
        raise UnsupportedError(
            f"{', '.join(wrt)} {'does' if len(wrt) == 1 else 'do'} not occur in the expression"
        )
    backward = _backward(fp.order, root, fp.names, fp.display, depends, fp.full_of, wrt)
    return Layers(
        root=root, output=fp.names[root], wrt=tuple(wrt), shapes=dict(shapes or {}),
        forward=fp.forward, backward=tuple(backward), notes=tuple(notes), text=text,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ForwardPass:
    """The distinct nodes in computation order, the names a course gives them, each node as
    shown through the names, and each name's expression in the inputs."""

    order: list
    names: dict
    display: dict
    full_of: dict
    forward: tuple[Forward, ...]


def forward_pass(root: A.Node, outputs: tuple[str, ...] = ("L", "ℓ", "J", "F")) -> ForwardPass:
    order = _post_order(root)
    parents = _parents(order)
    names = _name_nodes(order, parents, root, A.names_in(root), outputs)
    display: dict[A.Node, A.Node] = {}
    full_of: dict[str, A.Node] = {}
    forward: list[Forward] = []
    for node in order:
        if isinstance(node, _TRIVIAL):
            display[node] = node
            continue
        shown = node.rebuild(tuple(display[a] for a in node.args))
        if node in names:
            name = names[node]
            forward.append(Forward(name, shown, node, _kind(node)))
            full_of[name] = node
            display[node] = A.Var(name, node.shape)
        else:
            display[node] = shown
    return ForwardPass(order, names, display, full_of, tuple(forward))


def _a_shape(shape: A.Shape) -> str:
    return f"a vector of size {shape.length}" if shape.vector else f"{shape.a()} matrix"


def _post_order(root: A.Node) -> list[A.Node]:
    """Each distinct node once, operands before their uses (iterative: deep input is legal)."""
    seen: set[A.Node] = set()
    out: list[A.Node] = []
    stack: list[tuple[A.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if node not in seen:
                seen.add(node)
                out.append(node)
            continue
        if node in seen:
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args))
    return out


def _parents(order: list[A.Node]) -> dict[A.Node, list[A.Node]]:
    parents: dict[A.Node, list[A.Node]] = {n: [] for n in order}
    for node in order:
        for a in node.args:
            parents[a].append(node)
    return parents


def _inline(node: A.Node, parents: list[A.Node], named: set[A.Node]) -> bool:
    """Nodes a course writes inside their use rather than naming: xᵀ, −x, the Wx of Wx + b,
    the a − t inside ‖a − t‖², the tᵀq of −tᵀq."""
    if isinstance(node, _TRIVIAL):
        return True
    leafy = all(isinstance(a, _TRIVIAL) or _leafish(a) or a in named for a in node.args)
    if isinstance(node, (A.Transpose, A.Neg)) and leafy:
        return True
    if len(parents) != 1:
        return False
    parent = parents[0]
    if isinstance(node, (A.MatMul, A.Scale)) and leafy and isinstance(parent, A.Add):
        return True
    if isinstance(node, A.Add) and not _affine(node) and isinstance(parent, A.Unary):
        return True
    if isinstance(node, A.Unary) and node.op == "logsoftmax" and isinstance(parent, A.Dot):
        return True  # −tᵀ log softmax(z), the cross-entropy, read whole
    return isinstance(parent, A.Neg) or (
        isinstance(parent, A.Scale) and isinstance(parent.c, A.Const)
    )


def _leafish(node: A.Node) -> bool:
    return isinstance(node, (A.Transpose, A.Neg)) and isinstance(node.args[0], _TRIVIAL)


def _affine(node: A.Node) -> bool:
    return isinstance(node, A.Add) and any(isinstance(t, A.MatMul) for t in node.terms)


def _kind(node: A.Node) -> str:
    if (isinstance(node, A.Neg) and isinstance(node.a, A.Dot) and isinstance(node.a.b, A.Unary)
            and node.a.b.op == "logsoftmax"):  # fmt: skip
        return "cross_entropy"
    if _affine(node):
        return "affine"
    if isinstance(node, A.Apply):
        return "elementwise"
    if isinstance(node, A.Unary):
        return node.op if node.op in _BASE_NAMES else vjps.UNARY_RULES[node.op]
    return vjps.rule_of(node).name


def _name_nodes(order, parents, root, taken, outputs) -> dict[A.Node, str]:
    """A name for every node that gets one: z, a, p per layer (z1, a1, z2, … when there are
    several), u, v, … otherwise; the output is L."""
    named: set[A.Node] = set()
    chosen = []
    for n in order:
        if n is not root and not _inline(n, parents[n], named):
            chosen.append(n)
            named.add(n)
    bases = [_BASE_NAMES.get(_kind(n), "") for n in chosen]
    counts = Counter(b for b in bases if b)
    layered = counts["z"] > 1  # several layers: z1, a1, z2, a2, as CS231n writes them
    seen: Counter = Counter()
    names: dict[A.Node, str] = {}
    used = set(taken)
    spare = iter([s for s in _SPARE if s not in taken] + [f"u{i}" for i in range(1, 10_000)])
    for node, base in zip(chosen, bases, strict=True):
        if base and base not in taken:
            seen[base] += 1
            index = seen["z"] if layered and base != "z" and seen["z"] else seen[base]
            name = f"{base}{index}" if counts[base] > 1 or layered else base
            if name in used:
                name = next(n for n in spare if n not in used)
        else:
            name = next(n for n in spare if n not in used)
        used.add(name)
        names[node] = name
    out = next(n for n in outputs if n not in used)
    names[root] = out
    return names


def depends_on(order: list[A.Node], wrt: set[str]) -> set[A.Node]:
    out: set[A.Node] = set()
    for node in order:
        if isinstance(node, A.Var) and node.name in wrt or any(a in out for a in node.args):
            out.add(node)
    return out


def _backward(order, root, names, display, depends, full_of, wrt) -> list[Backward]:
    """Reverse mode over the distinct nodes: each node's δ is the sum over its uses of the
    use's VJP (the many-variable chain rule: one term per path)."""
    terms: dict[A.Node, list[Term]] = {root: []}
    delta: dict[A.Node, A.Node] = {root: A.Const(sympy.S.One)}
    steps: list[Backward] = []
    full_delta: dict[str, A.Node] = {}
    for node in reversed(order):
        if node not in depends or (node is not root and node not in terms):
            continue
        if node is not root:
            parts = terms[node]
            g = A.add(*(t.expr for t in parts))
            if node in names or (isinstance(node, A.Var) and node.name in wrt):
                of = names.get(node) or node.name
                step_name = f"δ_{of}" if node in names else of
                full = A.substitute(g, {**full_of, **full_delta})
                rule = _main_rule(parts)
                steps.append(Backward(step_name, of, rule, tuple(parts), g, full,
                                      gradient=node not in names))  # fmt: skip
                if node in names:
                    full_delta[step_name] = full
                    g = A.Var(step_name, node.shape)
            delta[node] = g
        if isinstance(node, A.Var) or not node.args:
            continue
        g = delta[node]
        rule = vjps.rule_of(node)
        out = display[node]
        shown_args = tuple(display[a] for a in node.args)
        shares = rule.vjp(g, node, shown_args, out)
        via = names.get(node, "")
        inherited = terms.get(node, []) if node not in names and node is not root else []
        for i, (arg, share) in enumerate(zip(node.args, shares, strict=True)):
            if arg not in depends or share is None:
                continue
            formula = _instance(node, i, out, shown_args, rule)
            one = len(inherited) == 1
            before = inherited[0].rules if one else ()
            formulas = (*(inherited[0].formulas if one else ()), formula)
            rules = (*before, rule.name)
            origin = inherited[0].via if one else via
            main = _main_index(rules)
            terms.setdefault(arg, []).append(
                Term(origin or via, rules, formulas[main], share, formulas)
            )
    return steps


_PASSING = ("sum", "transpose", "constant_multiple")


def _main_index(rules: tuple[str, ...]) -> int:
    for i in range(len(rules) - 1, -1, -1):
        if rules[i] not in _PASSING:
            return i
    return len(rules) - 1


def _instance(node: A.Node, i: int, out: A.Node, args: tuple, rule) -> str:
    """The rule's formula for operand i; an elementwise function's with its own f′ written
    out (a = σ(z): δ_z = δ_a ⊙ σ′(z), σ′(z) = a ⊙ (1 − a))."""
    general = rule.formula[min(i, len(rule.formula) - 1)]
    if not isinstance(node, A.Apply) or not node.name:
        return general
    p = A.Printer("text")
    f = p(A.Apply(node.formula, A.Var("·"), node.name)).replace("(·)", "")
    slope = vjps.vjp(node, A.Ones(node.shape), args, out)[0]
    z, a = p(args[0]), p(out)
    return f"{a} = {f}({z}): δ_{z} = δ_{a} ⊙ {f}′({z}), {f}′({z}) = {p(slope)}"


def _main_rule(parts: list[Term]) -> str:
    if len(parts) > 1:
        return "multivariable_chain"
    rules = parts[0].rules
    for r in reversed(rules):
        if r not in _PASSING:
            return r
    return rules[-1]
