"""The page a teacher hands out: the chain rule worked, equation chains that neither repeat
nor re-sort, a long derivation at one level at a time, exact numbers, mathematics typeset as
mathematics, textbook names, top-down order, HTML that applies its functions, plots a class can
read (the issue "The page a teacher hands out")."""

from __future__ import annotations

import json
import re

import pytest
import sympy
from conftest import runner

from chainrule_cli import api, differentiate
from chainrule_cli.render.html import MathPrinter, math
from chainrule_cli.render.view import outline

x = sympy.Symbol("x", real=True)
LONG = "(x^2+1)^3 (x-2)^4 e^(sin x) / sqrt(x+5)"


def text(expr: str, *options: str) -> str:
    return runner.invoke(["diff", expr, *options, "--format", "text"]).stdout


def lines(expr: str, *options: str) -> list[str]:
    return [line.strip() for line in text(expr, *options).splitlines()]


# ---- the chain rule, worked as the other rules are ------------------------------------------


@pytest.mark.parametrize(
    ("expr", "line"),
    [
        ("(3x^2+1)^5", "dy/dx = dy/du · du/dx = 5u^4·6x = 5(3x^2 + 1)^4·6x = 30x·(3x^2 + 1)^4"),
        # a fraction before the · in brackets: (1/u)·(−sin(x)), never 1/u·… = 1/(u·…)
        ("sqrt(1-x^2)", "dy/dx = dy/du · du/dx = (1/(2·√u))·(−2x) = (1/(2·√(1 − x^2)))·(−2x) ="),
        (
            "arctan(x^2)",
            "dy/dx = dy/du · du/dx = (1/(u^2 + 1))·2x = (1/(x^4 + 1))·2x = 2x/(x^4 + 1)",
        ),
        ("ln(cos x)", "dy/dx = dy/du · du/dx = (1/u)·(−sin(x)) = (1/cos(x))·(−sin(x)) ="),
        ("sin x^2", "dy/dx = dy/du · du/dx = cos(u)·2x = cos(x^2)·2x = 2x·cos(x^2)"),
    ],
)
def test_the_chain_rule_writes_its_product_then_puts_u_back(expr, line):
    """dy/du · du/dx with both derivatives put in, then u put back, then the tidy form."""
    assert line in lines(expr)


def test_the_chain_rule_in_latex_html_json_and_markdown():
    d = differentiate("(3x^2+1)^5", "x")
    tex = d.to_latex()
    assert r"= 5 u^{4} \cdot 6 x \tag*{$\text{the parts' derivatives put in}$} \\" in tex
    assert (r"= 5 \left(3 x^{2} + 1\right)^{4} \cdot 6 x = \boxed{30 x \left(3 x^{2} + 1\right)"
            r"^{4}} \tag*{$\text{the intermediate put back}$}") in tex  # fmt: skip
    worked = json.loads(d.render("json"))["steps"]["worked"]
    assert [(w["expr"], w["why"]) for w in worked] == [
        ("(5*u**4)*(6*x)", "middle"),
        ("(5*(3*x**2 + 1)**4)*(6*x)", "put_back"),
    ]
    assert "5 u^{4} \\cdot 6 x" in d.to_markdown()
    page = d.render("html")
    assert page.count("<mo>&#xB7;</mo>") >= 2  # 5u⁴·6x and 5(3x² + 1)⁴·6x


def test_nested_chains_put_each_name_back_before_leaving_their_step():
    found = lines("sin(cos(x^2))")
    assert "du/dx = du/dv · dv/dx = −sin(v)·2x = −sin(x^2)·2x = −2x·sin(x^2)" in found
    assert "dy/dx = dy/du · du/dx = cos(u)·(−2x·sin(x^2)) = cos(cos(x^2))·(−2x·sin(x^2))" in found


def test_a_long_derivation_uses_no_name_from_inside_its_sub_steps():
    out = text(LONG, "x")
    last = out.split("\n   dy/dx = ", 1)[1].split("\n\n")[0]  # the quotient rule's own lines
    assert not re.search(r"\b[uvwp]\b", last), last
    assert "(x − 2)^4·(x^2 + 1)^3·e^(sin(x))" in last.replace("\n", " ").replace("  ", " ")


def test_long_lines_break_between_terms_never_inside_one():
    for line in text(LONG, "x").splitlines():
        stripped = line.strip()
        assert not stripped.startswith((")", "^", "·")), line
        assert not stripped.endswith(("(", "^")), line


# ---- top-down, and the trivial steps folded ---------------------------------------------------


def test_a_step_reads_top_down_rule_parts_sub_steps_then_the_combination():
    found = lines("x^2 sin x")
    assert found[2:5] == ["1. Product rule   (f·g)' = f'·g + f·g'", "with f = x^2, g = sin(x)",
                          "2. Power rule   (xⁿ)' = n·xⁿ⁻¹"]  # fmt: skip
    at = found.index("dy/dx = (x^2)'·sin(x) + x^2·(sin(x))' = 2x·sin(x) + x^2·cos(x)")
    assert found[at - 1] == "d/dx (sin(x)) = cos(x)"  # after the sub-steps that it combines


def test_trivial_steps_are_folded_unless_detail_full():
    assert "d/dx (1) = 0" not in lines("(3x^2+1)^5")
    assert "du/dx = (3x^2)' + 1' = 6x + 0 = 6x" in lines("(3x^2+1)^5")  # the 0 is still there
    full = lines("(3x^2+1)^5", "--detail", "full")
    assert "d/dx (1) = 0" in full and "4. Constant   c' = 0" in full
    assert len(outline(differentiate("x sin x", "x")).steps) == 2  # product, sin; not x' = 1
    assert "5. Variable   x' = 1" in lines("x sin x", "--detail", "full") or any(
        "Variable   x' = 1" in line for line in lines("x sin x", "--detail", "full")
    )


def test_implicit_y_squared_is_the_chain_rule_said_once():
    found = lines("x^2 + y^2 = 25", "x")
    at = found.index("d/dx (y^2) = 2y·y'")
    assert found[at - 1] == "4. Chain rule   (f(y))' = f'(y)·y'"
    assert not any(line.startswith("let u = y") for line in found)
    tex = differentiate("x^2 + y^2 = 25", "x").to_latex()
    assert r"(f(y))' = f'(y)\, y'" in tex


# ---- equation chains that neither repeat nor re-sort -----------------------------------------


def test_no_equation_chain_says_the_same_thing_twice():
    assert "dy/dx = −(x^2)' = −2x" in lines("-x^2")
    assert "dy/dx = x^x·(x'·ln(x) + x·x'/x) = x^x·(ln(x) + 1)" in lines("x^x")
    for expr in ["-x^2", "x^x", "3x^4", "x^2 sin x", "(3x^2+1)^5", "sqrt(x) + 1/x"]:
        for line in lines(expr):
            forms = [f.strip() for f in line.split(" = ")]
            assert all(a != b for a, b in zip(forms, forms[1:], strict=False)), (expr, line)


def test_sums_and_products_keep_the_typed_order_to_the_result():
    assert lines("sqrt(x) + 1/x")[-3:-1] == ["Result", "dy/dx = 1/(2·√x) − 1/x^2"]
    assert "dy/dx = 2x·sin(x) + x^2·cos(x)" in lines("x^2 sin x")[-4:]


def test_the_quotient_rule_middle_form_then_the_expanded_numerator():
    found = " ".join(lines("(x^2+1)/(x-1)"))
    # the reason on a line of its own when the row is full, never broken inside
    assert ("(2x·(x − 1) − (x^2 + 1))/(x − 1)^2 = (x^2 − 2x − 1)/(x − 1)^2 expand the "
            "numerator") in found  # fmt: skip
    assert "expand the numerator" in lines("(x^2+1)/(x-1)")
    assert "·1)" not in found and "−x^2 + 2x·(x − 1)" not in found
    tex = differentiate("(x^2+1)/(x-1)", "x").to_latex()
    assert r"\text{expand the numerator}" in tex


def test_a_three_factor_product_names_three_factors_in_its_formula():
    found = lines("x^2 sin(x) e^x")
    assert found[2] == "1. Product rule   (f·g·h)' = f'·g·h + f·g'·h + f·g·h'"
    assert found[3] == "with f = x^2, g = sin(x), h = e^x"


# ---- numbers -------------------------------------------------------------------------------------


def test_a_typed_decimal_is_exact_and_printed_as_typed():
    out = runner.invoke(["tangent", "y = sqrt(1-x^2)", "--at", "x=0.6", "-f", "text"]).stdout
    assert "Value at x = 0.6: −3/4 ≈ −0.75" in out
    assert "point: (0.6, 4/5)" in out
    assert "tangent: y − 4/5 = −3/4·(x − 0.6), y = −3x/4 + 5/4" in out
    assert "normal: y − 4/5 = 4/3·(x − 0.6), y = 4x/3" in out  # the intercept is exactly 0
    assert "0.600000" not in out and "e−16" not in out
    t = api.tangent("sqrt(1-x^2)", "x", ["x=0.6"])
    assert t.slope == sympy.Rational(-3, 4)
    graph = runner.invoke(["graph", "w*x+b", "--at", "w=2,x=-1.5,b=0.5", "-f", "text"]).stdout
    assert "0.500000" not in graph and "b     input         0.5" in graph


def test_tangent_lines_are_written_as_by_hand():
    out = runner.invoke(["tangent", "y = sin(x)", "--at", "x=pi/3", "-f", "text"]).stdout
    assert "y = x/2 − π/6 + √3/2" in out and "+ −" not in out
    out = runner.invoke(["tangent", "y = x^2", "--at", "x=1/2", "-f", "text"]).stdout
    assert "tangent: y − 1/4 = x − 1/2, y = x − 1/4" in out
    assert "normal: y − 1/4 = −(x − 1/2), y = −x + 3/4" in out


def test_a_computed_decimal_is_short():
    out = text("1/(1+exp(-x))", "--at", "x=-0.25")
    assert "Value at x = −0.25: e^(1/4)/(1 + e^(1/4))^2 ≈ 0.2461" in out


# ---- mathematics typeset as mathematics, textbook names ---------------------------------------


def test_logarithmic_differentiation_is_typeset_not_written_as_words():
    tex = differentiate("x^x", "x").to_latex()
    for words in re.findall(r"\\text\{([^}]*)\}", tex):
        assert "=" not in words and "ln y" not in words and "y'" not in words, words
    assert r"\ln{\left(y \right)} = x \ln{\left(x \right)}" in tex
    assert r"\text{ and } g = x" in tex
    out = text("x^x")
    assert "Taking ln of both sides gives ln(y) = x·ln(x)" in out
    zh = runner.invoke(["diff", "x^x", "--lang", "zh", "-f", "text"]).stdout
    assert "两边取对数得 ln(y) = x·ln(x)" in zh
    tex = differentiate("f(x^2)", "x", functions=["f"]).to_latex()
    assert r"\text{ is an unknown function: its derivative is written } f' \text{.}" in tex


def test_inverse_functions_have_their_textbook_names_in_every_format():
    found = lines("atan(x^2)")
    assert "y = arctan(u)" in found
    assert "2. Inverse trigonometric function   arctan'(x) = 1/(1 + x²)" in found
    assert "atan" not in text("atan(x) + asinh(x)")
    assert r"\arctan" in differentiate("atan(x)", "x").to_latex()
    assert json.loads(differentiate("atan(x)", "x").render("json"))["expr"] == "atan(x)"


# ---- HTML ------------------------------------------------------------------------------------


def test_mathml_applies_functions_and_writes_a_real_minus():
    markup = MathPrinter().text(2 * x * sympy.sin(x) + sympy.Function("f")(x))
    assert "<mi>sin</mi><mo>&#x2061;</mo><mrow><mo>(</mo>" in markup
    assert "<mi>f</mi><mo>&#x2061;</mo>" in markup
    # a product: a thin space before the function's name, or 2x sin(x) reads 2xsin(x)
    assert (
        '<mi>x</mi><mo>&InvisibleTimes;</mo><mspace width="0.1667em"></mspace><mrow><mi>sin'
        in markup
    )
    assert '<mo form="prefix">&#x2212;</mo>' in math("<mo>(</mo><mo>&#x2212;</mo><mn>2</mn>")
    assert "<mn>-" not in MathPrinter().text(sympy.Integer(-3) * x + sympy.Integer(-2))
    page = differentiate("x^2 sin x", "x").render("html")
    assert "&#x2061;" in page


def test_an_html_batch_numbers_its_problems():
    out = runner.invoke(["diff", "-", "--format", "html"], input="x^2\nsin(x)^2\n").stdout
    assert out.count('<h1><span class="num">') == 2
    assert '<h1><span class="num">2.</span> Differentiate' in out
    assert 'id="p2-step-1"' in out and 'id="step-1"' not in out  # anchors stay unique
    assert '<p class="typed"><code>sin(x)^2</code></p>' in out  # each as it was typed
    assert "<title>Differentiate y = x^2 with respect to x, and 1 more</title>" in out


# ---- names -------------------------------------------------------------------------------


def test_the_value_keeps_its_name_with_let():
    out = runner.invoke(["grad", "L = (y - t)^2", "w1", "--let", "y=w1*x", "-f", "text"]).stdout
    assert out.splitlines()[0].startswith("Gradient of L = ")
    assert "L = (y − t)^2" in out and "z = " not in out


def test_the_chinese_chain_step_of_f_says_df_dx():
    zh = runner.invoke(["diff", "f(x) = sin(x^2)", "--lang", "zh", "-f", "text"]).stdout
    assert "df/dx = df/du · du/dx = cos(u)·2x = cos(x^2)·2x = 2x·cos(x^2)" in zh
    assert "dy/dx =" not in zh.split("\n", 3)[3].replace("dy/dx = dy/du · du/dx\n", "")


def test_the_browser_dom_applies_functions(tmp_path):
    """Chromium's own DOM (not our markup) has U+2061 between sin and its argument, and the
    batch page's problems numbered."""
    import os
    import shutil
    import subprocess

    browser = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if
         shutil.which(n)), None,
    )  # fmt: skip
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    page = tmp_path / "page.html"
    result = runner.invoke(["diff", "-", "x", "--format", "html", "-o", str(page)],
                           input="x^2 sin x\nsin(cos(x^2))\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, timeout=120, check=False, text=True,
    ).stdout  # fmt: skip
    assert "<mi>sin</mi><mo>\u2061</mo>" in dom
    assert '<span class="num">2.</span>' in dom


def test_small_things_a_teacher_marks():
    # σ' = σ·(1 − σ) as its formula, not (1 − σ)·σ
    assert "d/du (σ(u)) = σ(u)·(1 − σ(u))" in lines("1/(1+exp(-(w*x+b)))", "x")
    # a root is shown to be a power: √x = x^(1/2)
    assert "dy/dx = 1/2·x^(1/2 − 1) = 1/(2·√x)" in lines("sqrt(x)")
    # y′ in MathML is the letter y with a prime, italic like y
    page = differentiate("x^2 + y^2 = 25", "x").render("html")
    assert "<msup><mi>y</mi><mo>" in page and "<mi>y&#x2032;</mi>" not in page
    # the prime of a sentence's y′ is mathematics too
    tex = differentiate("x^2 + y^2 = 25", "x").to_latex()
    assert r"\text{the chain rule, so a factor } y' \text{ appears" in tex.replace("\n", " ")
    # Chinese labels take a full-width colon
    zh = runner.invoke(["tangent", "y = x^2", "--at", "x=1", "--lang", "zh", "-f", "text"]).stdout
    assert "  斜率：2" in zh and "斜率:" not in zh


def test_what_the_review_found_stays_fixed():
    # a decimal that is an integer is that integer: |x| at 0.0 has no derivative
    assert "Value at x = 0: undefined (no derivative there)" in text("abs(x)", "--at", "x=0.0")
    assert "Value at x = 2: 5" in text("abs(x) + x^2", "--at", "x=2.0")
    # the minus chainrule prints itself is read back
    assert "Value at x = −0.5: −2" in text("abs(x) + x^2", "--at", "x=−0.5")
    # JSON stays exact: 3/5, not a float's 0.6
    value = json.loads(runner.invoke(["diff", "cos(x)", "--at", "x=0.6", "-f", "json"]).stdout)
    assert value["value"]["exact"] == "-sin(3/5)"
    # a variable's name is never taken for a function's (rate², not rate⁡ ²)
    page = runner.invoke(["diff", "rate^2 + 3 rate", "rate", "-f", "html"]).stdout
    assert "<msup><mi>rate</mi><mn>2</mn></msup>" in page
    # a repeat whose original was folded is folded too: no "see step" pointing nowhere
    assert not any("Repeat" in line for line in lines("y + sin(y) = x", "x"))
    # long decimals without e-notation
    assert "Value at x = 10: e^10 ≈ 22026" in text("e^x", "--at", "x=10")
    assert "≈ 6.144·10^−6" in text("e^x", "--at", "x=-12")


def test_a_hint_on_an_equation_is_no_answer_and_refuses_a_rule():
    out = runner.invoke(["hint", "x^2 + y^2 = 25", "x", "--level", "3", "-f", "json"])
    obj = json.loads(out.stdout)
    assert out.exit_code == 0 and obj["verified"] and "applied" not in obj
    assert "−x/y" not in obj["text"]
    refused = runner.invoke(["hint", "x^2 + y^2 = 25", "x", "--rule", "sum", "-f", "text"])
    assert refused.exit_code == 2
    assert "--rule is for an expression; an equation is differentiated implicitly" in (
        refused.stderr
    )


def test_cut_rows_never_split_a_cases_block(tmp_path):
    expr = (
        "Piecewise((x^2+3x+1+x^4+x^5+x^6, x<0),(sin(x)+x^3+x^7+cos(x)+tan(x), True))"
        " + x^5 sin(x) + e^x cos(x)"
    )
    from chainrule_cli.render.latex import cut_terms

    for row in differentiate(expr, "x").to_latex().splitlines():
        assert row.count(r"\begin{cases}") == row.count(r"\end{cases}"), row
    assert cut_terms(r"a + \begin{cases} b + c \end{cases} + d", 5) == [
        "a",
        r"+ \begin{cases} b + c \end{cases}",
        "+ d",
    ]
