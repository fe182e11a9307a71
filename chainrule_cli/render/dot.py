"""The computational graph as a Graphviz diagram: DOT text, and SVG or PNG drawn by Graphviz's dot.

Like the circuit diagrams of CS231n's backpropagation notes, the computation flows left to right
from the inputs to the output; each node shows its formula, operation, value and gradient, and
each edge input → node carries the local derivative ∂node/∂input as a formula and its value.
"""

from __future__ import annotations

import math

import sympy

from chainrule_cli.calculus.graph import Graph, GraphValues, Node
from chainrule_cli.render import messages
from chainrule_cli.render.printing import UnicodePrinter
from chainrule_cli.render.translate import op_word

# The whole expression is written above the diagram while the graph is this small (in nodes).
TITLE_NODES = 40
# DejaVu Sans has ∂, −, · and the subscript digits; fontconfig falls back to a CJK font for zh.
FONT = "DejaVu Sans"
_INPUT = 'shape=ellipse, style=filled, fillcolor="#e3effa", color="#4a78a8"'
_OPERATION = 'shape=box, style="rounded,filled", fillcolor="#f4f4f4", color="#666666"'
_OUTPUT = 'shape=box, style="rounded,filled", fillcolor="#fff1c2", color="#b07d00", penwidth=2.5'
_OUTPUT_INPUT = 'shape=ellipse, style=filled, fillcolor="#fff1c2", color="#b07d00", penwidth=2.5'
_VALUE_COLOUR = "#1b7a33"
_GRAD_COLOUR = "#b3261e"
_OP_COLOUR = "#666666"


def render_dot(graph: Graph, at: GraphValues | None = None, lang: str = "en") -> str:
    """The graph as a DOT digraph: one Graphviz node per node, one edge per (input, node) pair
    labelled ∂node/∂input, and with `at` every value, gradient and local derivative's value."""
    words = {key: messages.word(f"ui.dot_{key}", lang) for key in ("value", "grad", "convention")}
    words["lang"] = lang
    printer = UnicodePrinter()
    lines = [
        "digraph chainrule {",
        # ordering=in keeps an operation's inputs top to bottom in the formula's order
        f'  graph [rankdir=LR, ordering=in, fontname="{FONT}", fontsize=13, nodesep=0.35,'
        " ranksep=0.9, labelloc=t, labeljust=l, pad=0.2];",
        f'  node [fontname="{FONT}", fontsize=12, margin="0.14,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=11, color="#555555", arrowsize=0.7];',
    ]
    if len(graph.nodes) <= TITLE_NODES:
        lines.append(f"  label=<{_title(graph, at, printer)}>;")
    conventions = set(at.conventions) if at is not None else set()
    for node in graph.nodes:
        style = _style(node, graph.output)
        label = _node_label(node, at, words, printer, node.name in conventions)
        lines.append(f"  {_quote(str(node.name))} [{style}, label=<{label}>];")
    for node in graph.nodes:
        for source, local in node.local:
            label = _edge_label(node, source, local, at, printer)
            lines.append(f"  {_quote(str(source))} -> {_quote(str(node.name))} [label=<{label}>];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---- labels ------------------------------------------------------------------------------------


def _style(node: Node, output: sympy.Symbol) -> str:
    if node.name == output:
        return _OUTPUT_INPUT if node.op == "input" else _OUTPUT
    return _INPUT if node.op == "input" else _OPERATION


def _title(graph: Graph, at: GraphValues | None, printer: UnicodePrinter) -> str:
    name = printer.doprint(graph.output)
    text = _html(f"{name} = {printer.doprint(graph.expr)}")
    if at is not None:
        point = ", ".join(
            f"{printer.doprint(n.name)} = {_number(at.values[n.name])}" for n in graph.inputs
        )
        text += f'<BR/><FONT POINT-SIZE="11" COLOR="{_VALUE_COLOUR}">{_html(point)}</FONT>'
    # a padded cell keeps the title clear of the top row of nodes
    return f'<TABLE BORDER="0" CELLPADDING="8"><TR><TD>{text}</TD></TR></TABLE>'


def _node_label(
    node: Node,
    at: GraphValues | None,
    words: dict[str, str],
    printer: UnicodePrinter,
    convention: bool,
) -> str:
    name = printer.doprint(node.name)
    rows = [f"<B>{_html(name)}</B>"]
    if node.op != "input":
        rows[0] += _html(f" = {printer.doprint(node.expr)}")
        op = op_word(node.op, words["lang"]) + (f" · {words['convention']}" if convention else "")
        rows.append(f'<FONT POINT-SIZE="10" COLOR="{_OP_COLOUR}">{_html(op)}</FONT>')
    if at is not None:
        value = _number(at.values.get(node.name))
        grad = _number(at.grads.get(node.name))
        rows.append(f'<FONT COLOR="{_VALUE_COLOUR}">{_html(words["value"])} {value}</FONT>')
        rows.append(f'<FONT COLOR="{_GRAD_COLOUR}">{_html(words["grad"])} {grad}</FONT>')
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'


def _edge_label(
    node: Node,
    source: sympy.Symbol,
    local: sympy.Expr,
    at: GraphValues | None,
    printer: UnicodePrinter,
) -> str:
    top, bottom = printer.doprint(node.name), printer.doprint(source)
    text = _html(f"∂{top}/∂{bottom} = {printer.doprint(local)}")
    if at is not None and not local.is_number:
        value = _number(at.locals.get((node.name, source)))
        text += f'<BR/><FONT COLOR="{_VALUE_COLOUR}">= {value}</FONT>'
    return text


def _number(value: sympy.Expr | None) -> str:
    """6 significant digits with a Unicode minus; — where there is no number."""
    if value is None:
        return "—"
    if value.is_zero:
        return "0"
    decimal = float(value)
    if math.isfinite(decimal) and decimal != 0:
        text = f"{decimal:.6g}"
    else:  # beyond a double's range: SymPy's digits, without the trailing zeros
        mantissa, e, exponent = format(sympy.Float(value), ".6g").partition("e")
        text = (mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa) + e + exponent
    return text.replace("-", "−")


# ---- escaping ----------------------------------------------------------------------------------


def _html(text: str) -> str:
    """Text inside an HTML-like label: the XML entities, and no control characters (which
    XML forbids)."""
    text = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _quote(name: str) -> str:
    """A node identifier as a DOT quoted string: each backslash doubled and each quote escaped,
    so no name can end the string early; control characters written as \\xHH (a single
    backslash, which a doubled one cannot be confused with)."""
    out = []
    for c in name:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'
