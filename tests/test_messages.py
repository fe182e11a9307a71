"""Every rule has a sentence in every language; partial derivatives name their constants."""

from __future__ import annotations

import pytest

from chainrule_cli import differentiate
from chainrule_cli.calculus import steps as S
from chainrule_cli.render.messages import CATALOG, sentence


def test_every_rule_has_a_sentence_in_every_language():
    for lang, words in CATALOG.items():
        for cls in S.STEP_CLASSES:
            assert cls.rule in words, (lang, cls.rule)
        assert set(words) == set(CATALOG["en"]), lang


def test_constant_multiple_names_the_constants():
    d = differentiate("a*b*x^2", "x")
    assert sentence(d.root) == (
        "Constant multiple rule: a and b are constant with respect to x, so the factor a*b "
        "stays and we differentiate x**2."
    )
    assert sentence(d.root, "zh") == (
        "常数倍法则：a、b 对 x 而言是常数，保留因子 a*b，对 x**2 求导。"
    )


def test_partial_derivative_says_other_symbols_are_constant():
    d = differentiate("x^2*y + y^3", "y")
    texts = [sentence(s) for s in d.steps]
    assert (
        "x is constant with respect to y, so the factor x**2 stays and we differentiate y."
        in texts[1] + texts[2]
    )
    d2 = differentiate("w*x + b", "x")
    assert "b is constant with respect to x, so the derivative of b is 0." in [
        sentence(s) for s in d2.steps
    ]


def test_article_chain_sentence():
    d = differentiate("1/(1+exp(-(w*x+b)))", "x")
    assert sentence(d.root) == "Chain rule: let u = b + w*x; then dy/dx = dy/du · du/dx."
    assert sentence(d.root, "zh") == "链式法则：设 u = b + w*x，则 dy/dx = dy/du · du/dx。"
    assert sentence(d.root.substeps[0]) == (
        "Recognise the sigmoid: 1/(1 + exp(-u)) = σ(u), and σ' = σ·(1 − σ)."
    )


@pytest.mark.parametrize(
    "text",
    [
        "x^x",
        "sin(x)/x",
        "x*sin(x)",
        "|x|",
        "max(x, x^2)",
        "f(x)",
        "erf(x)",
        "2^x",
        "ln(x)",
        "asin(x)",
        "tanh(x)",
        "acosh(x)",
        "Piecewise((x, x > 0), (0, True))",
        "sin(x)+cos(sin(x))",
    ],
)
def test_sentences_render_for_every_step(text):
    for lang in CATALOG:
        for step in differentiate(text, "x").steps:
            words = sentence(step, lang)
            assert words and "{" not in words
