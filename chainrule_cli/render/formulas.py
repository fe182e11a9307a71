"""The general formula of each rule, as a textbook prints it: in Unicode and in LaTeX.

Keys are a step's rule, or `rule.function` for the rules that are a table of functions.
Formulas are mathematics, not sentences: they are the same in every language.
"""

from __future__ import annotations

# key: (unicode, latex)
FORMULAS: dict[str, tuple[str, str]] = {
    "constant": ("c' = 0", r"c' = 0"),
    "variable": ("x' = 1", r"x' = 1"),
    "constant_multiple": ("(c·f)' = c·f'", r"(c f)' = c f'"),
    "sum": ("(f + g)' = f' + g'", r"(f + g)' = f' + g'"),
    "chain.implicit": ("(f(y))' = f'(y)·y'", r"(f(y))' = f'(y)\, y'"),
    "product": ("(f·g)' = f'·g + f·g'", r"(f g)' = f' g + f g'"),
    "product.3": ("(f·g·h)' = f'·g·h + f·g'·h + f·g·h'", r"(f g h)' = f' g h + f g' h + f g h'"),
    "product.4": (
        "(f·g·h·k)' = f'·g·h·k + f·g'·h·k + f·g·h'·k + f·g·h·k'",
        r"(f g h k)' = f' g h k + f g' h k + f g h' k + f g h k'",
    ),
    "product.n": (
        "(f₁·f₂·…·fₙ)' = f₁'·f₂·…·fₙ + … + f₁·f₂·…·fₙ'",
        r"(f_1 f_2 \cdots f_n)' = f_1' f_2 \cdots f_n + \dots + f_1 f_2 \cdots f_n'",
    ),
    "quotient": (
        "(f/g)' = (f'·g − f·g')/g²",
        r"\left(\frac{f}{g}\right)' = \frac{f' g - f g'}{g^{2}}",
    ),
    "power": ("(xⁿ)' = n·xⁿ⁻¹", r"(x^{n})' = n x^{n-1}"),
    "exponential": ("(aˣ)' = aˣ·ln a", r"(a^{x})' = a^{x} \ln a"),
    "exponential.E": ("(eˣ)' = eˣ", r"(e^{x})' = e^{x}"),
    "logarithm": ("(ln x)' = 1/x", r"(\ln x)' = \frac{1}{x}"),
    "trig": ("sin' = cos, cos' = −sin", r"\sin' x = \cos x,\ \cos' x = -\sin x"),
    "inverse_trig": ("arcsin'(x) = 1/√(1 − x²)", r"\arcsin' x = \frac{1}{\sqrt{1 - x^{2}}}"),
    "hyperbolic": ("sinh' = cosh, cosh' = sinh", r"\sinh' x = \cosh x,\ \cosh' x = \sinh x"),
    "inverse_hyperbolic": (
        "arsinh'(x) = 1/√(x² + 1)",
        r"\operatorname{arsinh}' x = \frac{1}{\sqrt{x^{2} + 1}}",
    ),
    "trig.sin": ("sin' = cos", r"\sin' x = \cos x"),
    "trig.cos": ("cos' = −sin", r"\cos' x = -\sin x"),
    "trig.tan": ("tan' = sec²", r"\tan' x = \sec^{2} x"),
    "trig.cot": ("cot' = −csc²", r"\cot' x = -\csc^{2} x"),
    "trig.sec": ("sec' = sec·tan", r"\sec' x = \sec x \tan x"),
    "trig.csc": ("csc' = −csc·cot", r"\csc' x = -\csc x \cot x"),
    "inverse_trig.asin": ("arcsin'(x) = 1/√(1 − x²)", r"\arcsin' x = \frac{1}{\sqrt{1 - x^{2}}}"),
    "inverse_trig.acos": ("arccos'(x) = −1/√(1 − x²)", r"\arccos' x = -\frac{1}{\sqrt{1 - x^{2}}}"),
    "inverse_trig.atan": ("arctan'(x) = 1/(1 + x²)", r"\arctan' x = \frac{1}{1 + x^{2}}"),
    "inverse_trig.acot": (
        "arccot'(x) = −1/(1 + x²)",
        r"\operatorname{arccot}' x = -\frac{1}{1 + x^{2}}",
    ),
    "inverse_trig.asec": (
        "arcsec'(x) = 1/(|x|·√(x² − 1))",
        r"\operatorname{arcsec}' x = \frac{1}{|x| \sqrt{x^{2} - 1}}",
    ),
    "inverse_trig.acsc": (
        "arccsc'(x) = −1/(|x|·√(x² − 1))",
        r"\operatorname{arccsc}' x = -\frac{1}{|x| \sqrt{x^{2} - 1}}",
    ),
    "hyperbolic.sinh": ("sinh' = cosh", r"\sinh' x = \cosh x"),
    "hyperbolic.cosh": ("cosh' = sinh", r"\cosh' x = \sinh x"),
    "hyperbolic.tanh": ("tanh' = sech²", r"\tanh' x = \operatorname{sech}^{2} x"),
    "hyperbolic.coth": ("coth' = −csch²", r"\coth' x = -\operatorname{csch}^{2} x"),
    "hyperbolic.sech": (
        "sech' = −sech·tanh",
        r"\operatorname{sech}' x = -\operatorname{sech} x \tanh x",
    ),
    "hyperbolic.csch": (
        "csch' = −csch·coth",
        r"\operatorname{csch}' x = -\operatorname{csch} x \coth x",
    ),
    "inverse_hyperbolic.asinh": (
        "arsinh'(x) = 1/√(x² + 1)",
        r"\operatorname{arsinh}' x = \frac{1}{\sqrt{x^{2} + 1}}",
    ),
    "inverse_hyperbolic.acosh": (
        "arcosh'(x) = 1/√(x² − 1)",
        r"\operatorname{arcosh}' x = \frac{1}{\sqrt{x^{2} - 1}}",
    ),
    "inverse_hyperbolic.atanh": (
        "artanh'(x) = 1/(1 − x²)",
        r"\operatorname{artanh}' x = \frac{1}{1 - x^{2}}",
    ),
    "inverse_hyperbolic.acoth": (
        "arcoth'(x) = 1/(1 − x²)",
        r"\operatorname{arcoth}' x = \frac{1}{1 - x^{2}}",
    ),
    "inverse_hyperbolic.asech": (
        "arsech'(x) = −1/(x·√(1 − x²))",
        r"\operatorname{arsech}' x = -\frac{1}{x \sqrt{1 - x^{2}}}",
    ),
    "inverse_hyperbolic.acsch": (
        "arcsch'(x) = −1/(|x|·√(1 + x²))",
        r"\operatorname{arcsch}' x = -\frac{1}{|x| \sqrt{1 + x^{2}}}",
    ),
    "abs": ("|x|' = sign(x), x ≠ 0", r"|x|' = \operatorname{sign} x,\ x \neq 0"),
    "piecewise": (
        "max(f, g)' = f'·H(f − g) + g'·H(g − f)",
        r"\max(f, g)' = f' H(f - g) + g' H(g - f)",
    ),
    "piecewise.Piecewise": (
        "(fᵢ on cᵢ)' = fᵢ' on cᵢ",
        r"(f_i \text{ on } c_i)' = f_i' \text{ on } c_i",
    ),
    "piecewise.Heaviside": ("H' = δ", r"H' = \delta"),
    "piecewise.sign": ("sign' = 2δ", r"\operatorname{sign}' = 2 \delta"),
    "special": ("F'(x) from F's own formula", r"F'(x)"),
    "special.sigmoid": ("σ' = σ·(1 − σ)", r"\sigma' = \sigma (1 - \sigma)"),
    "special.erf": (
        "erf'(x) = 2/√π·e^(−x²)",
        r"\operatorname{erf}' x = \frac{2}{\sqrt{\pi}} e^{-x^{2}}",
    ),
    "general_power": (
        "(f^g)' = f^g·(g'·ln f + g·f'/f)",
        r"(f^{g})' = f^{g} \left(g' \ln f + \frac{g f'}{f}\right)",
    ),
    "function": ("f(x)' = f'(x)", r"f(x)' = f'(x)"),
    "chain": ("dy/dx = dy/du · du/dx", r"\frac{dy}{dx} = \frac{dy}{du} \cdot \frac{du}{dx}"),
    "multivariable_chain": (
        "dF/dx = Σ ∂F/∂aᵢ · daᵢ/dx",
        r"\frac{dF}{dx} = \sum_i \frac{\partial F}{\partial a_i} \frac{d a_i}{dx}",
    ),
    "rewrite": ("f = g ⇒ f' = g'", r"f = g \Rightarrow f' = g'"),
    "rewrite.sigmoid": (
        "1/(1 + e^(−u)) = σ(u), σ' = σ·(1 − σ)",
        r"\frac{1}{1 + e^{-u}} = \sigma(u),\ \sigma' = \sigma (1 - \sigma)",
    ),
    "repeat": ("worked out before", r""),
    "higher_order": ("y⁽ⁿ⁾ = (y⁽ⁿ⁻¹⁾)'", r"y^{(n)} = \left(y^{(n-1)}\right)'"),
    "special.relu": (
        "relu'(x) = H(x), relu'(0) = 0",
        r"\operatorname{relu}'(x) = H(x),\ \operatorname{relu}'(0) = 0",
    ),
    "implicit": ("F(x, y) = G(x, y) ⇒ F' = G'", r"F(x, y) = G(x, y) \Rightarrow F' = G'"),
}


def formula_key(rule: str, function: str | None) -> str:
    """The most specific key with a formula: 'trig.sin' before 'trig'."""
    if function is not None and f"{rule}.{function}" in FORMULAS:
        return f"{rule}.{function}"
    return rule


def formula(rule: str, function: str | None, fmt: str) -> str:
    """The general formula of a rule, 'unicode' or 'latex'."""
    unicode_form, latex_form = FORMULAS[formula_key(rule, function)]
    return latex_form if fmt == "latex" else unicode_form
