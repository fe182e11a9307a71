"""Issue 26, musts 1 and 2: a student's working. (EXPR)' and d/dx (EXPR) inside an expression
are derivatives still to take (read in one place, parse/); a hint on partial work is for the
first derivative still to take; check EXPR VAR --steps FILE checks the working line by line."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
import sympy
from conftest import runner

from chainrule_cli import api
from chainrule_cli.errors import ParseError
from chainrule_cli.parse import read

x = sympy.Symbol("x", real=True)
SCHEMA = json.loads(
    resources.files("chainrule_cli.schemas").joinpath("check_steps.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
HINT_VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(resources.files("chainrule_cli.schemas").joinpath("hint.json").read_text())
)
D = sympy.Derivative


def steps(*args: str, stdin: str | None = None):
    return runner.invoke(["check", *args], input=stdin)


# ---- reading derivatives still to take -----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2x sin x + x^2 (sin x)'", x**2 * D(sympy.sin(x), x) + 2 * x * sympy.sin(x)),
        ("(x^2)' sin x", sympy.sin(x) * D(x**2, x)),
        ("sin(x)'", D(sympy.sin(x), x)),
        ("(x^3 + 1)''", D(x**3 + 1, (x, 2))),
        ("d/dx(x^2) sin x + x^2 d/dx(sin x)",
         sympy.sin(x) * D(x**2, x) + x**2 * D(sympy.sin(x), x)),
        ("2x + d/dx (x^2 + 1)^3", 2 * x + D((x**2 + 1) ** 3, x)),  # of the power, as meant
        ("\\frac{d}{dx}(x^2) + 1", D(x**2, x) + 1),
        ("d(x^2)/dx * 3", 3 * D(x**2, x)),
    ],
)  # fmt: skip
def test_derivatives_still_to_take_are_read_in_working(text, expected):
    reading = read(text, unworked=True, prime_variable=x)
    assert reading.expr == expected
    assert reading.kind == "expression"
    assert all(isinstance(d, sympy.Derivative) for d in reading.pending)


def test_pending_derivatives_are_in_the_order_typed():
    reading = read("(x^2)' sin x + x^2 (sin x)'", unworked=True, prime_variable=x)
    assert reading.pending == (D(x**2, x), D(sympy.sin(x), x))


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("(x+1)'", 6, "a prime (') goes after a function's name, as in f'(x)"),
        ("2'", 2, "a prime (') goes after a function's name, as in f'(x)"),
        ("x + d/dx x^2", 5, "a derivative operator such as d/dx goes at the start"),
    ],
)
def test_outside_working_they_are_refused_as_before(text, column, message):
    with pytest.raises(ParseError) as caught:
        read(text)
    assert caught.value.column == column and message in caught.value.message


def test_inside_an_expression_d_dx_takes_brackets():
    with pytest.raises(ParseError) as caught:
        read("x + d/dx x^2", unworked=True, prime_variable=x)
    assert "inside an expression, d/dx takes brackets" in caught.value.message


# ---- a hint on partial work ------------------------------------------------------------------


def test_hint_on_partial_work_is_for_the_first_derivative_still_to_take():
    result = runner.invoke(["hint", "2x sin x + x^2 (sin x)'", "-f", "text"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "Hint (level 1 of 3) for (sin(x))', the first derivative still to take in"
        " x^2·(sin(x))' + 2x·sin(x)"
    )
    assert "sin(x) is a function of x itself" in result.stdout
    assert "cos" not in result.stdout  # never the answer


def test_hint_on_partial_work_json_names_the_derivative():
    result = runner.invoke(["hint", "(x^2)' sin x + x^2 (sin x)'", "x", "--level", "2", "-f",
                            "json"])  # fmt: skip
    obj = json.loads(result.stdout)
    HINT_VALIDATOR.validate(obj)
    assert obj["rule"] == "power" and obj["where"] == "x**2"
    assert obj["pending"] == "Derivative(x**2, x)"
    assert obj["within"] == "x**2*Derivative(sin(x), x) + sin(x)*Derivative(x**2, x)"


def test_hint_without_a_variable_decides_it_from_the_working():
    h = api.hint("t^3 + (sin t)'")
    assert h.var == sympy.Symbol("t", real=True) and h.rule == "trig"


# ---- check --steps -----------------------------------------------------------------------------

GOOD = "dy/dx = (x^2)' sin x + x^2 (sin x)'\n= 2x sin x + x^2 cos x\n"
SIGN = "dy/dx = (x^2)' sin x + x^2 (sin x)'\n= 2x sin x - x^2 cos x\n= x(2 sin x - x cos x)\n"


def test_a_correct_working_follows_line_by_line():
    result = steps("x^2 sin x", "x", "--steps", "-", "-f", "json", stdin=GOOD)
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["correct"] is True and obj["first_wrong"] is None and obj["finished"] is True
    assert [(line["line"], line["verdict"], line["against"]) for line in obj["lines"]] == [
        (1, "follows", 0), (2, "follows", 1),
    ]  # fmt: skip


def test_the_first_wrong_line_is_named_with_its_mistake_and_the_rest_judged_against_it():
    result = steps("x^2 sin x", "x", "--steps", "-", "-f", "json", stdin=SIGN)
    assert result.exit_code == 1
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["correct"] is False and obj["first_wrong"] == 2
    first, second, third = obj["lines"]
    assert first["verdict"] == "follows" and first["mistake"] is None
    assert second["verdict"] == "wrong" and second["mistake"] == "sign"
    assert second["counterexample"] == {"at": {"x": "1"}, "line": "-cos(1) + 2*sin(1)",
                                        "against": "cos(1) + 2*sin(1)"}  # fmt: skip
    assert third["verdict"] == "follows" and third["after_wrong"] is True
    assert third["against"] == 2


def test_the_text_says_where_and_why():
    result = steps("x^2 sin x", "x", "--steps", "-", "-f", "text", stdin=SIGN)
    assert result.stdout.splitlines()[:6] == [
        "Your working for d/dx (x^2·sin(x)), line by line",
        "  ✓ line 1  dy/dx = (x^2)' sin x + x^2 (sin x)'",
        "            Equals the derivative.",
        "  ✗ line 2  = 2x sin x - x^2 cos x",
        "            Does not follow from line 1.",
        "            At x = 1, this line is −cos(1) + 2·sin(1) ≈ 1.14264 but line 1 is",
    ]
    assert "Likely mistake: a sign error." in result.stdout
    assert "Follows from your line 2, which is wrong" in result.stdout
    assert "Not correct: line 2 is the first wrong step." in result.stdout


def test_a_rule_misapplied_in_the_first_line_is_named():
    worked = api.check_steps("x^2 sin x", "x", ["f'(x) = (x^2)'(sin x)'", "= 2x cos x"])
    assert worked.first_wrong == 1 and worked.lines[0].mistake.kind == "product_of_derivatives"
    quotient = api.check_steps("sin(x)/x", "x", ["= (sin(x) (x)' - (sin x)' x)/x^2"])
    assert quotient.lines[0].mistake.kind == "quotient_rule_order"


def test_an_unfinished_working_is_not_correct_and_says_what_is_left():
    worked = api.check_steps("x^2 sin x", "x", ["= (x^2)' sin x + x^2 (sin x)'"])
    assert worked.first_wrong is None and not worked.correct and not worked.finished
    assert set(worked.left) == {D(x**2, x), D(sympy.sin(x), x)}
    assert "still to take" in worked.render("text")


def test_blank_and_comment_lines_are_left_out_and_numbers_kept():
    worked = api.check_steps("x^3", "x", "# my working\n\n= 3x^2\n")
    assert [line.number for line in worked.lines] == [3] and worked.correct


def test_a_line_that_cannot_be_read_names_its_line_and_column():
    result = steps("x^2 sin x", "x", "--steps", "-", stdin="= 2x sin x\n= 2x sin(x\n")
    assert result.exit_code == 2
    assert "error: line 2: column 9: '(' is never closed" in result.stderr
    assert "  = 2x sin(x\n          ^\n" in result.stderr
    as_json = steps("x^2 sin x", "x", "--steps", "-", "-f", "json", stdin="= (x\n")
    error = json.loads(as_json.stdout)["error"]
    assert error["line"] == 1 and error["column"] == 3


def test_steps_in_chinese():
    result = steps("x^2 sin x", "x", "--steps", "-", "--lang", "zh", "-f", "text", stdin=SIGN)
    assert "逐行检查你的解答" in result.stdout and "第 2 行是第一个错误的步骤" in result.stdout


def test_steps_usage_errors():
    assert steps("x^2", "x", "2x", "--steps", "-", stdin="= 2x\n").exit_code == 2
    bad = steps("x^2", "x", "--steps", "-", "-f", "latex", stdin="= 2x\n")
    assert bad.exit_code == 2 and "--steps has no latex format" in bad.stderr
    missing = steps("x^2", "x", "--steps", "/nonexistent/working.txt")
    assert missing.exit_code == 2 and "cannot read /nonexistent/working.txt" in missing.stderr


def test_steps_from_a_file(tmp_path):
    path = tmp_path / "working.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = steps("x^2 sin x", "x", "--steps", str(path), "-f", "markdown")
    assert result.exit_code == 0
    assert "| ✓ 2 | `= 2x sin x + x^2 cos x` | Follows from line 1. |" in result.stdout


# ---- what students hand in (found by a student's eye) ------------------------------------------


def _said(worked) -> str:
    return " ".join(worked.render("text").split())  # the text, unwrapped


def test_a_second_derivative_working_by_order_or_by_its_name():
    assert api.check_steps("x^3", "x", ["= 6x"], order=2).correct
    named = api.check_steps("x^3", "x", ["y'' = 6x"])
    assert named.correct and named.order == 2
    result = steps("x^3", "x", "--steps", "-", "--order", "2", stdin="= 6x\n")
    assert result.exit_code == 0 and result.stdout.startswith("Your working for d²/dx² (x^3)")


def test_a_line_restating_the_function_is_given_not_a_step():
    worked = api.check_steps("x^2 sin x", "x", ["f(x) = x^2 sin x", "f'(x) = 2x sin x + x^2 cos x"])
    assert [line.verdict for line in worked.lines] == ["given", "follows"] and worked.correct
    rewritten = api.check_steps(
        "(x^2+1)/(x-1)", "x", ["y = (x^2+1)(x-1)^-1", "y' = 2x/(x-1) - (x^2+1)/(x-1)^2"]
    )
    assert rewritten.correct  # fmt: skip
    wrong = api.check_steps("x^2", "x", ["y = 2x"])
    assert wrong.first_wrong == 1 and "This is not the function x^2" in _said(wrong)


def test_a_correction_is_acknowledged():
    worked = api.check_steps("(3x^2+1)^5", "x", ["y' = 5(3x^2+1)^4", "= 30x(3x^2+1)^4"])
    assert worked.first_wrong == 1 and worked.lines[1].right and worked.answer_correct
    assert not worked.correct
    said = _said(worked)
    assert "right again from here" in said and "though the last line is the derivative" in said


def test_another_variable_and_a_constant_are_named_not_refused():
    renamed = api.check_steps("x^3", "x", ["y' = 3t^2"])
    assert renamed.lines[0].verdict == "wrong"
    assert renamed.lines[0].mistake.kind == "wrong_variable"
    constant = api.check_steps("x^3", "x", ["y' = 3x^2 + C"])
    assert constant.lines[0].mistake.kind == "constant_of_integration"
    assert "C belongs to an antiderivative" in _said(constant)


def test_a_prime_after_an_exponent_is_refused_not_misread():
    result = steps("sqrt(x^2+1)", "x", "--steps", "-", stdin="y' = (x^2 + 1)^(1/2)'\n")
    assert result.exit_code == 2
    assert "a prime after an exponent is the exponent's own" in result.stderr
    hinted = runner.invoke(["hint", "(x^2 + 1)^(1/2)'"])
    assert hinted.exit_code == 2 and "write ((x^2 + 1)^(1/2))'" in hinted.stderr


def test_words_comments_and_a_full_stop_around_the_working_are_left_out():
    worked = api.check_steps("x^2 sin x", "x", [
        "Using the product rule:", "y' = (x^2)' sin x + x^2 (sin x)'  # product rule",
        "= 2x sin x + x^2 cos x.",
    ])  # fmt: skip
    assert [line.number for line in worked.lines] == [2, 3] and worked.correct


def test_d_dx_of_a_function_needs_no_more_brackets():
    worked = api.check_steps("sqrt(x^2+1)", "x", ["y' = d/dx sqrt(x^2+1)", "= x/sqrt(x^2+1)"])
    assert worked.correct


def test_the_quotient_rules_own_mistakes_are_named():
    denominator = api.check_steps("x/(x+1)", "x", ["y' = ((x)'(x+1) - x(x+1)')/(x+1)"])
    assert denominator.lines[0].mistake.kind == "quotient_rule_denominator"
    divided = api.check_steps("sin(x)/x^2", "x", ["y' = (sin x)'/(x^2)'"])
    assert divided.lines[0].mistake.kind == "quotient_of_derivatives"
