"""A Jacobian in every format: each entry's derivation (with --detail full), the matrix, and
with intermediates the chain rule J_f(x) = J_f(u) · J_u(x) and its check. Computes nothing."""

from __future__ import annotations

import json

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.latex import LatexRenderer, escape, wrap_document
from chainrule_cli.render.markdown import MarkdownRenderer
from chainrule_cli.render.printing import SympyTextPrinter, UnicodePrinter
from chainrule_cli.render.terminal import STYLE, Line, TerminalRenderer, to_string
from chainrule_cli.render.view import outline

SCHEMA = "chainrule.jacobian/1"


def _names(symbols, show) -> str:
    return "(" + ", ".join(show(s) for s in symbols) + ")"


def grid(matrix: sympy.Matrix, show, indent: int, label: str, undefined: str = "") -> list[Line]:
    """A matrix as aligned rows between brackets: label = [ a  b ] …"""

    def cell(value):
        return undefined if undefined and value.has(sympy.nan, sympy.zoo) else show(value)

    cells = [[cell(matrix[i, j]) for j in range(matrix.cols)] for i in range(matrix.rows)]
    widths = [max(len(cells[i][j]) for i in range(matrix.rows)) for j in range(matrix.cols)]
    lines = []
    for i, row in enumerate(cells):
        lead = f"{label} = " if i == (matrix.rows - 1) // 2 else " " * (len(label) + 3)
        text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append(Line(indent).add(lead, STYLE["lhs"]).add(f"[ {text} ]", STYLE["result"]))

    def table():
        from rich import box
        from rich.table import Table

        drawn = Table(title=f"{label} =", title_justify="left", show_header=False, box=box.SQUARE)
        for _ in range(matrix.cols):
            drawn.add_column(style=STYLE["result"])
        for row in cells:
            drawn.add_row(*row)
        return drawn

    lines[0].rich = table
    for line in lines[1:]:
        line.rich_skip = True
    return lines


def layout(jac: S.Jacobian, lang: str = "en", at: dict | None = None, detail="full") -> list[Line]:
    u = UnicodePrinter().doprint
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    task = word("ui.jacobian_task", outputs=_names(jac.written, u), vars=_names(jac.wrt, u))
    lines = [Line().add(task, STYLE["task"]), Line()]
    if detail != "brief":
        for i, row in enumerate(jac.entries, start=1):
            for j, derivation in enumerate(row, start=1):
                lines.append(Line().add(word("ui.entry", row=i, col=j), STYLE["heading"]))
                renderer = TerminalRenderer(lang, partial=len(jac.wrt) > 1)
                view = outline(derivation, lang, show=renderer.u)
                lines.extend(renderer.render(view, verdict=False))
                lines.append(Line())
    lines.append(Line().add(word("ui.jacobian"), STYLE["heading"]))
    lines.extend(grid(jac.matrix, u, 2, "J"))
    if jac.factors:
        outer, inner = jac.factors
        lines += [Line(), Line().add(word("ui.chain_of_matrices"), STYLE["heading"])]
        lines.extend(grid(outer.matrix, u, 2, "J_f" + _names(outer.wrt, u)))
        lines.extend(grid(inner.matrix, u, 2, "J_u" + _names(inner.wrt, u)))
        key = "ui.product_agrees" if jac.product_agrees else "ui.product_differs"
        style = STYLE["ok"] if jac.product_agrees else STYLE["bad"]
        lines.append(Line(2).add(("✓ " if jac.product_agrees else "✗ ") + word(key), style))
    if at is not None:
        point = ", ".join(f"{u(k)} = {u(v)}" for k, v in at["point"].items())
        lines += [Line(), Line().add(word("ui.value", point=point), STYLE["heading"])]
        undefined = word("ui.undefined")
        lines.extend(grid(at["matrix"], u, 2, "J", undefined))
        for label, factor, matrix in zip(("J_f", "J_u"), jac.factors, at["factors"], strict=False):
            lines.extend(grid(matrix, u, 2, label + _names(factor.wrt, u), undefined))
    verdict = (
        "✓ " + word("ui.verified") if jac.verified else "✗ " + word("ui.not_verified", numbers="J")
    )
    lines.append(Line().add(verdict, STYLE["ok"] if jac.verified else STYLE["bad"]))
    return lines


def pmatrix(matrix: sympy.Matrix, tex) -> str:
    rows = [" & ".join(tex(matrix[i, j]) for j in range(matrix.cols)) for i in range(matrix.rows)]
    return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"


def latex_body(jac: S.Jacobian, lang: str, at: dict | None, detail: str) -> str:
    renderer = LatexRenderer(lang, partial=len(jac.wrt) > 1)
    tex = renderer.tex
    parts = []
    if detail != "brief":
        for i, row in enumerate(jac.entries, start=1):
            for j, derivation in enumerate(row, start=1):
                parts.append(f"% {messages.word('ui.entry', lang, row=i, col=j)}")
                parts.append(renderer.render(outline(derivation, lang)))
    rows = [rf"J &= {pmatrix(jac.matrix, tex)}"]
    if jac.factors:
        outer, inner = jac.factors
        names = lambda xs: ", ".join(tex(x) for x in xs)  # noqa: E731
        rows.append(
            rf"&= J_f\left({names(outer.wrt)}\right) \cdot J_u\left({names(inner.wrt)}\right)"
            rf" = {pmatrix(outer.matrix, tex)} {pmatrix(inner.matrix, tex)}"
        )
        key = "ui.product_agrees" if jac.product_agrees else "ui.product_differs"
        rows.append(rf"&\text{{{escape(messages.word(key, lang))}}}")
    if at is not None:
        point = r",\ ".join(f"{tex(k)} = {tex(v)}" for k, v in at["point"].items())
        rows.append(rf"\left.J\right|_{{{point}}} &= {pmatrix(at['matrix'], tex)}")
        if at["factors"]:
            outer, inner = at["factors"]
            rows.append(rf"&= {pmatrix(outer, tex)} {pmatrix(inner, tex)}")
    parts.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(parts) + "\n"


def latex_section(jac: S.Jacobian, lang: str, at: dict | None, detail: str) -> str:
    tex = LatexRenderer(lang).tex
    outputs = "$" + r"\left(" + ", ".join(tex(f) for f in jac.written) + r"\right)$"
    names = "$" + r"\left(" + ", ".join(tex(x) for x in jac.wrt) + r"\right)$"
    words = escape(messages.word("ui.jacobian_task", lang, outputs="@O@", vars="@V@"))
    task = words.replace("@O@", outputs).replace("@V@", names)
    return "\\noindent " + task + "\n" + latex_body(jac, lang, at, detail)


def markdown(jac: S.Jacobian, lang: str, at: dict | None, detail: str) -> str:
    tex = LatexRenderer(lang).tex
    outputs = "$" + r"\left(" + ", ".join(tex(f) for f in jac.written) + r"\right)$"
    names = "$" + r"\left(" + ", ".join(tex(x) for x in jac.wrt) + r"\right)$"
    out = [f"### {messages.word('ui.jacobian_task', lang, outputs=outputs, vars=names)}", ""]
    if detail != "brief":
        for i, row in enumerate(jac.entries, start=1):
            for j, derivation in enumerate(row, start=1):
                out += [f"#### {messages.word('ui.entry', lang, row=i, col=j)}", ""]
                md = MarkdownRenderer(lang, partial=len(jac.wrt) > 1)
                body = md.render(outline(derivation, lang, show=md.u)).splitlines()
                out.extend("#" + line if line.startswith("#") else line for line in body)
    out += [f"#### {messages.word('ui.jacobian', lang)}", "", f"$$J = {pmatrix(jac.matrix, tex)}$$"]
    if jac.factors:
        outer, inner = jac.factors
        out += [
            "",
            f"$$J = {pmatrix(outer.matrix, tex)} {pmatrix(inner.matrix, tex)}$$",
            "",
            messages.word(
                "ui.product_agrees" if jac.product_agrees else "ui.product_differs", lang
            ),
        ]
    if at is not None:
        point = ", ".join(f"{tex(k)} = {tex(v)}" for k, v in at["point"].items())
        value = rf"\left.J\right|_{{{point}}} = {pmatrix(at['matrix'], tex)}"
        if at["factors"]:
            value += " = " + " ".join(pmatrix(m, tex) for m in at["factors"])
        out += ["", f"$${value}$$"]
    out += [
        "",
        messages.word("ui.verified" if jac.verified else "ui.not_verified", lang, numbers="J"),
    ]
    return "\n".join(out) + "\n"


def to_json(jac: S.Jacobian, text: str | None, lang: str, at: dict | None) -> dict:
    show = SympyTextPrinter().doprint

    def rows(matrix):
        return [[show(matrix[i, j]) for j in range(matrix.cols)] for i in range(matrix.rows)]

    obj = {
        "schema": SCHEMA,
        "ok": True,
        "input": text if text is not None else str(list(jac.written)),
        "outputs": [show(f) for f in jac.written],
        "wrt": [str(x) for x in jac.wrt],
        "let": {str(n): show(v) for n, v in jac.lets},
        "matrix": rows(jac.matrix),
        "factors": [
            {
                "of": [show(e) for e in f.of],
                "wrt": [str(x) for x in f.wrt],
                "matrix": rows(f.matrix),
            }
            for f in jac.factors
        ],
        "verified": jac.verified,
    }
    if jac.factors:
        obj["product_agrees"] = jac.product_agrees
    if at is not None:
        obj["at"] = {str(k): show(v) for k, v in at["point"].items()}
        obj["numeric"] = {"matrix": at["decimal"], "factors": at["factor_decimals"]}
    return obj


# ---- the formats (render/__init__.py: RENDERERS) --------------------------------------------


def jacobian_html(jac: S.Jacobian, o) -> str:
    from chainrule_cli.render.html import render_jacobian_html

    return render_jacobian_html(jac, o.lang, o.at, o.detail)


def jacobian_text(jac: S.Jacobian, o) -> str:
    return to_string(layout(jac, o.lang, o.at, o.detail), o.width, o.color)


def jacobian_latex(jac: S.Jacobian, o) -> str:
    if o.section:
        return latex_section(jac, o.lang, o.at, o.detail)
    if o.standalone:
        return wrap_document([latex_section(jac, o.lang, o.at, o.detail)], o.lang)
    return latex_body(jac, o.lang, o.at, o.detail)


def jacobian_markdown(jac: S.Jacobian, o) -> str:
    return markdown(jac, o.lang, o.at, o.detail)


def jacobian_json(jac: S.Jacobian, o) -> str:
    return json.dumps(to_json(jac, o.text, o.lang, o.at), ensure_ascii=False) + "\n"
