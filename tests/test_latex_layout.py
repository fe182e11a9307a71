"""LaTeX laid out as a teacher writes it: a chain per step with its reasons on the right, the
rule's parts named, the sentences that say something, the answer boxed, batches numbered, and
documents that pdflatex compiles."""

from __future__ import annotations

import re

import pytest
from conftest import runner

from chainrule_cli import differentiate
from chainrule_cli.render.latex import (
    LatexRenderer,
    render_latex,
    render_section,
    wrap_document,
)
from chainrule_cli.render.view import outline
from tests.test_render import compile_latex, pdflatex_or_fail

ARTICLE = "1/(1+exp(-(w*x+b)))"
PRODUCT = "x^2 sin x"
QUOTIENT = "(x^2+1)/(x-1)"

PRODUCT_ROWS = [
    r"&y = x^{2} \sin{\left(x \right)}",
    r"&\text{1. Product rule:}\quad (f g)' = f' g + f g'\qquad \text{with }f = x^{2},\ g ="
    r" \sin{\left(x \right)}",
    r"&\qquad \text{2.}\ f' = 2 \cdot x^{2 - 1} = 2 x \tag*{$\text{Power rule: }(x^{n})' = n"
    r" x^{n-1}$}",
    r"&\qquad \text{3.}\ g' = \cos{\left(x \right)} \tag*{$\text{Trigonometric function:"
    r" }\sin' x = \cos x$}",
    r"&\frac{dy}{dx} = \left(x^{2}\right)' \cdot \sin{\left(x \right)} + x^{2} \cdot"
    r" \left(\sin{\left(x \right)}\right)' \tag*{$\text{Product rule}$}",
    r"&\phantom{\frac{dy}{dx}} = 2 x \sin{\left(x \right)} + x^{2} \cos{\left(x \right)}"
    r" \tag*{$\text{the parts' derivatives put in}$}",
    r"&\phantom{\frac{dy}{dx}} = \boxed{x \left(x \cos{\left(x \right)} + 2 \sin{\left(x"
    r" \right)}\right)} \tag*{$\text{collect common factors}$}",
]

QUOTIENT_ROWS = [
    r"&y = \frac{x^{2} + 1}{x - 1}",
    r"&\text{1. Quotient rule:}\quad \left(\frac{f}{g}\right)' = \frac{f' g - f"
    r" g'}{g^{2}}\qquad \text{with }f = x^{2} + 1,\ g = x - 1",
    r"&\qquad \text{2. Sum rule:}\quad (f + g)' = f' + g'",
    r"&\qquad \qquad \text{3.}\ \frac{d}{dx}\left(x^{2}\right) = 2 \cdot x^{2 - 1} = 2 x"
    r" \tag*{$\text{Power rule: }(x^{n})' = n x^{n-1}$}",
    r"&\qquad f' = \left(x^{2}\right)' + 1' \tag*{$\text{Sum rule}$}",
    r"&\qquad \phantom{f'} = 2 x + 0 = 2 x \tag*{$\text{the parts' derivatives put in}$}",
    r"&\qquad \text{4.}\ g' = x' + \left(-1\right)' \tag*{$\text{Sum rule: }(f + g)' = f' +"
    r" g'$}",
    r"&\qquad \phantom{\text{4.}\ g'} = 1 + 0 = 1 \tag*{$\text{the parts' derivatives put"
    r" in}$}",
    r"&\frac{dy}{dx} = \frac{\left(x^{2} + 1\right)' \cdot \left(x - 1\right) - \left(x^{2} +"
    r" 1\right) \cdot \left(x - 1\right)'}{\left(x - 1\right)^{2}} \tag*{$\text{Quotient"
    r" rule}$}",
    r"&\phantom{\frac{dy}{dx}} = \frac{2 x \cdot \left(x - 1\right) - \left(x^{2} +"
    r" 1\right)}{\left(x - 1\right)^{2}} \tag*{$\text{the parts' derivatives put in}$}",
    r"&\phantom{\frac{dy}{dx}} = \boxed{\frac{x^{2} - 2 x - 1}{\left(x - 1\right)^{2}}}"
    r" \tag*{$\text{expand the numerator}$}",
]


def rows(tex: str) -> list[str]:
    """The rows of every environment: split at \\\\, one row a line."""
    out = []
    for line in tex.splitlines():
        line = line.strip().removesuffix(r"\\").strip()
        if line and not line.startswith((r"\begin{align*}", r"\end{align*}")):
            out.append(line)
    return out


def equation_rows(tex: str) -> list[str]:
    return [r for r in rows(tex) if " = " in r and not r.startswith(r"&\text{")]


def test_product_rule_rows_exactly():
    tex = differentiate(PRODUCT, "x").to_latex()
    assert tex.startswith("\\begin{align*}\n") and tex.endswith("\\end{align*}\n")
    assert rows(tex) == PRODUCT_ROWS


def test_quotient_rule_rows_in_order():
    found = rows(differentiate(QUOTIENT, "x").to_latex())
    positions = [found.index(row) for row in QUOTIENT_ROWS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("expr", [ARTICLE, PRODUCT, QUOTIENT, "x^x", "sqrt(1+x^2) ln(3x)",
                                  "x^2 + y^2 = 25", "tan(3x^2)", "x^3 e^x"])  # fmt: skip
def test_no_row_has_an_empty_side_and_the_answer_is_boxed(expr):
    tex = differentiate(expr, "x").to_latex()
    for row in rows(tex):
        assert not re.fullmatch(r"&?\s*(\\qquad\s*)*", row), (expr, row)  # nothing at all
        body = row.split(r" \tag*{")[0]
        assert not re.search(r"=\s*$", body), (expr, row)  # "lhs =" and nothing
        # d/dx (…) alone, never said what it equals
        alone = r"&\s*(\\qquad\s*)*\\frac\{d\}\{d\w+\}\\left\(.*\\right\)"
        assert " = " in body or not re.fullmatch(alone, body), (expr, row)
        if " = " in body and not body.startswith(r"&\text{"):
            left = body.lstrip("&").replace(r"\qquad", "").split(" = ")[0]
            assert left.strip(), (expr, row)  # a left side (or its phantom)
    assert tex.count(r"\boxed{") == 1
    # every rule's chain has its reason in the one column at the right margin
    assert any(r" \tag*{$\text{" in row for row in equation_rows(tex))
    assert r"\qquad \text{" not in tex.split("\n")[1]  # no heading floats in the middle


def test_long_rows_are_cut_and_stay_within_the_page(tmp_path):
    d = differentiate("(x^3 + 2x^2 - 5x + 7)^4 sin(x^2 + 3x) exp(cos x)", "x")
    tex = d.to_latex()
    from chainrule_cli.render.latex import width

    for row in rows(tex):
        if row.startswith((r"\begin", r"\end", "&" + r"\text{")):
            continue
        assert width(row) < 200, row
    compile_latex(tmp_path, d.to_latex(standalone=True), pdflatex_or_fail())
    log = (tmp_path / "doc.log").read_text(errors="replace")
    overfull = [float(m) for m in re.findall(r"Overfull \\hbox \((\d+\.\d+)pt too wide", log)]
    assert max(overfull, default=0) < 30, overfull


def test_every_sentence_that_says_something_appears():
    for expr in [ARTICLE, "x^x", "|x|", "x^2 + y^2 = 25"]:
        d = differentiate(expr, "x")
        tex = d.to_latex()
        view = outline(d, show=lambda e: "#")  # the words only: mathematics is typeset
        noted = [v for v in view.steps if v.note]
        assert noted, expr
        for v in noted:
            # the sentence's words, without the expressions (typeset as math in the LaTeX)
            words = re.split(r"(?:\b[A-Za-z]\b|[^A-Za-z ])+", v.sentence)
            longest = max((w.strip() for w in words), key=len)
            assert longest in tex, (expr, longest)
    article = differentiate(ARTICLE, "x").to_latex()
    assert r"\text{ is constant with respect to } x \text{, so the derivative of } b" in article
    assert r"\text{Let}\ u = w x + b,\quad y = \frac{1}{1 + e^{- u}}" in article


def test_the_y_form_is_beside_the_answer():
    tex = differentiate(ARTICLE, "x").to_latex()
    assert r"\text{In terms of } y = \frac{1}{1 + e^{-\left(w x + b\right)}}" in tex
    assert r"\frac{dy}{dx} = w y \left(1 - y\right)" in tex.splitlines()[-2]


def test_batch_documents_number_their_problems_and_show_each_input():
    sections = [render_section(differentiate(e, "x")) for e in (PRODUCT, QUOTIENT, "x^x")]
    doc = wrap_document(sections)
    assert doc.startswith("\\documentclass{article}\n")
    headings = re.findall(r"\\subsection\*\{(\d+)\.\\enspace Differentiate \$(.*?)\$", doc)
    assert [n for n, _ in headings] == ["1", "2", "3"]
    assert [e for _, e in headings] == [
        r"y = x^{2} \sin{\left(x \right)}",
        r"y = \frac{x^{2} + 1}{x - 1}",
        "y = x^{x}",
    ]
    typed = render_section(differentiate(PRODUCT, "x"), text="x^2 sin x")
    assert r"\texttt{x\textasciicircum{}2 sin x}" in typed
    single = wrap_document([render_section(differentiate(PRODUCT, "x"))])
    assert r"\subsection*" not in single


def test_batch_from_the_command_line_is_numbered(tmp_path):
    result = runner.invoke(["diff", "-", "x", "--format", "latex", "--standalone"],
        input="x^2 sin x\n(x^2+1)/(x-1)\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.count(r"\subsection*{") == 2
    assert r"\subsection*{2.\enspace Differentiate" in result.stdout
    compile_latex(tmp_path, result.stdout, pdflatex_or_fail())


@pytest.mark.parametrize("expr", [ARTICLE, PRODUCT, QUOTIENT, "x^x", "sqrt(1+x^2) ln(3x)"])
def test_standalone_documents_compile(tmp_path, expr):
    program = pdflatex_or_fail()
    compile_latex(tmp_path, render_latex(differentiate(expr, "x"), standalone=True), program)


def test_the_renderer_entry_points_other_formats_use():
    d = differentiate(ARTICLE, "x")
    renderer = LatexRenderer("en", partial=True)
    body = renderer.render(outline(d))
    assert body.count(r"\begin{align*}") == body.count(r"\end{align*}") >= 1
    assert r"\partial" in body


def test_markdown_lists_each_step_with_its_chain():
    md = differentiate(PRODUCT, "x").to_markdown()
    assert r"- **1. Product rule** $(f g)' = f' g + f g'$ — with $f = x^{2}" in md
    assert r"  - **2. Power rule** $(x^{n})' = n x^{n-1}$ — $f' = 2 \cdot x^{2 - 1} = 2 x$" in md
    assert r"$$\boxed{\frac{dy}{dx} = x \left(x \cos{\left(x \right)}" in md
    assert "the parts' derivatives put in" in md
