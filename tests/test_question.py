"""One place decides what a line means (chainrule_cli/parse/question.py): the Question each
command works on, and every guard held to every form of the same line — bare, after `y =`,
after `f(x) =`, after `d/dx`, with and without VAR, through the API, the command line and a
batch line: read the same, or refused the same."""

from __future__ import annotations

import json

import pytest
import sympy
from conftest import R, runner
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule_cli import api
from chainrule_cli.calculus.deep import run_deep
from chainrule_cli.errors import ChainruleError, ParseError
from chainrule_cli.parse.question import (
    ask_derivative,
    ask_gradient,
    ask_jacobian,
    is_glued,
    spell,
)

x, y, w, b, t = R("x"), R("y"), R("w"), R("b"), R("t")


def ask(text, **options):
    return run_deep(lambda: ask_derivative(text, **options))


# ---- the Question --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "kind", "var", "decided", "order", "value"),
    [
        ("x^2 + 1", {}, "expression", x, "only", 1, None),
        ("w x + b", {"var": "x"}, "expression", x, "typed", 1, None),
        ("7", {}, "expression", x, "default", 1, None),
        ("d/dx x^3", {}, "operator", x, "operator", 1, None),
        ("d^2/dt^2 sin t", {}, "operator", t, "operator", 2, None),
        ("d/dx x^3", {"var": "x", "order": 1}, "operator", x, "operator", 1, None),
        ("f(x) = w x + b", {}, "definition", x, "definition", 1, "f"),
        ("f(w, x) = w x + b", {"var": "w"}, "definition", w, "typed", 1, "f"),
        ("y = x^2", {}, "definition", x, "only", 1, "y"),
        ("y = x^2", {"order": 3}, "definition", x, "only", 3, "y"),
        ("x^2 + y^2 = 25", {}, "equation", x, "equation", 1, None),
        ("x^2 + y^2 = 25", {"var": "y", "dependent": "x"}, "equation", y, "typed", 1, None),
        ("x = y^3", {"var": "x"}, "equation", x, "typed", 1, None),
    ],
)
def test_the_question_says_what_was_read_and_how_the_variable_was_decided(
    text, options, kind, var, decided, order, value
):
    q = ask(text, **options)
    assert (q.kind, q.var, q.decided, q.order, q.value) == (kind, var, decided, order, value)
    assert q.text == text


def test_an_equation_question_has_its_sides_and_its_dependent_variable():
    q = ask("x^2 + y^2 = 25")
    assert q.equation == (x**2 + y**2, sympy.Integer(25))
    assert q.dependent == y
    assert q.expr == x**2 + y**2 - 25


def test_a_question_with_named_intermediates_is_in_the_original_variables_too():
    u = R("u")
    q = ask("sin(u)", var="x", lets=["u=x^2"])
    assert q.expr == sympy.sin(u)
    assert q.whole == sympy.sin(x**2)
    assert q.named == {u: x**2}


def test_an_absent_variable_is_a_note_of_the_question():
    assert ask("x^2", var="t").notes == ("absent",)
    assert ask("x^2", var="x").notes == ()


def test_gradient_and_jacobian_questions():
    q = run_deep(lambda: ask_gradient("x y + w"))
    assert (q.variables, q.decided) == ((w, x, y), "all")
    q = run_deep(lambda: ask_gradient("f(x, y) = x y + w"))
    assert (q.variables, q.decided) == ((x, y), "definition")
    q = run_deep(lambda: ask_jacobian("[x y, x + y]", wrt=["y", "x"]))
    assert (q.variables, q.outputs, q.kind) == ((y, x), (x * y, x + y), "list")


def test_the_question_is_immutable():
    q = ask("x^2")
    with pytest.raises((AttributeError, TypeError)):
        q.order = 2


# ---- glued names, in every form --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "message", "column"),
    [
        # a definition that declares x, without VAR: the guard the other forms ran was skipped
        ("f(x) = wx + b", {}, "'wx' is one name, so it is not a product with x; write w x or w*x",
         8),
        ("f(x) = x^2 + 2ax", {}, "'ax' is one name, so it is not a product with x; write a x", 15),
        # the only name of the line is glued: "with respect to kx" was never what was meant
        ("y=kx", {}, "'kx' is one name, so it is not a product; write k x or k*x", 3),
        ("at^2", {}, "'at' is one name, so it is not a product; write a t or a*t", 1),
        ("xy", {}, "'xy' is one name, so it is not a product; write x y or x*y", 1),
        ("f(t) = vt + at^2/2", {}, "'at' is one name, so it is not a product with t", 13),
        ("d/dt vt", {}, "'vt' is one name, so it is not a product with t", 6),
        # the fix a message suggests reads as meant: 2x sin x, not "x s i n"
        ("2xsin x", {"var": "x"}, "'xsin' is one name, so it is not a product with x; write x sin"
         " or x*sin", 2),
    ],
)  # fmt: skip
def test_glued_names_are_refused_with_the_fix_in_every_form(text, options, message, column):
    with pytest.raises(ParseError) as caught:
        ask(text, **options)
    assert caught.value.message.startswith(message)
    assert caught.value.column == column


def test_several_variables_with_a_glued_one_say_so():
    with pytest.raises(ParseError) as caught:
        ask("wx + b")
    assert caught.value.message == (
        "the expression has several variables (b, wx); say which one ('wx' is one name: for a"
        " product write w x or w*x)"
    )


def test_a_glued_variable_may_still_be_given_by_name():
    q = ask("rate^2", var="rate")
    assert (q.var, q.decided) == (R("rate"), "typed")
    q = run_deep(lambda: ask_gradient("wx + b", variables=["wx", "b"]))
    assert q.variables == (R("wx"), b)


@pytest.mark.parametrize("text", ["grad", "graph"])
def test_grad_and_graph_refuse_glued_variables_they_found(text):
    with pytest.raises(ParseError, match="'wx' is one name, so it is not a product"):
        run_deep(lambda: ask_gradient("wx + b", command=text))
    with pytest.raises(ParseError, match="'wx' is one name"):
        run_deep(lambda: ask_jacobian("[wx + b, b]"))


@pytest.mark.parametrize(
    "name",
    ["alpha", "theta", "sin", "pi", "x_1", "w0", "x", "Gamma", "lambda", "rate", "inputs"],
)
def test_greek_letters_constants_functions_indexed_names_and_words_are_not_glued(name):
    assert not is_glued(name)


@pytest.mark.parametrize("name", ["kx", "wx", "at", "xy", "abc", "xsinx", "xlnx", "texpt"])
def test_two_or_three_letters_and_letters_around_a_function_are_glued(name):
    assert is_glued(name)


def test_a_word_found_as_the_only_variable_is_a_variable():
    assert ask("rate^2").var == R("rate")
    with pytest.raises(ParseError, match="'xsinx' is one name"):
        ask("xsinx")


def test_symbols_made_in_python_are_what_they_are():
    kx = R("kx")
    assert ask(kx**2).var == kx
    assert run_deep(lambda: ask_gradient(kx * b)).variables == (b, kx)


@pytest.mark.parametrize(
    ("name", "spaced", "starred"),
    [
        ("wx", "w x", "w*x"),
        ("xlnx", "x ln x", "x*ln(x)"),
        ("sinx2", "sin(x) 2", "sin(x)*2"),
        ("xshx", "x sh x", "x*sh(x)"),
        ("xsin", "x sin", "x*sin"),
        ("xsinx", "x sin x", "x*sin(x)"),
        ("kx", "k x", "k*x"),
    ],
)
def test_spell_takes_a_glued_name_apart(name, spaced, starred):
    assert spell(name) == (spaced, starred)


@pytest.mark.parametrize("text", ["2xsin x", "x + xlnx", "wx + b", "3xcos x", "sinx2 + x"])
def test_every_fix_a_message_suggests_reads_as_meant(text):
    """The spellings a refusal suggests, put in place of the glued name, are read (and give a
    derivative) — no fix leads to another refusal or to another expression."""
    with pytest.raises(ParseError) as caught:
        ask(text, var="x")
    message = caught.value.message
    name = message.split("'")[1]
    for fix in spell(name):
        fixed = text.replace(name, fix, 1)
        q = ask(fixed, var="x")
        assert not any(is_glued(s.name) for s in q.expr.free_symbols), fixed


# ---- every form of one line: read the same, or refused the same -------------------------------

PIECES = ["x^2", "3x", "wx", "ax", "b", "sin x", "e^x", "2a x", "w x", "kx", "x^3/3", "ln x"]


def outcome(call) -> tuple:
    """('ok', the derivative) or ('refused', the message without its column)."""
    try:
        derivation = call()
    except ChainruleError as exc:
        return ("refused", exc.kind, exc.message)
    # the result as the JSON writes it: in the order the student typed the terms
    return ("ok", json.loads(derivation.render("json"))["result"])


def through_the_api(text: str, var: str | None) -> tuple:
    return outcome(lambda: api.differentiate(text, var))


def through_a_batch(lines: list[str], var: str | None) -> list[tuple]:
    args = ["diff", "-", *([var] if var else []), "--format", "json", "--jobs", "1"]
    result = runner.invoke(args, input="\n".join(lines) + "\n")
    found = []
    for line in result.stdout.splitlines():
        data = json.loads(line)
        if data["ok"]:
            found.append(("ok", data["result"]))
        else:
            found.append(("refused", data["error"]["kind"], data["error"]["message"]))
    return found


def body_from(pieces: list[str], signs: list[str]) -> str:
    text = pieces[0]
    for sign, piece in zip(signs, pieces[1:], strict=False):
        text += f" {sign} {piece}"
    return text


def forms_deciding_x(body: str) -> list[tuple[str, str | None]]:
    """Every way of writing 'differentiate body by x': each form with VAR x, and the forms
    that say x themselves (f(x) = …, d/dx …) without it."""
    forms = [body, f"y = {body}", f"f(x) = {body}", f"d/dx {body}", f"d/dx ({body})"]
    return [(form, "x") for form in forms] + [(form, None) for form in forms[2:]]


def assert_one_reading(body: str) -> None:
    ways = forms_deciding_x(body)
    seen = {(form, var): through_the_api(form, var) for form, var in ways}
    first = seen[ways[0]]
    for way, found in seen.items():
        assert found == first, (way, found, ways[0], first)
    # a batch line is read as the same line alone
    with_var = [form for form, var in ways if var == "x"]
    assert through_a_batch(with_var, "x") == [seen[(f, "x")] for f in with_var]
    # without VAR, the bare line and y = … are read alike (both may need the variable)
    bare, named = through_the_api(body, None), through_the_api(f"y = {body}", None)
    assert bare == named, (body, bare, named)
    assert through_a_batch([body, f"y = {body}"], None) == [bare, named]


@pytest.mark.parametrize(
    "body",
    [
        "wx + b",  # refused with the fix in every form (f(x) = wx + b gave 0, verified)
        "x^2 + 2ax",  # refused (f(x) = x^2 + 2ax gave 2x)
        "w x + b",
        "x^3/3 + sin x",
        "b",  # x absent: 0 with a note, in every form
        "kx",
        "e^x ln x",
    ],
)
def test_each_form_of_a_line_is_read_alike(body):
    assert_one_reading(body)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=3),
    st.lists(st.sampled_from(["+", "-"]), min_size=2, max_size=2),
)
def test_every_guard_holds_in_every_form(pieces, signs):
    assert_one_reading(body_from(pieces, signs))
