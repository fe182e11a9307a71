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
Like the other renderers it computes nothing: the formulas are the graph's own.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
import unicodedata

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from chainrule_cli.calculus.graph import Graph
from chainrule_cli.calculus.stepper import expression_heights
from chainrule_cli.errors import ParseError, UnsupportedError

# Names the generated code reads besides its own: the math module and Python's builtins
# (the printer writes abs, max, min; an input named `max` must not hide them).
RESERVED = frozenset(dir(builtins)) | {"math"}
# The docstring writes the expression out while it is this shallow (SymPy prints recursively).
SHOWN_HEIGHT = 60


class MathPrinter(PythonCodePrinter):
    """SymPy's Python printer, writing each symbol as its local name, chainrule's σ as
    1/(1 + e^(−a)), Floats so that they read back exactly, the reciprocal hyperbolic functions
    through math's own, and refusing (UnsupportedError) what `math` cannot compute."""

    def __init__(self, names: dict[sympy.Symbol, str], full: dict[sympy.Symbol, sympy.Expr]):
        super().__init__({"standard": "python3", "strict": False})
        self.names = names
        self.full = full

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
        return "math" in self.module_imports

    def _print_Symbol(self, expr):
        return self.names.get(expr) or super()._print_Symbol(expr)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_ImaginaryUnit(self, expr):
        return self._print_not_supported(expr)

    def _print_sigmoid(self, expr):
        return f"(1/(1 + {self._module_format('math.exp')}({self._print(-expr.args[0])})))"

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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


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
    printer = MathPrinter(value, {n.name: n.full for n in graph.nodes})
    y = graph.output

    body = [] if plain else _unpacking(name, inputs, value)
    forward = [f"{value[n.name]} = {printer.code(n.expr)}" for n in graph.operations]
    if forward:
        body += ["# forward pass", *forward]
    if graph.backward:
        body.append(f"# backward pass: d_n = d{y}/dn, the sum over the uses c of n of d_c * dc/dn")
    for a in graph.backward:
        terms = [f"{adjoint[c]} * {printer.code(local, factor=True)}" for c, local in a.terms]
        body.append(f"{adjoint[a.node]} = {' + '.join(terms) or '1.0'}")
    gradient = ", ".join(f"{_literal(str(v))}: {adjoint.get(v, '0.0')}" for v in graph.wrt)
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
    origin = f"the expression {_one_line(text)}" if text is not None else words
    lines = [
        f"# Generated by chainrule from {origin}.",
        "# Standard library only: the forward pass stage by stage, then the backward pass.",
        "",
        *(["import math", ""] if printer.uses_math() else []),
        "",
        signature,
    ]
    lines += ["    " + line if line else "" for line in [*_docstring_lines(graph, title), *body]]
    return "\n".join(lines) + "\n"
