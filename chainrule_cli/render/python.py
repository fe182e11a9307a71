"""The computational graph as Python: one function, standard library `math` only, that runs the
forward pass stage by stage, then the backward pass, and returns (value, {variable: gradient}).

    def f(*, x):
        u = -x                          # forward: one line per node
        ...
        d_y = 1.0                       # backward: d_n = Σ over the uses c of n of d_c · ∂c/∂n
        d_w = d_y * (-1/w**2)
        ...
        return y, {"x": d_x}

One line per node and per adjoint, so the code grows linearly with the graph however deep it is.
Like the other renderers it computes nothing: the formulas are the graph's own, except where
the plain formula overflows or takes log(0) in floating point. There the code uses a small
helper, written above the function only when used, that computes the same number stably:

    σ(a)               _sigmoid(a)          e^(−|a|) only: 1/(1 + e^(−a)) or e^a/(1 + e^a)
    log(1 + e^a)       _softplus(a)         max(a, 0) + log1p(e^(−|a|))
    log σ(a)           _log_sigmoid(a)      min(a, 0) − log1p(e^(−|a|))
    log(1 − σ(a))      _log_sigmoid(−a)
    1 − σ(a)           _sigmoid(−a)

A node log(v) whose input v is σ(a), 1 − σ(a) or 1 + e^a (themselves nodes) is computed from a
(`_passes`): in the backward pass its edge goes straight to a, with the local derivative
σ(−a), −σ(a) or σ(a), and the nodes between, when nothing else needs them, are not computed
at all (e^1000 would overflow before the log could tame it); its line's comment says what it
stands for. σ' = σ(1 − σ) is written through the σ node's own value, y·_sigmoid(−a). Binary
cross-entropy from logits, −(t·log σ(z) + (1 − t)·log(1 − σ(z))), so stays finite for any z,
with ∂/∂z = σ(z) − t. The article's 1/(1 + e^(−x)) typed out stays its four stages (e^u
overflows past x = −709): `sigmoid(x)` is the stable spelling.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
import unicodedata
from typing import NamedTuple

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from chainrule_cli.calculus.graph import Graph
from chainrule_cli.calculus.stepper import expression_heights
from chainrule_cli.errors import ParseError, UnsupportedError
from chainrule_cli.functions import sigmoid

# Names the generated code reads besides its own: the math module and Python's builtins
# (the printer writes abs, max, min; an input named `max` must not hide them).
RESERVED = frozenset(dir(builtins)) | {"math"}
# The docstring writes the expression out while it is this shallow (SymPy prints recursively).
SHOWN_HEIGHT = 60

# The stable helpers, by kind: each a module-level function written above the generated one
# only when the code calls it ({name} is its identifier, fresh against every other name).
HELPERS = {
    "sigmoid": [
        "def {name}(a):",
        '    """sigmoid(a) = 1/(1 + exp(-a)), through exp(-|a|) so that it never overflows."""',
        "    if a >= 0:",
        "        return 1/(1 + math.exp(-a))",
        "    e = math.exp(a)",
        "    return e/(1 + e)",
    ],
    "softplus": [
        "def {name}(a):",
        '    """log(1 + exp(a)) = max(a, 0) + log1p(exp(-|a|)), which never overflows."""',
        "    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))",
    ],
    "log_sigmoid": [
        "def {name}(a):",
        '    """log(sigmoid(a)) = min(a, 0) - log1p(exp(-|a|)): never log(0), never overflows."""',
        "    return min(a, 0.0) - math.log1p(math.exp(-abs(a)))",
    ],
}


class MathPrinter(PythonCodePrinter):
    """SymPy's Python printer, writing each symbol as its local name, chainrule's σ, 1 − σ,
    log σ, log(1 − σ) and log(1 + e^a) through the stable helpers (`HELPERS`), Floats so that
    they read back exactly, the reciprocal hyperbolic functions through math's own, and
    refusing (UnsupportedError) what `math` cannot compute."""

    def __init__(
        self,
        names: dict[sympy.Symbol, str],
        full: dict[sympy.Symbol, sympy.Expr],
        helpers: dict[str, str] | None = None,
    ):
        super().__init__({"standard": "python3", "strict": False})
        self.names = names
        self.full = full
        self.helpers = helpers or {kind: f"_{kind}" for kind in HELPERS}
        self.used: set[str] = set()  # the kinds of helper the printed code calls

    def code(self, expr: sympy.Expr, factor: bool = False) -> str:
        """expr as Python; as a factor of a product, parenthesised unless it binds tighter."""
        self._not_supported = set()
        text = self._print(expr)
        if factor and not _simple(expr):
            text = f"({text})"
        if self._not_supported:
            culprit = min(self._not_supported, key=sympy.default_sort_key)
            raise UnsupportedError(_unsupported(culprit, self._in_variables(culprit)))
        return text

    def _in_variables(self, expr: sympy.Expr) -> sympy.Expr:
        """expr through the original variables (f(x**2) rather than f(u)), unless too deep."""
        fulls = {s: self.full[s] for s in expr.free_symbols if s in self.full}
        if any(expression_heights(f)[f] > SHOWN_HEIGHT for f in fulls.values()):
            return expr
        return expr.xreplace(fulls)

    def uses_math(self) -> bool:
        return "math" in self.module_imports or bool(self.used)

    def _helper(self, kind: str, arg: sympy.Expr) -> str:
        self.used.add(kind)
        return f"{self.helpers[kind]}({self._print(arg)})"

    def _print_Symbol(self, expr):
        return self.names.get(expr) or super()._print_Symbol(expr)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_ImaginaryUnit(self, expr):
        return self._print_not_supported(expr)

    def _print_sigmoid(self, expr):
        return self._helper("sigmoid", expr.args[0])

    def _print_Add(self, expr, order=None):
        s = _one_minus_sigmoid(expr)  # 1 − σ(a) = σ(−a), exact where σ(a) rounds to 1
        if s is not None:
            return self._helper("sigmoid", -s.args[0])
        return super()._print_Add(expr, order)

    def _print_log(self, expr):
        found = _stable_log(expr.args[0])
        if found is None:
            return super()._print_log(expr)
        kind, arg, _, _ = found
        return self._helper(kind, arg)

    def _print_relu(self, expr):
        return f"max(0.0, {self._print(expr.args[0])})"

    def _print_Heaviside(self, expr):
        # H(0) is the graph's convention: 1/2 splits a max/min tie equally
        arg = self._print(expr.args[0])
        at_zero = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        at_zero = repr(float(at_zero)) if at_zero.is_Rational else self._print(at_zero)
        return f"(0.0 if {arg} < 0 else {at_zero} if {arg} == 0 else 1.0)"

    def _reciprocal_of(self, function: str, expr) -> str:
        return f"(1/{self._module_format(function)}({self._print(expr.args[0])}))"

    def _of_reciprocal(self, function: str, expr) -> str:
        arg = self.parenthesize(expr.args[0], PRECEDENCE["Mul"])
        return f"{self._module_format(function)}(1/{arg})"

    def _print_coth(self, expr):
        return self._reciprocal_of("math.tanh", expr)

    def _print_sech(self, expr):
        return self._reciprocal_of("math.cosh", expr)

    def _print_csch(self, expr):
        return self._reciprocal_of("math.sinh", expr)

    def _print_acoth(self, expr):
        return self._of_reciprocal("math.atanh", expr)

    def _print_asech(self, expr):
        return self._of_reciprocal("math.acosh", expr)

    def _print_acsch(self, expr):
        return self._of_reciprocal("math.asinh", expr)


def _simple(expr: sympy.Expr) -> bool:
    """Is expr a factor that needs no parentheses: a name, a call, a power, a whole number?"""
    if expr.is_Number:
        return (expr.is_Integer or expr.is_Float) and not expr.is_negative
    if expr.is_Pow:
        return expr.exp.is_negative is not True
    return expr.is_Symbol or expr.is_NumberSymbol or isinstance(expr, sympy.Function)


def _one_plus(expr: sympy.Expr) -> sympy.Expr | None:
    """t when expr is 1 + t (a sum of two terms), else None."""
    if isinstance(expr, sympy.Add) and len(expr.args) == 2 and sympy.S.One in expr.args:
        return expr.args[1] if expr.args[0] == 1 else expr.args[0]
    return None


def _one_minus_sigmoid(expr: sympy.Expr) -> sigmoid | None:
    """σ(a) when expr is 1 − σ(a), else None."""
    rest = _one_plus(expr)
    if rest is not None and isinstance(-rest, sigmoid):
        return -rest
    return None


def _stable_log(arg: sympy.Expr):
    """log(arg) through a stable helper when arg is σ(a), 1 − σ(a) or 1 + e^a: (the helper's
    kind, its argument, a, d log(arg)/da); else None."""
    if isinstance(arg, sigmoid):
        a = arg.args[0]
        return "log_sigmoid", a, a, sigmoid(-a)  # (log σ(a))' = 1 − σ(a) = σ(−a)
    s = _one_minus_sigmoid(arg)
    if s is not None:
        a = s.args[0]
        return "log_sigmoid", -a, a, -s  # log(1 − σ(a)) = log σ(−a), and its ' = −σ(a)
    rest = _one_plus(arg)
    if isinstance(rest, sympy.exp):
        a = rest.args[0]
        return "softplus", a, a, sigmoid(a)  # (log(1 + e^a))' = σ(a)
    return None


def _inlined(expr: sympy.Expr, formula: dict) -> sympy.Expr:
    """expr = 1 ± n with the node n written as its formula (1 − σ(a), 1 + e^a, …)."""
    rest = _one_plus(expr)
    if rest is None:
        return expr
    n = -rest if (-rest).is_Symbol else rest
    return expr.xreplace({n: formula[n]}) if n in formula else expr


class _Passes(NamedTuple):
    """What the code computes: `forward`, (node, formula, what it stands for or None) in the
    order of the forward pass, only the nodes something needs; `backward`, (node, terms) in
    the order of the backward pass, each term (c, ∂c/∂node). The graph's own, except that a
    node log(v) with v = σ(a), 1 − σ(a) or 1 + e^a (nodes) is computed from a by a stable
    helper, its backward edge going to a directly; a node 1 − σ(a) is σ(−a); and σ(a) in a
    local derivative is the σ node's value, 1 − σ(a) is σ(−a)."""

    forward: tuple[tuple[sympy.Symbol, sympy.Expr, sympy.Expr | None], ...]
    backward: tuple[tuple[sympy.Symbol, tuple[tuple[sympy.Symbol, sympy.Expr], ...]], ...]


def _passes(graph: Graph) -> _Passes:
    formula = {n.name: n.expr for n in graph.operations}
    rewritten: dict[sympy.Symbol, sympy.Expr] = {}  # node -> a stable formula of the same value
    fused: dict[sympy.Symbol, tuple[sympy.Symbol, sympy.Symbol, sympy.Expr]] = {}  # (v, a, ∂/∂a)
    for node in graph.operations:
        expr = node.expr
        if isinstance(expr, sympy.log) and expr.args[0] in formula:
            v = expr.args[0]
            arg = _inlined(formula[v], formula)
            found = _stable_log(arg)
            if found is not None:
                rewritten[node.name] = sympy.log(arg)
                fused[node.name] = (v, found[2], found[3])
        elif _one_minus_sigmoid(_inlined(expr, formula)) is not None:
            rewritten[node.name] = _inlined(expr, formula)

    # σ(a) in a local derivative: the σ node's value (σ' = σ·(1 − σ) = y·σ(−a))
    value_of = {f: name for name, f in formula.items() if isinstance(f, sigmoid)}

    def through_values(local: sympy.Expr) -> sympy.Expr:
        found = local.atoms(sigmoid)
        if not found:
            return local
        local = local.xreplace({1 - s: sigmoid(-s.args[0]) for s in found})
        return local.xreplace({s: value_of[s] for s in local.atoms(sigmoid) if s in value_of})

    bypassed = {(c, v) for c, (v, _, _) in fused.items()}
    direct: dict[sympy.Symbol, list] = {}
    for c, (_, a, local) in fused.items():
        direct.setdefault(a, []).append((c, local))
    backward, has = [], set()
    for adjoint in graph.backward:
        n = adjoint.node
        terms = [(c, local) for c, local in adjoint.terms if (c, n) not in bypassed]
        terms = [(c, through_values(local)) for c, local in terms + direct.get(n, []) if c in has]
        if terms or n == graph.output:
            has.add(n)
            backward.append((n, tuple(terms)))

    needed = {graph.output}
    for _, terms in backward:
        for _, local in terms:
            needed |= local.free_symbols
    forward = []
    for node in reversed(graph.operations):
        if node.name in needed:
            expr = rewritten.get(node.name, node.expr)
            needed |= expr.free_symbols
            forward.append((node.name, expr, rewritten.get(node.name)))
    return _Passes(forward=tuple(reversed(forward)), backward=tuple(backward))


def _unsupported(expr: sympy.Basic, shown: sympy.Basic) -> str:
    """The one-line reason the code cannot compute expr (shown as `shown`)."""
    if isinstance(expr, AppliedUndef):
        why = "an unknown function has no code"
    elif isinstance(expr, sympy.Derivative | sympy.Subs):
        why = "the derivative of an unknown function has no code"
    elif expr.has(sympy.I):
        why = "Python's math module has no complex numbers"
    else:
        why = f"Python's math module has no {type(expr).__name__}"
    return f"--format python cannot compute {shown}: {why}"


def _identifier(name: str) -> str:
    """name as Python reads an identifier (NFKC-normalised), other characters made `_`."""
    text = unicodedata.normalize("NFKC", name)
    if not text.isidentifier():
        text = "_" + re.sub(r"[^0-9A-Za-z_]", "_", text)
    return text


def _plain(name: str) -> bool:
    """Can the variable be a keyword parameter of the same name?"""
    return _identifier(name) == name and not keyword.iskeyword(name) and name not in RESERVED


class _Locals:
    """Fresh local identifiers: the wanted one, or with `_` appended until no other has it."""

    def __init__(self, taken) -> None:
        self.taken = set(taken)

    def fresh(self, wanted: str) -> str:
        name = _identifier(wanted)
        while name in self.taken or keyword.iskeyword(name):
            name += "_"
        self.taken.add(name)
        return name


def check_name(name: str) -> None:
    """--name must be a name Python can call (the api checks it before rendering)."""
    if keyword.iskeyword(name):
        raise ParseError(f"--name {name} is a Python keyword; choose another name")
    if not name.isidentifier() or _identifier(name) != name:
        raise ParseError("--name must be a Python identifier")
    if name in RESERVED:
        raise ParseError(f"--name {name} would hide Python's own {name}: choose another name")


def _shown(graph: Graph) -> tuple[str | None, str]:
    """The expression as SymPy prints it (None when too deep to print here), and as words."""
    height = expression_heights(graph.expr)[graph.expr]
    if height > SHOWN_HEIGHT:
        return None, f"an expression {height} levels deep"
    return str(graph.expr), f"the expression {graph.expr}"


def _visible(text: str) -> str:
    """text with every character that is not printable (a newline, ESC, a bidi override) as
    its escape, \\n, \\x1b, \\u202e: user text in emitted code is never a line of its own."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def _one_line(text: str) -> str:
    """text for a one-line comment: its whitespace runs one space, the rest made visible."""
    return _visible(" ".join(text.split()))


def _docstring(text: str) -> str:
    return _visible(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _unpacking(name: str, inputs: list[sympy.Symbol], value: dict) -> list[str]:
    """`**inputs` checked against the variables' names, then each one given its local name."""
    wanted = sorted(str(v) for v in inputs)
    message = f"{name}() takes the keyword arguments {', '.join(wanted)}; it was given: "
    return [
        f"if sorted(inputs) != {_literal(wanted)}:",
        f'    raise TypeError({_literal(message)} + ", ".join(inputs))',
        *(f"{value[v]} = inputs[{_literal(str(v))}]" for v in inputs),
    ]


def _written(expr: sympy.Expr, value: dict) -> str:
    """expr as SymPy writes it, through the code's local names (for a comment)."""
    return str(expr.xreplace({s: sympy.Symbol(value.get(s, str(s))) for s in expr.free_symbols}))


def _helper_lines(kinds: list[str], helpers: dict[str, str]) -> list[str]:
    """The helpers' definitions, each followed by the two blank lines before the next one."""
    return [line.replace("{name}", helpers[k]) for k in kinds for line in [*HELPERS[k], "", ""]]


def _docstring_lines(graph: Graph, title: str) -> list[str]:
    y = graph.output
    partials = ", ".join(f"{_literal(str(v))}: d{y}/d{v}" for v in graph.wrt)
    returns = f"Returns ({y}, {{{partials}}})."
    return [f'"""{_docstring(title)}', "", _docstring(returns), '"""']


def render_python(graph: Graph, name: str = "f", text: str | None = None) -> str:
    """A Python module defining `name(**inputs) -> (value, {variable: gradient})`: the graph's
    forward pass, one line per node, and its backward pass, one line per adjoint (`text`, the
    expression as the user typed it, goes in the header)."""
    inputs = [n.name for n in graph.inputs]
    variables = [str(v) for v in dict.fromkeys([*inputs, *graph.wrt])]
    if len(set(variables)) != len(variables):
        raise UnsupportedError("--format python needs the variables' names to differ")
    # an input whose name cannot be a parameter (lambda, max, my var) makes it take **inputs
    plain = all(_plain(str(v)) for v in inputs)
    fresh = _Locals(RESERVED if plain else RESERVED | {"inputs"})
    value = {n.name: fresh.fresh(str(n.name)) for n in graph.nodes}
    adjoint = {a.node: fresh.fresh(f"d_{value[a.node]}") for a in graph.backward}
    # the helpers are module-level names: none may be a local's or the function's own
    fresh.taken.add(name)
    helpers = {kind: fresh.fresh(f"_{kind}") for kind in HELPERS}
    printer = MathPrinter(value, {n.name: n.full for n in graph.nodes}, helpers)
    y = graph.output
    passes = _passes(graph)

    body = [] if plain else _unpacking(name, inputs, value)
    forward = []
    for node, expr, stands_for in passes.forward:
        line = f"{value[node]} = {printer.code(expr)}"
        if stands_for is not None:
            line += f"  # = {_one_line(_written(stands_for, value))}"
        forward.append(line)
    if forward:
        body += ["# forward pass", *forward]
    if passes.backward:
        body.append(f"# backward pass: d_n = d{_one_line(str(y))}/dn, the sum over the uses c of n"
                    " of d_c * dc/dn")  # fmt: skip
    for node, terms in passes.backward:
        products = [f"{adjoint[c]} * {printer.code(local, factor=True)}" for c, local in terms]
        body.append(f"{adjoint[node]} = {' + '.join(products) or '1.0'}")
    written = {node for node, _ in passes.backward}
    gradient = ", ".join(
        f"{_literal(str(v))}: {adjoint[v] if v in written else '0.0'}" for v in graph.wrt
    )
    body.append(f"return {value[y]}, {{{gradient}}}")

    shown, words = _shown(graph)
    if y in inputs:
        title = f"Value and gradient of {y}."
    elif shown is None:
        title = f"Value and gradient of {y}, {'the expression above' if text else words}."
    else:
        title = f"Value and gradient of {y} = {shown}."
    if not plain:
        signature = f"def {name}(**inputs):"
    elif inputs:
        signature = f"def {name}(*, {', '.join(value[v] for v in inputs)}):"
    else:
        signature = f"def {name}():"
    origin = _one_line(f"the expression {text}" if text is not None else words)
    lines = [
        f"# Generated by chainrule from {origin}.",
        "# Standard library only: the forward pass stage by stage, then the backward pass.",
        "",
        *(["import math", ""] if printer.uses_math() else []),
        "",
        *_helper_lines([k for k in HELPERS if k in printer.used], helpers),
        signature,
    ]
    lines += ["    " + line if line else "" for line in [*_docstring_lines(graph, title), *body]]
    return "\n".join(lines) + "\n"
