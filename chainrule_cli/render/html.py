"""The derivation as one self-contained HTML page a student can open, print or send.

Every step is a `<details open>` whose `<summary>` is its number, rule and formula, its sub-steps
nested inside; the mathematics is MathML from SymPy's presentation printer, which browsers
render natively. Nothing is loaded from anywhere: no script, no stylesheet, no font, no image
but the graph's inline SVG (drawn by Graphviz's dot when it is installed). Every piece of text
is escaped. Like the other renderers it reads the outline and computes nothing.
"""

from __future__ import annotations

import dataclasses
import html
import re

import sympy
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.printing import (
    UnicodePrinter,
    _Built,
    _built,
    _derivative_at,
    _derivative_parts,
    approx,
    built_text,
)
from chainrule_cli.render.terminal import undefined_key
from chainrule_cli.render.view import Applied, Outline, Outliner, StepView, outline, top_down
from chainrule_cli.render.view import formula as rule_formula

MINUS = "<mo>&#x2212;</mo>"
PRIME = "&#x2032;"
TIMES = "<mo>&#xB7;</mo>"
# A chain's forms share a row while the row stays about this many characters wide.
ROW_CHARS = 64
_MARK = re.compile("\x00(.*?)\x01", re.S)
_SIGN_MARK = re.compile(r"(^|>)[-−](?=<)")

STYLE = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #0b5cad;
  --line: #d7dbe0; --box: #fff7d6; --boxline: #c99a06; --ok: #1b7a33; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
  Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.35rem; font-weight: 600; margin: 0 0 1rem; }
h2 { font-size: 1.12rem; margin: 1.6rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
math { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "Noto Sans Math",
  math; font-size: 1.12em; }
math[display="block"] { margin: .35rem 0; text-align: left; display: block math; }
.matrix { margin: .4rem 0; }
math { math-style: normal; }
summary math { math-style: compact; }
details.step { margin: .3rem 0 .3rem 0; padding-left: .9rem; border-left: 2px solid var(--line); }
details.step details.step { margin-left: .35rem; }
summary { cursor: pointer; padding: .15rem 0; }
summary .num { color: var(--muted); font-variant-numeric: tabular-nums; }
summary .rule { color: var(--rule); font-weight: 600; margin-right: .6rem; }
summary .formula { color: var(--muted); }
summary a { color: var(--rule); }
.body { padding-left: 1.1rem; }
.body > p { margin: .2rem 0; }
.let { color: #7a2a8c; }
.note { color: var(--muted); }
.chain { margin: .25rem 0 .35rem; padding: .1rem 0; overflow-x: auto; overflow-y: hidden; }
.chain .row { white-space: nowrap; padding: .05rem 0; }
.chain .row.more { padding-left: 2.2rem; }
.why { color: var(--muted); font-style: italic; margin-left: 1.2rem; font-size: .92em;
  white-space: normal; }
.result { margin: .5rem 0; }
.answer { display: inline-block; padding: .35rem .75rem; background: var(--box);
  border: 2px solid var(--boxline); border-radius: .35rem; }
.verdict { margin-top: 1.2rem; font-weight: 600; }
.ok { color: var(--ok); }
.bad { color: var(--bad); }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .95em; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
  vertical-align: middle; }
th { background: #f3f5f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.diagram { margin: .5rem 0 1rem; overflow-x: auto; }
.diagram svg { height: auto; }  /* its own size: labels stay ≥ 11 px; a wide one scrolls */
@media print {
  .diagram svg { max-width: 100%; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  details.step { break-inside: avoid-page; }
  summary { list-style: none; }
  summary::-webkit-details-marker { display: none; }
  .chain { overflow: visible; }
  .answer { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""


# ---- MathML ------------------------------------------------------------------------------------


class MathPrinter(MathMLPresentationPrinter):
    """SymPy's presentation MathML with the textbook conventions of the other printers: e, ln,
    σ, H, f'(u), and the student's own order and grouping (w x + b) where `typed` says it."""

    def __init__(self, typed: dict | None = None) -> None:
        super().__init__({"ln_notation": True})
        self.typed = typed or {}
        self._as_typed: set[int] = set()

    def _print(self, expr, **kwargs):
        if not kwargs and self.typed and isinstance(expr, sympy.Basic):
            typed = self.typed.get(expr)
            if typed is not None and typed is not expr:
                self._as_typed.add(id(typed))
                return super()._print(typed)
        return super()._print(expr, **kwargs)

    def _as_ordered_terms(self, expr, order=None):
        if id(expr) in self._as_typed:
            return list(expr.args)
        return super()._as_ordered_terms(expr, order=order)

    def _element(self, tag: str, text: str | None = None, *children):
        node = self.dom.createElement(tag)
        if text is not None:
            node.appendChild(self.dom.createTextNode(text))
        for child in children:
            node.appendChild(child)
        return node

    def _print_Mul(self, expr):
        if id(expr) not in self._as_typed:
            return super()._print_Mul(expr)
        row = self._element("mrow")
        args = list(expr.args)
        if args and args[0] == -1:
            row.appendChild(self._element("mo", "-"))
            args = args[1:]
        for i, arg in enumerate(args):
            if i:
                row.appendChild(self._element("mo", "&InvisibleTimes;"))
            row.appendChild(self.parenthesize(arg, PRECEDENCE["Mul"], strict=False))
        return row

    def _named(self, name: str, *args):
        return self._element("mrow", None, self._element("mi", name),
                             self._paren_comma_separated(*args))  # fmt: skip

    def _print_sigmoid(self, expr):
        return self._named("σ", *expr.args)

    def _print_Heaviside(self, expr):
        return self._named("H", expr.args[0])

    def _print_DiracDelta(self, expr):
        return self._named("δ", *expr.args)

    def _primed(self, inner, count: int):
        name = self._print(inner.func) if hasattr(inner.func, "name") else None
        head = name if name is not None else self._element("mi", str(inner.func))
        mark = "'" * count if count <= 3 else f"({count})"
        return self._element("msup", None, head, self._element("mo", mark))

    def _print_Derivative(self, expr):
        parts = _derivative_parts(expr)
        if parts is None:
            return super()._print_Derivative(expr)
        inner, count = parts
        return self._element("mrow", None, self._primed(inner, count),
                             self._paren_comma_separated(*inner.args))  # fmt: skip

    def _print_Subs(self, expr):
        parts = _derivative_at(expr)
        if parts is None:
            return super()._print_Subs(expr)
        inner, count, point = parts
        return self._element("mrow", None, self._primed(inner, count),
                             self._paren_comma_separated(point))  # fmt: skip

    def _print_Symbol(self, expr, style="plain"):
        # y′, y″: the letter italic with its primes (an <mi>y′</mi> would be set upright)
        name = expr.name
        primes = len(name) - len(name.rstrip("'"))
        if primes and name.rstrip("'"):
            base = super()._print_Symbol(sympy.Symbol(name.rstrip("'")), style)
            return self._element("msup", None, base, self._element("mo", "\u2032" * primes))
        return super()._print_Symbol(expr, style)

    def _print_UndefinedFunction(self, expr):
        return self._element("mi", str(expr))

    def doprint(self, expr) -> str:
        # SymPy's own doprint skips this class's _print for the whole expression (as typed)
        markup = self._print(expr).toxml()
        return markup.encode("ascii", "xmlcharrefreplace").decode()

    def text(self, expr: sympy.Basic) -> str:
        """The MathML of expr, without the <math> around it."""
        return clean(self.doprint(expr))


def clean(markup: str) -> str:
    """SymPy's MathML as the other formats write it: e not ⅇ, d not ⅆ, a real minus sign and
    primes."""
    markup = markup.replace("&amp;", "&")
    for entity, plain in (("&ExponentialE;", "e"), ("&dd;", "d"), ("&ImaginaryI;", "i")):
        markup = markup.replace(entity, plain)
    markup = markup.replace("<mo>-</mo>", MINUS).replace("<mo>'</mo>", f"<mo>{PRIME}</mo>")
    markup = _NEGATIVE.sub(MINUS + "<mn>", markup)  # a real minus before a number, as an <mo>
    # a function applied to its argument: sin⁡(x), never a product sin·(x) run together
    markup = _APPLIED.sub(lambda m: m.group(1) + APPLY + m.group(2), markup)
    # sin x in a formula: applied too, with a thin space (MathML Core adds none)
    markup = _BARE.sub(lambda m: m.group(1) + APPLY + THIN + m.group(2), markup)
    # 2x sin(x): a thin space before a named function in a product, or it reads 2xsin(x)
    markup = _NAMED_AFTER.sub(lambda m: m.group(1) + THIN + m.group(2), markup)
    return markup.replace("'", PRIME)


THIN = '<mspace width="0.1667em"></mspace>'
# a named function (two letters or more) followed at once by a plain argument: \cos x
_FUNCTION_NAMES = (
    r"(?:sin|cos|tan|cot|sec|csc|sinh|cosh|tanh|coth|sech|csch|arcsin|arccos|arctan|arccot|"
    r"arcsec|arccsc|arsinh|arcosh|artanh|arcoth|arsech|arcsch|ln|log|exp|sign|erf|max|min)"
)
# a function's name (never a variable's: <msup><mi>rate</mi><mn>2</mn>) before a plain argument
_BARE = re.compile(
    rf"(?<!<msup>)(?<!<msup><mrow>)(<mi>{_FUNCTION_NAMES}</mi>|<msup>(?:<mrow>)?<mi>"
    rf"{_FUNCTION_NAMES}</mi>(?:</mrow>)?<mo>[^<]*</mo></msup>)(<mi>|<mn>)"
)
_NAMED_AFTER = re.compile(
    r"(<mo>&InvisibleTimes;</mo>|<mo>&#x2062;</mo>)((?:<mrow>|<msup><mrow>)*<mi>"
    + _FUNCTION_NAMES
    + r"</mi>)"
)


APPLY = "<mo>&#x2061;</mo>"  # U+2061 FUNCTION APPLICATION
_NEGATIVE = re.compile(r"<mn>[-\u2212]")
# a name (or a primed name) followed at once by its bracketed argument: nothing between them
# means application (a product has &InvisibleTimes; there)
_APPLIED = re.compile(
    r"(<mi>[^<]+</mi>|<mi>[^<]+</mi><mo>[^<]*</mo></msup>|</msup>)"
    r"(<mrow><mo(?: [^>]*)?>\()"
)


def signs(markup: str) -> str:
    """The leading minus signs a built form marks with a bare - or −, as <mo>."""
    return _SIGN_MARK.sub(lambda m: m.group(1) + MINUS, markup)


def math(inner: str, block: bool = False) -> str:
    inner = _PREFIX.sub(r'\1<mo form="prefix">&#x2212;</mo>', inner)
    inner = _BARE.sub(lambda m: m.group(1) + APPLY + THIN + m.group(2), inner)  # cos x
    inner = _NAMED_AFTER.sub(lambda m: m.group(1) + THIN + m.group(2), inner)  # 2x sin(x)
    return f'<math display="{"block" if block else "inline"}">{fences(inner)}</math>'


# a minus that opens a bracket, a side or a row is a sign, spaced as one: (−2x), = −sin(v)
_PREFIX = re.compile(r"(^|<mrow>|<mo(?: [^>]*)?>[(=]</mo>)<mo>&#x2212;</mo>")


def answer(inner: str) -> str:
    """The answer, highlighted in a box (MathML's own menclose is not drawn by every browser)."""
    return f'<span class="answer">{math(inner)}</span>'


_FENCE = re.compile(r"<mo>([()\[\]])</mo>")


def fences(markup: str) -> str:
    """Brackets around nothing taller than a line made not stretchy: a stretchy bracket may be
    drawn with a wide variant glyph ( u ) where a plain one fits."""
    found = list(_FENCE.finditer(markup))
    flat: set[int] = set()
    opened: list[re.Match] = []
    for match in found:
        if match.group(1) in "([":
            opened.append(match)
        elif opened:
            start = opened.pop()
            inside = markup[start.end() : match.start()]
            if "<mfrac" not in inside and "<mtable" not in inside:
                flat |= {start.start(), match.start()}
    if not flat:
        return markup
    out, last = [], 0
    for match in found:
        if match.start() in flat:
            out += [markup[last : match.start()], f'<mo stretchy="false">{match.group(1)}</mo>']
            last = match.end()
    return "".join(out) + markup[last:]


def mi(name: str) -> str:
    return f"<mi>{html.escape(name)}</mi>"


def mo(op: str) -> str:
    return f"<mo>{html.escape(op)}</mo>"


def mrow(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def frac(top: str, bottom: str) -> str:
    return f"<mfrac>{mrow(top)}{mrow(bottom)}</mfrac>"


def paren(inner: str) -> str:
    return mrow(mo("("), inner, mo(")"))


def primed(inner: str) -> str:
    return f"<msup>{mrow(inner)}<mo>{PRIME}</mo></msup>"


def symbol_math(name: str, printer: MathPrinter) -> str:
    """A value's name (y, y', f) as MathML."""
    if name.isidentifier():
        return printer.text(sympy.Symbol(name))
    base = name.rstrip("'")
    shown = printer.text(sympy.Symbol(base)) if base.isidentifier() else mi(base)
    count = len(name) - len(base)
    return f"<msup>{shown}<mo>{PRIME * count}</mo></msup>" if count else shown


def leibniz(value: str | None, var, printer: MathPrinter, order: int = 1, d: str = "d") -> str:
    """dy/dx as a fraction; d/dx when the value has no name; ∂ with d="∂"."""
    x = printer.text(var)
    op = mi(d)
    if order == 1:
        bottom = mrow(op, x)
        top = mrow(op, symbol_math(value, printer)) if value and value.isidentifier() else op
        return frac(top, bottom)
    n = f"<mn>{order}</mn>"
    top = mrow(f"<msup>{op}{n}</msup>", symbol_math(value or "", printer))
    return frac(top, mrow(op, f"<msup>{x}{n}</msup>"))


def built_mathml(expr: sympy.Basic, printer: MathPrinter, d: str | None = None) -> str:
    """A rule's form as built, f'·g + f·g' (the printing module's `_built`), in MathML; with
    d="∂", ∂/∂x (…) instead of a prime."""

    def show(e):
        if isinstance(e, sympy.Expr) and (e.is_Mul or e.is_Number) and e.could_extract_minus_sign():
            return "-" + printer.text(-e)  # the sign as _built expects it: leading
        return printer.text(e)

    def power(base, exponent, b):
        shown = show(b)
        if not b.is_Atom:
            shown = paren(shown)
        return f"<msup>{mrow(shown)}{mrow(exponent)}</msup>"

    operator = None
    if d is not None:
        operator = lambda t, var: frac(mi(d), mrow(mi(d), var)) + t  # noqa: E731
    notation = _Built(
        show, "<mo>+</mo>", MINUS, TIMES, lambda t, b, *_: frac(signs(t), signs(b)),
        lambda t: paren(signs(t)), primed, power, operator,
        lambda t, var: frac(mi("d"), mrow(mi("d"), var)) + t,
    )  # fmt: skip
    return signs(_built(expr, notation))


# ---- the formulas of the rules (a little LaTeX, as MathML) ---------------------------------------

_TEX_TOKEN = re.compile(
    r"\\(?:text|operatorname)\{[^}]*\}|\\[A-Za-z]+|\\.|[A-Za-z]|\d+(?:\.\d+)?|\S"
)
_TEX_NAMES = {
    "ln", "sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "coth", "arcsin",
    "arccos", "arctan", "max", "min", "log", "exp",
}  # fmt: skip
_TEX_SYMBOLS = {
    "sigma": "σ", "delta": "δ", "pi": "π", "partial": "∂", "cdot": "·", "Rightarrow": "⇒",
    "neq": "≠", "sum": "∑", "infty": "∞", "approx": "≈",
}  # fmt: skip


def tex_mathml(tex: str) -> str:
    """The few LaTeX constructs of formulas.FORMULAS as MathML: \\frac, \\sqrt, ^, _, ',
    \\left( \\right), \\operatorname, \\text, function names and a few symbols."""
    tokens = _TEX_TOKEN.findall(tex)
    pos = 0

    def group() -> str:
        nonlocal pos
        if pos < len(tokens) and tokens[pos] == "{":
            pos += 1
            inner = sequence("}")
            pos += 1
            return mrow(inner)
        return atom()

    def atom() -> str:
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token.startswith("\\"):
            name = token[1:]
            if name == "frac":
                top = group()
                return f"<mfrac>{top}{group()}</mfrac>"
            if name == "sqrt":
                return f"<msqrt>{group()}</msqrt>"
            if name in ("left", "right"):
                return mo(tokens_next())
            if name.startswith("operatorname{"):
                return mi(name[len("operatorname{") : -1])
            if name.startswith("text{"):
                return f"<mtext>{html.escape(name[len('text{') : -1])}</mtext>"
            if name in _TEX_NAMES:
                return mi(name)
            if name in _TEX_SYMBOLS:
                shown = _TEX_SYMBOLS[name]
                return mo(shown) if name in ("cdot", "Rightarrow", "neq", "sum") else mi(shown)
            if name in (" ", ",", ";", "quad"):
                return '<mspace width="0.5em"></mspace>'
            return mi(name)
        if token.isdigit() or token[0].isdigit():
            return f"<mn>{token}</mn>"
        if token.isalpha():
            return mi(token)
        return mo("−" if token == "-" else token)

    def tokens_next() -> str:
        nonlocal pos
        token = tokens[pos]
        pos += 1
        return token

    def sequence(stop: str | None) -> str:
        nonlocal pos
        out: list[str] = []
        while pos < len(tokens) and tokens[pos] != stop:
            token = tokens[pos]
            if token == "^" and out:
                pos += 1
                out[-1] = f"<msup>{mrow(out[-1])}{group()}</msup>"
            elif token == "_" and out:
                pos += 1
                out[-1] = f"<msub>{mrow(out[-1])}{group()}</msub>"
            elif token == "'" and out:
                pos += 1
                out[-1] = f"<msup>{mrow(out[-1])}<mo>{PRIME}</mo></msup>"
            else:
                out.append(atom())
        return "".join(out)

    return mrow(sequence(None))


# ---- the page --------------------------------------------------------------------------------


def _number(value) -> sympy.Expr:
    """A point's value given as a Python number (parse_point gives SymPy ones): never text."""
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def page(title: str, body: str, lang: str = "en") -> str:
    """A whole HTML document around a body: its own small stylesheet, nothing loaded."""
    code = "zh-Hans" if lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="generator" content="chainrule">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    )


def page_body(document: str) -> str:
    """What a page (page()) holds inside its <main>."""
    found = re.search(r"<main>\n(.*)</main>", document, re.S)
    return found.group(1) if found else ""


def steps_of_problem(body: str, number: int) -> str:
    """A derivation's body as problem `number` of a page of several: its step anchors its own
    (p2-step-1), so that the problems' links never cross."""
    return body.replace(' id="step-', f' id="p{number}-step-').replace(
        'href="#step-', f'href="#p{number}-step-'
    )


def merge(documents: list[str], lang: str = "en") -> str:
    """Several pages (a batch) as one: their bodies in order, each a section."""
    bodies, title = [], "chainrule"
    for number, document in enumerate(documents, start=1):
        body = page_body(document)
        if len(documents) > 1:  # a problem set: each problem headed by its number
            body = re.sub(r"<h1([^>]*)>", rf'<h1\1><span class="num">{number}.</span> ', body,
                          count=1)  # fmt: skip
            body = steps_of_problem(body, number)
        bodies.append(f'<section id="problem-{number}">\n{body}</section>\n<hr>\n')
        named = re.search(r"<title>(.*?)</title>", document, re.S)
        if named and title == "chainrule":
            title = html.unescape(named.group(1))
    if len(documents) > 1:  # the tab names the set, not only its first problem
        title = messages.word("ui.and_more", lang, title=title, count=len(documents) - 1)
    return page(title, "".join(bodies), lang)


class Html:
    """The pieces one rendering shares: the printer, the words, mixed text and mathematics."""

    def __init__(self, lang: str = "en", typed: dict | None = None, d: str = "d") -> None:
        messages.check_language(lang)
        self.lang = lang
        self.printer = MathPrinter(typed)
        self.unicode = UnicodePrinter()
        self.unicode.typed = typed or {}
        self.d = d

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def m(self, expr, block: bool = False) -> str:
        """An expression as a <math> element."""
        return math(self.printer.text(expr), block)

    def t(self, expr) -> str:
        """An expression's MathML without <math> around it."""
        return self.printer.text(expr)

    def mixed(self, key: str, **pieces: str) -> str:
        """A catalog phrase with <math> (or other markup) in its fields, the words escaped."""
        marks = {f"\x02{name}\x03": value for name, value in pieces.items()}
        words = self.word(key, **{name: f"\x02{name}\x03" for name in pieces})
        out = []
        for part in re.split("(\x02[^\x03]*\x03)", words):
            out.append(marks[part] if part in marks else escape(part))
        return "".join(out)

    def marked(self, text: str) -> str:
        """Text whose mathematics is marked \\x00…\\x01 (already markup): the words escaped."""
        out = []
        for i, part in enumerate(_MARK.split(text)):
            out.append(part if i % 2 else escape(part))
        return "".join(out)

    def mark(self, expr) -> str:
        """An expression for a sentence built from the catalog, to be split by `marked`."""
        return "\x00" + self.m(expr) + "\x01"

    def why(self, key: str | None) -> str:
        """A reason's words (the catalog's, or the rewrites' own)."""
        if not key:
            return ""
        full = key if "." in key else f"why.{key}"
        try:
            return self.word(full)
        except KeyError:
            from chainrule_cli.calculus import forms

            words = getattr(forms, "WHY", {}).get(full.removeprefix("why."))
            if words:
                return words[1] if self.lang == "zh" else words[0]
            return key.replace("_", " ")

    def point(self, point: dict) -> str:
        return ", ".join(
            math(
                self.t(k) + mo("=") + self.t(v if isinstance(v, sympy.Basic) else _number(v))
            )  # fmt: skip
            for k, v in point.items()
        )

    def verdict(self, ok: bool, good: str, bad: str) -> str:
        mark, cls = ("✓", "ok") if ok else ("✗", "bad")
        return f'<p class="verdict {cls}">{mark} {escape(good if ok else bad)}</p>\n'


def _width(text: str) -> int:
    return len(text)


class DerivationHtml(Html):
    """One derivation: the task, the steps as nested <details>, the result, the verdict."""

    def __init__(self, derivation: S.Derivation, lang: str = "en", at: dict | None = None,
                 partial: bool = False) -> None:  # fmt: skip
        super().__init__(lang, derivation.typed, "∂" if partial else "d")
        self.derivation = derivation
        self.at = at
        self.outline: Outline = outline(derivation, lang)
        self.sentences = Outliner(derivation, lang, self.mark)
        self.part_names: dict[int, str] = {}
        self.root_d = "∂" if self.outline.steps[0].partial else self.d

    # ---- the task --------------------------------------------------------------------------
    def given(self) -> str:
        o = self.outline
        if o.equation is not None:
            return math(self.t(o.equation[0]) + mo("=") + self.t(o.equation[1]))
        return math(self.t(o.label) + mo("=") + self.t(o.expr))

    def task(self) -> str:
        d = self.derivation
        var = self.m(d.var)
        if self.outline.equation is not None:
            key = "ui.implicit_task" if d.order == 1 else "ui.implicit_task_order"
            y = self.t(d.dependent)
            function = math(y + mo("=") + y + paren(self.t(d.var)))
            return self.mixed(key, equation=self.given(), var=var, function=function,
                              order=escape(str(d.order)))  # fmt: skip
        key = "ui.task" if d.order == 1 else "ui.task_order"
        return self.mixed(key, expr=self.given(), var=var, order=escape(str(d.order)))

    def task_text(self) -> str:
        """The task as plain text, for the page's title."""
        d = self.derivation
        u = self.unicode.doprint
        o = self.outline
        if o.equation is not None:
            return f"{u(o.equation[0])} = {u(o.equation[1])}"
        return self.word("ui.task", expr=f"{u(o.label)} = {u(o.expr)}", var=u(d.var))

    # ---- one step ----------------------------------------------------------------------------
    def lhs(self, view: StepView) -> str:
        step = view.step
        d = "∂" if view.partial else self.d
        if view.value and view.value.isidentifier():
            return leibniz(view.value, step.var, self.printer, step.order, d)
        if view.value:  # y', y'' in a higher derivative
            return leibniz(None, step.var, self.printer, d=d) + symbol_math(
                view.value, self.printer
            )
        part = self.part_names.get(id(step))
        if part is not None:
            return primed(symbol_math(part, self.printer))
        return leibniz(None, step.var, self.printer, d=d) + paren(self.t(view.expr))

    def side(self, side) -> str:
        if isinstance(side, Applied):
            return leibniz(None, side.var, self.printer, d=self.d) + paren(self.t(side.expr))
        return self.t(side)

    def forms(self, view: StepView) -> list[tuple[str, int, str]]:
        """The forms the step's derivative takes: (MathML, about how wide, reason)."""
        step = view.step
        u = self.unicode.doprint
        if view.worked:
            out = []
            if isinstance(step, S.ChainStep):  # dy/du · du/dx, then the product worked
                out = self.forms(dataclasses.replace(view, worked=()))[:-1]
            d = "∂" if view.partial or self.d == "∂" else None
            lead = not out  # the first form is said by the rule's name
            out += [
                (built_mathml(f.expr, self.printer, d),
                 _width(built_text(f.expr, self.unicode, d)),
                 "" if i == 0 and lead else self.why(f.why))
                for i, f in enumerate(view.worked)
            ]  # fmt: skip
            # a form far wider than the page's column is left out (MathML does not break
            # lines): the result follows
            fit = [form for form in out if form[1] <= 2 * ROW_CHARS]
            settled = view.settled and len(fit) == len(out)
            out = fit
            if not settled:
                out.append((self.t(view.result), _width(u(view.result)), self.why(view.why)))
            return out
        out = []
        d = "∂" if view.partial else self.d
        if isinstance(step, S.ChainStep) and view.lets:  # (none: d/dx y² = 2y·y′, said once)
            name = str(step.intermediate)
            du_dx = leibniz(name, step.var, self.printer, d=d)
            if view.value and view.value.isidentifier():
                first = leibniz(view.value, step.intermediate, self.printer, d=d)
            else:
                first = leibniz(None, step.intermediate, self.printer, d=d) + paren(
                    self.t(step.outer)
                )
            out.append((first + TIMES + du_dx, 12, ""))
            if view.via is not None:
                out.append((self.t(view.via), _width(u(view.via)), ""))
            if view.times is not None:
                out.append((self.t(view.result) + TIMES + du_dx, _width(u(view.result)) + 6, ""))
            else:
                out.append((self.t(view.result), _width(u(view.result)), ""))
            return out
        paths = getattr(step, "paths", ())
        if paths:
            terms = []
            for path in paths:
                names = [view.value or "y", *(str(n) for n in path.via), str(step.var)]
                edges = zip(names, names[1:], strict=False)
                terms.append(TIMES.join(
                    leibniz(a, sympy.Symbol(b), self.printer, d=_edge_d(view, a, self.d))
                    for a, b in edges
                ))  # fmt: skip
            out.append(("<mo>+</mo>".join(terms), 12 * len(terms), ""))
            products = [self.t(p.product) for p in paths]
            out.append(("<mo>+</mo>".join(products), sum(_width(u(p.product)) for p in paths), ""))
        elif view.via is not None:
            out.append((self.t(view.via), _width(u(view.via)), ""))
        out.append((self.t(view.result), _width(u(view.result)), self.why(view.why)))
        return out

    def chain(self, lhs: str, forms: list[tuple[str, int, str]]) -> str:
        """lhs = form = form …, a new row for each reason and when a row is full."""
        rows: list[tuple[list[str], str]] = []
        used = 0
        for markup, size, why in forms:
            if rows and not why and not rows[-1][1] and used + size <= ROW_CHARS:
                rows[-1][0].append(markup)
                used += size + 3
                continue
            rows.append(([markup], why))
            used = size + 6
        out = []
        for i, (pieces, why) in enumerate(rows):
            body = mo("=") + mo("=").join(pieces)
            lead = lhs if i == 0 else ""
            said = f'<span class="why">{escape(why)}</span>' if why else ""
            cls = "row" if i == 0 else "row more"
            out.append(f'<div class="{cls}">{math(lead + body)}{said}</div>')
        return '<div class="chain">' + "".join(out) + "</div>\n"

    def name_parts(self, view: StepView):
        if id(view.step) in self.part_names:  # a part itself (the quotient's f): its own f, g
            return view.parts  # would be read as the outer rule's, so its sub-steps are not named
        for name, value in view.parts:
            for child in view.step.substeps:
                if child.expr == value and id(child) not in self.part_names:
                    self.part_names[id(child)] = name
                    break
        return view.parts

    def summary(self, view: StepView) -> str:
        head = (f'<span class="num">{view.number}.</span> '
                f'<span class="rule">{escape(view.name)}</span>')  # fmt: skip
        if view.see is not None:
            link = escape(self.word("ui.see_step", number=view.see))
            return head + f'<a href="#step-{view.see}">{link}</a>'
        latex = rule_formula(view)[1]
        if latex:
            head += f'<span class="formula">{math(tex_mathml(latex))}</span>'
        return head

    def body(self, view: StepView) -> str:
        """What a step says before its sub-steps: its parts, names, sentence."""
        out = []
        parts = self.name_parts(view)
        if parts:
            named = ", ".join(
                math(symbol_math(n, self.printer) + mo("=") + self.t(v)) for n, v in parts
            )
            out.append(f'<p><span class="let">{escape(self.word("ui.with"))}</span> {named}</p>')
        if view.lets:
            names = ", ".join(math(self.t(n) + mo("=") + self.t(v)) for n, v in view.lets)
            out.append(f'<p><span class="let">{escape(self.word("ui.let"))}</span> {names}</p>')
        if view.outer is not None:
            named_value = view.value and view.value.isidentifier()
            left = symbol_math(view.value, self.printer) if named_value else self.t(view.expr)
            out.append(f"<p>{math(left + mo('=') + self.t(view.outer))}</p>")
        if view.note:
            sentence = self.marked(self.sentences.note(view.step))
            out.append(f'<p class="note">{sentence}</p>')
        out.extend(self.equation(e) for e in view.equations[:1])  # d/dx (F) = d/dx (G)
        return "\n".join(out)

    def equation(self, equation) -> str:
        said = self.why(equation.why)
        line = math(self.side(equation.left) + mo("=") + self.side(equation.right))
        why = f'<span class="why">{escape(said)}</span>' if said else ""
        return f'<div class="chain"><div class="row">{line}{why}</div></div>'

    def combination(self, view: StepView) -> str:
        """What a step says after its sub-steps: the chain that combines their results."""
        forms = self.forms(view)
        if view.after:
            forms += [(self.side(e.right), 20, self.why(e.why)) for e in view.after]
        said = "".join(self.equation(e) + "\n" for e in view.equations[1:])  # what the sides give
        return said + self.chain(self.lhs(view), forms)

    def steps(self) -> str:
        """Top-down, as a worked solution reads: a step's rule and parts, its sub-steps, then
        the line that combines their results."""

        def split(view: StepView) -> tuple[str, str]:
            body = self.body(view)
            opening = (f'<details open class="step" id="step-{view.number}">'
                       f"<summary>{self.summary(view)}</summary>\n"
                       f'<div class="body">\n' + (body + "\n" if body else ""))  # fmt: skip
            return opening, self.combination(view) + "</div></details>\n"

        return "".join(top_down(self.outline.steps, split))

    # ---- the answer ------------------------------------------------------------------------
    def result(self) -> str:
        d = self.derivation
        o = self.outline
        dydx = leibniz(o.value, d.var, self.printer, d.order, self.root_d)
        forms = []
        if d.simplify:
            forms.append((self.t(d.root.result), 0, ""))
            forms += [(self.t(r.after), 0, self.why(r.why)) for r in d.simplify]
        else:
            forms.append((self.t(o.result), 0, ""))
        rows = []
        for i, (markup, _, why) in enumerate(forms):
            lead = dydx if i == 0 else ""
            if i == len(forms) - 1:  # the answer, boxed
                shown = math(lead + mo("=")) + " " + answer(markup)
            else:
                shown = math(lead + mo("=") + markup)
            said = f'<span class="why">{escape(why)}</span>' if why else ""
            rows.append(f'<div class="row{"" if i == 0 else " more"}">{shown}{said}</div>')
        out = [f"<h2>{escape(self.word('ui.result'))}</h2>",
               '<div class="result chain">' + "".join(rows) + "</div>"]  # fmt: skip
        if o.named:
            out.append(f'<p class="note">({escape(self.word("ui.named"))})</p>')
        if d.in_terms_of is not None:
            named = math(self.t(d.in_terms_of.name) + mo("=") + self.t(o.expr))
            intro = self.mixed("ui.in_terms_of", named=named)
            short = leibniz(o.value, d.var, self.printer, d=self.root_d)
            out.append(f"<p>{intro} {math(short + mo('=') + self.t(d.in_terms_of.result))}</p>")
        if self.at is not None:
            out.append(self.value(self.at))
        return "\n".join(out) + "\n"

    def value(self, at: dict) -> str:
        point = ", ".join(f"{self.unicode.doprint(k)} = {self.unicode.doprint(v)}"
                          for k, v in at["point"].items())  # fmt: skip
        intro = self.mixed("ui.value", point=self.point(at["point"]))
        exact = at["exact"]
        if exact.has(sympy.zoo, sympy.nan):
            shown = escape(self.word(undefined_key(at), point=point))
        else:
            shown = self.m(exact)
            if at.get("decimal") is not None and not exact.is_Integer:
                shown += " " + math(mo("≈") + f"<mn>{escape(_decimal(at['decimal']))}</mn>")
        return f'<p class="value">{intro}: <span class="answer">{shown}</span></p>'

    def verdict_line(self) -> str:
        numbers = ", ".join(str(n) for n in self.outline.failures)
        return self.verdict(self.derivation.verified, self.word("ui.verified"),
                            self.word("ui.not_verified", numbers=numbers))  # fmt: skip

    def render(self, heading: str = "h1", verdict: bool = True) -> str:
        """The derivation as a fragment of a page."""
        out = [f"<{heading}>{self.task()}</{heading}>\n", self.steps(), self.result()]
        if verdict:
            out.append(self.verdict_line())
        return "".join(out)


def _edge_d(view: StepView, parent: str, default: str) -> str:
    definition = {str(n): v for n, v in view.step.lets}
    expr = definition.get(parent, view.step.written)
    return "∂" if len(expr.free_symbols) > 1 else default


def _decimal(value) -> str:
    return approx(value)


def _title(fragment: str) -> str:
    """A page title from a heading fragment: its text without the markup."""
    found = re.search(r"<h1>(.*?)</h1>", fragment, re.S)
    text = found.group(1) if found else "chainrule"
    text = re.sub(r"<math[^>]*>.*?</math>", "…", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip() or "chainrule"


# ---- one derivation ------------------------------------------------------------------------------


def render_html(derivation: S.Derivation, lang: str = "en", at: dict | None = None) -> str:
    """A derivation as one whole HTML page."""
    renderer = DerivationHtml(derivation, lang, at)
    return page(renderer.task_text(), renderer.render(), lang)


# ---- a gradient ----------------------------------------------------------------------------------


def render_gradient_html(gradient: S.Gradient, lang: str = "en", at: dict | None = None) -> str:
    """Each partial derivation (∂), then ∇y boxed, its value, the verdict."""
    typed = (gradient.partials[0].typed if gradient.partials else None) or {}
    h = Html(lang, typed, "∂")
    y = outline(gradient.partials[0], lang).value
    y_math = symbol_math(y, h.printer)
    names = ", ".join(h.m(v) for v in gradient.vars)
    task = h.mixed("ui.gradient_task", expr=math(y_math + mo("=") + h.t(gradient.expr)),
                   vars=names)  # fmt: skip
    out = [f"<h1>{task}</h1>\n"]
    for var, derivation in zip(gradient.vars, gradient.partials, strict=True):
        renderer = DerivationHtml(derivation, lang, partial=True)
        heading = math(leibniz(y, var, h.printer, d="∂"))
        out.append(f"<section>\n<h2>{heading}</h2>\n")
        out.append(renderer.render(heading="h3", verdict=False).replace("<h2>", "<h3>")
                   .replace("</h2>", "</h3>") + "</section>\n")  # fmt: skip
    out.append(f"<h2>{escape(h.word('ui.gradient'))}</h2>\n")
    partials = mo(",").join(leibniz(y, v, h.printer, d="∂") for v in gradient.vars)
    vector = mo(",").join(h.t(e) for e in gradient.vector)
    nabla = mrow(mo("∇"), y_math)
    shown = math(nabla + mo("=") + paren(partials) + mo("=")) + " " + answer(paren(vector))
    out.append(f'<div class="result">{shown}</div>\n')
    if at is not None:
        where = ", ".join(f"{k} = {v}" for k, v in at["point"].items())
        said = escape(h.word(undefined_key(at), point=where))
        values = [said if e.has(sympy.nan, sympy.zoo) else h.m(e) for e in at["exact"]]
        intro = h.mixed("ui.value", point=h.point(at["point"]))
        shown = "(" + ", ".join(values) + ")"
        decimals = at.get("decimal")
        if decimals and None not in decimals and not all(e.is_Integer for e in at["exact"]):
            shown += " ≈ (" + ", ".join(_decimal(v) for v in decimals) + ")"
        out.append(f'<p class="value">{intro}: <span class="answer">{shown}</span></p>\n')
    failed = [str(v) for v, d in zip(gradient.vars, gradient.partials, strict=True)
              if not d.verified]  # fmt: skip
    out.append(
        h.verdict(
            gradient.verified,
            h.word("ui.verified"),
            h.word("ui.not_verified", numbers="∂/∂" + ", ∂/∂".join(failed)),
        )
    )
    return page(_title(out[0]), "".join(out), lang)


# ---- a Jacobian ----------------------------------------------------------------------------------


def matrix_mathml(matrix: sympy.Matrix, h: Html, undefined: str = "") -> str:
    """A matrix as an <mtable> between parentheses."""
    rows = []
    for i in range(matrix.rows):
        cells = []
        for j in range(matrix.cols):
            value = matrix[i, j]
            if undefined and value.has(sympy.nan, sympy.zoo):
                cell = f"<mtext>{escape(undefined)}</mtext>"
            else:
                cell = h.t(value)
            cells.append(f"<mtd>{cell}</mtd>")
        rows.append("<mtr>" + "".join(cells) + "</mtr>")
    return mrow(mo("("), "<mtable>" + "".join(rows) + "</mtable>", mo(")"))


def _sub(name: str, h: Html, wrt) -> str:
    """J_f(u, v): a Jacobian's name with its variables."""
    args = mo(",").join(h.t(x) for x in wrt)
    return f"<msub>{mi('J')}{mi(name)}</msub>" + paren(args)


def render_jacobian_html(jac: S.Jacobian, lang: str = "en", at: dict | None = None,
                         detail: str = "full") -> str:  # fmt: skip
    h = Html(lang)
    outputs = math(paren(mo(",").join(h.t(f) for f in jac.written)))
    names = math(paren(mo(",").join(h.t(x) for x in jac.wrt)))
    out = [f"<h1>{h.mixed('ui.jacobian_task', outputs=outputs, vars=names)}</h1>\n"]
    if detail != "brief":
        for i, row in enumerate(jac.entries, start=1):
            for j, derivation in enumerate(row, start=1):
                renderer = DerivationHtml(derivation, lang, partial=len(jac.wrt) > 1)
                out.append(f"<section>\n<h2>{escape(h.word('ui.entry', row=i, col=j))}</h2>\n")
                body = renderer.render(heading="h3", verdict=False)
                out.append(body.replace("<h2>", "<h3>").replace("</h2>", "</h3>") + "</section>\n")
    out.append(f"<h2>{escape(h.word('ui.jacobian'))}</h2>\n")
    shown = math(mi("J") + mo("=")) + " " + answer(matrix_mathml(jac.matrix, h))
    out.append(f'<div class="result">{shown}</div>\n')
    if jac.factors:
        outer, inner = jac.factors
        out.append(f"<h3>{escape(h.word('ui.chain_of_matrices'))}</h3>\n")
        product = (
            mi("J")
            + mo("=")
            + _sub("f", h, outer.wrt)
            + TIMES
            + _sub("u", h, inner.wrt)
            + mo("=")
            + matrix_mathml(outer.matrix, h)
            + matrix_mathml(inner.matrix, h)
        )
        out.append(f'<div class="matrix">{math(product)}</div>\n')
        key = "ui.product_agrees" if jac.product_agrees else "ui.product_differs"
        out.append(h.verdict(jac.product_agrees, h.word(key), h.word(key)))
    if at is not None:
        intro = h.mixed("ui.value", point=h.point(at["point"]))
        out.append(f"<h3>{intro}</h3>\n")
        undefined = h.word("ui.undefined")
        shown = mi("J") + mo("=") + matrix_mathml(at["matrix"], h, undefined)
        if at.get("factors"):
            shown += mo("=") + "".join(matrix_mathml(m, h, undefined) for m in at["factors"])
        out.append(f'<div class="matrix">{math(shown)}</div>\n')
    out.append(h.verdict(jac.verified, h.word("ui.verified"),
                         h.word("ui.not_verified", numbers="J")))  # fmt: skip
    return page(_title(out[0]), "".join(out), lang)


# ---- a checked answer ----------------------------------------------------------------------------


def render_check_html(check, lang: str = "en") -> str:
    """The question, the verdict and why; for a wrong answer, the correct derivation."""
    from chainrule_cli.render.check import MARK, answer_shown, sentences

    typed = getattr(check.expected, "typed", None) or {}
    h = Html(lang, typed)
    view = outline(check.expected, "en")
    y = view.value or "y"
    if view.equation is not None:
        given = math(h.t(view.equation[0]) + mo("=") + h.t(view.equation[1]))
    else:
        given = math(h.t(view.label) + mo("=") + h.t(check.expr))
    key = "ui.check_task" if check.order == 1 else "ui.check_task_order"
    d_of = lambda n: leibniz(y, check.var, h.printer, n)  # noqa: E731
    shown = math(answer_shown(check, h.t, d_of, equals=mo("=")))
    task = h.mixed(key, answer=shown, expr=given, var=h.m(check.var),
                   order=escape(str(check.order)))  # fmt: skip
    out = [f"<h1>{task}</h1>\n"]
    ok = check.verdict == "correct"
    cls = "ok" if ok else "bad"
    verdict = f"{MARK[check.verdict]} {h.word('ui.' + check.verdict)}"
    out.append(f'<p class="verdict {cls}">{escape(verdict)}</p>\n')
    d = lambda n: "\x00" + math(d_of(n)) + "\x01"  # noqa: E731
    for text, style in sentences(check, lang, h.mark, d):
        cls = ' class="note"' if style else ""
        out.append(f"<p{cls}>{h.marked(text)}</p>\n")
    if not ok:
        out.append(f"<h2>{escape(h.word('ui.correct_derivation'))}</h2>\n")
        renderer = DerivationHtml(check.expected, lang)
        body = renderer.render(heading="h3")
        out.append(body.replace("<h2>", "<h3>").replace("</h2>", "</h3>"))
    return page(_title(out[0]), "".join(out), lang)


# ---- a computational graph -----------------------------------------------------------------------


def diagram(picture: str | None) -> str:
    """The graph as drawn by Graphviz (SVG text, drawn by the api), inline; "" without one."""
    return inline_svg(picture) if picture else ""


def inline_svg(svg: str) -> str:
    """Graphviz's SVG fit to stand inside HTML: no XML declaration, no DOCTYPE (with its DTD's
    address), no namespace declarations (HTML puts <svg> in its namespace itself), no script."""
    start = svg.find("<svg")
    if start < 0:
        return ""
    svg = svg[start:]
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S | re.I)
    svg = re.sub(r'\s(?:xlink:)?href="[^"#][^"]*"', "", svg)
    return f'<div class="diagram">{svg.strip()}</div>\n'


def _bar(name, h: Html) -> str:
    return f'<mover accent="true">{h.t(name)}<mo>&#xAF;</mo></mover>'


def _partial(top, bottom, h: Html) -> str:
    return frac(mrow(mi("∂"), h.t(top)), mrow(mi("∂"), h.t(bottom)))


def _recurrence(adjoint, h: Html) -> str:
    """n̄ = c̄·∂c/∂n + …, each local derivative written out."""
    terms = []
    for use, local in adjoint.terms:
        upstream = _bar(use, h)
        if local == 1:
            terms.append(upstream)
        elif local == -1:
            terms.append("-" + upstream)
        else:
            shown = h.t(local)
            if not (local.is_Atom or isinstance(local, sympy.Function)) or shown.startswith(
                "<mrow><mo>&#x2212;"
            ):
                shown = paren(shown)
            terms.append(upstream + TIMES + shown)
    out = ""
    for i, term in enumerate(terms):
        if term.startswith("-"):
            out += MINUS + term[1:]
        else:
            out += ("<mo>+</mo>" if i else "") + term
    return out


def render_graph_html(graph, lang: str = "en", at=None, picture: str | None = None) -> str:
    """The diagram, the forward pass and the backward pass as tables, the gradient."""
    from chainrule_cli.render.graph import _number, backward_order, small
    from chainrule_cli.render.translate import op_word

    h = Html(lang)
    y = h.t(graph.output)
    expr = math(y + mo("=") + h.t(graph.expr))
    if at is None:
        task = h.mixed("ui.graph_task", expr=expr)
    else:
        task = h.mixed("ui.graph_task_at", expr=expr, point=h.point(at.point))
    out = [f"<h1>{task}</h1>\n", diagram(picture)]

    def th(*cells: str) -> str:
        return "<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>"

    def words(key: str) -> str:
        return escape(h.word(key))

    operations = graph.operations
    if operations:
        out.append(f"<h2>{words('ui.forward')}</h2>\n<table>\n")
        head = [words("ui.col_node"), words("ui.col_computes"), words("ui.col_op")]
        if at is not None:
            head.append(words("ui.col_value"))
        out.append(th(*head) + "\n")
        for node in operations:
            cells = [f"<td>{h.m(node.name)}</td>", f"<td>{h.m(node.expr)}</td>",
                     f"<td>{escape(op_word(node.op, lang))}</td>"]  # fmt: skip
            if at is not None:
                cells.append(f'<td class="num">{escape(_number(at.values[node.name]))}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>\n")
        out.append("</table>\n")
    grad_head = words("ui.col_grad") + " " + math(_partial(graph.output, sympy.Symbol("n"), h))
    d_mark = "d" if len(graph.expr.free_symbols) <= 1 else "∂"
    if at is None:
        edges = [n for n in operations if n.local]
        if edges or graph.backward:
            out.append(f"<h2>{escape(h.word('ui.backward', y=str(graph.output)))}</h2>\n")
            out.append("<table>\n" + th(words("ui.col_node"), words("ui.col_local"), grad_head))
            adjoints = {a.node: a for a in graph.backward}
            for node in graph.nodes:
                adjoint = adjoints.get(node.name)
                local = ", ".join(math(_partial(node.name, i, h) + mo("=") + h.t(d))
                                  for i, d in node.local)  # fmt: skip
                grad = ""
                if adjoint is not None:
                    shown = _bar(node.name, h) + mo("=") + (_recurrence(adjoint, h) or "<mn>1</mn>")
                    if adjoint.written is not None and adjoint.terms:
                        shown += mo("=") + h.t(adjoint.written)
                    grad = math(shown)
                    uses = len(adjoint.terms)
                    if uses > 1:
                        grad += f' <span class="note">({escape(h.word("ui.used_twice", count=uses))})</span>'  # noqa: E501
                out.append(f"<tr><td>{h.m(node.name)}</td><td>{local}</td><td>{grad}</td></tr>\n")
            out.append("</table>\n")
        out.append(f"<h2>{words('ui.result')}</h2>\n")
        forms = graph.in_terms_of or tuple(None for _ in graph.wrt)
        for var, derivative, form in zip(graph.wrt, graph.derivatives, forms, strict=True):
            parts = [leibniz(str(graph.output), var, h.printer, d=d_mark)]
            adjoint = graph.adjoint(var)
            if adjoint is not None:
                parts.append(_bar(var, h))
                if adjoint.written is not None:
                    parts.append(h.t(adjoint.written))
            extra = ""
            if small(derivative):
                shown = h.t(derivative)
                if shown != parts[-1]:
                    parts.append(shown)
            else:
                extra = " " + words("ui.long")
            if form is not None:
                parts.append(h.t(form))
            shown = math(mo("=").join(parts[:-1]) + mo("=")) + " " + answer(parts[-1])
            out.append(f'<p class="result">{shown}{extra}</p>\n')
    else:
        out.append(f"<h2>{words('ui.backward_table')}</h2>\n<table>\n")
        out.append(th(words("ui.col_node"), words("ui.col_computes"), words("ui.col_value"),
                      grad_head, words("ui.col_via")) + "\n")  # fmt: skip
        for node, adjoint in backward_order(graph):
            computes = (words("ui.input") if node.op == "input"
                        else f"{h.m(node.expr)} ({escape(op_word(node.op, lang))})")  # fmt: skip
            undefined = h.word("ui.no_gradient") if adjoint is not None else "—"
            via = ""
            if adjoint is not None and adjoint.terms:
                numbers = " + ".join(
                    f"{_number(at.grads[c])}·{_paren(_number(at.locals[(c, node.name)]))}"
                    for c, _ in adjoint.terms
                )
                via = math(_recurrence(adjoint, h)) + " = " + escape(numbers)
            out.append(
                f"<tr><td>{h.m(node.name)}</td><td>{computes}</td>"
                f'<td class="num">{escape(_number(at.values[node.name]))}</td>'
                f'<td class="num">{escape(_number(at.grads[node.name], undefined))}</td>'
                f"<td>{via}</td></tr>\n"
            )
        out.append("</table>\n")
        out.append(f"<h2>{words('ui.result')}</h2>\n")
        value = escape(_number(at.values[graph.output]))
        out.append(f'<p class="result">{math(y + mo("="))} {value}</p>\n')
        for var in graph.wrt:
            lhs = leibniz(str(graph.output), var, h.printer, d=d_mark)
            number = escape(_number(at.grads.get(var), h.word("ui.undefined")))
            out.append(f'<p class="result">{math(lhs + mo("="))} '
                       f'<span class="answer">{number}</span></p>\n')  # fmt: skip
        if at.conventions:
            nodes = ", ".join(math(h.t(n) + mo("=") + h.t(graph.node(n).expr))
                              for n in at.conventions)  # fmt: skip
            out.append(f'<p class="note">{h.mixed("ui.convention", nodes=nodes)}</p>\n')
    ok = graph.verified and (at is None or at.agrees)
    failed = ", ".join(str(n) for n in graph.failures) or ", ".join(str(v) for v in graph.wrt)
    out.append(h.verdict(ok, h.word("ui.graph_verified"),
                         h.word("ui.graph_not_verified", nodes=failed)))  # fmt: skip
    return page(_title(out[0]), "".join(out), lang)


def _paren(number: str) -> str:
    return f"({number})" if number.startswith("−") else number


__all__: list[str] = [
    "MathPrinter",
    "built_mathml",
    "merge",
    "page",
    "render_check_html",
    "render_gradient_html",
    "render_graph_html",
    "render_html",
    "render_jacobian_html",
    "tex_mathml",
]


def derivation_html(derivation: S.Derivation, o) -> str:
    """The HTML format (render/__init__.py: RENDERERS): a page; one problem of a batch's page
    (o.section) also shows the line as it was typed, as the LaTeX problem set does."""
    shown = render_html(derivation, o.lang, o.at)
    if o.section and o.text:
        typed = f'<p class="typed"><code>{escape(o.text)}</code></p>\n'
        shown = shown.replace("</h1>\n", "</h1>\n" + typed, 1)
    return shown
