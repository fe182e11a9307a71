"""A layer's computational graph: nodes hold arrays. The inputs and the named nodes of the
forward pass (z = Wx + b, a = σ(z), L = ‖a − t‖²), each with its shape; the backward pass's
gradients in the order backpropagation computes them (δ_L = 1, δ_a, δ_z, then ∂L/∂W, ∂L/∂b,
…); with --at, every node's value and gradient as nested lists. Text (and terminal), LaTeX,
Markdown, JSON (`chainrule.layer_graph/1`) and DOT (svg and png are the DOT drawn by dot).

Like every renderer it computes nothing: the nodes are the derivation's (calculus/layers.py),
the values those calculus/expand.py evaluated.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.render import layers as L
from chainrule_cli.render.messages import word

SCHEMA = "chainrule.layer_graph/1"


@dataclass(frozen=True)
class GraphNode:
    id: str
    op: str  # input, or the forward rule (affine, elementwise, softmax, …)
    expr: A.Node  # through the names (an input: itself)
    full: A.Node
    inputs: tuple[str, ...]
    grad: str | None  # the backward quantity's name (δ_z, or the input's), None off every path
    grad_expr: A.Node | None
    grad_full: A.Node | None


def nodes_of(d) -> list[GraphNode]:
    """Inputs first (by name), then the forward names in computation order."""
    steps = {b.of: b for b in d.backward}
    out: list[GraphNode] = []
    for name, shape in L._inputs(d):
        step = steps.get(name) if name in d.wrt else None
        var = A.Var(name, shape)
        out.append(GraphNode(name, "input", var, var, (), step and step.name,
                             step and step.expr, step and step.full))  # fmt: skip
    known = {n.id for n in out}
    for f in d.forward:
        inputs = tuple(n for n in _names_in_order(f.expr) if n in known)
        step = steps.get(f.name)
        root = f.name == d.output
        grad = f"δ_{f.name}" if root else (step.name if step else None)
        one = A.Const(sympy.S.One)
        out.append(GraphNode(f.name, f.rule, f.expr, f.full, inputs, grad,
                             one if root else step and step.expr,
                             one if root else step and step.full))  # fmt: skip
        known.add(f.name)
    return out


def _names_in_order(node: A.Node) -> list[str]:
    seen: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Var) and n.name not in seen:
            seen.append(n.name)
        stack.extend(reversed(n.args))
    return seen


def _values(d, at, node: GraphNode):
    """(value, gradient) of a node at the point, as matrices (None where there is none)."""
    if at is None:
        return None, None
    if node.op == "input":
        value = at["point"][node.id]
    elif node.id == d.output:
        value = at["value"]
    else:
        value = at["forward"][node.id]
    if node.grad is None:
        return value, None
    if node.id == d.output:
        import sympy

        return value, sympy.Matrix([[1]])
    return value, at["backward"][node.grad]


def _shape(node: GraphNode) -> A.Shape:
    return node.expr.shape


def _title(d) -> str:
    return f"{d.output} = {A.text(d.root)}"


# ---- text ----


def layer_graph_text(result, options) -> str:
    d, lang, at = result.layers, options.lang, options.at
    p = A.Printer("text")
    nodes = nodes_of(d)
    out = [word("layer_graph_title", lang, title=_title(d))]
    shapes = ", ".join(f"{p.name(n, s)}: {L._shape_word(s, lang)}" for n, s in L._inputs(d))
    out.append(word("layer_graph_inputs", lang, shapes=shapes))
    out.extend("  " + n for n in L._notes(d, lang))
    out.append("")
    out.append(word("layer_graph_forward", lang))
    rows = []
    for n in nodes:
        value, _ = _values(d, at, n)
        left = (
            p.name(n.id, _shape(n))
            if n.op == "input"
            else f"{p.name(n.id, _shape(n))} = {p(n.expr)}"
        )
        rows.append((left, _op_word(n.op, lang), L._shape_word(_shape(n), lang),
                     _at_value(value, n)))  # fmt: skip
    out.extend(_columns(rows))
    out.append("")
    out.append(word("layer_graph_backward", lang, output=d.output))
    rows = []
    for n in _backward_order(d, nodes):
        _, grad = _values(d, at, n)
        name = _grad_label(n, d, p)
        rows.append((f"{name} = {p(n.grad_expr)}", L._shape_word(_shape(n), lang),
                     _at_value(grad, n)))  # fmt: skip
    out.extend(_columns(rows))
    out.append("")
    out.append(word("layers_results", lang))
    for n in nodes:
        if n.op == "input" and n.grad is not None:
            through, full = p(n.grad_expr), p(n.grad_full)
            label = f"∂{d.output}/∂{p.name(n.id, _shape(n))}"
            out.append(f"  {label} = {through}" + (f" = {full}" if full != through else ""))
    out.append("")
    out.append(L._verdict(d, lang))
    return "\n".join(out) + "\n"


def _at_value(m, n: GraphNode) -> str:
    return "" if m is None else "= " + L._fmt(L._decimal(m, _shape(n)))


def _grad_label(n: GraphNode, d, p: A.Printer) -> str:
    if n.op == "input":
        return f"∂{d.output}/∂{p.name(n.id, _shape(n))}"
    return p.name(n.grad, _shape(n))


def _backward_order(d, nodes: list[GraphNode]) -> list[GraphNode]:
    """The output's δ = 1, then each quantity as backpropagation computes it."""
    by_grad = {n.grad: n for n in nodes if n.grad}
    root = next(n for n in nodes if n.id == d.output)
    return [root] + [by_grad[b.name] for b in d.backward if b.name in by_grad]


def _op_word(op: str, lang: str) -> str:
    if op == "input":
        return word("layer_graph_input", lang)
    if op in ("affine", "cross_entropy"):
        return word(f"layer_graph_op_{op}", lang)
    return word(f"layers_rule_{_FORWARD_RULES.get(op, op)}", lang)


_FORWARD_RULES = {"logsoftmax": "log_softmax"}


def _columns(rows: list[tuple]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))] if rows else []
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]  # fmt: skip


# ---- LaTeX and Markdown: the derivation's, under the graph's heading ----


def layer_graph_latex(result, options) -> str:
    return L.layers_latex(result, options)


def layer_graph_markdown(result, options) -> str:
    return L.layers_markdown(result, options)


# ---- JSON ----


def layer_graph_data(result, options) -> dict:
    d, at = result.layers, options.at
    nodes = nodes_of(d)
    data = {
        "schema": SCHEMA,
        "ok": True,
        "input": options.text if options.text is not None else d.text,
        "expr": A.code(d.root),
        "latex": {"expr": A.latex(d.root)},
        "output": d.output,
        "shapes": {n: s.spec() for n, s in L._inputs(d)},
        "wrt": list(d.wrt),
        "nodes": [],
        "backward_order": [n.id for n in _backward_order(d, nodes)],
        "gradient_formulas": {
            n.id: {
                "expr": A.code(n.grad_expr),
                "full": A.code(n.grad_full),
                "latex": A.latex(n.grad_full),
                "shape": _shape(n).spec(),
            }
            for n in nodes
            if n.op == "input" and n.grad is not None
        },  # fmt: skip
        "notes": L._notes(d, "en"),
        "verified": bool(d.verified),
        "verified_shapes": L.checked_shapes(d),
    }
    for n in nodes:
        value, grad = _values(d, at, n)
        entry = {
            "id": n.id,
            "op": n.op,
            "expr": A.code(n.expr),
            "full": A.code(n.full),
            "text": A.text(n.expr),
            "latex": A.latex(n.expr),
            "shape": _shape(n).spec(),
            "inputs": list(n.inputs),
            "grad_name": n.grad,
            "grad_expr": None if n.grad_expr is None else A.code(n.grad_expr),
            "grad_full": None if n.grad_full is None else A.code(n.grad_full),
        }
        if at is not None:
            entry["value"] = L._decimal(value, _shape(n))
            entry["value_exact"] = L._exact(value, _shape(n))
            entry["grad"] = None if grad is None else L._decimal(grad, _shape(n))
            entry["grad_exact"] = None if grad is None else L._exact(grad, _shape(n))
        data["nodes"].append(entry)
    if at is not None:
        data["at"] = {n: L._exact(m, A.Shape(*m.shape)) for n, m in at["point"].items()}
        data["output_value"] = L._decimal(at["value"], A.SCALAR)
        data["gradients"] = {e["id"]: e["grad"] for e in data["nodes"]
                             if e["op"] == "input" and e["grad_name"] is not None}  # fmt: skip
    return data


def layer_graph_json(result, options) -> str:
    return json.dumps(layer_graph_data(result, options), ensure_ascii=False)


# ---- DOT ----

_INPUT = 'shape=ellipse, style=filled, fillcolor="#e3effa", color="#4a78a8"'
_OPERATION = 'shape=box, style="rounded,filled", fillcolor="#f4f4f4", color="#666666"'
_OUTPUT = 'shape=box, style="rounded,filled", fillcolor="#fff1c2", color="#b07d00", penwidth=2.5'
FONT = "DejaVu Sans"
# A value is written out in the picture while it has at most this many entries.
SHOWN_ENTRIES = 12


def layer_graph_dot(result, options) -> str:
    d, lang, at = result.layers, options.lang, options.at
    p = A.Printer("text")
    nodes = nodes_of(d)
    lines = [
        "digraph chainrule {",
        f'  graph [rankdir=LR, ordering=in, fontname="{FONT}", fontsize=13, nodesep=0.35,'
        " ranksep=0.9, labelloc=t, labeljust=l, pad=0.2];",
        f'  node [fontname="{FONT}", fontsize=12, margin="0.14,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=11, color="#555555", arrowsize=0.7];',
        f"  label=<{_esc(_title(d))}>;",
    ]
    for n in nodes:
        style = _INPUT if n.op == "input" else _OUTPUT if n.id == d.output else _OPERATION
        name = p.name(n.id, _shape(n))
        head = f"<B>{_esc(name)}</B>" + ("" if n.op == "input" else f" = {_esc(p(n.expr))}")
        rows = [head, f'<FONT POINT-SIZE="10" COLOR="#666666">{_esc(_op_word(n.op, lang))} · '
                      f"{_esc(L._shape_word(_shape(n), lang))}</FONT>"]  # fmt: skip
        value, grad = _values(d, at, n)
        if n.grad is not None and n.grad_expr is not None and n.id != d.output:
            rows.append(f'<FONT COLOR="#b3261e">{_esc(_grad_label(n, d, p))} = '
                        f"{_esc(p(n.grad_expr))}</FONT>")  # fmt: skip
        if value is not None:
            rows.append(f'<FONT COLOR="#1b7a33">{_esc(word("ui.dot_value", lang))} '
                        f"{_esc(_short(value, _shape(n)))}</FONT>")  # fmt: skip
        if grad is not None:
            rows.append(f'<FONT COLOR="#b3261e">{_esc(word("ui.dot_grad", lang))} '
                        f"{_esc(_short(grad, _shape(n)))}</FONT>")  # fmt: skip
        cells = "".join(f"<TR><TD>{r}</TD></TR>" for r in rows)
        table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'
        lines.append(f"  {_quote(n.id)} [{style}, label=<{table}>];")
    for n in nodes:
        for source in n.inputs:
            lines.append(f"  {_quote(source)} -> {_quote(n.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _short(m, shape: A.Shape) -> str:
    if m.rows * m.cols > SHOWN_ENTRIES:
        return f"({shape.text()} {m.rows}×{m.cols})"
    return L._fmt(L._decimal(m, shape))


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _quote(name: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", name) + '"'
