"""The tangent and the normal line in every format: the derivation of the slope, then the point,
the slope, each line in point-slope form and as y = m·x + c (or the vertical line x = a)."""

from __future__ import annotations

import json

import sympy

from chainrule_cli.calculus.tangent import Tangent
from chainrule_cli.render import messages
from chainrule_cli.render.jsonout import render_json
from chainrule_cli.render.latex import LatexRenderer, _text, escape, escape_words, wrap_document
from chainrule_cli.render.markdown import MarkdownRenderer
from chainrule_cli.render.printing import SympyTextPrinter, TextbookLatexPrinter, UnicodePrinter
from chainrule_cli.render.terminal import STYLE, Line, TerminalRenderer, to_string
from chainrule_cli.render.view import outline

SCHEMA = "chainrule.tangent/1"


def _minus(name: str, value: sympy.Expr, show, minus: str) -> str:
    """y − 4, x + 3, y (for 0): a variable less a value, as written by hand."""
    if value == 0:
        return name
    if value.could_extract_minus_sign():
        return f"{name} + {show(-value)}"
    return f"{name} {minus} {show(value)}"


def _plus(left: str, right: str, minus: str) -> str:
    """left + right, or left − … when right opens with a minus (x/2 − π/6 + √3/2, never
    x/2 + −π/6 + √3/2)."""
    for sign in {minus, "-", "−"}:
        if right.startswith(sign):
            return f"{left} {minus} {right[len(sign) :].lstrip()}"
    return f"{left} + {right}"


def lines_of(
    t: Tangent, show, lang: str, minus: str = "−", times: str = "·", words=lambda s: s
) -> list[tuple[str, str]]:
    """(label key, mathematics) for the point, the slope, the tangent and the normal; `words`
    wraps words inside mathematics (LaTeX's \\text)."""
    d = t.derivation
    x = d.var
    y = d.dependent if d.dependent is not None else sympy.Symbol("y")
    a = t.point[x]
    point = f"({show(a)}, {show(t.height)})"
    out = [("ui.tangent_point", point)]
    if t.slope is None:
        out.append(("ui.tangent_slope", words(messages.word("ui.no_slope", lang))))
    else:
        out.append(("ui.tangent_slope", show(t.slope)))

    def line(slope, through) -> str:
        if slope == 0:
            return f"{show(y)} = {show(t.height)}"
        left = _minus(show(y), t.height, show, minus)
        across = _minus(show(x), a, show, minus)
        if slope in (1, -1):  # y − 1/4 = x − 1/2, not 1·(x − 1/2)
            right = across if slope == 1 else (f"{minus}{show(x)}" if a == 0 else
                                               f"{minus}({across})")  # fmt: skip
        else:
            right = f"{show(slope)}{times}" + (across if a == 0 else f"({across})")
        m = sympy.expand(through).coeff(x, 1)
        c = sympy.expand(through - m * x)
        plain = show(m * x) if c == 0 else _plus(show(m * x), show(c), minus)
        if m == 0:
            plain = show(c)
        return f"{left} = {right}, {show(y)} = {plain}"

    if t.tangent is not None:
        out.append(("ui.tangent_line", line(t.slope, t.tangent)))
    else:
        out.append(("ui.tangent_line", f"{show(x)} = {show(t.vertical)}"))
    if t.normal is not None:
        if t.slope is None:
            out.append(("ui.normal_line", f"{show(y)} = {show(t.normal)}"))
        else:
            out.append(("ui.normal_line", line(-1 / t.slope, t.normal)))
    else:
        out.append(("ui.normal_line", f"{show(x)} = {show(t.normal_vertical)}"))
    return out


def layout(t: Tangent, lang: str, at: dict) -> list[Line]:
    renderer = TerminalRenderer(lang, at)
    renderer.printer.typed = t.derivation.typed or {}
    lines = [Line().add(task(t, lang, renderer.u), STYLE["task"]), Line()]
    lines += renderer.render(outline(t.derivation, lang, show=renderer.u), verdict=False)
    lines += [Line(), Line().add(messages.word("ui.tangent_heading", lang), STYLE["heading"])]
    for key, math in lines_of(t, renderer.u, lang):
        label = messages.word(key, lang)
        lines.append(Line(2, hang=4).add(label + messages.colon(lang)).add(math, STYLE["result"]))
    lines.append(renderer.verdict(outline(t.derivation, lang)))
    return lines


def latex_body(t: Tangent, lang: str, at: dict) -> str:
    renderer = LatexRenderer(lang, at)
    renderer.printer.typed = t.derivation.typed or {}
    body = renderer.render(outline(t.derivation, lang))
    tex = renderer.tex
    rows = [
        rf"&\text{{{escape(messages.word(key, lang) + messages.colon(lang).strip())}}}\quad {math}"
        for key, math in lines_of(t, tex, lang, "-", r" \cdot ", _text)
    ]
    heading = escape(messages.word("ui.tangent_heading", lang))
    return (
        body + rf"\paragraph{{{heading}}}" + "\n\\begin{align*}\n" + " \\\\\n".join(rows)
        + "\n\\end{align*}\n"
    )  # fmt: skip


def task(t: Tangent, lang: str, show, wrap=lambda s: s) -> str:
    """The heading: "Tangent and normal to y = … at x = 2"; `wrap` marks the mathematics."""
    point = ", ".join(f"{show(k)} = {show(v)}" for k, v in t.point.items())
    d = t.derivation
    if d.equation is not None:
        expr = f"{show(d.equation[0])} = {show(d.equation[1])}"
    else:
        expr = f"y = {show(d.expr)}"
    return messages.word("ui.tangent_task", lang, expr=wrap(expr), point=wrap(point))


def to_json(t: Tangent, text: str | None, lang: str, at: dict) -> dict:
    show = SympyTextPrinter()
    show.typed = t.derivation.typed or {}
    tex = TextbookLatexPrinter()
    tex.typed = show.typed
    d = t.derivation

    def text_or_none(value):
        return None if value is None else show.doprint(value)

    return {
        "schema": SCHEMA,
        "ok": True,
        "input": text if text is not None else str(d.expr),
        "var": str(d.var),
        "point": {str(k): show.doprint(v) for k, v in t.point.items()},
        "height": show.doprint(t.height),
        "slope": text_or_none(t.slope),
        "tangent": text_or_none(t.tangent),
        "normal": text_or_none(t.normal),
        "vertical_tangent": text_or_none(t.vertical),
        "vertical_normal": text_or_none(t.normal_vertical),
        "latex": {
            "tangent": None if t.tangent is None else tex.doprint(t.tangent),
            "normal": None if t.normal is None else tex.doprint(t.normal),
        },
        "derivation": render_json(d, text, lang, at),
        "verified": d.verified,
    }


# ---- the formats (render/__init__.py: RENDERERS) --------------------------------------------


def tangent_text(t: Tangent, o) -> str:
    return to_string(layout(t, o.lang, o.at), o.width, o.color)


def tangent_latex(t: Tangent, o) -> str:
    tex = TextbookLatexPrinter()
    tex.typed = t.derivation.typed or {}
    heading = task(t, o.lang, tex.doprint, lambda math: f"${math}$")
    body = r"\noindent " + escape_words(heading) + "\n" + latex_body(t, o.lang, o.at)
    return wrap_document([body], o.lang) if o.standalone and not o.section else body


def tangent_markdown(t: Tangent, o) -> str:
    lang = o.lang
    md = MarkdownRenderer(lang, o.at)
    md.printer.typed = md.latex.printer.typed = t.derivation.typed or {}
    out = [md.render(outline(t.derivation, lang, show=md.u)), ""]
    out.append(f"#### {messages.word('ui.tangent_heading', lang)}")
    out.append("")
    tex = md.latex.tex
    for key, math in lines_of(t, tex, lang, "-", r" \cdot ", _text):
        out.append(f"- {messages.word(key, lang)}: ${math}$")
    return "\n".join(out) + "\n"


def tangent_json(t: Tangent, o) -> str:
    return json.dumps(to_json(t, o.text, o.lang, o.at), ensure_ascii=False) + "\n"


def tangent_html(t: Tangent, o) -> str:
    return html_page(t, o.lang, o.at)


def html_page(t: Tangent, lang: str, at: dict) -> str:
    """The derivation of the slope as a page, then the point, the slope and the lines."""
    from chainrule_cli.render import html

    renderer = html.DerivationHtml(t.derivation, lang, at)
    tex = TextbookLatexPrinter()
    tex.typed = t.derivation.typed or {}
    title = task(t, lang, UnicodePrinter().doprint)
    rows = "".join(
        f"<li>{html.escape(messages.word(key, lang) + messages.colon(lang))}"
        f"{html.math(html.tex_mathml(math))}</li>\n"
        for key, math in lines_of(t, tex.doprint, lang, "-", r" \cdot ", _text)
    )
    heading = html.escape(messages.word("ui.tangent_heading", lang))
    body = (
        f"<h1>{html.escape(title)}</h1>\n" + renderer.render(heading="h2")
        + f"<h2>{heading}</h2>\n<ul>\n{rows}</ul>\n"
    )  # fmt: skip
    return html.page(title, body, lang)
