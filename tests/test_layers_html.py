"""--format html with --shape: one self-contained page (render/layers_html.py) that parses, loads
nothing, carries its mathematics as MathML (bold arrays, ⊙, ‖…‖, transposes, fractions), shows
every backward step with its rule and formula, the results and their shapes, the values at a
point as matrices, the verdict; in English and in Chinese; the graph's page with its picture."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import runner

from chainrule_cli import api
from chainrule_cli import arrays as A
from chainrule_cli.calculus import vjps
from chainrule_cli.render import Options
from chainrule_cli.render.layers_html import (
    _formula_math,
    formula_html,
    latex_mathml,
    layer_graph_html,
    layers_html,
)
from chainrule_cli.render.messages import word

LAYER = "norm(sigmoid(W*x + b) - t)^2"
SHAPES = ["W=3x2", "x=2", "b=3", "t=3"]
SHAPE_ARGS = [a for s in SHAPES for a in ("--shape", s)]
POINT = "W=[[1,2],[3,4],[5,6]],x=[1,-1],b=[0,0,0],t=[1,0,1]"
BOLD_W, BOLD_X, BOLD_ONE = "\U0001d416", "\U0001d431", "\U0001d7cf"  # 𝐖 𝐱 𝟏


class Page(HTMLParser):
    """The tags, their attributes, the text, and every element closed in order."""

    VOID = {"meta", "br", "hr", "img", "link", "input", "mspace", "path", "polygon", "ellipse",
            "polyline", "stop"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parsed(page: str) -> Page:
    assert page.startswith("<!DOCTYPE html>")
    p = Page()
    p.feed(page)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, p.stack
    found = re.findall(r"https?:|\bsrc\s*=|<link\b|<script\b|<iframe\b|url\(|@import", page, re.I)
    assert not found, found  # nothing to fetch, nothing to run
    return p


def tags(p: Page, name: str) -> list[dict]:
    return [a for t, a in p.tags if t == name]


def derivation(expr=LAYER, var="W", shapes=SHAPES):
    return api.differentiate(expr, var, shapes=shapes)


def cli_page(*args: str) -> str:
    result = runner.invoke(["diff", LAYER, "W", *SHAPE_ARGS, "--format", "html", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


# ---- the page --------------------------------------------------------------------------------


def test_the_layer_page_is_whole_and_offline():
    page = cli_page()
    p = parsed(page)
    assert tags(p, "style") and tags(p, "title") and not tags(p, "script")
    assert '<html lang="en">' in page
    maths = tags(p, "math")
    assert len(maths) >= 10
    assert all(m.get("display") in ("inline", "block") for m in maths)
    assert "\\" not in "".join(re.findall(r"<math.*?</math>", page, re.S))  # no LaTeX left


def test_the_heading_has_the_expression_and_the_shapes():
    page = cli_page()
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert h1.startswith("Gradient of <math")
    assert f"<mi>{BOLD_W}</mi>" in h1 and "<mo>‖</mo>" in h1 and "<mi>σ</mi>" in h1
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title == "Gradient of L = ‖σ(Wx + b) − t‖² with respect to W"
    shapes = re.search(r'<p class="shapes">(.*?)</p>', page, re.S).group(1)
    assert shapes.startswith("Inputs: ")
    assert "<mi>ℝ</mi>" in shapes and "<mo>∈</mo>" in shapes
    assert "<mrow><mn>3</mn><mo>×</mo><mn>2</mn></mrow>" in shapes  # W ∈ ℝ^{3×2}


def test_the_forward_pass_is_a_table_with_shapes():
    page = cli_page()
    table = re.search(r"<h2>Forward pass.*?</h2>\n<table>(.*?)</table>", page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert len(rows) == 1 + 3  # the header and z, a, L
    assert "<th>node</th><th>computes</th><th>shape</th>" in rows[0]
    assert rows[1].endswith("<td>3</td>") and rows[3].endswith("<td>scalar</td>")
    assert "<mo>⊙</mo>" not in table and "<mo>+</mo>" in rows[1]


def test_every_backward_step_is_numbered_with_its_rule_and_formula():
    d = derivation()
    page = layers_html(d, Options())
    p = parsed(page)
    steps = tags(p, "details")
    assert [s.get("id") for s in steps] == [
        f"step-{i}" for i in range(1, len(d.layers.backward) + 1)
    ]
    assert all("open" in s for s in steps)
    summaries = re.findall(r"<summary>(.*?)</summary>", page, re.S)
    for i, (step, summary) in enumerate(zip(d.layers.backward, summaries, strict=True), 1):
        assert f'<span class="num">{i}.</span>' in summary
        assert f'<span class="rule">{word("layers_rule_" + step.rule)}</span>' in summary
        assert summary.count("<math") == 2  # the primitive, and what it gives
    assert "<mo>⊙</mo>" in page  # δ_z = δ_a ⊙ a ⊙ (1 − a)
    assert '<msup><mi>𝐱</mi><mi mathvariant="normal">T</mi></msup>' in page  # xᵀ
    assert "<msub><mi>δ</mi><mi>𝐳</mi></msub>" in page  # δ_z


def test_the_results_the_shape_of_the_gradient_and_the_verdict():
    page = cli_page()
    results = page[page.index("<h2>Results</h2>") :]
    # ∂L/∂W, through the names, then in the inputs, boxed
    assert f"<mfrac><mrow><mi>∂</mi><mi>L</mi></mrow><mrow><mi>∂</mi><mi>{BOLD_W}</mi>" in results
    assert results.count('<span class="answer">') == 1
    assert "3×2, the shape of W (as PyTorch's W.grad)" in results.replace("&#x27;", "'")
    assert '<p class="verdict ok">✓ every step verified entry by entry' in results


def test_a_step_with_several_uses_lists_its_terms():
    d = derivation("x^T*A*x + trace(A) + log(det(A))", "A", ["x=n", "A=nxn"])
    page = layers_html(d, Options())
    parsed(page)
    several = [b for b in d.layers.backward if len(b.terms) > 1]
    assert several
    assert word("layers_rule_multivariable_chain") in page
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    assert len(items) == sum(len(b.terms) for b in several)
    for rule in ("log det", "trace", "quadratic form"):
        assert any(rule in item for item in items), rule
    assert "<mi>ℝ</mi>" in page and "<mi>n</mi><mo>×</mo><mi>n</mi>" in page


def test_a_jacobian_page():
    r = api.jacobian("tanh(W*x)", ["x"], shapes=["W=3x2", "x=2"])
    page = layers_html(r, Options())
    parsed(page)
    assert re.search(r"<h1>Jacobian of <math", page)
    assert "rows the 3 entries of y, columns the 2 of x" in page
    assert "<mi>diag</mi>" in page


# ---- in Chinese ---------------------------------------------------------------------------------


def test_the_page_in_chinese():
    page = cli_page("--lang", "zh")
    p = parsed(page)
    assert '<html lang="zh-Hans">' in page
    assert re.search(r"<h1>求 <math.*</math> 关于 <math.*</math> 的梯度</h1>", page)
    assert "<th>节点</th><th>计算</th><th>形状</th>" in page
    text = "".join(p.text)
    for key in ("layers_rule_squared_norm", "layers_rule_elementwise", "layers_rule_linear_map"):
        assert word(key, "zh") in text
    assert "3×2，与 W 的形状相同（即 PyTorch 中 W.grad 的形状）" in text
    assert "✓ 每一步都已在小尺寸（W 3×2, b 3, t 3, x 2）下与标量 SymPy 逐元素核对" in text
    assert '<span class="sep">：</span>' in page  # the formula's colon, a Chinese one
    assert "Forward" not in text and "Results" not in text


def test_a_note_on_how_the_line_was_read_is_in_chinese():
    d = derivation("-dot(t, log(softmax(Wx)))", "W", ["W=3x2", "x=2", "t=3"])
    zh = layers_html(d, Options(lang="zh"))
    assert '<p class="note">读作：Wx 即 W·x</p>' in zh
    assert "read as" not in zh
    assert '<p class="note">read: Wx as W·x</p>' in layers_html(d, Options())


# ---- values at a point -------------------------------------------------------------------------


def test_values_at_a_point_are_matrices():
    d = derivation()
    at = d.value_at([POINT])
    page = layers_html(d, Options(at=at))
    parsed(page)
    section = page[page.index("<h2>Values at the point</h2>") :]
    point = re.search(r'<p class="point">(.*?)</p>', section, re.S).group(1)
    assert point.startswith("At <math")
    # W as a 3×2 matrix of exact entries
    assert "<mtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mtr>" in point
    assert "<mtr><mtd><mn>5</mn></mtd><mtd><mn>6</mn></mtd></mtr>" in point
    assert "<mtd><mrow><mo>−</mo><mn>1</mn></mrow></mtd>" in point  # x = (1, −1)
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    assert len(rows) == 1 + 1 + 2 + len(d.layers.backward)  # header, L, z and a, each step
    assert "<mo>≈</mo><mn>1.14122</mn>" in rows[1]  # L
    assert "<mn>0.268941</mn>" in section  # a = σ(−1)
    gradient = rows[-1]
    assert '<span class="answer">' in gradient and "<td>3×2</td>" in gradient
    assert gradient.count("<mtr>") == 3 and "<mn>0.105754</mn>" in gradient


def test_values_at_a_point_through_the_command_line_in_chinese():
    page = cli_page("--at", POINT, "--lang", "zh")
    parsed(page)
    assert "<h2>在该点处的值</h2>" in page
    assert re.search(r'<p class="point">在 <math.*</math> 处：</p>', page)
    assert "<th>量</th><th>值</th><th>形状</th>" in page


# ---- the graph's page --------------------------------------------------------------------------


def test_the_graph_page_has_its_heading_and_its_picture():
    g = api.graph(LAYER, shapes=SHAPES)
    svg = '<svg width="10pt" height="10pt"><g id="graph0"><title>g</title></g></svg>'
    page = layer_graph_html(g, Options(picture=svg))
    parsed(page)
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert h1.startswith("Computational graph of <math") and h1.endswith("(nodes hold arrays)")
    assert '<div class="diagram"><svg' in page
    assert page.index('<div class="diagram">') < page.index("<h2>")
    without = layer_graph_html(g, Options(lang="zh"))
    assert "<svg" not in without and "的计算图（节点存放数组）</h1>" in without


def test_the_graph_command_makes_the_page():
    result = runner.invoke(["graph", LAYER, *SHAPE_ARGS, "--format", "html", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    parsed(result.stdout)
    assert "的计算图" in result.stdout


# ---- the MathML converters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tex", "mathml"),
    [
        (r"\mathbf{W} \mathbf{x}", f"<mrow><mi>{BOLD_W}</mi><mi>{BOLD_X}</mi></mrow>"),
        (r"\mathbf{x}^\top", f'<msup><mi>{BOLD_X}</mi><mi mathvariant="normal">T</mi></msup>'),
        (
            r"x^{-\top}",
            '<msup><mi>x</mi><mrow><mo>−</mo><mi mathvariant="normal">T</mi></mrow></msup>',
        ),  # fmt: skip
        (r"a \odot b", "<mrow><mi>a</mi><mo>⊙</mo><mi>b</mi></mrow>"),
        (
            r"\left\lVert x \right\rVert^{2}",
            "<msup><mrow><mo>‖</mo><mi>x</mi><mo>‖</mo></mrow><mn>2</mn></msup>",
        ),  # fmt: skip
        (
            r"\operatorname{tr}\left(X\right)",
            "<mrow><mi>tr</mi><mrow><mo>(</mo><mi>X</mi><mo>)</mo></mrow></mrow>",
        ),  # fmt: skip
        (r"\mathbf{1}", f"<mn>{BOLD_ONE}</mn>"),
        (r"\mathbb{1}", "<mi>𝟙</mi>"),
        (
            r"\frac{\partial L}{\partial \mathbf{W}}",
            f"<mfrac><mrow><mi>∂</mi><mi>L</mi></mrow><mrow><mi>∂</mi><mi>{BOLD_W}</mi></mrow>"
            "</mfrac>",
        ),  # fmt: skip
        (
            r"\log\det\left(X\right)",
            '<mrow><mi>log</mi><mspace width="0.1667em"></mspace><mi>det</mi><mrow><mo>(</mo>'
            "<mi>X</mi><mo>)</mo></mrow></mrow>",
        ),  # fmt: skip
        (
            r"\textstyle\sum\left(x\right)",
            '<mrow><mo largeop="false" movablelimits="false">∑</mo><mrow><mo>(</mo><mi>x</mi>'
            "<mo>)</mo></mrow></mrow>",
        ),  # fmt: skip
        (r"\delta_{\mathbf{z}}", "<msub><mi>δ</mi><mi>𝐳</mi></msub>"),
        (r"\sqrt[3]{x}", "<mroot><mi>x</mi><mn>3</mn></mroot>"),
        (r"\text{a < b}", "<mtext>a &lt; b</mtext>"),
        (
            r"\sigma\left(\mathbf{z}\right)",
            "<mrow><mi>σ</mi><mrow><mo>(</mo><mi>𝐳</mi><mo>)</mo></mrow></mrow>",
        ),  # fmt: skip
    ],
)
def test_latex_mathml(tex, mathml):
    assert latex_mathml(tex) == mathml


EXPRESSIONS = [
    (LAYER, "W", SHAPES),
    ("sum(relu(W1*x + b1))", "W1", ["W1=3x2", "x=2", "b1=3"]),
    ("sum(log(1 + exp(W*x)))", "W", ["W=mxn", "x=n"]),
    ("mean(sqrt(x)) + sum(abs(x))", "x", ["x=n"]),
    ("logsumexp(W*x)", "x", ["W=mxn", "x=n"]),
    ("trace(inv(A)*B) + det(A)", "A", ["A=nxn", "B=nxn"]),
    ("sum(diag(A))", "A", ["A=nxn"]),
    ("dot(hadamard(x, y), x) + sum(x/(1 + x^T*x))", "x", ["x=n", "y=n"]),
    ("lambda*norm(w)^2 + sum(w)", "w", ["w=n"]),
    ("sum(erf(x)) + sum(hadamard(x, x))", "x", ["x=n"]),
    ("sum(tanh(W2*tanh(W1*x)))", "W1", ["W1=hxn", "W2=mxh", "x=n"]),
]


@pytest.mark.parametrize(("expr", "var", "shapes"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_every_form_converts_without_latex_left(expr, var, shapes):
    d = derivation(expr, var, shapes).layers
    nodes = [d.root, *(f.expr for f in d.forward), *(b.expr for b in d.backward)]
    nodes += [*(b.full for b in d.backward), *(t.expr for b in d.backward for t in b.terms)]
    for node in nodes:
        mathml = latex_mathml(A.latex(node))
        assert "\\" not in mathml and "{" not in mathml, (A.latex(node), mathml)
        for command in ("left", "right", "mathbf", "frac", "operatorname", "textstyle", "top"):
            assert f"<mi>{command}</mi>" not in mathml, (A.latex(node), mathml)
    for lang in ("en", "zh"):
        parsed(layers_html(derivation(expr, var, shapes), Options(lang=lang)))


def test_every_rule_formula_reads_as_mathematics():
    formulas = [f for rule in vjps.VJPS.values() for f in rule.formula]
    formulas += list(vjps.UNARY_FORMULAS.values()) + list(vjps.UNARY_JACOBIAN_FORMULAS.values())
    formulas += [f for local in vjps.JACOBIANS.values() for f in local.formula]
    for formula in formulas:
        for side in formula.split(": "):
            assert _formula_math(side, "en") is not None, formula
        assert "<math" in formula_html(formula), formula


def test_the_words_inside_a_formula_are_translated():
    formula = "y = a + b: ∂y/∂a = I (a scalar a: 𝟏)"
    assert "<mtext>（a 为标量时为 𝟏）</mtext>" in formula_html(formula, "zh")
    assert "<mtext> (a scalar a: 𝟏)</mtext>" in formula_html(formula, "en")
    assert formula_html("Y = AB: δ_A = δ Bᵀ", "zh").count("<math") == 2
    # a formula with a character the reader does not know is shown as text, never lost
    assert formula_html("y = a ⋈ b: δ_a = δ", "en") == "y = a ⋈ b: δ<sub>a</sub> = δ"
