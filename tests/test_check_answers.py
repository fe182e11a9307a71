"""`chainrule check` grades what students hand in (issue 23): chained answers f'(x) = A = B,
constants of integration, antiderivatives and derivatives of other orders, the question
restated, exact decimals, another variable, the quotient rule's sign, one branch of a curve,
textbook answer keys. Exact verdicts, mistake kinds, JSON against its schema, exit codes,
every format and the Chinese sentences."""

from __future__ import annotations

import json
import re

import pytest
from conftest import R, runner
from test_check import VALIDATOR
from test_render import compile_latex, pdflatex_or_fail

from chainrule_cli.api import check
from chainrule_cli.calculus.check import DEFINITE, KINDS, PRIORITY, WHOLE

x, y = R("x"), R("y")


def run(*args: str):
    return runner.invoke(["check", *args], env={"NO_COLOR": "1"})


def text_of(*args: str):
    """(exit code, the text output with its lines joined)."""
    result = run(*args, "-f", "text")
    return result.exit_code, " ".join(result.stdout.split())


def json_of(*args: str) -> tuple[int, dict]:
    result = run(*args, "-f", "json")
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    return result.exit_code, obj


def test_the_kinds():
    assert "quotient_rule_sign" in PRIORITY
    assert KINDS == PRIORITY + WHOLE + DEFINITE
    assert len(set(KINDS)) == len(KINDS)


# ---- chained answers ---------------------------------------------------------------------------


def test_a_chain_that_holds_is_correct():
    code, said = text_of("x^3", "x", "f'(x) = 3x·x = 3x^2")
    assert code == 0
    assert "Is dy/dx = 3x^2 = 3x^2 the derivative of y = x^3" in said  # each side as read
    assert "✓ Correct." in said and "Every '=' of the chain holds (2 of them)." in said
    code, obj = json_of("x^3", "x", "f'(x) = 3x·x = 3x^2")
    assert code == 0 and obj["verdict"] == "correct" and obj["correct"] is True
    assert [link["verdict"] for link in obj["links"]] == ["correct", "correct"]
    first, second = obj["links"]
    assert first["index"] == 1 and first["left"] == "f'(x)" and first["left_order"] == 1
    assert first["right"] == "3*x**2" and first["right_order"] is None
    assert second["left"] == "3*x**2" and second["right"] == "3*x**2"
    assert obj["answer"] == "3*x**2"  # the chain's first expression is the answer graded


def test_a_wrong_link_is_named_with_its_counterexample():
    code, said = text_of("x^3", "x", "f'(x) = 3x^2 = 3x")
    assert code == 1 and "✗ Incorrect." in said
    assert "The answer 3x^2 equals the derivative dy/dx = 3x^2, but every '=' of the chain" in said
    assert "The second '=' does not hold: at x = 2, 3x^2 is 12 but 3x is 6." in said
    code, obj = json_of("x^3", "x", "f'(x) = 3x^2 = 3x")
    assert code == 1 and obj["verdict"] == "incorrect" and obj["correct"] is False
    assert obj["counterexample"] is None and obj["likely_mistake"] is None  # the answer is right
    assert [link["verdict"] for link in obj["links"]] == ["correct", "incorrect"]
    assert obj["links"][1]["counterexample"] == {
        "at": {"x": "2"}, "left": "12", "right": "6", "left_decimal": 12.0, "right_decimal": 6.0,
    }  # fmt: skip


def test_a_chain_whose_first_link_is_wrong_is_incorrect():
    result = check("x^3", "x", "f'(x) = 3x = 3x")
    assert result.verdict == "incorrect"
    assert [link.comparison.verdict for link in result.links] == ["incorrect", "correct"]
    # without a name: the first form must be the derivative
    result = check("x^3", "x", "3x = 3x = 3x")
    assert result.verdict == "incorrect" and result.comparison.verdict == "incorrect"
    assert check("x^3", "x", "3x·x = 3x^2 = 3x^2").verdict == "correct"


def test_several_orders_at_once_each_against_its_own():
    code, said = text_of("f(x) = 5", "x", "f'(x) = f''(x) = 0")
    assert code == 0 and "Is df/dx = d²f/dx² = 0 the derivative of f(x) = 5" in said
    result = check("f(x) = x", "x", "f'(x) = f''(x) = 0")
    assert result.verdict == "incorrect"
    assert [link.comparison.verdict for link in result.links] == ["incorrect", "correct"]
    assert result.mistake is None  # the chain says 0 is f'': no mistake to guess
    code, said = text_of("f(x) = x", "x", "f'(x) = f''(x) = 0")
    assert code == 1
    assert "The first '=' does not hold: at x = 1, df/dx is 1 but d²f/dx² is 0." in said
    code, obj = json_of("f(x) = x", "x", "f'(x) = f''(x) = 0")
    assert obj["links"][0]["left_order"] == 1 and obj["links"][0]["right_order"] == 2
    assert obj["links"][0]["latex"]["right"] == r"\frac{d^{2}f}{dx^{2}}"


def test_a_link_that_cannot_be_decided_is_undecided():
    code, said = text_of("x", "x", "f'(x) = 1 = sqrt(-1-x^2)")
    assert code == 1 and "? Could not decide." in said
    assert "Whether the second '=' holds could not be decided." in said
    code, obj = json_of("x", "x", "f'(x) = 1 = sqrt(-1-x^2)")
    assert obj["verdict"] == "undecided" and obj["links"][1]["verdict"] == "undecided"


def test_chains_on_a_curve():
    result = check("x^2 + y^2 = 25", "x", "y' = -x/y = -x/sqrt(25-x^2)")
    assert result.verdict == "incorrect"
    assert [link.comparison.verdict for link in result.links] == ["correct", "incorrect"]
    assert check("x^2 + y^2 = 25", "x", "dy/dx = -2x/(2y) = -x/y").verdict == "correct"


@pytest.mark.parametrize(
    "answer, message",
    [
        ("f'(x) = g'(x) = 0", "the answer names the derivatives of f and g; name one function"),
        ("3x^2 = d/dx x^3 = 3x^2", "d/dx in a chain of '=' is a derivative still to take"),
        ("d/dx (x^2) = 2x", "the answer's d/dx (x^2) is the derivative of another expression"),
        ("f'(x) = f''(x) = f'''(x)", "names derivatives but gives no expression for them"),
        ("f'(x) = 3x^2 = ", "expected an expression here"),
        ("f'(x) = = 3x^2", "expected an expression before '='"),
        ("dy/dt = 3x^2 = 3x^2", "the answer is a derivative by t, but the variable is x"),
        ("f''(x) = 6x = 6x", "the answer names derivative 2, but derivative 1 is asked for"),
    ],
)
def test_chains_refused(answer, message):
    args = ["x^3", "x", answer] + (["--order", "1"] if "f''(x) = 6x" in answer else [])
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.parametrize(
    "expr, answer, verdict",
    [
        # the question on the left, as a worked solution starts: d/dx x^3 = 3x^2
        ("x^3", "d/dx x^3 = 3x^2", "correct"),
        ("x^3", "d/dx(x^3) = 3x·x = 3x^2", "correct"),
        ("x^3", "d/dx (x·x·x) = 3x^2", "correct"),
        ("x^3", "d/dx x^3 = 3x", "incorrect"),
        ("f(x) = x^3", "d/dx f(x) = 3x^2", "correct"),
        ("x^2 + y^2 = 25", "d/dx y = -x/y", "correct"),
        # two forms joined by one '=': a chain of two, every '=' checked
        ("x^3", "3x·x = 3x^2", "correct"),
        ("x^3", "3x^2 = 3x", "incorrect"),
        ("sin(x^2)", "cos(x^2)·2x = 2x cos(x^2)", "correct"),
    ],
)
def test_a_worked_answer_may_start_with_the_question_or_be_two_forms(expr, answer, verdict):
    assert check(expr, "x", answer).verdict == verdict


@pytest.mark.parametrize(
    "answer, message",
    [
        ("y = 3x^2", "the answer is a definition"),
        ("2x + 2y y' = 0", "the answer is an equation"),
    ],
)
def test_a_definition_or_an_equation_to_solve_is_no_worked_answer(answer, message):
    expr = "x^2 + y^2 = 25" if "y'" in answer else "x^3"
    result = run(expr, "x", answer)
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_a_chain_refused_reads_in_chinese():
    result = run("x^3", "x", "f'(x) = g'(x) = 0", "--lang", "zh")
    assert result.exit_code == 2 and "答案写了 f 和 g 的导数；请只写一个函数的导数" in result.stderr


# ---- constants of integration, antiderivatives, other orders -------------------------------------


def test_a_constant_of_integration_is_graded_incorrect_and_named():
    result = check("x^3", "x", "3x^2 + C")
    assert result.verdict == "incorrect" and result.correct is False
    assert result.comparison.verdict == "correct"  # without C it is the derivative
    assert result.mistake.kind == "constant_of_integration" and str(result.constant) == "C"
    code, said = text_of("x^3", "x", "3x^2 + C")
    assert code == 1
    assert (
        "Mistake: a derivative has no constant of integration: C belongs to an antiderivative."
        in said
    )
    assert "Without C, the answer equals the derivative dy/dx = 3x^2." in said
    code, obj = json_of("x^3", "x", "3x^2 + C")
    assert obj["constant"] == "C" and obj["likely_mistake"] == "constant_of_integration"
    assert obj["answer"] == "3*x**2 + C" and obj["verdict"] == "incorrect"
    for answer, name in (("cos(x) + c", "c"), ("cos(x) - 2K", "K"), ("cos(x) + C_1", "C_1")):
        assert str(check("sin(x)", "x", answer).constant) == name


def test_a_constant_with_another_mistake_names_both():
    code, said = text_of("x^3", "x", "3x^3 + C")
    assert code == 1
    assert "Mistake: a derivative has no constant of integration: C" in said
    assert "At x = 2 the answer is C + 24, but the derivative is 12." in said
    assert "Likely mistake: the power rule is misapplied." in said
    code, obj = json_of("x^3", "x", "3x^3 + C")
    assert obj["constant"] == "C" and obj["likely_mistake"] == "power_rule"
    assert obj["counterexample"]["answer"] == "C + 24"
    assert obj["counterexample"]["answer_decimal"] is None


@pytest.mark.parametrize("answer", ["x^4/4", "x^4/4 + C", "(1/4)x^4 - 7"])
def test_an_antiderivative_is_named(answer):
    result = check("x^3", "x", answer)
    assert result.verdict == "incorrect" and result.mistake.kind == "integrated"
    code, said = text_of("x^3", "x", answer)
    assert code == 1
    assert (
        "Likely mistake: you integrated instead: the answer is an antiderivative of x^3 (its"
        " derivative is x^3), not the derivative." in said
    )


@pytest.mark.parametrize(
    "expr, answer, order, asked, sentence",
    [
        ("x^3", "6x", 2, 1, "that is the second derivative, not the first."),
        ("x^3", "6", 3, 1, "that is the third derivative, not the first."),
        (
            "x^3",
            "x^3",
            0,
            1,
            "that is the function itself (its derivative of order 0), not its first derivative.",
        ),  # fmt: skip
        ("sin(x)", "sin(x)", 0, 1, "that is the function itself"),
        ("x^4", "4x^3", 1, 2, "that is the first derivative, not the second."),
    ],
)
def test_the_derivative_of_another_order_is_named(expr, answer, order, asked, sentence):
    result = check(expr, "x", answer, order=asked)
    assert result.verdict == "incorrect" and result.mistake.kind == "wrong_order"
    assert result.mistake.order == order
    code, said = text_of(expr, "x", answer, "--order", str(asked))
    assert code == 1 and f"Likely mistake: {sentence}" in said
    code, obj = json_of(expr, "x", answer, "--order", str(asked))
    assert obj["likely_mistake"] == "wrong_order" and obj["mistake"]["order"] == order


def test_no_whole_answer_mistake_where_it_cannot_be_told():
    # e^x is its own derivative and antiderivative: e^x + 1 is no "integrated", e^x is right
    assert check("exp(x)", "x", "exp(x)").verdict == "correct"
    assert check("exp(x)", "x", "exp(x) + 10^(-25)").mistake is None
    # a classic mistake comes first: e^(2x) for e^(2x) is the chain rule, not order 0
    assert check("exp(2x)", "x", "exp(2x)").mistake.kind == "exp_missing_inner"
    assert check("sin(x)", "x", "-cos(x)").mistake.kind == "sign"


# ---- the question restated ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr, answer",
    [
        ("x^3", "Derivative(x**3, x)"),
        ("x^3", "Subs(Derivative(u**3, u), u, x)"),
        ("x^3", "3x^2 + Derivative(x, x) - 1"),
        ("f(x) = x^3", "f'(x)"),  # f' of the function defined is the question
        ("x^2 + y^2 = 25", "y'"),  # y' in an implicit problem asks for y'
        ("x^2 + y^2 = 25", "dy/dx = y'"),
        ("x^3", "f'(x) = 3x^2 = Derivative(x**3, x)"),  # the chain's last form
    ],
)
def test_the_question_restated_is_never_correct(expr, answer):
    result = check(expr, "x", answer)
    assert result.verdict == "incorrect" and result.mistake.kind == "restated"
    code, said = text_of(expr, "x", answer)
    assert code == 1 and "Mistake: the answer restates the question:" in said
    assert "is the derivative still to take." in said


def test_the_question_restated_as_an_operator_is_refused():
    result = run("x^3", "x", "d/dx x^3")
    assert result.exit_code == 2 and "the answer is a derivative to take (d/dx …)" in result.stderr


def test_derivatives_of_unknown_functions_stay_allowed():
    assert check("f(g(x))", "x", "Subs(Derivative(f(u), u), u, g(x))*Derivative(g(x), x)")\
        .verdict == "correct"  # fmt: skip
    assert check("f(x)*x", "x", "f'(x)*x + f(x)").verdict == "correct"
    assert check("x^2 + y^2 = 25", "x", "y'' = (x y' - y)/y^2").verdict == "correct"
    # worked: d/dx written out in the middle of a chain, the value at its end
    assert check("x^3", "x", "f'(x) = Derivative(x**3, x) = 3x^2").verdict == "correct"


def test_the_question_restated_in_json():
    code, obj = json_of("x^3", "x", "Derivative(x**3, x)")
    assert code == 1 and obj["verdict"] == "incorrect" and obj["likely_mistake"] == "restated"
    assert obj["mistake"]["where"] == "Derivative(x**3, x)"


# ---- exact decimals, and no value printed alike on both sides of "but" -------------------------


@pytest.mark.parametrize(
    "expr, answer",
    [
        (r"x^\pi + x^{1.9}", r"\pi x^{\pi-1}+1.9x^{0.9}"),  # the answer key graded Incorrect
        ("x^{1.9}", "1.9x^{0.9}"),
        ("x^2/4", "0.5x"),
        ("0.25x^2", "x/2"),
        ("x^0.5", "0.5/sqrt(x)"),
        ("sin(0.1x)", "0.1cos(x/10)"),
    ],
)
def test_decimals_are_exact(expr, answer):
    result = check(expr, "x", answer)
    assert result.verdict == "correct" and result.comparison.method == "symbolic", result
    assert not result.answer.atoms(float) and not result.answer.has(R("x") * 1.9)


def test_decimals_read_as_rationals():
    import sympy

    result = check("x^{1.9}", "x", "1.9x^{0.9}")
    assert result.answer == sympy.Rational(19, 10) * x ** sympy.Rational(9, 10)
    assert check("x^2", "x", "0.5x").mistake.kind == "constant_factor"


def values_beside_but(said: str) -> tuple[str, str]:
    """The decimals printed before and after "but" in a counterexample."""
    before, after = said.split(" but ", 1)
    return re.findall(r"≈ ([−\d.e+]+)", before)[-1], re.findall(r"≈ ([−\d.e+]+)", after)[0]


@pytest.mark.parametrize(
    "expr, answer",
    [("exp(x)", "exp(x) + 10^(-25)"), ("sin(x)", "cos(x) + 10^(-12)"), ("e^x", "e^x*(1+10^(-40))")],
)
def test_no_message_prints_the_same_value_on_both_sides_of_but(expr, answer):
    code, said = text_of(expr, "x", answer)
    assert code == 1
    left, right = values_beside_but(said)
    assert left != right, said
    # and for a chain's '='
    code, said = text_of(expr, "x", f"f'(x) = {expr} = {answer}")
    if "does not hold" in said:
        left, right = values_beside_but(said.split("does not hold", 1)[1])
        assert left != right, said


def test_short_decimals_are_unchanged():
    code, said = text_of("sin(x^2)", "x", "cos(x^2)")
    assert "At x = 1 the answer is cos(1) ≈ 0.540302, but the derivative is 2·cos(1) ≈ 1.0806" in (
        said
    )


# ---- another variable -------------------------------------------------------------------------


def test_a_wrong_case_variable_is_graded_incorrect():
    result = check("x^3", "x", "3X^2")
    assert result.verdict == "incorrect" and result.mistake.kind == "wrong_variable"
    assert result.mistake.names == ((R("X"), x),)
    code, said = text_of("x^3", "x", "3X^2")
    assert code == 1
    assert (
        "Mistake: the answer writes X for x: the case of a letter matters, and X is another"
        " variable." in said
    )
    assert "Written in x, the answer equals the derivative dy/dx = 3x^2." in said
    code, obj = json_of("x^3", "x", "3X^2")
    assert obj["likely_mistake"] == "wrong_variable" and obj["mistake"]["names"] == {"X": "x"}


def test_another_variable_is_graded_incorrect():
    code, said = text_of("x^3", "x", "3t^2")
    assert code == 1 and "Mistake: the answer is written in t, but the variable is x." in said
    code, said = text_of("x^3", "x", "3t^3")
    assert code == 1 and "Even written in x, it is not the derivative." in said
    assert "At x = 2 the answer is 24, but the derivative is 12." in said
    assert check("x^2 y", "x", "2t y").mistake.names == ((R("t"), x),)
    assert check("x^2 + y^2 = 25", "x", "-X/Y").mistake.kind == "wrong_variable"


@pytest.mark.parametrize(
    "expr, answer, message",
    [
        ("x^3", "3x^2 + t", "the answer uses t, which the expression does not have"),
        ("x^2", "y", "the answer uses y, which the expression does not have"),
        ("x^3", "3 x^2 C", "the answer uses C, which the expression does not have"),
        ("x^3", "3xy", "the answer uses"),
    ],
)
def test_a_typo_that_is_no_variable_mixed_up_stays_refused(expr, answer, message):
    result = run(expr, "x", answer)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


# ---- the quotient rule's sign ------------------------------------------------------------------


def test_a_quotient_rule_sign_error_is_a_sign_error():
    result = check("x/(x+1)", "x", "((x+1) + x)/(x+1)^2")
    assert result.mistake.kind == "quotient_rule_sign"
    code, said = text_of("x/(x+1)", "x", "((x+1) + x)/(x+1)^2")
    assert "Likely mistake: a sign error in the quotient rule: + between the numerator's terms" in (
        said
    )
    assert "swapped" not in said
    # a true swap is still a swap
    assert check("x/(x+1)", "x", "-1/(x+1)^2").mistake.kind == "quotient_rule_order"
    assert check("sin(x)/x", "x", "(cos(x) x + sin(x))/x^2").mistake.kind == "quotient_rule_sign"


# ---- one branch of a curve ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, holds, fails",
    [("-x/sqrt(25-x^2)", "y > 0", "y < 0"), ("x/sqrt(25-x^2)", "y < 0", "y > 0")],
)
def test_an_implicit_answer_for_one_branch_says_where(answer, holds, fails):
    result = check("x^2 + y^2 = 25", "x", answer)
    assert result.verdict == "incorrect" and result.branches is not None
    assert result.branches.var == y
    code, said = text_of("x^2 + y^2 = 25", "x", answer)
    assert code == 1
    assert f"The answer holds where {holds} (one branch of the curve, as at x = 1, y =" in said
    assert f"but not where {fails}." in said
    code, obj = json_of("x^2 + y^2 = 25", "x", answer)
    branches = obj["branches"]
    assert branches["holds_where"] == holds and branches["fails_where"] == fails
    sign = 1 if holds == "y > 0" else -1
    assert float(branches["holds_at"]["y"]) * sign > 0 > float(branches["fails_at"]["y"]) * sign


def test_a_wrong_answer_on_both_branches_has_no_branch():
    assert check("x^2 + y^2 = 25", "x", "x/y").branches is None
    assert json_of("x^2 + y^2 = 25", "x", "x/y")[1]["branches"] is None


# ---- textbook answer keys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr, answer",
    [
        ("sqrt(x)", r"\frac1{2\sqrt{x}}"),
        (r"\sqrt{x}", r"y' = \frac{1}{2\sqrt{x}}"),
        ("x^3", r"\frac{dy}{dx} = 3x \cdot x = 3x^2"),
        ("f(x) = 5", "f'(x) = f''(x) = 0"),
        ("f(x) = x^2", "f'(x) = 2x = 2x^1"),
    ],
)
def test_answer_keys_read(expr, answer):
    assert check(expr, "x", answer).verdict == "correct", (expr, answer)


# ---- every format, and Chinese -----------------------------------------------------------------

CASES = [
    ("x^3", "x", "f'(x) = 3x^2 = 3x"),
    ("x^3", "x", "3x^2 + C"),
    ("x^3", "x", "3X^2"),
    ("x^3", "x", "Derivative(x**3, x)"),
    ("x^3", "x", "6x"),
    ("x^2 + y^2 = 25", "x", "-x/sqrt(25-x^2)"),
]


@pytest.mark.parametrize("args", CASES)
def test_every_format_shows_the_reason(args):
    said = {}
    for fmt in ("text", "latex", "markdown", "html", "json"):
        result = run(*args, "-f", fmt)
        assert result.exit_code == 1, (fmt, result.output)
        said[fmt] = result.stdout
    VALIDATOR.validate(json.loads(said["json"]))
    # the reason's words in each human format
    words = {
        "f'(x) = 3x^2 = 3x": "does not hold",
        "3x^2 + C": "constant of integration",
        "3X^2": "the case of a letter matters",
        "Derivative(x**3, x)": "restates the question",
        "6x": "second derivative",
        "-x/sqrt(25-x^2)": "one branch of the curve",
    }[args[2]]
    for fmt in ("text", "latex", "markdown", "html"):
        assert words in " ".join(said[fmt].split()), fmt
    from chainrule_cli.api import check as api_check

    result = api_check(*args)
    assert words in " ".join(result.render("terminal").split())
    assert result.to_json()["verdict"] == "incorrect"


def test_latex_of_the_new_reasons_compiles(tmp_path):
    program = pdflatex_or_fail()
    result = runner.invoke(
        ["check", "-", "-f", "latex", "--standalone"],
        input="".join("\t".join(args) + "\n" for args in CASES),
        env={"NO_COLOR": "1"},
    )
    assert result.exit_code == 1
    assert "does not hold" in result.stdout and "one branch" in result.stdout
    compile_latex(tmp_path, result.stdout, program)


CHINESE = [
    (("x/(x+1)", "x", "((x+1) + x)/(x+1)^2"), "商的法则符号错误：分子两项之间应为 −，而不是 +"),
    (("x^3", "x", "x^4/4"), "你求的是积分而不是导数：答案是 x^3 的一个原函数"),
    (("x^3", "x", "6x"), "可能的错误：这是 2 阶导数，不是 1 阶导数。"),
    (("x^3", "x", "x^3"), "这是函数本身（0 阶导数），不是它的 1 阶导数。"),
    (("x^3", "x", "3x^2 + C"), "错误：导数没有积分常数：C 属于原函数。"),
    (("x^3", "x", "3x^2 + C"), "去掉 C 后，答案等于导数 dy/dx = 3x^2。"),
    (("x^3", "x", "Derivative(x**3, x)"), "错误：答案只是重述了题目："),
    (("x^3", "x", "3t^2"), "错误：答案用的是 t，但变量是 x。"),
    (("x^3", "x", "3t^2"), "改用 x 书写后，答案等于导数 dy/dx = 3x^2。"),
    (("x^3", "x", "3t^3"), "即使改用 x 书写，它也不是导数。"),
    (("x^3", "x", "3X^2"), "答案把 x 写成了 X：字母区分大小写，X 是另一个变量。"),
    (("x^3", "x", "f'(x) = 3x·x = 3x^2"), "链中的每个“=”都成立（共 2 个）。"),
    (
        ("x^3", "x", "f'(x) = 3x^2 = 3x"),
        "答案 3x^2 等于导数 dy/dx = 3x^2，但链中的每个“=”都必须成立。",
    ),
    (("x^3", "x", "f'(x) = 3x^2 = 3x"), "第 2 个“=”不成立：在 x = 2 处，3x^2 为 12，而 3x 为 6。"),
    (("x", "x", "f'(x) = 1 = sqrt(-1-x^2)"), "无法判定第 2 个“=”是否成立。"),
    (("x^2 + y^2 = 25", "x", "-x/sqrt(25-x^2)"), "答案在 y > 0 处成立（曲线的一支，如 x = 1, y ="),
]


@pytest.mark.parametrize("args, sentence", CHINESE)
def test_chinese(args, sentence):
    result = run(*args, "-f", "text", "--lang", "zh")
    assert sentence in " ".join(result.stdout.split()).replace("。 ", "。"), result.stdout


def test_every_new_sentence_is_in_both_languages():
    from chainrule_cli.render.messages import CATALOG

    keys = [k for k in CATALOG["en"] if k.startswith("mistake.")]
    for kind in KINDS:
        assert f"mistake.{kind}" in keys, kind
    assert set(CATALOG["en"]) == set(CATALOG["zh"])


def test_json_mistake_text_in_chinese():
    code, obj = json_of("x^3", "x", "6x", "--lang", "zh")
    assert obj["mistake"]["text"] == "这是 2 阶导数，不是 1 阶导数。"
