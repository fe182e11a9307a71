"""A computational graph in every format: the staged forward program, each edge's local
derivative, the backward pass (as formulas, or at a point as a table in the order it runs),
the gradient. Terminal and text share one layout; LaTeX and Markdown draw the same table;
JSON is the contract chainrule.graph/1. Computes nothing: calculus.graph did.
"""

from __future__ import annotations

import json
import math
import unicodedata

import sympy

from chainrule_cli.calculus.graph import Graph, GraphValues, Node
from chainrule_cli.calculus.stepper import EVAL_HEIGHT, expression_heights
from chainrule_cli.render import messages
from chainrule_cli.render.latex import escape, wrap_document
from chainrule_cli.render.printing import SympyTextPrinter, TextbookLatexPrinter, UnicodePrinter
from chainrule_cli.render.terminal import NBSP, STYLE, Line, to_string
from chainrule_cli.render.translate import op_word

SCHEMA = "chainrule.graph/1"
MACRON = "\u0304"
# The derivative in the original variables is shown while it is this small (tree nodes);
# past it, a deep graph's display would grow quadratically (JSON still has it).
SHOWN_OPS = 200
LATEX_ROWS = 40  # rows per array: a display does not break across pages


def _number(value, undefined: str = "—") -> str:
    """6 significant digits, a real minus sign; any size (e^1000 is 1.97007e+434)."""
    return decimal(value, undefined).replace("-", "−")


def decimal(value, undefined: str = "—") -> str:
    """6 significant digits with an ASCII minus (e^1000 is 1.97007e+434, past a double)."""
    if value is None:
        return undefined
    number = value.evalf(30) if isinstance(value, sympy.Basic) else sympy.Float(value, 30)
    try:
        as_float = float(number)
    except OverflowError:
        as_float = math.inf
    if math.isfinite(as_float) and (as_float != 0 or number == 0):
        return f"{as_float:.6g}"
    return f"{sympy.Float(number, 6)}".replace("E", "e")  # 1.97007e+434


def _width(text: str) -> int:
    """Columns a string takes in a terminal: a combining macron none, a Chinese character two."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def small(expr: sympy.Expr, limit: int = SHOWN_OPS) -> bool:
    """Is the expression at most `limit` nodes (counted as printed, shared sub-trees each
    time)? Stops counting early: a deep derivative is never walked whole."""
    for count, _ in enumerate(sympy.preorder_traversal(expr)):
        if count > limit:
            return False
    return True


def max_height(expr: sympy.Expr) -> int:
    return expression_heights(expr)[expr]


def _d(graph: Graph) -> str:
    """d for a function of one variable, ∂ for several."""
    return "d" if len(graph.expr.free_symbols) <= 1 else "∂"


class Words:
    """The printers and phrases of one rendering."""

    def __init__(self, graph: Graph, lang: str) -> None:
        self.graph = graph
        self.lang = lang
        printer = UnicodePrinter()
        self.u = lambda expr: printer.doprint(expr).replace(" ", NBSP)
        self.y = self.u(graph.output)

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def op(self, node: Node) -> str:
        """The operation's word in the language (node.op is the key JSON keeps)."""
        return op_word(node.op, self.lang)

    def bar(self, name: sympy.Symbol) -> str:
        """n̄: the gradient of the output with respect to the node n."""
        shown = self.u(name)
        return unicodedata.normalize("NFC", shown[0] + MACRON + shown[1:])  # ȳ, ū: one character

    def partial(self, top: sympy.Symbol, bottom: sympy.Symbol) -> str:
        return f"∂{self.u(top)}/∂{self.u(bottom)}"

    def factor(self, expr: sympy.Expr) -> str:
        """A local derivative as a factor: in parentheses unless it is a single term."""
        shown = self.u(expr)
        plain = (
            expr.is_Atom
            or isinstance(expr, sympy.Function | sympy.Derivative | sympy.Subs)
            or (isinstance(expr, sympy.Pow) and not expr.exp.is_negative)
            or (isinstance(expr, sympy.Mul) and not shown.count("/"))
        )
        return shown if plain and not shown.startswith("−") else f"({shown})"

    def product(self, upstream: str, local: sympy.Expr, literal: bool = False) -> str:
        """c̄·∂c/∂n with the local derivative written out (literal: ·1 and ·(−1) kept, as
        the numbers beside it are)."""
        if local == 1 and not literal:
            return upstream
        if local == -1 and not literal:
            return f"−{upstream}"
        return f"{upstream}·{self.factor(local)}"

    def task(self, at: GraphValues | None) -> str:
        expr = f"{self.y} = {self.u(self.graph.expr)}"
        if at is None:
            return self.word("ui.graph_task", expr=expr)
        return self.word("ui.graph_task_at", expr=expr, point=point(at, self.u))


def point(at: GraphValues, show) -> str:
    return ", ".join(f"{show(k)} = {show(v)}" for k, v in at.point.items())


def _recurrence(words: Words, adjoint, literal: bool = False) -> tuple[str, str]:
    """n̄ = c̄·∂c/∂n + …, and the same with each local derivative written out."""
    if not adjoint.terms:
        return "", ""
    chain = " + ".join(f"{words.bar(c)}·{words.partial(c, adjoint.node)}" for c, _ in adjoint.terms)
    filled = " + ".join(words.product(words.bar(c), local, literal) for c, local in adjoint.terms)
    return chain, filled.replace("+ −", "− ")


# ---- terminal and text ---------------------------------------------------------------------


def table(rows: list[list[str]], header: list[str], indent: int = 2) -> list[Line]:
    """Aligned columns for plain text; a Rich Table in a colour terminal."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells, style=None):
        text = "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True))
        return Line(indent, wrap=False).add(text, style)

    lines = [line(header, STYLE["heading"]), *(line(r) for r in rows)]

    def drawn():
        from rich import box
        from rich.table import Table

        out = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for i, title in enumerate(header):
            style = STYLE["result"] if i == 3 else None
            out.add_column(title, style=style, justify="right" if i in (2, 3) else "left")
        for row in rows:
            out.add_row(*(c.replace(NBSP, " ") for c in row))
        return out

    lines[0].rich = drawn
    for extra in lines[1:]:
        extra.rich_skip = True
    return lines


def layout(graph: Graph, lang: str = "en", at: GraphValues | None = None) -> list[Line]:
    """Forward pass; without a point the local derivatives and the backward pass as formulas,
    at a point the table of values and gradients; then the gradient and the verdict."""
    w = Words(graph, lang)
    lines = [Line().add(w.task(at), STYLE["task"]), Line()]
    lines.extend(_forward(graph, w, at))
    if at is None:
        lines.extend(_symbolic(graph, w))
    else:
        lines.extend(_numeric(graph, w, at))
    lines.extend(_verdict(graph, w, at))
    return lines


def _forward(graph: Graph, w: Words, at: GraphValues | None) -> list[Line]:
    operations = graph.operations
    if not operations:
        return []
    lines = [Line().add(w.word("ui.forward"), STYLE["heading"])]
    definitions = [f"{w.u(n.name)} = {w.u(n.expr)}" for n in operations]
    width = min(max(_width(d) for d in definitions), 40)
    op_width = max(_width(w.op(n)) for n in operations)
    for node, definition in zip(operations, definitions, strict=True):
        line = Line(2, hang=4).add(_pad(definition, width), STYLE["lhs"])
        line.add(
            "   " + (_pad(w.op(node), op_width) if at is not None else w.op(node)), STYLE["note"]
        )
        if at is not None:
            line.add(f"   = {_number(at.values[node.name])}", STYLE["result"])
        lines.append(line)
    lines.append(Line())
    return lines


def _symbolic(graph: Graph, w: Words) -> list[Line]:
    lines: list[Line] = []
    edges = [n for n in graph.operations if n.local]
    if edges:
        lines.append(Line().add(w.word("ui.local"), STYLE["heading"]))
        for node in edges:
            text = ",   ".join(f"{w.partial(node.name, i)} = {w.u(d)}" for i, d in node.local)
            lines.append(Line(2, hang=4).add(text))
        lines.append(Line())
    if graph.backward:
        lines.append(Line().add(w.word("ui.backward", y=w.y), STYLE["heading"]))
        for adjoint in graph.backward:
            chain, filled = _recurrence(w, adjoint)
            line = Line(2, hang=4).add(f"{w.bar(adjoint.node)} = ", STYLE["lhs"])
            parts = [p for p in (chain, filled) if p]
            if adjoint.written is not None:
                shown = w.u(adjoint.written)
                if shown not in parts:
                    parts.append(shown)
            line.add(" = ".join(parts) if parts else "1", STYLE["result"])
            uses = len(adjoint.terms)
            if uses > 1:
                line.add(f"   ({w.word('ui.used_twice', count=uses)})", STYLE["note"])
            lines.append(line)
        lines.append(Line())
    lines.append(Line().add(w.word("ui.result"), STYLE["heading"]))
    d = _d(graph)
    forms = graph.in_terms_of or tuple(None for _ in graph.wrt)
    for var, derivative, form in zip(graph.wrt, graph.derivatives, forms, strict=True):
        adjoint = graph.adjoint(var)
        parts = [f"{d}{w.y}/{d}{w.u(var)}"]
        if adjoint is not None:
            parts.append(w.bar(var))
            if adjoint.written is not None:
                parts.append(w.u(adjoint.written))
        if small(derivative):
            shown = w.u(derivative)
            if shown != parts[-1]:
                parts.append(shown)
        else:
            parts.append(w.word("ui.long"))
        if form is not None:
            parts.append(w.u(form))
        lines.append(Line(2, hang=4).add(" = ".join(parts), STYLE["result"]))
    return lines


def backward_rows(graph: Graph, w: Words, at: GraphValues) -> list[list[str]]:
    """One row per node in the order of the backward pass: node, what it computes, value,
    gradient, and how the gradient came from the node's uses (formula = numbers)."""
    return [_row(node, adjoint, w, at) for node, adjoint in backward_order(graph)]


def backward_order(graph: Graph) -> list[tuple[Node, object]]:
    """(node, its adjoint) in the order of the backward pass, then the nodes off every path
    to a variable of wrt (adjoint None: values only)."""
    by_name = {n.name: n for n in graph.nodes}
    order = [(by_name[a.node], a) for a in graph.backward]
    listed = {a.node for a in graph.backward}
    return order + [(n, None) for n in reversed(graph.nodes) if n.name not in listed]


def _row(node: Node, adjoint, w: Words, at: GraphValues) -> list[str]:
    computes = w.word("ui.input") if node.op == "input" else f"{w.u(node.expr)}  ({w.op(node)})"
    via = ""
    if adjoint is not None and adjoint.terms:
        _, filled = _recurrence(w, adjoint, literal=True)
        numbers = " + ".join(
            f"{_number(at.grads[c])}·{_paren(_number(at.locals[(c, node.name)]))}"
            for c, _ in adjoint.terms
        )
        via = f"{filled} = {numbers}"
    grad = _number(at.grads[node.name], w.word("ui.no_gradient") if adjoint is not None else "—")
    return [w.u(node.name), computes, _number(at.values[node.name]), grad, via]


def _paren(number: str) -> str:
    return f"({number})" if number.startswith("−") else number


def _numeric(graph: Graph, w: Words, at: GraphValues) -> list[Line]:
    header = [w.word(k) for k in ("ui.col_node", "ui.col_computes", "ui.col_value")]
    header += [f"{w.word('ui.col_grad')} ∂{w.y}/∂n", w.word("ui.col_via")]
    lines = [Line().add(w.word("ui.backward_table"), STYLE["heading"])]
    lines.extend(table(backward_rows(graph, w, at), header))
    lines += [Line(), Line().add(w.word("ui.result"), STYLE["heading"])]
    lines.append(Line(2).add(f"{w.y} = {_number(at.values[graph.output])}", STYLE["result"]))
    d = _d(graph)
    for var in graph.wrt:
        text = f"{d}{w.y}/{d}{w.u(var)} = {_number(at.grads.get(var), w.word('ui.undefined'))}"
        lines.append(Line(2).add(text, STYLE["result"]))
    if at.conventions:
        names = ", ".join(f"{w.u(n)} = {w.u(graph.node(n).expr)}" for n in at.conventions)
        lines.append(Line(2, hang=2).add(w.word("ui.convention", nodes=names), STYLE["note"]))
    return lines


def _verdict(graph: Graph, w: Words, at: GraphValues | None) -> list[Line]:
    ok = graph.verified and (at is None or at.agrees)
    if ok:
        return [Line().add("✓ " + w.word("ui.graph_verified"), STYLE["ok"])]
    failed = ", ".join(w.u(n) for n in graph.failures) or ", ".join(w.u(v) for v in graph.wrt)
    return [Line().add("✗ " + w.word("ui.graph_not_verified", nodes=failed), STYLE["bad"])]


# ---- LaTeX and Markdown --------------------------------------------------------------------


class Tex:
    """LaTeX pieces of one rendering."""

    def __init__(self, graph: Graph, lang: str) -> None:
        self.graph = graph
        self.lang = lang
        printer = TextbookLatexPrinter()
        self.tex = printer.doprint
        self.y = self.tex(graph.output)

    def text(self, key: str, **fields) -> str:
        return rf"\text{{{escape(messages.word(key, self.lang, **fields))}}}"

    def bar(self, name: sympy.Symbol) -> str:
        """\\bar{w}_{0}: the bar over the letter, not over the index."""
        shown = self.tex(name)
        head, sep, index = shown.partition("_")
        return rf"\bar{{{head}}}{sep}{index}"

    def grad_header(self) -> str:
        return self.text("ui.col_grad") + rf"\ \frac{{\partial {self.y}}}{{\partial n}}"

    def partial(self, top, bottom) -> str:
        return rf"\frac{{\partial {self.tex(top)}}}{{\partial {self.tex(bottom)}}}"

    def product(self, upstream: str, local: sympy.Expr) -> str:
        if local == 1:
            return upstream
        if local == -1:
            return f"-{upstream}"
        shown = self.tex(local)
        if not (local.is_Atom or isinstance(local, sympy.Function)) or shown.startswith("-"):
            shown = rf"\left({shown}\right)"
        return rf"{upstream} \cdot {shown}"

    def number(self, value, undefined: str = r"\text{---}") -> str:
        shown = decimal(value, undefined)
        if "e" in shown and value is not None:
            mantissa, exponent = shown.split("e")
            return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
        return shown

    def task(self, at: GraphValues | None) -> str:
        expr = f"${self.y} = {self.tex(self.graph.expr)}$"
        if at is None:
            return escape(messages.word("ui.graph_task", self.lang, expr="@E@")).replace(
                "@E@", expr
            )
        where = ", ".join(f"${self.tex(k)} = {self.tex(v)}$" for k, v in at.point.items())
        words = escape(messages.word("ui.graph_task_at", self.lang, expr="@E@", point="@P@"))
        return words.replace("@E@", expr).replace("@P@", where)

    def recurrence(self, adjoint) -> str:
        if not adjoint.terms:
            return "1"
        filled = " + ".join(self.product(self.bar(c), local) for c, local in adjoint.terms)
        return filled.replace("+ -", "- ")


def latex_rows(graph: Graph, t: Tex, at: GraphValues | None) -> tuple[list[str], list[str]]:
    """The header and the rows of the forward/backward table."""
    if at is None:
        header = [t.text("ui.col_node"), t.text("ui.col_computes"), t.text("ui.col_op"),
                  t.text("ui.col_local"), t.grad_header()]  # fmt: skip
        rows = []
        adjoints = {a.node: a for a in graph.backward}
        for node in graph.nodes:
            adjoint = adjoints.get(node.name)
            local = r",\ ".join(f"{t.partial(node.name, i)} = {t.tex(d)}" for i, d in node.local)
            grad = ""
            if adjoint is not None:
                grad = f"{t.bar(node.name)} = {t.recurrence(adjoint)}"
                if adjoint.written is not None and adjoint.terms:
                    grad += f" = {t.tex(adjoint.written)}"
            computes = "" if node.op == "input" else t.tex(node.expr)
            op = escape(op_word(node.op, t.lang))
            rows.append([t.tex(node.name), computes, rf"\text{{{op}}}", local, grad])
        return header, rows
    header = [t.text("ui.col_node"), t.text("ui.col_computes"), t.text("ui.col_value"),
              t.grad_header(), t.text("ui.col_via")]  # fmt: skip
    rows = [
        _latex_numeric_row(node, t, at, t.recurrence(a) if a is not None and a.terms else "")
        for node, a in backward_order(graph)
    ]
    return header, rows


def _latex_numeric_row(node: Node, t: Tex, at: GraphValues, via: str) -> list[str]:
    computes = t.text("ui.input") if node.op == "input" else t.tex(node.expr)
    undefined = t.text("ui.no_gradient") if via or node.name == t.graph.output else r"\text{---}"
    return [t.tex(node.name), computes, t.number(at.values[node.name]),
            t.number(at.grads[node.name], undefined), via]  # fmt: skip


def latex_body(graph: Graph, lang: str, at: GraphValues | None) -> str:
    """The table (in arrays of at most LATEX_ROWS rows), then the gradient."""
    t = Tex(graph, lang)
    header, rows = latex_rows(graph, t, at)
    blocks = []
    for start in range(0, max(len(rows), 1), LATEX_ROWS):
        chunk = rows[start : start + LATEX_ROWS]
        body = [" & ".join(header) + r" \\ \hline"] + [" & ".join(r) + r" \\" for r in chunk]
        # rows 1.8 times as tall: the fractions of a formula need the room
        blocks.append(
            "\\[\n{\\renewcommand{\\arraystretch}{1.8}\\begin{array}{" + "l" * len(header)
            + "}\n" + "\n".join(body) + "\n\\end{array}}\n\\]"
        )  # fmt: skip
    results = []
    d = "d" if len(graph.expr.free_symbols) <= 1 else r"\partial"
    sep = "" if d == "d" else " "
    forms = graph.in_terms_of or tuple(None for _ in graph.wrt)
    for var, derivative, form in zip(graph.wrt, graph.derivatives, forms, strict=True):
        lhs = rf"\frac{{{d}{sep}{t.y}}}{{{d}{sep}{t.tex(var)}}}"
        if at is not None:
            undefined = t.text("ui.undefined")
            results.append(rf"&{lhs} = {t.number(at.grads.get(var), undefined)}")
            continue
        parts = [lhs]
        if small(derivative):
            parts.append(t.tex(derivative))
        adjoint = graph.adjoint(var)
        if adjoint is not None and adjoint.written is not None:
            parts.insert(1, t.tex(adjoint.written))
        if form is not None:
            parts.append(t.tex(form))
        parts = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
        results.append("&" + " = ".join(parts))
    if at is not None:
        results.insert(0, rf"&{t.y} = {t.number(at.values[graph.output])}")
    out = "\n".join(blocks)
    if results:
        out += "\n\\begin{align*}\n" + " \\\\\n".join(results) + "\n\\end{align*}"
    if at is not None and at.conventions:
        out += "\n\\noindent " + convention_note(graph, lang, at, t)
    return out + "\n"


def convention_note(graph: Graph, lang: str, at: GraphValues, t: Tex) -> str:
    """The sentence saying which gradients follow a convention, with its nodes typeset."""
    nodes = ", ".join(f"${t.tex(n)} = {t.tex(graph.node(n).expr)}$" for n in at.conventions)
    words = escape(messages.word("ui.convention", lang, nodes="@N@")).replace("−", "-")
    return words.replace("@N@", nodes)


def latex_section(graph: Graph, lang: str, at: GraphValues | None) -> str:
    return "\\noindent " + Tex(graph, lang).task(at) + "\n" + latex_body(graph, lang, at)


def markdown(graph: Graph, lang: str, at: GraphValues | None) -> str:
    """A heading, the same table as LaTeX's (a pipe table with $…$ cells), the gradient."""
    t = Tex(graph, lang)
    header, rows = latex_rows(graph, t, at)

    def cell(text: str) -> str:
        """A cell: words as words, mathematics between dollars (| escaped)."""
        words, math = "", text
        if text.startswith(r"\text{"):
            end = text.index("}")
            words, math = text[len(r"\text{") : end], text[end + 1 :].removeprefix(r"\ ")
        shown = " ".join(p for p in (words, f"${math}$" if math else "") if p)
        return shown.replace("|", r"\|")

    out = [f"### {t.task(at)}", ""]
    out.append("| " + " | ".join(cell(h) for h in header) + " |")
    out.append("|" + "---|" * len(header))
    out.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    out.append("")
    body = latex_body(graph, lang, at)
    if "\\begin{align*}" in body:
        results = body[body.index("\\begin{align*}") + len("\\begin{align*}\n") :]
        results = results[: results.index("\n\\end{align*}")]
        for row in results.split(" \\\\\n"):
            out.append(f"$${row.lstrip('&')}$$")
    if at is not None and at.conventions:
        nodes = ", ".join(f"${t.tex(n)} = {t.tex(graph.node(n).expr)}$" for n in at.conventions)
        out += ["", messages.word("ui.convention", lang, nodes=nodes)]
    out.append("")
    ok = graph.verified and (at is None or at.agrees)
    out.append(messages.word("ui.graph_verified" if ok else "ui.graph_not_verified", lang,
                             nodes=", ".join(str(n) for n in graph.failures)))  # fmt: skip
    return "\n".join(out) + "\n"


# ---- JSON ----------------------------------------------------------------------------------


def _float(value) -> float | None:
    """A JSON number; null past a double's range (JSON has no infinity)."""
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def to_json(graph: Graph, text: str | None, lang: str, at: GraphValues | None) -> dict:
    """The contract chainrule.graph/1 (the schema ships in chainrule_cli/schemas/graph.json)."""
    tex = TextbookLatexPrinter().doprint
    # a deep graph's formulas are printed as built: sorting the factors of a product of deep
    # factors (str's order) compares whole trees, quadratically
    tall = not small(graph.expr, 4 * EVAL_HEIGHT) and max_height(graph.expr) >= EVAL_HEIGHT
    text_of = SympyTextPrinter({"order": "none"} if tall else None).doprint
    adjoints = {a.node: a for a in graph.backward}
    nodes = []
    for node in graph.nodes:
        adjoint = adjoints.get(node.name)
        item = {
            "id": str(node.name),
            "op": node.op,
            "expr": text_of(node.expr),
            "full": text_of(node.full),
            "inputs": [str(i) for i in node.inputs],
            "uses": [str(c) for c in node.uses],
            "local": {str(i): text_of(d) for i, d in node.local},
            "latex": {
                "expr": tex(node.expr),
                "local": {str(i): tex(d) for i, d in node.local},
            },
            "grad_terms": None
            if adjoint is None
            else [{"use": str(c), "local": text_of(d)} for c, d in adjoint.terms],
            "grad_formula": None
            if adjoint is None or adjoint.written is None
            else text_of(adjoint.written),
            "value": None if at is None else _float(at.values[node.name]),
            "grad": None if at is None else _float(at.grads[node.name]),
        }
        if at is not None:
            item["local_value"] = {str(i): _float(at.locals[(node.name, i)]) for i, _ in node.local}
        nodes.append(item)
    forms = graph.in_terms_of or tuple(None for _ in graph.wrt)
    obj = {
        "schema": SCHEMA,
        "ok": True,
        "input": text if text is not None else text_of(graph.expr),
        "expr": text_of(graph.expr),
        "latex": {"expr": tex(graph.expr)},
        "output": str(graph.output),
        "wrt": [str(v) for v in graph.wrt],
        "nodes": nodes,
        "backward": [str(a.node) for a in graph.backward],
        "derivatives": {
            str(v): text_of(d) for v, d in zip(graph.wrt, graph.derivatives, strict=True)
        },
        "in_terms_of": {
            str(v): None if f is None else text_of(f) for v, f in zip(graph.wrt, forms, strict=True)
        },
        "value": None if at is None else _float(at.values[graph.output]),
        "gradients": {str(v): None if at is None else _float(at.grads.get(v)) for v in graph.wrt},
        "verified": bool(graph.verified and (at is None or at.agrees)),
    }
    if at is not None:
        obj["at"] = {str(k): str(v) for k, v in at.point.items()}
        obj["conventions"] = [str(n) for n in at.conventions]
    return obj


# ---- the formats (render/__init__.py: RENDERERS; svg and png are drawn from dot by the api) -----


def graph_html(graph: Graph, o) -> str:
    from chainrule_cli.render.html import render_graph_html

    return render_graph_html(graph, o.lang, o.at, o.picture)


def graph_text(graph: Graph, o) -> str:
    return to_string(layout(graph, o.lang, o.at), o.width, o.color)


def graph_latex(graph: Graph, o) -> str:
    if o.section:
        return latex_section(graph, o.lang, o.at)
    if o.standalone:
        return wrap_document([latex_section(graph, o.lang, o.at)], o.lang)
    return latex_body(graph, o.lang, o.at)


def graph_markdown(graph: Graph, o) -> str:
    return markdown(graph, o.lang, o.at)


def graph_json(graph: Graph, o) -> str:
    return json.dumps(to_json(graph, o.text, o.lang, o.at), ensure_ascii=False) + "\n"


def graph_dot(graph: Graph, o) -> str:
    from chainrule_cli.render.dot import render_dot

    return render_dot(graph, o.at, o.lang)


def graph_python(graph: Graph, o) -> str:
    from chainrule_cli.render.python import render_python

    return render_python(graph, o.name, o.text)
