"""A gradient in every format: each partial derivative's derivation (with ∂), then ∇y.

It composes the derivation renderers; like them it computes nothing.
"""

from __future__ import annotations

import json

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.jsonout import render_json
from chainrule_cli.render.latex import LatexRenderer, escape, leibniz, wrap_document
from chainrule_cli.render.markdown import MarkdownRenderer
from chainrule_cli.render.printing import UnicodePrinter, approx
from chainrule_cli.render.terminal import (
    STYLE,
    Line,
    TerminalRenderer,
    rich_renderable,
    to_string,
    undefined_key,
)
from chainrule_cli.render.terminal import leibniz as unicode_leibniz
from chainrule_cli.render.view import outline

SCHEMA = "chainrule.gradient/1"


def _value_name(gradient: S.Gradient, lang: str) -> str:
    return outline(gradient.partials[0], lang).value


def _point(at: dict, show) -> str:
    return ", ".join(f"{show(k)} = {show(v)}" for k, v in at["point"].items())


def _decimals(at: dict) -> list[str] | None:
    exact, decimal = at["exact"], at["decimal"]
    if all(e.is_Integer for e in exact) or None in decimal:
        return None
    return [approx(v) for v in decimal]


def layout(gradient: S.Gradient, lang: str = "en", at: dict | None = None) -> list[Line]:
    """The partial derivations one after the other, then ∇y (and its value), then the verdict."""
    printer = UnicodePrinter()
    printer.typed = (gradient.partials[0].typed if gradient.partials else None) or {}
    u = printer.doprint
    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    y = _value_name(gradient, lang)
    names = ", ".join(u(v) for v in gradient.vars)
    task = word("ui.gradient_task", expr=f"{y} = {u(gradient.expr)}", vars=names)
    lines = [Line().add(task, STYLE["task"]), Line()]
    for derivation in gradient.partials:
        renderer = TerminalRenderer(lang, partial=True)
        lines.extend(renderer.render(outline(derivation, lang, show=renderer.u), verdict=False))
        lines.append(Line())
    lines.append(Line().add(word("ui.gradient"), STYLE["heading"]))
    partials = ", ".join(unicode_leibniz(y, v, d="∂") for v in gradient.vars)
    vector = ", ".join(u(e) for e in gradient.vector)
    line = Line(2, hang=4).add(f"∇{y} = ({partials}) = ", STYLE["lhs"])
    lines.append(line.add(f"({vector})", STYLE["result"]))
    if at is not None:
        line = Line(2, hang=4).add(word("ui.value", point=_point(at, u)) + ": ")
        said = word(undefined_key(at), point=_point(at, u))
        shown = [said if e.has(sympy.nan, sympy.zoo) else u(e) for e in at["exact"]]
        line.add("(" + ", ".join(shown) + ")", STYLE["result"])
        decimals = _decimals(at)
        if decimals:
            line.add(" ≈ (" + ", ".join(decimals) + ")")
        lines.append(line)
    if gradient.verified:
        lines.append(Line().add("✓ " + word("ui.verified"), STYLE["ok"]))
    else:
        failed = [str(v) for v, d in zip(gradient.vars, gradient.partials, strict=True)]
        failed = [n for n, d in zip(failed, gradient.partials, strict=True) if not d.verified]
        text = "✗ " + word("ui.not_verified", numbers="∂/∂" + ", ∂/∂".join(failed))
        lines.append(Line().add(text, STYLE["bad"]))
    return lines


def latex_body(gradient: S.Gradient, lang: str, at: dict | None) -> str:
    """Each partial derivative's align* rows, then ∇y, boxed."""
    renderer = LatexRenderer(lang, partial=True)
    tex = renderer.tex
    y = _value_name(gradient, lang)
    parts = []
    for derivation in gradient.partials:
        view = outline(derivation, lang)
        heading = leibniz(view.value, derivation.var, d=r"\partial")
        parts.append(f"% {heading}\n" + renderer.render(view))
    symbol = tex(sympy.Symbol(y))
    partials = ", ".join(leibniz(y, v, d=r"\partial") for v in gradient.vars)
    vector = ", ".join(tex(e) for e in gradient.vector)
    rows = [rf"&\boxed{{\nabla {symbol} = \left({partials}\right) = \left({vector}\right)}}"]
    if at is not None:
        point = r",\ ".join(f"{tex(k)} = {tex(v)}" for k, v in at["point"].items())
        where = ", ".join(f"{k} = {v}" for k, v in at["point"].items())
        said = messages.word(undefined_key(at), lang, point=where)
        undefined = rf"\text{{{escape(said)}}}"
        values = ", ".join(undefined if e.has(sympy.nan) else tex(e) for e in at["exact"])
        rows.append(rf"&\left.\nabla {symbol}\right|_{{{point}}} = \left({values}\right)")
    parts.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(parts) + "\n"


def latex_section(gradient: S.Gradient, lang: str, at: dict | None) -> str:
    u = _value_name(gradient, lang)
    tex = LatexRenderer(lang).tex
    names = ", ".join(f"${tex(v)}$" for v in gradient.vars)
    words = escape(messages.word("ui.gradient_task", lang, expr="@E@", vars="@V@"))
    task = words.replace("@E@", f"${tex(sympy.Symbol(u))} = {tex(gradient.expr)}$")
    return "\\noindent " + task.replace("@V@", names) + "\n" + latex_body(gradient, lang, at)


def markdown(gradient: S.Gradient, lang: str, at: dict | None) -> str:
    renderer = LatexRenderer(lang)
    tex = renderer.tex
    y = _value_name(gradient, lang)
    names = ", ".join(f"${tex(v)}$" for v in gradient.vars)
    expr = f"${tex(sympy.Symbol(y))} = {tex(gradient.expr)}$"
    out = [f"### {messages.word('ui.gradient_task', lang, expr=expr, vars=names)}", ""]
    for derivation in gradient.partials:
        md_renderer = MarkdownRenderer(lang, partial=True)
        text = md_renderer.render(outline(derivation, lang, show=md_renderer.u))
        for line in text.splitlines():
            if line.startswith("#"):
                line = "#" + line  # one level below the gradient's heading
            if line != messages.word("ui.verified", lang):
                out.append(line)
    out += [f"#### {messages.word('ui.gradient', lang)}", ""]
    partials = ", ".join(leibniz(y, v, d=r"\partial") for v in gradient.vars)
    vector = ", ".join(tex(e) for e in gradient.vector)
    symbol = tex(sympy.Symbol(y))
    out.append(rf"$$\nabla {symbol} = \left({partials}\right) = \left({vector}\right)$$")
    if at is not None:
        point = ", ".join(f"{tex(k)} = {tex(v)}" for k, v in at["point"].items())
        values = ", ".join(tex(e) for e in at["exact"])
        out += ["", rf"$\left.\nabla {symbol}\right|_{{{point}}} = \left({values}\right)$"]
    out.append("")
    verdict = "ui.verified" if gradient.verified else "ui.not_verified"
    out.append(messages.word(verdict, lang, numbers="∂"))
    return "\n".join(out) + "\n"


def to_json(gradient: S.Gradient, text: str | None, lang: str, at: dict | None) -> dict:
    source = text if text is not None else str(gradient.expr)
    tex = LatexRenderer(lang).tex
    obj = {
        "schema": SCHEMA,
        "ok": True,
        "input": source,
        "expr": str(gradient.expr),
        "vars": [str(v) for v in gradient.vars],
        "partials": {
            str(v): render_json(d, source, lang)
            for v, d in zip(gradient.vars, gradient.partials, strict=True)
        },
        "gradient": [str(e) for e in gradient.vector],
        "latex": {"expr": tex(gradient.expr), "gradient": [tex(e) for e in gradient.vector]},
        "verified": gradient.verified,
    }
    if at is not None:
        obj["at"] = {str(k): str(v) for k, v in at["point"].items()}
        obj["value"] = {"exact": [str(e) for e in at["exact"]], "decimal": list(at["decimal"])}
    return obj


# ---- the formats (render/__init__.py: RENDERERS) --------------------------------------------


def gradient_html(gradient: S.Gradient, o) -> str:
    from chainrule_cli.render.html import render_gradient_html

    return render_gradient_html(gradient, o.lang, o.at)


def gradient_text(gradient: S.Gradient, o) -> str:
    return to_string(layout(gradient, o.lang, o.at), o.width, o.color)


def gradient_latex(gradient: S.Gradient, o) -> str:
    if o.section:
        return latex_section(gradient, o.lang, o.at)
    if o.standalone:
        return wrap_document([latex_section(gradient, o.lang, o.at)], o.lang)
    return latex_body(gradient, o.lang, o.at)


def gradient_markdown(gradient: S.Gradient, o) -> str:
    return markdown(gradient, o.lang, o.at)


def gradient_json(gradient: S.Gradient, o) -> str:
    return json.dumps(to_json(gradient, o.text, o.lang, o.at), ensure_ascii=False) + "\n"


def gradient_renderable(gradient: S.Gradient, lang: str = "en"):
    """What `console.print` shows for a gradient (Gradient.__rich__)."""
    return rich_renderable(layout(gradient, lang))
