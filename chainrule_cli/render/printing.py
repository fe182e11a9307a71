"""Expressions as people read them: a compact one-line Unicode form, and LaTeX that KaTeX renders.

Both are SymPy's own printers with a few textbook conventions: e^x, ln, |x|, √x, σ, f'(u).
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from contextlib import contextmanager

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from chainrule_cli.calculus import steps as S

_PRIMES = {1: "'", 2: "''", 3: "'''"}
# 2x, 3(x + 1), but 3·sech(x) and 2·x₁: the dot goes only before one letter or a parenthesis
_COEFFICIENT = re.compile(r"^(-?\d+)\*(?=[^\W\d_](?![\w(])|\()")


def _primes(n: int) -> str:
    return _PRIMES.get(n, f"^({n})")


def _derivative_parts(expr: sympy.Derivative):
    """f, its arguments and the order when expr is an unknown function's derivative in one
    variable that is one of its arguments (f'(x), f''(x)); else None."""
    inner = expr.expr
    if not isinstance(inner, AppliedUndef) or len(expr.variable_count) != 1:
        return None
    if len(inner.args) != 1:
        return None  # f'(x, y) would not say which argument: SymPy's own notation
    var, count = expr.variable_count[0]
    if var not in inner.args:
        return None
    return inner, count


def _derivative_at(expr: sympy.Subs):
    """f, the order and the point when expr is f'(g(x)), SymPy's Subs(f'(u), u, g(x)); else
    None."""
    if len(expr.variables) != 1:
        return None
    derivative, var, point = expr.expr, expr.variables[0], expr.point[0]
    if not isinstance(derivative, sympy.Derivative):
        return None
    parts = _derivative_parts(derivative)
    if parts is None or parts[0].args != (var,):
        return None
    inner, count = parts
    return inner, count, point


class Memo:
    """Print each distinct sub-expression once per printer: deep expressions share their
    sub-trees, so printing the steps of a 1,000-deep composition stays fast. One printer
    instance per rendering; nothing is kept between renderings."""

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        self._memo: dict = {}
        self._parenthesized: dict = {}
        self._typed: dict = {}
        self._as_typed: set[int] = set()
        self._typing: set = set()

    @property
    def typed(self) -> dict:
        """Expressions as the user typed them (parse: Parser.typed), printed in their place."""
        return self._typed

    @typed.setter
    def typed(self, typed: dict) -> None:
        if typed is not self._typed:
            self._typed = typed
            self._memo.clear()  # what was printed before was printed without them
            self._parenthesized.clear()

    def _print(self, expr, **kwargs):
        if kwargs or not isinstance(expr, sympy.Basic):
            return super()._print(expr, **kwargs)
        done = self._memo.get(expr)
        if done is None:
            typed = self.typed.get(expr) if self.typed else None
            if typed is not None and expr not in self._typing:
                self._as_typed.add(id(typed))
                self._typing.add(expr)  # −(−(x + 1)): each typed form is printed once
                try:
                    done = super()._print(typed)
                finally:
                    self._typing.discard(expr)
            else:
                done = super()._print(expr)
            self._memo[expr] = done
        return done

    def parenthesize(self, item, level, *args, **kwargs):
        """SymPy's, remembered: a product of a deep chain's named factors asks for each
        factor's precedence again in every step's result."""
        if not isinstance(item, sympy.Basic):
            return super().parenthesize(item, level, *args, **kwargs)
        key = (item, level, args, tuple(sorted(kwargs.items())))
        done = self._parenthesized.get(key)
        if done is None:
            done = super().parenthesize(item, level, *args, **kwargs)
            self._parenthesized[key] = done
        return done

    def _as_ordered_terms(self, expr, order=None):
        if id(expr) in self._as_typed:
            return list(expr.args)  # w·x + b, as typed
        return super()._as_ordered_terms(expr, order=order)

    def typed_product(self, expr, times: str) -> str | None:
        """A product as typed (x·w, −(w·x + b)), or None for any other."""
        if id(expr) not in self._as_typed:
            return None
        from sympy.printing.precedence import PRECEDENCE

        args = list(expr.args)
        sign = ""
        if args and args[0] == -1:
            sign, args = "-", args[1:]
        out = ""
        for i, arg in enumerate(args):
            text = self.parenthesize(arg, PRECEDENCE["Mul"], strict=False)
            numeric = arg.is_Number or (arg.is_Pow and arg.base.is_Number)
            if i:  # 2·2^x, never 2 2^x (22^x)
                out += self._numeric_times if numeric and times == " " else times
            out += text
        return sign + out


Memo._numeric_times = r" \cdot "  # LaTeX's between a number and the factor before it


class SympyTextPrinter(Memo, StrPrinter):
    """Exactly str(expr) (the JSON contract), remembering what it printed; with `typed`, the
    user's own order (w*x + b), which reads back as the same expression."""

    def _print_Mul(self, expr):
        typed = self.typed_product(expr, "*")
        return typed if typed is not None else super()._print_Mul(expr)


# The textbook's names of the inverse functions (as the LaTeX and MathML print them), one
# documented choice for every human format: arctan, not atan (JSON keeps SymPy's atan).
TEXTBOOK_NAMES = {
    "asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot", "asec": "arcsec",
    "acsc": "arccsc", "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh",
    "acoth": "arcoth", "asech": "arsech", "acsch": "arcsch",
}  # fmt: skip


class UnicodePrinter(Memo, StrPrinter):
    """sin(x)·e^(−x) instead of sin(x)*exp(-x): SymPy's str() with textbook notation."""

    def _print_Function(self, expr):
        name = TEXTBOOK_NAMES.get(type(expr).__name__)
        if name is None or isinstance(expr, AppliedUndef):
            return super()._print_Function(expr)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Equality(self, expr) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_TypedDecimal(self, expr) -> str:
        return expr.text  # 0.6 as the user typed it (exactly 3/5)

    def _print_Symbol(self, expr):
        return pretty_symbol(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Exp1(self, expr):
        return "e"

    def _print_Pi(self, expr):
        return "π"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "-∞"

    def _print_ImaginaryUnit(self, expr):
        return "i"

    def _print_Mul(self, expr):
        # 2x and 3(x + 1) as in print; 2·3^x keeps its dot
        typed = self.typed_product(expr, "*")
        text = typed if typed is not None else super()._print_Mul(expr)
        return _COEFFICIENT.sub(r"\1", text).replace("*", "·")

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if exponent.is_Rational and exponent.is_negative and not rational:
            # (x + 1)^(−2) reads as 1/(x + 1)^2 in print
            return "1/" + self.parenthesize(sympy.Pow(base, -exponent), 40)
        if exponent == sympy.S.Half:
            return f"√({self._print(base)})" if not base.is_Atom else f"√{self._print(base)}"
        if exponent == -sympy.S.Half:
            root = f"√({self._print(base)})" if not base.is_Atom else f"√{self._print(base)}"
            return f"1/{root}"
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_exp(self, expr):
        arg = expr.args[0]
        text = self._print(arg)
        if arg.is_Symbol or (arg.is_Integer and arg >= 0):
            return f"e^{text}"
        return f"e^({text})"

    def _print_log(self, expr):
        return "ln(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_sigmoid(self, expr):
        return f"σ({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr):
        return f"H({self._print(expr.args[0])})"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_DiracDelta(self, expr):
        return f"δ({', '.join(self._print(a) for a in expr.args)})"

    def _print_Piecewise(self, expr):
        pieces = []
        for value, condition in expr.args:
            shown = self._print(value)
            if condition is sympy.true:
                pieces.append(f"{shown} otherwise")
            else:
                pieces.append(f"{shown} if {self._print(condition)}")
        return "{" + "; ".join(pieces) + "}"

    def _print_Derivative(self, expr):
        parts = _derivative_parts(expr)
        if parts is None:
            return super()._print_Derivative(expr)
        inner, count = parts
        args = ", ".join(self._print(a) for a in inner.args)
        return f"{inner.func}{_primes(count)}({args})"

    def _print_Subs(self, expr):
        parts = _derivative_at(expr)
        if parts is None:
            return super()._print_Subs(expr)
        inner, count, point = parts
        return f"{inner.func}{_primes(count)}({self._print(point)})"

    def doprint(self, expr):
        return super().doprint(expr).replace("-", "−")


class TextbookLatexPrinter(Memo, LatexPrinter):
    """SymPy's LaTeX with ln for the natural logarithm and f'(u) for unknown derivatives."""

    def __init__(self, order: str | None = None) -> None:
        """order="none": factors and terms as built, not sorted (sorting the deep factors of
        a tall derivation's products compares whole trees)."""
        super().__init__(
            {
                "ln_notation": True,
                "inv_trig_style": "full",
                "order": order,
                "fold_frac_powers": True,
            }
        )  # x^{3/2}, not a built-up fraction in an exponent
        self._brackets: dict = {}

    # SymPy decides a factor's brackets with expr.has(Mod, Integral, …), a fresh walk of the
    # whole factor each time: for the products of deep factors of a deep derivative that is
    # cubic. The same rules here, with "contains" remembered for every shared sub-tree.
    def _contains(self, expr, kinds: tuple) -> bool:
        key = (expr, kinds)
        known = self._brackets.get(key)
        if known is None:
            known = isinstance(expr, kinds) or any(
                self._contains(a, kinds) for a in expr.args if isinstance(a, sympy.Basic)
            )
            self._brackets[key] = known
        return known

    def _needs_mul_brackets(self, expr, first=False, last=False) -> bool:
        key = (expr, first, last)
        known = self._brackets.get(key)
        if known is None:
            known = self._brackets[key] = self._mul_brackets(expr, first, last)
        return known

    def _mul_brackets(self, expr, first: bool, last: bool) -> bool:
        from sympy.concrete.products import Product
        from sympy.concrete.summations import Sum
        from sympy.integrals.integrals import Integral
        from sympy.printing.precedence import PRECEDENCE, precedence_traditional

        if expr.is_Mul:
            if not first and expr.could_extract_minus_sign():
                return True
        elif precedence_traditional(expr) < PRECEDENCE["Mul"]:
            return True
        elif expr.is_Relational:
            return True
        if expr.is_Piecewise or self._contains(expr, (sympy.Mod,)):
            return True
        return not last and self._contains(expr, (Integral, Product, Sum))

    def _needs_add_brackets(self, expr) -> bool:
        return expr.is_Relational or expr.is_Add or self._contains(expr, (sympy.Mod,))

    def _print_Mul(self, expr):
        # SymPy splits a product into numerator and denominator with fraction(exact=True),
        # which asks of every power whether its exponent is negative and then whether it is
        # constant: equals() and simplify() on a deep exponent (e^(−σ(…)) in a 25-deep mix of
        # functions) never finish. The same split, deciding only for exponents that are numbers.
        typed = self.typed_product(expr, " ")
        if typed is not None:
            return typed
        if self.order == "none" and len(expr.args) > WIDE and all(map(_plain, expr.args)):
            if not expr.could_extract_minus_sign():
                return self._factors(expr.args)
        with _cheap_fraction():
            return super()._print_Mul(expr)

    def _factors(self, args) -> str:
        """What SymPy's _print_Mul prints for a product, as built, of factors with no number,
        no denominator and no unit in them (cos(u)·cos(v)·…·cos(z) of a deep chain): the
        factors with their brackets and separators, joined once. SymPy's adds each factor to
        the string so far, which costs a copy of it per factor in a long product."""
        from sympy.printing.latex import _between_two_numbers_p

        separator = self._settings["mul_symbol_latex"]
        numbersep = self._settings["mul_symbol_latex_numbers"]
        out: list[str] = []
        last = ""
        for i, term in enumerate(args):
            tex = self._print(term)
            if self._needs_mul_brackets(term, first=i == 0, last=i == len(args) - 1):
                tex = rf"\left({tex}\right)"
            if _between_two_numbers_p[0].search(last) and _between_two_numbers_p[1].match(tex):
                out.append(numbersep)
            elif out:
                out.append(separator)
            out.append(tex)
            last = tex
        return "".join(out)

    def _print_Heaviside(self, expr, exp=None):
        tex = rf"H\left({self._print(expr.args[0])}\right)"
        return rf"{tex}^{{{exp}}}" if exp else tex

    def _print_Derivative(self, expr):
        parts = _derivative_parts(expr)
        if parts is None:
            return super()._print_Derivative(expr)
        inner, count = parts
        args = ", ".join(self._print(a) for a in inner.args)
        return rf"{self._print(inner.func)}{_latex_primes(count)}\left({args}\right)"

    def _print_Subs(self, expr):
        parts = _derivative_at(expr)
        if parts is None:
            return super()._print_Subs(expr)
        inner, count, point = parts
        return rf"{self._print(inner.func)}{_latex_primes(count)}\left({self._print(point)}\right)"


WIDE = 40  # a product of more factors than this, all plain, is printed by _factors


def _plain(factor: sympy.Basic) -> bool:
    """A factor that fraction() keeps in the numerator and that is no number and no unit: an
    applied function other than exp, a symbol, or such a thing to a positive integer power."""
    if factor.is_Pow:
        if not (factor.exp.is_Integer and factor.exp > 0):
            return False
        factor = factor.base
    return (factor.is_Function and factor.func is not sympy.exp) or factor.is_Symbol


# SymPy's LaTeX printer imports fraction() from sympy.simplify at each call, so the only way to
# give it another is to set it there while one of our printers prints a product. Every thread
# that prints takes part in one count; the last one out puts SymPy's own back, whatever the
# order in which they finish (a batch line that timed out may still be printing).
_SIMPLIFY = importlib.import_module("sympy.simplify")  # `sympy.simplify` is also a function
_SYMPYS_FRACTION = _SIMPLIFY.fraction
_swap_lock = threading.Lock()


def _fresh_lock_in_a_fork() -> None:
    """A batch worker is forked (chainrule_cli/workers.py) perhaps while a timed-out work
    thread was printing: the fork has no such thread, so it starts with the lock free, no
    printer inside the swap and SymPy's own fraction()."""
    global _swap_lock, _printing  # noqa: PLW0603 - the fork's own, fresh
    _swap_lock = threading.Lock()
    _printing = 0
    _SIMPLIFY.fraction = _SYMPYS_FRACTION


os.register_at_fork(after_in_child=_fresh_lock_in_a_fork)
_printing = 0


@contextmanager
def _cheap_fraction():
    global _printing  # noqa: PLW0603 - the count of printers inside the swap, under the lock
    with _swap_lock:
        _printing += 1
        _SIMPLIFY.fraction = _fraction
    try:
        yield
    finally:
        with _swap_lock:
            _printing -= 1
            if _printing == 0:
                _SIMPLIFY.fraction = _SYMPYS_FRACTION


def _fraction(expr, exact=False):
    """SymPy's fraction(expr, exact=True), as used by its LaTeX printer, except that a power
    whose exponent is not a number stays in the numerator without asking: x^(−n) and e^(−u)
    are printed as they are, as SymPy prints them unless their exponent simplifies to a
    negative constant. Any other call (exact=False, from elsewhere meanwhile) is SymPy's."""
    if not exact:
        return _SYMPYS_FRACTION(expr, exact)
    numer, denom = [], []
    for term in sympy.Mul.make_args(expr):
        if term.is_commutative and (term.is_Pow or isinstance(term, sympy.exp)):
            base, exponent = term.as_base_exp()
            if exponent.is_number and exponent.is_negative:
                denom.append(base if exponent == -1 else sympy.Pow(base, -exponent))
            else:
                numer.append(term)
        elif term.is_Rational and not term.is_Integer:
            if term.p != 1:
                numer.append(term.p)
            denom.append(term.q)
        else:
            numer.append(term)
    return sympy.Mul(*numer, evaluate=False), sympy.Mul(*denom, evaluate=False)


def _latex_primes(n: int) -> str:
    return "'" * n if n <= 3 else f"^{{({n})}}"


def unicode(expr: sympy.Basic) -> str:
    """One line of Unicode: 'w·(1 − σ(u))·e^(−x)'."""
    return UnicodePrinter().doprint(expr)


def latex(expr: sympy.Basic) -> str:
    """LaTeX for pdflatex, KaTeX and MathJax alike."""
    return TextbookLatexPrinter().doprint(expr)


class _Built:
    """How a rule's formula is written in one notation (see `built`)."""

    def __init__(
        self, show, plus, minus, times, frac, paren, prime, power, operator=None, leibniz=None
    ):
        self.show, self.plus, self.minus, self.times = show, plus, minus, times
        self.frac, self.paren, self.prime, self.power = frac, paren, prime, power
        self.operator = operator
        # d/du (…) for a derivative by a variable a prime would not name (the chain rule's
        # d/du (sin u)·d/dx (x²), each by its own variable)
        self.leibniz = leibniz


def _has_formula_derivative(expr: sympy.Basic) -> bool:
    return any(not isinstance(d.expr, AppliedUndef) for d in expr.atoms(sympy.Derivative))


def _built(expr: sympy.Basic, n: _Built, depth: int = 0) -> str:
    """A form built by a rule's formula, (x²)'·sin x + x²·(sin x)', as built: its terms and
    factors in the order of their arguments (f'g + fg'), not sorted, a derivative of any
    expression written (…)'; the pieces themselves as usual."""
    if isinstance(expr, sympy.Derivative) and not isinstance(expr.expr, AppliedUndef):
        inner = expr.expr
        shown = n.show(inner)
        plain = inner.is_Atom and not (inner.is_Number and inner.is_negative)
        if n.operator is not None:  # ∂/∂x (x²): a prime would not say which variable
            return n.operator(n.paren(shown), n.show(expr.variables[0]))
        text = shown if plain else n.paren(shown)
        for _ in range(sum(int(count) for _, count in expr.variable_count)):
            text = n.prime(text)  # (x³ + 1)'' for the second derivative
        return text
    if isinstance(expr, S.Times):  # the chain rule's product, each factor whole
        pieces = []
        for i, factor in enumerate(expr.args):
            if isinstance(factor, sympy.Derivative) and n.leibniz is not None:
                pieces.append(n.leibniz(n.paren(n.show(factor.expr)), n.show(factor.variables[0])))
                continue
            text = n.show(factor)
            negative = i and text.startswith(("-", "−", "<mo>−"))
            # in one-line notation a fraction before a ·: (1/u)·2x, not 1/u·2x = 1/(u·2x)
            fraction = n.times == "·" and i < len(expr.args) - 1 and "/" in text
            pieces.append(n.paren(text) if factor.is_Add or negative or fraction else text)
        return n.times.join(pieces)
    deep = _has_formula_derivative(expr)  # x·(x'/x): built further down, where the ' is
    if expr.is_Add and (depth <= 1 or deep):
        out = ""
        for i, term in enumerate(expr.args):
            text = _built(term, n, depth + 1)
            negative = text.startswith(("-", "−"))
            if i == 0:
                out = text
            else:
                out += (n.minus + text[1:]) if negative else (n.plus + text)
        return out
    if expr.is_Mul and depth >= 1 and not deep and not any(f.is_Add for f in expr.args):
        return n.show(sympy.Mul(*expr.args))  # 2x·sin(x): the pieces' product, as usual
    if expr.is_Mul and (depth <= 2 or deep):
        numer = [f for f in expr.args if not (f.is_Pow and f.exp == -1)]
        denom = [f.base for f in expr.args if f.is_Pow and f.exp == -1]
        sign = ""
        if numer and numer[0] == -1:
            sign, numer = "-", numer[1:]
        pieces = []
        for factor in numer:
            if (
                isinstance(factor, sympy.Derivative)
                or (factor.is_Pow and factor.exp.is_Add)
                or _has_formula_derivative(factor)
            ):
                text = _built(factor, n, depth + 1)
            elif factor.is_Add and depth == 0:  # the formula's bracket: (f'g − fg')/g², y·(…)
                text = _built(factor, n, depth + 1)
            else:
                text = n.show(factor)
            bracket = (factor.is_Add and (len(numer) > 1 or sign)) or (
                factor.is_Number and factor.is_negative and len(numer) > 1
            )  # −(x·(x + 1))', (1 − x)·(−1): a sign never attaches to one term only
            pieces.append(n.paren(text) if bracket else text)
        top_text = n.times.join(pieces) if pieces else "1"
        if denom:
            bottom = n.times.join(
                _built(d, n, depth + 1) if _has_formula_derivative(d) else n.show(d) for d in denom
            )  # (cos x)'/(x)': a derivative still to take below, as above
            return sign + n.frac(top_text, bottom, numer, denom)
        return sign + top_text
    if expr.is_Pow and expr.exp.is_Add and expr.exp.is_number:  # n·x^(n − 1), as instantiated
        return n.power(n.show(expr.base), _built(expr.exp, n, 1), expr.base)
    return n.show(expr)


def built_text(
    expr: sympy.Basic, printer: UnicodePrinter | None = None, d: str | None = None
) -> str:
    """A rule's form in the one-line notation: (x^2)'·sin(x) + x^2·(sin(x))'; with d="∂",
    ∂/∂x (x^2)·y (partial derivatives, where a prime would not say by which variable)."""
    printer = printer or UnicodePrinter()
    operator = None if d is None else (lambda text, var: f"{d}/{d}{var} {text}")

    def show(e):
        return printer.doprint(e)

    def frac(top, bottom, numer, denom):
        wide = lambda text, parts: len(parts) > 1 or any(p.is_Add or p.is_Mul for p in parts)  # noqa: E731
        top = f"({top})" if wide(top, numer) else top
        bottom = f"({bottom})" if wide(bottom, denom) else bottom
        return f"{top}/{bottom}"

    notation = _Built(
        show, " + ", " − ", "·", frac, lambda t: f"({t})", lambda t: f"{t}'",
        lambda base, exponent, b: f"{show(b) if b.is_Atom else '(' + show(b) + ')'}^({exponent})",
        operator, lambda text, var: f"d/d{var} {text}",
    )  # fmt: skip
    return _built(expr, notation).replace("-", "−")


def built_latex(
    expr: sympy.Basic, printer: TextbookLatexPrinter | None = None, d: str | None = None
) -> str:
    """A rule's form in LaTeX: \\left(x^{2}\\right)' \\sin{\\left(x \\right)} + …; with
    d=r"\\partial", \\frac{\\partial}{\\partial x}\\left(…\\right)."""
    printer = printer or TextbookLatexPrinter()
    sep = "" if d in (None, "d") else " "
    operator = None if d is None else (lambda t, var: rf"\frac{{{d}}}{{{d}{sep}{var}}}{t}")

    def power(base, exponent, b):
        shown = printer.doprint(b)
        if not b.is_Atom:
            shown = r"\left(" + shown + r"\right)"
        return f"{shown}^{{{exponent}}}"

    notation = _Built(
        printer.doprint, " + ", " - ", r" \cdot ", lambda t, b, *_: rf"\frac{{{t}}}{{{b}}}",
        lambda t: rf"\left({t}\right)", lambda t: f"{t}'", power, operator,
        lambda t, var: rf"\frac{{d}}{{d{var}}}{t}",
    )  # fmt: skip
    return _built(expr, notation)


def approx(value: float, latex: bool = False) -> str:
    """A computed decimal, short (4 significant digits) and never in e-notation: 0.2461,
    22026, 2.203·10^−5 (LaTeX: 2.203 \\cdot 10^{-5})."""
    size = abs(value)
    if size == 0 or 1e-3 <= size < 1e4:
        text = f"{value:.4g}"
    elif 1e4 <= size < 1e9:
        text = f"{value:.0f}"
    else:
        mantissa, exponent = f"{value:.3e}".split("e")
        power = int(exponent)
        text = (rf"{mantissa} \cdot 10^{{{power}}}" if latex else
                f"{mantissa}·10^{power}")  # fmt: skip
    return text if latex else text.replace("-", "−")
