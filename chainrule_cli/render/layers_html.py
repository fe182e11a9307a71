"""The chain rule in matrix form as one self-contained HTML page (`--format html` with --shape):
the task with the inputs' shapes, the forward pass as a table, the backward steps numbered with
their rule and formula, the results through the names and in the inputs, the shape of each
gradient, the values at a point (--at) as matrices, and the verdict.

The page is html.py's: its stylesheet, its skeleton, its escaping; no script, nothing loaded.
The mathematics is MathML converted from the LaTeX that render/layers.py prints (arrays.Printer
"latex"), by a converter for the LaTeX that printer and SymPy write (`latex_mathml`): \\mathbf
as bold letters, ^\\top, \\odot, \\left\\lVert … \\right\\rVert, \\operatorname, \\frac, …
Like every renderer it computes nothing.
"""

from __future__ import annotations

import re

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.render.html import diagram, escape, math, mi, mo, mrow, page
from chainrule_cli.render.layers import (
    _backward_heading,
    _float,
    _grad_name,
    _inputs,
    _notes,
    _rule,
    _rules,
    _shape_line,
    _shape_word,
    _verdict,
    results,
)
from chainrule_cli.render.messages import word
from chainrule_cli.render.translate import translate

__all__ = ["formula_html", "latex_mathml", "layer_graph_html", "layers_html"]

# ---- LaTeX (arrays.Printer "latex", SymPy's latex) -> MathML ------------------------------------

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|\s+|.", re.S)
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "partial": "∂", "infty": "∞",
    "ell": "ℓ", "nabla": "∇",
}  # fmt: skip
_OPERATORS = {
    "odot": "⊙", "cdot": "·", "times": "×", "pm": "±", "mp": "∓", "leq": "≤", "geq": "≥",
    "neq": "≠", "approx": "≈", "to": "→", "rightarrow": "→", "Rightarrow": "⇒", "in": "∈",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "|": "‖", "langle": "⟨", "rangle": "⟩",
    "lvert": "|", "rvert": "|", "sum": "∑", "prod": "∏", "circ": "∘", "otimes": "⊗",
    "{": "{", "}": "}", "ldots": "…", "cdots": "⋯", "top": "⊤",
}  # fmt: skip
_FUNCTIONS = frozenset(
    "sin cos tan sec csc cot sinh cosh tanh coth sech csch arcsin arccos arctan arsinh arcosh"
    " artanh exp log ln det max min lim sup inf arg gcd".split()
)
_SPACES = {" ": "0.25em", ",": "0.1667em", ";": "0.2778em", ":": "0.2222em", "quad": "1em",
           "qquad": "2em", "!": "0em"}  # fmt: skip
_IGNORED = frozenset({"textstyle", "displaystyle", "scriptstyle", "limits", "nolimits"})


def mn(number: str) -> str:
    return f"<mn>{escape(number)}</mn>"


def _bold(text: str) -> str:
    """Letters and digits as the bold mathematical alphanumerics (𝐖, 𝐱, 𝟏): MathML Core has no
    mathvariant="bold", and a course writes its vectors and matrices in bold."""
    out = []
    for ch in text:
        if "A" <= ch <= "Z":
            out.append(chr(0x1D400 + ord(ch) - ord("A")))
        elif "a" <= ch <= "z":
            out.append(chr(0x1D41A + ord(ch) - ord("a")))
        elif "0" <= ch <= "9":
            out.append(chr(0x1D7CE + ord(ch) - ord("0")))
        elif "α" <= ch <= "ω":
            out.append(chr(0x1D6C2 + ord(ch) - ord("α")))
        elif "Α" <= ch <= "Ω":
            out.append(chr(0x1D6A8 + ord(ch) - ord("Α")))
        else:
            out.append(ch)
    return "".join(out)


def _double_struck(text: str) -> str:
    return "".join({"1": "𝟙", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "C": "ℂ", "Q": "ℚ"}.get(c, c)
                   for c in text)  # fmt: skip


_TAG = re.compile(r"<(/?)([a-z]+)[^>]*?(/?)>")


def _single(markup: str) -> bool:
    """Whether markup is one element (<mi>x</mi>, <mrow>…</mrow>), so needs no <mrow> around."""
    depth, elements = 0, 0
    for m in _TAG.finditer(markup):
        closing, selfclosing = m.group(1), m.group(3)
        if closing:
            depth -= 1
        elif not selfclosing:
            if depth == 0:
                elements += 1
            depth += 1
        elif depth == 0:
            elements += 1
    return elements == 1 and markup.startswith("<") and markup.endswith(">")


def _row(markup: str) -> str:
    """markup as one element: itself when it is one, else in an <mrow>."""
    return markup if _single(markup) else mrow(markup)


class _Tex:
    """A small recursive-descent reader of the LaTeX the array printer and SymPy write."""

    def __init__(self, tex: str) -> None:
        self.tokens = _TOKEN.findall(tex)  # spaces kept for \\text{…}, skipped elsewhere
        self.pos = 0
        self.bold = 0  # inside \mathbf{…}

    # ---- tokens
    def peek(self) -> str | None:
        while self.pos < len(self.tokens) and self.tokens[self.pos].isspace():
            self.pos += 1
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        if token is not None:
            self.pos += 1
        return token

    def raw(self) -> str:
        """The text of a {…} argument as written (\\text{…}, \\operatorname{…}, \\mathrm{…})."""
        if self.peek() != "{":
            return self.take() or ""
        self.pos += 1
        depth, out = 1, []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if depth == 0:
                    break
            out.append(token)
        return "".join(out)

    # ---- grammar
    def sequence(self, stops: tuple[str, ...] = ()) -> str:
        out: list[str] = []
        functions: list[bool] = []
        while self.peek() is not None and self.peek() not in stops:
            token = self.peek()
            if token in ("^", "_") and out:
                out[-1] = self.scripts(out[-1])
                continue
            if token == "'" and out:
                self.pos += 1
                out[-1] = f"<msup>{_row(out[-1])}<mo>′</mo></msup>"
                continue
            if token == "&" or token == "\\\\":
                self.pos += 1
                continue
            is_function = token.startswith("\\") and (
                token[1:] in _FUNCTIONS or token == "\\operatorname"
            )
            item = self.atom()
            if not item:
                continue
            if is_function and functions and functions[-1]:  # log det: a thin space between
                out.append('<mspace width="0.1667em"></mspace>')
            out.append(item)
            functions.append(is_function)
        return "".join(out)

    def scripts(self, base: str) -> str:
        sub = sup = None
        while self.peek() in ("^", "_"):
            which = self.take()
            arg = self.argument()
            if which == "^":
                sup = arg
            else:
                sub = arg
        if sub is not None and sup is not None:
            return f"<msubsup>{_row(base)}{_row(sub)}{_row(sup)}</msubsup>"
        if sub is not None:
            return f"<msub>{_row(base)}{_row(sub)}</msub>"
        return f"<msup>{_row(base)}{_row(sup or '')}</msup>"

    def argument(self) -> str:
        """A command's or a script's argument: a {group} or one atom."""
        if self.peek() == "{":
            self.pos += 1
            inner = self.sequence(("}",))
            self.take()
            return _row(inner)
        return self.atom()

    def fence(self) -> str:
        token = self.take() or "."
        if token == ".":
            return ""
        shown = _OPERATORS.get(token[1:], token[1:]) if token.startswith("\\") else token
        return mo(shown)

    def atom(self) -> str:  # noqa: C901 - one branch per construct
        token = self.take()
        if token is None:
            return ""
        if token == "{":
            inner = self.sequence(("}",))
            self.take()
            return _row(inner)
        if token == "}":
            return ""
        if not token.startswith("\\"):
            if token[0].isdigit():
                return mn(_bold(token) if self.bold else token)
            if token.isalpha():
                return mi(_bold(token) if self.bold else token)
            return mo({"-": "−", "*": "∗", "~": " "}.get(token, token))
        name = token[1:]
        if name == "left":
            opener = self.fence()
            inner = self.sequence(("\\right",))
            self.take()
            return mrow(opener, inner, self.fence())
        if name == "right":  # unmatched: its fence alone
            return self.fence()
        if name == "frac":
            top = self.argument()
            return f"<mfrac>{_row(top)}{_row(self.argument())}</mfrac>"
        if name == "sqrt":
            if self.peek() == "[":
                self.pos += 1
                index = self.sequence(("]",))
                self.take()
                return f"<mroot>{_row(self.argument())}{_row(index)}</mroot>"
            return f"<msqrt>{self.argument()}</msqrt>"
        if name in ("mathbf", "boldsymbol", "bm"):
            self.bold += 1
            try:
                return self.argument()
            finally:
                self.bold -= 1
        if name in ("mathrm", "operatorname", "mathit", "mathsf"):
            text = self.raw()
            shown = _bold(text) if self.bold else text
            variant = ' mathvariant="normal"' if len(text) == 1 and name != "mathit" else ""
            return f"<mi{variant}>{escape(shown)}</mi>"
        if name == "mathbb":
            return mi(_double_struck(self.raw()))
        if name in ("text", "textrm", "mbox"):
            return f"<mtext>{escape(self.raw())}</mtext>"
        if name in _IGNORED:
            return ""
        if name == "top":
            return '<mi mathvariant="normal">T</mi>'
        if name in _SPACES:
            return f'<mspace width="{_SPACES[name]}"></mspace>'
        if name in _FUNCTIONS:
            return mi(name)
        if name in _GREEK:
            shown = _GREEK[name]
            return mi(_bold(shown) if self.bold else shown)
        if name in ("sum", "prod"):  # \textstyle\sum(X): the sum of X's entries, in the line
            return f'<mo largeop="false" movablelimits="false">{_OPERATORS[name]}</mo>'
        if name in _OPERATORS:
            return mo(_OPERATORS[name])
        return mi(name)  # a command nobody writes here: its name, never a backslash


def latex_mathml(tex: str) -> str:
    """The LaTeX of an array expression (or of a SymPy formula in it) as MathML, without the
    <math> around it: latex_mathml(r"\\mathbf{W} \\mathbf{x}^\\top") is 𝐖𝐱ᵀ as <mi>s."""
    return _row(_Tex(tex).sequence())


# ---- the rules' formulas (calculus/vjps.py writes them as text: "Y = AB: δ_A = δ Bᵀ") -> MathML -

# The few words inside a formula, shown as words (and in the reader's language).
_FORMULA_PROSE = {
    " (a scalar a: 𝟏)": {"en": " (a scalar a: 𝟏)", "zh": "（a 为标量时为 𝟏）"},
    ", a row": {"en": ", a row", "zh": "，行向量"},
    " (a row)": {"en": " (a row)", "zh": "（行向量）"},
}
_SUPERSCRIPTS = dict(zip("ᵀ⁻¹²³ᵏⁿ⁰⁴⁵⁶⁷⁸⁹", "T−123kn0456789", strict=True))
_SUBSCRIPTS = dict(zip("ₐₑₓₙᵢⱼ₀₁₂₃", "aexnij0123", strict=True))
_FORMULA_TOKEN = re.compile(
    r"\x00\d+\x00|[δ∂∇]_\w|[A-Za-z]+|\d+(?:\.\d+)?|[ᵀ⁻¹²³ᵏⁿ⁰⁴⁵⁶⁷⁸⁹]+|[ₐₑₓₙᵢⱼ₀₁₂₃]+|\s+|."
)
_FORMULA_OPS = frozenset("=+−-/⊙(),‖⟨⟩·×:[]|")
_FORMULA_LETTERS = frozenset("δ∂∇σλμπρτφψωαβγεηθκνξζ𝟏")
_WORD_NAMES = frozenset({"tr", "ln"})  # two-letter words; other runs of two letters are products


def _formula_math(text: str, lang: str) -> str | None:
    """One side of a formula as MathML; None if it has a character this reader does not know
    (the formula is then shown as text)."""
    prose: list[str] = []

    def keep(m: re.Match) -> str:
        prose.append(_FORMULA_PROSE[m.group(0)].get(lang, m.group(0)))
        return f"\x00{len(prose) - 1}\x00"

    pattern = "|".join(re.escape(k) for k in _FORMULA_PROSE)
    text = re.sub(pattern, keep, text)
    out: list[str] = []
    words: list[bool] = []

    def add(item: str, is_word: bool = False) -> None:
        if is_word and words and words[-1]:
            out.append('<mspace width="0.1667em"></mspace>')
            words.append(False)
        out.append(item)
        words.append(is_word)

    for token in _FORMULA_TOKEN.findall(text):
        if token.isspace():
            continue
        if token.startswith("\x00"):
            add(f"<mtext>{escape(prose[int(token.strip(chr(0)))])}</mtext>")
        elif len(token) == 3 and token[1] == "_":
            add(f"<msub>{mi(token[0])}{mi(token[2])}</msub>")
        elif token[0] in _SUPERSCRIPTS and out:
            shown = "".join(_SUPERSCRIPTS[c] for c in token)
            sup = mrow(*(mo(c) if c == "−" else '<mi mathvariant="normal">T</mi>' if c == "T"
                         else mn(c) if c.isdigit() else mi(c) for c in shown))  # fmt: skip
            out[-1] = f"<msup>{_row(out[-1])}{_row(sup)}</msup>"
        elif token[0] in _SUBSCRIPTS and out:
            sub = mi("".join(_SUBSCRIPTS[c] for c in token))
            out[-1] = f"<msub>{_row(out[-1])}{sub}</msub>"
        elif token == "′" and out:
            out[-1] = f"<msup>{_row(out[-1])}<mo>′</mo></msup>"
        elif token[0].isascii() and token[0].isalpha():
            if len(token) >= 3 or token in _WORD_NAMES:
                add(mi(token), is_word=True)
            else:
                for letter in token:
                    add(mi(letter))
        elif token[0].isdigit():
            add(mn(token))
        elif token in _FORMULA_LETTERS:
            add(mi(token))
        elif token == "/":  # ∂y/∂u, δ / B: a slash, not a spaced operator
            add('<mo lspace="0" rspace="0">/</mo>')
        elif token in _FORMULA_OPS:
            add(mo("−" if token == "-" else token))
        else:
            return None
    return mrow(*out)


def formula_html(formula: str, lang: str = "en") -> str:
    """A rule's formula, "Y = AB: δ_A = δ Bᵀ": the primitive and what it gives, each as MathML,
    between them the colon of the sentence; as escaped text where it cannot be read."""
    head, colon, rest = formula.partition(": ")
    sides = [head, rest] if colon else [formula]
    shown = [_formula_math(side, lang) for side in sides]
    if any(m is None for m in shown):
        words = formula
        for english, said in _FORMULA_PROSE.items():
            words = words.replace(english, said.get(lang, english))
        return _words(words)
    separator = "：" if lang == "zh" else ": "
    return f'<span class="sep">{separator}</span>'.join(math(m) for m in shown)


# ---- pieces ----------------------------------------------------------------------------------

_LATEX = A.Printer("latex")
_DELTA = re.compile(r"([δ∂])_(\w)")


def _m(node: A.Node) -> str:
    """An array expression's MathML (no <math> around it)."""
    return latex_mathml(_LATEX(node))


def _name(name: str, shape: A.Shape) -> str:
    return latex_mathml(_LATEX.name(name, shape))


def _words(text: str) -> str:
    """A sentence of the catalog, escaped, with δ_n as δ with a subscript n."""
    return _DELTA.sub(r"\1<sub>\2</sub>", escape(text))


def _heading(text: str) -> str:
    """A catalog heading ('Results:') without its closing colon."""
    return _words(text.rstrip().rstrip(":：").rstrip())


def _space(size: A.Size) -> str:
    return mn(str(size)) if isinstance(size, int) else mi(str(size))


def _set_of(shape: A.Shape) -> str:
    """ℝ, ℝ³, ℝ^{3×2}, ℝ^{1×n}: where an input lives, as a course writes it."""
    reals = mi("ℝ")
    if shape.scalar:
        return reals
    if shape.column:
        return f"<msup>{reals}{mrow(_space(shape.rows))}</msup>"
    exponent = mrow(_space(shape.rows), mo("×"), _space(shape.cols))
    return f"<msup>{reals}{exponent}</msup>"


def _mixed(key: str, lang: str, **pieces: str) -> str:
    """A catalog phrase with markup in its fields, the words escaped."""
    marks = {f"\x02{name}\x03": value for name, value in pieces.items()}
    said = word(key, lang, **{name: f"\x02{name}\x03" for name in pieces})
    out = []
    for part in re.split("(\x02[^\x03]*\x03)", said):
        out.append(marks[part] if part in marks else _words(part))
    return "".join(out)


def _number(value) -> str:
    """A decimal entry as a course prints it: 6 significant digits, a real minus sign."""
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        power = f"<msup>{mn('10')}{mn(str(int(exponent)).replace('-', '−'))}</msup>"
        body = mrow(mn(mantissa.lstrip("-")), mo("×"), power)
        return mrow(mo("−"), body) if mantissa.startswith("-") else body
    if text.startswith("-"):
        return mrow(mo("−"), mn(text[1:]))
    return mn(text)


def _exact_entry(value: sympy.Expr) -> str:
    if value.is_Integer:
        return mrow(mo("−"), mn(str(-value))) if value < 0 else mn(str(value))
    p, q = value.p, value.q
    fraction = f"<mfrac>{mn(str(abs(p)))}{mn(str(q))}</mfrac>"
    return mrow(mo("−"), fraction) if p < 0 else fraction


def _value(m: sympy.Matrix, undefined: str) -> str:
    """A value at the point: exact when every entry is a fraction, else ≈ to 6 digits; a scalar
    a number, a vector a column, a matrix a matrix (a row a row)."""
    exact = all(e.is_Rational for e in m)

    def entry(value: sympy.Expr) -> str:
        if exact:
            return _exact_entry(value)
        number = _float(value)
        return f"<mtext>{escape(undefined)}</mtext>" if number is None else _number(number)

    if m.rows == 1 and m.cols == 1:
        inner = entry(m[0, 0])
    else:
        table = "".join(
            "<mtr>" + "".join(f"<mtd>{entry(m[i, j])}</mtd>" for j in range(m.cols)) + "</mtr>"
            for i in range(m.rows)
        )
        inner = mrow(mo("["), f"<mtable>{table}</mtable>", mo("]"))
    return inner if exact else mrow(mo("≈"), inner)


def _equals(*parts: str) -> str:
    return mo("=").join(parts)


# ---- the page --------------------------------------------------------------------------------


def _title_text(d, lang: str, graph: bool) -> str:
    expr = f"{d.output} = {A.text(d.root)}"
    if graph:
        return word("layer_graph_title", lang, title=expr)
    if d.kind == "jacobian":
        return word("ui.jacobian_task", lang, outputs=expr, vars=", ".join(d.wrt))
    return word("ui.gradient_task", lang, expr=expr, vars=", ".join(d.wrt))


def _task(d, lang: str, graph: bool) -> str:
    given = math(_equals(_name(d.output, d.root.shape), _m(d.root)))
    shapes = dict(_inputs(d))
    names = ", ".join(math(_name(v, shapes.get(v, A.SCALAR))) for v in d.wrt)
    if graph:
        return _mixed("layer_graph_title", lang, title=given)
    if d.kind == "jacobian":
        return _mixed("ui.jacobian_task", lang, outputs=given, vars=names)
    return _mixed("ui.gradient_task", lang, expr=given, vars=names)


def _notes_of(d, lang: str) -> list[str]:
    """The notes on how the line was read, in the reader's language ("Wx read as W·x" is the
    parser's English: translated as its errors are), and the one-hot note."""
    read = [word("read_as_note", lang, note=translate(n, lang)) for n in d.notes]
    return read + _notes(d, lang)[len(d.notes) :]


# The few looks of this page that html.py's stylesheet has no class for, as style attributes
# (the Content-Security-Policy allows inline styles): they survive a batch's merged page.
_TERMS = ' style="margin: .2rem 0 .4rem; padding-left: 1.2rem"'
_TERM_RULE = ' style="color: var(--rule); font-weight: 600; margin: 0 .4rem 0 .6rem"'
_MUTED = ' style="color: var(--muted)"'


def _th(*cells: str) -> str:
    return "<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>\n"


def _body(result, options, graph: bool) -> tuple[str, str]:
    """The page's title and body."""
    d, lang = result.layers, options.lang
    out: list[str] = [f"<h1>{_task(d, lang, graph)}</h1>\n"]
    if graph:
        out.append(diagram(options.picture))
    inputs = ", ".join(math(_name(n, s) + mo("∈") + _set_of(s)) for n, s in _inputs(d))
    out.append(f'<p class="shapes">{_mixed("layer_graph_inputs", lang, shapes=inputs)}</p>\n')
    for note in _notes_of(d, lang):
        out.append(f'<p class="note">{_words(note)}</p>\n')

    # the forward pass
    out.append(f"<h2>{_heading(word('layers_forward', lang))}</h2>\n<table>\n")
    out.append(_th(escape(word("ui.col_node", lang)), escape(word("ui.col_computes", lang)),
                   escape(word("layers_col_shape", lang))))  # fmt: skip
    for f in d.forward:
        out.append(
            f"<tr><td>{math(_name(f.name, f.expr.shape))}</td><td>{math(_m(f.expr))}</td>"
            f"<td>{escape(_shape_word(f.expr.shape, lang))}</td></tr>\n"
        )
    out.append("</table>\n")

    # the backward pass: numbered steps, each its rule, its formula, its result
    out.append(f"<h2>{_heading(_backward_heading(d, lang))}</h2>\n")
    for i, step in enumerate(d.backward, 1):
        lhs = latex_mathml(_grad_name(step, d.output, "latex", d.root.shape))
        several = len(step.terms) > 1
        rule = word("layers_rule_multivariable_chain", lang) if several else _rule(step, lang)
        formula = (
            ""
            if several
            else f' <span class="formula">{formula_html(step.terms[-1].formula, lang)}</span>'
        )
        out.append(
            f'<details class="step" id="step-{i}" open>\n<summary><span class="num">{i}.</span> '
            f'<span class="rule">{escape(rule)}</span>{formula}</summary>\n<div class="body">\n'
        )
        shape = escape(_shape_word(step.shape, lang))
        out.append(f"<p>{math(_equals(lhs, _m(step.expr)))} "
                   f'<span class="note">({shape})</span></p>\n')  # fmt: skip
        if several:
            out.append(f'<ul class="terms"{_TERMS}>\n')
            for t in step.terms:
                out.append(
                    f'<li>{math(_m(t.expr))} <span class="rule"{_TERM_RULE}>'
                    f"{escape(_rules(t.rules, lang))}</span> "
                    f'<span class="formula"{_MUTED}>{formula_html(t.formula, lang)}</span></li>\n'
                )
            out.append("</ul>\n")
        out.append("</div>\n</details>\n")

    # the results
    out.append(f"<h2>{_heading(word('layers_results', lang))}</h2>\n")
    text = A.Printer("text")
    for step in results(d):
        if not step.gradient:
            continue
        lhs = latex_mathml(_grad_name(step, d.output, "latex", d.root.shape))
        through, full = _m(step.expr), _m(step.full)
        out.append('<div class="result chain">\n')
        if full != through:
            out.append(f'<div class="row">{math(_equals(lhs, through))}</div>\n')
            out.append(f'<div class="row more">{math(mo("="))} '
                       f'<span class="answer">{math(full)}</span></div>\n')  # fmt: skip
        else:
            out.append(f'<div class="row">{math(_equals(lhs, ""))} '
                       f'<span class="answer">{math(full)}</span></div>\n')  # fmt: skip
        out.append("</div>\n")
        out.append(f'<p class="note shape">{_words(_shape_line(d, step, lang, text))}</p>\n')

    # the values at a point
    at = options.at
    if at:
        out.append(_at_section(d, at, lang))

    ok = bool(d.verified)
    out.append(f'<p class="verdict {"ok" if ok else "bad"}">{_words(_verdict(d, lang))}</p>\n')
    return _title_text(d, lang, graph), "".join(out)


def _at_section(d, at: dict, lang: str) -> str:
    undefined = word("ui.no_gradient", lang)
    point = ", ".join(
        math(_equals(_name(n, A.Shape(*m.shape)), _value(m, undefined)))
        for n, m in at["point"].items()
    )
    out = [f"<h2>{escape(word('layers_values', lang))}</h2>\n"]
    out.append(f'<p class="point">{_mixed("layers_at", lang, point=point)}</p>\n<table>\n')
    out.append(_th(escape(word("layers_col_quantity", lang)), escape(word("ui.col_value", lang)),
                   escape(word("layers_col_shape", lang))))  # fmt: skip

    def row(name: str, m: sympy.Matrix, shape: A.Shape, boxed: bool = False) -> str:
        shown = math(_value(m, undefined))
        if boxed:
            shown = f'<span class="answer">{shown}</span>'
        return (f"<tr><td>{math(name)}</td><td>{shown}</td>"
                f"<td>{escape(_shape_word(shape, lang))}</td></tr>\n")  # fmt: skip

    out.append(row(_name(d.output, d.root.shape), at["value"], d.root.shape))
    for f in d.forward[:-1]:  # the output is the first row
        out.append(row(_name(f.name, f.expr.shape), at["forward"][f.name], f.expr.shape))
    for step in d.backward:
        name = latex_mathml(_grad_name(step, d.output, "latex", d.root.shape))
        out.append(row(name, at["backward"][step.name], step.shape, boxed=step.gradient))
    out.append("</table>\n")
    return "".join(out)


def _page(result, options, graph: bool) -> str:
    title, body = _body(result, options, graph)
    return page(title, body, options.lang)


def layers_html(result, options) -> str:
    """A LayerDerivation as a page (render/__init__.py: RENDERERS)."""
    return _page(result, options, graph=False)


def layer_graph_html(result, options) -> str:
    """A LayerGraph (the graph command) as the same page headed as a graph, with the picture
    Graphviz drew (options.picture, SVG) when there is one."""
    return _page(result, options, graph=True)
