"""Renderers: exact text for the article's example, LaTeX that pdflatex compiles and KaTeX knows,
Markdown structure, JSON against the shipped schema, and display that grows linearly with depth."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import sympy

from chainrule_cli import differentiate
from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.stepper import _HYPERBOLIC, _INVERSE_HYPERBOLIC, _INVERSE_TRIG, _TRIG
from chainrule_cli.errors import ParseError
from chainrule_cli.parse import parse
from chainrule_cli.render import render
from chainrule_cli.render.formulas import FORMULAS, formula_key
from chainrule_cli.render.latex import wrap_document
from chainrule_cli.render.messages import CATALOG
from chainrule_cli.render.view import Outliner, outline

ARTICLE = "1/(1+exp(-(w*x+b)))"
CORPUS = Path(__file__).parent / "data" / "corpus.tsv"


def corpus(every: int = 1) -> list[tuple[str, str]]:
    """(expression, variable) pairs of the textbook corpus, every `every`-th one."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines()[1::every]:
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            rows.append((fields[1], fields[2]))
    return rows


def schema() -> dict:
    text = resources.files("chainrule_cli").joinpath("schemas/derivation.json").read_text()
    return json.loads(text)


# ---- every rule has what each renderer needs --------------------------------------------------


def test_the_outline_shows_every_step_class_plainly_or_by_its_own_method():
    # a step class with nothing particular to show needs no method (Outliner.plain)
    special = {name[1:] for name in vars(Outliner) if name.startswith("_") and name[1].isupper()}
    assert special <= {cls.__name__ for cls in S.STEP_CLASSES}
    assert {"ChainStep", "MultivariableChainStep", "RewriteStep", "RepeatStep"} <= special


def test_every_rule_has_a_formula_and_a_name_in_every_language():
    for cls in S.STEP_CLASSES:
        assert cls.__doc__, cls.__name__  # its docstring is the rule
        assert formula_key(cls.rule, None) in FORMULAS, cls.rule
        for lang, words in CATALOG.items():
            assert f"name.{cls.rule}" in words, (lang, cls.rule)
    tables = {"trig": _TRIG, "inverse_trig": _INVERSE_TRIG, "hyperbolic": _HYPERBOLIC}
    tables["inverse_hyperbolic"] = _INVERSE_HYPERBOLIC
    for rule, table in tables.items():
        for function in table:
            assert f"{rule}.{function}" in FORMULAS, (rule, function)


# ---- text -------------------------------------------------------------------------------------

ARTICLE_TEXT = """\
Differentiate y = 1/(1 + e^(−(w·x + b))) with respect to x

1. Chain rule   dy/dx = dy/du · du/dx
   let u = w·x + b
   y = 1/(1 + e^(−u))
  2. Rewrite   1/(1 + e^(−u)) = σ(u), σ' = σ·(1 − σ)
     y = σ(u)
    3. Special function   σ' = σ·(1 − σ)
       d/du (σ(u)) = σ(u)·(1 − σ(u))
     dy/du = y·(1 − y) = (1 − 1/(1 + e^(−u)))/(1 + e^(−u))
  4. Sum rule   (f + g)' = f' + g'
    5. Constant   c' = 0
       b is constant with respect to x, so the derivative of b is 0.
       d/dx (b) = 0
    6. Constant multiple   (c·f)' = c·f'
       w is constant with respect to x, so the factor w stays and we
       differentiate x.
       d/dx (w·x) = w
     du/dx = (w·x)' + b' = w + 0 = w
   dy/dx = dy/du · du/dx = w·y·(1 − y) =
   ((1 − 1/(1 + e^(−(w·x + b))))/(1 + e^(−(w·x + b))))·w

Result
  dy/dx = w·(1 − 1/(1 + e^(−(w·x + b))))/(1 + e^(−(w·x + b)))
    = w·e^(−(w·x + b))/(1 + e^(−(w·x + b)))^2   put over a common denominator
  In terms of y = 1/(1 + e^(−(w·x + b))), dy/dx = w·y·(1 − y)
✓ Every step verified against SymPy.
"""


def test_article_as_text_is_what_a_teacher_writes():
    assert differentiate(ARTICLE, "x").to_text() == ARTICLE_TEXT


PRODUCT_TEXT = """\
Differentiate y = x^2·sin(x) with respect to x

1. Product rule   (f·g)' = f'·g + f·g'
   with f = x^2, g = sin(x)
  2. Power rule   (xⁿ)' = n·xⁿ⁻¹
     d/dx (x^2) = 2·x^(2 − 1) = 2x
  3. Trigonometric function   sin' = cos
     d/dx (sin(x)) = cos(x)
   dy/dx = (x^2)'·sin(x) + x^2·(sin(x))' = 2x·sin(x) + x^2·cos(x)

Result
  dy/dx = 2x·sin(x) + x^2·cos(x)
    = x·(x·cos(x) + 2·sin(x))   collect common factors
✓ Every step verified against SymPy.
"""

QUOTIENT_TEXT = """\
Differentiate y = (x^2 + 1)/(x − 1) with respect to x

1. Quotient rule   (f/g)' = (f'·g − f·g')/g²
   with f = x^2 + 1, g = x − 1
  2. Sum rule   (f + g)' = f' + g'
    3. Power rule   (xⁿ)' = n·xⁿ⁻¹
       d/dx (x^2) = 2·x^(2 − 1) = 2x
     d/dx (x^2 + 1) = (x^2)' + 1' = 2x + 0 = 2x
  4. Sum rule   (f + g)' = f' + g'
     d/dx (x − 1) = x' + (−1)' = 1 + 0 = 1
   dy/dx = ((x^2 + 1)'·(x − 1) − (x^2 + 1)·(x − 1)')/(x − 1)^2 =
   (2x·(x − 1) − (x^2 + 1))/(x − 1)^2 = (x^2 − 2x − 1)/(x − 1)^2
   expand the numerator

Result
  dy/dx = (x^2 − 2x − 1)/(x − 1)^2
✓ Every step verified against SymPy.
"""


def test_product_and_quotient_as_a_teacher_writes_them():
    """Each rule on this expression: its parts named, the formula with them, the middle form
    with the parts' derivatives put in, then the textbook's answer."""
    assert differentiate("x^2 sin x", "x").to_text() == PRODUCT_TEXT
    assert differentiate("(x^2+1)/(x-1)", "x").to_text() == QUOTIENT_TEXT


def test_text_has_no_control_codes_and_fits_80_columns():
    for expr, var in corpus(every=10):
        text = differentiate(expr, var).to_text()
        assert text.startswith("Differentiate ")
        assert "\x1b" not in text
        assert all(len(line) <= 80 for line in text.splitlines()), expr


def test_chinese_text():
    text = differentiate(ARTICLE, "x").to_text(lang="zh")
    assert "1. 链式法则" in text
    assert "设 u = w·x + b" in text
    assert "✓ 每一步都已用 SymPy 验证。" in text


def test_value_at_a_point_is_exact_and_decimal():
    d = differentiate(ARTICLE, "x")
    at = d.value_at(["x=0,w=1,b=0"])
    assert at["exact"] == sympy.Rational(1, 4)
    assert at["decimal"] == 0.25
    assert "Value at x = 0, w = 1, b = 0: 1/4 ≈ 0.25" in d.to_text(at=at)
    undefined = differentiate("1/x").value_at({"x": 0})
    assert undefined["decimal"] is None
    assert "Value at x = 0: undefined" in differentiate("1/x").to_text(at=undefined)
    with pytest.raises(ParseError, match="--at needs a value for y too"):
        differentiate("x^2 y", "x").value_at(["x=1"])


def test_higher_order_is_shown_order_by_order():
    text = differentiate("x^3", "x", order=2).to_text()
    assert "Differentiate y = x^3 with respect to x, 2 times" in text
    assert "d²y/dx² = 6x" in text
    assert "d/dx y' = 3·(x^2)' = 3·2x = 6x" in text


def test_repeat_points_back_to_the_step_that_worked_it_out():
    for expr, order in [("sin(x^2) + cos(x^2) + x^2", 1), ("x^x", 2), ("x^3 e^x", 3)]:
        d = differentiate(expr, "x", order=order)
        view = outline(d)
        repeats = [v for v in view.steps if v.step.rule == "repeat"]
        assert repeats, expr
        for v in repeats:
            original = view.steps[v.see - 1]
            assert original.number < v.number
            assert original.step.rule not in ("repeat", "higher_order"), expr
            assert (original.step.expr, original.step.result) == (v.step.expr, v.step.result)
            assert f"{v.number}. Repeat   see step {v.see}" in d.to_text()
        as_json = d.to_json()
        ids = {}
        stack = [as_json["steps"]]
        while stack:
            node = stack.pop()
            ids[node["id"]] = node
            stack.extend(node["substeps"])
        for node in ids.values():
            if node["rule"] == "repeat":
                assert ids[node["see"]]["result"] == node["result"]
                assert ids[node["see"]]["rule"] != "higher_order"


def test_value_where_no_derivative_exists_is_undefined():
    for expr, point in [("|x|", "x=0"), ("max(x, x^2)", "x=1"), ("relu(x)", "x=0")]:
        d = differentiate(expr, "x")
        at = d.value_at([point])
        assert at["exact"] is sympy.nan and at["decimal"] is None, expr
        assert "undefined (no derivative there)" in d.to_text(at=at)
    assert differentiate("|x|").value_at(["x=-2"])["exact"] == -1


def test_unknown_functions_have_no_y_form_and_names_do_not_clash():
    assert differentiate("f(g(x))", "x").in_terms_of is None
    assert differentiate("h(x)", "x").in_terms_of is None
    text = differentiate("x^2", "y").to_text()
    assert text.startswith("Differentiate Y = x^2 with respect to y")
    greek = differentiate("α sin(x)", "α")
    assert greek.result == sympy.sin(sympy.Symbol("x", real=True))


def test_plain_text_wraps_between_terms_not_inside_them():
    text = differentiate(ARTICLE, "x").to_text()
    assert "   dy/dx = dy/du · du/dx = w·y·(1 − y) =\n" in text
    assert "   ((1 − 1/(1 + e^(−(w·x + b))))/(1 + e^(−(w·x + b))))·w\n" in text


# ---- LaTeX --------------------------------------------------------------------------------------

# Every macro the LaTeX output may use: all of them exist in amsmath, KaTeX and MathJax.
KATEX_MACROS = set(
    "frac left right cdot quad qquad text boxed sqrt begin end ln log exp sin cos tan cot sec csc "
    "sinh cosh tanh coth operatorname arcsin arccos arctan sigma pi delta theta alpha beta "
    "gamma Gamma mu nu lambda phi psi omega epsilon rho tau xi zeta eta kappa chi Phi Psi "
    "Omega Delta Lambda Sigma Theta Xi Pi max min approx infty sum partial Rightarrow neq "
    "for otherwise cases mathrm mathbf cdots ldots phantom tag".split()
)


def test_latex_uses_only_macros_katex_has():
    for expr, var in [(ARTICLE, "x"), *corpus(every=3)]:
        d = differentiate(expr, var)
        tex = d.to_latex()
        macros = set(re.findall(r"\\([A-Za-z]+)", tex))
        assert macros <= KATEX_MACROS, (expr, macros - KATEX_MACROS)
        assert tex.count(r"\left") == tex.count(r"\right"), expr
        assert tex.count("{") == tex.count("}"), expr


def test_article_latex_names_the_intermediate_and_boxes_the_result():
    tex = differentiate(ARTICLE, "x").to_latex()
    assert r"&\text{Let}\ u = w x + b,\quad y = \frac{1}{1 + e^{- u}}" in tex
    assert r"\frac{dy}{du} = y \left(1 - y\right) = " in tex
    assert r"\frac{du}{dx} = \left(w x\right)' + b' \tag*{$\text{Sum rule}$} \\" in tex
    assert (
        r"\phantom{\frac{du}{dx}} = w + 0 = w \tag*{$\text{the parts' derivatives put in}$}" in tex
    )
    assert (
        r"&\frac{dy}{dx} = \frac{dy}{du} \cdot \frac{du}{dx} = w y \left(1 - y\right)"
        r" \tag*{$\text{Chain rule}$}"
    ) in tex
    assert (
        r"= \boxed{\frac{w e^{-\left(w x + b\right)}}{\left(1 + e^{-\left(w x + b\right)}\right)"
        r"^{2}}} \tag*{$\text{put over a common denominator}$}"
    ) in tex
    assert r"\text{1. Chain rule:}" in tex


def pdflatex_or_fail(program: str = "pdflatex") -> str:
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is missing in CI: .ci/run must install texlive-latex-base")
        pytest.skip(f"{program} is not installed here")
    return found


def compile_latex(tmp_path: Path, source: str, program: str = "pdflatex") -> Path:
    tex = tmp_path / "doc.tex"
    tex.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [program, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    pdf = tmp_path / "doc.pdf"
    assert pdf.stat().st_size > 1000
    return pdf


def test_article_standalone_compiles_with_pdflatex(tmp_path):
    program = pdflatex_or_fail()
    d = differentiate(ARTICLE, "x")
    compile_latex(tmp_path, d.to_latex(standalone=True, at=d.value_at(["x=0,w=1,b=0"])), program)


def test_corpus_problems_compile_with_pdflatex(tmp_path):
    program = pdflatex_or_fail()
    from chainrule_cli.render.latex import render_section

    sections = []
    problems = corpus(every=12)
    assert len(problems) >= 10
    for expr, var in problems:
        sections.append(render_section(differentiate(expr, var)))
    sections.append(render_section(differentiate("x^3 e^x", "x", order=3)))
    sections.append(render_section(differentiate("sin(" * 80 + "x" + ")" * 80, "x")))
    compile_latex(tmp_path, wrap_document(sections), program)


def test_chinese_document_compiles_with_xelatex_where_installed(tmp_path):
    program = shutil.which("xelatex")
    if program is None or shutil.which("kpsewhich") is None:
        pytest.skip("xelatex is not installed")
    ctex = subprocess.run(["kpsewhich", "ctex.sty"], capture_output=True, text=True)
    if not ctex.stdout.strip():
        pytest.skip("ctex is not installed")
    tex = differentiate(ARTICLE, "x").to_latex(standalone=True, lang="zh")
    assert r"\usepackage{ctex}" in tex
    compile_latex(tmp_path, tex, program)


# ---- Markdown -----------------------------------------------------------------------------------


def test_markdown_has_headings_a_list_item_per_step_and_display_math():
    d = differentiate(ARTICLE, "x")
    md = d.to_markdown()
    lines = md.splitlines()
    assert lines[0] == (
        r"### Differentiate $y = \frac{1}{1 + e^{-\left(w x + b\right)}}$ with respect to $x$"
    )
    assert "#### Steps" in lines and "#### Result" in lines
    items = [line for line in lines if line.lstrip().startswith("- **")]
    assert len(items) == len(d.steps) - 1  # d/dx (x) = 1 folded into w·x's line
    assert items[0].startswith(r"- **1. Chain rule** $\frac{dy}{dx} = ")
    assert items[1].startswith("  - **2. Rewrite**")
    assert any(line.startswith("$$") and line.endswith("$$") for line in lines)
    assert md == d._repr_markdown_()


# ---- JSON ---------------------------------------------------------------------------------------


def test_json_is_the_contract_and_valid_against_the_shipped_schema():
    validator = jsonschema.Draft202012Validator(schema())
    d = differentiate(ARTICLE, "x")
    obj = json.loads(render(d, "json", text=ARTICLE))
    validator.validate(obj)
    assert obj["schema"] == "chainrule.derivation/1"
    assert obj["input"] == ARTICLE
    assert obj["expr"] == "1/(1 + exp(-(w*x + b)))"  # as typed, in SymPy's syntax
    assert obj["in_terms_of"] == {
        "name": "y",
        "result": "w*y*(1 - y)",
        "latex": r"w y \left(1 - y\right)",
    }
    root = obj["steps"]
    assert root["rule"] == "chain"
    assert root["let"] == {"u": "w*x + b"}
    assert root["text"] == "Chain rule: let u = w*x + b; then dy/dx = dy/du · du/dx."
    assert [s["rule"] for s in root["substeps"]] == ["rewrite", "sum"]
    assert root["substeps"][1]["result"] == "w"
    assert obj["verified"] is True


def test_json_over_the_corpus_validates_and_parses_back():
    validator = jsonschema.Draft202012Validator(schema())
    for expr, var in corpus(every=4):
        d = differentiate(expr, var)
        obj = json.loads(render(d, "json", text=expr))
        validator.validate(obj)
        assert same(parse(obj["result"]), d.result), expr
        stack = [(obj["steps"], d.root)]
        while stack:
            node, step = stack.pop()
            assert node["rule"] == step.rule
            assert same(parse(node["expr"]), step.expr), (expr, node["expr"])
            assert same(parse(node["result"]), step.result), (expr, node["result"])
            stack.extend(zip(node["substeps"], step.substeps, strict=True))


def same(a, b) -> bool:
    """Equal, allowing SymPy to distribute a number over a sum when it reads 2*(a + b) back."""
    return a == b or sympy.expand(a - b) == 0


def test_json_at_a_point_and_higher_order():
    validator = jsonschema.Draft202012Validator(schema())
    d = differentiate("tanh(2x)", "x", order=2)
    obj = json.loads(render(d, "json", text="tanh(2x)", at=d.value_at(["x=0"])))
    validator.validate(obj)
    assert obj["order"] == 2
    assert obj["steps"]["rule"] == "higher_order"
    assert obj["at"] == {"x": "0"}
    assert obj["value"] == {"exact": "0", "decimal": 0.0}


# ---- depth --------------------------------------------------------------------------------------


def nested_sin(depth: int) -> str:
    return "sin(" * depth + "x" + ")" * depth


def test_display_grows_linearly_with_depth_and_json_at_most_quadratically():
    sizes = {}
    for depth in (60, 120, 240):
        d = differentiate(nested_sin(depth), "x")
        sizes[depth] = (len(d.to_text()), len(d.to_latex()), len(json.dumps(d.to_json())))
    for small, big in ((60, 120), (120, 240)):
        text_ratio = sizes[big][0] / sizes[small][0]
        latex_ratio = sizes[big][1] / sizes[small][1]
        json_ratio = sizes[big][2] / sizes[small][2]
        assert text_ratio < 2.3, sizes
        assert latex_ratio < 2.3, sizes
        assert json_ratio < 4.6, sizes


@pytest.mark.slow
def test_a_thousand_deep_composition_renders(tmp_path):
    d = differentiate(nested_sin(1000), "x")
    text = d.to_text()
    assert text.count("Chain rule") == 999
    assert "(written with the intermediates of the steps)" in text
    assert len(text) < 400_000
    tex = d.to_latex(standalone=True)
    assert tex.count(r"\text{Let}") == 999
    compile_latex(tmp_path, tex, pdflatex_or_fail())


@pytest.mark.slow
def test_a_deep_jsons_named_results_are_flat_products_in_the_order_of_the_steps():
    # each step's result through the names: cos(u)·cos(v)·…, not cos(u)·(cos(v)·(…)) (the
    # nested products the printers kept, 4 GB for 1,000 levels) and not sorted (u_1, u_10, …)
    obj = differentiate(nested_sin(300), "x").to_json()
    top = obj["steps"]
    assert top["named"] is True
    assert top["result"].startswith("cos(u)*cos(v)*cos(w)*cos(p)*cos(q)*")
    assert "(" not in top["result"].replace("cos(", "").replace(")*", "")
    assert top["latex"]["result"].startswith(r"\cos{\left(u \right)} \cos{\left(v \right)} ")
    # the answer itself is spelled out, one flat product of 300 cosines
    assert obj["result"].startswith("cos(sin(") and obj["result"].count("cos(") == 300
    assert ")*(" not in obj["result"]
    answer = parse(obj["result"], max_length=10**6)
    assert answer.is_Mul and len(answer.args) == 300


def test_a_deep_mix_of_functions_in_latex_and_json():
    # SymPy's LaTeX printer asked equals() of e^(−σ(…)) exponents: this never finished
    mix = "x"
    for template in ["sin({})", "exp({})", "sigmoid({})", "log(1 + ({})^2)", "atan({})"] * 5:
        mix = template.format(mix)
    d = differentiate(mix, "x", timeout=120)
    assert d.verified
    tex = d.to_latex()
    assert tex.startswith(r"\begin{align*}") and r"\sigma\left(" in tex
    assert json.loads(json.dumps(d.to_json()))["ok"] is True


def test_printing_in_threads_leaves_sympys_fraction_as_it_was():
    # the LaTeX printer's cheaper fraction() is set in sympy.simplify while a product prints;
    # threads that print at once (a batch line that timed out) must not leave it there
    import importlib
    import sys
    import threading

    from chainrule_cli.render.printing import TextbookLatexPrinter

    x = sympy.Symbol("x")
    original = importlib.import_module("sympy.simplify").fraction

    def work():
        for k in range(100):
            TextbookLatexPrinter().doprint(x**2 * sympy.exp(-x) / (x + k))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert importlib.import_module("sympy.simplify").fraction is original
    assert TextbookLatexPrinter().doprint(x * sympy.exp(-x) / (x + 1)) == r"\frac{x e^{- x}}{x + 1}"


# ---- the Python API renders itself ----------------------------------------------------------


def test_derivation_speaks_the_rich_and_jupyter_protocols():
    from rich.console import Console

    d = differentiate(ARTICLE, "x")
    console = Console(record=True, width=100, color_system=None)
    console.print(d)
    shown = console.export_text()
    assert "1. Chain rule   dy/dx = dy/du · du/dx" in shown
    assert "let u = w·x + b" in shown
    assert "✓ Every step verified against SymPy." in shown
    assert d._repr_latex_() == d.to_latex()
    assert d._repr_latex_().startswith("\\begin{align*}")
    assert d.to_json()["in_terms_of"]["result"] == "w*y*(1 - y)"


def test_json_carries_each_steps_form_through_the_value_as_the_text_shows_it():
    # dy/du = y·(1 − y) and dy/dx = w·y·(1 − y): worked out once (calculus/values.py) for
    # every format, no longer by the outline alone
    from chainrule_cli.api import differentiate

    d = differentiate("1/(1+exp(-(w*x+b)))", "x")
    obj = d.to_json()
    jsonschema.Draft202012Validator(schema()).validate(obj)
    chain, rewrite = obj["steps"], obj["steps"]["substeps"][0]
    assert chain["in_terms_of"] == {
        "name": "y", "result": "w*y*(1 - y)", "latex": r"w y \left(1 - y\right)"
    }  # fmt: skip
    assert rewrite["in_terms_of"]["result"] == "y*(1 - y)"
    assert "dy/dx = dy/du · du/dx = w·y·(1 − y)" in d.to_text()
    assert "in_terms_of" not in obj["steps"]["substeps"][1]  # du/dx = w: no y in it


@pytest.mark.parametrize("inner", ["cos", "sin", "tanh"])
def test_a_tall_chains_named_result_is_one_evaluated_product(inner):
    # found in review: the named answer of a chain 52 deep was printed with every −1 factor of
    # its nested product (−1·sin(u)·(−1)·sin(v)·…): its factors are multiplied, evaluated, once
    from chainrule_cli.api import differentiate

    d = differentiate(f"{inner}(" * 52 + "x" + ")" * 52, "x")
    text = d.to_text()
    result = text[text.index("Result") :]
    assert "−1·" not in result and "(−1)" not in result, result[:300]
    assert "- -1" not in d.to_latex() and "-1 \\cdot" not in d.to_latex()
